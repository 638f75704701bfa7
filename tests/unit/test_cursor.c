/*
 * test_cursor.c - the resume cursor: ranges out, strict parsing in.
 */
#include <stdlib.h>

#include "cursor.h"
#include "harness.h"

static void
cursor_vec(const char *in, const char *want, int line)
{
	char *command;
	int64_t *numbers;
	size_t n;
	struct buf got = BUF_INIT(1 << 20);

	if (cursor_parse(in, &command, &numbers, &n, NULL) < 0) {
		buf_puts(&got, "(error)");
	} else {
		buf_puts(&got, command);
		for (size_t i = 0; i < n; i++)
			buf_printf(&got, " %lld", (long long)numbers[i]);
		free(command);
		free(numbers);
	}
	if (!CHECK_STR(buf_str(&got), want))
		fprintf(stderr, "    vectors/cursor.txt:%d ('%s')\n", line, in);
	buf_release(&got);
}

TEST(cursor_parses_strictly)
{
	CHECK(vec_each("vectors/cursor.txt", cursor_vec) > 15);
}

TEST(cursor_formats_ranges_sorted_and_unique)
{
	static const int64_t numbers[] = {20, 9, 10, 3, 11, 12, 7, 13, 14, 15, 9};
	struct buf b = BUF_INIT(1024);
	char *command;
	int64_t *back;
	size_t n;

	CHECK(cursor_format(&b, "pr-all", numbers, 11) == 0);
	CHECK_STR(buf_str(&b), "v1:pr-all:3,7,9-15,20");
	CHECK(cursor_parse(buf_str(&b), &command, &back, &n, NULL) == 0);
	CHECK_INT(n, 10);
	free(command);
	free(back);
	buf_reset(&b);
	CHECK(cursor_format(&b, "pr-details", NULL, 0) == 0);
	CHECK_STR(buf_str(&b), "v1:pr-details:");
	buf_release(&b);
}
