/*
 * store_sqlite.c - the store in a local SQLite file: the default when no
 * Supabase URL is given, so the whole program runs with no service at all.
 *
 * The schema (db/sqlite/schema.sql, compiled in) is applied on open; WAL mode;
 * every batch is one transaction, so an interrupted run never leaves half a
 * batch. Upserts are INSERT ... ON CONFLICT (key) DO UPDATE SET each written
 * column, RETURNING what the caller asked for. Values are always bound, never
 * spliced; table and column names come from the program and are checked to be
 * plain identifiers anyway.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define SQL_CAP ((size_t)1 << 20)

extern const char *const sqlite_schema_sql[];    /* build/gen/sqlite_schema.c */
extern const char *const sqlite_functions_sql[]; /* build/gen/sqlite_functions.c */

struct sqlite_store {
	struct store base; /* first: a struct store * points here */
	sqlite3 *db;
	char *path;
};

static const struct store_ops sqlite_ops;

static bool
identifier(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int
db_error(struct sqlite_store *q, const char *what, struct err *e)
{
	int code = sqlite3_extended_errcode(q->db);
	enum err_code ec = ERR_STORE;

	if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
		ec = ERR_CONFLICT;
	else if (code == SQLITE_CONSTRAINT_CHECK || code == SQLITE_CONSTRAINT_NOTNULL ||
		 code == SQLITE_CONSTRAINT_FOREIGNKEY || code == SQLITE_TOOBIG)
		ec = ERR_REFUSED; /* the row's content: only its item fails */
	return err_set(e, ec, "store: %s: %s (sqlite %d)", what, sqlite3_errmsg(q->db), code);
}

static int
exec(struct sqlite_store *q, const char *sql, const char *what, struct err *e)
{
	char *msg = NULL;

	q->base.requests++;
	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, ERR_STORE, "store: %s: %s", what, msg != NULL ? msg : "failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Appends a comma-separated list of checked identifiers. */
static int
put_names(struct buf *b, char *const *names, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		if (!identifier(names[i]))
			return err_set(e, ERR_STORE, "internal: '%s' is not a column name",
				       names[i]);
		buf_printf(b, "%s%s", i > 0 ? ", " : "", names[i]);
	}
	return 0;
}

/* Splits "a,b,c" into checked names appended to b (sep between them). */
static int
put_list(struct buf *b, const char *list, const char *sep, struct err *e)
{
	const char *p = list;
	bool first = true;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		char *name = xstrndup(p, len);
		bool ok = identifier(name);

		if (ok)
			buf_printf(b, "%s%s", first ? "" : sep, name);
		free(name);
		if (!ok)
			return err_set(e, ERR_STORE, "internal: bad column list '%s'", list);
		first = false;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* True if name is one of the comma-separated names in list. */
static bool
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p != '\0';) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

static int
bind_val(sqlite3_stmt *st, int i, const struct val *v)
{
	switch (v->kind) {
	case VAL_NULL: return sqlite3_bind_null(st, i);
	case VAL_INT:
	case VAL_BOOL: return sqlite3_bind_int64(st, i, v->i);
	case VAL_TEXT:
	case VAL_JSON: return sqlite3_bind_text(st, i, v->s, -1, SQLITE_TRANSIENT);
	}
	return SQLITE_MISUSE;
}

/* Reads the current result row into a new row of out. */
static void
read_row(sqlite3_stmt *st, struct rowset *out)
{
	rowset_add(out);
	for (int c = 0; c < sqlite3_column_count(st) && (size_t)c < out->ncols; c++) {
		switch (sqlite3_column_type(st, c)) {
		case SQLITE_INTEGER:
			rowset_int(out, out->cols[c], sqlite3_column_int64(st, c));
			break;
		case SQLITE_NULL: break;
		default: rowset_text(out, out->cols[c], (const char *)sqlite3_column_text(st, c));
		}
	}
}

/* Steps st to its end, each row into out; -1 + e when a step fails. */
static int
read_all(struct sqlite_store *q, sqlite3_stmt *st, struct rowset *out, const char *what,
	 struct err *e)
{
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		read_row(st, out);
	return step == SQLITE_DONE ? 0 : db_error(q, what, e);
}

static const char *const ops[] = {
	[STORE_EQ] = "=",   [STORE_NEQ] = "<>", [STORE_GT] = ">",
	[STORE_GTE] = ">=", [STORE_LT] = "<",   [STORE_LTE] = "<=",
};

/* " WHERE a = ? AND b IN (?, ?)" */
static int
put_where(struct buf *b, const struct store_filter *f, size_t nf, struct err *e)
{
	for (size_t i = 0; i < nf; i++) {
		if (!identifier(f[i].column))
			return err_set(e, ERR_STORE, "internal: bad filter column '%s'",
				       f[i].column);
		buf_printf(b, "%s(%s", i == 0 ? " WHERE " : " AND ", f[i].column);
		switch (f[i].op) {
		case STORE_IS_NULL: buf_puts(b, " IS NULL"); break;
		case STORE_NOT_NULL: buf_puts(b, " IS NOT NULL"); break;
		case STORE_NULL_OR_LT: buf_printf(b, " IS NULL OR %s < ?", f[i].column); break;
		case STORE_IN:
			buf_puts(b, " IN (");
			for (size_t k = 0; k < f[i].nvalues; k++)
				buf_puts(b, k > 0 ? ", ?" : "?");
			buf_putc(b, ')');
			break;
		default: buf_printf(b, " %s ?", ops[f[i].op]); break;
		}
		buf_putc(b, ')');
	}
	return 0;
}

/* Appends " <table> WHERE …": -1 + e for a table name that is not a plain identifier. */
static int
filtered(struct buf *sql, const char *table, const struct store_filter *f, size_t nf, struct err *e)
{
	if (!identifier(table))
		return err_set(e, ERR_STORE, "internal: bad table name '%s'", table);
	buf_printf(sql, " %s", table);
	return put_where(sql, f, nf, e);
}

static int
bind_where(sqlite3_stmt *st, int first, const struct store_filter *f, size_t nf)
{
	int i = first;

	for (size_t k = 0; k < nf; k++) {
		if (f[k].op == STORE_IS_NULL || f[k].op == STORE_NOT_NULL)
			continue;
		if (f[k].op == STORE_IN) {
			for (size_t v = 0; v < f[k].nvalues; v++)
				if (sqlite3_bind_text(st, i++, f[k].values[v], -1,
						      SQLITE_TRANSIENT) != SQLITE_OK)
					return -1;
		} else if (sqlite3_bind_text(st, i++, f[k].value, -1, SQLITE_TRANSIENT) !=
			   SQLITE_OK) {
			return -1;
		}
	}
	return 0;
}

static int
prepare(struct sqlite_store *q, const struct buf *sql, sqlite3_stmt **st, const char *what,
	struct err *e)
{
	/* A statement cut at its cap is never run. */
	if (buf_failed(sql))
		return err_set(e, ERR_STORE, "store: %s: statement over %zu bytes", what, sql->max);
	if (sqlite3_prepare_v2(q->db, buf_str(sql), -1, st, NULL) != SQLITE_OK)
		return db_error(q, what, e);
	return 0;
}

/* The INSERT … ON CONFLICT … RETURNING statement of an upsert of rs. */
static int
upsert_sql(struct buf *sql, const struct rowset *rs, const char *on_conflict, const char *returning,
	   struct err *e)
{
	bool any = false;

	if (!identifier(rs->table))
		return err_set(e, ERR_STORE, "internal: bad table name '%s'", rs->table);
	buf_printf(sql, "INSERT INTO %s (", rs->table);
	if (put_names(sql, rs->cols, rs->ncols, e) < 0)
		return -1;
	buf_puts(sql, ") VALUES (");
	for (size_t c = 0; c < rs->ncols; c++)
		buf_puts(sql, c > 0 ? ", ?" : "?");
	buf_putc(sql, ')');
	if (on_conflict != NULL) {
		buf_puts(sql, " ON CONFLICT (");
		if (put_list(sql, on_conflict, ", ", e) < 0)
			return -1;
		buf_puts(sql, ") DO UPDATE SET ");
		/* The conflict columns are equal already; set every other one. */
		for (size_t c = 0; c < rs->ncols; c++) {
			if (in_list(on_conflict, rs->cols[c]))
				continue;
			buf_printf(sql, "%s%s = excluded.%s", any ? ", " : "", rs->cols[c],
				   rs->cols[c]);
			any = true;
		}
		if (!any) /* keeps RETURNING rows coming for conflicting keys */
			buf_printf(sql, "%s = excluded.%s", rs->cols[0], rs->cols[0]);
	}
	if (returning != NULL) {
		buf_puts(sql, " RETURNING ");
		if (put_list(sql, returning, ", ", e) < 0)
			return -1;
	}
	return 0;
}

/* Runs st once per row of rs[rows[0..n)], reading what each returns into out (or not). */
static int
upsert_rows(struct sqlite_store *q, sqlite3_stmt *st, const struct rowset *rs, const size_t *rows,
	    size_t n, struct rowset *out, const char *what, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		int step;

		for (size_t c = 0; c < rs->ncols; c++)
			if (bind_val(st, (int)c + 1, &rs->vals[rows[i] * rs->ncols + c]) !=
			    SQLITE_OK)
				return db_error(q, what, e);
		while ((step = sqlite3_step(st)) == SQLITE_ROW)
			if (out != NULL)
				read_row(st, out);
		if (step != SQLITE_DONE)
			return db_error(q, what, e);
		sqlite3_reset(st);
	}
	return 0;
}

static int
sq_upsert(struct store *s, const struct rowset *rs, const size_t *rows, size_t n,
	  const char *on_conflict, const char *returning, struct rowset *out, struct err *e)
{
	struct sqlite_store *q = (struct sqlite_store *)s;
	struct buf sql = BUF_INIT(SQL_CAP);
	struct buf what = BUF_INIT(256);
	sqlite3_stmt *st = NULL;
	int rc = -1;

	buf_printf(&what, "%s %zu row%s into %s", on_conflict != NULL ? "upsert" : "insert", n,
		   n == 1 ? "" : "s", rs->table);
	if (upsert_sql(&sql, rs, on_conflict, returning, e) < 0 ||
	    exec(q, "BEGIN IMMEDIATE", buf_str(&what), e) < 0)
		goto out;
	/* All the batch or none of it. */
	if (prepare(q, &sql, &st, buf_str(&what), e) < 0 ||
	    upsert_rows(q, st, rs, rows, n, returning != NULL ? out : NULL, buf_str(&what), e) <
		    0) {
		sqlite3_finalize(st);
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	sqlite3_finalize(st);
	if (exec(q, "COMMIT", buf_str(&what), e) < 0)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	else
		rc = 0;
out:
	buf_release(&sql);
	buf_release(&what);
	return rc;
}

/* Runs a one-statement write (UPDATE, DELETE) with its bindings. */
static int
run_write(struct sqlite_store *q, const struct buf *sql, const struct rowset *set,
	  const struct store_filter *f, size_t nf, const char *what, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int first = 1;
	int rc = -1;

	q->base.requests++;
	if (prepare(q, sql, &st, what, e) < 0)
		return -1;
	for (size_t c = 0; set != NULL && c < set->ncols; c++, first++)
		if (bind_val(st, first, &set->vals[c]) != SQLITE_OK)
			goto fail;
	if (bind_where(st, first, f, nf) < 0 || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_error(q, what, e);
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sq_update(struct store *s, const char *table, const struct store_filter *f, size_t nf,
	  const struct rowset *set, struct err *e)
{
	struct sqlite_store *q = (struct sqlite_store *)s;
	struct buf sql = BUF_INIT(SQL_CAP);
	struct buf what = BUF_INIT(256);
	int rc = -1;

	buf_printf(&what, "update %s", table);
	buf_puts(&sql, "UPDATE");
	if (filtered(&sql, table, NULL, 0, e) < 0)
		goto out;
	buf_puts(&sql, " SET ");
	for (size_t c = 0; c < set->ncols; c++) {
		if (!identifier(set->cols[c])) {
			err_set(e, ERR_STORE, "internal: bad column '%s'", set->cols[c]);
			goto out;
		}
		buf_printf(&sql, "%s%s = ?", c > 0 ? ", " : "", set->cols[c]);
	}
	if (put_where(&sql, f, nf, e) < 0)
		goto out;
	rc = run_write(q, &sql, set, f, nf, buf_str(&what), e);
out:
	buf_release(&sql);
	buf_release(&what);
	return rc;
}

static int
sq_remove(struct store *s, const char *table, const struct store_filter *f, size_t nf,
	  struct err *e)
{
	struct sqlite_store *q = (struct sqlite_store *)s;
	struct buf sql = BUF_INIT(SQL_CAP);
	struct buf what = BUF_INIT(256);
	int rc = -1;

	buf_printf(&what, "delete from %s", table);
	buf_puts(&sql, "DELETE FROM");
	if (filtered(&sql, table, f, nf, e) < 0)
		goto out;
	rc = run_write(q, &sql, NULL, f, nf, buf_str(&what), e);
out:
	buf_release(&sql);
	buf_release(&what);
	return rc;
}

/* "a.desc,b" (PostgREST's form) -> "a DESC, b". */
static int
put_order(struct buf *b, const char *order, struct err *e)
{
	const char *p = order;

	buf_puts(b, " ORDER BY ");
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		char *term = xstrndup(p, len);
		char *dot = strchr(term, '.');
		const char *dir = "";
		bool ok;

		if (dot != NULL) {
			*dot = '\0';
			dir = strcmp(dot + 1, "desc") == 0 ? " DESC" : " ASC";
		}
		ok = identifier(term);
		if (ok)
			buf_printf(b, "%s%s%s", p == order ? "" : ", ", term, dir);
		free(term);
		if (!ok)
			return err_set(e, ERR_STORE, "internal: bad order '%s'", order);
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
sq_select(struct store *s, const struct store_query *qr, struct rowset *out, struct err *e)
{
	struct sqlite_store *q = (struct sqlite_store *)s;
	struct buf sql = BUF_INIT(SQL_CAP);
	struct buf what = BUF_INIT(256);
	sqlite3_stmt *st = NULL;
	int rc = -1;

	buf_printf(&what, "select from %s", qr->table);
	buf_puts(&sql, "SELECT ");
	if (put_list(&sql, qr->columns, ", ", e) < 0)
		goto out;
	buf_puts(&sql, " FROM");
	if (filtered(&sql, qr->table, qr->filters, qr->nfilters, e) < 0)
		goto out;
	if (qr->order != NULL && put_order(&sql, qr->order, e) < 0)
		goto out;
	if (qr->limit > 0)
		buf_printf(&sql, " LIMIT %zu", qr->limit);
	q->base.requests++;
	if (prepare(q, &sql, &st, buf_str(&what), e) < 0)
		goto out;
	if (bind_where(st, 1, qr->filters, qr->nfilters) < 0) {
		db_error(q, buf_str(&what), e);
		goto out;
	}
	rc = read_all(q, st, out, buf_str(&what), e);
out:
	sqlite3_finalize(st);
	buf_release(&sql);
	buf_release(&what);
	return rc;
}

static int
sq_count(struct store *s, const char *table, const struct store_filter *f, size_t nf, int64_t *n,
	 struct err *e)
{
	struct sqlite_store *q = (struct sqlite_store *)s;
	struct buf sql = BUF_INIT(SQL_CAP);
	struct buf what = BUF_INIT(256);
	sqlite3_stmt *st = NULL;
	int rc = -1;

	buf_printf(&what, "count the rows of %s", table);
	buf_puts(&sql, "SELECT count(*) FROM");
	if (filtered(&sql, table, f, nf, e) < 0)
		goto out;
	q->base.requests++;
	if (prepare(q, &sql, &st, buf_str(&what), e) < 0)
		goto out;
	if (bind_where(st, 1, f, nf) < 0 || sqlite3_step(st) != SQLITE_ROW) {
		db_error(q, buf_str(&what), e);
		goto out;
	}
	*n = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	buf_release(&sql);
	buf_release(&what);
	return rc;
}

static void
sq_close(struct store *s)
{
	struct sqlite_store *q = (struct sqlite_store *)s;

	sqlite3_close(q->db);
	free(q->path);
	free(q);
}

/* 1: the statement (a probe) prepares; 0: a table or column it names is not there. */
/* The statement of function name in db/sqlite/functions.sql (allocated), or NULL. */
static char *
function_sql(const char *name)
{
	struct buf b = BUF_INIT(SQL_CAP);
	bool in = false;

	for (size_t i = 0; sqlite_functions_sql[i] != NULL; i++) {
		const char *line = sqlite_functions_sql[i];

		if (strncmp(line, "-- function: ", 13) == 0) {
			size_t len = strcspn(line + 13, " \n");

			if (in)
				break;
			in = strlen(name) == len && strncmp(line + 13, name, len) == 0;
		} else if (in && strncmp(line, "--", 2) != 0) {
			buf_puts(&b, line);
		}
	}
	if (b.len == 0 || buf_failed(&b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* Binds each argument (a column of args' one row) to its parameter ":<name>", if used. */
static int
bind_args(sqlite3_stmt *st, const struct rowset *args)
{
	for (size_t c = 0; c < args->ncols; c++) {
		const struct val *v = &args->vals[c];
		char param[80];
		int i, rc = SQLITE_OK;

		snprintf(param, sizeof(param), ":%s", args->cols[c]);
		i = sqlite3_bind_parameter_index(st, param);
		if (i == 0)
			continue;
		switch (v->kind) {
		case VAL_NULL: rc = sqlite3_bind_null(st, i); break;
		case VAL_INT:
		case VAL_BOOL: rc = sqlite3_bind_int64(st, i, v->i); break;
		default: rc = sqlite3_bind_text(st, i, v->s, -1, SQLITE_TRANSIENT); break;
		}
		if (rc != SQLITE_OK)
			return -1;
	}
	return 0;
}

static int
sq_call(struct store *s, const struct store_call *c, struct rowset *out, struct err *e)
{
	struct sqlite_store *q = (struct sqlite_store *)s;
	char *body = function_sql(c->function);
	struct buf sql = BUF_INIT(SQL_CAP);
	struct buf what = BUF_INIT(256);
	sqlite3_stmt *st = NULL;
	int rc = -1;

	buf_printf(&what, "call %s", c->function);
	if (body == NULL) {
		err_set(e, ERR_STORE, "store: %s: no such function in db/sqlite/functions.sql",
			c->function);
		goto out;
	}
	buf_puts(&sql, "SELECT ");
	if (put_list(&sql, c->columns, ", ", e) < 0)
		goto out;
	buf_printf(&sql, " FROM (%s)", body);
	if (c->order != NULL && put_order(&sql, c->order, e) < 0)
		goto out;
	q->base.requests++;
	if (prepare(q, &sql, &st, buf_str(&what), e) < 0)
		goto out;
	if (bind_args(st, c->args) < 0) {
		db_error(q, buf_str(&what), e);
		goto out;
	}
	rc = read_all(q, st, out, buf_str(&what), e);
out:
	sqlite3_finalize(st);
	free(body);
	buf_release(&sql);
	buf_release(&what);
	return rc;
}

static int
sq_probe(struct store *s, const char *table, const char *columns, struct err *e)
{
	struct sqlite_store *q = (struct sqlite_store *)s;
	struct buf sql = BUF_INIT(SQL_CAP);
	sqlite3_stmt *st = NULL;
	int rc = 1;

	buf_printf(&sql, "SELECT %s FROM", columns);
	if (filtered(&sql, table, NULL, 0, e) < 0) {
		buf_release(&sql);
		return -1;
	}
	buf_puts(&sql, " LIMIT 0");
	q->base.requests++;
	if (sqlite3_prepare_v2(q->db, buf_str(&sql), -1, &st, NULL) != SQLITE_OK) {
		const char *m = sqlite3_errmsg(q->db);

		rc = strncmp(m, "no such table", 13) == 0 || strncmp(m, "no such column", 14) == 0
			     ? 0
			     : db_error(q, "read the schema", e);
	}
	sqlite3_finalize(st);
	buf_release(&sql);
	return rc;
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.upsert = sq_upsert,
	.update = sq_update,
	.remove = sq_remove,
	.select = sq_select,
	.count = sq_count,
	.call = sq_call,
	.probe = sq_probe,
	.close = sq_close,
};

/* Whether the file has table (1: without column, 2: with it); 0: no such table; -1 error. */
static int
file_has(struct sqlite_store *q, const char *table, const char *column)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1), "
		"(SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2)";
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) == 0 ? 0 : 1 + (sqlite3_column_int(st, 1) > 0);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Adds to the file's tables the columns the schema has and they lack
 * ("create table if not exists" leaves an older table as it is), as
 * db/migrations do for PostgreSQL: the schema is built in memory and
 * compared column by column. SQLite adds no column with an expression
 * default, and a NOT NULL one only with a constant default; such columns
 * come without them (and no CHECK can be added to a table).
 */
static int
add_missing_columns(struct sqlite_store *q, const char *schema, struct err *e)
{
	static const char cols[] =
		"SELECT m.name, p.name, p.type, p.dflt_value, p.\"notnull\" FROM sqlite_master m, "
		"pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid";
	sqlite3 *ref = NULL;
	sqlite3_stmt *st = NULL;
	int step = SQLITE_ERROR;
	int rc = 0;

	if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(ref, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ref, cols, -1, &st, NULL) != SQLITE_OK) {
		rc = err_set(e, ERR_STORE, "store: build the schema: %s",
			     ref != NULL ? sqlite3_errmsg(ref) : "out of memory");
		goto out;
	}
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *dflt = (const char *)sqlite3_column_text(st, 3);
		bool constant = dflt != NULL && dflt[0] != '(';
		struct buf sql = BUF_INIT(SQL_CAP);
		int has = file_has(q, table, name);

		if (has < 0)
			rc = db_error(q, "upgrade the schema", e);
		if (has != 1) {
			buf_release(&sql);
			continue;
		}
		buf_printf(&sql, "ALTER TABLE %s ADD COLUMN %s %s", table, name,
			   (const char *)sqlite3_column_text(st, 2));
		if (constant)
			buf_printf(&sql, " DEFAULT %s%s", dflt,
				   sqlite3_column_int(st, 4) ? " NOT NULL" : "");
		log_info("database '%s': adding %s.%s", q->path, table, name);
		rc = exec(q, buf_str(&sql), "upgrade the schema", e);
		buf_release(&sql);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = err_set(e, ERR_STORE, "store: build the schema: %s", sqlite3_errmsg(ref));
out:
	sqlite3_finalize(st);
	sqlite3_close(ref);
	return rc;
}

const char *
store_sqlite_library_version(void)
{
	return sqlite3_libversion();
}

struct store *
store_open_sqlite(const char *path, bool read_only, struct err *e)
{
	struct sqlite_store *q = xcalloc(1, sizeof(*q));
	struct buf schema = BUF_INIT(SQL_CAP);

	q->base.ops = &sqlite_ops;
	q->base.schema_hint = "open it once without dry-run: the program adds what a file it "
			      "may write lacks";
	q->path = xstrdup(path);
	if (sqlite3_libversion_number() < 3035000) {
		err_set(e, ERR_STORE, "SQLite %s is too old: 3.35 or later is needed (RETURNING)",
			sqlite3_libversion());
		goto fail;
	}
	if (read_only && access(path, F_OK) == 0) {
		/* A dry run reads what is there and changes nothing, not even the schema. */
		if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
			err_set(e, ERR_STORE, "cannot open database '%s': %s", path,
				q->db != NULL ? sqlite3_errmsg(q->db) : "out of memory");
			goto fail;
		}
		sqlite3_busy_timeout(q->db, 10000);
		buf_release(&schema);
		return &q->base;
	}
	if (sqlite3_open_v2(read_only ? ":memory:" : path, &q->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		err_set(e, ERR_STORE, "cannot open database '%s': %s", path,
			q->db != NULL ? sqlite3_errmsg(q->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(q->db, 10000);
	for (size_t i = 0; sqlite_schema_sql[i] != NULL; i++)
		buf_puts(&schema, sqlite_schema_sql[i]);
	/* Older tables get their new columns first: the schema's indexes may name them. */
	if (exec(q,
		 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
		 "PRAGMA foreign_keys = ON;",
		 "open", e) < 0 ||
	    add_missing_columns(q, buf_str(&schema), e) < 0 ||
	    exec(q, buf_str(&schema), "create the schema", e) < 0) {
		err_prefix(e, "database '%s': ", path);
		goto fail;
	}
	buf_release(&schema);
	return &q->base;
fail:
	buf_release(&schema);
	sq_close(&q->base);
	return NULL;
}
