/*
 * numlist.h - lists of pull request numbers as people and cursors write
 * them: "12,34,40-60", a range standing for every number in it. One parser
 * for the pr-numbers input and the resume cursor, one formatter for cursors
 * and matrices.
 */
#ifndef PC_NUMLIST_H
#define PC_NUMLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define NUMLIST_MAX 100000 /* numbers one list may hold */

/*
 * Appends numbers[0..n) (any order, repeats allowed) to out ascending, each
 * run of consecutive numbers as a range: "3,7,9-15". -1 if out's cap is
 * reached (out has failed).
 */
int numlist_format(struct buf *out, const int64_t *numbers, size_t n);

/*
 * Parses s: items separated by any character of seps, each a number "12" or
 * a range "10-20" (1 to 2147483647, low to high; blanks around an item or
 * its dash are dropped, and empty items skipped only when blanks_ok). In an
 * ascending list (a cursor's) each item must start past the end of the one
 * before. At most NUMLIST_MAX numbers in all. On success *numbers (allocated,
 * caller frees; NULL when none) and *n, in the order written (repeats kept);
 * -1 with ERR_INPUT naming what (e.g. "pr-numbers") and the item otherwise,
 * nothing allocated.
 */
int numlist_parse(const char *s, const char *seps, bool ascending, bool blanks_ok, const char *what,
		  int64_t **numbers, size_t *n, struct err *e);

#endif
