/*
 * test_map.c - GitHub JSON to structs, on the official OpenAPI examples
 * (tests/vectors/github/, copied from @octokit/openapi) and on
 * broken variants of them.
 */
#include <stdlib.h>

#include "harness.h"
#include "json.h"
#include "model.h"

static cJSON *
load(const char *path)
{
	size_t n;
	char *s = vec_slurp(path, &n);
	cJSON *j = s != NULL ? json_parse(s, n, NULL) : NULL;

	free(s);
	CHECK(j != NULL);
	return j;
}

TEST(map_pull_reads_the_official_example)
{
	cJSON *j = load("vectors/github/pull-request.json");
	struct gh_pull p;
	struct err e;

	if (!CHECK(map_pull(j, &p, &e) == 0)) {
		fprintf(stderr, "    %s\n", e.msg);
		cJSON_Delete(j);
		return;
	}
	CHECK_INT(p.number, 1347);
	CHECK_INT(p.id, 1);
	CHECK_STR(p.state, "open"); /* the example says merged: false */
	CHECK_STR(p.created_at, "2011-01-26T19:01:12Z");
	CHECK_STR(p.base_ref, "master");
	CHECK_STR(p.head_ref, "new-topic");
	CHECK(p.has_counters);
	CHECK_INT(p.additions, 100);
	CHECK_INT(p.deletions, 3);
	CHECK_INT(p.changed_files, 5);
	CHECK_INT(p.commits, 3);
	CHECK_STR(p.author.login, "octocat");
	CHECK_INT(p.author.id, 1);
	CHECK_INT(p.mergeable, 1);
	CHECK_STR(p.mergeable_state, "clean");
	gh_pull_release(&p);
	cJSON_Delete(j);
}

TEST(map_pull_state_is_merged_when_github_says_merged)
{
	cJSON *j = load("vectors/github/pull-request.json");
	struct gh_pull p;

	cJSON_ReplaceItemInObjectCaseSensitive(j, "merged", cJSON_CreateTrue());
	cJSON_ReplaceItemInObjectCaseSensitive(j, "state", cJSON_CreateString("closed"));
	CHECK(map_pull(j, &p, NULL) == 0);
	CHECK_STR(p.state, "merged");
	gh_pull_release(&p);
	cJSON_Delete(j);
}

TEST(map_pull_list_items_have_no_counters)
{
	cJSON *j = load("vectors/github/pull-request-list.json");
	struct gh_pull p;

	CHECK(map_pull(cJSON_GetArrayItem(j, 0), &p, NULL) == 0);
	CHECK(!p.has_counters);
	CHECK_INT(p.number, 1347);
	gh_pull_release(&p);
	cJSON_Delete(j);
}

TEST(map_pull_refuses_missing_or_malformed_fields_by_name)
{
	static const char *const required[] = {"number",     "id",         "title",
					       "created_at", "updated_at", "state"};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		cJSON *j = load("vectors/github/pull-request.json");
		struct gh_pull p;
		struct err e;

		cJSON_DeleteItemFromObjectCaseSensitive(j, required[i]);
		CHECK(map_pull(j, &p, &e) == -1);
		CHECK(e.code == ERR_PARSE);
		if (!CHECK(strstr(e.msg, required[i]) != NULL))
			fprintf(stderr, "    message: %s\n", e.msg);
		cJSON_Delete(j);
	}
	{
		cJSON *j = load("vectors/github/pull-request.json");
		struct gh_pull p;
		struct err e;

		cJSON_ReplaceItemInObjectCaseSensitive(j, "created_at", cJSON_CreateString("soon"));
		CHECK(map_pull(j, &p, &e) == -1);
		CHECK(strstr(e.msg, "created_at") != NULL);
		cJSON_Delete(j);
	}
	{
		cJSON *j = load("vectors/github/pull-request.json");
		struct gh_pull p;

		cJSON_ReplaceItemInObjectCaseSensitive(j, "state", cJSON_CreateString("merged"));
		CHECK(map_pull(j, &p, NULL) == -1);
		cJSON_Delete(j);
	}
}

TEST(map_pull_without_author_keeps_id_zero)
{
	cJSON *j = load("vectors/github/pull-request.json");
	struct gh_pull p;

	cJSON_ReplaceItemInObjectCaseSensitive(j, "user", cJSON_CreateNull());
	cJSON_ReplaceItemInObjectCaseSensitive(j, "merged_by", cJSON_CreateNull());
	CHECK(map_pull(j, &p, NULL) == 0);
	CHECK_INT(p.author.id, 0);
	CHECK(p.author.login == NULL);
	gh_pull_release(&p);
	cJSON_Delete(j);
}

TEST(map_file_reads_the_official_example)
{
	cJSON *j = load("vectors/github/pull-request-files.json");
	struct gh_file f;

	CHECK(map_file(cJSON_GetArrayItem(j, 0), &f, NULL) == 0);
	CHECK_STR(f.filename, "file1.txt");
	CHECK_STR(f.status, "added");
	CHECK_INT(f.additions, 103);
	CHECK_INT(f.deletions, 21);
	CHECK_INT(f.changes, 124);
	CHECK(f.previous_filename == NULL);
	gh_file_release(&f);
	cJSON_Delete(j);
}

TEST(map_file_refuses_unknown_status)
{
	const char *doc = "{\"filename\":\"a\",\"status\":\"exploded\",\"additions\":1,"
			  "\"deletions\":0,\"changes\":1}";
	cJSON *j = json_parse(doc, strlen(doc), NULL);
	struct gh_file f;
	struct err e;

	CHECK(map_file(j, &f, &e) == -1);
	CHECK(strstr(e.msg, "exploded") != NULL);
	cJSON_Delete(j);
}

TEST(map_repo_reads_the_official_example)
{
	cJSON *j = load("vectors/github/repository.json");
	struct gh_repo r;

	CHECK(map_repo(j, &r, NULL) == 0);
	CHECK_INT(r.id, 1296269);
	CHECK_STR(r.full_name, "octocat/Hello-World");
	CHECK_STR(r.owner, "octocat");
	CHECK_STR(r.license, "MIT");
	CHECK_INT(r.n_topics, 4);
	CHECK_STR(r.topics[0], "octocat");
	CHECK_INT(r.stargazers, 80);
	gh_repo_release(&r);
	cJSON_Delete(j);
}

TEST(map_user_refuses_non_positive_ids)
{
	const char *doc = "{\"id\":0,\"login\":\"x\"}";
	cJSON *j = json_parse(doc, strlen(doc), NULL);
	struct gh_user u;
	struct err e;

	CHECK(map_user(j, &u, &e) == -1);
	CHECK(u.login == NULL);
	cJSON_Delete(j);
}
