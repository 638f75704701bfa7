/*
 * schema.c - the tables and columns the program writes, and the check that
 * the store has them. See schema.h.
 */
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

#define N(a)          (sizeof(a) / sizeof((a)[0]))
#define MISSING_SHOWN 12 /* columns a message names before "and N more" */

static const char *const id[] = {"id"};

static const char *const repositories[] = {"github_id",
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
/* Set by updates, never in a full row. */
static const char *const repositories_read[] = {"id",
						"sync_status",
						"last_synced_at",
						"commit_capture_status",
						"last_commit_capture_at",
						"pull_request_count",
						"total_pull_requests"};

static const char *const contributors[] = {"github_id",   "username", "avatar_url",
					   "profile_url", "is_bot",   "last_updated_at"};

static const char *const pull_requests[] = {"github_id",
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
					    "merged",
					    "merged_by_id",
					    "mergeable",
					    "mergeable_state",
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
static const char *const pull_requests_read[] = {"id", "last_synced_at"};

static const char *const files[] = {"pull_request_id", "filename", "status",           "additions",
				    "deletions",       "changes",  "previous_filename"};

static const char *const reviews[] = {"github_id", "pull_request_id", "repository_id",
				      "author_id", "reviewer_id",     "state",
				      "body",      "submitted_at",    "commit_id"};

/* A conversation comment's row has the first eight. */
static const char *const comments[] = {
	"github_id", "pull_request_id",    "repository_id",     "commenter_id",
	"body",      "created_at",         "updated_at",        "comment_type",
	"path",      "position",           "original_position", "diff_hunk",
	"commit_id", "original_commit_id", "in_reply_to_id"};

static const char *const commits[] = {"sha",           "repository_id",    "author_id",
				      "committer_id",  "message",          "authored_at",
				      "committed_at",  "additions",        "deletions",
				      "changed_files", "is_direct_commit", "pull_request_id",
				      "html_url",      "updated_at"};

static const char *const captures[] = {"repository_id",     "pull_request_id", "number", "part",
				       "github_updated_at", "captured_at",     "etag"};

static const char *const watermarks[] = {"repository_id", "stream", "watermark", "updated_at"};

static const char *const jobs[] = {
	"id",           "job_type",   "processor_type", "status", "time_range_days",
	"metadata",     "started_at", "completed_at",   "error",  "workflow_run_id",
	"repository_id"};

static const char *const progress[] = {
	"id",           "job_id", "total_items",   "processed_items", "failed_items",
	"current_item", "errors", "resume_cursor", "updated_at"};

#define TABLE(NAME, W, R, BY)                                                                      \
	{                                                                                          \
		NAME, W, N(W), R, N(R), BY                                                         \
	}

const struct schema_def schema_tables[SCHEMA_NTABLES] = {
	[SCHEMA_REPOSITORIES] =
		TABLE("repositories", repositories, repositories_read, "001_core.sql"),
	[SCHEMA_CONTRIBUTORS] = TABLE("contributors", contributors, id, "001_core.sql"),
	[SCHEMA_PULL_REQUESTS] =
		TABLE("pull_requests", pull_requests, pull_requests_read, "001_core.sql"),
	[SCHEMA_PULL_REQUEST_FILES] = TABLE("pull_request_files", files, id, "001_core.sql"),
	[SCHEMA_REVIEWS] = TABLE("reviews", reviews, id, "001_core.sql"),
	[SCHEMA_COMMENTS] = TABLE("comments", comments, id, "001_core.sql"),
	[SCHEMA_COMMITS] = TABLE("commits", commits, id, "001_core.sql"),
	[SCHEMA_PULL_REQUEST_CAPTURES] =
		TABLE("pull_request_captures", captures, id, "002_capture_state.sql"),
	[SCHEMA_CAPTURE_WATERMARKS] =
		TABLE("capture_watermarks", watermarks, id, "002_capture_state.sql"),
	/* Rows of these are written with their own id. */
	[SCHEMA_JOBS] = {"progressive_capture_jobs", jobs, N(jobs), NULL, 0, "001_core.sql"},
	[SCHEMA_PROGRESS] = {"progressive_capture_progress", progress, N(progress), NULL, 0,
			     "001_core.sql"},
};

void
schema_rowset(struct rowset *rs, enum schema_table t, size_t n)
{
	const struct schema_def *d = &schema_tables[t];

	rowset_init(rs, d->table, d->writes, n > 0 && n < d->nwrites ? n : d->nwrites);
}

void
schema_gaps_release(struct schema_gap *g, size_t n)
{
	(void)n;
	free(g);
}

/* Adds what the store lacks of cols[0..n) of table t to *gaps; -1 + e when it cannot tell. */
static int
table_gaps(struct store *s, size_t t, const char *const *cols, size_t n, struct schema_gap **gaps,
	   size_t *ngaps, struct err *e)
{
	bool *lacks = xcalloc(n, sizeof(*lacks));
	int rc = store_missing_columns(s, schema_tables[t].table, cols, n, lacks, e);
	size_t missing = 0;

	for (size_t i = 0; rc == 0 && i < n; i++)
		missing += lacks[i];
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!lacks[i])
			continue;
		*gaps = xrealloc(*gaps, (*ngaps + 1) * sizeof(**gaps));
		(*gaps)[(*ngaps)++] = (struct schema_gap){
			.table = schema_tables[t].table,
			.column = cols[i],
			/* Every column gone: the table is not there, and the file that makes it adds it. */
			.migration = missing == n ? schema_tables[t].created_by
						  : "005_existing_tables.sql",
			.table_missing = missing == n,
		};
	}
	free(lacks);
	return rc;
}

int
schema_gaps(struct store *s, struct schema_gap **gaps, size_t *n, struct err *e)
{
	int rc = 0;

	*gaps = NULL;
	*n = 0;
	for (size_t t = 0; rc == 0 && t < SCHEMA_NTABLES; t++) {
		const struct schema_def *d = &schema_tables[t];
		const char **cols = xcalloc(d->nwrites + d->nreads, sizeof(*cols));

		/* One probe per table: its written and its read columns together. */
		memcpy(cols, d->writes, d->nwrites * sizeof(*cols));
		if (d->nreads > 0)
			memcpy(cols + d->nwrites, d->reads, d->nreads * sizeof(*cols));
		rc = table_gaps(s, t, cols, d->nwrites + d->nreads, gaps, n, e);
		free(cols);
	}
	return rc;
}

int
schema_check(struct store *s, struct err *e)
{
	struct buf missing = BUF_INIT(4096);
	struct schema_gap *g;
	size_t n;
	int rc = schema_gaps(s, &g, &n, e);

	for (size_t i = 0; rc == 0 && i < n && i < MISSING_SHOWN; i++)
		buf_printf(&missing, "%s%s.%s", i > 0 ? ", " : "", g[i].table, g[i].column);
	if (rc == 0 && n > 0) {
		if (n > MISSING_SHOWN)
			buf_printf(&missing, " and %zu more", n - MISSING_SHOWN);
		rc = err_set(e, ERR_STORE, "the store's schema is behind: it lacks %s - %s",
			     buf_str(&missing),
			     s->schema_hint != NULL ? s->schema_hint : "upgrade it");
	}
	schema_gaps_release(g, n);
	buf_release(&missing);
	return rc;
}
