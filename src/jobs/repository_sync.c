/*
 * jobs/repository_sync.c - repository-sync: the repository row, then the
 * pull requests updated since the last sync, with their details.
 *
 * GET /pulls has no `since`, so the list is read sorted by update time,
 * newest first, and the walk stops at the first PR older than the watermark
 * (the newest updated_at of the last sync; time-range days back on the first
 * run). PRs whose details are already current are skipped. The watermark
 * moves only after the rows are written: to the newest PR captured, or, when
 * max-items cut the run short, to the oldest PR not captured. When a PR
 * failed it stays where it was: the next sync lists the same PRs again and
 * skips those captured meanwhile.
 */
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "log.h"
#include "util.h"

struct updated {
	int64_t number;
	char at[32];
};

struct walk {
	time_t since;
	struct updated *prs;
	size_t n;
};

static int
on_page(void *ud, const struct gh_pull *pulls, size_t n, bool *stop, struct err *e)
{
	struct walk *w = ud;

	(void)e;
	for (size_t i = 0; i < n; i++) {
		time_t t;

		if (time_parse_iso(pulls[i].updated_at, &t) < 0)
			continue;
		if (t < w->since) {
			*stop = true;
			break;
		}
		w->prs = xrealloc(w->prs, (w->n + 1) * sizeof(*w->prs));
		w->prs[w->n].number = pulls[i].number;
		snprintf(w->prs[w->n].at, sizeof(w->prs[w->n].at), "%s", pulls[i].updated_at);
		w->n++;
	}
	return 0;
}

/* Oldest update first. */
static int
by_update(const void *a, const void *b)
{
	const struct updated *x = a, *y = b;
	time_t tx = 0, ty = 0;

	time_parse_iso(x->at, &tx);
	time_parse_iso(y->at, &ty);
	return tx < ty ? -1 : tx > ty;
}

/* Drops the PRs whose details were captured at their current updated_at. */
static int
drop_current(struct job_ctx *ctx, struct walk *w, struct err *e)
{
	const char *part = "details";
	size_t kept = 0;

	for (size_t first = 0; first < w->n; first += 200) {
		size_t k = w->n - first < 200 ? w->n - first : 200;
		char(*num)[16] = xcalloc(k, sizeof(*num));
		const char **vals = xcalloc(k, sizeof(*vals));
		struct store_filter f[3] = {
			{"repository_id", STORE_EQ, ctx->repository_id, NULL, 0},
			{"part", STORE_IN, NULL, &part, 1},
			{"number", STORE_IN, NULL, vals, k},
		};
		struct store_query q = {
			"pull_request_captures", "number,github_updated_at", f, 3, NULL, 0};
		struct rowset rs;
		int rc;

		for (size_t i = 0; i < k; i++) {
			snprintf(num[i], sizeof(num[i]), "%lld",
				 (long long)w->prs[first + i].number);
			vals[i] = num[i];
		}
		rc = store_select(ctx->store, &q, &rs, e);
		for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
			const char *at = rowset_text_at(&rs, row, "github_updated_at");
			int64_t number;
			time_t t, g;

			if (at == NULL || time_parse_iso(at, &t) < 0 ||
			    rowset_int_at(&rs, row, "number", &number) < 0)
				continue;
			for (size_t i = first; i < first + k; i++)
				if (w->prs[i].number == number &&
				    time_parse_iso(w->prs[i].at, &g) == 0 && g == t)
					w->prs[i].number = 0; /* current */
		}
		rowset_release(&rs);
		free(num);
		free(vals);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < w->n; i++) {
		if (w->prs[i].number == 0) {
			ctx->skipped++;
			continue;
		}
		w->prs[kept++] = w->prs[i];
	}
	w->n = kept;
	return 0;
}

int
job_repository_sync(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct walk w = {0};
	char watermark[32], now[21];
	int64_t *numbers = NULL;
	size_t n = 0;
	int rc;

	if (jobs_begin(ctx, true, e) < 0)
		return -1;
	time_format_iso(time_now(), now);
	rc = jobs_repository_update(ctx, (struct col_val[]){{"sync_status", "syncing"}}, 1, e);
	if (rc == 0)
		rc = jobs_watermark_get(ctx, "pulls", watermark, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		time_format_iso(time_now() - (time_t)cfg->time_range * 86400, watermark);
	time_parse_iso(watermark, &w.since);
	log_group("Pull requests updated since %s", watermark);
	rc = gh_pulls_list(ctx->gh, cfg->owner, cfg->name, "updated", on_page, &w, e);
	if (rc == 0) {
		size_t listed = w.n;

		qsort(w.prs, w.n, sizeof(*w.prs), by_update);
		rc = drop_current(ctx, &w, e);
		log_info("%zu updated, %zu already current", listed, listed - w.n);
	}
	if (rc == 0) {
		n = w.n;
		if (cfg->max_items > 0 && n > (size_t)cfg->max_items) {
			log_notice("capturing the %lld oldest of %zu updated pull requests "
				   "(max-items); "
				   "the next sync goes on from there",
				   (long long)cfg->max_items, n);
			n = (size_t)cfg->max_items;
		}
		numbers = xcalloc(n ? n : 1, sizeof(*numbers));
		for (size_t i = 0; i < n; i++)
			numbers[i] = w.prs[i].number;
		rc = capture_pulls(ctx, numbers, n, PR_FILES, e);
	}
	if (rc == 0 && w.n > 0) {
		/* Everything up to here is written; where the next sync starts. */
		const char *next = w.prs[n - 1].at;

		if (n < w.n)
			next = w.prs[n].at;
		if (ctx->failed > 0)
			log_warn("%zu pull request%s failed: the next sync starts over from the "
				 "oldest "
				 "of them",
				 ctx->failed, ctx->failed == 1 ? "" : "s");
		else
			rc = jobs_watermark_set(ctx, "pulls", next, e);
	}
	if (rc == 0) {
		bool partial = ctx->failed > 0 || (w.n > 0 && n < w.n);

		rc = jobs_repository_update(
			ctx,
			(struct col_val[]){{"sync_status", partial ? "partial" : "completed"},
					   {"last_synced_at", now}},
			2, e);
	} else {
		jobs_repository_update(
			ctx,
			(struct col_val[]){
				{"sync_status", e->code == ERR_RATE ? "partial" : "failed"}},
			1, &(struct err){0});
	}
	free(numbers);
	free(w.prs);
	return rc;
}
