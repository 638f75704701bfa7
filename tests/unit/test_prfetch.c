/*
 * test_prfetch.c - prfetch() on the scripted transport, as a specification:
 * GraphQL batches and their continuation pages, what goes over REST instead,
 * null items, answers checked against what was asked, queries split when
 * GitHub cannot answer them, the moves to REST in auto mode, and what stops
 * a run. A recording sink keeps every callback in order.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gh_fixture.h"
#include "gql.h"
#include "harness.h"
#include "prfetch.h"
#include "util.h"

/*
 * GraphQL answers, in the shapes of gql.c's documents.
 */

#define ACTOR                                                                                      \
	"{'__typename':'User','login':'octo','avatarUrl':'https://avatars.test/u/7',"              \
	"'url':'https://github.com/octo','databaseId':7}"
#define WHEN "'2023-11-02T00:00:00Z'"

/* The author of the nodes below (a test may name another). */
static const char *author = ACTOR;

/* A connection page: {totalCount, pageInfo, nodes}. cursor NULL: endCursor null. */
static const char *
conn(int total, bool more, const char *cursor, const char *nodes)
{
	return jq("{'totalCount':%d,'pageInfo':{'hasNextPage':%s,'endCursor':%s%s%s},"
		  "'nodes':[%s]}",
		  total, more ? "true" : "false", cursor != NULL ? "'" : "",
		  cursor != NULL ? cursor : "null", cursor != NULL ? "'" : "", nodes);
}

/* A last (or only) page. */
static const char *
page(const char *nodes)
{
	return conn(1, false, NULL, nodes);
}

#define EMPTY page("")

static const char *
file_node(const char *path, const char *change)
{
	return jq("{'path':'%s','additions':2,'deletions':1,'changeType':'%s'}", path, change);
}

static const char *
review_node(int id)
{
	return jq("{'fullDatabaseId':'%d','state':'APPROVED','body':'fine','submittedAt':" WHEN
		  ",'commit':{'oid':'abc'},'author':%s}",
		  id, author);
}

static const char *
comment_node(int id)
{
	return jq("{'fullDatabaseId':'%d','body':'a remark','createdAt':" WHEN ",'updatedAt':" WHEN
		  ",'author':%s}",
		  id, author);
}

static const char *
rcomment_node(int id)
{
	return jq("{'fullDatabaseId':'%d','body':'a line remark','createdAt':" WHEN
		  ",'updatedAt':" WHEN ",'path':'a.c','position':1,'originalPosition':1,"
		  "'diffHunk':'@@ -1 +1 @@','commit':{'oid':'abc'},'originalCommit':{'oid':'abc'},"
		  "'replyTo':null,'pullRequestReview':{'fullDatabaseId':'101'},'author':%s}",
		  id, author);
}

static const char *
thread_node(const char *id, const char *comments)
{
	return jq("{'id':'%s','comments':%s}", id, comments);
}

/* The parts of a PR node; NULL leaves a connection out of the answer. */
static const char *
parts_of(const char *files, const char *reviews, const char *comments, const char *threads)
{
	return jq("%s%s%s%s%s%s%s%s", files != NULL ? ",'files':" : "", files != NULL ? files : "",
		  reviews != NULL ? ",'reviews':" : "", reviews != NULL ? reviews : "",
		  comments != NULL ? ",'comments':" : "", comments != NULL ? comments : "",
		  threads != NULL ? ",'reviewThreads':" : "", threads != NULL ? threads : "");
}

/* A pull request node with its parts (parts_of). */
static const char *
pull_node(int number, const char *parts)
{
	return jq("{'number':%d,'fullDatabaseId':'%d','title':'PR %d','body':'','state':'OPEN',"
		  "'isDraft':false,'merged':false,'mergedAt':null,"
		  "'createdAt':'2023-11-01T00:00:00Z','updatedAt':" WHEN ",'closedAt':null,"
		  "'additions':2,'deletions':1,'changedFiles':1,'baseRefName':'main',"
		  "'headRefName':'topic','url':'https://github.com/o/r/pull/%d','author':%s,"
		  "'mergedBy':null,'commits':{'totalCount':1}%s}",
		  number, 5000 + number, number, number, author, parts);
}

/* A whole answer: data.repository holds members ("'p1':{…},'p2':{…}"). */
static const char *
answer(const char *members)
{
	return jq(
		"{'data':{'rateLimit':{'cost':1,'remaining':4999,'resetAt':'2023-11-14T23:13:20Z'},"
		"'repository':{%s}}}",
		members);
}

/*
 * REST answers.
 */

#define REST_USER                                                                                  \
	"{'id':7,'login':'octo','type':'User','avatar_url':'https://avatars.test/u/7',"            \
	"'html_url':'https://github.com/octo'}"
#define REST_WHEN "'2023-11-02T00:00:00Z'"

static const char *
rest_pull(int number)
{
	return jq("{'number':%d,'id':%d,'title':'PR %d','body':null,'state':'open',"
		  "'created_at':'2023-11-01T00:00:00Z','updated_at':" REST_WHEN ",'closed_at':null,"
		  "'merged_at':null,'user':" REST_USER ",'merged_by':null,'base':{'ref':'main'},"
		  "'head':{'ref':'topic'},'merged':false,'additions':2,'deletions':1,"
		  "'changed_files':1,'commits':1}",
		  number, 5000 + number, number);
}

static const char *
rest_file(const char *name, const char *status, const char *previous)
{
	return jq("{'filename':'%s','status':'%s','additions':2,'deletions':1,'changes':3%s%s%s}",
		  name, status, previous != NULL ? ",'previous_filename':'" : "",
		  previous != NULL ? previous : "", previous != NULL ? "'" : "");
}

static const char *
rest_review(int id, int pr)
{
	return jq("{'id':%d,'state':'APPROVED','body':'fine','submitted_at':" REST_WHEN
		  ",'commit_id':'abc','user':" REST_USER
		  ",'pull_request_url':'https://api.test/repos/o/r/pulls/%d'}",
		  id, pr);
}

static const char *
rest_comment(int id, int pr)
{
	return jq("{'id':%d,'body':'a remark','created_at':" REST_WHEN ",'updated_at':" REST_WHEN
		  ",'user':" REST_USER
		  ",'html_url':'https://github.com/o/r/pull/%d#issuecomment-%d'}",
		  id, pr, id);
}

static const char *
rest_rcomment(int id, int pr)
{
	return jq("{'id':%d,'body':'a line remark','created_at':" REST_WHEN
		  ",'updated_at':" REST_WHEN ",'user':" REST_USER
		  ",'path':'a.c','position':1,'original_position':1,'diff_hunk':'@@ -1 +1 @@',"
		  "'commit_id':'abc','original_commit_id':'abc','pull_request_review_id':101,"
		  "'pull_request_url':'https://api.test/repos/o/r/pulls/%d'}",
		  id, pr);
}

/*
 * The recording sink: every callback as one event ("pull 1", "files 1 a.c",
 * "reviews 1 101", "comments 1 i201,r301", "done 1" or "done 1 failed(parse)"),
 * and the failure done() got for each PR. It can be told to refuse one callback.
 */

#define EVENTS_MAX 256
#define FAILS_MAX  16

static struct {
	char *ev[EVENTS_MAX];
	int number[EVENTS_MAX];
	int nev;
	struct {
		int number;
		struct err why;
	} fails[FAILS_MAX];
	int nfails;
	int64_t author_id, review_author_id; /* of the last pull and review delivered */
	unsigned whole;                      /* the parts done() last called whole */
	int sent_at_done[EVENTS_MAX];        /* requests sent when done() came, in order */
	int ndone;
	/* Refuse this callback ("pull", "files", …) of this PR with this code. */
	const char *refuse;
	int refuse_number;
	enum err_code refuse_code;
} rec;

static void
rec_reset(void)
{
	for (int i = 0; i < rec.nev; i++)
		free(rec.ev[i]);
	memset(&rec, 0, sizeof(rec));
}

static int
record(const char *what, int number, const char *items, struct err *e)
{
	struct buf b = BUF_INIT(1 << 16);

	buf_printf(&b, "%s %d%s%s", what, number, items != NULL ? " " : "",
		   items != NULL ? (items[0] != '\0' ? items : "-") : "");
	if (rec.nev < EVENTS_MAX) {
		rec.number[rec.nev] = number;
		rec.ev[rec.nev++] = buf_detach(&b);
	}
	buf_release(&b);
	if (rec.refuse != NULL && strcmp(rec.refuse, what) == 0 && rec.refuse_number == number)
		return err_set(e, rec.refuse_code, "the sink refuses %s of #%d", what, number);
	return 0;
}

static int
on_pull(void *ud, const struct gh_pull *p, struct err *e)
{
	(void)ud;
	rec.author_id = p->author.id;
	return record("pull", p->number, NULL, e);
}

static int
on_files(void *ud, int number, const struct gh_file *f, size_t n, struct err *e)
{
	struct buf b = BUF_INIT(1 << 16);
	int rc;

	(void)ud;
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s%s%s", i > 0 ? "," : "", f[i].filename,
			   f[i].previous_filename != NULL ? "<" : "",
			   f[i].previous_filename != NULL ? f[i].previous_filename : "");
	rc = record("files", number, buf_str(&b), e);
	buf_release(&b);
	return rc;
}

static int
on_reviews(void *ud, int number, const struct gh_review *r, size_t n, struct err *e)
{
	struct buf b = BUF_INIT(1 << 16);
	int rc;

	(void)ud;
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "%s%lld", i > 0 ? "," : "", (long long)r[i].id);
		rec.review_author_id = r[i].author.id;
	}
	rc = record("reviews", number, buf_str(&b), e);
	buf_release(&b);
	return rc;
}

static int
on_comments(void *ud, int number, const struct gh_comment *c, size_t n, struct err *e)
{
	struct buf b = BUF_INIT(1 << 16);
	int rc;

	(void)ud;
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%c%lld", i > 0 ? "," : "",
			   c[i].kind == GH_REVIEW_COMMENT ? 'r' : 'i', (long long)c[i].id);
	rc = record("comments", number, buf_str(&b), e);
	buf_release(&b);
	return rc;
}

static int
on_done(void *ud, int number, const struct err *failure, unsigned whole, struct err *e)
{
	(void)ud;
	rec.whole = whole;
	if (rec.ndone < EVENTS_MAX)
		rec.sent_at_done[rec.ndone++] = gh_fake.nsent;
	if (failure != NULL && rec.nfails < FAILS_MAX) {
		rec.fails[rec.nfails].number = number;
		rec.fails[rec.nfails++].why = *failure;
	}
	return record("done", number,
		      failure != NULL ? jq("failed(%s)", err_code_name(failure->code)) : NULL, e);
}

static const struct pr_sink sink = {NULL, on_pull, on_files, on_reviews, on_comments, on_done};

/* Every event, "; "-joined. */
static const char *
trace(void)
{
	struct buf b = BUF_INIT(1 << 20);

	for (int i = 0; i < rec.nev; i++)
		buf_printf(&b, "%s%s", i > 0 ? "; " : "", rec.ev[i]);
	return fixture_keep(buf_detach(&b));
}

/* The events of one PR, in order. */
static const char *
trace_of(int number)
{
	struct buf b = BUF_INIT(1 << 20);

	for (int i = 0; i < rec.nev; i++)
		if (rec.number[i] == number)
			buf_printf(&b, "%s%s", b.len > 0 ? "; " : "", rec.ev[i]);
	return fixture_keep(buf_detach(&b));
}

/* The failure done() got for number ("" when it got none). */
static const char *
failure_of(int number)
{
	for (int i = 0; i < rec.nfails; i++)
		if (rec.fails[i].number == number)
			return rec.fails[i].why.msg;
	return "";
}

/* Whether the body of request i (0-based) contains text. */
static bool
sent_has(int i, const char *text)
{
	return i < gh_fake.nsent && gh_fake.body[i] != NULL &&
	       strstr(gh_fake.body[i], text) != NULL;
}

/* Whether request i (0-based) went to path of the API. */
static bool
sent_to(int i, const char *path)
{
	return i < gh_fake.nsent && strcmp(gh_fake.url[i], jq("https://api.test%s", path)) == 0;
}

static struct gh *
begin(void)
{
	rec_reset();
	return fixture_gh();
}

static void
end(struct gh *g)
{
	rec_reset();
	fixture_end(g);
}

static int
fetch(struct gh *g, enum api_mode api, unsigned parts, int batch, const int64_t *numbers, size_t n,
      struct err *e)
{
	struct prfetch_options o = {"o", "r", parts, api, batch};

	err_clear(e);
	return prfetch(g, &o, numbers, n, &sink, e);
}

/*
 * GraphQL batches.
 */

TEST(prfetch_batch_delivers_each_pull_before_its_parts_and_done_last)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;
	const char *p1 = parts_of(page(file_node("a.c", "MODIFIED")), page(review_node(101)),
				  page(comment_node(201)),
				  page(thread_node("T1", page(rcomment_node(301)))));
	const char *p2 = parts_of(page(file_node("b.c", "ADDED")), page(review_node(102)),
				  page(comment_node(202)),
				  page(thread_node("T2", page(rcomment_node(302)))));

	fixture_answer(200, "x-ratelimit-resource: graphql\n",
		       answer(jq("'p1':%s,'p2':%s", pull_node(1, p1), pull_node(2, p2))));
	CHECK_INT(fetch(g, API_AUTO, PR_ALL, 0, numbers, 2, &e), 0);
	CHECK_INT(gh_fake.nsent, 1); /* both PRs in one query */
	CHECK_STR(gh_fake.url[0], "https://api.test/graphql");
	CHECK(sent_has(0, "p1: pullRequest(number: 1)"));
	CHECK(sent_has(0, "p2: pullRequest(number: 2)"));
	CHECK_STR(trace_of(1),
		  "pull 1; files 1 a.c; reviews 1 101; comments 1 i201; comments 1 r301; done 1");
	CHECK_STR(trace_of(2),
		  "pull 2; files 2 b.c; reviews 2 102; comments 2 i202; comments 2 r302; done 2");
	CHECK_INT(rec.nfails, 0);
	end(g);
}

TEST(prfetch_pages_on_a_connection_with_more_by_continuations_and_drops_nothing)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {7};
	struct err e;

	/* Files and reviews both have a second page; the reviews a third. */
	fixture_answer(
		200, NULL,
		answer(jq("'p7':%s",
			  pull_node(7,
				    parts_of(conn(2, true, "F1", file_node("a.c", "ADDED")),
					     conn(3, true, "R1", review_node(101)), NULL, NULL)))));
	fixture_answer(200, NULL,
		       answer(jq("'c0':{'number':7,'files':%s},'c1':{'number':7,'reviews':%s}",
				 conn(2, false, "F2", file_node("b.c", "ADDED")),
				 conn(3, true, "R2", review_node(102)))));
	fixture_answer(200, NULL,
		       answer(jq("'c0':{'number':7,'reviews':%s}",
				 conn(3, false, "R3", review_node(103)))));
	CHECK_INT(fetch(g, API_GRAPHQL, PR_FILES | PR_REVIEWS, 0, numbers, 1, &e), 0);
	CHECK_INT(gh_fake.nsent, 3);
	/* The continuation asks for the PR's number back, after the page's end cursor. */
	CHECK(sent_has(1, "c0: pullRequest(number: 7) { number files(first: 100, after: "
			  "\\\"F1\\\")"));
	CHECK(sent_has(1, "c1: pullRequest(number: 7) { number reviews(first: 100, after: "
			  "\\\"R1\\\")"));
	CHECK(sent_has(2, "c0: pullRequest(number: 7) { number reviews(first: 100, after: "
			  "\\\"R2\\\")"));
	CHECK_STR(trace(), "pull 7; files 7 a.c; reviews 7 101; files 7 b.c; reviews 7 102; "
			   "reviews 7 103; done 7");
	end(g);
}

TEST(prfetch_carries_a_few_last_pages_to_the_next_windows_continuations)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	/* One PR a window, each with a second page of files: one query for both pages. */
	for (int n = 1; n <= 2; n++)
		fixture_answer(200, NULL,
			       answer(jq("'p%d':%s", n,
					 pull_node(n, parts_of(conn(2, true, n == 1 ? "A1" : "B1",
								    file_node(n == 1 ? "a1" : "b1",
									      "ADDED")),
							       NULL, NULL, NULL)))));
	fixture_answer(200, NULL,
		       answer(jq("'c0':{'number':1,'files':%s},'c1':{'number':2,'files':%s}",
				 conn(2, false, "A2", file_node("a2", "ADDED")),
				 conn(2, false, "B2", file_node("b2", "ADDED")))));
	CHECK_INT(fetch(g, API_GRAPHQL, PR_FILES, 1, numbers, 2, &e), 0);
	CHECK_INT(gh_fake.nsent, 3);
	CHECK(sent_has(1, "p2:"));
	CHECK(sent_has(2, "c0: pullRequest(number: 1) { number files(first: 100, after: "
			  "\\\"A1\\\")"));
	CHECK(sent_has(2, "c1: pullRequest(number: 2)"));
	/* #1 is done once its last page came, with #2's. */
	CHECK_STR(trace(), "pull 1; files 1 a1; pull 2; files 2 b1; files 1 a2; files 2 b2; "
			   "done 2; done 1");
	CHECK_INT(rec.nfails, 0);
	end(g);
}

TEST(prfetch_carries_no_page_past_the_last_window)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1};
	struct err e;

	fixture_answer(200, NULL,
		       answer(jq("'p1':%s", pull_node(1, parts_of(conn(2, true, "A1",
								       file_node("a1", "ADDED")),
								  NULL, NULL, NULL)))));
	fixture_answer(200, NULL,
		       answer(jq("'c0':{'number':1,'files':%s}",
				 conn(2, false, "A2", file_node("a2", "ADDED")))));
	CHECK_INT(fetch(g, API_GRAPHQL, PR_FILES, 1, numbers, 1, &e), 0);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK_STR(trace(), "pull 1; files 1 a1; files 1 a2; done 1");
	end(g);
}

TEST(prfetch_pages_on_review_threads_and_on_a_threads_comments)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {3};
	struct err e;

	/* 7 threads, 1 on the first page; its comments have a second page too. */
	fixture_answer(
		200, NULL,
		answer(jq("'p3':%s",
			  pull_node(3,
				    parts_of(NULL, NULL, EMPTY,
					     conn(7, true, "TH1",
						  thread_node("T1", conn(2, true, "TC1",
									 rcomment_node(301)))))))));
	/* Thread comments are asked by the thread's node id, at the top of the answer. */
	fixture_answer(200, NULL,
		       jq("{'data':{'repository':{'c1':{'number':3,'reviewThreads':%s}},"
			  "'c0':{'comments':%s}}}",
			  conn(7, false, "TH2", thread_node("T2", page(rcomment_node(303)))),
			  page(rcomment_node(302))));
	CHECK_INT(fetch(g, API_GRAPHQL, PR_COMMENTS, 0, numbers, 1, &e), 0);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK(sent_has(1, "c0: node(id: \\\"T1\\\") { ... on PullRequestReviewThread { "
			  "comments(first: 100, after: \\\"TC1\\\")"));
	/* The threads page asks for what is left of totalCount: each costs a request. */
	CHECK(sent_has(1, "c1: pullRequest(number: 3) { number reviewThreads(first: 6, after: "
			  "\\\"TH1\\\")"));
	CHECK_STR(trace(), "pull 3; comments 3 -; comments 3 r301; comments 3 r302; "
			   "comments 3 r303; done 3");
	end(g);
}

TEST(prfetch_reads_the_file_list_over_rest_when_a_file_was_renamed)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {4};
	struct err e;

	fixture_answer(
		200, NULL,
		answer(jq("'p4':%s",
			  pull_node(4, parts_of(page(jq("%s,%s", file_node("a.c", "MODIFIED"),
							file_node("new.c", "RENAMED"))),
						NULL, NULL, NULL)))));
	fixture_answer(200, NULL,
		       jq("[%s,%s]", rest_file("a.c", "modified", NULL),
			  rest_file("new.c", "renamed", "old.c")));
	CHECK_INT(fetch(g, API_AUTO, PR_FILES, 0, numbers, 1, &e), 0);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK(sent_to(1, "/repos/o/r/pulls/4/files?per_page=100"));
	/* Only REST's list reaches the sink: it has the previous name. */
	CHECK_STR(trace(), "pull 4; files 4 a.c,new.c<old.c; done 4");
	end(g);
}

TEST(prfetch_reads_a_file_list_answered_null_over_rest)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {5};
	struct err e;

	fixture_answer(200, NULL,
		       answer(jq("'p5':%s", pull_node(5, parts_of("null", NULL, NULL, NULL)))));
	fixture_answer(200, NULL, jq("[%s]", rest_file("a.c", "added", NULL)));
	CHECK_INT(fetch(g, API_AUTO, PR_FILES, 0, numbers, 1, &e), 0);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK(sent_to(1, "/repos/o/r/pulls/5/files?per_page=100"));
	CHECK_STR(trace(), "pull 5; files 5 a.c; done 5");
	end(g);
}

TEST(prfetch_reads_the_whole_file_list_over_rest_when_a_later_page_has_a_renamed_file)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {4};
	struct err e;

	fixture_answer(
		200, NULL,
		answer(jq("'p4':%s",
			  pull_node(4, parts_of(conn(2, true, "F1", file_node("a.c", "MODIFIED")),
						NULL, NULL, NULL)))));
	fixture_answer(200, NULL,
		       answer(jq("'c0':{'number':4,'files':%s}",
				 conn(2, false, "F2", file_node("b.c", "RENAMED")))));
	fixture_answer(200, NULL,
		       jq("[%s,%s]", rest_file("a.c", "modified", NULL),
			  rest_file("b.c", "renamed", "old.c")));
	CHECK_INT(fetch(g, API_AUTO, PR_FILES, 0, numbers, 1, &e), 0);
	CHECK_INT(gh_fake.nsent, 3);
	CHECK(sent_to(2, "/repos/o/r/pulls/4/files?per_page=100"));
	/* The first page came over GraphQL; REST's whole list follows (sinks key by name). */
	CHECK_STR(trace(), "pull 4; files 4 a.c; files 4 a.c,b.c<old.c; done 4");
	end(g);
}

TEST(prfetch_looks_up_a_user_graphql_cannot_number_over_rest_once)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1};
	const char *node;
	struct err e;

	/* An id past GraphQL's Int: GitHub answers databaseId null. */
	author = "{'__typename':'User','login':'big','avatarUrl':'https://avatars.test/u/1',"
		 "'url':'https://github.com/big','databaseId':null}";
	node = pull_node(1, parts_of(NULL, page(review_node(101)), NULL, NULL));
	author = ACTOR;
	fixture_answer(200, NULL, answer(jq("'p1':%s", node)));
	fixture_answer(200, NULL,
		       jq("{'id':3000000000,'login':'big','type':'User','avatar_url':"
			  "'https://avatars.test/u/1','html_url':'https://github.com/big'}"));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 1, &e), 0);
	CHECK_INT(gh_fake.nsent, 2); /* the PR's author and its review's: one lookup */
	CHECK(sent_to(1, "/users/big"));
	CHECK_INT(rec.author_id, INT64_C(3000000000));
	CHECK_INT(rec.review_author_id, INT64_C(3000000000));
	CHECK_STR(trace(), "pull 1; reviews 1 101; done 1");
	end(g);
}

TEST(prfetch_skips_null_items_and_counts_them_hidden)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {6};
	struct err e;
	const char *reviews = page(jq("null,%s", review_node(101)));
	const char *comments = page(jq("null,%s", comment_node(201)));
	const char *thread = thread_node("T1", page(jq("null,%s", rcomment_node(301))));
	const char *threads = page(jq("null,%s", thread));

	fixture_answer(
		200, NULL,
		answer(jq("'p6':%s", pull_node(6, parts_of(NULL, reviews, comments, threads)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS | PR_COMMENTS, 0, numbers, 1, &e), 0);
	CHECK_STR(trace(), "pull 6; reviews 6 101; comments 6 i201; comments 6 r301; done 6");
	/* A review, a comment, a thread and a thread's comment. */
	CHECK_INT(gh_stats(g)->hidden, 4);
	CHECK_INT(gh_fake.nsent, 1);
	/* Neither part is known whole: a stored item missing from them may be hidden, not gone. */
	CHECK_INT(rec.whole, 0);
	end(g);
}

TEST(prfetch_calls_a_part_whole_only_when_nothing_of_it_was_hidden)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {6};
	struct err e;
	const char *reviews = page(review_node(101));
	const char *comments = page(jq("null,%s", comment_node(201)));

	fixture_answer(
		200, NULL,
		answer(jq("'p6':%s", pull_node(6, parts_of(EMPTY, reviews, comments, EMPTY)))));
	CHECK_INT(fetch(g, API_AUTO, PR_FILES | PR_REVIEWS | PR_COMMENTS, 0, numbers, 1, &e), 0);
	CHECK_INT(rec.whole, PR_FILES | PR_REVIEWS);
	end(g);
}

TEST(prfetch_skips_a_review_or_comment_without_a_database_id_and_counts_it_hidden)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {8};
	struct err e;
	const char *no_id_review = jq("{'fullDatabaseId':null,'state':'COMMENTED','body':'x',"
				      "'submittedAt':" WHEN ",'commit':null,'author':" ACTOR "}");
	const char *no_id_comment = jq("{'fullDatabaseId':null,'body':'x','createdAt':" WHEN
				       ",'updatedAt':" WHEN ",'author':" ACTOR "}");

	fixture_answer(
		200, NULL,
		answer(jq("'p8':%s",
			  pull_node(8, parts_of(NULL,
						page(jq("%s,%s", no_id_review, review_node(101))),
						page(jq("%s,%s", comment_node(201), no_id_comment)),
						EMPTY)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS | PR_COMMENTS, 0, numbers, 1, &e), 0);
	CHECK_STR(trace(), "pull 8; reviews 8 101; comments 8 i201; done 8");
	CHECK_INT(gh_stats(g)->hidden, 2);
	end(g);
}

/*
 * Answers checked against the request.
 */

TEST(prfetch_fails_a_pull_answered_with_another_number_and_delivers_none_of_it)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fixture_answer(
		200, NULL,
		answer(jq("'p1':%s,'p2':%s",
			  pull_node(3, parts_of(NULL, page(review_node(101)), NULL, NULL)),
			  pull_node(2, parts_of(NULL, page(review_node(102)), NULL, NULL)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 2, &e), 0);
	CHECK_STR(trace_of(1), "done 1 failed(github)");
	CHECK_STR(trace_of(3), "");
	CHECK(strstr(failure_of(1), "GitHub answered with pull request #3") != NULL);
	CHECK_STR(trace_of(2), "pull 2; reviews 2 102; done 2");
	end(g);
}

TEST(prfetch_fails_a_further_page_answered_for_another_pull_request)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1};
	struct err e;

	fixture_answer(200, NULL,
		       answer(jq("'p1':%s",
				 pull_node(1, parts_of(NULL, conn(2, true, "R1", review_node(101)),
						       NULL, NULL)))));
	fixture_answer(200, NULL,
		       answer(jq("'c0':{'number':9,'reviews':%s}", page(review_node(909)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 1, &e), 0);
	CHECK_STR(trace(), "pull 1; reviews 1 101; done 1 failed(github)");
	CHECK(strstr(failure_of(1), "a further page came for another pull request") != NULL);
	end(g);
}

TEST(prfetch_fails_a_pull_answered_null_alone_with_githubs_words)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fixture_answer(
		200, NULL,
		jq("{'data':{'repository':{'p1':null,'p2':%s}},'errors':[{'type':"
		   "'NOT_FOUND','path':['repository','p1'],'message':'Could not resolve to a "
		   "PullRequest with the number of 1.'}]}",
		   pull_node(2, parts_of(NULL, EMPTY, NULL, NULL))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 2, &e), 0);
	CHECK_STR(trace_of(1), "done 1 failed(not-found)");
	CHECK(strstr(failure_of(1), "Could not resolve to a PullRequest with the number of 1. "
				    "(NOT_FOUND)") != NULL);
	CHECK_STR(trace_of(2), "pull 2; reviews 2 -; done 2");
	end(g);
}

TEST(prfetch_stops_with_no_repo_when_graphql_says_the_repository_is_not_there)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fixture_answer(200, NULL,
		       jq("{'data':{'repository':null},'errors':[{'type':'NOT_FOUND',"
			  "'path':['repository'],'message':'Could not resolve to a Repository with "
			  "the name o/r.'}]}"));
	CHECK_INT(fetch(g, API_AUTO, PR_ALL, 0, numbers, 2, &e), -1);
	CHECK(e.code == ERR_NO_REPO);
	CHECK(strstr(e.msg, "repository o/r") != NULL);
	CHECK_INT(gh_fake.nsent, 1); /* not asked again over REST */
	CHECK_STR(trace(), "");
	end(g);
}

/*
 * Queries GitHub cannot answer: split in halves down to the PR at fault.
 */

TEST(prfetch_splits_a_batch_whose_answer_cannot_be_read_until_the_pr_at_fault_fails_alone)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2, 3, 4};
	const char *cut = jq("{'data':{'repository':{'p1':");
	struct err e;

	fixture_answer(200, NULL, cut); /* 1-4 */
	fixture_answer(200, NULL,
		       answer(jq("'p1':%s,'p2':%s", pull_node(1, parts_of(NULL, EMPTY, NULL, NULL)),
				 pull_node(2, parts_of(NULL, EMPTY, NULL, NULL))))); /* 1-2 */
	fixture_answer(200, NULL, cut);                                              /* 3-4 */
	fixture_answer(
		200, NULL,
		answer(jq("'p3':%s", pull_node(3, parts_of(NULL, EMPTY, NULL, NULL))))); /* 3 */
	fixture_answer(200, NULL, cut);                                                  /* 4 */
	fixture_answer(200, NULL, cut); /* 4 again: a cut transfer may pass */
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 4, numbers, 4, &e), 0);
	CHECK_INT(gh_fake.nsent, 6);
	CHECK(sent_has(0, "p1:") && sent_has(0, "p4:"));
	CHECK(sent_has(1, "p1:") && sent_has(1, "p2:") && !sent_has(1, "p3:"));
	CHECK(sent_has(2, "p3:") && sent_has(2, "p4:") && !sent_has(2, "p2:"));
	CHECK(sent_has(3, "p3:") && !sent_has(3, "p4:"));
	CHECK(sent_has(4, "p4:") && !sent_has(4, "p3:"));
	CHECK(gh_fake.nsent == 6 && strcmp(gh_fake.body[4], gh_fake.body[5]) == 0);
	CHECK_STR(trace_of(1), "pull 1; reviews 1 -; done 1");
	CHECK_STR(trace_of(2), "pull 2; reviews 2 -; done 2");
	CHECK_STR(trace_of(3), "pull 3; reviews 3 -; done 3");
	CHECK_STR(trace_of(4), "done 4 failed(parse)");
	end(g);
}

TEST(prfetch_splits_a_batch_whose_answer_is_too_large_until_the_pr_at_fault_fails_alone)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fake_http_fail(&gh_fake, ERR_TOO_BIG); /* 1-2 */
	fixture_answer(
		200, NULL,
		answer(jq("'p1':%s", pull_node(1, parts_of(NULL, EMPTY, NULL, NULL))))); /* 1 */
	fake_http_fail(&gh_fake, ERR_TOO_BIG); /* 2: the same size again, so once is enough */
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 2, &e), 0);
	CHECK_INT(gh_fake.nsent, 3);
	CHECK(sent_has(1, "p1:") && !sent_has(1, "p2:"));
	CHECK(sent_has(2, "p2:") && !sent_has(2, "p1:"));
	CHECK_STR(trace_of(1), "pull 1; reviews 1 -; done 1");
	CHECK_STR(trace_of(2), "done 2 failed(too-big)");
	end(g);
}

/*
 * Pages of continuations GitHub cannot answer: split, asked again once, and
 * then only the PR they belong to fails; the others of the batch go on.
 */
TEST(prfetch_splits_continuations_whose_answer_cannot_be_read)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	const char *cut = jq("{'data':{'repository':{'c0':");
	struct err e;

	fixture_answer(200, NULL,
		       answer(jq("'p1':%s,'p2':%s",
				 pull_node(1, parts_of(NULL, conn(2, true, "A", review_node(101)),
						       NULL, NULL)),
				 pull_node(2, parts_of(NULL, conn(2, true, "B", review_node(201)),
						       NULL, NULL)))));
	fixture_answer(200, NULL, cut); /* both pages */
	fixture_answer(
		200, NULL,
		answer(jq("'c0':{'number':1,'reviews':%s}", page(review_node(102))))); /* #1's */
	fixture_answer(200, NULL, cut);                                                /* #2's */
	fixture_answer(200, NULL, cut); /* #2's again */
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 2, &e), 0);
	CHECK_INT(gh_fake.nsent, 5);
	CHECK(sent_has(2, "\\\"A\\\"") && !sent_has(2, "\\\"B\\\""));
	CHECK(sent_has(3, "\\\"B\\\"") && !sent_has(3, "\\\"A\\\""));
	CHECK_STR(trace_of(1), "pull 1; reviews 1 101; reviews 1 102; done 1");
	CHECK_STR(trace_of(2), "pull 2; reviews 2 201; done 2 failed(parse)");
	CHECK_INT(e.code, ERR_NONE);
	end(g);
}

TEST(prfetch_fails_only_its_pr_when_a_page_of_continuations_is_too_large)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fixture_answer(
		200, NULL,
		answer(jq("'p1':%s,'p2':%s",
			  pull_node(1, parts_of(NULL, conn(2, true, "A", review_node(101)), NULL,
						NULL)),
			  pull_node(2, parts_of(NULL, page(review_node(201)), NULL, NULL)))));
	fake_http_fail(&gh_fake, ERR_TOO_BIG); /* #1's second page */
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 2, &e), 0);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK_INT(e.code, ERR_NONE);
	CHECK_STR(trace_of(1), "pull 1; reviews 1 101; done 1 failed(too-big)");
	CHECK_STR(trace_of(2), "pull 2; reviews 2 201; done 2");
	end(g);
}

TEST(prfetch_fails_every_pr_of_a_batch_github_refuses_and_delivers_done_for_each)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fixture_answer(422, NULL, "{\"message\":\"Something went wrong\"}");
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 2, &e), 0);
	CHECK_INT(gh_fake.nsent, 1); /* a refusal is no matter of size: not split */
	CHECK_STR(trace(), "done 1 failed(github); done 2 failed(github)");
	CHECK(strstr(failure_of(2), "422 Something went wrong") != NULL);
	end(g);
}

TEST(prfetch_asks_for_fewer_prs_a_query_when_answers_run_large)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2, 3, 4};
	size_t big = (size_t)5 << 20; /* 5 MiB a PR: two would pass 8 MiB */
	char *pad = xcalloc(big + 1, 1);
	const char *heavy;
	struct err e;

	memset(pad, 'x', big);
	heavy = jq("%s,'padding':'%s'", parts_of(NULL, EMPTY, NULL, NULL), pad);
	free(pad);
	fixture_answer(200, NULL,
		       answer(jq("'p1':%s,'p2':%s", pull_node(1, heavy), pull_node(2, heavy))));
	fixture_answer(200, NULL,
		       answer(jq("'p3':%s", pull_node(3, parts_of(NULL, EMPTY, NULL, NULL)))));
	fixture_answer(200, NULL,
		       answer(jq("'p4':%s", pull_node(4, parts_of(NULL, EMPTY, NULL, NULL)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 2, numbers, 4, &e), 0);
	CHECK_INT(gh_fake.nsent, 3);
	CHECK(sent_has(0, "p1:") && sent_has(0, "p2:"));
	CHECK(sent_has(1, "p3:") && !sent_has(1, "p4:"));
	CHECK(sent_has(2, "p4:"));
	CHECK_INT(rec.nfails, 0);
	end(g);
}

TEST(prfetch_sends_the_next_batch_ahead_of_done_so_the_wait_overlaps_the_sinks_writes)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2, 3};
	struct err e;

	for (int n = 1; n <= 3; n++)
		fixture_answer(
			200, NULL,
			answer(jq("'p%d':%s", n, pull_node(n, parts_of(NULL, EMPTY, NULL, NULL)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 1, numbers, 3, &e), 0);
	/* Each query once: the one sent ahead is the one collected. */
	CHECK_INT(gh_fake.nsent, 3);
	CHECK_INT(gh_stats(g)->graphql_requests, 3);
	CHECK(sent_has(1, "p2:") && sent_has(2, "p3:"));
	CHECK_INT(rec.ndone, 3);
	CHECK_INT(rec.sent_at_done[0], 2); /* #2's query was out before #1's done() */
	CHECK_INT(rec.sent_at_done[1], 3);
	CHECK_INT(rec.sent_at_done[2], 3); /* nothing after the last */
	CHECK_STR(trace(), "pull 1; reviews 1 -; done 1; pull 2; reviews 2 -; done 2; pull 3; "
			   "reviews 3 -; done 3");
	end(g);
}

TEST(prfetch_counts_a_query_sent_ahead_for_a_window_never_taken)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	rec.refuse = "done";
	rec.refuse_number = 1;
	rec.refuse_code = ERR_STORE;
	for (int n = 1; n <= 2; n++)
		fixture_answer(
			200, NULL,
			answer(jq("'p%d':%s", n, pull_node(n, parts_of(NULL, EMPTY, NULL, NULL)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 1, numbers, 2, &e), -1);
	CHECK(e.code == ERR_STORE);
	/* #2's query went out ahead; the run stopped at #1's done(): sent, counted, charged. */
	CHECK_INT(gh_fake.nsent, 2);
	CHECK_INT(gh_stats(g)->graphql_requests, 2);
	CHECK(gh_stats(g)->graphql_points >= 2);
	end(g);
}

/*
 * Auto mode's moves to REST, and what stops a run.
 */

TEST(prfetch_auto_reads_over_rest_for_the_run_when_graphql_is_not_there)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	const char *log;
	struct err e;

	fixture_answer(404, NULL, "{\"message\":\"Not Found\"}");
	fixture_answer(200, NULL, rest_pull(1));
	fixture_answer(200, NULL, jq("[%s]", rest_review(101, 1)));
	fixture_answer(200, NULL, rest_pull(2));
	fixture_answer(200, NULL, jq("[%s]", rest_review(102, 2)));
	fixture_log_begin();
	/* One PR a query: the second would be a query of its own, were GraphQL still used. */
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 1, numbers, 2, &e), 0);
	log = fixture_log_end();
	CHECK_INT(gh_fake.nsent, 5);
	CHECK_INT(gh_stats(g)->graphql_requests, 1);
	CHECK(sent_to(1, "/repos/o/r/pulls/1"));
	CHECK(sent_to(2, "/repos/o/r/pulls/1/reviews?per_page=100"));
	CHECK(sent_to(3, "/repos/o/r/pulls/2"));
	CHECK_INT(count_of(log, "warning:"), 1);
	CHECK(strstr(log, "no GraphQL endpoint") != NULL);
	CHECK_STR(trace(), "pull 1; reviews 1 101; done 1; pull 2; reviews 2 102; done 2");
	end(g);
}

TEST(prfetch_auto_moves_to_rest_when_the_graphql_budget_is_spent_and_rest_has_some)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1};
	const char *log;
	struct err e;

	/* Spent for an hour: longer than max-wait (600 s). */
	fixture_answer(
		200,
		"x-ratelimit-resource: graphql\nx-ratelimit-remaining: 0\n"
		"x-ratelimit-reset: 1700003600\n",
		jq("{'errors':[{'type':'RATE_LIMITED','message':'API rate limit exceeded'}]}"));
	fixture_answer(200, "x-ratelimit-resource: core\nx-ratelimit-remaining: 4000\n",
		       rest_pull(1));
	fixture_answer(200, NULL, jq("[%s]", rest_review(101, 1)));
	fixture_log_begin();
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 1, &e), 0);
	log = fixture_log_end();
	CHECK_INT(gh_fake.nsent, 3);
	CHECK(sent_to(1, "/repos/o/r/pulls/1"));
	CHECK_INT(count_of(log, "warning:"), 1);
	CHECK(strstr(log, "GraphQL budget is spent") != NULL);
	CHECK_STR(trace(), "pull 1; reviews 1 101; done 1");
	end(g);
}

TEST(prfetch_auto_reads_a_batch_again_over_rest_when_the_budget_runs_out_between_its_pages)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1};
	struct err e;

	fixture_answer(200, NULL,
		       answer(jq("'p1':%s",
				 pull_node(1, parts_of(NULL, conn(2, true, "R1", review_node(101)),
						       NULL, NULL)))));
	fixture_answer(
		200,
		"x-ratelimit-resource: graphql\nx-ratelimit-remaining: 0\n"
		"x-ratelimit-reset: 1700003600\n",
		jq("{'errors':[{'type':'RATE_LIMITED','message':'API rate limit exceeded'}]}"));
	fixture_answer(200, NULL, rest_pull(1));
	fixture_answer(200, NULL, jq("[%s,%s]", rest_review(101, 1), rest_review(102, 1)));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 1, &e), 0);
	CHECK_INT(gh_fake.nsent, 4);
	CHECK(sent_to(2, "/repos/o/r/pulls/1"));
	/* The PR whole over REST (what GraphQL gave reaches the sink again), and done() once. */
	CHECK_STR(trace(), "pull 1; reviews 1 101; pull 1; reviews 1 101,102; done 1");
	end(g);
}

TEST(prfetch_auto_stops_as_partial_when_both_budgets_are_spent)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1};
	cJSON *j = NULL;
	struct err e;

	/* REST's budget seen spent first (the answer itself passed). */
	fixture_answer(200,
		       "x-ratelimit-resource: core\nx-ratelimit-remaining: 0\n"
		       "x-ratelimit-reset: 1700003600\n",
		       "{}");
	CHECK_INT(gh_rest_get(g, "/rate_limit", &j, &e), 0);
	cJSON_Delete(j);
	fixture_answer(
		200,
		"x-ratelimit-resource: graphql\nx-ratelimit-remaining: 0\n"
		"x-ratelimit-reset: 1700003600\n",
		jq("{'errors':[{'type':'RATE_LIMITED','message':'API rate limit exceeded'}]}"));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 1, &e), -1);
	CHECK(e.code == ERR_RATE);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK_STR(trace(), "");
	end(g);
}

TEST(prfetch_graphql_mode_stops_on_a_spent_budget_without_trying_rest)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1};
	struct err e;

	fixture_answer(
		200,
		"x-ratelimit-resource: graphql\nx-ratelimit-remaining: 0\n"
		"x-ratelimit-reset: 1700003600\n",
		jq("{'errors':[{'type':'RATE_LIMITED','message':'API rate limit exceeded'}]}"));
	CHECK_INT(fetch(g, API_GRAPHQL, PR_REVIEWS, 0, numbers, 1, &e), -1);
	CHECK(e.code == ERR_RATE);
	CHECK_INT(gh_fake.nsent, 1);
	CHECK_STR(trace(), "");
	end(g);
}

TEST(prfetch_graphql_mode_stops_on_a_missing_endpoint_saying_to_use_api_rest)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fixture_answer(404, NULL, "{\"message\":\"Not Found\"}");
	CHECK_INT(fetch(g, API_GRAPHQL, PR_ALL, 0, numbers, 2, &e), -1);
	CHECK(strstr(e.msg, "use api: rest") != NULL);
	CHECK_INT(gh_fake.nsent, 1);
	CHECK_STR(trace(), "");
	end(g);
}

TEST(prfetch_stops_the_run_when_the_sink_meets_a_store_error)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	rec.refuse = "reviews";
	rec.refuse_number = 1;
	rec.refuse_code = ERR_STORE;
	fixture_answer(
		200, NULL,
		answer(jq("'p1':%s,'p2':%s",
			  pull_node(1, parts_of(NULL, page(review_node(101)), NULL, NULL)),
			  pull_node(2, parts_of(NULL, page(review_node(102)), NULL, NULL)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 2, &e), -1);
	CHECK(e.code == ERR_STORE);
	CHECK_STR(e.msg, "the sink refuses reviews of #1");
	CHECK_INT(gh_fake.nsent, 1);
	/* Nothing after the refusal: not #2, not a done(). */
	CHECK_STR(trace(), "pull 1; reviews 1 101");
	end(g);
}

TEST(prfetch_fails_only_that_pr_when_the_sink_refuses_it_for_a_reason_of_its_own)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	rec.refuse = "pull";
	rec.refuse_number = 1;
	rec.refuse_code = ERR_PARSE;
	fixture_answer(
		200, NULL,
		answer(jq("'p1':%s,'p2':%s",
			  pull_node(1, parts_of(NULL, page(review_node(101)), NULL, NULL)),
			  pull_node(2, parts_of(NULL, page(review_node(102)), NULL, NULL)))));
	CHECK_INT(fetch(g, API_AUTO, PR_REVIEWS, 0, numbers, 2, &e), 0);
	CHECK_STR(trace_of(1), "pull 1; done 1 failed(parse)");
	CHECK_STR(failure_of(1), "the sink refuses pull of #1");
	CHECK_STR(trace_of(2), "pull 2; reviews 2 102; done 2");
	end(g);
}

/*
 * REST.
 */

TEST(prfetch_rest_reads_each_pr_and_every_part_and_fails_one_whose_items_are_of_another)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2, 3};
	struct err e;

	fixture_answer(200, NULL, rest_pull(1));
	fixture_answer(200, NULL, jq("[%s]", rest_review(101, 1)));
	fixture_answer(200, NULL, jq("[%s]", rest_comment(201, 1)));
	fixture_answer(200, NULL, jq("[%s]", rest_rcomment(301, 1)));
	fixture_answer(200, NULL, rest_pull(2));
	fixture_answer(200, NULL, jq("[%s]", rest_review(102, 9))); /* a review of #9 */
	fixture_answer(200, NULL, rest_pull(3));
	fixture_answer(200, NULL, "[]");
	fixture_answer(200, NULL, jq("[%s]", rest_comment(203, 8))); /* a comment of #8 */
	CHECK_INT(fetch(g, API_REST, PR_REVIEWS | PR_COMMENTS, 0, numbers, 3, &e), 0);
	CHECK_INT(gh_fake.nsent, 9);
	CHECK_INT(gh_stats(g)->graphql_requests, 0);
	CHECK(sent_to(0, "/repos/o/r/pulls/1"));
	CHECK(sent_to(1, "/repos/o/r/pulls/1/reviews?per_page=100"));
	CHECK(sent_to(2, "/repos/o/r/issues/1/comments?per_page=100"));
	CHECK(sent_to(3, "/repos/o/r/pulls/1/comments?per_page=100"));
	CHECK_STR(trace_of(1), "pull 1; reviews 1 101; comments 1 i201; comments 1 r301; done 1");
	CHECK_STR(trace_of(2), "pull 2; done 2 failed(github)");
	CHECK(strstr(failure_of(2), "an item of pull request #2's list is of #9") != NULL);
	CHECK_STR(trace_of(3), "pull 3; reviews 3 -; done 3 failed(github)");
	CHECK(strstr(failure_of(3), "an item of pull request #3's list is of #8") != NULL);
	end(g);
}

TEST(prfetch_rest_fails_a_pr_github_does_not_have_and_goes_on)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fixture_answer(404, NULL, "{\"message\":\"Not Found\"}"); /* pulls/1 */
	fixture_answer(200, NULL, "{\"full_name\":\"o/r\"}");     /* the repository is there */
	fixture_answer(200, NULL, rest_pull(2));
	fixture_answer(200, NULL, "[]");
	CHECK_INT(fetch(g, API_REST, PR_REVIEWS, 0, numbers, 2, &e), 0);
	CHECK(sent_to(1, "/repos/o/r"));
	CHECK_STR(trace(), "done 1 failed(not-found); pull 2; reviews 2 -; done 2");
	end(g);
}

TEST(prfetch_rest_stops_with_no_repo_when_the_repository_itself_is_not_there)
{
	struct gh *g = begin();
	static const int64_t numbers[] = {1, 2};
	struct err e;

	fixture_answer(404, NULL, "{\"message\":\"Not Found\"}"); /* pulls/1 */
	fixture_answer(404, NULL, "{\"message\":\"Not Found\"}"); /* the repository */
	CHECK_INT(fetch(g, API_REST, PR_REVIEWS, 0, numbers, 2, &e), -1);
	CHECK(e.code == ERR_NO_REPO);
	CHECK_INT(gh_fake.nsent, 2);
	CHECK_STR(trace(), "");
	end(g);
}
