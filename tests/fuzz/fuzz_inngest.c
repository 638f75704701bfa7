/*
 * fuzz_inngest.c - libFuzzer target: the old queue's JSON (map.c): an
 * export of Inngest events in any of its shapes (array, API page, JSON
 * lines), and a job row's metadata. Every item read is either an event with
 * a key and in-range numbers, or one with its problem; nothing leaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_event(const struct inngest_event *ev, size_t index)
{
	if (ev->index != index)
		abort();
	if (ev->problem != NULL)
		return;
	if (ev->name == NULL || ev->key == NULL || ev->days < 0 || ev->days > 3650)
		abort();
	for (size_t i = 0; i < ev->n_pr_numbers; i++)
		if (ev->pr_numbers[i] < 1 || ev->pr_numbers[i] > INT32_MAX)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inngest_export x;
	struct job_metadata m;
	struct err e;
	char *text = xstrndup((const char *)data, size);

	if (map_inngest_export((const char *)data, size, &x, &e) == 0) {
		for (size_t i = 0; i < x.n; i++)
			check_event(&x.events[i], i + 1);
		inngest_export_release(&x);
	}
	map_job_metadata(text, &m);
	for (size_t i = 0; i < m.n_pr_numbers; i++)
		if (m.pr_numbers[i] < 1 || m.pr_numbers[i] > INT32_MAX)
			abort();
	job_metadata_release(&m);
	free(text);
	return 0;
}
