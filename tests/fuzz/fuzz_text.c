/*
 * fuzz_text.c - libFuzzer target: the small text parsers and escapers:
 * time stamps, strict integers, UUIDs, Markdown and workflow-command escaping,
 * log-line sanitising, heredoc records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "output.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

	md_escape(&b, s, 0);
	/* Escaped Markdown never holds a raw '|', '<', newline. */
	if (strpbrk(buf_str(&b), "|<\n\r") != NULL)
		abort();
	buf_reset(&b);
	log_escape_data(&b, s);
	if (strpbrk(buf_str(&b), "\n\r") != NULL)
		abort();
	buf_reset(&b);
	log_sanitize_line(&b, s);
	if (strpbrk(buf_str(&b), "\n\r") != NULL)
		abort();
	buf_reset(&b);
	(void)out_format(&b, "k", s, "ghadelimiter_fixed", NULL);
	buf_release(&b);
	free(s);
	return 0;
}
