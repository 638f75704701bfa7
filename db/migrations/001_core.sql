-- progressive-capture: core schema (PostgreSQL 15 and Supabase).
--
-- Tables, columns, checks and conflict keys follow contributor.info's production
-- schema so the action can write into an existing contributor.info database; every
-- statement is idempotent ("if not exists"). A table that exists is left as it is
-- here (005 adds the columns and keys it lacks), and an index is made only where
-- the table has none on the same leading columns. pull_request_files is ours:
-- contributor.info had no place for a PR's file list.
--
-- Conflict keys the action uses (each needs a unique constraint):
--   repositories(github_id)  contributors(github_id)  pull_requests(github_id)
--   pull_request_files(pull_request_id, filename)    reviews(github_id)
--   comments(github_id)      commits(repository_id, sha)

begin;

-- Index `idx` on `tbl` by `spec` ("(a, b desc)"), unless an index of the table
-- (non-partial, on columns) already starts with the same columns: contributor.info's
-- tables come with their own, and a second copy would only slow their writes.
create or replace function pg_temp.progressive_capture_index(idx text, tbl text, spec text)
returns void
language plpgsql as $$
declare
	cols text[] := regexp_split_to_array(
		trim(regexp_replace(spec, '[()]|\s+(asc|desc)\y', '', 'gi')), '\s*,\s*');
begin
	if to_regclass(format('public.%I', idx)) is not null or exists (
		select 1 from pg_index i
		 where i.indrelid = format('public.%I', tbl)::regclass
		   and i.indpred is null and i.indexprs is null and i.indnkeyatts >= cardinality(cols)
		   and array(select a.attname::text
			       from unnest(i.indkey::int2[]) with ordinality k(attnum, n)
			       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
			      where k.n <= cardinality(cols) order by k.n) = cols) then
		return;
	end if;
	execute format('create index %I on public.%I %s', idx, tbl, spec);
end $$;

create table if not exists public.repositories (
	id uuid primary key default gen_random_uuid(),
	github_id bigint not null unique,
	full_name text not null unique,
	owner text not null,
	name text not null,
	description text,
	homepage text,
	language text,
	stargazers_count integer default 0,
	watchers_count integer default 0,
	forks_count integer default 0,
	open_issues_count integer default 0,
	size integer default 0,
	default_branch text default 'main',
	is_fork boolean default false,
	is_archived boolean default false,
	is_disabled boolean default false,
	is_private boolean default false,
	has_issues boolean default true,
	has_projects boolean default true,
	has_wiki boolean default true,
	has_pages boolean default false,
	has_downloads boolean default true,
	has_discussions boolean default false,
	license text,
	topics text[],
	avatar_url text,
	github_created_at timestamptz,
	github_updated_at timestamptz,
	github_pushed_at timestamptz,
	first_tracked_at timestamptz default now(),
	last_updated_at timestamptz default now(),
	is_active boolean default true,
	pull_request_count integer default 0,
	total_pull_requests integer default 0,
	sync_status text default 'idle'
		check (sync_status in ('idle', 'syncing', 'completed', 'failed', 'partial')),
	last_synced_at timestamptz,
	last_commit_capture_at timestamptz,
	commit_capture_status text not null default 'pending'
		check (commit_capture_status in ('pending', 'processing', 'completed', 'failed')),
	unique (owner, name)
);

create table if not exists public.contributors (
	id uuid primary key default gen_random_uuid(),
	github_id bigint not null unique,
	username text not null unique,
	display_name text,
	avatar_url text,
	profile_url text,
	email text,
	company text,
	location text,
	bio text,
	blog text,
	public_repos integer,
	public_gists integer,
	followers integer,
	following integer,
	github_created_at timestamptz,
	first_seen_at timestamptz not null default now(),
	last_updated_at timestamptz not null default now(),
	is_bot boolean default false,
	is_active boolean default true,
	created_at timestamptz default now()
);

create table if not exists public.pull_requests (
	id uuid primary key default gen_random_uuid(),
	github_id bigint not null unique,
	number integer not null,
	title text not null,
	body text,
	state text not null check (state in ('open', 'closed', 'merged')),
	repository_id uuid not null references public.repositories (id) on delete cascade,
	repository_full_name text,
	repository_github_id bigint,
	author_id uuid references public.contributors (id),
	author_github_id bigint,
	assignee_id uuid references public.contributors (id),
	base_branch text not null default 'main',
	head_branch text not null,
	draft boolean default false,
	mergeable boolean,
	mergeable_state text,
	merged boolean default false,
	merged_by_id uuid references public.contributors (id),
	created_at timestamptz not null,
	updated_at timestamptz not null,
	merged_at timestamptz,
	closed_at timestamptz,
	additions integer default 0,
	deletions integer default 0,
	changed_files integer default 0,
	commits integer default 0,
	html_url text,
	diff_url text,
	patch_url text,
	base_ref text,
	head_ref text,
	last_synced_at timestamptz,
	constraint pull_requests_repo_number_key unique (repository_id, number)
);
select pg_temp.progressive_capture_index('pull_requests_repository_created_idx', 'pull_requests',
	'(repository_id, created_at desc)');
select pg_temp.progressive_capture_index('pull_requests_author_idx', 'pull_requests', '(author_id)');

-- One row per file a PR touches; rows for files the PR no longer touches are removed
-- by the capture once every page of the PR's file list has been read.
create table if not exists public.pull_request_files (
	id uuid primary key default gen_random_uuid(),
	pull_request_id uuid not null references public.pull_requests (id) on delete cascade,
	filename text not null,
	status text not null check (status in
		('added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged')),
	additions integer not null default 0,
	deletions integer not null default 0,
	changes integer not null default 0,
	previous_filename text,
	constraint pull_request_files_pr_filename_key unique (pull_request_id, filename)
);

create table if not exists public.reviews (
	id uuid primary key default gen_random_uuid(),
	github_id bigint not null unique,
	pull_request_id uuid not null references public.pull_requests (id) on delete cascade,
	repository_id uuid not null references public.repositories (id) on delete cascade,
	reviewer_id uuid references public.contributors (id),
	author_id uuid not null references public.contributors (id),
	state text not null check (state in
		('PENDING', 'APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED')),
	body text,
	submitted_at timestamptz not null,
	commit_id text
);
select pg_temp.progressive_capture_index('reviews_pull_request_idx', 'reviews', '(pull_request_id)');

create table if not exists public.comments (
	id uuid primary key default gen_random_uuid(),
	github_id bigint not null unique,
	pull_request_id uuid references public.pull_requests (id) on delete cascade,
	issue_id uuid,
	repository_id uuid not null references public.repositories (id) on delete cascade,
	commenter_id uuid references public.contributors (id),
	body text not null,
	created_at timestamptz not null,
	updated_at timestamptz not null,
	comment_type text not null check (comment_type in ('issue_comment', 'review_comment')),
	in_reply_to_id uuid references public.comments (id) on delete set null,
	position integer,
	original_position integer,
	diff_hunk text,
	path text,
	commit_id text,
	original_commit_id text
);
select pg_temp.progressive_capture_index('comments_pull_request_idx', 'comments', '(pull_request_id)');

create table if not exists public.commits (
	id uuid primary key default gen_random_uuid(),
	sha text not null,
	repository_id uuid not null references public.repositories (id) on delete cascade,
	author_id uuid references public.contributors (id),
	committer_id uuid references public.contributors (id),
	message text not null,
	authored_at timestamptz not null,
	committed_at timestamptz not null,
	additions integer,
	deletions integer,
	changed_files integer,
	is_direct_commit boolean,
	pull_request_id uuid references public.pull_requests (id) on delete set null,
	html_url text,
	api_url text,
	created_at timestamptz default now(),
	updated_at timestamptz default now(),
	constraint commits_repository_sha_key unique (repository_id, sha)
);

-- Job tracking. contributor.info's table has no CHECK on status; we add 'partial'
-- (budget or time ran out, resumable) and 'cancelled' to its four states.
create table if not exists public.progressive_capture_jobs (
	id uuid primary key default gen_random_uuid(),
	job_type varchar(50) not null,
	repository_id uuid references public.repositories (id) on delete cascade
		deferrable initially deferred,
	processor_type varchar(20) not null default 'github_actions',
	status varchar(20) default 'pending' check (status in
		('pending', 'processing', 'completed', 'partial', 'failed', 'cancelled')),
	time_range_days integer,
	workflow_run_id bigint,
	metadata jsonb default '{}'::jsonb,
	error text,
	created_at timestamptz default now(),
	started_at timestamptz,
	completed_at timestamptz
);
select pg_temp.progressive_capture_index('progressive_capture_jobs_status_idx', 'progressive_capture_jobs',
	'(status, created_at desc)');

-- One progress row per job, PATCHed by its id.
create table if not exists public.progressive_capture_progress (
	id uuid primary key default gen_random_uuid(),
	job_id uuid not null references public.progressive_capture_jobs (id) on delete cascade,
	total_items integer,
	processed_items integer default 0,
	failed_items integer default 0,
	current_item text,
	errors jsonb default '[]'::jsonb,
	updated_at timestamptz default now()
);
select pg_temp.progressive_capture_index('progressive_capture_progress_job_idx', 'progressive_capture_progress',
	'(job_id)');

create or replace function public.progressive_capture_touch_updated_at() returns trigger
language plpgsql as $$
begin
	new.updated_at := now();
	return new;
end $$;

drop trigger if exists progressive_capture_progress_touch on public.progressive_capture_progress;
create trigger progressive_capture_progress_touch before update on public.progressive_capture_progress
	for each row execute function public.progressive_capture_touch_updated_at();

-- Supabase: the Data API sees a table only through explicit grants. Job tables are
-- for the service role alone (row level security on, no policies: service_role
-- bypasses RLS, anon and authenticated see nothing). On plain PostgreSQL these
-- roles do not exist and the block does nothing.
do $$
begin
	if exists (select 1 from pg_roles where rolname = 'service_role') then
		grant usage on schema public to service_role;
		grant select, insert, update, delete on
			public.repositories, public.contributors, public.pull_requests,
			public.pull_request_files, public.reviews, public.comments, public.commits,
			public.progressive_capture_jobs, public.progressive_capture_progress
			to service_role;
	end if;
end $$;

alter table public.progressive_capture_jobs enable row level security;
alter table public.progressive_capture_progress enable row level security;
alter table public.pull_request_files enable row level security;

drop function pg_temp.progressive_capture_index(text, text, text);

commit;
