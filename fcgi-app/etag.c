/* etag.c: entity tags of bodies and If-None-Match (see etag.h). */
#include "etag.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"

/* A fixed key: tags must not change between workers or restarts. */
static const unsigned char ETAG_KEY[16] = "lume-etag-v1-key";

/* "%zx-%016" PRIx64 between quotes, written directly (snprintf() took
 * 1,400 instructions a response). */
void lume_etag(const char *body, size_t len, char out[LUME_ETAG_BUF])
{
    static const char hex[] = "0123456789abcdef";
    uint64_t h = lume_siphash(ETAG_KEY, body, len);
    char digits[16];
    size_t n = 0, o = 0;

    do {
        digits[n++] = hex[len & 15];
        len >>= 4;
    } while (len > 0);
    out[o++] = '"';
    while (n > 0)
        out[o++] = digits[--n];
    out[o++] = '-';
    for (int i = 15; i >= 0; i--)
        out[o + (size_t)i] = hex[(h >> (4 * (15 - i))) & 15];
    o += 16;
    out[o++] = '"';
    out[o] = '\0';
}

static const char *skip_ows_commas(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    return p;
}

int lume_etag_none_match(const char *header, const char *etag)
{
    size_t tag_len = strlen(etag);
    const char *p;

    if (header == NULL)
        return 0;
    p = skip_ows_commas(header);
    if (p[0] == '*') {
        const char *rest = p + 1;
        while (*rest == ' ' || *rest == '\t')
            rest++;
        return *rest == '\0';
    }
    while (*p != '\0') {
        const char *end, *next;

        if (p[0] == 'W' && p[1] == '/')
            p += 2; /* weak comparison: the W/ prefix does not matter */
        if (*p != '"')
            return 0;
        end = strchr(p + 1, '"');
        if (end == NULL)
            return 0;
        next = end + 1;
        while (*next == ' ' || *next == '\t')
            next++;
        if (*next != ',' && *next != '\0')
            return 0;
        if ((size_t)(end + 1 - p) == tag_len && memcmp(p, etag, tag_len) == 0)
            return 1;
        p = skip_ows_commas(next);
    }
    return 0;
}
