/*
 * results.h: the results every provider fills: one media link, the container
 * of them, the API's rules over them (dead ones dropped, the live ones in
 * order of seeds, the limit), and the quality labels parsed from titles and
 * video heights.
 *
 * Providers add results in any order; the API layer applies the rules once,
 * with lume_results_select, and answers with what it keeps.
 */
#ifndef LUME_RESULTS_H
#define LUME_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

typedef struct lume_media_link {
    char *title;         /* owned, UTF-8, 1..500 characters */
    char *url;           /* owned, absolute https URL */
    int64_t size;        /* bytes; -1 when unknown (JSON null) */
    int64_t seeds;       /* availability score; 0 = dead */
    const char *quality; /* static "2160p", "1080p", "720p", "480p" or NULL */
} lume_media_link;

/* What a provider knows of the episode after the one searched for (season
 * and episode given): the API's next-episode hint (docs/api.md). */
typedef enum lume_next {
    LUME_NEXT_UNKNOWN = 0, /* it cannot tell: the hint names episode + 1 */
    LUME_NEXT_EPISODE,     /* episode + 1 of the same season has a live result */
    LUME_NEXT_SEASON,      /* not that, but episode 1 of season + 1 has one */
    LUME_NEXT_NONE         /* neither: this is the last episode it knows */
} lume_next;

typedef struct lume_results {
    lume_media_link *items;
    size_t count;
    size_t cap;
    lume_next next; /* set by the provider; LUME_NEXT_UNKNOWN after clear */
} lume_results;

void lume_results_init(lume_results *r);
/* Copy title and url in; size -1 for unknown. LUME_ERR_INTERNAL when out of memory. */
lume_status lume_results_add(lume_results *r, const char *title, const char *url, int64_t size,
                             int64_t seeds, const char *quality);
void lume_results_sort(lume_results *r);  /* seeds descending, stable */
void lume_results_clear(lume_results *r); /* empty, keeping capacity */
void lume_results_free(lume_results *r);

/* The API's rules over what a provider found, applied here and nowhere else:
 * dead results (seeds 0) are dropped, the live ones ordered by seeds,
 * highest first (equal seeds in the provider's order), and only the first
 * limit kept (1 for a resolve). Returns how many were live, the limit aside
 * (a search's total_results); r->count is then the smaller of that and
 * limit. r->next is left as the provider set it. */
size_t lume_results_select(lume_results *r, size_t limit);

/* "2160p" for 2160p/4K/UHD, then 1080p, 720p, 480p; NULL when none. */
const char *lume_quality_from_title(const char *title);
/* Quality of a video height in pixels; NULL below 480 or unknown (<= 0). */
const char *lume_quality_from_height(long height);

#endif
