/*
 * test_gql.c - the GraphQL documents: the parts asked for, the fragments
 * included, and values that cannot change a document's shape.
 */
#include <stdlib.h>

#include "gql.h"
#include "harness.h"

TEST(gql_batch_asks_each_pull_request_by_alias_with_only_the_wanted_parts)
{
	static const int64_t numbers[] = {7, 42};
	struct buf b = BUF_INIT(1 << 20);

	CHECK(gql_pull_batch(&b, "acme", "widgets", numbers, 2, PR_FILES) == 0);
	CHECK(strstr(buf_str(&b), "p7: pullRequest(number: 7) { ...PullFields") != NULL);
	CHECK(strstr(buf_str(&b), "p42: pullRequest(number: 42)") != NULL);
	CHECK(strstr(buf_str(&b), "files(first: 100) { ...FilePage }") != NULL);
	CHECK(strstr(buf_str(&b), "reviews(first") == NULL);
	CHECK(strstr(buf_str(&b), "fragment ReviewPage") == NULL);
	CHECK(strstr(buf_str(&b), "fragment Actor") != NULL);
	CHECK(strstr(buf_str(&b), "rateLimit { cost remaining resetAt }") != NULL);
	buf_reset(&b);
	CHECK(gql_pull_batch(&b, "acme", "widgets", numbers, 2, PR_COMMENTS) == 0);
	CHECK(strstr(buf_str(&b), "reviewThreads(first: 5) { ...ThreadPage }") != NULL);
	CHECK(strstr(buf_str(&b), "fragment ReviewCommentPage") != NULL);
	CHECK(strstr(buf_str(&b), "fragment FilePage") == NULL);
	buf_release(&b);
}

TEST(gql_values_are_string_literals_that_cannot_break_out)
{
	struct gql_cont c = {GQL_FILES, 3, NULL, "x\") { viewer { login } } #\n", 100};
	struct buf b = BUF_INIT(1 << 20);

	CHECK(gql_continuations(&b, "o\"wner", "na\\me", &c, 1) == 0);
	CHECK(strstr(buf_str(&b), "owner: \"o\\\"wner\"") != NULL);
	CHECK(strstr(buf_str(&b), "name: \"na\\\\me\"") != NULL);
	CHECK(strstr(buf_str(&b), "after: \"x\\\") { viewer { login } } #\\n\"") != NULL);
	buf_release(&b);
}

TEST(gql_thread_comment_pages_need_no_repository)
{
	struct gql_cont c = {GQL_THREAD_COMMENTS, 3, "PRRT_1", "Y3Vy", 100};
	struct buf b = BUF_INIT(1 << 20);

	CHECK(gql_continuations(&b, "acme", "widgets", &c, 1) == 0);
	CHECK(strstr(buf_str(&b), "repository(") == NULL);
	CHECK(strstr(buf_str(&b), "c0: node(id: \"PRRT_1\") { ... on PullRequestReviewThread") !=
	      NULL);
	buf_release(&b);
}

TEST(gql_thread_pages_ask_only_for_the_threads_left)
{
	struct gql_cont c = {GQL_THREADS, 3, NULL, "Y3Vy", 17};
	struct buf b = BUF_INIT(1 << 20);

	CHECK(gql_continuations(&b, "acme", "widgets", &c, 1) == 0);
	CHECK(strstr(buf_str(&b), "reviewThreads(first: 17, after: \"Y3Vy\")") != NULL);
	buf_release(&b);
}
