/*
 * store_dry.c - the store of a dry run: every read goes to the real store,
 * no write does. Jobs run exactly as they would, and nothing changes.
 * An upsert that wants ids back receives the stored row's where there is one,
 * so a dry run sees what is already captured as a real run would.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "store.h"
#include "util.h"

struct dry {
	struct store base; /* first: a struct store * points here */
	struct store *inner;
};

/* The stored rows whose on_conflict column holds one of the written rows' values. */
static int
stored_rows(struct dry *d, const struct rowset *rs, const size_t *rows, size_t n,
	    const char *on_conflict, const char *returning, struct rowset *found, struct err *e)
{
	struct buf cols = BUF_INIT(4096);
	const char **vals = xcalloc(n ? n : 1, sizeof(*vals));
	char(*nums)[24] = xcalloc(n ? n : 1, sizeof(*nums));
	struct store_query q = {.table = rs->table};
	uint64_t before = d->inner->requests;
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct val *v = rowset_get(rs, rows[i], on_conflict);

		if (v == NULL || v->kind == VAL_NULL)
			continue;
		if (v->kind == VAL_INT) {
			snprintf(nums[k], sizeof(nums[k]), "%lld", (long long)v->i);
			vals[k] = nums[k];
			k++;
		} else if (v->kind == VAL_TEXT) {
			vals[k++] = v->s;
		}
	}
	buf_printf(&cols, "%s,%s", on_conflict, returning);
	q.columns = buf_str(&cols);
	rc = store_select_in(d->inner, &q, on_conflict, vals, k, found, e);
	d->base.requests += d->inner->requests - before;
	buf_release(&cols);
	free(vals);
	free(nums);
	return rc;
}

/* The value row r of found holds in col, where its conflict column equals key. */
static const struct val *
lookup(const struct rowset *found, const char *on_conflict, const struct val *key, const char *col)
{
	for (size_t r = 0; key != NULL && r < found->nrows; r++) {
		const struct val *v = rowset_get(found, r, on_conflict);
		int64_t n;

		if (v == NULL || v->kind == VAL_NULL)
			continue;
		if ((key->kind == VAL_TEXT && v->kind == VAL_TEXT && strcmp(key->s, v->s) == 0) ||
		    (key->kind == VAL_INT && rowset_int_at(found, r, on_conflict, &n) == 0 &&
		     n == key->i))
			return rowset_get(found, r, col);
	}
	return NULL;
}

static void
put_val(struct rowset *out, const char *col, const struct val *v)
{
	switch (v->kind) {
	case VAL_NULL: rowset_null(out, col); break;
	case VAL_TEXT: rowset_text(out, col, v->s); break;
	case VAL_INT: rowset_int(out, col, v->i); break;
	case VAL_BOOL: rowset_bool(out, col, v->i != 0); break;
	case VAL_JSON: rowset_json(out, col, v->s); break;
	}
}

static int
dry_upsert(struct store *s, const struct rowset *rs, const size_t *rows, size_t n,
	   const char *on_conflict, const char *returning, struct rowset *out, struct err *e)
{
	struct dry *d = (struct dry *)s;
	struct rowset found = {0};
	bool one_key = on_conflict != NULL && strchr(on_conflict, ',') == NULL;
	int rc = 0;

	if (returning == NULL)
		return 0;
	if (one_key)
		rc = stored_rows(d, rs, rows, n, on_conflict, returning, &found, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct val *key = one_key ? rowset_get(rs, rows[i], on_conflict) : NULL;

		rowset_add(out);
		for (size_t c = 0; c < out->ncols; c++) {
			const char *col = out->cols[c];
			const struct val *v = lookup(&found, on_conflict, key, col);
			char uuid[37];

			if (v == NULL)
				v = rowset_get(rs, rows[i], col);
			if (v != NULL)
				put_val(out, col, v);
			else if (strcmp(col, "id") == 0 && uuid_v4(uuid) == 0)
				rowset_text(out, col, uuid);
		}
	}
	rowset_release(&found);
	return rc;
}

static int
dry_update(struct store *s, const char *table, const struct store_filter *f, size_t nf,
	   const struct rowset *set, struct err *e)
{
	(void)s;
	(void)table;
	(void)f;
	(void)nf;
	(void)set;
	(void)e;
	return 0;
}

static int
dry_remove(struct store *s, const char *table, const struct store_filter *f, size_t nf,
	   struct err *e)
{
	(void)s;
	(void)table;
	(void)f;
	(void)nf;
	(void)e;
	return 0;
}

static int
dry_select(struct store *s, const struct store_query *q, struct rowset *out, struct err *e)
{
	struct dry *d = (struct dry *)s;
	uint64_t before = d->inner->requests;
	int rc = d->inner->ops->select(d->inner, q, out, e);

	d->base.requests += d->inner->requests - before;
	return rc;
}

static int
dry_count(struct store *s, const char *table, const struct store_filter *f, size_t nf, int64_t *n,
	  struct err *e)
{
	struct dry *d = (struct dry *)s;
	uint64_t before = d->inner->requests;
	int rc = d->inner->ops->count(d->inner, table, f, nf, n, e);

	d->base.requests += d->inner->requests - before;
	return rc;
}

static int
dry_call(struct store *s, const struct store_call *c, struct rowset *out, struct err *e)
{
	struct dry *d = (struct dry *)s;
	uint64_t before = d->inner->requests;
	int rc = d->inner->ops->call(d->inner, c, out, e);

	d->base.requests += d->inner->requests - before;
	return rc;
}

static int
dry_probe(struct store *s, const char *table, const char *columns, struct err *e)
{
	struct dry *d = (struct dry *)s;
	uint64_t before = d->inner->requests;
	int rc = d->inner->ops->probe(d->inner, table, columns, e);

	d->base.requests += d->inner->requests - before;
	return rc;
}

static void
dry_close(struct store *s)
{
	struct dry *d = (struct dry *)s;

	store_close(d->inner);
	free(d);
}

static const struct store_ops dry_ops = {
	.name = "dry run",
	.upsert = dry_upsert,
	.update = dry_update,
	.remove = dry_remove,
	.select = dry_select,
	.count = dry_count,
	.call = dry_call,
	.probe = dry_probe,
	.close = dry_close,
};

struct store *
store_open_dry(struct store *inner)
{
	struct dry *d = xcalloc(1, sizeof(*d));

	d->base.ops = &dry_ops;
	d->inner = inner;
	d->base.schema_hint = inner->schema_hint;
	return &d->base;
}
