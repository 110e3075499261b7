/*
 * stremio_path.c: the Stremio addon routes' token check and path reading
 * (see stremio_path.h). The path is split into its segments once; each is
 * decoded into a bounded buffer and checked against its grammar.
 */
#include "stremio_path.h"

#include <stdio.h>
#include <string.h>

#include "decimal.h"

static const char *const resources[] = {
    [LUME_STREMIO_CATALOG] = "catalog",
    [LUME_STREMIO_META] = "meta",
    [LUME_STREMIO_STREAM] = "stream",
    [LUME_STREMIO_SUBTITLES] = "subtitles",
};

static int segment_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

static int is_plain(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

int lume_stremio_id_make(const lume_stremio_item *item, char out[LUME_STREMIO_ID_MAX + 1])
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o;
    int n = snprintf(out, LUME_STREMIO_ID_MAX + 1, "lume:%s:%c:", item->provider,
                     item->series ? 's' : 'f');

    if (n < 0 || n > LUME_STREMIO_ID_MAX)
        return -1;
    o = (size_t)n;
    for (const unsigned char *p = (const unsigned char *)item->name; *p != '\0'; p++) {
        if (o + 3 > LUME_STREMIO_ID_MAX)
            return -1;
        if (is_plain(*p)) {
            out[o++] = (char)*p;
        } else if (*p == ' ') {
            out[o++] = '.';
        } else {
            out[o++] = '_';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    n = item->season > 0 ? snprintf(out + o, LUME_STREMIO_ID_MAX + 1 - o, ":%d:%d:%d", item->year,
                                    item->season, item->episode)
                         : snprintf(out + o, LUME_STREMIO_ID_MAX + 1 - o, ":%d", item->year);
    return n < 0 || o + (size_t)n > LUME_STREMIO_ID_MAX ? -1 : 0;
}

/* The number s[0..len): 0..max, plain digits (1..5 of them). -1 when not. */
static long number(const char *s, size_t len, long max)
{
    long n;

    if (len == 0 || len > 5 || lume_decimal_parse(s, len, 0, max, &n) != 0)
        return -1;
    return n;
}

int lume_stremio_id_read(const char *id, lume_stremio_item *out)
{
    const char *part[7];
    size_t plen[7], n = 0, start = 0, len = strlen(id);
    char encoded[3 * LUME_STREMIO_ID_MAX + 1];
    size_t e = 0;
    long year, season = 0, episode = 0;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i <= len; i++) {
        if (i < len && id[i] != ':')
            continue;
        if (n == 7)
            return -1;
        part[n] = id + start;
        plen[n++] = i - start;
        start = i + 1;
    }
    if ((n != 5 && n != 7) || !segment_is(part[0], plen[0], "lume") || plen[1] == 0 ||
        plen[1] >= sizeof(out->provider) || plen[2] != 1 || (part[2][0] != 'f' && part[2][0] != 's'))
        return -1;
    out->series = part[2][0] == 's';
    if (n == 7 && !out->series)
        return -1;
    memcpy(out->provider, part[1], plen[1]);
    for (size_t i = 0; i < plen[1]; i++)
        if (!is_plain((unsigned char)part[1][i]) || (part[1][i] >= 'A' && part[1][i] <= 'Z'))
            return -1;
    /* The name, as a percent-encoded segment: the query's own decoding checks it. */
    for (size_t i = 0; i < plen[3]; i++) {
        char c = part[3][i];
        if (c == '.') {
            memcpy(encoded + e, "%20", 3);
            e += 3;
        } else if (c == '_') {
            encoded[e++] = '%';
        } else if (is_plain((unsigned char)c)) {
            encoded[e++] = c;
        } else {
            return -1;
        }
    }
    if (lume_query_decode(encoded, e, out->name) != LUME_OK)
        return -1;
    if ((year = number(part[4], plen[4], 9999)) < 0 ||
        (n == 7 && ((season = number(part[5], plen[5], LUME_SEASON_MAX)) < 1 ||
                    (episode = number(part[6], plen[6], LUME_EPISODE_MAX)) < 1)))
        return -1;
    out->year = (int)year;
    out->season = (int)season;
    out->episode = (int)episode;
    return 0;
}

int lume_stremio_token_ok(const char *tok, size_t len, const char *secret)
{
    size_t slen = strlen(secret);
    unsigned char diff = (unsigned char)(len != slen || slen == 0);

    for (size_t i = 0; i < len; i++)
        diff |= (unsigned char)(tok[i] ^ secret[i < slen ? i : 0]);
    return diff == 0 && slen > 0;
}

/* Percent-decode a segment's s[0..len) ('+' is a plus) into out. */
static long decode(const char *s, size_t len, char *out, size_t cap)
{
    return lume_percent_decode(s, len, 0, out, cap);
}

static int is_id_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}

/* One key=value of {extra} into out; seen: the keys read already. */
static lume_stremio_parse_result extra_pair(const char *s, size_t len, lume_stremio_request *out,
                                            unsigned *seen)
{
    const char *eq = memchr(s, '=', len);
    char key[32];
    size_t vlen;
    long n;

    if (eq == NULL || decode(s, (size_t)(eq - s), key, sizeof(key)) < 0)
        return LUME_STREMIO_INVALID;
    vlen = len - (size_t)(eq - s) - 1;
    if (strcmp(key, "search") == 0) {
        if ((*seen & 1) || lume_query_decode(eq + 1, vlen, out->search) != LUME_OK)
            return LUME_STREMIO_INVALID;
        *seen |= 1;
    } else if (strcmp(key, "skip") == 0) {
        char digits[16];
        long dlen = decode(eq + 1, vlen, digits, sizeof(digits));
        if ((*seen & 2) || dlen < 0 ||
            lume_decimal_parse(digits, (size_t)dlen, 0, LUME_STREMIO_SKIP_MAX, &n) != 0)
            return LUME_STREMIO_INVALID;
        out->skip = n;
        *seen |= 2;
    } else if (strcmp(key, "genre") == 0) {
        long glen = decode(eq + 1, vlen, out->genre, sizeof(out->genre));
        if ((*seen & 4) || glen <= 0 || memchr(out->genre, '\0', (size_t)glen) != NULL)
            return LUME_STREMIO_INVALID;
        for (long i = 0; i < glen; i++)
            if ((unsigned char)out->genre[i] < 0x20 || out->genre[i] == 0x7f)
                return LUME_STREMIO_INVALID;
        *seen |= 4;
    }
    /* other keys (videoHash, videoSize, filename, ...): not Lume's to read */
    return LUME_STREMIO_OK;
}

static lume_stremio_parse_result extra(const char *s, size_t len, lume_stremio_request *out)
{
    unsigned seen = 0;
    size_t start = 0;

    if (len > LUME_STREMIO_EXTRA_MAX)
        return LUME_STREMIO_INVALID;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '&')
            continue;
        if (i > start) { /* an empty pair ("a=1&&b=2") is skipped, as a query string's */
            lume_stremio_parse_result r = extra_pair(s + start, i - start, out, &seen);
            if (r != LUME_STREMIO_OK)
                return r;
        }
        start = i + 1;
    }
    return LUME_STREMIO_OK;
}

lume_stremio_parse_result lume_stremio_parse(const char *path, size_t len,
                                             lume_stremio_request *out)
{
    const char *seg[4];
    size_t seglen[4], n = 0, last;
    long idlen;

    memset(out, 0, sizeof(*out));
    if (len == 0 || path[0] != '/')
        return LUME_STREMIO_NO_ROUTE;
    if (segment_is(path, len, "/manifest.json")) {
        out->resource = LUME_STREMIO_MANIFEST;
        return LUME_STREMIO_OK;
    }
    /* /resource/type/id.json or /resource/type/id/extra.json */
    for (size_t i = 1, start = 1; i <= len; i++) {
        if (i < len && path[i] != '/')
            continue;
        if (n == 4)
            return LUME_STREMIO_NO_ROUTE;
        seg[n] = path + start;
        seglen[n++] = i - start;
        start = i + 1;
    }
    if (n < 3)
        return LUME_STREMIO_NO_ROUTE;
    last = n - 1;
    if (seglen[last] < 5 || memcmp(seg[last] + seglen[last] - 5, ".json", 5) != 0)
        return LUME_STREMIO_NO_ROUTE;
    seglen[last] -= 5;
    for (size_t i = 0; i < n; i++)
        if (seglen[i] == 0)
            return LUME_STREMIO_NO_ROUTE;
    out->resource = LUME_STREMIO_MANIFEST;
    for (int r = LUME_STREMIO_CATALOG; r <= LUME_STREMIO_SUBTITLES; r++)
        if (segment_is(seg[0], seglen[0], resources[r]))
            out->resource = (lume_stremio_resource)r;
    if (out->resource == LUME_STREMIO_MANIFEST)
        return LUME_STREMIO_NO_ROUTE;
    out->type = segment_is(seg[1], seglen[1], "movie")    ? LUME_STREMIO_MOVIE
                : segment_is(seg[1], seglen[1], "series") ? LUME_STREMIO_SERIES
                                                          : LUME_STREMIO_OTHER;
    idlen = decode(seg[2], seglen[2], out->id, sizeof(out->id));
    if (idlen <= 0)
        return LUME_STREMIO_INVALID;
    for (long i = 0; i < idlen; i++)
        if (!is_id_byte(out->id[i]))
            return LUME_STREMIO_INVALID;
    return n == 4 ? extra(seg[3], seglen[3], out) : LUME_STREMIO_OK;
}
