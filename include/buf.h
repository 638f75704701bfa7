/*
 * buf.h - a growable byte buffer with a size cap (curl's dynbuf, git's strbuf).
 *
 * The data is always NUL-terminated, so buf_str() can be passed to string
 * functions. Every buffer has a maximum size, so a hostile or runaway answer
 * cannot eat the machine. Failure is sticky, as in curl's dynbuf: the first
 * append that would pass the cap frees the data and marks the buffer failed,
 * and every later append fails until buf_reset() or buf_release(), so a URL or
 * a body cut in the middle can never be sent by mistake. Out of memory aborts
 * the process (util.h xmalloc).
 */
#ifndef PC_BUF_H
#define PC_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append, and after a failure */
	size_t len;
	size_t cap;
	size_t max;  /* appends beyond this many bytes fail */
	bool failed; /* an append failed: empty, and appends fail until reset */
};

#define BUF_INIT(maxbytes)                                                                         \
	{                                                                                          \
		NULL, 0, 0, (maxbytes), false                                                      \
	}

/* Sets up an empty buffer that holds at most max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Frees the data and empties b, clearing a failure; b can be reused. */
void buf_release(struct buf *b);

/* Empties b but keeps its memory for reuse; clears a failure. */
void buf_reset(struct buf *b);

/*
 * Appends n bytes. -1 if b has failed before, or if the result would exceed
 * b->max: then b fails (its data is freed, buf_str() is "", buf_failed() is
 * true) and stays failed until buf_reset() or buf_release().
 */
int buf_append(struct buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string; -1 and b failed as buf_append. */
int buf_puts(struct buf *b, const char *s);

/* Appends one byte; -1 and b failed as buf_append. */
int buf_putc(struct buf *b, char c);

/* Appends printf-formatted text; -1 and b failed as buf_append (or on a format error). */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* true if an append failed since the last buf_init(), buf_reset() or buf_release(). */
bool buf_failed(const struct buf *b);

/*
 * The contents as a string; "" for an empty or failed buffer. Borrowed: valid
 * until b changes.
 */
const char *buf_str(const struct buf *b);

/*
 * Hands the data to the caller (who frees it) and empties b; never NULL. A
 * failed buffer hands over a new "" and stays failed (appends keep failing
 * until buf_reset() or buf_release()), so callers check buf_failed() before
 * or after, and one that does not has an empty string, never a cut one.
 */
char *buf_detach(struct buf *b);

/*
 * Appends the whole file at path. -1 with errno set when it cannot be opened
 * or read, or EFBIG when it holds more than b can take (b has failed then).
 */
int buf_read_file(struct buf *b, const char *path);

#endif
