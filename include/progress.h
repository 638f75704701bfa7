/*
 * progress.h - job tracking in the store: the progressive_capture_jobs row
 * and its one progressive_capture_progress row.
 *
 * Lifecycle: a given job-id names an existing row, else a new row is inserted
 * as pending; then processing (started_at, workflow_run_id, run URL in
 * metadata) and finally completed | partial | failed (completed_at, error).
 * The progress row is PATCHed by its id as items complete, at most every
 * PROGRESS_PATCH_MS and always at the end, with the run's resume cursor. While
 * the run waits or works, progress_heartbeat touches both rows at least every
 * PROGRESS_HEARTBEAT_MS (job metadata.heartbeat_at, progress updated_at), so a
 * live job never looks stale. (A dry run's store takes no writes: nothing
 * here knows about it.)
 */
#ifndef PC_PROGRESS_H
#define PC_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "store.h"
#include "util.h"

#define PROGRESS_PATCH_MS     2000
#define PROGRESS_MAX_ERRORS   50
#define PROGRESS_HEARTBEAT_MS 30000

struct progress_options {
	const char *job_id;   /* existing row, or NULL to create one */
	const char *job_type; /* contributor.info's name of the work: "pr-details", "reviews", … */
	const char *command;  /* the command that runs it, kept in the metadata */
	const char *repository;    /* owner/name, for metadata */
	int time_range;            /* days, or 0 */
	const int64_t *pr_numbers; /* for metadata; may be NULL */
	size_t n_pr_numbers;
	const char *run_id;  /* GITHUB_RUN_ID or NULL */
	const char *run_url; /* link to the workflow run, or NULL */
};

struct progress;

/*
 * Finds or creates the job row and marks it processing, and finds or creates
 * its progress row. A job_id with no row is ERR_NOT_FOUND. NULL + e on
 * failure. Free with progress_free.
 */
struct progress *progress_start(struct store *s, const struct progress_options *o, struct err *e);
void progress_free(struct progress *p);

/* The job row's id (a UUID). Borrowed from p. */
const char *progress_job_id(const struct progress *p);

/* Records the repository row once known (PATCHes the job row). */
int progress_set_repository(struct progress *p, const char *repository_id, struct err *e);

/* Sets the number of items this run will try. */
int progress_set_total(struct progress *p, size_t total, struct err *e);

/*
 * Counts one finished item: current names it ("#123"); failure is NULL when
 * it was captured, else why not (its message and code are kept in the
 * bounded error list). PATCHes when due.
 */
int progress_item(struct progress *p, const char *current, const struct err *failure,
		  struct err *e);

/* Sets the resume cursor (cursor.h) written with the next PATCH; NULL clears it. */
void progress_set_cursor(struct progress *p, const char *cursor);

/* The cursor an earlier run of the same job left in its progress row, or NULL. Borrowed. */
const char *progress_resume_cursor(const struct progress *p);

/*
 * Touches the job and progress rows when PROGRESS_HEARTBEAT_MS has passed
 * since the last write to them (a clock tick hook: ud is the progress).
 * Failures are logged once, not returned: a heartbeat must not end a run.
 */
void progress_heartbeat(void *ud);

/*
 * Ends the job: final counters, status, completed_at, error (NULL when none),
 * and extra metadata (a JSON object text merged into the row's metadata, may
 * be NULL).
 */
int progress_finish(struct progress *p, enum job_status status, const char *error,
		    const char *metadata_json, struct err *e);

/*
 * Jobs queued for later runs (plan's shards, dispatch): a job row in
 * 'pending' with its progress row, which holds the work as a resume cursor
 * so the run given only the job id takes exactly that work.
 */

/* A key of a job's metadata: text, or a number when text is NULL. */
struct job_meta {
	const char *key;
	const char *text;
	int64_t num;
};

struct job_queued {
	const char *job_type;      /* contributor.info's name of the work */
	const char *command;       /* the command that will run it (metadata.command) */
	const char *repository;    /* owner/name (metadata.repository_name), or NULL */
	const char *repository_id; /* its row, or NULL */
	int time_range;            /* days, or 0 */
	const struct job_meta *meta;
	size_t nmeta;
	int64_t run_id;     /* the workflow run it belongs to (workflow_run_id), 0: none yet */
	size_t total;       /* items it will take (its progress row's total), 0: unknown */
	const char *cursor; /* its work as a resume cursor (cursor.h), or NULL */
	/* A JSON object whose keys are added last (values meta cannot hold: arrays), or NULL. */
	const char *meta_json;
};

/* Creates a pending job row and its progress row; id_out receives the job's id. */
int progress_queue(struct store *s, const struct job_queued *q, char id_out[UUID_STR_SIZE],
		   struct err *e);

/*
 * Records on a queued job the run that will take it: workflow_run_id, and in
 * its metadata workflow_run_url and dispatched_at (other keys kept). A run id
 * of 0 (not known yet) records dispatched_at alone.
 */
int progress_dispatched(struct store *s, const char *job_id, int64_t run_id, const char *run_url,
			struct err *e);

/* Ends a job that did not run: failed, with error and completed_at. */
int progress_fail(struct store *s, const char *job_id, const char *error, struct err *e);

/*
 * Ends a job whose work another took over (migrate-inngest: a job of the
 * queue that replaces its own): status (e.g. "cancelled") and error set, and
 * the keys of metadata_json (a JSON object text, may be NULL) added to its
 * metadata, the keys others wrote kept. completed_at is left as it is: the
 * work was not done here, so no duration may count it. A job_id with no row
 * is ERR_NOT_FOUND.
 */
int progress_mark(struct store *s, const char *job_id, const char *status, const char *error,
		  const char *metadata_json, struct err *e);

/* A status's name: "completed", "partial" or "failed"; static. */
const char *job_status_name(enum job_status s);

#endif
