/*
 * main.c - the program: read the settings, mask the secrets, open GitHub and
 * the store, run one job from the table, and turn its result into a job
 * status, outputs, a summary and an exit code. The only place that exits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "cursor.h"
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

_Static_assert(API_AUTO == 0 && API_GRAPHQL == 1 && API_REST == 2,
	       "the api setting's choices are auto|graphql|rest, in this order");

static const char *
env(const char *name)
{
	return getenv(name);
}

static void
usage(FILE *f, const struct job *job)
{
	if (job != NULL) {
		fprintf(f, "usage: %s %s [options]\n\n%s: %s.\n\n", PC_NAME, job->name, job->name,
			job->help);
		config_usage(f, job->options);
		return;
	}
	fprintf(f, "usage: %s <command> [options]\n\n", PC_NAME);
	fprintf(f, "Captures GitHub pull requests, reviews, comments and commits into Supabase\n"
		   "(PostgREST) or a local SQLite file. Runs as a GitHub Actions container action\n"
		   "(settings from INPUT_*) or from a shell (settings as --flags).\n\n");
	fprintf(f, "COMMANDS\n");
	for (const struct job *j = job_table; j->name != NULL; j++)
		fprintf(f, "  %-16s %s\n", j->name, j->help);
	fprintf(f, "\n  '%s <command> --help' lists the options a command takes.\n\n", PC_NAME);
	config_usage(f, ~UINT64_C(0));
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
	if ((c->supabase_url == NULL) != (c->supabase_key == NULL))
		return err_set(e, ERR_INPUT,
			       "%s is given but %s is not (both, or neither for SQLite)",
			       c->supabase_url != NULL ? "supabase-url" : "supabase-key",
			       c->supabase_url != NULL ? "supabase-key" : "supabase-url");
	if (job->check != NULL && job->check(c, e) < 0)
		return -1;
	if (c->resume_cursor != NULL) {
		char *command;
		int64_t *numbers;
		size_t n;

		if (cursor_parse(c->resume_cursor, &command, &numbers, &n, e) < 0)
			return -1;
		free(numbers);
		if (strcmp(command, job->name) != 0) {
			err_set(e, ERR_INPUT, "resume-cursor is from %s, not %s", command,
				job->name);
			free(command);
			return -1;
		}
		free(command);
	}
	return 0;
}

/* Settings given (not left at their default) that the command does not use. */
static void
warn_unused(const struct config *c, const struct job *job)
{
	for (int i = 0; i < OPT__COUNT; i++) {
		const struct option_def *o = &config_options[i];

		if (i == OPT_COMMAND || c->raw[i] == NULL || (job->options & OPT_BIT(i)))
			continue;
		if (o->dflt != NULL && strcmp(c->raw[i], o->dflt) == 0)
			continue;
		if (o->action_default != NULL && i == OPT_GITHUB_TOKEN)
			continue;
		log_warn("%s does not use %s; it is ignored", job->name, o->name);
	}
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

/*
 * PROGRESSIVE_CAPTURE_BACKOFF_SCALE (0 < x <= 1) shortens back-off waits (not
 * GitHub's retry-after, not resets): for tests, which cannot wait minutes.
 */
static double
backoff_scale(void)
{
	const char *v = getenv("PROGRESSIVE_CAPTURE_BACKOFF_SCALE");
	char *end = NULL;
	double d;

	if (v == NULL || *v == '\0')
		return 1.0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || !(d > 0 && d <= 1)) {
		log_warn("PROGRESSIVE_CAPTURE_BACKOFF_SCALE '%s' is not in (0, 1]; ignored", v);
		return 1.0;
	}
	return d;
}

static void
set_outputs(struct outputs *o, const struct job_ctx *ctx, const char *status,
	    const struct gh_stats *gs)
{
	char num[32];

#define SETN(k, n)                                                                                 \
	do {                                                                                       \
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)(n));                              \
		outputs_set(o, (k), num);                                                          \
	} while (0)
	outputs_set(o, "status", status);
	SETN("processed", ctx->processed);
	SETN("failed", ctx->failed);
	SETN("skipped", ctx->skipped);
	outputs_set(o, "job-id", ctx->progress != NULL ? progress_job_id(ctx->progress) : "");
	SETN("api-calls", gs != NULL ? gs->requests : 0);
	SETN("api-points", gs != NULL ? gs->rest_requests + gs->graphql_points : 0);
	if (gs != NULL && gs->core_remaining >= 0)
		SETN("rate-remaining", gs->core_remaining);
	else
		outputs_set(o, "rate-remaining", "");
	/* Where to start again; empty once everything was captured. */
	outputs_set(o, "resume-cursor",
		    strcmp(status, "completed") != 0 && ctx->resume_cursor != NULL
			    ? ctx->resume_cursor
			    : "");
#undef SETN
}

static void
summarize(const struct config *c, struct job_ctx *ctx, const char *status,
	  const struct err *failure, const struct gh_stats *gs)
{
	struct summary *s = ctx->summary;

	summary_title(s, "progressive-capture %s: %s — %s", c->command,
		      c->repository != NULL ? c->repository : "", status);
	summary_note(s, "Captured %zu, failed %zu, skipped (already up to date, or pending) %zu.",
		     ctx->processed, ctx->failed, ctx->skipped);
	if (failure != NULL && failure->code != ERR_NONE)
		summary_note(s, "%s: %s", status, failure->msg);
	if (gs != NULL &&
	    (gs->limits.waited_ms > 0 || gs->limits.retries > 0 || gs->limits.rotations > 0))
		summary_note(
			s,
			"Rate limits and faults: waited %.1f s, %d retries (%d secondary limits, "
			"%d server or network errors, %d waits for a reset, %d token switches).",
			(double)gs->limits.waited_ms / 1000.0, gs->limits.retries,
			gs->limits.secondary, gs->limits.server_errors, gs->limits.reset_waits,
			gs->limits.rotations);
	if (gs != NULL && gs->requests > 0) {
		char left[64] = "";

		if (gs->core_remaining >= 0)
			snprintf(left, sizeof(left), "; REST budget left: %" PRId64,
				 gs->core_remaining);
		summary_note(s,
			     "GitHub: %" PRIu64 " requests (%" PRIu64 " REST, %" PRIu64
			     " GraphQL costing %" PRIu64 " points)%s.",
			     gs->requests, gs->rest_requests, gs->graphql_requests,
			     gs->graphql_points, left);
	}
	if (ctx->store != NULL) {
		bool file = strcmp(store_kind(ctx->store), "sqlite") == 0;

		summary_note(s, "Store: %s%s%s, %" PRIu64 " requests, %" PRIu64 " rows written.",
			     store_kind(ctx->store), file ? " " : "", file ? c->database : "",
			     ctx->store->requests, ctx->store->rows_written);
		if (ctx->store->retries > 0)
			summary_note(s,
				     "Store faults: %" PRIu64 " requests sent again after "
				     "waiting %.1f s in all.",
				     ctx->store->retries, (double)ctx->store->waited_ms / 1000.0);
	}
	if (ctx->progress != NULL && progress_job_id(ctx->progress)[0] != '\0')
		summary_note(s, "Job %s.", progress_job_id(ctx->progress));
}

/* Opens the store the settings choose: PostgREST with a Supabase URL, else SQLite. */
static struct store *
open_store(const struct config *c, struct http_client *http, struct err *e)
{
	if (c->supabase_url != NULL)
		return store_open_postgrest(c->supabase_url, c->supabase_key, http,
					    &(struct store_retry){5, backoff_scale()}, e);
	return store_open_sqlite(c->database, c->dry_run, e);
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
	struct outputs outs = {0};
	struct job_ctx ctx;
	const struct job *job = NULL;
	struct http_options hopt = {PC_USER_AGENT, 0, 0, 0, NULL, false};
	struct rl_policy policy;
	enum job_status status = JOB_FAILED;
	int code = PC_EXIT_FAILED;
	bool http_up = false;
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
	job = job_find(cfg.command);
	if (cfg.help) {
		usage(stdout, job != NULL && config_given(&cfg, OPT_COMMAND) ? job : NULL);
		code = PC_EXIT_OK;
		goto out;
	}
	if (cfg.version) {
		printf("%s %s\n%s, SQLite %s, cJSON %s\n", PC_NAME, PC_VERSION,
		       http_library_version(), store_sqlite_library_version(), cJSON_Version());
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
	if (job == NULL) {
		err_set(&e, ERR_INPUT, "unknown command '%s' (see '%s --help')", cfg.command,
			PC_NAME);
		goto fail_input;
	}
	if (check_needs(&cfg, job, &e) < 0)
		goto fail_input;
	warn_unused(&cfg, job);
	if (cfg.n_tokens == 0 && (job->needs & JOB_NEEDS_GITHUB)) {
		/* GraphQL answers only with a token. */
		log_warn("no GitHub token: reading over REST at GitHub's unauthenticated limit "
			 "of 60 requests an hour (set GITHUB_TOKEN or github-token)");
		cfg.api = API_REST;
	}

	cancel_install_signals();
	/* A command that does not split its work by shard takes the whole budget. */
	policy = (struct rl_policy){cfg.max_wait, clock_now() + (time_t)cfg.time_limit,
				    (job->options & OPT_BIT(OPT_SHARD_TOTAL)) ? cfg.shard_total : 1,
				    backoff_scale(), 5};
	if (http_global_init(&e) < 0)
		goto finish;
	http_up = true;
	hopt.timeout_ms = (long)cfg.request_timeout * 1000;
	store_http = http_client_new(&hopt, &e);
	/* GitHub's transfers stop at once when the run is cancelled; the store's finish. */
	hopt.abort_on_cancel = true;
	gh_http = store_http != NULL ? http_client_new(&hopt, &e) : NULL;
	if (gh_http == NULL)
		goto finish;
	gh = gh_new(&(struct gh_options){cfg.api_url, cfg.graphql_url, cfg.tokens, cfg.n_tokens,
					 &policy, gh_http});
	store = open_store(&cfg, store_http, &e);
	if (store == NULL)
		goto finish;
	log_info("%s %s: %s on %s, store %s %s%s", PC_NAME, PC_VERSION, cfg.command, cfg.repository,
		 store_kind(store), cfg.supabase_url != NULL ? cfg.supabase_url : cfg.database,
		 cfg.dry_run ? " (dry run: nothing is written)" : "");

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
	clock_on_tick(progress_heartbeat, ctx.progress);
	if (cfg.job_id == NULL && !cfg.dry_run)
		log_info("job %s", progress_job_id(ctx.progress));

	rc = job->run(&ctx, &e);
	if (rc < 0 && (e.code == ERR_RATE || e.code == ERR_CANCELLED))
		status = JOB_PARTIAL;
	else if (rc < 0)
		status = JOB_FAILED;
	else if (ctx.failed > 0) {
		status = JOB_FAILED;
		err_set(&e, ERR_GITHUB, "%zu of %zu items failed (the others were captured)",
			ctx.failed, ctx.failed + ctx.processed);
	} else {
		status = JOB_COMPLETED;
		err_clear(&e); /* whatever a retried step met on the way is past */
	}

finish:
	log_endgroup();
	clock_on_tick(NULL, NULL);
	if (ctx.progress != NULL) {
		struct err fe;
		char meta[256];

		if (status == JOB_COMPLETED)
			progress_set_cursor(ctx.progress, NULL);

		err_clear(&fe);
		snprintf(meta, sizeof(meta),
			 "{\"processed\":%zu,\"failed\":%zu,\"skipped\":%zu,\"api_calls\":%" PRIu64
			 "}",
			 ctx.processed, ctx.failed, ctx.skipped, gh_stats(gh)->requests);
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
		const struct gh_stats *gs = gh != NULL ? gh_stats(gh) : NULL;
		struct err oe;

		err_clear(&oe);
		ctx.summary = &summary;
		set_outputs(&outs, &ctx, job_status_name(status), gs);
		summarize(&cfg, &ctx, job_status_name(status), &e, gs);
		if (cfg.output_path != NULL) {
			if (outputs_write(&outs, cfg.output_path, &oe) < 0) {
				log_error("%s", oe.msg);
				code = PC_EXIT_FAILED;
			}
			if (summary_write(&summary, cfg.summary_path, &oe) < 0)
				log_warn("%s", oe.msg);
		} else {
			/* A terminal (or a pipe): the results on stdout, the log on stderr. */
			results_print(&summary, &outs, cfg.json, stdout);
		}
	}
	goto out;

fail_input:
	log_error("%s", e.msg);
	if (!cfg.in_actions && str_starts(e.msg, "unknown option"))
		fprintf(stderr, "usage: %s <command> [options]; see '%s --help'\n", PC_NAME,
			PC_NAME);
	code = PC_EXIT_INPUT;
out:
	progress_free(ctx.progress);
	free(ctx.repository_full_name);
	free(ctx.default_branch);
	free(ctx.resume_cursor);
	idcache_release(&ctx.contributors);
	store_close(store);
	gh_free(gh);
	http_client_free(gh_http);
	http_client_free(store_http);
	if (http_up)
		http_global_cleanup();
	summary_release(&summary);
	outputs_release(&outs);
	free(url);
	config_release(&cfg);
	log_release();
	return code;
}
