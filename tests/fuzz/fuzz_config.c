/*
 * fuzz_config.c - libFuzzer target: settings from the environment (config.c).
 * The input is split at NUL bytes into values for the INPUT_* variables, in
 * table order; config_load must accept or refuse them without crashing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *values[OPT__COUNT];

static const char *
fuzz_getenv(const char *name)
{
	char var[128];

	for (int i = 0; i < OPT__COUNT; i++) {
		config_input_var(config_options[i].name, var, sizeof(var));
		if (strcmp(var, name) == 0)
			return values[i];
	}
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = xmalloc(size + 1);
	char *p = copy;
	char *argv[] = {"progressive-capture", NULL};
	struct config c;
	struct err e;
	size_t used = 0;

	memcpy(copy, data, size);
	copy[size] = '\0';
	for (int i = 0; i < OPT__COUNT; i++) {
		values[i] = used < size ? p : NULL;
		if (used < size) {
			size_t len = strlen(p);

			used += len + 1;
			p += len + 1;
		}
	}
	if (config_load(&c, 1, argv, fuzz_getenv, &e) < 0 && e.code != ERR_INPUT)
		abort();
	config_release(&c);
	free(copy);
	return 0;
}
