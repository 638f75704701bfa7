/*
 * test_config.c - settings from argv and the environment (vectors/config.txt),
 * and the table's own consistency.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "config.h"
#include "harness.h"
#include "util.h"

#define MAXV 32

static struct {
	char *names[MAXV];
	char *values[MAXV];
	int n;
} fake_env;

static const char *
getenv_fake(const char *name)
{
	for (int i = 0; i < fake_env.n; i++)
		if (strcmp(fake_env.names[i], name) == 0)
			return fake_env.values[i];
	return NULL;
}

static void
fake_env_clear(void)
{
	for (int i = 0; i < fake_env.n; i++) {
		free(fake_env.names[i]);
		free(fake_env.values[i]);
	}
	fake_env.n = 0;
}

static void
field(const struct config *c, const char *name, char *out, size_t n)
{
	out[0] = '\0';
	if (strcmp(name, "command") == 0)
		snprintf(out, n, "%s", c->command ? c->command : "NULL");
	else if (strcmp(name, "repository") == 0)
		snprintf(out, n, "%s", c->repository ? c->repository : "NULL");
	else if (strcmp(name, "owner") == 0)
		snprintf(out, n, "%s", c->owner ? c->owner : "NULL");
	else if (strcmp(name, "name") == 0)
		snprintf(out, n, "%s", c->name ? c->name : "NULL");
	else if (strcmp(name, "job_id") == 0)
		snprintf(out, n, "%s", c->job_id ? c->job_id : "NULL");
	else if (strcmp(name, "supabase_url") == 0)
		snprintf(out, n, "%s", c->supabase_url ? c->supabase_url : "NULL");
	else if (strcmp(name, "supabase_key") == 0)
		snprintf(out, n, "%s", c->supabase_key ? c->supabase_key : "NULL");
	else if (strcmp(name, "api_url") == 0)
		snprintf(out, n, "%s", c->api_url);
	else if (strcmp(name, "graphql_url") == 0)
		snprintf(out, n, "%s", c->graphql_url);
	else if (strcmp(name, "time_range") == 0)
		snprintf(out, n, "%d", c->time_range);
	else if (strcmp(name, "max_items") == 0)
		snprintf(out, n, "%" PRId64, c->max_items);
	else if (strcmp(name, "api") == 0)
		snprintf(out, n, "%d", c->api);
	else if (strcmp(name, "batch_size") == 0)
		snprintf(out, n, "%d", c->batch_size);
	else if (strcmp(name, "tokens") == 0)
		snprintf(out, n, "%zu", c->n_tokens);
	else if (strcmp(name, "apps") == 0) {
		size_t used = (size_t)snprintf(out, n, "%zu", c->n_apps);

		/* Each app: its id, installation, and its key's first and last lines. */
		for (size_t i = 0; i < c->n_apps && used < n; i++) {
			const char *k = c->app_keys[i], *end = strrchr(k, '\n');

			used += (size_t)snprintf(out + used, n - used, " %s/%" PRId64 "/%.*s/%s",
						 c->app_ids[i], c->app_installations[i],
						 (int)strcspn(k, "\n"), k,
						 end != NULL ? end + 1 : "");
		}
	} else if (strcmp(name, "fail_on_partial") == 0)
		snprintf(out, n, "%s", c->fail_on_partial ? "true" : "false");
	else if (strcmp(name, "dry_run") == 0)
		snprintf(out, n, "%s", c->dry_run ? "true" : "false");
	else if (strcmp(name, "in_actions") == 0)
		snprintf(out, n, "%s", c->in_actions ? "true" : "false");
	else if (strcmp(name, "debug") == 0)
		snprintf(out, n, "%s", c->debug ? "true" : "false");
	else if (strcmp(name, "help") == 0)
		snprintf(out, n, "%s", c->help ? "true" : "false");
	else if (strcmp(name, "version") == 0)
		snprintf(out, n, "%s", c->version ? "true" : "false");
	else if (strcmp(name, "pr_numbers") == 0) {
		size_t used = 0;

		for (size_t i = 0; i < c->n_pr_numbers && used < n; i++)
			used += (size_t)snprintf(out + used, n - used, "%s%" PRId64, i ? "," : "",
						 c->pr_numbers[i]);
	} else
		snprintf(out, n, "(unknown field %s)", name);
}

/* Runs one block of the vector file. */
static void
run_block(char **lines, int nlines, int first_line)
{
	char *argv[MAXV] = {"progressive-capture"};
	int argc = 1;
	struct config c;
	struct err e;
	const char *want_error = NULL;
	int rc;

	fake_env_clear();
	for (int i = 0; i < nlines; i++) {
		char *l = lines[i];

		if (strncmp(l, "arg ", 4) == 0) {
			argv[argc++] = l + 4;
		} else if (strncmp(l, "env ", 4) == 0) {
			char *eq = strchr(l + 4, '=');

			fake_env.names[fake_env.n] = xstrndup(l + 4, (size_t)(eq - (l + 4)));
			fake_env.values[fake_env.n] = vec_unescape(xstrdup(eq + 1));
			fake_env.n++;
		} else if (strncmp(l, "error ", 6) == 0) {
			want_error = l + 6;
		}
	}
	err_clear(&e);
	rc = config_load(&c, argc, argv, getenv_fake, &e);
	if (want_error != NULL) {
		if (!CHECK(rc == -1 && e.code == ERR_INPUT && strstr(e.msg, want_error) != NULL))
			fprintf(stderr,
				"    vectors/config.txt:%d: want error '%s', got rc=%d '%s'\n",
				first_line, want_error, rc, e.msg);
	} else if (!CHECK(rc == 0)) {
		fprintf(stderr, "    vectors/config.txt:%d: unexpected error: %s\n", first_line,
			e.msg);
	} else {
		for (int i = 0; i < nlines; i++) {
			char got[512];
			char *eq;

			if (strncmp(lines[i], "want ", 5) != 0)
				continue;
			eq = strchr(lines[i] + 5, '=');
			*eq = '\0';
			field(&c, lines[i] + 5, got, sizeof(got));
			if (!CHECK_STR(got, eq + 1))
				fprintf(stderr, "    vectors/config.txt:%d: field %s\n", first_line,
					lines[i] + 5);
			*eq = '=';
		}
	}
	config_release(&c);
	fake_env_clear();
}

TEST(config_vectors_read_inputs_flags_and_fallbacks_as_documented)
{
	char *data = vec_slurp("vectors/config.txt", NULL);
	char *lines[MAXV];
	int n = 0, lineno = 0, first = 0, blocks = 0;
	char *line;
	char *save = NULL;

	if (!CHECK(data != NULL))
		return;
	/* strsep keeps empty lines, which end a block. */
	save = data;
	while ((line = strsep(&save, "\n")) != NULL) {
		lineno++;
		if (line[0] == '#')
			continue;
		if (line[0] == '\0') {
			if (n > 0) {
				run_block(lines, n, first);
				blocks++;
			}
			n = 0;
			continue;
		}
		if (n == 0)
			first = lineno;
		if (n < MAXV)
			lines[n++] = line;
	}
	if (n > 0) {
		run_block(lines, n, first);
		blocks++;
	}
	CHECK(blocks > 40);
	free(data);
}

TEST(config_input_variable_keeps_hyphens_and_upper_cases)
{
	char v[64];

	config_input_var("pr-numbers", v, sizeof(v));
	CHECK_STR(v, "INPUT_PR-NUMBERS");
	config_input_var("my input", v, sizeof(v));
	CHECK_STR(v, "INPUT_MY_INPUT");
}

TEST(config_table_has_help_and_unique_names)
{
	for (int i = 0; i < OPT__COUNT; i++) {
		CHECK(config_options[i].name != NULL);
		CHECK(config_options[i].help != NULL && config_options[i].help[0] != '\0');
		for (int j = 0; j < i; j++) {
			CHECK(strcmp(config_options[i].name, config_options[j].name) != 0);
			if (config_options[i].alias && config_options[j].alias)
				CHECK(strcmp(config_options[i].alias, config_options[j].alias) !=
				      0);
		}
	}
}

TEST(config_secrets_are_marked)
{
	CHECK(config_options[OPT_GITHUB_TOKEN].flags & OPT_SECRET);
	CHECK(config_options[OPT_SUPABASE_KEY].flags & OPT_SECRET);
}

TEST(config_error_never_echoes_a_secret)
{
	char *argv[] = {"progressive-capture", "--supabase-key", "sekrit-value-123", "--bogus"};
	struct config c;
	struct err e;

	fake_env_clear();
	CHECK(config_load(&c, 4, argv, getenv_fake, &e) == -1);
	CHECK(strstr(e.msg, "sekrit") == NULL);
	config_release(&c);
}
