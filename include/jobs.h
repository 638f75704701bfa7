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
#include "progress.h"
#include "store.h"

/* What a job needs before it can start; main checks these up front. */
#define JOB_NEEDS_REPO   0x1u /* the repository setting */
#define JOB_NEEDS_STORE  0x2u /* a store */
#define JOB_NEEDS_GITHUB 0x4u /* a GitHub client */

/* A GitHub id -> store row id (UUID) cache, so a run upserts each contributor once. */
struct idcache {
	int64_t *keys;
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

	struct idcache contributors;

	/* Tallies for the outputs. */
	size_t processed, failed, skipped;
};

struct job {
	const char *name;
	const char *help; /* one line for --help */
	unsigned needs;
	int (*run)(struct job_ctx *ctx, struct err *e);
};

/* The table of commands, ending with a zeroed entry. */
extern const struct job job_table[];

/* The job named name, or NULL. */
const struct job *job_find(const char *name);

/* jobs/pr_details.c */
int job_pr_details(struct job_ctx *ctx, struct err *e);

/*
 * Shared by the jobs (jobs/common.c).
 */

/*
 * Resolves ctx->repository_id: the repository-id setting, checked against the
 * store (it must exist and be the configured repository), or else the row
 * upserted from GitHub's repository (by github_id). In a dry run nothing is
 * written: an existing row is looked up by name, else the id stays "".
 */
int jobs_resolve_repository(struct job_ctx *ctx, struct err *e);

/*
 * Upserts the contributors among users[0..n) not yet in ctx's cache (users
 * with id 0 are skipped) and caches their row ids. No-op in a dry run.
 */
int jobs_upsert_contributors(struct job_ctx *ctx, const struct gh_user *const *users, size_t n,
			     struct err *e);

/* A cached contributor row id, or NULL. */
const char *jobs_contributor_id(const struct job_ctx *ctx, int64_t github_id);

void idcache_release(struct idcache *c);

#endif
