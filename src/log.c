/*
 * log.c - log lines and workflow commands, with masking and escaping.
 * Must never print a secret, and never let outside text act as a command.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "json.h"
#include "util.h"

#define LINE_MAX_BYTES    ((size_t)64 * 1024)   /* of a message's text; escaping adds more */
#define MESSAGE_MAX_BYTES ((size_t)1024 * 1024) /* formatted before redaction and the cut */
#define MASK_MIN_LEN      4
#define CONTEXT_MAX       8

static struct {
	bool actions;
	bool debug;
	bool in_group;
	FILE *out;
	char **secrets;
	size_t nsecrets;
	FILE *file; /* the JSON-lines copy, or NULL */
	char *ctx_keys[CONTEXT_MAX], *ctx_values[CONTEXT_MAX];
	size_t nctx;
} L;

static FILE *
stream(void)
{
	return L.out != NULL ? L.out : stderr;
}

void
log_init(bool actions, bool debug, FILE *out)
{
	L.actions = actions;
	L.debug = debug;
	L.out = out;
}

void
log_release(void)
{
	for (size_t i = 0; i < L.nsecrets; i++)
		free(L.secrets[i]);
	free(L.secrets);
	L.secrets = NULL;
	L.nsecrets = 0;
	for (size_t i = 0; i < L.nctx; i++) {
		free(L.ctx_keys[i]);
		free(L.ctx_values[i]);
	}
	L.nctx = 0;
	if (L.file != NULL)
		fclose(L.file);
	L.file = NULL;
}

int
log_file_open(const char *path, struct err *e)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return err_set(e, ERR_IO, "log-file '%s': %s", path, strerror(errno));
	if (L.file != NULL)
		fclose(L.file);
	L.file = f;
	return 0;
}

void
log_context(const char *key, const char *value)
{
	size_t i = 0;

	while (i < L.nctx && strcmp(L.ctx_keys[i], key) != 0)
		i++;
	if (i < L.nctx) {
		free(L.ctx_values[i]);
		L.ctx_values[i] = value != NULL ? xstrdup(value) : NULL;
		return;
	}
	if (value == NULL || L.nctx == CONTEXT_MAX)
		return;
	L.ctx_keys[L.nctx] = xstrdup(key);
	L.ctx_values[L.nctx++] = xstrdup(value);
}

/* The pull request a line is about: "#12 …", "  #12: …", "pull request #12"; else 0. */
static long long
line_pr(const char *s)
{
	const char *p = s;

	while (*p == ' ')
		p++;
	if (strncmp(p, "pull request ", 13) == 0)
		p += 13;
	if (*p != '#' || p[1] < '0' || p[1] > '9')
		return 0;
	return strtoll(p + 1, NULL, 10);
}

/* {"time":…,"level":…, the context, then what put() adds} as one line of the file. */
static void
file_line(const char *level, const char *event, const char *message, const struct log_field *f,
	  size_t n)
{
	struct buf b = BUF_INIT(8 * LINE_MAX_BYTES);
	char now[21];
	long long pr = message != NULL ? line_pr(message) : 0;

	time_format_iso(clock_now(), now);
	buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\"", now, level);
	if (event != NULL) {
		buf_puts(&b, ",\"event\":");
		json_quote(&b, event);
	}
	for (size_t i = 0; i < L.nctx; i++) {
		if (L.ctx_values[i] == NULL)
			continue;
		buf_putc(&b, ',');
		json_quote(&b, L.ctx_keys[i]);
		buf_putc(&b, ':');
		json_quote(&b, L.ctx_values[i]);
	}
	if (pr > 0)
		buf_printf(&b, ",\"pr\":%lld", pr);
	if (message != NULL) {
		buf_puts(&b, ",\"message\":");
		json_quote(&b, message);
	}
	for (size_t i = 0; i < n; i++) {
		struct buf red = BUF_INIT(LINE_MAX_BYTES);

		buf_putc(&b, ',');
		json_quote(&b, f[i].key);
		buf_putc(&b, ':');
		if (f[i].text == NULL) {
			buf_printf(&b, "%lld", (long long)f[i].num);
		} else {
			log_redact(&red, f[i].text);
			json_quote(&b, buf_str(&red));
		}
		buf_release(&red);
	}
	buf_putc(&b, '}');
	if (!buf_failed(&b)) {
		fprintf(L.file, "%s\n", buf_str(&b));
		fflush(L.file);
	}
	buf_release(&b);
}

void
log_event(const char *event, const struct log_field *f, size_t n)
{
	if (L.file != NULL)
		file_line("info", event, NULL, f, n);
}

bool
log_debug_enabled(void)
{
	return L.debug;
}

static int
escape(struct buf *out, const char *s, bool property)
{
	for (; *s != '\0'; s++) {
		int rc;

		switch (*s) {
		case '%': rc = buf_puts(out, "%25"); break;
		case '\r': rc = buf_puts(out, "%0D"); break;
		case '\n': rc = buf_puts(out, "%0A"); break;
		case ':': rc = property ? buf_puts(out, "%3A") : buf_putc(out, ':'); break;
		case ',': rc = property ? buf_puts(out, "%2C") : buf_putc(out, ','); break;
		default: rc = buf_putc(out, *s); break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
log_escape_data(struct buf *out, const char *s)
{
	return escape(out, s, false);
}

int
log_escape_property(struct buf *out, const char *s)
{
	return escape(out, s, true);
}

/*
 * Appends the character at p (n bytes left) as a log shows outside text, and
 * sets *used to its bytes: control characters as \n, \r, \t or \xNN, what
 * can reorder or hide text as \uXXXX, bytes that are not UTF-8 as \xNN.
 * Unless line (the text is annotation data, escaped after this), line breaks
 * and tabs are left for the runner's escaping to carry.
 */
static int
put_visible(struct buf *out, const char *p, size_t n, bool line, size_t *used)
{
	int cp = utf8_decode(p, n, used);

	if (cp < 0) {
		for (size_t i = 0; i < *used; i++)
			if (buf_printf(out, "\\x%02x", (unsigned char)p[i]) < 0)
				return -1;
		return 0;
	}
	if (utf8_invisible(cp))
		return buf_printf(out, "\\u%04x", (unsigned)cp);
	if (!line && (cp == '\n' || cp == '\r' || cp == '\t'))
		return buf_putc(out, (char)cp);
	if (cp == '\n')
		return buf_puts(out, "\\n");
	if (cp == '\r')
		return buf_puts(out, "\\r");
	if (cp == '\t')
		return buf_puts(out, "\\t");
	if (cp < 0x20 || cp == 0x7f)
		return buf_printf(out, "\\x%02x", (unsigned)cp);
	/* The runner reads "##[command]" anywhere in a line (ActionCommand.TryParse). */
	if (line && cp == '[' && out->len >= 2 && out->data[out->len - 2] == '#' &&
	    out->data[out->len - 1] == '#')
		return buf_puts(out, "\\[");
	return buf_append(out, p, *used);
}

/* Appends s with control characters (but line breaks and tabs) and what can
 * reorder or hide text escaped: for annotation data. */
static int
unhide(struct buf *out, const char *s)
{
	const char *end = s + strlen(s);
	size_t used;

	for (const char *p = s; p < end; p += used)
		if (put_visible(out, p, (size_t)(end - p), false, &used) < 0)
			return -1;
	return 0;
}

/*
 * Bytes of a character the runner's TrimStart() skips (.NET char.IsWhiteSpace)
 * at p, or 0. Those that are escaped anyway are not listed.
 */
static size_t
blank(const char *p, size_t n)
{
	size_t used;
	int cp = utf8_decode(p, n, &used);

	if (cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
	    cp == 0x205F || cp == 0x3000)
		return used;
	return 0;
}

int
log_sanitize_line(struct buf *out, const char *s)
{
	const char *end = s + strlen(s);
	const char *p = s;
	size_t used;

	while (p < end && blank(p, (size_t)(end - p)) > 0)
		p += blank(p, (size_t)(end - p));
	if (str_starts(p, "::") && buf_putc(out, '\\') < 0)
		return -1;
	for (p = s; p < end; p += used)
		if (put_visible(out, p, (size_t)(end - p), true, &used) < 0)
			return -1;
	return 0;
}

/* Where s[0..len) holds needle, ASCII case ignored, or NULL. */
static const char *
find_nocase(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

/* The longest prefix of s[0..n) that ends on a character boundary, at most max bytes. */
static size_t
whole_chars(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

int
log_gist(struct buf *out, const char *s, size_t len, size_t max)
{
	const char *t;
	const char *end;
	struct buf g = BUF_INIT(len + 1);
	bool space = false, tag = false;
	size_t n;
	int rc;

	/* A body never appended to, or one whose buffer failed, has no data (and NULL + 0 is UB). */
	if (s == NULL) {
		s = "";
		len = 0;
	}
	t = find_nocase(s, len, "<title>");
	end = s + len;
	if (t != NULL) {
		const char *te = find_nocase(t, (size_t)(end - t), "</title>");

		s = t + 7;
		end = te != NULL ? te : end;
	}
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (tag || c == '<') {
			tag = c != '>';
			space = true;
		} else if (c <= 0x20 || c == 0x7f) {
			space = true;
		} else {
			/* g holds len + 1 bytes: these appends cannot fail. */
			if (space && g.len > 0)
				(void)buf_putc(&g, ' ');
			space = false;
			(void)buf_putc(&g, (char)c);
		}
	}
	n = whole_chars(buf_str(&g), g.len, max);
	rc = n > 0 ? buf_append(out, g.data, n) : 0;
	if (rc == 0 && n < g.len)
		rc = buf_puts(out, "…");
	buf_release(&g);
	return rc;
}

int
log_redact(struct buf *out, const char *s)
{
	while (*s != '\0') {
		size_t best = 0;

		for (size_t i = 0; i < L.nsecrets; i++) {
			size_t n = strlen(L.secrets[i]);

			if (n > best && strncmp(s, L.secrets[i], n) == 0)
				best = n;
		}
		if (best > 0) {
			if (buf_puts(out, "***") < 0)
				return -1;
			s += best;
		} else {
			if (buf_putc(out, *s) < 0)
				return -1;
			s++;
		}
	}
	return 0;
}

static void
add_secret(const char *s, size_t n)
{
	char *v;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n < MASK_MIN_LEN)
		return;
	v = xstrndup(s, n);
	for (size_t i = 0; i < L.nsecrets; i++) {
		if (strcmp(L.secrets[i], v) == 0) {
			free(v);
			return;
		}
	}
	L.secrets = xrealloc(L.secrets, (L.nsecrets + 1) * sizeof(*L.secrets));
	L.secrets[L.nsecrets++] = v;
	if (L.actions) {
		struct buf b = BUF_INIT(LINE_MAX_BYTES);

		if (log_escape_data(&b, v) == 0)
			fprintf(stream(), "::add-mask::%s\n", buf_str(&b));
		buf_release(&b);
		fflush(stream());
	}
}

void
log_mask(const char *secret)
{
	const char *p;

	if (secret == NULL)
		return;
	/* The runner masks each line of a multi-line secret; so do we. */
	p = secret;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		add_secret(p, n);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* Formats, redacts, cuts, escapes per kind and prints one line. */
static void
emit(const char *command, const char *plain_prefix, const char *fmt, va_list ap)
{
	struct buf raw = BUF_INIT(MESSAGE_MAX_BYTES);
	struct buf red = BUF_INIT(MESSAGE_MAX_BYTES); /* redaction never lengthens */
	struct buf cut = BUF_INIT(LINE_MAX_BYTES);
	/* Escaping makes a byte of text at most 4 ("\xNN", or '%' as "%25"), then
	 * comes the command or the prefix: these cannot fail. */
	struct buf vis = BUF_INIT(4 * LINE_MAX_BYTES);
	struct buf line = BUF_INIT(4 * LINE_MAX_BYTES + 64);
	size_t n;

	if (buf_vprintf(&raw, fmt, ap) < 0) {
		buf_reset(&raw); /* failure is sticky */
		buf_puts(&raw, "(log line too long)");
	}
	/* Redact before cutting: the two halves of a cut secret would not be recognised. */
	log_redact(&red, buf_str(&raw));
	/* An over-long message is cut, the cut marked, rather than dropped. */
	n = whole_chars(buf_str(&red), red.len, LINE_MAX_BYTES - strlen("…"));
	buf_append(&cut, buf_str(&red), n);
	if (n < red.len)
		buf_puts(&cut, "…");
	if (L.actions && command != NULL) {
		/* The runner shows annotations too: no raw controls or bidi controls there. */
		unhide(&vis, buf_str(&cut));
		buf_printf(&line, "::%s::", command);
		log_escape_data(&line, buf_str(&vis));
	} else {
		if (plain_prefix != NULL)
			buf_puts(&line, plain_prefix);
		log_sanitize_line(&line, buf_str(&cut));
	}
	fprintf(stream(), "%s\n", buf_failed(&line) ? "(log line too long)" : buf_str(&line));
	fflush(stream());
	if (L.file != NULL)
		file_line(command == NULL || strcmp(command, "group") == 0 ? "info" : command, NULL,
			  buf_str(&cut), NULL, 0);
	buf_release(&raw);
	buf_release(&red);
	buf_release(&cut);
	buf_release(&vis);
	buf_release(&line);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, NULL, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("notice", "notice: ", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning", "warning: ", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error", "error: ", fmt, ap);
	va_end(ap);
}

void
log_debug_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("debug", "debug: ", fmt, ap);
	va_end(ap);
}

void
log_group(const char *fmt, ...)
{
	va_list ap;

	if (L.in_group)
		log_endgroup();
	va_start(ap, fmt);
	emit("group", "== ", fmt, ap);
	va_end(ap);
	L.in_group = true;
}

void
log_endgroup(void)
{
	if (!L.in_group)
		return;
	if (L.actions) {
		fprintf(stream(), "::endgroup::\n");
		fflush(stream());
	}
	L.in_group = false;
}
