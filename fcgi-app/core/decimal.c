/* decimal.c: strict decimal integer parsing, and writing (see decimal.h). */
#include "decimal.h"

int lume_decimal_parse(const char *s, size_t len, long min, long max, long *out)
{
    long v = 0;

    if (s == NULL || len == 0 || len > 18)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0'); /* 18 digits cannot overflow a 64-bit long */
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

size_t lume_decimal_put(char *out, unsigned long long v)
{
    char tmp[LUME_DECIMAL_DIGITS];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}
