/*
 * commitfetch.c - a branch's commits since a time, over GraphQL history
 * pages or the REST commit list, into a sink. See commitfetch.h.
 */
#include "commitfetch.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ghclient.h"
#include "github.h"
#include "gql.h"
#include "json.h"
#include "log.h"
#include "map.h"
#include "util.h"

#define DOC_CAP ((size_t)1 << 20)

struct walk {
	struct gh *g;
	const struct commitfetch_options *o;
	const struct commit_sink *sink;
};

/* Drops the null entries GitHub put in a list (items the token cannot see); counts them. */
static void
drop_nulls(struct gh *g, cJSON *list)
{
	cJSON *it = list != NULL ? list->child : NULL;
	size_t dropped = 0;

	while (it != NULL) {
		cJSON *next = it->next;

		if (!cJSON_IsObject(it)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(list, it));
			dropped++;
		}
		it = next;
	}
	gh_count_hidden(g, dropped);
}

/* One page of history nodes: mapped, the unreadable ones to bad(), the rest to the sink. */
static int
take_history(struct walk *w, cJSON *nodes, struct err *e)
{
	size_t n = (size_t)cJSON_GetArraySize(nodes), got = 0;
	struct gh_commit *c = xcalloc(n ? n : 1, sizeof(*c));
	cJSON *it;
	int rc = 0;

	drop_nulls(w->g, nodes);
	cJSON_ArrayForEach (it, nodes) {
		struct err why;

		err_clear(&why);
		drop_nulls(w->g,
			   (cJSON *)json_get(json_get(it, "associatedPullRequests"), "nodes"));
		if (map_gql_commit(it, &c[got], &why) == 0)
			got++;
		else if ((rc = w->sink->bad(w->sink->ud, &why, e)) < 0)
			break;
	}
	if (rc == 0)
		rc = w->sink->commits(w->sink->ud, c, got, e);
	for (size_t i = 0; i < got; i++)
		gh_commit_release(&c[i]);
	free(c);
	return rc;
}

/* One history page; *cursor (owned) moves to the next page's, or NULL after the last. */
static int
history_page(struct walk *w, char **cursor, struct err *e)
{
	struct buf doc = BUF_INIT(DOC_CAP);
	cJSON *root = NULL;
	const cJSON *repo, *branch, *hist, *pi;
	int rc = 0;

	if (gql_history(&doc, w->o->owner, w->o->name, w->o->since, *cursor) < 0)
		rc = err_set(e, ERR_INPUT, "commit history: query over %zu bytes", doc.max);
	if (rc == 0)
		rc = gh_graphql_page(w->g, buf_str(&doc), gql_history_cost(), &root, e);
	buf_release(&doc);
	free(*cursor);
	*cursor = NULL;
	if (rc < 0)
		return -1;
	repo = json_get(json_get(root, "data"), "repository");
	branch = json_get(repo, "defaultBranchRef");
	hist = json_get(json_get(branch, "target"), "history");
	if (repo == NULL || cJSON_IsNull(repo))
		rc = err_set(
			e, ERR_NO_REPO,
			"repository %s/%s: GitHub does not have it, or the token cannot see it",
			w->o->owner, w->o->name);
	else if (branch == NULL || cJSON_IsNull(branch))
		rc = 0; /* an empty repository: no branch, no commits */
	else if (!cJSON_IsArray(json_get(hist, "nodes")))
		rc = err_set(e, ERR_PARSE, "commit history: the answer has no history list");
	else
		rc = take_history(w, (cJSON *)json_get(hist, "nodes"), e);
	pi = json_get(hist, "pageInfo");
	if (rc == 0 && json_bool(pi, "hasNextPage", false) && json_str(pi, "endCursor") != NULL)
		*cursor = xstrdup(json_str(pi, "endCursor"));
	cJSON_Delete(root);
	return rc;
}

static int
over_graphql(struct walk *w, struct err *e)
{
	char *cursor = NULL;
	int rc;

	do
		rc = history_page(w, &cursor, e);
	while (rc == 0 && cursor != NULL);
	free(cursor);
	return rc;
}

/* A commit over REST whose details could not be had: bad() unless the run must stop. */
static int
rest_bad(struct walk *w, const struct err *why, struct err *e)
{
	if (err_stops_run(why)) {
		*e = *why;
		return -1;
	}
	return w->sink->bad(w->sink->ud, why, e);
}

/* REST: each listed commit is fetched again for its stats and its pull requests. */
static int
rest_page(void *ud, const struct gh_commit *list, size_t n, bool *stop, struct err *e)
{
	struct walk *w = ud;
	struct gh_commit *full = xcalloc(n ? n : 1, sizeof(*full));
	size_t got = 0;
	int rc = 0;

	(void)stop;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct err why;

		err_clear(&why);
		if (gh_commit_get(w->g, w->o->owner, w->o->name, list[i].sha, &full[got], &why) <
		    0) {
			rc = rest_bad(w, &why, e);
			continue;
		}
		if (gh_commit_pulls(w->g, w->o->owner, w->o->name, &full[got], &why) < 0) {
			gh_commit_release(&full[got]);
			rc = rest_bad(w, &why, e);
			continue;
		}
		got++;
	}
	if (rc == 0)
		rc = w->sink->commits(w->sink->ud, full, got, e);
	for (size_t i = 0; i < got; i++)
		gh_commit_release(&full[i]);
	free(full);
	return rc;
}

static int
list_bad(void *ud, const struct err *why, struct err *e)
{
	struct walk *w = ud;

	return w->sink->bad(w->sink->ud, why, e);
}

int
commitfetch(struct gh *g, const struct commitfetch_options *o, const struct commit_sink *sink,
	    struct err *e)
{
	struct walk w = {g, o, sink};
	int rc;

	if (o->api != API_REST) {
		rc = over_graphql(&w, e);
		if (rc == 0 || o->api != API_AUTO || !gh_graphql_missing(e)) {
			if (rc < 0 && gh_graphql_missing(e))
				err_prefix(e,
					   "GitHub has no GraphQL endpoint here (use api: rest): ");
			return rc;
		}
		log_warn("GitHub has no GraphQL endpoint here (%s); reading over REST", e->msg);
		err_clear(e);
	}
	return gh_commits_list(g, o->owner, o->name, o->branch, o->since, rest_page, list_bad, &w,
			       e);
}
