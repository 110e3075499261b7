/*
 * decimal.h: strict parsing of plain decimal integers from a buffer, and
 * writing them without printf.
 *
 * Pure functions over (pointer, length), shared by request validation and
 * configuration: no sign, no spaces, no trailing junk, no overflow. Writing
 * is for the hot path (response heads, log lines), where snprintf() costs
 * several hundred instructions a number.
 */
#ifndef LUME_DECIMAL_H
#define LUME_DECIMAL_H

#include <stddef.h>

/* Parse s[0..len) as digits only into *out, which must lie in [min, max].
 * Returns 0 on success, -1 otherwise (empty, non-digit, out of range). */
int lume_decimal_parse(const char *s, size_t len, long min, long max, long *out);

/* The most digits lume_decimal_put() writes. */
#define LUME_DECIMAL_DIGITS 20

/* Write v in decimal at out (no NUL, at most LUME_DECIMAL_DIGITS bytes);
 * returns how many bytes it wrote. */
size_t lume_decimal_put(char *out, unsigned long long v);

#endif
