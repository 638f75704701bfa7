/*
 * test_output.c - step outputs in the runner's heredoc form, and the summary:
 * Markdown for the runner (escaped, capped), text and JSON for a terminal.
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

TEST(outputs_are_appended_with_fresh_random_delimiters)
{
	char path[] = "/tmp/pc-out-XXXXXX";
	int fd = mkstemp(path);
	struct outputs o = {0};
	char *data;
	char d1[64], d2[64];

	close(fd);
	outputs_set(&o, "status", "failed");
	outputs_set(&o, "processed", "3");
	outputs_set(&o, "status", "completed"); /* replaces, keeps its place */
	CHECK(outputs_write(&o, path, NULL) == 0);
	data = vec_slurp(path, NULL);
	CHECK(sscanf(data, "status<<%63s", d1) == 1);
	CHECK(strstr(data, "\ncompleted\n") != NULL && strstr(data, "failed") == NULL);
	CHECK(sscanf(strstr(data, "processed<<"), "processed<<%63s", d2) == 1);
	CHECK(strncmp(d1, "ghadelimiter_", 13) == 0);
	CHECK(uuid_valid(d1 + 13));
	CHECK(strcmp(d1, d2) != 0);
	free(data);
	outputs_release(&o);
	unlink(path);
}

TEST(outputs_file_that_cannot_be_written_is_an_io_error)
{
	struct outputs o = {0};
	struct err e;

	outputs_set(&o, "k", "v");
	CHECK(outputs_write(&o, "/nonexistent-dir/out", &e) == -1);
	CHECK(e.code == ERR_IO);
	outputs_release(&o);
}

static struct summary *
sample(void)
{
	static struct summary s;

	summary_init(&s);
	summary_title(&s, "capture of a/b");
	summary_note(&s, "failed: <script>x</script> | **y**");
	summary_table(&s, (const char *const[]){"PR", "Title"}, 2);
	summary_row(&s, (const char *const[]){"#1", "Fix `a | b`\n::warning::x"});
	summary_row(&s, (const char *const[]){"#2", "café"});
	return &s;
}

TEST(summary_markdown_escapes_github_text)
{
	struct summary *s = sample();
	struct buf md = BUF_INIT(1 << 20);

	summary_markdown(s, &md);
	CHECK_STR(buf_str(&md), "### capture of a/b\n\n"
				"failed: &lt;script&gt;x&lt;/script&gt; &#124; \\*\\*y\\*\\*\n\n"
				"| PR | Title |\n|---|---|\n"
				"| \\#1 | Fix \\`a &#124; b\\` ::warning::x |\n"
				"| \\#2 | café |\n");
	buf_release(&md);
	summary_release(s);
}

static char *
printed(bool json)
{
	struct summary *s = sample();
	struct outputs o = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	outputs_set(&o, "status", "completed");
	outputs_set(&o, "processed", "2");
	results_print(s, &o, json, f);
	fclose(f);
	outputs_release(&o);
	summary_release(s);
	return out;
}

TEST(results_print_as_aligned_text_without_control_characters)
{
	char *out = printed(false);

	CHECK_STR(out, "capture of a/b\n\n"
		       "PR  Title\n"
		       "#1  Fix `a | b` ::warning::x\n"
		       "#2  café\n\n"
		       "failed: <script>x</script> | **y**\n\n"
		       "status     completed\n"
		       "processed  2\n");
	free(out);
}

TEST(results_print_as_one_json_object)
{
	char *out = printed(true);

	CHECK_STR(out, "{\"status\":\"completed\",\"processed\":\"2\","
		       "\"notes\":[\"failed: <script>x</script> | **y**\"],"
		       "\"rows\":[{\"PR\":\"#1\",\"Title\":\"Fix `a | b`\\n::warning::x\"},"
		       "{\"PR\":\"#2\",\"Title\":\"café\"}]}\n");
	free(out);
}

TEST(summary_stays_under_one_mebibyte_and_says_what_it_left_out)
{
	struct summary s;
	char path[] = "/tmp/pc-sum-XXXXXX";
	int fd = mkstemp(path);
	char cell[1000];
	size_t len;
	char *data;

	close(fd);
	memset(cell, '|', sizeof(cell) - 1);
	cell[sizeof(cell) - 1] = '\0';
	summary_init(&s);
	summary_table(&s, (const char *const[]){"a", "b"}, 2);
	for (int i = 0; i < 3000; i++)
		summary_row(&s, (const char *const[]){cell, "x"});
	CHECK(s.dropped_rows > 0);
	CHECK(summary_write(&s, path, NULL) == 0);
	data = vec_slurp(path, &len);
	CHECK(len < 1024 * 1024);
	CHECK(strstr(data, "more rows left out") != NULL);
	free(data);
	summary_release(&s);
	unlink(path);
}

/* On a terminal too: nothing that reorders or hides text, nothing that is not UTF-8. */
TEST(results_print_drops_bidi_controls_and_shows_bad_bytes_as_fffd)
{
	struct summary s;
	struct outputs o = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	summary_init(&s);
	summary_title(&s, "run \xe2\x80\xae\xef\xbb\xbf"
			  "done");
	summary_table(&s, (const char *const[]){"PR", "Title"}, 2);
	summary_row(&s, (const char *const[]){"#1", "invoice\xe2\x80\xaetxt.exe"});
	summary_row(&s, (const char *const[]){"#2", "bad\xff\xc2\x85x\xe2\x81\xa6y\xe2\x82"});
	summary_note(&s, "by \xe2\x80\x8fme\xc2\x9b");
	results_print(&s, &o, false, f);
	fclose(f);
	CHECK_STR(out, "run done\n\n"
		       "PR  Title\n"
		       "#1  invoicetxt.exe\n"
		       "#2  bad\xef\xbf\xbdxy\xef\xbf\xbd\n\n"
		       "by me\n\n");
	free(out);
	summary_release(&s);
}
