/*
 * jobs/plan.c - plan: what a repository lacks, split into shards for a
 * matrix of capture jobs, each shard a pending job row holding its PRs.
 *
 * What lacks capture is what every capture command selects (select.c and
 * the store's progress_capture_lacking: one definition). Shards are sized so
 * each finishes within its job's time limit on its share of the rate limit
 * (max-parallel shards spend it at once), and there are never more than
 * GitHub's 256 jobs of a matrix: past that, shards grow (and may stop
 * partial, to be resumed). The step's outputs stay well under GitHub's 1 MB.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cursor.h"
#include "github.h"
#include "gql.h"
#include "jobs.h"
#include "log.h"
#include "numlist.h"
#include "output.h"
#include "progress.h"
#include "util.h"

/*
 * Wall time a PR takes a shard (GitHub's answer times, the store's writes):
 * an estimate for sizing, refined by make bench (README "Measured").
 */
#define SEC_PER_PR_GRAPHQL 0.5
#define SEC_PER_PR_REST    2.0
#define MATRIX_MAX_BYTES   ((size_t)384 * 1024) /* the matrix output: shards' PRs dropped past it */
#define NUMBERS_MAX_BYTES  ((size_t)256 * 1024) /* the pr-numbers output: empty past it */
#define COMMITS_POINTS     10 /* an estimate for a commit-analysis job's history pages */

struct plan {
	unsigned parts;      /* PR parts asked for */
	bool commits;        /* commit-analysis asked for */
	const char *command; /* what captures the PR parts */
	int64_t *numbers;    /* the PRs that lack a part, ascending */
	size_t n;
	bool commits_needed;
	double points_per_pr, sec_per_pr;
	int64_t per_hour; /* the budget the captures spend, a token's hourly limit */
	size_t size, shards;
	bool grown;                 /* shards past what a job can finish: 256 at most */
	char (*ids)[UUID_STR_SIZE]; /* a job per shard, then commit-analysis's */
};

/* capture-types: details, reviews, comments, commits; -1 + ERR_INPUT naming a stray one. */
static int
parse_types(const char *s, unsigned *parts, bool *commits, struct err *e)
{
	static const char *const names[] = {"details", "reviews", "comments"};
	const char *p = s != NULL ? s : "";

	*parts = 0;
	*commits = false;
	while (*p != '\0') {
		size_t len = strcspn(p, ", \n");
		bool known = false;

		for (size_t i = 0; i < 3 && !known; i++)
			if (strlen(names[i]) == len && strncmp(p, names[i], len) == 0) {
				*parts |= 1u << i;
				known = true;
			}
		if (!known && len == 7 && strncmp(p, "commits", 7) == 0)
			known = *commits = true;
		if (!known && len > 0)
			return err_set(
				e, ERR_INPUT,
				"capture-types: '%.*s' is none of details, reviews, comments, "
				"commits",
				(int)(len > 40 ? 40 : len), p);
		p += len;
		p += strspn(p, ", \n");
	}
	if (*parts == 0 && !*commits)
		return err_set(e, ERR_INPUT, "capture-types: nothing to plan");
	return 0;
}

int
check_plan(const struct config *cfg, struct err *e)
{
	unsigned parts;
	bool commits;

	return parse_types(cfg->capture_types, &parts, &commits, e);
}

/* The command that captures parts: one part's own, or pr-all (one pass) for several. */
static const char *
command_for(unsigned parts)
{
	switch (parts) {
	case PR_FILES: return "pr-details";
	case PR_REVIEWS: return "pr-reviews";
	case PR_COMMENTS: return "pr-comments";
	default: return "pr-all";
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Whether the default branch has commits the store has not: the last capture is older than the last push. */
static int
commits_lacking(struct job_ctx *ctx, bool *needed, struct err *e)
{
	struct store_filter f = {.column = "id", .op = STORE_EQ, .value = ctx->repository_id};
	struct store_query q = {.table = "repositories",
				.columns = "commit_capture_status,last_commit_capture_at,"
					   "github_pushed_at",
				.filters = &f,
				.nfilters = 1,
				.limit = 1};
	struct rowset rs;
	int rc = store_select(ctx->store, &q, &rs, e);
	time_t pushed = 0, captured = 0;

	*needed = true;
	if (rc == 0 && rs.nrows > 0) {
		const char *status = rowset_text_at(&rs, 0, "commit_capture_status");
		const char *last = rowset_text_at(&rs, 0, "last_commit_capture_at");
		const char *push = rowset_text_at(&rs, 0, "github_pushed_at");

		*needed = status == NULL || strcmp(status, "completed") != 0 || last == NULL ||
			  push == NULL || time_parse_iso(last, &captured) < 0 ||
			  time_parse_iso(push, &pushed) < 0 || captured < pushed;
	}
	rowset_release(&rs);
	return rc;
}

/* Points and seconds a PR costs, and the hourly budget its shards share. */
static int
estimate(struct job_ctx *ctx, struct plan *pl, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct gh_budget core, graphql;
	int batch = cfg->batch_size > 0 ? cfg->batch_size : GQL_BATCH_DEFAULT;
	bool rest = cfg->api == API_REST;

	if (gh_rate_limits(ctx->gh, &core, &graphql, e) < 0)
		return -1;
	rest = rest || graphql.remaining < 0;
	if (rest) {
		/* A PR, then a page of each part (comments: two lists). */
		pl->points_per_pr = 1.0 + ((pl->parts & PR_FILES) != 0) +
				    ((pl->parts & PR_REVIEWS) != 0) +
				    2.0 * ((pl->parts & PR_COMMENTS) != 0);
		pl->sec_per_pr = SEC_PER_PR_REST;
		pl->per_hour = core.limit;
	} else {
		pl->points_per_pr =
			(double)gql_pull_batch_cost((size_t)batch, pl->parts) / (double)batch;
		pl->sec_per_pr = SEC_PER_PR_GRAPHQL;
		pl->per_hour = graphql.limit;
	}
	if (pl->per_hour <= 0)
		pl->per_hour = 60; /* no token: GitHub's unauthenticated hour */
	summary_note(ctx->summary,
		     "Budget: core %lld of %lld left, GraphQL %lld of %lld left; the captures "
		     "spend %s's %lld an hour, about %.2f points a pull request.",
		     (long long)core.remaining, (long long)core.limit, (long long)graphql.remaining,
		     (long long)graphql.limit, rest ? "REST" : "GraphQL", (long long)pl->per_hour,
		     pl->points_per_pr);
	return 0;
}

/*
 * Shard size and count: within a job's minutes and its share of the budget,
 * spread over max-parallel shards at least; 256 jobs at most.
 */
static void
size_shards(const struct config *cfg, struct plan *pl)
{
	size_t max = (size_t)cfg->max_shards - (pl->commits_needed ? 1 : 0);
	size_t parallel = cfg->max_parallel > 0 ? (size_t)cfg->max_parallel : 1;
	double per_pr = pl->points_per_pr > 0 ? pl->points_per_pr : 0.01;
	double by_time = (double)cfg->job_minutes * 60.0 / pl->sec_per_pr;
	double by_budget = (double)pl->per_hour / (double)parallel *
			   ((double)cfg->job_minutes / 60.0) / per_pr;
	/* (1e-9: 8 points at 0.08 a PR are 100 PRs, not 99.999…) */
	double fits = floor((by_time < by_budget ? by_time : by_budget) + 1e-9);

	pl->size = cfg->shard_size > 0 ? (size_t)cfg->shard_size : fits >= 1 ? (size_t)fits : 1;
	/* Work for every parallel slot: no fewer shards than max-parallel when there are PRs enough. */
	if (cfg->shard_size == 0 && pl->n > 0) {
		size_t spread = (pl->n + parallel - 1) / parallel;

		if (spread < pl->size)
			pl->size = spread;
	}
	if (pl->size == 0)
		pl->size = 1;
	pl->shards = pl->n == 0 ? 0 : (pl->n + pl->size - 1) / pl->size;
	if (max == 0 && pl->shards > 0)
		max = 1;
	if (pl->shards > max) {
		pl->size = (pl->n + max - 1) / max;
		pl->shards = (pl->n + pl->size - 1) / pl->size;
		pl->grown = true;
	}
}

/* The PRs of shard i: numbers[first..first+count). */
static void
shard_span(const struct plan *pl, size_t i, size_t *first, size_t *count)
{
	*first = i * pl->size;
	*count = pl->n - *first < pl->size ? pl->n - *first : pl->size;
}

/* A pending job row for shard i (or, i == shards, the commit-analysis job). */
static int
queue_shard(struct job_ctx *ctx, const struct plan *pl, size_t i, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	bool commits = i == pl->shards;
	const char *command = commits ? "commit-analysis" : pl->command;
	struct buf cursor = BUF_INIT((size_t)1 << 22);
	size_t first = 0, count = 0;
	const struct job_meta meta[] = {
		{"plan_run_id", cfg->run_id, 0},
		{"shard", NULL, (int64_t)i},
		{"shards", NULL, (int64_t)pl->shards + pl->commits_needed},
		{"created_by", "progressive-capture plan", 0},
	};
	int64_t run_id = 0;
	int rc;

	/* In a workflow, the shards are this run's (stats run-id counts them before they start). */
	if (cfg->run_id != NULL && parse_int64(cfg->run_id, 1, INT64_MAX, &run_id) < 0)
		run_id = 0;
	if (!commits) {
		shard_span(pl, i, &first, &count);
		cursor_format(&cursor, command, pl->numbers + first, count);
	}
	rc = progress_queue(ctx->store,
			    &(struct job_queued){.job_type = jobs_job_type(command),
						 .command = command,
						 .repository = cfg->repository,
						 .repository_id = ctx->repository_id,
						 .time_range = cfg->time_range,
						 .run_id = run_id,
						 .meta = cfg->run_id != NULL ? meta : meta + 1,
						 .nmeta = cfg->run_id != NULL ? 4 : 3,
						 .total = count,
						 .cursor = commits ? NULL : buf_str(&cursor)},
			    pl->ids[i], e);
	buf_release(&cursor);
	return rc;
}

/*
 * {"include":[{shard, command, pr-numbers, job-id, time-limit}, …]}; with_prs
 * false: pr-numbers left empty. time-limit (seconds, the capture's setting)
 * leaves the job two minutes of its job-minutes to start and to upload.
 */
static void
matrix(const struct plan *pl, int job_minutes, bool with_prs, struct buf *out)
{
	size_t entries = pl->shards + pl->commits_needed;
	int limit = job_minutes * 60 - 120 > 60 ? job_minutes * 60 - 120 : 60;

	buf_puts(out, "{\"include\":[");
	for (size_t i = 0; i < entries; i++) {
		bool commits = i == pl->shards;
		size_t first = 0, count = 0;

		buf_printf(out, "%s{\"shard\":%zu,\"command\":", i > 0 ? "," : "", i);
		out_json_string(out, commits ? "commit-analysis" : pl->command);
		buf_puts(out, ",\"pr-numbers\":\"");
		if (!commits && with_prs) {
			shard_span(pl, i, &first, &count);
			numlist_format(out, pl->numbers + first, count);
		}
		buf_puts(out, "\",\"job-id\":");
		out_json_string(out, pl->ids[i]);
		buf_printf(out, ",\"time-limit\":\"%d\"}", limit);
	}
	buf_puts(out, "]}");
}

static void
set_outputs(struct job_ctx *ctx, const struct plan *pl)
{
	const struct config *cfg = ctx->cfg;
	struct buf m = BUF_INIT(MATRIX_MAX_BYTES), prs = BUF_INIT(NUMBERS_MAX_BYTES);
	struct buf num = BUF_INIT(64);
	size_t entries = pl->shards + pl->commits_needed;
	double points =
		ceil((double)pl->n * pl->points_per_pr) + (pl->commits_needed ? COMMITS_POINTS : 0);
	double waves = ceil((double)pl->shards / (double)cfg->max_parallel);
	double work = waves * (double)pl->size * pl->sec_per_pr / 60.0;
	double budget = points / (double)pl->per_hour * 60.0;

	matrix(pl, cfg->job_minutes, true, &m);
	if (buf_failed(&m)) {
		log_warn(
			"the shards' pull requests pass %zu KB in the matrix: left out of it (each "
			"shard's job row holds them, and its job id is enough)",
			MATRIX_MAX_BYTES / 1024);
		buf_reset(&m);
		matrix(pl, cfg->job_minutes, false, &m);
	}
	numlist_format(&prs, pl->numbers, pl->n);
	if (buf_failed(&prs)) {
		log_warn(
			"pr-numbers would pass %zu KB: left empty (the shards' job rows hold them)",
			NUMBERS_MAX_BYTES / 1024);
		buf_reset(&prs);
	}
	outputs_set(ctx->outs, "matrix", buf_str(&m));
	outputs_set(ctx->outs, "pr-numbers", buf_str(&prs));
	buf_printf(&num, "%zu", entries);
	outputs_set(ctx->outs, "shards", buf_str(&num));
	outputs_set(ctx->outs, "needed", entries > 0 ? "true" : "false");
	buf_reset(&num);
	buf_printf(&num, "%.0f", points);
	outputs_set(ctx->outs, "estimated-points", buf_str(&num));
	buf_reset(&num);
	buf_printf(&num, "%.0f", ceil(work > budget ? work : budget));
	outputs_set(ctx->outs, "estimated-minutes", buf_str(&num));
	buf_release(&m);
	buf_release(&prs);
	buf_release(&num);
}

/* One row of the summary per shard. */
static void
summarize(struct job_ctx *ctx, const struct plan *pl)
{
	const struct config *cfg = ctx->cfg;
	size_t entries = pl->shards + pl->commits_needed;

	summary_note(ctx->summary,
		     "%zu pull request%s lack %s; %zu up to date. %zu shard%s of up to %zu, "
		     "%d at once, %d minutes each%s.",
		     pl->n, pl->n == 1 ? "" : "s", pl->command, ctx->skipped, pl->shards,
		     pl->shards == 1 ? "" : "s", pl->size, cfg->max_parallel, cfg->job_minutes,
		     pl->grown ? " (more than a job finishes in that time: GitHub runs 256 jobs "
				 "of a matrix at most; the shards stop partial and resume)"
			       : "");
	if (pl->commits)
		summary_note(ctx->summary, "Commits: %s.",
			     pl->commits_needed ? "the default branch has new ones: one job"
						: "up to date");
	summary_table(ctx->summary, (const char *const[]){"Shard", "Command", "PRs", "Job"}, 4);
	for (size_t i = 0; i < entries; i++) {
		char shard[24], count[24];
		size_t first = 0, n = 0;

		if (i < pl->shards)
			shard_span(pl, i, &first, &n);
		snprintf(shard, sizeof(shard), "%zu", i);
		snprintf(count, sizeof(count), "%zu", n);
		summary_row(ctx->summary,
			    (const char *const[]){shard,
						  i < pl->shards ? pl->command : "commit-analysis",
						  count, pl->ids[i]});
	}
}

/* The PRs that lack a part, ascending; whether the commits lack capture. */
static int
find_lacking(struct job_ctx *ctx, struct plan *pl, struct err *e)
{
	int rc = 0;

	if (pl->parts != 0)
		rc = select_pulls(ctx, pl->parts, &pl->numbers, &pl->n, e);
	if (rc == 0 && pl->n > 0)
		qsort(pl->numbers, pl->n, sizeof(*pl->numbers), cmp_i64);
	if (rc == 0 && pl->commits)
		rc = commits_lacking(ctx, &pl->commits_needed, e);
	return rc;
}

int
job_plan(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct plan pl = {0};
	size_t entries;
	int rc = parse_types(cfg->capture_types, &pl.parts, &pl.commits, e);

	pl.command = command_for(pl.parts);
	if (rc == 0)
		rc = jobs_begin(ctx, true, e);
	if (rc == 0)
		rc = find_lacking(ctx, &pl, e);
	if (rc == 0)
		rc = estimate(ctx, &pl, e);
	if (rc < 0)
		goto out;
	size_shards(cfg, &pl);
	entries = pl.shards + pl.commits_needed;
	pl.ids = xcalloc(entries ? entries : 1, sizeof(*pl.ids));
	log_group("Planning %zu shard%s", entries, entries == 1 ? "" : "s");
	for (size_t i = 0; rc == 0 && !cfg->dry_run && i < entries; i++)
		rc = queue_shard(ctx, &pl, i, e);
	if (cfg->dry_run)
		log_info("dry run: no job row is created; the matrix has no job ids");
	if (rc == 0) {
		set_outputs(ctx, &pl);
		summarize(ctx, &pl);
		log_info("%zu pull request%s in %zu shard%s%s", pl.n, pl.n == 1 ? "" : "s",
			 pl.shards, pl.shards == 1 ? "" : "s",
			 pl.commits_needed ? ", and commit-analysis" : "");
	}
	log_endgroup();
out:
	free(pl.numbers);
	free(pl.ids);
	return rc;
}
