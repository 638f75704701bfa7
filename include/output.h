/*
 * output.h - results for the workflow: step outputs (GITHUB_OUTPUT) and the
 * step summary (GITHUB_STEP_SUMMARY), with the escaping both need.
 *
 * Outputs use the runner's heredoc form with a random delimiter
 * ("ghadelimiter_<uuid>") that neither key nor value may contain. Outside
 * Actions (no GITHUB_OUTPUT) outputs are printed to stdout as "key: value".
 * The summary is Markdown built in memory and written once, cut to stay under
 * the runner's 1 MiB limit. Text that came from GitHub is escaped so it can
 * neither break a table nor inject HTML.
 */
#ifndef PC_OUTPUT_H
#define PC_OUTPUT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define SUMMARY_MAX_BYTES ((size_t)1024 * 1024 - 4096) /* room under the runner's 1 MiB */

/*
 * Appends "key<<D\nvalue\nD\n" to the file at path (created if missing),
 * with D a fresh ghadelimiter_<uuid>. -1 + ERR_IO when the file cannot be
 * written, ERR_INPUT when key is not a valid output name or key/value holds
 * the delimiter. path NULL: prints "key: value" to stdout instead.
 */
int out_set(const char *path, const char *key, const char *value, struct err *e);

/* Formats the heredoc record for key/value with delimiter delim into out (tests). */
int out_format(struct buf *out, const char *key, const char *value, const char *delim,
	       struct err *e);

/*
 * Appends s escaped for a Markdown table cell or inline text: HTML special
 * characters become entities, Markdown punctuation is backslash-escaped,
 * '|' cannot end the cell, newlines become spaces, control characters drop.
 * At most max_chars bytes of s are used (an ellipsis marks a cut; 0 = all).
 */
int md_escape(struct buf *out, const char *s, size_t max_chars);

struct summary {
	struct buf md;
	size_t dropped_rows; /* table rows left out to stay under the cap */
};

void summary_init(struct summary *s);
void summary_release(struct summary *s);

/* Appends raw Markdown we wrote ourselves (never GitHub text). */
void summary_raw(struct summary *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Appends one table row from n already-escaped cells; rows that would push
 * the summary past SUMMARY_MAX_BYTES are counted in dropped_rows instead.
 */
void summary_row(struct summary *s, const char *const *cells, size_t n);

/* Appends the summary to the file at path (no-op when path is NULL). */
int summary_write(struct summary *s, const char *path, struct err *e);

#endif
