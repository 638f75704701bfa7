/*
 * jobs/select.c - which pull requests a capture should fetch: the given
 * numbers, or the recent ones the store lacks (pull_request_captures), with
 * max-items applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "jobs.h"
#include "log.h"
#include "util.h"

#define IN_CHUNK 200 /* numbers per store query (keeps URLs short) */

static const char *const part_names[] = {"details", "reviews", "comments"};

/* The recent-PR walk: numbers and GitHub's updated_at of PRs created since cutoff. */
struct recent {
	time_t cutoff;
	int64_t *numbers;
	time_t *updated;
	size_t n;
};

static int
on_recent(void *ud, const struct gh_pull *pulls, size_t n, bool *stop, struct err *e)
{
	struct recent *r = ud;

	(void)e;
	for (size_t i = 0; i < n; i++) {
		time_t created, updated;

		if (time_parse_iso(pulls[i].created_at, &created) < 0 ||
		    time_parse_iso(pulls[i].updated_at, &updated) < 0)
			continue;
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

/*
 * Sets bit p of cur[i] when part p of the PR at index i is current: its
 * pull_request_captures row holds GitHub's present updated_at. For details the
 * PR row itself must also agree (another writer may have changed it since:
 * contributor.info's pipelines write the same table).
 */
static int
current_chunk(struct job_ctx *ctx, unsigned parts, const struct recent *r, size_t first, size_t k,
	      unsigned *cur, struct err *e)
{
	const char *names[3];
	size_t nnames = 0;
	char(*num)[16] = xcalloc(k, sizeof(*num));
	const char **vals = xcalloc(k, sizeof(*vals));
	unsigned *row_ok = xcalloc(k, sizeof(*row_ok));
	struct store_filter f[3] = {
		{"repository_id", STORE_EQ, ctx->repository_id, NULL, 0},
		{"part", STORE_IN, NULL, names, 0},
		{"number", STORE_IN, NULL, vals, k},
	};
	struct store_query q = {
		"pull_request_captures", "number,part,github_updated_at", f, 3, "number", 0};
	struct store_query pq = {
		"pull_requests", "number,updated_at,last_synced_at", NULL, 0, "number", 0};
	struct store_filter pf[2];
	struct rowset rs;
	int rc;

	for (size_t i = 0; i < 3; i++)
		if (parts & (1u << i))
			names[nnames++] = part_names[i];
	f[1].nvalues = nnames;
	for (size_t i = 0; i < k; i++) {
		snprintf(num[i], sizeof(num[i]), "%lld", (long long)r->numbers[first + i]);
		vals[i] = num[i];
	}
	rc = store_select(ctx->store, &q, &rs, e);
	for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
		const char *part = rowset_text_at(&rs, row, "part");
		const char *upd = rowset_text_at(&rs, row, "github_updated_at");
		int64_t number;
		time_t t;

		if (part == NULL || upd == NULL || time_parse_iso(upd, &t) < 0 ||
		    rowset_int_at(&rs, row, "number", &number) < 0)
			continue;
		for (size_t i = 0; i < k; i++)
			for (unsigned p = 0; p < 3; p++)
				if (r->numbers[first + i] == number && r->updated[first + i] == t &&
				    strcmp(part, part_names[p]) == 0)
					cur[first + i] |= 1u << p;
	}
	rowset_release(&rs);
	if (rc == 0 && (parts & PR_FILES)) {
		pf[0] = f[0];
		pf[1] = f[2];
		pq.filters = pf;
		pq.nfilters = 2;
		rc = store_select(ctx->store, &pq, &rs, e);
		for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
			const char *upd = rowset_text_at(&rs, row, "updated_at");
			int64_t number;
			time_t t;

			if (upd == NULL || rowset_text_at(&rs, row, "last_synced_at") == NULL ||
			    time_parse_iso(upd, &t) < 0 ||
			    rowset_int_at(&rs, row, "number", &number) < 0)
				continue;
			for (size_t i = 0; i < k; i++)
				if (r->numbers[first + i] == number && r->updated[first + i] == t)
					row_ok[i] = 1;
		}
		rowset_release(&rs);
		for (size_t i = 0; i < k; i++)
			if (!row_ok[i])
				cur[first + i] &= ~PR_FILES;
	}
	free(num);
	free(vals);
	free(row_ok);
	return rc;
}

static int
current_parts(struct job_ctx *ctx, unsigned parts, const struct recent *r, unsigned *cur,
	      struct err *e)
{
	for (size_t first = 0; first < r->n; first += IN_CHUNK) {
		size_t k = r->n - first < IN_CHUNK ? r->n - first : IN_CHUNK;

		if (current_chunk(ctx, parts, r, first, k, cur, e) < 0)
			return -1;
	}
	return 0;
}

int
select_lacking(struct job_ctx *ctx, unsigned parts, int64_t **out, size_t *nout, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct recent r = {0};
	unsigned *cur = NULL;
	char cutoff[21];
	int rc;

	*out = NULL;
	*nout = 0;
	r.cutoff = time_now() - (time_t)cfg->time_range * 86400;
	time_format_iso(r.cutoff, cutoff);
	rc = gh_pulls_list(ctx->gh, cfg->owner, cfg->name, "created", on_recent, &r, e);
	cur = xcalloc(r.n ? r.n : 1, sizeof(*cur));
	if (rc == 0 && ctx->repository_id[0] != '\0')
		rc = current_parts(ctx, parts, &r, cur, e);
	for (size_t i = 0; rc == 0 && i < r.n; i++) {
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

int
select_pulls(struct job_ctx *ctx, unsigned parts, int64_t **out, size_t *n, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	const char *cursor = resume_from(ctx);

	*out = NULL;
	*n = 0;
	if (cursor != NULL) {
		char *command;

		if (cursor_parse(cursor, &command, out, n, e) < 0)
			return -1;
		if (strcmp(command, cfg->command) != 0) {
			err_set(e, ERR_INPUT, "resume-cursor is from %s, not %s", command,
				cfg->command);
			free(command);
			free(*out);
			*out = NULL;
			return -1;
		}
		free(command);
		log_info("resuming: %zu pull request%s left from the last run", *n,
			 *n == 1 ? "" : "s");
	} else if (cfg->n_pr_numbers > 0) {
		*out = xcalloc(cfg->n_pr_numbers, sizeof(**out));
		memcpy(*out, cfg->pr_numbers, cfg->n_pr_numbers * sizeof(**out));
		*n = cfg->n_pr_numbers;
	} else {
		size_t kept = 0;

		log_group("Finding pull requests of the last %d days that lack data",
			  cfg->time_range);
		if (select_lacking(ctx, parts, out, n, e) < 0)
			return -1;
		/* A shard without its own list takes every shard-total'th PR. */
		for (size_t i = 0; cfg->shard_total > 1 && i < *n; i++)
			if ((*out)[i] % cfg->shard_total == cfg->shard_index)
				(*out)[kept++] = (*out)[i];
		if (cfg->shard_total > 1) {
			log_info("shard %d of %d takes %zu of them", cfg->shard_index + 1,
				 cfg->shard_total, kept);
			*n = kept;
		}
	}
	if (cfg->max_items > 0 && *n > (size_t)cfg->max_items) {
		log_notice(
			"capturing %lld of %zu pull requests (max-items); run again for the rest",
			(long long)cfg->max_items, *n);
		*n = (size_t)cfg->max_items;
	}
	return 0;
}
