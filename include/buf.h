/*
 * buf.h - a growable byte buffer with a size cap (curl's dynbuf, git's strbuf).
 *
 * The data is always NUL-terminated, so buf_str() can be passed to string
 * functions. Every buffer has a maximum size: an append that would pass it
 * fails and leaves the buffer as it was, so a hostile or runaway answer cannot
 * eat the machine. Out of memory aborts the process (util.h xmalloc).
 */
#ifndef PC_BUF_H
#define PC_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* appends beyond this many bytes fail */
};

#define BUF_INIT(maxbytes)                                                                         \
	{                                                                                          \
		NULL, 0, 0, (maxbytes)                                                             \
	}

/* Sets up an empty buffer that holds at most max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Frees the data and empties b; b can be reused. */
void buf_release(struct buf *b);

/* Empties b but keeps its memory for reuse. */
void buf_reset(struct buf *b);

/* Appends n bytes; -1 (b unchanged) if the result would exceed b->max. */
int buf_append(struct buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string; -1 if over the cap. */
int buf_puts(struct buf *b, const char *s);

/* Appends one byte; -1 if over the cap. */
int buf_putc(struct buf *b, char c);

/* Appends printf-formatted text; -1 if over the cap (b unchanged). */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The contents as a string; "" for an empty buffer. Borrowed: valid until b changes. */
const char *buf_str(const struct buf *b);

/* Hands the data to the caller (who frees it) and empties b; never NULL. */
char *buf_detach(struct buf *b);

#endif
