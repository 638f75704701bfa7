/*
 * map.c - GitHub REST JSON to the structs of model.h.
 * Pure functions: no I/O, no globals; every field checked; fuzzed.
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* Required string field: copied, or -1 naming the field. */
static int
req_str(const cJSON *j, const char *what, const char *key, char **out, struct err *e)
{
	const char *s = json_str(j, key);

	if (s == NULL)
		return err_set(e, ERR_PARSE, "%s: field '%s' is missing or not a string", what,
			       key);
	*out = xstrdup(s);
	return 0;
}

/* Optional string field: copied, or NULL when absent or null. */
static char *
opt_str(const cJSON *j, const char *key)
{
	return xstrdup(json_str(j, key));
}

static int
req_int(const cJSON *j, const char *what, const char *key, int64_t *out, struct err *e)
{
	if (json_int64(j, key, out) < 0)
		return err_set(e, ERR_PARSE, "%s: field '%s' is missing or not an integer", what,
			       key);
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

int
map_user(const cJSON *j, struct gh_user *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "user: not an object");
	if (req_int(j, "user", "id", &out->id, e) < 0)
		goto fail;
	if (out->id <= 0) {
		err_set(e, ERR_PARSE, "user: field 'id' is not positive");
		goto fail;
	}
	if (req_str(j, "user", "login", &out->login, e) < 0)
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

void
gh_user_release(struct gh_user *u)
{
	free(u->login);
	free(u->type);
	free(u->avatar_url);
	free(u->html_url);
	memset(u, 0, sizeof(*u));
}

/* An optional user object: null/absent gives id 0. */
static int
opt_user(const cJSON *j, const char *what, const char *key, struct gh_user *out, struct err *e)
{
	const cJSON *u = json_get(j, key);

	memset(out, 0, sizeof(*out));
	if (u == NULL || cJSON_IsNull(u))
		return 0;
	if (map_user(u, out, e) < 0)
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

void
gh_repo_release(struct gh_repo *r)
{
	free(r->full_name);
	free(r->owner);
	free(r->name);
	free(r->description);
	free(r->homepage);
	free(r->language);
	free(r->default_branch);
	free(r->license);
	free(r->html_url);
	free(r->avatar_url);
	free(r->created_at);
	free(r->updated_at);
	free(r->pushed_at);
	for (size_t i = 0; i < r->n_topics; i++)
		free(r->topics[i]);
	free(r->topics);
	memset(r, 0, sizeof(*r));
}

int
map_pull(const cJSON *j, struct gh_pull *p, struct err *e)
{
	char what[32] = "pull request";
	const char *state;
	int64_t n;
	const cJSON *m;

	memset(p, 0, sizeof(*p));
	if (!cJSON_IsObject(j))
		return err_set(e, ERR_PARSE, "pull request: not an object");
	if (req_int(j, what, "number", &n, e) < 0)
		return -1;
	if (n <= 0 || n > INT32_MAX)
		return err_set(e, ERR_PARSE, "pull request: number %lld out of range",
			       (long long)n);
	p->number = (int)n;
	snprintf(what, sizeof(what), "pull request #%d", p->number);
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
	p->body = opt_str(j, "body");
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

void
gh_pull_release(struct gh_pull *p)
{
	free(p->title);
	free(p->body);
	free(p->state);
	free(p->created_at);
	free(p->updated_at);
	free(p->closed_at);
	free(p->merged_at);
	free(p->base_ref);
	free(p->head_ref);
	free(p->html_url);
	free(p->diff_url);
	free(p->patch_url);
	free(p->mergeable_state);
	gh_user_release(&p->author);
	gh_user_release(&p->merged_by);
	memset(p, 0, sizeof(*p));
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

void
gh_file_release(struct gh_file *f)
{
	free(f->filename);
	free(f->status);
	free(f->previous_filename);
	memset(f, 0, sizeof(*f));
}
