/*
 * rows.c - typed row batches handed between jobs and stores.
 */
#include "rows.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "util.h"

void
rowset_init(struct rowset *rs, const char *table, const char *const *cols, size_t ncols)
{
	memset(rs, 0, sizeof(*rs));
	rs->table = xstrdup(table);
	rs->cols = xcalloc(ncols, sizeof(char *));
	for (size_t i = 0; i < ncols; i++)
		rs->cols[i] = xstrdup(cols[i]);
	rs->ncols = ncols;
}

void
rowset_init_list(struct rowset *rs, const char *table, const char *cols)
{
	const char *p = cols;

	memset(rs, 0, sizeof(*rs));
	rs->table = xstrdup(table);
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		rs->cols = xrealloc(rs->cols, (rs->ncols + 1) * sizeof(char *));
		rs->cols[rs->ncols++] = xstrndup(p, n);
		p += n;
		if (*p == ',')
			p++;
	}
}

void
rowset_add_col(struct rowset *rs, const char *col)
{
	if (rs->nrows > 0) {
		fprintf(stderr, "internal: rowset_add_col('%s') on %s after its rows\n", col,
			rs->table);
		abort();
	}
	rs->cols = xrealloc(rs->cols, (rs->ncols + 1) * sizeof(*rs->cols));
	rs->cols[rs->ncols++] = xstrdup(col);
}

static void
val_free(struct val *v)
{
	free(v->s);
	memset(v, 0, sizeof(*v));
}

void
rowset_clear(struct rowset *rs)
{
	for (size_t i = 0; i < rs->nrows * rs->ncols; i++)
		val_free(&rs->vals[i]);
	rs->nrows = 0;
	rs->bytes = 0;
}

void
rowset_release(struct rowset *rs)
{
	rowset_clear(rs);
	free(rs->vals);
	for (size_t i = 0; i < rs->ncols; i++)
		free(rs->cols[i]);
	free(rs->cols);
	free(rs->table);
	memset(rs, 0, sizeof(*rs));
}

size_t
rowset_add(struct rowset *rs)
{
	if (rs->nrows == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		rs->vals = xrealloc(rs->vals, rs->cap * rs->ncols * sizeof(*rs->vals));
	}
	memset(&rs->vals[rs->nrows * rs->ncols], 0, rs->ncols * sizeof(*rs->vals));
	rs->bytes += rs->ncols * sizeof(*rs->vals);
	return rs->nrows++;
}

int
rowset_col(const struct rowset *rs, const char *col)
{
	for (size_t i = 0; i < rs->ncols; i++)
		if (strcmp(rs->cols[i], col) == 0)
			return (int)i;
	return -1;
}

/* Sets v to s, a string now owned by rs. */
static void
own(struct rowset *rs, struct val *v, enum val_kind kind, char *s)
{
	v->kind = kind;
	v->s = s;
	rs->bytes += strlen(s) + 1;
}

static struct val *
last(struct rowset *rs, const char *col)
{
	int c = rowset_col(rs, col);

	if (c < 0 || rs->nrows == 0) {
		fprintf(stderr, "::error::internal: table %s has no column '%s' in this batch\n",
			rs->table, col);
		abort();
	}
	val_free(&rs->vals[(rs->nrows - 1) * rs->ncols + (size_t)c]);
	return &rs->vals[(rs->nrows - 1) * rs->ncols + (size_t)c];
}

void
rowset_text(struct rowset *rs, const char *col, const char *s)
{
	struct val *v = last(rs, col);

	if (s != NULL)
		own(rs, v, VAL_TEXT, xstrdup(s));
}

void
rowset_int(struct rowset *rs, const char *col, int64_t n)
{
	struct val *v = last(rs, col);

	v->kind = VAL_INT;
	v->i = n;
}

void
rowset_bool(struct rowset *rs, const char *col, bool b)
{
	struct val *v = last(rs, col);

	v->kind = VAL_BOOL;
	v->i = b;
}

void
rowset_json(struct rowset *rs, const char *col, const char *json)
{
	struct val *v = last(rs, col);

	if (json != NULL)
		own(rs, v, VAL_JSON, xstrdup(json));
}

void
rowset_strings(struct rowset *rs, const char *col, char *const *s, size_t n)
{
	struct val *v = last(rs, col);
	struct buf b = BUF_INIT(SIZE_MAX);

	buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		json_quote(&b, s[i]);
	}
	buf_putc(&b, ']');
	own(rs, v, VAL_JSON, buf_detach(&b));
}

void
rowset_ints(struct rowset *rs, const char *col, const int64_t *v, size_t n)
{
	struct val *x = last(rs, col);
	struct buf b = BUF_INIT(SIZE_MAX);

	buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i > 0 ? "," : "", (long long)v[i]);
	buf_putc(&b, ']');
	own(rs, x, VAL_JSON, buf_detach(&b));
}

void
rowset_null(struct rowset *rs, const char *col)
{
	last(rs, col);
}

const struct val *
rowset_get(const struct rowset *rs, size_t row, const char *col)
{
	int c = rowset_col(rs, col);

	if (c < 0 || row >= rs->nrows)
		return NULL;
	return &rs->vals[row * rs->ncols + (size_t)c];
}

const char *
rowset_text_at(const struct rowset *rs, size_t row, const char *col)
{
	const struct val *v = rowset_get(rs, row, col);

	return v != NULL && (v->kind == VAL_TEXT || v->kind == VAL_JSON) ? v->s : NULL;
}

int
rowset_int_at(const struct rowset *rs, size_t row, const char *col, int64_t *out)
{
	const struct val *v = rowset_get(rs, row, col);

	if (v == NULL)
		return -1;
	if (v->kind == VAL_INT) {
		*out = v->i;
		return 0;
	}
	if (v->kind == VAL_TEXT)
		return parse_int64(v->s, INT64_MIN, INT64_MAX, out);
	return -1;
}

/* The value at (row, col); an unknown column or a row past the end aborts. */
static struct val *
cell(struct rowset *rs, size_t row, const char *col)
{
	int c = rowset_col(rs, col);

	if (c < 0 || row >= rs->nrows) {
		fprintf(stderr, "::error::internal: table %s has no column '%s' (row %zu)\n",
			rs->table, col, row);
		abort();
	}
	return &rs->vals[row * rs->ncols + (size_t)c];
}

void
rowset_set_text(struct rowset *rs, size_t row, const char *col, const char *s)
{
	struct val *v = cell(rs, row, col);

	val_free(v);
	if (s != NULL)
		own(rs, v, VAL_TEXT, xstrdup(s));
}

void
rowset_copy_row(struct rowset *dst, const struct rowset *src, size_t row)
{
	size_t r = rowset_add(dst);

	for (size_t c = 0; c < dst->ncols; c++) {
		const struct val *from = rowset_get(src, row, dst->cols[c]);
		struct val *to = &dst->vals[r * dst->ncols + c];

		if (from == NULL) {
			fprintf(stderr, "::error::internal: table %s has no column '%s' to copy\n",
				src->table, dst->cols[c]);
			abort();
		}
		*to = *from;
		if (from->s != NULL)
			own(dst, to, from->kind, xstrdup(from->s));
	}
}
