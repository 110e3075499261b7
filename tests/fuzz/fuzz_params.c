/*
 * fuzz_params.c: the query string (lume_params_parse). The first byte says
 * whether limit is a parameter (search) or not (resolve); the rest is the
 * query string. The parser must agree with a reference written from the
 * contract: '&'-separated pairs, name and value form-decoded ('+' is a
 * space), names compared whole (a name with a NUL in it is another name),
 * season and episode 1..9999 and limit 1..25 as plain decimals, a parameter
 * twice invalid, unknown ones ignored; caps once, with a value its own
 * grammar takes (lume_caps_parse, fuzzed by fuzz_caps, on the raw value),
 * else INVALID_CAPS and the default device; the first error of
 * INVALID_SEASON, INVALID_EPISODE, INVALID_LIMIT, INVALID_CAPS,
 * EPISODE_WITHOUT_SEASON; on errors the
 * valid parameters still reported. Valid parameters written back as a query
 * string parse to the same values.
 */
#include "fuzz/fuzz.h"
#include "query.h"

/* Form-decode s[0..len) into a new buffer; -1 on a broken escape. */
static long form_decode(const char *s, size_t len, char **out)
{
    char *d = malloc(len + 1);
    size_t n = 0;

    *out = d;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            if (i + 2 >= len || fuzz_hexval((uint8_t)s[i + 1]) < 0 ||
                fuzz_hexval((uint8_t)s[i + 2]) < 0)
                return -1;
            d[n++] = (char)(fuzz_hexval((uint8_t)s[i + 1]) << 4 | fuzz_hexval((uint8_t)s[i + 2]));
            i += 2;
        } else {
            d[n++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    d[n] = '\0';
    return (long)n;
}

static lume_status reference(const char *qs, size_t len, int with_limit, lume_params *out)
{
    static const char *const names[3] = {"season", "episode", "limit"};
    static const long max[3] = {LUME_SEASON_MAX, LUME_SEASON_MAX, LUME_LIMIT_MAX};
    static const lume_status errs[3] = {LUME_ERR_INVALID_SEASON, LUME_ERR_INVALID_EPISODE,
                                        LUME_ERR_INVALID_LIMIT};
    long value[3] = {0, 0, LUME_LIMIT_DEFAULT};
    int seen[3] = {0}, bad[3] = {0}, caps_seen = 0, caps_bad = 0;
    size_t i = 0;

    lume_caps_default(&out->caps);
    while (i < len) {
        const char *amp = memchr(qs + i, '&', len - i), *eq;
        size_t j = amp ? (size_t)(amp - qs) : len;
        char *name, *val = NULL;
        long nlen, vlen = -1;

        eq = memchr(qs + i, '=', j - i);
        nlen = form_decode(qs + i, eq ? (size_t)(eq - qs) - i : j - i, &name);
        if (nlen == 4 && memcmp(name, "caps", 4) == 0) {
            if (caps_seen++ || eq == NULL ||
                lume_caps_parse(eq + 1, j - (size_t)(eq + 1 - qs), &out->caps) != 0)
                caps_bad = 1;
        }
        for (int p = 0; p < 3; p++) {
            if (nlen < 0 || (size_t)nlen != strlen(names[p]) || memcmp(name, names[p], nlen) != 0 ||
                (p == 2 && !with_limit))
                continue;
            if (eq != NULL)
                vlen = form_decode(eq + 1, j - (size_t)(eq + 1 - qs), &val);
            int good = vlen >= 1 && vlen <= 18;
            long v = 0;
            for (long k = 0; good && k < vlen; k++) {
                good = val[k] >= '0' && val[k] <= '9';
                v = v * 10 + (val[k] - '0');
            }
            good = good && v >= 1 && v <= max[p];
            if (seen[p]++ || !good)
                bad[p] = 1;
            else
                value[p] = v;
        }
        free(name);
        free(val);
        i = j + 1;
    }
    out->season = bad[0] ? 0 : (int)value[0];
    out->episode = bad[1] ? 0 : (int)value[1];
    out->limit = bad[2] ? LUME_LIMIT_DEFAULT : (int)value[2];
    for (int p = 0; p < 3; p++)
        if (bad[p])
            return errs[p];
    if (caps_bad) {
        lume_caps_default(&out->caps);
        return LUME_ERR_INVALID_CAPS;
    }
    if (seen[1] && !seen[0])
        return LUME_ERR_EPISODE_WITHOUT_SEASON;
    return LUME_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    int with_limit = fuzz_u8(&r) & 1;
    size_t len = r.left;
    char *qs = malloc(len ? len : 1), back[96];
    lume_params got, want, again;
    lume_status st, ref;

    FUZZ_CHECK(qs != NULL);
    memcpy(qs, r.p, len); /* exact size: ASan sees any read past len */
    st = lume_params_parse(qs, len, with_limit, &got);
    ref = reference(qs, len, with_limit, &want);
    if (st != ref)
        fprintf(stderr, "got %d (%d %d %d), reference %d (%d %d %d)\n", st, got.season, got.episode,
                got.limit, ref, want.season, want.episode, want.limit);
    FUZZ_CHECK(st == ref);
    FUZZ_CHECK(got.season == want.season && got.episode == want.episode && got.limit == want.limit);
    FUZZ_CHECK(memcmp(&got.caps, &want.caps, sizeof(got.caps)) == 0);
    FUZZ_CHECK(got.season >= 0 && got.season <= LUME_SEASON_MAX);
    FUZZ_CHECK(got.episode >= 0 && got.episode <= LUME_SEASON_MAX);
    FUZZ_CHECK(got.limit >= 1 && got.limit <= LUME_LIMIT_MAX);
    FUZZ_CHECK(with_limit || got.limit == LUME_LIMIT_DEFAULT);
    if (st == LUME_OK) {
        FUZZ_CHECK(got.episode == 0 || got.season > 0);
        snprintf(back, sizeof(back), "x=1&season=%d&episode=%d&limit=%d", got.season, got.episode,
                 got.limit);
        if (got.season == 0)
            snprintf(back, sizeof(back), "limit=%d", got.limit);
        else if (got.episode == 0)
            snprintf(back, sizeof(back), "season=%d&limit=%d", got.season, got.limit);
        FUZZ_CHECK(lume_params_parse(back, strlen(back), with_limit, &again) == LUME_OK);
        FUZZ_CHECK(again.season == got.season && again.episode == got.episode &&
                   again.limit == got.limit);
    }
    free(qs);
    return 0;
}
