/*
 * jobs/common.c - what every capture job shares: the repository row,
 * contributor rows with a per-run cache, comment rows, failed items and
 * watermarks. Rows only: no HTTP, JSON or SQL here.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "github.h"
#include "jobs.h"
#include "log.h"
#include "progress.h"
#include "schema.h"
#include "util.h"

/* GitHub's stand-in for deleted accounts, as its web pages show them. */
static const struct gh_user ghost = {.id = 10137,
				     .login = "ghost",
				     .type = "User",
				     .avatar_url =
					     "https://avatars.githubusercontent.com/u/10137?v=4",
				     .html_url = "https://github.com/ghost"};

/* A conversation comment's row has the first eight columns of a comment's. */
#define ISSUE_COMMENT_COLS 8

const struct gh_user *
jobs_stored_user(const struct gh_user *u)
{
	return u->id > 0 ? u : &ghost;
}

const char *
jobs_contributor_id(const struct job_ctx *ctx, int64_t github_id)
{
	return idcache_get(&ctx->contributors, github_id);
}

void
jobs_since(const struct job_ctx *ctx, char out[21])
{
	time_format_iso(clock_now() - (time_t)ctx->cfg->time_range * 86400, out);
}

int
jobs_upsert_ids(struct job_ctx *ctx, const struct rowset *rs, struct idcache *ids, struct err *e)
{
	struct rowset out;
	int rc = store_upsert(ctx->store, rs, "github_id", "id,github_id", &out, e);

	for (size_t r = 0; rc == 0 && r < out.nrows; r++) {
		const char *id = rowset_text_at(&out, r, "id");
		int64_t gid;

		if (id == NULL || !uuid_valid(id) || rowset_int_at(&out, r, "github_id", &gid) < 0)
			rc = err_set(e, ERR_STORE, "store: a row of %s came back without its ids",
				     rs->table);
		else
			idcache_put(ids, gid, id);
	}
	rowset_release(&out);
	return rc;
}

void
jobs_contributor_rows(struct job_ctx *ctx, struct rowset *rs, const struct gh_user *const *users,
		      size_t n)
{
	char now[21];

	time_format_iso(clock_now(), now);
	for (size_t i = 0; i < n; i++) {
		const struct gh_user *u = users[i];

		if (u == NULL || u->id <= 0 || idcache_get(&ctx->contributors, u->id) != NULL)
			continue;
		rowset_add(rs);
		rowset_int(rs, "github_id", u->id);
		rowset_text(rs, "username", u->login);
		rowset_text(rs, "avatar_url", u->avatar_url);
		rowset_text(rs, "profile_url", u->html_url);
		rowset_bool(rs, "is_bot", u->is_bot);
		rowset_text(rs, "last_updated_at", now);
	}
}

int
jobs_write_contributors(struct job_ctx *ctx, const struct rowset *rs, struct err *e)
{
	int rc;

	if (rs->nrows == 0)
		return 0;
	/* The store writes a repeated github_id once (the last row wins). A login
	 * another account's row holds (renamed, deleted, reused) is freed first. */
	rc = jobs_upsert_ids(ctx, rs, &ctx->contributors, e);
	if (rc < 0 && e->code == ERR_CONFLICT) {
		log_debug("contributors: %s", e->msg);
		err_clear(e);
		rc = jobs_free_logins(ctx, rs, e);
		if (rc == 0)
			rc = jobs_upsert_ids(ctx, rs, &ctx->contributors, e);
	}
	return rc;
}

int
jobs_upsert_contributors(struct job_ctx *ctx, const struct gh_user *const *users, size_t n,
			 struct err *e)
{
	struct rowset rs;
	int rc;

	schema_rowset(&rs, SCHEMA_CONTRIBUTORS, 0);
	jobs_contributor_rows(ctx, &rs, users, n);
	rc = jobs_write_contributors(ctx, &rs, e);
	rowset_release(&rs);
	return rc;
}

void
jobs_comment_rows(struct rowset *rs, enum gh_comment_kind kind)
{
	schema_rowset(rs, SCHEMA_COMMENTS, kind == GH_ISSUE_COMMENT ? ISSUE_COMMENT_COLS : 0);
}

void
jobs_comment_row(const struct job_ctx *ctx, struct rowset *rs, const struct gh_comment *c,
		 const char *pr_id, const char *reply_to_id)
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
		    c->kind == GH_ISSUE_COMMENT ? "issue_comment" : "review_comment");
	if (c->kind == GH_ISSUE_COMMENT)
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

void
jobs_review_rows(struct rowset *rs)
{
	schema_rowset(rs, SCHEMA_REVIEWS, 0);
}

bool
jobs_review_pending(const struct gh_review *r)
{
	return r->submitted_at == NULL || r->state == NULL || strcmp(r->state, "PENDING") == 0;
}

void
jobs_review_row(const struct job_ctx *ctx, struct rowset *rs, const struct gh_review *r,
		const char *pr_id)
{
	const char *author = jobs_contributor_id(ctx, jobs_stored_user(&r->author)->id);

	rowset_add(rs);
	rowset_int(rs, "github_id", r->id);
	rowset_text(rs, "pull_request_id", pr_id);
	rowset_text(rs, "repository_id", ctx->repository_id);
	rowset_text(rs, "author_id", author);
	rowset_text(rs, "reviewer_id", author); /* contributor.info's older name for it */
	rowset_text(rs, "state", r->state);
	rowset_text(rs, "body", r->body);
	rowset_text(rs, "submitted_at", r->submitted_at);
	rowset_text(rs, "commit_id", r->commit_id);
}

int
jobs_lookup_parents(struct job_ctx *ctx, struct idcache *ids, const struct gh_comment *c, size_t n,
		    struct err *e)
{
	char(*gids)[24] = xcalloc(n ? n : 1, sizeof(*gids));
	const char **vals = xcalloc(n ? n : 1, sizeof(*vals));
	struct store_query q = {.table = "comments", .columns = "id,github_id"};
	struct rowset rs;
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (c[i].in_reply_to == 0 || idcache_get(ids, c[i].in_reply_to) != NULL)
			continue;
		snprintf(gids[k], sizeof(gids[k]), "%lld", (long long)c[i].in_reply_to);
		vals[k] = gids[k];
		k++;
	}
	rc = store_select_in(ctx->store, &q, "github_id", vals, k, &rs, e);
	for (size_t row = 0; rc == 0 && row < rs.nrows; row++) {
		const char *id = rowset_text_at(&rs, row, "id");
		int64_t gid;

		if (id != NULL && rowset_int_at(&rs, row, "github_id", &gid) == 0)
			idcache_put(ids, gid, id);
	}
	rowset_release(&rs);
	free(gids);
	free(vals);
	return rc;
}

int
jobs_item_failed(struct job_ctx *ctx, const char *label, const struct err *why, struct err *e)
{
	log_error("%s: %s", label, why->msg);
	ctx->failed++;
	return ctx->progress != NULL ? progress_item(ctx->progress, label, why, e) : 0;
}

/* Looks up repositories by one column; fills ctx on a hit. 1 found, 0 not, -1 error. */
static int
find_repository(struct job_ctx *ctx, const char *column, const char *value, struct err *e)
{
	struct store_filter f = {.column = column, .op = STORE_EQ, .value = value};
	struct store_query q = {.table = "repositories",
				.columns = "id,full_name,github_id,default_branch",
				.filters = &f,
				.nfilters = 1,
				.limit = 1};
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

/* The repository's PRs carry its current name (it may have been renamed or transferred). */
static int
rename_pulls(struct job_ctx *ctx, const char *full_name, struct err *e)
{
	static const char *const cols[] = {"repository_full_name"};
	struct store_filter f[2] = {
		{.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id},
		{.column = "repository_full_name", .op = STORE_NEQ, .value = full_name},
	};
	struct rowset rs;
	int rc;

	rowset_init(&rs, "pull_requests", cols, 1);
	rowset_add(&rs);
	rowset_text(&rs, "repository_full_name", full_name);
	rc = store_update(ctx->store, "pull_requests", f, 2, &rs, e);
	rowset_release(&rs);
	return rc;
}

static int
upsert_repository(struct job_ctx *ctx, const struct gh_repo *r, struct err *e)
{
	struct idcache ids = {0};
	struct rowset rs;
	char now[21];
	int rc;

	time_format_iso(clock_now(), now);
	schema_rowset(&rs, SCHEMA_REPOSITORIES, 0);
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
	rowset_strings(&rs, "topics", r->topics, r->n_topics);
	rowset_text(&rs, "avatar_url", r->avatar_url);
	rowset_text(&rs, "github_created_at", r->created_at);
	rowset_text(&rs, "github_updated_at", r->updated_at);
	rowset_text(&rs, "github_pushed_at", r->pushed_at);
	rowset_text(&rs, "last_updated_at", now);
	rc = jobs_upsert_ids(ctx, &rs, &ids, e);
	/* Its name held by another repository's row (renamed, transferred, reused)? */
	if (rc < 0 && e->code == ERR_CONFLICT) {
		log_debug("repositories: %s", e->msg);
		err_clear(e);
		rc = jobs_free_repository_name(ctx, r, e);
		if (rc == 0)
			rc = jobs_upsert_ids(ctx, &rs, &ids, e);
	}
	if (rc == 0)
		snprintf(ctx->repository_id, sizeof(ctx->repository_id), "%s",
			 idcache_get(&ids, r->id));
	if (rc == 0)
		rc = rename_pulls(ctx, r->full_name, e);
	idcache_release(&ids);
	rowset_release(&rs);
	return rc;
}

/* The repository-id setting: its row must exist and be the configured repository's. */
static int
given_repository(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	int rc = find_repository(ctx, "id", cfg->repository_id, e);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "repository-id '%s' has no row in repositories",
			       cfg->repository_id);
	if (strcasecmp(ctx->repository_full_name, cfg->repository) != 0)
		return err_set(e, ERR_NOT_FOUND,
			       "repository-id '%s' is the row of '%s', not of '%s'",
			       cfg->repository_id, ctx->repository_full_name, cfg->repository);
	return 0;
}

/*
 * Resolves ctx->repository_id: the repository-id setting, checked against the
 * store, or else the row upserted from GitHub's repository (by github_id).
 * refresh: upsert the row from GitHub even when repository-id names it.
 */
static int
resolve_repository(struct job_ctx *ctx, bool refresh, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	char given[UUID_STR_SIZE] = "";
	struct gh_repo repo;
	int rc;

	if (cfg->repository_id != NULL) {
		if (given_repository(ctx, e) < 0)
			return -1;
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
	rc = upsert_repository(ctx, &repo, e);
	if (rc == 0 && given[0] != '\0' && strcmp(given, ctx->repository_id) != 0)
		rc = err_set(e, ERR_NOT_FOUND,
			     "repository-id '%s' is not the row of GitHub's repository %lld ('%s')",
			     given, (long long)repo.id, ctx->repository_id);
	gh_repo_release(&repo);
	return rc;
}

int
jobs_begin(struct job_ctx *ctx, bool refresh, struct err *e)
{
	log_group("Repository %s", ctx->cfg->repository);
	if (resolve_repository(ctx, refresh, e) < 0)
		return -1;
	log_info("repository row %s", ctx->repository_id);
	/* A command without a job row of its own (plan) has nothing to record it in. */
	return ctx->progress != NULL ? progress_set_repository(ctx->progress, ctx->repository_id, e)
				     : 0;
}

const char *
jobs_job_type(const char *command)
{
	/* Their frontend's types (CONTRIBUTOR-INFO.md §1.3), so its dashboards file ours. */
	static const char *const types[][2] = {
		{"pr-details", "pr-details"},      {"pr-reviews", "reviews"},
		{"pr-comments", "comments"},       {"pr-all", "historical-pr-sync"},
		{"repository-sync", "recent-prs"}, {"commit-analysis", "commit_pr_check"},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(command, types[i][0]) == 0)
			return types[i][1];
	return command;
}

int
jobs_repository_update(struct job_ctx *ctx, const struct col_val *set, size_t n, struct err *e)
{
	struct store_filter f = {.column = "id", .op = STORE_EQ, .value = ctx->repository_id};
	struct rowset rs;
	int rc;

	if (ctx->repository_id[0] == '\0' || n == 0)
		return 0;
	rowset_init(&rs, "repositories", NULL, 0);
	for (size_t i = 0; i < n; i++)
		rowset_add_col(&rs, set[i].col);
	rowset_add(&rs);
	for (size_t i = 0; i < n; i++)
		rowset_text(&rs, set[i].col, set[i].val);
	rc = store_update(ctx->store, "repositories", &f, 1, &rs, e);
	rowset_release(&rs);
	return rc;
}

int
jobs_update_pull_counts(struct job_ctx *ctx, struct err *e)
{
	static const char *const counters[] = {"pull_request_count", "total_pull_requests"};
	struct store_filter f[2] = {
		{.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id},
	};
	char count[24];
	int64_t n;
	int rc;

	if (ctx->repository_id[0] == '\0')
		return 0;
	rc = store_count(ctx->store, "pull_requests", f, 1, &n, e);
	snprintf(count, sizeof(count), "%lld", (long long)n);
	f[0] = (struct store_filter){.column = "id", .op = STORE_EQ, .value = ctx->repository_id};
	for (size_t i = 0; rc == 0 && i < sizeof(counters) / sizeof(counters[0]); i++) {
		struct rowset rs;

		f[1] = (struct store_filter){
			.column = counters[i], .op = STORE_NULL_OR_LT, .value = count};
		rowset_init(&rs, "repositories", &counters[i], 1);
		rowset_add(&rs);
		rowset_int(&rs, counters[i], n);
		rc = store_update(ctx->store, "repositories", f, 2, &rs, e);
		rowset_release(&rs);
	}
	return rc;
}

int
jobs_watermark_get(struct job_ctx *ctx, const char *stream, char out[32], struct err *e)
{
	struct store_filter f[2] = {
		{.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id},
		{.column = "stream", .op = STORE_EQ, .value = stream},
	};
	struct store_query q = {.table = "capture_watermarks",
				.columns = "watermark",
				.filters = f,
				.nfilters = 2,
				.limit = 1};
	struct rowset rs;
	const char *w;
	time_t t;
	int rc = 0;

	out[0] = '\0';
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
	struct rowset rs;
	char now[21];
	int rc;

	time_format_iso(clock_now(), now);
	schema_rowset(&rs, SCHEMA_CAPTURE_WATERMARKS, 0);
	rowset_add(&rs);
	rowset_text(&rs, "repository_id", ctx->repository_id);
	rowset_text(&rs, "stream", stream);
	rowset_text(&rs, "watermark", iso);
	rowset_text(&rs, "updated_at", now);
	rc = store_upsert(ctx->store, &rs, "repository_id,stream", NULL, NULL, e);
	rowset_release(&rs);
	return rc;
}
