/*
 * jobs/renames.c - names that moved: a login or a repository name the store
 * holds for one GitHub id while GitHub now gives it to another.
 *
 * contributors.username and repositories.full_name (and owner, name) are
 * unique as well as github_id, which is the key rows are written on. A
 * renamed or deleted account frees its login for a new one; a renamed or
 * transferred repository frees its name. Writing the newcomer then meets the
 * stale row. The stale row is never deleted or merged: it keeps its id and
 * all its history and takes its own current name, which GitHub gives by the
 * id that outlives renames (GET /user/{id}, GET /repositories/{id}), or, when
 * GitHub has it no more, a marked former name "<name>#<github id>" - never a
 * valid login or repository name, so it frees the name for good. Each move
 * is logged as a warning. A name the stale row would take may itself be held
 * (a chain of renames): that holder moves first.
 *
 * A pull request's number is its own in its repository for good: a row under
 * the same number with another GitHub id (an older script's mix-up) is the
 * same pull request, and takes the right id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "github.h"
#include "jobs.h"
#include "log.h"
#include "util.h"

#define CHAIN_MAX 8 /* holders moved in a row before the last one is marked */

/* One row of contributors or repositories that holds a name. */
struct holder {
	char id[UUID_STR_SIZE];
	int64_t github_id;
};

/* The row of table whose column is value, if another GitHub id than mine has it: 1, 0, -1. */
static int
holder_of(struct job_ctx *ctx, const char *table, const char *column, const char *value,
	  int64_t mine, struct holder *h, struct err *e)
{
	struct store_filter f[2] = {
		{.column = column, .op = STORE_EQ, .value = value},
		{.column = "github_id", .op = STORE_NEQ},
	};
	char gid[24];
	struct store_query q = {
		.table = table, .columns = "id,github_id", .filters = f, .nfilters = 2, .limit = 1};
	struct rowset rs;
	int rc;

	snprintf(gid, sizeof(gid), "%lld", (long long)mine);
	f[1].value = gid;
	rc = store_select(ctx->store, &q, &rs, e);
	if (rc == 0 && rs.nrows > 0) {
		snprintf(h->id, sizeof(h->id), "%s", rowset_text_at(&rs, 0, "id"));
		rc = rowset_int_at(&rs, 0, "github_id", &h->github_id) == 0
			     ? 1
			     : err_set(e, ERR_STORE, "store: a row of %s without its github_id",
				       table);
	}
	rowset_release(&rs);
	return rc;
}

/* Sets the columns cols[0..n) of the row id of table to vals[0..n). */
static int
set_row(struct job_ctx *ctx, const char *table, const char *id, const char *const *cols,
	const char *const *vals, size_t n, struct err *e)
{
	struct store_filter f = {.column = "id", .op = STORE_EQ, .value = id};
	struct rowset rs;
	int rc;

	rowset_init(&rs, table, cols, n);
	rowset_add(&rs);
	for (size_t i = 0; i < n; i++)
		rowset_text(&rs, cols[i], vals[i]);
	rc = store_update(ctx->store, table, &f, 1, &rs, e);
	rowset_release(&rs);
	return rc;
}

/* "<name>#<github id>": what a row GitHub has no more is called, freeing its name. */
static char *
marked(const char *name, int64_t github_id)
{
	struct buf b = BUF_INIT(1024);

	buf_printf(&b, "%s#%lld", name, (long long)github_id);
	return buf_detach(&b);
}

static int free_login(struct job_ctx *ctx, const char *login, int64_t mine, int depth,
		      struct err *e);

/* Moves the contributor row h (holding login) to its current login, or marks it. */
static int
move_contributor(struct job_ctx *ctx, const struct holder *h, const char *login, int64_t mine,
		 int depth, struct err *e)
{
	static const char *const cols[] = {"username"};
	struct gh_user now;
	int found = depth < CHAIN_MAX ? gh_user_by_id(ctx->gh, h->github_id, &now, e) : 0;
	char *name;
	int rc = 0;

	if (found < 0)
		return -1;
	if (found == 1 && strcmp(now.login, login) != 0) {
		name = xstrdup(now.login);
		rc = free_login(ctx, name, h->github_id, depth + 1, e);
		log_warn("contributor '%s' is GitHub account %lld now; the row of account %lld, "
			 "renamed since, becomes '%s'",
			 login, (long long)mine, (long long)h->github_id, name);
	} else {
		name = marked(login, h->github_id);
		log_warn("contributor '%s' is GitHub account %lld now; the row of account %lld, "
			 "which GitHub %s, becomes '%s'",
			 login, (long long)mine, (long long)h->github_id,
			 found == 1 ? "still names so" : "no longer has", name);
	}
	if (found == 1)
		gh_user_release(&now);
	if (rc == 0)
		rc = set_row(ctx, "contributors", h->id, cols, (const char *const *)&name, 1, e);
	free(name);
	return rc;
}

/* Frees login for GitHub account mine: any other row holding it moves away. */
static int
free_login(struct job_ctx *ctx, const char *login, int64_t mine, int depth, struct err *e)
{
	struct holder h = {0};
	int rc = holder_of(ctx, "contributors", "username", login, mine, &h, e);

	return rc <= 0 ? rc : move_contributor(ctx, &h, login, mine, depth, e);
}

int
jobs_free_logins(struct job_ctx *ctx, const struct rowset *rs, struct err *e)
{
	for (size_t r = 0; r < rs->nrows; r++) {
		const char *login = rowset_text_at(rs, r, "username");
		int64_t id;

		if (login != NULL && rowset_int_at(rs, r, "github_id", &id) == 0 && id > 0 &&
		    idcache_get(&ctx->contributors, id) == NULL &&
		    free_login(ctx, login, id, 0, e) < 0)
			return -1;
	}
	return 0;
}

static int free_repo_name(struct job_ctx *ctx, const char *full_name, int64_t mine, int depth,
			  struct err *e);

/* The repository row h takes owner/name (its PRs' repository_full_name follows). */
static int
rename_repo_row(struct job_ctx *ctx, const struct holder *h, const char *owner, const char *name,
		struct err *e)
{
	static const char *const cols[] = {"full_name", "owner", "name"};
	static const char *const pr_cols[] = {"repository_full_name"};
	struct store_filter f = {.column = "repository_id", .op = STORE_EQ, .value = h->id};
	struct buf full = BUF_INIT(1024);
	const char *vals[3];
	struct rowset rs;
	int rc;

	buf_printf(&full, "%s/%s", owner, name);
	vals[0] = buf_str(&full);
	vals[1] = owner;
	vals[2] = name;
	rc = set_row(ctx, "repositories", h->id, cols, vals, 3, e);
	rowset_init(&rs, "pull_requests", pr_cols, 1);
	rowset_add(&rs);
	rowset_text(&rs, "repository_full_name", buf_str(&full));
	if (rc == 0)
		rc = store_update(ctx->store, "pull_requests", &f, 1, &rs, e);
	rowset_release(&rs);
	buf_release(&full);
	return rc;
}

/* Moves the repository row h (holding full_name) to its current name, or marks it. */
static int
move_repository(struct job_ctx *ctx, const struct holder *h, const char *full_name, int64_t mine,
		int depth, struct err *e)
{
	struct gh_repo now;
	int found = depth < CHAIN_MAX ? gh_repo_by_id(ctx->gh, h->github_id, &now, e) : 0;
	const char *slash = strchr(full_name, '/');
	int rc = 0;

	if (found < 0)
		return -1;
	if (found == 1 && strcasecmp(now.full_name, full_name) != 0) {
		log_warn("repository '%s' is GitHub repository %lld now; the row of repository "
			 "%lld, renamed or transferred since, becomes '%s'",
			 full_name, (long long)mine, (long long)h->github_id, now.full_name);
		rc = free_repo_name(ctx, now.full_name, h->github_id, depth + 1, e);
		if (rc == 0)
			rc = rename_repo_row(ctx, h, now.owner, now.name, e);
	} else {
		char *owner = xstrndup(full_name, slash != NULL ? (size_t)(slash - full_name) : 0);
		char *name = marked(slash != NULL ? slash + 1 : full_name, h->github_id);

		log_warn("repository '%s' is GitHub repository %lld now; the row of repository "
			 "%lld, which GitHub %s, becomes '%s/%s'",
			 full_name, (long long)mine, (long long)h->github_id,
			 found == 1 ? "still names so" : "no longer has", owner, name);
		rc = rename_repo_row(ctx, h, owner, name, e);
		free(owner);
		free(name);
	}
	if (found == 1)
		gh_repo_release(&now);
	return rc;
}

/* Frees full_name (and its owner, name pair) for GitHub repository mine. */
static int
free_repo_name(struct job_ctx *ctx, const char *full_name, int64_t mine, int depth, struct err *e)
{
	struct holder h = {0};
	int rc = holder_of(ctx, "repositories", "full_name", full_name, mine, &h, e);

	return rc <= 0 ? rc : move_repository(ctx, &h, full_name, mine, depth, e);
}

int
jobs_free_repository_name(struct job_ctx *ctx, const struct gh_repo *r, struct err *e)
{
	return free_repo_name(ctx, r->full_name, r->id, 0, e);
}

int
jobs_adopt_pull(struct job_ctx *ctx, int number, int64_t github_id, struct err *e)
{
	static const char *const cols[] = {"github_id"};
	char num[16], gid[24];
	struct store_filter f[3] = {
		{.column = "repository_id", .op = STORE_EQ, .value = ctx->repository_id},
		{.column = "number", .op = STORE_EQ, .value = num},
		{.column = "github_id", .op = STORE_NEQ, .value = gid},
	};
	struct store_query q = {.table = "pull_requests",
				.columns = "id,github_id",
				.filters = f,
				.nfilters = 3,
				.limit = 1};
	struct rowset rs, set;
	int64_t was = 0;
	int rc;

	snprintf(num, sizeof(num), "%d", number);
	snprintf(gid, sizeof(gid), "%lld", (long long)github_id);
	rc = store_select(ctx->store, &q, &rs, e);
	if (rc == 0 && rs.nrows > 0 && rowset_int_at(&rs, 0, "github_id", &was) == 0) {
		log_warn("pull request #%d: its row had GitHub id %lld, not the pull request's "
			 "%lld; the row (and all that refers to it) is kept, with the right id",
			 number, (long long)was, (long long)github_id);
		rowset_init(&set, "pull_requests", cols, 1);
		rowset_add(&set);
		rowset_int(&set, "github_id", github_id);
		rc = store_update(ctx->store, "pull_requests", f, 3, &set, e);
		rowset_release(&set);
	}
	rowset_release(&rs);
	return rc;
}
