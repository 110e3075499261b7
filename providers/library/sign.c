/*
 * sign.c: nginx secure_link tokens and the library's signed links (sign.h),
 * with the MD5 they need (OpenSSL's libcrypto).
 */
#include "sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* ---- MD5, OpenSSL's ---------------------------------------------------------- */

void lume_md5(const void *data, size_t len, unsigned char out[16])
{
    unsigned int n = 0;

    /* EVP_Digest fails only when out of memory: the token is then all zeros,
     * which nginx refuses like any wrong one. */
    if (EVP_Digest(data, len, out, &n, EVP_md5(), NULL) != 1 || n != 16)
        memset(out, 0, 16);
}

/* ---- Tokens and links ----------------------------------------------------------- */

void lume_sign_token(const char *uri, size_t uri_len, int64_t expires, const char *secret,
                     char out[LUME_SIGN_TOKEN_BUF])
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char d[16] = {0};
    char num[24];
    unsigned int n = 0;
    size_t o = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    snprintf(num, sizeof(num), "%lld", (long long)expires);
    /* Only out of memory fails: the token of zeros, which nginx refuses. */
    if (c == NULL || EVP_DigestInit_ex(c, EVP_md5(), NULL) != 1 ||
        EVP_DigestUpdate(c, num, strlen(num)) != 1 || EVP_DigestUpdate(c, uri, uri_len) != 1 ||
        EVP_DigestUpdate(c, " ", 1) != 1 || EVP_DigestUpdate(c, secret, strlen(secret)) != 1 ||
        EVP_DigestFinal_ex(c, d, &n) != 1 || n != 16)
        memset(d, 0, sizeof(d));
    EVP_MD_CTX_free(c);
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
