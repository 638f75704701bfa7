/*
 * json.c - parsing that survives the text people write, strict getters and
 * exact integers over cJSON. Every string it hands out is valid UTF-8.
 */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* The value of the 4 hex digits at s[i..i+4), or -1 when they are not 4 hex digits. */
static long
hex4(const char *s, size_t n, size_t i)
{
	long v = 0;

	if (i + 4 > n)
		return -1;
	for (size_t k = i; k < i + 4; k++) {
		int c = (unsigned char)s[k];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Overwrites len bytes at s[i] with rep, copying s into *copy first if not yet done. */
static void
rewrite(const char *s, size_t n, char **copy, size_t i, const char *rep, size_t len)
{
	if (*copy == NULL) {
		*copy = xmalloc(n);
		memcpy(*copy, s, n);
	}
	memcpy(*copy + i, rep, len);
}

/*
 * JSON allows any \uXXXX, but cJSON refuses a whole document for one lone
 * UTF-16 surrogate (half an emoji, cut by a truncating client), and cuts a
 * string at \u0000 or at a raw NUL. Inside strings only, honouring escapes,
 * this rewrites each lone surrogate and \u0000 to \uFFFD and a raw NUL to
 * 0xFF (not UTF-8: repair() makes it U+FFFD), all the same length, so error
 * offsets stay true. s is copied (into *copy, caller frees) only when
 * something changes. Returns the offset of a \u not followed by 4 hex digits
 * (cJSON would read it as U+0000), or SIZE_MAX.
 */
static size_t
fix_escapes(const char *s, size_t n, char **copy)
{
	bool in_string = false;

	*copy = NULL;
	for (size_t i = 0; i < n; i++) {
		long cp;
		long lo;

		if (s[i] == '"') {
			in_string = !in_string;
			continue;
		}
		if (!in_string)
			continue;
		if (s[i] == '\0') {
			rewrite(s, n, copy, i, "\xFF", 1);
			continue;
		}
		if (s[i] != '\\' || i + 1 >= n)
			continue;
		if (s[i + 1] != 'u') {
			i++; /* \" \\ \n ...: the escaped byte is not special */
			continue;
		}
		cp = hex4(s, n, i + 2);
		if (cp < 0)
			return i;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			lo = i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u' ? hex4(s, n, i + 8)
										: -1;
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				i += 11; /* a pair: one character, left to cJSON */
				continue;
			}
			rewrite(s, n, copy, i, "\\uFFFD", 6);
		} else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
			rewrite(s, n, copy, i, "\\uFFFD", 6);
		}
		i += 5;
	}
	return SIZE_MAX;
}

/*
 * Makes *s valid UTF-8, each ill-formed part U+FFFD. The new string comes
 * from cJSON's allocator, as cJSON_Delete frees it.
 */
static void
repair(char **s)
{
	char *fixed;
	size_t n;
	char *out;

	if (utf8_valid(*s, strlen(*s)))
		return;
	fixed = utf8_repair_dup(*s);
	n = strlen(fixed) + 1;
	out = cJSON_malloc(n);
	if (out == NULL)
		xalloc_failed(n);
	memcpy(out, fixed, n);
	free(fixed);
	cJSON_free(*s);
	*s = out;
}

/* Repairs every string and key in v (cJSON nests at most CJSON_NESTING_LIMIT deep). */
static void
repair_tree(cJSON *v)
{
	for (; v != NULL; v = v->next) {
		if (v->string != NULL && !(v->type & cJSON_StringIsConst))
			repair(&v->string);
		if (cJSON_IsString(v) && v->valuestring != NULL)
			repair(&v->valuestring);
		repair_tree(v->child);
	}
}

cJSON *
json_parse(const char *s, size_t n, struct err *e)
{
	const char *end = NULL;
	char *copy;
	const char *text;
	size_t bad;
	cJSON *v;

	if (s == NULL || n == 0) {
		err_set(e, ERR_PARSE, "empty JSON document");
		return NULL;
	}
	bad = fix_escapes(s, n, &copy);
	text = copy != NULL ? copy : s;
	v = cJSON_ParseWithLengthOpts(text, n, &end, 0);
	if (v == NULL || bad != SIZE_MAX) {
		size_t off = end != NULL && end >= text ? (size_t)(end - text) : 0;

		/* cJSON reads a bad \u escape as U+0000: the first error is the one to name. */
		if (v == NULL && off < bad)
			bad = off;
		err_set(e, ERR_PARSE, "invalid JSON at byte %zu of %zu", bad, n);
		cJSON_Delete(v);
		free(copy);
		return NULL;
	}
	/* Trailing text other than blanks means the document was not one value. */
	for (size_t i = (size_t)(end - text); i < n; i++) {
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t' &&
		    text[i] != '\0') {
			cJSON_Delete(v);
			free(copy);
			err_set(e, ERR_PARSE, "invalid JSON: trailing data at byte %zu", i);
			return NULL;
		}
	}
	free(copy);
	repair_tree(v);
	return v;
}

const cJSON *
json_get(const cJSON *obj, const char *key)
{
	if (obj == NULL || !cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *
json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = json_get(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
json_value_int64(const cJSON *v, int64_t *out)
{
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (!isfinite(d) || d != floor(d) || d > (double)JSON_INT_EXACT_MAX ||
		    d < -(double)JSON_INT_EXACT_MAX)
			return -1;
		*out = (int64_t)d;
		return 0;
	}
	if (cJSON_IsString(v))
		return parse_int64(v->valuestring, INT64_MIN, INT64_MAX, out);
	return -1;
}

int
json_int64(const cJSON *obj, const char *key, int64_t *out)
{
	return json_value_int64(json_get(obj, key), out);
}

int
json_int(const cJSON *obj, const char *key, int *out)
{
	int64_t v;

	if (json_int64(obj, key, &v) < 0 || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

bool
json_bool(const cJSON *obj, const char *key, bool dflt)
{
	const cJSON *v = json_get(obj, key);

	if (cJSON_IsTrue(v))
		return true;
	if (cJSON_IsFalse(v))
		return false;
	return dflt;
}

bool
json_is_null(const cJSON *obj, const char *key)
{
	return cJSON_IsNull(json_get(obj, key));
}

static int
attach(cJSON *obj, const char *key, cJSON *v)
{
	if (v == NULL)
		return -1;
	if (!cJSON_AddItemToObject(obj, key, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

int
json_add_int64(cJSON *obj, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return attach(obj, key, cJSON_CreateRaw(num));
}

int
json_add_str(cJSON *obj, const char *key, const char *s)
{
	return attach(obj, key, s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull());
}

int
json_add_bool(cJSON *obj, const char *key, bool v)
{
	return attach(obj, key, cJSON_CreateBool(v));
}

int
json_add_null(cJSON *obj, const char *key)
{
	return attach(obj, key, cJSON_CreateNull());
}

int
json_quote(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *end = s + strlen(s);
	size_t used;

	if (buf_putc(out, '"') < 0)
		return -1;
	for (const char *p = s; p < end; p += used) {
		unsigned char c = (unsigned char)*p;
		int rc;

		used = 1;
		switch (c) {
		case '"': rc = buf_puts(out, "\\\""); break;
		case '\\': rc = buf_puts(out, "\\\\"); break;
		case '\b': rc = buf_puts(out, "\\b"); break;
		case '\f': rc = buf_puts(out, "\\f"); break;
		case '\n': rc = buf_puts(out, "\\n"); break;
		case '\r': rc = buf_puts(out, "\\r"); break;
		case '\t': rc = buf_puts(out, "\\t"); break;
		default:
			if (c < 0x20) {
				char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};

				rc = buf_puts(out, u);
			} else if (c < 0x80) {
				rc = buf_putc(out, (char)c);
			} else if (utf8_decode(p, (size_t)(end - p), &used) < 0) {
				/* JSON is UTF-8: PostgreSQL would refuse the whole request. */
				rc = buf_puts(out, UTF8_REPLACEMENT);
			} else {
				rc = buf_append(out, p, used);
			}
		}
		if (rc < 0)
			return -1;
	}
	return buf_putc(out, '"');
}

char *
json_print(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	/* cJSON fails to print a tree built through its API only when out of memory. */
	if (s == NULL)
		xalloc_failed(0);
	return s;
}
