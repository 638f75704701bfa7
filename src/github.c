/*
 * github.c - typed REST fetches: GitHub's JSON read into model.h's structs
 * (map.h) and checked against what was asked for, over the client of
 * ghclient.c. No HTTP here, and no struct handed out holds JSON.
 */
#include "github.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ghclient.h"
#include "json.h"
#include "log.h"
#include "map.h"
#include "util.h"

#define PATH_MAX_BYTES 8192

/* Formats a request path; -1 (ERR_INPUT) when it does not fit. */
static int pathf(struct buf *path, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
pathf(struct buf *path, struct err *e, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(path, fmt, ap);
	va_end(ap);
	return rc < 0 ? err_set(e, ERR_INPUT, "request path over %zu bytes", path->max) : 0;
}

int
gh_repo_get(struct gh *g, const char *owner, const char *name, struct gh_repo *out, struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	cJSON *j = NULL;
	int rc = pathf(&path, e, "/repos/%s/%s", owner, name);

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		rc = gh_rest_get(g, buf_str(&path), &j, e);
	if (rc < 0 && e != NULL && e->code == ERR_NOT_FOUND)
		rc = err_set(
			e, ERR_NO_REPO,
			"repository %s/%s: GitHub does not have it, or the token cannot see it",
			owner, name);
	else if (rc == 0 && map_repo(j, out, e) < 0)
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	cJSON_Delete(j);
	buf_release(&path);
	return rc;
}

/*
 * A 404 for something of owner/name: ERR_NO_REPO when the repository itself
 * is not there (so the run stops at once), else e as it was.
 */
static int
not_found(struct gh *g, const char *owner, const char *name, struct err *e)
{
	struct err re;

	err_clear(&re);
	if (e == NULL || e->code != ERR_NOT_FOUND)
		return -1;
	switch (gh_repo_exists(g, owner, name, &re)) {
	case 0:
		return err_set(e, ERR_NO_REPO,
			       "repository %s/%s: GitHub does not have it, or the token cannot see "
			       "it",
			       owner, name);
	case -1: *e = re; return -1;
	default: return -1;
	}
}

int
gh_pull_get(struct gh *g, const char *owner, const char *name, int number, struct gh_pull *out,
	    struct err *e)
{
	return gh_pull_get_if(g, owner, name, number, NULL, out, e);
}

int
gh_pull_get_if(struct gh *g, const char *owner, const char *name, int number, const char *etag,
	       struct gh_pull *out, struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	cJSON *j = NULL;
	char *tag = NULL;
	int rc = pathf(&path, e, "/repos/%s/%s/pulls/%d", owner, name, number);

	memset(out, 0, sizeof(*out));
	if (rc == 0 && gh_rest_get_cond(g, buf_str(&path), etag, &j, &tag, e) < 0)
		rc = not_found(g, owner, name, e);
	else if (rc == 0 && j == NULL)
		rc = 1; /* 304: as it was when etag was given */
	else if (rc == 0 && map_pull(j, out, e) < 0)
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	else if (rc == 0 && out->number != number)
		rc = err_set(e, ERR_GITHUB, "GET %s: the answer is pull request #%d, not #%d",
			     buf_str(&path), out->number, number);
	else if (rc == 0 && !out->has_counters)
		rc = err_set(e, ERR_PARSE, "GET %s: the answer has no additions/deletions",
			     buf_str(&path));
	if (rc == 0) {
		out->etag = tag;
		tag = NULL;
	}
	if (rc < 0)
		gh_pull_release(out);
	free(tag);
	cJSON_Delete(j);
	buf_release(&path);
	return rc;
}

/*
 * Typed list walks: every page of a REST list, each item mapped to its
 * struct, handed to the caller's callback a page at a time and freed after.
 */
struct walk {
	size_t size; /* of one struct */
	int (*map)(const cJSON *j, void *out, const void *arg, struct err *e);
	void (*release)(void *item);
	const void *map_arg;
	int (*call)(const struct walk *w, const void *items, size_t n, bool *stop, struct err *e);
	void (*fn)(void);                 /* the caller's typed callback, called back by call() */
	int (*pull_of)(const void *item); /* the pull request an item says it is of, or 0 */
	gh_bad_fn bad;
	void *ud;
	int pull; /* the pull request every item must be of (when it says), or 0 */
};

/* Hands items[0..*got) to the callback and frees them. */
static int
flush(const struct walk *w, char *items, size_t *got, bool *stop, struct err *e)
{
	int rc = w->call(w, items, *got, stop, e);

	for (size_t i = 0; i < *got; i++)
		w->release(items + i * w->size);
	*got = 0;
	return rc;
}

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
		void *slot = arr + got * w->size;
		struct err why;
		int pr;

		err_clear(&why);
		if (w->map(it, slot, w->map_arg, &why) == 0) {
			pr = w->pull_of(slot);
			if (w->pull == 0 || pr == 0 || pr == w->pull) {
				got++;
				continue;
			}
			w->release(slot);
			err_set(&why, ERR_GITHUB, "an item of pull request #%d's list is of #%d",
				w->pull, pr);
		}
		/* The items before this one first: callers keep the order. */
		if (got > 0 && ((rc = flush(w, arr, &got, stop, e)) < 0 || *stop))
			break;
		if (w->bad == NULL) {
			if (e != NULL)
				*e = why;
			rc = -1;
			break;
		}
		if ((rc = w->bad(w->ud, &why, e)) < 0)
			break;
	}
	if (rc == 0 && !*stop)
		rc = flush(w, arr, &got, stop, e);
	for (size_t i = 0; i < got; i++)
		w->release(arr + i * w->size);
	free(arr);
	return rc;
}

/*
 * The small functions that let walk_page carry struct T: its mapper, its
 * release, the pull request an item names, and a call of the caller's typed
 * callback. (C has no generics; this keeps the one walk for every list.)
 */
#define WALK_TYPE(T, STRUCT, MAPPER, RELEASE, PULL, FN)                                            \
	static int T##_map(const cJSON *j, void *out, const void *arg, struct err *e)              \
	{                                                                                          \
		return MAPPER;                                                                     \
	}                                                                                          \
	static void T##_release(void *p)                                                           \
	{                                                                                          \
		RELEASE(p);                                                                        \
	}                                                                                          \
	static int T##_pull_of(const void *p)                                                      \
	{                                                                                          \
		const STRUCT *item = p;                                                            \
		return PULL;                                                                       \
	}                                                                                          \
	static int T##_call(const struct walk *w, const void *items, size_t n, bool *stop,         \
			    struct err *e)                                                         \
	{                                                                                          \
		return ((FN)w->fn)(w->ud, items, n, stop, e);                                      \
	}

WALK_TYPE(file, struct gh_file, ((void)arg, map_file(j, out, e)), gh_file_release, ((void)item, 0),
	  gh_files_fn)
WALK_TYPE(pull, struct gh_pull, ((void)arg, map_pull(j, out, e)), gh_pull_release, ((void)item, 0),
	  gh_pulls_fn)
WALK_TYPE(review, struct gh_review, ((void)arg, map_review(j, out, e)), gh_review_release,
	  item->pr_number, gh_reviews_fn)
WALK_TYPE(comment, struct gh_comment, map_comment(j, *(const enum gh_comment_kind *)arg, out, e),
	  gh_comment_release, item->pr_number, gh_comments_fn)
WALK_TYPE(commit, struct gh_commit, ((void)arg, map_commit(j, out, e)), gh_commit_release,
	  ((void)item, 0), gh_commits_fn)

#define WALK(T, STRUCT, ARG, FN, BAD, UD, PULL)                                                    \
	{                                                                                          \
		.size = sizeof(STRUCT), .map = T##_map, .release = T##_release, .map_arg = (ARG),  \
		.call = T##_call, .fn = (void (*)(void))(FN), .pull_of = T##_pull_of,              \
		.bad = (BAD), .ud = (UD), .pull = (PULL)                                           \
	}

static const enum gh_comment_kind comment_kinds[] = {GH_ISSUE_COMMENT, GH_REVIEW_COMMENT};

/* Formats a path and walks it. */
static int walkf(struct gh *g, struct walk *w, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
walkf(struct gh *g, struct walk *w, struct err *e, const char *fmt, ...)
{
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(&path, fmt, ap);
	va_end(ap);
	if (rc < 0)
		rc = err_set(e, ERR_INPUT, "request path over %zu bytes", path.max);
	else
		rc = gh_rest_each_page(g, buf_str(&path), walk_page, w, e);
	buf_release(&path);
	return rc;
}

int
gh_pull_files(struct gh *g, const char *owner, const char *name, int number, gh_files_fn fn,
	      void *ud, struct err *e)
{
	struct walk w = WALK(file, struct gh_file, NULL, fn, NULL, ud, number);

	return walkf(g, &w, e, "/repos/%s/%s/pulls/%d/files?per_page=100", owner, name, number);
}

int
gh_pull_reviews(struct gh *g, const char *owner, const char *name, int number, gh_reviews_fn fn,
		void *ud, struct err *e)
{
	struct walk w = WALK(review, struct gh_review, NULL, fn, NULL, ud, number);

	return walkf(g, &w, e, "/repos/%s/%s/pulls/%d/reviews?per_page=100", owner, name, number);
}

int
gh_pull_comments(struct gh *g, const char *owner, const char *name, int number,
		 enum gh_comment_kind kind, gh_comments_fn fn, void *ud, struct err *e)
{
	struct walk w =
		WALK(comment, struct gh_comment, &comment_kinds[kind], fn, NULL, ud, number);

	return walkf(g, &w, e, "/repos/%s/%s/%s/%d/comments?per_page=100", owner, name,
		     kind == GH_ISSUE_COMMENT ? "issues" : "pulls", number);
}

int
gh_pulls_list(struct gh *g, const char *owner, const char *name, const char *sort, gh_pulls_fn fn,
	      gh_bad_fn bad, void *ud, struct err *e)
{
	struct walk w = WALK(pull, struct gh_pull, NULL, fn, bad, ud, 0);

	return walkf(g, &w, e, "/repos/%s/%s/pulls?state=all&sort=%s&direction=desc&per_page=100",
		     owner, name, sort);
}

int
gh_repo_comments(struct gh *g, const char *owner, const char *name, enum gh_comment_kind kind,
		 const char *since, gh_comments_fn fn, gh_bad_fn bad, void *ud, struct err *e)
{
	struct walk w = WALK(comment, struct gh_comment, &comment_kinds[kind], fn, bad, ud, 0);
	struct buf q = BUF_INIT(256);
	int rc;

	if (http_urlencode(&q, since) < 0)
		rc = err_set(e, ERR_INPUT, "since '%.40s' too long", since);
	else
		rc = walkf(g, &w, e,
			   "/repos/%s/%s/%s/comments?since=%s&sort=updated&direction=asc&per_page="
			   "100",
			   owner, name, kind == GH_ISSUE_COMMENT ? "issues" : "pulls", buf_str(&q));
	buf_release(&q);
	return rc;
}

int
gh_commits_list(struct gh *g, const char *owner, const char *name, const char *branch,
		const char *since, gh_commits_fn fn, gh_bad_fn bad, void *ud, struct err *e)
{
	struct walk w = WALK(commit, struct gh_commit, NULL, fn, bad, ud, 0);
	struct buf b = BUF_INIT(1024), q = BUF_INIT(256);
	struct err le;
	int rc;

	err_clear(&le);
	if (http_urlencode(&b, branch) < 0 || http_urlencode(&q, since) < 0)
		rc = err_set(&le, ERR_INPUT, "branch '%.64s' or since too long", branch);
	else
		rc = walkf(g, &w, &le, "/repos/%s/%s/commits?sha=%s&since=%s&per_page=100", owner,
			   name, buf_str(&b), buf_str(&q));
	buf_release(&b);
	buf_release(&q);
	/* An empty repository: GitHub's 409 "Git Repository is empty." */
	if (rc < 0 && le.code == ERR_GITHUB && le.status == 409)
		return 0;
	if (rc < 0 && e != NULL)
		*e = le;
	return rc;
}

/* The commit asked for is sha, or a commit whose sha sha begins (an abbreviation). */
static bool
same_commit(const char *asked, const char *got)
{
	size_t n = strlen(asked);

	return n > 0 && strlen(got) >= n && strncasecmp(asked, got, n) == 0;
}

int
gh_commit_get(struct gh *g, const char *owner, const char *name, const char *sha,
	      struct gh_commit *out, struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	cJSON *j = NULL;
	char *next = NULL;
	int rc = pathf(&path, e, "/repos/%s/%s/commits/%s", owner, name, sha);

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		rc = gh_rest_get_page(g, buf_str(&path), &j, &next, e);
	if (rc == 0 && map_commit(j, out, e) < 0)
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	else if (rc == 0 && !same_commit(sha, out->sha))
		rc = err_set(e, ERR_GITHUB, "GET %s: the answer is commit %.40s", buf_str(&path),
			     out->sha);
	cJSON_Delete(j);
	/* A commit touching more than 300 files lists the rest on further pages. */
	while (rc == 0 && next != NULL) {
		char *after = NULL;

		rc = gh_rest_get_page(g, next, &j, &after, e);
		if (rc == 0)
			out->changed_files += cJSON_GetArraySize(json_get(j, "files"));
		cJSON_Delete(j);
		free(next);
		next = after;
	}
	if (rc < 0)
		gh_commit_release(out);
	free(next);
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
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	int rc = pathf(&path, e, "/repos/%s/%s/commits/%s/pulls?per_page=100", owner, name, c->sha);

	c->has_prs = true;
	if (rc == 0)
		rc = gh_rest_each_page(g, buf_str(&path), add_pulls, c, e);
	if (rc < 0)
		err_prefix(e, "commit %.12s: ", c->sha);
	buf_release(&path);
	return rc;
}

/* GET path, an object mapped by map into out and checked to have the id asked for. */
static int
get_by_id(struct gh *g, const char *path, int64_t id, void *out,
	  int (*map)(const cJSON *, void *, struct err *), const int64_t *got,
	  void (*release)(void *), struct err *e)
{
	cJSON *j = NULL;
	int rc = gh_rest_get(g, path, &j, e);

	if (rc < 0 && e != NULL && e->code == ERR_NOT_FOUND) {
		err_clear(e);
		rc = 0;
	} else if (rc == 0 && map(j, out, e) < 0) {
		rc = err_prefix(e, "GET %s: ", path);
	} else if (rc == 0 && *got != id) {
		rc = err_set(e, ERR_GITHUB, "GET %s: the answer is of id %lld", path,
			     (long long)*got);
		release(out);
	} else if (rc == 0) {
		rc = 1;
	}
	cJSON_Delete(j);
	return rc;
}

static int
map_user_any(const cJSON *j, void *out, struct err *e)
{
	return map_user(j, out, e);
}

static int
map_repo_any(const cJSON *j, void *out, struct err *e)
{
	return map_repo(j, out, e);
}

static void
release_user_any(void *p)
{
	gh_user_release(p);
}

static void
release_repo_any(void *p)
{
	gh_repo_release(p);
}

int
gh_user_by_id(struct gh *g, int64_t id, struct gh_user *out, struct err *e)
{
	char path[48];

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/user/%lld", (long long)id);
	return get_by_id(g, path, id, out, map_user_any, &out->id, release_user_any, e);
}

int
gh_repo_by_id(struct gh *g, int64_t id, struct gh_repo *out, struct err *e)
{
	char path[48];

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/repositories/%lld", (long long)id);
	return get_by_id(g, path, id, out, map_repo_any, &out->id, release_repo_any, e);
}

int
gh_rate_limits(struct gh *g, struct gh_budget *core, struct gh_budget *graphql, struct err *e)
{
	cJSON *j = NULL;
	int rc = gh_rest_get(g, "/rate_limit", &j, e);

	if (rc == 0 && map_rate_limits(j, core, graphql, e) < 0)
		rc = err_prefix(e, "GET /rate_limit: ");
	cJSON_Delete(j);
	return rc;
}

int
gh_user_get(struct gh *g, const char *login, struct gh_user *out, struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_BYTES);
	cJSON *j = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = buf_puts(&path, "/users/") < 0 || http_urlencode(&path, login) < 0
		     ? err_set(e, ERR_INPUT, "login '%.64s' too long", login)
		     : 0;
	if (rc == 0)
		rc = gh_rest_get(g, buf_str(&path), &j, e);
	if (rc == 0 && map_user(j, out, e) < 0)
		rc = err_prefix(e, "GET %s: ", buf_str(&path));
	else if (rc == 0 && strcasecmp(out->login, login) != 0) {
		rc = err_set(e, ERR_GITHUB, "GET %s: the answer is the account '%.64s'",
			     buf_str(&path), out->login);
		gh_user_release(out);
	}
	cJSON_Delete(j);
	buf_release(&path);
	return rc;
}

int
gh_user_resolve(struct gh *g, struct gh_user *u, struct err *e)
{
	const struct gh_user *known;
	struct gh_user found;
	struct err ue;

	if (u->id > 0 || u->login == NULL)
		return 0;
	known = gh_known_user(g, u->login);
	if (known != NULL) {
		gh_user_release(u);
		gh_user_copy(u, known);
		return 0;
	}
	err_clear(&ue);
	if (gh_user_get(g, u->login, &found, &ue) < 0) {
		if (ue.code == ERR_RATE || ue.code == ERR_AUTH || ue.code == ERR_DNS ||
		    ue.code == ERR_CANCELLED) {
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
	gh_remember_user(g, &found);
	gh_user_release(&found);
	return 0;
}

int
gh_app_describe(struct gh *g, size_t i, struct gh_app_info *out, struct err *e)
{
	struct app_auth *a = gh_app(g, i);

	memset(out, 0, sizeof(*out));
	if (a == NULL)
		return 0;
	return app_auth_describe(a, gh_app_send, g, out, e) < 0 ? -1 : 1;
}
