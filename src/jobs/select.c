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

/* The row ids' numbers as text, for IN filters (num: n slots of 24 bytes). */
static const char **
number_texts(const int64_t *numbers, size_t n, char (*num)[24])
{
	const char **vals = xcalloc(n ? n : 1, sizeof(*vals));

	for (size_t i = 0; i < n; i++) {
		snprintf(num[i], sizeof(num[i]), "%lld", (long long)numbers[i]);
		vals[i] = num[i];
	}
	return vals;
}

/* Index of number in numbers[0..n), or n. */
static size_t
index_of(const int64_t *numbers, size_t n, int64_t number)
{
	for (size_t i = 0; i < n; i++)
		if (numbers[i] == number)
			return i;
	return n;
}

/* Sets the bits of the parts whose capture mark holds GitHub's present updated_at. */
static int
marks_current(struct job_ctx *ctx, unsigned parts, const int64_t *numbers, const time_t *updated,
	      size_t n, const char *const *vals, unsigned *current, struct err *e)
{
	const char *marks[PR_NPARTS];
	size_t nmarks = 0;
	struct store_filter f[2] = {
		{.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id},
		{.column = "part", .op = STORE_IN, .values = marks},
	};
	struct store_query q = {.table = "pull_request_captures",
				.columns = "number,part,github_updated_at",
				.filters = f,
				.nfilters = 2};
	struct rowset rs;
	int rc;

	for (size_t p = 0; p < PR_NPARTS; p++)
		if (parts & pr_parts[p].bit)
			marks[nmarks++] = pr_parts[p].mark;
	f[1].nvalues = nmarks;
	rc = store_select_in(ctx->store, &q, "number", vals, n, &rs, e);
	for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
		const char *part = rowset_text_at(&rs, row, "part");
		const char *upd = rowset_text_at(&rs, row, "github_updated_at");
		int64_t number;
		size_t i;
		time_t t;

		if (part == NULL || upd == NULL || time_parse_iso(upd, &t) < 0 ||
		    rowset_int_at(&rs, row, "number", &number) < 0)
			continue;
		i = index_of(numbers, n, number);
		for (size_t p = 0; i < n && p < PR_NPARTS; p++)
			if (updated[i] == t && strcmp(part, pr_parts[p].mark) == 0)
				current[i] |= pr_parts[p].bit;
	}
	rowset_release(&rs);
	return rc;
}

/*
 * Clears PR_FILES where the PR row itself no longer agrees: another writer
 * (contributor.info's pipelines write the same table) changed it since.
 */
static int
rows_current(struct job_ctx *ctx, const int64_t *numbers, const time_t *updated, size_t n,
	     const char *const *vals, unsigned *current, struct err *e)
{
	struct store_filter f = {
		.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id};
	struct store_query q = {.table = "pull_requests",
				.columns = "number,updated_at,last_synced_at",
				.filters = &f,
				.nfilters = 1};
	bool *ok = xcalloc(n ? n : 1, sizeof(*ok));
	struct rowset rs;
	int rc = store_select_in(ctx->store, &q, "number", vals, n, &rs, e);

	for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
		const char *upd = rowset_text_at(&rs, row, "updated_at");
		int64_t number;
		size_t i;
		time_t t;

		if (upd == NULL || rowset_text_at(&rs, row, "last_synced_at") == NULL ||
		    time_parse_iso(upd, &t) < 0 || rowset_int_at(&rs, row, "number", &number) < 0)
			continue;
		i = index_of(numbers, n, number);
		if (i < n && updated[i] == t)
			ok[i] = true;
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!ok[i])
			current[i] &= ~PR_FILES;
	rowset_release(&rs);
	free(ok);
	return rc;
}

int
select_current(struct job_ctx *ctx, unsigned parts, const int64_t *numbers,
	       const time_t *updated_at, size_t n, unsigned *current, struct err *e)
{
	char(*num)[24] = xcalloc(n ? n : 1, sizeof(*num));
	const char **vals = number_texts(numbers, n, num);
	int rc;

	memset(current, 0, n * sizeof(*current));
	rc = marks_current(ctx, parts, numbers, updated_at, n, vals, current, e);
	if (rc == 0 && (parts & PR_FILES))
		rc = rows_current(ctx, numbers, updated_at, n, vals, current, e);
	free(vals);
	free(num);
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
	rc = gh_pulls_list(ctx->gh, cfg->owner, cfg->name, "created", on_recent, on_bad, &r, e);
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

/* The cursor to resume from: the resume-cursor setting, or the one the job's last run left. */
static const char *
resume_from(const struct job_ctx *ctx)
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
	const char *cursor = resume_from(ctx);

	*out = NULL;
	*n = 0;
	if (cursor != NULL) {
		if (from_cursor(ctx, cursor, out, n, e) < 0)
			return -1;
	} else if (cfg->n_pr_numbers > 0) {
		*out = xcalloc(cfg->n_pr_numbers, sizeof(**out));
		memcpy(*out, cfg->pr_numbers, cfg->n_pr_numbers * sizeof(**out));
		*n = cfg->n_pr_numbers;
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
