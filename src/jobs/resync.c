/*
 * jobs/resync.c - of the pull requests a run is given, fetch only the ones
 * that changed since their capture.
 *
 * A PR whose capture marks (pull_request_captures) cover every part wanted
 * is asked about first, cheaply: over GraphQL its updatedAt, a hundred PRs
 * a point; over REST a GET /pulls/{n} with the ETag its marks keep, which
 * GitHub answers 304 at no primary rate point when nothing changed. A PR
 * GitHub says is as it was when captured is skipped; a new ETag of an
 * unchanged PR is kept on its marks for the next run. PRs never captured
 * cost nothing more: nothing is asked about them.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "jobs.h"
#include "log.h"
#include "pulllist.h"
#include "schema.h"
#include "util.h"

#define MARK_COLUMNS "repository_id,pull_request_id,number,part,github_updated_at,captured_at,etag"

/* What the store's marks say of one PR given. */
struct marked {
	int64_t number;
	unsigned parts;         /* the parts marked */
	const char *etag;       /* the ETag every wanted part's mark keeps, or NULL */
	const char *updated_at; /* the github_updated_at of those marks */
	bool mixed;             /* the wanted parts' marks disagree on either */
};

static int
cmp_marked(const void *a, const void *b)
{
	const struct marked *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

static unsigned
part_bit(const char *mark)
{
	for (size_t p = 0; mark != NULL && p < PR_NPARTS; p++)
		if (strcmp(pr_parts[p].mark, mark) == 0)
			return pr_parts[p].bit;
	return 0;
}

static bool
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Reads the marks of numbers[0..n) into rs, and sums them up per PR in m (sorted). */
static int
read_marks(struct job_ctx *ctx, unsigned parts, const int64_t *numbers, size_t n, struct rowset *rs,
	   struct marked *m, struct err *e)
{
	struct store_filter repo = {
		.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id};
	struct store_query q = {.table = "pull_request_captures",
				.columns = MARK_COLUMNS,
				.filters = &repo,
				.nfilters = 1,
				.order = "number,part"};
	char(*num)[24] = xcalloc(n ? n : 1, sizeof(*num));
	const char **vals = xcalloc(n ? n : 1, sizeof(*vals));
	int rc;

	for (size_t i = 0; i < n; i++) {
		snprintf(num[i], sizeof(*num), "%lld", (long long)numbers[i]);
		vals[i] = num[i];
		m[i] = (struct marked){.number = numbers[i]};
	}
	qsort(m, n, sizeof(*m), cmp_marked);
	rc = store_select_in(ctx->store, &q, "number", vals, n, rs, e);
	for (size_t row = 0; rc == 0 && row < rs->nrows; row++) {
		struct marked key = {0}, *hit;
		unsigned bit = part_bit(rowset_text_at(rs, row, "part"));
		const char *etag = rowset_text_at(rs, row, "etag");
		const char *at = rowset_text_at(rs, row, "github_updated_at");

		if (rowset_int_at(rs, row, "number", &key.number) < 0 || !(bit & parts) ||
		    (hit = bsearch(&key, m, n, sizeof(*m), cmp_marked)) == NULL)
			continue;
		if (hit->parts == 0) {
			hit->etag = etag;
			hit->updated_at = at;
		} else if (!same(hit->etag, etag) || !same(hit->updated_at, at)) {
			hit->mixed = true;
		}
		hit->parts |= bit;
	}
	free(vals);
	free(num);
	return rc;
}

static int
cmp_stamp(const void *a, const void *b)
{
	const struct pull_stamp *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/* The stamp of PR number in s[0..n) (sorted by number), or NULL. */
static const struct pull_stamp *
stamp_of(const struct pull_stamp *s, size_t n, int64_t number)
{
	struct pull_stamp key = {.number = number};

	return bsearch(&key, s, n, sizeof(*s), cmp_stamp);
}

/* Keeps the new ETag of each unchanged PR on its marks (rs: the marks read). */
static int
keep_etags(struct job_ctx *ctx, const struct rowset *rs, const struct pull_stamp *s, size_t n,
	   struct err *e)
{
	struct rowset out;
	int rc = 0;

	schema_rowset(&out, SCHEMA_PULL_REQUEST_CAPTURES, 0);
	for (size_t row = 0; row < rs->nrows; row++) {
		const struct pull_stamp *st;
		int64_t number;

		if (rowset_int_at(rs, row, "number", &number) < 0 ||
		    (st = stamp_of(s, n, number)) == NULL || !st->unchanged ||
		    st->new_etag == NULL || same(st->new_etag, rowset_text_at(rs, row, "etag")))
			continue;
		rowset_copy_row(&out, rs, row);
		rowset_set_text(&out, out.nrows - 1, "etag", st->new_etag);
	}
	if (out.nrows > 0)
		rc = store_upsert(ctx->store, &out, "pull_request_id,part", NULL, NULL, e);
	rowset_release(&out);
	return rc;
}

/* GitHub's word on each stamp, as an updated_at; -1 when there is none (fetch it). */
static time_t
stamp_time(const struct pull_stamp *s, const struct marked *m)
{
	time_t t;

	if (s->unchanged)
		return time_parse_iso(m->updated_at, &t) == 0 ? t : -1;
	return s->updated_at != NULL && time_parse_iso(s->updated_at, &t) == 0 ? t : -1;
}

/* Drops from numbers[0..*n) the PRs unchanged since their capture of parts. */
int
resync_changed(struct job_ctx *ctx, unsigned parts, int64_t *numbers, size_t *n, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct marked *m = xcalloc(*n ? *n : 1, sizeof(*m));
	struct pull_stamp *s = xcalloc(*n ? *n : 1, sizeof(*s));
	int64_t *asked = xcalloc(*n ? *n : 1, sizeof(*asked));
	time_t *at = xcalloc(*n ? *n : 1, sizeof(*at));
	unsigned *cur = xcalloc(*n ? *n : 1, sizeof(*cur));
	size_t ns = 0, nknown = 0, kept = 0, unchanged = 0;
	struct rowset rs;
	int rc = read_marks(ctx, parts, numbers, *n, &rs, m, e);

	/* Only PRs captured whole before are worth asking about (s stays sorted, as m is). */
	for (size_t i = 0; rc == 0 && i < *n; i++) {
		if ((m[i].parts & parts) != parts)
			continue;
		s[ns].number = m[i].number;
		s[ns].etag = m[i].mixed ? NULL : m[i].etag;
		ns++;
	}
	if (rc == 0 && ns > 0)
		rc = pullstamps(ctx->gh,
				&(struct pulllist_options){.owner = cfg->owner,
							   .name = cfg->name,
							   .api = (enum api_mode)cfg->api},
				s, ns, e);
	for (size_t i = 0; rc == 0 && i < ns; i++) {
		struct marked key = {.number = s[i].number};
		const struct marked *hit = bsearch(&key, m, *n, sizeof(*m), cmp_marked);
		time_t t = hit != NULL ? stamp_time(&s[i], hit) : -1;

		if (t < 0)
			continue;
		asked[nknown] = s[i].number;
		at[nknown++] = t;
	}
	if (rc == 0 && nknown > 0)
		rc = select_current(ctx, parts, asked, at, nknown, cur, e);
	/* cur follows asked; stamps follow s: line them up by number. */
	for (size_t i = 0, k = 0; rc == 0 && i < ns; i++) {
		unsigned c = k < nknown && asked[k] == s[i].number ? cur[k++] : 0;

		s[i].unchanged = (c & parts) == parts;
	}
	if (rc == 0 && !cfg->dry_run)
		rc = keep_etags(ctx, &rs, s, ns, e);
	for (size_t i = 0; rc == 0 && i < *n; i++) {
		const struct pull_stamp *st = stamp_of(s, ns, numbers[i]);

		if (st != NULL && st->unchanged) {
			unchanged++;
			ctx->skipped++;
			continue;
		}
		numbers[kept++] = numbers[i];
	}
	if (rc == 0) {
		if (ns > 0)
			log_info("%zu of %zu pull request%s unchanged since their capture; "
				 "%zu to fetch (force: true fetches them all)",
				 unchanged, *n, *n == 1 ? "" : "s", kept);
		*n = kept;
	}
	pullstamps_release(s, ns);
	rowset_release(&rs);
	free(cur);
	free(at);
	free(asked);
	free(s);
	free(m);
	return rc;
}
