/*
 * sign.c: nginx secure_link tokens and the library's signed links (sign.h),
 * with the MD5 they need (OpenSSL's libcrypto).
 */
#include "sign.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "decimal.h"
#include "percent.h"

/* ---- MD5, OpenSSL's ---------------------------------------------------------- */

/* OpenSSL's MD5, fetched once: EVP_md5() is looked up again by every
 * EVP_DigestInit_ex (a quarter of a link's instructions). Never freed; the
 * same for every thread. */
static pthread_once_t md5_once = PTHREAD_ONCE_INIT;
static const EVP_MD *md5_md;

static void fetch_md5(void)
{
    md5_md = EVP_MD_fetch(NULL, "MD5", NULL);
    if (md5_md == NULL)
        md5_md = EVP_md5();
}

static const EVP_MD *md5(void)
{
    pthread_once(&md5_once, fetch_md5);
    return md5_md;
}

void lume_md5(const void *data, size_t len, unsigned char out[16])
{
    unsigned int n = 0;

    /* EVP_Digest fails only when out of memory: the token is then all zeros,
     * which nginx refuses like any wrong one. */
    if (EVP_Digest(data, len, out, &n, md5(), NULL) != 1 || n != 16)
        memset(out, 0, 16);
}

/* ---- Tokens and links ----------------------------------------------------------- */

/* v in decimal at out (no NUL), a '-' first when negative; its length. */
static size_t put_int64(char *out, int64_t v)
{
    if (v >= 0)
        return lume_decimal_put(out, (unsigned long long)v);
    out[0] = '-';
    return 1 + lume_decimal_put(out + 1, 0ULL - (unsigned long long)v);
}

void lume_sign_token(const char *uri, size_t uri_len, int64_t expires, const char *secret,
                     char out[LUME_SIGN_TOKEN_BUF])
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char d[16] = {0};
    char num[LUME_DECIMAL_DIGITS + 1];
    unsigned int n = 0;
    size_t o = 0, num_len = put_int64(num, expires);
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    /* Only out of memory fails: the token of zeros, which nginx refuses. */
    if (c == NULL || EVP_DigestInit_ex(c, md5(), NULL) != 1 ||
        EVP_DigestUpdate(c, num, num_len) != 1 || EVP_DigestUpdate(c, uri, uri_len) != 1 ||
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

/* base[0..base_len) "/" root "/" at out (no NUL); its length. */
static size_t put_base(char *out, const char *base, size_t base_len, const char *root,
                       size_t root_len)
{
    memcpy(out, base, base_len);
    out[base_len] = '/';
    memcpy(out + base_len + 1, root, root_len);
    out[base_len + 1 + root_len] = '/';
    return base_len + root_len + 2;
}

char *lume_sign_link(const char *public_url, int root, const char *rel, int64_t expires,
                     const char *secret)
{
    const char *path;
    size_t path_len, base_len, rel_len = strlen(rel), uri_len, o;
    char token[LUME_SIGN_TOKEN_BUF], *uri, *link;
    char root_num[LUME_DECIMAL_DIGITS], num[LUME_DECIMAL_DIGITS + 1];
    size_t root_len, num_len, cap;
    long enc;

    if (lume_sign_url_path(public_url, &path, &path_len) != 0 || root < 0 || !relative(rel))
        return NULL;
    root_len = lume_decimal_put(root_num, (unsigned long long)root);
    base_len = (size_t)(path - public_url) + path_len;
    if (base_len + rel_len > LUME_SIGN_URL_MAX)
        return NULL;
    /* $uri as nginx decodes it: the path, the root, the relative path's bytes. */
    uri_len = path_len + rel_len + LUME_DECIMAL_DIGITS + 3;
    if ((uri = malloc(uri_len)) == NULL)
        return NULL;
    o = put_base(uri, path, path_len, root_num, root_len);
    memcpy(uri + o, rel, rel_len);
    lume_sign_token(uri, o + rel_len, expires, secret, token);
    free(uri);
    /* The public URL up to its path, the root, rel encoded, then the query:
     * "?md5=", the token's 22 characters, "&expires=" and the number. */
    num_len = put_int64(num, expires);
    /* Sized for rel all escaped, not for the longest link: a buffer of
     * over a kilobyte would make malloc gather its small free chunks on
     * every link. */
    cap = base_len + root_len + 2 + 3 * rel_len + 36 + num_len + 1;
    if (cap > LUME_SIGN_URL_MAX + 1)
        cap = LUME_SIGN_URL_MAX + 1;
    if (base_len + root_len + 2 >= LUME_SIGN_URL_MAX || (link = malloc(cap)) == NULL)
        return NULL;
    o = put_base(link, public_url, base_len, root_num, root_len);
    enc = lume_percent_encode(rel, rel_len, "/", link + o, cap - o);
    if (enc < 0 || o + (size_t)enc + 36 + num_len > LUME_SIGN_URL_MAX) {
        free(link);
        return NULL;
    }
    o += (size_t)enc;
    memcpy(link + o, "?md5=", 5);
    memcpy(link + o + 5, token, 22);
    memcpy(link + o + 27, "&expires=", 9);
    memcpy(link + o + 36, num, num_len);
    o += 36 + num_len;
    link[o] = '\0';
    return link;
}
