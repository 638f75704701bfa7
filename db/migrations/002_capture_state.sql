-- progressive-capture: what has been captured, and where incremental reads resume.
--
-- pull_request_captures: one row per pull request and part (details = the PR
-- row and its files, reviews, comments), holding the PR's updated_at on GitHub
-- when that part was captured whole. A part "lacks" capture when there is no
-- row or GitHub's updated_at has moved since (a new review or comment moves
-- it). contributor.info inferred this from zero counters, which cannot tell
-- an empty PR from a missing one.
--
-- capture_watermarks: per repository and stream, the GitHub time stamp up to
-- which an incremental read (repository-sync's PR list, the repository-wide
-- comment lists, the default branch's commits) is complete. It moves only
-- after the rows it covers were written.

begin;

create table if not exists public.pull_request_captures (
	id uuid primary key default gen_random_uuid(),
	repository_id uuid not null references public.repositories (id) on delete cascade,
	pull_request_id uuid not null references public.pull_requests (id) on delete cascade,
	number integer not null,
	part text not null check (part in ('details', 'reviews', 'comments')),
	github_updated_at timestamptz not null,
	captured_at timestamptz not null default now(),
	etag text,
	constraint pull_request_captures_pr_part_key unique (pull_request_id, part)
);
create index if not exists pull_request_captures_repo_part_idx
	on public.pull_request_captures (repository_id, part, number);

create table if not exists public.capture_watermarks (
	id uuid primary key default gen_random_uuid(),
	repository_id uuid not null references public.repositories (id) on delete cascade,
	stream text not null check (stream in ('pulls', 'issue_comments', 'review_comments', 'commits')),
	watermark timestamptz not null,
	updated_at timestamptz not null default now(),
	constraint capture_watermarks_repo_stream_key unique (repository_id, stream)
);

do $$
begin
	if exists (select 1 from pg_roles where rolname = 'service_role') then
		grant select, insert, update, delete on
			public.pull_request_captures, public.capture_watermarks to service_role;
	end if;
end $$;

alter table public.pull_request_captures enable row level security;
alter table public.capture_watermarks enable row level security;

commit;
