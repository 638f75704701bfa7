/*
 * map.h - GitHub's JSON, REST and GraphQL, to the structs of model.h (and
 * the old queue's events: map_inngest_event).
 *
 * The one place where GitHub's field names meet our structs. Pure (no I/O,
 * no globals), every field a capture needs is checked, fuzzed. Both APIs map
 * to the same values, so either path writes the same rows. Only the GitHub
 * layer uses this header: jobs see the structs, never JSON.
 */
#ifndef PC_MAP_H
#define PC_MAP_H

#include <cjson/cJSON.h>

#include "err.h"
#include "model.h"

/*
 * REST mappers: each fills out from j; on a missing or malformed field returns
 * -1 with ERR_PARSE naming it, and out holds nothing to free.
 */
int map_user(const cJSON *j, struct gh_user *out, struct err *e);
int map_repo(const cJSON *j, struct gh_repo *out, struct err *e);
/* A node of a GraphQL pull request list: number, createdAt, updatedAt only. */
int map_gql_pull_item(const cJSON *j, struct gh_pull *p, struct err *e);
/* GET /rate_limit's resources.core and resources.graphql. */
int map_rate_limits(const cJSON *j, struct gh_budget *core, struct gh_budget *graphql,
		    struct err *e);
/* A workflow run object of the Actions API. */
int map_run(const cJSON *j, struct gh_run *out, struct err *e);
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

/*
 * One event of an Inngest export (model.h map_inngest_export reads a whole
 * export): name and data required; ERR_PARSE naming the field otherwise,
 * never its value (data may hold a token), and out holds nothing to free.
 */
int map_inngest_event(const cJSON *j, struct inngest_event *out, struct err *e);

#endif
