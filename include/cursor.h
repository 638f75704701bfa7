/*
 * cursor.h - where a partial run stopped, as a short string a user can pass
 * back (the resume-cursor output and input).
 *
 * Form: "v1:<command>:<numbers>", the numbers being the pull requests not yet
 * written whole, ascending, with runs as ranges: "v1:pr-all:3,7,9-15,20".
 * Empty numbers ("v1:pr-all:") means nothing is left.
 */
#ifndef PC_CURSOR_H
#define PC_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/*
 * Appends the cursor of command and numbers[0..n) (any order, duplicates
 * allowed) to out. -1 if out's cap is reached.
 */
int cursor_format(struct buf *out, const char *command, const int64_t *numbers, size_t n);

/*
 * Parses s. On success *command (allocated) and *numbers (allocated,
 * ascending, unique; NULL when none) with *n; -1 with ERR_INPUT naming what is
 * wrong otherwise (nothing allocated).
 */
int cursor_parse(const char *s, char **command, int64_t **numbers, size_t *n, struct err *e);

#endif
