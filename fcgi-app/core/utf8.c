/* utf8.c: UTF-8 validation (see utf8.h). */
#include "utf8.h"

size_t lume_utf8_seq(const unsigned char *s, size_t left)
{
    unsigned char c, lo = 0x80, hi = 0xBF; /* range of the second byte */
    size_t n;

    if (left == 0)
        return 0;
    c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    if (left < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

long lume_utf8_length(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    long count = 0;

    for (size_t i = 0, n; i < len; i += n, count++)
        if ((n = lume_utf8_seq(s + i, len - i)) == 0)
            return -1;
    return count;
}
