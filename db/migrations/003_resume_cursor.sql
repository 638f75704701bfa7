-- progressive-capture: where a partial run stopped.
--
-- The progress row keeps the run's resume cursor ("v1:<command>:<PR numbers
-- not yet written>"), moved only after the store confirmed each write, so a
-- re-run with the same job-id continues where the last one stopped.

begin;

alter table public.progressive_capture_progress add column if not exists resume_cursor text;

commit;
