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
 * failed (or could not even be read in the list) it stays where it was: the
 * next sync lists the same PRs again and skips those captured meanwhile.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "github.h"
#include "jobs.h"
#include "log.h"
#include "util.h"

struct updated {
	int64_t number;
	time_t at;
	char iso[32]; /* as GitHub wrote it */
};

struct walk {
	struct job_ctx *ctx;
	time_t since;
	struct updated *prs;
	size_t n;
};

static int
on_page(void *ud, const struct gh_pull *pulls, size_t n, bool *stop, struct err *e)
{
	struct walk *w = ud;

	for (size_t i = 0; i < n; i++) {
		time_t t;

		if (time_parse_iso(pulls[i].updated_at, &t) < 0)
			return err_set(e, ERR_PARSE, "pull request #%d: updated_at is no time",
				       pulls[i].number);
		if (t < w->since) {
			*stop = true;
			break;
		}
		w->prs = xrealloc(w->prs, (w->n + 1) * sizeof(*w->prs));
		w->prs[w->n].number = pulls[i].number;
		w->prs[w->n].at = t;
		snprintf(w->prs[w->n].iso, sizeof(w->prs[w->n].iso), "%s", pulls[i].updated_at);
		w->n++;
	}
	return 0;
}

/* A PR of the list that cannot be read: it fails (and so holds the watermark back). */
static int
on_bad(void *ud, const struct err *why, struct err *e)
{
	struct walk *w = ud;

	return jobs_item_failed(w->ctx, "a pull request of the list", why, e);
}

/* Oldest update first. */
static int
by_update(const void *a, const void *b)
{
	const struct updated *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Drops the PRs whose details were captured at their current updated_at. */
static int
drop_current(struct job_ctx *ctx, struct walk *w, struct err *e)
{
	int64_t *numbers = xcalloc(w->n ? w->n : 1, sizeof(*numbers));
	time_t *at = xcalloc(w->n ? w->n : 1, sizeof(*at));
	unsigned *current = xcalloc(w->n ? w->n : 1, sizeof(*current));
	size_t kept = 0;
	int rc;

	for (size_t i = 0; i < w->n; i++) {
		numbers[i] = w->prs[i].number;
		at[i] = w->prs[i].at;
	}
	rc = select_current(ctx, PR_FILES, numbers, at, w->n, current, e);
	for (size_t i = 0; rc == 0 && i < w->n; i++) {
		if (current[i] & PR_FILES)
			ctx->skipped++;
		else
			w->prs[kept++] = w->prs[i];
	}
	if (rc == 0)
		w->n = kept;
	free(numbers);
	free(at);
	free(current);
	return rc;
}

/* Finds the PRs updated since the watermark, oldest first, less those already current. */
static int
find_updated(struct job_ctx *ctx, struct walk *w, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	char watermark[32];
	size_t listed;
	int rc = jobs_watermark_get(ctx, "pulls", watermark, e);

	if (rc < 0)
		return -1;
	if (rc == 0)
		jobs_since(ctx, watermark);
	if (time_parse_iso(watermark, &w->since) < 0)
		return err_set(e, ERR_STORE, "the pulls watermark '%s' is no time", watermark);
	log_group("Pull requests updated since %s", watermark);
	if (gh_pulls_list(ctx->gh, cfg->owner, cfg->name, "updated", on_page, on_bad, w, e) < 0)
		return -1;
	listed = w->n;
	if (w->n > 1)
		qsort(w->prs, w->n, sizeof(*w->prs), by_update);
	if (drop_current(ctx, w, e) < 0)
		return -1;
	log_info("%zu updated, %zu already current", listed, listed - w->n);
	return 0;
}

/* After the captures: where the next sync starts, unless something failed. */
static int
move_watermark(struct job_ctx *ctx, const struct walk *w, size_t captured, struct err *e)
{
	if (w->n == 0)
		return 0;
	if (ctx->failed > 0) {
		log_warn("%zu pull request%s failed: the next sync starts over from the oldest of "
			 "them",
			 ctx->failed, ctx->failed == 1 ? "" : "s");
		return 0;
	}
	/* Everything up to here is written: the newest captured, or the oldest left. */
	return jobs_watermark_set(
		ctx, "pulls", captured < w->n ? w->prs[captured].iso : w->prs[captured - 1].iso, e);
}

int
job_repository_sync(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct walk w = {.ctx = ctx};
	int64_t *numbers = NULL;
	char now[21];
	size_t n = 0;
	int rc;

	if (jobs_begin(ctx, true, e) < 0)
		return -1;
	time_format_iso(clock_now(), now);
	rc = jobs_repository_update(ctx, (struct col_val[]){{"sync_status", "syncing"}}, 1, e);
	if (rc == 0)
		rc = find_updated(ctx, &w, e);
	if (rc == 0) {
		n = w.n;
		if (cfg->max_items > 0 && n > (size_t)cfg->max_items) {
			log_notice("capturing the %lld oldest of %zu updated pull requests "
				   "(max-items); the next sync goes on from there",
				   (long long)cfg->max_items, n);
			n = (size_t)cfg->max_items;
		}
		numbers = xcalloc(n ? n : 1, sizeof(*numbers));
		for (size_t i = 0; i < n; i++)
			numbers[i] = w.prs[i].number;
		rc = capture_pulls(ctx, numbers, n, PR_FILES, e);
	}
	if (rc == 0)
		rc = move_watermark(ctx, &w, n, e);
	if (rc == 0) {
		bool partial = ctx->failed > 0 || n < w.n;

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
