/*
 * test_base.c - buffers, errors, out of memory, UUIDs, trimming, logging with masks.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "harness.h"
#include "json.h"
#include "log.h"
#include "util.h"

TEST(buf_fills_up_to_its_cap_exactly)
{
	struct buf b = BUF_INIT(8);

	CHECK(buf_puts(&b, "1234") == 0);
	CHECK(buf_printf(&b, "%d", 5678) == 0);
	CHECK_STR(buf_str(&b), "12345678");
	CHECK_INT(b.len, 8);
	CHECK(!buf_failed(&b));
	buf_release(&b);
	CHECK_STR(buf_str(&b), "");
}

/* A URL or body cut in the middle must never be sent: one failed append fails the buffer. */
TEST(buf_failure_over_the_cap_is_sticky_until_reset)
{
	struct buf b = BUF_INIT(8);

	CHECK(buf_puts(&b, "1234") == 0);
	CHECK(buf_puts(&b, "56789") == -1);
	CHECK(buf_failed(&b));
	CHECK_STR(buf_str(&b), "");
	CHECK_INT(b.len, 0);
	CHECK(b.data == NULL);
	/* Later appends that would fit fail too, whatever the function. */
	CHECK(buf_putc(&b, 'x') == -1);
	CHECK(buf_puts(&b, "") == -1);
	CHECK(buf_append(&b, "y", 1) == -1);
	CHECK(buf_printf(&b, "%d", 5) == -1);
	CHECK_STR(buf_str(&b), "");
	CHECK(buf_failed(&b));
	buf_reset(&b);
	CHECK(!buf_failed(&b));
	CHECK(buf_puts(&b, "again") == 0);
	CHECK_STR(buf_str(&b), "again");
	CHECK(buf_printf(&b, "%s", "too long now") == -1);
	CHECK(buf_failed(&b));
	buf_release(&b);
	CHECK(!buf_failed(&b));
	CHECK(buf_puts(&b, "ok") == 0);
	CHECK_STR(buf_str(&b), "ok");
	buf_release(&b);
}

TEST(buf_detach_of_a_failed_buffer_is_empty_and_the_failure_stays)
{
	struct buf b = BUF_INIT(4);
	char *s;

	CHECK(buf_puts(&b, "12345") == -1);
	s = buf_detach(&b);
	CHECK(s != NULL);
	CHECK_STR(s, "");
	free(s);
	CHECK(buf_failed(&b));
	CHECK(buf_putc(&b, 'x') == -1);
	buf_reset(&b);
	CHECK(buf_putc(&b, 'x') == 0);
	s = buf_detach(&b);
	CHECK_STR(s, "x");
	CHECK(!buf_failed(&b));
	free(s);
}

/* BUF_INIT(SIZE_MAX) means no cap of our own: the NUL must still not wrap the size around. */
TEST(buf_without_a_cap_still_refuses_a_size_that_wraps_around)
{
	struct buf b = BUF_INIT(SIZE_MAX);

	b.data = xmalloc(16);
	b.cap = 16;
	b.len = SIZE_MAX - 1; /* as if that much were held: len + 1 + NUL wraps to 0 */
	CHECK(buf_putc(&b, 'x') == -1);
	CHECK(buf_failed(&b));
	buf_release(&b);
}

TEST(buf_detach_hands_over_the_string)
{
	struct buf b = BUF_INIT(64);
	char *s;

	s = buf_detach(&b);
	CHECK_STR(s, "");
	free(s);
	buf_puts(&b, "abc");
	s = buf_detach(&b);
	CHECK_STR(s, "abc");
	CHECK(b.data == NULL && b.len == 0);
	free(s);
}

TEST(err_prefix_adds_context_and_keeps_the_code)
{
	struct err e;

	err_set(&e, ERR_NOT_FOUND, "no such thing");
	err_prefix(&e, "pull request #%d: ", 12);
	CHECK_STR(e.msg, "pull request #12: no such thing");
	CHECK(e.code == ERR_NOT_FOUND);
	CHECK_STR(err_code_name(e.code), "not-found");
}

TEST(err_prefix_truncates_instead_of_overflowing)
{
	struct err e;
	char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, ERR_IO, "%s", big);
	err_prefix(&e, "%s", big);
	CHECK_INT(strlen(e.msg), ERR_MSG_MAX - 1);
}

TEST(uuid_v4_is_valid_and_random)
{
	char a[UUID_STR_SIZE], b[UUID_STR_SIZE];

	CHECK_INT(UUID_STR_SIZE, 36 + 1);
	CHECK(uuid_v4(a) == 0);
	CHECK_INT(strlen(a), UUID_STR_SIZE - 1);
	CHECK(uuid_v4(b) == 0);
	CHECK(uuid_valid(a));
	CHECK(strcmp(a, b) != 0);
	CHECK(a[14] == '4');
	CHECK(strchr("89ab", a[19]) != NULL);
	CHECK(uuid_valid("3F2504E0-4F89-11D3-9A0C-0305E82C3301"));
	CHECK(!uuid_valid("3F2504E0-4F89-11D3-9A0C-0305E82C330"));
	CHECK(!uuid_valid("3F2504E0x4F89-11D3-9A0C-0305E82C3301"));
	CHECK(!uuid_valid("9876543210-12"));
	CHECK(!uuid_valid(NULL));
}

/*
 * Runs fn in a child with its stderr captured; returns what it printed and
 * sets *sig to the signal that ended it (0 if it exited).
 */
static char *
in_child(void (*fn)(void), int *sig)
{
	int fds[2];
	pid_t pid;
	int status = 0;
	char *out = calloc(1, 4096);
	size_t len = 0;
	ssize_t got;

	if (out == NULL || pipe(fds) < 0)
		abort();
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		signal(SIGABRT, SIG_DFL);
		fn();
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		got = read(fds[0], out + len, 4095 - len);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	*sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return out;
}

static void
alloc_too_much(void)
{
	/* Out of memory for real, except under ASan, which reports the size itself. */
#if !defined(__SANITIZE_ADDRESS__)
	char *p = xmalloc(SIZE_MAX);

	free(p);
#else
	xalloc_failed(SIZE_MAX);
#endif
}

TEST(out_of_memory_without_a_hook_prints_a_plain_line_and_aborts)
{
	int sig;
	char *out = in_child(alloc_too_much, &sig);

	CHECK_STR(out,
		  "progressive-capture: out of memory allocating 18446744073709551615 bytes\n");
	CHECK_INT(sig, SIGABRT);
	free(out);
}

static void
report_oom(size_t bytes)
{
	fprintf(stderr, "hook: %zu bytes\n", bytes);
}

static void
alloc_too_much_with_a_hook(void)
{
	xalloc_on_failure(report_oom);
	alloc_too_much();
}

TEST(out_of_memory_goes_through_the_hook_main_sets_then_aborts)
{
	int sig;
	char *out = in_child(alloc_too_much_with_a_hook, &sig);

	CHECK_STR(out, "hook: 18446744073709551615 bytes\n");
	CHECK_INT(sig, SIGABRT);
	free(out);
}

/* A hook that logs allocates; if that fails too, the plain line is printed, not the hook again. */
static void
report_oom_failing(size_t bytes)
{
	fprintf(stderr, "hook: %zu bytes\n", bytes);
	xalloc_failed(7);
}

static void
alloc_fails_in_the_hook(void)
{
	xalloc_on_failure(report_oom_failing);
	xalloc_failed(100);
}

TEST(out_of_memory_inside_the_hook_does_not_recurse)
{
	int sig;
	char *out = in_child(alloc_fails_in_the_hook, &sig);

	CHECK_STR(out, "hook: 100 bytes\n"
		       "progressive-capture: out of memory allocating 7 bytes\n");
	CHECK_INT(sig, SIGABRT);
	free(out);
}

static void *
no_memory(size_t n)
{
	(void)n;
	return NULL;
}

static void
print_json_without_memory(void)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_Hooks hooks = {no_memory, free};

	json_add_str(o, "a", "b");
	xalloc_on_failure(report_oom);
	cJSON_InitHooks(&hooks); /* in the child only */
	free(json_print(o));
}

TEST(json_print_out_of_memory_is_reported_through_the_same_hook)
{
	int sig;
	char *out = in_child(print_json_without_memory, &sig);

	CHECK_STR(out, "hook: 0 bytes\n"); /* cJSON does not say how much it asked for */
	CHECK_INT(sig, SIGABRT);
	free(out);
}

TEST(str_trim_removes_blanks_at_both_ends)
{
	char s[] = " \t a b \r\n";
	char e[] = "   ";

	CHECK_STR(str_trim(s), "a b");
	CHECK_STR(str_trim(e), "");
}

/* Captures what the log module prints. */
static char *
capture_log(bool actions, void (*fn)(void))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	log_init(actions, true, f);
	fn();
	fclose(f);
	log_init(false, false, NULL);
	log_release();
	return buf;
}

static void
masks_then_logs(void)
{
	log_mask("ghp_supersecret123");
	log_mask("line-one-secret\nline-two-secret");
	log_mask("ab"); /* too short: ignored */
	log_info("token is ghp_supersecret123 and line-two-secret, ab");
	log_error("failed with ghp_supersecret123\nnext");
	log_warn("50%% done");
	log_group("Group %d", 1);
	log_endgroup();
	log_debug("debug %s", "line");
}

TEST(log_masks_secrets_first_and_redacts_them_everywhere)
{
	char *out = capture_log(true, masks_then_logs);

	CHECK_STR(out, "::add-mask::ghp_supersecret123\n"
		       "::add-mask::line-one-secret\n"
		       "::add-mask::line-two-secret\n"
		       "token is *** and ***, ab\n"
		       "::error::failed with ***%0Anext\n"
		       "::warning::50%25 done\n"
		       "::group::Group 1\n"
		       "::endgroup::\n"
		       "::debug::debug line\n");
	free(out);
}

TEST(log_outside_actions_reads_like_git_and_prints_no_commands)
{
	char *out = capture_log(false, masks_then_logs);

	CHECK_STR(out, "token is *** and ***, ab\n"
		       "error: failed with ***\\nnext\n"
		       "warning: 50% done\n"
		       "== Group 1\n"
		       "debug: debug line\n");
	free(out);
}

static void
logs_outside_text(void)
{
	log_error("PR title: invoice\xe2\x80\xaetxt.exe by \xef\xbb\xbfme\xff");
	log_info("PR title: invoice\xe2\x80\xaetxt.exe ##[error]x");
}

/* Annotations are shown in the UI as well: no raw bidi controls or bad bytes there either. */
TEST(log_shows_bidi_controls_escaped_in_annotations_and_lines)
{
	char *out = capture_log(true, logs_outside_text);

	CHECK_STR(out, "::error::PR title: invoice\\u202etxt.exe by \\ufeffme\\xff\n"
		       "PR title: invoice\\u202etxt.exe ##\\[error]x\n");
	free(out);
	out = capture_log(false, logs_outside_text);
	CHECK_STR(out, "error: PR title: invoice\\u202etxt.exe by \\ufeffme\\xff\n"
		       "PR title: invoice\\u202etxt.exe ##\\[error]x\n");
	free(out);
}

static void
logs_a_long_line(void)
{
	char *big = xmalloc(100001);

	memset(big, 'a', 100000);
	big[100000] = '\0';
	big[0] = 'A';
	log_info("%s", big);
	free(big);
}

/* An over-long message is cut, and the cut is marked; it is not replaced by a note. */
TEST(log_cuts_an_over_long_line_instead_of_dropping_it)
{
	char *out = capture_log(false, logs_a_long_line);
	size_t len = strlen(out);

	CHECK(str_starts(out, "Aaaaa"));
	CHECK(len > 60000 && len < 70000);
	CHECK(len > 4 && strcmp(out + len - 4, "…\n") == 0);
	CHECK(strchr(out, '\n') == out + len - 1);
	free(out);
}

static void
logs_many_controls(void)
{
	char *ctl = xmalloc(40001);

	memset(ctl, 1, 40000); /* each shown as \x01: 160 kB of line */
	ctl[40000] = '\0';
	log_info("%s", ctl);
	log_error("%s", ctl);
	free(ctl);
}

/* Escaping makes a line up to 4 times longer: that must not leave it empty. */
TEST(log_line_that_grows_when_escaped_is_still_printed)
{
	char *out = capture_log(false, logs_many_controls);

	CHECK(str_starts(out, "\\x01\\x01"));
	CHECK(strstr(out, "\nerror: \\x01\\x01") != NULL);
	CHECK(strlen(out) > 2 * 4 * 40000);
	free(out);
}

static void
logs_a_secret_at_the_cut(void)
{
	char *big = xmalloc(70000);

	memset(big, 'a', 70000);
	big[65536 - 8] = '\0';
	log_mask("ghp_abcdefghijklmnop");
	log_info("%sghp_abcdefghijklmnop and more", big);
	free(big);
}

/* Redaction comes before the cut: a secret cut in two would not be recognised. */
TEST(log_cut_never_shows_part_of_a_secret)
{
	char *out = capture_log(false, logs_a_secret_at_the_cut);

	CHECK(strstr(out, "ghp_") == NULL);
	CHECK(strstr(out, "aaa***") != NULL || strstr(out, "aaa…") != NULL);
	free(out);
}

static void
logs_terminal_controls(void)
{
	log_error("a\x1b[31mred\x07 100%%\nsecond\tline");
}

/* The log viewer reads ANSI sequences; annotations keep their line breaks (as %0A) and tabs. */
TEST(log_annotations_show_control_characters_escaped)
{
	char *out = capture_log(true, logs_terminal_controls);

	CHECK_STR(out, "::error::a\\x1b[31mred\\x07 100%25%0Asecond\tline\n");
	free(out);
}
