/*
 * json.c - strict getters and exact integers over cJSON.
 */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

cJSON *
json_parse(const char *s, size_t n, struct err *e)
{
	const char *end = NULL;
	cJSON *v;

	if (s == NULL || n == 0) {
		err_set(e, ERR_PARSE, "empty JSON document");
		return NULL;
	}
	v = cJSON_ParseWithLengthOpts(s, n, &end, 0);
	if (v == NULL) {
		size_t off = end != NULL && end >= s ? (size_t)(end - s) : 0;

		err_set(e, ERR_PARSE, "invalid JSON at byte %zu of %zu", off, n);
		return NULL;
	}
	/* Trailing text other than blanks means the document was not one value. */
	for (size_t i = (size_t)(end - s); i < n; i++) {
		if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t' && s[i] != '\0') {
			cJSON_Delete(v);
			err_set(e, ERR_PARSE, "invalid JSON: trailing data at byte %zu", i);
			return NULL;
		}
	}
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

	if (buf_putc(out, '"') < 0)
		return -1;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		int rc;

		switch (*p) {
		case '"': rc = buf_puts(out, "\\\""); break;
		case '\\': rc = buf_puts(out, "\\\\"); break;
		case '\b': rc = buf_puts(out, "\\b"); break;
		case '\f': rc = buf_puts(out, "\\f"); break;
		case '\n': rc = buf_puts(out, "\\n"); break;
		case '\r': rc = buf_puts(out, "\\r"); break;
		case '\t': rc = buf_puts(out, "\\t"); break;
		default:
			if (*p < 0x20) {
				char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};

				rc = buf_puts(out, u);
			} else {
				rc = buf_putc(out, (char)*p);
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
