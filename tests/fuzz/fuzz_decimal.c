/*
 * fuzz_decimal.c: fcgi-app/core/decimal.c. The input is a range (two signed
 * 32-bit bounds) and then the text. The parser must agree with a reference
 * (1 to 18 ASCII digits whose value lies in the range), leave *out alone on
 * failure, and on success give the value whose decimal form is the text
 * without its leading zeros. The writer must give back what snprintf()
 * gives for the parsed value, and for the input's first 8 bytes read as a
 * 64-bit number.
 */
#include "decimal.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    long min = (int32_t)fuzz_u64(&r, 4), max = (int32_t)fuzz_u64(&r, 4), out = -42, ref = 0;
    size_t len;
    unsigned long long wide = fuzz_u64(&(fuzz_reader){data, size}, 8);
    char *s = fuzz_bytes(&r, r.left, &len), back[32], put[LUME_DECIMAL_DIGITS];
    size_t n;
    int ok = len >= 1 && len <= 18, rc;

    if (fuzz_u8(&(fuzz_reader){data, size}) & 1) { /* also a wide range */
        min = 0;
        max = 999999999999999999L;
    }
    for (size_t i = 0; ok && i < len; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        ref = ref * 10 + (s[i] - '0');
    }
    ok = ok && ref >= min && ref <= max;
    rc = lume_decimal_parse(s, len, min, max, &out);
    FUZZ_CHECK(rc == (ok ? 0 : -1));
    if (rc != 0) {
        FUZZ_CHECK(out == -42);
    } else {
        const char *digits = s;
        FUZZ_CHECK(out == ref && out >= min && out <= max);
        while (digits + 1 < s + len && *digits == '0')
            digits++;
        snprintf(back, sizeof(back), "%ld", out);
        FUZZ_CHECK(strlen(back) == (size_t)(s + len - digits));
        FUZZ_CHECK(memcmp(back, digits, strlen(back)) == 0);
        n = lume_decimal_put(put, (unsigned long long)out);
        FUZZ_CHECK(n == strlen(back) && memcmp(put, back, n) == 0);
    }
    snprintf(back, sizeof(back), "%llu", wide);
    n = lume_decimal_put(put, wide);
    FUZZ_CHECK(n == strlen(back) && memcmp(put, back, n) == 0);
    FUZZ_CHECK(lume_decimal_parse(NULL, len, min, max, &out) == -1);
    free(s);
    return 0;
}
