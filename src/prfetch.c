/*
 * prfetch.c - pull requests with their parts, over GraphQL batches and
 * continuations or REST, delivered to a sink. See prfetch.h for the contract.
 * Holds at most one batch of PRs and its pending pages in memory, and sizes
 * its queries so answers stay near ANSWER_TARGET bytes.
 */
#include "prfetch.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "ghclient.h"
#include "github.h"
#include "gql.h"
#include "json.h"
#include "log.h"
#include "map.h"
#include "util.h"

#define DOC_CAP       ((size_t)4 * 1024 * 1024)
#define ANSWER_TARGET ((size_t)8 * 1024 * 1024) /* what a query's answer is sized for */
#define PARSE_TRIES   2 /* a one-PR answer that cannot be read is asked for twice */

/* One PR of the batch in flight. */
struct prstate {
	int64_t number;
	bool failed;
	struct err failure;
	char note[256];  /* GitHub's first error about this PR, for when its node is null */
	unsigned rest;   /* parts to read over REST once GraphQL is done (PR_FILES …) */
	unsigned hidden; /* parts GitHub hid items of (not visible to the token) */
	int64_t threads; /* review threads read so far */
};

struct fetch {
	struct gh *g;
	const struct prfetch_options *o;
	const struct pr_sink *sink;
	/* The batch in flight and its pending continuations. */
	struct prstate *prs;
	size_t nprs;
	struct gql_cont *conts;
	size_t nconts;
	bool rest_only;    /* auto mode moved to REST for the rest of the run */
	bool repo_missing; /* GraphQL said the repository is not there */
	size_t batch;      /* PRs a query now: the setting, less when answers run large */
	size_t pr_bytes;   /* the most bytes an answer took per PR of a batch */
	size_t page_bytes; /* the most bytes an answer took per continuation */
	/* The PRs after this window: the next query is sent ahead of done(). */
	const int64_t *next;
	size_t nnext;
	/*
	 * PRs of earlier windows whose last pages are still to come: a few
	 * pages left (a PR of thousands of files) ride with the next window's
	 * continuations instead of taking a query each.
	 */
	struct prstate *carry;
	size_t ncarry;
};

/* Fewer pending pages than this wait for the next window's (when there is one). */
#define CARRY_BELOW 8

/* What became of a query. */
enum outcome {
	QUERY_DONE,  /* answered (some PRs may have failed on their own) */
	QUERY_STOP,  /* the run must stop: e is set */
	QUERY_SPLIT, /* too much for one query: ask for half as many */
	QUERY_REDO   /* auto mode moved to REST: the same PRs again, over REST */
};

static struct prstate *
state_of(struct fetch *f, int64_t number)
{
	for (size_t i = 0; i < f->nprs; i++)
		if (f->prs[i].number == number)
			return &f->prs[i];
	for (size_t i = 0; i < f->ncarry; i++)
		if (f->carry[i].number == number)
			return &f->carry[i];
	return NULL;
}

/* Marks a PR failed (the first reason wins). */
static void
fail_pr(struct prstate *st, const struct err *why)
{
	if (st == NULL || st->failed)
		return;
	st->failed = true;
	st->failure = *why;
}

/* A sink or fetch error for one PR: stops the run or fails the PR. */
static int
pr_error(struct prstate *st, const struct err *pe, struct err *e)
{
	if (err_stops_run(pe)) {
		*e = *pe;
		return -1;
	}
	fail_pr(st, pe);
	return 0;
}

/* True when obj[key] is there and not null. */
static bool
has(const cJSON *obj, const char *key)
{
	return json_get(obj, key) != NULL && !json_is_null(obj, key);
}

/* A node GitHub gave: an object, with a database id where items have one. */
static bool
visible(const cJSON *node, bool needs_id)
{
	if (!cJSON_IsObject(node))
		return false;
	return !needs_id || has(node, "fullDatabaseId") || has(node, "databaseId");
}

/*
 * Queues the next page of a connection that has one. first: its size; for
 * review threads the number left (from totalCount), because each thread's
 * comment list counts as one request in GitHub's cost formula.
 */
static void
add_cont(struct fetch *f, enum gql_conn conn, int64_t number, const char *thread,
	 const cJSON *conn_json, int64_t left)
{
	const cJSON *pi = json_get(conn_json, "pageInfo");
	const char *cursor = json_str(pi, "endCursor");
	struct gql_cont *c;

	if (!json_bool(pi, "hasNextPage", false) || cursor == NULL)
		return;
	f->conts = xrealloc(f->conts, (f->nconts + 1) * sizeof(*f->conts));
	c = &f->conts[f->nconts++];
	*c = (struct gql_cont){.conn = conn,
			       .number = (int)number,
			       .thread_id = xstrdup(thread),
			       .cursor = xstrdup(cursor),
			       .first = left > 0 && left < GQL_PAGE ? (int)left : GQL_PAGE};
}

static void
free_conts(struct gql_cont *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].thread_id);
		free(c[i].cursor);
	}
	free(c);
}

/*
 * The nodes of a connection, or NULL when there is nothing more to read of
 * it over GraphQL: the PR failed, its part goes to REST, or GitHub answered
 * the whole connection as null (then it goes to REST too).
 */
static const cJSON *
nodes_of(struct prstate *st, const cJSON *conn, unsigned part, const char *what)
{
	const cJSON *nodes = json_get(conn, "nodes");
	struct err pe;

	if (st->failed || (st->rest & part))
		return NULL;
	if (conn == NULL || cJSON_IsNull(conn)) {
		st->rest |= part;
		return NULL;
	}
	if (cJSON_IsArray(nodes))
		return nodes;
	err_set(&pe, ERR_PARSE, "GitHub's %s list has no nodes", what);
	fail_pr(st, &pe);
	return NULL;
}

/* How one kind of item is read from a page of GraphQL nodes. */
struct page_kind {
	const char *what;   /* "file", "review", "comment" */
	unsigned part;      /* the PR part it belongs to */
	enum gql_conn conn; /* the continuation that pages on */
	size_t size;        /* of one struct */
	bool needs_id;      /* an item without a database id is one GitHub hid */
	/* Maps node into out; *user is the account to complete over REST, or NULL. */
	int (*map)(const cJSON *node, struct prstate *st, void *out, struct gh_user **user,
		   struct err *e);
	void (*release)(void *item);
	int (*deliver)(const struct pr_sink *s, int number, const void *items, size_t n,
		       struct err *e);
};

static int
map_file_node(const cJSON *node, struct prstate *st, void *out, struct gh_user **user,
	      struct err *e)
{
	struct gh_file *fl = out;

	*user = NULL;
	if (map_gql_file(node, fl, e) < 0)
		return -1;
	if (strcmp(fl->status, "renamed") == 0 || strcmp(fl->status, "copied") == 0)
		st->rest |= PR_FILES; /* only REST has the previous name */
	return 0;
}

static int
map_review_node(const cJSON *node, struct prstate *st, void *out, struct gh_user **user,
		struct err *e)
{
	struct gh_review *r = out;

	(void)st;
	*user = &r->author;
	return map_gql_review(node, r, e);
}

static int
map_issue_comment_node(const cJSON *node, struct prstate *st, void *out, struct gh_user **user,
		       struct err *e)
{
	struct gh_comment *c = out;

	*user = &c->author;
	return map_gql_comment(node, GH_ISSUE_COMMENT, (int)st->number, c, e);
}

static int
map_review_comment_node(const cJSON *node, struct prstate *st, void *out, struct gh_user **user,
			struct err *e)
{
	struct gh_comment *c = out;

	*user = &c->author;
	return map_gql_comment(node, GH_REVIEW_COMMENT, (int)st->number, c, e);
}

static void
release_file(void *p)
{
	gh_file_release(p);
}

static void
release_review(void *p)
{
	gh_review_release(p);
}

static void
release_comment(void *p)
{
	gh_comment_release(p);
}

static int
deliver_files(const struct pr_sink *s, int number, const void *items, size_t n, struct err *e)
{
	return s->files(s->ud, number, items, n, e);
}

static int
deliver_reviews(const struct pr_sink *s, int number, const void *items, size_t n, struct err *e)
{
	return s->reviews(s->ud, number, items, n, e);
}

static int
deliver_comments(const struct pr_sink *s, int number, const void *items, size_t n, struct err *e)
{
	return s->comments(s->ud, number, items, n, e);
}

static const struct page_kind file_page = {
	"file", PR_FILES,      GQL_FILES,    sizeof(struct gh_file),
	false,  map_file_node, release_file, deliver_files};
static const struct page_kind review_page = {
	"review", PR_REVIEWS,      GQL_REVIEWS,    sizeof(struct gh_review),
	true,     map_review_node, release_review, deliver_reviews};
static const struct page_kind issue_comment_page = {"comment",
						    PR_COMMENTS,
						    GQL_COMMENTS,
						    sizeof(struct gh_comment),
						    true,
						    map_issue_comment_node,
						    release_comment,
						    deliver_comments};
static const struct page_kind review_comment_page = {"review comment",
						     PR_COMMENTS,
						     GQL_THREAD_COMMENTS,
						     sizeof(struct gh_comment),
						     true,
						     map_review_comment_node,
						     release_comment,
						     deliver_comments};

/*
 * Maps a page of nodes of kind k (thread: the review thread they are of, or
 * NULL) and hands it to the sink, unless the part goes to REST; queues the
 * next page. Hidden items are counted; an unreadable one fails the PR.
 */
static int
take_page(struct fetch *f, struct prstate *st, const struct page_kind *k, const char *thread,
	  const cJSON *conn, struct err *e)
{
	const cJSON *nodes = nodes_of(st, conn, k->part, k->what);
	size_t n = (size_t)cJSON_GetArraySize(nodes), got = 0, hidden = 0;
	const cJSON *it;
	char *items;
	struct err pe;
	int rc = 0;

	if (nodes == NULL)
		return 0;
	err_clear(&pe);
	items = xcalloc(n ? n : 1, k->size);
	cJSON_ArrayForEach (it, nodes) {
		struct gh_user *user = NULL;

		if (!visible(it, k->needs_id)) {
			hidden++;
			continue;
		}
		if (k->map(it, st, items + got * k->size, &user, &pe) < 0)
			break;
		got++;
		if (user != NULL && gh_user_resolve(f->g, user, e) < 0) {
			rc = -1;
			break;
		}
	}
	gh_count_hidden(f->g, hidden);
	if (hidden > 0)
		st->hidden |= k->part;
	if (rc == 0 && pe.code != ERR_NONE)
		fail_pr(st, &pe);
	else if (rc == 0 && !(st->rest & k->part) &&
		 k->deliver(f->sink, (int)st->number, items, got, &pe) < 0)
		rc = pr_error(st, &pe, e);
	else if (rc == 0 && !(st->rest & k->part))
		add_cont(f, k->conn, st->number, thread, conn, 0);
	for (size_t i = 0; i < got; i++)
		k->release(items + i * k->size);
	free(items);
	return rc;
}

static int
take_threads(struct fetch *f, struct prstate *st, const cJSON *conn, struct err *e)
{
	const cJSON *nodes = nodes_of(st, conn, PR_COMMENTS, "review thread");
	const cJSON *t;
	size_t hidden = 0;
	int64_t total = 0;

	if (nodes == NULL)
		return 0;
	st->threads += cJSON_GetArraySize(nodes);
	cJSON_ArrayForEach (t, nodes) {
		const char *id = json_str(t, "id");

		if (!cJSON_IsObject(t) || id == NULL) {
			hidden++;
			continue;
		}
		if (take_page(f, st, &review_comment_page, id, json_get(t, "comments"), e) < 0)
			return -1;
		if (st->failed || (st->rest & PR_COMMENTS))
			break;
	}
	gh_count_hidden(f->g, hidden);
	if (hidden > 0)
		st->hidden |= PR_COMMENTS;
	if (st->failed || (st->rest & PR_COMMENTS))
		return 0;
	if (json_int64(conn, "totalCount", &total) < 0)
		total = 0;
	add_cont(f, GQL_THREADS, st->number, NULL, conn, total - st->threads);
	return 0;
}

/* The first answer for one PR of a batch: its fields, then its parts. */
static int
take_pull(struct fetch *f, struct prstate *st, const cJSON *node, struct err *e)
{
	unsigned parts = f->o->parts;
	struct gh_pull p;
	struct err pe;
	int rc;

	err_clear(&pe);
	if (map_gql_pull(node, &p, &pe) < 0) {
		fail_pr(st, &pe);
		return 0;
	}
	if (p.number != st->number) {
		err_set(&pe, ERR_GITHUB, "GitHub answered with pull request #%d", p.number);
		fail_pr(st, &pe);
		gh_pull_release(&p);
		return 0;
	}
	rc = gh_user_resolve(f->g, &p.author, e);
	if (rc == 0)
		rc = gh_user_resolve(f->g, &p.merged_by, e);
	if (rc == 0 && f->sink->pull(f->sink->ud, &p, &pe) < 0)
		rc = pr_error(st, &pe, e);
	gh_pull_release(&p);
	if (rc < 0 || st->failed)
		return rc;
	if ((parts & PR_FILES) &&
	    take_page(f, st, &file_page, NULL, json_get(node, "files"), e) < 0)
		return -1;
	if ((parts & PR_REVIEWS) &&
	    take_page(f, st, &review_page, NULL, json_get(node, "reviews"), e) < 0)
		return -1;
	if ((parts & PR_COMMENTS) &&
	    (take_page(f, st, &issue_comment_page, NULL, json_get(node, "comments"), e) < 0 ||
	     take_threads(f, st, json_get(node, "reviewThreads"), e) < 0))
		return -1;
	return 0;
}

/* The PR a GraphQL alias stands for: "p12" -> 12; "c3" -> conts[3]'s; else 0. */
static int64_t
alias_pull(const char *alias, const struct gql_cont *conts, size_t nconts)
{
	int64_t v;

	if (alias[0] == 'p' && parse_int64(alias + 1, 1, INT32_MAX, &v) == 0)
		return v;
	if (alias[0] == 'c' && conts != NULL &&
	    parse_int64(alias + 1, 0, (int64_t)nconts - 1, &v) == 0)
		return conts[v].number;
	return 0;
}

/*
 * Errors of a GraphQL answer, attributed to aliases. Only what they leave
 * null decides: a null PR fails (with the first error about it as the
 * reason); a null item or list is skipped or read over REST; a databaseId
 * GraphQL's Int cannot hold is looked up over REST. A null repository with
 * NOT_FOUND means the repository itself is not there.
 */
static void
take_errors(struct fetch *f, const cJSON *root, const struct gql_cont *conts, size_t nconts)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, json_get(root, "errors")) {
		const cJSON *path = json_get(it, "path");
		int len = cJSON_GetArraySize(path);
		const cJSON *first = cJSON_GetArrayItem(path, 0);
		const cJSON *alias = first;
		const char *type = json_str(it, "type");
		const char *msg = json_str(it, "message");
		struct prstate *st;

		if (cJSON_IsString(first) && strcmp(first->valuestring, "repository") == 0) {
			if (len == 1 && type != NULL && strcmp(type, "NOT_FOUND") == 0)
				f->repo_missing = true;
			alias = cJSON_GetArrayItem(path, 1);
		}
		if (!cJSON_IsString(alias))
			continue;
		st = state_of(f, alias_pull(alias->valuestring, conts, nconts));
		if (st != NULL && st->note[0] == '\0')
			snprintf(st->note, sizeof(st->note), "%s%s%s%s",
				 msg != NULL ? msg : "error", type != NULL ? " (" : "",
				 type != NULL ? type : "", type != NULL ? ")" : "");
	}
}

/* A PR GitHub answered as null: not found, with what GitHub said about it. */
static void
fail_missing(struct prstate *st)
{
	struct err pe;

	err_set(&pe, ERR_NOT_FOUND, "not found over GraphQL%s%s", st->note[0] != '\0' ? ": " : "",
		st->note);
	fail_pr(st, &pe);
}

/* Failures a smaller query may not meet: GitHub's time limit, a cut or oversized answer. */
static bool
splittable(const struct err *why)
{
	return why->code == ERR_HTTP || why->code == ERR_TOO_BIG || why->code == ERR_PARSE ||
	       why->status == 502 || why->status == 504;
}

/* Continuations a query takes now, so its answer stays near ANSWER_TARGET. */
static size_t
conts_per_query(const struct fetch *f)
{
	size_t per = f->page_bytes > 0 ? f->page_bytes : f->pr_bytes;
	size_t n = per > 0 ? ANSWER_TARGET / per : GQL_CONT_MAX;

	return n < 1 ? 1 : n > GQL_CONT_MAX ? GQL_CONT_MAX : n;
}

/* Delivers one continuation's page. */
static int
take_cont(struct fetch *f, const struct gql_cont *c, const cJSON *data, size_t i, struct err *e)
{
	struct prstate *st = state_of(f, c->number);
	const cJSON *repo = json_get(data, "repository");
	char alias[24];
	const cJSON *node;
	int64_t number;

	if (st == NULL || st->failed)
		return 0;
	snprintf(alias, sizeof(alias), "c%zu", i);
	node = json_get(c->conn == GQL_THREAD_COMMENTS ? data : repo, alias);
	if (node == NULL || cJSON_IsNull(node)) {
		fail_missing(st);
		return 0;
	}
	if (c->conn != GQL_THREAD_COMMENTS &&
	    (json_int64(node, "number", &number) < 0 || number != c->number)) {
		struct err pe;

		err_set(&pe, ERR_GITHUB, "a further page came for another pull request");
		fail_pr(st, &pe);
		return 0;
	}
	switch (c->conn) {
	case GQL_FILES: return take_page(f, st, &file_page, NULL, json_get(node, "files"), e);
	case GQL_REVIEWS: return take_page(f, st, &review_page, NULL, json_get(node, "reviews"), e);
	case GQL_COMMENTS:
		return take_page(f, st, &issue_comment_page, NULL, json_get(node, "comments"), e);
	case GQL_THREADS: return take_threads(f, st, json_get(node, "reviewThreads"), e);
	case GQL_THREAD_COMMENTS:
		return take_page(f, st, &review_comment_page, c->thread_id,
				 json_get(node, "comments"), e);
	}
	return 0;
}

/* Puts batch[0..n) back at the front of the queue. */
static void
requeue(struct fetch *f, struct gql_cont *batch, size_t n)
{
	f->conts = xrealloc(f->conts, (f->nconts + n) * sizeof(*f->conts));
	memmove(f->conts + n, f->conts, f->nconts * sizeof(*f->conts));
	memcpy(f->conts, batch, n * sizeof(*f->conts));
	f->nconts += n;
	free(batch);
}

/* Sends one query of continuations; QUERY_SPLIT puts them back for a smaller one. */
static enum outcome
send_conts(struct fetch *f, struct gql_cont *batch, size_t n, int *tries, struct err *e)
{
	struct buf doc = BUF_INIT(DOC_CAP);
	cJSON *root = NULL;
	struct err why;
	size_t bytes = 0;
	int rc = 0;

	err_clear(&why);
	if (gql_continuations(&doc, f->o->owner, f->o->name, batch, n) < 0)
		rc = err_set(&why, ERR_TOO_BIG, "a query of %zu pages is over %zu bytes", n,
			     doc.max);
	else
		rc = gh_graphql(f->g, buf_str(&doc), gql_continuations_cost(batch, n), &root,
				&bytes, &why);
	buf_release(&doc);
	if (rc < 0 && (err_stops_run(&why) || gh_graphql_missing(&why))) {
		*e = why;
		free_conts(batch, n);
		return QUERY_STOP;
	}
	if (rc < 0 && splittable(&why) &&
	    (n > 1 || (why.code == ERR_PARSE && ++*tries < PARSE_TRIES))) {
		requeue(f, batch, n);
		return QUERY_SPLIT;
	}
	if (rc < 0) {
		/* Only the PRs these pages belong to fail; the run goes on. */
		for (size_t i = 0; i < n; i++)
			fail_pr(state_of(f, batch[i].number), &why);
		rc = 0;
	} else {
		size_t per = bytes / n;

		*tries = 0;
		if (per > f->page_bytes)
			f->page_bytes = per;
		take_errors(f, root, batch, n);
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = take_cont(f, &batch[i], json_get(root, "data"), i, e);
	}
	cJSON_Delete(root);
	free_conts(batch, n);
	return rc < 0 ? QUERY_STOP : QUERY_DONE;
}

/* Pages on the pending continuations until fewer than floor (0: none) are left. */
static int
run_continuations(struct fetch *f, size_t floor, struct err *e)
{
	size_t most = conts_per_query(f);
	int tries = 0;

	while (f->nconts > 0 && f->nconts >= floor) {
		size_t n = f->nconts < most ? f->nconts : most;
		struct gql_cont *batch = xcalloc(n, sizeof(*batch));

		/* Take the first n off the list; the pages they find are appended to it. */
		memcpy(batch, f->conts, n * sizeof(*batch));
		memmove(f->conts, f->conts + n, (f->nconts - n) * sizeof(*f->conts));
		f->nconts -= n;
		switch (send_conts(f, batch, n, &tries, e)) {
		case QUERY_STOP: return -1;
		case QUERY_SPLIT: most = n > 1 ? n / 2 : 1; break;
		default: most = conts_per_query(f); break;
		}
	}
	return 0;
}

/* REST walks deliver into the sink through these. */
struct rest_walk {
	struct fetch *f;
	struct prstate *st;
};

static int
rest_files(void *ud, const struct gh_file *files, size_t n, bool *stop, struct err *e)
{
	struct rest_walk *w = ud;

	(void)stop;
	return w->f->sink->files(w->f->sink->ud, (int)w->st->number, files, n, e);
}

static int
rest_reviews(void *ud, const struct gh_review *r, size_t n, bool *stop, struct err *e)
{
	struct rest_walk *w = ud;

	(void)stop;
	return w->f->sink->reviews(w->f->sink->ud, (int)w->st->number, r, n, e);
}

static int
rest_comments(void *ud, const struct gh_comment *c, size_t n, bool *stop, struct err *e)
{
	struct rest_walk *w = ud;

	(void)stop;
	return w->f->sink->comments(w->f->sink->ud, (int)w->st->number, c, n, e);
}

/* The parts of a PR read over REST (parts: some of PR_FILES | PR_REVIEWS | PR_COMMENTS). */
static int
rest_parts(struct fetch *f, struct prstate *st, unsigned parts, struct err *e)
{
	const struct prfetch_options *o = f->o;
	struct rest_walk w = {f, st};
	int n = (int)st->number;
	struct err pe;
	int rc = 0;

	/* Return codes decide, never a leftover in pe: a retried call that passed may leave one. */
	err_clear(&pe);
	if (parts & PR_FILES)
		rc = gh_pull_files(f->g, o->owner, o->name, n, rest_files, &w, &pe);
	if (rc == 0 && (parts & PR_REVIEWS))
		rc = gh_pull_reviews(f->g, o->owner, o->name, n, rest_reviews, &w, &pe);
	if (rc == 0 && (parts & PR_COMMENTS))
		rc = gh_pull_comments(f->g, o->owner, o->name, n, GH_ISSUE_COMMENT, rest_comments,
				      &w, &pe);
	if (rc == 0 && (parts & PR_COMMENTS))
		rc = gh_pull_comments(f->g, o->owner, o->name, n, GH_REVIEW_COMMENT, rest_comments,
				      &w, &pe);
	return rc < 0 ? pr_error(st, &pe, e) : 0;
}

/* One PR over REST, pull() through the last page; failures land in st. */
static int
rest_pull(struct fetch *f, struct prstate *st, struct err *e)
{
	struct gh_pull p;
	struct err pe;
	int rc;

	err_clear(&pe);
	rc = gh_pull_get(f->g, f->o->owner, f->o->name, (int)st->number, &p, &pe);
	if (rc == 0) {
		rc = f->sink->pull(f->sink->ud, &p, &pe);
		gh_pull_release(&p);
	}
	if (rc < 0)
		return pr_error(st, &pe, e);
	return rest_parts(f, st, f->o->parts, e);
}

static int
finish(struct fetch *f, struct prstate *st, struct err *e)
{
	struct err se;

	err_clear(&se);
	if (f->sink->done(f->sink->ud, (int)st->number, st->failed ? &st->failure : NULL,
			  f->o->parts & ~st->hidden, &se) < 0) {
		*e = se;
		return -1;
	}
	return 0;
}

static size_t batch_now(const struct fetch *f, size_t left);

/*
 * Sends the next window's query before done() of this one, whose sink may
 * write to the store: the wait for GitHub's answer overlaps the writes.
 * The next run_window asks the same query and collects it.
 */
static void
send_ahead(struct fetch *f)
{
	struct buf doc = BUF_INIT(DOC_CAP);
	size_t k;

	if (f->rest_only || f->nnext == 0)
		return;
	k = batch_now(f, f->nnext);
	if (gql_pull_batch(&doc, f->o->owner, f->o->name, f->next, k, f->o->parts) == 0)
		gh_graphql_ahead(f->g, buf_str(&doc), gql_pull_batch_cost(k, f->o->parts));
	buf_release(&doc);
}

/* Whether PR number has pages still to come. */
static bool
has_conts(const struct fetch *f, int64_t number)
{
	for (size_t c = 0; c < f->nconts; c++)
		if (f->conts[c].number == number)
			return true;
	return false;
}

/* Forgets the pending pages of PR number (it failed: they are not wanted). */
static void
drop_conts(struct fetch *f, int64_t number)
{
	size_t k = 0;

	for (size_t c = 0; c < f->nconts; c++) {
		if (f->conts[c].number == number)
			free_conts(&f->conts[c], 1);
		else
			f->conts[k++] = f->conts[c];
	}
	f->nconts = k;
}

/* A PR whose pages are all in: what goes over REST, then done(). */
static int
complete(struct fetch *f, struct prstate *st, struct err *e)
{
	int rc = 0;

	drop_conts(f, st->number);
	if (st->rest != 0 && !st->failed)
		rc = rest_parts(f, st, st->rest & f->o->parts, e);
	return rc == 0 ? finish(f, st, e) : rc;
}

/*
 * After the batch query: the continuations, then done() for every PR of the
 * window and of the carry whose pages are all in. When only a few pages are
 * left and another window follows, their PRs are carried to it.
 */
static int
finish_batch(struct fetch *f, struct err *e)
{
	size_t ncarried = f->ncarry, kept = 0;
	int rc = run_continuations(f, f->nnext > 0 ? CARRY_BELOW : 0, e);

	if (rc == 0)
		send_ahead(f);
	for (size_t i = 0; rc == 0 && i < f->nprs; i++) {
		struct prstate *st = &f->prs[i];

		if (st->failed || !has_conts(f, st->number)) {
			rc = complete(f, st, e);
			continue;
		}
		f->carry = xrealloc(f->carry, (f->ncarry + 1) * sizeof(*f->carry));
		f->carry[f->ncarry++] = *st;
	}
	/* The PRs carried before: the ones whose pages are in now leave the carry. */
	for (size_t i = 0; i < f->ncarry; i++) {
		struct prstate *st = &f->carry[i];

		if (rc == 0 && i < ncarried && (st->failed || !has_conts(f, st->number))) {
			rc = complete(f, st, e);
			continue;
		}
		f->carry[kept++] = *st;
	}
	f->ncarry = kept;
	return rc;
}

/*
 * The carried PRs when no window follows: their last pages over GraphQL, or,
 * when the run moved to REST, each read again whole over REST.
 */
static int
drain_carry(struct fetch *f, struct err *e)
{
	int rc = f->rest_only ? 0 : run_continuations(f, 0, e);

	for (size_t i = 0; rc == 0 && i < f->ncarry; i++) {
		struct prstate *st = &f->carry[i];

		if (f->rest_only && !st->failed) {
			int64_t number = st->number;

			drop_conts(f, number);
			memset(st, 0, sizeof(*st));
			st->number = number;
			rc = rest_pull(f, st, e);
			if (rc == 0)
				rc = finish(f, st, e);
		} else {
			rc = complete(f, st, e);
		}
	}
	f->ncarry = 0;
	return rc;
}

/* True when auto mode should carry on over REST after GraphQL failed with e. */
static bool
fall_back_to_rest(struct fetch *f, const struct err *e)
{
	if (f->o->api != API_AUTO)
		return false;
	if (gh_graphql_missing(e)) {
		log_warn("GitHub has no GraphQL endpoint here (%s); reading over REST", e->msg);
		return true;
	}
	if (e->code == ERR_RATE && gh_stats(f->g)->core_remaining != 0) {
		log_warn("GitHub's GraphQL budget is spent (%s); going on over REST", e->msg);
		return true;
	}
	return false;
}

/* A failed query that stops the batch: over REST in auto mode, else the run ends. */
static enum outcome
stop_or_redo(struct fetch *f, struct err *e)
{
	if (fall_back_to_rest(f, e)) {
		err_clear(e);
		f->rest_only = true;
		return QUERY_REDO;
	}
	if (gh_graphql_missing(e))
		err_prefix(e, "GitHub has no GraphQL endpoint here (use api: rest): ");
	return QUERY_STOP;
}

/*
 * What one more page may weigh, before any continuation answered: the batch
 * answer shared among the PRs that have more pages (the big ones), which
 * errs on the heavy side, as it should.
 */
static void
note_page_size(struct fetch *f, size_t bytes)
{
	size_t with_more = 0;

	for (size_t i = 0; i < f->nprs; i++) {
		bool more = false;

		for (size_t c = 0; c < f->nconts && !more; c++)
			more = f->conts[c].number == f->prs[i].number;
		with_more += more;
	}
	if (with_more > 0 && bytes / with_more > f->page_bytes)
		f->page_bytes = bytes / with_more;
}

/* Reads a batch query's answer into the sink. */
static int
take_batch(struct fetch *f, const cJSON *root, struct err *e)
{
	const cJSON *repo = json_get(json_get(root, "data"), "repository");
	int rc = 0;

	take_errors(f, root, NULL, 0);
	if (repo == NULL || cJSON_IsNull(repo)) {
		if (f->repo_missing)
			return err_set(e, ERR_NO_REPO,
				       "repository %s/%s: GitHub does not have it, or the token "
				       "cannot see it",
				       f->o->owner, f->o->name);
		for (size_t i = 0; i < f->nprs; i++)
			fail_missing(&f->prs[i]);
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < f->nprs; i++) {
		struct prstate *st = &f->prs[i];
		char alias[16];
		const cJSON *node;

		gql_pull_alias((int)st->number, alias);
		node = json_get(repo, alias);
		if (node == NULL || cJSON_IsNull(node))
			fail_missing(st);
		else if (!st->failed)
			rc = take_pull(f, st, node, e);
	}
	return rc;
}

/* One GraphQL batch: the query, its continuations, what goes over REST, done(). */
static enum outcome
graphql_batch(struct fetch *f, struct err *e)
{
	struct buf doc = BUF_INIT(DOC_CAP);
	int64_t *numbers = xcalloc(f->nprs, sizeof(*numbers));
	cJSON *root = NULL;
	struct err why;
	size_t bytes = 0;
	int rc;

	for (size_t i = 0; i < f->nprs; i++)
		numbers[i] = f->prs[i].number;
	err_clear(&why);
	for (int tries = 0;;) {
		if (gql_pull_batch(&doc, f->o->owner, f->o->name, numbers, f->nprs, f->o->parts) <
		    0)
			rc = err_set(&why, ERR_TOO_BIG,
				     "a query of %zu pull requests is over %zu "
				     "bytes",
				     f->nprs, doc.max);
		else
			rc = gh_graphql(f->g, buf_str(&doc),
					gql_pull_batch_cost(f->nprs, f->o->parts), &root, &bytes,
					&why);
		buf_reset(&doc);
		/* The one PR whose answer cannot be read is asked for again, once. */
		if (rc < 0 && why.code == ERR_PARSE && f->nprs == 1 && ++tries < PARSE_TRIES)
			continue;
		break;
	}
	buf_release(&doc);
	free(numbers);
	if (rc < 0 && (err_stops_run(&why) || gh_graphql_missing(&why))) {
		*e = why;
		return stop_or_redo(f, e);
	}
	if (rc < 0 && f->nprs > 1 && splittable(&why))
		return QUERY_SPLIT;
	if (rc < 0) {
		/* Every PR of the batch fails with the query; done() still comes for each. */
		for (size_t i = 0; i < f->nprs; i++)
			fail_pr(&f->prs[i], &why);
		rc = 0;
	} else {
		if (bytes / f->nprs > f->pr_bytes)
			f->pr_bytes = bytes / f->nprs;
		rc = take_batch(f, root, e);
		note_page_size(f, bytes);
	}
	cJSON_Delete(root);
	if (rc == 0)
		rc = finish_batch(f, e);
	if (rc < 0) {
		/* What is left is read again over REST (auto mode), or the run ends. */
		free_conts(f->conts, f->nconts);
		f->conts = NULL;
		f->nconts = 0;
	}
	if (rc < 0)
		return err_stops_run(e) || gh_graphql_missing(e) ? stop_or_redo(f, e) : QUERY_STOP;
	return QUERY_DONE;
}

/* PRs the next query takes: the setting, fewer when answers run large. */
static size_t
batch_now(const struct fetch *f, size_t left)
{
	size_t k = f->batch;

	if (f->pr_bytes > 0 && ANSWER_TARGET / f->pr_bytes < k)
		k = ANSWER_TARGET / f->pr_bytes;
	if (k < 1)
		k = 1;
	return k < left ? k : left;
}

/*
 * The PRs numbers[0..k): one query, or, when GitHub cannot answer for them
 * all at once, each half on its own (and so on down to the one at fault).
 */
static int
run_window(struct fetch *f, const int64_t *numbers, size_t k, struct err *e)
{
	size_t half = k / 2;

	if (cancel_requested())
		return err_set(e, ERR_CANCELLED, "cancelled");
	memset(f->prs, 0, k * sizeof(*f->prs));
	f->nprs = k;
	for (size_t j = 0; j < k; j++)
		f->prs[j].number = numbers[j];
	if (f->rest_only) {
		for (size_t j = 0; j < k; j++)
			if (rest_pull(f, &f->prs[j], e) < 0 || finish(f, &f->prs[j], e) < 0)
				return -1;
		return 0;
	}
	switch (graphql_batch(f, e)) {
	case QUERY_STOP: return -1;
	case QUERY_REDO: return run_window(f, numbers, k, e); /* over REST now */
	case QUERY_SPLIT:
		log_notice("GitHub could not answer for %zu pull requests at once: asking for %zu "
			   "and %zu",
			   k, half, k - half);
		f->nnext = 0; /* the halves are not the windows the loop takes */
		if (run_window(f, numbers, half, e) < 0)
			return -1;
		return run_window(f, numbers + half, k - half, e);
	case QUERY_DONE: break;
	}
	return 0;
}

int
prfetch(struct gh *g, const struct prfetch_options *o, const int64_t *numbers, size_t n,
	const struct pr_sink *sink, struct err *e)
{
	struct fetch f = {.g = g, .o = o, .sink = sink, .rest_only = o->api == API_REST};
	int rc = 0;

	f.batch = o->batch_size > 0 ? (size_t)o->batch_size : GQL_BATCH_DEFAULT;
	f.prs = xcalloc(f.batch, sizeof(*f.prs));
	for (size_t i = 0, k; rc == 0 && i < n; i += k) {
		k = f.rest_only ? 1 : batch_now(&f, n - i);
		f.next = numbers + i + k;
		f.nnext = n - i - k;
		rc = run_window(&f, numbers + i, k, e);
	}
	if (rc == 0)
		rc = drain_carry(&f, e);
	gh_ahead_drop(g); /* a query sent ahead for a window never taken */
	free_conts(f.conts, f.nconts);
	free(f.carry);
	free(f.prs);
	return rc;
}
