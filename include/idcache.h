/*
 * idcache.h - GitHub id -> store row id (a UUID): an open-addressing hash
 * table, so a run looks each contributor, pull request or comment up once.
 */
#ifndef PC_IDCACHE_H
#define PC_IDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct idcache {
	int64_t *keys; /* 0 = empty slot (GitHub ids are never 0) */
	char (*ids)[UUID_STR_SIZE];
	size_t n, cap;
};

/* A zeroed struct idcache is an empty cache; no init needed. */

/* The row id of key, or NULL. Borrowed: valid until the next put. */
const char *idcache_get(const struct idcache *c, int64_t key);

/* Sets key's row id (copied); key 0 is ignored. */
void idcache_put(struct idcache *c, int64_t key, const char *id);

/* Frees the table; c is an empty cache again. */
void idcache_release(struct idcache *c);

#endif
