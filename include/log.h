/*
 * log.h - everything the program prints for humans: log lines, GitHub workflow
 * commands (annotations, groups, masks) and their escaping.
 *
 * All log output goes to one stream (stderr by default; the runner parses
 * workflow commands on stderr as on stdout), so stdout stays free for results.
 * Inside Actions (GITHUB_ACTIONS=true) annotations are workflow commands;
 * elsewhere they read "error: ..." in git's style.
 *
 * Safety rules this module enforces for every line it prints:
 * - registered secrets are replaced by "***" (belt and braces: they are also
 *   masked with ::add-mask:: before anything else is printed);
 * - text can never start a workflow command: control characters are shown
 *   escaped, a line that would begin with "::" is prefixed and "##[" is
 *   broken wherever it is;
 * - text cannot reorder or hide itself: bidi controls, invisible marks and
 *   bytes that are not UTF-8 are shown escaped, in annotations too.
 */
#ifndef PC_LOG_H
#define PC_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"

/*
 * Sets the mode. actions: emit workflow commands. debug: print debug lines
 * (in Actions they are ::debug:: lines, which the runner shows only with step
 * debugging). stream: where to print (NULL = stderr).
 */
void log_init(bool actions, bool debug, FILE *stream);

/* Frees the registered secrets; closes the log file. */
void log_release(void);

/*
 * Also writes every line (redacted as printed, never a secret) to the file
 * at path as JSON lines: {"time","level","message"} plus the context fields
 * set with log_context and "pr" when the line is about one pull request
 * ("#12 …"). The file is created or emptied. -1 + ERR_IO when it cannot be.
 */
int log_file_open(const char *path, struct err *e);

/* A field every JSON line carries from now on (command, repository, job); NULL value drops it. */
void log_context(const char *key, const char *value);

/* One field of a structured event: a number when text is NULL. */
struct log_field {
	const char *key;
	const char *text;
	int64_t num;
};

/* Writes {"time","level":"info","event":event, fields…} to the log file only. */
void log_event(const char *event, const struct log_field *f, size_t n);

/*
 * Registers a secret: from now on it is redacted from every line, and in
 * Actions "::add-mask::" is printed for it (each line separately for a
 * multi-line value). Empty and very short values (< 4 bytes) are not
 * registered, to avoid redacting ordinary words.
 */
void log_mask(const char *secret);

bool log_debug_enabled(void);

/* Plain information line. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Annotations: ::notice::, ::warning::, ::error:: in Actions. */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Use through log_debug(), which skips formatting when debug is off. */
void log_debug_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_debug_enabled())                                                           \
			log_debug_(__VA_ARGS__);                                                   \
	} while (0)

/* A foldable group in the Actions log (a heading elsewhere). Groups do not nest. */
void log_group(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_endgroup(void);

/*
 * Escaping as the runner unescapes (actions/toolkit command.ts):
 * data: '%' -> %25, '\r' -> %0D, '\n' -> %0A; property: data plus ':' -> %3A,
 * ',' -> %2C. Append the escaped s to out; -1 if out's cap is reached.
 */
int log_escape_data(struct buf *out, const char *s);
int log_escape_property(struct buf *out, const char *s);

/*
 * Makes s safe as (part of) a plain log line; appends to out. Control
 * characters become visible escapes (\n, \r, \t, \xNN); so do the
 * characters that can reorder or hide text (util.h utf8_invisible: bidi
 * controls, LRM/RLM/ALM, BOM, C1 controls) as \uXXXX, and bytes that are not
 * UTF-8 as \xNN. The runner reads "##[command]" anywhere in a line, so each
 * "##[" is written "##\["; and if the line would begin with "::" after blanks
 * (any the runner trims: Unicode spaces too), a leading '\' is added.
 */
int log_sanitize_line(struct buf *out, const char *s);

/*
 * A one-line gist of an answer body that is not the JSON we expected, for an
 * error message: an HTML page's <title> if it has one, else the text with
 * tags dropped and blank runs (newlines included) made one space; cut to at
 * most max bytes on a character boundary, with "…" when cut. Appends to out.
 * s may be NULL when len is 0 (a body never appended to, or a failed buffer).
 */
int log_gist(struct buf *out, const char *s, size_t len, size_t max);

/* Appends s to out with every registered secret replaced by "***". */
int log_redact(struct buf *out, const char *s);

#endif
