/*
 * fuzz_json.c - libFuzzer target: json_parse on any bytes. It either refuses
 * them with an "invalid JSON" or "empty JSON" message, or hands out a tree in
 * which every string and key is valid UTF-8 (checked here by a decoder of
 * its own, not util.c's) and which prints to JSON that parses again. And
 * json_quote of the bytes as a string is always JSON that parses.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UTF-8 by the code point: shortest form, no surrogates, at most U+10FFFF. */
static bool
valid_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != 0) {
		uint32_t cp;
		int n;

		if (s[0] < 0x80) {
			s++;
			continue;
		}
		if ((s[0] & 0xE0) == 0xC0) {
			n = 1;
			cp = s[0] & 0x1Fu;
		} else if ((s[0] & 0xF0) == 0xE0) {
			n = 2;
			cp = s[0] & 0x0Fu;
		} else if ((s[0] & 0xF8) == 0xF0) {
			n = 3;
			cp = s[0] & 0x07u;
		} else {
			return false;
		}
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3Fu);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return false;
		s += n + 1;
	}
	return true;
}

static void
check_tree(const cJSON *v)
{
	for (; v != NULL; v = v->next) {
		if (v->string != NULL && !valid_utf8(v->string))
			abort();
		if (cJSON_IsString(v) && (v->valuestring == NULL || !valid_utf8(v->valuestring)))
			abort();
		check_tree(v->child);
	}
}

static void
check_quote(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct buf b = BUF_INIT(8 * size + 16);
	struct err e;
	cJSON *j;

	if (json_quote(&b, s) < 0 || !valid_utf8(buf_str(&b)))
		abort();
	j = json_parse(buf_str(&b), b.len, &e);
	if (j == NULL || !cJSON_IsString(j))
		abort();
	check_tree(j);
	cJSON_Delete(j);
	buf_release(&b);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	cJSON *j;
	cJSON *again;
	char *text;

	check_quote(data, size);
	err_clear(&e);
	j = json_parse((const char *)data, size, &e);
	if (j == NULL) {
		/* A refusal says why, and says it the one way. */
		if (e.code != ERR_PARSE || (strncmp(e.msg, "invalid JSON", 12) != 0 &&
					    strncmp(e.msg, "empty JSON", 10) != 0))
			abort();
		return 0;
	}
	check_tree(j);
	text = json_print(j);
	again = json_parse(text, strlen(text), &e);
	if (again == NULL)
		abort();
	check_tree(again);
	cJSON_Delete(again);
	free(text);
	cJSON_Delete(j);
	return 0;
}
