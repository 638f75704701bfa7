/*
 * github.c - GitHub REST and GraphQL over http.c: headers, pagination, rate
 * counters, error mapping, and the typed fetches built on them.
 * Must never put a token in a message or a log line.
 */
#include "github.h"

#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "util.h"

#define API_VERSION "2022-11-28"
#define URL_MAX     8192

struct gh {
	char *api_url;
	char *graphql_url;
	char *auth_header; /* "Authorization: Bearer …" or NULL */
	struct http_client *http;
	struct gh_stats stats;
	struct gh_user *users; /* accounts looked up by gh_user_resolve */
	size_t nusers;
};

struct gh *
gh_new(const struct gh_options *o)
{
	struct gh *g = xcalloc(1, sizeof(*g));

	g->api_url = xstrdup(o->api_url);
	g->graphql_url = xstrdup(o->graphql_url);
	if (o->token != NULL && o->token[0] != '\0') {
		struct buf b = BUF_INIT(16384);

		buf_printf(&b, "Authorization: Bearer %s", o->token);
		g->auth_header = buf_detach(&b);
	}
	g->http = o->http;
	g->stats.core_limit = g->stats.core_remaining = g->stats.core_reset = -1;
	g->stats.graphql_limit = g->stats.graphql_remaining = g->stats.graphql_reset = -1;
	return g;
}

void
gh_free(struct gh *g)
{
	if (g == NULL)
		return;
	free(g->api_url);
	free(g->graphql_url);
	if (g->auth_header != NULL) {
		memset(g->auth_header, 0, strlen(g->auth_header));
		free(g->auth_header);
	}
	for (size_t i = 0; i < g->nusers; i++)
		gh_user_release(&g->users[i]);
	free(g->users);
	free(g);
}

const struct gh_stats *
gh_stats(const struct gh *g)
{
	return &g->stats;
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
note_rate(struct gh *g, const struct http_response *r, bool graphql)
{
	const char *res = http_header(r, "x-ratelimit-resource");
	int64_t limit = header_int(r, "x-ratelimit-limit");
	int64_t remaining = header_int(r, "x-ratelimit-remaining");
	int64_t reset = header_int(r, "x-ratelimit-reset");

	if (remaining < 0)
		return;
	if (res != NULL ? strcmp(res, "graphql") == 0 : graphql) {
		g->stats.graphql_limit = limit;
		g->stats.graphql_remaining = remaining;
		g->stats.graphql_reset = reset;
	} else if (res == NULL || strcmp(res, "core") == 0) {
		g->stats.core_limit = limit;
		g->stats.core_remaining = remaining;
		g->stats.core_reset = reset;
	}
}

/* GitHub's "message" from an error body, or "" (copied into out). */
static void
error_message(const struct http_response *r, char *out, size_t n)
{
	cJSON *j = json_parse(r->body.data, r->body.len, NULL);
	const char *m = json_str(j, "message");

	snprintf(out, n, "%s", m != NULL ? m : "");
	cJSON_Delete(j);
}

/* The path part of url for messages (the API base is the same for all). */
static const char *
short_url(const struct gh *g, const char *url)
{
	size_t n = strlen(g->api_url);

	return strncmp(url, g->api_url, n) == 0 && url[n] == '/' ? url + n : url;
}

static int
rate_error(const struct gh *g, const struct http_response *r, const char *what, const char *msg,
	   struct err *e)
{
	const char *ra = http_header(r, "retry-after");
	int64_t reset = header_int(r, "x-ratelimit-reset");
	char when[21] = "unknown";

	if (reset > 0)
		time_format_iso((time_t)reset, when);
	(void)g;
	if (ra != NULL)
		err_set(e, ERR_RATE, "%s: GitHub secondary rate limit (retry after %s s): %s", what,
			ra, msg);
	else if (header_int(r, "x-ratelimit-remaining") == 0)
		err_set(e, ERR_RATE, "%s: GitHub rate limit exhausted (resets at %s): %s", what,
			when, msg);
	else
		err_set(e, ERR_RATE, "%s: GitHub secondary rate limit: %s", what, msg);
	if (e != NULL)
		e->status = (int)r->status;
	return -1;
}

/* Maps a non-2xx answer to an error. */
static int
answer_error(const struct gh *g, const char *method, const char *url, const struct http_response *r,
	     struct err *e)
{
	char msg[512];
	char what[URL_MAX];
	enum err_code code = ERR_GITHUB;

	error_message(r, msg, sizeof(msg));
	snprintf(what, sizeof(what), "%s %s", method, short_url(g, url));
	if ((r->status == 403 || r->status == 429) &&
	    (header_int(r, "x-ratelimit-remaining") == 0 || http_header(r, "retry-after") != NULL ||
	     strstr(msg, "rate limit") != NULL))
		return rate_error(g, r, what, msg, e);
	if (r->status == 401)
		code = ERR_AUTH;
	else if (r->status == 404)
		code = ERR_NOT_FOUND;
	err_set(e, code, "%s: %ld %s", what, r->status, msg[0] != '\0' ? msg : "(no message)");
	if (e != NULL)
		e->status = (int)r->status;
	return -1;
}

static int
request(struct gh *g, const char *method, const char *url, const char *body, bool graphql,
	struct http_response *resp, struct err *e)
{
	const char *headers[6];
	size_t n = 0;
	struct http_request req = {method, url, headers, body, body != NULL ? strlen(body) : 0};

	headers[n++] = "Accept: application/vnd.github+json";
	headers[n++] = "X-GitHub-Api-Version: " API_VERSION;
	if (g->auth_header != NULL)
		headers[n++] = g->auth_header;
	if (body != NULL)
		headers[n++] = "Content-Type: application/json";
	headers[n] = NULL;

	g->stats.requests++;
	if (graphql)
		g->stats.graphql_requests++;
	else
		g->stats.rest_requests++;
	log_debug("github: %s %s", method, short_url(g, url));
	if (http_send(g->http, &req, resp, e) < 0)
		return -1;
	note_rate(g, resp, graphql);
	if (resp->status < 200 || resp->status > 299)
		return answer_error(g, method, url, resp, e);
	return 0;
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
	if (request(g, "GET", url, NULL, false, &r, e) < 0)
		goto out;
	*out = json_parse(r.body.data, r.body.len, e);
	if (*out == NULL) {
		err_prefix(e, "GET %s: ", short_url(g, url));
		goto out;
	}
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
	if (request(g, "POST", g->graphql_url, body, true, &r, e) < 0)
		goto out;
	*out = json_parse(r.body.data, r.body.len, e);
	if (*out == NULL) {
		err_prefix(e, "POST graphql: ");
		goto out;
	}
	if (graphql_rate_limited(*out)) {
		rate_error(g, &r, "POST graphql", "RATE_LIMITED", e);
		cJSON_Delete(*out);
		*out = NULL;
		goto out;
	}
	rl = json_get(json_get(*out, "data"), "rateLimit");
	g->stats.graphql_points +=
		json_int64(rl, "cost", &cost) == 0 && cost >= 0 ? (uint64_t)cost : 1;
	rc = 0;
out:
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
