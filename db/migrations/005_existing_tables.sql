-- progressive-capture: complete tables that existed before these migrations.
--
-- 001-003 create a table only when it is absent, so a database that already has
-- contributor.info's tables keeps its own versions: some lack columns the program
-- writes (PostgREST then refuses every write, PGRST204) or a unique key it upserts
-- on (PostgreSQL refuses the upsert, 42P10). This file adds what is missing and
-- nothing else:
--
-- * each column the program writes or reads, where absent: nullable, with our
--   default, without our CHECK or foreign key, so no existing row is refused;
-- * each unique key the program upserts on, where no unique index covers exactly
--   its columns, unless existing rows hold duplicate values: then a WARNING names
--   the table, the key, a few of the values and how to resolve them, and the key
--   is left out until this file runs again after the duplicates are gone.
--
-- No row is changed or deleted; nothing is dropped, loosened or re-typed. A
-- column or key that exists is not touched (not even locked). Idempotent.
--
-- A key is built inside this file's transaction, and the table's writers wait
-- while it is built. On a large busy table build it first without blocking,
-- e.g. create unique index concurrently commits_repository_sha_key on
-- public.commits (repository_id, sha); this file then finds it and goes on.

begin;

create or replace function pg_temp.progressive_capture_add_column(tbl text, col text, decl text)
returns void
language plpgsql as $$
begin
	if not exists (select 1 from pg_attribute
		        where attrelid = format('public.%I', tbl)::regclass
			  and attname = col and attnum > 0 and not attisdropped) then
		execute format('alter table public.%I add column %I %s', tbl, col, decl);
		raise notice 'progressive-capture: added column %.% (%)', tbl, col, decl;
	end if;
end $$;

-- The key `conname` unique on `cols` of `tbl`, unless a usable one exists or rows
-- stand in the way. ON CONFLICT (a, b) accepts any unique, immediate, non-partial
-- index on exactly {a, b}, whatever its name or column order.
create or replace function pg_temp.progressive_capture_unique_key(tbl text, cols text[], conname text)
returns void
language plpgsql as $$
declare
	rel regclass := format('public.%I', tbl)::regclass;
	collist text := (select string_agg(quote_ident(c), ', ' order by o)
			   from unnest(cols) with ordinality u(c, o));
	all_set text := (select string_agg(format('%I is not null', c), ' and ') from unnest(cols) c);
	ndup bigint;
	sample text;
begin
	if exists (select 1 from pg_index i
		    where i.indrelid = rel and i.indisunique and i.indimmediate and i.indisvalid
		      and i.indpred is null and i.indexprs is null
		      and i.indnkeyatts = cardinality(cols)
		      and (select array_agg(a.attname::text order by a.attname::text)
			     from pg_attribute a
			    where a.attrelid = rel and a.attnum = any (i.indkey::int2[]))
			  = (select array_agg(c order by c) from unnest(cols) c)) then
		return;
	end if;
	execute format('select count(*), string_agg(v, '', '') filter (where k <= 5)
			  from (select format(''%%s (%%s rows)'', row(%s)::text, count(*)) as v,
				       row_number() over (order by count(*) desc, row(%s)::text) as k
				  from public.%I where %s group by %s having count(*) > 1) d',
		       collist, collist, tbl, all_set, collist, collist)
	   into ndup, sample;
	if ndup > 0 then
		raise warning 'progressive-capture: %: unique key % on (%) not created: % value(s) are held by more than one row',
			tbl, conname, collist, ndup
		using detail = format('Duplicate values: %s%s.', sample, case when ndup > 5 then ', ...' else '' end),
		      hint = format('Until the key exists, the program''s upserts on (%s) fail (42P10). Keep one row per '
				    'value (move to it what refers to the others), e.g. find them with: select %s, count(*) '
				    'from public.%I group by %s having count(*) > 1; then apply db/migrations again.',
				    collist, collist, tbl, collist);
		return;
	end if;
	if to_regclass(format('public.%I', conname)) is not null then
		raise warning 'progressive-capture: %: unique key % on (%) not created: the name % is taken',
			tbl, conname, collist, conname
		using hint = format('Create a unique index on public.%I (%s) under another name.', tbl, collist);
		return;
	end if;
	execute format('alter table public.%I add constraint %I unique (%s)', tbl, conname, collist);
	raise notice 'progressive-capture: added unique key % on %(%)', conname, tbl, collist;
exception when unique_violation then
	-- A duplicate written between the check and the key: nothing was changed.
	raise warning 'progressive-capture: %: unique key % on (%) not created: %', tbl, conname, collist, sqlerrm
	using hint = 'Apply db/migrations again.';
end $$;

-- The columns the program writes or reads (src/jobs/*.c, src/progress.c), by table.
select pg_temp.progressive_capture_add_column(t, c, d) from (values
	('repositories', 'github_id', 'bigint'),
	('repositories', 'full_name', 'text'),
	('repositories', 'owner', 'text'),
	('repositories', 'name', 'text'),
	('repositories', 'description', 'text'),
	('repositories', 'homepage', 'text'),
	('repositories', 'language', 'text'),
	('repositories', 'stargazers_count', 'integer default 0'),
	('repositories', 'watchers_count', 'integer default 0'),
	('repositories', 'forks_count', 'integer default 0'),
	('repositories', 'open_issues_count', 'integer default 0'),
	('repositories', 'size', 'integer default 0'),
	('repositories', 'default_branch', 'text default ''main'''),
	('repositories', 'is_fork', 'boolean default false'),
	('repositories', 'is_archived', 'boolean default false'),
	('repositories', 'is_disabled', 'boolean default false'),
	('repositories', 'is_private', 'boolean default false'),
	('repositories', 'has_issues', 'boolean default true'),
	('repositories', 'has_projects', 'boolean default true'),
	('repositories', 'has_wiki', 'boolean default true'),
	('repositories', 'has_pages', 'boolean default false'),
	('repositories', 'has_downloads', 'boolean default true'),
	('repositories', 'has_discussions', 'boolean default false'),
	('repositories', 'license', 'text'),
	('repositories', 'topics', 'text[]'),
	('repositories', 'avatar_url', 'text'),
	('repositories', 'github_created_at', 'timestamptz'),
	('repositories', 'github_updated_at', 'timestamptz'),
	('repositories', 'github_pushed_at', 'timestamptz'),
	('repositories', 'last_updated_at', 'timestamptz default now()'),
	('repositories', 'sync_status', 'text default ''idle'''),
	('repositories', 'last_synced_at', 'timestamptz'),
	('repositories', 'last_commit_capture_at', 'timestamptz'),
	('repositories', 'commit_capture_status', 'text default ''pending'''),
	('repositories', 'pull_request_count', 'integer default 0'),
	('repositories', 'total_pull_requests', 'integer default 0'),

	('contributors', 'github_id', 'bigint'),
	('contributors', 'username', 'text'),
	('contributors', 'avatar_url', 'text'),
	('contributors', 'profile_url', 'text'),
	('contributors', 'is_bot', 'boolean default false'),
	('contributors', 'last_updated_at', 'timestamptz default now()'),

	('pull_requests', 'github_id', 'bigint'),
	('pull_requests', 'number', 'integer'),
	('pull_requests', 'title', 'text'),
	('pull_requests', 'body', 'text'),
	('pull_requests', 'state', 'text'),
	('pull_requests', 'repository_id', 'uuid'),
	('pull_requests', 'repository_full_name', 'text'),
	('pull_requests', 'repository_github_id', 'bigint'),
	('pull_requests', 'author_id', 'uuid'),
	('pull_requests', 'author_github_id', 'bigint'),
	('pull_requests', 'base_branch', 'text default ''main'''),
	('pull_requests', 'head_branch', 'text'),
	('pull_requests', 'base_ref', 'text'),
	('pull_requests', 'head_ref', 'text'),
	('pull_requests', 'draft', 'boolean default false'),
	('pull_requests', 'merged', 'boolean default false'),
	('pull_requests', 'merged_by_id', 'uuid'),
	('pull_requests', 'mergeable', 'boolean'),
	('pull_requests', 'mergeable_state', 'text'),
	('pull_requests', 'created_at', 'timestamptz'),
	('pull_requests', 'updated_at', 'timestamptz'),
	('pull_requests', 'merged_at', 'timestamptz'),
	('pull_requests', 'closed_at', 'timestamptz'),
	('pull_requests', 'additions', 'integer default 0'),
	('pull_requests', 'deletions', 'integer default 0'),
	('pull_requests', 'changed_files', 'integer default 0'),
	('pull_requests', 'commits', 'integer default 0'),
	('pull_requests', 'html_url', 'text'),
	('pull_requests', 'diff_url', 'text'),
	('pull_requests', 'patch_url', 'text'),
	('pull_requests', 'last_synced_at', 'timestamptz'),

	('pull_request_files', 'pull_request_id', 'uuid'),
	('pull_request_files', 'filename', 'text'),
	('pull_request_files', 'status', 'text'),
	('pull_request_files', 'additions', 'integer default 0'),
	('pull_request_files', 'deletions', 'integer default 0'),
	('pull_request_files', 'changes', 'integer default 0'),
	('pull_request_files', 'previous_filename', 'text'),

	('reviews', 'github_id', 'bigint'),
	('reviews', 'pull_request_id', 'uuid'),
	('reviews', 'repository_id', 'uuid'),
	('reviews', 'reviewer_id', 'uuid'),
	('reviews', 'author_id', 'uuid'),
	('reviews', 'state', 'text'),
	('reviews', 'body', 'text'),
	('reviews', 'submitted_at', 'timestamptz'),
	('reviews', 'commit_id', 'text'),

	('comments', 'github_id', 'bigint'),
	('comments', 'pull_request_id', 'uuid'),
	('comments', 'repository_id', 'uuid'),
	('comments', 'commenter_id', 'uuid'),
	('comments', 'body', 'text'),
	('comments', 'created_at', 'timestamptz'),
	('comments', 'updated_at', 'timestamptz'),
	('comments', 'comment_type', 'text'),
	('comments', 'in_reply_to_id', 'uuid'),
	('comments', 'position', 'integer'),
	('comments', 'original_position', 'integer'),
	('comments', 'diff_hunk', 'text'),
	('comments', 'path', 'text'),
	('comments', 'commit_id', 'text'),
	('comments', 'original_commit_id', 'text'),

	('commits', 'sha', 'text'),
	('commits', 'repository_id', 'uuid'),
	('commits', 'author_id', 'uuid'),
	('commits', 'committer_id', 'uuid'),
	('commits', 'message', 'text'),
	('commits', 'authored_at', 'timestamptz'),
	('commits', 'committed_at', 'timestamptz'),
	('commits', 'additions', 'integer'),
	('commits', 'deletions', 'integer'),
	('commits', 'changed_files', 'integer'),
	('commits', 'is_direct_commit', 'boolean'),
	('commits', 'pull_request_id', 'uuid'),
	('commits', 'html_url', 'text'),
	('commits', 'updated_at', 'timestamptz default now()'),

	('progressive_capture_jobs', 'job_type', 'varchar(50)'),
	('progressive_capture_jobs', 'repository_id', 'uuid'),
	('progressive_capture_jobs', 'processor_type', 'varchar(20) default ''github_actions'''),
	('progressive_capture_jobs', 'status', 'varchar(20) default ''pending'''),
	('progressive_capture_jobs', 'time_range_days', 'integer'),
	('progressive_capture_jobs', 'workflow_run_id', 'bigint'),
	('progressive_capture_jobs', 'metadata', 'jsonb default ''{}''::jsonb'),
	('progressive_capture_jobs', 'error', 'text'),
	('progressive_capture_jobs', 'created_at', 'timestamptz default now()'),
	('progressive_capture_jobs', 'started_at', 'timestamptz'),
	('progressive_capture_jobs', 'completed_at', 'timestamptz'),

	('progressive_capture_progress', 'job_id', 'uuid'),
	('progressive_capture_progress', 'total_items', 'integer'),
	('progressive_capture_progress', 'processed_items', 'integer default 0'),
	('progressive_capture_progress', 'failed_items', 'integer default 0'),
	('progressive_capture_progress', 'current_item', 'text'),
	('progressive_capture_progress', 'errors', 'jsonb default ''[]''::jsonb'),
	('progressive_capture_progress', 'updated_at', 'timestamptz default now()'),
	('progressive_capture_progress', 'resume_cursor', 'text'),

	('pull_request_captures', 'repository_id', 'uuid'),
	('pull_request_captures', 'pull_request_id', 'uuid'),
	('pull_request_captures', 'number', 'integer'),
	('pull_request_captures', 'part', 'text'),
	('pull_request_captures', 'github_updated_at', 'timestamptz'),
	('pull_request_captures', 'captured_at', 'timestamptz default now()'),
	('pull_request_captures', 'etag', 'text'),

	('capture_watermarks', 'repository_id', 'uuid'),
	('capture_watermarks', 'stream', 'text'),
	('capture_watermarks', 'watermark', 'timestamptz'),
	('capture_watermarks', 'updated_at', 'timestamptz default now()')
) as v(t, c, d);

-- The keys the program upserts on (store_upsert's on_conflict).
select pg_temp.progressive_capture_unique_key(t, c, k) from (values
	('repositories', array['github_id'], 'repositories_github_id_key'),
	('contributors', array['github_id'], 'contributors_github_id_key'),
	('pull_requests', array['github_id'], 'pull_requests_github_id_key'),
	('reviews', array['github_id'], 'reviews_github_id_key'),
	('comments', array['github_id'], 'comments_github_id_key'),
	('commits', array['repository_id', 'sha'], 'commits_repository_sha_key'),
	('pull_request_files', array['pull_request_id', 'filename'], 'pull_request_files_pr_filename_key'),
	('pull_request_captures', array['pull_request_id', 'part'], 'pull_request_captures_pr_part_key'),
	('capture_watermarks', array['repository_id', 'stream'], 'capture_watermarks_repo_stream_key'),
	('progressive_capture_jobs', array['id'], 'progressive_capture_jobs_pkey'),
	('progressive_capture_progress', array['id'], 'progressive_capture_progress_pkey')
) as v(t, c, k);

drop function pg_temp.progressive_capture_add_column(text, text, text);
drop function pg_temp.progressive_capture_unique_key(text, text[], text);

commit;

-- PostgREST caches the schema: let it see the new columns and keys.
notify pgrst, 'reload schema';
