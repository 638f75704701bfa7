/*
 * jobs/dispatch.c - dispatch: what contributor.info's queue manager did to
 * start a capture on Actions, done right. A pending job row first (with the
 * metadata keys its frontend writes), then workflow_dispatch with the job id
 * among the inputs, asking GitHub for the run's details; the run's id and
 * URL go on the job. A GitHub that answers without them (204, older GitHub
 * Enterprise Server) is asked for the run whose title carries the job id
 * (the shipped workflows put it in their run-name) - never a time-window
 * guess. A refused dispatch fails the job with GitHub's words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "buf.h"
#include "clock.h"
#include "cursor.h"
#include "jobs.h"
#include "log.h"
#include "numlist.h"
#include "progress.h"
#include "util.h"

#define MAX_INPUTS 25 /* GitHub's limit on a workflow_dispatch's inputs */
#define FIND_TRIES 6  /* looks for the run: at once, then after 2, 4, 8, 16, 32 s */

/* The workflow's inputs: the setting's name=value lines, then job-id. */
struct inputs {
	char *names[MAX_INPUTS], *values[MAX_INPUTS];
	size_t n;
};

static void
inputs_release(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->names[i]);
		free(in->values[i]);
	}
	in->n = 0;
}

static const char *
input(const struct inputs *in, const char *name)
{
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(in->names[i], name) == 0)
			return in->values[i];
	return NULL;
}

static bool
input_name(const char *s, size_t len)
{
	if (len == 0 || len > 100)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* Reads workflow-inputs ("name=value" a line; blank lines skipped). */
static int
parse_inputs(const char *text, struct inputs *in, struct err *e)
{
	const char *p = text != NULL ? text : "";

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		char *eq;

		str_trim(line);
		eq = strchr(line, '=');
		if (line[0] != '\0') {
			if (eq == NULL || !input_name(line, (size_t)(eq - line))) {
				err_set(e, ERR_INPUT,
					"workflow-inputs: '%.64s' is not name=value (a name of "
					"letters, digits, '-' and '_')",
					line);
				free(line);
				return -1;
			}
			*eq = '\0';
			if (strcmp(line, "job-id") == 0 || in->n + 1 >= MAX_INPUTS) {
				err_set(e, ERR_INPUT,
					strcmp(line, "job-id") == 0 ? "workflow-inputs: job-id is "
								      "the new job's; leave it out"
								    : "workflow-inputs: more than "
								      "%d inputs (GitHub takes %d, "
								      "job-id among them)",
					MAX_INPUTS - 1, MAX_INPUTS);
				free(line);
				return -1;
			}
			in->names[in->n] = xstrdup(line);
			in->values[in->n++] = xstrdup(eq + 1);
		}
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	return 0;
}

/* The command the dispatched workflow runs: its command input, or capture-<command>.yml. */
static char *
command_of(const struct config *cfg, const struct inputs *in)
{
	const char *given = input(in, "command");
	const char *w = cfg->workflow;
	size_t len;

	if (given != NULL)
		return xstrdup(given);
	if (!str_starts(w, "capture-"))
		return NULL;
	w += strlen("capture-");
	len = strcspn(w, ".");
	return strcmp(w + len, ".yml") == 0 || strcmp(w + len, ".yaml") == 0 ? xstrndup(w, len)
									     : NULL;
}

int
check_dispatch(const struct config *cfg, struct err *e)
{
	struct inputs in = {0};
	char *command;
	const char *slash;
	int rc = 0;

	if (cfg->workflow == NULL)
		return err_set(e, ERR_INPUT, "dispatch needs workflow (a workflow file name)");
	slash = cfg->dispatch_repository != NULL ? strchr(cfg->dispatch_repository, '/') : NULL;
	if (slash == NULL || slash == cfg->dispatch_repository || slash[1] == '\0' ||
	    strchr(slash + 1, '/') != NULL)
		return err_set(e, ERR_INPUT,
			       "dispatch needs workflow-repository as owner/name (where the "
			       "workflow lives)");
	if (parse_inputs(cfg->workflow_inputs, &in, e) < 0)
		rc = -1;
	command = rc == 0 ? command_of(cfg, &in) : NULL;
	if (rc == 0 && command == NULL)
		rc = err_set(e, ERR_INPUT,
			     "dispatch: which command does '%s' run? Give command=<name> in "
			     "workflow-inputs",
			     cfg->workflow);
	free(command);
	inputs_release(&in);
	return rc;
}

/* The pending job row of the dispatch, its PRs (an input pr-numbers) as its cursor. */
static int
queue_job(struct job_ctx *ctx, const struct inputs *in, const char *command, char id[37],
	  struct err *e)
{
	const char *repo =
		input(in, "repository") != NULL ? input(in, "repository") : ctx->cfg->repository;
	const char *prs = input(in, "pr-numbers");
	struct buf cursor = BUF_INIT((size_t)1 << 22);
	int64_t *numbers = NULL;
	size_t n = 0;
	const struct job_meta meta[] = {
		{"workflow", ctx->cfg->workflow, 0},
		{"workflow_type", "workflow_dispatch", 0},
		{"created_by", "progressive-capture dispatch", 0},
		{"pr_numbers", prs, 0},
	};
	int rc = 0;

	if (prs != NULL &&
	    numlist_parse(prs, ",\n", false, true, "pr-numbers input", &numbers, &n, e) < 0)
		return -1;
	if (n > 0)
		cursor_format(&cursor, command, numbers, n);
	rc = progress_queue(ctx->store,
			    &(struct job_queued){.job_type = jobs_job_type(command),
						 .command = command,
						 .repository = repo,
						 .meta = meta,
						 .nmeta = prs != NULL ? 4 : 3,
						 .total = n,
						 .cursor = n > 0 ? buf_str(&cursor) : NULL},
			    id, e);
	free(numbers);
	buf_release(&cursor);
	return rc;
}

/* The run whose title carries the job id, looked for a few times (it shows up late). */
static int
find_run(struct job_ctx *ctx, const char *owner, const char *name, time_t since, const char *id,
	 struct gh_run *run, struct err *e)
{
	int rc = 0;

	for (int i = 0; rc == 0 && i < FIND_TRIES; i++) {
		if (i > 0 && clock_sleep((int64_t)(1000.0 * (1 << i) * ctx->time_scale)) < 0)
			return err_set(e, ERR_CANCELLED, "cancelled");
		rc = gh_run_find(ctx->gh, owner, name, ctx->cfg->workflow, since, id, run, e);
	}
	return rc;
}

/* Sends the dispatch; finds the run when GitHub did not say it (or the answer was lost). */
static int
start(struct job_ctx *ctx, const struct inputs *in, const char *id, int64_t *run_id, char **run_url,
      struct err *e)
{
	const struct config *cfg = ctx->cfg;
	char *owner = xstrndup(cfg->dispatch_repository, strcspn(cfg->dispatch_repository, "/"));
	const char *name = strchr(cfg->dispatch_repository, '/') + 1;
	/* GitHub's clock may be behind ours: the run's creation time is GitHub's. */
	time_t since = clock_now() - 300;
	struct gh_dispatched d;
	struct gh_run run = {0};
	int rc = gh_workflow_dispatch(ctx->gh, owner, name, cfg->workflow, cfg->ref,
				      (const char *const *)in->names,
				      (const char *const *)in->values, in->n, &d, e);
	/* A 5xx or a lost answer: the workflow may have started all the same. */
	bool unsure = rc < 0 && (e->code == ERR_HTTP || e->status >= 500);

	if (rc == 0 && d.has_run) {
		*run_id = d.run_id;
		*run_url = xstrdup(d.html_url);
	} else if (rc == 0 || unsure) {
		struct err fe;
		int found;

		err_clear(&fe);
		found = find_run(ctx, owner, name, since, id, &run, &fe);
		if (found == 1) {
			if (unsure)
				log_warn("dispatch: %s; yet its run is there", e->msg);
			err_clear(e);
			rc = 0;
			*run_id = run.id;
			*run_url = xstrdup(run.html_url);
		} else if (rc == 0) {
			log_warn("dispatched, but no run of %s carries job %s yet%s%s (the job "
				 "records its run when it starts)",
				 cfg->workflow, id, found < 0 ? ": " : "", found < 0 ? fe.msg : "");
		}
	}
	gh_run_release(&run);
	gh_dispatched_release(&d);
	free(owner);
	return rc;
}

int
jobs_dispatch_job(struct job_ctx *ctx, const char *id, const char *const *names,
		  const char *const *values, size_t n, int64_t *run_id, char **run_url,
		  struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct inputs in = {0};
	int rc;

	*run_id = 0;
	*run_url = NULL;
	if (n >= MAX_INPUTS)
		return err_set(e, ERR_INPUT, "dispatch: more than %d inputs", MAX_INPUTS - 1);
	for (size_t i = 0; i < n; i++) {
		in.names[in.n] = xstrdup(names[i]);
		in.values[in.n++] = xstrdup(values[i]);
	}
	in.names[in.n] = xstrdup("job-id");
	in.values[in.n++] = xstrdup(id);
	log_info("job %s: dispatching %s on %s@%s", id, cfg->workflow, cfg->dispatch_repository,
		 cfg->ref);
	rc = start(ctx, &in, id, run_id, run_url, e);
	if (rc < 0) {
		struct err fe;

		err_clear(&fe);
		err_prefix(e, "dispatch of %s: ", cfg->workflow);
		if (progress_fail(ctx->store, id, e->msg, &fe) < 0)
			log_error("the job's row could not record the failure: %s", fe.msg);
	} else {
		rc = progress_dispatched(ctx->store, id, *run_id, *run_url, e);
	}
	inputs_release(&in);
	return rc;
}

int
job_dispatch(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct inputs in = {0};
	char *command = NULL;
	char id[UUID_STR_SIZE] = "";
	char run[24] = "";
	char *run_url = NULL;
	int64_t run_id = 0;
	int rc = parse_inputs(cfg->workflow_inputs, &in, e);

	if (rc == 0 && (command = command_of(cfg, &in)) == NULL)
		rc = err_set(e, ERR_INPUT, "dispatch: no command for '%s'", cfg->workflow);
	if (rc == 0)
		rc = queue_job(ctx, &in, command, id, e);
	if (rc == 0)
		rc = jobs_dispatch_job(ctx, id, (const char *const *)in.names,
				       (const char *const *)in.values, in.n, &run_id, &run_url, e);
	if (run_id > 0)
		snprintf(run, sizeof(run), "%lld", (long long)run_id);
	outputs_set(ctx->outs, "job-id", id);
	outputs_set(ctx->outs, "run-id", run);
	outputs_set(ctx->outs, "run-url", run_url != NULL ? run_url : "");
	if (rc == 0) {
		summary_note(ctx->summary, "Job %s dispatched: %s on %s@%s.", id, cfg->workflow,
			     cfg->dispatch_repository, cfg->ref);
		if (run_url != NULL)
			summary_note(ctx->summary, "Run %s: %s", run, run_url);
		log_info("job %s: run %s", id, run_url != NULL ? run_url : "not known yet");
	}
	free(run_url);
	free(command);
	inputs_release(&in);
	return rc;
}
