/*
 * cache_life.c: an answer's ages, cut by the links it holds (cache_life.h).
 */
#include "cache_life.h"

#include <stdio.h>

#include "api.h"

static long at_most(long v, int64_t limit)
{
    return limit < 0 ? 0 : v < limit ? v : (long)limit;
}

lume_cache_life lume_cache_life_of(const lume_config *cfg, const lume_media_link *items, size_t n,
                                   int64_t now)
{
    lume_cache_life life = {cfg->cache_max_age, cfg->cache_stale_revalidate,
                            cfg->cache_stale_if_error, 0};
    int64_t first = 0, left;

    for (size_t i = 0; i < n; i++)
        if (items[i].facts.expires_at > 0 && (first == 0 || items[i].facts.expires_at < first))
            first = items[i].facts.expires_at;
    if (first == 0)
        return life;
    left = first - now - LUME_CACHE_LINK_MARGIN_S; /* fresh and stale together */
    life.expired = left <= 0;
    life.max_age = at_most(life.max_age, left);
    life.stale_revalidate = at_most(life.stale_revalidate, left - life.max_age);
    life.stale_if_error = at_most(life.stale_if_error, left - life.max_age);
    return life;
}

void lume_cache_control(const lume_cache_life *life, char *out, size_t cap)
{
    int n;

    if (life->expired) {
        snprintf(out, cap, "%s", LUME_ERROR_CACHE_CONTROL);
        return;
    }
    n = snprintf(out, cap, "public, max-age=%ld", life->max_age);
    if (life->stale_revalidate > 0 && n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, ", stale-while-revalidate=%ld",
                      life->stale_revalidate);
    if (life->stale_if_error > 0 && n > 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, ", stale-if-error=%ld", life->stale_if_error);
}
