/*
 * model.h - GitHub objects as the program uses them, and the mappers that
 * read them from GitHub's JSON.
 *
 * The mappers are the one place where GitHub's field names meet our structs;
 * they are pure (no I/O), check every field they need, and are fuzzed.
 * Strings in the structs are owned by the struct and freed by its _release.
 * Time stamps are kept exactly as GitHub sent them (validated ISO-8601).
 */
#ifndef PC_MODEL_H
#define PC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

struct gh_user {
	int64_t id; /* 0 when GitHub gave no user (deleted account) */
	char *login;
	char *type; /* "User", "Bot", "Organization" */
	char *avatar_url;
	char *html_url;
	bool is_bot;
};

struct gh_repo {
	int64_t id;
	char *full_name, *owner, *name;
	char *description, *homepage, *language, *default_branch, *license;
	char *html_url, *avatar_url;
	char *created_at, *updated_at, *pushed_at;
	int64_t stargazers, watchers, forks, open_issues, size;
	bool fork, archived, disabled, is_private;
	bool has_issues, has_projects, has_wiki, has_pages, has_downloads, has_discussions;
	char **topics;
	size_t n_topics;
};

struct gh_pull {
	int64_t id;
	int number;
	char *title, *body;
	char *state; /* "open", "closed" or "merged" (merged PRs are "closed" on GitHub) */
	char *created_at, *updated_at, *closed_at, *merged_at;
	char *base_ref, *head_ref;
	char *html_url, *diff_url, *patch_url;
	char *mergeable_state;
	bool draft, merged;
	int mergeable; /* -1 unknown (GitHub still computing), 0, 1 */
	/* Only in the single-PR answer (GET /pulls/{n}), not in lists: */
	bool has_counters;
	int64_t additions, deletions, changed_files, commits;
	struct gh_user author;    /* id 0 when none */
	struct gh_user merged_by; /* id 0 when none */
};

struct gh_file {
	char *filename;
	char *status; /* added|removed|modified|renamed|copied|changed|unchanged */
	char *previous_filename;
	int64_t additions, deletions, changes;
};

/* Each mapper fills out from j; on a missing or malformed field returns -1
 * with ERR_PARSE naming it, and out holds nothing to free. */
int map_user(const cJSON *j, struct gh_user *out, struct err *e);
int map_repo(const cJSON *j, struct gh_repo *out, struct err *e);
int map_pull(const cJSON *j, struct gh_pull *out, struct err *e);
int map_file(const cJSON *j, struct gh_file *out, struct err *e);

void gh_user_release(struct gh_user *u);
void gh_repo_release(struct gh_repo *r);
void gh_pull_release(struct gh_pull *p);
void gh_file_release(struct gh_file *f);

#endif
