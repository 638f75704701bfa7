/*
 * queue.h - the job queue as the store holds it, read back: job rows
 * (progressive_capture_jobs) and their progress rows as typed structs, and
 * when a job has gone stale. For the commands that report on jobs (status,
 * stats), which never see the rows' JSON. Reads only: progress.h writes them.
 *
 * Time stamps are epoch seconds, 0 when the row has none (or one that is not
 * a time stamp). Strings are owned by their struct and freed by its release.
 */
#ifndef PC_QUEUE_H
#define PC_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "store.h"

/*
 * A job "processing" with no sign of life for longer than this is stale:
 * its run is gone. The rule of migration 004's reaper
 * (progressive_capture_reap_stale_jobs), whose default is the same.
 */
#define QUEUE_STALE_S 600

struct queue_job {
	char *id, *job_type, *processor_type, *status, *error; /* NULL when the row has none */
	time_t created_at, started_at, completed_at;
	int64_t workflow_run_id; /* 0: none */
	/* From its metadata: */
	char *run_url;       /* workflow_run_url, or NULL */
	time_t heartbeat_at; /* heartbeat_at, a running job's touch every 30 s */
	/* Its progress row's updated_at (touched with the heartbeat), when read. */
	time_t progress_at;
};
void queue_job_release(struct queue_job *j);

struct queue_progress {
	int64_t total; /* -1: not known */
	int64_t processed, failed;
	char *current_item, *resume_cursor; /* NULL when none */
	time_t updated_at;
};
void queue_progress_release(struct queue_progress *p);

/* job_id's row, its metadata read: 1 found, 0 no such row, -1 + e. Release *out after 1. */
int queue_job_get(struct store *s, const char *job_id, struct queue_job *out, struct err *e);

/*
 * job_id's progress row (the one touched last, should an older system have
 * left several) into *out: 1 found, 0 none, -1 + e. Release *out after 1.
 */
int queue_progress_get(struct store *s, const char *job_id, struct queue_progress *out,
		       struct err *e);

/* Which jobs queue_jobs_list reads. */
struct queue_filter {
	time_t since;   /* created at or after this */
	int64_t run_id; /* when > 0: the jobs of this workflow run instead, whenever created */
};

/*
 * The jobs the filter selects, oldest first, into *out (allocated; free
 * with queue_jobs_free) and *n. Read with filters, every page, never a table
 * whole. Only the "processing" ones get their metadata and progress rows
 * read (heartbeat_at, progress_at, run_url): what staleness needs.
 */
int queue_jobs_list(struct store *s, const struct queue_filter *f, struct queue_job **out,
		    size_t *n, struct err *e);
void queue_jobs_free(struct queue_job *jobs, size_t n);

/* The latest sign of life of j: started_at (else created_at), heartbeat_at, progress_at. */
time_t queue_alive_at(const struct queue_job *j);

/* true if j is "processing" with no sign of life for over QUEUE_STALE_S at now. */
bool queue_stale(const struct queue_job *j, time_t now);

#endif
