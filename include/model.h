/*
 * model.h - the GitHub objects the program captures, as plain structs, and
 * the small tables of the domain: the parts of a pull request and the ways
 * of reading GitHub, and the old queue's events. No JSON trees and no I/O:
 * jobs, the GitHub layer and the tests all speak these. The mappers that
 * fill them from JSON are map.c's (map.h; the two that read whole texts of
 * the old queue are declared here, as jobs call them).
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

#include "err.h"

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
	char *etag;               /* REST: the answer's ETag, when it had one */
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

/*
 * A GitHub App of the token pool as GitHub describes it (doctor): GET /app,
 * its installation, and the installation token in use.
 */
struct gh_app_info {
	int64_t app_id;
	char *slug, *name;
	int64_t installation_id;
	char *account;     /* the installation's account (login) */
	char *selection;   /* the installation's repositories: "all" or "selected" */
	char *repository;  /* the repository the token is limited to; NULL: all of them */
	char *permissions; /* the token's, "contents: read, metadata: read, …" */
	char *expires_at;  /* the token's expiry, ISO-8601 as GitHub sent it */
};
void gh_app_info_release(struct gh_app_info *i);

/* A rate-limit budget as GET /rate_limit reports it (reset: epoch s). */
struct gh_budget {
	int64_t limit, remaining, reset;
};

/*
 * The old queue, for migrate-inngest: an event of contributor.info's Inngest
 * queue as an export holds it, and what is read of a job row's metadata.
 * Filled from their JSON text by map.c (map_inngest_export,
 * map_job_metadata, declared below so the jobs that read them need no
 * JSON header).
 */
struct inngest_event {
	size_t index;  /* its place in the export, from 1 */
	char *name;    /* "capture/pr.details", …; NULL when the item has none */
	char *key;     /* its identity: "id:<Inngest's id>", else "h:<hash of name and data>" */
	int64_t ts_ms; /* when it was sent (epoch ms), 0 when not said */
	char *repository_id; /* data.repositoryId (not checked here), or NULL */
	char *repository;    /* data.repositoryName, or data.owner/data.repo, as owner/name */
	int64_t *pr_numbers; /* data.prNumber, data.prNumbers or data.pr_number */
	size_t n_pr_numbers;
	int days;      /* data.days, else data.timeRange; 0 when neither */
	char *job_id;  /* data.jobId (not checked here), or NULL */
	char *problem; /* why the item cannot be read as an event (then only index and
			  name may be set), or NULL */
};

struct inngest_export {
	struct inngest_event *events;
	size_t n;
};
void inngest_event_release(struct inngest_event *ev);
void inngest_export_release(struct inngest_export *x);

/* What the queue commands read of a job row's metadata (keys of another type are absent). */
struct job_metadata {
	char *heartbeat_at;    /* a running job's last sign of life (ISO), or NULL */
	char *repository_name; /* owner/name, or NULL */
	char *created_by;
	char *migrated_to;
	int64_t *pr_numbers; /* pr_numbers: an array of numbers, or a list "1,2,5-7" */
	size_t n_pr_numbers;
	bool bad_pr_numbers;  /* pr_numbers is there, but no list of PR numbers */
	char **migrated_from; /* what a migrate-inngest job took over (item keys) */
	size_t n_migrated_from;
};
void job_metadata_release(struct job_metadata *m);

/*
 * Reads an export of Inngest events (text[0..len)): a JSON array of events,
 * an object holding them under "data" (a page of Inngest's REST API) or
 * "events", or JSON lines, one event each. An event is an object with name
 * and data (id or internal_id, ts optional). An item that cannot be read is
 * kept with its problem set, never dropped. -1 + ERR_INPUT (nothing in out)
 * when the text is none of these shapes. Release out with
 * inngest_export_release.
 */
int map_inngest_export(const char *text, size_t len, struct inngest_export *out, struct err *e);

/* Reads a job row's metadata (JSON text; NULL or not an object reads as empty). */
void map_job_metadata(const char *json, struct job_metadata *out);

/*
 * An event of GitHub Actions, from the runner's payload (GITHUB_EVENT_PATH)
 * and name (GITHUB_EVENT_NAME), for the event command: what it concerns and
 * what to do. Filled by map_actions_event (map.c).
 */
enum gh_event_kind {
	GH_EVENT_IGNORED, /* nothing to capture: why says so */
	GH_EVENT_PULL,    /* pull_request, pull_request_target */
	GH_EVENT_REVIEW,  /* pull_request_review: review */
	GH_EVENT_COMMENT, /* pull_request_review_comment, issue_comment on a PR: comment */
	GH_EVENT_PUSH     /* push to the default branch: shas */
};

/* A push payload lists at most this many commits; a list this long may be cut. */
#define GH_PUSH_LISTED_MAX 20

struct gh_event {
	enum gh_event_kind kind;
	char *name, *action;       /* as sent; action NULL when the event has none (push) */
	char *why;                 /* GH_EVENT_IGNORED: why nothing is to be done */
	char *repository;          /* owner/name the payload is about (NULL when ignored early) */
	int number;                /* the pull request, 0 for a push */
	bool gone;                 /* the review or comment was deleted: nothing to write from it */
	struct gh_review review;   /* GH_EVENT_REVIEW: state upper case, as REST has it */
	struct gh_comment comment; /* GH_EVENT_COMMENT */
	/* GH_EVENT_PUSH: the pushed commits, oldest first, and the earliest time among them */
	char **shas;
	size_t n_shas;
	char *earliest;
	bool maybe_cut; /* the list has GH_PUSH_LISTED_MAX or more: it may not be every commit */
};

/*
 * Reads the payload text[0..len) of the event named name. An event that
 * does not concern one pull request (or a push to another branch, an
 * issue's comment, an unsupported action) is GH_EVENT_IGNORED with why.
 * -1 + ERR_PARSE naming the field when the payload is not JSON, not an
 * object, or lacks or garbles a field the event needs (never quoting
 * values); out then holds nothing to free. Release with gh_event_release.
 */
int map_actions_event(const char *name, const char *text, size_t len, struct gh_event *out,
		      struct err *e);
void gh_event_release(struct gh_event *ev);

/* How a job (a run) ended: its row's status and the exit code follow from it. */
enum job_status { JOB_COMPLETED, JOB_PARTIAL, JOB_FAILED };

#endif
