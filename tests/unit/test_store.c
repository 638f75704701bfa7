/*
 * test_store.c - the PostgREST back end over a scripted transport: the URLs,
 * headers and bodies it sends, errors it reports, and paging.
 */
#include <stdlib.h>

#include "fake_http.h"
#include "harness.h"
#include "store.h"

static struct fake_http fake;
static struct http_client *http;

static struct store *
open_store(void)
{
	struct http_options o = {"test-agent", 0, 0, 0, NULL, false};

	fake_http_reset(&fake);
	http = http_client_new(&o, NULL);
	http_client_set_transport(http, fake_http_transport, &fake);
	return store_open_postgrest("https://db.test", "service-key", http, NULL, NULL);
}

static void
close_store(struct store *s)
{
	store_close(s);
	http_client_free(http);
	http = NULL;
	fake_http_reset(&fake);
}

TEST(store_upsert_posts_columns_conflict_and_prefer)
{
	struct store *s = open_store();
	static const char *const cols[] = {"github_id", "title", "draft", "body", "topics"};
	struct rowset rs, out;

	rowset_init(&rs, "pull_requests", cols, 5);
	rowset_add(&rs);
	rowset_int(&rs, "github_id", INT64_C(9007199254740993));
	rowset_text(&rs, "title", "say \"hi\"\n");
	rowset_bool(&rs, "draft", true);
	rowset_json(&rs, "topics", "[\"a\"]");
	fake_http_push(&fake, 201, "",
		       "[{\"id\":\"0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d\","
		       "\"github_id\":42}]");
	CHECK(store_upsert(s, &rs, "github_id", "id,github_id", &out, NULL) == 0);
	CHECK_STR(fake.method[0], "POST");
	CHECK_STR(fake.url[0], "https://db.test/rest/v1/pull_requests?columns=github_id,title,"
			       "draft,body,topics&on_conflict=github_id&select=id,github_id");
	CHECK(strstr(fake.headers[0], "apikey: service-key\n") != NULL);
	CHECK(strstr(fake.headers[0], "Authorization: Bearer service-key\n") != NULL);
	CHECK(strstr(fake.headers[0],
		     "Prefer: resolution=merge-duplicates,return=representation\n") != NULL);
	CHECK_STR(fake.body[0], "[{\"github_id\":9007199254740993,\"title\":\"say \\\"hi\\\"\\n\","
				"\"draft\":true,\"body\":null,\"topics\":[\"a\"]}]");
	CHECK_INT(out.nrows, 1);
	CHECK_STR(rowset_text_at(&out, 0, "id"), "0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d");
	rowset_release(&out);
	rowset_release(&rs);
	close_store(s);
}

TEST(store_upsert_splits_into_batches_of_at_most_5000_rows)
{
	struct store *s = open_store();
	static const char *const cols[] = {"n"};
	struct rowset rs;

	rowset_init(&rs, "t", cols, 1);
	for (int i = 0; i < 12001; i++) {
		rowset_add(&rs);
		rowset_int(&rs, "n", i);
	}
	fake_http_push(&fake, 201, "", "");
	fake_http_push(&fake, 201, "", "");
	fake_http_push(&fake, 201, "", "");
	CHECK(store_upsert(s, &rs, "n", NULL, NULL, NULL) == 0);
	CHECK_INT(fake.nsent, 3);
	CHECK(strstr(fake.headers[0], "Prefer: resolution=merge-duplicates,return=minimal\n") !=
	      NULL);
	CHECK(strncmp(fake.body[2], "[{\"n\":10000},", 13) == 0);
	CHECK_INT(s->rows_written, 12001);
	rowset_release(&rs);
	close_store(s);
}

TEST(store_upsert_splits_long_values_into_requests_of_about_4_mib)
{
	struct store *s = open_store();
	static const char *const cols[] = {"n", "body"};
	char *body = calloc(100001, 1);
	struct rowset rs;

	memset(body, 'x', 100000);
	rowset_init(&rs, "t", cols, 2);
	for (int i = 0; i < 100; i++) { /* 10 MB of values: 42 rows a request */
		rowset_add(&rs);
		rowset_int(&rs, "n", i);
		rowset_text(&rs, "body", body);
	}
	for (int i = 0; i < 3; i++)
		fake_http_push(&fake, 201, "", "");
	CHECK(store_upsert(s, &rs, "n", NULL, NULL, NULL) == 0);
	CHECK_INT(fake.nsent, 3);
	CHECK(strncmp(fake.body[1], "[{\"n\":42,", 9) == 0);
	CHECK(strlen(fake.body[0]) <= STORE_BATCH_BYTES + 200000);
	CHECK_INT(s->rows_written, 100);
	free(body);
	rowset_release(&rs);
	close_store(s);
}

TEST(store_refusal_carries_postgrests_code_message_and_hint)
{
	struct store *s = open_store();
	static const char *const cols[] = {"state"};
	struct rowset rs;
	struct err e;

	rowset_init(&rs, "reviews", cols, 1);
	rowset_add(&rs);
	rowset_text(&rs, "state", "approved");
	fake_http_push(
		&fake, 400, "",
		"{\"code\":\"23514\",\"details\":\"Failing row contains (...).\",\"hint\":null,"
		"\"message\":\"new row for relation \\\"reviews\\\" violates check "
		"constraint \\\"reviews_state_check\\\"\"}");
	CHECK(store_upsert(s, &rs, NULL, NULL, NULL, &e) == -1);
	/* A CHECK refuses the row for what it holds: only its item fails. */
	CHECK(e.code == ERR_REFUSED);
	CHECK(!err_stops_run(&e));
	CHECK_INT(e.status, 400);
	CHECK(strstr(e.msg, "insert 1 row into reviews: 400 23514 new row for relation") != NULL);
	CHECK(strstr(e.msg, "(details: Failing row contains (...).)") != NULL);
	CHECK(strstr(e.msg, "service-key") == NULL);
	rowset_release(&rs);
	close_store(s);
}

TEST(store_unique_key_refusal_is_a_conflict_and_stops_the_run)
{
	struct store *s = open_store();
	static const char *const cols[] = {"github_id", "username"};
	struct rowset rs;
	struct err e;

	rowset_init(&rs, "contributors", cols, 2);
	rowset_add(&rs);
	rowset_int(&rs, "github_id", 2);
	rowset_text(&rs, "username", "alice");
	fake_http_push(&fake, 409, "",
		       "{\"code\":\"23505\",\"details\":\"Key (username)=(alice) already "
		       "exists.\",\"hint\":null,\"message\":\"duplicate key value violates "
		       "unique constraint \\\"contributors_username_key\\\"\"}");
	CHECK(store_upsert(s, &rs, "github_id", NULL, NULL, &e) == -1);
	CHECK(e.code == ERR_CONFLICT);
	CHECK(err_stops_run(&e));
	CHECK(strstr(e.msg, "409 23505 duplicate key value") != NULL);
	rowset_release(&rs);
	close_store(s);
}

TEST(store_unknown_table_or_column_points_at_the_migrations)
{
	struct store *s = open_store();
	struct store_query q = {"nope", "id", NULL, 0, NULL, 0};
	struct rowset out;
	struct err e;

	fake_http_push(
		&fake, 404, "",
		"{\"code\":\"PGRST205\",\"message\":\"Could not find the table 'public.nope' "
		"in the schema cache\",\"hint\":null,\"details\":null}");
	CHECK(store_select(s, &q, &out, &e) == -1);
	CHECK(strstr(e.msg, "PGRST205") != NULL);
	CHECK(strstr(e.msg, "db/migrations") != NULL);
	rowset_release(&out);
	close_store(s);
}

TEST(store_auth_refusal_is_an_auth_error)
{
	struct store *s = open_store();
	struct store_query q = {"t", "id", NULL, 0, NULL, 0};
	struct rowset out;
	struct err e;

	fake_http_push(&fake, 401, "", "{\"message\":\"Invalid API key\"}");
	CHECK(store_select(s, &q, &out, &e) == -1);
	CHECK(e.code == ERR_AUTH);
	rowset_release(&out);
	close_store(s);
}

TEST(store_filters_are_encoded_and_in_lists_quoted)
{
	struct store *s = open_store();
	const char *names[] = {"a,b.c", "say \"x\"", "(p)"};
	struct store_filter f[4] = {
		{"repository_id", STORE_EQ, "0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d", NULL, 0},
		{"created_at", STORE_GTE, "2024-05-01T00:00:00+00:00", NULL, 0},
		{"filename", STORE_IN, NULL, names, 3},
		{"last_synced_at", STORE_IS_NULL, NULL, NULL, 0},
	};
	struct store_query q = {"pull_requests", "number,updated_at", f, 4, "number", 0};
	struct rowset out;

	fake_http_push(&fake, 200, "content-range: */0\n", "[]");
	CHECK(store_select(s, &q, &out, NULL) == 0);
	CHECK_STR(fake.url[0],
		  "https://db.test/rest/v1/pull_requests?select=number,updated_at"
		  "&repository_id=eq.0b8a5a0e-7c1f-4a57-9c2e-1d2f3a4b5c6d"
		  "&created_at=gte.2024-05-01T00%3A00%3A00%2B00%3A00"
		  "&filename=in.%28%22a%2Cb.c%22%2C%22say%20%5C%22x%5C%22%22%2C%22%28p%29%22%29"
		  "&last_synced_at=is.null&order=number&limit=1000&offset=0");
	CHECK(strstr(fake.headers[0], "Prefer: count=exact\n") != NULL);
	rowset_release(&out);
	close_store(s);
}

TEST(store_select_pages_past_a_server_row_cap)
{
	struct store *s = open_store();
	struct store_query q = {"t", "n", NULL, 0, "n", 0};
	struct rowset out;
	int64_t v;

	/* The server caps pages at 2 rows though 1000 were asked; the count says 5. */
	fake_http_push(&fake, 206, "content-range: 0-1/5\n", "[{\"n\":1},{\"n\":2}]");
	fake_http_push(&fake, 206, "content-range: 2-3/*\n", "[{\"n\":3},{\"n\":4}]");
	fake_http_push(&fake, 206, "content-range: 4-4/*\n", "[{\"n\":5}]");
	CHECK(store_select(s, &q, &out, NULL) == 0);
	CHECK_INT(out.nrows, 5);
	CHECK(rowset_int_at(&out, 4, "n", &v) == 0 && v == 5);
	CHECK_INT(fake.nsent, 3);
	CHECK(strstr(fake.url[1], "&limit=1000&offset=2") != NULL);
	rowset_release(&out);
	close_store(s);
}

TEST(store_conflict_key_must_be_a_written_column)
{
	struct store *s = open_store();
	static const char *const cols[] = {"state"};
	struct rowset rs;
	struct err e;

	rowset_init(&rs, "reviews", cols, 1);
	rowset_add(&rs);
	rowset_text(&rs, "state", "APPROVED");
	CHECK(store_upsert(s, &rs, "github_id", NULL, NULL, &e) == -1);
	CHECK(strstr(e.msg, "conflict key 'github_id'") != NULL);
	CHECK_INT(fake.nsent, 0);
	rowset_release(&rs);
	close_store(s);
}

TEST(store_update_and_delete_need_a_filter)
{
	struct store *s = open_store();
	static const char *const cols[] = {"x"};
	struct rowset rs;
	struct err e;

	rowset_init(&rs, "t", cols, 1);
	rowset_add(&rs);
	CHECK(store_update(s, "t", NULL, 0, &rs, &e) == -1);
	CHECK(store_delete(s, "t", NULL, 0, &e) == -1);
	CHECK_INT(fake.nsent, 0);
	rowset_release(&rs);
	close_store(s);
}

TEST(store_update_patches_by_filter)
{
	struct store *s = open_store();
	static const char *const cols[] = {"status", "error"};
	struct store_filter f = {"id", STORE_EQ, "abc", NULL, 0};
	struct rowset rs;

	rowset_init(&rs, "progressive_capture_jobs", cols, 2);
	rowset_add(&rs);
	rowset_text(&rs, "status", "completed");
	fake_http_push(&fake, 204, "", "");
	CHECK(store_update(s, "progressive_capture_jobs", &f, 1, &rs, NULL) == 0);
	CHECK_STR(fake.method[0], "PATCH");
	CHECK_STR(fake.url[0], "https://db.test/rest/v1/progressive_capture_jobs?id=eq.abc");
	CHECK_STR(fake.body[0], "{\"status\":\"completed\",\"error\":null}");
	rowset_release(&rs);
	close_store(s);
}

TEST(store_upsert_writes_each_conflict_key_once_last_row_winning)
{
	struct store *s = open_store();
	static const char *const cols[] = {"pull_request_id", "filename", "additions"};
	struct rowset rs;

	rowset_init(&rs, "pull_request_files", cols, 3);
	rowset_add(&rs);
	rowset_text(&rs, "pull_request_id", "p");
	rowset_text(&rs, "filename", "a");
	rowset_int(&rs, "additions", 1);
	rowset_add(&rs);
	rowset_text(&rs, "pull_request_id", "p");
	rowset_text(&rs, "filename", "b");
	rowset_int(&rs, "additions", 2);
	rowset_add(&rs);
	rowset_text(&rs, "pull_request_id", "p");
	rowset_text(&rs, "filename", "a");
	rowset_int(&rs, "additions", 3);
	fake_http_push(&fake, 201, "", "");
	CHECK(store_upsert(s, &rs, "pull_request_id,filename", NULL, NULL, NULL) == 0);
	CHECK_STR(fake.body[0], "[{\"pull_request_id\":\"p\",\"filename\":\"b\",\"additions\":2},"
				"{\"pull_request_id\":\"p\",\"filename\":\"a\",\"additions\":3}]");
	CHECK_INT(s->rows_written, 2);
	rowset_release(&rs);
	close_store(s);
}
