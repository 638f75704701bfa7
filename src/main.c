/*
 * main.c - the program: the table of commands; read the settings, mask the
 * secrets, open GitHub and the store, run one command, and turn its result
 * into a job status, outputs, a summary and an exit code. The only place
 * that exits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "cursor.h"
#include "ghclient.h"
#include "gql.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "output.h"
#include "progress.h"
#include "schema.h"
#include "store.h"
#include "util.h"
#include "version.h"

_Static_assert(API_AUTO == 0 && API_GRAPHQL == 1 && API_REST == 2,
	       "the api setting's choices are auto|graphql|rest, in this order");

/* How often a request that may pass (5xx, a dropped connection) is sent again. */
#define RETRIES 5

/* What a command needs before it can start; checked up front. */
#define NEEDS_REPO   0x1u  /* the repository setting */
#define NEEDS_STORE  0x2u  /* a store */
#define NEEDS_GITHUB 0x4u  /* a GitHub client */
#define NEEDS_JOB    0x8u  /* a job row of its own: a capture */
#define OWN_SCHEMA   0x10u /* checks the store's schema itself (doctor) */
#define READ_ONLY    0x20u /* writes nothing: a SQLite file is opened read-only */
#define NEEDS_ALL    (NEEDS_REPO | NEEDS_STORE | NEEDS_GITHUB | NEEDS_JOB)

/* The bit of a setting in a command's options mask. */
#define OPT_BIT(id) (UINT64_C(1) << (id))
_Static_assert(OPT__COUNT <= 64, "a command's options mask holds 64 settings");

/* The credentials of every command that talks to GitHub: tokens and apps. */
#define GITHUB_OPTIONS                                                                             \
	(OPT_BIT(OPT_GITHUB_TOKEN) | OPT_BIT(OPT_APP_ID) | OPT_BIT(OPT_APP_PRIVATE_KEY) |          \
	 OPT_BIT(OPT_APP_INSTALLATION_ID))

/*
 * What an app's installation token may do: read, and start workflows for the
 * commands that dispatch them (those taking a workflow). Of these, each token
 * receives those its installation grants.
 */
#define APP_READ_ONLY                                                                              \
	"{\"actions\":\"read\",\"contents\":\"read\",\"issues\":\"read\",\"metadata\":\"read\","   \
	"\"pull_requests\":\"read\"}"
#define APP_DISPATCH                                                                               \
	"{\"actions\":\"write\",\"contents\":\"read\",\"issues\":\"read\","                        \
	"\"metadata\":\"read\",\"pull_requests\":\"read\"}"

/* Settings every capture command takes. */
#define COMMON_OPTIONS                                                                             \
	(OPT_BIT(OPT_REPOSITORY) | OPT_BIT(OPT_REPOSITORY_ID) | OPT_BIT(OPT_TIME_RANGE) |          \
	 OPT_BIT(OPT_JOB_ID) | GITHUB_OPTIONS | OPT_BIT(OPT_SUPABASE_URL) |                        \
	 OPT_BIT(OPT_SUPABASE_KEY) | OPT_BIT(OPT_DATABASE) | OPT_BIT(OPT_API) |                    \
	 OPT_BIT(OPT_MAX_WAIT) | OPT_BIT(OPT_TIME_LIMIT) | OPT_BIT(OPT_REQUEST_TIMEOUT) |          \
	 OPT_BIT(OPT_FAIL_ON_PARTIAL) | OPT_BIT(OPT_DRY_RUN) | OPT_BIT(OPT_LOG_FILE))
#define PR_OPTIONS                                                                                 \
	(COMMON_OPTIONS | OPT_BIT(OPT_PR_NUMBERS) | OPT_BIT(OPT_MAX_ITEMS) |                       \
	 OPT_BIT(OPT_BATCH_SIZE) | OPT_BIT(OPT_SHARD_INDEX) | OPT_BIT(OPT_SHARD_TOTAL) |           \
	 OPT_BIT(OPT_RESUME_CURSOR) | OPT_BIT(OPT_FORCE))

struct command {
	const char *name;
	const char *help; /* one line for --help */
	unsigned needs;
	uint64_t options; /* the settings it uses (OPT_BIT), for its --help and warnings */
	int (*run)(struct job_ctx *ctx, struct err *e);
	/* Settings this command refuses, checked before anything is sent; may be NULL. */
	int (*check)(const struct config *cfg, struct err *e);
};

/* Every command, one file each in src/jobs/. */
static const struct command commands[] = {
	{.name = "pr-details",
	 .help = "pull request fields and every changed file, for given numbers or the recent "
		 "ones lacking them",
	 .needs = NEEDS_ALL,
	 .options = PR_OPTIONS,
	 .run = job_pr_details},
	{.name = "pr-reviews",
	 .help = "every review of the given (or the recent) pull requests",
	 .needs = NEEDS_ALL,
	 .options = PR_OPTIONS,
	 .run = job_pr_reviews},
	{.name = "pr-comments",
	 .help = "conversation and review comments of given pull requests, or of the whole "
		 "repository since the last run",
	 .needs = NEEDS_ALL,
	 .options = PR_OPTIONS,
	 .run = job_pr_comments,
	 .check = check_pr_comments},
	{.name = "pr-all",
	 .help = "details, files, reviews and comments in one pass (the cheapest full capture)",
	 .needs = NEEDS_ALL,
	 .options = PR_OPTIONS,
	 .run = job_pr_all},
	{.name = "repository-sync",
	 .help = "the repository row, then the pull requests updated since the last sync, with "
		 "details",
	 .needs = NEEDS_ALL,
	 .options = COMMON_OPTIONS | OPT_BIT(OPT_MAX_ITEMS) | OPT_BIT(OPT_BATCH_SIZE),
	 .run = job_repository_sync},
	{.name = "commit-analysis",
	 .help = "commits of the default branch in the window, each linked to its pull request "
		 "or marked direct",
	 .needs = NEEDS_ALL,
	 .options = COMMON_OPTIONS,
	 .run = job_commit_analysis},
	{.name = "event",
	 .help = "the pull request the workflow's event is about (its review or comment at once, "
		 "then every part), or the commits of a push to the default branch",
	 .needs = NEEDS_ALL,
	 .options = COMMON_OPTIONS,
	 .run = job_event,
	 .check = check_event},
	{.name = "doctor",
	 .help = "check the token, both rate budgets, the repository, the store and its "
		 "schema, and say how to fix what is wrong",
	 .needs = NEEDS_STORE | NEEDS_GITHUB | OWN_SCHEMA | READ_ONLY,
	 .options = OPT_BIT(OPT_REPOSITORY) | GITHUB_OPTIONS | OPT_BIT(OPT_SUPABASE_URL) |
		    OPT_BIT(OPT_SUPABASE_KEY) | OPT_BIT(OPT_DATABASE) | OPT_BIT(OPT_API) |
		    OPT_BIT(OPT_REQUEST_TIMEOUT) | OPT_BIT(OPT_MAX_WAIT) | OPT_BIT(OPT_LOG_FILE),
	 .run = job_doctor},
	{.name = "plan",
	 .help = "the pull requests that lack capture, split into shards for a matrix of "
		 "capture jobs (a pending job each)",
	 .needs = NEEDS_REPO | NEEDS_STORE | NEEDS_GITHUB,
	 .options = (COMMON_OPTIONS & ~OPT_BIT(OPT_JOB_ID)) | OPT_BIT(OPT_MAX_ITEMS) |
		    OPT_BIT(OPT_BATCH_SIZE) | OPT_BIT(OPT_CAPTURE_TYPES) | OPT_BIT(OPT_SHARD_SIZE) |
		    OPT_BIT(OPT_MAX_SHARDS) | OPT_BIT(OPT_MAX_PARALLEL) | OPT_BIT(OPT_JOB_MINUTES),
	 .run = job_plan,
	 .check = check_plan},
	{.name = "dispatch",
	 .help = "record a pending job and start a workflow for it (workflow_dispatch), with "
		 "the run's id",
	 .needs = NEEDS_STORE | NEEDS_GITHUB,
	 .options = OPT_BIT(OPT_REPOSITORY) | GITHUB_OPTIONS | OPT_BIT(OPT_SUPABASE_URL) |
		    OPT_BIT(OPT_SUPABASE_KEY) | OPT_BIT(OPT_DATABASE) | OPT_BIT(OPT_WORKFLOW) |
		    OPT_BIT(OPT_WORKFLOW_REPOSITORY) | OPT_BIT(OPT_REF) |
		    OPT_BIT(OPT_WORKFLOW_INPUTS) | OPT_BIT(OPT_REQUEST_TIMEOUT) |
		    OPT_BIT(OPT_MAX_WAIT) | OPT_BIT(OPT_LOG_FILE),
	 .run = job_dispatch,
	 .check = check_dispatch},
	{.name = "status",
	 .help = "one job's state, progress, workflow run and ETA; with wait, until it ends "
		 "(exiting as it did)",
	 .needs = NEEDS_STORE | READ_ONLY,
	 .options = OPT_BIT(OPT_JOB_ID) | OPT_BIT(OPT_WAIT) | OPT_BIT(OPT_POLL_INTERVAL) |
		    OPT_BIT(OPT_FAIL_ON_PARTIAL) | GITHUB_OPTIONS | OPT_BIT(OPT_SUPABASE_URL) |
		    OPT_BIT(OPT_SUPABASE_KEY) | OPT_BIT(OPT_DATABASE) |
		    OPT_BIT(OPT_WORKFLOW_REPOSITORY) | OPT_BIT(OPT_REQUEST_TIMEOUT) |
		    OPT_BIT(OPT_MAX_WAIT) | OPT_BIT(OPT_LOG_FILE),
	 .run = job_status,
	 .check = check_status},
	{.name = "stats",
	 .help = "the queue's health over the last hours (or one workflow run): jobs by state "
		 "and type, success rate, durations, stale jobs, Actions minutes and cost",
	 .needs = NEEDS_STORE | READ_ONLY,
	 .options = OPT_BIT(OPT_HOURS) | OPT_BIT(OPT_RUN_ID) | OPT_BIT(OPT_MINUTE_PRICE) |
		    OPT_BIT(OPT_FREE_MINUTES) | OPT_BIT(OPT_SUPABASE_URL) |
		    OPT_BIT(OPT_SUPABASE_KEY) | OPT_BIT(OPT_DATABASE) |
		    OPT_BIT(OPT_REQUEST_TIMEOUT) | OPT_BIT(OPT_LOG_FILE),
	 .run = job_stats,
	 .check = check_stats},
	{.name = "migrate-inngest",
	 .help = "hand the old Inngest queue's pending work (its job rows, an export of its "
		 "events) to jobs of this queue, nothing twice",
	 .needs = NEEDS_STORE,
	 .options = OPT_BIT(OPT_EVENTS_FILE) | GITHUB_OPTIONS | OPT_BIT(OPT_SUPABASE_URL) |
		    OPT_BIT(OPT_SUPABASE_KEY) | OPT_BIT(OPT_DATABASE) | OPT_BIT(OPT_WORKFLOW) |
		    OPT_BIT(OPT_WORKFLOW_REPOSITORY) | OPT_BIT(OPT_REF) | OPT_BIT(OPT_DRY_RUN) |
		    OPT_BIT(OPT_REQUEST_TIMEOUT) | OPT_BIT(OPT_MAX_WAIT) | OPT_BIT(OPT_LOG_FILE),
	 .run = job_migrate_inngest,
	 .check = check_migrate_inngest},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Everything a run holds, released once at the end. */
struct run {
	struct config cfg;
	const struct command *cmd;
	struct http_client *gh_http, *store_http;
	bool http_up;
	struct gh *gh;
	struct app_auth **apps; /* until the client takes them */
	size_t napps;
	struct store *store;
	struct summary summary;
	struct outputs outs;
	struct job_ctx ctx;
	char *run_url;
	enum job_status status;
	struct err e;
};

static const struct command *
command_named(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const char *
env(const char *name)
{
	return getenv(name);
}

/* Out of memory anywhere: one annotation, then abort (util.h's hook). */
static void
out_of_memory(size_t bytes)
{
	log_error("out of memory allocating %zu bytes", bytes);
}

static void
usage(FILE *f, const struct command *cmd)
{
	if (cmd != NULL) {
		fprintf(f, "usage: %s %s [options]\n\n%s: %s.\n\n", PC_NAME, cmd->name, cmd->name,
			cmd->help);
		config_usage(f, cmd->options);
		return;
	}
	fprintf(f, "usage: %s <command> [options]\n\n", PC_NAME);
	fprintf(f, "Captures GitHub pull requests, reviews, comments and commits into Supabase\n"
		   "(PostgREST) or a local SQLite file. Runs as a GitHub Actions container action\n"
		   "(settings from INPUT_*) or from a shell (settings as --flags).\n\n");
	fprintf(f, "COMMANDS\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].help);
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

/* The resume cursor must be one, and this command's. */
static int
check_cursor(const struct config *c, const struct command *cmd, struct err *e)
{
	char *command;
	int64_t *numbers;
	size_t n;
	int rc = 0;

	if (c->resume_cursor == NULL)
		return 0;
	if (cursor_parse(c->resume_cursor, &command, &numbers, &n, e) < 0)
		return -1;
	if (strcmp(command, cmd->name) != 0)
		rc = err_set(e, ERR_INPUT, "resume-cursor is from %s, not %s", command, cmd->name);
	free(numbers);
	free(command);
	return rc;
}

static int
check_needs(const struct config *c, const struct command *cmd, struct err *e)
{
	if ((cmd->needs & NEEDS_REPO) && c->repository == NULL)
		return err_set(e, ERR_INPUT, "%s needs a repository (owner/name)", cmd->name);
	if ((c->supabase_url == NULL) != (c->supabase_key == NULL))
		return err_set(e, ERR_INPUT,
			       "%s is given but %s is not (both, or neither for SQLite)",
			       c->supabase_url != NULL ? "supabase-url" : "supabase-key",
			       c->supabase_url != NULL ? "supabase-key" : "supabase-url");
	if (cmd->check != NULL) {
		int rc = cmd->check(c, e);

		if (rc != 0)
			return rc; /* 1: nothing to do (the check said why) */
	}
	return check_cursor(c, cmd, e);
}

/* Settings given (not left at their default) that the command does not use. */
static void
warn_unused(const struct config *c, const struct command *cmd)
{
	for (int i = 0; i < OPT__COUNT; i++) {
		const struct option_def *o = &config_options[i];

		if (i == OPT_COMMAND || c->raw[i] == NULL || (cmd->options & OPT_BIT(i)))
			continue;
		if (o->dflt != NULL && strcmp(c->raw[i], o->dflt) == 0)
			continue;
		/* The runner fills in action.yml's ${{ }} defaults for every command. */
		if (o->action_default != NULL && (c->in_actions || i == OPT_GITHUB_TOKEN))
			continue;
		log_warn("%s does not use %s; it is ignored", cmd->name, o->name);
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
	return buf_failed(&b) ? NULL : buf_detach(&b);
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

/* Prints what an informational flag asks for; true when one was given (nothing else to do). */
static bool
informational(const struct run *r)
{
	const struct config *c = &r->cfg;

	if (c->help)
		usage(stdout, r->cmd != NULL && config_given(c, OPT_COMMAND) ? r->cmd : NULL);
	else if (c->version)
		printf("%s %s\n%s, SQLite %s, cJSON %s\n", PC_NAME, PC_VERSION,
		       http_library_version(), store_sqlite_library_version(), cJSON_Version());
	else if (c->json_inputs)
		config_print_inputs_json(stdout);
	else if (c->graphql_documents)
		gql_print_documents(stdout);
	else
		return false;
	return true;
}

/* Reads the settings and masks the secrets; -1 with ERR_INPUT in r->e. */
static int
read_settings(struct run *r, int argc, char **argv)
{
	int rc = config_load(&r->cfg, argc, argv, env, &r->e);

	log_init(r->cfg.in_actions, r->cfg.debug, NULL);
	mask_secrets(&r->cfg);
	if (rc < 0)
		return -1;
	r->cmd = command_named(r->cfg.command);
	return 0;
}

/*
 * The GitHub Apps of the settings, their keys read (a key that cannot be is
 * ERR_INPUT: nothing was sent). Each token is for the repository the command
 * works on: the workflow's for the commands that start or follow workflows.
 */
static int
make_apps(struct run *r)
{
	const struct config *c = &r->cfg;
	bool workflows = (r->cmd->options & OPT_BIT(OPT_WORKFLOW_REPOSITORY)) != 0 &&
			 c->dispatch_repository != NULL;
	const char *full = workflows ? c->dispatch_repository : c->repository;
	char *owner = NULL;
	const char *name = NULL;
	int rc = 0;

	if (c->n_apps == 0 || !(r->cmd->options & OPT_BIT(OPT_APP_ID)))
		return 0;
	if (full != NULL && strchr(full, '/') != NULL) {
		owner = xstrndup(full, strcspn(full, "/"));
		name = strchr(full, '/') + 1;
	}
	r->apps = xcalloc(c->n_apps, sizeof(*r->apps));
	for (size_t i = 0; i < c->n_apps && rc == 0; i++) {
		struct app_auth_options o = {
			.app_id = c->app_ids[i],
			.private_key = c->app_keys[i],
			.installation_id = c->app_installations[i],
			.owner = owner,
			.name = name,
			.permissions = (r->cmd->options & OPT_BIT(OPT_WORKFLOW)) ? APP_DISPATCH
										 : APP_READ_ONLY,
			.index = i,
			.count = c->n_apps,
		};

		if (owner == NULL && o.installation_id == 0)
			rc = err_set(&r->e, ERR_INPUT,
				     "app-id needs the repository to find the app's installation "
				     "on, or app-installation-id");
		else if ((r->apps[r->napps] = app_auth_new(&o, &r->e)) != NULL)
			r->napps++;
		else
			rc = -1;
	}
	free(owner);
	return rc;
}

/*
 * Checks the settings against the command; -1 with ERR_INPUT (nothing was
 * sent anywhere), 1 when the command has nothing to do (its check said why).
 */
static int
check_settings(struct run *r)
{
	int rc;

	if (r->cmd == NULL)
		return err_set(&r->e, ERR_INPUT, "unknown command '%s' (see '%s --help')",
			       r->cfg.command, PC_NAME);
	rc = check_needs(&r->cfg, r->cmd, &r->e);
	if (rc != 0)
		return rc;
	warn_unused(&r->cfg, r->cmd);
	if (r->cfg.log_file != NULL) {
		if (log_file_open(r->cfg.log_file, &r->e) < 0) {
			r->e.code = ERR_INPUT; /* a path that cannot be written: nothing was sent */
			return -1;
		}
		log_context("command", r->cfg.command);
		log_context("repository", r->cfg.repository);
	}
	if (make_apps(r) < 0)
		return -1;
	if (r->cfg.n_tokens == 0 && r->napps == 0 && (r->cmd->needs & NEEDS_GITHUB)) {
		/* GraphQL answers only with a token. */
		log_warn("no GitHub token: reading over REST at GitHub's unauthenticated limit "
			 "of 60 requests an hour (set GITHUB_TOKEN or github-token)");
		r->cfg.api = API_REST;
	}
	return 0;
}

/* Opens the store the settings choose: PostgREST with a Supabase URL, else SQLite. */
static struct store *
open_store(const struct config *c, bool read_only, struct http_client *http, struct err *e)
{
	struct store *s;

	if (c->supabase_url != NULL)
		s = store_open_postgrest(c->supabase_url, c->supabase_key, http,
					 &(struct store_retry){.max_retries = RETRIES,
							       .time_scale = backoff_scale()},
					 e);
	else
		s = store_open_sqlite(c->database, c->dry_run || read_only, e);
	/* A dry run reads the store and writes nothing to it. */
	return s != NULL && c->dry_run ? store_open_dry(s) : s;
}

/* The HTTP clients, GitHub's client and the store; -1 with r->e. */
static int
open_services(struct run *r)
{
	const struct config *c = &r->cfg;
	struct http_options hopt = {.user_agent = PC_USER_AGENT,
				    .timeout_ms = (long)c->request_timeout * 1000};
	/* A command that does not split its work by shard takes the whole budget. */
	struct rl_policy policy = {
		.max_wait_s = c->max_wait,
		.deadline = clock_now() + (time_t)c->time_limit,
		.shard_total = (r->cmd->options & OPT_BIT(OPT_SHARD_TOTAL)) ? c->shard_total : 1,
		.time_scale = backoff_scale(),
		.max_retries = RETRIES,
	};

	if (http_global_init(&r->e) < 0)
		return -1;
	r->http_up = true;
	r->store_http = http_client_new(&hopt, &r->e);
	/* GitHub's transfers stop at once when the run is cancelled; the store's finish. */
	hopt.abort_on_cancel = true;
	r->gh_http = r->store_http != NULL ? http_client_new(&hopt, &r->e) : NULL;
	if (r->gh_http == NULL)
		return -1;
	r->gh = gh_new(&(struct gh_options){.api_url = c->api_url,
					    .graphql_url = c->graphql_url,
					    .tokens = c->tokens,
					    .ntokens = c->n_tokens,
					    .apps = r->apps,
					    .napps = r->napps,
					    .policy = &policy,
					    .http = r->gh_http});
	free(r->apps); /* the client has them now */
	r->apps = NULL;
	r->napps = 0;
	/*
	 * A GitHub App refused (a wrong key or app id, not installed) stops the
	 * run before the store is opened: nothing is written. Doctor reports it
	 * among its checks instead.
	 */
	if ((r->cmd->needs & NEEDS_GITHUB) && !(r->cmd->needs & OWN_SCHEMA) &&
	    gh_authenticate(r->gh, &r->e) < 0)
		return -1;
	r->store = open_store(c, (r->cmd->needs & READ_ONLY) != 0, r->store_http, &r->e);
	return r->store != NULL ? 0 : -1;
}

/* The repository's PR counts after a run that wrote PR rows (one that cannot is warned of). */
static void
count_pulls(struct job_ctx *ctx)
{
	struct err ce;

	err_clear(&ce);
	if (ctx->pulls_written > 0 && jobs_update_pull_counts(ctx, &ce) < 0)
		log_warn("could not update the repository's pull request counts: %s", ce.msg);
}

/*
 * A command with no job row of its own (plan, status, …): the store's schema
 * checked first (but by doctor, whose work that is), then the command; it
 * ends completed unless it says otherwise (ctx->result) or fails.
 */
static void
run_chore(struct run *r)
{
	struct job_ctx *ctx = &r->ctx;
	bool own_check = (r->cmd->needs & OWN_SCHEMA) != 0;

	*ctx = (struct job_ctx){.cfg = &r->cfg,
				.gh = r->gh,
				.store = r->store,
				.summary = &r->summary,
				.outs = &r->outs,
				.result = JOB_COMPLETED,
				.time_scale = backoff_scale()};
	if (r->store != NULL && !own_check && schema_check(r->store, &r->e) < 0)
		return;
	if (r->cmd->run(ctx, &r->e) < 0)
		r->status = r->e.code == ERR_RATE || r->e.code == ERR_CANCELLED ? JOB_PARTIAL
										: JOB_FAILED;
	else
		r->status = ctx->result;
	if (r->status == JOB_COMPLETED)
		err_clear(&r->e);
}

/* Opens the job row, runs the command, and decides the job's status. */
static void
run_command(struct run *r)
{
	const struct config *c = &r->cfg;
	struct job_ctx *ctx = &r->ctx;
	struct err pe;
	bool behind;
	int rc;

	err_clear(&pe);
	log_info("%s %s: %s on %s, store %s %s%s", PC_NAME, PC_VERSION, c->command, c->repository,
		 c->supabase_url != NULL ? "postgrest" : "sqlite",
		 c->supabase_url != NULL ? c->supabase_url : c->database,
		 c->dry_run ? " (nothing is written)" : "");
	*ctx = (struct job_ctx){.cfg = c, .gh = r->gh, .store = r->store, .summary = &r->summary};
	r->run_url = run_url(c);
	/* A schema that is behind fails here, naming every column, before GitHub is asked. */
	behind = schema_check(r->store, &r->e) < 0;
	ctx->progress =
		progress_start(r->store,
			       &(struct progress_options){.job_id = c->job_id,
							  .job_type = jobs_job_type(c->command),
							  .command = c->command,
							  .repository = c->repository,
							  .time_range = c->time_range,
							  .pr_numbers = c->pr_numbers,
							  .n_pr_numbers = c->n_pr_numbers,
							  .run_id = c->run_id,
							  .run_url = r->run_url},
			       behind ? &pe : &r->e);
	/* Even so, the job row (if its table is whole) records why the run failed. */
	if (behind && ctx->progress == NULL)
		log_warn("the job's row could not record this either: %s", pe.msg);
	if (ctx->progress == NULL || behind)
		return;
	clock_on_tick(progress_heartbeat, ctx->progress);
	log_context("job", c->dry_run ? NULL : progress_job_id(ctx->progress));
	if (c->job_id == NULL && !c->dry_run)
		log_info("job %s", progress_job_id(ctx->progress));
	rc = r->cmd->run(ctx, &r->e);
	count_pulls(ctx);
	if (rc < 0) {
		r->status = r->e.code == ERR_RATE || r->e.code == ERR_CANCELLED ? JOB_PARTIAL
										: JOB_FAILED;
	} else if (ctx->failed > 0) {
		r->status = JOB_FAILED;
		err_set(&r->e, ERR_GITHUB, "%zu of %zu items failed (the others were captured)",
			ctx->failed, ctx->failed + ctx->processed);
	} else {
		r->status = JOB_COMPLETED;
		err_clear(&r->e); /* whatever a retried step met on the way is past */
	}
}

/* Records the job's end in its row; a completed run whose end cannot be recorded failed. */
static void
record_end(struct run *r)
{
	struct job_ctx *ctx = &r->ctx;
	struct err fe;
	char meta[256];

	clock_on_tick(NULL, NULL);
	if (ctx->progress == NULL)
		return;
	if (r->status == JOB_COMPLETED)
		progress_set_cursor(ctx->progress, NULL);
	err_clear(&fe);
	snprintf(meta, sizeof(meta),
		 "{\"processed\":%zu,\"failed\":%zu,\"skipped\":%zu,\"api_calls\":%" PRIu64 "}",
		 ctx->processed, ctx->failed, ctx->skipped, gh_stats(r->gh)->requests);
	if (progress_finish(ctx->progress, r->status, r->e.code != ERR_NONE ? r->e.msg : NULL, meta,
			    &fe) < 0) {
		log_error("could not record the job's end: %s", fe.msg);
		if (r->status == JOB_COMPLETED) {
			r->status = JOB_FAILED;
			r->e = fe;
		}
	}
}

static void
set_outputs(struct run *r, const struct gh_stats *gs)
{
	const struct job_ctx *ctx = &r->ctx;
	const char *status = job_status_name(r->status);
	struct outputs *o = &r->outs;
	char num[32];

#define SETN(k, n)                                                                                 \
	do {                                                                                       \
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)(n));                              \
		outputs_set(o, (k), num);                                                          \
	} while (0)
	/* A command's own status output (status: the job's) stays. */
	if ((r->cmd->needs & NEEDS_JOB) || !outputs_has(o, "status"))
		outputs_set(o, "status", status);
	if (!(r->cmd->needs & NEEDS_JOB)) {
		SETN("api-calls", gs != NULL ? gs->requests : 0);
		SETN("api-points", gs != NULL ? gs->rest_points + gs->graphql_points : 0);
		return;
	}
	SETN("processed", ctx->processed);
	SETN("failed", ctx->failed);
	SETN("skipped", ctx->skipped);
	outputs_set(o, "job-id",
		    ctx->progress != NULL && !r->cfg.dry_run ? progress_job_id(ctx->progress) : "");
	SETN("api-calls", gs != NULL ? gs->requests : 0);
	SETN("api-points", gs != NULL ? gs->rest_points + gs->graphql_points : 0);
	if (gs != NULL && gs->core_remaining >= 0)
		SETN("rate-remaining", gs->core_remaining);
	else
		outputs_set(o, "rate-remaining", "");
	/* Where to start again; empty once everything was captured. */
	outputs_set(o, "resume-cursor",
		    r->status != JOB_COMPLETED && ctx->resume_cursor != NULL ? ctx->resume_cursor
									     : "");
#undef SETN
}

/* The summary's notes on GitHub: budget, waits, what it hid. */
static void
summarize_github(struct summary *s, const struct gh_stats *gs)
{
	if (gs->limits.waited_ms > 0 || gs->limits.retries > 0 || gs->limits.rotations > 0)
		summary_note(
			s,
			"Rate limits and faults: waited %.1f s, %d retries (%d secondary limits, "
			"%d server or network errors, %d waits for a reset, %d token switches).",
			(double)gs->limits.waited_ms / 1000.0, gs->limits.retries,
			gs->limits.secondary, gs->limits.server_errors, gs->limits.reset_waits,
			gs->limits.rotations);
	if (gs->requests > 0) {
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
	if (gs->hidden > 0)
		summary_note(s,
			     "GitHub answered %" PRIu64 " item%s as null (not visible to this "
			     "token): not stored.",
			     gs->hidden, gs->hidden == 1 ? "" : "s");
}

static void
summarize(struct run *r, const struct gh_stats *gs)
{
	const struct config *c = &r->cfg;
	const struct job_ctx *ctx = &r->ctx;
	struct summary *s = &r->summary;
	const char *status = job_status_name(r->status);

	summary_title(s, "progressive-capture %s%s%s — %s", c->command,
		      c->repository != NULL ? ": " : "", c->repository != NULL ? c->repository : "",
		      status);
	if (r->cmd->needs & NEEDS_JOB)
		summary_note(s, "Captured %zu, failed %zu, skipped (already up to date) %zu.",
			     ctx->processed, ctx->failed, ctx->skipped);
	if (ctx->pending_reviews > 0)
		summary_note(s, "%zu review%s still pending on GitHub (not submitted): not stored.",
			     ctx->pending_reviews, ctx->pending_reviews == 1 ? "" : "s");
	if (r->e.code != ERR_NONE)
		summary_note(s, "%s: %s", status, r->e.msg);
	if (gs != NULL)
		summarize_github(s, gs);
	if (r->store != NULL) {
		bool file = c->supabase_url == NULL;

		summary_note(s, "Store: %s%s%s, %" PRIu64 " requests, %" PRIu64 " rows %s.",
			     file ? "sqlite" : "postgrest", file ? " " : "",
			     file ? c->database : "", r->store->requests, r->store->rows_written,
			     c->dry_run ? "that a real run would have written (dry run)"
					: "written");
		if (r->store->retries > 0)
			summary_note(s,
				     "Store faults: %" PRIu64 " requests sent again after "
				     "waiting %.1f s in all.",
				     r->store->retries, (double)r->store->waited_ms / 1000.0);
	}
	if (ctx->progress != NULL && !c->dry_run && progress_job_id(ctx->progress)[0] != '\0')
		summary_note(s, "Job %s.", progress_job_id(ctx->progress));
}

/* The exit code of the job's status, and the closing log line. */
static int
conclude(struct run *r)
{
	int code = r->status == JOB_COMPLETED ? PC_EXIT_OK
		   : r->status == JOB_PARTIAL ? PC_EXIT_PARTIAL
					      : PC_EXIT_FAILED;

	if (r->status == JOB_PARTIAL && r->cfg.fail_on_partial) {
		log_error("stopped early (partial): %s", r->e.msg);
	} else if (r->status == JOB_PARTIAL) {
		log_warn("stopped early (partial): %s", r->e.msg);
		code = PC_EXIT_OK;
	} else if (r->status == JOB_FAILED) {
		log_error("%s", r->e.msg[0] != '\0' ? r->e.msg : "failed");
	} else if (r->cmd->needs & NEEDS_JOB) {
		log_info("done: %zu captured, %zu skipped", r->ctx.processed, r->ctx.skipped);
	}
	return code;
}

/* Writes the outputs and the summary (Actions), or prints them (a shell). */
static int
report(struct run *r, int code)
{
	const struct gh_stats *gs = r->gh != NULL ? gh_stats(r->gh) : NULL;
	struct err oe;

	err_clear(&oe);
	set_outputs(r, gs);
	summarize(r, gs);
	if (r->cfg.output_path == NULL) {
		/* A terminal (or a pipe): the results on stdout, the log on stderr. */
		results_print(&r->summary, &r->outs, r->cfg.json, stdout);
		return code;
	}
	if (outputs_write(&r->outs, r->cfg.output_path, &oe) < 0) {
		log_error("%s", oe.msg);
		code = PC_EXIT_FAILED;
	}
	if (summary_write(&r->summary, r->cfg.summary_path, &oe) < 0)
		log_warn("%s", oe.msg);
	return code;
}

/* The log file's last line: how the run ended, in numbers. */
static void
log_end(const struct run *r, int code)
{
	const struct gh_stats *gs = r->gh != NULL ? gh_stats(r->gh) : NULL;
	const struct log_field f[] = {
		{"status", job_status_name(r->status), 0},
		{"exit_code", NULL, code},
		{"processed", NULL, (int64_t)r->ctx.processed},
		{"failed", NULL, (int64_t)r->ctx.failed},
		{"skipped", NULL, (int64_t)r->ctx.skipped},
		{"api_calls", NULL, gs != NULL ? (int64_t)gs->requests : 0},
		{"api_points", NULL,
		 gs != NULL ? (int64_t)(gs->rest_points + gs->graphql_points) : 0},
		{"rate_waited_ms", NULL, gs != NULL ? gs->limits.waited_ms : 0},
		{"retries", NULL, gs != NULL ? (int64_t)gs->limits.retries : 0},
		{"store_requests", NULL, r->store != NULL ? (int64_t)r->store->requests : 0},
		{"store_rows_written", NULL,
		 r->store != NULL ? (int64_t)r->store->rows_written : 0},
		{"error", r->e.code != ERR_NONE ? r->e.msg : "", 0},
	};

	log_event("end", f, sizeof(f) / sizeof(f[0]));
}

static void
release(struct run *r)
{
	progress_free(r->ctx.progress);
	free(r->ctx.repository_full_name);
	free(r->ctx.default_branch);
	free(r->ctx.resume_cursor);
	idcache_release(&r->ctx.contributors);
	store_close(r->store);
	gh_free(r->gh);
	for (size_t i = 0; i < r->napps; i++)
		app_auth_free(r->apps[i]);
	free(r->apps);
	http_client_free(r->gh_http);
	http_client_free(r->store_http);
	if (r->http_up)
		http_global_cleanup();
	summary_release(&r->summary);
	outputs_release(&r->outs);
	free(r->run_url);
	config_release(&r->cfg);
	log_release();
}

int
main(int argc, char **argv)
{
	static struct run r;
	int code, rc;

	xalloc_on_failure(out_of_memory);
	err_clear(&r.e);
	summary_init(&r.summary);
	r.status = JOB_FAILED;
	if (read_settings(&r, argc, argv) == 0 && informational(&r)) {
		release(&r);
		return PC_EXIT_OK;
	}
	rc = r.e.code != ERR_NONE ? -1 : check_settings(&r);
	if (rc > 0) {
		/* Nothing to do (an event with nothing to capture): nothing sent, nothing written. */
		release(&r);
		return PC_EXIT_OK;
	}
	if (rc < 0) {
		log_error("%s", r.e.msg);
		if (!r.cfg.in_actions && str_starts(r.e.msg, "unknown option"))
			fprintf(stderr, "usage: %s <command> [options]; see '%s --help'\n", PC_NAME,
				PC_NAME);
		release(&r);
		return PC_EXIT_INPUT;
	}
	cancel_install_signals();
	if (open_services(&r) == 0 && (r.cmd->needs & NEEDS_JOB))
		run_command(&r);
	else if (r.e.code == ERR_NONE)
		run_chore(&r);
	log_endgroup();
	record_end(&r);
	code = conclude(&r);
	code = report(&r, code);
	log_end(&r, code);
	release(&r);
	return code;
}
