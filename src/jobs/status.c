/*
 * jobs/status.c - status: one job as the store and GitHub know it: its
 * state, progress, workflow run, last sign of life and an ETA. With wait it
 * polls until the job ends and ends the run as the job did (exit 0, 3 or 1).
 * A job that goes stale (processing, no sign of life for QUEUE_STALE_S), or
 * whose run ended while the job never did, ends the wait as failed. Writes
 * nothing. GitHub is optional: without a token the run's state is not read,
 * and GitHub's faults never end a wait (the store's row is the truth).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "jobs.h"
#include "log.h"
#include "queue.h"
#include "util.h"

/* After GitHub failed or limited us, its reads space out, up to this many polls apart. */
#define RUN_GAP_MAX 32

/* What one poll saw. */
struct look {
	struct queue_job job;
	struct queue_progress prog;
	bool has_prog;
	time_t now;
};

/* The job's workflow run, as GitHub was last asked about it. */
struct watch {
	const struct job_ctx *ctx;
	char *owner, *name; /* the run's repository, NULL when unknown */
	int64_t run_id;     /* 0: none recorded */
	struct gh_run run;
	bool has_run;
	char note[ERR_MSG_MAX + 16];       /* why the run's state is not known, when it is not */
	int64_t poll_ms;                   /* the poll interval (scaled in tests) */
	int64_t gap_ms;                    /* between GitHub reads: poll_ms, longer after a fault */
	int64_t next_ms;                   /* monotonic time of the next GitHub read */
	char last_line[ERR_MSG_MAX + 512]; /* the last progress line logged */
};

int
check_status(const struct config *cfg, struct err *e)
{
	if (cfg->job_id == NULL)
		return err_set(e, ERR_INPUT, "status needs job-id (the job row's UUID)");
	return 0;
}

static void
look_release(struct look *l)
{
	queue_job_release(&l->job);
	if (l->has_prog)
		queue_progress_release(&l->prog);
	l->has_prog = false;
}

/* Reads the job and its progress row; a job with no row is ERR_NOT_FOUND. */
static int
read_job(struct job_ctx *ctx, struct look *l, struct err *e)
{
	const char *id = ctx->cfg->job_id;
	int rc;

	look_release(l);
	rc = queue_job_get(ctx->store, id, &l->job, e);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "job '%s' not found in progressive_capture_jobs",
			       id);
	if (rc < 0)
		return -1;
	rc = queue_progress_get(ctx->store, id, &l->prog, e);
	if (rc < 0)
		return -1;
	l->has_prog = rc == 1;
	if (l->has_prog)
		l->job.progress_at = l->prog.updated_at;
	l->now = clock_now();
	return 0;
}

static bool
is(const char *status, const char *name)
{
	return status != NULL && strcmp(status, name) == 0;
}

/* Still to end: pending or processing. */
static bool
live(const struct queue_job *j)
{
	return is(j->status, "pending") || is(j->status, "processing");
}

/* The job's state as the status output says it: its row's, or "stale". */
static const char *
state_of(const struct look *l)
{
	if (queue_stale(&l->job, l->now))
		return "stale";
	return l->job.status != NULL ? l->job.status : "unknown";
}

/*
 * From ".../{owner}/{name}/actions/runs/{id}[/...]", the run's repository and
 * id (0 when the URL has none); false when url is not such a URL.
 */
static bool
run_url_parts(const char *url, char **owner, char **name, int64_t *id)
{
	const char *runs = url != NULL ? strstr(url, "/actions/runs/") : NULL;
	const char *n, *o;
	char *digits;

	if (runs == NULL || runs == url)
		return false;
	for (n = runs - 1; n > url && *n != '/'; n--)
		;
	for (o = n - 1; o > url && *o != '/'; o--)
		;
	if (*o != '/' || *n != '/' || n - o < 2 || runs - n < 2)
		return false;
	*owner = xstrndup(o + 1, (size_t)(n - o - 1));
	*name = xstrndup(n + 1, (size_t)(runs - n - 1));
	digits = xstrndup(runs + strlen("/actions/runs/"),
			  strcspn(runs + strlen("/actions/runs/"), "/?#"));
	if (parse_int64(digits, 1, INT64_MAX, id) < 0)
		*id = 0;
	free(digits);
	return true;
}

static void
watch_forget_run(struct watch *w)
{
	gh_run_release(&w->run);
	w->has_run = false;
	w->next_ms = 0;
	w->gap_ms = w->poll_ms;
}

/*
 * Which run to ask GitHub about: the job's workflow_run_id (else the id in
 * its run URL), in the repository of metadata.workflow_run_url (where it
 * ran), else of the workflow-repository setting (else GITHUB_REPOSITORY).
 */
static void
run_target(struct watch *w, const struct queue_job *j)
{
	const struct config *cfg = w->ctx->cfg;
	const char *repo = cfg->dispatch_repository != NULL ? cfg->dispatch_repository
							    : cfg->workflow_repository;
	char *owner = NULL, *name = NULL;
	int64_t url_id = 0, id;

	if (!run_url_parts(j->run_url, &owner, &name, &url_id) && repo != NULL &&
	    strchr(repo, '/') != NULL) {
		owner = xstrndup(repo, strcspn(repo, "/"));
		name = xstrdup(strchr(repo, '/') + 1);
	}
	id = j->workflow_run_id > 0 ? j->workflow_run_id : url_id;
	if (id != w->run_id || (owner == NULL) != (w->owner == NULL) ||
	    (owner != NULL && (strcmp(owner, w->owner) != 0 || strcmp(name, w->name) != 0)))
		watch_forget_run(w);
	free(w->owner);
	free(w->name);
	w->owner = owner;
	w->name = name;
	w->run_id = id;
}

/* Why GitHub is not asked about the run, or NULL when it may be. */
static const char *
no_run_reason(const struct watch *w)
{
	if (w->ctx->cfg->n_tokens == 0)
		return "no GitHub token: the run's state is not read";
	if (w->run_id == 0)
		return "no workflow run recorded on the job yet";
	if (w->owner == NULL)
		return "the run's repository is not known (give workflow-repository)";
	return NULL;
}

/* Asks GitHub about the run when due; its faults are noted, not returned (but a cancel). */
static int
read_run(struct watch *w, struct err *e)
{
	const char *why = no_run_reason(w);
	struct gh_run run = {0};
	struct err ge;
	int rc;

	if (why != NULL) {
		snprintf(w->note, sizeof(w->note), "%s", why);
		return 0;
	}
	/* A completed run does not move; GitHub is never read faster than the polls. */
	if ((w->has_run && is(w->run.status, "completed")) || clock_mono_ms() < w->next_ms)
		return 0;
	err_clear(&ge);
	rc = gh_run_get(w->ctx->gh, w->owner, w->name, w->run_id, &run, &ge);
	if (rc < 0 && ge.code == ERR_CANCELLED)
		return err_set(e, ERR_CANCELLED, "cancelled");
	if (rc == 1) {
		gh_run_release(&w->run);
		w->run = run;
		w->has_run = true;
		w->note[0] = '\0';
		w->gap_ms = w->poll_ms;
	} else if (rc == 0) {
		snprintf(w->note, sizeof(w->note), "GitHub has no run %" PRId64 " in %s/%s",
			 w->run_id, w->owner, w->name);
	} else {
		snprintf(w->note, sizeof(w->note), "GitHub: %s", ge.msg);
		if (w->gap_ms < w->poll_ms * RUN_GAP_MAX)
			w->gap_ms *= 2; /* a rate limit or a fault: ask less often */
	}
	w->next_ms = clock_mono_ms() + w->gap_ms;
	return 0;
}

/* A run that ended while its job is still pending or processing: the job never will. */
static bool
run_ended_first(const struct watch *w, const struct look *l)
{
	return w->has_run && is(w->run.status, "completed") && live(&l->job);
}

/* One poll: the job, then its run, then (the run just seen ended) the job once more. */
static int
poll_once(struct job_ctx *ctx, struct watch *w, struct look *l, struct err *e)
{
	if (read_job(ctx, l, e) < 0)
		return -1;
	run_target(w, &l->job);
	if (read_run(w, e) < 0)
		return -1;
	/* Its end was written before its run ended: read after, the row has it. */
	if (run_ended_first(w, l))
		return read_job(ctx, l, e);
	return 0;
}

/* Items handled (captured or failed), and the share of the total in percent (-1 unknown). */
static int64_t
percent_of(const struct look *l)
{
	int64_t done = l->prog.processed + l->prog.failed;

	if (!l->has_prog || l->prog.total <= 0)
		return -1;
	return done >= l->prog.total ? 100 : done * 100 / l->prog.total;
}

/* Seconds left, at the pace so far (elapsed since started_at x left / done); -1 unknown. */
static int64_t
eta_of(const struct look *l)
{
	int64_t done = l->prog.processed + l->prog.failed;
	int64_t elapsed = (int64_t)(l->now - l->job.started_at);

	if (!is(state_of(l), "processing") || !l->has_prog || l->prog.total <= 0 || done <= 0 ||
	    l->job.started_at == 0)
		return -1;
	if (done >= l->prog.total)
		return 0;
	if (elapsed < 0)
		elapsed = 0;
	return (elapsed * (l->prog.total - done) + done - 1) / done;
}

/* Seconds since the last sign of life; -1 when the job has none. */
static int64_t
heartbeat_age(const struct look *l)
{
	time_t alive = queue_alive_at(&l->job);

	if (alive == 0)
		return -1;
	return l->now > alive ? (int64_t)(l->now - alive) : 0;
}

static void
set_num(struct outputs *o, const char *key, int64_t v, bool known)
{
	char num[32] = "";

	if (known)
		snprintf(num, sizeof(num), "%" PRId64, v);
	outputs_set(o, key, num);
}

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* The run's page: GitHub's, else the one the job recorded. */
static const char *
run_url_of(const struct watch *w, const struct look *l)
{
	if (w->has_run && w->run.html_url != NULL)
		return w->run.html_url;
	return or_empty(l->job.run_url);
}

static void
set_outputs(struct job_ctx *ctx, const struct watch *w, const struct look *l)
{
	struct outputs *o = ctx->outs;
	const struct queue_progress *p = &l->prog;

	outputs_set(o, "status", state_of(l));
	set_num(o, "processed", p->processed, l->has_prog);
	set_num(o, "failed", p->failed, l->has_prog);
	set_num(o, "total", p->total, l->has_prog && p->total >= 0);
	set_num(o, "percent", percent_of(l), percent_of(l) >= 0);
	outputs_set(o, "run-status", w->has_run ? or_empty(w->run.status) : "");
	outputs_set(o, "run-conclusion", w->has_run ? or_empty(w->run.conclusion) : "");
	outputs_set(o, "run-url", run_url_of(w, l));
	set_num(o, "heartbeat-age", heartbeat_age(l), heartbeat_age(l) >= 0);
	set_num(o, "eta-seconds", eta_of(l), eta_of(l) >= 0);
	outputs_set(o, "error", or_empty(l->job.error));
	outputs_set(o, "resume-cursor", l->has_prog ? or_empty(p->resume_cursor) : "");
}

/* "40 / 100 (40 %), 2 failed", or what is known of it. */
static void
progress_text(const struct look *l, char *out, size_t size)
{
	const struct queue_progress *p = &l->prog;

	if (!l->has_prog)
		snprintf(out, size, "no progress row");
	else if (p->total >= 0)
		snprintf(out, size,
			 "%" PRId64 " / %" PRId64 " (%" PRId64 " %%), %" PRId64 " failed",
			 p->processed + p->failed, p->total, percent_of(l), p->failed);
	else
		snprintf(out, size, "%" PRId64 " done, %" PRId64 " failed, total not known",
			 p->processed + p->failed, p->failed);
}

static void
run_text(const struct watch *w, char *out, size_t size)
{
	if (!w->has_run)
		snprintf(out, size, "%s", w->note[0] != '\0' ? w->note : "not read");
	else if (w->run.conclusion != NULL)
		snprintf(out, size, "%" PRId64 ": %s, %s", w->run_id, or_empty(w->run.status),
			 w->run.conclusion);
	else
		snprintf(out, size, "%" PRId64 ": %s", w->run_id, or_empty(w->run.status));
}

static void
time_text(time_t t, time_t now, char *out, size_t size)
{
	char iso[21];

	if (t == 0) {
		snprintf(out, size, "-");
		return;
	}
	time_format_iso(t, iso);
	snprintf(out, size, "%s (%" PRId64 " s ago)", iso, (int64_t)(now > t ? now - t : 0));
}

static void
row(struct summary *s, const char *field, const char *value)
{
	summary_row(s, (const char *const[]){field, value != NULL && *value ? value : "-"});
}

static void
summarize(struct job_ctx *ctx, const struct watch *w, const struct look *l)
{
	struct summary *s = ctx->summary;
	char text[ERR_MSG_MAX + 128];
	int64_t eta = eta_of(l);

	summary_table(s, (const char *const[]){"Job", or_empty(l->job.id)}, 2);
	row(s, "State", state_of(l));
	row(s, "Type", l->job.job_type);
	progress_text(l, text, sizeof(text));
	row(s, "Progress", text);
	row(s, "Current item", l->has_prog ? l->prog.current_item : NULL);
	run_text(w, text, sizeof(text));
	row(s, "Run", text);
	row(s, "Run URL", run_url_of(w, l));
	time_text(queue_alive_at(&l->job), l->now, text, sizeof(text));
	row(s, "Last sign of life", text);
	time_text(l->job.started_at, l->now, text, sizeof(text));
	row(s, "Started", text);
	time_text(l->job.completed_at, l->now, text, sizeof(text));
	row(s, "Ended", text);
	snprintf(text, sizeof(text), "%" PRId64 " s", eta);
	row(s, "ETA", eta >= 0 ? text : NULL);
	row(s, "Error", l->job.error);
	row(s, "Resume cursor", l->has_prog ? l->prog.resume_cursor : NULL);
	if (is(state_of(l), "stale"))
		summary_note(s,
			     "Stale: processing with no sign of life for over %d minutes; its "
			     "run is gone (the reaper of migration 004 will fail it).",
			     QUEUE_STALE_S / 60);
	if (run_ended_first(w, l))
		summary_note(s, "Its run ended (%s) but the job never recorded its end.",
			     or_empty(w->run.conclusion));
}

/*
 * Whether the wait is over, and how the run ends: as the job did; failed
 * when it went stale or its run ended without it. why says it (for e).
 */
static bool
wait_over(const struct watch *w, const struct look *l, enum job_status *how, char *why, size_t size)
{
	const char *id = or_empty(l->job.id);

	*how = JOB_FAILED;
	if (is(state_of(l), "stale"))
		snprintf(why, size,
			 "job %s went stale: no sign of life for %" PRId64 " s (its run is gone)",
			 id, heartbeat_age(l));
	else if (run_ended_first(w, l))
		snprintf(why, size, "job %s is still %s but its run %" PRId64 " ended (%s)", id,
			 l->job.status, w->run_id, or_empty(w->run.conclusion));
	else if (live(&l->job))
		return false;
	else if (is(l->job.status, "completed"))
		*how = JOB_COMPLETED;
	else
		snprintf(why, size, "job %s %s%s%s", id, or_empty(l->job.status),
			 l->job.error != NULL ? ": " : "", or_empty(l->job.error));
	if (is(l->job.status, "partial"))
		*how = JOB_PARTIAL;
	return true;
}

/* A line in the log when what the poll saw changed. */
static void
log_poll(struct watch *w, const struct look *l)
{
	char prog[160], run[sizeof(w->note) + 64], line[sizeof(w->last_line)];

	progress_text(l, prog, sizeof(prog));
	run_text(w, run, sizeof(run));
	snprintf(line, sizeof(line), "job %s: %s, %s; run %s", or_empty(l->job.id), state_of(l),
		 prog, run);
	if (strcmp(line, w->last_line) != 0) {
		log_info("%s", line);
		snprintf(w->last_line, sizeof(w->last_line), "%s", line);
	}
}

/* Polls until the job ends (wait), or once; *over and *how, why as wait_over. */
static int
watch_job(struct job_ctx *ctx, struct watch *w, struct look *l, bool *over, enum job_status *how,
	  char *why, size_t size, struct err *e)
{
	for (;;) {
		if (poll_once(ctx, w, l, e) < 0)
			return -1;
		*over = wait_over(w, l, how, why, size);
		if (!ctx->cfg->wait || *over)
			return 0;
		log_poll(w, l);
		if (clock_sleep(w->poll_ms) < 0)
			return err_set(e, ERR_CANCELLED, "cancelled while waiting for job %s",
				       ctx->cfg->job_id);
	}
}

int
job_status(struct job_ctx *ctx, struct err *e)
{
	struct watch w = {.ctx = ctx};
	struct look l = {0};
	enum job_status how = JOB_COMPLETED;
	char why[ERR_MSG_MAX] = "";
	bool over = false;
	int rc;

	w.poll_ms = (int64_t)((double)ctx->cfg->poll_interval * 1000.0 * ctx->time_scale);
	if (w.poll_ms < 1)
		w.poll_ms = 1;
	w.gap_ms = w.poll_ms;
	rc = watch_job(ctx, &w, &l, &over, &how, why, sizeof(why), e);
	if (l.job.id != NULL) {
		set_outputs(ctx, &w, &l);
		summarize(ctx, &w, &l);
		log_poll(&w, &l);
	}
	if (rc == 0 && ctx->cfg->wait) {
		/*
		 * The run ends as the job did, and main says why from e. Its code
		 * shows nowhere (status has no job row to record it in): ERR_STORE,
		 * as the store's row is what says so.
		 */
		ctx->result = how;
		if (how != JOB_COMPLETED)
			err_set(e, ERR_STORE, "%s", why);
	}
	look_release(&l);
	watch_forget_run(&w);
	free(w.owner);
	free(w.name);
	return rc;
}
