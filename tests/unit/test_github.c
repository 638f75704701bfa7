/*
 * test_github.c - the GitHub client over a scripted transport: headers,
 * pagination, rate counters, error mapping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "fake_http.h"
#include "ghclient.h"
#include "github.h"
#include "harness.h"
#include "util.h"

static struct fake_http fake;
static struct http_client *http;

/* A clock that only moves when the code sleeps: waits cost nothing and are measured. */
static struct {
	time_t start;
	int64_t ms;
	int64_t slept;
	int sleeps;
} vclock;

static time_t
v_now(void *ctx)
{
	(void)ctx;
	return vclock.start + (time_t)(vclock.ms / 1000);
}

static int64_t
v_mono(void *ctx)
{
	(void)ctx;
	return vclock.ms;
}

static void
v_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	vclock.ms += ms;
	vclock.slept += ms;
}

static const struct clock_source virtual_clock = {v_now, v_mono, v_sleep, NULL};

#define T0 1700000000 /* 2023-11-14T22:13:20Z */

static struct gh *
client_full(char *const *tokens, size_t n, struct app_auth **apps, size_t napps,
	    const struct rl_policy *policy)
{
	static struct rl_policy dflt = {600, 0, 0, 1, 5};
	struct http_options o = {"test-agent", 0, 0, 0, NULL, false};
	struct gh_options go = {.api_url = "https://api.test",
				.graphql_url = "https://api.test/graphql",
				.tokens = tokens,
				.ntokens = n,
				.policy = policy != NULL ? policy : &dflt};

	fake_http_reset(&fake);
	http_client_free(http);
	http = http_client_new(&o, NULL);
	http_client_set_transport(http, fake_http_transport, &fake);
	go.http = http;
	go.apps = apps;
	go.napps = napps;
	vclock.start = T0;
	vclock.ms = 0;
	vclock.slept = 0;
	clock_use(&virtual_clock);
	return gh_new(&go);
}

static struct gh *
client_with(char *const *tokens, size_t n, const struct rl_policy *policy)
{
	return client_full(tokens, n, NULL, 0, policy);
}

static struct gh *
client(const char *token)
{
	static char tok[64];
	static char *toks[] = {tok};

	if (token == NULL)
		return client_with(NULL, 0, NULL);
	snprintf(tok, sizeof(tok), "%s", token);
	return client_with(toks, 1, NULL);
}

static void
done(struct gh *g)
{
	clock_use(NULL);
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
		{401, "", "{\"message\":\"Bad credentials\"}", ERR_AUTH,
		 "401 Bad credentials: GitHub refused the token (the github-token input"},
		/* Not GitHub's JSON: the status's words and the start of the body, one line. */
		{403, "", "<html><title>Blocked by the proxy</title>\n<b>no</b></html>", ERR_GITHUB,
		 "403 Forbidden (answer: Blocked by the proxy)"},
		{418, "", "{\"error\":\"teapot\"}", ERR_GITHUB,
		 "418 (answer: {\"error\":\"teapot\"})"},
		{409, "", "", ERR_GITHUB, "409 Conflict (empty answer)"},
		{404, "", "{\"message\":\"Not Found\"}", ERR_NOT_FOUND,
		 "GET /repos/a/b: 404 Not Found"},
		/* Spent until an hour later: more than max-wait, so the run stops as partial. */
		{403, "x-ratelimit-remaining: 0\nx-ratelimit-reset: 1700003600\n",
		 "{\"message\":\"API rate limit exceeded for user ID 1.\"}", ERR_RATE,
		 "rate limit is spent until 2023-11-14T23:13:20Z (in 3601 s), longer than "
		 "max-wait"},
		{403, "x-ratelimit-remaining: 10\n", "{\"message\":\"Resource not accessible\"}",
		 ERR_GITHUB, "403 Resource not accessible"},
		{422, "", "{\"message\":\"Validation Failed\"}", ERR_GITHUB,
		 "422 Validation Failed"},
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
		CHECK_INT(fake.nsent, 1); /* none of these is retried */
		CHECK_INT(vclock.slept, 0);
		done(g);
	}
}

TEST(github_retries_server_errors_and_garbled_answers_with_backoff)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;

	fake_http_push(&fake, 502, "", "<html>bad gateway</html>");
	fake_http_push(&fake, 503, "", "{\"message\":\"busy\"}");
	fake_http_push(&fake, 200, "", "{\"id\": 1, \"na"); /* cut short */
	fake_http_push(&fake, 200, "", "{\"id\": 1}");
	CHECK(gh_rest_get(g, "/x", &j, NULL) == 0);
	CHECK_INT(fake.nsent, 4);
	/* 1 s, 2 s, 4 s (each +-20 %) */
	CHECK(vclock.slept >= 5600 && vclock.slept <= 8400);
	CHECK_INT(gh_stats(g)->limits.retries, 3);
	cJSON_Delete(j);
	done(g);
}

TEST(github_gives_up_on_server_errors_after_max_retries)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;
	struct err e;

	for (int i = 0; i < 6; i++)
		fake_http_push(&fake, 500, "", "{\"message\":\"oops\"}");
	CHECK(gh_rest_get(g, "/x", &j, &e) == -1);
	CHECK(e.code == ERR_GITHUB);
	CHECK(strstr(e.msg, "500 oops") != NULL);
	CHECK_INT(fake.nsent, 6);
	done(g);
}

TEST(github_honours_retry_after_exactly_and_waits_a_minute_without_it)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;

	fake_http_push(&fake, 429, "retry-after: 7\nx-ratelimit-remaining: 100\n",
		       "{\"message\":\"You have exceeded a secondary rate limit\"}");
	fake_http_push(&fake, 403, "x-ratelimit-remaining: 100\n",
		       "{\"message\":\"You have exceeded a secondary rate limit. Please wait\"}");
	fake_http_push(&fake, 200, "", "{}");
	CHECK(gh_rest_get(g, "/x", &j, NULL) == 0);
	CHECK_INT(fake.nsent, 3);
	/*
	 * 7 s as asked, then (no retry-after) a minute doubled for the second
	 * attempt, plus up to 20 % jitter: never less than GitHub asks.
	 */
	CHECK(vclock.slept >= 7000 + 120000 && vclock.slept <= 7000 + 144000);
	CHECK_INT(gh_stats(g)->limits.secondary, 2);
	cJSON_Delete(j);
	done(g);
}

TEST(github_secondary_limit_longer_than_max_wait_stops_as_partial)
{
	static struct rl_policy p = {30, 0, 0, 1, 5};
	struct gh *g = client_with(NULL, 0, &p);
	cJSON *j = NULL;
	struct err e;

	fake_http_push(&fake, 403, "retry-after: 120\nx-ratelimit-remaining: 5\n",
		       "{\"message\":\"secondary rate limit\"}");
	CHECK(gh_rest_get(g, "/x", &j, &e) == -1);
	CHECK(e.code == ERR_RATE);
	CHECK(strstr(e.msg, "120 s wait, longer than max-wait (30 s)") != NULL);
	CHECK_INT(vclock.slept, 0);
	done(g);
}

TEST(github_waits_for_a_near_reset_and_goes_on)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;

	fake_http_push(&fake, 403, "x-ratelimit-remaining: 0\nx-ratelimit-reset: 1700000003\n",
		       "{\"message\":\"API rate limit exceeded\"}");
	fake_http_push(&fake, 200, "x-ratelimit-remaining: 4999\nx-ratelimit-reset: 1700003600\n",
		       "{}");
	CHECK(gh_rest_get(g, "/x", &j, NULL) == 0);
	CHECK(vclock.slept >= 3000 && vclock.slept <= 5000);
	CHECK_INT(gh_stats(g)->limits.reset_waits, 1);
	CHECK_INT(gh_stats(g)->core_remaining, 4999);
	cJSON_Delete(j);
	done(g);
}

TEST(github_rotates_tokens_only_when_one_is_spent)
{
	static char a[] = "token-aaaa", b[] = "token-bbbb";
	static char *toks[] = {a, b};
	struct gh *g = client_with(toks, 2, NULL);
	cJSON *j = NULL;

	fake_http_push(&fake, 200, "x-ratelimit-remaining: 1\nx-ratelimit-reset: 1700003600\n",
		       "{}");
	fake_http_push(&fake, 200, "x-ratelimit-remaining: 0\nx-ratelimit-reset: 1700003600\n",
		       "{}");
	fake_http_push(&fake, 200, "x-ratelimit-remaining: 4999\nx-ratelimit-reset: 1700003600\n",
		       "{}");
	for (int i = 0; i < 3; i++) {
		CHECK(gh_rest_get(g, "/x", &j, NULL) == 0);
		cJSON_Delete(j);
	}
	CHECK(strstr(fake.headers[0], "Bearer token-aaaa") != NULL);
	CHECK(strstr(fake.headers[1], "Bearer token-aaaa") != NULL);
	CHECK(strstr(fake.headers[2], "Bearer token-bbbb") != NULL);
	CHECK_INT(gh_stats(g)->limits.rotations, 1);
	CHECK_INT(vclock.slept, 0);
	done(g);
}

TEST(github_shard_spends_at_most_its_share)
{
	static struct rl_policy p = {600, 0, 4, 1, 5};
	struct gh *g = client_with(NULL, 0, &p);
	cJSON *j = NULL;
	struct err e;
	int ok = 0;

	/* 10 left when it started, 4 shards: 2 requests are this one's. */
	for (int i = 0; i < 5; i++)
		fake_http_push(&fake, 200,
			       "x-ratelimit-remaining: 10\nx-ratelimit-reset: 1700003600\n", "{}");
	for (int i = 0; i < 5; i++) {
		if (gh_rest_get(g, "/x", &j, &e) < 0)
			break;
		cJSON_Delete(j);
		ok++;
	}
	CHECK_INT(ok, 2);
	CHECK(e.code == ERR_RATE);
	CHECK(strstr(e.msg, "this shard's share of the REST budget is spent") != NULL);
	done(g);
}

TEST(github_deadline_stops_a_wait_that_would_pass_it)
{
	static struct rl_policy p = {600, T0 + 2, 0, 1, 5};
	struct gh *g = client_with(NULL, 0, &p);
	cJSON *j = NULL;
	struct err e;

	fake_http_push(&fake, 403, "x-ratelimit-remaining: 0\nx-ratelimit-reset: 1700000010\n",
		       "{\"message\":\"API rate limit exceeded\"}");
	CHECK(gh_rest_get(g, "/x", &j, &e) == -1);
	CHECK(e.code == ERR_RATE);
	CHECK(strstr(e.msg, "or the time left") != NULL);
	CHECK_INT(vclock.slept, 0);
	done(g);
}

TEST(github_transport_failure_is_retried_then_an_http_error)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;
	struct err e;

	for (int i = 0; i < 6; i++)
		fake.answers[i].fail = 1;
	fake.nanswers = 6;
	CHECK(gh_rest_get(g, "/x", &j, &e) == -1);
	CHECK(e.code == ERR_HTTP);
	CHECK_INT(fake.nsent, 6);
	done(g);
}

TEST(github_graphql_posts_the_query_and_counts_points)
{
	struct gh *g = client("t0ken");
	cJSON *out = NULL;
	size_t bytes = 0;

	fake_http_push(&fake, 200, "x-ratelimit-resource: graphql\nx-ratelimit-remaining: 4990\n",
		       "{\"data\":{\"rateLimit\":{\"cost\":3,\"remaining\":4990}}}");
	CHECK(gh_graphql(g, "query{x}", 1, &out, &bytes, NULL) == 0);
	CHECK_STR(fake.method[0], "POST");
	CHECK_STR(fake.url[0], "https://api.test/graphql");
	CHECK_STR(fake.body[0], "{\"query\":\"query{x}\"}");
	CHECK_INT(bytes, 50);
	CHECK_INT(gh_stats(g)->graphql_points, 3);
	CHECK_INT(gh_stats(g)->graphql_remaining, 4990);
	CHECK_INT(gh_stats(g)->core_remaining, -1);
	cJSON_Delete(out);
	done(g);
}

TEST(github_graphql_rate_limited_inside_a_200_waits_for_the_reset)
{
	struct gh *g = client("t0ken");
	cJSON *out = NULL;
	struct err e;

	fake_http_push(&fake, 200,
		       "x-ratelimit-remaining: 0\nx-ratelimit-resource: graphql\n"
		       "x-ratelimit-reset: 1700000002\n",
		       "{\"errors\":[{\"type\":\"RATE_LIMITED\",\"message\":\"API rate limit "
		       "exceeded\"}]}");
	fake_http_push(&fake, 200, "x-ratelimit-remaining: 4999\nx-ratelimit-resource: graphql\n",
		       "{\"data\":{\"rateLimit\":{\"cost\":1}}}");
	CHECK(gh_graphql(g, "{x}", 1, &out, NULL, &e) == 0);
	CHECK(vclock.slept >= 2000 && vclock.slept <= 4000);
	CHECK_INT(gh_stats(g)->graphql_remaining, 4999);
	cJSON_Delete(out);
	done(g);
}

/* GitHub's 2026 shape, with a remaining that is not 0 (octokit/plugin-throttling.js#636). */
TEST(github_graphql_rate_limit_of_the_newer_type_is_a_spent_budget_whatever_remaining_says)
{
	struct gh *g = client("t0ken");
	cJSON *out = NULL;
	struct err e;

	fake_http_push(&fake, 200,
		       "x-ratelimit-remaining: 37\nx-ratelimit-resource: graphql\n"
		       "x-ratelimit-reset: 1700000003\n",
		       "{\"errors\":[{\"type\":\"RATE_LIMIT\",\"code\":\"graphql_rate_limit\","
		       "\"message\":\"API rate limit already exceeded for user ID 1.\"}]}");
	fake_http_push(&fake, 200, "x-ratelimit-remaining: 4999\nx-ratelimit-resource: graphql\n",
		       "{\"data\":{\"repository\":null,\"rateLimit\":{\"cost\":1}}}");
	CHECK(gh_graphql(g, "{x}", 1, &out, NULL, &e) == 0);
	CHECK(vclock.slept >= 3000 && vclock.slept <= 5000);
	CHECK_INT(gh_stats(g)->limits.reset_waits, 1);
	CHECK_INT(fake.nsent, 2);
	cJSON_Delete(out);
	done(g);
}

TEST(github_graphql_answer_that_cannot_be_read_is_not_sent_again_and_its_cost_counts)
{
	struct gh *g = client("t0ken");
	cJSON *out = NULL;
	struct err e;

	fake_http_push(&fake, 200, "x-ratelimit-resource: graphql\n", "{\"data\":{\"a\":");
	CHECK(gh_graphql(g, "{x}", 7, &out, NULL, &e) == -1);
	CHECK(e.code == ERR_PARSE);
	CHECK(out == NULL);
	CHECK_INT(fake.nsent, 1);
	CHECK_INT(gh_stats(g)->graphql_points, 7);
	done(g);
}

TEST(github_graphql_endpoint_that_is_not_there_is_told_apart)
{
	struct gh *g = client("t0ken");
	cJSON *out = NULL;
	struct err e;

	fake_http_push(&fake, 404, NULL, "{\"message\":\"Not Found\"}");
	CHECK(gh_graphql(g, "{x}", 1, &out, NULL, &e) == -1);
	CHECK(gh_graphql_missing(&e));
	CHECK_INT(fake.nsent, 1);
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

TEST(github_follows_a_next_page_only_on_its_own_host)
{
	struct gh *g = client("t0ken");
	size_t n = 0;
	struct err e;
	const char *page = "[{\"filename\":\"a\",\"status\":\"added\",\"additions\":1,"
			   "\"deletions\":0,\"changes\":1}]";

	fake_http_push(&fake, 200, "link: <https://evil.example:8443/p2>; rel=\"next\"\n", page);
	CHECK(gh_pull_files(g, "o", "r", 7, collect_files, &n, &e) == -1);
	CHECK(e.code == ERR_POLICY);
	CHECK(strstr(e.msg, "evil.example:8443") != NULL);
	CHECK_INT(fake.nsent, 1); /* the token never went there */
	/* Same host, another scheme or port: not the same origin either. */
	fake_http_push(&fake, 200, "link: <http://api.test/p2>; rel=\"next\"\n", page);
	CHECK(gh_pull_files(g, "o", "r", 7, collect_files, &n, &e) == -1);
	CHECK(e.code == ERR_POLICY);
	CHECK_INT(fake.nsent, 2);
	done(g);
}

TEST(github_follows_a_redirect_on_its_own_host_and_refuses_one_elsewhere)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;
	struct err e;

	/* A renamed repository answers 301 to its new address on the same host. */
	fake_http_push(&fake, 301, "location: /repositories/42\n", "{\"message\":\"Moved\"}");
	fake_http_push(&fake, 200, "", "{\"id\":42}");
	CHECK(gh_rest_get(g, "/repos/a/b", &j, &e) == 0);
	CHECK_STR(fake.url[1], "https://api.test/repositories/42");
	CHECK(strstr(fake.headers[1], "Authorization: Bearer t0ken") != NULL);
	cJSON_Delete(j);
	fake_http_push(&fake, 307, "location: https://elsewhere.test/x\n", "");
	CHECK(gh_rest_get(g, "/repos/a/b", &j, &e) == -1);
	CHECK(e.code == ERR_POLICY);
	CHECK(strstr(e.msg, "elsewhere.test") != NULL);
	CHECK_INT(fake.nsent, 3);
	done(g);
}

TEST(github_says_at_once_when_its_host_does_not_resolve)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;
	struct err e;

	fake_http_fail(&fake, ERR_DNS);
	fake_http_fail(&fake, ERR_DNS);
	fake_http_fail(&fake, ERR_DNS);
	CHECK(gh_rest_get(g, "/x", &j, &e) == -1);
	CHECK(e.code == ERR_DNS);
	CHECK(strstr(e.msg, "GitHub cannot be reached") != NULL);
	CHECK_INT(fake.nsent, 2);
	CHECK(vclock.slept <= 1200);            /* one short wait, not half a minute */
	CHECK_INT(gh_stats(g)->rest_points, 0); /* GitHub answered nothing */
	done(g);
}

TEST(github_counts_points_only_for_what_github_answered_and_charged)
{
	struct gh *g = client("t0ken");
	cJSON *j = NULL;
	struct err e;

	fake_http_push(&fake, 200, "", "{}");
	fake_http_push(&fake, 304, "", "");
	fake_http_push(&fake, 404, "", "{\"message\":\"Not Found\"}");
	fake_http_fail(&fake, ERR_HTTP);
	fake_http_push(&fake, 502, "", "<h1>502</h1>");
	fake_http_push(&fake, 200, "", "{}");
	CHECK(gh_rest_get(g, "/a", &j, &e) == 0);
	cJSON_Delete(j);
	CHECK(gh_rest_get(g, "/b", &j, &e) == -1); /* 304 without a body to parse */
	CHECK(gh_rest_get(g, "/c", &j, &e) == -1);
	CHECK(gh_rest_get(g, "/d", &j, &e) == 0); /* a reset and a 502, then an answer */
	cJSON_Delete(j);
	CHECK_INT(gh_stats(g)->rest_requests, 6);
	CHECK_INT(gh_stats(g)->rest_points, 3);
	done(g);
}

TEST(github_pull_answer_for_another_number_is_refused)
{
	struct gh *g = client("t0ken");
	struct gh_pull p;
	struct err e;
	size_t n;
	char *other = vec_slurp("vectors/github/pull-request.json", &n);

	fake_http_push(&fake, 200, "", other); /* the example is #1347 */
	CHECK(gh_pull_get(g, "o", "r", 1, &p, &e) == -1);
	CHECK(e.code == ERR_GITHUB);
	CHECK(strstr(e.msg, "the answer is pull request #1347, not #1") != NULL);
	free(other);
	done(g);
}

struct bad_items {
	size_t good, bad;
	char why[256];
};

static int
count_pulls(void *ud, const struct gh_pull *p, size_t n, bool *stop, struct err *e)
{
	(void)p;
	(void)stop;
	(void)e;
	((struct bad_items *)ud)->good += n;
	return 0;
}

static int
count_bad(void *ud, const struct err *why, struct err *e)
{
	struct bad_items *b = ud;

	(void)e;
	b->bad++;
	snprintf(b->why, sizeof(b->why), "%.200s", why->msg);
	return 0;
}

TEST(github_list_goes_on_past_an_item_it_cannot_read)
{
	struct gh *g = client("t0ken");
	struct bad_items b = {0};
	struct err e;
	size_t n;
	char *list = vec_slurp("vectors/github/pull-request-list.json", &n);
	char *pull = list != NULL ? strchr(list, '{') : NULL;
	char *end = list != NULL ? strrchr(list, ']') : NULL;
	struct buf page = BUF_INIT(1 << 20);

	if (!CHECK(pull != NULL && end != NULL && end > pull))
		return;
	*end = '\0'; /* the list's one item, twice, around one GitHub cannot have sent */
	buf_printf(&page, "[%s,{\"number\":99999999999},%s]", pull, pull);
	fake_http_push(&fake, 200, "", buf_str(&page));
	CHECK(gh_pulls_list(g, "o", "r", "updated", count_pulls, count_bad, &b, &e) == 0);
	CHECK_INT(b.good, 2);
	CHECK_INT(b.bad, 1);
	CHECK(strstr(b.why, "number 99999999999 out of range") != NULL);
	buf_release(&page);
	free(list);
	done(g);
}

static int
count_commits(void *ud, const struct gh_commit *c, size_t n, bool *stop, struct err *e)
{
	(void)c;
	(void)stop;
	(void)e;
	*(size_t *)ud += n;
	return 0;
}

TEST(github_commits_of_an_empty_repository_are_none)
{
	struct gh *g = client("t0ken");
	size_t n = 0;
	struct err e;

	fake_http_push(&fake, 409, "", "{\"message\":\"Git Repository is empty.\"}");
	CHECK(gh_commits_list(g, "o", "r", "main", "2024-01-01T00:00:00Z", count_commits, NULL, &n,
			      &e) == 0);
	CHECK_INT(n, 0);
	done(g);
}

/* GitHub's Date at T0 + s seconds (T0 is a Tuesday); the fake keeps the pointer. */
static const char *
date_at(int s)
{
	static char lines[FAKE_MAX][64];
	static int n;
	char *line = lines[n++ % FAKE_MAX];
	time_t t = T0 + s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(line, sizeof(lines[0]), "date: %a, %d %b %Y %H:%M:%S GMT\n", &tm);
	return line;
}

/* An access_tokens answer: token, expiring at T0 + s. */
static void
push_token(const char *token, int answered_at, int expires_at)
{
	static char body[FAKE_MAX][256];
	static int n;
	char when[21];

	time_format_iso(T0 + expires_at, when);
	snprintf(body[n % FAKE_MAX], sizeof(body[0]),
		 "{\"token\":\"%s\",\"expires_at\":\"%s\",\"permissions\":{\"contents\":\"read\","
		 "\"pull_requests\":\"read\"},\"repository_selection\":\"selected\"}",
		 token, when);
	fake_http_push(&fake, 201, date_at(answered_at), body[n++ % FAKE_MAX]);
}

TEST(github_app_token_is_minted_renewed_before_expiry_and_after_a_401_losing_no_request)
{
	char *key = vec_slurp("fake-github/keys/test-app.private-key.pem", NULL);
	struct app_auth_options o = {.app_id = "424242",
				     .private_key = key,
				     .owner = "acme",
				     .name = "widgets",
				     .permissions =
					     "{\"contents\":\"read\",\"pull_requests\":\"read\","
					     "\"actions\":\"read\"}",
				     .count = 1};
	struct app_auth *apps[1] = {app_auth_new(&o, NULL)};
	struct gh *g = client_full(NULL, 0, apps, 1, NULL);
	struct buf claims = BUF_INIT(256), jwt = BUF_INIT(512);
	const char *first = "ghs_first0000000000000000000000000000000";
	const char *second = "ghs_second000000000000000000000000000000";
	const char *third = "ghs_third0000000000000000000000000000000";
	cJSON *j = NULL;
	struct err e;

	err_clear(&e);
	fake_http_push(&fake, 200, date_at(0),
		       "{\"id\":5001,\"account\":{\"login\":\"acme\"},\"repository_selection\":"
		       "\"all\",\"permissions\":{\"contents\":\"read\",\"pull_requests\":\"write\","
		       "\"metadata\":\"read\"}}");
	push_token(first, 0, 3600);
	fake_http_push(&fake, 200, "", "{}");
	fake_http_push(&fake, 200, "", "{}");
	push_token(second, 3300, 3300 + 3600);
	fake_http_push(&fake, 200, "", "{}");
	fake_http_push(&fake, 401, "", "{\"message\":\"Bad credentials\"}");
	push_token(third, 3400, 3400 + 3600);
	fake_http_push(&fake, 200, "", "{}");

	/* The first request mints; an hour's token is renewed 5 min 1 s early. */
	CHECK(gh_rest_get(g, "/x", &j, &e) == 0);
	cJSON_Delete(j);
	vclock.ms = (3600 - 301) * 1000 - 1;
	CHECK(gh_rest_get(g, "/x", &j, &e) == 0);
	cJSON_Delete(j);
	vclock.ms = (3600 - 301) * 1000 + 1;
	CHECK(gh_rest_get(g, "/x", &j, &e) == 0);
	cJSON_Delete(j);
	/* A 401 on a token: a new one, and the same request again. */
	vclock.ms = 3400 * 1000;
	CHECK(gh_rest_get(g, "/x", &j, &e) == 0);
	cJSON_Delete(j);

	CHECK_INT(fake.nsent, 9);
	CHECK_STR(fake.url[0], "https://api.test/repos/acme/widgets/installation");
	CHECK_STR(fake.url[1], "https://api.test/app/installations/5001/access_tokens");
	CHECK_STR(fake.url[4], "https://api.test/app/installations/5001/access_tokens");
	CHECK_STR(fake.url[7], "https://api.test/app/installations/5001/access_tokens");
	for (int i = 2; i <= 8; i++)
		if (i != 4 && i != 7)
			CHECK_STR(fake.url[i], "https://api.test/x");
	/* Read at most, of what the installation grants, for the repository alone. */
	CHECK_STR(fake.body[1],
		  "{\"permissions\":{\"contents\":\"read\",\"pull_requests\":\"read\"},"
		  "\"repositories\":[\"widgets\"]}");
	/* The JWT: iat 60 s back, exp 540 s ahead, iss the app, on this clock. */
	buf_puts(&jwt, "Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.");
	buf_printf(&claims, "{\"iat\":%d,\"exp\":%d,\"iss\":424242}", T0 - 60, T0 + 540);
	app_base64url(&jwt, claims.data, claims.len);
	CHECK(strstr(fake.headers[0], buf_str(&jwt)) != NULL);
	CHECK(strstr(fake.headers[1], buf_str(&jwt)) != NULL);
	CHECK(strstr(fake.headers[2], first) != NULL);
	CHECK(strstr(fake.headers[3], first) != NULL);
	CHECK(strstr(fake.headers[5], second) != NULL);
	CHECK(strstr(fake.headers[6], second) != NULL);
	CHECK(strstr(fake.headers[8], third) != NULL);
	buf_release(&claims);
	buf_release(&jwt);
	free(key);
	done(g);
}
