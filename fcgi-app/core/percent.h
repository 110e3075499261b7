/*
 * percent.h: percent-decoding (RFC 3986), the one decoder of URI parts:
 * query.c (the {query} segment and the query string), caps.c, stremio_path.c;
 * and percent-encoding, the one encoder: next_link.c, the library's sign.c.
 */
#ifndef LUME_PERCENT_H
#define LUME_PERCENT_H

#include <stddef.h>

/* Percent-decode in[0..len) into out (cap bytes, NUL added). With form set,
 * '+' is a space (query strings); in paths it is a literal plus. Returns the
 * decoded length (NUL bytes decoded from %00 included), or -1 on a broken
 * escape or when out is too small. */
long lume_percent_decode(const char *in, size_t len, int form, char *out, size_t cap);

/* Percent-encode in[0..len) into out (cap bytes, NUL added): RFC 3986's
 * unreserved bytes, and those in keep (NULL: none; "/" for a path), as they
 * are, every other byte as %XX in upper case. Returns the encoded length,
 * or -1 when out is too small. */
long lume_percent_encode(const char *in, size_t len, const char *keep, char *out, size_t cap);

#endif
