/*
 * buf.c - growable, capped, always NUL-terminated byte buffer whose failure
 * is sticky. Must never hand out a part of what was appended.
 */
#include "buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->failed = false;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
	b->failed = false;
}

/* Frees the data and marks b failed; -1 for the caller to return. */
static int
fail(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = true;
	return -1;
}

/* Makes room for n more bytes plus the terminating NUL; -1 (b failed) over the cap. */
static int
grow(struct buf *b, size_t n)
{
	size_t need;
	size_t cap;

	if (b->failed)
		return -1;
	/* The last test keeps len + n + 1 from wrapping when max is SIZE_MAX. */
	if (n > b->max || b->len > b->max - n || b->len + n == SIZE_MAX)
		return fail(b);
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (grow(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return b->failed ? -1 : fail(b);
	if (grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

bool
buf_failed(const struct buf *b)
{
	return b->failed;
}

const char *
buf_str(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data != NULL ? b->data : xstrdup("");

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int
buf_read_file(struct buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	int rc = 0;

	if (f == NULL)
		return -1;
	for (;;) {
		size_t n = fread(chunk, 1, sizeof(chunk), f);

		if (n == 0)
			break;
		if (buf_append(b, chunk, n) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		rc = -1;
		errno = EIO;
	}
	fclose(f);
	if (rc < 0 && buf_failed(b))
		errno = EFBIG;
	return rc;
}
