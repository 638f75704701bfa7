/*
 * test_map.c - GitHub JSON to structs, on the official OpenAPI examples
 * (tests/vectors/github/, copied from @octokit/openapi) and on
 * broken variants of them; the old queue's JSON (an Inngest export, a job
 * row's metadata) on vectors/inngest-*.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "json.h"
#include "map.h"
#include "util.h"

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

TEST(map_review_reads_the_official_example_and_allows_pending_without_a_time)
{
	cJSON *j = load("vectors/github/pull-request-reviews.json");
	struct gh_review r;
	cJSON *first = cJSON_GetArrayItem(j, 0);

	CHECK(map_review(first, &r, NULL) == 0);
	CHECK_INT(r.id, 80);
	CHECK_STR(r.state, "APPROVED");
	CHECK_STR(r.submitted_at, "2019-11-17T17:43:43Z");
	CHECK_STR(r.commit_id, "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091");
	CHECK_STR(r.author.login, "octocat");
	gh_review_release(&r);
	cJSON_ReplaceItemInObjectCaseSensitive(first, "state", cJSON_CreateString("PENDING"));
	cJSON_DeleteItemFromObjectCaseSensitive(first, "submitted_at");
	CHECK(map_review(first, &r, NULL) == 0);
	CHECK(r.submitted_at == NULL);
	gh_review_release(&r);
	cJSON_Delete(j);
}

TEST(map_comment_tells_pull_request_comments_from_issue_comments)
{
	cJSON *j = load("vectors/github/issue-comments.json");
	cJSON *first = cJSON_GetArrayItem(j, 0);
	struct gh_comment c;

	/* GitHub's example links to an issue: not a pull request's comment. */
	CHECK(map_comment(first, GH_ISSUE_COMMENT, &c, NULL) == 0);
	CHECK_INT(c.pr_number, 0);
	CHECK_STR(c.body, "Me too");
	gh_comment_release(&c);
	cJSON_ReplaceItemInObjectCaseSensitive(
		first, "html_url",
		cJSON_CreateString(
			"https://github.com/octocat/Hello-World/pull/1347#issuecomment-1"));
	CHECK(map_comment(first, GH_ISSUE_COMMENT, &c, NULL) == 0);
	CHECK_INT(c.pr_number, 1347);
	gh_comment_release(&c);
	cJSON_Delete(j);
}

TEST(map_review_comment_reads_the_official_example)
{
	cJSON *j = load("vectors/github/pull-request-review-comments.json");
	struct gh_comment c;

	CHECK(map_comment(cJSON_GetArrayItem(j, 0), GH_REVIEW_COMMENT, &c, NULL) == 0);
	CHECK_INT(c.id, 10);
	CHECK_INT(c.pr_number, 1);
	CHECK_INT(c.in_reply_to, 8);
	CHECK_INT(c.position, 1);
	CHECK_INT(c.original_position, 4);
	CHECK_STR(c.path, "file1.txt");
	CHECK(c.diff_hunk != NULL && c.commit_id != NULL && c.original_commit_id != NULL);
	gh_comment_release(&c);
	cJSON_Delete(j);
}

TEST(map_commit_reads_stats_and_files_of_the_official_example)
{
	cJSON *j = load("vectors/github/commit.json");
	cJSON *list = load("vectors/github/commits.json");
	cJSON *pulls = load("vectors/github/pull-request-list.json");
	struct gh_commit c;

	CHECK(map_commit(j, &c, NULL) == 0);
	CHECK_STR(c.sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
	CHECK_INT(c.additions, 104);
	CHECK_INT(c.deletions, 4);
	CHECK_INT(c.changed_files, 1);
	CHECK_STR(c.authored_at, "2011-04-14T16:00:49Z");
	CHECK_STR(c.author.login, "octocat");
	CHECK(map_commit_pr(cJSON_GetArrayItem(pulls, 0), &c, NULL) == 0);
	CHECK_INT(c.n_prs, 1);
	CHECK_INT(c.prs[0].number, 1347);
	CHECK_STR(c.prs[0].base_ref, "master");
	gh_commit_release(&c);
	/* A list item has no stats. */
	CHECK(map_commit(cJSON_GetArrayItem(list, 0), &c, NULL) == 0);
	CHECK_INT(c.additions, -1);
	CHECK_INT(c.changed_files, -1);
	gh_commit_release(&c);
	cJSON_Delete(j);
	cJSON_Delete(list);
	cJSON_Delete(pulls);
}

/* The answer of the fake GitHub (official schema) to the binary's batch query. */
static const cJSON *
gql_pull(cJSON *root, const char *alias)
{
	return json_get(json_get(json_get(root, "data"), "repository"), alias);
}

TEST(map_gql_pull_matches_what_rest_would_say)
{
	cJSON *j = load("vectors/github/graphql-pulls.json");
	struct gh_pull p;
	struct err e;

	if (!CHECK(map_gql_pull(gql_pull(j, "p1"), &p, &e) == 0)) {
		fprintf(stderr, "    %s\n", e.msg);
		cJSON_Delete(j);
		return;
	}
	CHECK_INT(p.number, 1);
	CHECK(p.id > INT32_MAX);
	CHECK_STR(p.state, "merged");
	CHECK(p.merged);
	CHECK(p.has_counters);
	CHECK(p.html_url != NULL && p.diff_url != NULL);
	CHECK(strlen(p.diff_url) == strlen(p.html_url) + 5 &&
	      strcmp(p.diff_url + strlen(p.html_url), ".diff") == 0);
	CHECK_STR(p.author.login, "hana-k");
	CHECK_INT(p.author.id, 120455003);
	gh_pull_release(&p);
	CHECK(gql_pull(j, "p999") != NULL && cJSON_IsNull(gql_pull(j, "p999")));
	cJSON_Delete(j);
}

TEST(map_gql_actor_gives_bots_their_rest_login_and_leaves_unknown_ids_zero)
{
	const char *bot =
		"{\"__typename\":\"Bot\",\"login\":\"dependabot\",\"databaseId\":49699333,"
		"\"url\":\"https://github.com/apps/dependabot\"}";
	const char *big = "{\"__typename\":\"User\",\"login\":\"someone\",\"databaseId\":null}";
	cJSON *j = json_parse(bot, strlen(bot), NULL);
	cJSON *k = json_parse(big, strlen(big), NULL);
	struct gh_user u;

	CHECK(map_gql_actor(j, &u, NULL) == 0);
	CHECK_STR(u.login, "dependabot[bot]");
	CHECK(u.is_bot);
	CHECK_INT(u.id, 49699333);
	gh_user_release(&u);
	CHECK(map_gql_actor(k, &u, NULL) == 0);
	CHECK_INT(u.id, 0);
	CHECK_STR(u.login, "someone");
	gh_user_release(&u);
	CHECK(map_gql_actor(NULL, &u, NULL) == 0);
	CHECK(u.login == NULL);
	cJSON_Delete(j);
	cJSON_Delete(k);
}

TEST(map_gql_file_maps_every_change_type_to_the_rest_status)
{
	static const char *const pairs[][2] = {
		{"ADDED", "added"},     {"DELETED", "removed"}, {"MODIFIED", "modified"},
		{"RENAMED", "renamed"}, {"COPIED", "copied"},   {"CHANGED", "changed"},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char doc[256];
		cJSON *j;
		struct gh_file f;

		snprintf(doc, sizeof(doc),
			 "{\"path\":\"a\",\"additions\":3,\"deletions\":4,\"changeType\":\"%s\"}",
			 pairs[i][0]);
		j = json_parse(doc, strlen(doc), NULL);
		CHECK(map_gql_file(j, &f, NULL) == 0);
		CHECK_STR(f.status, pairs[i][1]);
		CHECK_INT(f.changes, 7);
		gh_file_release(&f);
		cJSON_Delete(j);
	}
}

TEST(map_gql_review_comment_keeps_thread_links)
{
	cJSON *j = load("vectors/github/graphql-pulls.json");
	const cJSON *threads = json_get(json_get(gql_pull(j, "p1"), "reviewThreads"), "nodes");
	const cJSON *t;
	size_t replies = 0, comments = 0;

	cJSON_ArrayForEach (t, threads) {
		const cJSON *node;

		cJSON_ArrayForEach (node, json_get(json_get(t, "comments"), "nodes")) {
			struct gh_comment c;

			CHECK(map_gql_comment(node, GH_REVIEW_COMMENT, 1, &c, NULL) == 0);
			CHECK(c.path != NULL && c.diff_hunk != NULL && c.commit_id != NULL);
			CHECK(c.original_position >= 0);
			replies += c.in_reply_to != 0;
			comments++;
			gh_comment_release(&c);
		}
	}
	CHECK(comments > 0);
	CHECK(replies < comments); /* each thread's first comment replies to nothing */
	cJSON_Delete(j);
}

TEST(map_gql_commit_names_bots_by_their_no_reply_address)
{
	const char *doc =
		"{\"oid\":\"abc\",\"message\":\"m\",\"authoredDate\":\"2024-01-01T00:00:00Z\","
		"\"committedDate\":\"2024-01-01T00:00:00Z\",\"additions\":1,\"deletions\":2,"
		"\"changedFilesIfAvailable\":null,\"url\":\"u\","
		"\"author\":{\"email\":\"49699333+dependabot[bot]@users.noreply.github.com\","
		"\"user\":null},"
		"\"committer\":{\"email\":\"noreply@github.com\",\"user\":null},"
		"\"associatedPullRequests\":{\"nodes\":[{\"number\":5,\"merged\":true,"
		"\"baseRefName\":\"main\"}]}}";
	cJSON *j = json_parse(doc, strlen(doc), NULL);
	struct gh_commit c;

	CHECK(map_gql_commit(j, &c, NULL) == 0);
	CHECK_STR(c.author.login, "dependabot[bot]");
	CHECK_INT(c.author.id, 0); /* looked up over REST by the caller */
	CHECK(c.committer.login == NULL);
	CHECK_INT(c.changed_files, -1);
	CHECK(c.has_prs && c.n_prs == 1 && c.prs[0].number == 5 && c.prs[0].merged);
	gh_commit_release(&c);
	cJSON_Delete(j);
}

TEST(map_gql_commit_reads_a_history_page)
{
	cJSON *j = load("vectors/github/graphql-history.json");
	const cJSON *nodes =
		json_get(json_get(json_get(json_get(json_get(json_get(j, "data"), "repository"),
						    "defaultBranchRef"),
					   "target"),
				  "history"),
			 "nodes");
	const cJSON *n;
	int count = 0;

	cJSON_ArrayForEach (n, nodes) {
		struct gh_commit c;

		CHECK(map_gql_commit(n, &c, NULL) == 0);
		CHECK(c.sha != NULL && strlen(c.sha) == 40);
		CHECK(c.has_prs);
		gh_commit_release(&c);
		count++;
	}
	CHECK(count > 0);
	cJSON_Delete(j);
}

/* The fields of an event as inngest-event.txt writes them. */
static void
describe_event(const struct inngest_event *ev, struct buf *b)
{
	if (ev->problem != NULL) {
		buf_printf(b, "! %s", ev->problem);
		return;
	}
	buf_printf(b, "%s key=%s", ev->name, str_starts(ev->key, "h:") ? "h" : ev->key);
	if (ev->repository_id != NULL)
		buf_printf(b, " repo-id=%s", ev->repository_id);
	if (ev->repository != NULL)
		buf_printf(b, " repo=%s", ev->repository);
	for (size_t i = 0; i < ev->n_pr_numbers; i++)
		buf_printf(b, "%s%lld", i == 0 ? " prs=" : ",", (long long)ev->pr_numbers[i]);
	if (ev->days > 0)
		buf_printf(b, " days=%d", ev->days);
	if (ev->job_id != NULL)
		buf_printf(b, " job=%s", ev->job_id);
	if (ev->ts_ms > 0)
		buf_printf(b, " ts=%lld", (long long)ev->ts_ms);
}

static void
event_vec(const char *in, const char *want, int line)
{
	cJSON *j = json_parse(in, strlen(in), NULL);
	struct inngest_event ev;
	struct buf b = BUF_INIT(4096);
	struct err e;

	err_clear(&e);
	if (!CHECK(j != NULL)) {
		fprintf(stderr, "    vectors/inngest-event.txt:%d is not JSON\n", line);
		return;
	}
	if (map_inngest_event(j, &ev, &e) < 0)
		buf_printf(&b, "! %s", e.msg);
	else
		describe_event(&ev, &b);
	if (!CHECK_STR(buf_str(&b), want))
		fprintf(stderr, "    vectors/inngest-event.txt:%d\n", line);
	inngest_event_release(&ev);
	buf_release(&b);
	cJSON_Delete(j);
}

TEST(map_inngest_event_reads_the_payloads_contributor_info_sends)
{
	CHECK(vec_each("vectors/inngest-event.txt", event_vec) > 25);
}

static struct inngest_export
read_export(const char *text, int want_rc)
{
	struct inngest_export x;
	struct err e;

	err_clear(&e);
	if (!CHECK_INT(map_inngest_export(text, strlen(text), &x, &e), want_rc))
		fprintf(stderr, "    %s\n", e.msg);
	if (want_rc < 0)
		CHECK_INT(e.code, ERR_INPUT);
	return x;
}

TEST(map_inngest_export_reads_the_test_export_item_by_item)
{
	char *text = vec_slurp("vectors/inngest-events.json", NULL);
	struct inngest_export x = read_export(text, 0);

	if (!CHECK_INT(x.n, 16))
		goto out;
	for (size_t i = 0; i < x.n; i++)
		CHECK_INT(x.events[i].index, i + 1);
	CHECK_STR(x.events[0].key, "id:01HZX0000000000000000000E1");
	CHECK_INT(x.events[0].ts_ms, 1717000000001);
	CHECK_STR(x.events[11].problem, "data.prNumber is not a pull request number");
	CHECK_STR(x.events[11].name, "capture/pr.reviews");
	CHECK_STR(x.events[14].problem, "not an object");
	CHECK(x.events[14].name == NULL);
	/* The same work sent twice without an id is one key. */
	CHECK(str_starts(x.events[12].key, "h:"));
	CHECK_STR(x.events[12].key, x.events[15].key);
	CHECK_STR(x.events[12].repository, "acme/widgets");
out:
	inngest_export_release(&x);
	free(text);
}

TEST(map_inngest_export_takes_a_page_of_the_api_an_object_and_json_lines)
{
	struct inngest_export x;

	x = read_export("{\"data\":[{\"name\":\"a\",\"data\":{}},{\"name\":\"b\",\"data\":{}}],"
			"\"cursor\":\"c\"}",
			0);
	CHECK(x.n == 2 && strcmp(x.events[1].name, "b") == 0);
	inngest_export_release(&x);
	x = read_export("{\"events\":[{\"name\":\"a\",\"data\":{}}]}", 0);
	CHECK(x.n == 1 && strcmp(x.events[0].name, "a") == 0);
	inngest_export_release(&x);
	x = read_export("  {\"name\":\"one\",\"data\":{}}\n", 0);
	CHECK(x.n == 1 && strcmp(x.events[0].name, "one") == 0);
	inngest_export_release(&x);
	x = read_export("[]", 0);
	CHECK_INT(x.n, 0);
	inngest_export_release(&x);
	/* JSON lines: a line that is not JSON is an item that cannot be read. */
	x = read_export("{\"name\":\"a\",\"data\":{}}\n\n  \r\n{\"name\":\"b\",\"da\n"
			"{\"name\":\"c\",\"data\":{}}",
			0);
	if (CHECK_INT(x.n, 3)) {
		CHECK_STR(x.events[0].name, "a");
		CHECK(str_starts(x.events[1].problem, "line 4 is not JSON"));
		CHECK_STR(x.events[2].name, "c");
		CHECK_INT(x.events[2].index, 3);
	}
	inngest_export_release(&x);
}

TEST(map_inngest_export_refuses_what_is_no_export)
{
	static const char *const bad[] = {
		"", "12", "\"events\"", "[1,2", "{\"data\":{}}", "{\"cursor\":\"c\"}", "not json"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct inngest_export x = read_export(bad[i], -1);

		CHECK(x.n == 0 && x.events == NULL);
	}
}

TEST(map_inngest_event_keys_are_the_same_for_the_same_work_only)
{
	struct inngest_export x = read_export(
		"[{\"name\":\"capture/"
		"pr.reviews\",\"data\":{\"repositoryId\":\"r\",\"prNumber\":1}},"
		"{\"name\":\"capture/pr.reviews\",\"ts\":5,\"data\":{\"repositoryId\":\"r\", "
		"\"prNumber\": 1}},"
		"{\"name\":\"capture/"
		"pr.reviews\",\"data\":{\"repositoryId\":\"r\",\"prNumber\":2}},"
		"{\"name\":\"capture/"
		"pr.comments\",\"data\":{\"repositoryId\":\"r\",\"prNumber\":1}}]",
		0);

	if (CHECK_INT(x.n, 4)) {
		CHECK_STR(x.events[0].key, x.events[1].key);
		CHECK(strcmp(x.events[0].key, x.events[2].key) != 0);
		CHECK(strcmp(x.events[0].key, x.events[3].key) != 0);
		CHECK_INT(strlen(x.events[0].key), 2 + 16);
	}
	inngest_export_release(&x);
}

static void
metadata_vec(const char *in, const char *want, int line)
{
	struct job_metadata m;
	struct buf b = BUF_INIT(4096);

	map_job_metadata(in, &m);
	if (m.heartbeat_at != NULL)
		buf_printf(&b, " heartbeat=%s", m.heartbeat_at);
	if (m.repository_name != NULL)
		buf_printf(&b, " repo=%s", m.repository_name);
	if (m.created_by != NULL)
		buf_printf(&b, " by=%s", m.created_by);
	if (m.migrated_to != NULL)
		buf_printf(&b, " to=%s", m.migrated_to);
	for (size_t i = 0; i < m.n_pr_numbers; i++)
		buf_printf(&b, "%s%lld", i == 0 ? " prs=" : ",", (long long)m.pr_numbers[i]);
	if (m.bad_pr_numbers)
		buf_puts(&b, " bad-prs");
	for (size_t i = 0; i < m.n_migrated_from; i++)
		buf_printf(&b, "%s%s", i == 0 ? " from=" : ",", m.migrated_from[i]);
	if (!CHECK_STR(b.len > 0 ? buf_str(&b) + 1 : "(nothing)", want))
		fprintf(stderr, "    vectors/job-metadata.txt:%d\n", line);
	job_metadata_release(&m);
	buf_release(&b);
}

TEST(map_job_metadata_reads_what_the_queues_wrote)
{
	struct job_metadata m;

	CHECK(vec_each("vectors/job-metadata.txt", metadata_vec) > 15);
	map_job_metadata(NULL, &m);
	CHECK(m.pr_numbers == NULL && m.migrated_from == NULL);
	job_metadata_release(&m);
}

/* What the event command does with an event, as actions-event.txt writes it. */
static void
describe_actions_event(const struct gh_event *ev, struct buf *b)
{
	const struct gh_comment *c = &ev->comment;

	switch (ev->kind) {
	case GH_EVENT_IGNORED: buf_printf(b, "ignore: %s", ev->why); break;
	case GH_EVENT_PULL: buf_printf(b, "pull #%d %s", ev->number, ev->action); break;
	case GH_EVENT_REVIEW:
		buf_printf(b, "review #%d id=%lld state=%s by=%s", ev->number,
			   (long long)ev->review.id, ev->review.state,
			   ev->review.author.login != NULL ? ev->review.author.login : "-");
		break;
	case GH_EVENT_COMMENT:
		buf_printf(b, "comment #%d %s id=%lld by=%s reply=%lld%s", ev->number,
			   c->kind == GH_ISSUE_COMMENT ? "issue_comment" : "review_comment",
			   (long long)c->id, c->author.login != NULL ? c->author.login : "-",
			   (long long)c->in_reply_to, ev->gone ? " gone" : "");
		break;
	case GH_EVENT_PUSH:
		for (size_t i = 0; i < ev->n_shas; i++)
			buf_printf(b, "%s%.4s", i == 0 ? "push shas=" : ",", ev->shas[i]);
		buf_printf(b, " since=%s%s", ev->earliest, ev->maybe_cut ? " cut" : "");
		break;
	}
}

static void
actions_event_vec(const char *in, const char *want, int line)
{
	const char *sp = strchr(in, ' ');
	char *name = xstrndup(in, sp != NULL ? (size_t)(sp - in) : strlen(in));
	const char *payload = sp != NULL ? sp + 1 : "";
	struct gh_event ev;
	struct buf b = BUF_INIT(8192);
	struct err e;

	err_clear(&e);
	if (map_actions_event(name, payload, strlen(payload), &ev, &e) < 0) {
		buf_printf(&b, "! %s", e.msg);
		CHECK_INT(e.code, ERR_PARSE);
		CHECK(ev.name == NULL && ev.shas == NULL); /* nothing to free */
	} else {
		describe_actions_event(&ev, &b);
	}
	if (!CHECK_STR(buf_str(&b), want))
		fprintf(stderr, "    vectors/actions-event.txt:%d\n", line);
	gh_event_release(&ev);
	buf_release(&b);
	free(name);
}

TEST(map_actions_event_reads_what_each_event_asks_and_refuses_bad_payloads_by_field)
{
	CHECK(vec_each("vectors/actions-event.txt", actions_event_vec) > 45);
}

/* GitHub's own payloads (copied from @octokit/webhooks-examples). */
static struct gh_event
read_example(const char *name, const char *path)
{
	size_t n = 0;
	char *text = vec_slurp(path, &n);
	struct gh_event ev;
	struct err e;

	err_clear(&e);
	if (!CHECK_INT(map_actions_event(name, text != NULL ? text : "", n, &ev, &e), 0))
		fprintf(stderr, "    %s: %s\n", path, e.msg);
	free(text);
	return ev;
}

TEST(map_actions_event_reads_githubs_example_payloads)
{
	struct gh_event ev = read_example("pull_request_review",
					  "vectors/github/event-pull-request-review.json");

	CHECK_INT(ev.kind, GH_EVENT_REVIEW);
	CHECK_INT(ev.number, 2);
	CHECK_STR(ev.repository, "Codertocat/Hello-World");
	CHECK(ev.review.id == 237895671);
	CHECK_STR(ev.review.state, "COMMENTED");
	CHECK_STR(ev.review.submitted_at, "2019-05-15T15:20:38Z");
	CHECK_STR(ev.review.commit_id, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
	CHECK(ev.review.author.id == 21031067);
	CHECK_STR(ev.review.author.login, "Codertocat");
	gh_event_release(&ev);

	ev = read_example("pull_request_review_comment",
			  "vectors/github/event-pull-request-review-comment.json");
	CHECK_INT(ev.kind, GH_EVENT_COMMENT);
	CHECK_INT(ev.comment.kind, GH_REVIEW_COMMENT);
	CHECK(ev.comment.id == 284312630);
	CHECK_STR(ev.comment.path, "README.md");
	CHECK(ev.comment.position == 1 && ev.comment.pr_number == 2 && !ev.gone);
	gh_event_release(&ev);

	/* The example's repository's default branch is master: the push is to it. */
	ev = read_example("push", "vectors/github/event-push.json");
	CHECK_INT(ev.kind, GH_EVENT_PUSH);
	CHECK(ev.n_shas == 1 && !ev.maybe_cut);
	if (ev.n_shas == 1)
		CHECK_STR(ev.shas[0], "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
	CHECK_STR(ev.earliest, "2019-05-15T15:19:25Z");
	gh_event_release(&ev);
}
