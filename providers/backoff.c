/* backoff.c: exponential backoff with full jitter, bounded by a deadline (see backoff.h). */
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"

struct lume_backoff {
    long base_ms;
    long cap_ms;
    uint64_t state; /* splitmix64 */
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

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

lume_backoff *lume_backoff_create(long base_ms, long cap_ms, uint64_t seed)
{
    lume_backoff *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return NULL;
    b->base_ms = base_ms;
    b->cap_ms = cap_ms;
    if (seed == 0 && getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    b->state = seed;
    return b;
}

void lume_backoff_destroy(lume_backoff *b)
{
    free(b);
}

int64_t lume_backoff_next(lume_backoff *b, int attempt, int64_t now_ms, int64_t deadline_ms)
{
    return lume_backoff_delay(b->base_ms, b->cap_ms, attempt, splitmix64(&b->state), now_ms,
                              deadline_ms);
}
