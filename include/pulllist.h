/*
 * pulllist.h - the pull requests of a repository created since a time,
 * newest first, each as its number, created_at and updated_at: what is
 * needed to tell which of them lack capture (select, plan).
 *
 * GraphQL (api auto or graphql): pages of 100 (1 point each; a 100,000-PR
 * repository in 1,000 points and some 10 MB, where REST's list sends every
 * PR whole). REST (api rest, or auto on a GitHub with no GraphQL endpoint,
 * with a warning): the pull request list sorted by creation. A PR that
 * cannot be read goes to bad(), the walk goes on; a failure that is not one
 * PR's own (err_stops_run) ends the walk and is returned.
 */
#ifndef PC_PULLLIST_H
#define PC_PULLLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "github.h"
#include "model.h"

struct gh;

struct pulllist_options {
	const char *owner, *name;
	time_t since; /* PRs created at or after */
	enum api_mode api;
};

/*
 * Walks the PRs created since o->since into fn, a page at a time (pulls
 * borrowed for the call; only number, created_at, updated_at set). fn may
 * set *stop. 0 when done; -1 + e when the walk had to stop.
 */
int pulllist(struct gh *g, const struct pulllist_options *o, gh_pulls_fn fn, gh_bad_fn bad,
	     void *ud, struct err *e);

/* What a re-sync learns of a pull request before fetching it. */
struct pull_stamp {
	int64_t number;
	const char *etag; /* in: the ETag its capture marks keep (REST), or NULL */
	char *updated_at; /* out (owned): GitHub's updatedAt; NULL: not learnt */
	char *new_etag;   /* out (owned; REST): the ETag of the answer */
	bool unchanged;   /* out (REST): GitHub answered 304 to etag */
};

/*
 * Learns cheaply which of s[0..n) changed: over GraphQL, number and
 * updatedAt in one query per GQL_STAMPS_MAX PRs (1 point each); over REST,
 * a GET /pulls/{n} per PR sent with its ETag (a 304 costs no primary
 * point). A PR GitHub has no answer for stays unlearnt: the capture fetches
 * it and says what is wrong. -1 + e only for what stops the run.
 */
int pullstamps(struct gh *g, const struct pulllist_options *o, struct pull_stamp *s, size_t n,
	       struct err *e);

/* Frees what pullstamps set in s[0..n). */
void pullstamps_release(struct pull_stamp *s, size_t n);

#endif
