/*
 * github.h - the GitHub client: REST with Link pagination, GraphQL POST, and
 * typed fetches that hand jobs the structs of model.h.
 *
 * Every request carries the token, Accept, X-GitHub-Api-Version and a
 * User-Agent; every answer's x-ratelimit-* headers update the client's
 * counters. Errors are mapped once, here: 401 -> ERR_AUTH, 404 -> ERR_NOT_FOUND,
 * an exhausted primary or a secondary limit -> ERR_RATE, any other 4xx/5xx ->
 * ERR_GITHUB with GitHub's message. Tokens never appear in messages.
 */
#ifndef PC_GITHUB_H
#define PC_GITHUB_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "model.h"

struct gh;

struct gh_options {
	const char *api_url;      /* REST base, e.g. https://api.github.com */
	const char *graphql_url;  /* e.g. https://api.github.com/graphql */
	const char *token;        /* may be NULL: unauthenticated (60 requests an hour) */
	struct http_client *http; /* borrowed; must outlive the client */
};

/* What the client spent and what GitHub says is left (-1 = not seen yet). */
struct gh_stats {
	uint64_t requests; /* HTTP requests sent to GitHub */
	uint64_t rest_requests;
	uint64_t graphql_requests;
	uint64_t graphql_points; /* sum of rateLimit.cost, or 1 per query when absent */
	int64_t core_limit, core_remaining, core_reset; /* reset: epoch seconds */
	int64_t graphql_limit, graphql_remaining, graphql_reset;
};

/* A new client with copies of o's strings. Free with gh_free. */
struct gh *gh_new(const struct gh_options *o);
void gh_free(struct gh *g);

const struct gh_stats *gh_stats(const struct gh *g);

/* One page of a REST list: the parsed array (owned) and the next page's URL. */
typedef int (*gh_page_fn)(void *ud, const cJSON *items, bool *stop, struct err *e);

/*
 * GETs path (relative to the API base, or an absolute URL on it) and parses
 * the JSON answer into *out (caller frees with cJSON_Delete). -1 + e on any
 * failure, with *out NULL.
 */
int gh_rest_get(struct gh *g, const char *path, cJSON **out, struct err *e);

/*
 * GETs path and every next page (Link rel="next") and calls fn with each
 * page's array. fn may set *stop to end early; an fn error ends the walk and
 * is returned. The pages' JSON is freed after fn returns.
 */
int gh_rest_each_page(struct gh *g, const char *path, gh_page_fn fn, void *ud, struct err *e);

/*
 * POSTs a GraphQL document with variables (borrowed, may be NULL). On HTTP
 * 200 *out is the whole answer object ({"data":…, "errors":…}); the caller
 * decides what partial errors mean. An answer whose errors say RATE_LIMITED
 * is ERR_RATE. -1 + e on failure, *out NULL.
 */
int gh_graphql(struct gh *g, const char *query, const cJSON *variables, cJSON **out, struct err *e);

/*
 * Finds the rel="next" URL in a Link header value. Returns a new string
 * (caller frees) or NULL when there is none or the header is malformed.
 */
char *gh_link_next(const char *link);

/* Typed fetches (REST). Each fills *out (release with the model's _release). */
int gh_repo_get(struct gh *g, const char *owner, const char *name, struct gh_repo *out,
		struct err *e);
int gh_pull_get(struct gh *g, const char *owner, const char *name, int number, struct gh_pull *out,
		struct err *e);

/* Called with each page of a PR's files, mapped; the array is freed after the call. */
typedef int (*gh_files_fn)(void *ud, const struct gh_file *files, size_t n, struct err *e);

/* Every page of GET /pulls/{n}/files (100 a page; GitHub lists at most 3,000). */
int gh_pull_files(struct gh *g, const char *owner, const char *name, int number, gh_files_fn fn,
		  void *ud, struct err *e);

/* Called with each page of a PR list, mapped (no counters); may set *stop. */
typedef int (*gh_pulls_fn)(void *ud, const struct gh_pull *pulls, size_t n, bool *stop,
			   struct err *e);

/*
 * Every page of GET /repos/{o}/{r}/pulls?state=all&sort=<sort>&direction=desc
 * (sort: "created" or "updated"), newest first, until fn sets *stop.
 */
int gh_pulls_list(struct gh *g, const char *owner, const char *name, const char *sort,
		  gh_pulls_fn fn, void *ud, struct err *e);

#endif
