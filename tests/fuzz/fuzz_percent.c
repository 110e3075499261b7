/*
 * fuzz_percent.c: fcgi-app/core/percent.c. The input is a capacity (one
 * byte), a flag (keep '/' or not) and then the bytes to encode. The encoder
 * must write only unreserved bytes, the kept ones and %XX, never past the
 * capacity, fail exactly when the reference length does not fit, and the
 * decoder must give the input back. The decoder is also fed the raw bytes.
 */
#include "percent.h"
#include "fuzz/fuzz.h"

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    size_t cap = fuzz_u8(&r), len, ref = 0;
    const char *keep = fuzz_u8(&r) & 1 ? "/" : NULL;
    char *in = fuzz_bytes(&r, r.left, &len);
    char *out = malloc(cap ? cap : 1), *dec = malloc(len + 1), *raw = malloc(len + 1);
    long n;

    if (out == NULL || dec == NULL || raw == NULL)
        abort();
    for (size_t i = 0; i < len; i++)
        ref += unreserved((unsigned char)in[i]) || (keep != NULL && in[i] == '/') ? 1 : 3;
    n = lume_percent_encode(in, len, keep, out, cap);
    if (ref + 1 > cap) {
        FUZZ_CHECK(n == -1);
    } else {
        FUZZ_CHECK(n == (long)ref && out[n] == '\0');
        for (long i = 0; i < n; i++) {
            unsigned char c = (unsigned char)out[i];
            if (c == '%') {
                FUZZ_CHECK(i + 2 < n && fuzz_hexval((uint8_t)out[i + 1]) >= 0 &&
                           fuzz_hexval((uint8_t)out[i + 2]) >= 0);
                i += 2;
            } else {
                FUZZ_CHECK(unreserved(c) || (keep != NULL && c == '/'));
            }
        }
        FUZZ_CHECK(lume_percent_decode(out, (size_t)n, 0, dec, len + 1) == (long)len);
        FUZZ_CHECK(memcmp(dec, in, len) == 0);
    }
    n = lume_percent_decode(in, len, (int)(len & 1), raw, len + 1);
    FUZZ_CHECK(n == -1 || (n >= 0 && (size_t)n <= len && raw[n] == '\0'));
    free(in);
    free(out);
    free(dec);
    free(raw);
    return 0;
}
