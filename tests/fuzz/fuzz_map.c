/*
 * fuzz_map.c - libFuzzer target: GitHub JSON -> structs (map.c), REST and
 * GraphQL, through the JSON parser and the exact-integer getters. The first
 * byte picks the mapper.
 */
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRY(T, CALL, RELEASE)                                                                      \
	do {                                                                                       \
		T v;                                                                               \
		if ((CALL) == 0)                                                                   \
			RELEASE(&v);                                                               \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	cJSON *j;

	if (size < 1)
		return 0;
	j = json_parse((const char *)data + 1, size - 1, &e);
	if (j == NULL)
		return 0;
	switch (data[0] % 14) {
	case 0: TRY(struct gh_pull, map_pull(j, &v, &e), gh_pull_release); break;
	case 1: TRY(struct gh_file, map_file(j, &v, &e), gh_file_release); break;
	case 2: TRY(struct gh_repo, map_repo(j, &v, &e), gh_repo_release); break;
	case 3: TRY(struct gh_user, map_user(j, &v, &e), gh_user_release); break;
	case 4: TRY(struct gh_review, map_review(j, &v, &e), gh_review_release); break;
	case 5:
		TRY(struct gh_comment, map_comment(j, GH_ISSUE_COMMENT, &v, &e),
		    gh_comment_release);
		break;
	case 6:
		TRY(struct gh_comment, map_comment(j, GH_REVIEW_COMMENT, &v, &e),
		    gh_comment_release);
		break;
	case 7: {
		struct gh_commit v;

		if (map_commit(j, &v, &e) == 0) {
			(void)map_commit_pr(j, &v, &e);
			gh_commit_release(&v);
		}
		break;
	}
	case 8: TRY(struct gh_pull, map_gql_pull(j, &v, &e), gh_pull_release); break;
	case 9: TRY(struct gh_file, map_gql_file(j, &v, &e), gh_file_release); break;
	case 10: TRY(struct gh_review, map_gql_review(j, &v, &e), gh_review_release); break;
	case 11:
		TRY(struct gh_comment, map_gql_comment(j, GH_REVIEW_COMMENT, 1, &v, &e),
		    gh_comment_release);
		break;
	case 12: TRY(struct gh_commit, map_gql_commit(j, &v, &e), gh_commit_release); break;
	default: TRY(struct gh_user, map_gql_actor(j, &v, &e), gh_user_release); break;
	}
	cJSON_Delete(j);
	return 0;
}
