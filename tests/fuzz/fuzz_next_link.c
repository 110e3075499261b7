/*
 * fuzz_next_link.c: the next-episode hint's writer (fcgi-app/next_link.c) on
 * any query. The input is season and episode (two bytes each, 1..9999), what
 * the provider knows (one byte) and the query (the rest, up to a NUL).
 *
 * The value is NULL only past the last number (episode or season 9999 when
 * the next one is asked for). Otherwise it is exactly
 * </resolve/SEGMENT?season=S&episode=E>; rel="R"[; exists="true"] with the
 * numbers and relation the rules give, and SEGMENT, checked by a reference
 * reading written here: only RFC 3986 unreserved characters and %XX
 * (upper-case hex); decoded, it is the query byte for byte; never "." or
 * ".." as written.
 */
#include "api.h"
#include "fuzz/fuzz.h"
#include "next_link.h"

static int unreserved(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* The segment s[0..len) decoded against query: 1 when it is a valid
 * writing of exactly those bytes. */
static int segment_is(const char *s, size_t len, const char *query)
{
    size_t q = 0, qlen = strlen(query);

    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c == '%') {
            if (i + 2 >= len)
                return 0;
            int hi = fuzz_hexval((uint8_t)s[i + 1]), lo = fuzz_hexval((uint8_t)s[i + 2]);
            if (hi < 0 || lo < 0 || (s[i + 1] >= 'a' && s[i + 1] <= 'f') ||
                (s[i + 2] >= 'a' && s[i + 2] <= 'f'))
                return 0;
            c = (uint8_t)(hi << 4 | lo);
            i += 2;
        } else if (!unreserved(c)) {
            return 0;
        }
        if (q >= qlen || (uint8_t)query[q] != c)
            return 0;
        q++;
    }
    return q == qlen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    int season = (int)(fuzz_u64(&r, 2) % LUME_SEASON_MAX) + 1;
    int episode = (int)(fuzz_u64(&r, 2) % LUME_EPISODE_MAX) + 1;
    lume_next next = (lume_next)(fuzz_u8(&r) % 4);
    char *query = fuzz_until(&r, 0, NULL);
    int want_season = season, want_episode = episode;
    const char *rel = "next", *known = "";
    char *got = lume_next_link(query, season, episode, next);
    const char *seg, *end;
    char want[128];

    switch (next) {
    case LUME_NEXT_UNKNOWN: want_episode++; break;
    case LUME_NEXT_EPISODE:
        want_episode++;
        known = "; exists=\"true\"";
        break;
    case LUME_NEXT_SEASON:
        want_season++;
        want_episode = 1;
        known = "; exists=\"true\"";
        break;
    case LUME_NEXT_NONE: rel = "last"; break;
    }
    if (want_season > LUME_SEASON_MAX || want_episode > LUME_EPISODE_MAX) {
        FUZZ_CHECK(got == NULL);
        free(query);
        return 0;
    }
    FUZZ_CHECK(got != NULL);
    FUZZ_CHECK(strncmp(got, "</resolve/", 10) == 0);
    seg = got + 10;
    end = strchr(seg, '?');
    FUZZ_CHECK(end != NULL);
    FUZZ_CHECK(segment_is(seg, (size_t)(end - seg), query));
    FUZZ_CHECK(
        !((end - seg == 1 && seg[0] == '.') || (end - seg == 2 && seg[0] == '.' && seg[1] == '.')));
    snprintf(want, sizeof(want), "?season=%d&episode=%d>; rel=\"%s\"%s", want_season, want_episode,
             rel, known);
    FUZZ_CHECK(strcmp(end, want) == 0);
    free(got);
    free(query);
    return 0;
}
