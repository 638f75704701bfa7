-- progressive-capture: the local store's schema (SQLite 3.35+).
--
-- The same tables, columns, checks and conflict keys as db/migrations/ (the
-- tests compare the two column by column), in SQLite's types: UUIDs and time
-- stamps are TEXT (ISO-8601, as GitHub writes them), jsonb and text[] are
-- JSON TEXT, booleans INTEGER 0/1; ids default to random (version 4) UUIDs
-- made with built-in functions, so the sqlite3 shell can insert rows too. The
-- program applies this file to every database it opens; each statement is
-- idempotent.

PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS repositories (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	github_id INTEGER NOT NULL UNIQUE,
	full_name TEXT NOT NULL UNIQUE,
	owner TEXT NOT NULL,
	name TEXT NOT NULL,
	description TEXT,
	homepage TEXT,
	language TEXT,
	stargazers_count INTEGER DEFAULT 0,
	watchers_count INTEGER DEFAULT 0,
	forks_count INTEGER DEFAULT 0,
	open_issues_count INTEGER DEFAULT 0,
	size INTEGER DEFAULT 0,
	default_branch TEXT DEFAULT 'main',
	is_fork INTEGER DEFAULT 0,
	is_archived INTEGER DEFAULT 0,
	is_disabled INTEGER DEFAULT 0,
	is_private INTEGER DEFAULT 0,
	has_issues INTEGER DEFAULT 1,
	has_projects INTEGER DEFAULT 1,
	has_wiki INTEGER DEFAULT 1,
	has_pages INTEGER DEFAULT 0,
	has_downloads INTEGER DEFAULT 1,
	has_discussions INTEGER DEFAULT 0,
	license TEXT,
	topics TEXT,
	avatar_url TEXT,
	github_created_at TEXT,
	github_updated_at TEXT,
	github_pushed_at TEXT,
	first_tracked_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	last_updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	is_active INTEGER DEFAULT 1,
	pull_request_count INTEGER DEFAULT 0,
	total_pull_requests INTEGER DEFAULT 0,
	sync_status TEXT DEFAULT 'idle'
		CHECK (sync_status IN ('idle', 'syncing', 'completed', 'failed', 'partial')),
	last_synced_at TEXT,
	last_commit_capture_at TEXT,
	commit_capture_status TEXT NOT NULL DEFAULT 'pending'
		CHECK (commit_capture_status IN ('pending', 'processing', 'completed', 'failed')),
	UNIQUE (owner, name)
);

CREATE TABLE IF NOT EXISTS contributors (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	github_id INTEGER NOT NULL UNIQUE,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT,
	avatar_url TEXT,
	profile_url TEXT,
	email TEXT,
	company TEXT,
	location TEXT,
	bio TEXT,
	blog TEXT,
	public_repos INTEGER,
	public_gists INTEGER,
	followers INTEGER,
	following INTEGER,
	github_created_at TEXT,
	first_seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	last_updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	is_bot INTEGER DEFAULT 0,
	is_active INTEGER DEFAULT 1,
	created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS pull_requests (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	github_id INTEGER NOT NULL UNIQUE,
	number INTEGER NOT NULL,
	title TEXT NOT NULL,
	body TEXT,
	state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'merged')),
	repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
	repository_full_name TEXT,
	repository_github_id INTEGER,
	author_id TEXT REFERENCES contributors (id),
	author_github_id INTEGER,
	assignee_id TEXT REFERENCES contributors (id),
	base_branch TEXT NOT NULL DEFAULT 'main',
	head_branch TEXT NOT NULL,
	draft INTEGER DEFAULT 0,
	mergeable INTEGER,
	mergeable_state TEXT,
	merged INTEGER DEFAULT 0,
	merged_by_id TEXT REFERENCES contributors (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	merged_at TEXT,
	closed_at TEXT,
	additions INTEGER DEFAULT 0,
	deletions INTEGER DEFAULT 0,
	changed_files INTEGER DEFAULT 0,
	commits INTEGER DEFAULT 0,
	html_url TEXT,
	diff_url TEXT,
	patch_url TEXT,
	base_ref TEXT,
	head_ref TEXT,
	last_synced_at TEXT,
	CONSTRAINT pull_requests_repo_number_key UNIQUE (repository_id, number)
);
CREATE INDEX IF NOT EXISTS pull_requests_repository_created_idx
	ON pull_requests (repository_id, created_at DESC);
CREATE INDEX IF NOT EXISTS pull_requests_author_idx ON pull_requests (author_id);

CREATE TABLE IF NOT EXISTS pull_request_files (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	pull_request_id TEXT NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
	filename TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN
		('added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged')),
	additions INTEGER NOT NULL DEFAULT 0,
	deletions INTEGER NOT NULL DEFAULT 0,
	changes INTEGER NOT NULL DEFAULT 0,
	previous_filename TEXT,
	CONSTRAINT pull_request_files_pr_filename_key UNIQUE (pull_request_id, filename)
);

CREATE TABLE IF NOT EXISTS reviews (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	github_id INTEGER NOT NULL UNIQUE,
	pull_request_id TEXT NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
	repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
	reviewer_id TEXT REFERENCES contributors (id),
	author_id TEXT NOT NULL REFERENCES contributors (id),
	state TEXT NOT NULL CHECK (state IN
		('PENDING', 'APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED')),
	body TEXT,
	submitted_at TEXT NOT NULL,
	commit_id TEXT
);
CREATE INDEX IF NOT EXISTS reviews_pull_request_idx ON reviews (pull_request_id);

CREATE TABLE IF NOT EXISTS comments (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	github_id INTEGER NOT NULL UNIQUE,
	pull_request_id TEXT REFERENCES pull_requests (id) ON DELETE CASCADE,
	issue_id TEXT,
	repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
	commenter_id TEXT REFERENCES contributors (id),
	body TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	comment_type TEXT NOT NULL CHECK (comment_type IN ('issue_comment', 'review_comment')),
	in_reply_to_id TEXT REFERENCES comments (id) ON DELETE SET NULL,
	position INTEGER,
	original_position INTEGER,
	diff_hunk TEXT,
	path TEXT,
	commit_id TEXT,
	original_commit_id TEXT
);
CREATE INDEX IF NOT EXISTS comments_pull_request_idx ON comments (pull_request_id);

CREATE TABLE IF NOT EXISTS commits (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	sha TEXT NOT NULL,
	repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
	author_id TEXT REFERENCES contributors (id),
	committer_id TEXT REFERENCES contributors (id),
	message TEXT NOT NULL,
	authored_at TEXT NOT NULL,
	committed_at TEXT NOT NULL,
	additions INTEGER,
	deletions INTEGER,
	changed_files INTEGER,
	is_direct_commit INTEGER,
	pull_request_id TEXT REFERENCES pull_requests (id) ON DELETE SET NULL,
	html_url TEXT,
	api_url TEXT,
	created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	CONSTRAINT commits_repository_sha_key UNIQUE (repository_id, sha)
);

CREATE TABLE IF NOT EXISTS progressive_capture_jobs (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	job_type TEXT NOT NULL CHECK (length(job_type) <= 50),
	repository_id TEXT REFERENCES repositories (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	processor_type TEXT NOT NULL DEFAULT 'github_actions' CHECK (length(processor_type) <= 20),
	status TEXT DEFAULT 'pending' CHECK (status IN
		('pending', 'processing', 'completed', 'partial', 'failed', 'cancelled')),
	time_range_days INTEGER,
	workflow_run_id INTEGER,
	metadata TEXT DEFAULT '{}',
	error TEXT,
	created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	started_at TEXT,
	completed_at TEXT
);
CREATE INDEX IF NOT EXISTS progressive_capture_jobs_status_idx
	ON progressive_capture_jobs (status, created_at DESC);

CREATE TABLE IF NOT EXISTS progressive_capture_progress (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	job_id TEXT NOT NULL REFERENCES progressive_capture_jobs (id) ON DELETE CASCADE,
	total_items INTEGER,
	processed_items INTEGER DEFAULT 0,
	failed_items INTEGER DEFAULT 0,
	current_item TEXT,
	errors TEXT DEFAULT '[]',
	updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	resume_cursor TEXT
);
CREATE INDEX IF NOT EXISTS progressive_capture_progress_job_idx
	ON progressive_capture_progress (job_id);
CREATE TRIGGER IF NOT EXISTS progressive_capture_progress_touch
	AFTER UPDATE ON progressive_capture_progress FOR EACH ROW
	WHEN NEW.updated_at IS OLD.updated_at
	BEGIN
		UPDATE progressive_capture_progress SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = NEW.id;
	END;

CREATE TABLE IF NOT EXISTS pull_request_captures (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
	pull_request_id TEXT NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
	number INTEGER NOT NULL,
	part TEXT NOT NULL CHECK (part IN ('details', 'reviews', 'comments')),
	github_updated_at TEXT NOT NULL,
	captured_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	etag TEXT,
	CONSTRAINT pull_request_captures_pr_part_key UNIQUE (pull_request_id, part)
);
CREATE INDEX IF NOT EXISTS pull_request_captures_repo_part_idx
	ON pull_request_captures (repository_id, part, number);

CREATE TABLE IF NOT EXISTS capture_watermarks (
	id TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))),
	repository_id TEXT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
	stream TEXT NOT NULL CHECK (stream IN ('pulls', 'issue_comments', 'review_comments', 'commits')),
	watermark TEXT NOT NULL,
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	CONSTRAINT capture_watermarks_repo_stream_key UNIQUE (repository_id, stream)
);
