/*
 * harness.h - a tiny test harness for the C unit tests.
 *
 * TEST(name) { ... } registers a test; CHECK* record failures with file and
 * line and let the test go on. main() (harness.c) runs every test, or those
 * whose name contains argv[1], and ends with the line "N passed, N failed".
 * Vector files (tests/vectors) are read with vec_*; escapes in them
 * (\n \r \t \\ \xNN) are decoded by vec_unescape.
 */
#ifndef PC_HARNESS_H
#define PC_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);

void harness_register(const char *name, test_fn fn);
bool harness_check(bool ok, const char *expr, const char *file, int line);
bool harness_check_str(const char *got, const char *want, const char *expr, const char *file,
		       int line);
bool harness_check_int(long long got, long long want, const char *expr, const char *file, int line);

#define TEST(name)                                                                                 \
	static void name(void);                                                                    \
	__attribute__((constructor)) static void register_##name(void)                             \
	{                                                                                          \
		harness_register(#name, name);                                                     \
	}                                                                                          \
	static void name(void)

#define CHECK(cond)          harness_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) harness_check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want)                                                                       \
	harness_check_int((long long)(got), (long long)(want), #got, __FILE__, __LINE__)

/* Decodes \n \r \t \\ \xNN and \0 (end) in place; returns s. */
char *vec_unescape(char *s);

/*
 * Reads a vector file (path relative to tests/) line by line, skipping blank
 * lines and lines starting with '#'. Each line is split at " => " into
 * input and expected (both unescaped); fn is called with them and the line
 * number. Returns the number of vectors, or -1 if the file is missing.
 */
int vec_each(const char *path, void (*fn)(const char *in, const char *want, int line));

/* Reads a whole file into a new string (caller frees); NULL if missing. */
char *vec_slurp(const char *path, size_t *len);

#endif
