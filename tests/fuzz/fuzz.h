/*
 * fuzz.h: what the libFuzzer targets share: an invariant check that aborts
 * (so libFuzzer keeps the input), a reader that takes typed pieces off the
 * fuzz input, and a reference UTF-8 decoder written independently of
 * fcgi-app/core/utf8.c, to check it and the writers that rely on it.
 */
#ifndef LUME_FUZZ_H
#define LUME_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant of the code under test: on failure, say which and abort. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The fuzz input, consumed from the front. */
typedef struct fuzz_reader {
    const uint8_t *p;
    size_t left;
} fuzz_reader;

/* The value of a hex digit, or -1: the reference decoders' own, written
 * from the RFC, not taken from the code under test. */
static inline int fuzz_hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static inline uint8_t fuzz_u8(fuzz_reader *r)
{
    if (r->left == 0)
        return 0;
    r->left--;
    return *r->p++;
}

static inline uint64_t fuzz_u64(fuzz_reader *r, int bytes)
{
    uint64_t v = 0;

    for (int i = 0; i < bytes; i++)
        v = v << 8 | fuzz_u8(r);
    return v;
}

/* Up to max bytes (fewer when the input runs out), as a new NUL-terminated
 * string; NUL bytes inside are kept, so strlen may be shorter than *len. */
static inline char *fuzz_bytes(fuzz_reader *r, size_t max, size_t *len)
{
    size_t n = max < r->left ? max : r->left;
    char *s = malloc(n + 1);

    if (s == NULL)
        abort();
    memcpy(s, r->p, n);
    s[n] = '\0';
    r->p += n;
    r->left -= n;
    if (len != NULL)
        *len = n;
    return s;
}

/* The bytes up to the next separator sep (or the end), consumed with it. */
static inline char *fuzz_until(fuzz_reader *r, uint8_t sep, size_t *len)
{
    const uint8_t *end = memchr(r->p, sep, r->left);
    size_t n = end ? (size_t)(end - r->p) : r->left;
    char *s = fuzz_bytes(r, n, len);

    if (end != NULL)
        fuzz_u8(r);
    return s;
}

/* Reference UTF-8: the code point at s[0..left) and its length in *n, or -1
 * when it is not a valid sequence (bad lead, short, bad continuation,
 * overlong, surrogate, above U+10FFFF). */
static inline long fuzz_utf8_decode(const unsigned char *s, size_t left, size_t *n)
{
    static const long min_of_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len;
    long cp;

    if (left == 0)
        return -1;
    if (s[0] < 0x80)
        len = 1, cp = s[0];
    else if ((s[0] & 0xE0) == 0xC0)
        len = 2, cp = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, cp = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, cp = s[0] & 0x07;
    else
        return -1;
    if (len > left)
        return -1;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len > 1 && cp < min_of_len[len]) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return -1;
    *n = len;
    return cp;
}

/* Code points in s[0..len) when valid UTF-8, else -1 (the reference). */
static inline long fuzz_utf8_length(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    long count = 0;
    size_t n;

    for (size_t i = 0; i < len; i += n, count++)
        if (fuzz_utf8_decode(s + i, len - i, &n) < 0)
            return -1;
    return count;
}

/* s[0..len) with every byte that does not start a valid sequence replaced
 * by U+FFFD, as the log writer shows it: a new NUL-terminated string. */
static inline char *fuzz_utf8_repair(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    char *out = malloc(3 * len + 1), *o = out;
    size_t n;

    if (out == NULL)
        abort();
    for (size_t i = 0; i < len;) {
        if (fuzz_utf8_decode(s + i, len - i, &n) < 0) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(o, s + i, n);
            o += n;
            i += n;
        }
    }
    *o = '\0';
    return out;
}

#endif
