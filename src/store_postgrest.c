/*
 * store_postgrest.c - the store on Supabase's Data API (PostgREST).
 *
 * Upsert:  POST /rest/v1/<t>?columns=…&on_conflict=…[&select=…]
 *          Prefer: resolution=merge-duplicates, return=minimal|representation
 * Update:  PATCH /rest/v1/<t>?<filters>     Delete: DELETE /rest/v1/<t>?<filters>
 * Select:  GET /rest/v1/<t>?select=…&<filters>&order=…&limit=…&offset=…
 *          with Prefer: count=exact, so a max-rows cap cannot truncate silently.
 * Any non-2xx answer becomes an error carrying PostgREST's code, message,
 * details and hint. Must not print the key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "clock.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define URL_CAP   ((size_t)64 * 1024)
#define BODY_CAP  ((size_t)256 * 1024 * 1024)
#define PAGE_ROWS 1000

struct pgrst {
	struct store base; /* first: a struct store * points here */
	char *url;         /* project base, no trailing slash */
	char *apikey_header;
	char *auth_header;
	struct http_client *http;
	struct store_retry retry;
};

static const struct store_ops pgrst_ops;

/* Appends one filter as "&col=op.value" (value percent-encoded). */
static int
add_filter(struct buf *u, const struct store_filter *f)
{
	static const char *const ops[] = {
		[STORE_EQ] = "eq",   [STORE_NEQ] = "neq", [STORE_GT] = "gt",
		[STORE_GTE] = "gte", [STORE_LT] = "lt",   [STORE_LTE] = "lte",
	};
	struct buf v = BUF_INIT(URL_CAP);
	int rc = 0;

	switch (f->op) {
	case STORE_NULL_OR_LT:
		/* "or=(c.is.null,c.lt.v)": the column's name goes inside. */
		rc = buf_printf(u, "%sor=", u->len > 0 && u->data[u->len - 1] == '?' ? "" : "&");
		buf_printf(&v, "(%s.is.null,%s.lt.%s)", f->column, f->column, f->value);
		if (rc == 0)
			rc = http_urlencode(u, buf_str(&v));
		buf_release(&v);
		return rc;
	case STORE_IS_NULL: buf_puts(&v, "is.null"); break;
	case STORE_NOT_NULL: buf_puts(&v, "not.is.null"); break;
	case STORE_IN:
		/* Every value double-quoted, '"' and '\' escaped: reserved characters
		 * (",.:()") then cannot change the list's meaning. */
		buf_puts(&v, "in.(");
		for (size_t i = 0; i < f->nvalues; i++) {
			buf_puts(&v, i > 0 ? ",\"" : "\"");
			for (const char *p = f->values[i]; *p != '\0'; p++) {
				if (*p == '"' || *p == '\\')
					buf_putc(&v, '\\');
				buf_putc(&v, *p);
			}
			buf_putc(&v, '"');
		}
		rc = buf_putc(&v, ')');
		break;
	default: rc = buf_printf(&v, "%s.%s", ops[f->op], f->value); break;
	}
	if (rc == 0)
		rc = buf_printf(u, "%s%s=", u->len > 0 && u->data[u->len - 1] == '?' ? "" : "&",
				f->column);
	if (rc == 0)
		rc = http_urlencode(u, buf_str(&v));
	buf_release(&v);
	return rc;
}

static int
add_filters(struct buf *u, const struct store_filter *f, size_t nf, struct err *e)
{
	for (size_t i = 0; i < nf; i++)
		if (add_filter(u, &f[i]) < 0)
			return err_set(e, ERR_STORE, "request URL too long (filter on '%s')",
				       f[i].column);
	return 0;
}

static int
put_value(struct buf *b, const struct val *v)
{
	switch (v->kind) {
	case VAL_NULL: return buf_puts(b, "null");
	case VAL_TEXT: return json_quote(b, v->s);
	case VAL_INT: return buf_printf(b, "%" PRId64, v->i);
	case VAL_BOOL: return buf_puts(b, v->i ? "true" : "false");
	case VAL_JSON: return buf_puts(b, v->s);
	}
	return -1;
}

static int
put_row(struct buf *b, const struct rowset *rs, size_t row)
{
	int rc = buf_putc(b, '{');

	for (size_t c = 0; rc == 0 && c < rs->ncols; c++) {
		if (c > 0)
			buf_putc(b, ',');
		json_quote(b, rs->cols[c]);
		buf_putc(b, ':');
		rc = put_value(b, &rs->vals[row * rs->ncols + c]);
	}
	return rc < 0 ? -1 : buf_putc(b, '}');
}

/* A request whose URL or body did not fit its cap is not sent cut: -1 naming it. */
static int
built(const struct buf *url, const struct buf *body, const char *what, struct err *e)
{
	if (buf_failed(url))
		return err_set(e, ERR_STORE, "store: %s: request URL over %zu bytes", what,
			       url->max);
	if (body != NULL && buf_failed(body))
		return err_set(e, ERR_STORE, "store: %s: request body over %zu bytes", what,
			       body->max);
	return 0;
}

/*
 * PostgreSQL's codes for a row refused for what it holds: a CHECK (23514),
 * NOT NULL (23502) or foreign key (23503) violated, or a data exception
 * (class 22: too long, out of range, not valid text, …).
 */
static bool
refused_code(const char *code)
{
	return code != NULL && (strncmp(code, "22", 2) == 0 || strcmp(code, "23514") == 0 ||
				strcmp(code, "23502") == 0 || strcmp(code, "23503") == 0);
}

/* Turns a refusal into an error with PostgREST's own words. */
static int
answer_error(const char *what, const struct http_response *r, struct err *e)
{
	cJSON *j = json_parse(r->body.data, r->body.len, NULL);
	const char *code = json_str(j, "code");
	const char *msg = json_str(j, "message");
	const char *details = json_str(j, "details");
	const char *hint = json_str(j, "hint");
	enum err_code ec = ERR_STORE;
	struct buf m = BUF_INIT(ERR_MSG_MAX);

	if (r->status == 401 || r->status == 403)
		ec = ERR_AUTH;
	else if (code != NULL && strcmp(code, "23505") == 0)
		ec = ERR_CONFLICT;
	else if (refused_code(code))
		ec = ERR_REFUSED;
	buf_printf(&m, "store: %s: %ld", what, r->status);
	if (code != NULL)
		buf_printf(&m, " %s", code);
	if (msg != NULL)
		buf_printf(&m, " %s", msg);
	else if (r->body.len > 0 && j == NULL && buf_putc(&m, ' ') == 0)
		log_gist(&m, r->body.data, r->body.len, 120);
	if (details != NULL)
		buf_printf(&m, " (details: %s)", details);
	if (hint != NULL)
		buf_printf(&m, " (hint: %s)", hint);
	if (code != NULL && (strcmp(code, "PGRST205") == 0 || strcmp(code, "42P01") == 0 ||
			     strcmp(code, "PGRST204") == 0 || strcmp(code, "42703") == 0))
		buf_puts(&m, " - is the schema of db/migrations applied (and the schema cache "
			     "reloaded)?");
	err_set(e, ec, "%s", buf_str(&m));
	if (e != NULL)
		e->status = (int)r->status;
	buf_release(&m);
	cJSON_Delete(j);
	return -1;
}

static int
call(struct pgrst *p, const char *method, const char *url, const char *prefer, const char *body,
     const char *what, struct http_response *resp, struct err *e)
{
	struct buf pref = BUF_INIT(512);
	const char *headers[6];
	size_t n = 0;
	struct http_request req = {method, url, headers, body, body != NULL ? strlen(body) : 0};
	int rc;

	headers[n++] = p->apikey_header;
	headers[n++] = p->auth_header;
	headers[n++] = "Accept: application/json";
	if (body != NULL)
		headers[n++] = "Content-Type: application/json";
	if (prefer != NULL) {
		buf_printf(&pref, "Prefer: %s", prefer);
		headers[n++] = buf_str(&pref);
	}
	headers[n] = NULL;
	for (int attempt = 0;; attempt++) {
		bool again;
		int64_t wait;

		http_response_release(resp);
		p->base.requests++;
		log_debug("store: %s %s", method, url + strlen(p->url));
		rc = http_send(p->http, &req, resp, e);
		if (rc < 0) {
			err_prefix(e, "store: %s: ", what);
			again = e->code == ERR_HTTP;
		} else if (resp->status < 200 || resp->status > 299) {
			rc = answer_error(what, resp, e);
			again = resp->status == 502 || resp->status == 503 || resp->status == 504;
		} else {
			if (attempt > 0)
				err_clear(e); /* what an earlier try met is past */
			break;
		}
		if (!again || attempt >= p->retry.max_retries)
			break;
		log_warn("%s; trying again", e->msg);
		wait = clock_backoff_ms(attempt, p->retry.time_scale);
		p->base.retries++;
		p->base.waited_ms += wait;
		if (clock_sleep(wait) < 0)
			break; /* cancelled: report the store's last answer */
	}
	if (rc < 0 && e != NULL && e->code == ERR_HTTP)
		e->code = ERR_STORE;
	buf_release(&pref);
	return rc;
}

/* Appends each object of a JSON array answer as a row of out. */
static int
read_rows(const struct http_response *r, struct rowset *out, size_t *got, const char *what,
	  struct err *e)
{
	cJSON *arr = json_parse(r->body.data, r->body.len, e);
	const cJSON *obj;

	*got = 0;
	if (arr == NULL || !cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		return err_set(e, ERR_STORE, "store: %s: answer is not a JSON array", what);
	}
	cJSON_ArrayForEach (obj, arr) {
		rowset_add(out);
		for (size_t c = 0; c < out->ncols; c++) {
			const cJSON *v = json_get(obj, out->cols[c]);
			int64_t n;

			if (v == NULL || cJSON_IsNull(v)) {
				continue;
			} else if (cJSON_IsString(v)) {
				rowset_text(out, out->cols[c], v->valuestring);
			} else if (cJSON_IsBool(v)) {
				rowset_bool(out, out->cols[c], cJSON_IsTrue(v));
			} else if (cJSON_IsNumber(v) && json_value_int64(v, &n) == 0) {
				rowset_int(out, out->cols[c], n);
			} else {
				char *s = json_print(v);

				rowset_json(out, out->cols[c], s);
				free(s);
			}
		}
		(*got)++;
	}
	cJSON_Delete(arr);
	return 0;
}

static int
pg_upsert(struct store *s, const struct rowset *rs, const size_t *rows, size_t n,
	  const char *on_conflict, const char *returning, struct rowset *out, struct err *e)
{
	struct pgrst *p = (struct pgrst *)s;
	struct buf url = BUF_INIT(URL_CAP);
	struct buf body = BUF_INIT(BODY_CAP);
	struct buf prefer = BUF_INIT(256);
	struct buf what = BUF_INIT(256);
	struct http_response resp = {0};
	int rc = -1;

	buf_printf(&url, "%s/rest/v1/%s?columns=", p->url, rs->table);
	for (size_t c = 0; c < rs->ncols; c++)
		buf_printf(&url, "%s%s", c > 0 ? "," : "", rs->cols[c]);
	if (on_conflict != NULL)
		buf_printf(&url, "&on_conflict=%s", on_conflict);
	if (returning != NULL)
		buf_printf(&url, "&select=%s", returning);
	buf_printf(&prefer, "%sreturn=%s",
		   on_conflict != NULL ? "resolution=merge-duplicates," : "",
		   returning != NULL ? "representation" : "minimal");
	buf_printf(&what, "%s %zu row%s into %s", on_conflict != NULL ? "upsert" : "insert", n,
		   n == 1 ? "" : "s", rs->table);

	buf_putc(&body, '[');
	for (size_t i = 0; i < n && !buf_failed(&body); i++) {
		if (i > 0)
			buf_putc(&body, ',');
		put_row(&body, rs, rows[i]);
	}
	buf_putc(&body, ']');
	if (built(&url, &body, buf_str(&what), e) < 0)
		goto out;
	if (call(p, "POST", buf_str(&url), buf_str(&prefer), buf_str(&body), buf_str(&what), &resp,
		 e) < 0)
		goto out;
	if (returning != NULL) {
		size_t got;

		if (read_rows(&resp, out, &got, buf_str(&what), e) < 0)
			goto out;
		if (got != n) {
			err_set(e, ERR_STORE, "store: %s: %zu rows came back, expected %zu",
				buf_str(&what), got, n);
			goto out;
		}
	}
	rc = 0;
out:
	http_response_release(&resp);
	buf_release(&url);
	buf_release(&body);
	buf_release(&prefer);
	buf_release(&what);
	return rc;
}

/* PATCHes (set: one row of values) or DELETEs (set NULL) the rows of table the filters match. */
static int
change_rows(struct pgrst *p, const char *table, const struct store_filter *f, size_t nf,
	    const struct rowset *set, struct err *e)
{
	struct buf url = BUF_INIT(URL_CAP);
	struct buf body = BUF_INIT(BODY_CAP);
	struct buf what = BUF_INIT(256);
	struct http_response resp = {0};
	int rc = -1;

	buf_printf(&url, "%s/rest/v1/%s?", p->url, table);
	buf_printf(&what, "%s %s", set != NULL ? "update" : "delete from", table);
	if (set != NULL)
		put_row(&body, set, 0);
	if (add_filters(&url, f, nf, e) == 0 &&
	    built(&url, set != NULL ? &body : NULL, buf_str(&what), e) == 0)
		rc = call(p, set != NULL ? "PATCH" : "DELETE", buf_str(&url), "return=minimal",
			  set != NULL ? buf_str(&body) : NULL, buf_str(&what), &resp, e);
	http_response_release(&resp);
	buf_release(&url);
	buf_release(&body);
	buf_release(&what);
	return rc;
}

static int
pg_update(struct store *s, const char *table, const struct store_filter *f, size_t nf,
	  const struct rowset *set, struct err *e)
{
	return change_rows((struct pgrst *)s, table, f, nf, set, e);
}

static int
pg_remove(struct store *s, const char *table, const struct store_filter *f, size_t nf,
	  struct err *e)
{
	return change_rows((struct pgrst *)s, table, f, nf, NULL, e);
}

/* Total from "Content-Range: 0-999/1234"; -1 when unknown ("*"). */
static int64_t
range_total(const struct http_response *r)
{
	const char *cr = http_header(r, "content-range");
	const char *slash = cr != NULL ? strchr(cr, '/') : NULL;
	int64_t n;

	if (slash == NULL || parse_int64(slash + 1, 0, INT64_MAX, &n) < 0)
		return -1;
	return n;
}

/*
 * Reads every page of base ("<url>?select=…&<filters>&order=…", no limit or
 * offset) into out: GET, or POST body (a function's arguments). limit: the
 * most rows wanted, 0 for all.
 */
static int
read_pages(struct pgrst *p, const char *base, const char *body, size_t limit, const char *what,
	   struct rowset *out, struct err *e)
{
	size_t offset = 0;
	int64_t total = -1;
	int rc = 0;

	for (;;) {
		struct buf url = BUF_INIT(URL_CAP);
		struct http_response resp = {0};
		size_t want = PAGE_ROWS;
		size_t got = 0;

		if (limit > 0 && limit - offset < want)
			want = limit - offset;
		buf_printf(&url, "%s&limit=%zu&offset=%zu", base, want, offset);
		rc = built(&url, NULL, what, e);
		if (rc == 0)
			rc = call(p, body != NULL ? "POST" : "GET", buf_str(&url),
				  offset == 0 ? "count=exact" : NULL, body, what, &resp, e);
		if (rc == 0) {
			if (offset == 0)
				total = range_total(&resp);
			rc = read_rows(&resp, out, &got, what, e);
		}
		http_response_release(&resp);
		buf_release(&url);
		if (rc < 0)
			break;
		offset += got;
		if (got == 0 || (limit > 0 && offset >= limit))
			break;
		/* Without a total, a short page is the last one; with one, keep
		 * going until it is reached even if the server caps pages lower. */
		if (total >= 0 ? (int64_t)offset >= total : got < want)
			break;
	}
	return rc;
}

static int
pg_select(struct store *s, const struct store_query *q, struct rowset *out, struct err *e)
{
	struct pgrst *p = (struct pgrst *)s;
	struct buf what = BUF_INIT(256);
	struct buf base = BUF_INIT(URL_CAP);
	int rc;

	buf_printf(&what, "select from %s", q->table);
	buf_printf(&base, "%s/rest/v1/%s?select=%s", p->url, q->table, q->columns);
	rc = add_filters(&base, q->filters, q->nfilters, e);
	if (rc == 0 && q->order != NULL)
		buf_printf(&base, "&order=%s", q->order);
	if (rc == 0)
		rc = built(&base, NULL, buf_str(&what), e);
	if (rc == 0)
		rc = read_pages(p, buf_str(&base), NULL, q->limit, buf_str(&what), out, e);
	buf_release(&base);
	buf_release(&what);
	return rc;
}

static int
pg_call(struct store *s, const struct store_call *c, struct rowset *out, struct err *e)
{
	struct pgrst *p = (struct pgrst *)s;
	struct buf what = BUF_INIT(256);
	struct buf base = BUF_INIT(URL_CAP);
	struct buf body = BUF_INIT(BODY_CAP);
	int rc;

	buf_printf(&what, "call %s", c->function);
	buf_printf(&base, "%s/rest/v1/rpc/%s?select=%s", p->url, c->function, c->columns);
	if (c->order != NULL)
		buf_printf(&base, "&order=%s", c->order);
	put_row(&body, c->args, 0);
	rc = built(&base, &body, buf_str(&what), e);
	if (rc == 0)
		rc = read_pages(p, buf_str(&base), buf_str(&body), 0, buf_str(&what), out, e);
	buf_release(&base);
	buf_release(&body);
	buf_release(&what);
	return rc;
}

/* PostgREST's (or PostgreSQL's) codes for a table or column that is not there. */
static bool
is_missing_code(const char *code)
{
	static const char *const codes[] = {"PGRST205", "42P01", "PGRST204", "42703"};

	for (size_t i = 0; code != NULL && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

static int
pg_probe(struct store *s, const char *table, const char *columns, struct err *e)
{
	struct pgrst *p = (struct pgrst *)s;
	struct buf url = BUF_INIT(URL_CAP);
	struct buf what = BUF_INIT(256);
	struct http_response resp = {0};
	int rc;

	/* limit=0 reads no row, yet the columns are resolved: an absent one is refused. */
	buf_printf(&url, "%s/rest/v1/%s?select=%s&limit=0", p->url, table, columns);
	buf_printf(&what, "read the columns of %s", table);
	rc = built(&url, NULL, buf_str(&what), e);
	if (rc == 0)
		rc = call(p, "GET", buf_str(&url), NULL, NULL, buf_str(&what), &resp, e);
	if (rc == 0) {
		rc = 1;
	} else if (resp.status == 400 || resp.status == 404) {
		cJSON *j = json_parse(resp.body.data, resp.body.len, NULL);

		if (is_missing_code(json_str(j, "code"))) {
			err_clear(e);
			rc = 0;
		}
		cJSON_Delete(j);
	}
	http_response_release(&resp);
	buf_release(&url);
	buf_release(&what);
	return rc;
}

static int
pg_count(struct store *s, const char *table, const struct store_filter *f, size_t nf, int64_t *n,
	 struct err *e)
{
	struct pgrst *p = (struct pgrst *)s;
	struct buf url = BUF_INIT(URL_CAP);
	struct buf what = BUF_INIT(256);
	struct http_response resp = {0};
	int rc;

	/* No row, only Content-Range: *\/N. */
	buf_printf(&url, "%s/rest/v1/%s?select=id&limit=0", p->url, table);
	buf_printf(&what, "count the rows of %s", table);
	rc = add_filters(&url, f, nf, e);
	if (rc == 0)
		rc = built(&url, NULL, buf_str(&what), e);
	if (rc == 0)
		rc = call(p, "GET", buf_str(&url), "count=exact", NULL, buf_str(&what), &resp, e);
	if (rc == 0 && (*n = range_total(&resp)) < 0)
		rc = err_set(e, ERR_STORE, "store: %s: the answer has no count (Content-Range)",
			     buf_str(&what));
	http_response_release(&resp);
	buf_release(&url);
	buf_release(&what);
	return rc;
}

static void
pg_close(struct store *s)
{
	struct pgrst *p = (struct pgrst *)s;

	free(p->url);
	memset(p->apikey_header, 0, strlen(p->apikey_header));
	memset(p->auth_header, 0, strlen(p->auth_header));
	free(p->apikey_header);
	free(p->auth_header);
	free(p);
}

static const struct store_ops pgrst_ops = {
	.name = "postgrest",
	.upsert = pg_upsert,
	.update = pg_update,
	.remove = pg_remove,
	.select = pg_select,
	.count = pg_count,
	.call = pg_call,
	.probe = pg_probe,
	.close = pg_close,
};

struct store *
store_open_postgrest(const char *base_url, const char *key, struct http_client *http,
		     const struct store_retry *retry, struct err *e)
{
	struct pgrst *p;
	struct buf h = BUF_INIT(16384);

	if (base_url == NULL || key == NULL || key[0] == '\0') {
		err_set(e, ERR_INPUT, "the PostgREST store needs supabase-url and supabase-key");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->base.ops = &pgrst_ops;
	p->base.schema_hint = "apply every file of db/migrations in order (each statement only "
			      "adds what is missing), then reload PostgREST's schema cache "
			      "(NOTIFY pgrst, 'reload schema')";
	p->url = xstrdup(base_url);
	buf_printf(&h, "apikey: %s", key);
	p->apikey_header = buf_detach(&h);
	buf_printf(&h, "Authorization: Bearer %s", key);
	p->auth_header = buf_detach(&h);
	p->http = http;
	if (retry != NULL)
		p->retry = *retry;
	return &p->base;
}
