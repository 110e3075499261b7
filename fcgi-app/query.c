/*
 * query.c: URI decoding and validation of the {query} segment and of the
 * season, episode and limit parameters; TV formatting (see query.h).
 */
#include "query.h"

#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "utf8.h"

static int is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Any C0 control, DEL, or C1 control (U+0080..U+009F, UTF-8 C2 80..C2 9F)? */
static int has_control(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;

    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] == 0x7F)
            return 1;
        if (s[i] == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
            return 1;
    }
    return 0;
}

lume_status lume_query_decode(const char *raw, size_t len, char out[LUME_QUERY_BUF])
{
    char buf[LUME_QUERY_BUF * 2];
    long n;
    size_t start = 0, end;
    long chars;

    /* buf holds twice the longest valid query, so surrounding blanks fit;
     * a segment that decodes to more is invalid. */
    n = lume_percent_decode(raw, len, 0, buf, sizeof(buf));
    if (n < 0 || lume_utf8_length(buf, (size_t)n) < 0)
        return LUME_ERR_INVALID_QUERY;
    end = (size_t)n;
    while (start < end && is_ascii_space(buf[start]))
        start++;
    while (end > start && is_ascii_space(buf[end - 1]))
        end--;
    chars = lume_utf8_length(buf + start, end - start);
    if (chars < 1 || chars > LUME_QUERY_MAX_CHARS || has_control(buf + start, end - start))
        return LUME_ERR_INVALID_QUERY;
    memcpy(out, buf + start, end - start);
    out[end - start] = '\0';
    return LUME_OK;
}

typedef struct param_spec {
    const char *name;
    lume_status error;
    long max;
} param_spec;

enum { P_SEASON, P_EPISODE, P_LIMIT, P_COUNT };

static const param_spec param_specs[P_COUNT] = {
    [P_SEASON] = {"season", LUME_ERR_INVALID_SEASON, LUME_SEASON_MAX},
    [P_EPISODE] = {"episode", LUME_ERR_INVALID_EPISODE, LUME_EPISODE_MAX},
    [P_LIMIT] = {"limit", LUME_ERR_INVALID_LIMIT, LUME_LIMIT_MAX},
};

lume_status lume_params_parse(const char *qs, size_t len, int with_limit, lume_params *out)
{
    long value[P_COUNT] = {0, 0, LUME_LIMIT_DEFAULT};
    int seen[P_COUNT] = {0}, bad[P_COUNT] = {0}, caps_seen = 0, caps_bad = 0;
    size_t i = 0;

    lume_caps_default(&out->caps);
    while (i < len) {
        size_t j = i, eq;
        char name[16], val[32];
        long nlen, vlen;

        while (j < len && qs[j] != '&')
            j++;
        for (eq = i; eq < j && qs[eq] != '='; eq++)
            ;
        nlen = lume_percent_decode(qs + i, eq - i, 1, name, sizeof(name));
        if (nlen == 4 && strcmp(name, "caps") == 0) /* its value is its own grammar's */
            caps_bad |= caps_seen++ || eq == j || lume_caps_parse(qs + eq + 1, j - eq - 1,
                                                                  &out->caps) != 0;
        /* a name with a NUL in it ("season%00") is another, unknown name */
        for (int p = 0; nlen > 0 && (size_t)nlen == strlen(name) && p < P_COUNT; p++) {
            if (strcmp(name, param_specs[p].name) != 0 || (p == P_LIMIT && !with_limit))
                continue;
            vlen = eq < j ? lume_percent_decode(qs + eq + 1, j - eq - 1, 1, val, sizeof(val)) : -1;
            if (seen[p]++ || vlen <= 0 ||
                lume_decimal_parse(val, (size_t)vlen, 1, param_specs[p].max, &value[p]) != 0)
                bad[p] = 1;
        }
        i = j + 1;
    }
    /* Filled in on errors too: error bodies report the valid parameters. */
    out->season = bad[P_SEASON] ? 0 : (int)value[P_SEASON];
    out->episode = bad[P_EPISODE] ? 0 : (int)value[P_EPISODE];
    out->limit = bad[P_LIMIT] ? LUME_LIMIT_DEFAULT : (int)value[P_LIMIT];
    for (int p = 0; p < P_COUNT; p++)
        if (bad[p])
            return param_specs[p].error;
    if (caps_bad) {
        lume_caps_default(&out->caps);
        return LUME_ERR_INVALID_CAPS;
    }
    if (seen[P_EPISODE] && !seen[P_SEASON])
        return LUME_ERR_EPISODE_WITHOUT_SEASON;
    return LUME_OK;
}

int lume_tv_format(const char *query, int season, int episode, char *out, size_t cap)
{
    int n;

    if (season > 0 && episode > 0)
        n = snprintf(out, cap, "%s S%02dE%02d", query, season, episode);
    else if (season > 0)
        n = snprintf(out, cap, "%s S%02d", query, season);
    else
        n = snprintf(out, cap, "%s", query);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}
