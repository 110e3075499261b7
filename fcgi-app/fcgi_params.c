/* fcgi_params.c: FastCGI params of a request head (see fcgi_params.h). */
#include "fcgi_params.h"

#include <string.h>

#define FCGI_HEADER 8
#define FCGI_PARAMS 4

size_t lume_fcgi_params_gather(const unsigned char *head, size_t len, unsigned request_id,
                               unsigned char *out, size_t cap)
{
    size_t pos = 0, n = 0;

    while (len - pos >= FCGI_HEADER) {
        const unsigned char *h = head + pos;
        size_t clen = ((size_t)h[4] << 8) | h[5], id = ((size_t)h[2] << 8) | h[3];

        if (clen > len - pos - FCGI_HEADER)
            break; /* runs past the head */
        if (h[1] == FCGI_PARAMS && id == request_id) {
            size_t take = clen < cap - n ? clen : cap - n;
            memcpy(out + n, h + FCGI_HEADER, take);
            n += take;
        }
        if (h[6] > len - pos - FCGI_HEADER - clen)
            break; /* its padding too */
        pos += FCGI_HEADER + clen + h[6];
    }
    return n;
}

/* A name or value length at p (avail bytes there); -1 when cut short. */
static int length_at(const unsigned char *p, size_t avail, size_t *used, size_t *len)
{
    if (avail < 1)
        return -1;
    if (!(p[0] & 0x80)) {
        *len = p[0];
        *used = 1;
        return 0;
    }
    if (avail < 4)
        return -1;
    *len = ((size_t)(p[0] & 0x7f) << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
    *used = 4;
    return 0;
}

int lume_fcgi_params_find(const unsigned char *params, size_t n, const char *name, char *out,
                          size_t cap)
{
    size_t want = strlen(name), pos = 0;

    out[0] = '\0';
    while (pos < n) {
        size_t u1, nlen, u2, vlen;

        if (length_at(params + pos, n - pos, &u1, &nlen) != 0 ||
            length_at(params + pos + u1, n - pos - u1, &u2, &vlen) != 0)
            return 0;
        pos += u1 + u2;
        if (nlen > n - pos || vlen > n - pos - nlen)
            return 0; /* runs past the content */
        if (nlen == want && memcmp(params + pos, name, want) == 0) {
            size_t take = vlen < cap - 1 ? vlen : cap - 1;
            memcpy(out, params + pos + nlen, take);
            out[take] = '\0';
            return 1;
        }
        pos += nlen + vlen;
    }
    return 0;
}
