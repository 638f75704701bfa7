/*
 * jobs/flush.c - writes the rows the PR sink kept (capture.h): the rows of
 * many PRs in one request per table, in dependency order - contributors, the
 * PR rows, files, reviews, comments, replies - then what GitHub no longer
 * lists is removed, last_synced_at set, and the capture marks written last.
 * Staleness and parent lookups are asked for all the PRs at once. A row the
 * store refuses for its content fails its PR alone: the PRs are written
 * again one by one, and the refused one fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "clock.h"
#include "jobs.h"
#include "log.h"
#include "progress.h"
#include "schema.h"
#include "util.h"

#define IN_CHUNK 100 /* ids an IN filter names (URLs stay short) */

/* The PRs written together. */
struct batch {
	struct sink *s;
	struct pr_rec **recs;
	size_t n;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The id a fix of r's row stands for, or NULL when it has none (yet). */
static const char *
resolve(const struct batch *b, const struct pr_rec *r, const struct fix *f)
{
	switch (f->kind) {
	case FIX_PR: return r->id[0] != '\0' ? r->id : NULL;
	case FIX_USER: return jobs_contributor_id(b->s->ctx, f->key);
	case FIX_PARENT: return idcache_get(&b->s->comments, f->key);
	}
	return NULL;
}

/* The rows of table t of every PR of b, in one rowset (out initialised), fixes resolved. */
static void
gather(const struct batch *b, enum rows_of t, struct rowset *out)
{
	const struct rowset *first = &b->recs[0]->rows[t].rs;

	rowset_init(out, first->table, (const char *const *)first->cols, first->ncols);
	for (size_t i = 0; i < b->n; i++) {
		const struct pr_rec *r = b->recs[i];
		const struct rows *rows = &r->rows[t];
		size_t k = 0;

		for (size_t row = 0; row < rows->rs.nrows; row++) {
			rowset_copy_row(out, &rows->rs, row);
			for (; k < rows->nfixes && rows->fixes[k].row == row; k++)
				rowset_set_text(out, out->nrows - 1, rows->fixes[k].col,
						resolve(b, r, &rows->fixes[k]));
		}
	}
}

/* The PR rows; each record takes its row id. A number held under another GitHub id is adopted. */
static int
write_pulls(struct batch *b, struct err *e)
{
	struct job_ctx *ctx = b->s->ctx;
	struct idcache ids = {0};
	struct rowset rs;
	int rc;

	gather(b, R_PULL, &rs);
	rc = jobs_upsert_ids(ctx, &rs, &ids, e);
	if (rc < 0 && e->code == ERR_CONFLICT) {
		log_debug("pull_requests: %s", e->msg);
		err_clear(e);
		rc = 0;
		for (size_t i = 0; rc == 0 && i < b->n; i++)
			rc = jobs_adopt_pull(ctx, b->recs[i]->number, b->recs[i]->github_id, e);
		if (rc == 0)
			rc = jobs_upsert_ids(ctx, &rs, &ids, e);
	}
	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		const char *id = idcache_get(&ids, b->recs[i]->github_id);

		snprintf(b->recs[i]->id, UUID_STR_SIZE, "%s", id != NULL ? id : "");
	}
	if (rc == 0)
		ctx->pulls_written += b->n;
	idcache_release(&ids);
	rowset_release(&rs);
	return rc;
}

/* Rows of table t on conflict key; comments (ids) cache their row ids for replies. */
static int
write_rows(struct batch *b, enum rows_of t, const char *key, struct idcache *ids, struct err *e)
{
	struct rowset rs;
	int rc = 0;

	gather(b, t, &rs);
	if (rs.nrows > 0)
		rc = ids != NULL ? jobs_upsert_ids(b->s->ctx, &rs, ids, e)
				 : store_upsert(b->s->ctx->store, &rs, key, NULL, NULL, e);
	rowset_release(&rs);
	return rc;
}

/* Looks up the parents of b's replies that this run has not written; -1 + e. */
static int
find_parents(struct batch *b, struct err *e)
{
	struct store_query q = {.table = "comments", .columns = "id,github_id"};
	char(*gids)[24] = NULL;
	const char **vals = NULL;
	struct rowset rs;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < b->n; i++) {
		const struct rows *rows = &b->recs[i]->rows[R_REPLIES];

		for (size_t k = 0; k < rows->nfixes; k++) {
			if (rows->fixes[k].kind != FIX_PARENT ||
			    idcache_get(&b->s->comments, rows->fixes[k].key) != NULL)
				continue;
			gids = xrealloc(gids, (n + 1) * sizeof(*gids));
			snprintf(gids[n++], sizeof(*gids), "%lld", (long long)rows->fixes[k].key);
		}
	}
	vals = xcalloc(n ? n : 1, sizeof(*vals));
	for (size_t i = 0; i < n; i++)
		vals[i] = gids[i];
	rc = store_select_in(b->s->ctx->store, &q, "github_id", vals, n, &rs, e);
	for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
		const char *id = rowset_text_at(&rs, row, "id");
		int64_t gid;

		if (id != NULL && rowset_int_at(&rs, row, "github_id", &gid) == 0)
			idcache_put(&b->s->comments, gid, id);
	}
	rowset_release(&rs);
	free(vals);
	free(gids);
	return rc;
}

/* The replies whose parent has no row id (yet). */
static size_t
unresolved(const struct batch *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct rows *rows = &b->recs[i]->rows[R_REPLIES];

		for (size_t k = 0; k < rows->nfixes; k++)
			n += rows->fixes[k].kind == FIX_PARENT &&
			     idcache_get(&b->s->comments, rows->fixes[k].key) == NULL;
	}
	return n;
}

/* The comments: roots first, then replies with their parents' row ids. */
static int
write_comments(struct batch *b, struct err *e)
{
	struct idcache *ids = &b->s->comments;
	size_t before;
	int rc = write_rows(b, R_ROOTS, "github_id", ids, e);

	if (rc == 0)
		rc = find_parents(b, e);
	before = unresolved(b);
	if (rc == 0)
		rc = write_rows(b, R_REPLIES, "github_id", ids, e);
	/* A reply to a reply of this batch: its parent has a row id now. */
	if (rc == 0 && before > 0 && unresolved(b) < before)
		rc = write_rows(b, R_REPLIES, "github_id", ids, e);
	return rc;
}

/* The ids of b's PRs whose part of bit was read whole (and, for files, not cut by GitHub). */
static size_t
whole_ids(const struct batch *b, unsigned bit, const char **ids)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct pr_rec *r = b->recs[i];

		if ((b->s->parts & bit) && (r->whole & bit) &&
		    (bit != PR_FILES || r->nseen < GITHUB_FILES_LIMIT) && r->id[0] != '\0')
			ids[n++] = r->id;
	}
	return n;
}

static struct pr_rec *
rec_with_id(const struct batch *b, const char *id)
{
	for (size_t i = 0; id != NULL && i < b->n; i++)
		if (strcmp(b->recs[i]->id, id) == 0)
			return b->recs[i];
	return NULL;
}

/* Whether the stored row (of table t) is one r's GitHub list no longer has. */
static bool
gone(struct pr_rec *r, enum rows_of t, const struct rowset *rs, size_t row)
{
	const char *name = rowset_text_at(rs, row, "filename");
	int64_t gid;

	if (t == R_FILES)
		return name != NULL &&
		       (r->nseen == 0 ||
			bsearch(&name, r->seen, r->nseen, sizeof(*r->seen), cmp_str) == NULL);
	if (rowset_int_at(rs, row, "github_id", &gid) < 0)
		return false;
	return idcache_get(t == R_REVIEWS ? &r->reviews : &r->delivered, gid) == NULL;
}

/* Deletes the rows of table whose column is one of vals[0..n), IN_CHUNK at a time. */
static int
delete_in(struct job_ctx *ctx, const char *table, const struct store_filter *pr, const char *col,
	  const char *const *vals, size_t n, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i += IN_CHUNK) {
		struct store_filter f[2] = {
			{.column = col,
			 .op = STORE_IN,
			 .values = vals + i,
			 .nvalues = n - i < IN_CHUNK ? n - i : IN_CHUNK},
		};

		if (pr != NULL)
			f[1] = *pr;
		rc = store_delete(ctx->store, table, f, pr != NULL ? 2 : 1, e);
	}
	return rc;
}

/* Clears the reply links to comments about to go (comments.in_reply_to_id refers to them). */
static int
unlink_replies(struct job_ctx *ctx, const char *const *ids, size_t n, struct err *e)
{
	static const char *const cols[] = {"in_reply_to_id"};
	struct rowset set;
	int rc = 0;

	rowset_init(&set, "comments", cols, 1);
	rowset_add(&set);
	for (size_t i = 0; rc == 0 && i < n; i += IN_CHUNK) {
		struct store_filter f = {.column = "in_reply_to_id",
					 .op = STORE_IN,
					 .values = ids + i,
					 .nvalues = n - i < IN_CHUNK ? n - i : IN_CHUNK};

		rc = store_update(ctx->store, "comments", &f, 1, &set, e);
	}
	rowset_release(&set);
	return rc;
}

static void
log_removed(const struct pr_rec *r, size_t n, const char *what)
{
	if (n > 0)
		log_info("  #%d: removed %zu %s%s GitHub no longer lists", r->number, n, what,
			 n == 1 ? "" : "s");
}

/* Removes the files of b's PRs their whole lists no longer have (per PR: by filename). */
static int
remove_files(struct batch *b, const char *const *ids, size_t nids, struct err *e)
{
	struct store_query q = {.table = "pull_request_files",
				.columns = "pull_request_id,filename"};
	struct rowset rs;
	int rc = store_select_in(b->s->ctx->store, &q, "pull_request_id", ids, nids, &rs, e);

	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		struct pr_rec *r = b->recs[i];
		struct store_filter pr = {
			.column = "pull_request_id", .op = STORE_EQ, .value = r->id};
		const char **stale = xcalloc(rs.nrows ? rs.nrows : 1, sizeof(*stale));
		size_t n = 0;

		for (size_t row = 0; row < rs.nrows; row++)
			if (rec_with_id(b, rowset_text_at(&rs, row, "pull_request_id")) == r &&
			    gone(r, R_FILES, &rs, row))
				stale[n++] = rowset_text_at(&rs, row, "filename");
		rc = delete_in(b->s->ctx, "pull_request_files", &pr, "filename", stale, n, e);
		if (rc == 0)
			log_removed(r, n, "file");
		free(stale);
	}
	rowset_release(&rs);
	return rc;
}

/* Removes the reviews or comments (t) of b's PRs their whole lists no longer have. */
static int
remove_listed(struct batch *b, enum rows_of t, const char *const *ids, size_t nids, struct err *e)
{
	const char *table = t == R_REVIEWS ? "reviews" : "comments";
	struct store_query q = {.table = table, .columns = "id,github_id,pull_request_id"};
	size_t *per = xcalloc(b->n, sizeof(*per));
	struct rowset rs;
	const char **stale;
	size_t n = 0;
	int rc = store_select_in(b->s->ctx->store, &q, "pull_request_id", ids, nids, &rs, e);

	stale = xcalloc(rs.nrows ? rs.nrows : 1, sizeof(*stale));
	for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
		const char *pr = rowset_text_at(&rs, row, "pull_request_id");

		for (size_t i = 0; pr != NULL && i < b->n; i++)
			if (strcmp(b->recs[i]->id, pr) == 0 && gone(b->recs[i], t, &rs, row)) {
				stale[n++] = rowset_text_at(&rs, row, "id");
				per[i]++;
			}
	}
	if (rc == 0 && n > 0 && t == R_ROOTS)
		rc = unlink_replies(b->s->ctx, stale, n, e);
	if (rc == 0)
		rc = delete_in(b->s->ctx, table, NULL, "id", stale, n, e);
	for (size_t i = 0; rc == 0 && i < b->n; i++)
		log_removed(b->recs[i], per[i], t == R_REVIEWS ? "review" : "comment");
	free(per);
	free(stale);
	rowset_release(&rs);
	return rc;
}

/* What GitHub no longer lists, of the parts read whole. */
static int
remove_gone(struct batch *b, struct err *e)
{
	const char **ids = xcalloc(b->n, sizeof(*ids));
	size_t n;
	int rc = 0;

	if ((n = whole_ids(b, PR_FILES, ids)) > 0)
		rc = remove_files(b, ids, n, e);
	if (rc == 0 && (n = whole_ids(b, PR_REVIEWS, ids)) > 0)
		rc = remove_listed(b, R_REVIEWS, ids, n, e);
	if (rc == 0 && (n = whole_ids(b, PR_COMMENTS, ids)) > 0)
		rc = remove_listed(b, R_ROOTS, ids, n, e);
	free(ids);
	return rc;
}

/* last_synced_at of the PRs whose details were written, one update for all. */
static int
mark_synced(struct batch *b, struct err *e)
{
	static const char *const cols[] = {"last_synced_at"};
	const char **ids = xcalloc(b->n, sizeof(*ids));
	struct rowset set;
	char now[21];
	int rc = 0;

	if (!(b->s->parts & PR_FILES)) {
		free(ids);
		return 0;
	}
	for (size_t i = 0; i < b->n; i++)
		ids[i] = b->recs[i]->id;
	time_format_iso(clock_now(), now);
	rowset_init(&set, "pull_requests", cols, 1);
	rowset_add(&set);
	rowset_text(&set, "last_synced_at", now);
	for (size_t i = 0; rc == 0 && i < b->n; i += IN_CHUNK) {
		struct store_filter f = {.column = "id",
					 .op = STORE_IN,
					 .values = ids + i,
					 .nvalues = b->n - i < IN_CHUNK ? b->n - i : IN_CHUNK};

		rc = store_update(b->s->ctx->store, "pull_requests", &f, 1, &set, e);
	}
	rowset_release(&set);
	free(ids);
	return rc;
}

/* One pull_request_captures row per PR and part: written last, the PRs count as captured. */
static int
mark_captured(struct batch *b, struct err *e)
{
	struct job_ctx *ctx = b->s->ctx;
	struct rowset rs;
	char now[21];
	int rc;

	time_format_iso(clock_now(), now);
	schema_rowset(&rs, SCHEMA_PULL_REQUEST_CAPTURES, 0);
	for (size_t i = 0; i < b->n; i++) {
		for (size_t p = 0; p < PR_NPARTS; p++) {
			if (!(b->s->parts & pr_parts[p].bit))
				continue;
			rowset_add(&rs);
			rowset_text(&rs, "repository_id", ctx->repository_id);
			rowset_text(&rs, "pull_request_id", b->recs[i]->id);
			rowset_int(&rs, "number", b->recs[i]->number);
			rowset_text(&rs, "part", pr_parts[p].mark);
			rowset_text(&rs, "github_updated_at", b->recs[i]->updated_at);
			rowset_text(&rs, "captured_at", now);
			rowset_text(&rs, "etag", b->recs[i]->etag);
		}
	}
	rc = rs.nrows > 0 ? store_upsert(ctx->store, &rs, "pull_request_id,part", NULL, NULL, e)
			  : 0;
	rowset_release(&rs);
	return rc;
}

/* Every write of b, in order; -1 + e at the first the store refuses. */
static int
write_batch(struct batch *b, struct err *e)
{
	struct rowset users;
	int rc;

	gather(b, R_USERS, &users);
	rc = jobs_write_contributors(b->s->ctx, &users, e);
	rowset_release(&users);
	if (rc == 0)
		rc = write_pulls(b, e);
	if (rc == 0 && (b->s->parts & PR_FILES))
		rc = write_rows(b, R_FILES, "pull_request_id,filename", NULL, e);
	if (rc == 0 && (b->s->parts & PR_REVIEWS))
		rc = write_rows(b, R_REVIEWS, "github_id", NULL, e);
	if (rc == 0 && (b->s->parts & PR_COMMENTS))
		rc = write_comments(b, e);
	if (rc == 0 && !b->s->quiet)
		rc = remove_gone(b, e);
	if (rc == 0 && !b->s->quiet)
		rc = mark_synced(b, e);
	if (rc == 0 && !b->s->quiet)
		rc = mark_captured(b, e);
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
		buf_printf(&what, "%zu comment%s; ", r->ncomments, r->ncomments == 1 ? "" : "s");
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

/* A PR written whole: counted, logged, its summary row, the cursor past it. */
static int
count_written(struct sink *s, struct pr_rec *r, struct err *e)
{
	struct job_ctx *ctx = s->ctx;
	char label[24];

	if (s->quiet)
		return 0;
	snprintf(label, sizeof(label), "#%d", r->number);
	ctx->processed++;
	ctx->pending_reviews += r->npending;
	log_info("  #%d %s: %s", r->number, r->title, r->state);
	summary_pr(ctx, s->parts, r);
	sink_leave(s, r->number);
	return progress_item(ctx->progress, label, NULL, e);
}

/* b's PRs one at a time, after a store refused a row of theirs: the refused fail alone. */
static int
write_one_by_one(struct batch *b, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		struct batch one = {b->s, &b->recs[i], 1};
		char label[24];
		struct err we;

		err_clear(&we);
		if (write_batch(&one, &we) == 0) {
			rc = count_written(b->s, b->recs[i], e);
			continue;
		}
		if (err_stops_run(&we)) {
			*e = we;
			return -1;
		}
		snprintf(label, sizeof(label), "#%d", b->recs[i]->number);
		rc = b->s->quiet ? 0 : jobs_item_failed(b->s->ctx, label, &we, e);
	}
	return rc;
}

int
sink_flush(struct sink *s, struct err *e)
{
	struct batch b = {s, xcalloc(s->nrecs ? s->nrecs : 1, sizeof(*b.recs)), 0};
	struct err we;
	int rc = 0;

	err_clear(&we);
	for (size_t i = 0; i < s->nrecs; i++)
		if (s->recs[i].done)
			b.recs[b.n++] = &s->recs[i];
	if (b.n > 0 && write_batch(&b, &we) == 0) {
		for (size_t i = 0; rc == 0 && i < b.n; i++)
			rc = count_written(s, b.recs[i], e);
	} else if (b.n > 0 && err_stops_run(&we)) {
		*e = we;
		rc = -1;
	} else if (b.n > 0) {
		log_debug("writing %zu pull requests together: %s; one by one", b.n, we.msg);
		rc = write_one_by_one(&b, e);
	}
	s->first_done_ms = 0;
	/*
	 * The comment ids of this write served its replies; a later reply finds
	 * its parent in the store (find_parents). Kept, they would grow with the
	 * run: memory follows a batch, not the repository.
	 */
	idcache_release(&s->comments);
	/* The PRs written (or failed) leave; the ones still arriving stay. */
	for (size_t i = s->nrecs; i-- > 0;) {
		if (!s->recs[i].done)
			continue;
		rec_clear(&s->recs[i]);
		s->recs[i] = s->recs[--s->nrecs];
	}
	free(b.recs);
	return rc;
}
