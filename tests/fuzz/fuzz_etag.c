/*
 * fuzz_etag.c: fcgi-app/etag.c, the ETag of a body and the If-None-Match
 * test. The input is a body, then (after a NUL) an If-None-Match value. The
 * tag is '"', the length in hex, '-', 16 hex digits, '"'; the body's own tag
 * matches as it is, with W/, and after other well-formed members of a list.
 * Any header matches exactly when a reference reading of the rule in etag.h
 * finds the tag: "*" alone, or a member W/"x" or "x" equal to it before the
 * first malformed member.
 */
#include "etag.h"
#include "fuzz/fuzz.h"

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

/* The reference: members one by one, each checked whole before compared. */
static int reference(const char *h, const char *tag)
{
    size_t i = 0, n = strlen(h), tl = strlen(tag);

    while (i < n && (ows(h[i]) || h[i] == ','))
        i++;
    if (i < n && h[i] == '*') {
        for (i++; i < n; i++)
            if (!ows(h[i]))
                return 0;
        return 1;
    }
    while (i < n) {
        size_t open, close, after;

        open = (i + 1 < n && h[i] == 'W' && h[i + 1] == '/') ? i + 2 : i;
        if (open >= n || h[open] != '"')
            return 0;
        for (close = open + 1; close < n && h[close] != '"'; close++)
            ;
        if (close >= n)
            return 0;
        for (after = close + 1; after < n && ows(h[after]); after++)
            ;
        if (after < n && h[after] != ',')
            return 0;
        if (close + 1 - open == tl && memcmp(h + open, tag, tl) == 0)
            return 1;
        for (i = after; i < n && (ows(h[i]) || h[i] == ','); i++)
            ;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    size_t body_len, tl;
    char *body = fuzz_until(&r, 0, &body_len), *header = fuzz_until(&r, 0, NULL);
    char tag[LUME_ETAG_BUF], list[3 * LUME_ETAG_BUF + 16], again[LUME_ETAG_BUF];

    lume_etag(body, body_len, tag);
    tl = strlen(tag);
    FUZZ_CHECK(tl >= 20 && tag[0] == '"' && tag[tl - 1] == '"' && tag[tl - 18] == '-');
    FUZZ_CHECK(strspn(tag + 1, "0123456789abcdef") == tl - 19);
    FUZZ_CHECK(strspn(tag + tl - 17, "0123456789abcdef") == 16);
    FUZZ_CHECK(strtoull(tag + 1, NULL, 16) == body_len);
    lume_etag(body, body_len, again);
    FUZZ_CHECK(strcmp(tag, again) == 0);

    FUZZ_CHECK(lume_etag_none_match(tag, tag));
    snprintf(list, sizeof(list), "W/%s", tag);
    FUZZ_CHECK(lume_etag_none_match(list, tag));
    snprintf(list, sizeof(list), " \"x\" ,W/\"\", %s ,", tag);
    FUZZ_CHECK(lume_etag_none_match(list, tag));
    FUZZ_CHECK(!lume_etag_none_match(NULL, tag));

    FUZZ_CHECK(lume_etag_none_match(header, tag) == reference(header, tag));
    /* The header against a tag it may contain: its first quoted string. */
    {
        char *q = strchr(header, '"'), *e = q ? strchr(q + 1, '"') : NULL;
        if (e != NULL && (size_t)(e - q) + 2 <= sizeof(again)) {
            memcpy(again, q, (size_t)(e - q) + 1);
            again[e - q + 1] = '\0';
            FUZZ_CHECK(lume_etag_none_match(header, again) == reference(header, again));
        }
    }
    free(body);
    free(header);
    return 0;
}
