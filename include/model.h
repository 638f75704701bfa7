/*
 * model.h - the GitHub objects the program captures, as plain structs, and
 * the small tables of the domain: the parts of a pull request and the ways
 * of reading GitHub. No JSON and no I/O: jobs, the GitHub layer and the
 * tests all speak these. The mappers that fill them from GitHub's JSON are
 * map.h's.
 *
 * Strings in the structs are owned by the struct and freed by its _release
 * (which leaves it zeroed; releasing a zeroed struct is a no-op). Time
 * stamps are kept exactly as GitHub sent them (validated ISO-8601).
 */
#ifndef PC_MODEL_H
#define PC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The parts of a pull request a capture can want besides its own fields. */
#define PR_FILES    0x1u /* the changed files (with the PR's fields: "details") */
#define PR_REVIEWS  0x2u
#define PR_COMMENTS 0x4u /* conversation and review comments */
#define PR_ALL      (PR_FILES | PR_REVIEWS | PR_COMMENTS)
#define PR_NPARTS   3

struct pr_part {
	unsigned bit;     /* PR_FILES, PR_REVIEWS or PR_COMMENTS */
	const char *mark; /* its pull_request_captures.part: "details", "reviews", "comments" */
};

/* Every part, in bit order: pr_parts[i].bit == 1u << i. */
extern const struct pr_part pr_parts[PR_NPARTS];

/*
 * Pull requests a GraphQL query asks for, by default and at most. A PR with
 * every part selected needs 10 "requests" in GitHub's cost formula, so 24
 * of them make 240: 2 points, 0.083 a PR (gql.h).
 */
#define GQL_BATCH_DEFAULT 24
#define GQL_BATCH_MAX     100

/* A macro's value as a string literal (PC_XSTR(GQL_BATCH_DEFAULT) is "24"). */
#define PC_STR(x)  #x
#define PC_XSTR(x) PC_STR(x)

/* How GitHub is read; the order is the api setting's choices, auto|graphql|rest. */
enum api_mode { API_AUTO, API_GRAPHQL, API_REST };

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
	int pr_number;         /* from its URLs (REST); 0 when unknown */
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

void gh_user_release(struct gh_user *u);
void gh_repo_release(struct gh_repo *r);
void gh_pull_release(struct gh_pull *p);
void gh_file_release(struct gh_file *f);
void gh_review_release(struct gh_review *r);
void gh_comment_release(struct gh_comment *c);
void gh_commit_release(struct gh_commit *c);

/* Copies src into dst (dst owns its strings afterwards). */
void gh_user_copy(struct gh_user *dst, const struct gh_user *src);

/* A workflow run of GitHub Actions (GET …/actions/runs/{id}). */
struct gh_run {
	int64_t id;
	char *title;      /* display_title: the run-name, which carries a job id */
	char *status;     /* queued, in_progress, completed, waiting, … */
	char *conclusion; /* success, failure, cancelled, … once completed; else NULL */
	char *html_url;
	char *event;
	char *created_at, *updated_at, *run_started_at;
};
void gh_run_release(struct gh_run *r);

/* A rate-limit budget as GET /rate_limit reports it (reset: epoch s). */
struct gh_budget {
	int64_t limit, remaining, reset;
};

/* How a job (a run) ended: its row's status and the exit code follow from it. */
enum job_status { JOB_COMPLETED, JOB_PARTIAL, JOB_FAILED };

#endif
