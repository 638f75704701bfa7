/*
 * harness.c - runs the registered unit tests and prints "N passed, N failed".
 */
#include "harness.h"

#include <stdlib.h>

#define MAX_TESTS 1024

static struct {
	const char *name;
	test_fn fn;
} tests[MAX_TESTS];
static int ntests;
static int failures_in_test;

void
harness_register(const char *name, test_fn fn)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "harness: too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

bool
harness_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		fprintf(stderr, "    %s:%d: CHECK(%s) failed\n", file, line, expr);
		failures_in_test++;
	}
	return ok;
}

bool
harness_check_str(const char *got, const char *want, const char *expr, const char *file, int line)
{
	bool ok = (got == NULL && want == NULL) ||
		  (got != NULL && want != NULL && strcmp(got, want) == 0);

	if (!ok) {
		fprintf(stderr, "    %s:%d: %s\n      got:  %s%s%s\n      want: %s%s%s\n", file,
			line, expr, got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
			want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
		failures_in_test++;
	}
	return ok;
}

bool
harness_check_int(long long got, long long want, const char *expr, const char *file, int line)
{
	if (got != want) {
		fprintf(stderr, "    %s:%d: %s is %lld, want %lld\n", file, line, expr, got, want);
		failures_in_test++;
		return false;
	}
	return true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
vec_unescape(char *s)
{
	char *r = s;
	char *w = s;

	while (*r != '\0') {
		if (*r != '\\' || r[1] == '\0') {
			*w++ = *r++;
			continue;
		}
		r++;
		switch (*r) {
		case 'n':
			*w++ = '\n';
			r++;
			break;
		case 'r':
			*w++ = '\r';
			r++;
			break;
		case 't':
			*w++ = '\t';
			r++;
			break;
		case '\\':
			*w++ = '\\';
			r++;
			break;
		case '0': *w = '\0'; return s;
		case 'x':
			if (hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
				*w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
				r += 3;
				break;
			}
			/* fall through */
		default: *w++ = '\\'; break;
		}
	}
	*w = '\0';
	return s;
}

char *
vec_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0;
	size_t cap = 0;
	size_t got;

	if (f == NULL)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
			if (data == NULL)
				abort();
		}
		got = fread(data + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	data[n] = '\0';
	if (len != NULL)
		*len = n;
	return data;
}

int
vec_each(const char *path, void (*fn)(const char *in, const char *want, int line))
{
	char *data = vec_slurp(path, NULL);
	char *p;
	int line = 0;
	int count = 0;

	if (data == NULL) {
		fprintf(stderr, "    cannot read vector file %s\n", path);
		failures_in_test++;
		return -1;
	}
	p = data;
	while (*p != '\0') {
		char *nl = strchr(p, '\n');
		char *sep;

		if (nl != NULL)
			*nl = '\0';
		line++;
		if (*p != '\0' && *p != '#') {
			sep = strstr(p, " => ");
			if (sep == NULL) {
				fprintf(stderr, "    %s:%d: no ' => ' in vector\n", path, line);
				failures_in_test++;
			} else {
				*sep = '\0';
				fn(vec_unescape(p), vec_unescape(sep + 4), line);
				count++;
			}
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	free(data);
	return count;
}

int
main(int argc, char **argv)
{
	int passed = 0;
	int failed = 0;

	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
			continue;
		failures_in_test = 0;
		tests[i].fn();
		if (failures_in_test == 0) {
			passed++;
			printf("ok   %s\n", tests[i].name);
		} else {
			failed++;
			printf("FAIL %s\n", tests[i].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
