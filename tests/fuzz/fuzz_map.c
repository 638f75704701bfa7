/*
 * fuzz_map.c - libFuzzer target: GitHub JSON -> structs (map.c), through the
 * JSON parser and the exact-integer getters. The first byte picks the mapper.
 */
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	cJSON *j;
	int64_t v;

	if (size < 1)
		return 0;
	j = json_parse((const char *)data + 1, size - 1, &e);
	if (j == NULL)
		return 0;
	switch (data[0] % 4) {
	case 0: {
		struct gh_pull p;

		if (map_pull(j, &p, &e) == 0)
			gh_pull_release(&p);
		break;
	}
	case 1: {
		struct gh_file f;

		if (map_file(j, &f, &e) == 0)
			gh_file_release(&f);
		break;
	}
	case 2: {
		struct gh_repo r;

		if (map_repo(j, &r, &e) == 0)
			gh_repo_release(&r);
		break;
	}
	default: {
		struct gh_user u;

		if (map_user(j, &u, &e) == 0)
			gh_user_release(&u);
		(void)json_int64(j, "id", &v);
	}
	}
	cJSON_Delete(j);
	return 0;
}
