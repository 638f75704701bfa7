/*
 * config.c - the settings table, and reading it from argv and the environment.
 * Must not print (main reports errors) and must never copy a secret into a message.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "model.h"
#include "numlist.h"
#include "util.h"

#define DEFAULT_API_URL    "https://api.github.com"
#define DEFAULT_SERVER_URL "https://github.com"

const struct option_def config_options[OPT__COUNT] = {
	[OPT_COMMAND] = {"command", NULL, OPT_STRING, "pr-details", "", NULL, 0, 0, 0, NULL,
			 "What to run (see COMMANDS). When none is given: event if the workflow "
			 "was started by an event about one pull request (pull_request, "
			 "pull_request_target, pull_request_review, "
			 "pull_request_review_comment, issue_comment), else the default."},
	[OPT_REPOSITORY] = {"repository", "repo", OPT_REPO, NULL, "${{ github.repository }}", NULL,
			    0, 0, 0, NULL, "The GitHub repository to capture, as owner/name."},
	[OPT_REPOSITORY_ID] = {"repository-id", NULL, OPT_UUID, NULL, NULL, NULL, 0, 0, 0, NULL,
			       "UUID of the repository's row in the store; without it the row is "
			       "created or updated from GitHub and its id used."},
	[OPT_PR_NUMBERS] = {"pr-numbers", "prs", OPT_NUMBERS, NULL, NULL, NULL, 0, 0, 0, NULL,
			    "Pull request numbers and ranges (12,34,40-60), comma- or "
			    "newline-separated. Without them, the "
			    "pull requests created in the last time-range days that lack details "
			    "in the store."},
	[OPT_TIME_RANGE] = {"time-range", "days", OPT_INT, "30", NULL, NULL, 0, 1, 3650, NULL,
			    "Days to look back when no pr-numbers are given."},
	[OPT_MAX_ITEMS] = {"max-items", NULL, OPT_INT, NULL, NULL, NULL, 0, 1, 1000000, NULL,
			   "Most pull requests to capture in this run (default: no cap)."},
	[OPT_JOB_ID] = {"job-id", NULL, OPT_UUID, NULL, NULL, NULL, 0, 0, 0, NULL,
			"UUID of a progressive_capture_jobs row: the job a capture reports into "
			"(without it one is created; a queued job's own PRs are taken), or the "
			"job status reads."},
	[OPT_GITHUB_TOKEN] = {"github-token", NULL, OPT_TOKENS, NULL, "${{ github.token }}",
			      "GITHUB_TOKEN", OPT_SECRET, 0, 0, NULL,
			      "GitHub token (in Actions the default is the workflow's own token)."},
	[OPT_APP_ID] = {"app-id", NULL, OPT_STRING, NULL, NULL, NULL, 0, 0, 0, NULL,
			"GitHub App to authenticate as, by its app id (or client id): the "
			"program signs the app's JWT with app-private-key and mints the "
			"installation's tokens itself, renewing them before they expire. "
			"Several apps: one a line. They join the token pool before "
			"github-token's tokens."},
	[OPT_APP_PRIVATE_KEY] = {"app-private-key", NULL, OPT_STRING, NULL, NULL, NULL, OPT_SECRET,
				 0, 0, NULL,
				 "The app's private key (the .pem file GitHub made, PKCS#1 or "
				 "PKCS#8), from a secret. Several apps: their keys one after "
				 "the other, in app-id's order."},
	[OPT_APP_INSTALLATION_ID] = {"app-installation-id", NULL, OPT_STRING, NULL, NULL, NULL, 0,
				     0, 0, NULL,
				     "The app's installation to use (default: the one on the "
				     "repository). Several apps: one a line, in app-id's order."},
	[OPT_SUPABASE_URL] = {"supabase-url", NULL, OPT_URL, NULL, NULL, "SUPABASE_URL", 0, 0, 0,
			      NULL,
			      "Supabase project URL (https://<ref>.supabase.co); the store is its "
			      "Data API (PostgREST)."},
	[OPT_SUPABASE_KEY] = {"supabase-key", NULL, OPT_STRING, NULL, NULL, "SUPABASE_SERVICE_KEY",
			      OPT_SECRET, 0, 0, NULL, "Supabase service-role (or secret) key."},
	[OPT_DATABASE] =
		{"database", NULL, OPT_STRING, "./progressive-capture.db", NULL, NULL, 0, 0, 0,
		 NULL,
		 "SQLite file to write to when no Supabase URL is given (created if missing)."},
	[OPT_API] =
		{"api", NULL, OPT_ENUM, "auto", NULL, NULL, 0, 0, 0, "auto|graphql|rest",
		 "GitHub API to read with: graphql (batched; REST only for what GraphQL lacks), "
		 "rest, or auto (graphql, moving to REST when GraphQL's budget runs out)."},
	[OPT_BATCH_SIZE] =
		{"batch-size", NULL, OPT_INT, PC_XSTR(GQL_BATCH_DEFAULT), NULL, NULL, 0, 1,
		 GQL_BATCH_MAX, NULL,
		 "Pull requests per GraphQL query (the default keeps a full capture at 2 "
		 "points a query; fewer are asked for when answers run large)."},
	[OPT_MAX_WAIT] =
		{"max-wait", NULL, OPT_INT, "600", NULL, NULL, 0, 0, 86400, NULL,
		 "Longest wait, in seconds, for a rate limit to reset (or a secondary limit "
		 "to pass) before stopping as partial."},
	[OPT_TIME_LIMIT] =
		{"time-limit", NULL, OPT_INT, "21000", NULL, NULL, 0, 60, 604800, NULL,
		 "Seconds the run may take before it stops as partial, so the runner's own "
		 "limit (6 h on GitHub's runners) never kills it mid-write."},
	[OPT_REQUEST_TIMEOUT] = {"request-timeout", NULL, OPT_INT, "60", NULL, NULL, 0, 1, 600,
				 NULL, "Seconds one HTTP request may take before it is retried."},
	[OPT_SHARD_INDEX] = {"shard-index", NULL, OPT_INT, NULL, NULL, NULL, 0, 0, 255, NULL,
			     "This job's place (0-based) in a matrix of shard-total jobs."},
	[OPT_SHARD_TOTAL] =
		{"shard-total", NULL, OPT_INT, NULL, NULL, NULL, 0, 1, 256, NULL,
		 "Jobs in the matrix: each spends at most its share of the rate-limit "
		 "budget and, without pr-numbers, takes its share of the pull requests."},
	[OPT_RESUME_CURSOR] =
		{"resume-cursor", NULL, OPT_STRING, NULL, NULL, NULL, 0, 0, 0, NULL,
		 "The resume-cursor output of a partial run: continue where it stopped."},
	[OPT_FORCE] = {"force", NULL, OPT_BOOL, "false", NULL, NULL, 0, 0, 0, NULL,
		       "Fetch the given pull requests even when GitHub says they have not "
		       "changed since their capture."},
	[OPT_FAIL_ON_PARTIAL] = {"fail-on-partial", NULL, OPT_BOOL, "true", NULL, NULL, 0, 0, 0,
				 NULL,
				 "Exit 3 when the run stops early (rate limit) but can be resumed; "
				 "false turns that into success with a warning."},
	[OPT_DRY_RUN] = {"dry-run", NULL, OPT_BOOL, "false", NULL, NULL, 0, 0, 0, NULL,
			 "Fetch from GitHub and report, but write nothing to the store."},
	[OPT_LOG_FILE] = {"log-file", NULL, OPT_STRING, NULL, NULL, NULL, 0, 0, 0, NULL,
			  "Also write the run's log to this file as JSON lines (for an artifact)."},
	[OPT_CAPTURE_TYPES] = {"capture-types", NULL, OPT_STRING, "details,reviews,comments", NULL,
			       NULL, 0, 0, 0, NULL,
			       "plan: what to capture, of details, reviews, comments, commits "
			       "(comma-separated)."},
	[OPT_SHARD_SIZE] = {"shard-size", NULL, OPT_INT, NULL, NULL, NULL, 0, 1, 1000000, NULL,
			    "plan: pull requests a shard (default: as many as a shard job can "
			    "capture in job-minutes on its share of the rate limit)."},
	[OPT_MAX_SHARDS] = {"max-shards", NULL, OPT_INT, "256", NULL, NULL, 0, 1, 256, NULL,
			    "plan: most shards (GitHub runs at most 256 jobs of a matrix)."},
	[OPT_MAX_PARALLEL] = {"max-parallel", NULL, OPT_INT, "4", NULL, NULL, 0, 1, 256, NULL,
			      "plan: shard jobs that run at once (the matrix's max-parallel); "
			      "they share the rate limit."},
	[OPT_JOB_MINUTES] = {"job-minutes", NULL, OPT_INT, "300", NULL, NULL, 0, 1, 360, NULL,
			     "plan: the time limit of a shard job, in minutes."},
	[OPT_WORKFLOW] = {"workflow", NULL, OPT_STRING, NULL, NULL, NULL, 0, 0, 0, NULL,
			  "dispatch, migrate-inngest: the workflow to run, by file name "
			  "(capture-pr-details.yml)."},
	[OPT_WORKFLOW_REPOSITORY] = {"workflow-repository", NULL, OPT_STRING, NULL,
				     "${{ github.repository }}", NULL, 0, 0, 0, NULL,
				     "dispatch, migrate-inngest, status: the repository the "
				     "workflow lives in, as owner/name."},
	[OPT_REF] = {"ref", NULL, OPT_STRING, "main", NULL, NULL, 0, 0, 0, NULL,
		     "dispatch, migrate-inngest: the branch or tag to run the workflow on."},
	[OPT_WORKFLOW_INPUTS] = {"workflow-inputs", NULL, OPT_STRING, NULL, NULL, NULL, 0, 0, 0,
				 NULL,
				 "dispatch: the workflow's inputs, one name=value a line (the job "
				 "id is added)."},
	[OPT_EVENTS_FILE] = {"events-file", NULL, OPT_STRING, NULL, NULL, NULL, 0, 0, 0, NULL,
			     "migrate-inngest: a JSON export of the old queue's pending events."},
	[OPT_WAIT] = {"wait", NULL, OPT_BOOL, "false", NULL, NULL, 0, 0, 0, NULL,
		      "status: poll until the job ends, and exit as it did."},
	[OPT_POLL_INTERVAL] = {"poll-interval", NULL, OPT_INT, "15", NULL, NULL, 0, 1, 3600, NULL,
			       "status: seconds between polls (longer when GitHub asks)."},
	[OPT_HOURS] = {"hours", NULL, OPT_INT, "24", NULL, NULL, 0, 1, 8760, NULL,
		       "stats: the hours to look back."},
	[OPT_RUN_ID] = {"run-id", NULL, OPT_INT, NULL, NULL, NULL, 0, 1, INT64_MAX, NULL,
			"stats: only the jobs of this workflow run (its github.run_id)."},
	[OPT_MINUTE_PRICE] = {"minute-price", NULL, OPT_STRING, "0.006", NULL, NULL, 0, 0, 0, NULL,
			      "stats: USD a runner minute beyond the free ones (Linux 2-core, "
			      "2026)."},
	[OPT_FREE_MINUTES] = {"free-minutes", NULL, OPT_INT, "2000", NULL, NULL, 0, 0, 100000000,
			      NULL, "stats: the runner minutes a month the plan includes."},
};

static const char *
kind_hint(const struct option_def *o)
{
	switch (o->kind) {
	case OPT_INT: return "an integer";
	case OPT_BOOL: return "true or false";
	case OPT_UUID: return "a UUID";
	case OPT_ENUM: return o->choices;
	case OPT_REPO: return "owner/name";
	case OPT_NUMBERS: return "numbers";
	case OPT_URL: return "a URL";
	case OPT_TOKENS: return "tokens";
	default: return "text";
	}
}

void
config_input_var(const char *name, char *out, size_t size)
{
	size_t i = 0;
	size_t n = strlen("INPUT_");

	if (size == 0)
		return;
	snprintf(out, size, "INPUT_");
	for (; name[i] != '\0' && n + 1 < size; i++)
		out[n++] = name[i] == ' ' ? '_' : (char)toupper((unsigned char)name[i]);
	out[n] = '\0';
}

static int
opt_by_flag(const char *flag, size_t len)
{
	for (int i = 0; i < OPT__COUNT; i++) {
		const struct option_def *o = &config_options[i];

		if (strlen(o->name) == len && strncmp(o->name, flag, len) == 0)
			return i;
		if (o->alias != NULL && strlen(o->alias) == len &&
		    strncmp(o->alias, flag, len) == 0)
			return i;
	}
	return -1;
}

static void
set_raw(struct config *c, int id, const char *value)
{
	free(c->raw[id]);
	c->raw[id] = str_trim_dup(value);
	if (c->raw[id][0] == '\0') {
		free(c->raw[id]);
		c->raw[id] = NULL;
	}
}

/* argv: [command] then --flag value | --flag=value | --bool-flag | -h. */
static int
read_argv(struct config *c, int argc, char **argv, char **cli_command, struct err *e)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq;
		size_t len;
		int id;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			c->help = true;
			continue;
		}
		if (strcmp(a, "--version") == 0) {
			c->version = true;
			continue;
		}
		if (strcmp(a, "--verbose") == 0) {
			c->debug = true;
			continue;
		}
		if (strcmp(a, "--list-inputs") == 0) {
			c->json_inputs = true;
			continue;
		}
		if (strcmp(a, "--graphql-documents") == 0) {
			c->graphql_documents = true;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			c->json = true;
			continue;
		}
		if (!str_starts(a, "--")) {
			if (a[0] == '-')
				return err_set(e, ERR_INPUT, "unknown option '%s'", a);
			if (*cli_command != NULL)
				return err_set(e, ERR_INPUT, "unexpected argument '%s'", a);
			*cli_command = xstrdup(a);
			continue;
		}
		a += 2;
		eq = strchr(a, '=');
		len = eq != NULL ? (size_t)(eq - a) : strlen(a);
		id = opt_by_flag(a, len);
		if (id < 0)
			return err_set(e, ERR_INPUT, "unknown option '--%.*s'", (int)len, a);
		if (eq != NULL) {
			set_raw(c, id, eq + 1);
		} else if (config_options[id].kind == OPT_BOOL) {
			set_raw(c, id, "true");
		} else {
			if (i + 1 >= argc)
				return err_set(e, ERR_INPUT, "option '--%.*s' needs a value",
					       (int)len, a);
			set_raw(c, id, argv[++i]);
		}
		if (c->raw[id] == NULL)
			return err_set(e, ERR_INPUT, "option '--%.*s' needs a value", (int)len, a);
	}
	return 0;
}

static void
read_env(struct config *c, config_getenv_fn env)
{
	char var[128];

	for (int i = 0; i < OPT__COUNT; i++) {
		const struct option_def *o = &config_options[i];
		const char *v;

		if (c->raw[i] != NULL)
			continue;
		config_input_var(o->name, var, sizeof(var));
		v = env(var);
		if (v != NULL)
			set_raw(c, i, v);
		if (c->raw[i] == NULL && o->env != NULL && (v = env(o->env)) != NULL)
			set_raw(c, i, v);
	}
}

static bool
yaml_bool(const char *s, bool *out)
{
	static const char *const t[] = {"true", "True", "TRUE"};
	static const char *const f[] = {"false", "False", "FALSE"};

	for (size_t i = 0; i < 3; i++) {
		if (strcmp(s, t[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, f[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool
valid_owner(const char *s, size_t n)
{
	/* GitHub logins: 1-39 alphanumerics or single hyphens, not at either end. */
	if (n < 1 || n > 39 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool
valid_repo_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 100 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static int
parse_repo(struct config *c, const char *v, struct err *e)
{
	const char *slash = strchr(v, '/');

	if (slash == NULL || !valid_owner(v, (size_t)(slash - v)) || !valid_repo_name(slash + 1))
		return err_set(e, ERR_INPUT, "repository: '%s' is not owner/name", v);
	c->repository = xstrdup(v);
	c->owner = xstrndup(v, (size_t)(slash - v));
	c->name = xstrdup(slash + 1);
	return 0;
}

/* For dropping repeats: by value, then by position. */
struct numpos {
	int64_t n;
	size_t at;
};

static int
by_value_then_position(const void *a, const void *b)
{
	const struct numpos *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int
by_position(const void *a, const void *b)
{
	const struct numpos *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Keeps the first of each repeated number, in the order given. */
static void
drop_repeats(struct config *c)
{
	struct numpos *v;
	size_t kept = 0;

	if (c->n_pr_numbers < 2)
		return;
	v = xcalloc(c->n_pr_numbers, sizeof(*v));
	for (size_t i = 0; i < c->n_pr_numbers; i++)
		v[i] = (struct numpos){c->pr_numbers[i], i};
	qsort(v, c->n_pr_numbers, sizeof(*v), by_value_then_position);
	for (size_t i = 0; i < c->n_pr_numbers; i++)
		if (kept == 0 || v[i].n != v[kept - 1].n)
			v[kept++] = v[i];
	qsort(v, kept, sizeof(*v), by_position);
	for (size_t i = 0; i < kept; i++)
		c->pr_numbers[i] = v[i].n;
	c->n_pr_numbers = kept;
	free(v);
}

/* pr-numbers: numbers and ranges, comma- or newline-separated; repeats dropped. */
static int
parse_numbers(struct config *c, const char *v, struct err *e)
{
	if (numlist_parse(v, ",\n", false, true, "pr-numbers", &c->pr_numbers, &c->n_pr_numbers,
			  e) < 0)
		return -1;
	drop_repeats(c);
	return 0;
}

static int
parse_tokens(struct config *c, const char *v)
{
	const char *p = v;

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char *t = xstrndup(p, len);

		str_trim(t);
		if (t[0] != '\0') {
			c->tokens = xrealloc(c->tokens, (c->n_tokens + 1) * sizeof(*c->tokens));
			c->tokens[c->n_tokens++] = t;
		} else {
			free(t);
		}
		p += len;
		if (*p != '\0')
			p++;
	}
	return 0;
}

static int
parse_url(char **dst, const char *name, const char *v, struct err *e)
{
	const char *host;
	size_t n;

	if (!str_starts(v, "https://") && !str_starts(v, "http://"))
		return err_set(e, ERR_INPUT, "%s: '%s' is not an http(s) URL", name, v);
	if (strpbrk(v, " \t\r\n?#") != NULL)
		return err_set(e, ERR_INPUT, "%s: '%s' must be a plain base URL", name, v);
	host = strstr(v, "://") + 3;
	if (*host == '\0' || *host == '/')
		return err_set(e, ERR_INPUT, "%s: '%s' has no host", name, v);
	*dst = xstrdup(v);
	n = strlen(*dst);
	while (n > 0 && (*dst)[n - 1] == '/')
		(*dst)[--n] = '\0';
	/* Accept the Data API's own base too: https://x.supabase.co/rest/v1 */
	if (n >= 8 && strcmp(*dst + n - 8, "/rest/v1") == 0)
		(*dst)[n - 8] = '\0';
	return 0;
}

/* Where an integer setting goes. */
static void
set_int(struct config *c, int id, int64_t n)
{
	switch (id) {
	case OPT_TIME_RANGE: c->time_range = (int)n; break;
	case OPT_MAX_ITEMS: c->max_items = n; break;
	case OPT_BATCH_SIZE: c->batch_size = (int)n; break;
	case OPT_MAX_WAIT: c->max_wait = n; break;
	case OPT_TIME_LIMIT: c->time_limit = n; break;
	case OPT_REQUEST_TIMEOUT: c->request_timeout = n; break;
	case OPT_SHARD_INDEX: c->shard_index = (int)n; break;
	case OPT_SHARD_TOTAL: c->shard_total = (int)n; break;
	case OPT_SHARD_SIZE: c->shard_size = n; break;
	case OPT_MAX_SHARDS: c->max_shards = (int)n; break;
	case OPT_MAX_PARALLEL: c->max_parallel = (int)n; break;
	case OPT_JOB_MINUTES: c->job_minutes = (int)n; break;
	case OPT_POLL_INTERVAL: c->poll_interval = n; break;
	case OPT_HOURS: c->hours = (int)n; break;
	case OPT_RUN_ID: c->stats_run_id = n; break;
	case OPT_FREE_MINUTES: c->free_minutes = n; break;
	default: break;
	}
}

/* Where a boolean setting goes. */
static bool *
bool_field(struct config *c, int id)
{
	switch (id) {
	case OPT_FAIL_ON_PARTIAL: return &c->fail_on_partial;
	case OPT_WAIT: return &c->wait;
	case OPT_FORCE: return &c->force;
	default: return &c->dry_run;
	}
}

/* Where a text setting (a string or a UUID) goes. */
static char **
text_field(struct config *c, int id)
{
	switch (id) {
	case OPT_SUPABASE_KEY: return &c->supabase_key;
	case OPT_DATABASE: return &c->database;
	case OPT_RESUME_CURSOR: return &c->resume_cursor;
	case OPT_REPOSITORY_ID: return &c->repository_id;
	case OPT_JOB_ID: return &c->job_id;
	case OPT_LOG_FILE: return &c->log_file;
	case OPT_CAPTURE_TYPES: return &c->capture_types;
	case OPT_WORKFLOW: return &c->workflow;
	case OPT_WORKFLOW_REPOSITORY: return &c->dispatch_repository;
	case OPT_REF: return &c->ref;
	case OPT_WORKFLOW_INPUTS: return &c->workflow_inputs;
	case OPT_EVENTS_FILE: return &c->events_file;
	case OPT_MINUTE_PRICE: return &c->minute_price;
	default: return NULL;
	}
}

/* An enum's value: its position among the choices ("a|b|c"); -1 when it is none of them. */
static int
choice(const char *choices, const char *v)
{
	int index = 0;

	for (const char *p = choices; *p != '\0'; index++) {
		size_t len = strcspn(p, "|");

		if (strlen(v) == len && strncmp(p, v, len) == 0)
			return index;
		p += len;
		if (*p == '|')
			p++;
	}
	return -1;
}

/* Validates one setting's raw value (or default) into its typed field. */
static int
convert(struct config *c, int id, struct err *e)
{
	const struct option_def *o = &config_options[id];
	const char *v = c->raw[id] != NULL ? c->raw[id] : o->dflt;
	char **text = text_field(c, id);
	int64_t n;

	if (v == NULL)
		return 0;
	switch (o->kind) {
	case OPT_INT:
		if (parse_int64(v, o->min, o->max, &n) < 0)
			return err_set(e, ERR_INPUT,
				       "%s: '%.64s' is not an integer from %" PRId64 " to %" PRId64,
				       o->name, v, o->min, o->max);
		set_int(c, id, n);
		return 0;
	case OPT_BOOL:
		if (!yaml_bool(v, bool_field(c, id)))
			return err_set(e, ERR_INPUT,
				       "%s: '%.64s' is not a boolean (use true or false)", o->name,
				       v);
		return 0;
	case OPT_UUID:
		if (!uuid_valid(v))
			return err_set(e, ERR_INPUT, "%s: '%.64s' is not a UUID", o->name, v);
		*text = xstrdup(v);
		return 0;
	case OPT_STRING:
		if (text != NULL)
			*text = xstrdup(v);
		return 0;
	case OPT_REPO: return parse_repo(c, v, e);
	case OPT_NUMBERS: return parse_numbers(c, v, e);
	case OPT_TOKENS: return parse_tokens(c, v);
	case OPT_URL: return parse_url(&c->supabase_url, o->name, v, e);
	case OPT_ENUM:
		c->api = choice(o->choices, v);
		if (c->api < 0)
			return err_set(e, ERR_INPUT, "%s: '%.64s' is not one of %s", o->name, v,
				       o->choices);
		return 0;
	}
	return 0;
}

/* Splits v at newlines and commas into trimmed, non-empty words. */
static char **
split_words(const char *v, size_t *n)
{
	char **w = NULL;

	*n = 0;
	while (v != NULL && *v != '\0') {
		size_t len = strcspn(v, ",\n");
		char *t = str_trim(xstrndup(v, len));

		if (t[0] != '\0') {
			w = xrealloc(w, (*n + 1) * sizeof(*w));
			w[(*n)++] = t;
		} else {
			free(t);
		}
		v += len;
		if (*v != '\0')
			v++;
	}
	return w;
}

static void
free_words(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/* An app id: digits, or a client id (Iv1.…, Iv23…: letters, digits, '.'). */
static bool
valid_app_id(const char *s)
{
	size_t n = strlen(s);
	bool digits = true;

	if (n == 0 || n > 40)
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.')
			return false;
		digits = digits && isdigit((unsigned char)*p);
	}
	return digits ? s[0] != '0' : str_starts(s, "Iv");
}

/*
 * The PEM blocks of a key setting, each from its -----BEGIN line to its
 * -----END line, in order; the whole text when it has none (app_auth_new
 * then says it is not PEM). Never quoted in a message.
 */
static char **
split_keys(const char *v, size_t *n)
{
	char **k = NULL;
	const char *p = strstr(v, "-----BEGIN ");

	*n = 0;
	while (p != NULL) {
		const char *end = strstr(p, "-----END ");
		const char *stop;

		if (end == NULL)
			break;
		stop = strstr(end + 9, "-----");
		if (stop == NULL)
			break;
		stop += 5;
		k = xrealloc(k, (*n + 1) * sizeof(*k));
		k[(*n)++] = xstrndup(p, (size_t)(stop - p));
		p = strstr(stop, "-----BEGIN ");
	}
	if (*n == 0) {
		k = xcalloc(1, sizeof(*k));
		k[(*n)++] = xstrdup(v);
	}
	return k;
}

/* app-id, app-private-key and app-installation-id, which go together. */
static int
parse_apps(struct config *c, struct err *e)
{
	const char *ids = c->raw[OPT_APP_ID], *keys = c->raw[OPT_APP_PRIVATE_KEY];
	char **w = NULL, **k = NULL, **inst = NULL;
	size_t nw = 0, nk = 0, ni = 0;
	int rc = -1;

	if (ids == NULL && keys == NULL) {
		if (c->raw[OPT_APP_INSTALLATION_ID] != NULL)
			return err_set(e, ERR_INPUT,
				       "app-installation-id needs app-id and "
				       "app-private-key");
		return 0;
	}
	if (ids == NULL || keys == NULL)
		return err_set(e, ERR_INPUT, "%s is given but %s is not (a GitHub App needs both)",
			       ids != NULL ? "app-id" : "app-private-key",
			       ids != NULL ? "app-private-key" : "app-id");
	w = split_words(ids, &nw);
	k = split_keys(keys, &nk);
	inst = split_words(c->raw[OPT_APP_INSTALLATION_ID], &ni);
	for (size_t i = 0; i < nw; i++) {
		if (!valid_app_id(w[i])) {
			err_set(e, ERR_INPUT,
				"app-id: '%.40s' is not an app id (the digits on the app's "
				"settings "
				"page) nor a client id (Iv…)",
				w[i]);
			goto out;
		}
	}
	if (nk != 1 && nk != nw) {
		err_set(e, ERR_INPUT,
			"app-private-key holds %zu keys but app-id names %zu apps: give one key, "
			"or one for each app id, in the same order",
			nk, nw);
		goto out;
	}
	if (ni != 0 && ni != nw) {
		err_set(e, ERR_INPUT,
			"app-installation-id names %zu installations but app-id names %zu apps: "
			"one for each app id, in the same order",
			ni, nw);
		goto out;
	}
	c->n_apps = nw;
	c->app_ids = w;
	w = NULL;
	nw = 0;
	c->app_keys = xcalloc(c->n_apps, sizeof(*c->app_keys));
	c->app_installations = xcalloc(c->n_apps, sizeof(*c->app_installations));
	for (size_t i = 0; i < c->n_apps; i++)
		c->app_keys[i] = xstrdup(k[nk == 1 ? 0 : i]);
	for (size_t i = 0; i < ni; i++) {
		if (parse_int64(inst[i], 1, INT64_MAX, &c->app_installations[i]) < 0) {
			err_set(e, ERR_INPUT,
				"app-installation-id: '%.40s' is not an installation id (a "
				"positive "
				"integer)",
				inst[i]);
			goto out;
		}
	}
	rc = 0;
out:
	free_words(w, nw);
	for (size_t i = 0; i < nk; i++) {
		memset(k[i], 0, strlen(k[i]));
		free(k[i]);
	}
	free(k);
	free_words(inst, ni);
	return rc;
}

static char *
env_dup(config_getenv_fn env, const char *name, const char *dflt)
{
	const char *v = env(name);
	char *t;

	if (v == NULL || *v == '\0')
		return xstrdup(dflt);
	t = str_trim_dup(v);
	if (t[0] == '\0') {
		free(t);
		return xstrdup(dflt);
	}
	return t;
}

static void
read_runner(struct config *c, config_getenv_fn env)
{
	const char *a = env("GITHUB_ACTIONS");
	const char *d = env("RUNNER_DEBUG");
	size_t n;

	c->in_actions = a != NULL && strcmp(a, "true") == 0;
	c->debug = c->debug || (d != NULL && strcmp(d, "1") == 0);
	c->api_url = env_dup(env, "GITHUB_API_URL", DEFAULT_API_URL);
	n = strlen(c->api_url);
	while (n > 0 && c->api_url[n - 1] == '/')
		c->api_url[--n] = '\0';
	c->graphql_url = env_dup(env, "GITHUB_GRAPHQL_URL", NULL);
	if (c->graphql_url == NULL) {
		struct buf b = BUF_INIT(4096);

		buf_printf(&b, "%s/graphql", c->api_url);
		c->graphql_url = buf_detach(&b);
	}
	c->server_url = env_dup(env, "GITHUB_SERVER_URL", DEFAULT_SERVER_URL);
	c->run_id = env_dup(env, "GITHUB_RUN_ID", NULL);
	c->run_attempt = env_dup(env, "GITHUB_RUN_ATTEMPT", NULL);
	c->workflow_repository = env_dup(env, "GITHUB_REPOSITORY", NULL);
	c->output_path = env_dup(env, "GITHUB_OUTPUT", NULL);
	c->summary_path = env_dup(env, "GITHUB_STEP_SUMMARY", NULL);
	c->event_name = env_dup(env, "GITHUB_EVENT_NAME", NULL);
	c->event_path = env_dup(env, "GITHUB_EVENT_PATH", NULL);
}

/*
 * The command when none is given: event in a workflow started by an event
 * about one pull request (the event command captures that PR), else the
 * table's default.
 */
static const char *
default_command(const struct config *c)
{
	static const char *const pr_events[] = {"pull_request", "pull_request_target",
						"pull_request_review",
						"pull_request_review_comment", "issue_comment"};

	for (size_t i = 0; c->event_name != NULL && i < sizeof(pr_events) / sizeof(pr_events[0]);
	     i++)
		if (strcmp(c->event_name, pr_events[i]) == 0)
			return "event";
	return config_options[OPT_COMMAND].dflt;
}

int
config_load(struct config *c, int argc, char **argv, config_getenv_fn env, struct err *e)
{
	char *cli_command = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	/* Not a shard unless told (the table's defaults fill the rest, in convert). */
	c->shard_index = -1;
	c->shard_total = 1;
	rc = read_argv(c, argc, argv, &cli_command, e);
	if (cli_command != NULL) {
		/* The positional command wins over INPUT_COMMAND. */
		free(c->raw[OPT_COMMAND]);
		c->raw[OPT_COMMAND] = cli_command;
	}
	read_runner(c, env);
	if (rc < 0)
		return -1;
	read_env(c, env);
	c->command = c->raw[OPT_COMMAND] != NULL ? c->raw[OPT_COMMAND] : default_command(c);
	for (int i = 0; i < OPT__COUNT; i++)
		if (convert(c, i, e) < 0)
			return -1;
	if (parse_apps(c, e) < 0)
		return -1;
	if ((c->raw[OPT_SHARD_INDEX] != NULL) != (c->raw[OPT_SHARD_TOTAL] != NULL))
		return err_set(e, ERR_INPUT, "shard-index and shard-total go together");
	if (c->shard_index >= c->shard_total)
		return err_set(e, ERR_INPUT, "shard-index %d is not below shard-total %d",
			       c->shard_index, c->shard_total);
	return 0;
}

void
config_release(struct config *c)
{
	for (int i = 0; i < OPT__COUNT; i++)
		free(c->raw[i]);
	free(c->repository);
	free(c->owner);
	free(c->name);
	free(c->repository_id);
	free(c->pr_numbers);
	free(c->job_id);
	for (size_t i = 0; i < c->n_tokens; i++)
		free(c->tokens[i]);
	free(c->tokens);
	for (size_t i = 0; i < c->n_apps; i++) {
		free(c->app_ids[i]);
		memset(c->app_keys[i], 0, strlen(c->app_keys[i]));
		free(c->app_keys[i]);
	}
	free(c->app_ids);
	free(c->app_keys);
	free(c->app_installations);
	free(c->supabase_url);
	free(c->supabase_key);
	free(c->database);
	free(c->resume_cursor);
	free(c->log_file);
	free(c->capture_types);
	free(c->workflow);
	free(c->dispatch_repository);
	free(c->ref);
	free(c->workflow_inputs);
	free(c->events_file);
	free(c->minute_price);
	free(c->api_url);
	free(c->graphql_url);
	free(c->server_url);
	free(c->run_id);
	free(c->run_attempt);
	free(c->workflow_repository);
	free(c->output_path);
	free(c->summary_path);
	free(c->event_name);
	free(c->event_path);
	memset(c, 0, sizeof(*c));
}

bool
config_given(const struct config *c, enum option_id id)
{
	return c->raw[id] != NULL;
}

/* Prints text wrapped at 72 columns, each line indented by ind spaces. */
static void
wrap(FILE *f, const char *text, int ind)
{
	int col = ind;
	const char *p = text;

	fprintf(f, "%*s", ind, "");
	while (*p != '\0') {
		size_t w = strcspn(p, " ");

		if (col > ind && col + 1 + (int)w > 78) {
			fprintf(f, "\n%*s", ind, "");
			col = ind;
		} else if (col > ind) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)w, p);
		col += (int)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void
config_usage(FILE *f, uint64_t mask)
{
	char var[128];

	fprintf(f, "OPTIONS\n");
	fprintf(f, "  Each option is also read from the action input of the same name\n"
		   "  (environment variable INPUT_<NAME>, hyphens kept).\n\n");
	for (int i = 0; i < OPT__COUNT; i++) {
		const struct option_def *o = &config_options[i];
		struct buf extra = BUF_INIT(1024);

		if (i == OPT_COMMAND || !(mask & (UINT64_C(1) << i)))
			continue;
		config_input_var(o->name, var, sizeof(var));
		fprintf(f, "  --%s", o->name);
		if (o->alias != NULL)
			fprintf(f, ", --%s", o->alias);
		if (o->kind != OPT_BOOL)
			fprintf(f, " <%s>", kind_hint(o));
		fputc('\n', f);
		buf_puts(&extra, o->help);
		if (o->dflt != NULL)
			buf_printf(&extra, " Default: %s.", o->dflt);
		if (o->env != NULL)
			buf_printf(&extra, " Also read from %s.", o->env);
		wrap(f, buf_str(&extra), 6);
		buf_release(&extra);
	}
	fprintf(f, "  --json\n      Outside Actions: print the results as one JSON object.\n");
	fprintf(f, "  --verbose\n      Print debug lines (in Actions: set RUNNER_DEBUG).\n");
	fprintf(f, "  --version, --help\n");
	fprintf(f, "  --list-inputs, --graphql-documents\n"
		   "      For tests and tooling: print the settings table as JSON, or one of\n"
		   "      every GraphQL document the program can send.\n");
}

void
config_print_inputs_json(FILE *f)
{
	cJSON *arr = cJSON_CreateArray();
	char *s;

	for (int i = 0; i < OPT__COUNT; i++) {
		const struct option_def *o = &config_options[i];
		cJSON *it = cJSON_CreateObject();

		cJSON_AddItemToArray(arr, it);
		json_add_str(it, "name", o->name);
		json_add_str(it, "alias", o->alias);
		json_add_str(it, "default", o->dflt);
		json_add_str(it, "action_default",
			     o->action_default != NULL ? o->action_default : o->dflt);
		json_add_str(it, "env", o->env);
		json_add_bool(it, "secret", (o->flags & OPT_SECRET) != 0);
		json_add_str(it, "kind", kind_hint(o));
		json_add_str(it, "help", o->help);
	}
	s = json_print(arr);
	fprintf(f, "%s\n", s);
	free(s);
	cJSON_Delete(arr);
}
