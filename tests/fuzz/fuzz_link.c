/* fuzz_link.c - libFuzzer target: Link header parsing (github.c gh_link_next). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ghclient.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	char *next = gh_link_next(s);

	/* A result is always a substring between '<' and '>' of the input. */
	if (next != NULL && (strstr(s, next) == NULL || strchr(next, '>') != NULL))
		abort();
	free(next);
	free(s);
	return 0;
}
