/*
 * idcache.c - GitHub id -> row id, open addressing on a power-of-two table.
 */
#include "idcache.h"

#include <stdio.h>
#include <string.h>

void
idcache_release(struct idcache *c)
{
	free(c->keys);
	free(c->ids);
	memset(c, 0, sizeof(*c));
}

/* The slot of key, or the empty one it would go in. */
static size_t
slot(const struct idcache *c, int64_t key)
{
	uint64_t h = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
	size_t i = (size_t)(h >> 32) & (c->cap - 1);

	while (c->keys[i] != 0 && c->keys[i] != key)
		i = (i + 1) & (c->cap - 1);
	return i;
}

const char *
idcache_get(const struct idcache *c, int64_t key)
{
	size_t i;

	if (c->cap == 0 || key == 0)
		return NULL;
	i = slot(c, key);
	return c->keys[i] == key ? c->ids[i] : NULL;
}

void
idcache_put(struct idcache *c, int64_t key, const char *id)
{
	size_t i;

	if (key == 0)
		return;
	if ((c->n + 1) * 2 > c->cap) {
		struct idcache bigger = {.cap = c->cap ? c->cap * 2 : 64};

		bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
		bigger.ids = xcalloc(bigger.cap, sizeof(*bigger.ids));
		for (size_t j = 0; j < c->cap; j++)
			if (c->keys[j] != 0)
				idcache_put(&bigger, c->keys[j], c->ids[j]);
		idcache_release(c);
		*c = bigger;
	}
	i = slot(c, key);
	if (c->keys[i] == 0)
		c->n++;
	c->keys[i] = key;
	snprintf(c->ids[i], sizeof(c->ids[i]), "%s", id);
}
