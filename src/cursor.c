/*
 * cursor.c - the resume cursor: pull request numbers as compact ranges.
 */
#include "cursor.h"

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
cursor_format(struct buf *out, const char *command, const int64_t *numbers, size_t n)
{
	int64_t *sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	size_t i = 0;
	int rc;

	if (n > 0)
		memcpy(sorted, numbers, n * sizeof(*sorted));
	if (n > 0)
		qsort(sorted, n, sizeof(*sorted), cmp_i64);
	rc = buf_printf(out, "v1:%s:", command);
	while (rc == 0 && i < n) {
		size_t j = i;

		while (j + 1 < n && (sorted[j + 1] == sorted[j] || sorted[j + 1] == sorted[j] + 1))
			j++;
		if (sorted[j] == sorted[i])
			rc = buf_printf(out, "%s%lld", out->data[out->len - 1] == ':' ? "" : ",",
					(long long)sorted[i]);
		else
			rc = buf_printf(out, "%s%lld-%lld",
					out->data[out->len - 1] == ':' ? "" : ",",
					(long long)sorted[i], (long long)sorted[j]);
		i = j + 1;
	}
	free(sorted);
	return rc;
}

static bool
command_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '-';
}

int
cursor_parse(const char *s, char **command, int64_t **numbers, size_t *n, struct err *e)
{
	const char *p;
	const char *colon;
	int64_t *out = NULL;
	size_t count = 0;

	*command = NULL;
	*numbers = NULL;
	*n = 0;
	if (!str_starts(s, "v1:"))
		return err_set(e, ERR_INPUT, "resume-cursor: '%.40s' is not a cursor (want v1:…)",
			       s);
	p = s + 3;
	colon = strchr(p, ':');
	if (colon == NULL || colon == p)
		return err_set(e, ERR_INPUT, "resume-cursor: no command in '%.40s'", s);
	for (const char *c = p; c < colon; c++)
		if (!command_char(*c))
			return err_set(e, ERR_INPUT, "resume-cursor: bad command in '%.40s'", s);
	p = colon + 1;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		char *item = xstrndup(p, len);
		char *dash = strchr(item, '-');
		int64_t lo, hi;
		int bad;

		if (dash != NULL)
			*dash = '\0';
		bad = parse_int64(item, 1, INT32_MAX, &lo) < 0 ||
		      (dash != NULL && parse_int64(dash + 1, 1, INT32_MAX, &hi) < 0);
		if (dash == NULL)
			hi = lo;
		free(item);
		if (bad || hi < lo || (uint64_t)(hi - lo) + count >= CURSOR_MAX_NUMBERS ||
		    (count > 0 && lo <= out[count - 1])) {
			free(out);
			return err_set(e, ERR_INPUT,
				       "resume-cursor: '%.*s' is not an ascending number "
				       "or range",
				       (int)(len < 40 ? len : 40), p);
		}
		out = xrealloc(out, (count + (size_t)(hi - lo) + 1) * sizeof(*out));
		for (int64_t v = lo; v <= hi; v++)
			out[count++] = v;
		p += len;
		if (*p == ',') {
			p++;
			if (*p == '\0') {
				free(out);
				return err_set(e, ERR_INPUT, "resume-cursor: trailing ','");
			}
		}
	}
	*command = xstrndup(s + 3, (size_t)(colon - (s + 3)));
	*numbers = out;
	*n = count;
	return 0;
}
