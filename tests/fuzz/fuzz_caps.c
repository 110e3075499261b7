/*
 * fuzz_caps.c: the `caps` parameter (providers/caps.c). The input is the raw
 * value. A parse never reads past it and succeeds exactly when the value,
 * percent-decoded, is 1..32 tokens of 1..16 bytes of [a-z0-9] separated by
 * single commas, within 256 raw bytes, with every height token (digits, then
 * p) in 144..4320 without a leading zero; then the result holds only known
 * bits, at least one of each kind, and a height of 0 or within its bounds.
 */
#include <ctype.h>

#include "caps.h"
#include "fuzz/fuzz.h"

/* The reference reading of the grammar, written apart from caps.c. */
static int reference_ok(const char *v, size_t len)
{
    char dec[LUME_CAPS_MAX_BYTES + 1];
    size_t n = 0, start = 0, tokens = 0;

    if (len > LUME_CAPS_MAX_BYTES)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] != '%') {
            dec[n++] = v[i];
            continue;
        }
        if (i + 2 >= len || !isxdigit((unsigned char)v[i + 1]) ||
            !isxdigit((unsigned char)v[i + 2]))
            return 0;
        char hex[3] = {v[i + 1], v[i + 2], 0};
        dec[n++] = (char)strtol(hex, NULL, 16);
        i += 2;
    }
    for (size_t i = 0; i <= n; i++) {
        if (i < n && dec[i] != ',') {
            if (!islower((unsigned char)dec[i]) && !isdigit((unsigned char)dec[i]))
                return 0;
            continue;
        }
        size_t tlen = i - start;
        const char *t = dec + start;
        if (tlen == 0 || tlen > LUME_CAPS_TOKEN_MAX || ++tokens > LUME_CAPS_MAX_TOKENS)
            return 0;
        if (tlen >= 2 && t[tlen - 1] == 'p' && strspn(t, "0123456789") == tlen - 1) {
            long h = tlen - 1 > 5 ? 99999 : strtol(t, NULL, 10);
            if (t[0] == '0' || h < 144 || h > 4320)
                return 0;
        }
        start = i + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    fuzz_reader r = {data, size};
    char *v = fuzz_bytes(&r, size, &len); /* a copy of its own: ASan sees an overread */
    lume_caps c;
    int rc = lume_caps_parse(v, len, &c);

    FUZZ_CHECK(rc == (reference_ok(v, len) ? 0 : -1));
    if (rc == 0) {
        FUZZ_CHECK(c.containers != 0 && c.containers <= 0xff);
        FUZZ_CHECK(c.video != 0 && c.video <= 0xff);
        FUZZ_CHECK(c.audio != 0 && c.audio <= 0xff);
        FUZZ_CHECK(c.max_height == 0 || (c.max_height >= 144 && c.max_height <= 4320));
    }
    free(v);
    return 0;
}
