/*
 * prfetch.h - fetching pull requests with the parts a job wants, over
 * GraphQL batches or REST, into a sink of callbacks.
 *
 * GraphQL (api auto or graphql): GQL_BATCH_DEFAULT pull requests a query,
 * with the first page of every wanted connection; any connection with more
 * pages is paged on by continuation queries (many per request) until it is
 * whole - nothing past the first 100 is dropped. What GraphQL cannot give is
 * fetched over REST: the file list of a PR with renamed or copied files (the
 * previous file name), and users whose id GraphQL cannot represent. With api
 * auto, a spent GraphQL budget moves the remaining PRs to REST while REST has
 * budget left. REST (api rest): GET /pulls/{n} and every page of files,
 * reviews, conversation and review comments.
 *
 * Either way the sink sees, for each PR: pull() first, then pages of files,
 * reviews and comments (parents before replies), then done() once, with the
 * failure when that PR could not be fetched whole. A failure that is not the
 * PR's own (rate limit, credentials, a store refusal from the sink) stops
 * everything and is returned.
 */
#ifndef PC_PRFETCH_H
#define PC_PRFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "github.h"
#include "gql.h"
#include "model.h"

enum api_mode { API_AUTO, API_GRAPHQL, API_REST };

struct pr_sink {
	void *ud;
	int (*pull)(void *ud, const struct gh_pull *p, struct err *e);
	int (*files)(void *ud, int number, const struct gh_file *f, size_t n, struct err *e);
	int (*reviews)(void *ud, int number, const struct gh_review *r, size_t n, struct err *e);
	int (*comments)(void *ud, int number, const struct gh_comment *c, size_t n, struct err *e);
	/* failure: NULL when every part of the PR was delivered. */
	int (*done)(void *ud, int number, const struct err *failure, struct err *e);
};

struct prfetch_options {
	const char *owner, *name;
	unsigned parts; /* PR_FILES | PR_REVIEWS | PR_COMMENTS */
	enum api_mode api;
	int batch_size; /* PRs per GraphQL query; 0 = GQL_BATCH_DEFAULT */
};

/* True for failures that are not one PR's own and so end a run. */
bool prfetch_stops_run(const struct err *e);

/*
 * Fetches numbers[0..n) into sink. 0 when every PR reached done() (each may
 * have failed on its own); -1 with e when the run had to stop.
 */
int prfetch(struct gh *g, const struct prfetch_options *o, const int64_t *numbers, size_t n,
	    const struct pr_sink *sink, struct err *e);

#endif
