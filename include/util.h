/*
 * util.h - small helpers every module uses: allocation that aborts on out of
 * memory, strict number parsing, trimming, UTF-8, UUIDs, UTC time stamps.
 * No I/O beyond the random source and the out-of-memory line; nothing here
 * knows about GitHub or stores, nor calls log.c (which sits above it).
 */
#ifndef PC_UTIL_H
#define PC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Allocation: on out of memory report it (xalloc_failed) and abort; never NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* xstrdup(NULL) returns NULL */
char *xstrndup(const char *s, size_t n); /* copies at most n bytes, NUL-terminates */

/*
 * Sets how out of memory is reported: fn is called once with the size of the
 * allocation that failed (0 when unknown), then the process aborts whether fn
 * returns or not. util.c sits below log.c, so main sets a fn that logs
 * through log.c. Without one (fn NULL, the default), and when memory runs out
 * again inside fn, the plain line "progressive-capture: out of memory
 * allocating N bytes" goes to stderr.
 */
void xalloc_on_failure(void (*fn)(size_t bytes));

/*
 * Reports a failed allocation of bytes (0: size unknown) as xalloc_on_failure
 * says and aborts. For allocators that are not ours: cJSON's.
 */
void xalloc_failed(size_t bytes) __attribute__((noreturn));

/*
 * Parses all of s as a decimal integer in [min, max]: optional leading '-',
 * digits only, no spaces, no '+', no hex, no trailing text. 0 on success,
 * -1 otherwise (*out untouched).
 */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Trims ASCII whitespace at both ends in place; returns s. */
char *str_trim(char *s);

/* Like str_trim but returns a new string (caller frees). */
char *str_trim_dup(const char *s);

/* true if s starts with prefix. */
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);

/* Bytes of a UUID's text: 36 characters (8-4-4-4-12) and the NUL. */
#define UUID_STR_SIZE 37

/* U+FFFD, the replacement character, in UTF-8 (3 bytes). */
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

/*
 * Decodes the UTF-8 character at s, of which n >= 1 bytes may be read.
 * Returns its code point and sets *len to its length (1-4). An ill-formed
 * sequence (a stray continuation byte, an overlong form, a surrogate, a code
 * point past U+10FFFF, a sequence cut short) returns -1 and sets *len to the
 * length of its maximal subpart, at least 1: replacing each such part with
 * U+FFFD and going on at s + *len is Unicode's recommended repair, the one
 * browsers make. A NUL byte decodes as U+0000 like any ASCII byte.
 */
int utf8_decode(const char *s, size_t n, size_t *len);

/* true if s[0..n) is valid UTF-8 throughout. */
bool utf8_valid(const char *s, size_t n);

/* A copy of s (caller frees) with each ill-formed part of UTF-8 made U+FFFD. */
char *utf8_repair_dup(const char *s);

/*
 * true for a code point that can reorder or hide what a reader sees, which
 * text from outside must not bring raw to a summary or a log: C1 controls
 * (U+0080-U+009F), the bidi embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069), the marks LRM, RLM and ALM (U+200E,
 * U+200F, U+061C) and the BOM / zero-width no-break space U+FEFF.
 */
bool utf8_invisible(int cp);

/* true if s is a UUID in canonical 8-4-4-4-12 hex form (any case, any version). */
bool uuid_valid(const char *s);

/*
 * Writes a random (version 4) UUID, lower case, and its NUL to
 * out[UUID_STR_SIZE]. Randomness comes from getrandom(2); 0 on success, -1 if
 * the kernel gave none.
 */
int uuid_v4(char out[UUID_STR_SIZE]);

/* Fills p with n random bytes from getrandom(2); 0 or -1. */
int random_bytes(void *p, size_t n);

/*
 * Parses an ISO-8601 UTC/offset time stamp as GitHub and PostgreSQL write it
 * ("2024-05-01T12:30:00Z", "2024-05-01T12:30:00.123+00:00",
 * "2024-05-01 12:30:00+02"); fractional seconds are dropped. Every field must
 * be in range: the day within its month (Gregorian leap years), hours 00-23,
 * minutes 00-59, seconds 00-60 (60, a leap second, is the next minute's
 * first), offset hours 00-15 and minutes 00-59. 0, or -1 (*out untouched).
 */
int time_parse_iso(const char *s, time_t *out);

/*
 * Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out[21]; a t before year 0000 or
 * after 9999 is clamped to 0000-01-01T00:00:00Z or 9999-12-31T23:59:59Z, so
 * out always holds a stamp that time_parse_iso reads back.
 */
void time_format_iso(time_t t, char out[21]);

/* Seconds since the epoch, and a monotonic clock in milliseconds. */
time_t time_now(void);
int64_t time_mono_ms(void);

#endif
