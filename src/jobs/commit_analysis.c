/*
 * jobs/commit_analysis.c - commit-analysis: the default branch's commits of
 * the last time-range days (commitfetch.h), each linked to the pull request
 * it came in through (pull_request_id) or marked a direct commit
 * (is_direct_commit).
 *
 * A commit belongs to the merged PR into the default branch among its
 * associated PRs, else the first one; none makes it direct. PRs the store has
 * no row for get one first. Commits are upserted on (repository_id, sha); a
 * commit that cannot be read fails on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "commitfetch.h"
#include "github.h"
#include "jobs.h"
#include "log.h"
#include "schema.h"
#include "util.h"

struct commits {
	struct job_ctx *ctx;
	struct idcache prs; /* PR number -> row id */
	size_t written, direct;
	/* Only these commits are written (a push's), when not NULL; met[i]: only[i] was seen. */
	const char *const *only;
	size_t n_only;
	bool *met;
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

/* The accounts of a page of commits (completed over REST where GraphQL had no id), stored. */
static int
commit_users(struct job_ctx *ctx, struct gh_commit *c, size_t n, struct err *e)
{
	const struct gh_user **users = xcalloc(2 * n + 1, sizeof(*users));
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = gh_user_resolve(ctx->gh, &c[i].author, e);
		if (rc == 0)
			rc = gh_user_resolve(ctx->gh, &c[i].committer, e);
		users[2 * i] = &c[i].author;
		users[2 * i + 1] = &c[i].committer;
	}
	if (rc == 0)
		rc = jobs_upsert_contributors(ctx, users, 2 * n, e);
	free(users);
	return rc;
}

static void
commit_row(struct commits *s, struct rowset *rs, const struct gh_commit *c, const char *now)
{
	struct job_ctx *ctx = s->ctx;
	int pr = pick_pr(ctx, c);

	rowset_add(rs);
	rowset_text(rs, "sha", c->sha);
	rowset_text(rs, "repository_id", ctx->repository_id);
	rowset_text(rs, "author_id", jobs_contributor_id(ctx, c->author.id));
	rowset_text(rs, "committer_id", jobs_contributor_id(ctx, c->committer.id));
	rowset_text(rs, "message", c->message);
	rowset_text(rs, "authored_at", c->authored_at);
	rowset_text(rs, "committed_at", c->committed_at);
	if (c->additions >= 0)
		rowset_int(rs, "additions", c->additions);
	if (c->deletions >= 0)
		rowset_int(rs, "deletions", c->deletions);
	if (c->changed_files >= 0)
		rowset_int(rs, "changed_files", c->changed_files);
	rowset_bool(rs, "is_direct_commit", pr == 0);
	rowset_text(rs, "pull_request_id", pr > 0 ? idcache_get(&s->prs, pr) : NULL);
	rowset_text(rs, "html_url", c->html_url);
	rowset_text(rs, "updated_at", now);
	s->direct += pr == 0;
}

/* Writes a page of commits (users resolved, PR rows ensured). */
static int
write_page(void *ud, struct gh_commit *c, size_t n, struct err *e)
{
	struct commits *s = ud;
	struct job_ctx *ctx = s->ctx;
	int64_t *numbers = xcalloc(n + 1, sizeof(*numbers));
	size_t nn = 0;
	struct rowset rs;
	char now[21];
	int rc;

	for (size_t i = 0; i < n; i++)
		if (pick_pr(ctx, &c[i]) > 0)
			numbers[nn++] = pick_pr(ctx, &c[i]);
	rc = commit_users(ctx, c, n, e);
	if (rc == 0)
		rc = capture_pull_ids(ctx, &s->prs, numbers, nn, e);
	time_format_iso(clock_now(), now);
	schema_rowset(&rs, SCHEMA_COMMITS, 0);
	for (size_t i = 0; rc == 0 && i < n; i++)
		commit_row(s, &rs, &c[i], now);
	if (rc == 0 && rs.nrows > 0)
		rc = store_upsert(ctx->store, &rs, "repository_id,sha", NULL, NULL, e);
	if (rc == 0)
		s->written += rs.nrows;
	rowset_release(&rs);
	free(numbers);
	return rc;
}

/* A page narrowed to the wanted commits, moved to its front (the walk releases all n). */
static int
filter_page(void *ud, struct gh_commit *c, size_t n, struct err *e)
{
	struct commits *s = ud;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < s->n_only && strcmp(s->only[j], c[i].sha) != 0)
			j++;
		if (j == s->n_only)
			continue;
		s->met[j] = true;
		if (i != k) {
			struct gh_commit t = c[k];

			c[k] = c[i];
			c[i] = t;
		}
		k++;
	}
	return k > 0 ? write_page(ud, c, k, e) : 0;
}

static int
on_bad(void *ud, const struct err *why, struct err *e)
{
	struct commits *s = ud;

	return jobs_item_failed(s->ctx, "a commit", why, e);
}

int
commits_capture(struct job_ctx *ctx, const char *since, const char *const *only, size_t n_only,
		size_t *missing, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct commits s = {.ctx = ctx, .only = only, .n_only = n_only};
	struct commit_sink sink = {
		.ud = &s, .commits = only != NULL ? filter_page : write_page, .bad = on_bad};
	struct commitfetch_options o = {.owner = cfg->owner,
					.name = cfg->name,
					.api = (enum api_mode)cfg->api,
					.branch = ctx->default_branch,
					.since = since};
	const char *what = only != NULL ? "Pushed commits" : "Commits";
	char now[21];
	int rc;

	s.met = xcalloc(n_only + 1, sizeof(*s.met));
	time_format_iso(clock_now(), now);
	rc = jobs_repository_update(
		ctx, (struct col_val[]){{"commit_capture_status", "processing"}}, 1, e);
	log_group("%s of %s since %s", what, ctx->default_branch, since);
	if (rc == 0)
		rc = commitfetch(ctx->gh, &o, &sink, e);
	log_info("%zu commit%s, %zu direct (no pull request)", s.written, s.written == 1 ? "" : "s",
		 s.direct);
	summary_note(ctx->summary, "%s of %s since %s: %zu, of which %zu direct (no pull request).",
		     what, ctx->default_branch, since, s.written, s.direct);
	ctx->processed += s.written;
	if (rc == 0)
		rc = jobs_repository_update(
			ctx,
			(struct col_val[]){
				{"commit_capture_status", ctx->failed > 0 ? "failed" : "completed"},
				{"last_commit_capture_at", now}},
			2, e);
	else
		jobs_repository_update(ctx, (struct col_val[]){{"commit_capture_status", "failed"}},
				       1, &(struct err){0});
	if (missing != NULL) {
		*missing = 0;
		for (size_t i = 0; i < n_only; i++)
			*missing += !s.met[i];
	}
	free(s.met);
	idcache_release(&s.prs);
	return rc;
}

int
job_commit_analysis(struct job_ctx *ctx, struct err *e)
{
	char since[21];

	if (jobs_begin(ctx, false, e) < 0)
		return -1;
	if (ctx->default_branch == NULL)
		return err_set(e, ERR_NOT_FOUND, "repository %s has no default branch recorded",
			       ctx->cfg->repository);
	jobs_since(ctx, since);
	return commits_capture(ctx, since, NULL, 0, NULL, e);
}
