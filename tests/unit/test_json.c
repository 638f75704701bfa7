/*
 * test_json.c - json_parse on text people write: lone UTF-16 surrogates and
 * bytes that are not UTF-8 become U+FFFD, never a refused document or a
 * string PostgreSQL cannot store; really invalid JSON is still refused with
 * the offset of the error.
 */
#include <stdlib.h>

#include "buf.h"
#include "harness.h"
#include "json.h"

#define FFFD "\xef\xbf\xbd"

static void
string_vec(const char *in, const char *want, int line)
{
	struct err e;
	cJSON *j = json_parse(in, strlen(in), &e);
	const char *got = "(error)";

	if (j != NULL)
		got = cJSON_IsString(j) ? j->valuestring : "(not a string)";
	if (!CHECK_STR(got, want))
		fprintf(stderr, "    vectors/json_string.txt:%d\n", line);
	if (j == NULL && !CHECK(e.code == ERR_PARSE && strncmp(e.msg, "invalid JSON", 12) == 0))
		fprintf(stderr, "    vectors/json_string.txt:%d: %s\n", line, e.msg);
	cJSON_Delete(j);
}

TEST(json_strings_are_decoded_to_valid_utf8_whatever_the_text_holds)
{
	CHECK(vec_each("vectors/json_string.txt", string_vec) > 30);
}

TEST(json_keys_are_repaired_like_values)
{
	const char *in = "{\"k\\ud800\":1,\"\xff\":\"v\\udc00\"}";
	cJSON *j = json_parse(in, strlen(in), NULL);
	int64_t v;

	CHECK(j != NULL);
	CHECK(json_int64(j, "k" FFFD, &v) == 0 && v == 1);
	CHECK_STR(json_str(j, FFFD), "v" FFFD);
	cJSON_Delete(j);
}

/* The page that failed: one body with half an emoji, deep in a 150 kB answer. */
TEST(json_one_lone_surrogate_no_longer_costs_the_whole_page)
{
	struct buf b = BUF_INIT(1 << 20);
	struct err e;
	cJSON *j;
	const cJSON *item;

	buf_putc(&b, '[');
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%s{\"number\":%d,\"title\":\"t\",\"body\":\"%s\"}", i ? "," : "", i,
			   i == 700 ? "cut here \\ud83d and more" : "a body of some length, plain");
	buf_putc(&b, ']');
	CHECK(b.len > 50000);
	j = json_parse(buf_str(&b), b.len, &e);
	CHECK(j != NULL);
	item = cJSON_GetArrayItem(j, 700);
	CHECK_STR(json_str(item, "body"), "cut here " FFFD " and more");
	CHECK_STR(json_str(cJSON_GetArrayItem(j, 999), "body"), "a body of some length, plain");
	cJSON_Delete(j);
	buf_release(&b);
}

TEST(json_parse_still_says_where_really_invalid_json_breaks)
{
	struct err e;
	const char *bad_escape = "{\"a\":\"x\",\"b\":\"\\uZZZZ\"}";
	const char *bad_syntax = "{\"a\":\"\\ud800\" \"b\"}";

	CHECK(json_parse(bad_escape, strlen(bad_escape), &e) == NULL);
	CHECK_STR(e.msg, "invalid JSON at byte 14 of 22");
	/* Rewriting a surrogate keeps every offset: the error is where it was. */
	CHECK(json_parse(bad_syntax, strlen(bad_syntax), &e) == NULL);
	CHECK_STR(e.msg, "invalid JSON at byte 14 of 18");
}

/* A raw NUL in a string would cut it short in C: U+FFFD, like \u0000. */
TEST(json_raw_nul_inside_a_string_does_not_cut_it)
{
	const char in[] = "[\"a\0b\"]";
	cJSON *j = json_parse(in, sizeof(in) - 1, NULL);

	CHECK(j != NULL);
	CHECK_STR(cJSON_GetArrayItem(j, 0)->valuestring, "a" FFFD "b");
	cJSON_Delete(j);
}

/* What we send PostgREST is JSON, so UTF-8: PostgreSQL refuses a whole batch for one bad byte. */
TEST(json_quote_writes_bytes_that_are_not_utf8_as_fffd)
{
	struct buf b = BUF_INIT(256);
	struct err e;
	cJSON *j;

	CHECK(json_quote(&b, "a\xff"
			     "b\xed\xa0\x80 caf\xc3\xa9 \xe2\x82") == 0);
	CHECK_STR(buf_str(&b), "\"a" FFFD "b" FFFD FFFD FFFD " caf\xc3\xa9 " FFFD "\"");
	j = json_parse(buf_str(&b), b.len, &e);
	CHECK(j != NULL && cJSON_IsString(j));
	cJSON_Delete(j);
	buf_release(&b);
}
