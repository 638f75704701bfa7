/*
 * fuzz_text.c - libFuzzer target: the small text parsers and escapers:
 * time stamps, strict integers, UUIDs, Markdown and workflow-command escaping,
 * log-line sanitising (what a reader sees is valid UTF-8 with nothing hidden),
 * heredoc records, resume cursors (what parses formats to a canonical text
 * that parses to the same command and numbers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cursor.h"
#include "err.h"
#include "log.h"
#include "output.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
cursor_round_trip(const char *s)
{
	struct buf b = BUF_INIT(1 << 22);
	struct err e;
	char *command, *command2;
	int64_t *numbers, *numbers2;
	size_t n, n2;

	err_clear(&e);
	if (cursor_parse(s, &command, &numbers, &n, &e) < 0) {
		if (e.msg[0] == '\0')
			abort(); /* a refusal always says why */
		return;
	}
	if (cursor_format(&b, command, numbers, n) < 0 ||
	    cursor_parse(buf_str(&b), &command2, &numbers2, &n2, &e) < 0)
		abort();
	if (strcmp(command, command2) != 0 || n != n2 ||
	    (n > 0 && memcmp(numbers, numbers2, n * sizeof(*numbers)) != 0))
		abort();
	buf_release(&b);
	free(command);
	free(command2);
	free(numbers);
	free(numbers2);
}

/* Text for a reader: valid UTF-8, with nothing that reorders or hides it. */
static void
check_shown(const char *s)
{
	const char *end = s + strlen(s);
	size_t used;

	for (const char *p = s; p < end; p += used) {
		int cp = utf8_decode(p, (size_t)(end - p), &used);

		if (cp < 0 || utf8_invisible(cp))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct buf b = BUF_INIT(1 << 20);
	time_t t;
	int64_t n;

	(void)time_parse_iso(s, &t);
	(void)parse_int64(s, INT64_MIN, INT64_MAX, &n);
	(void)uuid_valid(s);
	cursor_round_trip(s);

	md_escape(&b, s, 0);
	/* Escaped Markdown never holds a raw '|', '<', newline. */
	if (strpbrk(buf_str(&b), "|<\n\r") != NULL)
		abort();
	check_shown(buf_str(&b));
	buf_reset(&b);
	log_escape_data(&b, s);
	if (strpbrk(buf_str(&b), "\n\r") != NULL)
		abort();
	buf_reset(&b);
	log_sanitize_line(&b, s);
	/* One line, no command anywhere in it, nothing hidden. */
	if (strpbrk(buf_str(&b), "\n\r") != NULL || strstr(buf_str(&b), "##[") != NULL)
		abort();
	check_shown(buf_str(&b));
	buf_reset(&b);
	(void)out_format(&b, "k", s, "ghadelimiter_fixed", NULL);
	buf_release(&b);
	free(s);
	return 0;
}
