/*
 * jobs/select.c - which pull requests a capture should fetch: the resume
 * cursor's, the given numbers, or the recent ones the store lacks
 * (pull_request_captures), a shard's share, with max-items applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cursor.h"
#include "github.h"
#include "jobs.h"
#include "log.h"
#include "progress.h"
#include "pulllist.h"
#include "util.h"

/* The recent-PR walk: numbers and GitHub's updated_at of PRs created since cutoff. */
struct recent {
	struct job_ctx *ctx;
	time_t cutoff;
	int64_t *numbers;
	time_t *updated;
	size_t n;
};

static int
on_recent(void *ud, const struct gh_pull *pulls, size_t n, bool *stop, struct err *e)
{
	struct recent *r = ud;

	for (size_t i = 0; i < n; i++) {
		time_t created, updated;

		if (time_parse_iso(pulls[i].created_at, &created) < 0 ||
		    time_parse_iso(pulls[i].updated_at, &updated) < 0)
			return err_set(e, ERR_PARSE,
				       "pull request #%d: a time stamp that is no time",
				       pulls[i].number);
		/* The list is sorted by creation, newest first. */
		if (created < r->cutoff) {
			*stop = true;
			break;
		}
		r->numbers = xrealloc(r->numbers, (r->n + 1) * sizeof(*r->numbers));
		r->updated = xrealloc(r->updated, (r->n + 1) * sizeof(*r->updated));
		r->numbers[r->n] = pulls[i].number;
		r->updated[r->n] = updated;
		r->n++;
	}
	return 0;
}

/* A PR of the list that cannot be read: it fails, the others go on. */
static int
on_bad(void *ud, const struct err *why, struct err *e)
{
	struct recent *r = ud;

	return jobs_item_failed(r->ctx, "a pull request of the list", why, e);
}

struct slot {
	int64_t number;
	size_t i;
};

static int
cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/* Asks the store which of numbers[0..n) lack a part of parts; clears those bits of current. */
static int
ask_lacking(struct job_ctx *ctx, unsigned parts, const int64_t *numbers, const time_t *updated,
	    size_t n, const struct slot *index, size_t nindex, unsigned *current, struct err *e)
{
	static const char *const cols[] = {"p_repository_id", "p_parts", "p_numbers",
					   "p_updated_at"};
	char **iso = xcalloc(n ? n : 1, sizeof(*iso));
	struct rowset args, out;
	int rc;

	for (size_t k = 0; k < n; k++) {
		iso[k] = xcalloc(1, 21);
		time_format_iso(updated[k], iso[k]);
	}
	rowset_init(&args, "progressive_capture_lacking", cols, 4);
	rowset_add(&args);
	rowset_text(&args, "p_repository_id", ctx->repository_id);
	rowset_int(&args, "p_parts", parts);
	rowset_ints(&args, "p_numbers", numbers, n);
	rowset_strings(&args, "p_updated_at", iso, n);
	rc = store_call(ctx->store,
			&(struct store_call){.function = "progressive_capture_lacking",
					     .args = &args,
					     .columns = "number,lacking",
					     .order = "number"},
			&out, e);
	for (size_t row = 0; rc == 0 && row < out.nrows; row++) {
		struct slot key = {0};
		const struct slot *hit;
		int64_t lacking;

		if (rowset_int_at(&out, row, "number", &key.number) < 0 ||
		    rowset_int_at(&out, row, "lacking", &lacking) < 0)
			continue;
		hit = bsearch(&key, index, nindex, sizeof(*index), cmp_slot);
		/* Repeated numbers: every slot of this one (they are adjacent). */
		while (hit != NULL && hit > index && hit[-1].number == key.number)
			hit--;
		for (; hit != NULL && hit < index + nindex && hit->number == key.number; hit++)
			current[hit->i] &= ~(unsigned)lacking;
	}
	rowset_release(&out);
	rowset_release(&args);
	for (size_t k = 0; k < n; k++)
		free(iso[k]);
	free(iso);
	return rc;
}

int
select_current(struct job_ctx *ctx, unsigned parts, const int64_t *numbers,
	       const time_t *updated_at, size_t n, unsigned *current, struct err *e)
{
	struct slot *index = xcalloc(n ? n : 1, sizeof(*index));
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		current[i] = parts;
		index[i] = (struct slot){numbers[i], i};
	}
	qsort(index, n, sizeof(*index), cmp_slot);
	for (size_t first = 0; rc == 0 && first < n; first += SELECT_CHUNK)
		rc = ask_lacking(ctx, parts, numbers + first, updated_at + first,
				 n - first < SELECT_CHUNK ? n - first : SELECT_CHUNK, index, n,
				 current, e);
	free(index);
	return rc;
}

/* Whether PR number is this shard's: every shard-total'th PR, by number. */
static bool
in_share(const struct config *cfg, int64_t number)
{
	return cfg->shard_total <= 1 || number % cfg->shard_total == cfg->shard_index;
}

/* The PRs created in the last time-range days that lack any of parts (this shard's). */
static int
select_lacking(struct job_ctx *ctx, unsigned parts, int64_t **out, size_t *nout, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct recent r = {.ctx = ctx};
	unsigned *cur = NULL;
	char cutoff[21];
	int rc;

	jobs_since(ctx, cutoff);
	if (time_parse_iso(cutoff, &r.cutoff) < 0)
		return err_set(e, ERR_INPUT, "time-range: no cut-off date");
	rc = pulllist(ctx->gh,
		      &(struct pulllist_options){.owner = cfg->owner,
						 .name = cfg->name,
						 .since = r.cutoff,
						 .api = (enum api_mode)cfg->api},
		      on_recent, on_bad, &r, e);
	cur = xcalloc(r.n ? r.n : 1, sizeof(*cur));
	if (rc == 0)
		rc = select_current(ctx, parts, r.numbers, r.updated, r.n, cur, e);
	for (size_t i = 0; rc == 0 && i < r.n; i++) {
		if (!in_share(cfg, r.numbers[i]))
			continue; /* another shard's: neither taken nor counted here */
		if ((cur[i] & parts) == parts) {
			ctx->skipped++;
			continue;
		}
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		(*out)[(*nout)++] = r.numbers[i];
	}
	if (rc == 0)
		log_info("%zu pull request%s created since %s; %zu to capture, %zu up to date", r.n,
			 r.n == 1 ? "" : "s", cutoff, *nout, ctx->skipped);
	free(cur);
	free(r.numbers);
	free(r.updated);
	return rc;
}

const char *
select_resume_cursor(const struct job_ctx *ctx)
{
	if (ctx->cfg->resume_cursor != NULL)
		return ctx->cfg->resume_cursor;
	return ctx->progress != NULL ? progress_resume_cursor(ctx->progress) : NULL;
}

static int
from_cursor(const struct job_ctx *ctx, const char *cursor, int64_t **out, size_t *n, struct err *e)
{
	char *command;

	if (cursor_parse(cursor, &command, out, n, e) < 0)
		return -1;
	if (strcmp(command, ctx->cfg->command) != 0) {
		err_set(e, ERR_INPUT, "resume-cursor is from %s, not %s", command,
			ctx->cfg->command);
		free(command);
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	free(command);
	log_info("resuming: %zu pull request%s left from the last run", *n, *n == 1 ? "" : "s");
	return 0;
}

int
select_pulls(struct job_ctx *ctx, unsigned parts, int64_t **out, size_t *n, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	const char *cursor = select_resume_cursor(ctx);

	*out = NULL;
	*n = 0;
	if (cursor != NULL) {
		if (from_cursor(ctx, cursor, out, n, e) < 0)
			return -1;
	} else if (cfg->n_pr_numbers > 0) {
		*out = xcalloc(cfg->n_pr_numbers, sizeof(**out));
		memcpy(*out, cfg->pr_numbers, cfg->n_pr_numbers * sizeof(**out));
		*n = cfg->n_pr_numbers;
		if (!cfg->force && resync_changed(ctx, parts, *out, n, e) < 0)
			return -1;
	} else {
		log_group("Finding pull requests of the last %d days that lack data",
			  cfg->time_range);
		if (select_lacking(ctx, parts, out, n, e) < 0)
			return -1;
		if (cfg->shard_total > 1)
			log_info("shard %d of %d takes %zu of them", cfg->shard_index + 1,
				 cfg->shard_total, *n);
	}
	if (cfg->max_items > 0 && *n > (size_t)cfg->max_items) {
		log_notice(
			"capturing %lld of %zu pull requests (max-items); run again for the rest",
			(long long)cfg->max_items, *n);
		*n = (size_t)cfg->max_items;
	}
	return 0;
}
