/*
 * jobs/common.c - what every capture job shares: the command table, the
 * repository row, and contributor rows with a per-run cache.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jobs.h"
#include "json.h"
#include "log.h"
#include "util.h"

const struct job job_table[] = {
	{"pr-details",
	 "pull request fields and changed files, for given numbers or the recent ones lacking them",
	 JOB_NEEDS_REPO | JOB_NEEDS_STORE | JOB_NEEDS_GITHUB, job_pr_details},
	{NULL, NULL, 0, NULL},
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

static const char *
idcache_get(const struct idcache *c, int64_t key)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->keys[i] == key)
			return c->ids[i];
	return NULL;
}

static void
idcache_put(struct idcache *c, int64_t key, const char *id)
{
	if (idcache_get(c, key) != NULL)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->keys = xrealloc(c->keys, c->cap * sizeof(*c->keys));
		c->ids = xrealloc(c->ids, c->cap * sizeof(*c->ids));
	}
	c->keys[c->n] = key;
	snprintf(c->ids[c->n], sizeof(c->ids[c->n]), "%s", id);
	c->n++;
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
	struct store_query q = {"repositories", "id,full_name,github_id", &f, 1, NULL, 1};
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
jobs_resolve_repository(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct gh_repo repo;
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
		return 0;
	}
	if (gh_repo_get(ctx->gh, cfg->owner, cfg->name, &repo, e) < 0)
		return -1;
	ctx->repository_github_id = repo.id;
	free(ctx->repository_full_name);
	ctx->repository_full_name = xstrdup(repo.full_name);
	if (cfg->dry_run) {
		char gid[24];

		/* Write nothing; use the existing row if there is one. */
		snprintf(gid, sizeof(gid), "%lld", (long long)repo.id);
		rc = find_repository(ctx, "github_id", gid, e) < 0 ? -1 : 0;
	} else {
		rc = upsert_repository(ctx, &repo, e);
	}
	gh_repo_release(&repo);
	return rc;
}
