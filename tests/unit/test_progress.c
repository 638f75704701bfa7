/*
 * test_progress.c - job tracking over a scripted PostgREST: the job row's
 * lifecycle, the resume cursor, and the heartbeat during a long wait (on a
 * virtual clock, so a minute and a half pass in no time).
 */
#include <stdlib.h>

#include "clock.h"
#include "fake_http.h"
#include "harness.h"
#include "util.h"
#include "progress.h"
#include "store.h"

static struct fake_http fake;
static int64_t vms;

static time_t
v_now(void *ctx)
{
	(void)ctx;
	return 1700000000 + (time_t)(vms / 1000);
}

static int64_t
v_mono(void *ctx)
{
	(void)ctx;
	return vms;
}

static void
v_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	vms += ms;
}

static const struct clock_source vclock = {v_now, v_mono, v_sleep, NULL};

static int
count(const char *method, const char *table)
{
	int n = 0;

	for (int i = 0; i < fake.nsent; i++)
		n += strcmp(fake.method[i], method) == 0 && strstr(fake.url[i], table) != NULL;
	return n;
}

static bool
sent_with(const char *method, const char *table, const char *text)
{
	for (int i = 0; i < fake.nsent; i++)
		if (strcmp(fake.method[i], method) == 0 && strstr(fake.url[i], table) != NULL &&
		    fake.body[i] != NULL && strstr(fake.body[i], text) != NULL)
			return true;
	return false;
}

/* A PostgREST store whose requests the scripted transport answers. */
static struct store *
scripted_store(struct http_client **http)
{
	static const struct http_options o = {"t", 0, 0, 0, NULL, false};

	fake_http_reset(&fake);
	*http = http_client_new(&o, NULL);
	http_client_set_transport(*http, fake_http_transport, &fake);
	return store_open_postgrest("https://db.test", "k", *http, NULL, NULL);
}

static void
scripted_store_close(struct store *s, struct http_client *http)
{
	store_close(s);
	http_client_free(http);
	fake_http_reset(&fake);
}

TEST(progress_heartbeats_both_rows_while_a_run_waits)
{
	struct http_client *http;
	struct store *s;
	struct progress *p;
	struct progress_options po = {.job_type = "pr-all", .repository = "a/b", .time_range = 30};

	vms = 0;
	clock_use(&vclock);
	s = scripted_store(&http);
	/* insert job, PATCH processing, select progress (none), upsert progress */
	fake_http_push(&fake, 201, "", "[{\"id\":\"0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d\"}]");
	fake_http_push(&fake, 204, "", "");
	fake_http_push(&fake, 200, "content-range: */0\n", "[]");
	fake_http_push(&fake, 201, "", "");
	for (int i = 0; i < 20; i++)
		fake_http_push(&fake, 204, "", "");
	p = progress_start(s, &po, NULL);
	if (!CHECK(p != NULL))
		return;
	CHECK(uuid_valid(progress_job_id(p)));
	clock_on_tick(progress_heartbeat, p);
	CHECK(clock_sleep(95000) == 0); /* a wait of 95 s for a rate limit */
	clock_on_tick(NULL, NULL);
	/* Every 30 s at least: 3 times in 95 s, each row. */
	CHECK(count("PATCH", "progressive_capture_progress") >= 3);
	CHECK(count("PATCH", "progressive_capture_jobs") >= 1 + 3);
	CHECK(sent_with("PATCH", "progressive_capture_jobs", "heartbeat_at"));
	progress_free(p);
	scripted_store_close(s, http);
	clock_use(NULL);
}

TEST(progress_creates_its_rows_with_its_own_ids_so_a_resent_insert_cannot_double_them)
{
	struct http_client *http;
	struct store *s;
	struct progress *p;
	struct progress_options po = {.job_type = "pr-all", .repository = "a/b", .time_range = 30};

	s = scripted_store(&http);
	fake_http_push(&fake, 201, "", "[{\"id\":\"0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d\"}]");
	fake_http_push(&fake, 204, "", "");
	fake_http_push(&fake, 200, "content-range: */0\n", "[]");
	fake_http_push(&fake, 201, "", "");
	p = progress_start(s, &po, NULL);
	CHECK(p != NULL);
	CHECK(strstr(fake.url[0], "on_conflict=id") != NULL);
	CHECK(strncmp(fake.body[0], "[{\"id\":\"", 8) == 0);
	CHECK(strstr(fake.url[3], "progressive_capture_progress?columns=id,") != NULL);
	CHECK(strstr(fake.url[3], "on_conflict=id") != NULL);
	progress_free(p);
	scripted_store_close(s, http);
}

TEST(progress_reads_the_cursor_an_earlier_run_of_the_job_left)
{
	struct http_client *http;
	struct store *s;
	struct progress *p;
	struct progress_options po = {.job_id = "0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d",
				      .job_type = "pr-all",
				      .repository = "a/b",
				      .time_range = 30};

	s = scripted_store(&http);
	fake_http_push(&fake, 200, "",
		       "[{\"id\":\"0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d\",\"status\":\"partial\","
		       "\"metadata\":{}}]");
	fake_http_push(&fake, 204, "", "");
	fake_http_push(&fake, 200, "",
		       "[{\"id\":\"9b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d\",\"resume_cursor\":"
		       "\"v1:pr-all:4-6\"}]");
	fake_http_push(&fake, 201, "", "");
	fake_http_push(&fake, 204, "", "");
	p = progress_start(s, &po, NULL);
	if (!CHECK(p != NULL))
		return;
	CHECK_STR(progress_resume_cursor(p), "v1:pr-all:4-6");
	progress_set_cursor(p, "v1:pr-all:6");
	CHECK(progress_set_total(p, 3, NULL) == 0);
	CHECK(strstr(fake.body[fake.nsent - 1], "\"resume_cursor\":\"v1:pr-all:6\"") != NULL);
	progress_free(p);
	scripted_store_close(s, http);
}

TEST(progress_mark_keeps_the_metadata_others_wrote_and_adds_its_keys)
{
	struct http_client *http;
	struct store *s;

	s = scripted_store(&http);
	fake_http_push(&fake, 200, "",
		       "[{\"id\":\"0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d\",\"metadata\":"
		       "{\"priority\":\"high\",\"pr_numbers\":[1,2]}}]");
	fake_http_push(&fake, 204, "", "");
	CHECK(progress_mark(s, "0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d", "cancelled", "moved",
			    "{\"migrated_to\":\"1b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d\","
			    "\"migrated_items\":[\"a\",\"b\"]}",
			    NULL) == 0);
	CHECK(sent_with("PATCH", "progressive_capture_jobs", "\"status\":\"cancelled\""));
	CHECK(sent_with("PATCH", "progressive_capture_jobs", "\"priority\":\"high\""));
	CHECK(sent_with("PATCH", "progressive_capture_jobs", "\"pr_numbers\":[1,2]"));
	CHECK(sent_with("PATCH", "progressive_capture_jobs",
			"\"migrated_to\":\"1b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d\""));
	CHECK(sent_with("PATCH", "progressive_capture_jobs", "\"migrated_items\":[\"a\",\"b\"]"));
	CHECK(!sent_with("PATCH", "progressive_capture_jobs", "completed_at"));
	scripted_store_close(s, http);
}
