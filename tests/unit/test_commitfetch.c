/*
 * test_commitfetch.c - commitfetch() on the scripted transport, as a
 * specification: GraphQL history pages, REST's list and per-commit reads,
 * null items, commits that cannot be read, empty and missing repositories,
 * and auto mode on a GitHub without GraphQL.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commitfetch.h"
#include "gh_fixture.h"
#include "harness.h"
#include "util.h"

#define SINCE "2023-11-01T00:00:00Z"

/*
 * GraphQL history answers (gql_history's shape).
 */

#define GIT_ACTOR                                                                                  \
	"{'name':'Octo','email':'octo@example.com','date':'2023-11-10T00:00:00Z',"                 \
	"'user':{'__typename':'User','login':'octo','databaseId':7,"                               \
	"'avatarUrl':'https://avatars.test/u/7','url':'https://github.com/octo'}}"

/* A commit node; prs: the associatedPullRequests nodes ("" none). */
static const char *
commit_node(const char *sha, const char *prs)
{
	return jq("{'oid':'%s','message':'change %s','authoredDate':'2023-11-10T00:00:00Z',"
		  "'committedDate':'2023-11-10T00:00:00Z','additions':3,'deletions':1,"
		  "'changedFilesIfAvailable':2,'url':'https://github.com/o/r/commit/%s',"
		  "'author':" GIT_ACTOR ",'committer':" GIT_ACTOR
		  ",'associatedPullRequests':{'nodes':[%s]}}",
		  sha, sha, sha, prs);
}

static const char *
pr_of(int number, bool merged)
{
	return jq("{'number':%d,'merged':%s,'baseRefName':'main'}", number,
		  merged ? "true" : "false");
}

/* A history page; cursor NULL: the last one. */
static const char *
history(const char *cursor, const char *nodes)
{
	return jq("{'data':{'rateLimit':{'cost':1,'remaining':4999,'resetAt':"
		  "'2023-11-14T23:13:20Z'},'repository':{'defaultBranchRef':{'name':'main',"
		  "'target':{'history':{'totalCount':3,'pageInfo':{'hasNextPage':%s,"
		  "'endCursor':'%s'},'nodes':[%s]}}}}}}",
		  cursor != NULL ? "true" : "false", cursor != NULL ? cursor : "END", nodes);
}

/*
 * REST answers.
 */

/* A commit as GET /commits lists it (no stats), or as GET /commits/{sha} gives it. */
static const char *
rest_commit(const char *sha, bool details)
{
	return jq("{'sha':'%s','html_url':'https://github.com/o/r/commit/%s','commit':{"
		  "'message':'change %s','author':{'name':'Octo','date':'2023-11-10T00:00:00Z'},"
		  "'committer':{'name':'Octo','date':'2023-11-10T00:00:00Z'}},"
		  "'author':{'id':7,'login':'octo','type':'User'},'committer':null%s}",
		  sha, sha, sha,
		  details ? ",'stats':{'additions':3,'deletions':1,'total':4},'files':[{'filename':"
			    "'a.c'},{'filename':'b.c'}]"
			  : "");
}

static const char *
rest_pulls_of(int number)
{
	return jq("[{'number':%d,'merged_at':'2023-11-10T00:00:00Z','base':{'ref':'main'}}]",
		  number);
}

/*
 * The recording sink: a page of commits is one event, each commit written
 * "sha +adds-dels files:n prs:5m,6" (m: merged); bad() records why.
 */

static struct {
	struct buf events;
	int bad;
	char why[ERR_MSG_MAX];
	size_t commits;
} rec;

static int
on_commits(void *ud, struct gh_commit *c, size_t n, struct err *e)
{
	(void)ud;
	(void)e;
	buf_printf(&rec.events, "%spage:", rec.events.len > 0 ? "; " : "");
	for (size_t i = 0; i < n; i++) {
		buf_printf(&rec.events, " %s +%lld-%lld files:%lld prs:", c[i].sha,
			   (long long)c[i].additions, (long long)c[i].deletions,
			   (long long)c[i].changed_files);
		for (size_t k = 0; k < c[i].n_prs; k++)
			buf_printf(&rec.events, "%s%d%s", k > 0 ? "," : "", c[i].prs[k].number,
				   c[i].prs[k].merged ? "m" : "");
	}
	rec.commits += n;
	return 0;
}

static int
on_bad(void *ud, const struct err *why, struct err *e)
{
	(void)ud;
	(void)e;
	rec.bad++;
	snprintf(rec.why, sizeof(rec.why), "%s", why->msg);
	buf_printf(&rec.events, "%sbad", rec.events.len > 0 ? "; " : "");
	return 0;
}

static const struct commit_sink sink = {NULL, on_commits, on_bad};

static struct gh *
begin(void)
{
	buf_release(&rec.events);
	memset(&rec, 0, sizeof(rec));
	buf_init(&rec.events, 1 << 20);
	return fixture_gh();
}

static void
end(struct gh *g)
{
	buf_release(&rec.events);
	fixture_end(g);
}

static int
walk(struct gh *g, enum api_mode api, struct err *e)
{
	struct commitfetch_options o = {"o", "r", "main", SINCE, api};

	err_clear(e);
	return commitfetch(g, &o, &sink, e);
}

static const char *
events(void)
{
	return buf_str(&rec.events);
}

/*
 * GraphQL.
 */

TEST(commitfetch_graphql_walks_every_history_page_by_its_end_cursor)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(200, NULL,
		       history("H1", jq("%s,%s", commit_node("aaa", pr_of(5, true)),
					commit_node("bbb", ""))));
	fixture_answer(200, NULL, history(NULL, commit_node("ccc", pr_of(6, false))));
	CHECK_INT(walk(g, API_GRAPHQL, &e), 0);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK(strstr(gh_fake.body[0], "history(first: 100, since: \\\"" SINCE "\\\")") != NULL);
	CHECK(strstr(gh_fake.body[1], "since: \\\"" SINCE "\\\", after: \\\"H1\\\"") != NULL);
	CHECK_STR(events(), "page: aaa +3-1 files:2 prs:5m bbb +3-1 files:2 prs:; "
			    "page: ccc +3-1 files:2 prs:6");
	end(g);
}

TEST(commitfetch_graphql_skips_null_commits_and_null_pull_requests_counting_them_hidden)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(200, NULL,
		       history(NULL, jq("null,%s",
					commit_node("aaa", jq("null,%s,null", pr_of(5, true))))));
	CHECK_INT(walk(g, API_AUTO, &e), 0);
	CHECK_STR(events(), "page: aaa +3-1 files:2 prs:5m");
	CHECK_INT(rec.bad, 0);
	CHECK_INT(gh_stats(g)->hidden, 3);
	end(g);
}

TEST(commitfetch_graphql_sends_a_commit_it_cannot_read_to_bad_and_delivers_the_others)
{
	struct gh *g = begin();
	struct err e;
	const char *unreadable = jq("{'oid':'bad0','message':null,"
				    "'committedDate':'2023-11-10T00:00:00Z'}");

	fixture_answer(200, NULL,
		       history(NULL, jq("%s,%s,%s", commit_node("aaa", ""), unreadable,
					commit_node("ccc", ""))));
	CHECK_INT(walk(g, API_AUTO, &e), 0);
	CHECK_STR(events(), "bad; page: aaa +3-1 files:2 prs: ccc +3-1 files:2 prs:");
	CHECK(strstr(rec.why, "commit bad0") != NULL);
	CHECK(strstr(rec.why, "'message'") != NULL);
	end(g);
}

TEST(commitfetch_graphql_empty_repository_has_no_commits)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(200, NULL, jq("{'data':{'repository':{'defaultBranchRef':null}}}"));
	CHECK_INT(walk(g, API_AUTO, &e), 0);
	CHECK_INT(gh_fake.nsent, 1);
	CHECK_INT(rec.commits, 0);
	CHECK_INT(rec.bad, 0);
	end(g);
}

TEST(commitfetch_graphql_missing_repository_stops_with_no_repo)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(200, NULL,
		       jq("{'data':{'repository':null},'errors':[{'type':'NOT_FOUND',"
			  "'path':['repository'],'message':'Could not resolve to a Repository "
			  "with the name o/r.'}]}"));
	CHECK_INT(walk(g, API_AUTO, &e), -1);
	CHECK(e.code == ERR_NO_REPO);
	CHECK(strstr(e.msg, "repository o/r") != NULL);
	CHECK_INT(gh_fake.nsent, 1); /* not over REST either */
	CHECK_STR(events(), "");
	end(g);
}

TEST(commitfetch_graphql_asks_for_a_page_it_cannot_read_again)
{
	struct gh *g = begin();
	const char *cut = jq("{'data':{'repository':{'defaultBranchRef':");
	struct err e;

	fixture_answer(200, NULL, cut);
	fixture_answer(200, NULL, cut);
	fixture_answer(200, NULL, history(NULL, commit_node("aaa", "")));
	CHECK_INT(walk(g, API_AUTO, &e), 0);
	CHECK_INT(gh_fake.nsent, 3);
	CHECK_STR(events(), "page: aaa +3-1 files:2 prs:");
	end(g);
}

TEST(commitfetch_graphql_stops_when_a_page_cannot_be_read_three_times)
{
	struct gh *g = begin();
	const char *cut = jq("{'data':{'repository':{'defaultBranchRef':");
	struct err e;

	for (int i = 0; i < 3; i++)
		fixture_answer(200, NULL, cut);
	CHECK_INT(walk(g, API_AUTO, &e), -1);
	CHECK(e.code == ERR_PARSE);
	CHECK_INT(gh_fake.nsent, 3);
	end(g);
}

TEST(commitfetch_graphql_mode_stops_on_a_missing_endpoint_saying_to_use_api_rest)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(404, NULL, "{\"message\":\"Not Found\"}");
	CHECK_INT(walk(g, API_GRAPHQL, &e), -1);
	CHECK(strstr(e.msg, "use api: rest") != NULL);
	CHECK_INT(gh_fake.nsent, 1);
	end(g);
}

/*
 * REST.
 */

TEST(commitfetch_rest_lists_the_commits_then_reads_each_ones_stats_and_pulls)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(200, NULL,
		       jq("[%s,%s]", rest_commit("aaa", false), rest_commit("bbb", false)));
	fixture_answer(200, NULL, rest_commit("aaa", true));
	fixture_answer(200, NULL, rest_pulls_of(5));
	fixture_answer(200, NULL, rest_commit("bbb", true));
	fixture_answer(200, NULL, "[]");
	CHECK_INT(walk(g, API_REST, &e), 0);
	CHECK_INT(gh_fake.nsent, 5);
	CHECK_INT(gh_stats(g)->graphql_requests, 0);
	CHECK_STR(gh_fake.url[0],
		  "https://api.test/repos/o/r/commits?sha=main&since=2023-11-01T00%3A"
		  "00%3A00Z&per_page=100");
	CHECK_STR(gh_fake.url[1], "https://api.test/repos/o/r/commits/aaa");
	CHECK_STR(gh_fake.url[2], "https://api.test/repos/o/r/commits/aaa/pulls?per_page=100");
	CHECK_STR(gh_fake.url[3], "https://api.test/repos/o/r/commits/bbb");
	CHECK_STR(events(), "page: aaa +3-1 files:2 prs:5m bbb +3-1 files:2 prs:");
	end(g);
}

TEST(commitfetch_rest_empty_repository_has_no_commits)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(409, NULL, "{\"message\":\"Git Repository is empty.\"}");
	CHECK_INT(walk(g, API_REST, &e), 0);
	CHECK_INT(gh_fake.nsent, 1);
	CHECK_INT(rec.commits, 0);
	CHECK_INT(rec.bad, 0);
	end(g);
}

TEST(commitfetch_rest_sends_a_commit_whose_details_fail_to_bad_and_goes_on)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(200, NULL,
		       jq("[%s,%s]", rest_commit("aaa", false), rest_commit("bbb", false)));
	fixture_answer(422, NULL, "{\"message\":\"No commit found for SHA: aaa\"}");
	fixture_answer(200, NULL, rest_commit("bbb", true));
	fixture_answer(200, NULL, rest_pulls_of(6));
	CHECK_INT(walk(g, API_REST, &e), 0);
	CHECK_INT(gh_fake.nsent, 4);
	CHECK_STR(events(), "bad; page: bbb +3-1 files:2 prs:6m");
	CHECK(strstr(rec.why, "No commit found for SHA: aaa") != NULL);
	end(g);
}

TEST(commitfetch_rest_sends_a_listed_commit_it_cannot_read_to_bad_and_goes_on)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(200, NULL,
		       jq("[{'sha':'bad0','commit':null},%s]", rest_commit("bbb", false)));
	fixture_answer(200, NULL, rest_commit("bbb", true));
	fixture_answer(200, NULL, "[]");
	CHECK_INT(walk(g, API_REST, &e), 0);
	CHECK_INT(gh_fake.nsent, 3);
	CHECK_STR(events(), "bad; page: bbb +3-1 files:2 prs:");
	CHECK(strstr(rec.why, "commit bad0") != NULL);
	end(g);
}

TEST(commitfetch_rest_stops_when_a_commits_details_meet_a_failure_not_its_own)
{
	struct gh *g = begin();
	struct err e;

	fixture_answer(200, NULL,
		       jq("[%s,%s]", rest_commit("aaa", false), rest_commit("bbb", false)));
	fixture_answer(401, NULL, "{\"message\":\"Bad credentials\"}");
	CHECK_INT(walk(g, API_REST, &e), -1);
	CHECK(e.code == ERR_AUTH);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK_INT(rec.bad, 0);
	CHECK_INT(rec.commits, 0);
	end(g);
}

TEST(commitfetch_auto_reads_over_rest_when_graphql_is_not_there)
{
	struct gh *g = begin();
	const char *log;
	struct err e;

	fixture_answer(404, NULL, "{\"message\":\"Not Found\"}");
	fixture_answer(200, NULL, jq("[%s]", rest_commit("aaa", false)));
	fixture_answer(200, NULL, rest_commit("aaa", true));
	fixture_answer(200, NULL, rest_pulls_of(5));
	fixture_log_begin();
	CHECK_INT(walk(g, API_AUTO, &e), 0);
	log = fixture_log_end();
	CHECK_INT(gh_fake.nsent, 4);
	CHECK_STR(gh_fake.url[0], "https://api.test/graphql");
	CHECK_STR(gh_fake.url[1],
		  "https://api.test/repos/o/r/commits?sha=main&since=2023-11-01T00%3A"
		  "00%3A00Z&per_page=100");
	CHECK_INT(count_of(log, "warning:"), 1);
	CHECK(strstr(log, "no GraphQL endpoint") != NULL);
	CHECK_STR(events(), "page: aaa +3-1 files:2 prs:5m");
	end(g);
}
