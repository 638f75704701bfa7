/*
 * numlist.c - pull request numbers with ranges: "3,7,9-15", parsed and written.
 */
#include "numlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
numlist_format(struct buf *out, const int64_t *numbers, size_t n)
{
	int64_t *sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	size_t i = 0;
	int rc = 0;

	if (n > 0) {
		memcpy(sorted, numbers, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_i64);
	}
	while (rc == 0 && i < n) {
		size_t j = i;

		while (j + 1 < n && (sorted[j + 1] == sorted[j] || sorted[j + 1] == sorted[j] + 1))
			j++;
		if (i > 0)
			rc = buf_putc(out, ',');
		if (rc == 0 && sorted[j] == sorted[i])
			rc = buf_printf(out, "%lld", (long long)sorted[i]);
		else if (rc == 0)
			rc = buf_printf(out, "%lld-%lld", (long long)sorted[i],
					(long long)sorted[j]);
		i = j + 1;
	}
	free(sorted);
	return rc;
}

/* One item: "12" or "10-20" (blanks around the dash dropped); -1 if it is neither. */
static int
parse_item(char *item, int64_t *lo, int64_t *hi)
{
	char *dash = item[0] == '-' ? NULL : strchr(item, '-');

	if (dash == NULL) {
		if (parse_int64(item, 1, INT32_MAX, lo) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	*dash = '\0';
	if (parse_int64(str_trim(item), 1, INT32_MAX, lo) < 0 ||
	    parse_int64(str_trim(dash + 1), 1, INT32_MAX, hi) < 0)
		return -1;
	return 0;
}

/* A list being read: the numbers so far. */
struct list {
	int64_t *v;
	size_t n, cap;
};

/* Reads one non-empty item into l; -1 with ERR_INPUT naming it. */
static int
add_item(struct list *l, char *item, bool ascending, const char *what, struct err *e)
{
	char shown[72];
	int64_t lo, hi;

	snprintf(shown, sizeof(shown), "%.64s", item);
	if (parse_item(item, &lo, &hi) < 0)
		return err_set(e, ERR_INPUT,
			       "%s: '%s' is not a pull request number or range (want e.g. 12,34 or "
			       "10-20)",
			       what, shown);
	if (hi < lo)
		return err_set(e, ERR_INPUT, "%s: '%s': a range runs from low to high", what,
			       shown);
	if (ascending && l->n > 0 && lo <= l->v[l->n - 1])
		return err_set(e, ERR_INPUT, "%s: '%s' does not come after the number before", what,
			       shown);
	if ((uint64_t)(hi - lo) + l->n >= NUMLIST_MAX)
		return err_set(e, ERR_INPUT, "%s: '%s': more than %d pull requests in one list",
			       what, shown, NUMLIST_MAX);
	for (int64_t v = lo; v <= hi; v++) {
		if (l->n == l->cap) {
			l->cap = l->cap != 0 ? 2 * l->cap : 16;
			l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[l->n++] = v;
	}
	return 0;
}

int
numlist_parse(const char *s, const char *seps, bool ascending, bool blanks_ok, const char *what,
	      int64_t **numbers, size_t *n, struct err *e)
{
	struct list l = {0};
	const char *p = s;
	int rc = 0;

	while (rc == 0 && *p != '\0') {
		size_t len = strcspn(p, seps);
		char *item = str_trim(xstrndup(p, len));

		if (item[0] != '\0')
			rc = add_item(&l, item, ascending, what, e);
		else if (!blanks_ok)
			rc = err_set(e, ERR_INPUT, "%s: an empty item", what);
		free(item);
		p += len;
		if (rc == 0 && *p != '\0' && *++p == '\0' && !blanks_ok)
			rc = err_set(e, ERR_INPUT, "%s: a trailing separator", what);
	}
	if (rc < 0) {
		free(l.v);
		return -1;
	}
	*numbers = l.v;
	*n = l.n;
	return 0;
}
