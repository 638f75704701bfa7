/*
 * map.c - GitHub JSON (REST and GraphQL) to the structs of model.h, and the
 * old queue's JSON (an export of Inngest events, a job row's metadata).
 * Pure functions: no I/O, no globals; every field checked; fuzzed. Both APIs
 * map to the same values, so either path writes the same rows.
 */
#include "map.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "numlist.h"
#include "util.h"

/* Required string field: copied, or -1 naming the field. */
static int
req_str(const cJSON *j, const char *what, const char *key, char **out, struct err *e)
{
	const char *s = json_str(j, key);

	if (s == NULL)
		return err_set(e, ERR_PARSE, "%s%sfield '%s' is missing or not a string",
			       what != NULL ? what : "", what != NULL ? ": " : "", key);
	*out = xstrdup(s);
	return 0;
}

/* Optional string field: copied, or NULL when absent or null. */
static char *
opt_str(const cJSON *j, const char *key)
{
	return xstrdup(json_str(j, key));
}

/*
 * A PR's body: REST says null for none, GraphQL "" (its body is String!).
 * Both become NULL, so the two APIs write the same row.
 */
static char *
opt_body(const cJSON *j)
{
	const char *s = json_str(j, "body");

	return s != NULL && s[0] != '\0' ? xstrdup(s) : NULL;
}

static int
req_int(const cJSON *j, const char *what, const char *key, int64_t *out, struct err *e)
{
	if (json_int64(j, key, out) < 0)
		return err_set(e, ERR_PARSE, "%s%sfield '%s' is missing or not an integer",
			       what != NULL ? what : "", what != NULL ? ": " : "", key);
	return 0;
}

/* Optional time stamp: copied if present and valid ISO-8601, NULL if null/absent, error if garbage. */
static int
opt_time(const cJSON *j, const char *what, const char *key, char **out, struct err *e)
{
	const char *s = json_str(j, key);
	time_t t;

	*out = NULL;
	if (s == NULL) {
		const cJSON *v = json_get(j, key);

		if (v != NULL && !cJSON_IsNull(v))
			return err_set(e, ERR_PARSE, "%s: field '%s' is not a time stamp", what,
				       key);
		return 0;
	}
	if (time_parse_iso(s, &t) < 0)
		return err_set(e, ERR_PARSE, "%s: field '%s' is not a time stamp: '%.40s'", what,
			       key, s);
	*out = xstrdup(s);
	return 0;
}

static int
req_time(const cJSON *j, const char *what, const char *key, char **out, struct err *e)
{
	if (opt_time(j, what, key, out, e) < 0)
		return -1;
	if (*out == NULL)
		return err_set(e, ERR_PARSE, "%s: field '%s' is missing", what, key);
	return 0;
}

/* A REST user object's fields; messages name the field only (callers say whose). */
static int
user_fields(const cJSON *j, struct gh_user *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "not an object");
	if (req_int(j, NULL, "id", &out->id, e) < 0)
		goto fail;
	if (out->id <= 0) {
		err_set(e, ERR_PARSE, "field 'id' is not positive (%lld)", (long long)out->id);
		goto fail;
	}
	if (req_str(j, NULL, "login", &out->login, e) < 0)
		goto fail;
	out->type = opt_str(j, "type");
	out->avatar_url = opt_str(j, "avatar_url");
	out->html_url = opt_str(j, "html_url");
	out->is_bot = (out->type != NULL && strcmp(out->type, "Bot") == 0);
	return 0;
fail:
	gh_user_release(out);
	return -1;
}

int
map_user(const cJSON *j, struct gh_user *out, struct err *e)
{
	if (user_fields(j, out, e) < 0)
		return err_prefix(e, "user: ");
	return 0;
}

/*
 * An optional user: null, absent or {} (GitHub's "empty-object" for a commit
 * whose e-mail matches no account) give id 0 - no linked account.
 */
static int
opt_user(const cJSON *j, const char *what, const char *key, struct gh_user *out, struct err *e)
{
	const cJSON *u = json_get(j, key);

	memset(out, 0, sizeof(*out));
	if (u == NULL || cJSON_IsNull(u) || (cJSON_IsObject(u) && u->child == NULL))
		return 0;
	if (user_fields(u, out, e) < 0)
		return err_prefix(e, "%s: %s: ", what, key);
	return 0;
}

int
map_repo(const cJSON *j, struct gh_repo *r, struct err *e)
{
	const char *what = "repository";
	const cJSON *owner;
	const cJSON *lic;
	const cJSON *topics;

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "repository: not an object");
	owner = json_get(j, "owner");
	if (req_int(j, what, "id", &r->id, e) < 0 ||
	    req_str(j, what, "full_name", &r->full_name, e) < 0 ||
	    req_str(j, what, "name", &r->name, e) < 0 ||
	    req_str(owner, what, "login", &r->owner, e) < 0 ||
	    opt_time(j, what, "created_at", &r->created_at, e) < 0 ||
	    opt_time(j, what, "updated_at", &r->updated_at, e) < 0 ||
	    opt_time(j, what, "pushed_at", &r->pushed_at, e) < 0)
		goto fail;
	r->description = opt_str(j, "description");
	r->homepage = opt_str(j, "homepage");
	r->language = opt_str(j, "language");
	r->default_branch = opt_str(j, "default_branch");
	r->html_url = opt_str(j, "html_url");
	r->avatar_url = opt_str(owner, "avatar_url");
	lic = json_get(j, "license");
	r->license = opt_str(lic, "spdx_id");
	if (r->license == NULL)
		r->license = opt_str(lic, "key");
	json_int64(j, "stargazers_count", &r->stargazers);
	json_int64(j, "watchers_count", &r->watchers);
	json_int64(j, "forks_count", &r->forks);
	json_int64(j, "open_issues_count", &r->open_issues);
	json_int64(j, "size", &r->size);
	r->fork = json_bool(j, "fork", false);
	r->archived = json_bool(j, "archived", false);
	r->disabled = json_bool(j, "disabled", false);
	r->is_private = json_bool(j, "private", false);
	r->has_issues = json_bool(j, "has_issues", true);
	r->has_projects = json_bool(j, "has_projects", true);
	r->has_wiki = json_bool(j, "has_wiki", true);
	r->has_pages = json_bool(j, "has_pages", false);
	r->has_downloads = json_bool(j, "has_downloads", true);
	r->has_discussions = json_bool(j, "has_discussions", false);
	topics = json_get(j, "topics");
	if (cJSON_IsArray(topics)) {
		const cJSON *t;

		r->topics = xcalloc((size_t)cJSON_GetArraySize(topics), sizeof(char *));
		cJSON_ArrayForEach (t, topics)
			if (cJSON_IsString(t))
				r->topics[r->n_topics++] = xstrdup(t->valuestring);
	}
	return 0;
fail:
	gh_repo_release(r);
	return -1;
}

/* Starts p from j: zeroed, its number (1 to 2^31 - 1) read; what becomes "pull request #N". */
static int
pull_number(const cJSON *j, struct gh_pull *p, char what[32], struct err *e)
{
	int64_t n;

	memset(p, 0, sizeof(*p));
	p->mergeable = -1;
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "pull request: not an object");
	if (req_int(j, "pull request", "number", &n, e) < 0)
		return -1;
	if (n <= 0 || n > INT32_MAX)
		return err_set(e, ERR_PARSE, "pull request: number %lld out of range",
			       (long long)n);
	p->number = (int)n;
	snprintf(what, 32, "pull request #%d", p->number);
	return 0;
}

int
map_pull(const cJSON *j, struct gh_pull *p, struct err *e)
{
	char what[32] = "pull request";
	const char *state;
	const cJSON *m;

	if (pull_number(j, p, what, e) < 0)
		return -1;
	if (req_int(j, what, "id", &p->id, e) < 0 || req_str(j, what, "title", &p->title, e) < 0 ||
	    req_time(j, what, "created_at", &p->created_at, e) < 0 ||
	    req_time(j, what, "updated_at", &p->updated_at, e) < 0 ||
	    opt_time(j, what, "closed_at", &p->closed_at, e) < 0 ||
	    opt_time(j, what, "merged_at", &p->merged_at, e) < 0 ||
	    opt_user(j, what, "user", &p->author, e) < 0 ||
	    opt_user(j, what, "merged_by", &p->merged_by, e) < 0)
		goto fail;
	state = json_str(j, "state");
	if (state == NULL || (strcmp(state, "open") != 0 && strcmp(state, "closed") != 0)) {
		err_set(e, ERR_PARSE, "%s: field 'state' is not open or closed", what);
		goto fail;
	}
	if (req_str(json_get(j, "base"), what, "ref", &p->base_ref, e) < 0 ||
	    req_str(json_get(j, "head"), what, "ref", &p->head_ref, e) < 0)
		goto fail;
	/* Lists have no "merged" field; a merge time says the same. */
	p->merged = json_bool(j, "merged", p->merged_at != NULL);
	p->state = xstrdup(p->merged ? "merged" : state);
	p->body = opt_body(j);
	p->html_url = opt_str(j, "html_url");
	p->diff_url = opt_str(j, "diff_url");
	p->patch_url = opt_str(j, "patch_url");
	p->mergeable_state = opt_str(j, "mergeable_state");
	p->draft = json_bool(j, "draft", false);
	m = json_get(j, "mergeable");
	p->mergeable = cJSON_IsTrue(m) ? 1 : cJSON_IsFalse(m) ? 0 : -1;
	if (json_get(j, "additions") != NULL) {
		if (req_int(j, what, "additions", &p->additions, e) < 0 ||
		    req_int(j, what, "deletions", &p->deletions, e) < 0 ||
		    req_int(j, what, "changed_files", &p->changed_files, e) < 0 ||
		    req_int(j, what, "commits", &p->commits, e) < 0)
			goto fail;
		p->has_counters = true;
	}
	return 0;
fail:
	gh_pull_release(p);
	return -1;
}

int
map_file(const cJSON *j, struct gh_file *f, struct err *e)
{
	static const char *const statuses[] = {"added",  "removed", "modified", "renamed",
					       "copied", "changed", "unchanged"};
	bool known = false;

	memset(f, 0, sizeof(*f));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "file: not an object");
	if (req_str(j, "file", "filename", &f->filename, e) < 0)
		return -1;
	if (f->filename[0] == '\0') {
		err_set(e, ERR_PARSE, "file: empty filename");
		goto fail;
	}
	if (req_str(j, "file", "status", &f->status, e) < 0 ||
	    req_int(j, "file", "additions", &f->additions, e) < 0 ||
	    req_int(j, "file", "deletions", &f->deletions, e) < 0 ||
	    req_int(j, "file", "changes", &f->changes, e) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		known = known || strcmp(f->status, statuses[i]) == 0;
	if (!known) {
		err_set(e, ERR_PARSE, "file '%.200s': unknown status '%.32s'", f->filename,
			f->status);
		goto fail;
	}
	f->previous_filename = opt_str(j, "previous_filename");
	return 0;
fail:
	gh_file_release(f);
	return -1;
}

/* Optional integer: -1 when absent or null; error when present but not an integer. */
static int
opt_int(const cJSON *j, const char *what, const char *key, int64_t *out, struct err *e)
{
	const cJSON *v = json_get(j, key);

	*out = -1;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (json_value_int64(v, out) < 0)
		return err_set(e, ERR_PARSE, "%s: field '%s' is not an integer", what, key);
	return 0;
}

/* The number after marker in url ("/pull/" in https://github.com/o/r/pull/12#x), or 0. */
static int
number_after(const char *url, const char *marker)
{
	const char *p = url != NULL ? strstr(url, marker) : NULL;
	int64_t n = 0;

	if (p == NULL)
		return 0;
	p += strlen(marker);
	while (*p >= '0' && *p <= '9' && n < INT32_MAX)
		n = n * 10 + (*p++ - '0');
	return n > 0 && n <= INT32_MAX ? (int)n : 0;
}

int
map_review(const cJSON *j, struct gh_review *r, struct err *e)
{
	char what[48] = "review";

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "review: not an object");
	if (req_int(j, what, "id", &r->id, e) < 0)
		return -1;
	snprintf(what, sizeof(what), "review %lld", (long long)r->id);
	if (req_str(j, what, "state", &r->state, e) < 0 ||
	    opt_time(j, what, "submitted_at", &r->submitted_at, e) < 0 ||
	    opt_user(j, what, "user", &r->author, e) < 0)
		goto fail;
	r->body = opt_str(j, "body");
	r->commit_id = opt_str(j, "commit_id");
	r->pr_number = number_after(json_str(j, "pull_request_url"), "/pulls/");
	return 0;
fail:
	gh_review_release(r);
	return -1;
}

int
map_comment(const cJSON *j, enum gh_comment_kind kind, struct gh_comment *c, struct err *e)
{
	const char *kind_name = kind == GH_REVIEW_COMMENT ? "review comment" : "comment";
	char what[48];

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->position = c->original_position = -1;
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "%s: not an object", kind_name);
	if (req_int(j, kind_name, "id", &c->id, e) < 0)
		return -1;
	snprintf(what, sizeof(what), "%s %lld", kind_name, (long long)c->id);
	if (req_str(j, what, "body", &c->body, e) < 0 ||
	    req_time(j, what, "created_at", &c->created_at, e) < 0 ||
	    req_time(j, what, "updated_at", &c->updated_at, e) < 0 ||
	    opt_user(j, what, "user", &c->author, e) < 0)
		goto fail;
	if (kind == GH_ISSUE_COMMENT) {
		/* A PR's conversation comment links to .../pull/N; an issue's to .../issues/N. */
		c->pr_number = number_after(json_str(j, "html_url"), "/pull/");
		return 0;
	}
	if (req_str(j, what, "path", &c->path, e) < 0 ||
	    opt_int(j, what, "position", &c->position, e) < 0 ||
	    opt_int(j, what, "original_position", &c->original_position, e) < 0 ||
	    opt_int(j, what, "in_reply_to_id", &c->in_reply_to, e) < 0)
		goto fail;
	if (c->in_reply_to < 0)
		c->in_reply_to = 0;
	c->diff_hunk = opt_str(j, "diff_hunk");
	c->commit_id = opt_str(j, "commit_id");
	c->original_commit_id = opt_str(j, "original_commit_id");
	c->pr_number = number_after(json_str(j, "pull_request_url"), "/pulls/");
	return 0;
fail:
	gh_comment_release(c);
	return -1;
}

int
map_commit(const cJSON *j, struct gh_commit *c, struct err *e)
{
	char what[64] = "commit", author[96], committer[96];
	const cJSON *commit = json_get(j, "commit");
	const cJSON *stats = json_get(j, "stats");
	const cJSON *files = json_get(j, "files");

	memset(c, 0, sizeof(*c));
	c->additions = c->deletions = c->changed_files = -1;
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "commit: not an object");
	if (req_str(j, what, "sha", &c->sha, e) < 0)
		return -1;
	snprintf(what, sizeof(what), "commit %.12s", c->sha);
	snprintf(author, sizeof(author), "%s: commit.author", what);
	snprintf(committer, sizeof(committer), "%s: commit.committer", what);
	if (req_str(commit, what, "message", &c->message, e) < 0 ||
	    req_time(json_get(commit, "committer"), committer, "date", &c->committed_at, e) < 0 ||
	    opt_time(json_get(commit, "author"), author, "date", &c->authored_at, e) < 0 ||
	    opt_user(j, what, "author", &c->author, e) < 0 ||
	    opt_user(j, what, "committer", &c->committer, e) < 0)
		goto fail;
	/* Git always records both; an answer without the author's date takes the committer's. */
	if (c->authored_at == NULL)
		c->authored_at = xstrdup(c->committed_at);
	c->html_url = opt_str(j, "html_url");
	if (stats != NULL && (req_int(stats, what, "additions", &c->additions, e) < 0 ||
			      req_int(stats, what, "deletions", &c->deletions, e) < 0))
		goto fail;
	if (cJSON_IsArray(files))
		c->changed_files = cJSON_GetArraySize(files);
	return 0;
fail:
	gh_commit_release(c);
	return -1;
}

static void
add_commit_pr(struct gh_commit *c, int number, bool merged, const char *base_ref)
{
	c->prs = xrealloc(c->prs, (c->n_prs + 1) * sizeof(*c->prs));
	c->prs[c->n_prs].number = number;
	c->prs[c->n_prs].merged = merged;
	c->prs[c->n_prs].base_ref = xstrdup(base_ref);
	c->n_prs++;
	c->has_prs = true;
}

int
map_commit_pr(const cJSON *j, struct gh_commit *c, struct err *e)
{
	int64_t n;

	if (req_int(j, "commit pull request", "number", &n, e) < 0)
		return -1;
	if (n <= 0 || n > INT32_MAX)
		return err_set(e, ERR_PARSE, "pull request of the commit: number %lld out of range",
			       (long long)n);
	add_commit_pr(c, (int)n, json_str(j, "merged_at") != NULL,
		      json_str(json_get(j, "base"), "ref"));
	return 0;
}

/*
 * GraphQL.
 */

int
map_gql_actor(const cJSON *j, struct gh_user *u, struct err *e)
{
	const char *type = json_str(j, "__typename");
	const char *login = json_str(j, "login");

	memset(u, 0, sizeof(*u));
	if (j == NULL || cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsObject(j) || login == NULL || login[0] == '\0')
		return err_set(e, ERR_PARSE, "actor: field 'login' is missing");
	u->is_bot = type != NULL && strcmp(type, "Bot") == 0;
	if (u->is_bot) {
		struct buf b = BUF_INIT(256);

		/* REST spells a bot "dependabot[bot]"; GraphQL "dependabot". */
		buf_printf(&b, "%s[bot]", login);
		u->login = buf_detach(&b);
	} else {
		u->login = xstrdup(login);
	}
	u->type = xstrdup(type != NULL ? type : "User");
	/* databaseId is an Int: GitHub answers null (with an error) past 2^31. */
	if (json_int64(j, "databaseId", &u->id) < 0 || u->id <= 0)
		u->id = 0;
	u->avatar_url = opt_str(j, "avatarUrl");
	u->html_url = opt_str(j, "url");
	return 0;
}

static int
gql_actor(const cJSON *j, const char *what, const char *key, struct gh_user *u, struct err *e)
{
	if (map_gql_actor(json_get(j, key), u, e) < 0)
		return err_prefix(e, "%s: %s: ", what, key);
	return 0;
}

/* A GraphQL BigInt id (a string) or Int. */
static int
gql_id(const cJSON *j, const char *what, int64_t *out, struct err *e)
{
	if (json_int64(j, "fullDatabaseId", out) == 0 && *out > 0)
		return 0;
	if (json_int64(j, "databaseId", out) == 0 && *out > 0)
		return 0;
	return err_set(e, ERR_PARSE, "%s: no fullDatabaseId", what);
}

static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s);

	for (char *p = d; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

static char *
suffixed(const char *s, const char *suffix)
{
	struct buf b = BUF_INIT(8192);

	if (s == NULL)
		return NULL;
	buf_printf(&b, "%s%s", s, suffix);
	return buf_detach(&b);
}

int
map_gql_pull(const cJSON *j, struct gh_pull *p, struct err *e)
{
	char what[32] = "pull request";
	const char *state;

	if (pull_number(j, p, what, e) < 0)
		return -1;
	if (gql_id(j, what, &p->id, e) < 0 || req_str(j, what, "title", &p->title, e) < 0 ||
	    req_time(j, what, "createdAt", &p->created_at, e) < 0 ||
	    req_time(j, what, "updatedAt", &p->updated_at, e) < 0 ||
	    opt_time(j, what, "closedAt", &p->closed_at, e) < 0 ||
	    opt_time(j, what, "mergedAt", &p->merged_at, e) < 0 ||
	    req_str(j, what, "baseRefName", &p->base_ref, e) < 0 ||
	    req_str(j, what, "headRefName", &p->head_ref, e) < 0 ||
	    req_int(j, what, "additions", &p->additions, e) < 0 ||
	    req_int(j, what, "deletions", &p->deletions, e) < 0 ||
	    req_int(j, what, "changedFiles", &p->changed_files, e) < 0 ||
	    req_int(json_get(j, "commits"), what, "totalCount", &p->commits, e) < 0 ||
	    gql_actor(j, what, "author", &p->author, e) < 0 ||
	    gql_actor(j, what, "mergedBy", &p->merged_by, e) < 0)
		goto fail;
	state = json_str(j, "state");
	if (state == NULL || (strcmp(state, "OPEN") != 0 && strcmp(state, "CLOSED") != 0 &&
			      strcmp(state, "MERGED") != 0)) {
		err_set(e, ERR_PARSE, "%s: field 'state' is not OPEN, CLOSED or MERGED", what);
		goto fail;
	}
	p->state = lower_dup(state);
	p->merged = json_bool(j, "merged", strcmp(state, "MERGED") == 0);
	p->draft = json_bool(j, "isDraft", false);
	/* MERGEABLE, CONFLICTING, or UNKNOWN while GitHub computes it (as REST's null). */
	state = json_str(j, "mergeable");
	p->mergeable = state == NULL                       ? -1
		       : strcmp(state, "MERGEABLE") == 0   ? 1
		       : strcmp(state, "CONFLICTING") == 0 ? 0
							   : -1;
	/* CLEAN, DIRTY, BLOCKED, …: REST's mergeable_state in upper case. */
	p->mergeable_state = lower_dup(json_str(j, "mergeStateStatus"));
	p->body = opt_body(j);
	p->html_url = opt_str(j, "url");
	/* GitHub's REST diff_url and patch_url are the page URL plus a suffix. */
	p->diff_url = suffixed(p->html_url, ".diff");
	p->patch_url = suffixed(p->html_url, ".patch");
	p->has_counters = true;
	return 0;
fail:
	gh_pull_release(p);
	return -1;
}

int
map_gql_file(const cJSON *j, struct gh_file *f, struct err *e)
{
	static const char *const types[][2] = {
		{"ADDED", "added"},     {"DELETED", "removed"}, {"MODIFIED", "modified"},
		{"RENAMED", "renamed"}, {"COPIED", "copied"},   {"CHANGED", "changed"},
	};
	const char *type;

	memset(f, 0, sizeof(*f));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "file: not an object");
	if (req_str(j, "file", "path", &f->filename, e) < 0 ||
	    req_int(j, "file", "additions", &f->additions, e) < 0 ||
	    req_int(j, "file", "deletions", &f->deletions, e) < 0)
		goto fail;
	type = json_str(j, "changeType");
	for (size_t i = 0; type != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i][0]) == 0)
			f->status = xstrdup(types[i][1]);
	if (f->status == NULL) {
		err_set(e, ERR_PARSE, "file '%.200s': unknown changeType", f->filename);
		goto fail;
	}
	f->changes = f->additions + f->deletions;
	return 0;
fail:
	gh_file_release(f);
	return -1;
}

int
map_gql_review(const cJSON *j, struct gh_review *r, struct err *e)
{
	const char *what = "review";

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "review: not an object");
	if (gql_id(j, what, &r->id, e) < 0 || req_str(j, what, "state", &r->state, e) < 0 ||
	    opt_time(j, what, "submittedAt", &r->submitted_at, e) < 0 ||
	    gql_actor(j, what, "author", &r->author, e) < 0)
		goto fail;
	r->body = opt_str(j, "body");
	r->commit_id = opt_str(json_get(j, "commit"), "oid");
	return 0;
fail:
	gh_review_release(r);
	return -1;
}

int
map_gql_comment(const cJSON *j, enum gh_comment_kind kind, int pr_number, struct gh_comment *c,
		struct err *e)
{
	const char *what = kind == GH_REVIEW_COMMENT ? "review comment" : "comment";
	const cJSON *reply;

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->pr_number = pr_number;
	c->position = c->original_position = -1;
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "%s: not an object", what);
	if (gql_id(j, what, &c->id, e) < 0 || req_str(j, what, "body", &c->body, e) < 0 ||
	    req_time(j, what, "createdAt", &c->created_at, e) < 0 ||
	    req_time(j, what, "updatedAt", &c->updated_at, e) < 0 ||
	    gql_actor(j, what, "author", &c->author, e) < 0)
		goto fail;
	if (kind == GH_ISSUE_COMMENT)
		return 0;
	if (req_str(j, what, "path", &c->path, e) < 0 ||
	    opt_int(j, what, "position", &c->position, e) < 0 ||
	    opt_int(j, what, "originalPosition", &c->original_position, e) < 0)
		goto fail;
	c->diff_hunk = opt_str(j, "diffHunk");
	c->commit_id = opt_str(json_get(j, "commit"), "oid");
	c->original_commit_id = opt_str(json_get(j, "originalCommit"), "oid");
	reply = json_get(j, "replyTo");
	if (reply != NULL && !cJSON_IsNull(reply) &&
	    gql_id(reply, "replyTo", &c->in_reply_to, e) < 0)
		goto fail;
	return 0;
fail:
	gh_comment_release(c);
	return -1;
}

/*
 * The login in a GitHub no-reply address ("49699333+dependabot[bot]@users.
 * noreply.github.com" or "octocat@users.noreply.github.com"), or NULL.
 */
static char *
noreply_login(const char *email)
{
	static const char domain[] = "@users.noreply.github.com";
	const char *at = email != NULL ? strstr(email, domain) : NULL;
	const char *start = email;
	const char *plus;

	if (at == NULL || strcmp(at, domain) != 0 || at == email)
		return NULL;
	plus = memchr(email, '+', (size_t)(at - email));
	if (plus != NULL) {
		for (const char *p = email; p < plus; p++)
			if (*p < '0' || *p > '9')
				return NULL;
		start = plus + 1;
	}
	return at > start ? xstrndup(start, (size_t)(at - start)) : NULL;
}

/*
 * GitActor.user (a User or null) as an actor. GraphQL's user can only be a
 * User: a bot's commit has none, while REST names the bot. Its no-reply
 * address names it too; the login is kept with id 0, so the caller looks the
 * account up over REST and both APIs store the same contributor.
 */
static int
git_user(const cJSON *git_actor, const char *what, struct gh_user *u, struct err *e)
{
	const cJSON *user = json_get(git_actor, "user");

	memset(u, 0, sizeof(*u));
	if (user == NULL || cJSON_IsNull(user)) {
		u->login = noreply_login(json_str(git_actor, "email"));
		return 0;
	}
	if (map_gql_actor(user, u, e) < 0)
		return err_prefix(e, "%s: ", what);
	if (u->type == NULL || strcmp(u->type, "User") != 0) {
		free(u->type);
		u->type = xstrdup("User");
	}
	return 0;
}

int
map_gql_commit(const cJSON *j, struct gh_commit *c, struct err *e)
{
	char what[64] = "commit", author[96], committer[96];
	const cJSON *prs;
	const cJSON *it;

	memset(c, 0, sizeof(*c));
	c->additions = c->deletions = c->changed_files = -1;
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "commit: not an object");
	if (req_str(j, what, "oid", &c->sha, e) < 0)
		return -1;
	snprintf(what, sizeof(what), "commit %.12s", c->sha);
	snprintf(author, sizeof(author), "%s: author", what);
	snprintf(committer, sizeof(committer), "%s: committer", what);
	if (req_str(j, what, "message", &c->message, e) < 0 ||
	    req_time(j, what, "committedDate", &c->committed_at, e) < 0 ||
	    opt_time(j, what, "authoredDate", &c->authored_at, e) < 0 ||
	    opt_int(j, what, "additions", &c->additions, e) < 0 ||
	    opt_int(j, what, "deletions", &c->deletions, e) < 0 ||
	    opt_int(j, what, "changedFilesIfAvailable", &c->changed_files, e) < 0 ||
	    git_user(json_get(j, "author"), author, &c->author, e) < 0 ||
	    git_user(json_get(j, "committer"), committer, &c->committer, e) < 0)
		goto fail;
	if (c->authored_at == NULL)
		c->authored_at = xstrdup(c->committed_at);
	c->html_url = opt_str(j, "url");
	prs = json_get(json_get(j, "associatedPullRequests"), "nodes");
	if (prs != NULL) {
		c->has_prs = true;
		cJSON_ArrayForEach (it, prs) {
			int64_t n;

			if (req_int(it, "associated pull request", "number", &n, e) < 0)
				goto fail;
			if (n <= 0 || n > INT32_MAX) {
				err_set(e, ERR_PARSE,
					"associated pull request: number %lld out of range",
					(long long)n);
				goto fail;
			}
			add_commit_pr(c, (int)n, json_bool(it, "merged", false),
				      json_str(it, "baseRefName"));
		}
	}
	return 0;
fail:
	gh_commit_release(c);
	return -1;
}

int
map_run(const cJSON *j, struct gh_run *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "workflow run: not an object");
	if (req_int(j, "workflow run", "id", &out->id, e) < 0 ||
	    req_str(j, "workflow run", "status", &out->status, e) < 0 ||
	    req_time(j, "workflow run", "created_at", &out->created_at, e) < 0 ||
	    opt_time(j, "workflow run", "updated_at", &out->updated_at, e) < 0 ||
	    opt_time(j, "workflow run", "run_started_at", &out->run_started_at, e) < 0) {
		gh_run_release(out);
		return -1;
	}
	/* display_title is the run-name (or the commit's message, or the workflow's name). */
	out->title = opt_str(j, "display_title");
	if (out->title == NULL)
		out->title = opt_str(j, "name");
	out->conclusion = opt_str(j, "conclusion");
	out->html_url = opt_str(j, "html_url");
	out->event = opt_str(j, "event");
	return 0;
}

static int
map_budget(const cJSON *j, const char *what, struct gh_budget *out, struct err *e)
{
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "rate limit: no %s budget", what);
	if (req_int(j, what, "limit", &out->limit, e) < 0 ||
	    req_int(j, what, "remaining", &out->remaining, e) < 0 ||
	    req_int(j, what, "reset", &out->reset, e) < 0)
		return -1;
	return 0;
}

int
map_rate_limits(const cJSON *j, struct gh_budget *core, struct gh_budget *graphql, struct err *e)
{
	const cJSON *r = json_get(j, "resources");

	memset(core, 0, sizeof(*core));
	memset(graphql, 0, sizeof(*graphql));
	if (map_budget(json_get(r, "core"), "core", core, e) < 0)
		return -1;
	/* A GitHub without GraphQL (some GHES set-ups) lists no graphql budget. */
	if (json_get(r, "graphql") == NULL) {
		graphql->remaining = -1;
		return 0;
	}
	return map_budget(json_get(r, "graphql"), "graphql", graphql, e);
}

int
map_gql_pull_item(const cJSON *j, struct gh_pull *p, struct err *e)
{
	char what[32] = "pull request";

	memset(p, 0, sizeof(*p));
	if (pull_number(j, p, what, e) < 0 ||
	    req_time(j, what, "createdAt", &p->created_at, e) < 0 ||
	    req_time(j, what, "updatedAt", &p->updated_at, e) < 0) {
		gh_pull_release(p);
		return -1;
	}
	return 0;
}

/*
 * The old queue: an export of contributor.info's Inngest events, and a job
 * row's metadata. Messages name fields, never their values: an event's data
 * may hold a token (their edge functions sent github_token along).
 */

#define EVENT_ID_MAX  64   /* longest Inngest id kept as an event's key */
#define EVENT_MAX_DAY 3650 /* as the time-range setting */

/* An Inngest id fit to be a key as it is (a ULID, a UUID, a short dedupe id). */
static bool
event_id_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > EVENT_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._:-", s[i]) != NULL))
			return false;
	return true;
}

/* FNV-1a, 64 bits, of s continuing from h. */
static uint64_t
fnv1a(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/*
 * An event's identity: Inngest's internal_id or id, else a hash of its name
 * and data, so that the same work sent twice, or exported twice, is one key.
 */
static char *
event_key(const cJSON *j, const char *name, const cJSON *data)
{
	const char *id = json_str(j, "internal_id");
	char *text;
	char out[EVENT_ID_MAX + 8];
	uint64_t h;

	if (!event_id_ok(id))
		id = json_str(j, "id");
	if (event_id_ok(id)) {
		snprintf(out, sizeof(out), "id:%s", id);
		return xstrdup(out);
	}
	text = json_print(data);
	h = fnv1a(fnv1a(fnv1a(UINT64_C(0xcbf29ce484222325), name), "\n"), text);
	free(text);
	snprintf(out, sizeof(out), "h:%016llx", (unsigned long long)h);
	return xstrdup(out);
}

/* owner/name as GitHub allows them: letters, digits, '-' (and '.', '_' in the name). */
static bool
repo_name_ok(const char *s)
{
	size_t owner = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
	size_t name;

	if (owner == 0 || owner > 39 || s[owner] != '/')
		return false;
	name = strspn(s + owner + 1,
		      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");
	return name > 0 && name <= 100 && s[owner + 1 + name] == '\0';
}

/* Optional string of data: copied; -1 when present but not a string. */
static int
data_str(const cJSON *data, const char *key, char **out, struct err *e)
{
	const cJSON *v = json_get(data, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return err_set(e, ERR_PARSE, "data.%s is not a string", key);
	*out = xstrdup(v->valuestring);
	return 0;
}

/* data.repositoryId, and the name: data.repositoryName, or data.owner and data.repo. */
static int
event_repository(const cJSON *data, struct inngest_event *ev, struct err *e)
{
	char *owner = NULL, *repo = NULL;
	int rc = data_str(data, "repositoryId", &ev->repository_id, e);

	if (rc == 0)
		rc = data_str(data, "repositoryName", &ev->repository, e);
	if (rc == 0 && ev->repository == NULL)
		rc = data_str(data, "owner", &owner, e) < 0 ? -1 : data_str(data, "repo", &repo, e);
	if (rc == 0 && owner != NULL && repo != NULL) {
		size_t n = strlen(owner) + strlen(repo) + 2;

		ev->repository = xmalloc(n);
		snprintf(ev->repository, n, "%s/%s", owner, repo);
	}
	if (rc == 0 && ev->repository != NULL && !repo_name_ok(ev->repository))
		rc = err_set(e, ERR_PARSE, "data.%s is not a repository's owner/name",
			     owner != NULL ? "owner/data.repo" : "repositoryName");
	free(owner);
	free(repo);
	return rc;
}

/* One PR number of data.key (a number or a string of digits, 1 to 2^31 - 1). */
static int
event_number(const cJSON *v, const char *key, struct inngest_event *ev, struct err *e)
{
	int64_t n;

	if (json_value_int64(v, &n) < 0 || n < 1 || n > INT32_MAX)
		return err_set(e, ERR_PARSE, "data.%s is not a pull request number", key);
	ev->pr_numbers[ev->n_pr_numbers++] = n;
	return 0;
}

/* data.prNumber, data.pr_number and data.prNumbers: the pull requests the event names. */
static int
event_numbers(const cJSON *data, struct inngest_event *ev, struct err *e)
{
	static const char *const singles[] = {"prNumber", "pr_number"};
	const cJSON *list = json_get(data, "prNumbers");
	const cJSON *v;

	if (list != NULL && !cJSON_IsNull(list) && !cJSON_IsArray(list))
		return err_set(e, ERR_PARSE, "data.prNumbers is not a list");
	ev->pr_numbers = xcalloc(2 + (size_t)cJSON_GetArraySize(list), sizeof(int64_t));
	for (size_t i = 0; i < 2; i++) {
		v = json_get(data, singles[i]);
		if (v != NULL && !cJSON_IsNull(v) && event_number(v, singles[i], ev, e) < 0)
			return -1;
	}
	if (!cJSON_IsArray(list))
		return 0;
	cJSON_ArrayForEach (v, list) {
		if (event_number(v, "prNumbers", ev, e) < 0)
			return -1;
	}
	return 0;
}

/* data.days (repository.sync), else data.timeRange (repository.comments.all, …). */
static int
event_days(const cJSON *data, struct inngest_event *ev, struct err *e)
{
	static const char *const keys[] = {"days", "timeRange"};

	for (size_t i = 0; i < 2; i++) {
		const cJSON *v = json_get(data, keys[i]);
		int64_t d;

		if (v == NULL || cJSON_IsNull(v))
			continue;
		if (json_value_int64(v, &d) < 0 || d < 1 || d > EVENT_MAX_DAY)
			return err_set(e, ERR_PARSE, "data.%s is not a number of days (1-%d)",
				       keys[i], EVENT_MAX_DAY);
		ev->days = (int)d;
		return 0;
	}
	return 0;
}

int
map_inngest_event(const cJSON *j, struct inngest_event *ev, struct err *e)
{
	const cJSON *data = json_get(j, "data");
	int64_t ts;

	memset(ev, 0, sizeof(*ev));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "not an object");
	if (req_str(j, NULL, "name", &ev->name, e) < 0)
		return -1;
	if (!cJSON_IsObject(data)) {
		inngest_event_release(ev);
		return err_set(e, ERR_PARSE, "field 'data' is missing or not an object");
	}
	if (json_int64(j, "ts", &ts) == 0 && ts > 0)
		ev->ts_ms = ts;
	ev->key = event_key(j, ev->name, data);
	if (data_str(data, "jobId", &ev->job_id, e) < 0 || event_repository(data, ev, e) < 0 ||
	    event_numbers(data, ev, e) < 0 || event_days(data, ev, e) < 0) {
		inngest_event_release(ev);
		return -1;
	}
	return 0;
}

/* Adds item as the next event of out (room is there); one it cannot read keeps its problem. */
static void
add_event(struct inngest_export *out, const cJSON *item, const char *unread)
{
	struct inngest_event *ev = &out->events[out->n];
	struct err e;

	err_clear(&e);
	if (unread != NULL) {
		memset(ev, 0, sizeof(*ev));
		ev->problem = xstrdup(unread);
	} else if (map_inngest_event(item, ev, &e) < 0) {
		ev->name = xstrdup(json_str(item, "name"));
		ev->problem = xstrdup(e.msg);
	}
	ev->index = ++out->n;
}

static bool
blank_char(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* JSON lines: one event a line (blank lines skipped). */
static void
read_lines(const char *text, size_t len, struct inngest_export *out)
{
	size_t lines = 1;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	out->events = xcalloc(lines, sizeof(*out->events));
	for (size_t at = 0, no = 1; at < len; no++) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (text + at)) : len - at;
		size_t blank = 0;
		struct err e;
		cJSON *j;

		err_clear(&e);
		while (blank < n && blank_char(text[at + blank]))
			blank++;
		if (blank < n) {
			char why[sizeof(e.msg) + 64];

			j = json_parse(text + at, n, &e);
			snprintf(why, sizeof(why), "line %zu is not JSON: %s", no, e.msg);
			add_event(out, j, j == NULL ? why : NULL);
			cJSON_Delete(j);
		}
		at += n + 1;
	}
}

/* The events of a parsed export: an array, an object holding one, or one event. */
static int
read_doc(const cJSON *doc, struct inngest_export *out, struct err *e)
{
	const cJSON *list = doc;
	const cJSON *item;

	if (cJSON_IsObject(doc) && json_str(doc, "name") == NULL)
		list = cJSON_IsArray(json_get(doc, "data")) ? json_get(doc, "data")
							    : json_get(doc, "events");
	if (cJSON_IsObject(list)) {
		out->events = xcalloc(1, sizeof(*out->events));
		add_event(out, list, NULL);
		return 0;
	}
	if (!cJSON_IsArray(list))
		return err_set(e, ERR_INPUT,
			       "events file: neither a list of events nor an object holding "
			       "one under \"data\" or \"events\"");
	out->events = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*out->events));
	cJSON_ArrayForEach (item, list) {
		add_event(out, item, NULL);
	}
	return 0;
}

int
map_inngest_export(const char *text, size_t len, struct inngest_export *out, struct err *e)
{
	struct err pe;
	size_t lead = 0;
	cJSON *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	err_clear(&pe);
	doc = json_parse(text, len, &pe);
	while (lead < len && blank_char(text[lead]))
		lead++;
	if (doc == NULL && lead < len && text[lead] == '{') {
		read_lines(text, len, out);
		return 0;
	}
	if (doc == NULL)
		return err_set(e, ERR_INPUT, "events file: %s", pe.msg);
	rc = read_doc(doc, out, e);
	cJSON_Delete(doc);
	if (rc < 0)
		inngest_export_release(out);
	return rc;
}

/* metadata.pr_numbers: an array of numbers (contributor.info's), or a list "1,2,5-7". */
static void
meta_numbers(const cJSON *v, struct job_metadata *out)
{
	const cJSON *it;
	struct err e;

	if (v == NULL || cJSON_IsNull(v))
		return;
	if (cJSON_IsString(v)) {
		out->bad_pr_numbers =
			numlist_parse(v->valuestring, ",\n", false, true, "pr_numbers",
				      &out->pr_numbers, &out->n_pr_numbers, &e) < 0;
		return;
	}
	out->bad_pr_numbers = !cJSON_IsArray(v);
	if (out->bad_pr_numbers)
		return;
	out->pr_numbers = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(int64_t));
	cJSON_ArrayForEach (it, v) {
		int64_t n;

		if (json_value_int64(it, &n) < 0 || n < 1 || n > INT32_MAX) {
			out->bad_pr_numbers = true;
			free(out->pr_numbers);
			out->pr_numbers = NULL;
			out->n_pr_numbers = 0;
			return;
		}
		out->pr_numbers[out->n_pr_numbers++] = n;
	}
}

/* metadata.migrated_from: its strings (anything else in it is skipped). */
static void
meta_strings(const cJSON *v, struct job_metadata *out)
{
	const cJSON *it;

	if (!cJSON_IsArray(v))
		return;
	out->migrated_from = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
	cJSON_ArrayForEach (it, v) {
		if (cJSON_IsString(it))
			out->migrated_from[out->n_migrated_from++] = xstrdup(it->valuestring);
	}
}

void
map_job_metadata(const char *json, struct job_metadata *out)
{
	struct err e;
	cJSON *m = json != NULL ? json_parse(json, strlen(json), &e) : NULL;

	memset(out, 0, sizeof(*out));
	if (cJSON_IsObject(m)) {
		out->heartbeat_at = opt_str(m, "heartbeat_at");
		out->repository_name = opt_str(m, "repository_name");
		out->created_by = opt_str(m, "created_by");
		out->migrated_to = opt_str(m, "migrated_to");
		meta_numbers(json_get(m, "pr_numbers"), out);
		meta_strings(json_get(m, "migrated_from"), out);
	}
	cJSON_Delete(m);
}

/*
 * Actions events (the event command): the payload the runner writes for the
 * event that started the workflow. Messages name fields, never their values.
 */

#define EVENT_NAME_MAX 64
#define REF_MAX        255

/* The events the event command takes, and their actions ("|a|b|"; NULL: every action). */
static const struct {
	const char *name;
	enum gh_event_kind kind;
	const char *actions;
} event_kinds[] = {
	{"pull_request", GH_EVENT_PULL, NULL},
	{"pull_request_target", GH_EVENT_PULL, NULL},
	{"pull_request_review", GH_EVENT_REVIEW, "|submitted|edited|dismissed|"},
	{"pull_request_review_comment", GH_EVENT_COMMENT, "|created|edited|deleted|"},
	{"issue_comment", GH_EVENT_COMMENT, "|created|edited|deleted|"},
	{"push", GH_EVENT_PUSH, NULL},
};

/* An event or action name as GitHub spells them: a-z, digits and '_'. */
static bool
event_word_ok(const char *s)
{
	size_t n = s != NULL ? strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") : 0;

	return n > 0 && n <= EVENT_NAME_MAX && s[n] == '\0';
}

static int ignore(struct gh_event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Marks the event as one with nothing to capture, and says why. */
static int
ignore(struct gh_event *ev, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ev->kind = GH_EVENT_IGNORED;
	ev->why = xstrdup(why);
	return 0;
}

/* obj.key.number: a pull request or issue number. */
static int
event_pr_number(const cJSON *doc, const char *key, int *out, struct err *e)
{
	int64_t n;

	if (json_int64(json_get(doc, key), "number", &n) < 0 || n < 1 || n > INT32_MAX)
		return err_set(e, ERR_PARSE, "field '%s.number' is missing or not a number", key);
	*out = (int)n;
	return 0;
}

/* A commit id: 40 lower-case hex digits. */
static bool
sha_ok(const char *s)
{
	return s != NULL && strspn(s, "0123456789abcdef") == 40 && s[40] == '\0';
}

/* A branch reference fit to print: printable ASCII, no blanks, at most REF_MAX bytes. */
static bool
ref_ok(const char *s)
{
	size_t n = 0;

	for (; s != NULL && s[n] != '\0'; n++)
		if (s[n] <= ' ' || s[n] > '~')
			return false;
	return n > 0 && n <= REF_MAX;
}

static int
event_push(const cJSON *doc, struct gh_event *ev, struct err *e)
{
	const cJSON *repo = json_get(doc, "repository");
	const char *ref = json_str(doc, "ref");
	const char *branch = json_str(repo, "default_branch");
	const cJSON *commits = json_get(doc, "commits");
	const cJSON *c;
	size_t i = 0;

	if (!ref_ok(ref))
		return err_set(e, ERR_PARSE, "field 'ref' is missing or not a git reference");
	if (!ref_ok(branch))
		return err_set(e, ERR_PARSE,
			       "field 'repository.default_branch' is missing or not a branch name");
	if (!cJSON_IsArray(commits))
		return err_set(e, ERR_PARSE, "field 'commits' is missing or not a list");
	if (json_bool(doc, "deleted", false))
		return ignore(ev, "the push deleted %s", ref);
	if (!str_starts(ref, "refs/heads/") || strcmp(ref + 11, branch) != 0)
		return ignore(ev, "the push is to %s, not to the default branch %s", ref, branch);
	ev->shas = xcalloc((size_t)cJSON_GetArraySize(commits) + 1, sizeof(*ev->shas));
	cJSON_ArrayForEach (c, commits) {
		const char *sha = json_str(c, "id");
		char *at = NULL;
		time_t t, t0;

		if (!sha_ok(sha))
			return err_set(e, ERR_PARSE, "field 'commits[%zu].id' is not a commit id",
				       i);
		if (req_time(c, "commits[]", "timestamp", &at, e) < 0)
			return -1;
		if (ev->earliest == NULL || (time_parse_iso(at, &t) == 0 &&
					     time_parse_iso(ev->earliest, &t0) == 0 && t < t0)) {
			free(ev->earliest);
			ev->earliest = at;
		} else {
			free(at);
		}
		ev->shas[ev->n_shas++] = xstrdup(sha);
		i++;
	}
	if (ev->n_shas == 0)
		return ignore(ev, "the push to %s brought no new commits", ref);
	ev->maybe_cut = ev->n_shas >= GH_PUSH_LISTED_MAX;
	ev->kind = GH_EVENT_PUSH;
	return 0;
}

/* Review states as REST has them (webhooks send them lower case). */
static int
upper_state(char *state, struct err *e)
{
	if (!event_word_ok(state))
		return err_set(e, ERR_PARSE, "field 'review.state' is not a review state");
	for (char *p = state; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return 0;
}

/* The pull request event's own fields (kind and action known). */
static int
event_pull(const cJSON *doc, struct gh_event *ev, struct err *e)
{
	const cJSON *issue;

	ev->gone = strcmp(ev->action, "deleted") == 0;
	if (strcmp(ev->name, "issue_comment") == 0) {
		issue = json_get(doc, "issue");
		if (!cJSON_IsObject(issue))
			return err_set(e, ERR_PARSE, "field 'issue' is missing or not an object");
		if (event_pr_number(doc, "issue", &ev->number, e) < 0)
			return -1;
		if (!cJSON_IsObject(json_get(issue, "pull_request")))
			return ignore(ev, "the comment is on issue #%d, not on a pull request",
				      ev->number);
		if (map_comment(json_get(doc, "comment"), GH_ISSUE_COMMENT, &ev->comment, e) < 0)
			return -1;
		ev->comment.pr_number = ev->number;
		return ev->comment.id > 0
			       ? 0
			       : err_set(e, ERR_PARSE, "field 'comment.id' is not a positive id");
	}
	if (event_pr_number(doc, "pull_request", &ev->number, e) < 0)
		return -1;
	if (ev->kind == GH_EVENT_REVIEW) {
		if (map_review(json_get(doc, "review"), &ev->review, e) < 0)
			return -1;
		if (ev->review.id <= 0)
			return err_set(e, ERR_PARSE, "field 'review.id' is not a positive id");
		ev->review.pr_number = ev->number;
		return upper_state(ev->review.state, e);
	}
	if (ev->kind == GH_EVENT_COMMENT) {
		if (map_comment(json_get(doc, "comment"), GH_REVIEW_COMMENT, &ev->comment, e) < 0)
			return -1;
		ev->comment.pr_number = ev->number;
		if (ev->comment.id <= 0)
			return err_set(e, ERR_PARSE, "field 'comment.id' is not a positive id");
	}
	return 0;
}

static int
event_fields(const char *name, const cJSON *doc, struct gh_event *ev, struct err *e)
{
	const char *repo = json_str(json_get(doc, "repository"), "full_name");
	size_t k = 0;

	while (k < sizeof(event_kinds) / sizeof(event_kinds[0]) &&
	       strcmp(event_kinds[k].name, name) != 0)
		k++;
	if (k == sizeof(event_kinds) / sizeof(event_kinds[0]))
		return ignore(ev, "the event %s does not concern one pull request or a push", name);
	if (repo == NULL || !repo_name_ok(repo))
		return err_set(e, ERR_PARSE,
			       "field 'repository.full_name' is missing or not owner/name");
	ev->repository = xstrdup(repo);
	ev->kind = event_kinds[k].kind;
	if (ev->kind == GH_EVENT_PUSH)
		return event_push(doc, ev, e);
	if (!event_word_ok(json_str(doc, "action")))
		return err_set(e, ERR_PARSE, "field 'action' is missing or not an action name");
	ev->action = xstrdup(json_str(doc, "action"));
	if (event_kinds[k].actions != NULL) {
		char bar[EVENT_NAME_MAX + 3];

		snprintf(bar, sizeof(bar), "|%s|", ev->action);
		if (strstr(event_kinds[k].actions, bar) == NULL)
			return ignore(ev, "the %s action '%s' is not captured", name, ev->action);
	}
	return event_pull(doc, ev, e);
}

int
map_actions_event(const char *name, const char *text, size_t len, struct gh_event *ev,
		  struct err *e)
{
	cJSON *doc;
	int rc;

	memset(ev, 0, sizeof(*ev));
	if (!event_word_ok(name))
		return err_set(e, ERR_PARSE, "GITHUB_EVENT_NAME is not an event name");
	doc = json_parse(text, len, e);
	if (doc == NULL)
		return err_prefix(e, "event payload: ");
	ev->name = xstrdup(name);
	if (!cJSON_IsObject(doc))
		rc = err_set(e, ERR_PARSE, "not a JSON object");
	else
		rc = event_fields(name, doc, ev, e);
	cJSON_Delete(doc);
	if (rc < 0) {
		gh_event_release(ev);
		return err_prefix(e, "event payload: ");
	}
	return 0;
}
