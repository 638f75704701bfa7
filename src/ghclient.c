/*
 * ghclient.c - GitHub REST and GraphQL over http.c: headers, the rate-limit
 * and retry policy (ratelimit.c) applied to every request, error mapping,
 * pagination. Must never put a token in a message or a log line, nor send
 * one to another host than the API's.
 */
#include "ghclient.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "clock.h"
#include "json.h"
#include "log.h"
#include "util.h"
#include "version.h"

#define API_VERSION "2022-11-28"
#define URL_MAX     8192
#define GIST_MAX    ((size_t)160) /* bytes of an unexpected answer quoted in a message */

struct gh {
	char *api_url;
	char *graphql_url;
	struct http_client *http;
	struct ratelimit *rl;
	struct gh_stats stats;
	struct gh_user *users; /* accounts looked up by gh_user_resolve */
	size_t nusers;
	char *repo_checked; /* "owner/name" gh_repo_exists asked about, and the answer */
	bool repo_exists;
	const char *validator; /* "If-None-Match: …" of the conditional GET under way */
	char *ahead_body;      /* the GraphQL request sent ahead (gh_graphql_ahead), or NULL */
	int64_t ahead_cost;
	struct app_auth **apps; /* members 0..napps of the pool; the tokens follow */
	size_t napps;
};

struct gh *
gh_new(const struct gh_options *o)
{
	static const struct rl_policy defaults = {.max_wait_s = 3600}; /* rl_new fills the rest */
	struct gh *g = xcalloc(1, sizeof(*g));
	size_t n = o->napps + o->ntokens;
	char **members = xcalloc(n > 0 ? n : 1, sizeof(*members));

	g->api_url = xstrdup(o->api_url);
	g->graphql_url = xstrdup(o->graphql_url);
	/* An app's member has no token until the app mints one (app_refresh). */
	for (size_t i = 0; i < o->ntokens; i++)
		members[o->napps + i] = o->tokens[i];
	g->rl = rl_new(members, n, o->policy != NULL ? o->policy : &defaults);
	free(members);
	g->http = o->http;
	if (o->napps > 0) {
		g->apps = xcalloc(o->napps, sizeof(*g->apps));
		memcpy(g->apps, o->apps, o->napps * sizeof(*g->apps));
		g->napps = o->napps;
	}
	return g;
}

void
gh_free(struct gh *g)
{
	if (g == NULL)
		return;
	free(g->api_url);
	free(g->graphql_url);
	rl_free(g->rl);
	for (size_t i = 0; i < g->nusers; i++)
		gh_user_release(&g->users[i]);
	free(g->users);
	free(g->repo_checked);
	free(g->ahead_body);
	for (size_t i = 0; i < g->napps; i++)
		app_auth_free(g->apps[i]);
	free(g->apps);
	free(g);
}

struct app_auth *
gh_app(const struct gh *g, size_t i)
{
	return i < g->napps ? g->apps[i] : NULL;
}

/* The app whose token is sent now, or NULL (a plain token, or none). */
static struct app_auth *
current_app(const struct gh *g)
{
	return gh_app(g, rl_member(g->rl));
}

/* The current member's token, minted or renewed first when it is an app's. */
static int
app_refresh(struct gh *g, struct err *e)
{
	size_t m = rl_member(g->rl);
	struct app_auth *a = gh_app(g, m);
	const char *t;

	if (a == NULL)
		return 0;
	t = app_auth_token(a, gh_app_send, g, e);
	if (t == NULL)
		return -1;
	if (rl_token(g->rl) == NULL || strcmp(rl_token(g->rl), t) != 0)
		rl_set_token(g->rl, m, t);
	return 0;
}

int
gh_authenticate(struct gh *g, struct err *e)
{
	for (size_t i = 0; i < g->napps; i++) {
		const char *t = app_auth_token(g->apps[i], gh_app_send, g, e);

		if (t == NULL)
			return -1;
		rl_set_token(g->rl, i, t);
	}
	return 0;
}

const struct gh_stats *
gh_stats(const struct gh *g)
{
	struct gh_stats *s = (struct gh_stats *)&g->stats;

	rl_budget(g->rl, RL_CORE, &s->core_remaining, &s->core_limit, &s->core_reset);
	rl_budget(g->rl, RL_GRAPHQL, &s->graphql_remaining, &s->graphql_limit, &s->graphql_reset);
	s->limits = *rl_stats(g->rl);
	return s;
}

void
gh_count_hidden(struct gh *g, size_t n)
{
	g->stats.hidden += n;
}

const struct gh_user *
gh_known_user(const struct gh *g, const char *login)
{
	for (size_t i = 0; i < g->nusers; i++)
		if (strcmp(g->users[i].login, login) == 0)
			return &g->users[i];
	return NULL;
}

void
gh_remember_user(struct gh *g, const struct gh_user *u)
{
	if (u->login == NULL || gh_known_user(g, u->login) != NULL)
		return;
	g->users = xrealloc(g->users, (g->nusers + 1) * sizeof(*g->users));
	gh_user_copy(&g->users[g->nusers++], u);
}

/* Reads an integer header; -1 when absent or not a number. */
static int64_t
header_int(const struct http_response *r, const char *name)
{
	const char *v = http_header(r, name);
	int64_t n;

	if (v == NULL || parse_int64(v, 0, INT64_MAX, &n) < 0)
		return -1;
	return n;
}

static void
note_rate(struct gh *g, const struct http_response *r, enum rl_resource sent)
{
	const char *res = http_header(r, "x-ratelimit-resource");
	enum rl_resource which = sent;

	if (res != NULL)
		which = strcmp(res, "graphql") == 0 ? RL_GRAPHQL : RL_CORE;
	rl_note(g->rl, which, header_int(r, "x-ratelimit-limit"),
		header_int(r, "x-ratelimit-remaining"), header_int(r, "x-ratelimit-reset"));
}

/* The words of an HTTP status, for answers that bring none of their own. */
static const char *
reason(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/*
 * What an error answer says, for a message: GitHub's "message" when it is
 * GitHub's JSON, else the status's words and a short, one-line, sanitised
 * start of the body (a proxy's HTML page, plain text), or "empty answer".
 */
static void
answer_words(const struct http_response *r, struct buf *out)
{
	cJSON *j = json_parse(r->body.data, r->body.len, NULL);
	const char *m = json_str(j, "message");

	if (m != NULL && m[0] != '\0') {
		struct buf g = BUF_INIT(GIST_MAX * 4);

		log_gist(&g, m, strlen(m), GIST_MAX * 2);
		buf_puts(out, buf_str(&g));
		buf_release(&g);
	} else {
		buf_puts(out, reason(r->status));
		if (r->body.len == 0) {
			buf_puts(out, out->len > 0 ? " (empty answer)" : "(empty answer)");
		} else {
			struct buf g = BUF_INIT(GIST_MAX * 4);

			log_gist(&g, r->body.data, r->body.len, GIST_MAX);
			buf_printf(out, "%s(answer: %s)", out->len > 0 ? " " : "", buf_str(&g));
			buf_release(&g);
		}
	}
	cJSON_Delete(j);
}

/* The path part of url for messages (the API base is the same for all). */
static const char *
short_url(const struct gh *g, const char *url)
{
	size_t n = strlen(g->api_url);

	return strncmp(url, g->api_url, n) == 0 && url[n] == '/' ? url + n : url;
}

/* Maps a non-2xx answer to an error (the cause when a retry gives up). */
static void
answer_error(const struct gh *g, const char *method, const char *url, const struct http_response *r,
	     const char *words, struct err *e)
{
	enum err_code code = ERR_GITHUB;
	const char *hint = "";

	if (r->status == 401) {
		code = ERR_AUTH;
		hint = current_app(g) != NULL
			       ? ": GitHub refused the app's installation token, a new one too"
			       : ": GitHub refused the token (the github-token input, or "
				 "GITHUB_TOKEN)";
	} else if (r->status == 404) {
		code = ERR_NOT_FOUND;
	}
	err_set(e, code, "%s %s: %ld %s%s", method, short_url(g, url), r->status, words, hint);
	if (e != NULL)
		e->status = (int)r->status;
}

/* True if an entry of a GraphQL "errors" array says the primary budget is spent (both shapes). */
static bool
graphql_rate_limited(const cJSON *root)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, json_get(root, "errors")) {
		const char *type = json_str(it, "type");
		const char *code = json_str(it, "code");

		if ((type != NULL &&
		     (strcmp(type, "RATE_LIMITED") == 0 || strcmp(type, "RATE_LIMIT") == 0)) ||
		    (code != NULL && strcmp(code, "graphql_rate_limit") == 0))
			return true;
	}
	return false;
}

/* Notes a spent budget of r: until the answer's reset, or for a minute. */
static void
note_spent(struct gh *g, enum rl_resource r, const struct http_response *resp)
{
	int64_t reset = header_int(resp, "x-ratelimit-reset");

	rl_note(g->rl, r, header_int(resp, "x-ratelimit-limit"), 0,
		reset > 0 ? reset : (int64_t)clock_now() + 60);
}

/*
 * Why a non-2xx answer failed, for the retry policy; -1 when it is final.
 * A spent primary budget is noted (from the headers, or assumed for a minute).
 */
static int
classify(struct gh *g, enum rl_resource r, const struct http_response *resp, const char *words,
	 enum rl_kind *kind, int64_t *retry_after)
{
	int64_t remaining = header_int(resp, "x-ratelimit-remaining");

	*retry_after = header_int(resp, "retry-after");
	if (resp->status == 403 || resp->status == 429) {
		if (remaining == 0 && *retry_after < 0) {
			note_spent(g, r, resp);
			*kind = RL_PRIMARY;
			return 0;
		}
		if (*retry_after >= 0 || resp->status == 429 ||
		    strstr(words, "secondary rate") != NULL || strstr(words, "abuse") != NULL) {
			*kind = RL_SECONDARY;
			return 0;
		}
		return -1;
	}
	if (resp->status >= 500 && resp->status <= 599) {
		*kind = RL_SERVER;
		return 0;
	}
	return -1;
}

/* Whether GitHub charged a REST answer against the core budget. */
static bool
charged(const struct http_response *r, enum rl_kind kind, bool refused)
{
	if (r->status == 304 || r->status == 401 || r->status >= 500)
		return false;
	return !(refused && (kind == RL_PRIMARY || kind == RL_SECONDARY));
}

/* The request's headers, the token among them (auth holds that line). */
static size_t
request_headers(struct gh *g, const char *body, struct buf *auth, const char *headers[6])
{
	size_t n = 0;

	headers[n++] = "Accept: application/vnd.github+json";
	headers[n++] = "X-GitHub-Api-Version: " API_VERSION;
	if (rl_token(g->rl) != NULL) {
		buf_printf(auth, "Authorization: Bearer %s", rl_token(g->rl));
		headers[n++] = buf_str(auth);
	}
	if (body != NULL)
		headers[n++] = "Content-Type: application/json";
	if (g->validator != NULL)
		headers[n++] = g->validator;
	headers[n] = NULL;
	return n;
}

/* Sends req, or collects its answer when it is the request sent ahead. */
static int
send_or_collect(struct gh *g, const struct http_request *req, bool graphql,
		struct http_response *resp, struct err *e)
{
	if (g->ahead_body != NULL && graphql && req->body != NULL &&
	    strcmp(req->body, g->ahead_body) == 0) {
		free(g->ahead_body);
		g->ahead_body = NULL;
		return http_collect(g->http, resp, e);
	}
	if (graphql)
		gh_ahead_drop(g); /* another query came first: that one is not wanted */
	return http_send(g->http, req, resp, e);
}

/* One try: 0 with a usable answer; 1 to ask the policy; -1 final (e set). */
static int
attempt_once(struct gh *g, const struct http_request *req, bool graphql, struct http_response *resp,
	     cJSON **json, enum rl_kind *kind, int64_t *retry_after, struct err *ae)
{
	enum rl_resource r = graphql ? RL_GRAPHQL : RL_CORE;
	bool refused = false;
	int rc = send_or_collect(g, req, graphql, resp, ae);

	g->stats.requests++;
	if (graphql)
		g->stats.graphql_requests++;
	else
		g->stats.rest_requests++;
	if (rc < 0)
		/* The same request meets the same certificate, host or size again. */
		return ae->code == ERR_TLS || ae->code == ERR_POLICY || ae->code == ERR_CANCELLED ||
				       ae->code == ERR_TOO_BIG
			       ? -1
			       : 1;
	note_rate(g, resp, r);
	if (resp->status == 304 && g->validator != NULL) {
		/* Not modified: the caller's copy stands; no primary point. */
	} else if (resp->status < 200 || resp->status > 299) {
		struct buf words = BUF_INIT(1024);

		answer_words(resp, &words);
		answer_error(g, req->method, req->url, resp, buf_str(&words), ae);
		rc = classify(g, r, resp, buf_str(&words), kind, retry_after) == 0 ? 1 : -1;
		refused = rc == 1;
		buf_release(&words);
	} else if (json != NULL) {
		*json = json_parse(resp->body.data, resp->body.len, ae);
		if (*json == NULL) {
			err_prefix(ae, "%s %s: ", req->method, short_url(g, req->url));
			ae->status = (int)resp->status;
			/* The same GraphQL query has the same answer: the caller splits it. */
			rc = graphql ? -1 : 1;
		} else if (graphql && graphql_rate_limited(*json)) {
			cJSON_Delete(*json);
			*json = NULL;
			note_spent(g, r, resp);
			err_set(ae, ERR_RATE, "POST graphql: GitHub's GraphQL budget is spent");
			*kind = RL_PRIMARY;
			refused = true;
			rc = 1;
		}
	}
	/* GET /rate_limit "does not count against your REST API rate limit". */
	if (!graphql && charged(resp, *kind, refused) && !str_ends(req->url, "/rate_limit")) {
		g->stats.rest_points++;
		rl_charge(g->rl, RL_CORE, 1);
	}
	return rc;
}

/*
 * Sends a request, and again as the rate-limit policy says, until a 2xx
 * answer (parsed into *json when json is not NULL) or a final failure. A
 * request that is not safe to repeat (idempotent false: it may have been
 * carried out) is sent again only after a rate-limit refusal, which GitHub
 * gives before doing anything; a 5xx or a lost connection is final.
 */
static int
exchange_as(struct gh *g, const char *method, const char *url, const char *body, bool graphql,
	    bool idempotent, struct http_response *resp, cJSON **json, struct err *e)
{
	enum rl_resource r = graphql ? RL_GRAPHQL : RL_CORE;
	int dns_failures = 0;
	bool renewed = false;

	if (json != NULL)
		*json = NULL;
	for (int attempt = 0;; attempt++) {
		struct buf auth = BUF_INIT(16384);
		const char *headers[6];
		struct http_request req = {.method = method,
					   .url = url,
					   .headers = headers,
					   .body = body,
					   .body_len = body != NULL ? strlen(body) : 0};
		enum rl_kind kind = RL_TRANSPORT;
		int64_t retry_after = -1;
		struct err ae;
		int rc;

		err_clear(&ae);
		http_response_release(resp);
		if (rl_before(g->rl, r, e) < 0 || app_refresh(g, e) < 0)
			return -1;
		request_headers(g, body, &auth, headers);
		log_debug("github: %s %s", method, short_url(g, url));
		rc = attempt_once(g, &req, graphql, resp, json, &kind, &retry_after, &ae);
		if (auth.data != NULL)
			memset(auth.data, 0, auth.len);
		buf_release(&auth);
		if (rc == 0)
			return 0;
		/*
		 * An installation token refused (it expired on the way, or was
		 * revoked): a new one, once; GitHub did nothing with the request.
		 */
		if (rc < 0 && ae.status == 401 && current_app(g) != NULL && !renewed) {
			log_info("%s: GitHub refused its installation token (401): minting a new "
				 "one",
				 app_auth_name(current_app(g)));
			app_auth_drop(current_app(g));
			renewed = true;
			continue;
		}
		if (rc < 0) {
			if (e != NULL)
				*e = ae;
			return -1;
		}
		if (cancel_requested())
			return err_set(e, ERR_CANCELLED, "cancelled");
		/* A name that does not resolve twice in a row will not: say so at once. */
		if (ae.code == ERR_DNS && ++dns_failures > 1) {
			if (e != NULL)
				*e = ae;
			return err_prefix(e, "GitHub cannot be reached (no network, or a wrong "
					     "GITHUB_API_URL?): ");
		}
		if (!idempotent && (kind == RL_SERVER || kind == RL_TRANSPORT)) {
			if (e != NULL)
				*e = ae;
			return -1;
		}
		if (rl_retry(g->rl, r, kind, attempt, retry_after, &ae, e) < 0)
			return -1;
	}
}

static int
exchange(struct gh *g, const char *method, const char *url, const char *body, bool graphql,
	 struct http_response *resp, cJSON **json, struct err *e)
{
	return exchange_as(g, method, url, body, graphql, true, resp, json, e);
}

/* The absolute URL of path (caller frees), or NULL when it is over URL_MAX. */
static char *
full_url(const struct gh *g, const char *path)
{
	struct buf b = BUF_INIT(URL_MAX);

	if (str_starts(path, "http://") || str_starts(path, "https://"))
		buf_puts(&b, path);
	else
		buf_printf(&b, "%s%s%s", g->api_url, path[0] == '/' ? "" : "/", path);
	return buf_failed(&b) ? NULL : buf_detach(&b);
}

/* Refuses to send the token to a URL off the API's own origin. */
static int
check_origin(const struct gh *g, const char *url, const char *what, struct err *e)
{
	char *host, *api;

	if (http_same_origin(g->api_url, url))
		return 0;
	host = http_host_of(url);
	api = http_host_of(g->api_url);
	err_set(e, ERR_POLICY,
		"%s is on another host '%s'; not followed (the token goes only to '%s')", what,
		host, api);
	free(host);
	free(api);
	return -1;
}

/* GET url, parse; on success *out and, if next is not NULL, the Link next URL. */
static int
get_json(struct gh *g, const char *url, cJSON **out, char **next, struct err *e)
{
	struct http_response r = {0};
	int rc = -1;

	*out = NULL;
	if (next != NULL)
		*next = NULL;
	if (check_origin(g, url, short_url(g, url), e) < 0)
		return -1;
	if (exchange(g, "GET", url, NULL, false, &r, out, e) < 0)
		goto out;
	if (next != NULL) {
		const char *link = http_header(&r, "link");

		*next = link != NULL ? gh_link_next(link) : NULL;
	}
	rc = 0;
out:
	http_response_release(&r);
	return rc;
}

int
gh_app_send(void *ud, const char *method, const char *path, const char *body, const char *bearer,
	    struct app_answer *out, struct err *e)
{
	struct gh *g = ud;
	char *url = full_url(g, path);
	struct http_response resp = {0};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (url == NULL)
		return err_set(e, ERR_INPUT, "request URL over %d bytes: %.80s…", URL_MAX, path);
	for (int attempt = 0;; attempt++) {
		struct buf auth = BUF_INIT(16384);
		const char *headers[6] = {NULL};
		struct http_request req = {.method = method,
					   .url = url,
					   .headers = headers,
					   .body = body,
					   .body_len = body != NULL ? strlen(body) : 0};
		enum rl_kind kind = RL_SERVER;
		struct err ae;
		int sent;

		err_clear(&ae);
		http_response_release(&resp);
		headers[0] = "Accept: application/vnd.github+json";
		headers[1] = "X-GitHub-Api-Version: " API_VERSION;
		buf_printf(&auth, "Authorization: Bearer %s", bearer);
		headers[2] = buf_str(&auth);
		if (body != NULL)
			headers[3] = "Content-Type: application/json";
		log_debug("github: %s %s (the app's JWT)", method, short_url(g, url));
		sent = http_send(g->http, &req, &resp, &ae);
		if (auth.data != NULL)
			memset(auth.data, 0, auth.len);
		buf_release(&auth);
		g->stats.requests++;
		g->stats.rest_requests++;
		if (sent < 0) {
			kind = RL_TRANSPORT;
			if (ae.code == ERR_TLS || ae.code == ERR_POLICY ||
			    ae.code == ERR_CANCELLED || ae.code == ERR_TOO_BIG ||
			    (ae.code == ERR_DNS && attempt > 0)) {
				if (e != NULL)
					*e = ae;
				break;
			}
		} else if (resp.status < 500) {
			const char *date = http_header(&resp, "date");

			out->status = resp.status;
			out->json = json_parse(resp.body.data, resp.body.len, NULL);
			snprintf(out->date, sizeof(out->date), "%s", date != NULL ? date : "");
			rc = 0;
			break;
		} else {
			err_set(&ae, ERR_GITHUB, "%s %s: %ld %s", method, short_url(g, url),
				resp.status, reason(resp.status));
		}
		if (rl_retry(g->rl, RL_CORE, kind, attempt, -1, &ae, e) < 0)
			break;
	}
	http_response_release(&resp);
	free(url);
	return rc;
}

int
gh_rest_get(struct gh *g, const char *path, cJSON **out, struct err *e)
{
	char *next = NULL;
	int rc = gh_rest_get_page(g, path, out, &next, e);

	free(next);
	return rc;
}

int
gh_rest_post(struct gh *g, const char *path, const char *body, long *status, cJSON **out,
	     struct err *e)
{
	char *url = full_url(g, path);
	struct http_response r = {0};
	int rc;

	*out = NULL;
	*status = 0;
	if (url == NULL)
		return err_set(e, ERR_INPUT, "request URL over %d bytes: %.80s…", URL_MAX, path);
	rc = check_origin(g, url, short_url(g, url), e);
	if (rc == 0)
		rc = exchange_as(g, "POST", url, body, false, false, &r, NULL, e);
	if (rc == 0) {
		*status = r.status;
		if (r.body.len > 0 && (*out = json_parse(r.body.data, r.body.len, e)) == NULL)
			rc = err_prefix(e, "POST %s: ", short_url(g, url));
	}
	http_response_release(&r);
	free(url);
	return rc;
}

/* The largest GraphQL request body. */
#define GRAPHQL_BODY_MAX ((size_t)64 * 1024 * 1024)

/* The longest ETag kept (GitHub's are W/"<64 hex digits>"). */
#define ETAG_MAX 256

int
gh_rest_get_cond(struct gh *g, const char *path, const char *etag, cJSON **out, char **etag_out,
		 struct err *e)
{
	char *url = full_url(g, path);
	struct buf validator = BUF_INIT(512);
	struct http_response r = {0};
	const char *tag;
	int rc;

	*out = NULL;
	*etag_out = NULL;
	if (url == NULL)
		return err_set(e, ERR_INPUT, "request URL over %d bytes: %.80s…", URL_MAX, path);
	rc = check_origin(g, url, short_url(g, url), e);
	if (rc == 0 && etag != NULL && buf_printf(&validator, "If-None-Match: %s", etag) < 0)
		rc = err_set(e, ERR_INPUT, "GET %s: an ETag over %zu bytes", short_url(g, url),
			     validator.max);
	if (rc == 0) {
		g->validator = etag != NULL ? buf_str(&validator) : NULL;
		rc = exchange(g, "GET", url, NULL, false, &r, out, e);
		g->validator = NULL;
	}
	tag = rc == 0 ? http_header(&r, "etag") : NULL;
	if (tag != NULL && *tag != '\0' && strlen(tag) <= ETAG_MAX)
		*etag_out = xstrdup(tag);
	else if (rc == 0 && r.status == 304)
		*etag_out = xstrdup(etag); /* GitHub repeats it; a 304 without one keeps ours */
	http_response_release(&r);
	buf_release(&validator);
	free(url);
	return rc;
}

int
gh_rest_get_page(struct gh *g, const char *path, cJSON **out, char **next, struct err *e)
{
	char *url = full_url(g, path);
	int rc;

	*out = NULL;
	*next = NULL;
	if (url == NULL)
		return err_set(e, ERR_INPUT, "request URL over %d bytes: %.80s…", URL_MAX, path);
	rc = get_json(g, url, out, next, e);

	if (rc == 0 && *next != NULL) {
		struct buf what = BUF_INIT(URL_MAX);

		buf_printf(&what, "GET %s: the next page", short_url(g, url));
		rc = check_origin(g, *next, buf_str(&what), e);
		buf_release(&what);
		if (rc < 0) {
			free(*next);
			*next = NULL;
			cJSON_Delete(*out);
			*out = NULL;
		}
	}
	free(url);
	return rc;
}

int
gh_rest_each_page(struct gh *g, const char *path, gh_page_fn fn, void *ud, struct err *e)
{
	char *url = xstrdup(path);
	bool stop = false;
	int rc = 0;

	while (rc == 0 && url != NULL && !stop) {
		cJSON *page = NULL;
		char *next = NULL;

		rc = gh_rest_get_page(g, url, &page, &next, e);
		if (rc == 0 && !cJSON_IsArray(page))
			rc = err_set(e, ERR_PARSE, "GET %s: answer is not a list",
				     short_url(g, url));
		if (rc == 0)
			rc = fn(ud, page, &stop, e);
		cJSON_Delete(page);
		free(url);
		url = next;
	}
	free(url);
	return rc;
}

/* The body of a GraphQL request: {"query": …}. */
static int
graphql_body(struct buf *body, const char *query, struct err *e)
{
	buf_puts(body, "{\"query\":");
	json_quote(body, query);
	if (buf_putc(body, '}') < 0)
		return err_set(e, ERR_INPUT, "GraphQL query over %zu bytes", body->max);
	return 0;
}

void
gh_graphql_ahead(struct gh *g, const char *query, int64_t cost)
{
	struct buf body = BUF_INIT(GRAPHQL_BODY_MAX), auth = BUF_INIT(16384);
	const char *headers[6];
	struct http_request req = {.method = "POST", .url = g->graphql_url, .headers = headers};
	struct err ae;

	err_clear(&ae);
	/* An app's token is renewed first, when due, as before any request. */
	if (g->ahead_body != NULL || http_started(g->http) ||
	    !rl_can_send(g->rl, RL_GRAPHQL, cost > 0 ? cost : 1) || app_refresh(g, &ae) < 0 ||
	    graphql_body(&body, query, NULL) < 0) {
		buf_release(&body);
		return;
	}
	req.body = buf_str(&body);
	req.body_len = body.len;
	request_headers(g, req.body, &auth, headers);
	log_debug("github: POST %s (sent ahead)", short_url(g, g->graphql_url));
	if (http_start(g->http, &req, &ae) == 0) {
		g->ahead_body = buf_detach(&body);
		g->ahead_cost = cost > 0 ? cost : 1;
	} else {
		log_debug("github: not sent ahead: %s", ae.msg);
	}
	if (auth.data != NULL)
		memset(auth.data, 0, auth.len);
	buf_release(&auth);
	buf_release(&body);
}

void
gh_ahead_drop(struct gh *g)
{
	if (g->ahead_body == NULL)
		return;
	/* It went out: GitHub may have answered and charged it. */
	http_drop(g->http);
	g->stats.requests++;
	g->stats.graphql_requests++;
	g->stats.graphql_points += (uint64_t)g->ahead_cost;
	rl_charge(g->rl, RL_GRAPHQL, g->ahead_cost);
	free(g->ahead_body);
	g->ahead_body = NULL;
}

int
gh_graphql(struct gh *g, const char *query, int64_t cost, cJSON **out, size_t *bytes, struct err *e)
{
	struct http_response r = {0};
	struct buf body = BUF_INIT(GRAPHQL_BODY_MAX);
	int64_t points;
	struct err ge;
	int rc;

	*out = NULL;
	if (bytes != NULL)
		*bytes = 0;
	err_clear(&ge);
	if (graphql_body(&body, query, e) < 0) {
		buf_release(&body);
		return -1;
	}
	rc = exchange(g, "POST", g->graphql_url, buf_str(&body), true, &r, out, &ge);
	if (rc == 0 || ge.code == ERR_PARSE) {
		/* GitHub charged for an answer it sent, readable or not. */
		const cJSON *rl = json_get(json_get(*out, "data"), "rateLimit");

		if (json_int64(rl, "cost", &points) < 0 || points < 0)
			points = cost > 0 ? cost : 1;
		g->stats.graphql_points += (uint64_t)points;
		rl_charge(g->rl, RL_GRAPHQL, points);
		if (bytes != NULL)
			*bytes = r.body.len;
	}
	if (rc < 0 && e != NULL)
		*e = ge;
	buf_release(&body);
	http_response_release(&r);
	return rc;
}

int
gh_repo_exists(struct gh *g, const char *owner, const char *name, struct err *e)
{
	struct buf path = BUF_INIT(URL_MAX);
	cJSON *j = NULL;
	struct err re;
	int rc;

	buf_printf(&path, "%s/%s", owner, name);
	if (g->repo_checked != NULL && strcasecmp(g->repo_checked, buf_str(&path)) == 0) {
		buf_release(&path);
		return g->repo_exists;
	}
	free(g->repo_checked);
	g->repo_checked = NULL;
	err_clear(&re);
	buf_reset(&path);
	buf_printf(&path, "/repos/%s/%s", owner, name);
	rc = gh_rest_get(g, buf_str(&path), &j, &re);
	cJSON_Delete(j);
	buf_release(&path);
	if (rc < 0 && re.code != ERR_NOT_FOUND) {
		if (e != NULL)
			*e = re;
		return -1;
	}
	buf_printf(&path, "%s/%s", owner, name);
	g->repo_checked = buf_detach(&path);
	g->repo_exists = rc == 0;
	return g->repo_exists;
}

int
gh_graphql_page(struct gh *g, const char *query, int64_t cost, cJSON **out, struct err *e)
{
	int rc = -1;

	for (int tries = 1; tries <= GH_PAGE_TRIES; tries++) {
		rc = gh_graphql(g, query, cost, out, NULL, e);
		if (rc == 0 || e == NULL || e->code != ERR_PARSE)
			break;
	}
	return rc;
}

bool
gh_graphql_missing(const struct err *e)
{
	return e->code == ERR_NOT_FOUND && e->status == 404;
}

/* Skips blanks. */
static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* True if the rel value [v, v+n) lists the relation type "next". */
static bool
rel_has_next(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start;

		while (i < n && v[i] == ' ')
			i++;
		start = i;
		while (i < n && v[i] != ' ')
			i++;
		if (i - start == 4 && strncasecmp(v + start, "next", 4) == 0)
			return true;
	}
	return false;
}

/* One link-param ("; name=value"), p after the ';'; *next set when it is rel=next. NULL: malformed. */
static const char *
link_param(const char *p, bool *next)
{
	const char *name = skip_ws(p), *val;
	size_t nlen, vlen = 0;

	p = name;
	while (*p != '\0' && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
		p++;
	nlen = (size_t)(p - name);
	p = skip_ws(p);
	val = p;
	if (*p == '=') {
		p = skip_ws(p + 1);
		if (*p == '"') {
			val = ++p;
			while (*p != '\0' && *p != '"') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			if (*p != '"')
				return NULL;
			vlen = (size_t)(p - val);
			p++;
		} else {
			val = p;
			while (*p != '\0' && *p != ';' && *p != ',' && *p != ' ')
				p++;
			vlen = (size_t)(p - val);
		}
	}
	if (nlen == 3 && strncasecmp(name, "rel", 3) == 0 && rel_has_next(val, vlen))
		*next = true;
	return skip_ws(p);
}

char *
gh_link_next(const char *link)
{
	const char *p = link;

	/* link = #( "<" URI ">" *( ";" param ) ), param = token "=" ( token / quoted ) (RFC 8288) */
	for (;;) {
		const char *uri, *uri_end;
		bool next = false;

		p = skip_ws(p);
		while (*p == ',')
			p = skip_ws(p + 1);
		if (*p != '<')
			return NULL;
		uri = p + 1;
		uri_end = strchr(uri, '>');
		if (uri_end == NULL)
			return NULL;
		p = skip_ws(uri_end + 1);
		while (p != NULL && *p == ';')
			p = link_param(p + 1, &next);
		if (p == NULL || (*p != ',' && *p != '\0'))
			return NULL;
		if (next)
			return uri_end > uri ? xstrndup(uri, (size_t)(uri_end - uri)) : NULL;
	}
}
