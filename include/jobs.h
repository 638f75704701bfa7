/*
 * jobs.h - what every command (src/jobs/) shares: the context a job runs
 * in, and the helpers that map GitHub's structs to rows.
 *
 * A job is a short mapping of GitHub data to rows: it speaks only to the
 * typed fetches (github.h, prfetch.h, commitfetch.h), the store (store.h,
 * rows.h), progress and output; never to curl, cJSON trees or SQL. main()
 * (which keeps the table of commands) builds the context, runs the job and
 * turns its result into a job status, outputs, a summary and an exit code.
 * A dry run's store takes no writes (store_open_dry): jobs do not branch on it.
 */
#ifndef PC_JOBS_H
#define PC_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "idcache.h"
#include "model.h"
#include "output.h"
#include "rows.h"
#include "store.h"
#include "util.h"

struct gh;
struct progress;

struct job_ctx {
	const struct config *cfg;
	struct gh *gh;
	struct store *store;
	struct progress *progress;
	struct summary *summary;

	/* The repository being captured, once resolved. */
	char repository_id[UUID_STR_SIZE];
	char *repository_full_name;
	int64_t repository_github_id;
	char *default_branch;

	struct idcache contributors; /* GitHub user id -> contributors row */

	/* Tallies for the outputs: items (PRs, comments, commits) captured, failed, up to date. */
	size_t processed, failed, skipped;
	size_t pending_reviews; /* reviews still PENDING on GitHub: not stored */
	size_t pulls_written;   /* pull_requests rows upserted (the repository's counts follow) */

	/* Where this run stopped (cursor.h), when it captured a list of PRs; else NULL. */
	char *resume_cursor;

	/* A command with no job row of its own (plan, status, …): its outputs, and
	 * how the run ends when it returns 0 (status --wait ends as the job did). */
	struct outputs *outs;
	enum job_status result;
	double time_scale; /* multiplies the waits of polls (tests) */
};

/* The commands, one file each in src/jobs/. */
int job_pr_details(struct job_ctx *ctx, struct err *e);
int job_pr_reviews(struct job_ctx *ctx, struct err *e);
int job_pr_comments(struct job_ctx *ctx, struct err *e);
int job_pr_all(struct job_ctx *ctx, struct err *e);
int job_repository_sync(struct job_ctx *ctx, struct err *e);
int job_commit_analysis(struct job_ctx *ctx, struct err *e);
int check_pr_comments(const struct config *cfg, struct err *e);
int job_plan(struct job_ctx *ctx, struct err *e);
int job_doctor(struct job_ctx *ctx, struct err *e);
int check_plan(const struct config *cfg, struct err *e);
int job_dispatch(struct job_ctx *ctx, struct err *e);
int check_dispatch(const struct config *cfg, struct err *e);
int job_status(struct job_ctx *ctx, struct err *e);
int check_status(const struct config *cfg, struct err *e);
int job_stats(struct job_ctx *ctx, struct err *e);
int check_stats(const struct config *cfg, struct err *e);
int job_migrate_inngest(struct job_ctx *ctx, struct err *e);
int check_migrate_inngest(const struct config *cfg, struct err *e);
/* event's check returns 1 for an event with nothing to capture (said in a notice): exit 0. */
int job_event(struct job_ctx *ctx, struct err *e);
int check_event(const struct config *cfg, struct err *e);

/*
 * jobs/dispatch.c: starts ctx->cfg's workflow (on workflow-repository@ref)
 * for the queued job id, with the inputs names[i]=values[i] (at most 24) and
 * job-id=id, and records the run on the job (progress_dispatched). A dispatch
 * GitHub refuses fails the job with GitHub's words (progress_fail) and
 * returns -1. *run_id is the run's id (0 while not known) and *run_url its
 * page (allocated, caller frees; NULL while not known), even on failure.
 */
int jobs_dispatch_job(struct job_ctx *ctx, const char *id, const char *const *names,
		      const char *const *values, size_t n, int64_t *run_id, char **run_url,
		      struct err *e);

/*
 * jobs/common.c: the repository, contributors, comments, watermarks.
 */

/*
 * Resolves ctx->repository_id: the repository-id setting, checked against the
 * store (it must exist and be the configured repository), or else the row
 * upserted from GitHub's repository (by github_id). refresh: upsert the row
 * from GitHub even when repository-id names it. Then records it in the job row.
 */
int jobs_begin(struct job_ctx *ctx, bool refresh, struct err *e);

/*
 * The user as stored: an account GitHub no longer has (id 0) becomes GitHub's
 * "ghost" (id 10137), as its pages show it; reviews need an author. Borrowed:
 * u itself, or a static.
 */
const struct gh_user *jobs_stored_user(const struct gh_user *u);

/*
 * Contributor rows of users[0..n) (NULL, id 0 and the ones already cached
 * skipped) appended to rs (a schema_rowset of SCHEMA_CONTRIBUTORS), then
 * written on github_id with their row ids cached; a login another account's
 * row holds is freed first (jobs/renames.c). jobs_upsert_contributors does
 * both.
 */
void jobs_contributor_rows(struct job_ctx *ctx, struct rowset *rs,
			   const struct gh_user *const *users, size_t n);
int jobs_write_contributors(struct job_ctx *ctx, const struct rowset *rs, struct err *e);
int jobs_upsert_contributors(struct job_ctx *ctx, const struct gh_user *const *users, size_t n,
			     struct err *e);

/* A cached contributor row id, or NULL. Borrowed from the cache. */
const char *jobs_contributor_id(const struct job_ctx *ctx, int64_t github_id);

/*
 * Upserts rs on its github_id and puts each written row's id into ids
 * (GitHub id -> row id). -1 + e when the store refuses, or a row comes back
 * without its ids.
 */
int jobs_upsert_ids(struct job_ctx *ctx, const struct rowset *rs, struct idcache *ids,
		    struct err *e);

/* A comments rowset (initialised by the call) with the columns of a comment of kind. */
void jobs_comment_rows(struct rowset *rs, enum gh_comment_kind kind);

/*
 * Adds c as a row of rs (from jobs_comment_rows of c's kind): pr_id is its
 * pull request's row, reply_to_id its parent comment's row (a UUID, never a
 * GitHub id; NULL when none or not yet known). Its commenter must be cached
 * (jobs_upsert_contributors of jobs_stored_user(&c->author)).
 */
void jobs_comment_row(const struct job_ctx *ctx, struct rowset *rs, const struct gh_comment *c,
		      const char *pr_id, const char *reply_to_id);

/* A reviews rowset (initialised by the call) with the columns of a review. */
void jobs_review_rows(struct rowset *rs);

/*
 * Adds r as a row of rs (from jobs_review_rows): pr_id is its pull request's
 * row. Its author must be cached (jobs_upsert_contributors of
 * jobs_stored_user(&r->author)). A PENDING review is not stored: the caller
 * skips it (jobs_review_pending).
 */
void jobs_review_row(const struct job_ctx *ctx, struct rowset *rs, const struct gh_review *r,
		     const char *pr_id);

/* A review still PENDING on GitHub: it has no submission time and is not stored. */
bool jobs_review_pending(const struct gh_review *r);

/* Adds to ids the row ids of the stored comments c[i].in_reply_to points at. */
int jobs_lookup_parents(struct job_ctx *ctx, struct idcache *ids, const struct gh_comment *c,
			size_t n, struct err *e);

/* Counts an item that failed on its own (label: "#12", "commit 0abc…"), logs it, keeps the reason. */
int jobs_item_failed(struct job_ctx *ctx, const char *label, const struct err *why, struct err *e);

/*
 * contributor.info's name of a command's work, its job rows' job_type
 * (pr-reviews: "reviews", pr-all: "historical-pr-sync", …); the command's
 * own name for one it has no name for.
 */
const char *jobs_job_type(const char *command);

/* A column and the text to set it to. */
struct col_val {
	const char *col;
	const char *val;
};

/* Sets columns of the repository's row. */
int jobs_repository_update(struct job_ctx *ctx, const struct col_val *set, size_t n, struct err *e);

/*
 * Sets the repository's pull_request_count and total_pull_requests to the
 * number of its stored pull requests, as contributor.info's own trigger and
 * consistency check define them. Only ever raised: PR rows are never
 * deleted, so of shards finishing in any order the largest count is the
 * latest.
 */
int jobs_update_pull_counts(struct job_ctx *ctx, struct err *e);

/*
 * jobs/renames.c: a login or repository name the store holds for another
 * GitHub id than the one GitHub now gives it to. The holder's row keeps its
 * id and history and takes its current name (GitHub, by id), or a marked
 * former name "<name>#<github id>" when GitHub has it no more; a warning
 * says so. Called when writing a row met a unique-key conflict (ERR_CONFLICT).
 */
int jobs_free_logins(struct job_ctx *ctx, const struct rowset *rs, struct err *e);
int jobs_free_repository_name(struct job_ctx *ctx, const struct gh_repo *r, struct err *e);
/* The repository's row of PR number under another GitHub id takes github_id (warned). */
int jobs_adopt_pull(struct job_ctx *ctx, int number, int64_t github_id, struct err *e);

/* A capture watermark (GitHub time, ISO) of the repository: 1 found, 0 none, -1 error. */
int jobs_watermark_get(struct job_ctx *ctx, const char *stream, char out[32], struct err *e);
int jobs_watermark_set(struct job_ctx *ctx, const char *stream, const char *iso, struct err *e);

/* The time-range cut-off: now less time-range days, as GitHub writes time ("…Z"). */
void jobs_since(const struct job_ctx *ctx, char out[21]);

/*
 * jobs/capture.c: pull requests with the given parts (model.h PR_*), fetched
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
 * Adds to prs (PR number -> row id) the rows of numbers[0..n), reading the
 * store and capturing the rows of PRs it lacks (their fields only; no
 * progress items, tallies or summary rows; a PR that cannot be fetched is
 * logged and left out).
 */
int capture_pull_ids(struct job_ctx *ctx, struct idcache *prs, const int64_t *numbers, size_t n,
		     struct err *e);

/*
 * jobs/commit_analysis.c: the default branch's commits committed at or after
 * since (ISO), each linked to its pull request or marked direct, written;
 * only those of only[0..n_only) when only is not NULL (a push's commits),
 * and *missing (if not NULL) is then how many of them the walk did not meet.
 * ctx must be begun (jobs_begin) and know its default branch.
 */
int commits_capture(struct job_ctx *ctx, const char *since, const char *const *only, size_t n_only,
		    size_t *missing, struct err *e);

/*
 * jobs/select.c: which pull requests to capture.
 */

/*
 * The numbers to capture: the resume cursor's (given, or left in the job's
 * progress row), else pr-numbers, else the PRs created in the last
 * time-range days that lack any of parts in the store (no
 * pull_request_captures row, or one older than GitHub's updated_at; the
 * others are counted as skipped), a shard's share of them; max-items
 * applied. *out is allocated (caller frees).
 */
int select_pulls(struct job_ctx *ctx, unsigned parts, int64_t **out, size_t *n, struct err *e);

/*
 * Drops from numbers[0..*n) the pull requests GitHub says are unchanged
 * since their capture of parts (jobs/resync.c), counting them as skipped:
 * one GraphQL point per 100 PRs captured before, or a conditional REST GET
 * each (a 304 costs no primary point). PRs never captured are not asked about.
 */
int resync_changed(struct job_ctx *ctx, unsigned parts, int64_t *numbers, size_t *n, struct err *e);

/* The cursor a run resumes from: the resume-cursor setting, or the one its job's last run (or plan) left; NULL. */
const char *select_resume_cursor(const struct job_ctx *ctx);

/*
 * Which of numbers[0..n) (with GitHub's updated_at[i], epoch s) have every
 * one of parts captured at that very updated_at: bit p of current[i] set for
 * each part p that is current. For PR_FILES the PR row must agree too. The
 * store answers (its function progressive_capture_lacking, the one
 * definition), SELECT_CHUNK pull requests a call.
 */
#define SELECT_CHUNK 1000
int select_current(struct job_ctx *ctx, unsigned parts, const int64_t *numbers,
		   const time_t *updated_at, size_t n, unsigned *current, struct err *e);

#endif
