/*
 * github.h - typed REST fetches: a repository, a pull request, a commit, a
 * user, and the lists a capture walks, each item read into model.h's
 * structs (map.h) and checked against what was asked for.
 *
 * What jobs call for GitHub data besides prfetch.h and commitfetch.h: no
 * JSON here. The client itself (struct gh, made by main) is ghclient.h's.
 * Every struct handed to a callback is borrowed for the call and freed after
 * it; every struct a fetch fills is the caller's, freed with its _release.
 */
#ifndef PC_GITHUB_H
#define PC_GITHUB_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "model.h"

struct gh;

/*
 * GET /repos/{o}/{r}. A repository GitHub does not have (or the token
 * cannot see) is ERR_NO_REPO. A renamed or moved one answers under its new
 * name: out->full_name says which.
 */
int gh_repo_get(struct gh *g, const char *owner, const char *name, struct gh_repo *out,
		struct err *e);

/*
 * GET /repos/{o}/{r}/pulls/{n}, with its counters. An answer for another
 * pull request than number is an error (ERR_GITHUB); a 404 is ERR_NOT_FOUND,
 * or ERR_NO_REPO when the repository itself is not there (looked up once).
 */
int gh_pull_get(struct gh *g, const char *owner, const char *name, int number, struct gh_pull *out,
		struct err *e);

/*
 * The same, sent with etag (the ETag of an earlier answer; NULL: none) as
 * If-None-Match: 1 when GitHub answers 304, Not Modified (no primary rate
 * point; *out stays empty), 0 with *out and out->etag the answer's ETag.
 */
int gh_pull_get_if(struct gh *g, const char *owner, const char *name, int number, const char *etag,
		   struct gh_pull *out, struct err *e);

/*
 * An item of a list that could not be read (malformed): why, with what
 * the item was when that could be told. Return 0 to go on with the next
 * item, -1 (e set) to end the walk.
 */
typedef int (*gh_bad_fn)(void *ud, const struct err *why, struct err *e);

/*
 * List walks: every page of a REST list (100 a page), fn called with each
 * page's items in order (an item that could not be read splits the page: fn
 * sees the items before it, bad sees it, fn sees the rest). fn may set
 * *stop to end early; an fn or bad error ends the walk and is returned.
 * Where bad is NULL, an unreadable item ends the walk with its error.
 */
typedef int (*gh_files_fn)(void *ud, const struct gh_file *files, size_t n, bool *stop,
			   struct err *e);
typedef int (*gh_pulls_fn)(void *ud, const struct gh_pull *pulls, size_t n, bool *stop,
			   struct err *e);
typedef int (*gh_reviews_fn)(void *ud, const struct gh_review *reviews, size_t n, bool *stop,
			     struct err *e);
typedef int (*gh_comments_fn)(void *ud, const struct gh_comment *comments, size_t n, bool *stop,
			      struct err *e);
typedef int (*gh_commits_fn)(void *ud, const struct gh_commit *commits, size_t n, bool *stop,
			     struct err *e);

/*
 * A pull request's own lists, every page: GET …/pulls/{n}/files (GitHub
 * lists at most 3,000), …/pulls/{n}/reviews (oldest first), and its
 * conversation (…/issues/{n}/comments) or review comments (…/pulls/{n}/comments).
 * An item that names another pull request ends the walk (ERR_GITHUB), as
 * does one that cannot be read: a PR is captured whole or not at all.
 */
int gh_pull_files(struct gh *g, const char *owner, const char *name, int number, gh_files_fn fn,
		  void *ud, struct err *e);
int gh_pull_reviews(struct gh *g, const char *owner, const char *name, int number, gh_reviews_fn fn,
		    void *ud, struct err *e);
int gh_pull_comments(struct gh *g, const char *owner, const char *name, int number,
		     enum gh_comment_kind kind, gh_comments_fn fn, void *ud, struct err *e);

/*
 * GET /repos/{o}/{r}/pulls?state=all&sort=<sort>&direction=desc (sort:
 * "created" or "updated"), newest first, until fn sets *stop. The items have
 * no counters (lists lack them).
 */
int gh_pulls_list(struct gh *g, const char *owner, const char *name, const char *sort,
		  gh_pulls_fn fn, gh_bad_fn bad, void *ud, struct err *e);

/*
 * Every comment of the repository (issues/comments or pulls/comments) updated
 * at or after since (ISO-8601), oldest update first. Conversation comments of
 * plain issues are included (their pr_number is 0).
 */
int gh_repo_comments(struct gh *g, const char *owner, const char *name, enum gh_comment_kind kind,
		     const char *since, gh_comments_fn fn, gh_bad_fn bad, void *ud, struct err *e);

/*
 * GET /repos/{o}/{r}/commits?sha=<branch>&since=<since>: newest first, no
 * stats. An empty repository (GitHub's 409 "Git Repository is empty") has
 * no commits: 0, fn never called.
 */
int gh_commits_list(struct gh *g, const char *owner, const char *name, const char *branch,
		    const char *since, gh_commits_fn fn, gh_bad_fn bad, void *ud, struct err *e);

/*
 * GET /repos/{o}/{r}/commits/{sha} with stats; changed_files counts every
 * page of files. An answer for another commit is an error (ERR_GITHUB).
 */
int gh_commit_get(struct gh *g, const char *owner, const char *name, const char *sha,
		  struct gh_commit *out, struct err *e);

/* GET /repos/{o}/{r}/commits/{sha}/pulls: adds the PRs to c->prs (c->has_prs set). */
int gh_commit_pulls(struct gh *g, const char *owner, const char *name, struct gh_commit *c,
		    struct err *e);

/*
 * GET /user/{account_id} and GET /repositories/{id}: an account or a
 * repository by the id that outlives renames and transfers. 1 found (out
 * filled), 0 GitHub has it no more (deleted, or not visible to the token),
 * -1 + e. An answer for another id is an error (ERR_GITHUB).
 */
int gh_user_by_id(struct gh *g, int64_t id, struct gh_user *out, struct err *e);
int gh_repo_by_id(struct gh *g, int64_t id, struct gh_repo *out, struct err *e);

/*
 * GET /rate_limit (free: it costs no point): the token's core and GraphQL
 * budgets (graphql->remaining -1 when the server has no GraphQL).
 */
int gh_rate_limits(struct gh *g, struct gh_budget *core, struct gh_budget *graphql, struct err *e);

/*
 * GitHub App i (0-based) of the token pool as GitHub describes it: GET /app
 * with its JWT, its installation, and its installation token (minted if need
 * be). 1 with *out filled (released by gh_app_info_release), 0 when the pool
 * has no app i, -1 + e when GitHub refuses the app (the error names the input).
 */
int gh_app_describe(struct gh *g, size_t i, struct gh_app_info *out, struct err *e);

/* GET /users/{login}; an answer for another account is an error (ERR_GITHUB). */
int gh_user_get(struct gh *g, const char *login, struct gh_user *out, struct err *e);

/*
 * Completes a user GraphQL could name but not number (id 0, login set: an id
 * past GraphQL's Int, or a bot known only by its no-reply address) with
 * REST's record of the account, looked up once per login and client. Users
 * with an id, or no login, are left alone. A lookup failure that is not a
 * rate or credential problem leaves u as it was and returns 0 (after a
 * warning); those return -1 with e.
 */
int gh_user_resolve(struct gh *g, struct gh_user *u, struct err *e);

#endif
