/*
 * store.c - the back-end-neutral half of the store: argument checks,
 * batching, and dispatch to a back end's operations.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

void
store_close(struct store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

/* The conflict key of a row as one string, for finding duplicates. */
static char *
row_key(const struct rowset *rs, size_t row, const int *cols, size_t ncols)
{
	struct buf b = BUF_INIT(SIZE_MAX);

	for (size_t i = 0; i < ncols; i++) {
		const struct val *v = &rs->vals[row * rs->ncols + (size_t)cols[i]];

		/* kind and length before each value: no two keys can run together. */
		if (v->kind == VAL_TEXT || v->kind == VAL_JSON)
			buf_printf(&b, "%d:%zu:%s;", (int)v->kind, strlen(v->s), v->s);
		else
			buf_printf(&b, "%d:%lld;", (int)v->kind, (long long)v->i);
	}
	return buf_detach(&b);
}

struct keyed {
	char *key;
	size_t row;
};

static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The rows to write, in order: all of them, or with a conflict key, only the
 * last row of each key. Returns the count; *out is allocated.
 */
static size_t
rows_to_write(const struct rowset *rs, const char *on_conflict, size_t **out, struct err *e)
{
	int cols[16];
	size_t ncols = 0;
	size_t n = 0;
	struct keyed *k;

	*out = xcalloc(rs->nrows ? rs->nrows : 1, sizeof(**out));
	if (on_conflict != NULL) {
		const char *p = on_conflict;

		while (*p != '\0') {
			size_t len = strcspn(p, ",");
			char *name = xstrndup(p, len);
			int c = rowset_col(rs, name);

			free(name);
			if (c < 0 || ncols == sizeof(cols) / sizeof(cols[0])) {
				err_set(e, ERR_STORE,
					"internal: conflict key '%s' not among the columns of %s",
					on_conflict, rs->table);
				return (size_t)-1;
			}
			cols[ncols++] = c;
			p += len;
			if (*p == ',')
				p++;
		}
	}
	if (ncols == 0) {
		for (size_t r = 0; r < rs->nrows; r++)
			(*out)[r] = r;
		return rs->nrows;
	}
	k = xcalloc(rs->nrows ? rs->nrows : 1, sizeof(*k));
	for (size_t r = 0; r < rs->nrows; r++) {
		k[r].key = row_key(rs, r, cols, ncols);
		k[r].row = r;
	}
	qsort(k, rs->nrows, sizeof(*k), cmp_keyed);
	for (size_t r = 0; r < rs->nrows; r++)
		if (r + 1 == rs->nrows || strcmp(k[r].key, k[r + 1].key) != 0)
			(*out)[n++] = k[r].row;
	for (size_t r = 0; r < rs->nrows; r++)
		free(k[r].key);
	free(k);
	/* Keep the caller's order among the rows that stay. */
	qsort(*out, n, sizeof(**out), cmp_size);
	return n;
}

/* About what row r of rs weighs as a request's values. */
static size_t
row_bytes(const struct rowset *rs, size_t r)
{
	size_t n = 0;

	for (size_t c = 0; c < rs->ncols; c++) {
		const struct val *v = &rs->vals[r * rs->ncols + c];

		n += strlen(rs->cols[c]) + 8 + (v->s != NULL ? strlen(v->s) : 0);
	}
	return n;
}

int
store_upsert(struct store *s, const struct rowset *rs, const char *on_conflict,
	     const char *returning, struct rowset *out, struct err *e)
{
	size_t *rows;
	size_t n;
	int rc = 0;

	if (returning != NULL && out == NULL)
		return err_set(e, ERR_STORE,
			       "internal: rows to return from %s but nowhere to put them",
			       rs->table);
	if (out != NULL)
		rowset_init_list(out, rs->table, returning != NULL ? returning : "");
	n = rows_to_write(rs, on_conflict, &rows, e);
	if (n == (size_t)-1) {
		free(rows);
		return -1;
	}
	for (size_t first = 0, batch; rc == 0 && first < n; first += batch) {
		size_t bytes = 0;

		for (batch = 0; first + batch < n && batch < STORE_BATCH_ROWS &&
				(batch == 0 || bytes < STORE_BATCH_BYTES);
		     batch++)
			bytes += row_bytes(rs, rows[first + batch]);
		rc = s->ops->upsert(s, rs, rows + first, batch, on_conflict, returning, out, e);
		if (rc == 0)
			s->rows_written += batch;
	}
	free(rows);
	return rc;
}

int
store_update(struct store *s, const char *table, const struct store_filter *f, size_t nf,
	     const struct rowset *set, struct err *e)
{
	if (nf == 0 || set->nrows != 1)
		return err_set(e, ERR_STORE, "internal: update of '%s' needs filters and one row",
			       table);
	return s->ops->update(s, table, f, nf, set, e);
}

int
store_delete(struct store *s, const char *table, const struct store_filter *f, size_t nf,
	     struct err *e)
{
	if (nf == 0)
		return err_set(e, ERR_STORE, "internal: delete from '%s' without a filter", table);
	return s->ops->remove(s, table, f, nf, e);
}

int
store_select(struct store *s, const struct store_query *q, struct rowset *out, struct err *e)
{
	rowset_init_list(out, q->table, q->columns);
	return s->ops->select(s, q, out, e);
}

int
store_select_in(struct store *s, const struct store_query *q, const char *column,
		const char *const *values, size_t n, struct rowset *out, struct err *e)
{
	struct store_filter *f = xcalloc(q->nfilters + 1, sizeof(*f));
	struct store_query chunk = *q;
	int rc = 0;

	rowset_init_list(out, q->table, q->columns);
	if (q->nfilters > 0)
		memcpy(f, q->filters, q->nfilters * sizeof(*f));
	chunk.filters = f;
	chunk.nfilters = q->nfilters + 1;
	for (size_t first = 0; rc == 0 && first < n; first += STORE_IN_CHUNK) {
		f[q->nfilters] = (struct store_filter){
			.column = column,
			.op = STORE_IN,
			.values = values + first,
			.nvalues = n - first < STORE_IN_CHUNK ? n - first : STORE_IN_CHUNK,
		};
		rc = s->ops->select(s, &chunk, out, e);
	}
	free(f);
	return rc;
}

int
store_call(struct store *s, const struct store_call *c, struct rowset *out, struct err *e)
{
	rowset_init_list(out, c->function, c->columns);
	if (c->args == NULL || c->args->nrows != 1)
		return err_set(e, ERR_STORE, "internal: call of %s needs one row of arguments",
			       c->function);
	return s->ops->call(s, c, out, e);
}

int
store_count(struct store *s, const char *table, const struct store_filter *f, size_t nf, int64_t *n,
	    struct err *e)
{
	*n = 0;
	return s->ops->count(s, table, f, nf, n, e);
}

int
store_missing_columns(struct store *s, const char *table, const char *const *cols, size_t n,
		      bool *missing, struct err *e)
{
	struct buf all = BUF_INIT(SIZE_MAX);
	int rc;

	for (size_t i = 0; i < n; i++)
		buf_printf(&all, "%s%s", i > 0 ? "," : "", cols[i]);
	rc = s->ops->probe(s, table, buf_str(&all), e);
	buf_release(&all);
	/* Something is missing: one column at a time names every one (rare: once per upgrade). */
	for (size_t i = 0; i < n; i++) {
		int has = rc == 1 ? 1 : rc < 0 ? rc : s->ops->probe(s, table, cols[i], e);

		if (has < 0)
			return -1;
		missing[i] = has == 0;
	}
	return rc < 0 ? -1 : 0;
}
