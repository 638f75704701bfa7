/*
 * progress.c - the job row and the progress row of one run.
 * Must not lose a job's existing metadata (other systems write keys there).
 */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "log.h"
#include "util.h"
#include "version.h"

#define JOBS     "progressive_capture_jobs"
#define PROGRESS "progressive_capture_progress"

struct progress {
	struct store *store;
	char job_id[UUID_STR_SIZE];
	char progress_id[UUID_STR_SIZE];
	cJSON *metadata; /* the job row's metadata object, ours merged in */
	size_t total, processed, failed;
	char *current;
	cJSON *errors;      /* array of {item, error, at}, the newest PROGRESS_MAX_ERRORS */
	char *cursor;       /* this run's resume cursor */
	char *found_cursor; /* the one an earlier run of the job left */
	int64_t last_patch_ms;
	int64_t last_job_touch_ms;
	bool in_heartbeat;
	bool heartbeat_warned;
};

static int touch_job(struct progress *p, struct err *e);

const char *
job_status_name(enum job_status s)
{
	switch (s) {
	case JOB_COMPLETED: return "completed";
	case JOB_PARTIAL: return "partial";
	case JOB_FAILED: return "failed";
	}
	return "failed";
}

static void
now_iso(char out[21])
{
	time_format_iso(clock_now(), out);
}

static struct store_filter
by_id(const char *column, const char *id)
{
	struct store_filter f = {column, STORE_EQ, id, NULL, 0};

	return f;
}

/* Adds or replaces key in obj with item (attached). */
static void
put(cJSON *obj, const char *key, cJSON *item)
{
	/* A copy: key may be item's own name, which cJSON frees while replacing. */
	char *k = xstrdup(key);

	if (cJSON_HasObjectItem(obj, k))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, k, item);
	else
		cJSON_AddItemToObject(obj, k, item);
	free(k);
}

/* Adds the keys of the JSON object text json (NULL, or not an object: none) to obj. */
static void
merge_json(cJSON *obj, const char *json)
{
	cJSON *extra = json != NULL ? cJSON_Parse(json) : NULL;
	cJSON *it = extra != NULL && cJSON_IsObject(extra) ? extra->child : NULL;

	while (it != NULL) {
		cJSON *next = it->next;

		put(obj, it->string, cJSON_DetachItemViaPointer(extra, it));
		it = next;
	}
	cJSON_Delete(extra);
}

static void
merge_metadata(struct progress *p, const struct progress_options *o)
{
	cJSON *m = p->metadata;

	put(m, "repository_name", cJSON_CreateString(o->repository != NULL ? o->repository : ""));
	put(m, "processor", cJSON_CreateString(PC_NAME " " PC_VERSION));
	if (o->command != NULL)
		put(m, "command", cJSON_CreateString(o->command));
	if (o->run_url != NULL)
		put(m, "workflow_run_url", cJSON_CreateString(o->run_url));
	if (o->n_pr_numbers > 0) {
		cJSON *arr = cJSON_CreateArray();

		for (size_t i = 0; i < o->n_pr_numbers; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)o->pr_numbers[i]));
		put(m, "pr_numbers", arr);
	}
}

static int
find_job(struct progress *p, const char *job_id, struct err *e)
{
	struct store_filter f = by_id("id", job_id);
	struct store_query q = {JOBS, "id,status,metadata", &f, 1, NULL, 1};
	struct rowset rs;
	const char *meta;
	int rc = -1;

	if (store_select(p->store, &q, &rs, e) < 0)
		goto out;
	if (rs.nrows == 0) {
		err_set(e, ERR_NOT_FOUND,
			"job '%s' not found in %s (create it first, or omit job-id)", job_id, JOBS);
		goto out;
	}
	meta = rowset_text_at(&rs, 0, "metadata");
	p->metadata = meta != NULL ? cJSON_Parse(meta) : NULL;
	if (!cJSON_IsObject(p->metadata)) {
		cJSON_Delete(p->metadata);
		p->metadata = cJSON_CreateObject();
	}
	snprintf(p->job_id, sizeof(p->job_id), "%s", job_id);
	rc = 0;
out:
	rowset_release(&rs);
	return rc;
}

static int
create_job(struct progress *p, const struct progress_options *o, struct err *e)
{
	static const char *const cols[] = {"id",     "job_type",        "processor_type",
					   "status", "time_range_days", "metadata"};
	struct rowset rs, out;
	char *meta = json_print(p->metadata);
	char uuid[UUID_STR_SIZE];
	const char *id;
	int rc = -1;

	/* Our own id, upserted on it: sending the insert again cannot make two jobs. */
	if (uuid_v4(uuid) < 0) {
		free(meta);
		return err_set(e, ERR_IO, "no randomness for a job id");
	}
	rowset_init(&rs, JOBS, cols, 6);
	rowset_add(&rs);
	rowset_text(&rs, "id", uuid);
	rowset_text(&rs, "job_type", o->job_type);
	rowset_text(&rs, "processor_type", "github_actions");
	rowset_text(&rs, "status", "pending");
	if (o->time_range > 0)
		rowset_int(&rs, "time_range_days", o->time_range);
	rowset_json(&rs, "metadata", meta);
	if (store_upsert(p->store, &rs, "id", "id", &out, e) == 0) {
		id = rowset_text_at(&out, 0, "id");
		if (id == NULL || !uuid_valid(id)) {
			err_set(e, ERR_STORE, "store: new job row came back without an id");
		} else {
			snprintf(p->job_id, sizeof(p->job_id), "%s", id);
			rc = 0;
		}
	}
	rowset_release(&out);
	rowset_release(&rs);
	free(meta);
	return rc;
}

static int
mark_processing(struct progress *p, const struct progress_options *o, struct err *e)
{
	static const char *const cols[] = {"status", "started_at",      "completed_at",
					   "error",  "workflow_run_id", "metadata"};
	struct store_filter f = by_id("id", p->job_id);
	struct rowset rs;
	char now[21];
	char *meta = json_print(p->metadata);
	int64_t run_id;
	int rc;

	now_iso(now);
	rowset_init(&rs, JOBS, cols, 6);
	rowset_add(&rs);
	rowset_text(&rs, "status", "processing");
	rowset_text(&rs, "started_at", now);
	if (o->run_id != NULL && parse_int64(o->run_id, 1, INT64_MAX, &run_id) == 0)
		rowset_int(&rs, "workflow_run_id", run_id);
	rowset_json(&rs, "metadata", meta);
	rc = store_update(p->store, JOBS, &f, 1, &rs, e);
	rowset_release(&rs);
	free(meta);
	return rc;
}

static int
open_progress_row(struct progress *p, struct err *e)
{
	static const char *const cols[] = {
		"id", "job_id", "total_items", "processed_items", "failed_items", "errors"};
	struct store_filter f = by_id("job_id", p->job_id);
	struct store_query q = {PROGRESS, "id,resume_cursor", &f, 1, "updated_at.desc", 1};
	struct rowset found, rs;
	const char *id = NULL;
	char uuid[UUID_STR_SIZE];
	int rc;

	if (store_select(p->store, &q, &found, e) < 0) {
		rowset_release(&found);
		return -1;
	}
	if (found.nrows > 0) {
		/* A re-run of the same job starts its counters afresh in the same row. */
		id = rowset_text_at(&found, 0, "id");
		p->found_cursor = xstrdup(rowset_text_at(&found, 0, "resume_cursor"));
	} else if (uuid_v4(uuid) == 0) {
		/* Our own id, upserted on it: sending it again cannot make two rows. */
		id = uuid;
	}
	if (id == NULL || !uuid_valid(id)) {
		rowset_release(&found);
		return err_set(e, ERR_STORE, "store: no id for the progress row");
	}
	snprintf(p->progress_id, sizeof(p->progress_id), "%s", id);
	rowset_init(&rs, PROGRESS, cols, 6);
	rowset_add(&rs);
	rowset_text(&rs, "id", p->progress_id);
	rowset_text(&rs, "job_id", p->job_id);
	rowset_int(&rs, "total_items", 0);
	rowset_int(&rs, "processed_items", 0);
	rowset_int(&rs, "failed_items", 0);
	rowset_json(&rs, "errors", "[]");
	rc = store_upsert(p->store, &rs, "id", NULL, NULL, e);
	rowset_release(&rs);
	rowset_release(&found);
	return rc;
}

struct progress *
progress_start(struct store *s, const struct progress_options *o, struct err *e)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	p->store = s;
	p->errors = cJSON_CreateArray();
	if (o->job_id != NULL) {
		if (find_job(p, o->job_id, e) < 0)
			goto fail;
	} else {
		p->metadata = cJSON_CreateObject();
		merge_metadata(p, o);
		put(p->metadata, "trigger_source", cJSON_CreateString("github_actions"));
		if (create_job(p, o, e) < 0)
			goto fail;
	}
	merge_metadata(p, o);
	if (mark_processing(p, o, e) < 0 || open_progress_row(p, e) < 0)
		goto fail;
	p->last_patch_ms = p->last_job_touch_ms = clock_mono_ms();
	return p;
fail:
	progress_free(p);
	return NULL;
}

void
progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	cJSON_Delete(p->metadata);
	cJSON_Delete(p->errors);
	free(p->current);
	free(p->cursor);
	free(p->found_cursor);
	free(p);
}

const char *
progress_job_id(const struct progress *p)
{
	return p->job_id;
}

int
progress_set_repository(struct progress *p, const char *repository_id, struct err *e)
{
	static const char *const cols[] = {"repository_id"};
	struct store_filter f;
	struct rowset rs;
	int rc;

	f = by_id("id", p->job_id);
	rowset_init(&rs, JOBS, cols, 1);
	rowset_add(&rs);
	rowset_text(&rs, "repository_id", repository_id);
	rc = store_update(p->store, JOBS, &f, 1, &rs, e);
	rowset_release(&rs);
	return rc;
}

static int
patch_progress(struct progress *p, struct err *e)
{
	static const char *const cols[] = {"total_items",  "processed_items", "failed_items",
					   "current_item", "errors",          "resume_cursor",
					   "updated_at"};
	struct store_filter f;
	struct rowset rs;
	char *errors;
	char now[21];
	int rc;

	f = by_id("id", p->progress_id);
	errors = json_print(p->errors);
	now_iso(now);
	rowset_init(&rs, PROGRESS, cols, 7);
	rowset_add(&rs);
	rowset_text(&rs, "updated_at", now); /* the heartbeat a reaper reads */
	rowset_text(&rs, "resume_cursor", p->cursor);
	rowset_int(&rs, "total_items", (int64_t)p->total);
	rowset_int(&rs, "processed_items", (int64_t)p->processed);
	rowset_int(&rs, "failed_items", (int64_t)p->failed);
	rowset_text(&rs, "current_item", p->current);
	rowset_json(&rs, "errors", errors);
	rc = store_update(p->store, PROGRESS, &f, 1, &rs, e);
	rowset_release(&rs);
	free(errors);
	p->last_patch_ms = clock_mono_ms();
	return rc;
}

int
progress_set_total(struct progress *p, size_t total, struct err *e)
{
	p->total = total;
	return patch_progress(p, e);
}

int
progress_item(struct progress *p, const char *current, const struct err *failure, struct err *e)
{
	free(p->current);
	p->current = xstrdup(current);
	if (failure == NULL) {
		p->processed++;
	} else {
		cJSON *it = cJSON_CreateObject();
		char now[21];

		p->failed++;
		now_iso(now);
		json_add_str(it, "item", current);
		json_add_str(it, "error", failure->msg[0] != '\0' ? failure->msg : "failed");
		json_add_str(it, "code", err_code_name(failure->code));
		json_add_str(it, "at", now);
		cJSON_AddItemToArray(p->errors, it);
		if (cJSON_GetArraySize(p->errors) > PROGRESS_MAX_ERRORS)
			cJSON_Delete(cJSON_DetachItemFromArray(p->errors, 0));
	}
	if (clock_mono_ms() - p->last_job_touch_ms >= PROGRESS_HEARTBEAT_MS && touch_job(p, e) < 0)
		return -1;
	if (clock_mono_ms() - p->last_patch_ms < PROGRESS_PATCH_MS)
		return 0;
	return patch_progress(p, e);
}

int
progress_finish(struct progress *p, enum job_status status, const char *error,
		const char *metadata_json, struct err *e)
{
	static const char *const cols[] = {"status", "completed_at", "error", "metadata"};
	struct store_filter f;
	struct rowset rs;
	char now[21];
	char *meta;
	int rc;

	if (patch_progress(p, e) < 0)
		return -1;
	merge_json(p->metadata, metadata_json);
	meta = json_print(p->metadata);
	now_iso(now);
	f = by_id("id", p->job_id);
	rowset_init(&rs, JOBS, cols, 4);
	rowset_add(&rs);
	rowset_text(&rs, "status", job_status_name(status));
	rowset_text(&rs, "completed_at", now);
	rowset_text(&rs, "error", error);
	rowset_json(&rs, "metadata", meta);
	rc = store_update(p->store, JOBS, &f, 1, &rs, e);
	rowset_release(&rs);
	free(meta);
	return rc;
}

void
progress_set_cursor(struct progress *p, const char *cursor)
{
	free(p->cursor);
	p->cursor = xstrdup(cursor);
}

const char *
progress_resume_cursor(const struct progress *p)
{
	return p->found_cursor;
}

/* Writes the job row's metadata with a fresh heartbeat_at. */
static int
touch_job(struct progress *p, struct err *e)
{
	static const char *const cols[] = {"metadata"};
	struct store_filter f = by_id("id", p->job_id);
	struct rowset rs;
	char now[21];
	char *meta;
	int rc;

	now_iso(now);
	put(p->metadata, "heartbeat_at", cJSON_CreateString(now));
	meta = json_print(p->metadata);
	rowset_init(&rs, JOBS, cols, 1);
	rowset_add(&rs);
	rowset_json(&rs, "metadata", meta);
	rc = store_update(p->store, JOBS, &f, 1, &rs, e);
	rowset_release(&rs);
	free(meta);
	p->last_job_touch_ms = clock_mono_ms();
	return rc;
}

void
progress_heartbeat(void *ud)
{
	struct progress *p = ud;
	int64_t now = clock_mono_ms();
	struct err e;
	int rc = 0;

	/* A write below may itself wait and tick: never re-enter. */
	if (p == NULL || p->in_heartbeat || p->job_id[0] == '\0')
		return;
	p->in_heartbeat = true;
	err_clear(&e);
	if (now - p->last_patch_ms >= PROGRESS_HEARTBEAT_MS)
		rc = patch_progress(p, &e);
	if (rc == 0 && now - p->last_job_touch_ms >= PROGRESS_HEARTBEAT_MS)
		rc = touch_job(p, &e);
	if (rc < 0 && !p->heartbeat_warned) {
		log_warn("heartbeat: %s", e.msg);
		p->heartbeat_warned = true;
	}
	p->in_heartbeat = false;
}

/* The metadata of a queued job: ours, then q's own keys. */
static cJSON *
queued_metadata(const struct job_queued *q)
{
	cJSON *m = cJSON_CreateObject();

	if (q->repository != NULL)
		put(m, "repository_name", cJSON_CreateString(q->repository));
	put(m, "command", cJSON_CreateString(q->command));
	put(m, "processor", cJSON_CreateString(PC_NAME " " PC_VERSION));
	put(m, "trigger_source", cJSON_CreateString("github_actions"));
	for (size_t i = 0; i < q->nmeta; i++)
		put(m, q->meta[i].key,
		    q->meta[i].text != NULL ? cJSON_CreateString(q->meta[i].text)
					    : cJSON_CreateNumber((double)q->meta[i].num));
	merge_json(m, q->meta_json);
	return m;
}

int
progress_queue(struct store *s, const struct job_queued *q, char id_out[UUID_STR_SIZE],
	       struct err *e)
{
	static const char *const jcols[] = {
		"id",       "job_type",      "processor_type", "status", "time_range_days",
		"metadata", "repository_id", "workflow_run_id"};
	static const char *const pcols[] = {"id",           "job_id",          "total_items",
					    "failed_items", "processed_items", "errors",
					    "resume_cursor"};
	cJSON *meta = queued_metadata(q);
	char *text = json_print(meta);
	char pid[UUID_STR_SIZE];
	struct rowset job, prog;
	int rc = 0;

	if (uuid_v4(id_out) < 0 || uuid_v4(pid) < 0)
		rc = err_set(e, ERR_IO, "no randomness for a job id");
	rowset_init(&job, JOBS, jcols, sizeof(jcols) / sizeof(jcols[0]));
	rowset_add(&job);
	rowset_text(&job, "id", id_out);
	rowset_text(&job, "job_type", q->job_type);
	rowset_text(&job, "processor_type", "github_actions");
	rowset_text(&job, "status", "pending");
	if (q->time_range > 0)
		rowset_int(&job, "time_range_days", q->time_range);
	rowset_json(&job, "metadata", text);
	rowset_text(&job, "repository_id", q->repository_id);
	if (q->run_id > 0)
		rowset_int(&job, "workflow_run_id", q->run_id);
	rowset_init(&prog, PROGRESS, pcols, sizeof(pcols) / sizeof(pcols[0]));
	rowset_add(&prog);
	rowset_text(&prog, "id", pid);
	rowset_text(&prog, "job_id", id_out);
	rowset_int(&prog, "total_items", (int64_t)q->total);
	rowset_int(&prog, "failed_items", 0);
	rowset_int(&prog, "processed_items", 0);
	rowset_json(&prog, "errors", "[]");
	rowset_text(&prog, "resume_cursor", q->cursor);
	/* Our own ids, upserted on them: sent again, they cannot make two rows. */
	if (rc == 0)
		rc = store_upsert(s, &job, "id", NULL, NULL, e);
	if (rc == 0)
		rc = store_upsert(s, &prog, "id", NULL, NULL, e);
	rowset_release(&job);
	rowset_release(&prog);
	cJSON_Delete(meta);
	free(text);
	return rc;
}

/* The metadata object of job_id's row (an empty one when it has none); NULL + e. */
static cJSON *
job_metadata(struct store *s, const char *job_id, struct err *e)
{
	struct store_filter f = by_id("id", job_id);
	struct store_query q = {JOBS, "id,metadata", &f, 1, NULL, 1};
	struct rowset rs;
	cJSON *m = NULL;

	if (store_select(s, &q, &rs, e) == 0) {
		if (rs.nrows == 0) {
			err_set(e, ERR_NOT_FOUND, "job '%s' not found in %s", job_id, JOBS);
		} else {
			const char *text = rowset_text_at(&rs, 0, "metadata");

			m = text != NULL ? cJSON_Parse(text) : NULL;
			if (!cJSON_IsObject(m)) {
				cJSON_Delete(m);
				m = cJSON_CreateObject();
			}
		}
	}
	rowset_release(&rs);
	return m;
}

int
progress_dispatched(struct store *s, const char *job_id, int64_t run_id, const char *run_url,
		    struct err *e)
{
	static const char *const cols[] = {"metadata", "workflow_run_id"};
	struct store_filter f = by_id("id", job_id);
	cJSON *m = job_metadata(s, job_id, e);
	struct rowset rs;
	char now[21];
	char *text;
	int rc;

	if (m == NULL)
		return -1;
	now_iso(now);
	put(m, "dispatched_at", cJSON_CreateString(now));
	if (run_url != NULL)
		put(m, "workflow_run_url", cJSON_CreateString(run_url));
	text = json_print(m);
	rowset_init(&rs, JOBS, cols, run_id > 0 ? 2 : 1);
	rowset_add(&rs);
	rowset_json(&rs, "metadata", text);
	if (run_id > 0)
		rowset_int(&rs, "workflow_run_id", run_id);
	rc = store_update(s, JOBS, &f, 1, &rs, e);
	rowset_release(&rs);
	cJSON_Delete(m);
	free(text);
	return rc;
}

int
progress_fail(struct store *s, const char *job_id, const char *error, struct err *e)
{
	static const char *const cols[] = {"status", "completed_at", "error"};
	struct store_filter f = by_id("id", job_id);
	struct rowset rs;
	char now[21];
	int rc;

	now_iso(now);
	rowset_init(&rs, JOBS, cols, 3);
	rowset_add(&rs);
	rowset_text(&rs, "status", "failed");
	rowset_text(&rs, "completed_at", now);
	rowset_text(&rs, "error", error);
	rc = store_update(s, JOBS, &f, 1, &rs, e);
	rowset_release(&rs);
	return rc;
}

int
progress_mark(struct store *s, const char *job_id, const char *status, const char *error,
	      const char *metadata_json, struct err *e)
{
	static const char *const cols[] = {"status", "error", "metadata"};
	struct store_filter f = by_id("id", job_id);
	cJSON *m = job_metadata(s, job_id, e);
	struct rowset rs;
	char *text;
	int rc;

	if (m == NULL)
		return -1;
	merge_json(m, metadata_json);
	text = json_print(m);
	rowset_init(&rs, JOBS, cols, 3);
	rowset_add(&rs);
	rowset_text(&rs, "status", status);
	rowset_text(&rs, "error", error);
	rowset_json(&rs, "metadata", text);
	rc = store_update(s, JOBS, &f, 1, &rs, e);
	rowset_release(&rs);
	cJSON_Delete(m);
	free(text);
	return rc;
}
