/*
 * test_store_dry.c - the dry run's store (store_open_dry) over a SQLite
 * store in memory, as a specification: reads go through, no write lands,
 * an upsert that wants ids back gets the stored row's id or a fresh UUID,
 * and rows_written counts what would have been written.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "store.h"
#include "util.h"

static struct store *inner, *dry;

/* A dry store over a fresh SQLite store in memory holding repositories 1 and 2. */
static void
begin(void)
{
	static const char *const cols[] = {"github_id", "full_name", "owner", "name"};
	struct rowset rs;
	struct err e;

	inner = store_open_sqlite(":memory:", false, &e);
	if (!CHECK(inner != NULL))
		abort();
	rowset_init(&rs, "repositories", cols, 4);
	for (int i = 1; i <= 2; i++) {
		rowset_add(&rs);
		rowset_int(&rs, "github_id", i);
		rowset_text(&rs, "full_name", i == 1 ? "o/one" : "o/two");
		rowset_text(&rs, "owner", "o");
		rowset_text(&rs, "name", i == 1 ? "one" : "two");
	}
	CHECK(store_upsert(inner, &rs, "github_id", NULL, NULL, &e) == 0);
	rowset_release(&rs);
	dry = store_open_dry(inner);
}

static void
end(void)
{
	store_close(dry); /* closes inner too */
	dry = inner = NULL;
}

/* Every repository row of s as "github_id full_name sync_status; …", by github_id. */
static char *
snapshot(struct store *s)
{
	struct store_query q = {
		"repositories", "github_id,full_name,sync_status", NULL, 0, "github_id", 0};
	struct buf b = BUF_INIT(1 << 16);
	struct rowset rs;

	if (CHECK(store_select(s, &q, &rs, NULL) == 0))
		for (size_t r = 0; r < rs.nrows; r++) {
			int64_t gid = 0;

			rowset_int_at(&rs, r, "github_id", &gid);
			buf_printf(&b, "%s%lld %s %s", r > 0 ? "; " : "", (long long)gid,
				   rowset_text_at(&rs, r, "full_name"),
				   rowset_text_at(&rs, r, "sync_status"));
		}
	rowset_release(&rs);
	return buf_detach(&b);
}

/* The stored row id of repository gid, as the inner store has it (caller frees). */
static char *
stored_id(int64_t gid)
{
	char v[24];
	struct store_filter f = {.column = "github_id", .op = STORE_EQ, .value = v};
	struct store_query q = {"repositories", "id", &f, 1, NULL, 0};
	struct rowset rs;
	char *id = NULL;

	snprintf(v, sizeof(v), "%lld", (long long)gid);
	if (store_select(inner, &q, &rs, NULL) == 0 && rs.nrows == 1)
		id = xstrdup(rowset_text_at(&rs, 0, "id"));
	rowset_release(&rs);
	return id;
}

/* Repositories rows to upsert: gids[0..n) named "o/new<gid>". */
static void
repo_rows(struct rowset *rs, const int64_t *gids, size_t n)
{
	static const char *const cols[] = {"github_id", "full_name", "owner", "name"};

	rowset_init(rs, "repositories", cols, 4);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "new%lld", (long long)gids[i]);
		rowset_add(rs);
		rowset_int(rs, "github_id", gids[i]);
		rowset_text(rs, "full_name", name);
		rowset_text(rs, "owner", "o");
		rowset_text(rs, "name", name);
	}
}

TEST(dry_store_reads_go_to_the_inner_store)
{
	struct store_query q = {"repositories", "full_name", NULL, 0, "github_id", 0};
	struct rowset rs;
	uint64_t inner_before;

	begin();
	inner_before = inner->requests;
	CHECK(store_select(dry, &q, &rs, NULL) == 0);
	CHECK_INT(rs.nrows, 2);
	CHECK_STR(rowset_text_at(&rs, 0, "full_name"), "o/one");
	CHECK_STR(rowset_text_at(&rs, 1, "full_name"), "o/two");
	CHECK_INT(inner->requests - inner_before, 1);
	CHECK_INT(dry->requests, 1); /* the dry store counts the round trips it made */
	CHECK_STR(dry->ops->name, "dry run");
	rowset_release(&rs);
	end();
}

TEST(dry_store_lands_no_upsert_update_or_delete)
{
	static const char *const set_cols[] = {"sync_status"};
	static const int64_t gids[] = {1, 3};
	struct store_filter f = {.column = "github_id", .op = STORE_EQ, .value = "1"};
	struct rowset rs, set, out;
	char *before, *after;
	struct err e;

	begin();
	before = snapshot(inner);
	repo_rows(&rs, gids, 2); /* #1 renamed, #3 new */
	CHECK(store_upsert(dry, &rs, "github_id", NULL, NULL, &e) == 0);
	CHECK(store_upsert(dry, &rs, "github_id", "id,github_id", &out, &e) == 0);
	rowset_init(&set, "repositories", set_cols, 1);
	rowset_add(&set);
	rowset_text(&set, "sync_status", "completed");
	CHECK(store_update(dry, "repositories", &f, 1, &set, &e) == 0);
	CHECK(store_delete(dry, "repositories", &f, 1, &e) == 0);
	after = snapshot(inner);
	CHECK_STR(before, "1 o/one idle; 2 o/two idle");
	CHECK_STR(after, before);
	free(before);
	free(after);
	rowset_release(&out);
	rowset_release(&set);
	rowset_release(&rs);
	end();
}

TEST(dry_upsert_returns_the_stored_id_for_a_known_github_id_and_a_fresh_uuid_otherwise)
{
	static const int64_t gids[] = {2, 7};
	char *id2 = NULL;
	struct rowset rs, out;
	int64_t gid = 0;
	struct err e;

	begin();
	id2 = stored_id(2);
	repo_rows(&rs, gids, 2);
	CHECK(store_upsert(dry, &rs, "github_id", "id,github_id", &out, &e) == 0);
	if (CHECK_INT(out.nrows, 2)) {
		CHECK_STR(rowset_text_at(&out, 0, "id"), id2);
		CHECK(rowset_int_at(&out, 0, "github_id", &gid) == 0 && gid == 2);
		CHECK(uuid_valid(rowset_text_at(&out, 1, "id")));
		CHECK(strcmp(rowset_text_at(&out, 1, "id"), id2) != 0);
		CHECK(rowset_int_at(&out, 1, "github_id", &gid) == 0 && gid == 7);
	}
	CHECK(stored_id(7) == NULL); /* still not there */
	free(id2);
	rowset_release(&out);
	rowset_release(&rs);
	end();
}

TEST(dry_upsert_gives_a_fresh_uuid_each_time_for_a_row_not_stored)
{
	static const int64_t gids[] = {7};
	struct rowset rs, a, b;
	struct err e;

	begin();
	repo_rows(&rs, gids, 1);
	CHECK(store_upsert(dry, &rs, "github_id", "id", &a, &e) == 0);
	CHECK(store_upsert(dry, &rs, "github_id", "id", &b, &e) == 0);
	if (CHECK_INT(a.nrows, 1) && CHECK_INT(b.nrows, 1))
		CHECK(strcmp(rowset_text_at(&a, 0, "id"), rowset_text_at(&b, 0, "id")) != 0);
	rowset_release(&a);
	rowset_release(&b);
	rowset_release(&rs);
	end();
}

TEST(dry_upsert_returns_the_stored_rows_values_and_a_new_rows_own)
{
	static const int64_t gids[] = {1, 8};
	struct rowset rs, out;
	struct err e;

	begin();
	repo_rows(&rs, gids, 2);
	CHECK(store_upsert(dry, &rs, "github_id", "id,full_name,sync_status", &out, &e) == 0);
	if (CHECK_INT(out.nrows, 2)) {
		/* What a real run would see: the row as stored (a dry run changes nothing). */
		CHECK_STR(rowset_text_at(&out, 0, "full_name"), "o/one");
		CHECK_STR(rowset_text_at(&out, 0, "sync_status"), "idle");
		CHECK_STR(rowset_text_at(&out, 1, "full_name"), "new8");
		CHECK(rowset_text_at(&out, 1, "sync_status") == NULL);
	}
	rowset_release(&out);
	rowset_release(&rs);
	end();
}

TEST(dry_upsert_on_a_key_of_two_columns_gets_a_fresh_id_without_a_lookup)
{
	static const int64_t gids[] = {1};
	char *id1;
	struct rowset rs, out;
	uint64_t before;
	struct err e;

	begin();
	id1 = stored_id(1);
	repo_rows(&rs, gids, 1);
	before = inner->requests;
	CHECK(store_upsert(dry, &rs, "owner,name", "id", &out, &e) == 0);
	CHECK_INT(inner->requests - before, 0);
	if (CHECK_INT(out.nrows, 1)) {
		CHECK(uuid_valid(rowset_text_at(&out, 0, "id")));
		CHECK(id1 != NULL && strcmp(rowset_text_at(&out, 0, "id"), id1) != 0);
	}
	free(id1);
	rowset_release(&out);
	rowset_release(&rs);
	end();
}

TEST(dry_store_counts_the_rows_it_would_have_written)
{
	static const int64_t gids[] = {1, 4, 4}; /* #4 twice: written once, the last winning */
	static const int64_t more[] = {5};
	struct rowset rs, rs2, out;
	struct err e;

	begin();
	CHECK_INT(dry->rows_written, 0);
	repo_rows(&rs, gids, 3);
	CHECK(store_upsert(dry, &rs, "github_id", "id", &out, &e) == 0);
	CHECK_INT(out.nrows, 2);
	CHECK_INT(dry->rows_written, 2);
	repo_rows(&rs2, more, 1);
	CHECK(store_upsert(dry, &rs2, "github_id", NULL, NULL, &e) == 0);
	CHECK_INT(dry->rows_written, 3);
	CHECK_INT(inner->rows_written, 2); /* begin()'s own rows, nothing since */
	rowset_release(&out);
	rowset_release(&rs);
	rowset_release(&rs2);
	end();
}
