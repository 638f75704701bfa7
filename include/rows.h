/*
 * rows.h - a batch of table rows, the only thing jobs hand to the store.
 *
 * A rowset names a table and a fixed list of columns; each row holds one typed
 * value per column (NULL until set). Only the listed columns are written, so
 * an upsert never overwrites a column the job did not mean to touch. The same
 * struct carries rows read back from the store. Back-end neutral: PostgREST
 * turns it into JSON, SQLite into bound parameters.
 */
#ifndef PC_ROWS_H
#define PC_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum val_kind {
	VAL_NULL = 0,
	VAL_TEXT, /* also time stamps (ISO-8601 text) and UUIDs */
	VAL_INT,
	VAL_BOOL,
	VAL_JSON /* a JSON document as text: jsonb, text[] */
};

struct val {
	enum val_kind kind;
	int64_t i; /* VAL_INT, VAL_BOOL */
	char *s;   /* VAL_TEXT, VAL_JSON; owned */
};

struct rowset {
	char *table;
	char **cols;
	size_t ncols;
	struct val *vals; /* nrows * ncols, row-major */
	size_t nrows;
	size_t cap;   /* rows allocated */
	size_t bytes; /* about what the rows hold: their cells and strings */
};

/* Sets up an empty rowset for table with the given columns (copied). */
void rowset_init(struct rowset *rs, const char *table, const char *const *cols, size_t ncols);

/* Same, with the columns as one comma-separated string: "id,github_id". */
void rowset_init_list(struct rowset *rs, const char *table, const char *cols);

/* Adds a column; only before the first row. */
void rowset_add_col(struct rowset *rs, const char *col);

/* Frees everything; rs can be initialised again. */
void rowset_release(struct rowset *rs);

/* Drops the rows, keeps table and columns. */
void rowset_clear(struct rowset *rs);

/* Appends a row of NULLs and returns its index; the setters below fill it. */
size_t rowset_add(struct rowset *rs);

/* Column index, or -1 if rs has no such column. */
int rowset_col(const struct rowset *rs, const char *col);

/*
 * Setters on the LAST row. Setting a column the rowset does not have is a
 * programming error and aborts. A NULL string sets SQL NULL.
 */
void rowset_text(struct rowset *rs, const char *col, const char *s);
void rowset_int(struct rowset *rs, const char *col, int64_t v);
void rowset_bool(struct rowset *rs, const char *col, bool v);
void rowset_json(struct rowset *rs, const char *col, const char *json);
/* A list of strings (a text[] column), as the JSON array of s[0..n). */
void rowset_strings(struct rowset *rs, const char *col, char *const *s, size_t n);
/* Sets col of the last row to the array of n integers (JSON, as an int[] argument). */
void rowset_ints(struct rowset *rs, const char *col, const int64_t *v, size_t n);
void rowset_null(struct rowset *rs, const char *col);

/* Sets col of row to s (NULL: SQL NULL); an unknown column aborts, as the setters do. */
void rowset_set_text(struct rowset *rs, size_t row, const char *col, const char *s);

/*
 * Appends a copy of row of src to dst, column by column by name: dst's
 * columns must be among src's (a missing one aborts).
 */
void rowset_copy_row(struct rowset *dst, const struct rowset *src, size_t row);

/* Value at (row, col) or NULL if col is unknown. Borrowed. */
const struct val *rowset_get(const struct rowset *rs, size_t row, const char *col);

/* Text of (row, col): the string, or NULL for SQL NULL / unknown column. Borrowed. */
const char *rowset_text_at(const struct rowset *rs, size_t row, const char *col);

/* Integer of (row, col) (VAL_INT, or VAL_TEXT holding digits); -1 if neither. */
int rowset_int_at(const struct rowset *rs, size_t row, const char *col, int64_t *out);

#endif
