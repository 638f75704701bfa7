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

struct gh_review {
	int64_t id;
	char *state; /* APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING */
	char *body;
	char *submitted_at; /* NULL while PENDING */
	char *commit_id;
	struct gh_user author; /* id 0: deleted account */
};

enum gh_comment_kind { GH_ISSUE_COMMENT, GH_REVIEW_COMMENT };

struct gh_comment {
	enum gh_comment_kind kind;
	int64_t id;
	int pr_number; /* from the comment's URLs; 0 when unknown */
	char *body;
	char *created_at, *updated_at;
	struct gh_user author;
	/* Review comments only: */
	char *path, *diff_hunk, *commit_id, *original_commit_id;
	int64_t position, original_position; /* -1 when null */
	int64_t in_reply_to;                 /* GitHub id of the thread's first comment, 0 none */
	int64_t review_id;                   /* 0 none */
};

/* A pull request a commit belongs to (commits/{sha}/pulls, associatedPullRequests). */
struct gh_commit_pr {
	int number;
	bool merged;
	char *base_ref;
};

struct gh_commit {
	char *sha;
	char *message;
	char *authored_at, *committed_at;
	char *html_url;
	struct gh_user author, committer;            /* id 0: not a GitHub account */
	int64_t additions, deletions, changed_files; /* -1 when unknown */
	struct gh_commit_pr *prs;
	size_t n_prs;
	bool has_prs; /* prs was given (else: not asked) */
};

/*
 * REST mappers: each fills out from j; on a missing or malformed field returns
 * -1 with ERR_PARSE naming it, and out holds nothing to free.
 */
int map_user(const cJSON *j, struct gh_user *out, struct err *e);
int map_repo(const cJSON *j, struct gh_repo *out, struct err *e);
int map_pull(const cJSON *j, struct gh_pull *out, struct err *e);
int map_file(const cJSON *j, struct gh_file *out, struct err *e);
int map_review(const cJSON *j, struct gh_review *out, struct err *e);
/* An issue comment (conversation) or a review comment. */
int map_comment(const cJSON *j, enum gh_comment_kind kind, struct gh_comment *out, struct err *e);
/* A commit from GET /commits (no stats) or GET /commits/{sha} (stats). */
int map_commit(const cJSON *j, struct gh_commit *out, struct err *e);
/* Adds one entry of GET /commits/{sha}/pulls to c->prs. */
int map_commit_pr(const cJSON *j, struct gh_commit *c, struct err *e);

/*
 * GraphQL mappers, for the node shapes of the documents in gql.c. Actors:
 * a Bot's login takes GitHub's REST "[bot]" suffix so both APIs name the same
 * contributor; a databaseId GraphQL could not represent leaves id 0 with the
 * login set (the caller looks the user up over REST).
 */
int map_gql_actor(const cJSON *j, struct gh_user *out, struct err *e);
int map_gql_pull(const cJSON *j, struct gh_pull *out, struct err *e);
int map_gql_file(const cJSON *j, struct gh_file *out, struct err *e);
int map_gql_review(const cJSON *j, struct gh_review *out, struct err *e);
int map_gql_comment(const cJSON *j, enum gh_comment_kind kind, int pr_number,
		    struct gh_comment *out, struct err *e);
int map_gql_commit(const cJSON *j, struct gh_commit *out, struct err *e);

void gh_user_release(struct gh_user *u);
void gh_repo_release(struct gh_repo *r);
void gh_pull_release(struct gh_pull *p);
void gh_file_release(struct gh_file *f);
void gh_review_release(struct gh_review *r);
void gh_comment_release(struct gh_comment *c);
void gh_commit_release(struct gh_commit *c);

/* Copies src into dst (dst owns its strings afterwards). */
void gh_user_copy(struct gh_user *dst, const struct gh_user *src);

#endif
