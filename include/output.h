/*
 * output.h - a run's results: step outputs and the step summary, for the
 * Actions runner or for a terminal.
 *
 * In Actions, outputs go to GITHUB_OUTPUT in the runner's heredoc form with a
 * random delimiter ("ghadelimiter_<uuid>") that neither key nor value may
 * contain, and the summary to GITHUB_STEP_SUMMARY as Markdown, cut to stay
 * under the runner's 1 MiB. Elsewhere both go to stdout as readable text, or
 * as one JSON object (--json). Summary text and cells are plain text: what
 * came from GitHub is escaped when rendered to Markdown, so it can neither
 * break a table nor inject HTML, and neither control characters nor the
 * invisible ones that reorder text (bidi overrides, ...) reach a reader.
 */
#ifndef PC_OUTPUT_H
#define PC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"

#define SUMMARY_MAX_BYTES ((size_t)1024 * 1024 - 4096) /* room under the runner's 1 MiB */
#define SUMMARY_MAX_COLS  8
/* The Markdown the notes may take, which rows cannot use up. */
#define SUMMARY_NOTES_MAX_BYTES (SUMMARY_MAX_BYTES / 4)
/* One note's text, and the title's: longer ones are cut, the cut marked "…". */
#define SUMMARY_NOTE_MAX_BYTES  4096
#define SUMMARY_TITLE_MAX_BYTES 1024

/* Formats the heredoc record for key/value with delimiter delim into out. */
int out_format(struct buf *out, const char *key, const char *value, const char *delim,
	       struct err *e);

/*
 * Appends s escaped for Markdown (a table cell or inline text): HTML special
 * characters become entities, Markdown punctuation is backslash-escaped, '|'
 * cannot end a cell, newlines become spaces, control characters drop, and so
 * do the characters that can reorder or hide text (util.h utf8_invisible:
 * bidi controls, LRM/RLM/ALM, BOM, C1 controls); bytes that are not UTF-8
 * show as U+FFFD. At most max_chars characters are shown (an ellipsis marks a
 * cut; 0 = all). -1 if out fails.
 */
int md_escape(struct buf *out, const char *s, size_t max_chars);

/* The step outputs of a run, in the order set. */
struct outputs {
	char **keys, **values;
	size_t n;
};

/* Sets key (a later set replaces the value, keeping the place). */
void outputs_set(struct outputs *o, const char *key, const char *value);
void outputs_release(struct outputs *o);
/* Whether key was set. */
bool outputs_has(const struct outputs *o, const char *key);

/*
 * Appends every output to the file at path (the runner's GITHUB_OUTPUT),
 * each with a fresh delimiter, in one write. -1 + ERR_IO when the file cannot
 * be written, ERR_INPUT when a key is not a valid output name or a value
 * holds its delimiter.
 */
int outputs_write(const struct outputs *o, const char *path, struct err *e);

/*
 * The run's summary: a title, notes, and one table. Its Markdown stays under
 * SUMMARY_MAX_BYTES. Notes come first and have a budget of their own
 * (SUMMARY_NOTES_MAX_BYTES), so a table of any size cannot push out the
 * closing notes (counts, figures, job id, failure reasons): rows give way
 * to notes, never the reverse. What is left out is counted and said.
 */
struct summary {
	char *title;
	char **notes;
	size_t nnotes;
	char *headers[SUMMARY_MAX_COLS];
	size_t ncols;
	char **cells; /* nrows * ncols, plain text */
	size_t nrows;
	size_t bytes;         /* Markdown of the rows kept, against SUMMARY_MAX_BYTES */
	size_t dropped_rows;  /* rows not kept, to stay under the cap */
	size_t note_bytes;    /* text of the notes kept */
	size_t dropped_notes; /* notes not kept (only past their budget) */
};

void summary_init(struct summary *s);
void summary_release(struct summary *s);

/* Sets the title (at most SUMMARY_TITLE_MAX_BYTES of text: a longer one is cut). */
void summary_title(struct summary *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A paragraph of plain text (may hold GitHub text: it is escaped when
 * rendered). A note longer than SUMMARY_NOTE_MAX_BYTES is cut, not dropped;
 * one that does not fit what is left of the notes' budget when rendered is
 * cut to it, and only notes past the budget are left out (and counted).
 */
void summary_note(struct summary *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Starts the table with n (<= SUMMARY_MAX_COLS) column headers, dropping any earlier rows. */
void summary_table(struct summary *s, const char *const *headers, size_t n);

/*
 * Adds a row of plain-text cells (as many as headers). A row past the cap is
 * counted, not kept; when rendered, rows also give way to the notes.
 */
void summary_row(struct summary *s, const char *const *cells);

/*
 * Renders the summary as Markdown, appended to out: title, notes, table, and
 * a line for each of rows and notes left out. What it appends is under
 * SUMMARY_MAX_BYTES. 0, or -1 if out's cap was too small (out failed).
 */
int summary_markdown(const struct summary *s, struct buf *out);

/* Appends the Markdown summary to the file at path (no-op when path is NULL); -1 + ERR_IO. */
int summary_write(const struct summary *s, const char *path, struct err *e);

/*
 * Prints the summary and the outputs to f as aligned text, or as one JSON
 * object; either way, bytes that are not UTF-8 show as U+FFFD.
 */
void results_print(const struct summary *s, const struct outputs *o, bool json, FILE *f);

/*
 * Appends s as a JSON string literal (quoted and escaped; bytes that are not
 * UTF-8 as U+FFFD), for a command whose output is a JSON document (stats)
 * and which never sees cJSON. -1 over out's cap (out failed).
 */
int out_json_string(struct buf *out, const char *s);

#endif
