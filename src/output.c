/*
 * output.c - step outputs in the runner's heredoc form, and the step summary.
 */
#include "output.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define OUTPUT_MAX ((size_t)1024 * 1024)

static bool
valid_key(const char *k)
{
	if (k == NULL || *k == '\0')
		return false;
	for (; *k != '\0'; k++)
		if (!isalnum((unsigned char)*k) && *k != '-' && *k != '_')
			return false;
	return true;
}

int
out_format(struct buf *out, const char *key, const char *value, const char *delim, struct err *e)
{
	if (!valid_key(key))
		return err_set(e, ERR_INPUT, "output name '%s' is not valid", key);
	if (strstr(key, delim) != NULL || strstr(value, delim) != NULL)
		return err_set(e, ERR_INPUT, "output '%s': value contains the delimiter", key);
	if (buf_printf(out, "%s<<%s\n%s\n%s\n", key, delim, value, delim) < 0)
		return err_set(e, ERR_IO, "output '%s': value over %zu bytes", key, out->max);
	return 0;
}

/* Writes all of p, retrying on EINTR and short writes. */
static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Appends data to path in one write (O_APPEND), as the toolkit does. */
static int
append_file(const char *path, const char *data, size_t n, const char *what, struct err *e)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	int rc;

	if (fd < 0)
		return err_set(e, ERR_IO, "cannot open %s file '%s': %s", what, path,
			       strerror(errno));
	rc = write_all(fd, data, n);
	if (rc < 0)
		err_set(e, ERR_IO, "cannot write %s file '%s': %s", what, path, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = err_set(e, ERR_IO, "cannot write %s file '%s': %s", what, path,
			     strerror(errno));
	return rc;
}

int
out_set(const char *path, const char *key, const char *value, struct err *e)
{
	struct buf rec = BUF_INIT(OUTPUT_MAX + 4096);
	char uuid[37];
	char delim[64];
	int rc;

	if (value == NULL)
		value = "";
	if (path == NULL) {
		if (!valid_key(key))
			return err_set(e, ERR_INPUT, "output name '%s' is not valid", key);
		printf("%s: %s\n", key, value);
		fflush(stdout);
		return 0;
	}
	if (uuid_v4(uuid) < 0)
		return err_set(e, ERR_IO, "no randomness for the output delimiter");
	snprintf(delim, sizeof(delim), "ghadelimiter_%s", uuid);
	rc = out_format(&rec, key, value, delim, e);
	if (rc == 0)
		rc = append_file(path, rec.data, rec.len, "GITHUB_OUTPUT", e);
	buf_release(&rec);
	return rc;
}

int
md_escape(struct buf *out, const char *s, size_t max_chars)
{
	size_t used = 0;

	if (s == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++, used++) {
		int rc;

		if (max_chars > 0 && used >= max_chars) {
			/* max_chars counts characters: multi-byte ones are copied whole below. */
			return buf_puts(out, "…");
		}
		switch (*p) {
		case '&': rc = buf_puts(out, "&amp;"); break;
		case '<': rc = buf_puts(out, "&lt;"); break;
		case '>': rc = buf_puts(out, "&gt;"); break;
		case '"': rc = buf_puts(out, "&quot;"); break;
		case '|': rc = buf_puts(out, "&#124;"); break;
		case '\n':
		case '\r':
		case '\t': rc = buf_putc(out, ' '); break;
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '#':
		case '!':
		case '~':
		case '$':
		case '(':
		case ')':
		case '{':
		case '}':
			rc = buf_putc(out, '\\');
			if (rc == 0)
				rc = buf_putc(out, (char)*p);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				rc = 0;
			} else {
				rc = buf_putc(out, (char)*p);
				/* Copy the rest of a multi-byte character whole. */
				while (rc == 0 && (p[1] & 0xc0) == 0x80)
					rc = buf_putc(out, (char)*++p);
			}
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

void
summary_init(struct summary *s)
{
	buf_init(&s->md, SUMMARY_MAX_BYTES);
	s->dropped_rows = 0;
}

void
summary_release(struct summary *s)
{
	buf_release(&s->md);
}

void
summary_raw(struct summary *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* Over the cap: the text is left out; the closing note says so. */
	if (buf_vprintf(&s->md, fmt, ap) < 0)
		s->dropped_rows++;
	va_end(ap);
}

void
summary_row(struct summary *s, const char *const *cells, size_t n)
{
	struct buf row = BUF_INIT(SUMMARY_MAX_BYTES);

	buf_putc(&row, '|');
	for (size_t i = 0; i < n; i++)
		buf_printf(&row, " %s |", cells[i] != NULL ? cells[i] : "");
	buf_putc(&row, '\n');
	/* Keep 2 KiB for the closing lines. */
	if (s->md.len + row.len + 2048 > s->md.max || buf_append(&s->md, row.data, row.len) < 0)
		s->dropped_rows++;
	buf_release(&row);
}

int
summary_write(struct summary *s, const char *path, struct err *e)
{
	struct buf tail = BUF_INIT(4096);
	int rc;

	if (path == NULL)
		return 0;
	if (s->dropped_rows > 0)
		buf_printf(&tail, "\n_%zu more rows left out to keep this summary under 1 MiB._\n",
			   s->dropped_rows);
	rc = append_file(path, buf_str(&s->md), s->md.len, "GITHUB_STEP_SUMMARY", e);
	if (rc == 0 && tail.len > 0)
		rc = append_file(path, tail.data, tail.len, "GITHUB_STEP_SUMMARY", e);
	buf_release(&tail);
	return rc;
}
