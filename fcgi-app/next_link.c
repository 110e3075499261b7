/* next_link.c: the Link header of the next-episode hint (see next_link.h). */
#include "next_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "percent.h"

/* query as one path segment into out (cap: 3 bytes per byte of query, and
 * NUL); "." and ".." escaped whole, or they would be path steps. */
static void escape_segment(const char *query, char *out, size_t cap)
{
    size_t len = strlen(query);

    if (strcmp(query, ".") == 0 || strcmp(query, "..") == 0) {
        for (size_t i = 0; i < len; i++)
            memcpy(out + 3 * i, "%2E", 4);
        return;
    }
    lume_percent_encode(query, len, NULL, out, cap);
}

char *lume_next_link(const char *query, int season, int episode, lume_next next)
{
    const char *rel = "next", *known = "";
    size_t cap = 3 * strlen(query) + 96;
    char *segment, *out;
    int n;

    switch (next) {
    case LUME_NEXT_UNKNOWN: episode++; break;
    case LUME_NEXT_EPISODE:
        episode++;
        known = "; exists=\"true\"";
        break;
    case LUME_NEXT_SEASON:
        season++;
        episode = 1;
        known = "; exists=\"true\"";
        break;
    case LUME_NEXT_NONE: rel = "last"; break;
    }
    if (season > LUME_SEASON_MAX || episode > LUME_EPISODE_MAX)
        return NULL;
    segment = malloc(3 * strlen(query) + 1);
    out = segment ? malloc(cap) : NULL;
    if (out == NULL) {
        free(segment);
        return NULL;
    }
    escape_segment(query, segment, 3 * strlen(query) + 1);
    n = snprintf(out, cap, "</resolve/%s?season=%d&episode=%d>; rel=\"%s\"%s", segment, season,
                 episode, rel, known);
    free(segment);
    if (n < 0 || (size_t)n >= cap) {
        free(out);
        return NULL;
    }
    return out;
}
