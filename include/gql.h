/*
 * gql.h - every GraphQL document the program sends, built in one place.
 *
 * Batch queries fetch many pull requests by number (one alias each) with the
 * first page of the connections a job needs; continuation queries page on
 * any connection that has more (hasNextPage), several per request; the
 * commit-history query pages the default branch. Documents use only fields
 * of GitHub's published schema; `--graphql-documents` prints one of every
 * shape so the tests can validate them against it.
 *
 * Cost (GitHub's formula: the requests a query could need, assuming every
 * first: is reached, divided by 100 and rounded, at least 1): a pull request
 * with every part selected needs 10 requests (files, reviews, comments,
 * commits, reviewThreads, and the comments of GQL_THREAD_WINDOW threads), so
 * GQL_BATCH_DEFAULT = 24 of them need 240 -> 2 points, 0.083 a PR.
 */
#ifndef PC_GQL_H
#define PC_GQL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "model.h"

#define GQL_PAGE          100 /* first: of every connection */
#define GQL_THREAD_WINDOW 5   /* review threads in the batch query; more are paged */
#define GQL_CONT_MAX      40  /* continuations in one query */

/* A connection to page on. */
enum gql_conn { GQL_FILES, GQL_REVIEWS, GQL_COMMENTS, GQL_THREADS, GQL_THREAD_COMMENTS };

struct gql_cont {
	enum gql_conn conn;
	int number;      /* the pull request */
	char *thread_id; /* GQL_THREAD_COMMENTS: the thread's node id */
	char *cursor;    /* endCursor of the page before */
	int first; /* page size, 1-100 (threads: what is left, as their comments cost one each) */
};

/*
 * The batch query for pull requests numbers[0..n) of owner/name, aliased
 * "p<number>", with the parts' first pages. -1 if out's cap is reached.
 */
int gql_pull_batch(struct buf *out, const char *owner, const char *name, const int64_t *numbers,
		   size_t n, unsigned parts);

/* One query paging on conts[0..n), aliased "c<index>". -1 if out's cap is reached. */
int gql_continuations(struct buf *out, const char *owner, const char *name,
		      const struct gql_cont *conts, size_t n);

/* The alias of pull request number in a batch ("p12") into out[16]. */
void gql_pull_alias(int number, char out[16]);

/*
 * One page of the default branch's history: commits committed at or after
 * since, each with its associated pull requests, after cursor (NULL: the
 * first page).
 */
int gql_history(struct buf *out, const char *owner, const char *name, const char *since,
		const char *cursor);

/*
 * One page of the repository's pull requests, newest created first: number,
 * createdAt, updatedAt of 100 after cursor (NULL: the first page).
 */
int gql_pull_list(struct buf *out, const char *owner, const char *name, const char *cursor);

/*
 * The number, createdAt and updatedAt of pull requests numbers[0..n) (n at most
 * GQL_STAMPS_MAX), aliased "p<number>": what a re-sync needs to tell which
 * changed since their capture. No connection: 1 point whatever n is.
 */
#define GQL_STAMPS_MAX 100
int gql_pull_stamps(struct buf *out, const char *owner, const char *name, const int64_t *numbers,
		    size_t n);

/*
 * What GitHub's formula charges for each document (the requests its
 * connections could need, / 100 rounded, at least 1): counted when an answer
 * does not say (no rateLimit, or an answer that cannot be read).
 */
int64_t gql_pull_batch_cost(size_t n, unsigned parts);
int64_t gql_continuations_cost(const struct gql_cont *conts, size_t n);
int64_t gql_history_cost(void);
int64_t gql_pull_list_cost(void);
int64_t gql_pull_stamps_cost(void);

/* Prints one document of every shape, each followed by a line "# end". */
void gql_print_documents(FILE *f);

#endif
