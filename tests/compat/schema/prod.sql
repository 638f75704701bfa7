-- contributor.info's capture tables as its production database has them: the
-- production schema export of 2025-09-08 and the migrations applied after it,
-- as docs CONTRIBUTOR-INFO.md §1.2 describes them. A test fixture, never a
-- migration: it lets the tests apply db/migrations to the database a real user
-- has. Written for this project from that description; names, types, NOT NULLs,
-- defaults, keys, CHECKs and foreign keys are production's, including columns the
-- action never writes. Left out: the pgvector `embedding` columns (the extension
-- is optional there too), pg_cron's "cleanup-stuck-jobs" job (no pg_cron here),
-- and the tables the capture never touches (organizations: nothing here refers
-- to it).

create extension if not exists "uuid-ossp";
create extension if not exists pgcrypto;

-- Supabase's API roles (cluster-wide; already there on Supabase).
do $$
declare r text;
begin
	foreach r in array array['anon', 'authenticated', 'service_role'] loop
		if not exists (select 1 from pg_roles where rolname = r) then
			execute format('create role %I', r);
		end if;
	end loop;
end $$;

create table public.repositories (
	id uuid not null default uuid_generate_v4(),
	github_id bigint not null,
	full_name text not null,
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
	default_branch text default 'main'::text,
	is_fork boolean default false,
	is_archived boolean default false,
	is_disabled boolean default false,
	is_private boolean default false,
	has_issues boolean default true,
	has_projects boolean default true,
	has_wiki boolean default true,
	has_pages boolean default false,
	has_downloads boolean default true,
	license text,
	topics text[],
	github_created_at timestamp with time zone,
	github_updated_at timestamp with time zone,
	github_pushed_at timestamp with time zone,
	first_tracked_at timestamp with time zone not null default now(),
	last_updated_at timestamp with time zone not null default now(),
	is_active boolean default true,
	pr_template_content text,
	pr_template_url text,
	pr_template_fetched_at timestamp with time zone,
	pr_template_hash text,
	ai_summary text,
	summary_generated_at timestamp with time zone,
	recent_activity_hash text,
	pull_request_count integer default 0,
	sync_status text default 'idle'::text,
	last_synced_at timestamp with time zone,
	total_pull_requests integer default 0,
	avatar_url text,
	homepage_url text,
	is_template boolean default false,
	parent_repository_id uuid,
	has_discussions boolean default false,
	-- 20250928000001_add_commit_capture_tracking
	last_commit_capture_at timestamp with time zone,
	commit_capture_status text not null default 'pending'::text,
	-- the webhook-priority migration
	webhook_priority boolean default false,
	webhook_enabled_at timestamp with time zone,
	last_webhook_event_at timestamp with time zone,
	constraint repositories_pkey primary key (id),
	constraint repositories_github_id_key unique (github_id),
	constraint repositories_full_name_key unique (full_name),
	constraint repositories_sync_status_check
		check (sync_status in ('idle', 'syncing', 'completed', 'failed', 'partial')),
	constraint repositories_commit_capture_status_check
		check (commit_capture_status in ('pending', 'processing', 'completed', 'failed')),
	-- 20251001000002: deferrable for the DLT pipeline's delete-then-insert merges
	constraint repositories_parent_repository_id_fkey foreign key (parent_repository_id)
		references public.repositories (id) deferrable initially deferred
);
create index idx_repositories_github_id on public.repositories (github_id);
create index idx_repositories_full_name on public.repositories (full_name);
create index idx_repositories_owner on public.repositories (owner);
create index idx_repositories_commit_capture
	on public.repositories (last_commit_capture_at, commit_capture_status);

create table public.contributors (
	id uuid not null default uuid_generate_v4(),
	github_id bigint not null,
	username text not null,
	display_name text,
	avatar_url text,
	profile_url text,
	email text,
	company text,
	location text,
	bio text,
	blog text,
	public_repos integer default 0,
	public_gists integer default 0,
	followers integer default 0,
	following integer default 0,
	github_created_at timestamp with time zone,
	first_seen_at timestamp with time zone not null default now(),
	last_updated_at timestamp with time zone not null default now(),
	is_bot boolean default false,
	is_active boolean default true,
	created_at timestamp with time zone default now(),
	avatar_cached_at timestamp with time zone,
	avatar_cache_expires_at timestamp with time zone,
	constraint contributors_pkey primary key (id),
	-- Two unique keys: code upserts on either, so a renamed account can collide.
	constraint contributors_github_id_key unique (github_id),
	constraint contributors_username_key unique (username)
);
create index idx_contributors_github_id on public.contributors (github_id);
create index idx_contributors_username on public.contributors (username);

create table public.pull_requests (
	id uuid not null default uuid_generate_v4(),
	github_id bigint not null,
	number integer not null,
	title text not null,
	body text,
	state text not null,
	repository_id uuid not null,
	-- nullable again since 20251001000001
	author_id uuid,
	assignee_id uuid,
	base_branch text not null default 'main'::text,
	head_branch text not null,
	draft boolean default false,
	mergeable boolean,
	mergeable_state text,
	merged boolean default false,
	merged_by_id uuid,
	created_at timestamp with time zone not null,
	updated_at timestamp with time zone not null,
	merged_at timestamp with time zone,
	closed_at timestamp with time zone,
	additions integer default 0,
	deletions integer default 0,
	changed_files integer default 0,
	commits integer default 0,
	html_url text,
	diff_url text,
	patch_url text,
	spam_score numeric default 0,
	spam_flags jsonb default '{}'::jsonb,
	is_spam boolean default false,
	reviewed_by_admin boolean default false,
	spam_detected_at timestamp with time zone,
	spam_review_notes text,
	base_ref text,
	head_ref text,
	embedding_generated_at timestamp with time zone,
	content_hash text,
	last_synced_at timestamp with time zone default now(),
	-- 20250122001000: filled from repositories, then made NOT NULL (gh-datapipe)
	repository_full_name text not null,
	-- 20251001000000: for the DLT pipeline, which cannot send UUIDs
	author_github_id bigint,
	repository_github_id bigint,
	constraint pull_requests_pkey primary key (id),
	constraint pull_requests_github_id_key unique (github_id),
	constraint pull_requests_repo_number_key unique (repository_id, number),
	constraint pull_requests_state_check check (state in ('open', 'closed', 'merged')),
	constraint pull_requests_spam_score_check
		check (spam_score is null or spam_score between 0 and 100),
	constraint pull_requests_repository_id_fkey foreign key (repository_id)
		references public.repositories (id),
	constraint pull_requests_contributor_id_fkey foreign key (author_id)
		references public.contributors (id),
	constraint fk_pull_requests_assignee foreign key (assignee_id)
		references public.contributors (id),
	constraint fk_pull_requests_merged_by foreign key (merged_by_id)
		references public.contributors (id)
);
create index idx_pull_requests_github_id on public.pull_requests (github_id);
create index idx_pull_requests_repository_id on public.pull_requests (repository_id);
create index idx_pull_requests_author_id on public.pull_requests (author_id);
create index idx_pull_requests_state on public.pull_requests (state);
create index idx_pull_requests_repository_full_name on public.pull_requests (repository_full_name);
create index idx_pull_requests_author_github_id on public.pull_requests (author_github_id);
create index idx_pull_requests_repository_github_id on public.pull_requests (repository_github_id);
-- 20250826000000: the "corruption" detector looks for PRs whose four counters are all 0.
create index idx_pull_requests_zero_counters on public.pull_requests (repository_id, created_at)
	where additions = 0 and deletions = 0 and changed_files = 0 and commits = 0;

create table public.issues (
	id uuid not null default uuid_generate_v4(),
	github_id bigint not null,
	repository_id uuid not null,
	number integer not null,
	title text not null,
	body text,
	state text,
	author_id uuid,
	created_at timestamp with time zone not null,
	updated_at timestamp with time zone not null,
	closed_at timestamp with time zone,
	closed_by_id uuid,
	labels jsonb default '[]'::jsonb,
	assignees jsonb default '[]'::jsonb,
	milestone jsonb,
	comments_count integer default 0,
	is_pull_request boolean default false,
	linked_pr_id uuid,
	embedding_generated_at timestamp with time zone,
	content_hash text,
	constraint issues_pkey primary key (id),
	constraint issues_github_id_key unique (github_id),
	constraint issues_state_check check (state in ('open', 'closed')),
	constraint issues_author_id_fkey foreign key (author_id)
		references public.contributors (id) deferrable initially deferred,
	constraint issues_closed_by_id_fkey foreign key (closed_by_id)
		references public.contributors (id) deferrable initially deferred,
	constraint issues_linked_pr_id_fkey foreign key (linked_pr_id)
		references public.pull_requests (id),
	constraint issues_repository_id_fkey foreign key (repository_id)
		references public.repositories (id)
);
create index idx_issues_repository_id on public.issues (repository_id);

create table public.reviews (
	id uuid not null default uuid_generate_v4(),
	github_id bigint not null,
	pull_request_id uuid not null,
	-- the legacy column; author_id was added beside it (20250804000000)
	reviewer_id uuid,
	state text not null,
	body text,
	submitted_at timestamp with time zone not null,
	commit_id text,
	author_id uuid not null,
	-- 20251002000001: filled from the PR, then made NOT NULL
	repository_id uuid not null,
	constraint reviews_pkey primary key (id),
	constraint reviews_github_id_key unique (github_id),
	-- upper case only: GitHub's REST spelling
	constraint reviews_state_check
		check (state in ('PENDING', 'APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED')),
	constraint fk_reviews_reviewer foreign key (reviewer_id) references public.contributors (id),
	constraint fk_reviews_pull_request foreign key (pull_request_id)
		references public.pull_requests (id),
	constraint reviews_author_id_fkey foreign key (author_id)
		references public.contributors (id) on delete cascade,
	constraint fk_reviews_repository foreign key (repository_id)
		references public.repositories (id) on delete cascade
);
create index idx_reviews_pull_request_id on public.reviews (pull_request_id);
create index idx_reviews_author_id on public.reviews (author_id);
create index idx_reviews_repository_id on public.reviews (repository_id);

create table public.comments (
	id uuid not null default uuid_generate_v4(),
	github_id bigint not null,
	pull_request_id uuid,
	commenter_id uuid,
	body text not null,
	created_at timestamp with time zone not null,
	updated_at timestamp with time zone not null,
	comment_type text not null,
	-- a row id (uuid), not GitHub's id of the parent comment
	in_reply_to_id uuid,
	position integer,
	original_position integer,
	diff_hunk text,
	path text,
	commit_id text,
	repository_id uuid not null,
	issue_id uuid,
	-- 20251003000000
	original_commit_id text,
	constraint comments_pkey primary key (id),
	constraint comments_github_id_key unique (github_id),
	constraint comments_comment_type_check
		check (comment_type in ('issue_comment', 'review_comment')),
	constraint fk_comments_in_reply_to foreign key (in_reply_to_id) references public.comments (id),
	constraint comments_issue_id_fkey foreign key (issue_id) references public.issues (id),
	constraint fk_comments_pull_request foreign key (pull_request_id)
		references public.pull_requests (id),
	constraint fk_comments_commenter foreign key (commenter_id) references public.contributors (id),
	constraint comments_repository_id_fkey foreign key (repository_id)
		references public.repositories (id)
);
create index idx_comments_pull_request_id on public.comments (pull_request_id);
create index idx_comments_repository_id on public.comments (repository_id);
create index idx_comments_original_commit_id on public.comments (original_commit_id)
	where original_commit_id is not null;

-- No unique key but the primary key: code upserts on (repository_id, sha), which
-- PostgreSQL refuses (42P10) without one.
create table public.commits (
	id uuid not null default uuid_generate_v4(),
	sha text not null,
	repository_id uuid not null,
	author_id uuid,
	committer_id uuid,
	message text not null,
	authored_at timestamp with time zone not null,
	committed_at timestamp with time zone not null,
	additions integer default 0,
	deletions integer default 0,
	changed_files integer default 0,
	is_direct_commit boolean default false,
	pull_request_id uuid,
	html_url text,
	api_url text,
	created_at timestamp with time zone not null default now(),
	updated_at timestamp with time zone not null default now(),
	constraint commits_pkey primary key (id),
	constraint commits_committer_id_fkey foreign key (committer_id)
		references public.contributors (id),
	constraint commits_author_id_fkey foreign key (author_id)
		references public.contributors (id) deferrable initially deferred,
	constraint commits_pull_request_id_fkey foreign key (pull_request_id)
		references public.pull_requests (id),
	constraint commits_repository_id_fkey foreign key (repository_id)
		references public.repositories (id)
);

-- 20250710000000. No CHECK on status, no updated_at column.
create table public.progressive_capture_jobs (
	id uuid primary key default uuid_generate_v4(),
	job_type character varying(50) not null,
	repository_id uuid,
	processor_type character varying(20) not null default 'github_actions'::character varying,
	status character varying(20) default 'pending'::character varying,
	time_range_days integer,
	workflow_run_id bigint,
	metadata jsonb default '{}'::jsonb,
	error text,
	created_at timestamp with time zone default now(),
	started_at timestamp with time zone,
	completed_at timestamp with time zone,
	-- 20251001000002 re-created it deferrable, without the original ON DELETE CASCADE
	constraint progressive_capture_jobs_repository_id_fkey foreign key (repository_id)
		references public.repositories (id) deferrable initially deferred
);
create index idx_capture_jobs_processor
	on public.progressive_capture_jobs (processor_type, status, created_at);
create index idx_capture_jobs_repository on public.progressive_capture_jobs (repository_id, created_at);
create index idx_capture_jobs_status on public.progressive_capture_jobs (status, created_at);
create index idx_capture_jobs_workflow_run on public.progressive_capture_jobs (workflow_run_id)
	where workflow_run_id is not null;

-- Only an index on job_id, no unique key (yet a reporter upserts on job_id).
create table public.progressive_capture_progress (
	id uuid primary key default uuid_generate_v4(),
	job_id uuid references public.progressive_capture_jobs (id) on delete cascade,
	total_items integer,
	processed_items integer default 0,
	failed_items integer default 0,
	current_item text,
	errors jsonb default '[]'::jsonb,
	updated_at timestamp with time zone default now()
);
create index idx_capture_progress_job_id on public.progressive_capture_progress (job_id);

-- Monitoring. Jobs of the last 7 days by processor and status.
create view public.progressive_capture_stats as
select j.processor_type,
       j.status,
       count(*) as count,
       min(j.created_at) as oldest_job,
       max(j.created_at) as newest_job,
       avg(extract(epoch from j.completed_at - j.started_at) / 60) as avg_duration_minutes
  from public.progressive_capture_jobs j
 where j.created_at > now() - interval '7 days'
 group by j.processor_type, j.status;

-- One row over the jobs created in the last days_back days.
create function public.get_progressive_capture_metrics(days_back integer default 7)
returns table (
	total_jobs bigint,
	pending_jobs bigint,
	processing_jobs bigint,
	completed_jobs bigint,
	failed_jobs bigint,
	inngest_jobs bigint,
	github_actions_jobs bigint,
	avg_completion_time_minutes numeric)
language sql
security definer
as $$
	select count(*),
	       count(*) filter (where j.status = 'pending'),
	       count(*) filter (where j.status = 'processing'),
	       count(*) filter (where j.status = 'completed'),
	       count(*) filter (where j.status = 'failed'),
	       count(*) filter (where j.processor_type = 'inngest'),
	       count(*) filter (where j.processor_type = 'github_actions'),
	       avg(extract(epoch from j.completed_at - j.started_at) / 60)
	  from public.progressive_capture_jobs j
	 where j.created_at > now() - days_back * interval '1 day';
$$;

-- 20251001000003: per job type, the jobs processing for over 5 minutes.
create view public.stuck_jobs_monitor as
select j.job_type,
       count(*) as stuck_count,
       min(j.started_at) as oldest_stuck_job,
       extract(epoch from now() - min(j.started_at)) / 60 as oldest_age_minutes,
       array_agg(j.metadata ->> 'repository_name' order by j.started_at)
	       filter (where j.metadata ->> 'repository_name' is not null) as affected_repositories
  from public.progressive_capture_jobs j
 where j.status = 'processing'
   and j.started_at < now() - interval '5 minutes'
 group by j.job_type
 order by stuck_count desc;

-- Its health-check summary: how many are stuck, the oldest, whether to act.
create function public.get_stuck_job_summary()
returns table (total_stuck bigint, oldest_age_minutes numeric, needs_attention boolean)
language plpgsql
security definer
set search_path = public
as $$
declare
	n bigint;
	oldest numeric;
begin
	select count(*), coalesce(max(extract(epoch from now() - j.started_at) / 60), 0)
	  into n, oldest
	  from public.progressive_capture_jobs j
	 where j.status = 'processing' and j.started_at < now() - interval '5 minutes';
	return query select n, oldest, n > 10 or oldest > 30;
end $$;

-- Row-level security: readable by all on the data tables, service role only on
-- the job tables (20251216000001).
alter table public.repositories enable row level security;
alter table public.contributors enable row level security;
alter table public.pull_requests enable row level security;
alter table public.issues enable row level security;
alter table public.reviews enable row level security;
alter table public.comments enable row level security;
alter table public.commits enable row level security;
alter table public.progressive_capture_jobs enable row level security;
alter table public.progressive_capture_progress enable row level security;

do $$
declare t text;
begin
	foreach t in array array['repositories', 'contributors', 'pull_requests', 'issues', 'reviews',
				 'comments', 'commits'] loop
		execute format('create policy "Public read access" on public.%I for select using (true)', t);
		execute format('create policy "Service role full access" on public.%I for all to service_role using (true)', t);
	end loop;
	foreach t in array array['progressive_capture_jobs', 'progressive_capture_progress'] loop
		execute format('create policy %I on public.%I for all to service_role using (true) with check (true)',
			       t || '_service_role', t);
	end loop;
end $$;

grant usage on schema public to anon, authenticated, service_role;
grant select on public.repositories, public.contributors, public.pull_requests, public.issues,
	public.reviews, public.comments, public.commits to anon;
grant all on public.repositories, public.contributors, public.pull_requests, public.issues,
	public.reviews, public.comments, public.commits to authenticated, service_role;
grant all on public.progressive_capture_jobs, public.progressive_capture_progress to service_role;
grant select on public.progressive_capture_stats to authenticated, service_role;
grant select on public.stuck_jobs_monitor to anon, authenticated;
revoke execute on function public.get_progressive_capture_metrics(integer) from public, anon, authenticated;
grant execute on function public.get_progressive_capture_metrics(integer) to service_role;
grant execute on function public.get_stuck_job_summary() to authenticated, service_role;
