/*
 * jobs/migrate_inngest.c - migrate-inngest: step 6 of the migration plan,
 * "transfer pending Inngest jobs". The work contributor.info's old queue
 * still holds becomes pending jobs of this one, one per repository and
 * command, dispatched when a workflow is given: its job rows (processor_type
 * inngest, pending, or processing with no sign of life for STALE_S) and the
 * events of an export (events-file, model.h map_inngest_export).
 *
 * Nothing twice: an event naming a job row (jobId) is that row's work; the
 * rows taken become "cancelled" with metadata.migrated_to; every new job
 * lists the items it took (metadata.migrated_from), which a second run
 * skips. What cannot be mapped is listed with its reason, never dropped.
 * Must not: touch a row it does not take, or keep anything of an event's
 * data but what the work needs (their payloads may carry tokens).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "cursor.h"
#include "jobs.h"
#include "log.h"
#include "numlist.h"
#include "progress.h"
#include "util.h"

#define JOBS        "progressive_capture_jobs"
#define STALE_S     600   /* no sign of life for 10 minutes: the run is gone (as 004's reaper) */
#define SKEW_S      86400 /* a day of slack between clocks, looking for earlier migrations */
#define EVENTS_MAX  ((size_t)256 << 20) /* the largest events file read */
#define MIGRATED_BY "progressive-capture migrate-inngest"

/* What became of an item. */
enum fate {
	FATE_OPEN,       /* mapped, not yet given to a job */
	FATE_TAKEN,      /* part of a new job */
	FATE_DUPLICATE,  /* work that is done, running or taken already */
	FATE_UNMAPPABLE, /* no job can do it (why says) */
	FATE_RUNNING     /* a row whose run still shows life: left to the old queue */
};

/* One piece of the old queue's work: a job row or an event. */
struct item {
	bool row;
	size_t event; /* an event: its place in the export, from 1 */
	char *label;  /* "job row <id> (<type>, <status>)", "event 3 (capture/pr.reviews)" */
	char *key;    /* its name in a new job's migrated_from: the row's id, the event's key */
	char *repository_id; /* as given (the row's column, data.repositoryId), then the row's */
	char *repository;    /* owner/name, as given, then as the repositories row has it */
	const char *command; /* the command that does its work */
	int64_t *numbers;    /* its pull requests (per-PR work), or NULL: the repository's */
	size_t n;
	int days;
	time_t made;     /* when it was queued, 0 when not known */
	char *job_id;    /* an event: the job row it names, or NULL */
	bool processing; /* a row in status processing: running unless stale */
	time_t life;     /* such a row's last sign of life, 0 when none */
	bool resolved;   /* its repository_id names a repositories row */
	enum fate fate;
	char *why;  /* duplicate, unmappable, running: why */
	size_t job; /* taken: its new job */
};

/* A job to create: the work of the items of one repository and command. */
struct new_job {
	const char *repository;    /* borrowed from its items */
	const char *repository_id; /* borrowed, or NULL: the run resolves it */
	const char *command;
	int64_t *numbers; /* ascending, unique; NULL: the repository's work */
	size_t n;
	int days;
	size_t nitems;
	char id[UUID_STR_SIZE];
	int64_t run_id;
	char *run_url;
	bool created, dispatched;
	bool done; /* it holds its items: created, dispatched when asked, its rows marked */
};

struct migration {
	struct job_ctx *ctx;
	struct item *items;
	size_t n, cap;
	struct new_job *jobs;
	size_t njobs;
};

/* An earlier migrate-inngest job's item: its key and the job. */
struct earlier {
	char *key;
	char job[UUID_STR_SIZE];
};

static struct item *
add_item(struct migration *m, bool row, const char *label)
{
	struct item *it;

	if (m->n == m->cap) {
		m->cap = m->cap != 0 ? 2 * m->cap : 64;
		m->items = xrealloc(m->items, m->cap * sizeof(*m->items));
	}
	it = &m->items[m->n++];
	*it = (struct item){.row = row, .label = xstrdup(label)};
	return it;
}

/* Sets an item's fate and why (printf-style). */
static void __attribute__((format(printf, 3, 4)))
settle(struct item *it, enum fate fate, const char *fmt, ...)
{
	struct buf b = BUF_INIT(2048);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(it->why);
	it->why = buf_detach(&b);
	it->fate = fate;
}

static void
migration_release(struct migration *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct item *it = &m->items[i];

		free(it->label);
		free(it->key);
		free(it->repository_id);
		free(it->repository);
		free(it->numbers);
		free(it->job_id);
		free(it->why);
	}
	for (size_t i = 0; i < m->njobs; i++) {
		free(m->jobs[i].numbers);
		free(m->jobs[i].run_url);
	}
	free(m->items);
	free(m->jobs);
}

static int64_t *
copy_numbers(const int64_t *v, size_t n)
{
	int64_t *out = n > 0 ? xmalloc(n * sizeof(*out)) : NULL;

	if (n > 0)
		memcpy(out, v, n * sizeof(*out));
	return out;
}

/* Whether a command works on a list of pull requests (else on the repository's branch). */
static bool
takes_numbers(const char *command)
{
	return strcmp(command, "repository-sync") != 0 && strcmp(command, "commit-analysis") != 0;
}

/* "#3,5-7", "14 days", "repository-wide": what an item's or a job's work covers. */
static void
describe_work(struct buf *b, const char *command, const int64_t *numbers, size_t n, int days)
{
	if (command == NULL)
		return;
	buf_printf(b, "%s", command);
	if (n > 0) {
		buf_puts(b, " #");
		numlist_format(b, numbers, n);
	} else if (!takes_numbers(command)) {
		if (days > 0)
			buf_printf(b, ", %d days", days);
	} else {
		buf_puts(b, strcmp(command, "pr-comments") == 0 ? " (repository-wide)"
								: " (the recent PRs lacking it)");
	}
}

/* --- the events file ------------------------------------------------------------- */

/* The command that does an Inngest event's work, and whether it needs PR numbers. */
struct event_work {
	const char *name;
	const char *command;
	bool per_pr;
};

static const struct event_work event_works[] = {
	{"capture/pr.details", "pr-details", true},
	/* Their GraphQL function stored reviews and comments with the details. */
	{"capture/pr.details.graphql", "pr-all", true},
	{"capture/pr.reviews", "pr-reviews", true},
	{"capture/pr.comments", "pr-comments", true},
	{"capture/repository.sync", "repository-sync", false},
	{"capture/repository.sync.graphql", "repository-sync", false},
	{"capture/repository.comments.all", "pr-comments", false},
};

/* Maps an event (read whole) to its work, or settles it as unmappable. */
static void
map_event(struct item *it, const struct inngest_event *ev)
{
	const struct event_work *w = NULL;

	for (size_t i = 0; i < sizeof(event_works) / sizeof(event_works[0]); i++)
		if (strcmp(ev->name, event_works[i].name) == 0)
			w = &event_works[i];
	if (w == NULL) {
		settle(it, FATE_UNMAPPABLE, "no command does the event '%.40s'", ev->name);
		return;
	}
	if (w->per_pr && ev->n_pr_numbers == 0) {
		settle(it, FATE_UNMAPPABLE, "its data names no pull request (prNumber)");
		return;
	}
	it->command = w->command;
	if (w->per_pr) {
		it->numbers = copy_numbers(ev->pr_numbers, ev->n_pr_numbers);
		it->n = ev->n_pr_numbers;
	}
	it->days = ev->days;
	if (it->repository_id == NULL && it->repository == NULL)
		settle(it, FATE_UNMAPPABLE, "its data names no repository (repositoryId)");
}

static void
add_event(struct migration *m, const struct inngest_event *ev)
{
	struct buf label = BUF_INIT(256);
	struct item *it;

	buf_printf(&label, "event %zu", ev->index);
	if (ev->name != NULL)
		buf_printf(&label, " (%.48s)", ev->name);
	it = add_item(m, false, buf_str(&label));
	it->event = ev->index;
	buf_release(&label);
	if (ev->problem != NULL || ev->name == NULL) {
		settle(it, FATE_UNMAPPABLE, "cannot be read: %s",
		       ev->problem != NULL ? ev->problem : "no name");
		return;
	}
	it->key = xstrdup(ev->key);
	it->repository_id = xstrdup(ev->repository_id);
	it->repository = xstrdup(ev->repository);
	it->job_id = xstrdup(ev->job_id);
	it->made = (time_t)(ev->ts_ms / 1000);
	map_event(it, ev);
}

static int
read_events(struct migration *m, struct err *e)
{
	const char *path = m->ctx->cfg->events_file;
	struct inngest_export x;
	struct buf b = BUF_INIT(EVENTS_MAX);
	size_t len;
	char *text;

	if (path == NULL)
		return 0;
	if (buf_read_file(&b, path) < 0) {
		int err = errno;

		buf_release(&b);
		return err_set(e, ERR_INPUT, "events-file '%s': %s", path,
			       err == EFBIG ? "larger than 256 MiB" : strerror(err));
	}
	len = b.len;
	text = buf_detach(&b);
	if (map_inngest_export(text, len, &x, e) < 0) {
		free(text);
		return err_prefix(e, "'%s': ", path);
	}
	for (size_t i = 0; i < x.n; i++)
		add_event(m, &x.events[i]);
	log_info("%s: %zu events", path, x.n);
	inngest_export_release(&x);
	free(text);
	return 0;
}

/* --- the old queue's job rows -------------------------------------------------------- */

/* The command of an old job type: with PR numbers, and without (the repository's work). */
struct type_work {
	const char *type;
	const char *with_prs, *without;
};

static const struct type_work type_works[] = {
	{"pr-details", "pr-details", "pr-details"},
	{"bulk-file-changes", "pr-details", "pr-details"},
	{"reviews", "pr-reviews", "pr-reviews"},
	{"historical-reviews-sync", "pr-reviews", "pr-reviews"},
	{"comments", "pr-comments", "pr-comments"},
	{"historical-comments-sync", "pr-comments", "pr-comments"},
	/* Inngest ran it as capture/repository.sync.graphql over time_range_days. */
	{"historical-pr-sync", "pr-all", "repository-sync"},
	{"recent-prs", "repository-sync", "repository-sync"},
	{"commit_pr_check", "commit-analysis", "commit-analysis"},
};

/* Maps a row to its work, or settles it as unmappable. */
static void
map_row(struct item *it, const char *type, const struct job_metadata *md)
{
	const struct type_work *w = NULL;

	for (size_t i = 0; i < sizeof(type_works) / sizeof(type_works[0]); i++)
		if (strcmp(type, type_works[i].type) == 0)
			w = &type_works[i];
	if (w == NULL) {
		settle(it, FATE_UNMAPPABLE, "no command does the job type '%.40s'", type);
		return;
	}
	if (md->bad_pr_numbers) {
		settle(it, FATE_UNMAPPABLE, "its metadata.pr_numbers is no list of pull requests");
		return;
	}
	it->command = md->n_pr_numbers > 0 ? w->with_prs : w->without;
	if (md->n_pr_numbers > 0 && takes_numbers(it->command)) {
		it->numbers = copy_numbers(md->pr_numbers, md->n_pr_numbers);
		it->n = md->n_pr_numbers;
	}
	if (it->repository_id == NULL && it->repository == NULL)
		settle(it, FATE_UNMAPPABLE, "it names no repository (repository_id)");
}

/* Moves an item's last sign of life to the time stamp iso, when later. */
static void
lived(struct item *it, const char *iso)
{
	time_t t;

	if (iso != NULL && time_parse_iso(iso, &t) == 0 && t > it->life)
		it->life = t;
}

static void
add_row(struct migration *m, const struct rowset *rs, size_t r)
{
	const char *id = rowset_text_at(rs, r, "id");
	const char *type = rowset_text_at(rs, r, "job_type");
	const char *status = rowset_text_at(rs, r, "status");
	const char *started = rowset_text_at(rs, r, "started_at");
	const char *created = rowset_text_at(rs, r, "created_at");
	struct buf label = BUF_INIT(256);
	struct job_metadata md;
	struct item *it;
	int64_t days;

	buf_printf(&label, "job row %s (%.24s, %.10s)", id != NULL ? id : "?",
		   type != NULL ? type : "?", status != NULL ? status : "?");
	it = add_item(m, true, buf_str(&label));
	buf_release(&label);
	map_job_metadata(rowset_text_at(rs, r, "metadata"), &md);
	it->key = xstrdup(id);
	it->repository_id = xstrdup(rowset_text_at(rs, r, "repository_id"));
	it->repository = xstrdup(md.repository_name);
	if (rowset_int_at(rs, r, "time_range_days", &days) == 0 && days > 0 && days <= 3650)
		it->days = (int)days;
	if (created != NULL)
		(void)time_parse_iso(created, &it->made);
	it->processing = status != NULL && strcmp(status, "processing") == 0;
	/* As 004's reaper: the latest of started_at (else created_at), heartbeat, progress. */
	lived(it, started != NULL ? started : created);
	lived(it, md.heartbeat_at);
	if (id == NULL || !uuid_valid(id))
		settle(it, FATE_UNMAPPABLE, "its id is not a UUID");
	else
		map_row(it, type != NULL ? type : "", &md);
	job_metadata_release(&md);
}

/* The processing rows among items[first..): their progress rows' heartbeats; live ones stay. */
static int
read_heartbeats(struct migration *m, size_t first, struct err *e)
{
	const struct store_query q = {.table = "progressive_capture_progress",
				      .columns = "job_id,updated_at",
				      .order = "job_id,updated_at"};
	const char **ids = xcalloc(m->n - first + 1, sizeof(*ids));
	time_t now = clock_now();
	struct rowset rs;
	size_t k = 0;
	int rc;

	for (size_t i = first; i < m->n; i++)
		if (m->items[i].processing && uuid_valid(m->items[i].key))
			ids[k++] = m->items[i].key;
	rc = store_select_in(m->ctx->store, &q, "job_id", ids, k, &rs, e);
	for (size_t r = 0; rc == 0 && r < rs.nrows; r++)
		for (size_t i = first; i < m->n; i++)
			if (m->items[i].processing &&
			    strcmp(m->items[i].key, rowset_text_at(&rs, r, "job_id")) == 0)
				lived(&m->items[i], rowset_text_at(&rs, r, "updated_at"));
	for (size_t i = first; rc == 0 && i < m->n; i++) {
		struct item *it = &m->items[i];

		if (it->processing && now - it->life < STALE_S)
			settle(it, FATE_RUNNING,
			       "still running: its last sign of life was %lld s ago",
			       (long long)(now - it->life));
	}
	rowset_release(&rs);
	free(ids);
	return rc;
}

static int
read_rows(struct migration *m, struct err *e)
{
	static const char *const statuses[] = {"pending", "processing"};
	const struct store_filter f[] = {
		{"processor_type", STORE_EQ, "inngest", NULL, 0},
		{"status", STORE_IN, NULL, statuses, 2},
	};
	const struct store_query q = {
		.table = JOBS,
		.columns = "id,job_type,status,repository_id,time_range_days,metadata,created_at,"
			   "started_at",
		.filters = f,
		.nfilters = 2,
		.order = "created_at,id"};
	size_t first = m->n;
	struct rowset rs;
	int rc = store_select(m->ctx->store, &q, &rs, e);

	for (size_t r = 0; rc == 0 && r < rs.nrows; r++)
		add_row(m, &rs, r);
	if (rc == 0)
		log_info("the old queue: %zu job rows pending or processing", rs.nrows);
	rowset_release(&rs);
	return rc == 0 ? read_heartbeats(m, first, e) : -1;
}

/* --- the same work twice -------------------------------------------------------------- */

/* Items by key, and in their order where keys are equal. */
static int
by_key(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : (x > y) - (x < y);
}

/* The rows (every one) or the open events, sorted by key; *n of them. Caller frees. */
static struct item **
sorted_by_key(const struct migration *m, bool rows, size_t *n)
{
	struct item **v = xcalloc(m->n + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < m->n; i++) {
		struct item *it = &m->items[i];

		if (it->row == rows && it->key != NULL && (rows || it->fate == FATE_OPEN))
			v[(*n)++] = it;
	}
	qsort(v, *n, sizeof(*v), by_key);
	return v;
}

/* The item of the sorted v[0..n) whose key is key, or NULL. */
static struct item *
find_key(struct item *const *v, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid]->key, key);

		if (c == 0)
			return v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* An event whose key an earlier one of the file has: the same work sent twice. */
static void
same_events(struct migration *m)
{
	size_t n;
	struct item **v = sorted_by_key(m, false, &n);

	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i]->key, v[i - 1]->key) == 0)
			settle(v[i], FATE_DUPLICATE, "the same work as event %zu", v[i - 1]->event);
	free(v);
}

/* Events naming rows this run does not hold: those rows say what became of the work. */
static int
other_rows(struct migration *m, const char **ids, size_t k, struct err *e)
{
	const struct store_query q = {
		.table = JOBS, .columns = "id,status,metadata", .order = "id"};
	struct rowset rs;
	int rc = store_select_in(m->ctx->store, &q, "id", ids, k, &rs, e);

	for (size_t r = 0; rc == 0 && r < rs.nrows; r++) {
		const char *id = rowset_text_at(&rs, r, "id");
		const char *status = rowset_text_at(&rs, r, "status");
		struct job_metadata md;

		map_job_metadata(rowset_text_at(&rs, r, "metadata"), &md);
		for (size_t i = 0; id != NULL && i < m->n; i++) {
			struct item *it = &m->items[i];

			if (!it->row && it->fate == FATE_OPEN && it->job_id != NULL &&
			    strcmp(it->job_id, id) == 0)
				settle(it, FATE_DUPLICATE, "the work of job row %s, %.20s", id,
				       status != NULL ? status : "of no status");
		}
		job_metadata_release(&md);
	}
	rowset_release(&rs);
	return rc;
}

/* An event whose jobId names a job row is that row's work, whatever became of the row. */
static int
named_rows(struct migration *m, struct err *e)
{
	size_t nrows, k = 0;
	struct item **rows = sorted_by_key(m, true, &nrows);
	const char **ids = xcalloc(m->n + 1, sizeof(*ids));
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		struct item *it = &m->items[i];
		struct item *row;

		if (it->row || it->fate != FATE_OPEN || !uuid_valid(it->job_id))
			continue;
		row = find_key(rows, nrows, it->job_id);
		if (row == NULL)
			ids[k++] = it->job_id;
		else
			settle(it, FATE_DUPLICATE, "the work of job row %s%s", row->key,
			       row->fate == FATE_RUNNING ? ", still running" : "");
	}
	rc = other_rows(m, ids, k, e);
	free(ids);
	free(rows);
	return rc;
}

/* --- what earlier runs took ------------------------------------------------------------ */

static int
by_earlier_key(const void *a, const void *b)
{
	return strcmp(((const struct earlier *)a)->key, ((const struct earlier *)b)->key);
}

/* Adds the items a migrate-inngest job row lists to *v (a job whose dispatch was refused took none). */
static void
add_earlier(const struct rowset *rs, size_t r, struct earlier **v, size_t *n)
{
	const char *id = rowset_text_at(rs, r, "id");
	const char *status = rowset_text_at(rs, r, "status");
	struct job_metadata md;

	map_job_metadata(rowset_text_at(rs, r, "metadata"), &md);
	if (id != NULL && uuid_valid(id) && md.created_by != NULL &&
	    strcmp(md.created_by, MIGRATED_BY) == 0 &&
	    !(status != NULL && strcmp(status, "failed") == 0 &&
	      rowset_text_at(rs, r, "started_at") == NULL)) {
		*v = xrealloc(*v, (*n + md.n_migrated_from + 1) * sizeof(**v));
		for (size_t i = 0; i < md.n_migrated_from; i++) {
			(*v)[*n].key = md.migrated_from[i];
			md.migrated_from[i] = NULL;
			snprintf((*v)[(*n)++].job, UUID_STR_SIZE, "%s", id);
		}
	}
	job_metadata_release(&md);
}

/* When the oldest open item was queued; 0 when one of them does not say. */
static time_t
oldest_open(const struct migration *m)
{
	time_t oldest = 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct item *it = &m->items[i];

		if (it->fate != FATE_OPEN)
			continue;
		if (it->made == 0)
			return 0;
		if (oldest == 0 || it->made < oldest)
			oldest = it->made;
	}
	return oldest;
}

/*
 * The items earlier runs gave to jobs, sorted by key: read from the jobs of
 * this queue created since the oldest open item was queued (all of them when
 * that is not known).
 */
static int
read_earlier(const struct migration *m, struct earlier **v, size_t *n, struct err *e)
{
	struct store_filter f[2] = {{"processor_type", STORE_EQ, "github_actions", NULL, 0}};
	struct store_query q = {.table = JOBS,
				.columns = "id,status,started_at,metadata",
				.filters = f,
				.nfilters = 1,
				.order = "created_at,id"};
	time_t oldest = oldest_open(m);
	char since[21];
	struct rowset rs;
	int rc;

	if (oldest > SKEW_S) {
		time_format_iso(oldest - SKEW_S, since);
		f[1] = (struct store_filter){"created_at", STORE_GTE, since, NULL, 0};
		q.nfilters = 2;
	}
	*v = NULL;
	*n = 0;
	rc = store_select(m->ctx->store, &q, &rs, e);
	for (size_t r = 0; rc == 0 && r < rs.nrows; r++)
		add_earlier(&rs, r, v, n);
	rowset_release(&rs);
	if (*n > 0)
		qsort(*v, *n, sizeof(**v), by_earlier_key);
	return rc;
}

/* Marks a row taken by job: cancelled, metadata.migrated_to (its other keys kept). */
static int
mark_row(struct migration *m, const struct item *it, const char *job, struct err *e)
{
	char now[21], error[160], meta[160];

	time_format_iso(clock_now(), now);
	snprintf(error, sizeof(error), "migrated to GitHub Actions: progressive-capture job %s",
		 job);
	snprintf(meta, sizeof(meta), "{\"migrated_to\":\"%s\",\"migrated_at\":\"%s\"}", job, now);
	if (progress_mark(m->ctx->store, it->key, "cancelled", error, meta, e) < 0)
		return err_prefix(e, "marking job row %s: ", it->key);
	return 0;
}

/*
 * Open items an earlier run gave to a job are skipped; a row among them that
 * run could not mark (it stopped in between) is marked now.
 */
static int
skip_migrated(struct migration *m, struct err *e)
{
	struct earlier *v;
	size_t n;
	int rc = read_earlier(m, &v, &n, e);

	for (size_t i = 0; rc == 0 && i < m->n; i++) {
		struct item *it = &m->items[i];
		struct earlier probe = {.key = it->key};
		const struct earlier *hit;

		if (it->fate != FATE_OPEN || it->key == NULL || n == 0)
			continue;
		hit = bsearch(&probe, v, n, sizeof(*v), by_earlier_key);
		if (hit == NULL)
			continue;
		settle(it, FATE_DUPLICATE, "migrated before, to job %s", hit->job);
		if (it->row)
			rc = mark_row(m, it, hit->job, e);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
	return rc;
}

/* --- repositories ----------------------------------------------------------------- */

/* Sets the open items' repository from rows (id, full_name) matching column. */
static void
take_repositories(struct migration *m, const struct rowset *rs, bool by_id)
{
	for (size_t i = 0; i < m->n; i++) {
		struct item *it = &m->items[i];
		const char *mine = by_id ? it->repository_id : it->repository;

		if (it->fate != FATE_OPEN || mine == NULL || (!by_id && it->repository_id != NULL))
			continue;
		for (size_t r = 0; r < rs->nrows; r++) {
			const char *id = rowset_text_at(rs, r, "id");
			const char *name = rowset_text_at(rs, r, "full_name");

			if (id == NULL || name == NULL || strcmp(by_id ? id : name, mine) != 0)
				continue;
			free(it->repository_id);
			free(it->repository);
			it->repository_id = xstrdup(id);
			it->repository = xstrdup(name);
			it->resolved = true;
			break; /* mine was one of the two */
		}
	}
}

/* Reads the repositories rows whose column is one of the open items' values. */
static int
repositories_by(struct migration *m, bool by_id, struct err *e)
{
	const struct store_query q = {
		.table = "repositories", .columns = "id,full_name", .order = "id"};
	const char **vals = xcalloc(m->n + 1, sizeof(*vals));
	struct rowset rs;
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		const struct item *it = &m->items[i];

		if (it->fate == FATE_OPEN && by_id && it->repository_id != NULL)
			vals[k++] = it->repository_id;
		else if (it->fate == FATE_OPEN && !by_id && it->repository_id == NULL)
			vals[k++] = it->repository;
	}
	rc = store_select_in(m->ctx->store, &q, by_id ? "id" : "full_name", vals, k, &rs, e);
	if (rc == 0)
		take_repositories(m, &rs, by_id);
	rowset_release(&rs);
	free(vals);
	return rc;
}

/*
 * Each open item's repository: a repositoryId must name a row (whose
 * owner/name the job takes); a name alone is looked up, and kept as it is
 * when no row has it (the capture run creates the row).
 */
static int
resolve_repositories(struct migration *m, struct err *e)
{
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		struct item *it = &m->items[i];

		if (it->fate == FATE_OPEN && it->repository_id != NULL &&
		    !uuid_valid(it->repository_id))
			settle(it, FATE_UNMAPPABLE, "its repository id '%.40s' is not a UUID",
			       it->repository_id);
	}
	rc = repositories_by(m, true, e);
	if (rc == 0)
		rc = repositories_by(m, false, e);
	for (size_t i = 0; rc == 0 && i < m->n; i++) {
		struct item *it = &m->items[i];

		if (it->fate == FATE_OPEN && it->repository_id != NULL && !it->resolved)
			settle(it, FATE_UNMAPPABLE, "repository %s has no row in repositories",
			       it->repository_id);
	}
	return rc;
}

/* --- the new jobs ---------------------------------------------------------------------- */

/* Items by repository (any case), per-PR work first, command; then in their order. */
static int
by_work(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	int c = strcasecmp(x->repository, y->repository);

	if (c == 0 && (x->n > 0) != (y->n > 0))
		c = x->n > 0 ? -1 : 1;
	if (c == 0)
		c = strcmp(x->command, y->command);
	return c != 0 ? c : (x > y) - (x < y);
}

static bool
same_job(const struct item *x, const struct item *y)
{
	return strcasecmp(x->repository, y->repository) == 0 && (x->n > 0) == (y->n > 0) &&
	       strcmp(x->command, y->command) == 0;
}

/*
 * A repository whose pull requests are wanted for more than one part
 * (details, reviews, comments) makes one pr-all job for all of them: one
 * GraphQL pass instead of one job per part.
 */
static void
one_pass(struct item **v, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t end = i + 1;
		bool mixed = false;

		while (end < n && v[end]->n > 0 && v[i]->n > 0 &&
		       strcasecmp(v[end]->repository, v[i]->repository) == 0) {
			mixed |= strcmp(v[end]->command, v[i]->command) != 0;
			end++;
		}
		for (size_t k = i; mixed && k < end; k++)
			v[k]->command = "pr-all";
		i = end;
	}
}

static int
by_number(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Gives it to job j. */
static void
join(struct migration *m, size_t j, struct item *it)
{
	struct new_job *job = &m->jobs[j];

	if (job->nitems++ == 0) {
		job->repository = it->repository;
		job->command = it->command;
	}
	if (job->repository_id == NULL && it->resolved)
		job->repository_id = it->repository_id;
	if (it->days > job->days)
		job->days = it->days;
	if (it->n > 0) {
		job->numbers = xrealloc(job->numbers, (job->n + it->n) * sizeof(int64_t));
		memcpy(job->numbers + job->n, it->numbers, it->n * sizeof(int64_t));
		job->n += it->n;
	}
	it->fate = FATE_TAKEN;
	it->job = j;
}

/* The open items, one job per repository and command (numbers ascending, once each). */
static void
plan_jobs(struct migration *m)
{
	struct item **v = xcalloc(m->n + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->items[i].fate == FATE_OPEN)
			v[n++] = &m->items[i];
	qsort(v, n, sizeof(*v), by_work);
	one_pass(v, n);
	m->jobs = xcalloc(n + 1, sizeof(*m->jobs));
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || !same_job(v[i - 1], v[i]))
			m->njobs++;
		join(m, m->njobs - 1, v[i]);
	}
	for (size_t j = 0; j < m->njobs; j++) {
		struct new_job *job = &m->jobs[j];
		size_t k = 0;

		if (job->n > 0)
			qsort(job->numbers, job->n, sizeof(int64_t), by_number);
		for (size_t i = 0; i < job->n; i++)
			if (k == 0 || job->numbers[i] != job->numbers[k - 1])
				job->numbers[k++] = job->numbers[i];
		job->n = k;
	}
	free(v);
}

/* The new job's metadata of its own: the items it took, its pull requests. */
static void
taken_json(const struct migration *m, size_t j, struct buf *b)
{
	const struct new_job *job = &m->jobs[j];
	char now[21];
	bool first = true;

	time_format_iso(clock_now(), now);
	buf_printf(b, "{\"migrated_at\":\"%s\",\"migrated_from\":[", now);
	/* Keys are UUIDs, "id:" ids of [A-Za-z0-9._:-], "h:" hashes: nothing to escape. */
	for (size_t i = 0; i < m->n; i++) {
		const struct item *it = &m->items[i];

		if (it->fate == FATE_TAKEN && it->job == j) {
			buf_printf(b, "%s\"%s\"", first ? "" : ",", it->key);
			first = false;
		}
	}
	buf_puts(b, "]");
	for (size_t i = 0; i < job->n; i++)
		buf_printf(b, "%s%lld", i == 0 ? ",\"pr_numbers\":[" : ",",
			   (long long)job->numbers[i]);
	buf_puts(b, job->n > 0 ? "]}" : "}");
}

/* Creates job j: pending, its pull requests as its cursor. */
static int
create_job(struct migration *m, size_t j, struct err *e)
{
	const struct config *cfg = m->ctx->cfg;
	struct new_job *job = &m->jobs[j];
	struct buf cursor = BUF_INIT((size_t)1 << 22), meta = BUF_INIT((size_t)1 << 26);
	const struct job_meta keys[] = {
		{"created_by", MIGRATED_BY, 0},
		{"workflow", cfg->workflow, 0},
		{"workflow_type", "workflow_dispatch", 0},
	};
	int rc;

	taken_json(m, j, &meta);
	if (job->n > 0)
		cursor_format(&cursor, job->command, job->numbers, job->n);
	if (buf_failed(&meta) || buf_failed(&cursor))
		rc = err_set(e, ERR_INPUT, "the job of %s %s takes too many items or pull requests",
			     job->command, job->repository);
	else
		rc = progress_queue(
			m->ctx->store,
			&(struct job_queued){.job_type = jobs_job_type(job->command),
					     .command = job->command,
					     .repository = job->repository,
					     .repository_id = job->repository_id,
					     .time_range = job->days,
					     .meta = keys,
					     .nmeta = cfg->workflow != NULL ? 3 : 1,
					     .total = job->n,
					     .cursor = job->n > 0 ? buf_str(&cursor) : NULL,
					     .meta_json = buf_str(&meta)},
			job->id, e);
	job->created = rc == 0;
	buf_release(&cursor);
	buf_release(&meta);
	return rc;
}

/* Starts the workflow for job j with its command, repository and pull requests. */
static int
dispatch_job(struct migration *m, size_t j, struct err *e)
{
	struct new_job *job = &m->jobs[j];
	struct buf prs = BUF_INIT((size_t)1 << 20);
	const char *names[] = {"command", "repository", "pr-numbers"};
	const char *values[3] = {job->command, job->repository, NULL};
	int rc;

	numlist_format(&prs, job->numbers, job->n);
	values[2] = buf_str(&prs);
	rc = jobs_dispatch_job(m->ctx, job->id, names, values, job->n > 0 ? 3 : 2, &job->run_id,
			       &job->run_url, e);
	job->dispatched = rc == 0;
	buf_release(&prs);
	return rc;
}

/* Each job created (and dispatched), then its rows marked; stops at the first failure. */
static int
carry_out(struct migration *m, struct err *e)
{
	const struct config *cfg = m->ctx->cfg;

	for (size_t j = 0; j < m->njobs; j++) {
		const struct new_job *job = &m->jobs[j];
		struct buf work = BUF_INIT(512);

		if (create_job(m, j, e) < 0 ||
		    (cfg->workflow != NULL && !cfg->dry_run && dispatch_job(m, j, e) < 0))
			return -1;
		for (size_t i = 0; i < m->n; i++) {
			const struct item *it = &m->items[i];

			if (it->row && it->fate == FATE_TAKEN && it->job == j &&
			    mark_row(m, it, job->id, e) < 0)
				return -1;
		}
		m->jobs[j].done = true;
		describe_work(&work, job->command, job->numbers, job->n, job->days);
		log_info("job %s: %s on %s, from %zu item%s", cfg->dry_run ? "(dry run)" : job->id,
			 buf_str(&work), job->repository, job->nitems, job->nitems == 1 ? "" : "s");
		buf_release(&work);
	}
	return 0;
}

/* --- what it did ----------------------------------------------------------------------- */

/* The summary's row of an item: what it was, and what became of it. */
static void
item_row(const struct migration *m, const struct item *it)
{
	const struct new_job *job = it->fate == FATE_TAKEN ? &m->jobs[it->job] : NULL;
	struct buf work = BUF_INIT(512), outcome = BUF_INIT(256);
	const char *cells[5];

	describe_work(&work, it->command, it->numbers, it->n, it->days);
	if ((job != NULL && !job->done) || it->fate == FATE_OPEN)
		buf_puts(&outcome, "not migrated");
	else if (job != NULL && m->ctx->cfg->dry_run)
		buf_puts(&outcome, "to a new job (dry run)");
	else if (job != NULL)
		buf_printf(&outcome, "to job %s", job->id);
	else
		buf_puts(&outcome, it->fate == FATE_UNMAPPABLE ? "not migrated"
				   : it->fate == FATE_RUNNING  ? "left to the old queue"
							       : "skipped");
	cells[0] = it->label;
	cells[1] = it->repository != NULL      ? it->repository
		   : it->repository_id != NULL ? it->repository_id
					       : "";
	cells[2] = buf_str(&work);
	cells[3] = buf_str(&outcome);
	cells[4] = it->why != NULL ? it->why
		   : job != NULL && job->created && !job->done
			   ? "its job could not start (run again)"
		   : (job != NULL && !job->done) || it->fate == FATE_OPEN
			   ? "the run stopped before its job (run again)"
			   : "";
	summary_row(m->ctx->summary, cells);
	buf_release(&work);
	buf_release(&outcome);
}

/* A note per job: its work, what it took, its run. */
static void
job_note(const struct migration *m, const struct new_job *job)
{
	const struct config *cfg = m->ctx->cfg;
	struct buf work = BUF_INIT(4096);

	describe_work(&work, job->command, job->numbers, job->n, job->days);
	summary_note(m->ctx->summary, "%s%s: %s on %s, from %zu item%s%s%s%s.",
		     cfg->dry_run ? "A new job" : "Job ", cfg->dry_run ? "" : job->id,
		     buf_str(&work), job->repository, job->nitems, job->nitems == 1 ? "" : "s",
		     job->dispatched ? "; dispatched: "
		     : job->done     ? ""
				 : "; it could not start, and its items stay with the old queue",
		     job->dispatched && job->run_url != NULL ? job->run_url : "",
		     job->dispatched && job->run_url == NULL ? "its run not known yet" : "");
	buf_release(&work);
}

/* Counts of the items in each fate, and of the jobs. */
struct tally {
	size_t fates[FATE_RUNNING + 1];
	size_t jobs, dispatched, merged;
};

static struct tally
count(const struct migration *m)
{
	struct tally t = {0};

	for (size_t i = 0; i < m->n; i++) {
		const struct item *it = &m->items[i];

		/* Taken by a job that did not get done: not migrated after all. */
		t.fates[it->fate == FATE_TAKEN && !m->jobs[it->job].done ? FATE_OPEN : it->fate]++;
	}
	for (size_t j = 0; j < m->njobs; j++) {
		t.jobs += m->jobs[j].done;
		t.dispatched += m->jobs[j].dispatched;
		t.merged += m->jobs[j].done ? m->jobs[j].nitems - 1 : 0;
	}
	return t;
}

static void
set_outputs(const struct migration *m, const struct tally *t)
{
	struct outputs *o = m->ctx->outs;
	struct buf ids = BUF_INIT((size_t)1 << 20);
	char num[32];

#define SETN(k, v)                                                                                 \
	do {                                                                                       \
		snprintf(num, sizeof(num), "%zu", (v));                                            \
		outputs_set(o, (k), num);                                                          \
	} while (0)
	SETN("jobs", t->jobs);
	SETN("dispatched", t->dispatched);
	SETN("merged", t->merged);
	SETN("skipped-duplicates", t->fates[FATE_DUPLICATE]);
	SETN("unmappable", t->fates[FATE_UNMAPPABLE]);
#undef SETN
	for (size_t j = 0; j < m->njobs && !m->ctx->cfg->dry_run; j++)
		if (m->jobs[j].done)
			buf_printf(&ids, "%s%s", ids.len > 0 ? "\n" : "", m->jobs[j].id);
	outputs_set(o, "job-ids", buf_str(&ids));
	buf_release(&ids);
}

static void
report(const struct migration *m)
{
	static const char *const headers[] = {"Item", "Repository", "Work", "Outcome", "Why"};
	static const enum fate order[] = {FATE_UNMAPPABLE, FATE_TAKEN, FATE_OPEN, FATE_DUPLICATE,
					  FATE_RUNNING};
	struct tally t = count(m);

	set_outputs(m, &t);
	summary_note(m->ctx->summary,
		     "%zu item%s of the old queue: %zu migrated into %zu job%s (%zu merged into "
		     "another's job), %zu dispatched; %zu skipped as duplicates; %zu not "
		     "migrated (below, with the reason); %zu left to the old queue (running).",
		     m->n, m->n == 1 ? "" : "s", t.fates[FATE_TAKEN], t.jobs,
		     t.jobs == 1 ? "" : "s", t.merged, t.dispatched, t.fates[FATE_DUPLICATE],
		     t.fates[FATE_UNMAPPABLE] + t.fates[FATE_OPEN], t.fates[FATE_RUNNING]);
	if (m->ctx->cfg->dry_run)
		summary_note(m->ctx->summary,
			     "Dry run: nothing was written and nothing "
			     "dispatched; the jobs are those a real run would create.");
	for (size_t j = 0; j < m->njobs; j++)
		if (m->jobs[j].created)
			job_note(m, &m->jobs[j]);
	summary_table(m->ctx->summary, headers, 5);
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		for (size_t i = 0; i < m->n; i++)
			if (m->items[i].fate == order[o])
				item_row(m, &m->items[i]);
	if (t.fates[FATE_UNMAPPABLE] > 0)
		log_warn("%zu item%s of the old queue cannot be migrated and were left as they are "
			 "(the step summary says why)",
			 t.fates[FATE_UNMAPPABLE], t.fates[FATE_UNMAPPABLE] == 1 ? "" : "s");
}

int
check_migrate_inngest(const struct config *cfg, struct err *e)
{
	const char *r = cfg->dispatch_repository;
	const char *slash = r != NULL ? strchr(r, '/') : NULL;

	if (cfg->events_file != NULL && access(cfg->events_file, R_OK) != 0)
		return err_set(e, ERR_INPUT, "events-file '%s' cannot be read: %s",
			       cfg->events_file, strerror(errno));
	if (cfg->workflow == NULL)
		return 0;
	if (slash == NULL || slash == r || slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
		return err_set(e, ERR_INPUT,
			       "migrate-inngest with a workflow needs workflow-repository as "
			       "owner/name (where the workflow lives)");
	if (cfg->n_tokens == 0 && !cfg->dry_run)
		return err_set(e, ERR_INPUT,
			       "migrate-inngest with a workflow needs a github-token that may "
			       "dispatch it (actions: write)");
	return 0;
}

int
job_migrate_inngest(struct job_ctx *ctx, struct err *e)
{
	struct migration m = {.ctx = ctx};
	int rc = read_events(&m, e);

	if (rc == 0)
		rc = read_rows(&m, e);
	if (rc == 0) {
		same_events(&m);
		rc = named_rows(&m, e);
	}
	if (rc == 0)
		rc = skip_migrated(&m, e);
	if (rc == 0)
		rc = resolve_repositories(&m, e);
	if (rc == 0) {
		plan_jobs(&m);
		rc = carry_out(&m, e);
	}
	report(&m);
	migration_release(&m);
	return rc;
}
