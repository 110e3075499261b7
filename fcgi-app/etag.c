/* etag.c: entity tags of bodies and If-None-Match (see etag.h). */
#include "etag.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"

/* A fixed key: tags must not change between workers or restarts. */
static const unsigned char ETAG_KEY[16] = "lume-etag-v1-key";

void lume_etag(const char *body, size_t len, char out[LUME_ETAG_BUF])
{
    snprintf(out, LUME_ETAG_BUF, "\"%zx-%016" PRIx64 "\"", len, lume_siphash(ETAG_KEY, body, len));
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
