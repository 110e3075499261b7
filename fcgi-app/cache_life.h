/*
 * cache_life.h: how long an answer may be kept (its Cache-Control, and the
 * Stremio answers' cacheMaxAge, staleRevalidate and staleError): the
 * configured ages (LUME_CACHE_*), cut so that no cache serves an answer,
 * fresh or stale, after the first signed link in it expires (a library
 * link's expires_at, less a minute for the clocks): docs/api.md, "Caching".
 */
#ifndef LUME_CACHE_LIFE_H
#define LUME_CACHE_LIFE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "results.h"

#define LUME_CACHE_LINK_MARGIN_S 60 /* an answer is gone this long before its links */

typedef struct lume_cache_life {
    long max_age, stale_revalidate, stale_if_error; /* seconds */
    int expired; /* its links expire within the margin: never kept */
} lume_cache_life;

/* The configured ages, cut for the earliest expires_at of items[0..n) (now:
 * Unix seconds). */
lume_cache_life lume_cache_life_of(const lume_config *cfg, const lume_media_link *items, size_t n,
                                   int64_t now);

/* Its Cache-Control: "public, max-age=300[, stale-while-revalidate=N][,
 * stale-if-error=N]" (the extensions that are not 0), or "no-store" when its
 * links leave it no time. */
void lume_cache_control(const lume_cache_life *life, char *out, size_t cap);

#endif
