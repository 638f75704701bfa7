-- progressive-capture: what the queue commands (plan, …) ask the database, as
-- functions called through PostgREST's /rpc, so a question about 100,000 pull
-- requests is one query per chunk in the database, never a read of whole
-- tables through the API (which caps every read at its max-rows: 1,000 on
-- Supabase). db/sqlite/functions.sql answers the same questions for SQLite;
-- the tests compare the two. Idempotent.

begin;

-- The pull requests of p_numbers (with GitHub's updated_at, p_updated_at, in
-- the same order) that lack a part of p_parts (bits: 1 details, 2 reviews,
-- 4 comments): a part lacks when its pull_request_captures row is missing or
-- holds another updated_at; details also when the PR row itself is missing,
-- was never synced, or another writer changed it since. The one definition
-- every capture command and plan use. Returns the lacking ones only, with
-- the bits of the parts they lack.
create or replace function public.progressive_capture_lacking(
	p_repository_id uuid, p_parts integer, p_numbers integer[], p_updated_at timestamptz[])
returns table (number integer, lacking integer)
language sql stable
set search_path = public, pg_temp
as $$
	with gh as (
		select g.number, g.updated_at
		  from unnest(p_numbers, p_updated_at) as g (number, updated_at)
	), marks as (
		select gh.number,
		       coalesce((select sum(case c.part when 'details' then 1 when 'reviews' then 2
		                                         when 'comments' then 4 else 0 end)
		                   from public.pull_request_captures c
		                  where c.repository_id = p_repository_id and c.number = gh.number
		                    and c.github_updated_at = gh.updated_at), 0)::integer as current,
		       exists (select 1 from public.pull_requests p
		                where p.repository_id = p_repository_id and p.number = gh.number
		                  and p.last_synced_at is not null
		                  and p.updated_at = gh.updated_at) as row_current
		  from gh
	)
	select m.number,
	       p_parts & ~(case when m.row_current then m.current else m.current & ~1 end)
	  from marks m
	 where p_parts & ~(case when m.row_current then m.current else m.current & ~1 end) <> 0
$$;

revoke all on function public.progressive_capture_lacking(uuid, integer, integer[], timestamptz[])
	from public;
do $$
begin
	if exists (select 1 from pg_roles where rolname = 'service_role') then
		grant execute on function
			public.progressive_capture_lacking(uuid, integer, integer[], timestamptz[])
			to service_role;
	end if;
end $$;

notify pgrst, 'reload schema';

commit;
