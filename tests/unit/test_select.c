/*
 * test_select.c - jobs/select.c as a specification: which parts of which
 * pull requests are current in a SQLite store in memory (select_current),
 * and which PRs a capture takes (select_pulls): a resume cursor, else
 * pr-numbers, else the recent PRs the store lacks (GitHub's list on the
 * scripted transport), a shard's share, max-items.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gh_fixture.h"
#include "harness.h"
#include "jobs.h"
#include "progress.h"
#include "store.h"
#include "util.h"

/* GitHub's updated_at of the PRs, and older and newer times than it. */
#define NOW_ISO   "2023-11-10T00:00:00Z"
#define OLDER_ISO "2023-11-09T00:00:00Z"
#define NEWER_ISO "2023-11-11T00:00:00Z"

static struct {
	struct config cfg;
	struct store *store;
	struct gh *gh;
	struct progress *progress;
	struct job_ctx ctx;
} t;

static const char *
no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* The repository's row; its id into t.ctx. */
static void
add_repository(void)
{
	static const char *const cols[] = {"github_id", "full_name", "owner", "name"};
	struct rowset rs, out;
	struct err e;

	rowset_init(&rs, "repositories", cols, 4);
	rowset_add(&rs);
	rowset_int(&rs, "github_id", 42);
	rowset_text(&rs, "full_name", "o/r");
	rowset_text(&rs, "owner", "o");
	rowset_text(&rs, "name", "r");
	if (CHECK(store_upsert(t.store, &rs, "github_id", "id", &out, &e) == 0) &&
	    CHECK_INT(out.nrows, 1))
		snprintf(t.ctx.repository_id, sizeof(t.ctx.repository_id), "%s",
			 rowset_text_at(&out, 0, "id"));
	rowset_release(&out);
	rowset_release(&rs);
}

/*
 * A context for the command and settings in args (NULL-terminated), on a
 * fresh store in memory with the repository's row and a GitHub client.
 */
static void
begin(const char *const *args)
{
	char *argv[32] = {"progressive-capture"};
	int argc = 1;
	struct err e;

	for (size_t i = 0; args[i] != NULL && argc < 31; i++)
		argv[argc++] = (char *)args[i];
	memset(&t, 0, sizeof(t));
	if (!CHECK(config_load(&t.cfg, argc, argv, no_env, &e) == 0))
		fprintf(stderr, "    config: %s\n", e.msg);
	t.store = store_open_sqlite(":memory:", false, &e);
	if (!CHECK(t.store != NULL))
		abort();
	t.gh = fixture_gh();
	t.ctx.cfg = &t.cfg;
	t.ctx.store = t.store;
	t.ctx.gh = t.gh;
	add_repository();
}

static void
end(void)
{
	progress_free(t.progress);
	store_close(t.store);
	fixture_end(t.gh);
	config_release(&t.cfg);
	memset(&t, 0, sizeof(t));
}

/* A job row and its progress row, as main makes them; progress goes into the context. */
static void
with_progress(const char *job_id)
{
	struct progress_options o = {.job_id = job_id, .job_type = "pr-all", .repository = "o/r"};
	struct err e;

	t.progress = progress_start(t.store, &o, &e);
	if (!CHECK(t.progress != NULL))
		fprintf(stderr, "    progress: %s\n", e.msg);
	t.ctx.progress = t.progress;
}

/*
 * Rows: pull requests (last_synced_at NULL when synced is false) and their
 * capture marks.
 */

static void
pr_row(struct rowset *rs, int number, const char *updated, bool synced)
{
	rowset_add(rs);
	rowset_int(rs, "github_id", 9000 + number);
	rowset_int(rs, "number", number);
	rowset_text(rs, "title", "a change");
	rowset_text(rs, "state", "open");
	rowset_text(rs, "repository_id", t.ctx.repository_id);
	rowset_text(rs, "head_branch", "topic");
	rowset_text(rs, "created_at", "2023-11-01T00:00:00Z");
	rowset_text(rs, "updated_at", updated);
	rowset_text(rs, "last_synced_at", synced ? updated : NULL);
}

static void
write_prs(struct rowset *rs)
{
	struct rowset out;
	struct err e;

	CHECK(store_upsert(t.store, rs, "github_id", NULL, &out, &e) == 0);
	rowset_release(&out);
	rowset_release(rs);
}

static void
prs_init(struct rowset *rs)
{
	static const char *const cols[] = {"github_id",  "number",        "title",
					   "state",      "repository_id", "head_branch",
					   "created_at", "updated_at",    "last_synced_at"};

	rowset_init(rs, "pull_requests", cols, 9);
}

/* One PR row. */
static void
add_pr(int number, const char *updated, bool synced)
{
	struct rowset rs;

	prs_init(&rs);
	pr_row(&rs, number, updated, synced);
	write_prs(&rs);
}

/* The row id of PR number. */
static char *
pr_id(int number)
{
	char num[16];
	struct store_filter f = {.column = "number", .op = STORE_EQ, .value = num};
	struct store_query q = {"pull_requests", "id", &f, 1, NULL, 0};
	struct rowset rs;
	char *id = NULL;

	snprintf(num, sizeof(num), "%d", number);
	if (store_select(t.store, &q, &rs, NULL) == 0 && rs.nrows == 1)
		id = xstrdup(rowset_text_at(&rs, 0, "id"));
	rowset_release(&rs);
	return id;
}

static void
captures_init(struct rowset *rs)
{
	static const char *const cols[] = {"repository_id", "pull_request_id", "number", "part",
					   "github_updated_at"};

	rowset_init(rs, "pull_request_captures", cols, 5);
}

static void
capture_row(struct rowset *rs, const char *pr_row_id, int number, const char *part,
	    const char *updated)
{
	rowset_add(rs);
	rowset_text(rs, "repository_id", t.ctx.repository_id);
	rowset_text(rs, "pull_request_id", pr_row_id);
	rowset_int(rs, "number", number);
	rowset_text(rs, "part", part);
	rowset_text(rs, "github_updated_at", updated);
}

static void
write_captures(struct rowset *rs)
{
	struct err e;

	CHECK(store_upsert(t.store, rs, "pull_request_id,part", NULL, NULL, &e) == 0);
	rowset_release(rs);
}

/* Marks part ("details", "reviews", "comments") of PR number captured at updated. */
static void
add_capture(int number, const char *part, const char *updated)
{
	char *id = pr_id(number);
	struct rowset rs;

	if (!CHECK(id != NULL))
		return;
	captures_init(&rs);
	capture_row(&rs, id, number, part, updated);
	write_captures(&rs);
	free(id);
}

static time_t
at(const char *iso)
{
	time_t v = 0;

	time_parse_iso(iso, &v);
	return v;
}

/*
 * GitHub's list of pull requests (GET /pulls?sort=created), newest first.
 */

/* A PR of the list, created days before the fixture's now, updated at NOW_ISO. */
static const char *
listed(int number, int days_ago)
{
	char created[21];

	time_format_iso((time_t)FIXTURE_T0 - (time_t)days_ago * 86400, created);
	return jq("{'number':%d,'id':%d,'title':'a change','state':'open','created_at':'%s',"
		  "'updated_at':'" NOW_ISO "','user':null,'base':{'ref':'main'},"
		  "'head':{'ref':'topic'}}",
		  number, 9000 + number, created);
}

#define LIST_PATH                                                                                  \
	"https://api.test/repos/o/r/pulls?state=all&sort=created&direction=desc&per_page=100"

/* out[0..n) as "a,b,c". */
static const char *
joined(const int64_t *out, size_t n)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		const char *next = jq("%s%s%lld", s, i > 0 ? "," : "", (long long)out[i]);

		free(s);
		s = xstrdup(next);
	}
	return fixture_keep(s);
}

/* GET /pulls/{n}'s answer: a listed PR with its counters. */
static const char *
pull_json(int number, const char *updated)
{
	return jq("{'number':%d,'id':%d,'title':'a change','state':'open',"
		  "'created_at':'" OLDER_ISO "','updated_at':'%s','user':null,"
		  "'base':{'ref':'main'},'head':{'ref':'topic'},'additions':1,'deletions':0,"
		  "'changed_files':1,'commits':1}",
		  number, 9000 + number, updated);
}

/* Sets the ETag of every capture mark of PR number. */
static void
set_etag(int number, const char *etag)
{
	char num[16];
	struct store_filter f = {.column = "number", .op = STORE_EQ, .value = num};
	struct rowset set;

	snprintf(num, sizeof(num), "%d", number);
	rowset_init_list(&set, "pull_request_captures", "etag");
	rowset_add(&set);
	rowset_text(&set, "etag", etag);
	CHECK(store_update(t.store, "pull_request_captures", &f, 1, &set, NULL) == 0);
	rowset_release(&set);
}

/* The ETag the capture marks of PR number keep ("" when none or differing). */
static const char *
etag_of(int number)
{
	char num[16];
	struct store_filter f = {.column = "number", .op = STORE_EQ, .value = num};
	struct store_query q = {"pull_request_captures", "etag", &f, 1, NULL, 0};
	struct rowset rs;
	char *etag = NULL;

	snprintf(num, sizeof(num), "%d", number);
	if (store_select(t.store, &q, &rs, NULL) == 0)
		for (size_t row = 0; row < rs.nrows; row++) {
			const char *v = rowset_text_at(&rs, row, "etag");

			if (row == 0 && v != NULL)
				etag = xstrdup(v);
			else if (etag != NULL && (v == NULL || strcmp(v, etag) != 0)) {
				free(etag);
				etag = NULL;
			}
		}
	rowset_release(&rs);
	return fixture_keep(etag != NULL ? etag : xstrdup(""));
}

/*
 * select_current.
 */

TEST(select_current_holds_a_part_current_only_when_its_capture_has_githubs_present_updated_at)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", NULL};
	static const int64_t numbers[] = {1, 2, 3, 4};
	time_t updated[4];
	unsigned current[4] = {9, 9, 9, 9};
	struct err e;

	begin(args);
	for (int i = 0; i < 4; i++) {
		add_pr((int)numbers[i], NOW_ISO, true);
		updated[i] = at(NOW_ISO);
	}
	add_capture(1, "reviews", NOW_ISO);
	add_capture(1, "comments", NOW_ISO);
	add_capture(2, "reviews", OLDER_ISO); /* captured before GitHub's last change */
	add_capture(2, "comments", NOW_ISO);
	add_capture(3, "comments", NEWER_ISO); /* not the time GitHub has now either */
	/* #4: never captured */
	CHECK_INT(
		select_current(&t.ctx, PR_REVIEWS | PR_COMMENTS, numbers, updated, 4, current, &e),
		0);
	CHECK_INT(current[0], PR_REVIEWS | PR_COMMENTS);
	CHECK_INT(current[1], PR_COMMENTS);
	CHECK_INT(current[2], 0);
	CHECK_INT(current[3], 0);
	end();
}

TEST(select_current_counts_no_capture_of_another_repository)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", NULL};
	static const char *const cols[] = {"github_id", "full_name", "owner", "name"};
	static const int64_t numbers[] = {1};
	time_t updated[1] = {at(NOW_ISO)};
	unsigned current[1] = {9};
	char mine[UUID_STR_SIZE];
	struct rowset rs, out;
	struct err e;

	begin(args);
	/* Another repository's #1, captured: the same number, not the same PR. */
	rowset_init(&rs, "repositories", cols, 4);
	rowset_add(&rs);
	rowset_int(&rs, "github_id", 43);
	rowset_text(&rs, "full_name", "o/other");
	rowset_text(&rs, "owner", "o");
	rowset_text(&rs, "name", "other");
	CHECK(store_upsert(t.store, &rs, "github_id", "id", &out, &e) == 0);
	snprintf(mine, sizeof(mine), "%s", t.ctx.repository_id);
	snprintf(t.ctx.repository_id, sizeof(t.ctx.repository_id), "%s",
		 rowset_text_at(&out, 0, "id"));
	add_pr(1, NOW_ISO, true);
	add_capture(1, "reviews", NOW_ISO);
	snprintf(t.ctx.repository_id, sizeof(t.ctx.repository_id), "%s", mine);
	rowset_release(&out);
	rowset_release(&rs);
	CHECK_INT(select_current(&t.ctx, PR_REVIEWS, numbers, updated, 1, current, &e), 0);
	CHECK_INT(current[0], 0);
	end();
}

TEST(select_current_asks_only_for_the_parts_wanted)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", NULL};
	static const int64_t numbers[] = {1};
	time_t updated[1] = {at(NOW_ISO)};
	unsigned current[1];
	struct err e;

	begin(args);
	add_pr(1, NOW_ISO, true);
	add_capture(1, "reviews", NOW_ISO);
	add_capture(1, "comments", NOW_ISO);
	CHECK_INT(select_current(&t.ctx, PR_COMMENTS, numbers, updated, 1, current, &e), 0);
	CHECK_INT(current[0], PR_COMMENTS);
	end();
}

TEST(select_current_holds_files_current_only_when_the_pr_row_agrees_too)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", NULL};
	static const int64_t numbers[] = {1, 2, 3};
	time_t updated[3] = {at(NOW_ISO), at(NOW_ISO), at(NOW_ISO)};
	unsigned current[3];
	struct err e;

	begin(args);
	add_pr(1, NOW_ISO, true);
	add_pr(2, OLDER_ISO, true); /* another writer changed the row since */
	add_pr(3, NOW_ISO, false);  /* never synced */
	for (int n = 1; n <= 3; n++)
		add_capture(n, "details", NOW_ISO);
	CHECK_INT(select_current(&t.ctx, PR_FILES | PR_REVIEWS, numbers, updated, 3, current, &e),
		  0);
	CHECK_INT(current[0], PR_FILES);
	CHECK_INT(current[1], 0);
	CHECK_INT(current[2], 0);
	end();
}

TEST(select_current_asks_for_more_numbers_than_a_chunk_in_chunks_and_answers_every_one)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", NULL};
	enum { N = 2 * SELECT_CHUNK + 50 };
	int64_t *numbers = xcalloc(N, sizeof(*numbers));
	time_t *updated = xcalloc(N, sizeof(*updated));
	unsigned *current = xcalloc(N, sizeof(*current));
	struct rowset prs, caps;
	uint64_t before;
	size_t whole = 0;
	struct err e;

	begin(args);
	prs_init(&prs);
	for (int i = 0; i < N; i++) {
		numbers[i] = i + 1;
		updated[i] = at(NOW_ISO);
		pr_row(&prs, i + 1, NOW_ISO, true);
	}
	write_prs(&prs);
	captures_init(&caps);
	for (int i = 0; i < N; i++) {
		char *id = pr_id(i + 1);

		capture_row(&caps, id, i + 1, "details", NOW_ISO);
		if ((i + 1) % 7 != 0) /* every 7th lacks its reviews */
			capture_row(&caps, id, i + 1, "reviews", NOW_ISO);
		free(id);
	}
	write_captures(&caps);
	before = t.store->requests;
	CHECK_INT(select_current(&t.ctx, PR_FILES | PR_REVIEWS, numbers, updated, N, current, &e),
		  0);
	/* 3 calls of the store's function. */
	CHECK_INT(t.store->requests - before, 3);
	for (int i = 0; i < N; i++)
		whole += current[i] == ((i + 1) % 7 != 0 ? PR_FILES | PR_REVIEWS : PR_FILES);
	CHECK_INT(whole, N);
	free(numbers);
	free(updated);
	free(current);
	end();
}

/*
 * select_pulls: where the list comes from.
 */

TEST(select_pulls_takes_the_resume_cursor_before_pr_numbers_and_asks_github_nothing)
{
	static const char *const args[] = {
		"pr-all",          "--repository",    "o/r", "--pr-numbers", "5",
		"--resume-cursor", "v1:pr-all:3,7-9", NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	CHECK_INT(select_pulls(&t.ctx, PR_ALL, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "3,7,8,9");
	CHECK_INT(gh_fake.nsent, 0);
	free(out);
	end();
}

TEST(select_pulls_takes_the_cursor_the_jobs_last_run_left_in_its_progress_row)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", "--pr-numbers", "5",
					   NULL};
	static const char *const cols[] = {"resume_cursor"};
	struct store_filter f;
	struct rowset set;
	char job_id[UUID_STR_SIZE];
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	with_progress(NULL);
	if (t.progress == NULL) {
		end();
		return;
	}
	snprintf(job_id, sizeof(job_id), "%s", progress_job_id(t.progress));
	f = (struct store_filter){.column = "job_id", .op = STORE_EQ, .value = job_id};
	rowset_init(&set, "progressive_capture_progress", cols, 1);
	rowset_add(&set);
	rowset_text(&set, "resume_cursor", "v1:pr-all:4,6");
	CHECK(store_update(t.store, "progressive_capture_progress", &f, 1, &set, &e) == 0);
	rowset_release(&set);
	/* The same job again, as a re-run with its job-id. */
	progress_free(t.progress);
	with_progress(job_id);
	CHECK_INT(select_pulls(&t.ctx, PR_ALL, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "4,6");
	free(out);
	end();
}

TEST(select_pulls_refuses_a_resume_cursor_of_another_command)
{
	static const char *const args[] = {"pr-all",          "--repository",    "o/r",
					   "--resume-cursor", "v1:pr-reviews:3", NULL};
	int64_t *out = NULL;
	size_t n = 7;
	struct err e;

	begin(args);
	CHECK_INT(select_pulls(&t.ctx, PR_ALL, &out, &n, &e), -1);
	CHECK(e.code == ERR_INPUT);
	CHECK_STR(e.msg, "resume-cursor is from pr-reviews, not pr-all");
	CHECK(out == NULL);
	CHECK_INT(n, 0);
	CHECK_INT(gh_fake.nsent, 0);
	end();
}

TEST(select_pulls_takes_pr_numbers_in_their_order_with_force_without_asking_github)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", "--pr-numbers",
					   "5,2,9",  "--force",      NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	add_pr(2, NOW_ISO, true);
	add_capture(2, "reviews", NOW_ISO); /* captured already: taken all the same */
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "5,2,9");
	CHECK_INT(gh_fake.nsent, 0);
	CHECK_INT(t.ctx.skipped, 0);
	free(out);
	end();
}

TEST(select_pulls_asks_nothing_of_github_about_pr_numbers_never_captured)
{
	static const char *const args[] = {"pr-all",       "--repository", "o/r",
					   "--pr-numbers", "5,2,9",        NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	add_pr(2, NOW_ISO, true);
	add_capture(2, "details", NOW_ISO); /* not the part wanted */
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "5,2,9");
	CHECK_INT(gh_fake.nsent, 0);
	free(out);
	end();
}

TEST(select_pulls_skips_pr_numbers_graphql_says_are_unchanged_in_one_query)
{
	static const char *const args[] = {"pr-all",       "--repository", "o/r",
					   "--pr-numbers", "5,2,9",        NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	add_pr(2, NOW_ISO, true);
	add_pr(9, OLDER_ISO, true);
	add_capture(2, "reviews", NOW_ISO);
	add_capture(9, "reviews", OLDER_ISO);
	fixture_answer(200, NULL,
		       jq("{'data':{'rateLimit':{'cost':1,'remaining':4999,'resetAt':'%s'},"
			  "'repository':{'p2':{'number':2,'createdAt':'%s','updatedAt':'%s'},"
			  "'p9':{'number':9,'createdAt':'%s','updatedAt':'%s'}}}}",
			  NEWER_ISO, OLDER_ISO, NOW_ISO, OLDER_ISO, NEWER_ISO));
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "5,9"); /* #2 as captured; #9 changed; #5 never captured */
	CHECK_INT(gh_fake.nsent, 1);
	CHECK(strstr(gh_fake.body[0],
		     "p2: pullRequest(number: 2) { number createdAt updatedAt }") != NULL);
	CHECK(strstr(gh_fake.body[0], "p5:") == NULL);
	CHECK_INT(t.ctx.skipped, 1);
	free(out);
	end();
}

TEST(select_pulls_over_rest_sends_the_kept_etag_and_skips_on_304)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r",  "--pr-numbers",
					   "2,3",    "--api",        "rest", NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	add_pr(2, NOW_ISO, true);
	add_pr(3, NOW_ISO, true);
	add_capture(2, "reviews", NOW_ISO);
	add_capture(3, "reviews", NOW_ISO);
	set_etag(2, "W/\"e2\"");
	fixture_answer(304, "etag: W/\"e2\"\n", "");
	fixture_answer(200, "etag: W/\"e3\"\n", pull_json(3, NOW_ISO));
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), ""); /* both unchanged: #2 by its ETag, #3 by its time */
	CHECK_INT(gh_fake.nsent, 2);
	CHECK(strstr(gh_fake.headers[0], "If-None-Match: W/\"e2\"") != NULL);
	CHECK(strstr(gh_fake.headers[1], "If-None-Match") == NULL);
	CHECK_STR(etag_of(3), "W/\"e3\""); /* kept for the next run */
	CHECK_INT(t.ctx.skipped, 2);
	free(out);
	end();
}

TEST(select_pulls_takes_the_recent_prs_that_lack_a_part_newest_first_and_counts_the_others)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r",  "--time-range",
					   "30",     "--api",        "rest", NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	for (int k = 12; k <= 14; k++)
		add_pr(k, NOW_ISO, true);
	add_capture(13, "reviews", NOW_ISO); /* #13 is up to date */
	add_capture(13, "comments", NOW_ISO);
	add_capture(12, "reviews", NOW_ISO);   /* #12 lacks its comments */
	add_capture(14, "reviews", OLDER_ISO); /* #14 changed since */
	add_capture(14, "comments", OLDER_ISO);
	/* Created 40 days ago: past time-range, so the walk stops before page 2. */
	fixture_answer(200, "link: <https://api.test/repos/o/r/pulls?page=2>; rel=\"next\"\n",
		       jq("[%s,%s,%s,%s,%s]", listed(15, 0), listed(14, 1), listed(13, 2),
			  listed(12, 3), listed(11, 40)));
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS | PR_COMMENTS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "15,14,12");
	CHECK_INT(t.ctx.skipped, 1);
	CHECK_INT(gh_fake.nsent, 1);
	CHECK_STR(gh_fake.url[0], LIST_PATH);
	free(out);
	end();
}

TEST(select_pulls_shard_takes_every_shard_totalth_pr_by_number)
{
	static const char *const args[] = {
		"pr-all", "--repository", "o/r", "--shard-index", "1", "--shard-total", "3",
		"--api",  "rest",         NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	fixture_answer(200, NULL,
		       jq("[%s,%s,%s,%s,%s,%s]", listed(15, 1), listed(14, 1), listed(13, 2),
			  listed(12, 2), listed(11, 3), listed(10, 3)));
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "13,10"); /* number % 3 == 1 */
	free(out);
	end();
}

TEST(select_pulls_max_items_cuts_the_list_keeping_the_newest)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r",  "--max-items",
					   "2",      "--api",        "rest", NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	fixture_answer(
		200, NULL,
		jq("[%s,%s,%s,%s]", listed(15, 1), listed(14, 1), listed(13, 2), listed(12, 2)));
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "15,14");
	free(out);
	end();
}

TEST(select_pulls_max_items_cuts_pr_numbers_too)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", "--pr-numbers",
					   "5,2,9",  "--max-items",  "2",   NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "5,2");
	free(out);
	end();
}

TEST(select_pulls_counts_a_pr_of_the_list_it_cannot_read_as_failed_and_selects_the_others)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", "--api", "rest", NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	with_progress(NULL);
	fixture_answer(200, NULL,
		       jq("[%s,{'number':99999999999},%s]", listed(15, 1), listed(14, 2)));
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "15,14");
	CHECK_INT(t.ctx.failed, 1);
	free(out);
	end();
}

TEST(select_pulls_with_nothing_recent_selects_nothing)
{
	static const char *const args[] = {"pr-all", "--repository", "o/r", "--api", "rest", NULL};
	int64_t *out = NULL;
	size_t n = 3;
	struct err e;

	begin(args);
	fixture_answer(200, NULL, jq("[%s]", listed(15, 31)));
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_INT(n, 0);
	CHECK_INT(t.ctx.skipped, 0);
	free(out);
	end();
}

/* A node of GraphQL's pull request list, created days_ago, updated now. */
static const char *
listed_node(int number, int days_ago)
{
	char created[21];

	time_format_iso((time_t)FIXTURE_T0 - (time_t)days_ago * 86400, created);
	return jq("{'number':%d,'createdAt':'%s','updatedAt':'" NOW_ISO "'}", number, created);
}

TEST(select_pulls_over_graphql_lists_pages_of_100_and_stops_at_the_first_too_old)
{
	static const char *const args[] = {"pr-all",       "--repository", "o/r",
					   "--time-range", "30",           NULL};
	int64_t *out = NULL;
	size_t n = 0;
	struct err e;

	begin(args);
	add_pr(14, NOW_ISO, true);
	add_capture(14, "reviews", NOW_ISO); /* #14 is up to date */
	fixture_answer(200, NULL,
		       jq("{'data':{'repository':{'pullRequests':{'pageInfo':{'hasNextPage':true,"
			  "'endCursor':'c1'},'nodes':[%s,%s]}}}}",
			  listed_node(15, 1), listed_node(14, 2)));
	fixture_answer(200, NULL,
		       jq("{'data':{'repository':{'pullRequests':{'pageInfo':{'hasNextPage':true,"
			  "'endCursor':'c2'},'nodes':[%s,%s]}}}}",
			  listed_node(13, 3), listed_node(12, 40)));
	CHECK_INT(select_pulls(&t.ctx, PR_REVIEWS, &out, &n, &e), 0);
	CHECK_STR(joined(out, n), "15,13");
	CHECK_INT(t.ctx.skipped, 1);
	/* Two pages: the second holds one too old, so no third is asked for. */
	CHECK_INT(gh_fake.nsent, 2);
	CHECK(strstr(gh_fake.body[0], "after:") == NULL);
	CHECK(strstr(gh_fake.body[1], "after: \\\"c1\\\"") != NULL); /* in the JSON body */
	CHECK(strstr(gh_fake.body[0], "pullRequests(first: 100") != NULL);
	free(out);
	end();
}
