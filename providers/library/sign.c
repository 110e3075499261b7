/*
 * sign.c: nginx secure_link tokens and the library's signed links (sign.h),
 * with the MD5 they need (RFC 1321; no crypto library for one digest).
 */
#include "sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- MD5 -------------------------------------------------------------------- */

typedef struct md5_ctx {
    uint32_t h[4];
    uint64_t len; /* bytes so far */
    unsigned char buf[64];
    size_t used;
} md5_ctx;

static const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
    0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
    0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
    0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
    0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
    0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
    0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
    0xeb86d391};

static const unsigned char R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                    5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

static void md5_block(md5_ctx *c, const unsigned char *p)
{
    uint32_t m[16], a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];

    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    for (int i = 0; i < 64; i++) {
        uint32_t f, t;
        int g;

        if (i < 16) {
            f = (b & cc) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & cc);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ cc ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = cc ^ (b | ~d);
            g = (7 * i) % 16;
        }
        t = a + f + K[i] + m[g];
        a = d;
        d = cc;
        cc = b;
        b = b + (t << R[i] | t >> (32 - R[i]));
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
}

static void md5_init(md5_ctx *c)
{
    *c = (md5_ctx){.h = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}};
}

static void md5_update(md5_ctx *c, const void *data, size_t len)
{
    const unsigned char *p = data;

    c->len += len;
    while (len > 0) {
        size_t take = 64 - c->used < len ? 64 - c->used : len;

        memcpy(c->buf + c->used, p, take);
        c->used += take;
        p += take;
        len -= take;
        if (c->used == 64) {
            md5_block(c, c->buf);
            c->used = 0;
        }
    }
}

static void md5_final(md5_ctx *c, unsigned char out[16])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, zero = 0, len[8];

    md5_update(c, &pad, 1);
    while (c->used != 56)
        md5_update(c, &zero, 1);
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (8 * i));
    md5_update(c, len, 8);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (unsigned char)(c->h[i] >> (8 * j));
}

void lume_md5(const void *data, size_t len, unsigned char out[16])
{
    md5_ctx c;

    md5_init(&c);
    md5_update(&c, data, len);
    md5_final(&c, out);
}

/* ---- Tokens and links ----------------------------------------------------------- */

void lume_sign_token(const char *uri, size_t uri_len, int64_t expires, const char *secret,
                     char out[LUME_SIGN_TOKEN_BUF])
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char d[16];
    char num[24];
    md5_ctx c;
    size_t o = 0;

    snprintf(num, sizeof(num), "%lld", (long long)expires);
    md5_init(&c);
    md5_update(&c, num, strlen(num));
    md5_update(&c, uri, uri_len);
    md5_update(&c, " ", 1);
    md5_update(&c, secret, strlen(secret));
    md5_final(&c, d);
    for (int i = 0; i < 16; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < 16 ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < 16 ? d[i + 2] : 0);
        int chars = i + 2 < 16 ? 4 : i + 1 < 16 ? 3 : 2;

        for (int k = 0; k < chars; k++)
            out[o++] = b64[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
}

int lume_sign_url_path(const char *url, const char **path, size_t *len)
{
    const char *host, *slash;
    size_t n;

    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        return -1;
    slash = host + strcspn(host, "/?#");
    if (slash == host)
        return -1;
    n = strcspn(slash, "?#");
    while (n > 0 && slash[n - 1] == '/')
        n--;
    *path = slash;
    *len = n;
    return 0;
}

static int unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

/* Is rel a relative path of named segments: no leading '/', none empty, "." or ".."? */
static int relative(const char *rel)
{
    const char *p = rel;

    for (;;) {
        size_t n = strcspn(p, "/");

        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        if (p[n] == '\0')
            return 1;
        p += n + 1;
    }
}

char *lume_sign_link(const char *public_url, int root, const char *rel, int64_t expires,
                     const char *secret)
{
    const char *path;
    size_t path_len, base_len, rel_len = strlen(rel), uri_len, o;
    char token[LUME_SIGN_TOKEN_BUF], *uri, *link;
    int w;

    if (lume_sign_url_path(public_url, &path, &path_len) != 0 || root < 0 || !relative(rel))
        return NULL;
    base_len = (size_t)(path - public_url) + path_len;
    if (base_len + rel_len > LUME_SIGN_URL_MAX)
        return NULL;
    /* $uri as nginx decodes it: the path, the root, the relative path's bytes. */
    uri_len = path_len + rel_len + 16;
    if ((uri = malloc(uri_len)) == NULL)
        return NULL;
    w = snprintf(uri, uri_len, "%.*s/%d/%s", (int)path_len, path, root, rel);
    lume_sign_token(uri, (size_t)w, expires, secret, token);
    free(uri);
    if ((link = malloc(LUME_SIGN_URL_MAX + 1)) == NULL)
        return NULL;
    w = snprintf(link, LUME_SIGN_URL_MAX + 1, "%.*s/%d/", (int)base_len, public_url, root);
    o = (size_t)w;
    for (const unsigned char *p = (const unsigned char *)rel; *p != '\0' && o < LUME_SIGN_URL_MAX;
         p++) {
        if (unreserved(*p) || *p == '/') {
            link[o++] = (char)*p;
        } else if (o + 3 <= LUME_SIGN_URL_MAX) {
            o += (size_t)snprintf(link + o, 4, "%%%02X", *p);
        } else {
            o = LUME_SIGN_URL_MAX;
        }
    }
    w = o < LUME_SIGN_URL_MAX ? snprintf(link + o, LUME_SIGN_URL_MAX + 1 - o,
                                         "?md5=%s&expires=%lld", token, (long long)expires)
                              : -1;
    if (w < 0 || o + (size_t)w > LUME_SIGN_URL_MAX) {
        free(link);
        return NULL;
    }
    return link;
}
