/*
 * jobs/stats.c - stats: the plan's monitoring endpoint as a command. Over
 * the jobs created in the last hours (or those of one workflow run): counts
 * by state, type and processor, the success rate against the plan's 99.5 %,
 * p50/p90 durations and the share done within 5 minutes against its 90 %,
 * stale jobs, the Actions minutes they took and what a month like it costs,
 * and a verdict; all of it also as one JSON document (the json output).
 * Every job row counts, ours (github_actions) and the old queue's (inngest)
 * alike; minutes and cost are only the Actions jobs'. Writes nothing.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "jobs.h"
#include "log.h"
#include "queue.h"
#include "util.h"

#define TARGET_SUCCESS  995 /* per mille: the plan's 99.5 % job success */
#define FAILING_SUCCESS 900 /* per mille: under 90 % the queue is failing */
#define TARGET_FAST     90  /* percent: the plan's 90 % of jobs within 5 minutes */
#define FAST_S          300
#define MONTH_HOURS     720                 /* 30 days, the month a projection is of */
#define STALE_IDS_MAX   20                  /* stale jobs named in the JSON */
#define PRICE_MAX_MICRO INT64_C(1000000000) /* 1,000 USD a minute: surely a typo */
#define JSON_MAX        ((size_t)1 << 20)
#define NOTE_MAX        1024
#define PCT_SIZE        24 /* "100.00", and room for any size_t */

/* How many jobs have one value of a column. */
struct tally {
	const char *name; /* borrowed from the jobs */
	size_t n;
};

struct tallies {
	struct tally *v;
	size_t n;
};

struct stats {
	size_t total;
	struct tallies states, types, processors;
	size_t completed, failed, partial, pending, processing, stale;
	const char *stale_ids[STALE_IDS_MAX]; /* borrowed from the jobs */
	int64_t *durations;                   /* completed jobs' seconds, sorted */
	size_t ndur, fast;                    /* fast: done within FAST_S */
	int64_t minutes;                      /* Actions minutes, each job rounded up */
	int64_t projected;                    /* a month's minutes at this pace; -1 for a run */
	int64_t billable;                     /* minutes beyond the free ones */
	int64_t cost_micro;                   /* their price, in millionths of a USD */
	const char *health;
	char reasons[3][160]; /* why it is not healthy */
	size_t nreasons;
};

/* A price in USD ("0.006") as millionths of a USD; -1 when not a plain decimal. */
static int
parse_price(const char *s, int64_t *micro)
{
	size_t whole = strspn(s, "0123456789");
	size_t frac = s[whole] == '.' ? strspn(s + whole + 1, "0123456789") : 0;
	int64_t v = 0;

	if (whole == 0 || whole > 4 || frac > 6 || (s[whole] == '.' && frac == 0) ||
	    s[whole + (s[whole] == '.' ? 1 + frac : 0)] != '\0')
		return -1;
	for (size_t i = 0; i < whole; i++)
		v = v * 10 + (s[i] - '0');
	for (size_t i = 0; i < 6; i++)
		v = v * 10 + (i < frac ? s[whole + 1 + i] - '0' : 0);
	if (v > PRICE_MAX_MICRO)
		return -1;
	*micro = v;
	return 0;
}

int
check_stats(const struct config *cfg, struct err *e)
{
	int64_t micro;

	if (parse_price(cfg->minute_price, &micro) < 0)
		return err_set(e, ERR_INPUT,
			       "minute-price: '%s' is not a price in USD (a decimal such as 0.006, "
			       "at most 6 decimals, under 1000)",
			       cfg->minute_price);
	return 0;
}

static void
tally_add(struct tallies *t, const char *name)
{
	if (name == NULL)
		name = "(none)";
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0) {
			t->v[i].n++;
			return;
		}
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->v[t->n++] = (struct tally){name, 1};
}

/* Most jobs first, then by name. */
static int
cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Most jobs first (qsort may not be given the NULL of an empty list). */
static void
sort_tallies(struct tallies *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp_tally);
}

static int
cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool
is(const char *status, const char *name)
{
	return status != NULL && strcmp(status, name) == 0;
}

/* Counts j's state (stale among processing) and, when it completed, its duration. */
static void
count_state(struct stats *st, const struct queue_job *j, time_t now)
{
	st->completed += is(j->status, "completed");
	st->failed += is(j->status, "failed");
	st->partial += is(j->status, "partial");
	st->pending += is(j->status, "pending");
	st->processing += is(j->status, "processing");
	if (queue_stale(j, now)) {
		if (st->stale < STALE_IDS_MAX)
			st->stale_ids[st->stale] = j->id;
		st->stale++;
	}
	if (is(j->status, "completed") && j->started_at != 0 && j->completed_at != 0) {
		int64_t d = j->completed_at > j->started_at ? j->completed_at - j->started_at : 0;

		st->durations[st->ndur++] = d;
		st->fast += d <= FAST_S;
	}
}

/* An Actions job that ran to an end: its minutes, rounded up as GitHub bills (at least 1). */
static int64_t
billed_minutes(const struct queue_job *j)
{
	int64_t d;

	if (!is(j->processor_type, "github_actions") || j->started_at == 0 ||
	    j->completed_at == 0 || is(j->status, "pending") || is(j->status, "processing"))
		return 0;
	d = j->completed_at > j->started_at ? j->completed_at - j->started_at : 0;
	return d <= 60 ? 1 : (d + 59) / 60;
}

/* The month's minutes at this pace beyond the free ones, at the price. */
static void
count_cost(struct stats *st, const struct config *cfg)
{
	int64_t price = 0;

	parse_price(cfg->minute_price, &price); /* checked before the run */
	if (cfg->stats_run_id > 0) {
		/* One run: its own minutes, as if the month's free ones were spent. */
		st->projected = -1;
		st->billable = st->minutes;
	} else {
		st->projected = (st->minutes * MONTH_HOURS + cfg->hours - 1) / cfg->hours;
		st->billable =
			st->projected > cfg->free_minutes ? st->projected - cfg->free_minutes : 0;
	}
	st->cost_micro = st->billable * price;
}

static void
compute(struct stats *st, const struct queue_job *jobs, size_t n, const struct config *cfg,
	time_t now)
{
	st->durations = xcalloc(n + 1, sizeof(*st->durations));
	for (size_t i = 0; i < n; i++) {
		tally_add(&st->states, jobs[i].status);
		tally_add(&st->types, jobs[i].job_type);
		tally_add(&st->processors, jobs[i].processor_type);
		count_state(st, &jobs[i], now);
		st->minutes += billed_minutes(&jobs[i]);
	}
	st->total = n;
	sort_tallies(&st->states);
	sort_tallies(&st->types);
	sort_tallies(&st->processors);
	qsort(st->durations, st->ndur, sizeof(*st->durations), cmp_int64);
	count_cost(st, cfg);
}

/* The p-th percentile of the durations, nearest rank; -1 when there are none. */
static int64_t
percentile(const struct stats *st, size_t p)
{
	if (st->ndur == 0)
		return -1;
	return st->durations[(p * st->ndur + 99) / 100 - 1];
}

/* num/den in percent with two decimals, rounded half up ("99.50"); "" when den is 0. */
static void
pct(char out[PCT_SIZE], size_t num, size_t den)
{
	size_t bp;

	if (den == 0) {
		out[0] = '\0';
		return;
	}
	bp = (num * 20000 + den) / (2 * den);
	snprintf(out, PCT_SIZE, "%zu.%02zu", bp / 100, bp % 100);
}

static void reason(struct stats *st, const char *health, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records why the queue is not healthy; failing stays failing. */
static void
reason(struct stats *st, const char *health, const char *fmt, ...)
{
	va_list ap;

	if (strcmp(st->health, "failing") != 0)
		st->health = health;
	va_start(ap, fmt);
	vsnprintf(st->reasons[st->nreasons++], sizeof(st->reasons[0]), fmt, ap);
	va_end(ap);
}

/*
 * The verdict. failing: a stale job, or under 90 % success. degraded: under
 * the plan's 99.5 % success, or under its 90 % of completed jobs within 5
 * minutes (the same as a p90 over 5 minutes). healthy: none of these (no
 * ended job yet included). Success is completed of completed, failed and
 * partial.
 */
static void
judge(struct stats *st)
{
	size_t ended = st->completed + st->failed + st->partial;
	char rate[PCT_SIZE], fast[PCT_SIZE];

	st->health = "healthy";
	pct(rate, st->completed, ended);
	pct(fast, st->fast, st->ndur);
	if (st->stale > 0)
		reason(st, "failing", "%zu stale jobs (processing, no sign of life for %d minutes)",
		       st->stale, QUEUE_STALE_S / 60);
	if (ended > 0 && st->completed * 1000 < FAILING_SUCCESS * ended)
		reason(st, "failing", "success rate %s %% is under 90 %%", rate);
	else if (ended > 0 && st->completed * 1000 < TARGET_SUCCESS * ended)
		reason(st, "degraded", "success rate %s %% is under the 99.5 %% target", rate);
	if (st->ndur > 0 && st->fast * 100 < TARGET_FAST * st->ndur)
		reason(st, "degraded",
		       "%s %% of completed jobs took 5 minutes or less (target 90 %%)", fast);
}

static void
stats_release(struct stats *st)
{
	free(st->states.v);
	free(st->types.v);
	free(st->processors.v);
	free(st->durations);
}

/* Millionths of a USD as dollars and cents, rounded half up ("1.23"). */
static void
usd(char out[32], int64_t micro)
{
	int64_t cents = (micro + 5000) / 10000;

	snprintf(out, 32, "%" PRId64 ".%02" PRId64, cents / 100, cents % 100);
}

static void
set_num(struct outputs *o, const char *key, int64_t v)
{
	char num[32] = "";

	if (v >= 0)
		snprintf(num, sizeof(num), "%" PRId64, v);
	outputs_set(o, key, num);
}

/* ,"key":v, or null when v < 0 */
static void
json_num(struct buf *b, const char *key, int64_t v)
{
	if (v >= 0)
		buf_printf(b, ",\"%s\":%" PRId64, key, v);
	else
		buf_printf(b, ",\"%s\":null", key);
}

/* ,"key":number, the number's text as written (pct, usd), or null when empty */
static void
json_raw(struct buf *b, const char *key, const char *number)
{
	buf_printf(b, ",\"%s\":%s", key, number[0] != '\0' ? number : "null");
}

static void
json_tallies(struct buf *b, const char *key, const struct tallies *t)
{
	buf_printf(b, ",\"%s\":{", key);
	for (size_t i = 0; i < t->n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		out_json_string(b, t->v[i].name);
		buf_printf(b, ":%zu", t->v[i].n);
	}
	buf_putc(b, '}');
}

static void
json_strings(struct buf *b, const char *key, const char *const *s, size_t n)
{
	buf_printf(b, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		out_json_string(b, s[i]);
	}
	buf_putc(b, ']');
}

/* Where the jobs come from: the window, or the run. */
static void
json_window(struct buf *b, const struct config *cfg, time_t since, time_t now)
{
	char iso[21];

	time_format_iso(now, iso);
	buf_printf(b, "{\"generated_at\":\"%s\"", iso);
	if (cfg->stats_run_id > 0) {
		buf_printf(b, ",\"run_id\":%" PRId64 ",\"hours\":null,\"since\":null",
			   cfg->stats_run_id);
	} else {
		time_format_iso(since, iso);
		buf_printf(b, ",\"run_id\":null,\"hours\":%d,\"since\":\"%s\"", cfg->hours, iso);
	}
}

/* The whole result as one JSON object (caller frees); NULL past JSON_MAX. */
static char *
stats_json(const struct stats *st, const struct config *cfg, time_t since, time_t now)
{
	struct buf b = BUF_INIT(JSON_MAX);
	const char *reasons[3];
	char rate[PCT_SIZE], fast[PCT_SIZE], cost[32];
	int64_t price = 0;

	pct(rate, st->completed, st->completed + st->failed + st->partial);
	pct(fast, st->fast, st->ndur);
	usd(cost, st->cost_micro);
	parse_price(cfg->minute_price, &price);
	json_window(&b, cfg, since, now);
	json_num(&b, "total", (int64_t)st->total);
	json_num(&b, "completed", (int64_t)st->completed);
	json_num(&b, "failed", (int64_t)st->failed);
	json_num(&b, "partial", (int64_t)st->partial);
	json_num(&b, "pending", (int64_t)st->pending);
	json_num(&b, "processing", (int64_t)st->processing);
	json_num(&b, "stale", (int64_t)st->stale);
	json_tallies(&b, "by_status", &st->states);
	json_tallies(&b, "by_type", &st->types);
	json_tallies(&b, "by_processor", &st->processors);
	json_strings(&b, "stale_jobs", st->stale_ids,
		     st->stale < STALE_IDS_MAX ? st->stale : STALE_IDS_MAX);
	json_raw(&b, "success_rate", rate);
	json_num(&b, "p50_seconds", percentile(st, 50));
	json_num(&b, "p90_seconds", percentile(st, 90));
	json_raw(&b, "within_5_minutes", fast);
	buf_puts(&b, ",\"targets\":{\"success_rate\":99.5,\"within_5_minutes\":90}");
	json_num(&b, "minutes", st->minutes);
	json_num(&b, "projected_minutes", st->projected);
	json_num(&b, "free_minutes", cfg->free_minutes);
	json_num(&b, "billable_minutes", st->billable);
	buf_printf(&b, ",\"minute_price\":%" PRId64 ".%06" PRId64, price / 1000000,
		   price % 1000000);
	json_raw(&b, "cost_usd", cost);
	buf_printf(&b, ",\"health\":\"%s\"", st->health);
	for (size_t i = 0; i < st->nreasons; i++)
		reasons[i] = st->reasons[i];
	json_strings(&b, "reasons", reasons, st->nreasons);
	buf_putc(&b, '}');
	return buf_failed(&b) ? NULL : buf_detach(&b);
}

static void
set_outputs(struct outputs *o, const struct stats *st, const char *json)
{
	char text[32 > PCT_SIZE ? 32 : PCT_SIZE];

	set_num(o, "total", (int64_t)st->total);
	set_num(o, "completed", (int64_t)st->completed);
	set_num(o, "failed", (int64_t)st->failed);
	set_num(o, "partial", (int64_t)st->partial);
	set_num(o, "pending", (int64_t)st->pending);
	set_num(o, "processing", (int64_t)st->processing);
	set_num(o, "stale", (int64_t)st->stale);
	pct(text, st->completed, st->completed + st->failed + st->partial);
	outputs_set(o, "success-rate", text);
	set_num(o, "p50-seconds", percentile(st, 50));
	set_num(o, "p90-seconds", percentile(st, 90));
	pct(text, st->fast, st->ndur);
	outputs_set(o, "within-5-minutes", text);
	set_num(o, "minutes", st->minutes);
	usd(text, st->cost_micro);
	outputs_set(o, "cost-usd", text);
	outputs_set(o, "health", st->health);
	outputs_set(o, "json", json != NULL ? json : "");
}

/* The table: jobs by state, by type and by processor, most first. */
static void
summarize_counts(struct summary *s, const struct stats *st)
{
	const struct tallies *groups[] = {&st->states, &st->types, &st->processors};
	const char *names[] = {"state", "type", "processor"};

	summary_table(s, (const char *const[]){"Jobs by", "Value", "Jobs"}, 3);
	for (size_t g = 0; g < 3; g++)
		for (size_t i = 0; i < groups[g]->n; i++) {
			char n[24];

			snprintf(n, sizeof(n), "%zu", groups[g]->v[i].n);
			summary_row(s, (const char *const[]){names[g], groups[g]->v[i].name, n});
		}
}

static void
summarize_cost(struct summary *s, const struct stats *st, const struct config *cfg)
{
	char cost[32];

	usd(cost, st->cost_micro);
	if (cfg->stats_run_id > 0)
		summary_note(s,
			     "Actions minutes: %" PRId64 " (each job rounded up to a whole minute, "
			     "as GitHub bills), %s USD at %s USD a minute once the month's free "
			     "minutes are spent.",
			     st->minutes, cost, cfg->minute_price);
	else
		summary_note(s,
			     "Actions minutes: %" PRId64 " (each job rounded up to a whole minute, "
			     "as GitHub bills); a month at this pace: %" PRId64 " minutes, %" PRId64
			     " beyond the %" PRId64 " free, %s USD at %s USD a minute.",
			     st->minutes, st->projected, st->billable, cfg->free_minutes, cost,
			     cfg->minute_price);
	summary_note(s, "Public repositories run on GitHub's standard hosted runners for free: "
			"the price is for private ones.");
}

static void
summarize(struct summary *s, const struct stats *st, const struct config *cfg, time_t since)
{
	size_t ended = st->completed + st->failed + st->partial;
	char iso[21], rate[PCT_SIZE], fast[PCT_SIZE], why[NOTE_MAX] = "";

	time_format_iso(since, iso);
	pct(rate, st->completed, ended);
	pct(fast, st->fast, st->ndur);
	summarize_counts(s, st);
	if (cfg->stats_run_id > 0)
		summary_note(s, "Jobs of workflow run %" PRId64 ": %zu.", cfg->stats_run_id,
			     st->total);
	else
		summary_note(s, "Jobs created in the last %d hours (since %s): %zu.", cfg->hours,
			     iso, st->total);
	if (ended > 0)
		summary_note(s,
			     "Success rate: %s %% (target 99.5 %%): %zu completed, %zu failed, %zu "
			     "partial.",
			     rate, st->completed, st->failed, st->partial);
	if (st->ndur > 0)
		summary_note(s,
			     "Completed jobs took p50 %" PRId64 " s, p90 %" PRId64
			     " s; %s %% within "
			     "5 minutes (target 90 %%).",
			     percentile(st, 50), percentile(st, 90), fast);
	if (st->stale > 0)
		summary_note(s, "Stale: %zu jobs processing with no sign of life for %d minutes.",
			     st->stale, QUEUE_STALE_S / 60);
	summarize_cost(s, st, cfg);
	for (size_t i = 0; i < st->nreasons; i++)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s", i > 0 ? "; " : ": ",
			 st->reasons[i]);
	summary_note(s, "Health: %s%s.", st->health, why);
}

int
job_stats(struct job_ctx *ctx, struct err *e)
{
	const struct config *cfg = ctx->cfg;
	time_t now = clock_now();
	struct queue_filter f = {.since = now - (time_t)cfg->hours * 3600,
				 .run_id = cfg->stats_run_id};
	struct stats st = {0};
	struct queue_job *jobs;
	size_t n;
	char *json;

	if (queue_jobs_list(ctx->store, &f, &jobs, &n, e) < 0)
		return -1;
	compute(&st, jobs, n, cfg, now);
	judge(&st);
	json = stats_json(&st, cfg, f.since, now);
	if (json == NULL)
		log_warn("stats: the JSON document is over %zu bytes; the json output is empty",
			 JSON_MAX);
	set_outputs(ctx->outs, &st, json);
	summarize(ctx->summary, &st, cfg, f.since);
	log_info("stats: %zu jobs, health %s", st.total, st.health);
	free(json);
	stats_release(&st);
	queue_jobs_free(jobs, n);
	return 0;
}
