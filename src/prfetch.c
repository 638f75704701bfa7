/*
 * prfetch.c - pull requests with their parts, over GraphQL batches and
 * continuations or REST, delivered to a sink. See prfetch.h for the contract.
 * Holds at most one batch of PRs and its pending pages in memory.
 */
#include "prfetch.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "clock.h"
#include "log.h"
#include "util.h"

#define DOC_CAP ((size_t)4 * 1024 * 1024)

/* One PR of the batch in flight. */
struct prstate {
	int64_t number;
	bool failed;
	struct err failure;
	bool files_rest; /* renamed/copied files seen: take the list from REST */
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
	bool rest_only; /* auto mode gave up on GraphQL */
};

bool
prfetch_stops_run(const struct err *e)
{
	switch (e->code) {
	case ERR_RATE:
	case ERR_AUTH:
	case ERR_TLS:
	case ERR_CANCELLED:
	case ERR_STORE:
	case ERR_IO: return true;
	default: return false;
	}
}

static int
resolve_user(struct fetch *f, struct gh_user *u, struct err *e)
{
	return gh_user_resolve(f->g, u, e);
}

static struct prstate *
state_of(struct fetch *f, int64_t number)
{
	for (size_t i = 0; i < f->nprs; i++)
		if (f->prs[i].number == number)
			return &f->prs[i];
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
	if (prfetch_stops_run(pe)) {
		*e = *pe;
		return -1;
	}
	fail_pr(st, pe);
	return 0;
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
	c->conn = conn;
	c->number = (int)number;
	c->thread_id = xstrdup(thread);
	c->cursor = xstrdup(cursor);
	c->first = left > 0 && left < GQL_PAGE ? (int)left : GQL_PAGE;
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

static const cJSON *
nodes_of(const cJSON *conn, struct prstate *st, const char *what)
{
	const cJSON *nodes = json_get(conn, "nodes");
	struct err pe;

	if (cJSON_IsArray(nodes))
		return nodes;
	err_set(&pe, ERR_PARSE, "GitHub returned no %s list", what);
	fail_pr(st, &pe);
	return NULL;
}

/* Maps a page of GraphQL file nodes; delivers it unless REST must supply the list. */
static int
take_files(struct fetch *f, struct prstate *st, const cJSON *conn, struct err *e)
{
	const cJSON *nodes = nodes_of(conn, st, "file");
	size_t n = nodes != NULL ? (size_t)cJSON_GetArraySize(nodes) : 0;
	struct gh_file *files;
	const cJSON *it;
	size_t got = 0;
	struct err pe;
	int rc = 0;

	if (nodes == NULL || st->failed || st->files_rest)
		return 0;
	err_clear(&pe);
	files = xcalloc(n ? n : 1, sizeof(*files));
	cJSON_ArrayForEach (it, nodes) {
		if (map_gql_file(it, &files[got], &pe) < 0)
			break;
		if (strcmp(files[got].status, "renamed") == 0 ||
		    strcmp(files[got].status, "copied") == 0)
			st->files_rest = true;
		got++;
	}
	if (pe.code != ERR_NONE)
		fail_pr(st, &pe);
	else if (!st->files_rest &&
		 f->sink->files(f->sink->ud, (int)st->number, files, got, &pe) < 0)
		rc = pr_error(st, &pe, e);
	else if (!st->files_rest)
		add_cont(f, GQL_FILES, st->number, NULL, conn, 0);
	for (size_t i = 0; i < got; i++)
		gh_file_release(&files[i]);
	free(files);
	return rc;
}

static int
take_reviews(struct fetch *f, struct prstate *st, const cJSON *conn, struct err *e)
{
	const cJSON *nodes = nodes_of(conn, st, "review");
	size_t n = nodes != NULL ? (size_t)cJSON_GetArraySize(nodes) : 0;
	struct gh_review *r;
	const cJSON *it;
	size_t got = 0;
	struct err pe;
	int rc = 0;

	if (nodes == NULL || st->failed)
		return 0;
	err_clear(&pe);
	r = xcalloc(n ? n : 1, sizeof(*r));
	cJSON_ArrayForEach (it, nodes) {
		if (map_gql_review(it, &r[got], &pe) < 0)
			break;
		got++;
		if (resolve_user(f, &r[got - 1].author, e) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && pe.code != ERR_NONE)
		fail_pr(st, &pe);
	else if (rc == 0 && f->sink->reviews(f->sink->ud, (int)st->number, r, got, &pe) < 0)
		rc = pr_error(st, &pe, e);
	else if (rc == 0)
		add_cont(f, GQL_REVIEWS, st->number, NULL, conn, 0);
	for (size_t i = 0; i < got; i++)
		gh_review_release(&r[i]);
	free(r);
	return rc;
}

/* A page of conversation comments, or of one review thread's comments. */
static int
take_comments(struct fetch *f, struct prstate *st, enum gh_comment_kind kind, const char *thread,
	      const cJSON *conn, struct err *e)
{
	const cJSON *nodes = nodes_of(conn, st, "comment");
	size_t n = nodes != NULL ? (size_t)cJSON_GetArraySize(nodes) : 0;
	struct gh_comment *c;
	const cJSON *it;
	size_t got = 0;
	struct err pe;
	int rc = 0;

	if (nodes == NULL || st->failed)
		return 0;
	err_clear(&pe);
	c = xcalloc(n ? n : 1, sizeof(*c));
	cJSON_ArrayForEach (it, nodes) {
		if (map_gql_comment(it, kind, (int)st->number, &c[got], &pe) < 0)
			break;
		got++;
		if (resolve_user(f, &c[got - 1].author, e) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && pe.code != ERR_NONE)
		fail_pr(st, &pe);
	else if (rc == 0 && f->sink->comments(f->sink->ud, (int)st->number, c, got, &pe) < 0)
		rc = pr_error(st, &pe, e);
	else if (rc == 0)
		add_cont(f, kind == GH_ISSUE_COMMENT ? GQL_COMMENTS : GQL_THREAD_COMMENTS,
			 st->number, thread, conn, 0);
	for (size_t i = 0; i < got; i++)
		gh_comment_release(&c[i]);
	free(c);
	return rc;
}

static int
take_threads(struct fetch *f, struct prstate *st, const cJSON *conn, struct err *e)
{
	const cJSON *nodes = nodes_of(conn, st, "review thread");
	const cJSON *t;
	int64_t total = 0;

	if (nodes == NULL || st->failed)
		return 0;
	st->threads += cJSON_GetArraySize(nodes);
	cJSON_ArrayForEach (t, nodes) {
		const char *id = json_str(t, "id");

		if (id == NULL) {
			struct err pe;

			err_set(&pe, ERR_PARSE, "a review thread came without an id");
			fail_pr(st, &pe);
			return 0;
		}
		if (take_comments(f, st, GH_REVIEW_COMMENT, id, json_get(t, "comments"), e) < 0)
			return -1;
		if (st->failed)
			return 0;
	}
	if (json_int64(conn, "totalCount", &total) < 0)
		total = 0;
	add_cont(f, GQL_THREADS, st->number, NULL, conn, total - st->threads);
	return 0;
}

/* The first answer for one PR of a batch. */
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
	rc = resolve_user(f, &p.author, e);
	if (rc == 0)
		rc = resolve_user(f, &p.merged_by, e);
	if (rc == 0 && f->sink->pull(f->sink->ud, &p, &pe) < 0)
		rc = pr_error(st, &pe, e);
	gh_pull_release(&p);
	if (rc < 0 || st->failed)
		return rc;
	if ((parts & PR_FILES) && take_files(f, st, json_get(node, "files"), e) < 0)
		return -1;
	if ((parts & PR_REVIEWS) && take_reviews(f, st, json_get(node, "reviews"), e) < 0)
		return -1;
	if ((parts & PR_COMMENTS) &&
	    (take_comments(f, st, GH_ISSUE_COMMENT, NULL, json_get(node, "comments"), e) < 0 ||
	     take_threads(f, st, json_get(node, "reviewThreads"), e) < 0))
		return -1;
	return 0;
}

/*
 * Errors of a GraphQL answer, attributed to aliases. An Int that cannot hold
 * a user id (path ends in databaseId) is not a failure: the id is looked up
 * over REST. Any other error under an alias fails its PR.
 */
static void
take_errors(struct fetch *f, const cJSON *root, const struct gql_cont *conts, size_t nconts)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, json_get(root, "errors")) {
		const cJSON *path = json_get(it, "path");
		int len = cJSON_GetArraySize(path);
		const cJSON *last = cJSON_GetArrayItem(path, len - 1);
		const char *type = json_str(it, "type");
		const char *msg = json_str(it, "message");
		const char *alias = NULL;
		int64_t number = 0;
		struct err pe;

		if (cJSON_IsString(last) && strcmp(last->valuestring, "databaseId") == 0)
			continue;
		if (len >= 2 && cJSON_IsString(cJSON_GetArrayItem(path, 0)) &&
		    strcmp(cJSON_GetArrayItem(path, 0)->valuestring, "repository") == 0)
			alias = cJSON_GetArrayItem(path, 1)->valuestring;
		else if (len >= 1)
			alias = cJSON_GetArrayItem(path, 0)->valuestring;
		if (alias == NULL)
			continue;
		if (alias[0] == 'p')
			parse_int64(alias + 1, 1, INT32_MAX, &number);
		else if (alias[0] == 'c' && conts != NULL) {
			int64_t i;

			if (parse_int64(alias + 1, 0, (int64_t)nconts - 1, &i) == 0)
				number = conts[i].number;
		}
		err_set(&pe,
			type != NULL && strcmp(type, "NOT_FOUND") == 0 ? ERR_NOT_FOUND : ERR_GITHUB,
			"GraphQL: %s%s%s%s", msg != NULL ? msg : "error", type != NULL ? " (" : "",
			type != NULL ? type : "", type != NULL ? ")" : "");
		fail_pr(state_of(f, number), &pe);
	}
}

/*
 * Sends one GraphQL document (the client retried what may pass). 0 with
 * *root; -1 when the run must stop; 1 when the query failed as a whole and the
 * run may go on, the reason in *why.
 */
static int
send_query(struct fetch *f, const struct buf *doc, cJSON **root, struct err *why, struct err *e)
{
	err_clear(why);
	*root = NULL;
	if (gh_graphql(f->g, buf_str(doc), NULL, root, why) == 0)
		return 0;
	if (prfetch_stops_run(why)) {
		*e = *why;
		return -1;
	}
	return 1;
}

/* True for a failure a smaller query may not meet: GitHub's time limit (502/504), a transfer cut. */
static bool
too_big(const struct err *why)
{
	return why->code == ERR_HTTP || why->status == 502 || why->status == 504;
}

/* Pages on every pending continuation until none is left. */
static int
run_continuations(struct fetch *f, struct err *e)
{
	while (f->nconts > 0) {
		size_t n = f->nconts < GQL_CONT_MAX ? f->nconts : GQL_CONT_MAX;
		struct gql_cont *batch;
		struct buf doc = BUF_INIT(DOC_CAP);
		struct err why;
		cJSON *root = NULL;
		int rc = 0;

		/* Take the first n off the list; the pages they find are appended to it. */
		batch = xcalloc(n, sizeof(*batch));
		memcpy(batch, f->conts, n * sizeof(*batch));
		memmove(f->conts, f->conts + n, (f->nconts - n) * sizeof(*f->conts));
		f->nconts -= n;
		gql_continuations(&doc, f->o->owner, f->o->name, batch, n);
		rc = send_query(f, &doc, &root, &why, e);
		buf_release(&doc);
		if (rc == 1) {
			/* Only the PRs these pages belong to are failed. */
			for (size_t i = 0; i < n; i++)
				fail_pr(state_of(f, batch[i].number), &why);
			rc = 0;
		} else if (rc == 0 && root != NULL) {
			const cJSON *data = json_get(root, "data");
			const cJSON *repo = json_get(data, "repository");

			take_errors(f, root, batch, n);
			for (size_t i = 0; rc == 0 && i < n; i++) {
				const struct gql_cont *c = &batch[i];
				struct prstate *st = state_of(f, c->number);
				char alias[24];
				const cJSON *node;

				if (st == NULL || st->failed)
					continue;
				snprintf(alias, sizeof(alias), "c%zu", i);
				node = json_get(c->conn == GQL_THREAD_COMMENTS ? data : repo,
						alias);
				if (node == NULL || cJSON_IsNull(node)) {
					struct err pe;

					err_set(&pe, ERR_GITHUB,
						"a further page could not be read");
					fail_pr(st, &pe);
					continue;
				}
				switch (c->conn) {
				case GQL_FILES:
					rc = take_files(f, st, json_get(node, "files"), e);
					break;
				case GQL_REVIEWS:
					rc = take_reviews(f, st, json_get(node, "reviews"), e);
					break;
				case GQL_COMMENTS:
					rc = take_comments(f, st, GH_ISSUE_COMMENT, NULL,
							   json_get(node, "comments"), e);
					break;
				case GQL_THREADS:
					rc = take_threads(f, st, json_get(node, "reviewThreads"),
							  e);
					break;
				case GQL_THREAD_COMMENTS:
					rc = take_comments(f, st, GH_REVIEW_COMMENT, c->thread_id,
							   json_get(node, "comments"), e);
					break;
				}
			}
		}
		cJSON_Delete(root);
		free_conts(batch, n);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* REST walks deliver into the sink through these. */
struct rest_walk {
	struct fetch *f;
	struct prstate *st;
	struct err *run; /* where a run-stopping error goes */
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

/* One PR over REST, pull() through the last page; failures land in st. */
static int
rest_pull(struct fetch *f, struct prstate *st, struct err *e)
{
	const struct prfetch_options *o = f->o;
	struct rest_walk w = {f, st, e};
	struct gh_pull p;
	struct err pe;
	int n = (int)st->number;
	int rc;

	/* Return codes decide, never a leftover in pe: a retried call that passed may leave one. */
	err_clear(&pe);
	rc = gh_pull_get(f->g, o->owner, o->name, n, &p, &pe);
	if (rc == 0) {
		rc = f->sink->pull(f->sink->ud, &p, &pe);
		if (rc == 0 && (o->parts & PR_FILES))
			rc = gh_pull_files(f->g, o->owner, o->name, n, rest_files, &w, &pe);
		gh_pull_release(&p);
	}
	if (rc == 0 && (o->parts & PR_REVIEWS))
		rc = gh_pull_reviews(f->g, o->owner, o->name, n, rest_reviews, &w, &pe);
	if (rc == 0 && (o->parts & PR_COMMENTS))
		rc = gh_pull_comments(f->g, o->owner, o->name, n, GH_ISSUE_COMMENT, rest_comments,
				      &w, &pe);
	if (rc == 0 && (o->parts & PR_COMMENTS))
		rc = gh_pull_comments(f->g, o->owner, o->name, n, GH_REVIEW_COMMENT, rest_comments,
				      &w, &pe);
	if (rc < 0)
		return pr_error(st, &pe, e);
	return 0;
}

/* The file list of a PR whose GraphQL files had renames or copies. */
static int
rest_file_list(struct fetch *f, struct prstate *st, struct err *e)
{
	struct rest_walk w = {f, st, e};
	struct err pe;

	err_clear(&pe);
	if (gh_pull_files(f->g, f->o->owner, f->o->name, (int)st->number, rest_files, &w, &pe) < 0)
		return pr_error(st, &pe, e);
	return 0;
}

static int
finish(struct fetch *f, struct prstate *st, struct err *e)
{
	struct err se;

	err_clear(&se);
	if (f->sink->done(f->sink->ud, (int)st->number, st->failed ? &st->failure : NULL, &se) <
	    0) {
		*e = se;
		return -1;
	}
	return 0;
}

/*
 * One GraphQL batch: the query, its continuations, REST file lists, done().
 * 1 (nothing delivered) when the query itself failed in a way a smaller
 * batch may not: the caller halves the batch and sends it again.
 */
static int
graphql_batch(struct fetch *f, struct err *e)
{
	struct buf doc = BUF_INIT(DOC_CAP);
	int64_t *numbers = xcalloc(f->nprs, sizeof(*numbers));
	cJSON *root = NULL;
	const cJSON *repo;
	struct err why;
	int rc;

	for (size_t i = 0; i < f->nprs; i++)
		numbers[i] = f->prs[i].number;
	gql_pull_batch(&doc, f->o->owner, f->o->name, numbers, f->nprs, f->o->parts);
	free(numbers);
	rc = send_query(f, &doc, &root, &why, e);
	buf_release(&doc);
	if (rc < 0)
		return -1;
	if (rc == 1 && f->nprs > 1 && too_big(&why))
		return 1;
	if (rc == 1) {
		for (size_t i = 0; i < f->nprs; i++)
			fail_pr(&f->prs[i], &why);
		rc = 0;
	}
	if (root != NULL) {
		repo = json_get(json_get(root, "data"), "repository");
		take_errors(f, root, NULL, 0);
		if (repo == NULL || cJSON_IsNull(repo)) {
			struct err re;

			err_set(&re, ERR_NOT_FOUND, "repository %s/%s not found over GraphQL",
				f->o->owner, f->o->name);
			for (size_t i = 0; i < f->nprs; i++)
				fail_pr(&f->prs[i], &re);
		}
		for (size_t i = 0; rc == 0 && repo != NULL && i < f->nprs; i++) {
			struct prstate *st = &f->prs[i];
			char alias[16];
			const cJSON *node;

			gql_pull_alias((int)st->number, alias);
			node = json_get(repo, alias);
			if (node == NULL || cJSON_IsNull(node)) {
				struct err pe;

				err_set(&pe, ERR_NOT_FOUND, "not found over GraphQL");
				fail_pr(st, &pe);
				continue;
			}
			if (!st->failed)
				rc = take_pull(f, st, node, e);
		}
		cJSON_Delete(root);
	}
	if (rc == 0)
		rc = run_continuations(f, e);
	for (size_t i = 0; rc == 0 && i < f->nprs; i++)
		if (f->prs[i].files_rest && !f->prs[i].failed)
			rc = rest_file_list(f, &f->prs[i], e);
	for (size_t i = 0; rc == 0 && i < f->nprs; i++)
		rc = finish(f, &f->prs[i], e);
	free_conts(f->conts, f->nconts);
	f->conts = NULL;
	f->nconts = 0;
	return rc;
}

/* True when auto mode should carry on over REST after GraphQL ran dry. */
static bool
fall_back_to_rest(const struct fetch *f, const struct err *e)
{
	const struct gh_stats *s = gh_stats(f->g);

	return f->o->api == API_AUTO && e->code == ERR_RATE && s->core_remaining != 0;
}

int
prfetch(struct gh *g, const struct prfetch_options *o, const int64_t *numbers, size_t n,
	const struct pr_sink *sink, struct err *e)
{
	struct fetch f = {g, o, sink, NULL, 0, NULL, 0, o->api == API_REST};
	size_t batch = o->batch_size > 0 ? (size_t)o->batch_size : GQL_BATCH_DEFAULT;
	size_t i = 0;
	int rc = 0;

	f.prs = xcalloc(batch, sizeof(*f.prs));
	while (rc == 0 && i < n) {
		size_t k = f.rest_only ? 1 : (n - i < batch ? n - i : batch);

		if (cancel_requested()) {
			rc = err_set(e, ERR_CANCELLED, "cancelled");
			break;
		}
		memset(f.prs, 0, batch * sizeof(*f.prs));
		f.nprs = k;
		for (size_t j = 0; j < k; j++)
			f.prs[j].number = numbers[i + j];
		if (f.rest_only) {
			rc = rest_pull(&f, &f.prs[0], e);
			if (rc == 0)
				rc = finish(&f, &f.prs[0], e);
		} else {
			rc = graphql_batch(&f, e);
			if (rc == 1) {
				/* Too much for one query (GitHub's 10 s limit): half as many. */
				batch = k / 2;
				log_notice("GitHub could not answer for %zu pull requests at once: "
					   "asking for %zu a query",
					   k, batch);
				rc = 0;
				continue;
			}
			if (rc < 0 && fall_back_to_rest(&f, e)) {
				log_warn(
					"GitHub's GraphQL budget is spent (%s); going on over REST",
					e->msg);
				err_clear(e);
				f.rest_only = true;
				rc = 0;
				continue; /* this batch again, over REST */
			}
		}
		i += k;
	}
	free(f.prs);
	return rc;
}
