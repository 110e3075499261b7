/*
 * breaker.c: the circuit breaker's state machine over shared atomics (see
 * breaker.h).
 *
 * The state, the time it was entered and the escalation level share one
 * 64-bit word, (since_ms << 8) | (level << 2) | state, so every transition
 * is a single compare-and-swap and no lock is ever held across processes. The failure count is a
 * second atomic, meaningful while closed. A ticket is the word a call was let through under: in
 * half-open, the word equals the probe's ticket until the probe reports or is replaced, so a late
 * outcome of any other call cannot move it.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "breaker.h"
#include "clock.h"

typedef struct breaker_area {
    _Atomic uint64_t word;     /* (since_ms << 8) | (level << 2) | state */
    _Atomic uint64_t failures; /* consecutive failures while closed */
} breaker_area;

_Static_assert(sizeof(breaker_area) <= LUME_BREAKER_AREA_SIZE, "breaker area too small");
/* The area is shared by processes. An atomic that is not lock-free is guarded
 * by a lock private to each process (libatomic's), which would not exclude the
 * other workers: refuse to build rather than race. */
_Static_assert(sizeof(uint64_t) == sizeof(long) ? ATOMIC_LONG_LOCK_FREE == 2
                                                : ATOMIC_LLONG_LOCK_FREE == 2,
               "64-bit atomics must be lock-free to be shared across processes");

struct lume_breaker {
    breaker_area *area;
    breaker_area own; /* used when no shared area is given */
    long threshold;
    long open_ms, open_max_ms;
    lume_breaker_clock clock;
    void *clock_ctx;
};

static int64_t default_clock(void *ctx)
{
    (void)ctx;
    return lume_now_ms();
}

#define LEVEL_MAX 63

static uint64_t pack(lume_breaker_state st, int64_t since, unsigned level)
{
    return ((uint64_t)(since < 0 ? 0 : since) << 8) |
           ((uint64_t)(level > LEVEL_MAX ? LEVEL_MAX : level) << 2) | (uint64_t)st;
}

static lume_breaker_state state_of(uint64_t word)
{
    return (lume_breaker_state)(word & 3);
}

static unsigned level_of(uint64_t word)
{
    return (unsigned)((word >> 2) & LEVEL_MAX);
}

static int64_t since_of(uint64_t word)
{
    return (int64_t)(word >> 8);
}

/* How long an opening at this level lasts: open_ms, doubled for each level
 * above the first, at most open_max_ms. */
static int64_t open_for(const lume_breaker *b, unsigned level)
{
    int64_t ms = b->open_ms;

    for (unsigned i = 1; i < level && ms < b->open_max_ms; i++)
        ms *= 2;
    return ms < b->open_max_ms ? ms : b->open_max_ms;
}

lume_breaker *lume_breaker_create(void *area, long failures, long open_ms, long open_max_ms,
                                  lume_breaker_clock clock, void *clock_ctx)
{
    lume_breaker *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return NULL;
    b->area = area != NULL ? area : &b->own;
    b->threshold = failures < 1 ? 1 : failures;
    b->open_ms = open_ms < 1 ? 1 : open_ms;
    b->open_max_ms = open_max_ms < b->open_ms ? b->open_ms : open_max_ms;
    b->clock = clock != NULL ? clock : default_clock;
    b->clock_ctx = clock_ctx;
    return b;
}

void lume_breaker_destroy(lume_breaker *b)
{
    free(b);
}

int lume_breaker_allow(lume_breaker *b, lume_breaker_ticket *ticket, int64_t *retry_after_ms)
{
    for (;;) {
        uint64_t word = atomic_load(&b->area->word), probe;
        int64_t now = b->clock(b->clock_ctx);
        /* Open: for its level's time. Half-open: a probe that has not
         * reported in open_ms was lost (its worker died). */
        int64_t until =
            since_of(word) +
            (state_of(word) == LUME_BREAKER_OPEN ? open_for(b, level_of(word)) : b->open_ms);

        switch (state_of(word)) {
        case LUME_BREAKER_CLOSED: *ticket = word; return 1;
        case LUME_BREAKER_OPEN:
        case LUME_BREAKER_HALF_OPEN:
            /* Open long enough, or a probe that never reported back (its worker
             * died): this caller becomes the probe, if it wins the swap. */
            if (now >= until) {
                probe = pack(LUME_BREAKER_HALF_OPEN, now, level_of(word));
                if (atomic_compare_exchange_strong(&b->area->word, &word, probe)) {
                    *ticket = probe;
                    return 1;
                }
                continue;
            }
            if (retry_after_ms != NULL)
                *retry_after_ms = state_of(word) == LUME_BREAKER_OPEN ? until - now : 1000;
            if (retry_after_ms != NULL && *retry_after_ms < 1)
                *retry_after_ms = 1;
            return 0;
        }
        *ticket = word;
        return 1; /* unreachable: two bits, three states; treat junk as closed */
    }
}

int lume_breaker_success(lume_breaker *b, lume_breaker_ticket ticket)
{
    uint64_t word = atomic_load(&b->area->word);

    switch (state_of(word)) {
    case LUME_BREAKER_CLOSED: atomic_store(&b->area->failures, 0); return 0;
    case LUME_BREAKER_HALF_OPEN:
        /* Only the probe closes it; the swap fails if the probe was replaced. */
        if (word != ticket ||
            !atomic_compare_exchange_strong(&b->area->word, &word, pack(LUME_BREAKER_CLOSED, 0, 0)))
            return 0;
        atomic_store(&b->area->failures, 0);
        return 1;
    default: return 0; /* open: a call that started before it opened */
    }
}

int lume_breaker_failure(lume_breaker *b, lume_breaker_ticket ticket)
{
    uint64_t word = atomic_load(&b->area->word);
    int64_t now = b->clock(b->clock_ctx);

    switch (state_of(word)) {
    case LUME_BREAKER_HALF_OPEN: /* the probe failed: open again, a level longer */
        return word == ticket &&
               atomic_compare_exchange_strong(&b->area->word, &word,
                                              pack(LUME_BREAKER_OPEN, now, level_of(word) + 1));
    case LUME_BREAKER_CLOSED:
        if (atomic_fetch_add(&b->area->failures, 1) + 1 < (uint64_t)b->threshold)
            return 0;
        if (!atomic_compare_exchange_strong(&b->area->word, &word, pack(LUME_BREAKER_OPEN, now, 1)))
            return 0; /* someone else moved it */
        atomic_store(&b->area->failures, 0);
        return 1;
    default: return 0; /* open: a call that started before it opened */
    }
}

lume_breaker_state lume_breaker_state_of(lume_breaker *b)
{
    return state_of(atomic_load(&b->area->word));
}

unsigned lume_breaker_level(lume_breaker *b)
{
    return level_of(atomic_load(&b->area->word));
}

long lume_breaker_failures(lume_breaker *b)
{
    return (long)atomic_load(&b->area->failures);
}
