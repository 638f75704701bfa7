/*
 * jobs/capture.c - the sink prfetch delivers pull requests into, shared by
 * every PR command: GitHub's structs mapped to rows, kept per PR until
 * flush.c writes many PRs' rows together. No HTTP, JSON or SQL here.
 *
 * A PR's rows are written only once all of them arrived (done() without a
 * failure), in dependency order, with the capture marks last: a crash
 * leaves a PR "lacking", never marked complete with rows missing. An item
 * delivered twice (a list read again over REST) is kept twice, which the
 * store's upsert makes one, and counted once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "clock.h"
#include "cursor.h"
#include "jobs.h"
#include "log.h"
#include "prfetch.h"
#include "progress.h"
#include "schema.h"
#include "util.h"

void
sink_leave(struct sink *s, int number)
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

void
rows_fix(struct rows *r, const char *col, enum fix_kind kind, int64_t key)
{
	r->fixes = xrealloc(r->fixes, (r->nfixes + 1) * sizeof(*r->fixes));
	r->fixes[r->nfixes++] = (struct fix){r->rs.nrows - 1, col, kind, key};
}

static struct pr_rec *
rec_of(struct sink *s, int number)
{
	for (size_t i = 0; i < s->nrecs; i++)
		if (s->recs[i].number == number)
			return &s->recs[i];
	return NULL;
}

void
rec_clear(struct pr_rec *r)
{
	free(r->updated_at);
	free(r->etag);
	free(r->title);
	free(r->state);
	free(r->author);
	for (size_t i = 0; i < r->nseen; i++)
		free(r->seen[i]);
	free(r->seen);
	idcache_release(&r->reviews);
	idcache_release(&r->delivered);
	for (size_t i = 0; i < R__N; i++) {
		rowset_release(&r->rows[i].rs);
		free(r->rows[i].fixes);
	}
	memset(r, 0, sizeof(*r));
}

/* Forgets PR number (its rows too): it failed, or arrives again. */
static void
rec_drop(struct sink *s, int number)
{
	struct pr_rec *r = rec_of(s, number);

	if (r == NULL)
		return;
	rec_clear(r);
	*r = s->recs[--s->nrecs];
}

/* The PR's merger as stored: none unless merged; a merged PR's deleted merger is the ghost. */
static const struct gh_user *
stored_merger(const struct gh_pull *p)
{
	return p->merged ? jobs_stored_user(&p->merged_by) : NULL;
}

/* The PR's own row; its author and merger are fixes. */
static void
pull_row(struct job_ctx *ctx, struct rows *r, const struct gh_pull *p)
{
	const struct gh_user *author = jobs_stored_user(&p->author);
	const struct gh_user *merger = stored_merger(p);
	struct rowset *rs = &r->rs;

	rowset_add(rs);
	rowset_int(rs, "github_id", p->id);
	rowset_int(rs, "number", p->number);
	rowset_text(rs, "title", p->title);
	rowset_text(rs, "body", p->body);
	rowset_text(rs, "state", p->state);
	rowset_text(rs, "repository_id", ctx->repository_id);
	rowset_text(rs, "repository_full_name", ctx->repository_full_name);
	if (ctx->repository_github_id > 0)
		rowset_int(rs, "repository_github_id", ctx->repository_github_id);
	rows_fix(r, "author_id", FIX_USER, author->id);
	rowset_int(rs, "author_github_id", author->id);
	rowset_text(rs, "base_branch", p->base_ref);
	rowset_text(rs, "head_branch", p->head_ref);
	rowset_text(rs, "base_ref", p->base_ref);
	rowset_text(rs, "head_ref", p->head_ref);
	rowset_bool(rs, "draft", p->draft);
	rowset_bool(rs, "merged", p->merged);
	if (merger != NULL)
		rows_fix(r, "merged_by_id", FIX_USER, merger->id);
	/* Unknown (GitHub still computing, or a list that lacks it): NULL and 'unknown'. */
	if (p->mergeable >= 0)
		rowset_bool(rs, "mergeable", p->mergeable == 1);
	rowset_text(rs, "mergeable_state",
		    p->mergeable_state != NULL ? p->mergeable_state : "unknown");
	rowset_text(rs, "created_at", p->created_at);
	rowset_text(rs, "updated_at", p->updated_at);
	rowset_text(rs, "merged_at", p->merged_at);
	rowset_text(rs, "closed_at", p->closed_at);
	rowset_int(rs, "additions", p->additions);
	rowset_int(rs, "deletions", p->deletions);
	rowset_int(rs, "changed_files", p->changed_files);
	rowset_int(rs, "commits", p->commits);
	rowset_text(rs, "html_url", p->html_url);
	rowset_text(rs, "diff_url", p->diff_url);
	rowset_text(rs, "patch_url", p->patch_url);
}

/* A new record for p, with empty rowsets for its tables. */
static struct pr_rec *
rec_new(struct sink *s, const struct gh_pull *p)
{
	static const enum schema_table tables[R__N] = {
		[R_USERS] = SCHEMA_CONTRIBUTORS,       [R_PULL] = SCHEMA_PULL_REQUESTS,
		[R_FILES] = SCHEMA_PULL_REQUEST_FILES, [R_REVIEWS] = SCHEMA_REVIEWS,
		[R_ROOTS] = SCHEMA_COMMENTS,           [R_REPLIES] = SCHEMA_COMMENTS,
	};
	struct pr_rec *r;

	s->recs = xrealloc(s->recs, (s->nrecs + 1) * sizeof(*s->recs));
	r = &s->recs[s->nrecs++];
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < R__N; i++)
		schema_rowset(&r->rows[i].rs, tables[i], 0);
	r->number = p->number;
	r->github_id = p->id;
	r->updated_at = xstrdup(p->updated_at);
	r->etag = p->etag != NULL ? xstrdup(p->etag) : NULL;
	r->title = xstrdup(p->title);
	r->state = xstrdup(p->state);
	r->author = xstrdup(jobs_stored_user(&p->author)->login);
	r->additions = p->additions;
	r->deletions = p->deletions;
	r->changed_files = p->changed_files;
	return r;
}

static int
on_pull(void *ud, const struct gh_pull *p, struct err *e)
{
	struct sink *s = ud;
	const struct gh_user *users[2] = {jobs_stored_user(&p->author), stored_merger(p)};
	struct pr_rec *r;

	(void)e;
	/* A PR delivered again (auto mode moved it to REST) starts afresh. */
	rec_drop(s, p->number);
	r = rec_new(s, p);
	jobs_contributor_rows(s->ctx, &r->rows[R_USERS].rs, users, 2);
	pull_row(s->ctx, &r->rows[R_PULL], p);
	return 0;
}

/* The record of a PR whose parts arrive; an error when its pull() did not come first. */
static struct pr_rec *
rec_for(struct sink *s, int number, const char *what, struct err *e)
{
	struct pr_rec *r = rec_of(s, number);

	if (r == NULL)
		err_set(e, ERR_PARSE, "%s of pull request #%d before the pull request itself", what,
			number);
	return r;
}

static int
on_files(void *ud, int number, const struct gh_file *files, size_t n, struct err *e)
{
	struct sink *s = ud;
	struct pr_rec *r = rec_for(s, number, "files", e);
	struct rows *rows;

	if (r == NULL)
		return -1;
	rows = &r->rows[R_FILES];
	r->seen = xrealloc(r->seen, (r->nseen + n + 1) * sizeof(*r->seen));
	for (size_t i = 0; i < n; i++) {
		r->seen[r->nseen++] = xstrdup(files[i].filename);
		rowset_add(&rows->rs);
		rows_fix(rows, "pull_request_id", FIX_PR, number);
		rowset_text(&rows->rs, "filename", files[i].filename);
		rowset_text(&rows->rs, "status", files[i].status);
		rowset_int(&rows->rs, "additions", files[i].additions);
		rowset_int(&rows->rs, "deletions", files[i].deletions);
		rowset_int(&rows->rs, "changes", files[i].changes);
		rowset_text(&rows->rs, "previous_filename", files[i].previous_filename);
	}
	return 0;
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
	struct pr_rec *r = rec_for(s, number, "reviews", e);
	struct rows *rows;

	if (r == NULL)
		return -1;
	rows = &r->rows[R_REVIEWS];
	for (size_t i = 0; i < n; i++) {
		const struct gh_user *author = jobs_stored_user(&rv[i].author);
		/* A review still PENDING has no submission time: not stored, counted. */
		bool pending = jobs_review_pending(&rv[i]);

		count_review(r, &rv[i], pending);
		if (pending)
			continue;
		jobs_contributor_rows(s->ctx, &r->rows[R_USERS].rs, &author, 1);
		jobs_review_row(s->ctx, &rows->rs, &rv[i], NULL);
		rows_fix(rows, "pull_request_id", FIX_PR, number);
		rows_fix(rows, "author_id", FIX_USER, author->id);
		rows_fix(rows, "reviewer_id", FIX_USER, author->id);
	}
	return 0;
}

static int
on_comments(void *ud, int number, const struct gh_comment *c, size_t n, struct err *e)
{
	struct sink *s = ud;
	struct pr_rec *r = rec_for(s, number, "comments", e);

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct gh_user *who = jobs_stored_user(&c[i].author);
		/* Replies go after their parents, which have a row id by then. */
		struct rows *rows = &r->rows[c[i].in_reply_to != 0 ? R_REPLIES : R_ROOTS];

		if (idcache_get(&r->delivered, c[i].id) == NULL)
			r->ncomments++;
		idcache_put(&r->delivered, c[i].id, "");
		jobs_contributor_rows(s->ctx, &r->rows[R_USERS].rs, &who, 1);
		jobs_comment_row(s->ctx, &rows->rs, &c[i], NULL, NULL);
		rows_fix(rows, "pull_request_id", FIX_PR, number);
		rows_fix(rows, "commenter_id", FIX_USER, who->id);
		if (c[i].in_reply_to != 0)
			rows_fix(rows, "in_reply_to_id", FIX_PARENT, c[i].in_reply_to);
	}
	return 0;
}

/* Warns when the file list is not what the PR counts (GitHub's limit, or a change meanwhile). */
static void
check_files(const struct sink *s, const struct pr_rec *r)
{
	if (!(s->parts & PR_FILES) || (int64_t)r->nseen == r->changed_files)
		return;
	if (r->nseen >= GITHUB_FILES_LIMIT)
		log_warn("pull request #%d changes %lld files; GitHub lists only the first %d",
			 r->number, (long long)r->changed_files, GITHUB_FILES_LIMIT);
	else
		log_warn("pull request #%d: GitHub listed %zu files but counts %lld (it changed "
			 "while being read?)",
			 r->number, r->nseen, (long long)r->changed_files);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the file names delivered and drops repeats (a list read again over REST). */
static void
unique_seen(struct pr_rec *r)
{
	size_t k = 0;

	if (r->nseen == 0)
		return;
	qsort(r->seen, r->nseen, sizeof(*r->seen), cmp_str);
	for (size_t i = 1; i < r->nseen; i++) {
		if (strcmp(r->seen[i], r->seen[k]) == 0)
			free(r->seen[i]);
		else
			r->seen[++k] = r->seen[i];
	}
	r->nseen = k + 1;
}

/* Whether every PR kept is done, so their rows may be written. */
/* The PRs kept that are done, and their rows. */
static size_t
done_rows(const struct sink *s, size_t *nprs)
{
	size_t n = 0;

	*nprs = 0;
	for (size_t i = 0; i < s->nrecs; i++) {
		if (!s->recs[i].done)
			continue;
		(*nprs)++;
		for (size_t t = 0; t < R__N; t++)
			n += s->recs[i].rows[t].rs.nrows;
	}
	return n;
}

/* About how much memory the rows kept hold. */
static size_t
held_bytes(const struct sink *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nrecs; i++)
		for (size_t t = 0; t < R__N; t++)
			n += s->recs[i].rows[t].rs.bytes;
	return n;
}

static int
on_done(void *ud, int number, const struct err *failure, unsigned whole, struct err *e)
{
	struct sink *s = ud;
	struct pr_rec *r = rec_of(s, number);
	char label[24];
	size_t ndone, rows;
	struct err fe;

	snprintf(label, sizeof(label), "#%d", number);
	err_clear(&fe);
	if (failure != NULL)
		fe = *failure;
	if (fe.code != ERR_NONE || r == NULL) {
		if (fe.code == ERR_NONE)
			err_set(&fe, ERR_PARSE, "no data arrived");
		rec_drop(s, number);
		if (s->quiet) {
			log_warn("pull request %s: %s", label, fe.msg);
			return 0;
		}
		return jobs_item_failed(s->ctx, label, &fe, e);
	}
	r->done = true;
	r->whole = whole;
	unique_seen(r);
	check_files(s, r);
	if (s->first_done_ms == 0)
		s->first_done_ms = clock_mono_ms();
	rows = done_rows(s, &ndone);
	if (ndone >= FLUSH_PRS || rows >= FLUSH_ROWS || held_bytes(s) >= FLUSH_BYTES ||
	    clock_mono_ms() - s->first_done_ms >= FLUSH_MS)
		return sink_flush(s, e);
	return 0;
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
sink_init(struct sink *s, struct job_ctx *ctx, unsigned parts, bool quiet)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->parts = parts;
	s->quiet = quiet;
}

static void
sink_release(struct sink *s)
{
	for (size_t i = 0; i < s->nrecs; i++)
		rec_clear(&s->recs[i]);
	free(s->recs);
	free(s->left);
	idcache_release(&s->comments);
}

/*
 * Fetches numbers[0..n) into s and writes what is left kept at the end. A
 * run that must stop still writes the PRs fetched whole before it.
 */
static int
fetch_and_write(struct sink *s, const struct prfetch_options *o, const int64_t *numbers, size_t n,
		struct err *e)
{
	struct pr_sink sink = {s, on_pull, on_files, on_reviews, on_comments, on_done};
	int rc = prfetch(s->ctx->gh, o, numbers, n, &sink, e);
	struct err fe;

	err_clear(&fe);
	if (rc == 0)
		return sink_flush(s, e);
	if (err_stops_run(e) && sink_flush(s, &fe) < 0)
		log_error("writing what was fetched before it: %s", fe.msg);
	return rc;
}

/* The rows of PRs numbers[0..n) with their fields only, for other work (a comment's, a commit's). */
static int
capture_pull_rows(struct job_ctx *ctx, const int64_t *numbers, size_t n, struct err *e)
{
	struct sink s;
	struct prfetch_options o = fetch_options(ctx, 0);
	int rc;

	sink_init(&s, ctx, 0, true);
	rc = fetch_and_write(&s, &o, numbers, n, e);
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
	struct sink s;
	struct prfetch_options o = fetch_options(ctx, parts);
	int rc;

	sink_init(&s, ctx, parts, false);
	s.left = xcalloc(n ? n : 1, sizeof(*s.left));
	if (n > 0)
		memcpy(s.left, numbers, n * sizeof(*s.left));
	s.nleft = n;
	sink_leave(&s, 0); /* the cursor of the whole list, before anything is written */
	rc = progress_set_total(ctx->progress, n, e);
	log_group("Capturing %zu pull request%s over %s", n, n == 1 ? "" : "s",
		  o.api == API_REST ? "REST" : "GraphQL");
	summary_table(ctx->summary,
		      (const char *const[]){"PR", "Title", "State", "Author", "Captured"}, 5);
	if (rc == 0)
		rc = fetch_and_write(&s, &o, numbers, n, e);
	sink_release(&s);
	log_endgroup();
	return rc;
}
