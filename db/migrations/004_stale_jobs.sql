-- progressive-capture: reap only the jobs whose run is gone.
--
-- contributor.info's pg_cron job "cleanup-stuck-jobs" failed every job
-- "processing" with started_at over 10 minutes ago, which kills any live
-- backfill longer than that. A running progressive-capture touches its job
-- (metadata.heartbeat_at) and progress row (updated_at) every 30 s, while it
-- works and while it waits for a rate limit. This function fails only jobs
-- with no sign of life for `stale`, and the cron job, where pg_cron is
-- installed, is pointed at it (cron.schedule replaces a job of the same name).

begin;

create or replace function public.progressive_capture_reap_stale_jobs(
	stale interval default interval '10 minutes')
returns integer
language sql
set search_path = public, pg_temp
as $$
	with reaped as (
		update public.progressive_capture_jobs j
		   set status = 'failed',
		       completed_at = now(),
		       error = coalesce(j.error, 'no heartbeat for ' || stale::text || ': the run is gone')
		 where j.status = 'processing'
		   and greatest(
			coalesce(j.started_at, j.created_at),
			case when j.metadata->>'heartbeat_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
			     then (j.metadata->>'heartbeat_at')::timestamptz end,
			(select max(p.updated_at) from public.progressive_capture_progress p
			  where p.job_id = j.id)) < now() - stale
		returning 1)
	select count(*)::integer from reaped;
$$;

revoke all on function public.progressive_capture_reap_stale_jobs(interval) from public;

do $$
begin
	if exists (select 1 from pg_roles where rolname = 'service_role') then
		grant execute on function public.progressive_capture_reap_stale_jobs(interval)
			to service_role;
	end if;
	if exists (select 1 from pg_extension where extname = 'pg_cron') then
		perform cron.schedule('cleanup-stuck-jobs', '*/15 * * * *',
				      'select public.progressive_capture_reap_stale_jobs()');
	end if;
end
$$;

commit;
