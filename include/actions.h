/*
 * actions.h - GitHub Actions' REST API as the queue commands need it:
 * start a workflow (workflow_dispatch), find its run, read a run.
 *
 * Typed like github.h: no JSON here; runs are model.h's struct gh_run.
 */
#ifndef PC_ACTIONS_H
#define PC_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "model.h"

struct gh;

/* What a dispatch answered: the run's id and URLs when GitHub gave them (200). */
struct gh_dispatched {
	bool has_run;
	int64_t run_id;
	char *run_url;  /* the API's */
	char *html_url; /* the page's */
};
void gh_dispatched_release(struct gh_dispatched *d);

/*
 * POST /repos/{o}/{r}/actions/workflows/{workflow}/dispatches with ref and
 * the inputs names[i]=values[i], asking for the run's details
 * (return_run_details). A GitHub that answers 204 without them (older
 * GitHub Enterprise Server) leaves out->has_run false. Never sent twice: a
 * 5xx or a lost connection is ERR_HTTP/ERR_GITHUB and the workflow may or
 * may not have started (find it with gh_run_find). GitHub's refusal (an
 * unknown input, no workflow_dispatch trigger, a disabled workflow, no
 * permission) is ERR_GITHUB or ERR_NOT_FOUND with GitHub's words.
 */
int gh_workflow_dispatch(struct gh *g, const char *owner, const char *name, const char *workflow,
			 const char *ref, const char *const *names, const char *const *values,
			 size_t n, struct gh_dispatched *out, struct err *e);

/* GET /repos/{o}/{r}/actions/runs/{id}: 1 found, 0 GitHub has no such run, -1 + e. */
int gh_run_get(struct gh *g, const char *owner, const char *name, int64_t id, struct gh_run *out,
	       struct err *e);

/*
 * The run of workflow, started by workflow_dispatch since since (epoch s),
 * whose title holds needle (the job id the shipped workflows put in their
 * run-name): GET …/workflows/{workflow}/runs?event=workflow_dispatch&
 * created=>=<since>, every page. 1 found (the newest such run), 0 none, -1 + e.
 */
int gh_run_find(struct gh *g, const char *owner, const char *name, const char *workflow,
		time_t since, const char *needle, struct gh_run *out, struct err *e);

#endif
