/*
 * pulllist.c - a repository's pull requests created since a time, over
 * GraphQL pages or the REST list. See pulllist.h.
 */
#include "pulllist.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ghclient.h"
#include "gql.h"
#include "json.h"
#include "log.h"
#include "map.h"
#include "util.h"

#define DOC_CAP ((size_t)1 << 16)

struct walk {
	const struct pulllist_options *o;
	gh_pulls_fn fn;
	gh_bad_fn bad;
	void *ud;
	bool stop;
	size_t pages; /* delivered over GraphQL */
};

/* Maps a page's nodes and hands the ones created since o->since to fn; stops at older ones. */
static int
take_page(struct gh *g, struct walk *w, const cJSON *nodes, struct err *e)
{
	size_t n = (size_t)cJSON_GetArraySize(nodes), got = 0, hidden = 0;
	struct gh_pull *p = xcalloc(n ? n : 1, sizeof(*p));
	const cJSON *it;
	int rc = 0;

	cJSON_ArrayForEach (it, nodes) {
		struct err why;
		time_t created;

		err_clear(&why);
		if (!cJSON_IsObject(it)) {
			hidden++;
			continue;
		}
		if (map_gql_pull_item(it, &p[got], &why) < 0) {
			if ((rc = w->bad(w->ud, &why, e)) < 0)
				break;
			continue;
		}
		if (time_parse_iso(p[got].created_at, &created) == 0 && created < w->o->since) {
			gh_pull_release(&p[got]);
			w->stop = true; /* newest first: the rest are older still */
			break;
		}
		got++;
	}
	gh_count_hidden(g, hidden);
	if (rc == 0 && got > 0) {
		w->pages++;
		rc = w->fn(w->ud, p, got, &w->stop, e);
	}
	for (size_t i = 0; i < got; i++)
		gh_pull_release(&p[i]);
	free(p);
	return rc;
}

/* One page; *cursor (owned) moves to the next page's, or NULL after the last. */
static int
list_page(struct gh *g, struct walk *w, char **cursor, struct err *e)
{
	struct buf doc = BUF_INIT(DOC_CAP);
	cJSON *root = NULL;
	const cJSON *repo, *list, *pi;
	int rc = gql_pull_list(&doc, w->o->owner, w->o->name, *cursor) < 0
			 ? err_set(e, ERR_INPUT, "pull request list: query over %zu bytes", doc.max)
			 : 0;

	if (rc == 0)
		rc = gh_graphql_page(g, buf_str(&doc), gql_pull_list_cost(), &root, e);
	buf_release(&doc);
	free(*cursor);
	*cursor = NULL;
	if (rc < 0)
		return -1;
	repo = json_get(json_get(root, "data"), "repository");
	list = json_get(repo, "pullRequests");
	if (repo == NULL || cJSON_IsNull(repo))
		rc = err_set(
			e, ERR_NO_REPO,
			"repository %s/%s: GitHub does not have it, or the token cannot see it",
			w->o->owner, w->o->name);
	else if (!cJSON_IsArray(json_get(list, "nodes")))
		rc = err_set(e, ERR_PARSE, "pull request list: the answer has no list");
	else
		rc = take_page(g, w, json_get(list, "nodes"), e);
	pi = json_get(list, "pageInfo");
	if (rc == 0 && !w->stop && json_bool(pi, "hasNextPage", false) &&
	    json_str(pi, "endCursor") != NULL)
		*cursor = xstrdup(json_str(pi, "endCursor"));
	cJSON_Delete(root);
	return rc;
}

/* The REST list's page, cut where PRs get older than since (sorted by creation). */
static int
rest_page(void *ud, const struct gh_pull *pulls, size_t n, bool *stop, struct err *e)
{
	struct walk *w = ud;
	size_t k = 0;

	while (k < n) {
		time_t created;

		if (time_parse_iso(pulls[k].created_at, &created) == 0 && created < w->o->since) {
			*stop = true;
			break;
		}
		k++;
	}
	return k > 0 ? w->fn(w->ud, pulls, k, stop, e) : 0;
}

static int
rest_bad(void *ud, const struct err *why, struct err *e)
{
	struct walk *w = ud;

	return w->bad(w->ud, why, e);
}

int
pulllist(struct gh *g, const struct pulllist_options *o, gh_pulls_fn fn, gh_bad_fn bad, void *ud,
	 struct err *e)
{
	struct walk w = {o, fn, bad, ud, false, 0};
	char *cursor = NULL;
	int rc = 0;

	if (o->api != API_REST) {
		do
			rc = list_page(g, &w, &cursor, e);
		while (rc == 0 && cursor != NULL);
		free(cursor);
		/* Over REST only when GraphQL is not there at all: nothing was delivered. */
		if (rc == 0 || o->api != API_AUTO || !gh_graphql_missing(e) || w.pages > 0)
			return rc;
		log_warn("GitHub has no GraphQL endpoint here; listing pull requests over REST");
		err_clear(e);
	}
	return gh_pulls_list(g, o->owner, o->name, "created", rest_page, rest_bad, &w, e);
}

/* One GraphQL query for s[0..n): each PR's updatedAt from its alias. */
static int
stamp_batch(struct gh *g, const struct pulllist_options *o, struct pull_stamp *s, size_t n,
	    struct err *e)
{
	struct buf doc = BUF_INIT(DOC_CAP);
	int64_t numbers[GQL_STAMPS_MAX];
	cJSON *root = NULL;
	const cJSON *repo;
	int rc;

	for (size_t i = 0; i < n; i++)
		numbers[i] = s[i].number;
	rc = gql_pull_stamps(&doc, o->owner, o->name, numbers, n) < 0
		     ? err_set(e, ERR_INPUT, "pull request stamps: query over %zu bytes", doc.max)
		     : 0;
	if (rc == 0)
		rc = gh_graphql_page(g, buf_str(&doc), gql_pull_stamps_cost(), &root, e);
	buf_release(&doc);
	if (rc < 0)
		return -1;
	repo = json_get(json_get(root, "data"), "repository");
	if (repo == NULL || cJSON_IsNull(repo))
		rc = err_set(
			e, ERR_NO_REPO,
			"repository %s/%s: GitHub does not have it, or the token cannot see it",
			o->owner, o->name);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char alias[16];
		const cJSON *pr;
		struct gh_pull p;
		struct err why;

		gql_pull_alias((int)s[i].number, alias);
		pr = json_get(repo, alias);
		err_clear(&why);
		/* None (not found, hidden), or another PR's: left to the capture. */
		if (!cJSON_IsObject(pr) || map_gql_pull_item(pr, &p, &why) < 0)
			continue;
		if (p.number == s[i].number) {
			s[i].updated_at = p.updated_at;
			p.updated_at = NULL;
		}
		gh_pull_release(&p);
	}
	cJSON_Delete(root);
	return rc;
}

/* A conditional GET /pulls/{n} per PR. */
static int
stamp_rest(struct gh *g, const struct pulllist_options *o, struct pull_stamp *s, size_t n,
	   struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		struct gh_pull p;
		struct err why;
		int rc;

		err_clear(&why);
		rc = gh_pull_get_if(g, o->owner, o->name, (int)s[i].number, s[i].etag, &p, &why);
		if (rc == 1) {
			s[i].unchanged = true;
			continue;
		}
		if (rc < 0) {
			if (err_stops_run(&why)) {
				*e = why;
				return -1;
			}
			continue; /* the capture fetches it and says what is wrong */
		}
		s[i].updated_at = p.updated_at;
		s[i].new_etag = p.etag;
		p.updated_at = p.etag = NULL;
		gh_pull_release(&p);
	}
	return 0;
}

int
pullstamps(struct gh *g, const struct pulllist_options *o, struct pull_stamp *s, size_t n,
	   struct err *e)
{
	int rc = 0;

	if (o->api != API_REST) {
		for (size_t first = 0; rc == 0 && first < n; first += GQL_STAMPS_MAX)
			rc = stamp_batch(g, o, s + first,
					 n - first < GQL_STAMPS_MAX ? n - first : GQL_STAMPS_MAX,
					 e);
		if (rc == 0 || o->api != API_AUTO || !gh_graphql_missing(e))
			return rc;
		log_warn("GitHub has no GraphQL endpoint here; asking for changes over REST");
		err_clear(e);
		pullstamps_release(s, n);
	}
	return stamp_rest(g, o, s, n, e);
}

void
pullstamps_release(struct pull_stamp *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].updated_at);
		free(s[i].new_etag);
		s[i].updated_at = s[i].new_etag = NULL;
		s[i].unchanged = false;
	}
}
