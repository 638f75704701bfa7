/*
 * jobs.h - the commands, as a table, and what every job shares.
 *
 * A job is a short mapping of GitHub data to rows: it speaks only to github,
 * store, progress and output (never to curl, cJSON trees or SQL). main()
 * builds the context, runs the job, and turns its result into a job status,
 * outputs, a summary and an exit code.
 */
#ifndef PC_JOBS_H
#define PC_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "github.h"
#include "model.h"
#include "output.h"
#include "prfetch.h"
#include "progress.h"
#include "store.h"

/* What a job needs before it can start; main checks these up front. */
#define JOB_NEEDS_REPO   0x1u /* the repository setting */
#define JOB_NEEDS_STORE  0x2u /* a store */
#define JOB_NEEDS_GITHUB 0x4u /* a GitHub client */

/* GitHub id -> store row id (UUID), a hash table; e.g. so a run upserts each contributor once. */
struct idcache {
	int64_t *keys; /* 0 = empty slot */
	char (*ids)[37];
	size_t n, cap;
};

struct job_ctx {
	const struct config *cfg;
	struct gh *gh;
	struct store *store;
	struct progress *progress;
	struct summary *summary;

	/* The repository being captured, once resolved. */
	char repository_id[37]; /* "" until known (or in a dry run with no row) */
	char *repository_full_name;
	int64_t repository_github_id;
	char *default_branch;

	struct idcache contributors;

	/* Tallies for the outputs. */
	size_t processed, failed, skipped;

	/* Where this run stopped (cursor.h), when it captured a list of PRs; else NULL. */
	char *resume_cursor;
};

/* The bit of a setting in a job's options mask. */
#define OPT_BIT(id) (UINT64_C(1) << (id))

/* Settings every capture command takes. */
#define JOB_COMMON_OPTIONS                                                                         \
	(OPT_BIT(OPT_REPOSITORY) | OPT_BIT(OPT_REPOSITORY_ID) | OPT_BIT(OPT_TIME_RANGE) |          \
	 OPT_BIT(OPT_JOB_ID) | OPT_BIT(OPT_GITHUB_TOKEN) | OPT_BIT(OPT_SUPABASE_URL) |             \
	 OPT_BIT(OPT_SUPABASE_KEY) | OPT_BIT(OPT_DATABASE) | OPT_BIT(OPT_API) |                    \
	 OPT_BIT(OPT_MAX_WAIT) | OPT_BIT(OPT_TIME_LIMIT) | OPT_BIT(OPT_REQUEST_TIMEOUT) |          \
	 OPT_BIT(OPT_FAIL_ON_PARTIAL) | OPT_BIT(OPT_DRY_RUN))

struct job {
	const char *name;
	const char *help; /* one line for --help */
	unsigned needs;
	uint64_t options; /* the settings it uses (OPT_BIT), for its --help and warnings */
	int (*run)(struct job_ctx *ctx, struct err *e);
	/* Settings this command refuses, checked before anything is sent; may be NULL. */
	int (*check)(const struct config *cfg, struct err *e);
};

/* The table of commands, ending with a zeroed entry. */
extern const struct job job_table[];

/* The job named name, or NULL. */
const struct job *job_find(const char *name);

/* The commands, one file each in src/jobs/. */
int job_pr_details(struct job_ctx *ctx, struct err *e);
int job_pr_reviews(struct job_ctx *ctx, struct err *e);
int job_pr_comments(struct job_ctx *ctx, struct err *e);
int job_pr_all(struct job_ctx *ctx, struct err *e);
int job_repository_sync(struct job_ctx *ctx, struct err *e);
int job_commit_analysis(struct job_ctx *ctx, struct err *e);
int check_pr_comments(const struct config *cfg, struct err *e);

/*
 * Shared by the jobs (jobs/common.c).
 */

/*
 * Resolves ctx->repository_id: the repository-id setting, checked against the
 * store (it must exist and be the configured repository), or else the row
 * upserted from GitHub's repository (by github_id). refresh: upsert the row
 * from GitHub even when repository-id names it. In a dry run nothing is
 * written: an existing row is looked up by GitHub id, else the id stays "".
 */
int jobs_resolve_repository(struct job_ctx *ctx, bool refresh, struct err *e);

/*
 * Upserts the contributors among users[0..n) not yet in ctx's cache (users
 * with id 0 are skipped) and caches their row ids. No-op in a dry run.
 */
int jobs_upsert_contributors(struct job_ctx *ctx, const struct gh_user *const *users, size_t n,
			     struct err *e);

/*
 * The user as stored: an account GitHub no longer has (id 0) becomes GitHub's
 * "ghost" (id 10137), as its pages show it; reviews need an author.
 */
const struct gh_user *jobs_stored_user(const struct gh_user *u);

/* A cached contributor row id, or NULL. */
const char *jobs_contributor_id(const struct job_ctx *ctx, int64_t github_id);

/*
 * Adds c as a row of rs (a comments rowset): kind says which columns it has;
 * pr_id is its pull request's row, reply_to_id its parent comment's row (a
 * UUID, never a GitHub id; NULL when none or not yet known). Its commenter
 * must be cached (jobs_upsert_contributors).
 */
void jobs_comment_row(const struct job_ctx *ctx, struct rowset *rs, const struct gh_comment *c,
		      enum gh_comment_kind kind, const char *pr_id, const char *reply_to_id);

/*
 * jobs/capture.c: pull requests with the given parts (gql.h PR_*), fetched
 * over the configured API and written: the PR row always (with its author
 * and merger), then files (stale ones removed once the list is whole),
 * reviews (PENDING ones skipped and counted), conversation and review
 * comments (replies linked to their parent's row). Each PR that was written
 * whole is marked with a pull_request_captures row per part; failures are counted,
 * logged and kept in the progress row, and the others go on.
 */
int capture_pulls(struct job_ctx *ctx, const int64_t *numbers, size_t n, unsigned parts,
		  struct err *e);

/*
 * The rows of pull requests other work needs (a comment's, a commit's PR),
 * without parts: no progress items, tallies or summary rows; a PR that
 * cannot be fetched is logged and left out.
 */
int capture_pull_rows(struct job_ctx *ctx, const int64_t *numbers, size_t n, struct err *e);

/*
 * Adds to prs (PR number -> row id) the rows of numbers[0..n), reading the
 * store and capturing the rows of PRs it lacks (capture_pull_rows).
 */
int capture_pull_ids(struct job_ctx *ctx, struct idcache *prs, const int64_t *numbers, size_t n,
		     struct err *e);

/* Adds to ids the row ids of the stored comments c[i].in_reply_to points at. */
int jobs_lookup_parents(struct job_ctx *ctx, struct idcache *ids, const struct gh_comment *c,
			size_t n, struct err *e);

/*
 * The PRs created in the last time-range days (GitHub's list, newest first)
 * that lack any of parts in the store: no pull_request_captures row, or one
 * older than GitHub's updated_at. The others are counted as skipped. *out is
 * allocated (caller frees).
 */
int select_lacking(struct job_ctx *ctx, unsigned parts, int64_t **out, size_t *n, struct err *e);

/* The numbers to capture: pr-numbers if given, else select_lacking; max-items applied. */
int select_pulls(struct job_ctx *ctx, unsigned parts, int64_t **out, size_t *n, struct err *e);

/* Resolves the repository (jobs_resolve_repository) and records it in the job row. */
int jobs_begin(struct job_ctx *ctx, bool refresh, struct err *e);

/* A column and the text to set it to. */
struct col_val {
	const char *col;
	const char *val;
};

/* Sets columns of the repository's row (no-op in a dry run). */
int jobs_repository_update(struct job_ctx *ctx, const struct col_val *set, size_t n, struct err *e);

/* A capture watermark (GitHub time, ISO) of the repository: 1 found, 0 none, -1 error. */
int jobs_watermark_get(struct job_ctx *ctx, const char *stream, char out[32], struct err *e);
int jobs_watermark_set(struct job_ctx *ctx, const char *stream, const char *iso, struct err *e);

/* The api setting as prfetch wants it. */
struct prfetch_options jobs_fetch_options(const struct job_ctx *ctx, unsigned parts);

const char *idcache_get(const struct idcache *c, int64_t key);
void idcache_put(struct idcache *c, int64_t key, const char *id);
void idcache_release(struct idcache *c);

#endif
