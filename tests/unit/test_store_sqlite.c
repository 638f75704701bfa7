/*
 * test_store_sqlite.c - the SQLite back end on a temporary file: upserts
 * with RETURNING, merges on the conflict key, filters, ordering, one
 * transaction per batch, and errors that carry SQLite's own words.
 */
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "store.h"
#include "util.h"

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

static int
add_repo(struct store *s, int64_t gid, const char *full, struct rowset *out, struct err *e)
{
	static const char *const cols[] = {"github_id", "full_name", "owner",
					   "name",      "is_fork",   "topics"};
	struct rowset rs;
	int rc;

	rowset_init(&rs, "repositories", cols, 6);
	rowset_add(&rs);
	rowset_int(&rs, "github_id", gid);
	rowset_text(&rs, "full_name", full);
	rowset_text(&rs, "owner", "o");
	rowset_text(&rs, "name", full);
	rowset_bool(&rs, "is_fork", true);
	rowset_json(&rs, "topics", "[\"c\"]");
	rc = store_upsert(s, &rs, "github_id", "id,github_id,full_name", out, e);
	rowset_release(&rs);
	return rc;
}

TEST(sqlite_upsert_returns_ids_and_merges_on_the_conflict_key)
{
	struct store *s = open_fresh();
	struct rowset a, b;
	char id[37];
	int64_t gid;

	if (!CHECK(s != NULL))
		return;
	CHECK_STR(s->ops->name, "sqlite");
	CHECK(add_repo(s, INT64_C(9007199254740993), "x", &a, NULL) == 0);
	CHECK_INT(a.nrows, 1);
	snprintf(id, sizeof(id), "%s", rowset_text_at(&a, 0, "id"));
	CHECK(uuid_valid(id));
	CHECK(rowset_int_at(&a, 0, "github_id", &gid) == 0 && gid == INT64_C(9007199254740993));
	/* The same GitHub id again: same row, new values. */
	CHECK(add_repo(s, INT64_C(9007199254740993), "y", &b, NULL) == 0);
	CHECK_STR(rowset_text_at(&b, 0, "id"), id);
	CHECK_STR(rowset_text_at(&b, 0, "full_name"), "y");
	rowset_release(&a);
	rowset_release(&b);
	close_fresh(s);
}

TEST(sqlite_select_filters_orders_and_limits)
{
	struct store *s = open_fresh();
	const char *in[] = {"r2", "r3", "nope"};
	struct store_filter f[2] = {{"full_name", STORE_IN, NULL, in, 3},
				    {"github_id", STORE_GTE, "2", NULL, 0}};
	struct store_query q = {
		"repositories", "github_id,full_name,is_fork", f, 2, "github_id.desc", 0};
	struct rowset out, tmp;
	int64_t v;

	for (int i = 1; i <= 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "r%d", i);
		add_repo(s, i, name, &tmp, NULL);
		rowset_release(&tmp);
	}
	CHECK(store_select(s, &q, &out, NULL) == 0);
	CHECK_INT(out.nrows, 2);
	CHECK_STR(rowset_text_at(&out, 0, "full_name"), "r3");
	CHECK(rowset_int_at(&out, 1, "github_id", &v) == 0 && v == 2);
	CHECK(rowset_int_at(&out, 0, "is_fork", &v) == 0 && v == 1);
	rowset_release(&out);
	q.limit = 1;
	q.nfilters = 0;
	CHECK(store_select(s, &q, &out, NULL) == 0);
	CHECK_INT(out.nrows, 1);
	CHECK_STR(rowset_text_at(&out, 0, "full_name"), "r4");
	rowset_release(&out);
	close_fresh(s);
}

TEST(sqlite_update_and_delete_touch_only_matching_rows)
{
	struct store *s = open_fresh();
	static const char *const cols[] = {"sync_status"};
	struct store_filter f = {"github_id", STORE_EQ, "1", NULL, 0};
	struct store_query q = {"repositories", "github_id,sync_status", NULL, 0, "github_id", 0};
	struct rowset set, out, tmp;

	add_repo(s, 1, "a", &tmp, NULL);
	rowset_release(&tmp);
	add_repo(s, 2, "b", &tmp, NULL);
	rowset_release(&tmp);
	rowset_init(&set, "repositories", cols, 1);
	rowset_add(&set);
	rowset_text(&set, "sync_status", "completed");
	CHECK(store_update(s, "repositories", &f, 1, &set, NULL) == 0);
	CHECK(store_select(s, &q, &out, NULL) == 0);
	CHECK_STR(rowset_text_at(&out, 0, "sync_status"), "completed");
	CHECK_STR(rowset_text_at(&out, 1, "sync_status"), "idle");
	rowset_release(&out);
	CHECK(store_delete(s, "repositories", &f, 1, NULL) == 0);
	CHECK(store_select(s, &q, &out, NULL) == 0);
	CHECK_INT(out.nrows, 1);
	rowset_release(&out);
	rowset_release(&set);
	close_fresh(s);
}

TEST(sqlite_batch_is_all_or_nothing_and_errors_say_why)
{
	struct store *s = open_fresh();
	static const char *const cols[] = {"github_id", "full_name", "owner", "name",
					   "sync_status"};
	struct store_query q = {"repositories", "github_id", NULL, 0, NULL, 0};
	struct rowset rs, out;
	struct err e;

	rowset_init(&rs, "repositories", cols, 5);
	for (int i = 1; i <= 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "r%d", i);
		rowset_add(&rs);
		rowset_int(&rs, "github_id", i);
		rowset_text(&rs, "full_name", name);
		rowset_text(&rs, "owner", "o");
		rowset_text(&rs, "name", name);
		rowset_text(&rs, "sync_status", i == 3 ? "exploded" : "idle");
	}
	CHECK(store_upsert(s, &rs, "github_id", NULL, NULL, &e) == -1);
	CHECK(e.code == ERR_REFUSED);
	CHECK(strstr(e.msg, "upsert 3 rows into repositories") != NULL);
	CHECK(strstr(e.msg, "CHECK constraint failed") != NULL);
	CHECK(store_select(s, &q, &out, NULL) == 0);
	CHECK_INT(out.nrows, 0); /* rows 1 and 2 were rolled back with 3 */
	rowset_release(&out);
	rowset_release(&rs);
	close_fresh(s);
}

TEST(sqlite_unknown_column_fails_loudly)
{
	struct store *s = open_fresh();
	static const char *const cols[] = {"github_id", "nonsense"};
	struct rowset rs;
	struct err e;

	rowset_init(&rs, "repositories", cols, 2);
	rowset_add(&rs);
	rowset_int(&rs, "github_id", 1);
	CHECK(store_upsert(s, &rs, NULL, NULL, NULL, &e) == -1);
	CHECK(strstr(e.msg, "no column named nonsense") != NULL);
	rowset_release(&rs);
	close_fresh(s);
}

TEST(sqlite_refuses_a_database_it_cannot_open)
{
	struct err e;

	CHECK(store_open_sqlite("/nonexistent-dir/x.db", false, &e) == NULL);
	CHECK(e.code == ERR_STORE);
	CHECK(strstr(e.msg, "/nonexistent-dir/x.db") != NULL);
}
