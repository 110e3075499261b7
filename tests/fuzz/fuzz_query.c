/*
 * fuzz_query.c: the {query} segment (lume_query_decode) and TV formatting.
 * The input is the raw segment. The decoder must agree with a reference
 * written from the contract (percent-decoding with '+' literal, at most
 * 2 * LUME_QUERY_BUF - 1 decoded bytes, valid UTF-8, ASCII whitespace
 * trimmed, 1..200 code points, no C0, DEL or C1 control), and a decoded
 * query must come back the same when percent-encoded again, and fit
 * lume_tv_format's buffer with the longest season and episode.
 */
#include "fuzz/fuzz.h"
#include "query.h"

static int is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The reference: 0 with the query in out (malloc'd), -1 when invalid. */
static int reference(const uint8_t *raw, size_t len, char **out)
{
    char *d = malloc(len + 1);
    size_t n = 0, start = 0, end;
    long chars;

    *out = d;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] != '%') {
            d[n++] = (char)raw[i];
            continue;
        }
        if (i + 2 >= len || fuzz_hexval(raw[i + 1]) < 0 || fuzz_hexval(raw[i + 2]) < 0)
            return -1;
        d[n++] = (char)(fuzz_hexval(raw[i + 1]) << 4 | fuzz_hexval(raw[i + 2]));
        i += 2;
    }
    if (n > 2 * LUME_QUERY_BUF - 1 || fuzz_utf8_length(d, n) < 0)
        return -1;
    end = n;
    while (start < end && is_space(d[start]))
        start++;
    while (end > start && is_space(d[end - 1]))
        end--;
    chars = fuzz_utf8_length(d + start, end - start);
    if (chars < 1 || chars > LUME_QUERY_MAX_CHARS)
        return -1;
    for (size_t i = start; i < end; i++) {
        uint8_t c = (uint8_t)d[i];
        if (c < 0x20 || c == 0x7F || (c == 0xC2 && (uint8_t)d[i + 1] <= 0x9F))
            return -1; /* 0xC2 in valid UTF-8 is always followed by 0x80..0xBF */
    }
    memmove(d, d + start, end - start);
    d[end - start] = '\0';
    return 0;
}

static void check_format(const char *q, int season, int episode, const char *suffix)
{
    char out[LUME_FORMATTED_BUF], want[LUME_FORMATTED_BUF + 32];

    FUZZ_CHECK(lume_tv_format(q, season, episode, out, sizeof(out)) == 0);
    snprintf(want, sizeof(want), "%s%s", q, suffix);
    FUZZ_CHECK(strcmp(out, want) == 0);
    FUZZ_CHECK(lume_tv_format(q, season, episode, out, strlen(want)) == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *raw = malloc(size ? size : 1), *want, *enc;
    char out[LUME_QUERY_BUF], again[LUME_QUERY_BUF];
    lume_status st;
    int ok;
    size_t n;

    FUZZ_CHECK(raw != NULL);
    memcpy(raw, data, size); /* exact size: ASan sees any read past len */
    memset(out, 0x5A, sizeof(out));
    st = lume_query_decode(raw, size, out);
    ok = reference(data, size, &want) == 0;
    FUZZ_CHECK(st == (ok ? LUME_OK : LUME_ERR_INVALID_QUERY));
    if (ok) {
        n = strlen(want);
        FUZZ_CHECK(n < LUME_QUERY_BUF && memcmp(out, want, n + 1) == 0);
        /* every byte escaped: the same query again */
        enc = malloc(3 * n + 1);
        for (size_t i = 0; i < n; i++)
            snprintf(enc + 3 * i, 4, "%%%02X", (uint8_t)out[i]);
        FUZZ_CHECK(lume_query_decode(enc, 3 * n, again) == LUME_OK);
        FUZZ_CHECK(strcmp(again, out) == 0);
        free(enc);
        check_format(out, 9999, 9999, " S9999E9999");
        check_format(out, 4, 1, " S04E01");
        check_format(out, 12, 0, " S12");
        check_format(out, 0, 7, "");
    }
    free(want);
    free(raw);
    return 0;
}
