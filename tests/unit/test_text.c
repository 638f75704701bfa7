/*
 * test_text.c - the text-level parsers and escapers, from vector files:
 * Link headers, workflow-command escaping, log-line sanitising, Markdown
 * escaping, strict integers, time stamps, exact JSON integers.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "buf.h"
#include "ghclient.h"
#include "harness.h"
#include "json.h"
#include "log.h"
#include "output.h"
#include "util.h"

static void
link_vec(const char *in, const char *want, int line)
{
	char *got = gh_link_next(in);

	if (!CHECK_STR(got != NULL ? got : "(none)", want))
		fprintf(stderr, "    vectors/link_next.txt:%d\n", line);
	free(got);
}

TEST(link_header_yields_the_next_page_or_none)
{
	CHECK(vec_each("vectors/link_next.txt", link_vec) > 15);
}

static void
data_vec(const char *in, const char *want, int line)
{
	struct buf b = BUF_INIT(4096);

	log_escape_data(&b, in);
	if (!CHECK_STR(buf_str(&b), want))
		fprintf(stderr, "    vectors/escape_data.txt:%d\n", line);
	buf_release(&b);
}

static void
prop_vec(const char *in, const char *want, int line)
{
	struct buf b = BUF_INIT(4096);

	log_escape_property(&b, in);
	if (!CHECK_STR(buf_str(&b), want))
		fprintf(stderr, "    vectors/escape_property.txt:%d\n", line);
	buf_release(&b);
}

TEST(workflow_command_escaping_matches_the_toolkit)
{
	CHECK(vec_each("vectors/escape_data.txt", data_vec) > 5);
	CHECK(vec_each("vectors/escape_property.txt", prop_vec) > 2);
}

static void
sanitize_vec(const char *in, const char *want, int line)
{
	struct buf b = BUF_INIT(4096);

	log_sanitize_line(&b, in);
	if (!CHECK_STR(buf_str(&b), want))
		fprintf(stderr, "    vectors/sanitize_line.txt:%d\n", line);
	buf_release(&b);
}

TEST(outside_text_in_a_log_line_cannot_start_a_workflow_command)
{
	CHECK(vec_each("vectors/sanitize_line.txt", sanitize_vec) > 5);
}

static void
gist_vec(const char *in, const char *want, int line)
{
	struct buf b = BUF_INIT(4096);

	log_gist(&b, in, strlen(in), 40);
	if (!CHECK_STR(buf_str(&b), want))
		fprintf(stderr, "    vectors/gist.txt:%d\n", line);
	buf_release(&b);
}

TEST(an_unexpected_answer_body_is_cut_to_one_short_line)
{
	CHECK(vec_each("vectors/gist.txt", gist_vec) > 8);
}

/* An empty answer, or one over the cap (its buffer failed), has no data at all. */
TEST(an_answer_body_with_no_data_has_an_empty_gist)
{
	struct buf b = BUF_INIT(64);

	CHECK(log_gist(&b, NULL, 0, 40) == 0);
	CHECK_STR(buf_str(&b), "");
	buf_release(&b);
}

static void
md_vec(const char *in, const char *want, int line)
{
	struct buf b = BUF_INIT(4096);

	md_escape(&b, in, 0);
	if (!CHECK_STR(buf_str(&b), want))
		fprintf(stderr, "    vectors/md_escape.txt:%d\n", line);
	buf_release(&b);
}

TEST(markdown_escaping_keeps_tables_whole_and_html_out)
{
	CHECK(vec_each("vectors/md_escape.txt", md_vec) > 8);
}

TEST(markdown_escaping_cuts_on_a_character_boundary)
{
	struct buf b = BUF_INIT(4096);

	md_escape(&b, "ééééé", 3);
	CHECK_STR(buf_str(&b), "ééé…");
	buf_release(&b);
}

static void
int_vec(const char *in, const char *want, int line)
{
	int64_t v = -1;
	char got[32] = "(error)";

	if (parse_int64(in, 1, 1000, &v) == 0)
		snprintf(got, sizeof(got), "%" PRId64, v);
	if (!CHECK_STR(got, want))
		fprintf(stderr, "    vectors/parse_int.txt:%d ('%s')\n", line, in);
}

TEST(integers_are_parsed_strictly)
{
	CHECK(vec_each("vectors/parse_int.txt", int_vec) > 10);
}

static void
time_vec(const char *in, const char *want, int line)
{
	time_t t;
	char got[32] = "(error)";

	if (time_parse_iso(in, &t) == 0)
		snprintf(got, sizeof(got), "%lld", (long long)t);
	if (!CHECK_STR(got, want))
		fprintf(stderr, "    vectors/time_iso.txt:%d ('%s')\n", line, in);
}

TEST(time_stamps_parse_in_every_form_github_and_postgres_write)
{
	CHECK(vec_each("vectors/time_iso.txt", time_vec) > 10);
}

TEST(time_stamps_format_as_github_writes_them)
{
	char s[21];

	time_format_iso(1296068472, s);
	CHECK_STR(s, "2011-01-26T19:01:12Z");
}

/* Years past 9999 do not fit out[21] (strftime then leaves it undefined): clamp to what parses. */
TEST(time_stamps_out_of_range_format_as_the_nearest_that_parses)
{
	char s[21];
	time_t t;

	time_format_iso((time_t)INT64_MAX, s);
	CHECK_STR(s, "9999-12-31T23:59:59Z");
	time_format_iso((time_t)253402300800, s); /* 10000-01-01 */
	CHECK_STR(s, "9999-12-31T23:59:59Z");
	time_format_iso((time_t)INT64_MIN, s);
	CHECK_STR(s, "0000-01-01T00:00:00Z");
	time_format_iso((time_t)-62167219201, s); /* a second before year 0 */
	CHECK_STR(s, "0000-01-01T00:00:00Z");
	CHECK(time_parse_iso(s, &t) == 0 && t == (time_t)-62167219200);
}

static void
json_vec(const char *in, const char *want, int line)
{
	cJSON *j = json_parse(in, strlen(in), NULL);
	int64_t v;
	char got[32] = "(error)";

	if (j != NULL && json_int64(j, "v", &v) == 0)
		snprintf(got, sizeof(got), "%" PRId64, v);
	if (!CHECK_STR(got, want))
		fprintf(stderr, "    vectors/json_int64.txt:%d\n", line);
	cJSON_Delete(j);
}

TEST(json_integers_are_exact_or_refused)
{
	CHECK(vec_each("vectors/json_int64.txt", json_vec) > 10);
}

TEST(json_writes_64_bit_ids_as_plain_integers)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	json_add_int64(o, "id", INT64_C(9007199254740993));
	json_add_int64(o, "big", INT64_C(4300000000123));
	s = json_print(o);
	CHECK_STR(s, "{\"id\":9007199254740993,\"big\":4300000000123}");
	free(s);
	cJSON_Delete(o);
}

TEST(json_parse_refuses_trailing_garbage_and_empty_input)
{
	struct err e;

	CHECK(json_parse("{} x", 4, &e) == NULL);
	CHECK(e.code == ERR_PARSE);
	CHECK(json_parse("", 0, &e) == NULL);
	CHECK(json_parse("{\"a\":", 5, &e) == NULL);
}

TEST(json_quote_escapes_controls_and_quotes)
{
	struct buf b = BUF_INIT(256);

	json_quote(&b, "a\"b\\c\n\x01");
	CHECK_STR(buf_str(&b), "\"a\\\"b\\\\c\\n\\u0001\"");
	buf_release(&b);
}
