/*
 * jobs/pr_details.c - pull request fields and changed files.
 *
 * For each PR: GET /pulls/{n} -> contributors + pull_requests row; every page
 * of /pulls/{n}/files -> pull_request_files rows; files the PR no longer
 * touches are removed once every page was read; last_synced_at is set last,
 * so "has details" means "every write of this PR succeeded".
 * Without pr-numbers the PRs created in the last time-range days are listed
 * from GitHub and those whose stored row is missing, never synced, or older
 * than GitHub's updated_at are captured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "log.h"
#include "util.h"

#define GITHUB_FILES_LIMIT 3000 /* GitHub lists at most this many files of a PR */
#define DELETE_CHUNK       50

static const char *const pr_cols[] = {"github_id",
				      "number",
				      "title",
				      "body",
				      "state",
				      "repository_id",
				      "repository_full_name",
				      "repository_github_id",
				      "author_id",
				      "author_github_id",
				      "base_branch",
				      "head_branch",
				      "base_ref",
				      "head_ref",
				      "draft",
				      "mergeable",
				      "mergeable_state",
				      "merged",
				      "merged_by_id",
				      "created_at",
				      "updated_at",
				      "merged_at",
				      "closed_at",
				      "additions",
				      "deletions",
				      "changed_files",
				      "commits",
				      "html_url",
				      "diff_url",
				      "patch_url"};

static const char *const file_cols[] = {"pull_request_id",  "filename",  "status",
					"additions",        "deletions", "changes",
					"previous_filename"};

/* One PR's file walk: rows written so far and the names seen. */
struct files_state {
	struct job_ctx *ctx;
	const char *pull_request_id; /* NULL in a dry run */
	char **seen;
	size_t nseen;
};

static int
on_files(void *ud, const struct gh_file *files, size_t n, struct err *e)
{
	struct files_state *st = ud;
	struct rowset rs;
	int rc = 0;

	st->seen = xrealloc(st->seen, (st->nseen + n) * sizeof(*st->seen));
	for (size_t i = 0; i < n; i++)
		st->seen[st->nseen++] = xstrdup(files[i].filename);
	if (st->pull_request_id == NULL)
		return 0;
	rowset_init(&rs, "pull_request_files", file_cols, sizeof(file_cols) / sizeof(file_cols[0]));
	for (size_t i = 0; i < n; i++) {
		rowset_add(&rs);
		rowset_text(&rs, "pull_request_id", st->pull_request_id);
		rowset_text(&rs, "filename", files[i].filename);
		rowset_text(&rs, "status", files[i].status);
		rowset_int(&rs, "additions", files[i].additions);
		rowset_int(&rs, "deletions", files[i].deletions);
		rowset_int(&rs, "changes", files[i].changes);
		rowset_text(&rs, "previous_filename", files[i].previous_filename);
	}
	rc = store_upsert(st->ctx->store, &rs, "pull_request_id,filename", NULL, NULL, e);
	rowset_release(&rs);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes the stored files of the PR that the walk did not see. */
static int
remove_stale_files(struct files_state *st, struct err *e)
{
	struct store_filter f = {"pull_request_id", STORE_EQ, st->pull_request_id, NULL, 0};
	struct store_query q = {"pull_request_files", "filename", &f, 1, "filename", 0};
	struct rowset rs;
	const char **stale = NULL;
	size_t nstale = 0;
	int rc = 0;

	if (store_select(st->ctx->store, &q, &rs, e) < 0) {
		rowset_release(&rs);
		return -1;
	}
	if (st->nseen > 0)
		qsort(st->seen, st->nseen, sizeof(*st->seen), cmp_str);
	for (size_t r = 0; r < rs.nrows; r++) {
		const char *name = rowset_text_at(&rs, r, "filename");

		if (name != NULL &&
		    (st->nseen == 0 ||
		     bsearch(&name, st->seen, st->nseen, sizeof(*st->seen), cmp_str) == NULL)) {
			stale = xrealloc(stale, (nstale + 1) * sizeof(*stale));
			stale[nstale++] = name;
		}
	}
	for (size_t i = 0; rc == 0 && i < nstale; i += DELETE_CHUNK) {
		struct store_filter d[2] = {
			{"pull_request_id", STORE_EQ, st->pull_request_id, NULL, 0},
			{"filename", STORE_IN, NULL, stale + i,
			 nstale - i < DELETE_CHUNK ? nstale - i : DELETE_CHUNK},
		};

		rc = store_delete(st->ctx->store, "pull_request_files", d, 2, e);
	}
	if (rc == 0 && nstale > 0)
		log_info("  removed %zu file%s the pull request no longer touches", nstale,
			 nstale == 1 ? "" : "s");
	free(stale);
	rowset_release(&rs);
	return rc;
}

static int
upsert_pull(struct job_ctx *ctx, const struct gh_pull *p, char id_out[37], struct err *e)
{
	struct rowset rs, out;
	const char *author = jobs_contributor_id(ctx, p->author.id);
	const char *merger = jobs_contributor_id(ctx, p->merged_by.id);
	const char *id;
	int rc;

	rowset_init(&rs, "pull_requests", pr_cols, sizeof(pr_cols) / sizeof(pr_cols[0]));
	rowset_add(&rs);
	rowset_int(&rs, "github_id", p->id);
	rowset_int(&rs, "number", p->number);
	rowset_text(&rs, "title", p->title);
	rowset_text(&rs, "body", p->body);
	rowset_text(&rs, "state", p->state);
	rowset_text(&rs, "repository_id", ctx->repository_id);
	rowset_text(&rs, "repository_full_name", ctx->repository_full_name);
	if (ctx->repository_github_id > 0)
		rowset_int(&rs, "repository_github_id", ctx->repository_github_id);
	rowset_text(&rs, "author_id", author);
	if (p->author.id > 0)
		rowset_int(&rs, "author_github_id", p->author.id);
	rowset_text(&rs, "base_branch", p->base_ref);
	rowset_text(&rs, "head_branch", p->head_ref);
	rowset_text(&rs, "base_ref", p->base_ref);
	rowset_text(&rs, "head_ref", p->head_ref);
	rowset_bool(&rs, "draft", p->draft);
	if (p->mergeable >= 0)
		rowset_bool(&rs, "mergeable", p->mergeable == 1);
	rowset_text(&rs, "mergeable_state", p->mergeable_state);
	rowset_bool(&rs, "merged", p->merged);
	rowset_text(&rs, "merged_by_id", merger);
	rowset_text(&rs, "created_at", p->created_at);
	rowset_text(&rs, "updated_at", p->updated_at);
	rowset_text(&rs, "merged_at", p->merged_at);
	rowset_text(&rs, "closed_at", p->closed_at);
	rowset_int(&rs, "additions", p->additions);
	rowset_int(&rs, "deletions", p->deletions);
	rowset_int(&rs, "changed_files", p->changed_files);
	rowset_int(&rs, "commits", p->commits);
	rowset_text(&rs, "html_url", p->html_url);
	rowset_text(&rs, "diff_url", p->diff_url);
	rowset_text(&rs, "patch_url", p->patch_url);
	rc = store_upsert(ctx->store, &rs, "github_id", "id", &out, e);
	if (rc == 0) {
		id = rowset_text_at(&out, 0, "id");
		if (id == NULL || !uuid_valid(id))
			rc = err_set(e, ERR_STORE,
				     "store: pull request row came back without an id");
		else
			snprintf(id_out, 37, "%s", id);
	}
	rowset_release(&out);
	rowset_release(&rs);
	return rc;
}

static int
mark_synced(struct job_ctx *ctx, const char *pull_request_id, struct err *e)
{
	static const char *const cols[] = {"last_synced_at"};
	struct store_filter f = {"id", STORE_EQ, pull_request_id, NULL, 0};
	struct rowset rs;
	char now[21];
	int rc;

	time_format_iso(time_now(), now);
	rowset_init(&rs, "pull_requests", cols, 1);
	rowset_add(&rs);
	rowset_text(&rs, "last_synced_at", now);
	rc = store_update(ctx->store, "pull_requests", &f, 1, &rs, e);
	rowset_release(&rs);
	return rc;
}

static void
summary_pull(struct job_ctx *ctx, const struct gh_pull *p, size_t files)
{
	struct buf num = BUF_INIT(64), title = BUF_INIT(2048), author = BUF_INIT(256);
	struct buf diff = BUF_INIT(64), nfiles = BUF_INIT(32);
	const char *cells[6];

	buf_printf(&num, "#%d", p->number);
	md_escape(&title, p->title, 80);
	md_escape(&author, p->author.login != NULL ? p->author.login : "(none)", 40);
	buf_printf(&diff, "+%lld −%lld", (long long)p->additions, (long long)p->deletions);
	buf_printf(&nfiles, "%zu", files);
	cells[0] = buf_str(&num);
	cells[1] = buf_str(&title);
	cells[2] = p->state;
	cells[3] = buf_str(&diff);
	cells[4] = buf_str(&nfiles);
	cells[5] = buf_str(&author);
	summary_row(ctx->summary, cells, 6);
	buf_release(&num);
	buf_release(&title);
	buf_release(&author);
	buf_release(&diff);
	buf_release(&nfiles);
}

static int
capture_one(struct job_ctx *ctx, int number, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct gh_pull pull;
	struct files_state st = {ctx, NULL, NULL, 0};
	const struct gh_user *users[2];
	char pr_id[37] = "";
	int rc;

	if (gh_pull_get(ctx->gh, cfg->owner, cfg->name, number, &pull, e) < 0)
		return -1;
	users[0] = &pull.author;
	users[1] = &pull.merged_by;
	rc = jobs_upsert_contributors(ctx, users, 2, e);
	if (rc == 0 && !cfg->dry_run) {
		rc = upsert_pull(ctx, &pull, pr_id, e);
		st.pull_request_id = pr_id;
	}
	if (rc == 0)
		rc = gh_pull_files(ctx->gh, cfg->owner, cfg->name, number, on_files, &st, e);
	if (rc == 0 && (int64_t)st.nseen != pull.changed_files) {
		if (st.nseen >= GITHUB_FILES_LIMIT)
			log_warn("pull request #%d changes %lld files; GitHub lists only the first "
				 "%d",
				 number, (long long)pull.changed_files, GITHUB_FILES_LIMIT);
		else
			log_warn("pull request #%d: GitHub listed %zu files but counts %lld "
				 "(it changed while being read?)",
				 number, st.nseen, (long long)pull.changed_files);
	}
	/* Only a complete list says which stored files are gone. */
	if (rc == 0 && !cfg->dry_run && st.nseen < GITHUB_FILES_LIMIT)
		rc = remove_stale_files(&st, e);
	if (rc == 0 && !cfg->dry_run)
		rc = mark_synced(ctx, pr_id, e);
	if (rc == 0) {
		log_info("  #%d %s: %s, +%lld -%lld, %zu file%s", number, pull.title, pull.state,
			 (long long)pull.additions, (long long)pull.deletions, st.nseen,
			 st.nseen == 1 ? "" : "s");
		summary_pull(ctx, &pull, st.nseen);
	}
	for (size_t i = 0; i < st.nseen; i++)
		free(st.seen[i]);
	free(st.seen);
	gh_pull_release(&pull);
	return rc;
}

/* The recent-PR walk: numbers and GitHub's updated_at of PRs created since cutoff. */
struct recent {
	time_t cutoff;
	int *numbers;
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

/* True if the stored row (if any) of PR number already has GitHub's latest details. */
static bool
stored_is_current(const struct rowset *rs, int number, time_t updated)
{
	for (size_t r = 0; r < rs->nrows; r++) {
		int64_t n;
		time_t t;
		const char *upd = rowset_text_at(rs, r, "updated_at");

		if (rowset_int_at(rs, r, "number", &n) < 0 || n != number)
			continue;
		return rowset_text_at(rs, r, "last_synced_at") != NULL && upd != NULL &&
		       time_parse_iso(upd, &t) == 0 && t == updated;
	}
	return false;
}

static int
select_lacking(struct job_ctx *ctx, int64_t **out, size_t *nout, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	struct recent r = {0};
	struct rowset rs = {0};
	char cutoff[21];
	int rc;

	r.cutoff = time_now() - (time_t)cfg->time_range * 86400;
	time_format_iso(r.cutoff, cutoff);
	rc = gh_pulls_list(ctx->gh, cfg->owner, cfg->name, "created", on_recent, &r, e);
	if (rc == 0 && ctx->repository_id[0] != '\0') {
		struct store_filter f[2] = {
			{"repository_id", STORE_EQ, ctx->repository_id, NULL, 0},
			{"created_at", STORE_GTE, cutoff, NULL, 0},
		};
		struct store_query q = {
			"pull_requests", "number,updated_at,last_synced_at", f, 2, "number", 0};

		rc = store_select(ctx->store, &q, &rs, e);
	}
	*out = NULL;
	*nout = 0;
	for (size_t i = 0; rc == 0 && i < r.n; i++) {
		if (stored_is_current(&rs, r.numbers[i], r.updated[i])) {
			ctx->skipped++;
			continue;
		}
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		(*out)[(*nout)++] = r.numbers[i];
	}
	log_info("%zu pull request%s created since %s; %zu lack details, %zu are up to date", r.n,
		 r.n == 1 ? "" : "s", cutoff, *nout, ctx->skipped);
	rowset_release(&rs);
	free(r.numbers);
	free(r.updated);
	return rc;
}

int
job_pr_details(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	int64_t *numbers = NULL;
	size_t n = 0;
	int rc = 0;

	log_group("Repository %s", cfg->repository);
	if (jobs_resolve_repository(ctx, e) < 0)
		return -1;
	log_info("repository row %s",
		 ctx->repository_id[0] != '\0' ? ctx->repository_id : "(none: dry run)");
	if (ctx->repository_id[0] != '\0' &&
	    progress_set_repository(ctx->progress, ctx->repository_id, e) < 0)
		return -1;

	if (cfg->n_pr_numbers > 0) {
		numbers = xcalloc(cfg->n_pr_numbers, sizeof(*numbers));
		memcpy(numbers, cfg->pr_numbers, cfg->n_pr_numbers * sizeof(*numbers));
		n = cfg->n_pr_numbers;
	} else {
		log_group("Finding pull requests of the last %d days that lack details",
			  cfg->time_range);
		if (select_lacking(ctx, &numbers, &n, e) < 0)
			return -1;
	}
	if (cfg->max_items > 0 && n > (size_t)cfg->max_items) {
		log_notice(
			"capturing %lld of %zu pull requests (max-items); run again for the rest",
			(long long)cfg->max_items, n);
		n = (size_t)cfg->max_items;
	}
	if (progress_set_total(ctx->progress, n, e) < 0) {
		free(numbers);
		return -1;
	}

	log_group("Capturing %zu pull request%s", n, n == 1 ? "" : "s");
	summary_raw(ctx->summary, "| PR | Title | State | Lines | Files | Author |\n"
				  "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		struct err item;
		char label[32];

		err_clear(&item);
		snprintf(label, sizeof(label), "#%lld", (long long)numbers[i]);
		rc = capture_one(ctx, (int)numbers[i], &item);
		if (rc < 0 && (item.code == ERR_RATE || item.code == ERR_AUTH ||
			       item.code == ERR_STORE || item.code == ERR_CANCELLED)) {
			/* Not this PR's fault: stop the run with this error. */
			*e = item;
			break;
		}
		if (rc < 0) {
			log_error("pull request %s: %s", label, item.msg);
			ctx->failed++;
			rc = 0;
		} else {
			ctx->processed++;
		}
		if (progress_item(ctx->progress, label, item.code == ERR_NONE, item.msg, e) < 0) {
			rc = -1;
			break;
		}
	}
	log_endgroup();
	free(numbers);
	return rc;
}
