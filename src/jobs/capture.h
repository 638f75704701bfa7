/*
 * jobs/capture.h - what the PR sink (capture.c) and its writer (flush.c)
 * share: the rows of the pull requests fetched and not yet written.
 *
 * The sink builds each PR's rows as its parts arrive and keeps them; the ids
 * a row refers to (its PR's row, a contributor's, a parent comment's) are
 * not known yet, so each such cell is a fix resolved when the rows are
 * written. Rows of many PRs are written together, one request per table
 * (flush.c), in dependency order, the capture marks last.
 */
#ifndef PC_JOBS_CAPTURE_H
#define PC_JOBS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idcache.h"
#include "jobs.h"
#include "rows.h"
#include "util.h"

#define FLUSH_PRS  100   /* PRs written together */
#define FLUSH_ROWS 20000 /* or fewer, when their rows run to this many */
/* Or the PRs done so far, when the rows kept hold this much (long bodies), */
#define FLUSH_BYTES ((size_t)8 << 20)
/*
 * or when the first of them was done this long ago: when fetching is slow
 * (REST, a far GitHub), rows still reach the store every few seconds, so
 * progress shows and a killed run loses little.
 */
#define FLUSH_MS 2000
#define GITHUB_FILES_LIMIT 3000 /* GitHub lists at most this many files of a PR */

/* A cell whose value is an id known only when the rows are written. */
enum fix_kind {
	FIX_PR,    /* the row id of the PR numbered key */
	FIX_USER,  /* the contributor row id of GitHub account key */
	FIX_PARENT /* the row id of the comment whose GitHub id is key */
};

struct fix {
	size_t row;
	const char *col; /* static */
	enum fix_kind kind;
	int64_t key;
};

/* One table's rows of one PR, and their fixes in row order. */
struct rows {
	struct rowset rs;
	struct fix *fixes;
	size_t nfixes;
};

/* The tables a PR's rows go to, in the order they are written. */
enum rows_of { R_USERS, R_PULL, R_FILES, R_REVIEWS, R_ROOTS, R_REPLIES, R__N };

/* What is known of one PR between its pull() and the write of its rows. */
struct pr_rec {
	int number;
	int64_t github_id;
	char id[UUID_STR_SIZE]; /* the PR row, once written */
	bool done;              /* done() came without a failure: its rows are whole */
	unsigned whole;         /* the parts GitHub listed whole (nothing hidden) */
	char *updated_at;
	char *etag; /* of its REST answer (GET /pulls/{n}), kept on its capture marks */
	char *title, *state, *author;
	int64_t additions, deletions, changed_files;
	char **seen; /* file names delivered (repeats possible until written) */
	size_t nseen;
	struct idcache reviews;    /* review GitHub id -> "" (stored) or "pending" */
	size_t nreviews, npending; /* distinct reviews stored, and still pending */
	struct idcache delivered;  /* comments GitHub listed: GitHub id -> "" */
	size_t ncomments;          /* distinct */
	struct rows rows[R__N];
};

struct sink {
	struct job_ctx *ctx;
	unsigned parts;
	bool quiet; /* rows other work needs: no progress, tallies or summary */
	struct pr_rec *recs;
	size_t nrecs;
	int64_t first_done_ms;    /* when the first PR kept was done (clock_mono_ms); 0: none */
	struct idcache comments;  /* comment GitHub id -> row id, of the write under way */
	int64_t *left;            /* PRs not yet written whole: the resume cursor */
	size_t nleft;
};

/* Appends a fix for the last row of r. */
void rows_fix(struct rows *r, const char *col, enum fix_kind kind, int64_t key);

/*
 * Writes the rows of every PR done (flush.c), then marks them captured and
 * counts them; PRs whose rows a store refuses fail alone. The written and
 * failed PRs leave s. -1 + e only for what stops the run.
 */
int sink_flush(struct sink *s, struct err *e);

/* Frees r and zeroes it. */
void rec_clear(struct pr_rec *r);

/* Records that PR number is written whole: the resume cursor moves past it. */
void sink_leave(struct sink *s, int number);

#endif
