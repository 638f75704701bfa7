/*
 * gql.c - the GraphQL documents: pull request batches, continuations, commit
 * history. Builds text only; sending is github.c's, reading is prfetch.c's.
 * Values (names, cursors) are written as GraphQL string literals, escaped
 * like JSON strings, so no input can change a document's shape.
 */
#include "gql.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "json.h"

#define PAGE_INFO "pageInfo { hasNextPage endCursor }"

/* Fragments, each named after what it selects. A document includes only those it uses. */
enum frag { F_ACTOR, F_PULL, F_FILES, F_REVIEWS, F_COMMENTS, F_REVIEW_COMMENTS, F_THREADS, F__N };

static const char *const fragments[F__N] = {
	[F_ACTOR] = "fragment Actor on Actor { __typename login avatarUrl url "
		    "... on User { databaseId } ... on Bot { databaseId } "
		    "... on Mannequin { databaseId } ... on Organization { databaseId } }",
	[F_PULL] = "fragment PullFields on PullRequest { number fullDatabaseId title body state "
		   "isDraft merged mergeable mergeStateStatus mergedAt createdAt updatedAt "
		   "closedAt additions deletions "
		   "changedFiles baseRefName headRefName url author { ...Actor } "
		   "mergedBy { ...Actor } commits { totalCount } }",
	[F_FILES] = "fragment FilePage on PullRequestChangedFileConnection { totalCount " PAGE_INFO
		    " nodes { path additions deletions changeType } }",
	[F_REVIEWS] = "fragment ReviewPage on PullRequestReviewConnection { totalCount " PAGE_INFO
		      " nodes { fullDatabaseId state body submittedAt commit { oid } "
		      "author { ...Actor } } }",
	[F_COMMENTS] = "fragment CommentPage on IssueCommentConnection { totalCount " PAGE_INFO
		       " nodes { fullDatabaseId body createdAt updatedAt author { ...Actor } } }",
	[F_REVIEW_COMMENTS] = "fragment ReviewCommentPage on PullRequestReviewCommentConnection { "
			      "totalCount " PAGE_INFO
			      " nodes { fullDatabaseId body createdAt updatedAt path position "
			      "originalPosition diffHunk commit { oid } originalCommit { oid } "
			      "replyTo { fullDatabaseId } "
			      "author { ...Actor } } }",
	[F_THREADS] =
		"fragment ThreadPage on PullRequestReviewThreadConnection { totalCount " PAGE_INFO
		" nodes { id comments(first: 100) { ...ReviewCommentPage } } }",
};

/* Fragments each fragment needs. */
static unsigned
closure(unsigned used)
{
	if (used & (1u << F_THREADS))
		used |= 1u << F_REVIEW_COMMENTS;
	if (used &
	    ((1u << F_PULL) | (1u << F_REVIEWS) | (1u << F_COMMENTS) | (1u << F_REVIEW_COMMENTS)))
		used |= 1u << F_ACTOR;
	return used;
}

static int
put_fragments(struct buf *out, unsigned used)
{
	used = closure(used);
	for (int i = 0; i < F__N; i++)
		if ((used & (1u << i)) &&
		    (buf_putc(out, '\n') < 0 || buf_puts(out, fragments[i]) < 0))
			return -1;
	return buf_putc(out, '\n');
}

void
gql_pull_alias(int number, char out[16])
{
	snprintf(out, 16, "p%d", number);
}

/* repository(owner: "…", name: "…") { */
static int
open_repository(struct buf *out, const char *owner, const char *name)
{
	buf_puts(out, " repository(owner: ");
	json_quote(out, owner);
	buf_puts(out, ", name: ");
	json_quote(out, name);
	return buf_puts(out, ") {");
}

int
gql_pull_batch(struct buf *out, const char *owner, const char *name, const int64_t *numbers,
	       size_t n, unsigned parts)
{
	unsigned used = 1u << F_PULL;

	buf_puts(out, "query PullRequests { rateLimit { cost remaining resetAt }");
	open_repository(out, owner, name);
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, " p%" PRId64 ": pullRequest(number: %" PRId64 ") { ...PullFields",
			   numbers[i], numbers[i]);
		if (parts & PR_FILES)
			buf_puts(out, " files(first: 100) { ...FilePage }");
		if (parts & PR_REVIEWS)
			buf_puts(out, " reviews(first: 100) { ...ReviewPage }");
		if (parts & PR_COMMENTS)
			buf_printf(out,
				   " comments(first: 100) { ...CommentPage }"
				   " reviewThreads(first: %d) { ...ThreadPage }",
				   GQL_THREAD_WINDOW);
		buf_puts(out, " }");
	}
	if (parts & PR_FILES)
		used |= 1u << F_FILES;
	if (parts & PR_REVIEWS)
		used |= 1u << F_REVIEWS;
	if (parts & PR_COMMENTS)
		used |= (1u << F_COMMENTS) | (1u << F_THREADS);
	buf_puts(out, " } }");
	return put_fragments(out, used);
}

int
gql_continuations(struct buf *out, const char *owner, const char *name,
		  const struct gql_cont *conts, size_t n)
{
	static const char *const field[] = {[GQL_FILES] = "files",
					    [GQL_REVIEWS] = "reviews",
					    [GQL_COMMENTS] = "comments",
					    [GQL_THREADS] = "reviewThreads"};
	static const char *const frag[] = {[GQL_FILES] = "FilePage",
					   [GQL_REVIEWS] = "ReviewPage",
					   [GQL_COMMENTS] = "CommentPage",
					   [GQL_THREADS] = "ThreadPage"};
	static const enum frag frag_id[] = {[GQL_FILES] = F_FILES,
					    [GQL_REVIEWS] = F_REVIEWS,
					    [GQL_COMMENTS] = F_COMMENTS,
					    [GQL_THREADS] = F_THREADS};
	unsigned used = 0;
	bool repo = false;

	buf_puts(out, "query PullRequestPages { rateLimit { cost remaining resetAt }");
	for (size_t i = 0; i < n; i++)
		repo = repo || conts[i].conn != GQL_THREAD_COMMENTS;
	if (repo) {
		open_repository(out, owner, name);
		for (size_t i = 0; i < n; i++) {
			const struct gql_cont *c = &conts[i];

			if (c->conn == GQL_THREAD_COMMENTS)
				continue;
			buf_printf(out,
				   " c%zu: pullRequest(number: %d) { number %s(first: %d, after: ",
				   i, c->number, field[c->conn],
				   c->first > 0 && c->first <= GQL_PAGE ? c->first : GQL_PAGE);
			json_quote(out, c->cursor);
			buf_printf(out, ") { ...%s } }", frag[c->conn]);
			used |= 1u << frag_id[c->conn];
		}
		buf_puts(out, " }");
	}
	for (size_t i = 0; i < n; i++) {
		const struct gql_cont *c = &conts[i];

		if (c->conn != GQL_THREAD_COMMENTS)
			continue;
		buf_printf(out, " c%zu: node(id: ", i);
		json_quote(out, c->thread_id);
		buf_puts(out, ") { ... on PullRequestReviewThread { comments(first: 100, after: ");
		json_quote(out, c->cursor);
		buf_puts(out, ") { ...ReviewCommentPage } } }");
		used |= 1u << F_REVIEW_COMMENTS;
	}
	buf_puts(out, " }");
	return put_fragments(out, used);
}

/* GitHub's formula: the requests every connection could need, / 100 rounded, at least 1. */
static int64_t
points(int64_t requests)
{
	int64_t p = (requests + 50) / 100;

	return p > 0 ? p : 1;
}

int64_t
gql_pull_batch_cost(size_t n, unsigned parts)
{
	int64_t per_pr = 1; /* commits { totalCount } */

	if (parts & PR_FILES)
		per_pr += 1;
	if (parts & PR_REVIEWS)
		per_pr += 1;
	if (parts & PR_COMMENTS)
		per_pr +=
			2 + GQL_THREAD_WINDOW; /* comments, reviewThreads, each thread's comments */
	return points((int64_t)n * per_pr);
}

int64_t
gql_continuations_cost(const struct gql_cont *conts, size_t n)
{
	int64_t requests = 0;

	for (size_t i = 0; i < n; i++)
		requests += conts[i].conn == GQL_THREADS
				    ? 1 + (conts[i].first > 0 && conts[i].first <= GQL_PAGE
						   ? conts[i].first
						   : GQL_PAGE)
				    : 1;
	return points(requests);
}

int64_t
gql_history_cost(void)
{
	return points(1 + GQL_PAGE); /* the page, and each commit's associatedPullRequests */
}

int
gql_history(struct buf *out, const char *owner, const char *name, const char *since,
	    const char *cursor)
{
	static const char *const git_actor = "{ name email date user { __typename login "
					     "databaseId avatarUrl url } }";

	buf_puts(out, "query CommitHistory { rateLimit { cost remaining resetAt }");
	open_repository(out, owner, name);
	buf_puts(out,
		 " defaultBranchRef { name target { ... on Commit { history(first: 100, since: ");
	json_quote(out, since);
	if (cursor != NULL) {
		buf_puts(out, ", after: ");
		json_quote(out, cursor);
	}
	buf_printf(out,
		   ") { totalCount " PAGE_INFO " nodes { oid message authoredDate committedDate "
		   "additions deletions changedFilesIfAvailable url author %s committer %s "
		   "associatedPullRequests(first: 5) { nodes { number merged baseRefName } } } } } "
		   "} } } }",
		   git_actor, git_actor);
	return buf_putc(out, '\n');
}

int64_t
gql_pull_list_cost(void)
{
	return points(1); /* one connection of 100, nothing nested */
}

int
gql_pull_list(struct buf *out, const char *owner, const char *name, const char *cursor)
{
	buf_puts(out, "query PullList { rateLimit { cost remaining resetAt }");
	open_repository(out, owner, name);
	buf_puts(out, " pullRequests(first: 100, orderBy: {field: CREATED_AT, direction: DESC}");
	if (cursor != NULL) {
		buf_puts(out, ", after: ");
		json_quote(out, cursor);
	}
	buf_puts(out, ") { " PAGE_INFO " nodes { number createdAt updatedAt } } } }");
	return buf_putc(out, '\n');
}

int64_t
gql_pull_stamps_cost(void)
{
	return points(0); /* no connection: the minimum */
}

int
gql_pull_stamps(struct buf *out, const char *owner, const char *name, const int64_t *numbers,
		size_t n)
{
	buf_puts(out, "query PullStamps { rateLimit { cost remaining resetAt }");
	open_repository(out, owner, name);
	for (size_t i = 0; i < n; i++)
		buf_printf(out,
			   " p%" PRId64 ": pullRequest(number: %" PRId64
			   ") { number createdAt updatedAt }",
			   numbers[i], numbers[i]);
	buf_puts(out, " } }");
	return buf_putc(out, '\n');
}

/* Prints a document, the cost this file predicts for it, and the end marker. */
static void
emit(FILE *f, struct buf *b, int64_t cost)
{
	fprintf(f, "%s# cost %lld\n# end\n", buf_str(b), (long long)cost);
	buf_reset(b);
}

void
gql_print_documents(FILE *f)
{
	int64_t numbers[GQL_BATCH_MAX];
	struct gql_cont conts[] = {
		{GQL_FILES, 1, NULL, "Y3Vyc29yOjEwMA==", 100},
		{GQL_REVIEWS, 1, NULL, "Y3Vyc29yOjEwMA==", 100},
		{GQL_COMMENTS, 22, NULL, "Y3Vyc29yOjEwMA==", 100},
		{GQL_THREADS, 22, NULL, "Y3Vyc29yOjU=", 17},
		{GQL_THREAD_COMMENTS, 22, "PRRT_kwDOAAABc84AAAAB", "Y3Vyc29yOjEwMA==", 100},
	};
	const size_t nconts = sizeof(conts) / sizeof(conts[0]);
	struct buf b = BUF_INIT(1 << 22);

	for (size_t i = 0; i < GQL_BATCH_MAX; i++)
		numbers[i] = (int64_t)(i * 11 + 1);
	/* Every combination of parts, for 3 PRs; then full batches of the default and the most. */
	for (unsigned parts = 0; parts <= PR_ALL; parts++) {
		gql_pull_batch(&b, "octo-org", "hello.world", numbers, 3, parts);
		emit(f, &b, gql_pull_batch_cost(3, parts));
	}
	gql_pull_batch(&b, "octo-org", "hello.world", numbers, GQL_BATCH_DEFAULT, PR_ALL);
	emit(f, &b, gql_pull_batch_cost(GQL_BATCH_DEFAULT, PR_ALL));
	gql_pull_batch(&b, "octo-org", "hello.world", numbers, GQL_BATCH_MAX, PR_ALL);
	emit(f, &b, gql_pull_batch_cost(GQL_BATCH_MAX, PR_ALL));
	/* Each kind of continuation alone, and all together. */
	for (size_t i = 0; i < nconts; i++) {
		gql_continuations(&b, "octo-org", "hello.world", &conts[i], 1);
		emit(f, &b, gql_continuations_cost(&conts[i], 1));
	}
	gql_continuations(&b, "octo-org", "hello.world", conts, nconts);
	emit(f, &b, gql_continuations_cost(conts, nconts));
	gql_history(&b, "octo-org", "hello.world", "2024-01-01T00:00:00Z", NULL);
	emit(f, &b, gql_history_cost());
	gql_history(&b, "octo-org", "hello.world", "2024-01-01T00:00:00Z", "Y3Vyc29yOjEwMA==");
	emit(f, &b, gql_history_cost());
	gql_pull_list(&b, "octo-org", "hello.world", NULL);
	emit(f, &b, gql_pull_list_cost());
	gql_pull_list(&b, "octo-org", "hello.world", "Y3Vyc29yOjEwMA==");
	emit(f, &b, gql_pull_list_cost());
	gql_pull_stamps(&b, "octo-org", "hello.world", numbers, GQL_STAMPS_MAX);
	emit(f, &b, gql_pull_stamps_cost());
	buf_release(&b);
}
