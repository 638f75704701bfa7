/*
 * jobs/event.c - event: what the event that started the workflow is about,
 * captured at once. An event about one pull request (pull_request,
 * pull_request_target, a review, a review comment, a conversation comment on
 * a PR): its review or comment written straight from the payload, then the
 * whole PR brought up to date as pr-all captures it (capture_pulls: one
 * GraphQL query). A push to the default branch: commit-analysis of the
 * pushed commits only. The payload is read by map.c (map_actions_event);
 * no HTTP, JSON or SQL here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "jobs.h"
#include "log.h"
#include "util.h"

#define EVENT_PAYLOAD_MAX ((size_t)25 << 20) /* GitHub sends no webhook payload over 25 MB */
/* A pushed commit's time in the payload is not its committer time: walk a day further back. */
#define PUSH_SINCE_SLACK 86400

/* Reads and maps the event's payload; ERR_INPUT for anything wrong with it. */
static int
read_event(const struct config *cfg, struct gh_event *ev, struct err *e)
{
	struct buf b = BUF_INIT(EVENT_PAYLOAD_MAX);
	int rc;

	memset(ev, 0, sizeof(*ev));
	if (cfg->event_name == NULL || cfg->event_path == NULL)
		return err_set(e, ERR_INPUT,
			       "event needs GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, which the "
			       "Actions runner sets");
	if (buf_read_file(&b, cfg->event_path) < 0) {
		int err = errno;

		buf_release(&b);
		return err_set(e, ERR_INPUT, "GITHUB_EVENT_PATH '%s': %s", cfg->event_path,
			       err == EFBIG ? "larger than 25 MiB" : strerror(err));
	}
	rc = map_actions_event(cfg->event_name, buf_str(&b), b.len, ev, e);
	buf_release(&b);
	if (rc < 0) {
		e->code = ERR_INPUT; /* the runner's file: nothing was sent anywhere */
		return -1;
	}
	if (ev->kind != GH_EVENT_IGNORED && cfg->repository != NULL &&
	    strcasecmp(ev->repository, cfg->repository) != 0) {
		err_set(e, ERR_INPUT, "the %s event is about %s, not the repository setting %s",
			cfg->event_name, ev->repository, cfg->repository);
		gh_event_release(ev);
		return -1;
	}
	return 0;
}

int
check_event(const struct config *cfg, struct err *e)
{
	struct gh_event ev;

	if (read_event(cfg, &ev, e) < 0)
		return -1;
	if (ev.kind == GH_EVENT_IGNORED) {
		log_notice("%s%s%s: nothing to capture (%s)", ev.name, ev.action != NULL ? " " : "",
			   ev.action != NULL ? ev.action : "", ev.why);
		gh_event_release(&ev);
		return 1;
	}
	gh_event_release(&ev);
	return 0;
}

/* The stored row of the repository's pull request number, into id: 1 found, 0 not, -1 error. */
static int
pull_row(struct job_ctx *ctx, int number, char id[UUID_STR_SIZE], struct err *e)
{
	char num[16];
	struct store_filter f[2] = {
		{.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id},
		{.column = "number", .op = STORE_EQ, .value = num},
	};
	struct store_query q = {
		.table = "pull_requests", .columns = "id", .filters = f, .nfilters = 2, .limit = 1};
	struct rowset rs;
	int rc;

	snprintf(num, sizeof(num), "%d", number);
	rc = store_select(ctx->store, &q, &rs, e);
	if (rc == 0 && rs.nrows > 0 && rowset_text_at(&rs, 0, "id") != NULL) {
		snprintf(id, UUID_STR_SIZE, "%s", rowset_text_at(&rs, 0, "id"));
		rc = 1;
	}
	rowset_release(&rs);
	return rc;
}

/* The review of a pull_request_review event, as the capture writes reviews. */
static int
write_review(struct job_ctx *ctx, const struct gh_review *r, const char *pr_id, struct err *e)
{
	const struct gh_user *user = jobs_stored_user(&r->author);
	struct rowset rs;
	int rc;

	if (jobs_review_pending(r))
		return 0;
	rc = jobs_upsert_contributors(ctx, &user, 1, e);
	jobs_review_rows(&rs);
	jobs_review_row(ctx, &rs, r, pr_id);
	if (rc == 0)
		rc = store_upsert(ctx->store, &rs, "github_id", NULL, NULL, e);
	rowset_release(&rs);
	return rc;
}

/* The comment of a comment event, as the capture writes comments (a reply linked to its parent). */
static int
write_comment(struct job_ctx *ctx, const struct gh_comment *c, const char *pr_id, struct err *e)
{
	const struct gh_user *user = jobs_stored_user(&c->author);
	struct idcache ids = {0};
	struct rowset rs;
	int rc = jobs_upsert_contributors(ctx, &user, 1, e);

	if (rc == 0)
		rc = jobs_lookup_parents(ctx, &ids, c, 1, e);
	jobs_comment_rows(&rs, c->kind);
	jobs_comment_row(ctx, &rs, c, pr_id, idcache_get(&ids, c->in_reply_to));
	if (rc == 0)
		rc = jobs_upsert_ids(ctx, &rs, &ids, e);
	rowset_release(&rs);
	idcache_release(&ids);
	return rc;
}

/*
 * The event's review or comment, written at once when its pull request has
 * a row; without one, the capture that follows writes both.
 */
static int
write_now(struct job_ctx *ctx, const struct gh_event *ev, struct err *e)
{
	const char *what = ev->kind == GH_EVENT_REVIEW ? "review" : "comment";
	char pr_id[UUID_STR_SIZE];
	int rc = pull_row(ctx, ev->number, pr_id, e);

	if (rc <= 0) {
		if (rc == 0)
			log_info("#%d is not in the store yet: its %s is written with it",
				 ev->number, what);
		return rc;
	}
	rc = ev->kind == GH_EVENT_REVIEW ? write_review(ctx, &ev->review, pr_id, e)
					 : write_comment(ctx, &ev->comment, pr_id, e);
	if (rc == 0)
		log_info("#%d: the event's %s %lld written", ev->number, what,
			 (long long)(ev->kind == GH_EVENT_REVIEW ? ev->review.id : ev->comment.id));
	/* The capture writes every account again from GitHub's answer, as pr-all would. */
	idcache_release(&ctx->contributors);
	return rc;
}

static int
capture_pull_event(struct job_ctx *ctx, const struct gh_event *ev, struct err *e)
{
	int64_t number = ev->number;

	if (jobs_begin(ctx, false, e) < 0)
		return -1;
	log_info("%s %s: pull request #%d", ev->name, ev->action, ev->number);
	if ((ev->kind == GH_EVENT_REVIEW || ev->kind == GH_EVENT_COMMENT) && !ev->gone &&
	    write_now(ctx, ev, e) < 0)
		return -1;
	return capture_pulls(ctx, &number, 1, PR_ALL, e);
}

static int
capture_push(struct job_ctx *ctx, const struct gh_event *ev, struct err *e)
{
	char since[21];
	size_t missing = 0;
	time_t t;

	if (jobs_begin(ctx, false, e) < 0)
		return -1;
	if (ctx->default_branch == NULL)
		return err_set(e, ERR_NOT_FOUND, "repository %s has no default branch recorded",
			       ctx->cfg->repository);
	if (ev->maybe_cut || time_parse_iso(ev->earliest, &t) < 0) {
		jobs_since(ctx, since);
		log_notice("the push lists %zu commits, as many as a push payload lists, so it may "
			   "have brought more: capturing the commits of %s since %s (time-range) "
			   "instead",
			   ev->n_shas, ctx->default_branch, since);
		return commits_capture(ctx, since, NULL, 0, NULL, e);
	}
	time_format_iso(t - PUSH_SINCE_SLACK, since);
	if (commits_capture(ctx, since, (const char *const *)ev->shas, ev->n_shas, &missing, e) < 0)
		return -1;
	if (missing > 0)
		log_warn("%zu of the %zu pushed commits are not in the history of %s since %s "
			 "(pushed over since?): not captured",
			 missing, ev->n_shas, ctx->default_branch, since);
	return 0;
}

int
job_event(struct job_ctx *ctx, struct err *e)
{
	struct gh_event ev;
	int rc = 0;

	if (read_event(ctx->cfg, &ev, e) < 0)
		return -1;
	if (ev.kind == GH_EVENT_PUSH)
		rc = capture_push(ctx, &ev, e);
	else if (ev.kind != GH_EVENT_IGNORED)
		rc = capture_pull_event(ctx, &ev, e);
	gh_event_release(&ev);
	return rc;
}
