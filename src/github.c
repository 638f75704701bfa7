/*
 * github.c - GitHub REST and GraphQL over http.c: headers, pagination, the
 * rate-limit and retry policy (ratelimit.c) applied to every request, error
 * mapping, and the typed fetches built on them.
 * Must never put a token in a message or a log line.
 */
#include "github.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "json.h"
#include "log.h"
#include "util.h"

#define API_VERSION "2022-11-28"
#define URL_MAX     8192

struct gh {
	char *api_url;
	char *graphql_url;
	struct http_client *http;
	struct ratelimit *rl;
	struct gh_stats stats;
	struct gh_user *users; /* accounts looked up by gh_user_resolve */
	size_t nusers;
};

struct gh *
gh_new(const struct gh_options *o)
{
	struct gh *g = xcalloc(1, sizeof(*g));
	struct rl_policy none = {3600, 0, 0, 1, 5};

	g->api_url = xstrdup(o->api_url);
	g->graphql_url = xstrdup(o->graphql_url);
	g->rl = rl_new(o->tokens, o->ntokens, o->policy != NULL ? o->policy : &none);
	g->http = o->http;
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
	free(g);
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

/*
 * GitHub's "message" from an error body, the gist of a body that is not JSON
 * (a proxy's HTML page), or "" (copied into out).
 */
static void
error_message(const struct http_response *r, char *out, size_t n)
{
	cJSON *j = json_parse(r->body.data, r->body.len, NULL);
	const char *m = json_str(j, "message");
	struct buf g = BUF_INIT(256);

	if (m == NULL && j == NULL && r->body.len > 0 &&
	    log_gist(&g, r->body.data, r->body.len, 120) == 0)
		m = buf_str(&g);
	snprintf(out, n, "%s", m != NULL ? m : "");
	buf_release(&g);
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
static int
answer_error(const struct gh *g, const char *method, const char *url, const struct http_response *r,
	     const char *msg, struct err *e)
{
	enum err_code code = ERR_GITHUB;

	if (r->status == 401)
		code = ERR_AUTH;
	else if (r->status == 404)
		code = ERR_NOT_FOUND;
	err_set(e, code, "%s %s: %ld %s", method, short_url(g, url), r->status,
		msg[0] != '\0' ? msg : "(no message)");
	if (e != NULL)
		e->status = (int)r->status;
	return -1;
}

/* True if any entry of a GraphQL "errors" array has type RATE_LIMITED. */
static bool
graphql_rate_limited(const cJSON *root)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, json_get(root, "errors")) {
		const char *type = json_str(it, "type");

		if (type != NULL && strcmp(type, "RATE_LIMITED") == 0)
			return true;
	}
	return false;
}

/*
 * Why a non-2xx answer failed, for the retry policy; -1 when it is final.
 * A spent primary budget is noted (from the headers, or assumed for a minute).
 */
static int
classify(struct gh *g, enum rl_resource r, const struct http_response *resp, const char *msg,
	 enum rl_kind *kind, int64_t *retry_after)
{
	int64_t remaining = header_int(resp, "x-ratelimit-remaining");

	*retry_after = header_int(resp, "retry-after");
	if (resp->status == 403 || resp->status == 429) {
		if (remaining == 0 && *retry_after < 0) {
			int64_t reset = header_int(resp, "x-ratelimit-reset");

			rl_note(g->rl, r, header_int(resp, "x-ratelimit-limit"), 0,
				reset > 0 ? reset : (int64_t)clock_now() + 60);
			*kind = RL_PRIMARY;
			return 0;
		}
		if (*retry_after >= 0 || resp->status == 429 ||
		    strstr(msg, "secondary rate") != NULL || strstr(msg, "abuse") != NULL) {
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

/*
 * Sends a request, and again as the rate-limit policy says, until a 2xx
 * answer (parsed into *json when json is not NULL) or a final failure.
 */
static int
exchange(struct gh *g, const char *method, const char *url, const char *body, bool graphql,
	 struct http_response *resp, cJSON **json, struct err *e)
{
	enum rl_resource r = graphql ? RL_GRAPHQL : RL_CORE;

	if (json != NULL)
		*json = NULL;
	for (int attempt = 0;; attempt++) {
		struct buf auth = BUF_INIT(16384);
		const char *headers[6];
		size_t n = 0;
		struct http_request req = {method, url, headers, body,
					   body != NULL ? strlen(body) : 0};
		enum rl_kind kind = RL_TRANSPORT;
		int64_t retry_after = -1;
		struct err ae;
		char msg[512] = "";
		int rc;

		err_clear(&ae);
		http_response_release(resp);
		if (rl_before(g->rl, r, e) < 0)
			return -1;
		headers[n++] = "Accept: application/vnd.github+json";
		headers[n++] = "X-GitHub-Api-Version: " API_VERSION;
		if (rl_token(g->rl) != NULL) {
			buf_printf(&auth, "Authorization: Bearer %s", rl_token(g->rl));
			headers[n++] = buf_str(&auth);
		}
		if (body != NULL)
			headers[n++] = "Content-Type: application/json";
		headers[n] = NULL;
		g->stats.requests++;
		if (graphql)
			g->stats.graphql_requests++;
		else
			g->stats.rest_requests++;
		log_debug("github: %s %s", method, short_url(g, url));
		rc = http_send(g->http, &req, resp, &ae);
		if (auth.data != NULL)
			memset(auth.data, 0, auth.len);
		buf_release(&auth);
		if (rc == 0) {
			note_rate(g, resp, r);
			if (!graphql)
				rl_charge(g->rl, RL_CORE, 1);
			if (resp->status >= 200 && resp->status <= 299) {
				if (json == NULL)
					return 0;
				*json = json_parse(resp->body.data, resp->body.len, &ae);
				if (*json == NULL) {
					err_prefix(&ae, "%s %s: ", method, short_url(g, url));
				} else if (graphql && graphql_rate_limited(*json)) {
					int64_t reset = header_int(resp, "x-ratelimit-reset");

					cJSON_Delete(*json);
					*json = NULL;
					rl_note(g->rl, r, header_int(resp, "x-ratelimit-limit"), 0,
						reset > 0 ? reset : (int64_t)clock_now() + 60);
					err_set(&ae, ERR_RATE, "POST graphql: RATE_LIMITED");
					kind = RL_PRIMARY;
				} else {
					return 0;
				}
			} else {
				error_message(resp, msg, sizeof(msg));
				answer_error(g, method, url, resp, msg, &ae);
				if (classify(g, r, resp, msg, &kind, &retry_after) < 0) {
					*e = ae;
					return -1;
				}
			}
		}
		if (cancel_requested())
			return err_set(e, ERR_CANCELLED, "cancelled");
		if (rc < 0 && ae.code == ERR_TLS) {
			*e = ae; /* the same certificate fails again */
			return -1;
		}
		if (rl_retry(g->rl, r, kind, attempt, retry_after, &ae, e) < 0)
			return -1;
	}
}

static char *
full_url(const struct gh *g, const char *path)
{
	struct buf b = BUF_INIT(URL_MAX);

	if (str_starts(path, "http://") || str_starts(path, "https://"))
		buf_puts(&b, path);
	else
		buf_printf(&b, "%s%s%s", g->api_url, path[0] == '/' ? "" : "/", path);
	return buf_detach(&b);
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
gh_rest_get(struct gh *g, const char *path, cJSON **out, struct err *e)
{
	char *url = full_url(g, path);
	int rc = get_json(g, url, out, NULL, e);

	free(url);
	return rc;
}

int
gh_rest_each_page(struct gh *g, const char *path, gh_page_fn fn, void *ud, struct err *e)
{
	char *url = full_url(g, path);
	bool stop = false;

	while (url != NULL && !stop) {
		cJSON *page = NULL;
		char *next = NULL;
		int rc;

		rc = get_json(g, url, &page, &next, e);
		if (rc == 0 && !cJSON_IsArray(page))
			rc = err_set(e, ERR_PARSE, "GET %s: answer is not a list",
				     short_url(g, url));
		if (rc == 0)
			rc = fn(ud, page, &stop, e);
		cJSON_Delete(page);
		free(url);
		url = next;
		if (rc < 0) {
			free(url);
			return -1;
		}
	}
	free(url);
	return 0;
}

int
gh_graphql(struct gh *g, const char *query, const cJSON *variables, cJSON **out, struct err *e)
{
	struct http_response r = {0};
	cJSON *req = cJSON_CreateObject();
	const cJSON *rl;
	char *body;
	int64_t cost;
	int rc = -1;

	*out = NULL;
	json_add_str(req, "query", query);
	if (variables != NULL)
		cJSON_AddItemToObject(req, "variables", cJSON_Duplicate(variables, 1));
	body = json_print(req);
	cJSON_Delete(req);
	if (exchange(g, "POST", g->graphql_url, body, true, &r, out, e) == 0) {
		rl = json_get(json_get(*out, "data"), "rateLimit");
		if (json_int64(rl, "cost", &cost) < 0 || cost < 0)
			cost = 1;
		g->stats.graphql_points += (uint64_t)cost;
		rl_charge(g->rl, RL_GRAPHQL, cost);
		rc = 0;
	}
	free(body);
	http_response_release(&r);
	return rc;
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
		if (*p == '\0')
			return NULL;
		if (*p != '<')
			return NULL;
		uri = p + 1;
		uri_end = strchr(uri, '>');
		if (uri_end == NULL)
			return NULL;
		p = skip_ws(uri_end + 1);
		while (*p == ';') {
			const char *name, *val;
			size_t nlen, vlen;

			p = skip_ws(p + 1);
			name = p;
			while (*p != '\0' && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
				p++;
			nlen = (size_t)(p - name);
			p = skip_ws(p);
			val = p;
			vlen = 0;
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
			if (nlen == 3 && strncasecmp(name, "rel", 3) == 0 &&
			    rel_has_next(val, vlen))
				next = true;
			p = skip_ws(p);
		}
		if (*p != ',' && *p != '\0')
			return NULL;
		if (next)
			return uri_end > uri ? xstrndup(uri, (size_t)(uri_end - uri)) : NULL;
	}
}

int
gh_repo_get(struct gh *g, const char *owner, const char *name, struct gh_repo *out, struct err *e)
{
	struct buf path = BUF_INIT(URL_MAX);
	cJSON *j = NULL;
	int rc;

	buf_printf(&path, "/repos/%s/%s", owner, name);
	rc = gh_rest_get(g, buf_str(&path), &j, e);
	if (rc == 0 && map_repo(j, out, e) < 0)
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	cJSON_Delete(j);
	buf_release(&path);
	return rc;
}

int
gh_pull_get(struct gh *g, const char *owner, const char *name, int number, struct gh_pull *out,
	    struct err *e)
{
	struct buf path = BUF_INIT(URL_MAX);
	cJSON *j = NULL;
	int rc;

	buf_printf(&path, "/repos/%s/%s/pulls/%d", owner, name, number);
	rc = gh_rest_get(g, buf_str(&path), &j, e);
	if (rc == 0 && map_pull(j, out, e) < 0)
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	if (rc == 0 && !out->has_counters) {
		gh_pull_release(out);
		rc = err_set(e, ERR_PARSE, "GET %s: answer has no additions/deletions",
			     buf_str(&path));
	}
	cJSON_Delete(j);
	buf_release(&path);
	return rc;
}

/*
 * Typed list walks: every page of a REST list, each item mapped to its struct,
 * handed to the caller's callback a page at a time and freed after it.
 */
struct walk {
	size_t size; /* of one struct */
	int (*map)(const cJSON *j, void *out, const void *arg, struct err *e);
	void (*release)(void *item);
	const void *map_arg;
	int (*call)(const struct walk *w, const void *items, size_t n, bool *stop, struct err *e);
	void (*fn)(void); /* the caller's typed callback, called back by call() */
	void *ud;
};

static int
walk_page(void *ud, const cJSON *items, bool *stop, struct err *e)
{
	struct walk *w = ud;
	size_t n = (size_t)cJSON_GetArraySize(items);
	char *arr = xcalloc(n ? n : 1, w->size);
	const cJSON *it;
	size_t got = 0;
	int rc = 0;

	cJSON_ArrayForEach (it, items) {
		if (w->map(it, arr + got * w->size, w->map_arg, e) < 0) {
			rc = -1;
			break;
		}
		got++;
	}
	if (rc == 0)
		rc = w->call(w, arr, got, stop, e);
	for (size_t i = 0; i < got; i++)
		w->release(arr + i * w->size);
	free(arr);
	return rc;
}

/*
 * The three small functions that let walk_page carry struct T: its mapper,
 * its release, and a call of the caller's typed callback. (C has no
 * generics; this keeps the one walk for every list.)
 */
#define WALK_TYPE(T, MAPPER, RELEASE, FN)                                                          \
	static int T##_map(const cJSON *j, void *out, const void *arg, struct err *e)              \
	{                                                                                          \
		return MAPPER;                                                                     \
	}                                                                                          \
	static void T##_release(void *p)                                                           \
	{                                                                                          \
		RELEASE(p);                                                                        \
	}                                                                                          \
	static int T##_call(const struct walk *w, const void *items, size_t n, bool *stop,         \
			    struct err *e)                                                         \
	{                                                                                          \
		return ((FN)w->fn)(w->ud, items, n, stop, e);                                      \
	}

WALK_TYPE(file, ((void)arg, map_file(j, out, e)), gh_file_release, gh_files_fn)
WALK_TYPE(pull, ((void)arg, map_pull(j, out, e)), gh_pull_release, gh_pulls_fn)
WALK_TYPE(review, ((void)arg, map_review(j, out, e)), gh_review_release, gh_reviews_fn)
WALK_TYPE(comment, map_comment(j, *(const enum gh_comment_kind *)arg, out, e), gh_comment_release,
	  gh_comments_fn)
WALK_TYPE(commit, ((void)arg, map_commit(j, out, e)), gh_commit_release, gh_commits_fn)

#define WALK(T, STRUCT, ARG, FN, UD)                                                               \
	{                                                                                          \
		sizeof(STRUCT), T##_map, T##_release, (ARG), T##_call, (void (*)(void))(FN), (UD)  \
	}

/* Formats a path and walks it. */
static int walkf(struct gh *g, struct walk *w, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
walkf(struct gh *g, struct walk *w, struct err *e, const char *fmt, ...)
{
	struct buf path = BUF_INIT(URL_MAX);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(&path, fmt, ap);
	va_end(ap);
	if (rc < 0)
		rc = err_set(e, ERR_INPUT, "request path too long");
	else
		rc = gh_rest_each_page(g, buf_str(&path), walk_page, w, e);
	buf_release(&path);
	return rc;
}

int
gh_pull_files(struct gh *g, const char *owner, const char *name, int number, gh_files_fn fn,
	      void *ud, struct err *e)
{
	struct walk w = WALK(file, struct gh_file, NULL, fn, ud);

	return walkf(g, &w, e, "/repos/%s/%s/pulls/%d/files?per_page=100", owner, name, number);
}

int
gh_pulls_list(struct gh *g, const char *owner, const char *name, const char *sort, gh_pulls_fn fn,
	      void *ud, struct err *e)
{
	struct walk w = WALK(pull, struct gh_pull, NULL, fn, ud);

	return walkf(g, &w, e, "/repos/%s/%s/pulls?state=all&sort=%s&direction=desc&per_page=100",
		     owner, name, sort);
}

int
gh_pull_reviews(struct gh *g, const char *owner, const char *name, int number, gh_reviews_fn fn,
		void *ud, struct err *e)
{
	struct walk w = WALK(review, struct gh_review, NULL, fn, ud);

	return walkf(g, &w, e, "/repos/%s/%s/pulls/%d/reviews?per_page=100", owner, name, number);
}

int
gh_pull_comments(struct gh *g, const char *owner, const char *name, int number,
		 enum gh_comment_kind kind, gh_comments_fn fn, void *ud, struct err *e)
{
	static const enum gh_comment_kind kinds[] = {GH_ISSUE_COMMENT, GH_REVIEW_COMMENT};
	struct walk w = WALK(comment, struct gh_comment, &kinds[kind], fn, ud);

	if (kind == GH_ISSUE_COMMENT)
		return walkf(g, &w, e, "/repos/%s/%s/issues/%d/comments?per_page=100", owner, name,
			     number);
	return walkf(g, &w, e, "/repos/%s/%s/pulls/%d/comments?per_page=100", owner, name, number);
}

int
gh_repo_comments(struct gh *g, const char *owner, const char *name, enum gh_comment_kind kind,
		 const char *since, gh_comments_fn fn, void *ud, struct err *e)
{
	static const enum gh_comment_kind kinds[] = {GH_ISSUE_COMMENT, GH_REVIEW_COMMENT};
	struct walk w = WALK(comment, struct gh_comment, &kinds[kind], fn, ud);
	struct buf q = BUF_INIT(256);
	int rc;

	http_urlencode(&q, since);
	rc = walkf(g, &w, e,
		   "/repos/%s/%s/%s/comments?since=%s&sort=updated&direction=asc&per_page=100",
		   owner, name, kind == GH_ISSUE_COMMENT ? "issues" : "pulls", buf_str(&q));
	buf_release(&q);
	return rc;
}

int
gh_commits_list(struct gh *g, const char *owner, const char *name, const char *branch,
		const char *since, gh_commits_fn fn, void *ud, struct err *e)
{
	struct walk w = WALK(commit, struct gh_commit, NULL, fn, ud);
	struct buf b = BUF_INIT(1024), q = BUF_INIT(256);
	int rc;

	http_urlencode(&b, branch);
	http_urlencode(&q, since);
	rc = walkf(g, &w, e, "/repos/%s/%s/commits?sha=%s&since=%s&per_page=100", owner, name,
		   buf_str(&b), buf_str(&q));
	buf_release(&b);
	buf_release(&q);
	return rc;
}

/* Counts the files of every further page of a commit (GitHub pages them at 300). */
static int
count_commit_files(void *ud, const cJSON *page, bool *stop, struct err *e)
{
	(void)stop;
	(void)e;
	*(int64_t *)ud += cJSON_GetArraySize(json_get(page, "files"));
	return 0;
}

int
gh_commit_get(struct gh *g, const char *owner, const char *name, const char *sha,
	      struct gh_commit *out, struct err *e)
{
	struct buf path = BUF_INIT(URL_MAX);
	cJSON *j = NULL;
	char *next = NULL;
	char *url;
	int rc;

	buf_printf(&path, "/repos/%s/%s/commits/%s", owner, name, sha);
	url = full_url(g, buf_str(&path));
	rc = get_json(g, url, &j, &next, e);
	if (rc == 0 && map_commit(j, out, e) < 0)
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	/* A commit touching more than 300 files lists the rest on further pages. */
	while (rc == 0 && next != NULL) {
		cJSON *page = NULL;
		char *after = NULL;

		rc = get_json(g, next, &page, &after, e);
		if (rc == 0)
			rc = count_commit_files(&out->changed_files, page, NULL, e);
		cJSON_Delete(page);
		free(next);
		next = after;
	}
	if (rc < 0 && out->sha != NULL)
		gh_commit_release(out);
	free(next);
	free(url);
	cJSON_Delete(j);
	buf_release(&path);
	return rc;
}

static int
add_pulls(void *ud, const cJSON *items, bool *stop, struct err *e)
{
	const cJSON *it;

	(void)stop;
	cJSON_ArrayForEach (it, items)
		if (map_commit_pr(it, ud, e) < 0)
			return -1;
	return 0;
}

int
gh_commit_pulls(struct gh *g, const char *owner, const char *name, struct gh_commit *c,
		struct err *e)
{
	struct buf path = BUF_INIT(URL_MAX);
	int rc;

	buf_printf(&path, "/repos/%s/%s/commits/%s/pulls?per_page=100", owner, name, c->sha);
	c->has_prs = true;
	rc = gh_rest_each_page(g, buf_str(&path), add_pulls, c, e);
	buf_release(&path);
	return rc;
}

int
gh_user_get(struct gh *g, const char *login, struct gh_user *out, struct err *e)
{
	struct buf path = BUF_INIT(URL_MAX);
	cJSON *j = NULL;
	int rc;

	buf_puts(&path, "/users/");
	http_urlencode(&path, login);
	rc = gh_rest_get(g, buf_str(&path), &j, e);
	if (rc == 0 && map_user(j, out, e) < 0)
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	cJSON_Delete(j);
	buf_release(&path);
	return rc;
}

int
gh_user_resolve(struct gh *g, struct gh_user *u, struct err *e)
{
	struct gh_user found;
	struct err ue;

	if (u->id > 0 || u->login == NULL)
		return 0;
	for (size_t i = 0; i < g->nusers; i++) {
		if (strcmp(g->users[i].login, u->login) == 0) {
			gh_user_release(u);
			gh_user_copy(u, &g->users[i]);
			return 0;
		}
	}
	err_clear(&ue);
	if (gh_user_get(g, u->login, &found, &ue) < 0) {
		if (ue.code == ERR_RATE || ue.code == ERR_AUTH) {
			if (e != NULL)
				*e = ue;
			return -1;
		}
		log_warn("user '%s': %s", u->login, ue.msg);
		return 0;
	}
	/* REST's record of the account, whole: both APIs store the same contributor. */
	gh_user_release(u);
	gh_user_copy(u, &found);
	g->users = xrealloc(g->users, (g->nusers + 1) * sizeof(*g->users));
	g->users[g->nusers++] = found;
	return 0;
}
