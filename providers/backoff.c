/* backoff.c: exponential backoff with full jitter, bounded by a deadline (see backoff.h). */
#include <stdlib.h>

#include "backoff.h"
#include "random.h"

struct lume_backoff {
    long base_ms;
    long cap_ms;
    uint64_t state; /* lume_random_next() */
};

int64_t lume_backoff_ceiling(long base_ms, long cap_ms, int attempt)
{
    int64_t ceiling = base_ms < 0 ? 0 : base_ms;

    for (int i = 1; i < attempt && ceiling < cap_ms; i++)
        ceiling *= 2;
    return ceiling > cap_ms ? cap_ms : ceiling;
}

int64_t lume_backoff_delay(long base_ms, long cap_ms, int attempt, uint64_t random, int64_t now_ms,
                           int64_t deadline_ms)
{
    int64_t ceiling = lume_backoff_ceiling(base_ms, cap_ms, attempt);
    int64_t delay = ceiling > 0 ? (int64_t)(random % (uint64_t)(ceiling + 1)) : 0;

    return now_ms + delay >= deadline_ms ? -1 : delay;
}

lume_backoff *lume_backoff_create(long base_ms, long cap_ms, uint64_t seed)
{
    lume_backoff *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return NULL;
    b->base_ms = base_ms;
    b->cap_ms = cap_ms;
    b->state = seed != 0 ? seed : lume_random_seed();
    return b;
}

void lume_backoff_destroy(lume_backoff *b)
{
    free(b);
}

int64_t lume_backoff_next(lume_backoff *b, int attempt, int64_t now_ms, int64_t deadline_ms)
{
    return lume_backoff_delay(b->base_ms, b->cap_ms, attempt, lume_random_next(&b->state), now_ms,
                              deadline_ms);
}
