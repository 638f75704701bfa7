/*
 * fuzz_appauth.c - libFuzzer target: what the GitHub App reads from GitHub
 * (appauth.c): the access_tokens answer and the Date header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appauth.h"
#include "json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A token that could break the Authorization header line, or its cap. */
static bool
unsafe(const char *t)
{
	return strpbrk(t, " \t\r\n:\"") != NULL || strlen(t) > 4096;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	cJSON *j = json_parse(s, strlen(s), NULL);
	struct app_token t;
	time_t when;

	if (app_token_read(j, &t, NULL) == 0) {
		if (t.token == NULL || unsafe(t.token) || t.expires_at == NULL ||
		    t.permissions == NULL)
			abort();
		app_token_release(&t);
	} else if (t.token != NULL) {
		abort();
	}
	cJSON_Delete(j);
	/* A Date that parses prints back the same. */
	if (app_http_date(s, &when) == 0 && strlen(s) != 29)
		abort();
	free(s);
	return 0;
}
