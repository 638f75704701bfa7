/*
 * test_github.c - the GitHub client over a scripted transport: headers,
 * pagination, rate counters, error mapping.
 */
#include <stdlib.h>

#include "fake_http.h"
#include "github.h"
#include "harness.h"
#include "util.h"

static struct fake_http fake;
static struct http_client *http;

static struct gh *
client(const char *token)
{
	struct http_options o = {"test-agent", 0, 0, 0, NULL};
	struct gh_options go = {"https://api.test", "https://api.test/graphql", token, NULL};

	fake_http_reset(&fake);
	http_client_free(http);
	http = http_client_new(&o, NULL);
	http_client_set_transport(http, fake_http_transport, &fake);
	go.http = http;
	return gh_new(&go);
}

static void
done(struct gh *g)
{
	gh_free(g);
	http_client_free(http);
	http = NULL;
	fake_http_reset(&fake);
}

static int
count_items(void *ud, const cJSON *items, bool *stop, struct err *e)
{
	(void)stop;
	(void)e;
	*(int *)ud += cJSON_GetArraySize(items);
	return 0;
}

TEST(github_requests_carry_token_version_and_accept_headers)
{
	struct gh *g = client("ghp_abc");
	cJSON *j = NULL;

	fake_http_push(&fake, 200,
		       "x-ratelimit-remaining: 4999\nx-ratelimit-limit: 5000\n"
		       "x-ratelimit-reset: 1700000000\nx-ratelimit-resource: core\n",
		       "{}");
	CHECK(gh_rest_get(g, "/repos/a/b", &j, NULL) == 0);
	CHECK_STR(fake.url[0], "https://api.test/repos/a/b");
	CHECK(strstr(fake.headers[0], "Authorization: Bearer ghp_abc\n") != NULL);
	CHECK(strstr(fake.headers[0], "X-GitHub-Api-Version: 2022-11-28\n") != NULL);
	CHECK(strstr(fake.headers[0], "Accept: application/vnd.github+json\n") != NULL);
	CHECK_INT(gh_stats(g)->core_remaining, 4999);
	CHECK_INT(gh_stats(g)->core_limit, 5000);
	CHECK_INT(gh_stats(g)->requests, 1);
	cJSON_Delete(j);
	done(g);
}

TEST(github_without_token_sends_no_authorization)
{
	struct gh *g = client(NULL);
	cJSON *j = NULL;

	fake_http_push(&fake, 200, "", "{}");
	CHECK(gh_rest_get(g, "/x", &j, NULL) == 0);
	CHECK(strstr(fake.headers[0], "Authorization") == NULL);
	cJSON_Delete(j);
	done(g);
}

TEST(github_pagination_follows_link_next_until_absent)
{
	struct gh *g = client("t0ken");
	int n = 0;

	fake_http_push(&fake, 200,
		       "link: <https://api.test/x?page=2>; rel=\"next\", "
		       "<https://api.test/x?page=3>; rel=\"last\"\n",
		       "[1,2]");
	fake_http_push(&fake, 200, "link: <https://api.test/x?page=3>; rel=\"next\"\n", "[3]");
	fake_http_push(&fake, 200, "link: <https://api.test/x?page=2>; rel=\"prev\"\n", "[4,5,6]");
	CHECK(gh_rest_each_page(g, "/x?per_page=100", count_items, &n, NULL) == 0);
	CHECK_INT(n, 6);
	CHECK_INT(fake.nsent, 3);
	CHECK_STR(fake.url[0], "https://api.test/x?per_page=100");
	CHECK_STR(fake.url[1], "https://api.test/x?page=2");
	CHECK_STR(fake.url[2], "https://api.test/x?page=3");
	done(g);
}

TEST(github_page_that_is_not_a_list_is_an_error)
{
	struct gh *g = client("t0ken");
	int n = 0;
	struct err e;

	fake_http_push(&fake, 200, "", "{\"message\":\"odd\"}");
	CHECK(gh_rest_each_page(g, "/x", count_items, &n, &e) == -1);
	CHECK(e.code == ERR_PARSE);
	done(g);
}

struct map_case {
	long status;
	const char *headers;
	const char *body;
	enum err_code code;
	const char *text;
};

TEST(github_errors_are_mapped_once_with_githubs_message)
{
	static const struct map_case cases[] = {
		{401, "", "{\"message\":\"Bad credentials\"}", ERR_AUTH, "401 Bad credentials"},
		{404, "", "{\"message\":\"Not Found\"}", ERR_NOT_FOUND,
		 "GET /repos/a/b: 404 Not Found"},
		{403, "x-ratelimit-remaining: 0\nx-ratelimit-reset: 1700000000\n",
		 "{\"message\":\"API rate limit exceeded for user ID 1.\"}", ERR_RATE,
		 "rate limit exhausted (resets at 2023-11-14T22:13:20Z)"},
		{429, "retry-after: 60\n",
		 "{\"message\":\"You have exceeded a secondary rate limit\"}", ERR_RATE,
		 "secondary rate limit (retry after 60 s)"},
		{403, "x-ratelimit-remaining: 10\n",
		 "{\"message\":\"You have exceeded a secondary rate limit.\"}", ERR_RATE,
		 "secondary"},
		{403, "x-ratelimit-remaining: 10\n", "{\"message\":\"Resource not accessible\"}",
		 ERR_GITHUB, "403 Resource not accessible"},
		{422, "", "{\"message\":\"Validation Failed\"}", ERR_GITHUB,
		 "422 Validation Failed"},
		{502, "", "<html>bad gateway</html>", ERR_GITHUB, "502 (no message)"},
		{200, "", "{not json", ERR_PARSE, "invalid JSON"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gh *g = client("ghp_secret_value");
		cJSON *j = NULL;
		struct err e;

		err_clear(&e);
		fake_http_push(&fake, cases[i].status, cases[i].headers, cases[i].body);
		CHECK(gh_rest_get(g, "/repos/a/b", &j, &e) == -1);
		CHECK(j == NULL);
		if (!CHECK(e.code == cases[i].code && strstr(e.msg, cases[i].text) != NULL))
			fprintf(stderr, "    case %zu: code %d msg '%s'\n", i, e.code, e.msg);
		CHECK(strstr(e.msg, "ghp_secret_value") == NULL);
		done(g);
	}
}

TEST(github_transport_failure_is_an_http_error)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;
	struct err e;

	fake.answers[0].fail = 1;
	fake.nanswers = 1;
	CHECK(gh_rest_get(g, "/x", &j, &e) == -1);
	CHECK(e.code == ERR_HTTP);
	done(g);
}

TEST(github_graphql_posts_the_query_and_counts_points)
{
	struct gh *g = client("t0ken");
	cJSON *vars = cJSON_CreateObject();
	cJSON *out = NULL;

	cJSON_AddNumberToObject(vars, "n", 5);
	fake_http_push(&fake, 200, "x-ratelimit-resource: graphql\nx-ratelimit-remaining: 4990\n",
		       "{\"data\":{\"rateLimit\":{\"cost\":3,\"remaining\":4990}}}");
	CHECK(gh_graphql(g, "query($n:Int!){x}", vars, &out, NULL) == 0);
	CHECK_STR(fake.method[0], "POST");
	CHECK_STR(fake.url[0], "https://api.test/graphql");
	CHECK_STR(fake.body[0], "{\"query\":\"query($n:Int!){x}\",\"variables\":{\"n\":5}}");
	CHECK_INT(gh_stats(g)->graphql_points, 3);
	CHECK_INT(gh_stats(g)->graphql_remaining, 4990);
	CHECK_INT(gh_stats(g)->core_remaining, -1);
	cJSON_Delete(out);
	cJSON_Delete(vars);
	done(g);
}

TEST(github_graphql_rate_limited_inside_a_200_is_a_rate_error)
{
	struct gh *g = client("t0ken");
	cJSON *out = NULL;
	struct err e;

	fake_http_push(&fake, 200, "x-ratelimit-remaining: 0\nx-ratelimit-resource: graphql\n",
		       "{\"errors\":[{\"type\":\"RATE_LIMITED\",\"message\":\"API rate limit "
		       "exceeded\"}]}");
	CHECK(gh_graphql(g, "{x}", NULL, &out, &e) == -1);
	CHECK(e.code == ERR_RATE);
	CHECK(out == NULL);
	done(g);
}

static int
collect_files(void *ud, const struct gh_file *files, size_t n, bool *stop, struct err *e)
{
	(void)e;
	(void)stop;
	(void)files;
	*(size_t *)ud += n;
	return 0;
}

TEST(github_pull_files_reads_every_page_mapped)
{
	struct gh *g = client("t0ken");
	size_t n = 0;
	const char *page = "[{\"filename\":\"a\",\"status\":\"added\",\"additions\":1,"
			   "\"deletions\":0,\"changes\":1},{\"filename\":\"b\",\"status\":"
			   "\"renamed\",\"previous_filename\":\"c\",\"additions\":0,"
			   "\"deletions\":0,\"changes\":0}]";

	fake_http_push(&fake, 200, "link: <https://api.test/p2>; rel=\"next\"\n", page);
	fake_http_push(&fake, 200, "", page);
	CHECK(gh_pull_files(g, "o", "r", 7, collect_files, &n, NULL) == 0);
	CHECK_INT(n, 4);
	CHECK_STR(fake.url[0], "https://api.test/repos/o/r/pulls/7/files?per_page=100");
	done(g);
}
