/*
 * actions.c - GitHub Actions' REST API: workflow_dispatch, a run, the run
 * of a dispatch. See actions.h. No HTTP here (ghclient.c sends).
 */
#include "actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ghclient.h"
#include "http.h"
#include "json.h"
#include "map.h"
#include "util.h"

#define PATH_MAX_BYTES 8192
#define BODY_MAX_BYTES 65536 /* GitHub takes a dispatch payload of 65,535 characters */

void
gh_dispatched_release(struct gh_dispatched *d)
{
	if (d == NULL)
		return;
	free(d->run_url);
	free(d->html_url);
	memset(d, 0, sizeof(*d));
}

/* "/repos/<o>/<r>/actions/workflows/<workflow>" + tail, each part encoded. */
static int
workflow_path(struct buf *b, const char *owner, const char *name, const char *workflow,
	      const char *tail, struct err *e)
{
	buf_puts(b, "/repos/");
	http_urlencode(b, owner);
	buf_putc(b, '/');
	http_urlencode(b, name);
	buf_puts(b, "/actions/workflows/");
	http_urlencode(b, workflow);
	buf_puts(b, tail);
	return buf_failed(b) ? err_set(e, ERR_INPUT, "request path over %zu bytes", b->max) : 0;
}

int
gh_workflow_dispatch(struct gh *g, const char *owner, const char *name, const char *workflow,
		     const char *ref, const char *const *names, const char *const *values, size_t n,
		     struct gh_dispatched *out, struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	struct buf body = BUF_INIT(BODY_MAX_BYTES);
	cJSON *j = NULL;
	long status = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = workflow_path(&path, owner, name, workflow, "/dispatches", e);
	buf_puts(&body, "{\"ref\":");
	json_quote(&body, ref);
	buf_puts(&body, ",\"inputs\":{");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&body, ',');
		json_quote(&body, names[i]);
		buf_putc(&body, ':');
		json_quote(&body, values[i]);
	}
	buf_puts(&body, "},\"return_run_details\":true}");
	if (rc == 0 && buf_failed(&body))
		rc = err_set(e, ERR_INPUT,
			     "the dispatch of %s is over GitHub's 65,535 characters (its inputs)",
			     workflow);
	if (rc == 0)
		rc = gh_rest_post(g, buf_str(&path), buf_str(&body), &status, &j, e);
	/* 200 with the run's details; 204 (an older server) without. */
	if (rc == 0 && status == 200 && j != NULL) {
		const cJSON *id = json_get(j, "workflow_run_id");

		if (cJSON_IsNumber(id) && json_value_int64(id, &out->run_id) == 0 &&
		    out->run_id > 0) {
			out->has_run = true;
			out->run_url = xstrdup(json_str(j, "run_url"));
			out->html_url = xstrdup(json_str(j, "html_url"));
		}
	}
	cJSON_Delete(j);
	buf_release(&path);
	buf_release(&body);
	return rc;
}

int
gh_run_get(struct gh *g, const char *owner, const char *name, int64_t id, struct gh_run *out,
	   struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	cJSON *j = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_puts(&path, "/repos/");
	http_urlencode(&path, owner);
	buf_putc(&path, '/');
	http_urlencode(&path, name);
	buf_printf(&path, "/actions/runs/%lld", (long long)id);
	rc = gh_rest_get(g, buf_str(&path), &j, e);
	if (rc < 0 && e != NULL && e->code == ERR_NOT_FOUND) {
		err_clear(e);
		rc = 0;
	} else if (rc == 0 && map_run(j, out, e) < 0) {
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	} else if (rc == 0 && out->id != id) {
		rc = err_set(e, ERR_GITHUB, "GET %s: the answer is run %lld", buf_str(&path),
			     (long long)out->id);
		gh_run_release(out);
	} else if (rc == 0) {
		rc = 1;
	}
	cJSON_Delete(j);
	buf_release(&path);
	return rc;
}

/* Takes the newest run of a page whose title holds needle (if newer than *out's). */
static int
take_match(const cJSON *runs, const char *needle, struct gh_run *out, struct err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, runs) {
		struct gh_run r;

		if (map_run(it, &r, e) < 0)
			return err_prefix(e, "a workflow run of the list: ");
		if (r.title != NULL && strstr(r.title, needle) != NULL &&
		    (out->id == 0 || strcmp(r.created_at, out->created_at) > 0)) {
			gh_run_release(out);
			*out = r;
		} else {
			gh_run_release(&r);
		}
	}
	return 0;
}

int
gh_run_find(struct gh *g, const char *owner, const char *name, const char *workflow, time_t since,
	    const char *needle, struct gh_run *out, struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	char after[21], filter[24];
	char *next = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	time_format_iso(since, after);
	snprintf(filter, sizeof(filter), ">=%s", after);
	rc = workflow_path(&path, owner, name, workflow,
			   "/runs?event=workflow_dispatch&per_page=100&created=", e);
	http_urlencode(&path, filter);
	if (rc == 0 && buf_failed(&path))
		rc = err_set(e, ERR_INPUT, "request path over %zu bytes", path.max);
	for (const char *url = buf_str(&path); rc == 0 && url != NULL;) {
		cJSON *page = NULL;
		char *later = NULL;

		rc = gh_rest_get_page(g, url, &page, &later, e);
		if (rc == 0 && !cJSON_IsArray(json_get(page, "workflow_runs")))
			rc = err_set(e, ERR_PARSE, "GET %s: no workflow_runs in the answer", url);
		if (rc == 0)
			rc = take_match(json_get(page, "workflow_runs"), needle, out, e);
		cJSON_Delete(page);
		free(next);
		next = later;
		url = next;
	}
	free(next);
	buf_release(&path);
	if (rc < 0)
		gh_run_release(out);
	return rc < 0 ? -1 : out->id != 0;
}
