/*
 * fuzz_next_link.c: the next-episode hint's writer (fcgi-app/next_link.c) on
 * any query. The input is season and episode (two bytes each, 1..9999), what
 * the provider knows (one byte) and the query (the rest, up to a NUL).
 *
 * The value is read back with the grammar of docs/api.md, written here and
 * not taken from the code:
 *
 *   </resolve/SEGMENT?season=S&episode=E>; rel="REL"[; exists="true"]
 *
 * SEGMENT is only RFC 3986 unreserved characters and %XX (upper-case hex),
 * decodes to the query byte for byte, and is never "." or ".." as written;
 * S and E are 1 to 4 digits that print back as written, 1..9999; REL is
 * "next" or "last". What it links to is consistent with the inputs: "last"
 * exactly when the provider knows there is no next episode, and then it
 * names the episode itself, without exists; "next" names the episode right
 * after (the next one of the season, or the next season's first, the latter
 * exactly when the provider said so), with exists="true" exactly when the
 * provider knows it has a result. NULL only when the number it would link
 * to passes 9999.
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

/* Consume the literal text at *p: 1 when it is there. */
static int skip(const char **p, const char *text)
{
    size_t n = strlen(text);

    if (strncmp(*p, text, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* Consume a number of 1 to 4 digits at *p, no leading zero, and check that
 * it prints back as written; its value, or -1. */
static long number(const char **p)
{
    const char *start = *p;
    char back[8];
    long v = 0;

    while (**p >= '0' && **p <= '9' && *p - start < 5)
        v = v * 10 + (*(*p)++ - '0');
    if (*p == start || *p - start > 4 || *start == '0')
        return -1;
    snprintf(back, sizeof(back), "%ld", v);
    FUZZ_CHECK(strlen(back) == (size_t)(*p - start) && strncmp(back, start, strlen(back)) == 0);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    int season = (int)(fuzz_u64(&r, 2) % LUME_SEASON_MAX) + 1;
    int episode = (int)(fuzz_u64(&r, 2) % LUME_EPISODE_MAX) + 1;
    lume_next next = (lume_next)(fuzz_u8(&r) % 4);
    char *query = fuzz_until(&r, 0, NULL);
    char *got = lume_next_link(query, season, episode, next);
    const char *p = got, *seg;
    long s, e;
    int rel_next, exists;

    if (got == NULL) {
        /* Past the last number: the next season's when that is what the
         * provider knows of, else the next episode's. */
        FUZZ_CHECK(next != LUME_NEXT_NONE);
        FUZZ_CHECK(next == LUME_NEXT_SEASON ? season == LUME_SEASON_MAX
                                            : episode == LUME_EPISODE_MAX);
        free(query);
        return 0;
    }

    /* The grammar. */
    FUZZ_CHECK(skip(&p, "</resolve/"));
    seg = p;
    p = strchr(seg, '?');
    FUZZ_CHECK(p != NULL);
    FUZZ_CHECK(segment_is(seg, (size_t)(p - seg), query));
    FUZZ_CHECK(
        !((p - seg == 1 && seg[0] == '.') || (p - seg == 2 && seg[0] == '.' && seg[1] == '.')));
    FUZZ_CHECK(skip(&p, "?season="));
    s = number(&p);
    FUZZ_CHECK(s >= 1 && s <= LUME_SEASON_MAX);
    FUZZ_CHECK(skip(&p, "&episode="));
    e = number(&p);
    FUZZ_CHECK(e >= 1 && e <= LUME_EPISODE_MAX);
    FUZZ_CHECK(skip(&p, ">; rel=\""));
    rel_next = skip(&p, "next\"");
    FUZZ_CHECK(rel_next || skip(&p, "last\""));
    exists = skip(&p, "; exists=\"true\"");
    FUZZ_CHECK(*p == '\0');

    /* What it links to, against the inputs. */
    FUZZ_CHECK(rel_next == (next != LUME_NEXT_NONE));
    if (!rel_next) {
        FUZZ_CHECK(s == season && e == episode && !exists);
    } else {
        FUZZ_CHECK((s == season && e == episode + 1) || (s == season + 1 && e == 1));
        FUZZ_CHECK((s == season + 1) == (next == LUME_NEXT_SEASON));
        FUZZ_CHECK(exists == (next != LUME_NEXT_UNKNOWN));
    }
    free(got);
    free(query);
    return 0;
}
