/*
 * config.h - every setting of the program, from one table.
 *
 * A setting has one name everywhere: the action input `pr-numbers` arrives as
 * the environment variable INPUT_PR-NUMBERS (the runner keeps hyphens) and is
 * the CLI flag --pr-numbers (alias --prs). Precedence: CLI flag, then INPUT_*,
 * then a documented fallback variable (GITHUB_TOKEN, SUPABASE_URL, ...), then
 * the default. Values are trimmed; empty means unset (the runner exports every
 * declared input, empty when the workflow gave none). Booleans accept only the
 * six YAML 1.2 core spellings; integers are strict decimal within a range.
 * All validation happens here, before anything is sent anywhere.
 */
#ifndef PC_CONFIG_H
#define PC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum opt_kind {
	OPT_STRING,
	OPT_INT,
	OPT_BOOL,
	OPT_UUID,
	OPT_ENUM,
	OPT_REPO,    /* owner/name */
	OPT_NUMBERS, /* comma- or newline-separated positive integers */
	OPT_URL,     /* http:// or https:// */
	OPT_TOKENS   /* newline-separated secrets */
};

#define OPT_SECRET 0x1u /* masked before any output; never printed */

/* One row of the settings table. */
struct option_def {
	const char *name;  /* input id and --flag */
	const char *alias; /* short CLI flag (--repo) or NULL */
	enum opt_kind kind;
	const char *dflt; /* default when unset, or NULL */
	const char
		*action_default; /* action.yml default when it differs (an expression), or NULL */
	const char *env;         /* fallback environment variable, or NULL */
	unsigned flags;
	int64_t min, max;    /* OPT_INT range */
	const char *choices; /* OPT_ENUM: "a|b|c" */
	const char *help;
};

enum option_id {
	OPT_COMMAND,
	OPT_REPOSITORY,
	OPT_REPOSITORY_ID,
	OPT_PR_NUMBERS,
	OPT_TIME_RANGE,
	OPT_MAX_ITEMS,
	OPT_JOB_ID,
	OPT_GITHUB_TOKEN,
	OPT_APP_ID,
	OPT_APP_PRIVATE_KEY,
	OPT_APP_INSTALLATION_ID,
	OPT_SUPABASE_URL,
	OPT_SUPABASE_KEY,
	OPT_DATABASE,
	OPT_API,
	OPT_BATCH_SIZE,
	OPT_MAX_WAIT,
	OPT_TIME_LIMIT,
	OPT_REQUEST_TIMEOUT,
	OPT_SHARD_INDEX,
	OPT_SHARD_TOTAL,
	OPT_RESUME_CURSOR,
	OPT_FORCE,
	OPT_FAIL_ON_PARTIAL,
	OPT_DRY_RUN,
	OPT_LOG_FILE,
	/* plan */
	OPT_CAPTURE_TYPES,
	OPT_SHARD_SIZE,
	OPT_MAX_SHARDS,
	OPT_MAX_PARALLEL,
	OPT_JOB_MINUTES,
	/* dispatch, migrate-inngest */
	OPT_WORKFLOW,
	OPT_WORKFLOW_REPOSITORY,
	OPT_REF,
	OPT_WORKFLOW_INPUTS,
	OPT_EVENTS_FILE,
	/* status, stats */
	OPT_WAIT,
	OPT_POLL_INTERVAL,
	OPT_HOURS,
	OPT_RUN_ID,
	OPT_MINUTE_PRICE,
	OPT_FREE_MINUTES,
	OPT__COUNT
};

/* The table, indexed by enum option_id. */
extern const struct option_def config_options[OPT__COUNT];

struct config {
	const char *command;    /* points into raw[OPT_COMMAND] */
	bool help;              /* --help / -h given */
	bool version;           /* --version given */
	bool json_inputs;       /* --list-inputs: print the table as JSON */
	bool graphql_documents; /* --graphql-documents: print every GraphQL document shape */
	bool json;              /* --json: results on stdout as JSON (outside Actions) */

	/* Validated values. Strings are owned by the config. */
	char *repository;    /* "owner/name" or NULL */
	char *owner, *name;  /* split from repository */
	char *repository_id; /* UUID or NULL */
	int64_t *pr_numbers; /* in the order given, duplicates removed */
	size_t n_pr_numbers;
	int time_range;    /* days */
	int64_t max_items; /* 0 = no cap */
	char *job_id;      /* UUID or NULL */
	char **tokens;     /* GitHub tokens, at least one unless none given */
	size_t n_tokens;
	/*
	 * GitHub Apps: app_ids[i] (digits, or a client id) signs with
	 * app_keys[i] (PEM; the one key given serves every app id) and uses
	 * installation app_installations[i] (0: the repository's).
	 */
	char **app_ids;
	char **app_keys;
	int64_t *app_installations;
	size_t n_apps;
	char *supabase_url; /* without a trailing "/" or "/rest/v1" */
	char *supabase_key;
	char *database;          /* SQLite file, used when no Supabase URL is given */
	int api;                 /* enum api_mode (prfetch.h): auto, graphql, rest */
	int batch_size;          /* PRs per GraphQL query */
	int64_t max_wait;        /* seconds */
	int64_t time_limit;      /* seconds */
	int64_t request_timeout; /* seconds */
	int shard_index;         /* -1 when not a shard */
	int shard_total;         /* 1 when not sharded */
	char *resume_cursor;
	bool fail_on_partial;
	bool dry_run;
	bool force;     /* fetch the PRs chosen even when unchanged since their capture */
	char *log_file; /* the run's log as JSON lines, or NULL */

	/* plan */
	char *capture_types; /* "details,reviews,comments,commits" (checked by plan) */
	int64_t shard_size;  /* PRs a shard, 0 = sized to the budget */
	int max_shards;
	int max_parallel;
	int job_minutes;
	/* dispatch, migrate-inngest */
	char *workflow;            /* a workflow file name (capture.yml) or id */
	char *dispatch_repository; /* owner/name where the workflow lives */
	char *ref;
	char *workflow_inputs; /* key=value lines (checked by dispatch) */
	char *events_file;
	/* status, stats */
	bool wait;
	int64_t poll_interval; /* seconds */
	int hours;
	int64_t stats_run_id; /* only this workflow run's jobs, 0 = all */
	char *minute_price;   /* USD, a decimal (checked by stats) */
	int64_t free_minutes;

	/* The runner's environment. Strings owned by the config; NULL when unset. */
	bool in_actions;           /* GITHUB_ACTIONS=true */
	bool debug;                /* RUNNER_DEBUG=1 or --verbose */
	char *api_url;             /* GITHUB_API_URL or https://api.github.com */
	char *graphql_url;         /* GITHUB_GRAPHQL_URL or https://api.github.com/graphql */
	char *server_url;          /* GITHUB_SERVER_URL or https://github.com */
	char *run_id;              /* GITHUB_RUN_ID */
	char *run_attempt;         /* GITHUB_RUN_ATTEMPT */
	char *workflow_repository; /* GITHUB_REPOSITORY: where the workflow runs */
	char *output_path;         /* GITHUB_OUTPUT */
	char *summary_path;        /* GITHUB_STEP_SUMMARY */
	char *event_name;          /* GITHUB_EVENT_NAME: the event that started the workflow */
	char *event_path;          /* GITHUB_EVENT_PATH: its payload (JSON) */

	/* Raw trimmed values by option id, owned; NULL when unset. */
	char *raw[OPT__COUNT];
};

/* Looks up an environment variable; getenv(3) in the program, a table in tests. */
typedef const char *(*config_getenv_fn)(const char *name);

/*
 * Fills c from argv (argv[0] is the program) and the environment. On bad
 * input returns -1 with ERR_INPUT and a message naming the setting and the
 * expected form. Secrets are not validated beyond being non-empty and are
 * never copied into messages. c must be released with config_release() in
 * every case.
 */
int config_load(struct config *c, int argc, char **argv, config_getenv_fn env, struct err *e);

/* Frees everything c owns; c can be loaded again. */
void config_release(struct config *c);

/* True if the setting was given (flag, input or fallback variable). */
bool config_given(const struct config *c, enum option_id id);

/* The environment variable an input arrives in: "INPUT_" + upper-cased name, '-' kept. */
void config_input_var(const char *name, char *out, size_t size);

/*
 * Prints the options part of --help, generated from the table: the options
 * whose bit (1 << id) is set in mask (~0 for all).
 */
void config_usage(FILE *f, uint64_t mask);

/* Prints the table as a JSON array (name, alias, default, action_default, help, secret). */
void config_print_inputs_json(FILE *f);

#endif
