/*
 * json.h - the cJSON helpers every parser uses: strict, case-sensitive
 * getters and exact 64-bit integers in and out.
 *
 * Why: cJSON's valueint saturates at INT_MAX and cJSON prints numbers of 1e15
 * and above in exponent form, which a bigint column rejects. GitHub ids pass
 * 2^32 today; GraphQL sends them as strings (BigInt) that may pass 2^53.
 * Getters return borrowed pointers into the tree; nothing here allocates
 * except json_parse and the json_add_* builders.
 */
#ifndef PC_JSON_H
#define PC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

/* Largest integer a JSON number can carry through cJSON unambiguously: 2^53 - 1
 * (2^53 + 1 parses as 2^53, so 2^53 itself cannot be trusted). */
#define JSON_INT_EXACT_MAX INT64_C(9007199254740991)

/*
 * Parses exactly n bytes as one JSON value (trailing blanks and NULs allowed).
 * Caller frees the tree with cJSON_Delete. Every string and key in it is valid
 * UTF-8, as PostgreSQL and SQLite need: a lone UTF-16 surrogate escape
 * ("\ud83d" without its pair, which JSON allows and cJSON refuses), "\u0000",
 * a raw NUL and each ill-formed part of raw bytes that are not UTF-8 become
 * U+FFFD, as browsers and most JSON libraries do. NULL + ERR_PARSE "invalid
 * JSON at byte N of M" (or "empty JSON document") for anything else that is
 * not JSON, a "\u" without 4 hex digits included.
 */
cJSON *json_parse(const char *s, size_t n, struct err *e);

/* obj[key] (case-sensitive), or NULL when obj is not an object or key is absent. Borrowed. */
const cJSON *json_get(const cJSON *obj, const char *key);

/* obj[key] as a string; NULL when absent, null or not a string. Borrowed. */
const char *json_str(const cJSON *obj, const char *key);

/*
 * obj[key] as an exact 64-bit integer. Accepts a JSON number that is integral
 * and within +-(2^53 - 1), or a string of decimal digits (GraphQL BigInt) within
 * int64. 0 on success; -1 when absent, null, fractional, out of range or not
 * a number (*out untouched).
 */
int json_int64(const cJSON *obj, const char *key, int64_t *out);

/* Same for a value already in hand. */
int json_value_int64(const cJSON *v, int64_t *out);

/* obj[key] as an int in [INT32_MIN, INT32_MAX]; -1 as json_int64. */
int json_int(const cJSON *obj, const char *key, int *out);

/* obj[key] as a boolean; dflt when absent or not a boolean. */
bool json_bool(const cJSON *obj, const char *key, bool dflt);

/* true if obj[key] is present and JSON null. */
bool json_is_null(const cJSON *obj, const char *key);

/* Builders; each attaches the new value to obj at once and returns 0, or -1 on OOM. */
int json_add_int64(cJSON *obj, const char *key, int64_t v);   /* written as a bare integer */
int json_add_str(cJSON *obj, const char *key, const char *s); /* NULL s adds JSON null */
int json_add_bool(cJSON *obj, const char *key, bool v);
int json_add_null(cJSON *obj, const char *key);

/*
 * Appends s as a JSON string literal (quotes, escapes) to out; bytes that are
 * not UTF-8 are written as U+FFFD, so the result is always valid JSON.
 * -1 over the cap (out failed).
 */
int json_quote(struct buf *out, const char *s);

/*
 * Prints v compactly into a new string (caller frees). Out of memory is
 * reported through util.h's xalloc_failed, which aborts.
 */
char *json_print(const cJSON *v);

#endif
