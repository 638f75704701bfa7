/*
 * ghclient.h - talking to GitHub: one client for REST and GraphQL.
 *
 * Every request carries a token, Accept, X-GitHub-Api-Version and a
 * User-Agent, and goes through the rate-limit policy (ratelimit.h): budgets
 * checked before, retries after 5xx, resets, timeouts, garbled answers and
 * secondary limits, tokens rotated when one is spent. Errors are mapped once,
 * here: 401 -> ERR_AUTH, 404 -> ERR_NOT_FOUND, a limit that outlasts the
 * policy -> ERR_RATE (partial), other refusals -> ERR_GITHUB with GitHub's
 * message. Tokens never appear in messages, and never leave for another
 * host: redirects and Link pages are followed only on the API's own scheme,
 * host and port.
 *
 * This is the GitHub layer's own header (github.c, prfetch.c, commitfetch.c
 * and main, which makes the client): it speaks cJSON. Jobs use the typed
 * fetches of github.h, prfetch.h and commitfetch.h instead.
 */
#ifndef PC_GHCLIENT_H
#define PC_GHCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "appauth.h"
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
	/*
	 * GitHub Apps, members of the pool before the tokens (the pool's rules are
	 * the same for all: the first member until its budget is spent, then the
	 * next). The client's: gh_new takes them, gh_free frees them.
	 */
	struct app_auth **apps;
	size_t napps;
};

/* What the client spent and what GitHub says is left (-1 = not seen yet). */
struct gh_stats {
	uint64_t requests; /* HTTP requests sent to GitHub, retries included */
	uint64_t rest_requests;
	uint64_t graphql_requests;
	uint64_t rest_points; /* REST requests GitHub answered and charged: not 304s or refusals */
	uint64_t graphql_points; /* rateLimit.cost of each answer, or the query's own cost */
	uint64_t hidden;         /* items GitHub answered as null (not visible to the token) */
	int64_t core_limit, core_remaining, core_reset; /* the current token's; reset: epoch s */
	int64_t graphql_limit, graphql_remaining, graphql_reset;
	struct rl_stats limits; /* waits, retries, rotations */
};

/* A new client with copies of o's strings; never NULL. Free with gh_free (NULL is a no-op). */
struct gh *gh_new(const struct gh_options *o);
void gh_free(struct gh *g);

/*
 * Every app of the pool mints its first installation token now, before
 * anything else is sent or written: an app GitHub refuses (a wrong key or
 * app id, not installed on the repository) stops the run at once, with the
 * error naming the input at fault (ERR_AUTH). 0 when there is no app.
 */
int gh_authenticate(struct gh *g, struct err *e);

/* App i of the pool (borrowed), or NULL past the last. */
struct app_auth *gh_app(const struct gh *g, size_t i);

/*
 * An app_send_fn (appauth.h), ud being the client: sends a request with
 * bearer (an app's JWT) instead of a pool token, on the API's host, with the
 * client's headers; 5xx answers and lost connections are sent again as the
 * policy says (an access token minted twice is harmless: the first expires
 * unused). Charges no budget of the pool: a JWT has the app's own.
 */
int gh_app_send(void *ud, const char *method, const char *path, const char *body,
		const char *bearer, struct app_answer *out, struct err *e);

/* The client's figures, brought up to date. Borrowed: valid until the next call on g. */
const struct gh_stats *gh_stats(const struct gh *g);

/* Counts n items GitHub answered as null (they are skipped, not stored). */
void gh_count_hidden(struct gh *g, size_t n);

/*
 * GETs path (relative to the API base, or an absolute URL on the API's own
 * host) and parses the JSON answer into *out (caller frees with cJSON_Delete).
 * -1 + e on any failure, with *out NULL.
 */
int gh_rest_get(struct gh *g, const char *path, cJSON **out, struct err *e);

/*
 * GETs path like gh_rest_get, with etag (when not NULL) as If-None-Match. A
 * 304 (Not Modified: no primary rate point) is a success with *out NULL.
 * *etag_out (caller frees) is the answer's ETag (a 304's: etag), or NULL.
 */
int gh_rest_get_cond(struct gh *g, const char *path, const char *etag, cJSON **out, char **etag_out,
		     struct err *e);

/*
 * POSTs body (JSON) to path. Not safe to repeat, so sent again only after a
 * rate-limit refusal: a 5xx or a lost connection is final (the request may
 * have been carried out; the caller finds out). On a 2xx *status is it and
 * *out the parsed answer, or NULL when it has none (204).
 */
int gh_rest_post(struct gh *g, const char *path, const char *body, long *status, cJSON **out,
		 struct err *e);

/*
 * Same, and *next (caller frees) the URL of the next page its Link header
 * names, or NULL. A next page on another host than the API's is an error
 * (ERR_POLICY) naming that host.
 */
int gh_rest_get_page(struct gh *g, const char *path, cJSON **out, char **next, struct err *e);

/*
 * One page of a REST list, borrowed for the call. fn may set *stop to end
 * the walk early; an fn error ends the walk and is returned.
 */
typedef int (*gh_page_fn)(void *ud, const cJSON *items, bool *stop, struct err *e);

/*
 * GETs path and every next page (Link rel="next") and calls fn with each
 * page's array. A next page on another scheme, host or port than the API's
 * is not fetched: the walk fails (ERR_POLICY) naming that host.
 */
int gh_rest_each_page(struct gh *g, const char *path, gh_page_fn fn, void *ud, struct err *e);

/*
 * POSTs a GraphQL document. cost is what GitHub's formula charges for it
 * (gql.h), counted when the answer does not say (rateLimit missing, or an
 * answer that cannot be parsed). On HTTP 200 *out is the whole answer object
 * ({"data":…, "errors":…}) and *bytes (when not NULL) its size; the caller
 * decides what partial errors mean. A spent budget (error type RATE_LIMITED
 * or RATE_LIMIT, whatever x-ratelimit-remaining says) is waited for or
 * ERR_RATE. An answer that cannot be parsed is not sent again: ERR_PARSE, so
 * the caller can split the query (the same query would get the same answer).
 * An endpoint that is not there (404) is ERR_NOT_FOUND with status 404
 * (gh_graphql_missing). -1 + e on failure, *out NULL.
 */
int gh_graphql(struct gh *g, const char *query, int64_t cost, cJSON **out, size_t *bytes,
	       struct err *e);

/*
 * Sends query now, ahead of the gh_graphql call that will want its answer,
 * so waiting for GitHub overlaps other work (the store's writes): the next
 * gh_graphql of the same query collects it instead of sending it. Any other
 * GraphQL query first, or gh_ahead_drop, abandons it (counted as sent: GitHub
 * may have charged it). Nothing is sent when a request is already ahead, or
 * when the budget (or this shard's share) could not pay cost without a wait.
 * At most one request is ahead: with the one under way, two at a time, as
 * GitHub asks of clients (serial, not concurrent, requests).
 */
void gh_graphql_ahead(struct gh *g, const char *query, int64_t cost);
void gh_ahead_drop(struct gh *g);

/*
 * gh_graphql for a page of a list: an answer that cannot be read (a cut
 * transfer) is asked for again, up to GH_PAGE_TRIES times in all.
 */
#define GH_PAGE_TRIES 3
int gh_graphql_page(struct gh *g, const char *query, int64_t cost, cJSON **out, struct err *e);

/* True when e says the GraphQL endpoint itself is missing (a proxy, some GHES set-ups). */
bool gh_graphql_missing(const struct err *e);

/*
 * Finds the rel="next" URL in a Link header value. Returns a new string
 * (caller frees) or NULL when there is none or the header is malformed.
 */
char *gh_link_next(const char *link);

/*
 * Whether the repository owner/name exists and the token can see it: 1 yes,
 * 0 no (GitHub says 404), -1 + e when that cannot be told. Asked once per
 * client and repository (a 404 for a pull request asks it).
 */
int gh_repo_exists(struct gh *g, const char *owner, const char *name, struct err *e);

/*
 * The accounts gh_user_resolve (github.h) looked up, by login: the known one
 * (borrowed, valid for the client's life) or NULL; gh_remember_user copies u in.
 */
const struct gh_user *gh_known_user(const struct gh *g, const char *login);
void gh_remember_user(struct gh *g, const struct gh_user *u);

#endif
