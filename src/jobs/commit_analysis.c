/*
 * jobs/commit_analysis.c - commit-analysis: the default branch's commits of
 * the last time-range days, each linked to the pull request it came in
 * through (pull_request_id) or marked a direct commit (is_direct_commit).
 *
 * GraphQL: one history query a page of 100 commits, with their stats and
 * associated pull requests (1 point). REST: the commit list, then for each
 * commit GET /commits/{sha} (stats, file count) and /commits/{sha}/pulls.
 * A commit belongs to the merged PR into the default branch among its
 * associated PRs, else the first one; none makes it direct. PRs the store has
 * no row for get one first. Commits are upserted on (repository_id, sha).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gql.h"
#include "jobs.h"
#include "json.h"
#include "log.h"
#include "util.h"

static const char *const commit_cols[] = {"sha",           "repository_id",    "author_id",
					  "committer_id",  "message",          "authored_at",
					  "committed_at",  "additions",        "deletions",
					  "changed_files", "is_direct_commit", "pull_request_id",
					  "html_url",      "updated_at"};

struct commits {
	struct job_ctx *ctx;
	struct idcache prs; /* PR number -> row id */
	size_t written, direct;
};

/* The pull request a commit came in through, or 0. */
static int
pick_pr(const struct job_ctx *ctx, const struct gh_commit *c)
{
	for (size_t i = 0; i < c->n_prs; i++)
		if (c->prs[i].merged && c->prs[i].base_ref != NULL && ctx->default_branch != NULL &&
		    strcmp(c->prs[i].base_ref, ctx->default_branch) == 0)
			return c->prs[i].number;
	return c->n_prs > 0 ? c->prs[0].number : 0;
}

/* Writes a page of commits (users resolved, PR rows ensured). */
static int
write_page(struct commits *s, struct gh_commit *c, size_t n, struct err *e)
{
	struct job_ctx *ctx = s->ctx;
	const struct gh_user **users = xcalloc(2 * n + 1, sizeof(*users));
	int64_t *numbers = xcalloc(n + 1, sizeof(*numbers));
	size_t nn = 0;
	struct rowset rs;
	char now[21];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		int pr = pick_pr(ctx, &c[i]);

		rc = gh_user_resolve(ctx->gh, &c[i].author, e);
		if (rc == 0)
			rc = gh_user_resolve(ctx->gh, &c[i].committer, e);
		users[2 * i] = &c[i].author;
		users[2 * i + 1] = &c[i].committer;
		if (pr > 0)
			numbers[nn++] = pr;
	}
	if (rc == 0 && !ctx->cfg->dry_run)
		rc = jobs_upsert_contributors(ctx, users, 2 * n, e);
	if (rc == 0 && !ctx->cfg->dry_run)
		rc = capture_pull_ids(ctx, &s->prs, numbers, nn, e);
	time_format_iso(time_now(), now);
	rowset_init(&rs, "commits", commit_cols, sizeof(commit_cols) / sizeof(commit_cols[0]));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int pr = pick_pr(ctx, &c[i]);
		const char *pr_id = pr > 0 ? idcache_get(&s->prs, pr) : NULL;

		rowset_add(&rs);
		rowset_text(&rs, "sha", c[i].sha);
		rowset_text(&rs, "repository_id", ctx->repository_id);
		rowset_text(&rs, "author_id", jobs_contributor_id(ctx, c[i].author.id));
		rowset_text(&rs, "committer_id", jobs_contributor_id(ctx, c[i].committer.id));
		rowset_text(&rs, "message", c[i].message);
		rowset_text(&rs, "authored_at", c[i].authored_at);
		rowset_text(&rs, "committed_at", c[i].committed_at);
		if (c[i].additions >= 0)
			rowset_int(&rs, "additions", c[i].additions);
		if (c[i].deletions >= 0)
			rowset_int(&rs, "deletions", c[i].deletions);
		if (c[i].changed_files >= 0)
			rowset_int(&rs, "changed_files", c[i].changed_files);
		rowset_bool(&rs, "is_direct_commit", pr == 0);
		rowset_text(&rs, "pull_request_id", pr_id);
		rowset_text(&rs, "html_url", c[i].html_url);
		rowset_text(&rs, "updated_at", now);
		s->direct += pr == 0;
	}
	if (rc == 0 && !ctx->cfg->dry_run && rs.nrows > 0)
		rc = store_upsert(ctx->store, &rs, "repository_id,sha", NULL, NULL, e);
	if (rc == 0)
		s->written += rs.nrows;
	rowset_release(&rs);
	free(users);
	free(numbers);
	return rc;
}

/* REST: each listed commit is fetched again for its stats and its pull requests. */
static int
on_rest_page(void *ud, const struct gh_commit *list, size_t n, bool *stop, struct err *e)
{
	struct commits *s = ud;
	const struct config *cfg = s->ctx->cfg;
	struct gh_commit *full = xcalloc(n ? n : 1, sizeof(*full));
	size_t got = 0;
	int rc = 0;

	(void)stop;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = gh_commit_get(s->ctx->gh, cfg->owner, cfg->name, list[i].sha, &full[got], e);
		if (rc == 0) {
			got++;
			rc = gh_commit_pulls(s->ctx->gh, cfg->owner, cfg->name, &full[got - 1], e);
		}
	}
	if (rc == 0)
		rc = write_page(s, full, got, e);
	for (size_t i = 0; i < got; i++)
		gh_commit_release(&full[i]);
	free(full);
	return rc;
}

static int
history_graphql(struct commits *s, const char *since, struct err *e)
{
	const struct config *cfg = s->ctx->cfg;
	char *cursor = NULL;
	int rc = 0;

	do {
		struct buf doc = BUF_INIT((size_t)1 << 20);
		cJSON *root = NULL;
		const cJSON *hist, *nodes, *pi, *it;
		struct gh_commit *c;
		size_t n, got = 0;

		gql_history(&doc, cfg->owner, cfg->name, since, cursor);
		rc = gh_graphql(s->ctx->gh, buf_str(&doc), NULL, &root, e);
		buf_release(&doc);
		free(cursor);
		cursor = NULL;
		if (rc < 0)
			break;
		hist = json_get(json_get(json_get(json_get(json_get(root, "data"), "repository"),
						  "defaultBranchRef"),
					 "target"),
				"history");
		nodes = json_get(hist, "nodes");
		if (!cJSON_IsArray(nodes)) {
			const cJSON *err0 = cJSON_GetArrayItem(json_get(root, "errors"), 0);

			rc = err_set(e, ERR_GITHUB, "commit history: %s",
				     json_str(err0, "message") != NULL
					     ? json_str(err0, "message")
					     : "no history in the answer");
			cJSON_Delete(root);
			break;
		}
		n = (size_t)cJSON_GetArraySize(nodes);
		c = xcalloc(n ? n : 1, sizeof(*c));
		cJSON_ArrayForEach (it, nodes) {
			if (map_gql_commit(it, &c[got], e) < 0) {
				rc = -1;
				break;
			}
			got++;
		}
		if (rc == 0)
			rc = write_page(s, c, got, e);
		for (size_t i = 0; i < got; i++)
			gh_commit_release(&c[i]);
		free(c);
		pi = json_get(hist, "pageInfo");
		if (rc == 0 && json_bool(pi, "hasNextPage", false) &&
		    json_str(pi, "endCursor") != NULL)
			cursor = xstrdup(json_str(pi, "endCursor"));
		cJSON_Delete(root);
	} while (rc == 0 && cursor != NULL);
	free(cursor);
	return rc;
}

int
job_commit_analysis(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct commits s = {ctx, {NULL, NULL, 0, 0}, 0, 0};
	char since[21], now[21];
	int rc;

	if (jobs_begin(ctx, false, e) < 0)
		return -1;
	if (ctx->default_branch == NULL)
		return err_set(e, ERR_NOT_FOUND, "repository %s has no default branch recorded",
			       cfg->repository);
	time_format_iso(time_now(), now);
	time_format_iso(time_now() - (time_t)cfg->time_range * 86400, since);
	rc = jobs_repository_update(
		ctx, (struct col_val[]){{"commit_capture_status", "processing"}}, 1, e);
	log_group("Commits of %s since %s", ctx->default_branch, since);
	if (rc == 0 && (enum api_mode)cfg->api == API_REST)
		rc = gh_commits_list(ctx->gh, cfg->owner, cfg->name, ctx->default_branch, since,
				     on_rest_page, &s, e);
	else if (rc == 0)
		rc = history_graphql(&s, since, e);
	log_info("%zu commit%s, %zu direct (no pull request)", s.written, s.written == 1 ? "" : "s",
		 s.direct);
	summary_note(ctx->summary,
		     "Commits of %s since %s: %zu, of which %zu direct (no pull request).",
		     ctx->default_branch, since, s.written, s.direct);
	ctx->processed += s.written;
	if (rc == 0)
		rc = jobs_repository_update(
			ctx,
			(struct col_val[]){{"commit_capture_status", "completed"},
					   {"last_commit_capture_at", now}},
			2, e);
	else
		jobs_repository_update(ctx, (struct col_val[]){{"commit_capture_status", "failed"}},
				       1, &(struct err){0});
	idcache_release(&s.prs);
	return rc;
}
