/*
 * test_queue.c - job rows read back (queue.h) from a SQLite file: the
 * metadata keys a job's status needs, the progress row touched last, the
 * window and run filters, and the stale rule at its boundary.
 */
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "queue.h"
#include "store.h"
#include "util.h"

#define T0 ((time_t)1780000000) /* "now" of these tests */

static char path[64];

static struct store *
open_fresh(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/pc-unit-XXXXXX");
	fd = mkstemp(path);
	close(fd);
	unlink(path);
	return store_open_sqlite(path, false, NULL);
}

static void
close_fresh(struct store *s)
{
	char wal[80], shm[80];

	store_close(s);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(path);
	unlink(wal);
	unlink(shm);
}

static void
iso(time_t t, char out[21])
{
	time_format_iso(t, out);
}

/* A job row: created ago seconds before T0, started 10 s later. */
static void
add_job(struct store *s, const char *id, const char *status, time_t ago, int64_t run,
	const char *meta)
{
	static const char *const cols[] = {"id",       "job_type",       "processor_type",
					   "status",   "created_at",     "started_at",
					   "metadata", "workflow_run_id"};
	struct rowset rs;
	char created[21], started[21];

	iso(T0 - ago, created);
	iso(T0 - ago + 10, started);
	rowset_init(&rs, "progressive_capture_jobs", cols, 8);
	rowset_add(&rs);
	rowset_text(&rs, "id", id);
	rowset_text(&rs, "job_type", "pr-details");
	rowset_text(&rs, "processor_type", "github_actions");
	rowset_text(&rs, "status", status);
	rowset_text(&rs, "created_at", created);
	rowset_text(&rs, "started_at", started);
	rowset_json(&rs, "metadata", meta);
	if (run > 0)
		rowset_int(&rs, "workflow_run_id", run);
	CHECK(store_upsert(s, &rs, NULL, NULL, NULL, NULL) == 0);
	rowset_release(&rs);
}

static void
add_progress(struct store *s, const char *id, const char *job_id, int64_t processed, time_t ago)
{
	static const char *const cols[] = {"id", "job_id", "total_items", "processed_items",
					   "updated_at"};
	struct rowset rs;
	char at[21];

	iso(T0 - ago, at);
	rowset_init(&rs, "progressive_capture_progress", cols, 5);
	rowset_add(&rs);
	rowset_text(&rs, "id", id);
	rowset_text(&rs, "job_id", job_id);
	rowset_int(&rs, "total_items", 10);
	rowset_int(&rs, "processed_items", processed);
	rowset_text(&rs, "updated_at", at);
	CHECK(store_upsert(s, &rs, NULL, NULL, NULL, NULL) == 0);
	rowset_release(&rs);
}

#define JOB_A "aaaaaaaa-0000-4000-8000-000000000001"
#define JOB_B "aaaaaaaa-0000-4000-8000-000000000002"
#define JOB_C "aaaaaaaa-0000-4000-8000-000000000003"
#define JOB_D "aaaaaaaa-0000-4000-8000-000000000004"

/* A metadata document with heartbeat_at ago seconds before T0, and more keys. */
static const char *
beat_meta(time_t ago)
{
	static char meta[256];
	char at[21];

	iso(T0 - ago, at);
	snprintf(meta, sizeof(meta),
		 "{\"workflow_run_url\":\"https://github.com/o/r/actions/runs/77\","
		 "\"heartbeat_at\":\"%s\",\"other\":[1,2]}",
		 at);
	return meta;
}

TEST(queue_job_get_reads_the_run_url_and_heartbeat_from_metadata)
{
	struct store *s = open_fresh();
	struct queue_job j;

	if (!CHECK(s != NULL))
		return;
	add_job(s, JOB_A, "processing", 3600, 77, beat_meta(45));
	add_job(s, JOB_B, "pending", 60, 0, "not json");
	CHECK_INT(queue_job_get(s, JOB_A, &j, NULL), 1);
	CHECK_STR(j.status, "processing");
	CHECK_STR(j.run_url, "https://github.com/o/r/actions/runs/77");
	CHECK_INT(j.workflow_run_id, 77);
	CHECK_INT(j.started_at, T0 - 3590);
	CHECK_INT(j.heartbeat_at, T0 - 45);
	queue_job_release(&j);
	/* Metadata that is not JSON reads as none. */
	CHECK_INT(queue_job_get(s, JOB_B, &j, NULL), 1);
	CHECK(j.run_url == NULL && j.heartbeat_at == 0 && j.workflow_run_id == 0);
	queue_job_release(&j);
	CHECK_INT(queue_job_get(s, JOB_C, &j, NULL), 0);
	close_fresh(s);
}

TEST(queue_progress_get_takes_the_row_touched_last)
{
	struct store *s = open_fresh();
	struct queue_progress p;

	if (!CHECK(s != NULL))
		return;
	add_job(s, JOB_A, "processing", 600, 0, "{}");
	add_progress(s, "bbbbbbbb-0000-4000-8000-000000000002", JOB_A, 2, 300);
	add_progress(s, "bbbbbbbb-0000-4000-8000-000000000001", JOB_A, 7, 20);
	CHECK_INT(queue_progress_get(s, JOB_A, &p, NULL), 1);
	CHECK_INT(p.processed, 7);
	CHECK_INT(p.total, 10);
	CHECK_INT(p.updated_at, T0 - 20);
	CHECK(p.current_item == NULL && p.resume_cursor == NULL);
	queue_progress_release(&p);
	CHECK_INT(queue_progress_get(s, JOB_B, &p, NULL), 0);
	close_fresh(s);
}

TEST(queue_jobs_list_filters_by_window_or_run_and_reads_signs_of_processing_jobs)
{
	struct store *s = open_fresh();
	struct queue_filter window = {.since = T0 - 3600};
	struct queue_filter run = {.run_id = 5};
	struct queue_job *jobs;
	size_t n;

	if (!CHECK(s != NULL))
		return;
	add_job(s, JOB_A, "processing", 1800, 5, beat_meta(900));
	add_job(s, JOB_B, "completed", 600, 0, "{}");
	add_job(s, JOB_C, "failed", 7200, 5, "{}"); /* outside the window, in the run */
	add_job(s, JOB_D, "processing", 300, 0, "{}");
	add_progress(s, "bbbbbbbb-0000-4000-8000-000000000001", JOB_D, 1, 30);
	CHECK(queue_jobs_list(s, &window, &jobs, &n, NULL) == 0);
	if (CHECK_INT(n, 3)) {
		CHECK_STR(jobs[0].id, JOB_A); /* oldest first */
		CHECK_INT(jobs[0].heartbeat_at, T0 - 900);
		CHECK_STR(jobs[0].run_url, "https://github.com/o/r/actions/runs/77");
		CHECK_STR(jobs[1].id, JOB_B);
		CHECK_STR(jobs[2].id, JOB_D);
		CHECK_INT(jobs[2].progress_at, T0 - 30);
		CHECK_INT(jobs[2].heartbeat_at, 0);
	}
	queue_jobs_free(jobs, n);
	CHECK(queue_jobs_list(s, &run, &jobs, &n, NULL) == 0);
	if (CHECK_INT(n, 2)) {
		CHECK_STR(jobs[0].id, JOB_C);
		CHECK_STR(jobs[1].id, JOB_A);
	}
	queue_jobs_free(jobs, n);
	close_fresh(s);
}

TEST(queue_stale_is_processing_with_no_sign_of_life_for_over_ten_minutes)
{
	struct queue_job j = {.status = (char *)"processing", .created_at = T0 - 7200};

	CHECK(queue_stale(&j, T0)); /* never started: created two hours ago */
	j.started_at = T0 - 600;
	CHECK(!queue_stale(&j, T0)); /* exactly 10 minutes: not yet */
	CHECK(queue_stale(&j, T0 + 1));
	j.heartbeat_at = T0 - 30;
	CHECK(!queue_stale(&j, T0 + 1));
	CHECK_INT(queue_alive_at(&j), T0 - 30);
	j.progress_at = T0 - 5;
	CHECK_INT(queue_alive_at(&j), T0 - 5);
	CHECK(queue_stale(&j, T0 + 606));
	j.status = (char *)"completed";
	CHECK(!queue_stale(&j, T0 + 100000));
}
