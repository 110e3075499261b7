/*
 * fuzz_sign.c: providers/library/sign.c, the library's signed links. The
 * input is a public URL, then (after a NUL) a relative path, then the
 * expiry's 8 bytes and a secret. A link, when made, starts with the public
 * URL up to its path (trailing slashes dropped), then "/<root>/"; its path
 * holds only unreserved bytes, '/' and %XX escapes, and decodes back to the
 * relative path; its query is md5=<22 base64url characters>&expires=<n>,
 * the token being lume_sign_token over the decoded path under the URL's
 * path. A link is refused only for the reasons sign.h gives.
 */
#include "fuzz/fuzz.h"
#include "library/sign.h"
#include "percent.h"

/* The reference: "/" + rel + "/" holds no "//", "/./" or "/../" (so rel
 * is not empty, not absolute, and has no empty, "." or ".." segment). */
static int named_segments(const char *rel)
{
    size_t n = strlen(rel);
    char *w = malloc(n + 3);
    int ok;

    FUZZ_CHECK(w != NULL);
    w[0] = '/';
    memcpy(w + 1, rel, n);
    w[n + 1] = '/';
    w[n + 2] = '\0';
    ok = strstr(w, "//") == NULL && strstr(w, "/./") == NULL && strstr(w, "/../") == NULL;
    free(w);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    size_t ulen, rlen;
    char *url = fuzz_until(&r, 0, &ulen), *rel = fuzz_until(&r, 0, &rlen);
    int64_t expires = (int64_t)fuzz_u64(&r, 8);
    char *secret = fuzz_bytes(&r, 64, NULL), *link, *uri, *decoded, token[LUME_SIGN_TOKEN_BUF];
    const char *path, *q, *p;
    size_t plen, base;
    long n;
    int root = (int)(ulen % 1000);

    link = lume_sign_link(url, root, rel, expires, secret);
    if (link == NULL) {
        FUZZ_CHECK(lume_sign_url_path(url, &path, &plen) != 0 || !named_segments(rel) ||
                   strlen(url) + 3 * strlen(rel) + 60 > LUME_SIGN_URL_MAX);
        goto done;
    }
    FUZZ_CHECK(strlen(link) <= LUME_SIGN_URL_MAX);
    FUZZ_CHECK(lume_sign_url_path(url, &path, &plen) == 0 && named_segments(rel));
    base = (size_t)(path - url) + plen;
    FUZZ_CHECK(strncmp(link, url, base) == 0);
    p = link + base;
    FUZZ_CHECK(*p == '/');
    FUZZ_CHECK(strtol(p + 1, NULL, 10) == root);
    p = strchr(p + 1, '/') + 1;
    q = strchr(p, '?');
    FUZZ_CHECK(q != NULL);
    for (const char *c = p; c < q; c++)
        FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/%",
                          *c) != NULL && *c != '\0');
    decoded = malloc(strlen(rel) + 1);
    FUZZ_CHECK(decoded != NULL);
    n = lume_percent_decode(p, (size_t)(q - p), 0, decoded, strlen(rel) + 1);
    FUZZ_CHECK(n == (long)strlen(rel) && memcmp(decoded, rel, (size_t)n) == 0);
    free(decoded);
    uri = malloc(plen + strlen(rel) + 16);
    FUZZ_CHECK(uri != NULL);
    n = sprintf(uri, "%.*s/%d/%s", (int)plen, path, root, rel);
    lume_sign_token(uri, (size_t)n, expires, secret, token);
    free(uri);
    FUZZ_CHECK(strlen(token) == 22 && strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                                                    "vwxyz0123456789-_") == 22);
    FUZZ_CHECK(strncmp(q, "?md5=", 5) == 0 && strncmp(q + 5, token, 22) == 0);
    FUZZ_CHECK(strncmp(q + 27, "&expires=", 9) == 0 &&
               strtoll(q + 36, NULL, 10) == (long long)expires);
    free(link);
done:
    free(url);
    free(rel);
    free(secret);
    return 0;
}
