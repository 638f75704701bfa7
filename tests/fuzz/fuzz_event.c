/*
 * fuzz_event.c - libFuzzer target: an Actions event's payload (map.c
 * map_actions_event). The input is the event name, a newline, then the
 * payload. Whatever it is, the result is an error, an event ignored with a
 * reason, or one with in-range numbers and well-formed ids; nothing leaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct gh_event *ev)
{
	if (ev->name == NULL)
		abort();
	if (ev->kind == GH_EVENT_IGNORED) {
		if (ev->why == NULL)
			abort();
		return;
	}
	if (ev->repository == NULL || strchr(ev->repository, '/') == NULL)
		abort();
	if (ev->kind == GH_EVENT_PUSH) {
		if (ev->n_shas == 0 || ev->earliest == NULL ||
		    ev->maybe_cut != (ev->n_shas >= GH_PUSH_LISTED_MAX))
			abort();
		for (size_t i = 0; i < ev->n_shas; i++)
			if (strlen(ev->shas[i]) != 40)
				abort();
		return;
	}
	if (ev->number < 1 || ev->action == NULL)
		abort();
	if (ev->kind == GH_EVENT_REVIEW && (ev->review.id <= 0 || ev->review.state == NULL))
		abort();
	if (ev->kind == GH_EVENT_COMMENT && (ev->comment.id <= 0 || ev->comment.body == NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t n = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	char *name = xstrndup((const char *)data, n);
	const char *payload = nl != NULL ? nl + 1 : "";
	size_t len = nl != NULL ? size - n - 1 : 0;
	struct gh_event ev;
	struct err e;

	if (map_actions_event(name, payload, len, &ev, &e) == 0)
		check(&ev);
	gh_event_release(&ev);
	free(name);
	return 0;
}
