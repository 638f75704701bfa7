/*
 * main.c - the program: read the settings, mask the secrets, run one job
 * from the table, and turn its result into a job status, step outputs, a step
 * summary and an exit code. The only place that exits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "github.h"
#include "gql.h"
#include "http.h"
#include "jobs.h"
#include "json.h"
#include "log.h"
#include "output.h"
#include "progress.h"
#include "store.h"
#include "util.h"
#include "version.h"

static const char *
env(const char *name)
{
	return getenv(name);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s <command> [options]\n\n", PC_NAME);
	fprintf(f, "Captures GitHub pull request data into a Supabase (PostgREST) database.\n"
		   "Runs as a GitHub Actions container action (settings from INPUT_*) or from\n"
		   "a shell (settings as --flags).\n\n");
	fprintf(f, "COMMANDS\n");
	for (const struct job *j = job_table; j->name != NULL; j++)
		fprintf(f, "  %-16s %s\n", j->name, j->help);
	fputc('\n', f);
	config_usage(f);
	fprintf(f, "\nEXIT STATUS\n"
		   "  0 completed, 1 failed, 2 bad input (nothing was sent anywhere),\n"
		   "  3 partial (stopped early, e.g. by a rate limit; run again to continue)\n");
}

/* Masks every secret setting before anything else is printed. */
static void
mask_secrets(const struct config *c)
{
	for (int i = 0; i < OPT__COUNT; i++)
		if ((config_options[i].flags & OPT_SECRET) && c->raw[i] != NULL)
			log_mask(c->raw[i]);
}

static int
check_needs(const struct config *c, const struct job *job, struct err *e)
{
	if ((job->needs & JOB_NEEDS_REPO) && c->repository == NULL)
		return err_set(e, ERR_INPUT, "%s needs a repository (owner/name)", job->name);
	if (job->check != NULL && job->check(c, e) < 0)
		return -1;
	if ((job->needs & JOB_NEEDS_STORE) && (c->supabase_url == NULL || c->supabase_key == NULL))
		return err_set(e, ERR_INPUT,
			       "%s needs a store: set supabase-url and supabase-key "
			       "(or SUPABASE_URL and SUPABASE_SERVICE_KEY)",
			       job->name);
	return 0;
}

static char *
run_url(const struct config *c)
{
	struct buf b = BUF_INIT(2048);

	if (c->run_id == NULL || c->workflow_repository == NULL)
		return NULL;
	buf_printf(&b, "%s/%s/actions/runs/%s", c->server_url, c->workflow_repository, c->run_id);
	if (c->run_attempt != NULL && strcmp(c->run_attempt, "1") != 0)
		buf_printf(&b, "/attempts/%s", c->run_attempt);
	return buf_detach(&b);
}

/* Writes the step outputs; returns -1 (e set) if the outputs file fails. */
static int
write_outputs(const struct config *c, const struct job_ctx *ctx, const char *status,
	      const struct gh_stats *gs, struct err *e)
{
	char num[32];
	int rc = 0;

#define OUT(k, v)                                                                                  \
	do {                                                                                       \
		if (rc == 0)                                                                       \
			rc = out_set(c->output_path, (k), (v), e);                                 \
	} while (0)
#define OUTN(k, n)                                                                                 \
	do {                                                                                       \
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)(n));                              \
		OUT(k, num);                                                                       \
	} while (0)

	OUT("status", status);
	OUTN("processed", ctx->processed);
	OUTN("failed", ctx->failed);
	OUTN("skipped", ctx->skipped);
	OUT("job-id", ctx->progress != NULL ? progress_job_id(ctx->progress) : "");
	OUTN("api-calls", gs != NULL ? gs->requests : 0);
	OUTN("api-points", gs != NULL ? gs->rest_requests + gs->graphql_points : 0);
	if (gs != NULL && gs->core_remaining >= 0)
		OUTN("rate-remaining", gs->core_remaining);
	else
		OUT("rate-remaining", "");
#undef OUT
#undef OUTN
	return rc;
}

static void
write_summary(const struct config *c, struct job_ctx *ctx, const char *status,
	      const struct err *failure, const struct gh_stats *gs)
{
	struct summary head;
	struct buf repo = BUF_INIT(512);
	struct err e;

	if (c->summary_path == NULL)
		return;
	summary_init(&head);
	md_escape(&repo, c->repository, 0);
	summary_raw(&head, "### progressive-capture %s: %s — %s\n\n", c->command, buf_str(&repo),
		    status);
	summary_raw(&head,
		    "Captured **%zu**, failed **%zu**, skipped (already up to date) **%zu**.\n\n",
		    ctx->processed, ctx->failed, ctx->skipped);
	if (failure != NULL && failure->code != ERR_NONE) {
		struct buf m = BUF_INIT(4096);

		md_escape(&m, failure->msg, 0);
		summary_raw(&head, "> **%s:** %s\n\n", status, buf_str(&m));
		buf_release(&m);
	}
	if (gs != NULL)
		summary_raw(&head,
			    "GitHub: %" PRIu64 " requests (%" PRIu64 " REST, %" PRIu64
			    " GraphQL, %" PRIu64 " GraphQL points)%s%" PRId64 ".\n\n",
			    gs->requests, gs->rest_requests, gs->graphql_requests,
			    gs->graphql_points,
			    gs->core_remaining >= 0 ? "; core budget left: " : "",
			    gs->core_remaining >= 0 ? gs->core_remaining : (int64_t)0);
	if (ctx->progress != NULL && progress_job_id(ctx->progress)[0] != '\0')
		summary_raw(&head, "Job `%s`.\n\n", progress_job_id(ctx->progress));
	err_clear(&e);
	if (summary_write(&head, c->summary_path, &e) < 0 ||
	    summary_write(ctx->summary, c->summary_path, &e) < 0)
		log_warn("%s", e.msg);
	summary_release(&head);
	buf_release(&repo);
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct err e;
	struct http_client *gh_http = NULL, *store_http = NULL;
	struct gh *gh = NULL;
	struct store *store = NULL;
	struct summary summary;
	struct job_ctx ctx;
	const struct job *job;
	struct http_options hopt = {PC_USER_AGENT, 0, 0, 0, NULL};
	enum job_status status = JOB_FAILED;
	int code = PC_EXIT_FAILED;
	char *url = NULL;
	int rc;

	err_clear(&e);
	memset(&ctx, 0, sizeof(ctx));
	summary_init(&summary);
	rc = config_load(&cfg, argc, argv, env, &e);
	log_init(cfg.in_actions, cfg.debug, NULL);
	mask_secrets(&cfg);
	if (rc < 0)
		goto fail_input;
	if (cfg.help) {
		usage(stdout);
		code = PC_EXIT_OK;
		goto out;
	}
	if (cfg.version) {
		printf("%s %s\n", PC_NAME, PC_VERSION);
		code = PC_EXIT_OK;
		goto out;
	}
	if (cfg.json_inputs) {
		config_print_inputs_json(stdout);
		code = PC_EXIT_OK;
		goto out;
	}
	if (cfg.graphql_documents) {
		gql_print_documents(stdout);
		code = PC_EXIT_OK;
		goto out;
	}
	job = job_find(cfg.command);
	if (job == NULL) {
		err_set(&e, ERR_INPUT, "unknown command '%s' (see --help)", cfg.command);
		goto fail_input;
	}
	if (check_needs(&cfg, job, &e) < 0)
		goto fail_input;
	if (cfg.n_tokens == 0 && (job->needs & JOB_NEEDS_GITHUB))
		log_warn("no GitHub token: unauthenticated requests are limited to 60 an hour");

	if (http_global_init(&e) < 0)
		goto finish;
	gh_http = http_client_new(&hopt, &e);
	store_http = gh_http != NULL ? http_client_new(&hopt, &e) : NULL;
	if (store_http == NULL)
		goto finish;
	gh = gh_new(&(struct gh_options){cfg.api_url, cfg.graphql_url,
					 cfg.n_tokens > 0 ? cfg.tokens[0] : NULL, gh_http});
	store = store_open_postgrest(cfg.supabase_url, cfg.supabase_key, store_http, &e);
	if (store == NULL)
		goto finish;
	log_info("%s %s: %s on %s, store %s%s", PC_NAME, PC_VERSION, cfg.command, cfg.repository,
		 store_kind(store), cfg.dry_run ? " (dry run: nothing is written)" : "");

	ctx.cfg = &cfg;
	ctx.gh = gh;
	ctx.store = store;
	ctx.summary = &summary;
	url = run_url(&cfg);
	ctx.progress = progress_start(store,
				      &(struct progress_options){cfg.job_id, cfg.command,
								 cfg.repository, cfg.time_range,
								 cfg.pr_numbers, cfg.n_pr_numbers,
								 cfg.run_id, url, cfg.dry_run},
				      &e);
	if (ctx.progress == NULL)
		goto finish;
	if (cfg.job_id == NULL && !cfg.dry_run)
		log_info("job %s", progress_job_id(ctx.progress));

	rc = job->run(&ctx, &e);
	if (rc < 0 && (e.code == ERR_RATE || e.code == ERR_CANCELLED))
		status = JOB_PARTIAL;
	else if (rc < 0)
		status = JOB_FAILED;
	else if (ctx.failed > 0) {
		status = JOB_FAILED;
		err_set(&e, ERR_GITHUB,
			"%zu of %zu pull requests failed (the others were captured)", ctx.failed,
			ctx.failed + ctx.processed);
	} else
		status = JOB_COMPLETED;

finish:
	log_endgroup();
	if (ctx.progress != NULL) {
		struct err fe;
		char meta[256];
		const struct gh_stats *gs = gh_stats(gh);

		err_clear(&fe);
		snprintf(meta, sizeof(meta),
			 "{\"processed\":%zu,\"failed\":%zu,\"skipped\":%zu,\"api_calls\":%" PRIu64
			 "}",
			 ctx.processed, ctx.failed, ctx.skipped, gs->requests);
		if (progress_finish(ctx.progress, status, e.code != ERR_NONE ? e.msg : NULL, meta,
				    &fe) < 0) {
			log_error("could not record the job's end: %s", fe.msg);
			if (status == JOB_COMPLETED) {
				status = JOB_FAILED;
				e = fe;
			}
		}
	}
	code = status == JOB_COMPLETED ? PC_EXIT_OK
	       : status == JOB_PARTIAL ? PC_EXIT_PARTIAL
				       : PC_EXIT_FAILED;
	if (status == JOB_PARTIAL) {
		if (cfg.fail_on_partial) {
			log_error("stopped early (partial): %s", e.msg);
		} else {
			log_warn("stopped early (partial): %s", e.msg);
			code = PC_EXIT_OK;
		}
	} else if (status == JOB_FAILED) {
		log_error("%s", e.msg[0] != '\0' ? e.msg : "failed");
	} else {
		log_info("done: %zu captured, %zu skipped", ctx.processed, ctx.skipped);
	}
	{
		struct err oe;
		const struct gh_stats *gs = gh != NULL ? gh_stats(gh) : NULL;

		err_clear(&oe);
		if (write_outputs(&cfg, &ctx, job_status_name(status), gs, &oe) < 0) {
			log_error("%s", oe.msg);
			code = PC_EXIT_FAILED;
		}
		write_summary(&cfg, &ctx, job_status_name(status), &e, gs);
	}
	goto out;

fail_input:
	log_error("%s", e.msg);
	code = PC_EXIT_INPUT;
out:
	progress_free(ctx.progress);
	free(ctx.repository_full_name);
	free(ctx.default_branch);
	idcache_release(&ctx.contributors);
	store_close(store);
	gh_free(gh);
	http_client_free(gh_http);
	http_client_free(store_http);
	if (gh_http != NULL)
		http_global_cleanup();
	summary_release(&summary);
	free(url);
	config_release(&cfg);
	log_release();
	return code;
}
