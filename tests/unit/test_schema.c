/*
 * test_schema.c - the schema the program writes (schema.c) against the
 * SQLite store: a fresh file has every column; an older file lacking some
 * is upgraded when opened for writing and, opened read-only (a dry run),
 * fails the check naming each missing column; store_missing_columns names
 * exactly what a table lacks, and a missing table as all of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "harness.h"
#include "schema.h"
#include "store.h"
#include "util.h"

/* A temporary file name for a database; removed by drop(). */
static void
temp_path(char path[64])
{
	snprintf(path, 64, "/tmp/pc-schema-%ld-XXXXXX", (long)getpid());
	int fd = mkstemp(path);

	if (fd >= 0)
		close(fd);
	unlink(path);
}

static void
drop(const char *path)
{
	char side[80];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

/* A file as an older version left it: pull_requests without mergeable, mergeable_state. */
static void
make_old_file(const char *path)
{
	struct err e;
	struct store *s = store_open_sqlite(path, false, &e);
	sqlite3 *db = NULL;
	char *msg = NULL;

	store_close(s);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	if (!CHECK(sqlite3_exec(db,
				"ALTER TABLE pull_requests DROP COLUMN mergeable;"
				"ALTER TABLE pull_requests DROP COLUMN mergeable_state;"
				"ALTER TABLE pull_requests DROP COLUMN additions;"
				"INSERT INTO repositories (id, github_id, full_name, owner, name) "
				"VALUES ('r', 1, 'o/n', 'o', 'n');"
				"INSERT INTO pull_requests (id, github_id, number, title, state, "
				"repository_id, repository_full_name, created_at, updated_at, "
				"head_branch) VALUES ('a', 1, 7, 'kept', 'open', 'r', 'o/n', "
				"'2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', 'h');",
				NULL, NULL, &msg) == SQLITE_OK))
		fprintf(stderr, "    %s\n", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
}

TEST(schema_fresh_sqlite_file_has_every_table_and_column)
{
	struct err e;
	struct store *s = store_open_sqlite(":memory:", false, &e);

	if (!CHECK(s != NULL))
		return;
	err_clear(&e);
	CHECK(schema_check(s, &e) == 0);
	CHECK_STR(e.msg, "");
	store_close(s);
}

TEST(schema_missing_columns_names_each_and_a_missing_table_whole)
{
	static const char *const cols[] = {"github_id", "nope", "number", "nor_this"};
	static const char *const two[] = {"a", "b"};
	bool missing[4] = {true, true, true, true};
	struct err e;
	struct store *s = store_open_sqlite(":memory:", false, &e);

	if (!CHECK(s != NULL))
		return;
	CHECK(store_missing_columns(s, "pull_requests", cols, 4, missing, &e) == 0);
	CHECK(!missing[0] && missing[1] && !missing[2] && missing[3]);
	CHECK(store_missing_columns(s, "no_such_table", two, 2, missing, &e) == 0);
	CHECK(missing[0] && missing[1]);
	CHECK(store_missing_columns(s, "pull_requests", cols, 1, missing, &e) == 0);
	CHECK(!missing[0]);
	store_close(s);
}

TEST(schema_old_sqlite_file_read_only_fails_naming_the_columns)
{
	char path[64];
	struct err e;
	struct store *s;

	temp_path(path);
	make_old_file(path);
	s = store_open_sqlite(path, true, &e);
	if (CHECK(s != NULL)) {
		err_clear(&e);
		CHECK(schema_check(s, &e) < 0);
		CHECK(e.code == ERR_STORE);
		CHECK(strstr(e.msg, "lacks pull_requests.mergeable, pull_requests.mergeable_state, "
				    "pull_requests.additions -") != NULL);
		CHECK(strstr(e.msg, "without dry-run") != NULL);
		store_close(s);
	}
	drop(path);
}

TEST(schema_old_sqlite_file_is_upgraded_and_keeps_its_rows)
{
	struct store_query q = {
		"pull_requests", "github_id,title,mergeable,additions", NULL, 0, NULL, 0};
	struct rowset rs;
	char path[64];
	struct err e;
	struct store *s;
	int64_t additions = -1;

	temp_path(path);
	make_old_file(path);
	s = store_open_sqlite(path, false, &e);
	if (CHECK(s != NULL)) {
		err_clear(&e);
		CHECK(schema_check(s, &e) == 0);
		CHECK_STR(e.msg, "");
		if (CHECK(store_select(s, &q, &rs, &e) == 0) && CHECK_INT(rs.nrows, 1)) {
			CHECK_STR(rowset_text_at(&rs, 0, "title"), "kept");
			/* An added column gets its constant default. */
			CHECK(rowset_int_at(&rs, 0, "additions", &additions) == 0);
			CHECK_INT(additions, 0);
		}
		rowset_release(&rs);
		store_close(s);
	}
	/* Opening it again changes nothing more. */
	s = store_open_sqlite(path, false, &e);
	if (CHECK(s != NULL))
		CHECK(schema_check(s, &e) == 0);
	store_close(s);
	drop(path);
}

TEST(schema_rowset_takes_the_first_n_written_columns)
{
	struct rowset rs;

	schema_rowset(&rs, SCHEMA_COMMENTS, 8);
	CHECK_INT(rs.ncols, 8);
	CHECK_STR(rs.table, "comments");
	CHECK_STR(rs.cols[0], "github_id");
	rowset_release(&rs);
	schema_rowset(&rs, SCHEMA_COMMENTS, 0);
	CHECK_INT(rs.ncols, schema_tables[SCHEMA_COMMENTS].nwrites);
	rowset_release(&rs);
}
