/*
 * decimal.h: strict parsing of plain decimal integers from a buffer.
 *
 * Pure functions over (pointer, length), shared by request validation and
 * configuration: no sign, no spaces, no trailing junk, no overflow.
 */
#ifndef LUME_DECIMAL_H
#define LUME_DECIMAL_H

#include <stddef.h>

/* Parse s[0..len) as digits only into *out, which must lie in [min, max].
 * Returns 0 on success, -1 otherwise (empty, non-digit, out of range). */
int lume_decimal_parse(const char *s, size_t len, long min, long max, long *out);

#endif
