/*
 * jobs/common.c - what every capture job shares: the command table, the
 * repository row, and contributor rows with a per-run cache.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jobs.h"
#include "json.h"
#include "log.h"
#include "util.h"

#define NEEDS (JOB_NEEDS_REPO | JOB_NEEDS_STORE | JOB_NEEDS_GITHUB)
#define PR_OPTIONS                                                                                 \
	(JOB_COMMON_OPTIONS | OPT_BIT(OPT_PR_NUMBERS) | OPT_BIT(OPT_MAX_ITEMS) |                   \
	 OPT_BIT(OPT_BATCH_SIZE) | OPT_BIT(OPT_SHARD_INDEX) | OPT_BIT(OPT_SHARD_TOTAL) |           \
	 OPT_BIT(OPT_RESUME_CURSOR))

const struct job job_table[] = {
	{"pr-details",
	 "pull request fields and every changed file, for given numbers or the recent ones lacking "
	 "them",
	 NEEDS, PR_OPTIONS, job_pr_details, NULL},
	{"pr-reviews", "every review of the given (or the recent) pull requests", NEEDS, PR_OPTIONS,
	 job_pr_reviews, NULL},
	{"pr-comments",
	 "conversation and review comments of given pull requests, or of the whole repository "
	 "since the last run",
	 NEEDS, PR_OPTIONS, job_pr_comments, check_pr_comments},
	{"pr-all", "details, files, reviews and comments in one pass (the cheapest full capture)",
	 NEEDS, PR_OPTIONS, job_pr_all, NULL},
	{"repository-sync",
	 "the repository row, then the pull requests updated since the last sync, with details",
	 NEEDS, JOB_COMMON_OPTIONS | OPT_BIT(OPT_MAX_ITEMS) | OPT_BIT(OPT_BATCH_SIZE),
	 job_repository_sync, NULL},
	{"commit-analysis",
	 "commits of the default branch in the window, each linked to its pull request or marked "
	 "direct",
	 NEEDS, JOB_COMMON_OPTIONS, job_commit_analysis, NULL},
	{NULL, NULL, 0, 0, NULL, NULL},
};

const struct job *
job_find(const char *name)
{
	for (const struct job *j = job_table; j->name != NULL; j++)
		if (strcmp(j->name, name) == 0)
			return j;
	return NULL;
}

void
idcache_release(struct idcache *c)
{
	free(c->keys);
	free(c->ids);
	memset(c, 0, sizeof(*c));
}

/* Open addressing on a power-of-two table; GitHub ids are never 0. */
static size_t
slot(const struct idcache *c, int64_t key)
{
	uint64_t h = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
	size_t i = (size_t)(h >> 32) & (c->cap - 1);

	while (c->keys[i] != 0 && c->keys[i] != key)
		i = (i + 1) & (c->cap - 1);
	return i;
}

const char *
idcache_get(const struct idcache *c, int64_t key)
{
	size_t i;

	if (c->cap == 0 || key == 0)
		return NULL;
	i = slot(c, key);
	return c->keys[i] == key ? c->ids[i] : NULL;
}

void
idcache_put(struct idcache *c, int64_t key, const char *id)
{
	size_t i;

	if (key == 0)
		return;
	if ((c->n + 1) * 2 > c->cap) {
		struct idcache bigger = {NULL, NULL, 0, c->cap ? c->cap * 2 : 64};

		bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
		bigger.ids = xcalloc(bigger.cap, sizeof(*bigger.ids));
		for (size_t j = 0; j < c->cap; j++)
			if (c->keys[j] != 0)
				idcache_put(&bigger, c->keys[j], c->ids[j]);
		idcache_release(c);
		*c = bigger;
	}
	i = slot(c, key);
	if (c->keys[i] == 0)
		c->n++;
	c->keys[i] = key;
	snprintf(c->ids[i], sizeof(c->ids[i]), "%s", id);
}

void
jobs_comment_row(const struct job_ctx *ctx, struct rowset *rs, const struct gh_comment *c,
		 enum gh_comment_kind kind, const char *pr_id, const char *reply_to_id)
{
	rowset_add(rs);
	rowset_int(rs, "github_id", c->id);
	rowset_text(rs, "pull_request_id", pr_id);
	rowset_text(rs, "repository_id", ctx->repository_id);
	rowset_text(rs, "commenter_id", jobs_contributor_id(ctx, jobs_stored_user(&c->author)->id));
	rowset_text(rs, "body", c->body);
	rowset_text(rs, "created_at", c->created_at);
	rowset_text(rs, "updated_at", c->updated_at);
	rowset_text(rs, "comment_type",
		    kind == GH_ISSUE_COMMENT ? "issue_comment" : "review_comment");
	if (kind == GH_ISSUE_COMMENT)
		return;
	rowset_text(rs, "path", c->path);
	if (c->position >= 0)
		rowset_int(rs, "position", c->position);
	if (c->original_position >= 0)
		rowset_int(rs, "original_position", c->original_position);
	rowset_text(rs, "diff_hunk", c->diff_hunk);
	rowset_text(rs, "commit_id", c->commit_id);
	rowset_text(rs, "original_commit_id", c->original_commit_id);
	rowset_text(rs, "in_reply_to_id", reply_to_id);
}

const char *
jobs_contributor_id(const struct job_ctx *ctx, int64_t github_id)
{
	return idcache_get(&ctx->contributors, github_id);
}

int
jobs_upsert_contributors(struct job_ctx *ctx, const struct gh_user *const *users, size_t n,
			 struct err *e)
{
	static const char *const cols[] = {"github_id",   "username", "avatar_url",
					   "profile_url", "is_bot",   "last_updated_at"};
	struct rowset rs, out;
	char now[21];
	int rc = 0;

	if (ctx->cfg->dry_run)
		return 0;
	time_format_iso(time_now(), now);
	rowset_init(&rs, "contributors", cols, 6);
	for (size_t i = 0; i < n; i++) {
		const struct gh_user *u = users[i];
		bool dup = false;

		if (u == NULL || u->id <= 0 || idcache_get(&ctx->contributors, u->id) != NULL)
			continue;
		for (size_t r = 0; r < rs.nrows; r++) {
			int64_t id;

			dup = dup || (rowset_int_at(&rs, r, "github_id", &id) == 0 && id == u->id);
		}
		if (dup)
			continue;
		rowset_add(&rs);
		rowset_int(&rs, "github_id", u->id);
		rowset_text(&rs, "username", u->login);
		rowset_text(&rs, "avatar_url", u->avatar_url);
		rowset_text(&rs, "profile_url", u->html_url);
		rowset_bool(&rs, "is_bot", u->is_bot);
		rowset_text(&rs, "last_updated_at", now);
	}
	if (rs.nrows > 0) {
		rc = store_upsert(ctx->store, &rs, "github_id", "id,github_id", &out, e);
		for (size_t r = 0; rc == 0 && r < out.nrows; r++) {
			const char *id = rowset_text_at(&out, r, "id");
			int64_t gid;

			if (id == NULL || rowset_int_at(&out, r, "github_id", &gid) < 0)
				rc = err_set(e, ERR_STORE,
					     "store: contributor row came back without ids");
			else
				idcache_put(&ctx->contributors, gid, id);
		}
		rowset_release(&out);
	}
	rowset_release(&rs);
	return rc;
}

/* Looks up repositories by one column; fills ctx on a hit. 1 found, 0 not, -1 error. */
static int
find_repository(struct job_ctx *ctx, const char *column, const char *value, struct err *e)
{
	struct store_filter f = {column, STORE_EQ, value, NULL, 0};
	struct store_query q = {
		"repositories", "id,full_name,github_id,default_branch", &f, 1, NULL, 1};
	struct rowset rs;
	int rc = 0;

	if (store_select(ctx->store, &q, &rs, e) < 0) {
		rowset_release(&rs);
		return -1;
	}
	if (rs.nrows > 0) {
		const char *id = rowset_text_at(&rs, 0, "id");
		const char *name = rowset_text_at(&rs, 0, "full_name");

		snprintf(ctx->repository_id, sizeof(ctx->repository_id), "%s",
			 id != NULL ? id : "");
		free(ctx->repository_full_name);
		ctx->repository_full_name = xstrdup(name != NULL ? name : ctx->cfg->repository);
		if (rowset_int_at(&rs, 0, "github_id", &ctx->repository_github_id) < 0)
			ctx->repository_github_id = 0;
		free(ctx->default_branch);
		ctx->default_branch = xstrdup(rowset_text_at(&rs, 0, "default_branch"));
		rc = 1;
	}
	rowset_release(&rs);
	return rc;
}

static int
upsert_repository(struct job_ctx *ctx, const struct gh_repo *r, struct err *e)
{
	static const char *const cols[] = {"github_id",
					   "full_name",
					   "owner",
					   "name",
					   "description",
					   "homepage",
					   "language",
					   "stargazers_count",
					   "watchers_count",
					   "forks_count",
					   "open_issues_count",
					   "size",
					   "default_branch",
					   "is_fork",
					   "is_archived",
					   "is_disabled",
					   "is_private",
					   "has_issues",
					   "has_projects",
					   "has_wiki",
					   "has_pages",
					   "has_downloads",
					   "has_discussions",
					   "license",
					   "topics",
					   "avatar_url",
					   "github_created_at",
					   "github_updated_at",
					   "github_pushed_at",
					   "last_updated_at"};
	struct rowset rs, out;
	struct buf topics = BUF_INIT(1 << 20);
	char now[21];
	int rc;

	buf_putc(&topics, '[');
	for (size_t i = 0; i < r->n_topics; i++) {
		if (i > 0)
			buf_putc(&topics, ',');
		json_quote(&topics, r->topics[i]);
	}
	buf_putc(&topics, ']');
	time_format_iso(time_now(), now);
	rowset_init(&rs, "repositories", cols, sizeof(cols) / sizeof(cols[0]));
	rowset_add(&rs);
	rowset_int(&rs, "github_id", r->id);
	rowset_text(&rs, "full_name", r->full_name);
	rowset_text(&rs, "owner", r->owner);
	rowset_text(&rs, "name", r->name);
	rowset_text(&rs, "description", r->description);
	rowset_text(&rs, "homepage", r->homepage);
	rowset_text(&rs, "language", r->language);
	rowset_int(&rs, "stargazers_count", r->stargazers);
	rowset_int(&rs, "watchers_count", r->watchers);
	rowset_int(&rs, "forks_count", r->forks);
	rowset_int(&rs, "open_issues_count", r->open_issues);
	rowset_int(&rs, "size", r->size);
	rowset_text(&rs, "default_branch", r->default_branch);
	rowset_bool(&rs, "is_fork", r->fork);
	rowset_bool(&rs, "is_archived", r->archived);
	rowset_bool(&rs, "is_disabled", r->disabled);
	rowset_bool(&rs, "is_private", r->is_private);
	rowset_bool(&rs, "has_issues", r->has_issues);
	rowset_bool(&rs, "has_projects", r->has_projects);
	rowset_bool(&rs, "has_wiki", r->has_wiki);
	rowset_bool(&rs, "has_pages", r->has_pages);
	rowset_bool(&rs, "has_downloads", r->has_downloads);
	rowset_bool(&rs, "has_discussions", r->has_discussions);
	rowset_text(&rs, "license", r->license);
	rowset_json(&rs, "topics", buf_str(&topics));
	rowset_text(&rs, "avatar_url", r->avatar_url);
	rowset_text(&rs, "github_created_at", r->created_at);
	rowset_text(&rs, "github_updated_at", r->updated_at);
	rowset_text(&rs, "github_pushed_at", r->pushed_at);
	rowset_text(&rs, "last_updated_at", now);
	rc = store_upsert(ctx->store, &rs, "github_id", "id", &out, e);
	if (rc == 0) {
		const char *id = rowset_text_at(&out, 0, "id");

		if (id == NULL || !uuid_valid(id))
			rc = err_set(e, ERR_STORE, "store: repository row came back without an id");
		else
			snprintf(ctx->repository_id, sizeof(ctx->repository_id), "%s", id);
	}
	rowset_release(&out);
	rowset_release(&rs);
	buf_release(&topics);
	return rc;
}

int
jobs_resolve_repository(struct job_ctx *ctx, bool refresh, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct gh_repo repo;
	char given[37] = "";
	int rc;

	if (cfg->repository_id != NULL) {
		rc = find_repository(ctx, "id", cfg->repository_id, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return err_set(e, ERR_NOT_FOUND,
				       "repository-id '%s' has no row in repositories",
				       cfg->repository_id);
		if (strcasecmp(ctx->repository_full_name, cfg->repository) != 0)
			return err_set(e, ERR_NOT_FOUND,
				       "repository-id '%s' is the row of '%s', not of '%s'",
				       cfg->repository_id, ctx->repository_full_name,
				       cfg->repository);
		if (!refresh)
			return 0;
		snprintf(given, sizeof(given), "%s", ctx->repository_id);
	}
	if (gh_repo_get(ctx->gh, cfg->owner, cfg->name, &repo, e) < 0)
		return -1;
	ctx->repository_github_id = repo.id;
	free(ctx->repository_full_name);
	ctx->repository_full_name = xstrdup(repo.full_name);
	free(ctx->default_branch);
	ctx->default_branch = xstrdup(repo.default_branch);
	if (cfg->dry_run) {
		char gid[24];

		/* Write nothing; use the existing row if there is one. */
		snprintf(gid, sizeof(gid), "%lld", (long long)repo.id);
		rc = find_repository(ctx, "github_id", gid, e) < 0 ? -1 : 0;
	} else {
		rc = upsert_repository(ctx, &repo, e);
	}
	if (rc == 0 && given[0] != '\0' && strcmp(given, ctx->repository_id) != 0)
		rc = err_set(e, ERR_NOT_FOUND,
			     "repository-id '%s' is not the row of GitHub's repository %lld ('%s')",
			     given, (long long)repo.id, ctx->repository_id);
	gh_repo_release(&repo);
	return rc;
}

int
jobs_repository_update(struct job_ctx *ctx, const struct col_val *set, size_t n, struct err *e)
{
	struct store_filter f = {"id", STORE_EQ, ctx->repository_id, NULL, 0};
	struct rowset rs;
	int rc;

	if (ctx->cfg->dry_run || ctx->repository_id[0] == '\0' || n == 0)
		return 0;
	rowset_init(&rs, "repositories", NULL, 0);
	for (size_t i = 0; i < n; i++) {
		rs.cols = xrealloc(rs.cols, (rs.ncols + 1) * sizeof(*rs.cols));
		rs.cols[rs.ncols++] = xstrdup(set[i].col);
	}
	rowset_add(&rs);
	for (size_t i = 0; i < n; i++)
		rowset_text(&rs, set[i].col, set[i].val);
	rc = store_update(ctx->store, "repositories", &f, 1, &rs, e);
	rowset_release(&rs);
	return rc;
}

int
jobs_begin(struct job_ctx *ctx, bool refresh, struct err *e)
{
	log_group("Repository %s", ctx->cfg->repository);
	if (jobs_resolve_repository(ctx, refresh, e) < 0)
		return -1;
	log_info("repository row %s",
		 ctx->repository_id[0] != '\0' ? ctx->repository_id : "(none yet: dry run)");
	if (ctx->repository_id[0] != '\0' &&
	    progress_set_repository(ctx->progress, ctx->repository_id, e) < 0)
		return -1;
	return 0;
}

struct prfetch_options
jobs_fetch_options(const struct job_ctx *ctx, unsigned parts)
{
	struct prfetch_options o = {ctx->cfg->owner, ctx->cfg->name, parts,
				    (enum api_mode)ctx->cfg->api, ctx->cfg->batch_size};

	return o;
}

int
jobs_watermark_get(struct job_ctx *ctx, const char *stream, char out[32], struct err *e)
{
	struct store_filter f[2] = {
		{"repository_id", STORE_EQ, ctx->repository_id, NULL, 0},
		{"stream", STORE_EQ, stream, NULL, 0},
	};
	struct store_query q = {"capture_watermarks", "watermark", f, 2, NULL, 1};
	struct rowset rs;
	const char *w;
	time_t t;
	int rc = 0;

	out[0] = '\0';
	if (ctx->repository_id[0] == '\0')
		return 0;
	if (store_select(ctx->store, &q, &rs, e) < 0) {
		rowset_release(&rs);
		return -1;
	}
	w = rs.nrows > 0 ? rowset_text_at(&rs, 0, "watermark") : NULL;
	if (w != NULL && time_parse_iso(w, &t) == 0) {
		/* Normalised to GitHub's form, whatever the store printed. */
		time_format_iso(t, out);
		rc = 1;
	}
	rowset_release(&rs);
	return rc;
}

int
jobs_watermark_set(struct job_ctx *ctx, const char *stream, const char *iso, struct err *e)
{
	static const char *const cols[] = {"repository_id", "stream", "watermark", "updated_at"};
	struct rowset rs;
	char now[21];
	int rc;

	if (ctx->cfg->dry_run)
		return 0;
	time_format_iso(time_now(), now);
	rowset_init(&rs, "capture_watermarks", cols, 4);
	rowset_add(&rs);
	rowset_text(&rs, "repository_id", ctx->repository_id);
	rowset_text(&rs, "stream", stream);
	rowset_text(&rs, "watermark", iso);
	rowset_text(&rs, "updated_at", now);
	rc = store_upsert(ctx->store, &rs, "repository_id,stream", NULL, NULL, e);
	rowset_release(&rs);
	return rc;
}
