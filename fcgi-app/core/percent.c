/*
 * percent.c: the one percent-decoder (RFC 3986) of everything a client puts
 * in a URI: paths, query strings, the caps and Stremio extras; and the one
 * percent-encoder of what Lume puts in one: next links, signed links
 * (percent.h).
 */
#include "percent.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 32);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

long lume_percent_decode(const char *in, size_t len, int form, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= len || (hi = hexval(in[i + 1])) < 0 || (lo = hexval(in[i + 2])) < 0)
                return -1;
            c = (char)(hi << 4 | lo);
            i += 2;
        } else if (form && c == '+') {
            c = ' ';
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

long lume_percent_encode(const char *in, size_t len, const char *keep, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (unreserved(c) || (c != '\0' && keep != NULL && strchr(keep, c) != NULL)) {
            if (o + 1 >= cap)
                return -1;
            out[o++] = (char)c;
        } else {
            if (o + 3 >= cap)
                return -1;
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (cap == 0)
        return -1;
    out[o] = '\0';
    return (long)o;
}
