/*
 * test_output.c - step outputs in the runner's heredoc form, and the summary:
 * Markdown for the runner (escaped, capped), text and JSON for a terminal.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
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

/* A kernel that runs out of randomness after this many calls (-1: never), for the test below. */
static int random_calls_left = -1;

ssize_t
getrandom(void *buf, size_t n, unsigned int flags)
{
	if (random_calls_left == 0) {
		errno = ENOSYS;
		return -1;
	}
	if (random_calls_left > 0)
		random_calls_left--;
	return syscall(SYS_getrandom, buf, n, flags);
}

TEST(outputs_without_randomness_for_a_delimiter_fail_and_free_what_they_built)
{
	struct outputs o = {0};
	struct err e;
	char uuid[UUID_STR_SIZE];

	random_calls_left = 0;
	CHECK(uuid_v4(uuid) == -1);
	/* The first delimiter comes, the second does not: the record built so far
	 * must be freed (the sanitizer build finds the leak at exit otherwise). */
	outputs_set(&o, "first", "1");
	outputs_set(&o, "second", "2");
	random_calls_left = 1;
	CHECK(outputs_write(&o, "/nonexistent-dir/out", &e) == -1);
	CHECK(e.code == ERR_IO);
	CHECK_STR(e.msg, "no randomness for the output delimiter");
	random_calls_left = -1;
	outputs_release(&o);
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
	/* A new table starts afresh: the old rows no longer count against the cap. */
	summary_table(&s, (const char *const[]){"a"}, 1);
	CHECK_INT(s.dropped_rows, 0);
	summary_row(&s, (const char *const[]){"x"});
	CHECK_INT(s.nrows, 1);
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

/*
 * Every 1,000-PR capture: a big table first, the closing notes after it. The
 * notes (counts, figures, job id, failure reasons) must all be there, and
 * the Markdown under SUMMARY_MAX_BYTES.
 */
TEST(summary_notes_after_a_huge_table_are_kept_and_it_stays_under_the_cap)
{
	struct summary s;
	struct buf md = BUF_INIT(2 * SUMMARY_MAX_BYTES);
	char title[400];
	char *big = xmalloc(40000);

	memset(title, 'w', sizeof(title) - 1);
	title[sizeof(title) - 1] = '\0';
	memset(big, 'r', 39999);
	big[39999] = '\0';
	summary_init(&s);
	summary_title(&s, "pr-all of a/b");
	summary_table(&s, (const char *const[]){"PR", "Title", "State", "Author", "Captured"}, 5);
	for (int i = 0; i < 20000; i++) {
		char num[16];

		snprintf(num, sizeof(num), "#%d", i);
		summary_row(&s,
			    (const char *const[]){num, title, "open", "someone", "+1 -1, 2 files"});
	}
	summary_note(&s, "Captured %d, failed %d, skipped %d.", 19999, 1, 0);
	summary_note(&s, "failed: #77: %s", big); /* a failure reason far too long to show whole */
	summary_note(&s, "GitHub: 1234 requests, 56 points.");
	summary_note(&s, "Store: postgrest, 789 requests, 1000 rows written.");
	summary_note(&s, "Job 3f2504e0-4f89-41d3-9a0c-0305e82c3301.");
	CHECK(summary_markdown(&s, &md) == 0);
	CHECK(!buf_failed(&md));
	CHECK(md.len < SUMMARY_MAX_BYTES);
	CHECK(strstr(buf_str(&md), "Captured 19999, failed 1, skipped 0.") != NULL);
	CHECK(strstr(buf_str(&md), "failed: \\#77: rrrr") != NULL);
	CHECK(strstr(buf_str(&md), "r…\n\n") != NULL); /* cut, and the cut is marked */
	CHECK(strstr(buf_str(&md), "GitHub: 1234 requests, 56 points.") != NULL);
	CHECK(strstr(buf_str(&md), "Store: postgrest, 789 requests, 1000 rows written.") != NULL);
	CHECK(strstr(buf_str(&md), "Job 3f2504e0-4f89-41d3-9a0c-0305e82c3301.") != NULL);
	/* Rows gave way: the first ones are there, and the rest are counted. */
	CHECK(strstr(buf_str(&md), "| \\#0 | www") != NULL);
	CHECK(strstr(buf_str(&md), "more rows left out") != NULL);
	CHECK(md.len > SUMMARY_MAX_BYTES / 2);
	buf_release(&md);
	summary_release(&s);
	free(big);
}

/* Notes have their own budget, but not an endless one: past it they are counted, not lost silently. */
TEST(summary_notes_past_their_budget_are_cut_then_counted)
{
	struct summary s;
	struct buf md = BUF_INIT(2 * SUMMARY_MAX_BYTES);
	char *big = xmalloc(SUMMARY_MAX_BYTES);

	memset(big, '|', SUMMARY_MAX_BYTES - 1); /* each '|' renders as 6 bytes */
	big[SUMMARY_MAX_BYTES - 1] = '\0';
	summary_init(&s);
	summary_title(&s, "%s", big);
	for (int i = 0; i < 200; i++)
		summary_note(&s, "%d %s", i, big);
	summary_table(&s, (const char *const[]){"a"}, 1);
	summary_row(&s, (const char *const[]){big});
	CHECK(summary_markdown(&s, &md) == 0);
	CHECK(!buf_failed(&md));
	CHECK(md.len < SUMMARY_MAX_BYTES);
	CHECK(strstr(buf_str(&md), "### &#124;&#124;") != NULL);
	CHECK(strstr(buf_str(&md), "0 &#124;&#124;") != NULL);
	CHECK(strstr(buf_str(&md), "9 &#124;&#124;") != NULL); /* ten whole notes at least */
	CHECK(strstr(buf_str(&md), "| &#124;&#124;") != NULL); /* and the row */
	CHECK(strstr(buf_str(&md), "more notes left out") != NULL);
	buf_release(&md);
	summary_release(&s);
	free(big);
}

/* --json prints JSON, so UTF-8: a failure message may hold a cut character or a Latin-1 page. */
TEST(results_print_as_json_writes_bytes_that_are_not_utf8_as_fffd)
{
	struct summary s;
	struct outputs o = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	summary_init(&s);
	summary_note(&s, "failed: HTTP 502: caf\xe9 \xe2\x82");
	summary_table(&s, (const char *const[]){"Title"}, 1);
	summary_row(&s, (const char *const[]){"\xff"});
	results_print(&s, &o, true, f);
	fclose(f);
	CHECK_STR(out, "{\"notes\":[\"failed: HTTP 502: caf\xef\xbf\xbd \xef\xbf\xbd\"],"
		       "\"rows\":[{\"Title\":\"\xef\xbf\xbd\"}]}\n");
	free(out);
	summary_release(&s);
}
