/*
 * utf8.h: the one definition of valid UTF-8 in Lume (no overlong forms, no
 * surrogates, nothing above U+10FFFF), shared by query validation and the
 * log writer. Pure functions over buffers.
 */
#ifndef LUME_UTF8_H
#define LUME_UTF8_H

#include <stddef.h>

/* Bytes of the valid UTF-8 sequence that starts s[0..left), 1 to 4; 0 when
 * the bytes there are not valid UTF-8 (or left is 0). */
size_t lume_utf8_seq(const unsigned char *s, size_t left);

/* Code points in s[0..len) when it is valid UTF-8; -1 otherwise. */
long lume_utf8_length(const char *s, size_t len);

#endif
