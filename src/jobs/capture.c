/*
 * jobs/capture.c - the rows of a pull request and its parts: the sink that
 * prfetch delivers into, shared by every PR command. A mapping of GitHub
 * structs to rows; no HTTP, JSON or SQL here.
 *
 * Order of writes for one PR: contributors, the PR row, pages of files /
 * reviews / comments as they arrive, then in done(): stale files removed (only
 * when the whole list was read), last_synced_at, and one
 * pull_request_captures row per part. So a PR counts as captured only after
 * every write of it succeeded, and a crash leaves it "lacking". An item
 * delivered twice (a list read again over REST) is written twice, which an
 * upsert makes harmless, and counted once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cursor.h"
#include "jobs.h"
#include "log.h"
#include "prfetch.h"
#include "progress.h"
#include "schema.h"
#include "util.h"

#define GITHUB_FILES_LIMIT 3000 /* GitHub lists at most this many files of a PR */
#define DELETE_CHUNK       50

/* What is known of one PR between its pull() and its done(). */
struct pr_rec {
	int number;
	char id[UUID_STR_SIZE]; /* the PR row */
	char *updated_at;
	char *title, *state, *author;
	int64_t additions, deletions, changed_files;
	char **seen; /* file names delivered (repeats possible until finish) */
	size_t nseen;
	struct idcache reviews;     /* review GitHub id -> "" (stored) or "pending" */
	size_t nreviews, npending;  /* distinct reviews stored, and still pending */
	struct idcache comment_ids; /* this PR's comments: GitHub id -> row id */
	struct idcache delivered;   /* comments GitHub listed: GitHub id -> "" */
};

struct sink {
	struct job_ctx *ctx;
	unsigned parts;
	bool quiet; /* rows other work needs: no progress, tallies or summary */
	struct pr_rec *recs;
	size_t nrecs;
	int64_t *left; /* PRs not yet written whole: the resume cursor */
	size_t nleft;
};

/* Records that PR number is written whole, and where a resumed run would start. */
static void
leave(struct sink *s, int number)
{
	struct buf c = BUF_INIT((size_t)1 << 22);

	for (size_t i = 0; i < s->nleft; i++) {
		if (s->left[i] == number) {
			s->left[i] = s->left[--s->nleft];
			break;
		}
	}
	if (cursor_format(&c, s->ctx->cfg->command, s->left, s->nleft) < 0) {
		/* A cursor over 4 MiB is no cursor: resume from the whole list's job. */
		buf_release(&c);
		return;
	}
	progress_set_cursor(s->ctx->progress, buf_str(&c));
	free(s->ctx->resume_cursor);
	s->ctx->resume_cursor = buf_detach(&c);
}

static struct pr_rec *
rec_of(struct sink *s, int number)
{
	for (size_t i = 0; i < s->nrecs; i++)
		if (s->recs[i].number == number)
			return &s->recs[i];
	return NULL;
}

static void
rec_clear(struct pr_rec *r)
{
	free(r->updated_at);
	free(r->title);
	free(r->state);
	free(r->author);
	for (size_t i = 0; i < r->nseen; i++)
		free(r->seen[i]);
	free(r->seen);
	idcache_release(&r->reviews);
	idcache_release(&r->comment_ids);
	idcache_release(&r->delivered);
	memset(r, 0, sizeof(*r));
}

static void
rec_drop(struct sink *s, int number)
{
	for (size_t i = 0; i < s->nrecs; i++) {
		if (s->recs[i].number != number)
			continue;
		rec_clear(&s->recs[i]);
		s->recs[i] = s->recs[--s->nrecs];
		return;
	}
}

/* The PR's merger as stored: none unless merged; a merged PR's deleted merger is the ghost. */
static const struct gh_user *
stored_merger(const struct gh_pull *p)
{
	return p->merged ? jobs_stored_user(&p->merged_by) : NULL;
}

static int
upsert_pull(struct job_ctx *ctx, const struct gh_pull *p, char id_out[UUID_STR_SIZE], struct err *e)
{
	const struct gh_user *author = jobs_stored_user(&p->author);
	const struct gh_user *merger = stored_merger(p);
	struct idcache ids = {0};
	struct rowset rs;
	int rc;

	schema_rowset(&rs, SCHEMA_PULL_REQUESTS, 0);
	rowset_add(&rs);
	rowset_int(&rs, "github_id", p->id);
	rowset_int(&rs, "number", p->number);
	rowset_text(&rs, "title", p->title);
	rowset_text(&rs, "body", p->body);
	rowset_text(&rs, "state", p->state);
	rowset_text(&rs, "repository_id", ctx->repository_id);
	rowset_text(&rs, "repository_full_name", ctx->repository_full_name);
	if (ctx->repository_github_id > 0)
		rowset_int(&rs, "repository_github_id", ctx->repository_github_id);
	rowset_text(&rs, "author_id", jobs_contributor_id(ctx, author->id));
	rowset_int(&rs, "author_github_id", author->id);
	rowset_text(&rs, "base_branch", p->base_ref);
	rowset_text(&rs, "head_branch", p->head_ref);
	rowset_text(&rs, "base_ref", p->base_ref);
	rowset_text(&rs, "head_ref", p->head_ref);
	rowset_bool(&rs, "draft", p->draft);
	rowset_bool(&rs, "merged", p->merged);
	rowset_text(&rs, "merged_by_id",
		    merger != NULL ? jobs_contributor_id(ctx, merger->id) : NULL);
	/* Unknown (GitHub still computing, or a list that lacks it): NULL and 'unknown'. */
	if (p->mergeable >= 0)
		rowset_bool(&rs, "mergeable", p->mergeable == 1);
	rowset_text(&rs, "mergeable_state",
		    p->mergeable_state != NULL ? p->mergeable_state : "unknown");
	rowset_text(&rs, "created_at", p->created_at);
	rowset_text(&rs, "updated_at", p->updated_at);
	rowset_text(&rs, "merged_at", p->merged_at);
	rowset_text(&rs, "closed_at", p->closed_at);
	rowset_int(&rs, "additions", p->additions);
	rowset_int(&rs, "deletions", p->deletions);
	rowset_int(&rs, "changed_files", p->changed_files);
	rowset_int(&rs, "commits", p->commits);
	rowset_text(&rs, "html_url", p->html_url);
	rowset_text(&rs, "diff_url", p->diff_url);
	rowset_text(&rs, "patch_url", p->patch_url);
	rc = jobs_upsert_ids(ctx, &rs, &ids, e);
	/* Its number's row stored under another GitHub id: that row is this PR's. */
	if (rc < 0 && e->code == ERR_CONFLICT) {
		log_debug("pull_requests: %s", e->msg);
		err_clear(e);
		rc = jobs_adopt_pull(ctx, p->number, p->id, e);
		if (rc == 0)
			rc = jobs_upsert_ids(ctx, &rs, &ids, e);
	}
	if (rc == 0) {
		snprintf(id_out, UUID_STR_SIZE, "%s", idcache_get(&ids, p->id));
		ctx->pulls_written++;
	}
	idcache_release(&ids);
	rowset_release(&rs);
	return rc;
}

static int
on_pull(void *ud, const struct gh_pull *p, struct err *e)
{
	struct sink *s = ud;
	struct job_ctx *ctx = s->ctx;
	const struct gh_user *users[2] = {jobs_stored_user(&p->author), stored_merger(p)};
	struct pr_rec *r;

	/* A PR delivered again (auto mode moved it to REST) starts afresh. */
	rec_drop(s, p->number);
	s->recs = xrealloc(s->recs, (s->nrecs + 1) * sizeof(*s->recs));
	r = &s->recs[s->nrecs++];
	memset(r, 0, sizeof(*r));
	r->number = p->number;
	r->updated_at = xstrdup(p->updated_at);
	r->title = xstrdup(p->title);
	r->state = xstrdup(p->state);
	r->author = xstrdup(users[0]->login);
	r->additions = p->additions;
	r->deletions = p->deletions;
	r->changed_files = p->changed_files;
	if (jobs_upsert_contributors(ctx, users, 2, e) < 0)
		return -1;
	return upsert_pull(ctx, p, r->id, e);
}

/* The record of a PR whose parts arrive; an error when its pull() did not come first. */
static struct pr_rec *
rec_for(struct sink *s, int number, const char *what, struct err *e)
{
	struct pr_rec *r = rec_of(s, number);

	if (r == NULL)
		err_set(e, ERR_PARSE, "%s came before the pull request", what);
	return r;
}

static int
on_files(void *ud, int number, const struct gh_file *files, size_t n, struct err *e)
{
	struct sink *s = ud;
	struct pr_rec *r = rec_for(s, number, "files", e);
	struct rowset rs;
	int rc;

	if (r == NULL)
		return -1;
	if (n == 0)
		return 0;
	r->seen = xrealloc(r->seen, (r->nseen + n) * sizeof(*r->seen));
	schema_rowset(&rs, SCHEMA_PULL_REQUEST_FILES, 0);
	for (size_t i = 0; i < n; i++) {
		r->seen[r->nseen++] = xstrdup(files[i].filename);
		rowset_add(&rs);
		rowset_text(&rs, "pull_request_id", r->id);
		rowset_text(&rs, "filename", files[i].filename);
		rowset_text(&rs, "status", files[i].status);
		rowset_int(&rs, "additions", files[i].additions);
		rowset_int(&rs, "deletions", files[i].deletions);
		rowset_int(&rs, "changes", files[i].changes);
		rowset_text(&rs, "previous_filename", files[i].previous_filename);
	}
	rc = store_upsert(s->ctx->store, &rs, "pull_request_id,filename", NULL, NULL, e);
	rowset_release(&rs);
	return rc;
}

/* Counts a review once, however often it is delivered. */
static void
count_review(struct pr_rec *r, const struct gh_review *rv, bool pending)
{
	if (idcache_get(&r->reviews, rv->id) != NULL)
		return;
	idcache_put(&r->reviews, rv->id, pending ? "pending" : "");
	if (pending)
		r->npending++;
	else
		r->nreviews++;
}

static int
on_reviews(void *ud, int number, const struct gh_review *rv, size_t n, struct err *e)
{
	struct sink *s = ud;
	struct job_ctx *ctx = s->ctx;
	struct pr_rec *r = rec_for(s, number, "reviews", e);
	const struct gh_user **users = xcalloc(n ? n : 1, sizeof(*users));
	struct rowset rs;
	int rc;

	if (r == NULL) {
		free(users);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		users[i] = jobs_stored_user(&rv[i].author);
	rc = jobs_upsert_contributors(ctx, users, n, e);
	schema_rowset(&rs, SCHEMA_REVIEWS, 0);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *author = jobs_contributor_id(ctx, users[i]->id);
		/* A review still PENDING has no submission time: not stored, counted. */
		bool pending = rv[i].submitted_at == NULL || strcmp(rv[i].state, "PENDING") == 0;

		count_review(r, &rv[i], pending);
		if (pending)
			continue;
		rowset_add(&rs);
		rowset_int(&rs, "github_id", rv[i].id);
		rowset_text(&rs, "pull_request_id", r->id);
		rowset_text(&rs, "repository_id", ctx->repository_id);
		rowset_text(&rs, "author_id", author);
		rowset_text(&rs, "reviewer_id", author); /* contributor.info's older name for it */
		rowset_text(&rs, "state", rv[i].state);
		rowset_text(&rs, "body", rv[i].body);
		rowset_text(&rs, "submitted_at", rv[i].submitted_at);
		rowset_text(&rs, "commit_id", rv[i].commit_id);
	}
	if (rc == 0 && rs.nrows > 0)
		rc = store_upsert(ctx->store, &rs, "github_id", NULL, NULL, e);
	rowset_release(&rs);
	free(users);
	return rc;
}

/* Writes the comments of kind for which take[i] is true; remembers their row ids. */
static int
write_comments(struct job_ctx *ctx, struct pr_rec *r, const struct gh_comment *c, const bool *take,
	       size_t n, enum gh_comment_kind kind, struct err *e)
{
	struct rowset rs;
	int rc = 0;

	jobs_comment_rows(&rs, kind);
	for (size_t i = 0; i < n; i++)
		if (take[i] && c[i].kind == kind)
			jobs_comment_row(ctx, &rs, &c[i], r->id,
					 idcache_get(&r->comment_ids, c[i].in_reply_to));
	if (rs.nrows > 0)
		rc = jobs_upsert_ids(ctx, &rs, &r->comment_ids, e);
	rowset_release(&rs);
	return rc;
}

static int
on_comments(void *ud, int number, const struct gh_comment *c, size_t n, struct err *e)
{
	struct sink *s = ud;
	struct job_ctx *ctx = s->ctx;
	struct pr_rec *r = rec_for(s, number, "comments", e);
	const struct gh_user **users;
	bool *first, *second;
	int rc;

	if (r == NULL)
		return -1;
	if (n == 0)
		return 0;
	users = xcalloc(n, sizeof(*users));
	first = xcalloc(n, sizeof(*first));
	second = xcalloc(n, sizeof(*second));
	for (size_t i = 0; i < n; i++) {
		users[i] = jobs_stored_user(&c[i].author);
		idcache_put(&r->delivered, c[i].id, "");
	}
	rc = jobs_upsert_contributors(ctx, users, n, e);
	if (rc == 0)
		rc = jobs_lookup_parents(ctx, &r->comment_ids, c, n, e);
	/* Replies whose parent is on this page go second, once the parent has a row id. */
	for (size_t i = 0; i < n; i++) {
		bool parent_here = false;

		for (size_t j = 0; c[i].in_reply_to != 0 && j < n; j++)
			parent_here = parent_here || c[j].id == c[i].in_reply_to;
		second[i] = parent_here;
		first[i] = !parent_here;
	}
	for (int kind = GH_ISSUE_COMMENT; rc == 0 && kind <= GH_REVIEW_COMMENT; kind++)
		rc = write_comments(ctx, r, c, first, n, (enum gh_comment_kind)kind, e);
	if (rc == 0)
		rc = write_comments(ctx, r, c, second, n, GH_REVIEW_COMMENT, e);
	free(users);
	free(first);
	free(second);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the delivered file names and drops repeats (a list read twice). */
static void
unique_seen(struct pr_rec *r)
{
	size_t kept = 0;

	if (r->nseen == 0)
		return;
	qsort(r->seen, r->nseen, sizeof(*r->seen), cmp_str);
	for (size_t i = 0; i < r->nseen; i++) {
		if (kept > 0 && strcmp(r->seen[i], r->seen[kept - 1]) == 0)
			free(r->seen[i]);
		else
			r->seen[kept++] = r->seen[i];
	}
	r->nseen = kept;
}

/* Deletes the rows of table of PR r whose column is one of values[0..n), in chunks. */
static int
delete_in(struct job_ctx *ctx, const struct pr_rec *r, const char *table, const char *column,
	  const char *const *values, size_t n, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i += DELETE_CHUNK) {
		struct store_filter d[2] = {
			{.column = "pull_request_id", .op = STORE_EQ, .value = r->id},
			{.column = column,
			 .op = STORE_IN,
			 .values = values + i,
			 .nvalues = n - i < DELETE_CHUNK ? n - i : DELETE_CHUNK},
		};

		rc = store_delete(ctx->store, table, d, 2, e);
	}
	return rc;
}

static void
log_removed(const struct pr_rec *r, size_t n, const char *what)
{
	if (n > 0)
		log_info("  #%d: removed %zu %s%s GitHub no longer lists", r->number, n, what,
			 n == 1 ? "" : "s");
}

/* Deletes the stored files of the PR that its complete list (sorted) no longer has. */
static int
remove_stale_files(struct job_ctx *ctx, struct pr_rec *r, struct err *e)
{
	struct store_filter f = {.column = "pull_request_id", .op = STORE_EQ, .value = r->id};
	struct store_query q = {.table = "pull_request_files",
				.columns = "filename",
				.filters = &f,
				.nfilters = 1,
				.order = "filename"};
	struct rowset rs;
	const char **stale = NULL;
	size_t nstale = 0;
	int rc = store_select(ctx->store, &q, &rs, e);

	for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
		const char *name = rowset_text_at(&rs, row, "filename");

		if (name != NULL && (r->nseen == 0 || bsearch(&name, r->seen, r->nseen,
							      sizeof(*r->seen), cmp_str) == NULL)) {
			stale = xrealloc(stale, (nstale + 1) * sizeof(*stale));
			stale[nstale++] = name;
		}
	}
	if (rc == 0)
		rc = delete_in(ctx, r, "pull_request_files", "filename", stale, nstale, e);
	if (rc == 0)
		log_removed(r, nstale, "file");
	free(stale);
	rowset_release(&rs);
	return rc;
}

/*
 * The row ids (into *ids, allocated; rows keeps the strings) of the PR's rows
 * of table whose GitHub id listed does not have. Returns the count, or -1.
 */
static ssize_t
gone_rows(struct job_ctx *ctx, const struct pr_rec *r, const char *table,
	  const struct idcache *listed, struct rowset *rows, const char ***ids, struct err *e)
{
	struct store_filter f = {.column = "pull_request_id", .op = STORE_EQ, .value = r->id};
	struct store_query q = {
		.table = table, .columns = "id,github_id", .filters = &f, .nfilters = 1};
	size_t n = 0;

	*ids = NULL;
	if (store_select(ctx->store, &q, rows, e) < 0)
		return -1;
	*ids = xcalloc(rows->nrows ? rows->nrows : 1, sizeof(**ids));
	for (size_t row = 0; row < rows->nrows; row++) {
		const char *id = rowset_text_at(rows, row, "id");
		int64_t gid;

		if (id != NULL && rowset_int_at(rows, row, "github_id", &gid) == 0 &&
		    idcache_get(listed, gid) == NULL)
			(*ids)[n++] = id;
	}
	return (ssize_t)n;
}

/*
 * Deletes the PR's reviews (comments: true, its comments) GitHub no longer
 * lists; their list was read whole. A reply to a deleted comment keeps its
 * row, its link cleared first (in_reply_to_id refers to comments.id).
 */
static int
remove_gone(struct job_ctx *ctx, struct pr_rec *r, bool comments, struct err *e)
{
	static const char *const cols[] = {"in_reply_to_id"};
	const char *table = comments ? "comments" : "reviews";
	struct rowset rows;
	const char **ids;
	ssize_t n =
		gone_rows(ctx, r, table, comments ? &r->delivered : &r->reviews, &rows, &ids, e);
	int rc = n < 0 ? -1 : 0;

	for (size_t i = 0; rc == 0 && comments && i < (size_t)n; i += DELETE_CHUNK) {
		struct store_filter f = {.column = "in_reply_to_id",
					 .op = STORE_IN,
					 .values = ids + i,
					 .nvalues = (size_t)n - i < DELETE_CHUNK ? (size_t)n - i
										 : DELETE_CHUNK};
		struct rowset set;

		rowset_init(&set, "comments", cols, 1);
		rowset_add(&set);
		rc = store_update(ctx->store, "comments", &f, 1, &set, e);
		rowset_release(&set);
	}
	if (rc == 0 && n > 0)
		rc = delete_in(ctx, r, table, "id", ids, (size_t)n, e);
	if (rc == 0)
		log_removed(r, (size_t)n, comments ? "comment" : "review");
	free(ids);
	if (n >= 0)
		rowset_release(&rows);
	return rc;
}

static int
mark_synced(struct job_ctx *ctx, const struct pr_rec *r, struct err *e)
{
	static const char *const cols[] = {"last_synced_at"};
	struct store_filter f = {.column = "id", .op = STORE_EQ, .value = r->id};
	struct rowset rs;
	char now[21];
	int rc;

	time_format_iso(clock_now(), now);
	rowset_init(&rs, "pull_requests", cols, 1);
	rowset_add(&rs);
	rowset_text(&rs, "last_synced_at", now);
	rc = store_update(ctx->store, "pull_requests", &f, 1, &rs, e);
	rowset_release(&rs);
	return rc;
}

static int
mark_captured(struct job_ctx *ctx, unsigned parts, const struct pr_rec *r, struct err *e)
{
	struct rowset rs;
	char now[21];
	int rc;

	time_format_iso(clock_now(), now);
	schema_rowset(&rs, SCHEMA_PULL_REQUEST_CAPTURES, 0);
	for (size_t p = 0; p < PR_NPARTS; p++) {
		if (!(parts & pr_parts[p].bit))
			continue;
		rowset_add(&rs);
		rowset_text(&rs, "repository_id", ctx->repository_id);
		rowset_text(&rs, "pull_request_id", r->id);
		rowset_int(&rs, "number", r->number);
		rowset_text(&rs, "part", pr_parts[p].mark);
		rowset_text(&rs, "github_updated_at", r->updated_at);
		rowset_text(&rs, "captured_at", now);
	}
	rc = rs.nrows > 0 ? store_upsert(ctx->store, &rs, "pull_request_id,part", NULL, NULL, e)
			  : 0;
	rowset_release(&rs);
	return rc;
}

static void
summary_pr(struct job_ctx *ctx, unsigned parts, const struct pr_rec *r)
{
	struct buf num = BUF_INIT(64), what = BUF_INIT(256);
	const char *cells[5];

	buf_printf(&num, "#%d", r->number);
	if (parts & PR_FILES)
		buf_printf(&what, "+%lld −%lld, %zu file%s; ", (long long)r->additions,
			   (long long)r->deletions, r->nseen, r->nseen == 1 ? "" : "s");
	if (parts & PR_REVIEWS)
		buf_printf(&what, "%zu review%s%s; ", r->nreviews, r->nreviews == 1 ? "" : "s",
			   r->npending > 0 ? " (+pending)" : "");
	if (parts & PR_COMMENTS)
		buf_printf(&what, "%zu comment%s; ", r->comment_ids.n,
			   r->comment_ids.n == 1 ? "" : "s");
	if (what.len >= 2)
		what.data[what.len -= 2] = '\0';
	cells[0] = buf_str(&num);
	cells[1] = r->title;
	cells[2] = r->state;
	cells[3] = r->author != NULL ? r->author : "(none)";
	cells[4] = what.len > 0 ? buf_str(&what) : "fields";
	summary_row(ctx->summary, cells);
	buf_release(&num);
	buf_release(&what);
}

static int
finish_pr(struct sink *s, struct pr_rec *r, unsigned whole, struct err *e)
{
	struct job_ctx *ctx = s->ctx;
	unsigned parts = s->parts & whole;

	unique_seen(r);
	if ((s->parts & PR_FILES) && (int64_t)r->nseen != r->changed_files) {
		if (r->nseen >= GITHUB_FILES_LIMIT)
			log_warn("pull request #%d changes %lld files; GitHub lists only the first "
				 "%d",
				 r->number, (long long)r->changed_files, GITHUB_FILES_LIMIT);
		else
			log_warn("pull request #%d: GitHub listed %zu files but counts %lld "
				 "(it changed while being read?)",
				 r->number, r->nseen, (long long)r->changed_files);
	}
	/* Only a complete list says which stored items are gone. */
	if ((parts & PR_FILES) && r->nseen < GITHUB_FILES_LIMIT &&
	    remove_stale_files(ctx, r, e) < 0)
		return -1;
	if ((parts & PR_REVIEWS) && remove_gone(ctx, r, false, e) < 0)
		return -1;
	if ((parts & PR_COMMENTS) && remove_gone(ctx, r, true, e) < 0)
		return -1;
	if ((s->parts & PR_FILES) && mark_synced(ctx, r, e) < 0)
		return -1;
	if (mark_captured(ctx, s->parts, r, e) < 0)
		return -1;
	ctx->pending_reviews += r->npending;
	log_info("  #%d %s: %s", r->number, r->title, r->state);
	summary_pr(ctx, s->parts, r);
	return 0;
}

static int
on_done(void *ud, int number, const struct err *failure, unsigned whole, struct err *e)
{
	struct sink *s = ud;
	struct job_ctx *ctx = s->ctx;
	struct pr_rec *r = rec_of(s, number);
	char label[24];
	struct err fe;
	int rc = 0;

	snprintf(label, sizeof(label), "#%d", number);
	err_clear(&fe);
	if (failure != NULL)
		fe = *failure;
	if (fe.code == ERR_NONE && r == NULL)
		err_set(&fe, ERR_PARSE, "no data arrived");
	if (s->quiet) {
		if (fe.code != ERR_NONE)
			log_warn("pull request %s: %s", label, fe.msg);
		rec_drop(s, number);
		return 0;
	}
	if (fe.code == ERR_NONE && r != NULL && finish_pr(s, r, whole, &fe) < 0 &&
	    err_stops_run(&fe)) {
		*e = fe;
		rec_drop(s, number);
		return -1;
	}
	if (fe.code != ERR_NONE) {
		rc = jobs_item_failed(ctx, label, &fe, e);
	} else {
		ctx->processed++;
		leave(s, number);
		rc = progress_item(ctx->progress, label, NULL, e);
	}
	rec_drop(s, number);
	return rc;
}

/* The api setting as prfetch wants it. */
static struct prfetch_options
fetch_options(const struct job_ctx *ctx, unsigned parts)
{
	return (struct prfetch_options){.owner = ctx->cfg->owner,
					.name = ctx->cfg->name,
					.parts = parts,
					.api = (enum api_mode)ctx->cfg->api,
					.batch_size = ctx->cfg->batch_size};
}

static void
sink_release(struct sink *s)
{
	for (size_t i = 0; i < s->nrecs; i++)
		rec_clear(&s->recs[i]);
	free(s->recs);
	free(s->left);
}

/* The rows of PRs numbers[0..n) with their fields only, for other work (a comment's, a commit's). */
static int
capture_pull_rows(struct job_ctx *ctx, const int64_t *numbers, size_t n, struct err *e)
{
	struct sink s = {.ctx = ctx, .quiet = true};
	struct pr_sink sink = {&s, on_pull, on_files, on_reviews, on_comments, on_done};
	struct prfetch_options o = fetch_options(ctx, 0);
	int rc = prfetch(ctx->gh, &o, numbers, n, &sink, e);

	sink_release(&s);
	return rc;
}

/* Looks the PR rows of numbers[0..n) up in the store, into prs. */
static int
find_pull_ids(struct job_ctx *ctx, struct idcache *prs, const int64_t *numbers, size_t n,
	      struct err *e)
{
	char(*num)[16] = xcalloc(n ? n : 1, sizeof(*num));
	const char **vals = xcalloc(n ? n : 1, sizeof(*vals));
	struct store_filter f = {
		.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id};
	struct store_query q = {
		.table = "pull_requests", .columns = "id,number", .filters = &f, .nfilters = 1};
	struct rowset rs;
	int rc;

	for (size_t i = 0; i < n; i++) {
		snprintf(num[i], sizeof(num[i]), "%lld", (long long)numbers[i]);
		vals[i] = num[i];
	}
	rc = store_select_in(ctx->store, &q, "number", vals, n, &rs, e);
	for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
		const char *id = rowset_text_at(&rs, row, "id");
		int64_t number;

		if (id != NULL && rowset_int_at(&rs, row, "number", &number) == 0)
			idcache_put(prs, number, id);
	}
	rowset_release(&rs);
	free(num);
	free(vals);
	return rc;
}

/* The numbers of numbers[0..n) prs has no row for, repeats dropped; *out allocated. */
static size_t
missing_from(const struct idcache *prs, const int64_t *numbers, size_t n, int64_t **out)
{
	size_t k = 0;

	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		bool repeat = false;

		for (size_t j = 0; j < k && !repeat; j++)
			repeat = (*out)[j] == numbers[i];
		if (!repeat && idcache_get(prs, numbers[i]) == NULL)
			(*out)[k++] = numbers[i];
	}
	return k;
}

int
capture_pull_ids(struct job_ctx *ctx, struct idcache *prs, const int64_t *numbers, size_t n,
		 struct err *e)
{
	int64_t *missing;
	size_t k = missing_from(prs, numbers, n, &missing);
	int rc = find_pull_ids(ctx, prs, missing, k, e);

	free(missing);
	if (rc < 0)
		return -1;
	k = missing_from(prs, numbers, n, &missing);
	if (k > 0) {
		log_info("  %zu pull request%s not in the store yet: capturing %s first", k,
			 k == 1 ? "" : "s", k == 1 ? "its row" : "their rows");
		rc = capture_pull_rows(ctx, missing, k, e);
		if (rc == 0)
			rc = find_pull_ids(ctx, prs, missing, k, e);
	}
	free(missing);
	return rc;
}

int
capture_pulls(struct job_ctx *ctx, const int64_t *numbers, size_t n, unsigned parts, struct err *e)
{
	struct sink s = {.ctx = ctx, .parts = parts};
	struct pr_sink sink = {&s, on_pull, on_files, on_reviews, on_comments, on_done};
	struct prfetch_options o = fetch_options(ctx, parts);
	int rc;

	s.left = xcalloc(n ? n : 1, sizeof(*s.left));
	if (n > 0)
		memcpy(s.left, numbers, n * sizeof(*s.left));
	s.nleft = n;
	leave(&s, 0); /* the cursor of the whole list, before anything is written */
	rc = progress_set_total(ctx->progress, n, e);
	log_group("Capturing %zu pull request%s over %s", n, n == 1 ? "" : "s",
		  o.api == API_REST ? "REST" : "GraphQL");
	summary_table(ctx->summary,
		      (const char *const[]){"PR", "Title", "State", "Author", "Captured"}, 5);
	if (rc == 0)
		rc = prfetch(ctx->gh, &o, numbers, n, &sink, e);
	sink_release(&s);
	log_endgroup();
	return rc;
}
