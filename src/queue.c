/*
 * queue.c - job rows and progress rows read back as structs (queue.h).
 * Reads only, always with a filter: a table is never read whole. A metadata
 * document that is not a JSON object is read as an empty one.
 */
#include "queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

#define JOBS     "progressive_capture_jobs"
#define PROGRESS "progressive_capture_progress"
#define JOB_COLUMNS                                                                                \
	"id,job_type,processor_type,status,error,created_at,started_at,completed_at,"              \
	"workflow_run_id"

void
queue_job_release(struct queue_job *j)
{
	free(j->id);
	free(j->job_type);
	free(j->processor_type);
	free(j->status);
	free(j->error);
	free(j->run_url);
	memset(j, 0, sizeof(*j));
}

void
queue_progress_release(struct queue_progress *p)
{
	free(p->current_item);
	free(p->resume_cursor);
	memset(p, 0, sizeof(*p));
}

void
queue_jobs_free(struct queue_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		queue_job_release(&jobs[i]);
	free(jobs);
}

/* A time stamp column as epoch seconds; 0 when NULL or not a time stamp. */
static time_t
time_at(const struct rowset *rs, size_t row, const char *col)
{
	const char *s = rowset_text_at(rs, row, col);
	time_t t = 0;

	if (s == NULL || time_parse_iso(s, &t) < 0)
		return 0;
	return t;
}

static int64_t
int_at(const struct rowset *rs, size_t row, const char *col, int64_t none)
{
	int64_t v;

	return rowset_int_at(rs, row, col, &v) == 0 ? v : none;
}

static char *
text_dup(const struct rowset *rs, size_t row, const char *col)
{
	return xstrdup(rowset_text_at(rs, row, col));
}

static void
job_from_row(const struct rowset *rs, size_t row, struct queue_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = text_dup(rs, row, "id");
	j->job_type = text_dup(rs, row, "job_type");
	j->processor_type = text_dup(rs, row, "processor_type");
	j->status = text_dup(rs, row, "status");
	j->error = text_dup(rs, row, "error");
	j->created_at = time_at(rs, row, "created_at");
	j->started_at = time_at(rs, row, "started_at");
	j->completed_at = time_at(rs, row, "completed_at");
	j->workflow_run_id = int_at(rs, row, "workflow_run_id", 0);
}

/* The keys of the metadata document text (NULL: none) that the job takes. */
static void
job_metadata(struct queue_job *j, const char *text)
{
	cJSON *m = text != NULL ? json_parse(text, strlen(text), NULL) : NULL;
	const char *beat = json_str(m, "heartbeat_at");
	time_t t;

	free(j->run_url);
	j->run_url = xstrdup(json_str(m, "workflow_run_url"));
	j->heartbeat_at = beat != NULL && time_parse_iso(beat, &t) == 0 ? t : 0;
	cJSON_Delete(m);
}

int
queue_job_get(struct store *s, const char *job_id, struct queue_job *out, struct err *e)
{
	struct store_filter f = {"id", STORE_EQ, job_id, NULL, 0};
	struct store_query q = {JOBS, JOB_COLUMNS ",metadata", &f, 1, NULL, 1};
	struct rowset rs;
	int rc = store_select(s, &q, &rs, e);

	if (rc == 0 && rs.nrows > 0) {
		job_from_row(&rs, 0, out);
		job_metadata(out, rowset_text_at(&rs, 0, "metadata"));
		rc = 1;
	}
	rowset_release(&rs);
	return rc;
}

int
queue_progress_get(struct store *s, const char *job_id, struct queue_progress *out, struct err *e)
{
	struct store_filter f = {"job_id", STORE_EQ, job_id, NULL, 0};
	struct store_query q = {PROGRESS,
				"id,total_items,processed_items,failed_items,current_item,"
				"resume_cursor,updated_at",
				&f,
				1,
				"id",
				0};
	struct rowset rs;
	size_t latest = 0;
	int rc = store_select(s, &q, &rs, e);

	for (size_t i = 1; rc == 0 && i < rs.nrows; i++)
		if (time_at(&rs, i, "updated_at") > time_at(&rs, latest, "updated_at"))
			latest = i;
	if (rc == 0 && rs.nrows > 0) {
		memset(out, 0, sizeof(*out));
		out->total = int_at(&rs, latest, "total_items", -1);
		out->processed = int_at(&rs, latest, "processed_items", 0);
		out->failed = int_at(&rs, latest, "failed_items", 0);
		out->current_item = text_dup(&rs, latest, "current_item");
		out->resume_cursor = text_dup(&rs, latest, "resume_cursor");
		out->updated_at = time_at(&rs, latest, "updated_at");
		rc = 1;
	}
	rowset_release(&rs);
	return rc;
}

static int
cmp_job_id(const void *a, const void *b)
{
	const struct queue_job *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

/* The job of id among by_id[0..n) (sorted by id), or NULL. */
static struct queue_job *
find_job(struct queue_job **by_id, size_t n, const char *id)
{
	struct queue_job key = {.id = (char *)id};
	struct queue_job *k = &key;
	struct queue_job **hit;

	if (id == NULL)
		return NULL;
	hit = bsearch(&k, by_id, n, sizeof(*by_id), cmp_job_id);
	return hit != NULL ? *hit : NULL;
}

/* The signs of life of the jobs by_id[0..n) (sorted by id): metadata, progress rows. */
static int
read_signs(struct store *s, struct queue_job **by_id, size_t n, struct err *e)
{
	const char **ids = xcalloc(n + 1, sizeof(*ids));
	struct store_query jq = {JOBS, "id,metadata", NULL, 0, "id", 0};
	struct store_query pq = {PROGRESS, "id,job_id,updated_at", NULL, 0, "id", 0};
	struct rowset meta, prog;
	int rc;

	for (size_t i = 0; i < n; i++)
		ids[i] = by_id[i]->id;
	rc = store_select_in(s, &jq, "id", ids, n, &meta, e);
	for (size_t i = 0; rc == 0 && i < meta.nrows; i++) {
		struct queue_job *j = find_job(by_id, n, rowset_text_at(&meta, i, "id"));

		if (j != NULL)
			job_metadata(j, rowset_text_at(&meta, i, "metadata"));
	}
	if (rc == 0)
		rc = store_select_in(s, &pq, "job_id", ids, n, &prog, e);
	else
		rowset_init_list(&prog, PROGRESS, pq.columns);
	for (size_t i = 0; rc == 0 && i < prog.nrows; i++) {
		struct queue_job *j = find_job(by_id, n, rowset_text_at(&prog, i, "job_id"));
		time_t t = time_at(&prog, i, "updated_at");

		if (j != NULL && t > j->progress_at)
			j->progress_at = t;
	}
	rowset_release(&meta);
	rowset_release(&prog);
	free(ids);
	return rc;
}

/* Reads the signs of life of the processing jobs among jobs[0..n). */
static int
processing_signs(struct store *s, struct queue_job *jobs, size_t n, struct err *e)
{
	struct queue_job **by_id = xcalloc(n + 1, sizeof(*by_id));
	size_t m = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (jobs[i].id != NULL && jobs[i].status != NULL &&
		    strcmp(jobs[i].status, "processing") == 0)
			by_id[m++] = &jobs[i];
	if (m > 0) {
		qsort(by_id, m, sizeof(*by_id), cmp_job_id);
		rc = read_signs(s, by_id, m, e);
	}
	free(by_id);
	return rc;
}

int
queue_jobs_list(struct store *s, const struct queue_filter *f, struct queue_job **out, size_t *n,
		struct err *e)
{
	char since[21], run[24];
	struct store_filter by;
	struct store_query q = {JOBS, JOB_COLUMNS, &by, 1, "created_at,id", 0};
	struct rowset rs;
	int rc;

	*out = NULL;
	*n = 0;
	if (f->run_id > 0) {
		snprintf(run, sizeof(run), "%lld", (long long)f->run_id);
		by = (struct store_filter){"workflow_run_id", STORE_EQ, run, NULL, 0};
	} else {
		time_format_iso(f->since, since);
		by = (struct store_filter){"created_at", STORE_GTE, since, NULL, 0};
	}
	rc = store_select(s, &q, &rs, e);
	if (rc == 0 && rs.nrows > 0) {
		*out = xcalloc(rs.nrows, sizeof(**out));
		for (size_t i = 0; i < rs.nrows; i++)
			job_from_row(&rs, i, &(*out)[i]);
		*n = rs.nrows;
		rc = processing_signs(s, *out, *n, e);
	}
	rowset_release(&rs);
	if (rc < 0) {
		queue_jobs_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

time_t
queue_alive_at(const struct queue_job *j)
{
	time_t t = j->started_at != 0 ? j->started_at : j->created_at;

	if (j->heartbeat_at > t)
		t = j->heartbeat_at;
	if (j->progress_at > t)
		t = j->progress_at;
	return t;
}

bool
queue_stale(const struct queue_job *j, time_t now)
{
	time_t alive = queue_alive_at(j);

	return j->status != NULL && strcmp(j->status, "processing") == 0 && alive != 0 &&
	       now - alive > QUEUE_STALE_S;
}
