/*
 * github.h - the GitHub client: REST with Link pagination, GraphQL POST, and
 * typed fetches that hand jobs the structs of model.h.
 *
 * Every request carries a token, Accept, X-GitHub-Api-Version and a
 * User-Agent, and goes through the rate-limit policy (ratelimit.h): budgets
 * checked before, retries after 5xx, resets, timeouts, garbled answers and
 * secondary limits, tokens rotated when one is spent. Errors are mapped once,
 * here: 401 -> ERR_AUTH, 404 -> ERR_NOT_FOUND, a limit that outlasts the
 * policy -> ERR_RATE (partial), other failures -> ERR_GITHUB with GitHub's
 * message. Tokens never appear in messages.
 */
#ifndef PC_GITHUB_H
#define PC_GITHUB_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "model.h"
#include "ratelimit.h"

struct gh;

struct gh_options {
	const char *api_url;     /* REST base, e.g. https://api.github.com */
	const char *graphql_url; /* e.g. https://api.github.com/graphql */
	char *const *tokens;     /* tokens[0..ntokens); none: unauthenticated (60 an hour) */
	size_t ntokens;
	const struct rl_policy *policy; /* waits and retries; NULL: defaults */
	struct http_client *http;       /* borrowed; must outlive the client */
};

/* What the client spent and what GitHub says is left (-1 = not seen yet). */
struct gh_stats {
	uint64_t requests; /* HTTP requests sent to GitHub, retries included */
	uint64_t rest_requests;
	uint64_t graphql_requests;
	uint64_t graphql_points; /* sum of rateLimit.cost, or 1 per query when absent */
	int64_t core_limit, core_remaining, core_reset; /* the current token's; reset: epoch s */
	int64_t graphql_limit, graphql_remaining, graphql_reset;
	struct rl_stats limits; /* waits, retries, rotations */
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

/*
 * Typed list walks. Each walks every page of a REST list (100 a page),
 * calls fn with each page's items mapped to structs (freed after the call),
 * and stops early when fn sets *stop. An fn error ends the walk and is
 * returned.
 */
typedef int (*gh_files_fn)(void *ud, const struct gh_file *files, size_t n, bool *stop,
			   struct err *e);
typedef int (*gh_pulls_fn)(void *ud, const struct gh_pull *pulls, size_t n, bool *stop,
			   struct err *e);
typedef int (*gh_reviews_fn)(void *ud, const struct gh_review *reviews, size_t n, bool *stop,
			     struct err *e);
typedef int (*gh_comments_fn)(void *ud, const struct gh_comment *comments, size_t n, bool *stop,
			      struct err *e);
typedef int (*gh_commits_fn)(void *ud, const struct gh_commit *commits, size_t n, bool *stop,
			     struct err *e);

/* GET /repos/{o}/{r}/pulls/{n}/files: every page (GitHub lists at most 3,000). */
int gh_pull_files(struct gh *g, const char *owner, const char *name, int number, gh_files_fn fn,
		  void *ud, struct err *e);

/*
 * GET /repos/{o}/{r}/pulls?state=all&sort=<sort>&direction=desc (sort:
 * "created" or "updated"), newest first, until fn sets *stop. The items have
 * no counters (lists lack them).
 */
int gh_pulls_list(struct gh *g, const char *owner, const char *name, const char *sort,
		  gh_pulls_fn fn, void *ud, struct err *e);

/* GET /repos/{o}/{r}/pulls/{n}/reviews: every page, oldest first. */
int gh_pull_reviews(struct gh *g, const char *owner, const char *name, int number, gh_reviews_fn fn,
		    void *ud, struct err *e);

/* A PR's conversation comments (/issues/{n}/comments) or review comments (/pulls/{n}/comments). */
int gh_pull_comments(struct gh *g, const char *owner, const char *name, int number,
		     enum gh_comment_kind kind, gh_comments_fn fn, void *ud, struct err *e);

/*
 * Every comment of the repository (issues/comments or pulls/comments) updated
 * at or after since (ISO-8601), oldest update first. Conversation comments of
 * plain issues are included (their pr_number is 0).
 */
int gh_repo_comments(struct gh *g, const char *owner, const char *name, enum gh_comment_kind kind,
		     const char *since, gh_comments_fn fn, void *ud, struct err *e);

/* GET /repos/{o}/{r}/commits?sha=<branch>&since=<since>: newest first, no stats. */
int gh_commits_list(struct gh *g, const char *owner, const char *name, const char *branch,
		    const char *since, gh_commits_fn fn, void *ud, struct err *e);

/* GET /repos/{o}/{r}/commits/{sha} with stats; changed_files counts every page of files. */
int gh_commit_get(struct gh *g, const char *owner, const char *name, const char *sha,
		  struct gh_commit *out, struct err *e);

/* GET /repos/{o}/{r}/commits/{sha}/pulls: adds the PRs to c->prs (c->has_prs set). */
int gh_commit_pulls(struct gh *g, const char *owner, const char *name, struct gh_commit *c,
		    struct err *e);

/* GET /users/{login}. */
int gh_user_get(struct gh *g, const char *login, struct gh_user *out, struct err *e);

/*
 * Completes a user GraphQL could name but not number (id 0, login set: an id
 * past GraphQL's Int, or a bot known only by its no-reply address) with
 * REST's record of the account, looked up once per login and client. Users
 * with an id, or no login, are left alone. A lookup failure that is not a
 * rate or credential problem leaves u as it was and returns 0 (after a
 * warning); those return -1 with e.
 */
int gh_user_resolve(struct gh *g, struct gh_user *u, struct err *e);

#endif
