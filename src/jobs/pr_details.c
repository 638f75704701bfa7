/*
 * jobs/pr_details.c - pr-details, pr-reviews and pr-all: the given pull
 * requests, or the recent ones the store lacks, captured with their parts.
 */
#include <stdlib.h>

#include "jobs.h"

static int
capture_selected(struct job_ctx *ctx, unsigned parts, struct err *e)
{
	int64_t *numbers = NULL;
	size_t n = 0;
	int rc;

	if (jobs_begin(ctx, false, e) < 0 || select_pulls(ctx, parts, &numbers, &n, e) < 0) {
		free(numbers);
		return -1;
	}
	rc = capture_pulls(ctx, numbers, n, parts, e);
	free(numbers);
	return rc;
}

int
job_pr_details(struct job_ctx *ctx, struct err *e)
{
	return capture_selected(ctx, PR_FILES, e);
}

int
job_pr_reviews(struct job_ctx *ctx, struct err *e)
{
	return capture_selected(ctx, PR_REVIEWS, e);
}

int
job_pr_all(struct job_ctx *ctx, struct err *e)
{
	return capture_selected(ctx, PR_ALL, e);
}
