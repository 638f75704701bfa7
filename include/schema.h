/*
 * schema.h - the tables and columns the program writes and reads, in one
 * place: the rowsets the jobs write are made from it, and a run checks the
 * store has every one of them before it sends anything to GitHub, so a
 * schema that is behind fails in seconds, naming the column (a silent
 * mismatch was contributor.info's most common failure).
 */
#ifndef PC_SCHEMA_H
#define PC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "rows.h"
#include "store.h"

enum schema_table {
	SCHEMA_REPOSITORIES,
	SCHEMA_CONTRIBUTORS,
	SCHEMA_PULL_REQUESTS,
	SCHEMA_PULL_REQUEST_FILES,
	SCHEMA_REVIEWS,
	SCHEMA_COMMENTS,
	SCHEMA_COMMITS,
	SCHEMA_PULL_REQUEST_CAPTURES,
	SCHEMA_CAPTURE_WATERMARKS,
	SCHEMA_JOBS,
	SCHEMA_PROGRESS,
	SCHEMA_NTABLES
};

struct schema_def {
	const char *table;
	const char *const *writes; /* the columns a full row of it sets, in this order */
	size_t nwrites;
	const char *const *reads; /* the others it reads (e.g. the generated "id") */
	size_t nreads;
	const char *created_by; /* the file of db/migrations that creates it */
};

/* Every table, indexed by enum schema_table. */
extern const struct schema_def schema_tables[SCHEMA_NTABLES];

/* A rowset (initialised by the call) for t with its first n written columns (0: all). */
void schema_rowset(struct rowset *rs, enum schema_table t, size_t n);

/* A column the store lacks, and the file of db/migrations that adds it. */
struct schema_gap {
	const char *table, *column; /* static */
	const char *migration;      /* "005_existing_tables.sql", … */
	bool table_missing;         /* the whole table is not there */
};

/*
 * What s lacks of schema_tables: *gaps (allocated, free with
 * schema_gaps_release) and *n, in table order; 0, or -1 + e when the store
 * cannot tell.
 */
int schema_gaps(struct store *s, struct schema_gap **gaps, size_t *n, struct err *e);
void schema_gaps_release(struct schema_gap *gaps, size_t n);

/*
 * Checks s has every table and column of schema_tables. 0 when it does; -1
 * with ERR_STORE naming what is missing and how the store catches up, or
 * with the store's own error when it cannot tell.
 */
int schema_check(struct store *s, struct err *e);

#endif
