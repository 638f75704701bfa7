/*
 * commitfetch.h - the commits of a branch since a time, each with its stats
 * and the pull requests it came in through, into a sink a page at a time.
 *
 * GraphQL (api auto or graphql): the branch's history, 100 commits a query
 * with their associated pull requests (1 point). REST (api rest): the commit
 * list, then GET /commits/{sha} (stats, file count) and /commits/{sha}/pulls
 * for each. With api auto, a GitHub with no GraphQL endpoint is read over
 * REST (with a warning). An empty repository has no commits. Items GitHub
 * answers as null are skipped and counted (gh_stats hidden); a commit that
 * cannot be read goes to the sink's bad() with why, and the walk goes on.
 * A failure that is not one commit's own (err_stops_run) ends the walk and
 * is returned.
 */
#ifndef PC_COMMITFETCH_H
#define PC_COMMITFETCH_H

#include <stddef.h>

#include "err.h"
#include "model.h"

struct gh;

struct commit_sink {
	void *ud;
	/* A page of commits, newest first; the sink may change them (resolve users). */
	int (*commits)(void *ud, struct gh_commit *c, size_t n, struct err *e);
	/* A commit that could not be read: 0 to go on, -1 (e set) to stop. */
	int (*bad)(void *ud, const struct err *why, struct err *e);
};

struct commitfetch_options {
	const char *owner, *name;
	const char *branch; /* the default branch (REST lists it by name) */
	const char *since;  /* ISO-8601: commits committed at or after */
	enum api_mode api;
};

/* Walks every commit into sink. 0 when done; -1 with e when the walk had to stop. */
int commitfetch(struct gh *g, const struct commitfetch_options *o, const struct commit_sink *sink,
		struct err *e);

#endif
