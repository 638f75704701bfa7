/*
 * jobs/doctor.c - doctor: everything a run needs, checked before anything
 * goes wrong, each with what is wrong and how to fix it: GitHub answers and
 * the token is taken, each GitHub App (its installation, its token's
 * permissions and expiry), both rate budgets, the repository and its pull
 * requests readable, the store answers, and every table, column and
 * function the program uses is there (naming the file of db/migrations that
 * adds what is missing). It changes nothing; exit 1 when a check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "github.h"
#include "jobs.h"
#include "log.h"
#include "pulllist.h"
#include "schema.h"
#include "util.h"

enum verdict { PASS, WARN, FAIL };

struct doctor {
	struct job_ctx *ctx;
	size_t failed, warned;
};

/* Records one check: a summary row and a log line (a warning or an error when not passed). */
static void
report(struct doctor *d, enum verdict v, const char *check, const char *detail, const char *fix)
{
	static const char *const words[] = {"ok", "warning", "FAILED"};

	summary_row(d->ctx->summary,
		    (const char *const[]){check, words[v], detail, fix != NULL ? fix : ""});
	if (v == PASS)
		log_info("%s: ok: %s", check, detail);
	else if (v == WARN)
		log_warn("%s: %s%s%s", check, detail, fix != NULL ? " - " : "",
			 fix != NULL ? fix : "");
	else
		log_error("%s: %s%s%s", check, detail, fix != NULL ? " - " : "",
			  fix != NULL ? fix : "");
	d->failed += v == FAIL;
	d->warned += v == WARN;
}

/* What to do about a GitHub failure. */
static const char *
github_fix(const struct err *e)
{
	switch (e->code) {
	case ERR_AUTH: return "give a valid token (github-token, or GITHUB_TOKEN) or app";
	case ERR_DNS: return "check the network and GITHUB_API_URL";
	case ERR_TLS: return "check the CA bundle (SSL_CERT_FILE)";
	case ERR_RATE: return "wait for the reset, or add tokens (github-token, one a line)";
	default: return "check GITHUB_API_URL and the token";
	}
}

/* GitHub answers, the token is taken, and how much of both budgets is left. */
static int
check_budgets(struct doctor *d)
{
	struct gh_budget core, graphql;
	struct buf b = BUF_INIT(512);
	struct err e;
	enum verdict v;

	err_clear(&e);
	if (gh_rate_limits(d->ctx->gh, &core, &graphql, &e) < 0) {
		report(d, FAIL, "GitHub", e.msg, github_fix(&e));
		return -1;
	}
	buf_printf(&b, "core %lld of %lld left", (long long)core.remaining, (long long)core.limit);
	if (graphql.remaining >= 0)
		buf_printf(&b, ", GraphQL %lld of %lld left", (long long)graphql.remaining,
			   (long long)graphql.limit);
	else
		buf_puts(&b, ", no GraphQL (everything over REST)");
	v = core.remaining * 10 < core.limit ||
			    (graphql.remaining >= 0 && graphql.remaining * 10 < graphql.limit)
		    ? WARN
		    : PASS;
	if (d->ctx->cfg->n_tokens + d->ctx->cfg->n_apps == 0)
		v = WARN;
	report(d, v, "GitHub", buf_str(&b),
	       d->ctx->cfg->n_tokens + d->ctx->cfg->n_apps == 0
		       ? "no token: 60 requests an hour; set github-token"
	       : v == WARN ? "less than a tenth of a budget is left; it resets hourly"
			   : NULL);
	buf_release(&b);
	return 0;
}

/*
 * Each GitHub App of the pool: GitHub takes its JWT, its installation, and
 * the installation token it minted (its permissions and expiry). -1 when one
 * is refused (the budgets would only repeat the error).
 */
static int
check_apps(struct doctor *d)
{
	int rc = 0;

	for (size_t i = 0;; i++) {
		struct gh_app_info a;
		struct buf b = BUF_INIT(2048);
		struct err e;
		int got;

		err_clear(&e);
		got = gh_app_describe(d->ctx->gh, i, &a, &e);
		if (got == 0)
			break;
		if (got < 0) {
			report(d, FAIL, "GitHub App", e.msg,
			       "check app-id, app-private-key (the app's own key) and that the app "
			       "is installed on the repository");
			rc = -1;
			continue;
		}
		buf_printf(&b,
			   "%s (app %lld), installation %lld on %s (%s repositories); token for "
			   "%s: %s; "
			   "expires %s",
			   a.slug != NULL ? a.slug : "(no slug)", (long long)a.app_id,
			   (long long)a.installation_id,
			   a.account != NULL ? a.account : "(unknown)",
			   a.selection != NULL ? a.selection : "?",
			   a.repository != NULL ? a.repository
						: "every repository of the installation",
			   a.permissions != NULL && a.permissions[0] != '\0' ? a.permissions
									     : "(none)",
			   a.expires_at != NULL ? a.expires_at : "(unknown)");
		report(d, PASS, "GitHub App", buf_str(&b), NULL);
		buf_release(&b);
		gh_app_info_release(&a);
	}
	return rc;
}

static int
one_page(void *ud, const struct gh_pull *p, size_t n, bool *stop, struct err *e)
{
	(void)ud;
	(void)p;
	(void)n;
	(void)e;
	*stop = true;
	return 0;
}

static int
no_bad(void *ud, const struct err *why, struct err *e)
{
	(void)ud;
	(void)why;
	(void)e;
	return 0;
}

/* The repository is there for the token, and its pull requests can be listed. */
static void
check_repository(struct doctor *d)
{
	const struct config *cfg = d->ctx->cfg;
	struct pulllist_options o = {.owner = cfg->owner,
				     .name = cfg->name,
				     .since = clock_now(),
				     .api = (enum api_mode)cfg->api};
	struct buf b = BUF_INIT(512);
	struct gh_repo r;
	struct err e;

	err_clear(&e);
	if (gh_repo_get(d->ctx->gh, cfg->owner, cfg->name, &r, &e) < 0) {
		report(d, FAIL, "Repository", e.msg,
		       "a token that can read it (contents and pull requests: read)");
		return;
	}
	buf_printf(&b, "%s, %s, default branch %s", r.full_name,
		   r.is_private ? "private" : "public",
		   r.default_branch != NULL ? r.default_branch : "(none: empty)");
	report(d, PASS, "Repository", buf_str(&b), NULL);
	gh_repo_release(&r);
	if (pulllist(d->ctx->gh, &o, one_page, no_bad, NULL, &e) < 0)
		report(d, FAIL, "Pull requests", e.msg,
		       "a token that can read pull requests (pull-requests: read)");
	else
		report(d, PASS, "Pull requests", "the list can be read", NULL);
	buf_release(&b);
}

/* The store answers (a count of the job rows). */
static int
check_store(struct doctor *d)
{
	const struct config *cfg = d->ctx->cfg;
	struct buf b = BUF_INIT(512);
	struct err e;
	int64_t n;

	err_clear(&e);
	if (cfg->supabase_url == NULL && access(cfg->database, F_OK) != 0) {
		buf_printf(&b, "the SQLite file '%s' is not there yet", cfg->database);
		report(d, WARN, "Store", buf_str(&b), "a capture creates it");
		buf_release(&b);
		return -1;
	}
	/* A refusal with an HTTP status is an answer (a missing table is the schema's check). */
	if (store_count(d->ctx->store, "progressive_capture_jobs", NULL, 0, &n, &e) < 0 &&
	    (e.code == ERR_AUTH || (cfg->supabase_url != NULL && e.status == 0))) {
		report(d, FAIL, "Store", e.msg,
		       e.code == ERR_AUTH ? "give the service-role (or secret) key as supabase-key"
					  : "check supabase-url and the network");
		buf_release(&b);
		return -1;
	}
	buf_printf(&b, "%s answers", cfg->supabase_url != NULL ? cfg->supabase_url : cfg->database);
	if (e.code == ERR_NONE)
		buf_printf(&b, "; %lld job rows", (long long)n);
	report(d, PASS, "Store", buf_str(&b), NULL);
	buf_release(&b);
	return 0;
}

/* Every table and column; one row per table that lacks some, with the migration that adds them. */
static void
check_schema(struct doctor *d)
{
	struct store *s = d->ctx->store;
	struct schema_gap *g;
	size_t n;
	struct err e;

	err_clear(&e);
	if (schema_gaps(s, &g, &n, &e) < 0) {
		report(d, FAIL, "Schema", e.msg, NULL);
		return;
	}
	for (size_t i = 0; i < n;) {
		struct buf detail = BUF_INIT(4096), fix = BUF_INIT(512);
		size_t j = i;

		buf_printf(&detail, "%s lacks ", g[i].table);
		if (g[i].table_missing)
			buf_puts(&detail, "itself (no such table)");
		for (; j < n && strcmp(g[j].table, g[i].table) == 0; j++)
			if (!g[i].table_missing)
				buf_printf(&detail, "%s%s", j > i ? ", " : "", g[j].column);
		if (d->ctx->cfg->supabase_url != NULL)
			buf_printf(&fix, "apply db/migrations/%s (then every later file)",
				   g[i].migration);
		else
			buf_puts(&fix, s->schema_hint);
		report(d, FAIL, "Schema", buf_str(&detail), buf_str(&fix));
		buf_release(&detail);
		buf_release(&fix);
		i = j;
	}
	if (n == 0)
		report(d, PASS, "Schema", "every table and column the program writes and reads",
		       NULL);
	schema_gaps_release(g, n);
}

/* The database's functions (progressive_capture_lacking), called with nothing to check. */
static void
check_functions(struct doctor *d)
{
	static const char *const cols[] = {"p_repository_id", "p_parts", "p_numbers",
					   "p_updated_at"};
	struct rowset args, out;
	struct err e;

	err_clear(&e);
	rowset_init(&args, "progressive_capture_lacking", cols, 4);
	rowset_add(&args);
	rowset_text(&args, "p_repository_id", "00000000-0000-4000-8000-000000000000");
	rowset_int(&args, "p_parts", 1);
	rowset_ints(&args, "p_numbers", NULL, 0);
	rowset_strings(&args, "p_updated_at", NULL, 0);
	if (store_call(d->ctx->store,
		       &(struct store_call){.function = "progressive_capture_lacking",
					    .args = &args,
					    .columns = "number,lacking"},
		       &out, &e) < 0)
		report(d, FAIL, "Functions", e.msg,
		       "apply db/migrations/006_queue.sql (progressive_capture_lacking)");
	else
		report(d, PASS, "Functions", "progressive_capture_lacking answers", NULL);
	rowset_release(&out);
	rowset_release(&args);
}

int
job_doctor(struct job_ctx *ctx, struct err *e)
{
	struct doctor d = {.ctx = ctx};
	char n[24];

	summary_table(ctx->summary, (const char *const[]){"Check", "Result", "Detail", "Fix"}, 4);
	if (check_apps(&d) == 0 && check_budgets(&d) == 0 && ctx->cfg->repository != NULL)
		check_repository(&d);
	if (check_store(&d) == 0) {
		check_schema(&d);
		check_functions(&d);
	}
	snprintf(n, sizeof(n), "%zu", d.failed);
	outputs_set(ctx->outs, "ok", d.failed == 0 ? "true" : "false");
	outputs_set(ctx->outs, "problems", n);
	summary_note(ctx->summary, "%zu check%s failed, %zu warned.", d.failed,
		     d.failed == 1 ? "" : "s", d.warned);
	if (d.failed > 0)
		return err_set(e, ERR_STORE, "doctor: %zu check%s failed (see above for each fix)",
			       d.failed, d.failed == 1 ? "" : "s");
	return 0;
}
