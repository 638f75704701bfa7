/*
 * store.h - where captured rows go: one interface, several back ends.
 *
 * Jobs speak in tables, rows (rows.h) and simple filters; they never see SQL
 * or HTTP. Back ends: "postgrest" (Supabase's Data API) and "sqlite" (a
 * local file, the default).
 * Writes are idempotent upserts on a conflict key, split into batches of at
 * most STORE_BATCH_ROWS rows (each batch all-or-nothing). Any refusal by the
 * database is an error carrying the database's own code, message and hint,
 * never a silent drop.
 */
#ifndef PC_STORE_H
#define PC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "http.h"
#include "rows.h"

/*
 * An upsert goes out in requests of at most STORE_BATCH_ROWS rows and about
 * STORE_BATCH_BYTES of values (a batch of 100 PRs' files in one request; a
 * request body a gateway accepts).
 */
#define STORE_BATCH_ROWS  5000
#define STORE_BATCH_BYTES ((size_t)4 << 20)

enum store_op {
	STORE_EQ,
	STORE_NEQ,
	STORE_GT,
	STORE_GTE,
	STORE_LT,
	STORE_LTE,
	STORE_IN,        /* values[0..nvalues) */
	STORE_IS_NULL,   /* no value */
	STORE_NOT_NULL,  /* no value */
	STORE_NULL_OR_LT /* NULL, or below value */
};

struct store_filter {
	const char *column;
	enum store_op op;
	const char *value;         /* EQ..LTE */
	const char *const *values; /* IN */
	size_t nvalues;
};

struct store_query {
	const char *table;
	const char *columns; /* "a,b,c" */
	const struct store_filter *filters;
	size_t nfilters;
	const char *order; /* "a.desc,b" (PostgREST form); needed for stable paging */
	size_t limit;      /* 0 = every matching row */
};

/*
 * A call of a function of the database (PostgREST: POST /rpc/<function>;
 * SQLite: the statement of that name in db/sqlite/functions.sql): args is
 * one row, its columns the arguments by name (arrays as JSON); the rows it
 * returns have columns, in order (for stable paging).
 */
struct store_call {
	const char *function;
	const struct rowset *args;
	const char *columns;
	const char *order;
};

struct store;

/* One back end's operations; upsert writes the rows rs[rows[0..n)]. */
struct store_ops {
	const char *name;
	int (*upsert)(struct store *s, const struct rowset *rs, const size_t *rows, size_t n,
		      const char *on_conflict, const char *returning, struct rowset *out,
		      struct err *e);
	int (*update)(struct store *s, const char *table, const struct store_filter *f, size_t nf,
		      const struct rowset *set, struct err *e);
	int (*remove)(struct store *s, const char *table, const struct store_filter *f, size_t nf,
		      struct err *e);
	int (*select)(struct store *s, const struct store_query *q, struct rowset *out,
		      struct err *e);
	int (*count)(struct store *s, const char *table, const struct store_filter *f, size_t nf,
		     int64_t *n, struct err *e);
	int (*call)(struct store *s, const struct store_call *c, struct rowset *out, struct err *e);
	/* 1: table has every column of columns ("a,b"); 0: it (or the table) is missing. */
	int (*probe)(struct store *s, const char *table, const char *columns, struct err *e);
	void (*close)(struct store *s);
};

/* Every back end's struct begins with this. */
struct store {
	const struct store_ops *ops;
	uint64_t requests; /* round trips to the database */
	uint64_t rows_written;
	uint64_t retries;  /* requests sent again after a fault */
	int64_t waited_ms; /* back-off before those */
	/* How a store whose schema is behind catches up, for the message saying so. */
	const char *schema_hint;
};

/* How a store retries what may pass (PostgREST 502/503/504, a dropped connection). */
struct store_retry {
	int max_retries;   /* 0: none */
	double time_scale; /* multiplies the back-off (tests) */
};

/* The SQLite library's version, e.g. "3.40.1"; static. */
const char *store_sqlite_library_version(void);

/*
 * Opens the PostgREST back end at base_url (the project URL; requests go to
 * base_url/rest/v1/...) with key sent as apikey and Bearer token. http is
 * borrowed and must outlive the store. Sends nothing until the first call.
 * Every request is safe to send again (upserts on keys, PATCH and DELETE by
 * filter), so one that failed in transit or met 502/503/504 is retried with
 * back-off as retry says (NULL: never); a 4xx is final. Close with
 * store_close.
 */
struct store *store_open_postgrest(const char *base_url, const char *key, struct http_client *http,
				   const struct store_retry *retry, struct err *e);

/*
 * Opens (creating it if need be) the SQLite database at path and applies the
 * schema (db/sqlite/schema.sql). read_only (a dry run): the file is opened
 * read-only and left as it is, or, when it does not exist, an empty database
 * in memory stands in for it. NULL + e when it cannot be opened or written.
 * Close with store_close.
 */
struct store *store_open_sqlite(const char *path, bool read_only, struct err *e);

/* Closes the store and frees it; NULL is a no-op. */
void store_close(struct store *s);

/*
 * Writes every row of rs. on_conflict names the unique columns to merge on
 * ("github_id", "repository_id,number"): existing rows get the rowset's
 * columns overwritten, others are inserted; NULL means plain insert.
 * returning, when not NULL, lists columns to read back ("id,github_id") and
 * out (initialised by the call) receives one row per written row. Rows with
 * the same conflict key are written once, the last one winning (a database
 * refuses to touch one row twice in a statement). Batches of STORE_BATCH_ROWS;
 * a failing batch stops the call with e set (earlier batches stay written -
 * they are complete rows, and a re-run upserts them again).
 */
int store_upsert(struct store *s, const struct rowset *rs, const char *on_conflict,
		 const char *returning, struct rowset *out, struct err *e);

/* Sets the columns of set's single row on every row matching the filters (at least one). */
int store_update(struct store *s, const char *table, const struct store_filter *f, size_t nf,
		 const struct rowset *set, struct err *e);

/* Deletes every row matching the filters (at least one filter is required). */
int store_delete(struct store *s, const char *table, const struct store_filter *f, size_t nf,
		 struct err *e);

/*
 * Reads the matching rows into out (initialised by the call with q->columns),
 * paging as needed, so a server-side row cap never truncates the result.
 */
int store_select(struct store *s, const struct store_query *q, struct rowset *out, struct err *e);

/*
 * Calls c->function; out (initialised by the call with c->columns) receives
 * every row it returns, paged so a server-side row cap never truncates it.
 */
int store_call(struct store *s, const struct store_call *c, struct rowset *out, struct err *e);

/* The number of rows of table matching the filters (none: every row), counted by the database. */
int store_count(struct store *s, const char *table, const struct store_filter *f, size_t nf,
		int64_t *n, struct err *e);

/*
 * Which of cols[0..n) table lacks: 0 with missing[i] set for each (every one
 * when the table itself is missing), or -1 + e when the store cannot tell
 * (unreachable, refused). One round trip when nothing is missing.
 */
int store_missing_columns(struct store *s, const char *table, const char *const *cols, size_t n,
			  bool *missing, struct err *e);

/*
 * store_select with one more filter, column IN values[0..n), asked in chunks
 * of STORE_IN_CHUNK values (URLs and statements stay short); out receives the
 * rows of every chunk. No value: no request, out empty.
 */
#define STORE_IN_CHUNK 200
int store_select_in(struct store *s, const struct store_query *q, const char *column,
		    const char *const *values, size_t n, struct rowset *out, struct err *e);

/*
 * A dry run's store: reads go to inner, writes go nowhere. An upsert that
 * asks for columns back has, per row, the stored row's values when a row
 * with its (one-column) conflict key exists, else the rowset's own values
 * and a fresh UUID for "id". rows_written counts what would have been
 * written. Takes inner (closed with the dry store). Never NULL.
 */
struct store *store_open_dry(struct store *inner);

#endif
