/*
 * jobs/pr_comments.c - pr-comments: conversation and review comments.
 *
 * With pr-numbers: every comment of those PRs (capture_pulls). Without: the
 * repository-wide lists (issues/comments and pulls/comments, `since` the
 * stream's watermark, or time-range days back on the first run), which cost
 * one request per 100 comments whatever the number of PRs. Comments of PRs
 * the store has no row for yet get that row first (the PR's fields); comments
 * on plain issues are left out. The lists come oldest update first, so after
 * each page the stream's watermark moves to the newest updated_at written (or
 * to the oldest reply still waiting for its parent's row): a run stopped
 * anywhere resumes from there. A comment that cannot be read fails on its
 * own, and the watermark stays before it, so the next run reads it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "github.h"
#include "jobs.h"
#include "log.h"
#include "util.h"

/* A reply whose parent had no row yet when the reply was written. */
struct orphan {
	int64_t reply, parent; /* GitHub ids */
	char updated_at[32];   /* the reply's */
};

/* One repository-wide stream being read. */
struct stream {
	struct job_ctx *ctx;
	enum gh_comment_kind kind;
	const char *name;   /* the watermark's stream */
	char newest[32];    /* newest updated_at written before any unreadable comment */
	bool held;          /* an unreadable comment was met: newest stays where it was */
	struct idcache prs; /* PR number -> row id */
	struct idcache ids; /* comment GitHub id -> row id (for replies) */
	struct orphan *orphans;
	size_t norphans;
	size_t written, issues;
};

/* Remembers a reply whose parent has no row yet: linked at the end. */
static void
add_orphan(struct stream *s, const struct gh_comment *c)
{
	struct orphan *o;

	s->orphans = xrealloc(s->orphans, (s->norphans + 1) * sizeof(*s->orphans));
	o = &s->orphans[s->norphans++];
	o->reply = c->id;
	o->parent = c->in_reply_to;
	snprintf(o->updated_at, sizeof(o->updated_at), "%s", c->updated_at);
}

/* The PR rows the page's comments belong to, and their commenters' rows. */
static int
page_prerequisites(struct stream *s, const struct gh_comment *c, size_t n, struct err *e)
{
	int64_t *numbers = xcalloc(n ? n : 1, sizeof(*numbers));
	const struct gh_user **users = xcalloc(n ? n : 1, sizeof(*users));
	size_t nn = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		users[i] = jobs_stored_user(&c[i].author);
		if (c[i].pr_number > 0)
			numbers[nn++] = c[i].pr_number;
	}
	rc = capture_pull_ids(s->ctx, &s->prs, numbers, nn, e);
	if (rc == 0)
		rc = jobs_upsert_contributors(s->ctx, users, n, e);
	if (rc == 0 && s->kind == GH_REVIEW_COMMENT)
		rc = jobs_lookup_parents(s->ctx, &s->ids, c, n, e);
	free(numbers);
	free(users);
	return rc;
}

static int
on_page(void *ud, const struct gh_comment *c, size_t n, bool *stop, struct err *e)
{
	struct stream *s = ud;
	struct rowset rs;
	int rc;

	(void)stop;
	rc = page_prerequisites(s, c, n, e);
	jobs_comment_rows(&rs, s->kind);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *pr = c[i].pr_number > 0 ? idcache_get(&s->prs, c[i].pr_number) : NULL;
		const char *parent = idcache_get(&s->ids, c[i].in_reply_to);

		if (pr == NULL) {
			s->issues++; /* a plain issue's comment, or a PR GitHub no longer has */
			continue;
		}
		jobs_comment_row(s->ctx, &rs, &c[i], pr, parent);
		/* Sorted by update time, a parent can come later. */
		if (c[i].in_reply_to != 0 && parent == NULL)
			add_orphan(s, &c[i]);
		if (!s->held && strcmp(c[i].updated_at, s->newest) > 0)
			snprintf(s->newest, sizeof(s->newest), "%s", c[i].updated_at);
	}
	if (rc == 0 && rs.nrows > 0) {
		rc = jobs_upsert_ids(s->ctx, &rs, &s->ids, e);
		s->written += rc == 0 ? rs.nrows : 0;
	}
	rowset_release(&rs);
	/* Durable progress: a stopped run starts again after what is written. */
	if (rc == 0 && s->newest[0] != '\0')
		rc = jobs_watermark_set(s->ctx, s->name,
					s->norphans > 0 ? s->orphans[0].updated_at : s->newest, e);
	return rc;
}

/* A comment of the list that cannot be read: it fails, and the watermark stays before it. */
static int
on_bad(void *ud, const struct err *why, struct err *e)
{
	struct stream *s = ud;

	s->held = true;
	return jobs_item_failed(s->ctx, "a comment of the list", why, e);
}

/* Links the replies written before their parents, now that the parents have rows. */
static int
link_orphans(struct stream *s, struct err *e)
{
	static const char *const cols[] = {"in_reply_to_id"};
	struct gh_comment *probe = xcalloc(s->norphans ? s->norphans : 1, sizeof(*probe));
	int rc;

	for (size_t i = 0; i < s->norphans; i++)
		probe[i].in_reply_to = s->orphans[i].parent;
	rc = jobs_lookup_parents(s->ctx, &s->ids, probe, s->norphans, e);
	for (size_t i = 0; rc == 0 && i < s->norphans; i++) {
		const char *parent = idcache_get(&s->ids, s->orphans[i].parent);
		char reply[24];
		struct store_filter f = {.column = "github_id", .op = STORE_EQ, .value = reply};
		struct rowset rs;

		if (parent == NULL)
			continue; /* deleted on GitHub: the reply stays unlinked */
		snprintf(reply, sizeof(reply), "%lld", (long long)s->orphans[i].reply);
		rowset_init(&rs, "comments", cols, 1);
		rowset_add(&rs);
		rowset_text(&rs, "in_reply_to_id", parent);
		rc = store_update(s->ctx->store, "comments", &f, 1, &rs, e);
		rowset_release(&rs);
	}
	free(probe);
	return rc;
}

static int
read_stream(struct job_ctx *ctx, enum gh_comment_kind kind, struct err *e)
{
	const char *name = kind == GH_ISSUE_COMMENT ? "issue_comments" : "review_comments";
	struct stream s = {.ctx = ctx, .kind = kind, .name = name};
	char since[32];
	int rc = jobs_watermark_get(ctx, name, since, e);

	if (rc < 0)
		return -1;
	if (rc == 0)
		jobs_since(ctx, since);
	log_group("%s updated since %s",
		  kind == GH_ISSUE_COMMENT ? "Conversation comments" : "Review comments", since);
	rc = gh_repo_comments(ctx->gh, ctx->cfg->owner, ctx->cfg->name, kind, since, on_page,
			      on_bad, &s, e);
	if (rc == 0 && s.norphans > 0)
		rc = link_orphans(&s, e);
	if (rc == 0 && s.newest[0] != '\0')
		rc = jobs_watermark_set(ctx, name, s.newest, e);
	log_info("  %zu written, %zu on issues (not pull requests) left out", s.written, s.issues);
	ctx->processed += s.written;
	idcache_release(&s.prs);
	idcache_release(&s.ids);
	free(s.orphans);
	return rc;
}

int
check_pr_comments(const struct config *cfg, struct err *e)
{
	if (cfg->dry_run && cfg->n_pr_numbers == 0)
		return err_set(e, ERR_INPUT,
			       "pr-comments without pr-numbers cannot be a dry run "
			       "(it reads the repository's comments since its last run)");
	return 0;
}

int
job_pr_comments(struct job_ctx *ctx, struct err *e)
{
	int64_t *numbers = NULL;
	size_t n = 0;
	int rc;

	if (jobs_begin(ctx, false, e) < 0)
		return -1;
	/* PRs given, or a job that holds PRs (plan's shards, dispatched or migrated jobs). */
	if (ctx->cfg->n_pr_numbers > 0 || select_resume_cursor(ctx) != NULL) {
		if (select_pulls(ctx, PR_COMMENTS, &numbers, &n, e) < 0)
			return -1;
		rc = capture_pulls(ctx, numbers, n, PR_COMMENTS, e);
		free(numbers);
		return rc;
	}
	summary_note(ctx->summary, "Repository-wide comment lists, since the last run.");
	rc = read_stream(ctx, GH_ISSUE_COMMENT, e);
	if (rc == 0)
		rc = read_stream(ctx, GH_REVIEW_COMMENT, e);
	log_endgroup();
	return rc;
}
