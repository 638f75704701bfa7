/*
 * test_output.c - step outputs in the runner's heredoc form, and the summary cap.
 */
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "output.h"
#include "util.h"

TEST(output_record_is_a_heredoc_with_the_delimiter)
{
	struct buf b = BUF_INIT(4096);

	CHECK(out_format(&b, "matrix", "{\"a\":1}\nline2", "ghadelimiter_X", NULL) == 0);
	CHECK_STR(buf_str(&b), "matrix<<ghadelimiter_X\n{\"a\":1}\nline2\nghadelimiter_X\n");
	buf_release(&b);
}

TEST(output_refuses_a_value_holding_the_delimiter)
{
	struct buf b = BUF_INIT(4096);
	struct err e;

	CHECK(out_format(&b, "k", "x\nghadelimiter_X\ny", "ghadelimiter_X", &e) == -1);
	CHECK(e.code == ERR_INPUT);
	CHECK(out_format(&b, "bad key", "v", "ghadelimiter_X", &e) == -1);
	CHECK(out_format(&b, "", "v", "ghadelimiter_X", &e) == -1);
	CHECK_INT(b.len, 0);
	buf_release(&b);
}

TEST(output_appends_records_with_fresh_random_delimiters)
{
	char path[] = "/tmp/pc-out-XXXXXX";
	int fd = mkstemp(path);
	char *data;
	char d1[64], d2[64];

	close(fd);
	CHECK(out_set(path, "status", "completed", NULL) == 0);
	CHECK(out_set(path, "processed", "3", NULL) == 0);
	data = vec_slurp(path, NULL);
	CHECK(sscanf(data, "status<<%63s", d1) == 1);
	CHECK(strstr(data, "processed<<") != NULL);
	CHECK(sscanf(strstr(data, "processed<<"), "processed<<%63s", d2) == 1);
	CHECK(strncmp(d1, "ghadelimiter_", 13) == 0);
	CHECK(uuid_valid(d1 + 13));
	CHECK(strcmp(d1, d2) != 0);
	free(data);
	unlink(path);
}

TEST(output_file_that_cannot_be_written_is_an_io_error)
{
	struct err e;

	CHECK(out_set("/nonexistent-dir/out", "k", "v", &e) == -1);
	CHECK(e.code == ERR_IO);
}

TEST(summary_stays_under_one_mebibyte_and_says_what_it_left_out)
{
	struct summary s;
	char path[] = "/tmp/pc-sum-XXXXXX";
	int fd = mkstemp(path);
	char cell[1000];
	const char *cells[2] = {cell, "x"};
	size_t len;
	char *data;

	close(fd);
	memset(cell, 'a', sizeof(cell) - 1);
	cell[sizeof(cell) - 1] = '\0';
	summary_init(&s);
	summary_raw(&s, "| a | b |\n|---|---|\n");
	for (int i = 0; i < 3000; i++)
		summary_row(&s, cells, 2);
	CHECK(s.dropped_rows > 0);
	CHECK(summary_write(&s, path, NULL) == 0);
	data = vec_slurp(path, &len);
	CHECK(len < 1024 * 1024);
	CHECK(strstr(data, "more rows left out") != NULL);
	free(data);
	summary_release(&s);
	unlink(path);
}
