/*
 * cursor.c - the resume cursor: "v1:<command>:" and the numbers left (numlist.h).
 */
#include "cursor.h"

#include <stdlib.h>
#include <string.h>

#include "numlist.h"
#include "util.h"

int
cursor_format(struct buf *out, const char *command, const int64_t *numbers, size_t n)
{
	if (buf_printf(out, "v1:%s:", command) < 0)
		return -1;
	return numlist_format(out, numbers, n);
}

static bool
command_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '-';
}

int
cursor_parse(const char *s, char **command, int64_t **numbers, size_t *n, struct err *e)
{
	const char *p, *colon;

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
	/* A cursor is written, not typed: ascending, no blanks, no empty items. */
	if (strpbrk(colon + 1, " \t\r\n") != NULL)
		return err_set(e, ERR_INPUT, "resume-cursor: blanks in '%.40s'", s);
	if (numlist_parse(colon + 1, ",", true, false, "resume-cursor", numbers, n, e) < 0)
		return -1;
	*command = xstrndup(p, (size_t)(colon - p));
	return 0;
}
