/*
 * prfetch.h - fetching pull requests with the parts a job wants, over
 * GraphQL batches or REST, into a sink of callbacks.
 *
 * GraphQL (api auto or graphql): up to batch-size pull requests a query,
 * with the first page of every wanted connection; any connection with more
 * pages is paged on by continuation queries (many per request) until it is
 * whole - nothing past the first 100 is dropped. Queries are sized so their
 * answers stay near 8 MiB (fewer PRs or pages a query when answers run
 * large); a query GitHub cannot answer in time, whose answer is too large or
 * cannot be read is split in halves until the one PR at fault fails alone.
 * Items GitHub answers as null (not visible to the token) are skipped and
 * counted (ghclient.h gh_stats hidden); a list GitHub answers as null as a
 * whole is read over REST instead, as is what GraphQL cannot give: the file
 * list of a PR with renamed or copied files (the previous file name), and
 * users whose id GraphQL cannot represent. With api auto, a spent GraphQL
 * budget, or a GitHub with no GraphQL endpoint at all, moves the remaining
 * PRs to REST (with a warning). REST (api rest): GET /pulls/{n} and every
 * page of files, reviews, conversation and review comments.
 *
 * Every answer is checked against the request: a PR answer for another
 * number than asked fails that PR, and nothing of it reaches the sink.
 *
 * Either way the sink sees, for each PR: pull() first, then pages of files,
 * reviews and comments (parents before replies), then done() once, with the
 * failure when that PR could not be fetched whole. An item may reach the
 * sink twice (a list read again over REST after part of it came over
 * GraphQL): sinks key what they keep by GitHub id or file name. A failure
 * that is not the PR's own (err_stops_run: rate limit, credentials, a
 * missing repository, a store refusal from the sink …) stops everything and
 * is returned.
 */
#ifndef PC_PRFETCH_H
#define PC_PRFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

struct gh;

/* The callbacks; the structs they get are borrowed for the call. */
struct pr_sink {
	void *ud;
	int (*pull)(void *ud, const struct gh_pull *p, struct err *e);
	int (*files)(void *ud, int number, const struct gh_file *f, size_t n, struct err *e);
	int (*reviews)(void *ud, int number, const struct gh_review *r, size_t n, struct err *e);
	int (*comments)(void *ud, int number, const struct gh_comment *c, size_t n, struct err *e);
	/*
	 * failure: NULL when every part of the PR was delivered. whole: the
	 * parts delivered with every item GitHub lists (none hidden from the
	 * token), so a stored item not among them is gone from GitHub.
	 */
	int (*done)(void *ud, int number, const struct err *failure, unsigned whole, struct err *e);
};

struct prfetch_options {
	const char *owner, *name;
	unsigned parts; /* PR_FILES | PR_REVIEWS | PR_COMMENTS */
	enum api_mode api;
	int batch_size; /* most PRs a GraphQL query; 0 = GQL_BATCH_DEFAULT */
};

/*
 * Fetches numbers[0..n) into sink. 0 when every PR reached done() (each may
 * have failed on its own); -1 with e when the run had to stop.
 */
int prfetch(struct gh *g, const struct prfetch_options *o, const int64_t *numbers, size_t n,
	    const struct pr_sink *sink, struct err *e);

#endif
