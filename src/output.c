/*
 * output.c - step outputs (heredoc records) and the summary, rendered as
 * Markdown for the runner or as text / JSON for a terminal.
 */
#include "output.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "util.h"

#define OUTPUT_MAX    ((size_t)1024 * 1024)
#define TEXT_CELL_MAX 60 /* characters of a cell on a terminal */
#define MD_CELL_MAX   80

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

void
outputs_set(struct outputs *o, const char *key, const char *value)
{
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->keys[i], key) == 0) {
			free(o->values[i]);
			o->values[i] = xstrdup(value != NULL ? value : "");
			return;
		}
	}
	o->keys = xrealloc(o->keys, (o->n + 1) * sizeof(*o->keys));
	o->values = xrealloc(o->values, (o->n + 1) * sizeof(*o->values));
	o->keys[o->n] = xstrdup(key);
	o->values[o->n] = xstrdup(value != NULL ? value : "");
	o->n++;
}

bool
outputs_has(const struct outputs *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return true;
	return false;
}

void
outputs_release(struct outputs *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->keys[i]);
		free(o->values[i]);
	}
	free(o->keys);
	free(o->values);
	memset(o, 0, sizeof(*o));
}

int
outputs_write(const struct outputs *o, const char *path, struct err *e)
{
	struct buf rec = BUF_INIT(OUTPUT_MAX + 65536);
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < o->n; i++) {
		char uuid[UUID_STR_SIZE];
		char delim[64];

		if (uuid_v4(uuid) < 0) {
			rc = err_set(e, ERR_IO, "no randomness for the output delimiter");
			break;
		}
		snprintf(delim, sizeof(delim), "ghadelimiter_%s", uuid);
		rc = out_format(&rec, o->keys[i], o->values[i], delim, e);
	}
	if (rc == 0 && rec.len > 0)
		rc = append_file(path, rec.data, rec.len, "GITHUB_OUTPUT", e);
	buf_release(&rec);
	return rc;
}

/*
 * The Markdown form of the character at p (n bytes left): returns it and sets
 * *len to its length (0: dropped) and *used to the bytes of p it stands for.
 * pair holds a backslash escape.
 */
static const char *
md_char(const char *p, size_t n, size_t *used, size_t *len, char pair[2])
{
	int cp = utf8_decode(p, n, used);
	const char *s;

	switch (cp) {
	case -1: s = UTF8_REPLACEMENT; break;
	case '&': s = "&amp;"; break;
	case '<': s = "&lt;"; break;
	case '>': s = "&gt;"; break;
	case '"': s = "&quot;"; break;
	case '|': s = "&#124;"; break;
	case '\n':
	case '\r':
	case '\t': s = " "; break;
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
		pair[0] = '\\';
		pair[1] = (char)cp;
		*len = 2;
		return pair;
	default:
		/* Dropped rather than shown escaped: right-to-left text uses the marks
		 * legitimately, and the store and the log keep what was written. */
		*len = cp < 0x20 || cp == 0x7f || utf8_invisible(cp) ? 0 : *used;
		return p;
	}
	*len = strlen(s);
	return s;
}

/*
 * Appends s escaped for Markdown: at most max_chars characters shown (0 =
 * all) and at most max_bytes appended, the "…" that marks a cut included
 * (nothing at all if even that does not fit). -1 if out fails.
 */
static int
escape_md(struct buf *out, const char *s, size_t max_chars, size_t max_bytes)
{
	const char *end = s + strlen(s);
	size_t chars = 0;
	size_t bytes = 0;
	size_t shown = 0;
	size_t written = 0;
	bool cut;

	/* First the size of the whole, to know whether to cut at all. */
	for (const char *p = s; p < end;) {
		char pair[2];
		size_t used;
		size_t len;

		(void)md_char(p, (size_t)(end - p), &used, &len, pair);
		chars += len > 0;
		bytes += len;
		p += used;
	}
	cut = (max_chars > 0 && chars > max_chars) || bytes > max_bytes;
	if (cut && max_bytes < strlen("…"))
		return 0;
	for (const char *p = s; p < end;) {
		char pair[2];
		size_t used;
		size_t len;
		const char *rep = md_char(p, (size_t)(end - p), &used, &len, pair);

		if (cut && len > 0 &&
		    ((max_chars > 0 && shown == max_chars) ||
		     written + len > max_bytes - strlen("…")))
			return buf_puts(out, "…");
		if (buf_append(out, rep, len) < 0)
			return -1;
		shown += len > 0;
		written += len;
		p += used;
	}
	return 0;
}

int
md_escape(struct buf *out, const char *s, size_t max_chars)
{
	if (s == NULL)
		return 0;
	return escape_md(out, s, max_chars, SIZE_MAX);
}

void
summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
}

void
summary_release(struct summary *s)
{
	free(s->title);
	for (size_t i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	free(s->notes);
	for (size_t i = 0; i < s->ncols; i++)
		free(s->headers[i]);
	for (size_t i = 0; i < s->nrows * s->ncols; i++)
		free(s->cells[i]);
	free(s->cells);
	memset(s, 0, sizeof(*s));
}

/* Formats into a new string of at most max bytes (max > 3); a longer text is cut, marked "…". */
static char *
vformat(size_t max, const char *fmt, va_list ap)
{
	char *s = xmalloc(max + 1);
	int n = vsnprintf(s, max + 1, fmt, ap);

	if (n < 0) {
		s[0] = '\0';
	} else if ((size_t)n > max) {
		size_t cut = max - strlen("…");

		/* Whole characters only: back off to a lead byte. */
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		snprintf(s + cut, max + 1 - cut, "%s", "…");
	}
	return s;
}

void
summary_title(struct summary *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(s->title);
	s->title = vformat(SUMMARY_TITLE_MAX_BYTES, fmt, ap);
	va_end(ap);
}

void
summary_note(struct summary *s, const char *fmt, ...)
{
	va_list ap;
	char *note;

	va_start(ap, fmt);
	note = vformat(SUMMARY_NOTE_MAX_BYTES, fmt, ap);
	va_end(ap);
	/* Only a bound on memory: what shows is settled in summary_markdown. */
	if (s->note_bytes > SUMMARY_NOTES_MAX_BYTES) {
		s->dropped_notes++;
		free(note);
		return;
	}
	s->note_bytes += strlen(note);
	s->notes = xrealloc(s->notes, (s->nnotes + 1) * sizeof(*s->notes));
	s->notes[s->nnotes++] = note;
}

void
summary_table(struct summary *s, const char *const *headers, size_t n)
{
	for (size_t i = 0; i < s->nrows * s->ncols; i++)
		free(s->cells[i]);
	for (size_t i = 0; i < s->ncols; i++)
		free(s->headers[i]);
	s->nrows = 0;
	s->bytes = 0;
	s->dropped_rows = 0;
	s->ncols = n < SUMMARY_MAX_COLS ? n : SUMMARY_MAX_COLS;
	for (size_t i = 0; i < s->ncols; i++)
		s->headers[i] = xstrdup(headers[i]);
}

/* One Markdown table row of ncols cells into row (emptied first). */
static void
render_row(struct buf *row, const char *const *cells, size_t ncols)
{
	buf_reset(row);
	buf_putc(row, '|');
	for (size_t c = 0; c < ncols; c++) {
		buf_putc(row, ' ');
		md_escape(row, cells[c] != NULL ? cells[c] : "", MD_CELL_MAX);
		buf_puts(row, " |");
	}
	buf_putc(row, '\n');
}

void
summary_row(struct summary *s, const char *const *cells)
{
	struct buf row = BUF_INIT(SUMMARY_MAX_BYTES);

	if (s->ncols == 0) {
		s->dropped_rows++;
		return;
	}
	/* Rows kept are bounded by their Markdown size; notes may still push some out. */
	render_row(&row, cells, s->ncols);
	if (buf_failed(&row) || s->bytes + row.len > SUMMARY_MAX_BYTES) {
		s->dropped_rows++;
		buf_release(&row);
		return;
	}
	s->bytes += row.len;
	buf_release(&row);
	s->cells = xrealloc(s->cells, (s->nrows + 1) * s->ncols * sizeof(*s->cells));
	for (size_t i = 0; i < s->ncols; i++)
		s->cells[s->nrows * s->ncols + i] = xstrdup(cells[i] != NULL ? cells[i] : "");
	s->nrows++;
}

/* Room kept at the end for the lines that count what was left out. */
#define MD_TRAILER_MAX 256
/* The Markdown of a title, and of the table's head: each cell cut to MD_CELL_MAX characters
 * of at most 6 bytes each ("&#124;"), plus "…" and the separators. */
#define MD_TITLE_MAX 2048
#define MD_HEAD_MAX  ((size_t)2 * (1 + SUMMARY_MAX_COLS * ((size_t)MD_CELL_MAX * 6 + 3 + 3) + 1))
/* Notes too short to say anything are counted instead. */
#define MD_NOTE_MIN 64

_Static_assert(MD_TITLE_MAX + 6 + SUMMARY_NOTES_MAX_BYTES + MD_HEAD_MAX + MD_TRAILER_MAX <
		       SUMMARY_MAX_BYTES,
	       "the title, notes, table head and trailer leave no room for rows");

int
summary_markdown(const struct summary *s, struct buf *out)
{
	const size_t start = out->len;
	size_t dropped = s->dropped_rows;
	size_t notes_left_out = s->dropped_notes;
	size_t budget = SUMMARY_NOTES_MAX_BYTES;

	if (s->title != NULL) {
		buf_puts(out, "### ");
		escape_md(out, s->title, 0, MD_TITLE_MAX);
		buf_puts(out, "\n\n");
	}
	/* Notes first, in a budget of their own: rows give way to them, never the reverse. */
	for (size_t i = 0; i < s->nnotes; i++) {
		size_t before = out->len;

		if (budget < MD_NOTE_MIN) {
			notes_left_out++;
			continue;
		}
		if (escape_md(out, s->notes[i], 0, budget - 2) < 0 || buf_puts(out, "\n\n") < 0)
			return -1; /* out's cap was too small */
		budget -= out->len - before;
	}
	if (s->ncols > 0 && s->nrows > 0) {
		struct buf row = BUF_INIT(SUMMARY_MAX_BYTES);

		render_row(&row, (const char *const *)s->headers, s->ncols);
		buf_append(out, row.data, row.len);
		buf_putc(out, '|');
		for (size_t c = 0; c < s->ncols; c++)
			buf_puts(out, "---|");
		buf_putc(out, '\n');
		for (size_t r = 0; r < s->nrows; r++) {
			render_row(&row, (const char *const *)&s->cells[r * s->ncols], s->ncols);
			/* Whatever the notes left: the rest of the rows are counted, not shown. */
			if (out->len - start + row.len + MD_TRAILER_MAX >= SUMMARY_MAX_BYTES) {
				dropped += s->nrows - r;
				break;
			}
			buf_append(out, row.data, row.len);
		}
		buf_release(&row);
	}
	if (dropped > 0)
		buf_printf(out, "\n_%zu more rows left out to keep this summary under 1 MiB._\n",
			   dropped);
	if (notes_left_out > 0)
		buf_printf(out, "\n_%zu more notes left out to keep this summary under 1 MiB._\n",
			   notes_left_out);
	return buf_failed(out) ? -1 : 0;
}

int
summary_write(const struct summary *s, const char *path, struct err *e)
{
	struct buf md = BUF_INIT(SUMMARY_MAX_BYTES);
	int rc;

	if (path == NULL)
		return 0;
	if (summary_markdown(s, &md) < 0) {
		buf_release(&md);
		return err_set(e, ERR_IO, "step summary over %zu bytes", (size_t)SUMMARY_MAX_BYTES);
	}
	rc = append_file(path, buf_str(&md), md.len, "GITHUB_STEP_SUMMARY", e);
	buf_release(&md);
	return rc;
}

/* Characters (not bytes) of UTF-8 s. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * s for a terminal, at most max characters: control characters shown as
 * spaces, the ones that reorder or hide text dropped (as in Markdown), bytes
 * that are not UTF-8 shown as U+FFFD.
 */
static char *
text_cell(const char *s, size_t max)
{
	struct buf b = BUF_INIT(SUMMARY_MAX_BYTES);
	const char *end = s + strlen(s);
	size_t shown = 0;

	for (const char *p = s; p < end && !buf_failed(&b);) {
		size_t used;
		int cp = utf8_decode(p, (size_t)(end - p), &used);

		if (cp >= 0 && utf8_invisible(cp)) {
			p += used;
			continue;
		}
		if (shown++ == max) {
			buf_puts(&b, "…");
			break;
		}
		if (cp < 0)
			buf_puts(&b, UTF8_REPLACEMENT);
		else if (cp < 0x20 || cp == 0x7f)
			buf_putc(&b, ' ');
		else
			buf_append(&b, p, used);
		p += used;
	}
	return buf_detach(&b);
}

static void
print_text(const struct summary *s, const struct outputs *o, FILE *f)
{
	size_t w[SUMMARY_MAX_COLS] = {0};
	size_t kw = 0;
	char **cells = xcalloc(s->nrows * s->ncols + 1, sizeof(*cells));

	if (s->title != NULL) {
		char *t = text_cell(s->title, 200);

		fprintf(f, "%s\n\n", t);
		free(t);
	}
	for (size_t c = 0; c < s->ncols; c++)
		w[c] = width(s->headers[c]);
	for (size_t i = 0; i < s->nrows * s->ncols; i++) {
		cells[i] = text_cell(s->cells[i], TEXT_CELL_MAX);
		if (width(cells[i]) > w[i % s->ncols])
			w[i % s->ncols] = width(cells[i]);
	}
	if (s->nrows > 0) {
		for (size_t c = 0; c < s->ncols; c++)
			fprintf(f, "%s%-*s", c > 0 ? "  " : "", c + 1 < s->ncols ? (int)w[c] : 0,
				s->headers[c]);
		fputc('\n', f);
		for (size_t r = 0; r < s->nrows; r++) {
			for (size_t c = 0; c < s->ncols; c++) {
				const char *v = cells[r * s->ncols + c];

				/* Pad by characters, not bytes. */
				fprintf(f, "%s%s%*s", c > 0 ? "  " : "", v,
					c + 1 < s->ncols ? (int)(w[c] - width(v)) : 0, "");
			}
			fputc('\n', f);
		}
		if (s->dropped_rows > 0)
			fprintf(f, "(%zu more rows)\n", s->dropped_rows);
		fputc('\n', f);
	}
	for (size_t i = 0; i < s->nnotes; i++) {
		char *t = text_cell(s->notes[i], 2000);

		fprintf(f, "%s\n", t);
		free(t);
	}
	if (s->dropped_notes > 0)
		fprintf(f, "(%zu more notes)\n", s->dropped_notes);
	if (s->nnotes > 0 || s->dropped_notes > 0)
		fputc('\n', f);
	for (size_t i = 0; i < o->n; i++)
		kw = strlen(o->keys[i]) > kw ? strlen(o->keys[i]) : kw;
	for (size_t i = 0; i < o->n; i++)
		fprintf(f, "%-*s  %s\n", (int)kw, o->keys[i], o->values[i]);
	for (size_t i = 0; i < s->nrows * s->ncols; i++)
		free(cells[i]);
	free(cells);
}

/* Adds s to obj (an object, under key) or to an array (key NULL), as UTF-8: JSON is. */
static void
add_text(cJSON *to, const char *key, const char *s)
{
	char *valid = utf8_repair_dup(s);

	if (key != NULL)
		json_add_str(to, key, valid);
	else
		cJSON_AddItemToArray(to, cJSON_CreateString(valid));
	free(valid);
}

static void
print_json(const struct summary *s, const struct outputs *o, FILE *f)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *rows = cJSON_CreateArray();
	cJSON *notes = cJSON_CreateArray();
	char *text;

	for (size_t i = 0; i < o->n; i++)
		add_text(root, o->keys[i], o->values[i]);
	cJSON_AddItemToObject(root, "notes", notes);
	for (size_t i = 0; i < s->nnotes; i++)
		add_text(notes, NULL, s->notes[i]);
	cJSON_AddItemToObject(root, "rows", rows);
	for (size_t r = 0; r < s->nrows; r++) {
		cJSON *row = cJSON_CreateObject();

		cJSON_AddItemToArray(rows, row);
		for (size_t c = 0; c < s->ncols; c++)
			add_text(row, s->headers[c], s->cells[r * s->ncols + c]);
	}
	text = json_print(root);
	fprintf(f, "%s\n", text);
	free(text);
	cJSON_Delete(root);
}

void
results_print(const struct summary *s, const struct outputs *o, bool json, FILE *f)
{
	if (json)
		print_json(s, o, f);
	else
		print_text(s, o, f);
	fflush(f);
}

int
out_json_string(struct buf *out, const char *s)
{
	return json_quote(out, s);
}
