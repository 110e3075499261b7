/*
 * backoff.h: the retry delay policy: exponential backoff with full jitter,
 * never past the deadline.
 *
 * The delay before retry number attempt (1 for the first retry) is drawn
 * uniformly from [0, min(cap, base * 2^(attempt-1))]. A retry whose start
 * would reach the deadline is not made at all. lume_backoff_delay() is the
 * pure policy (the random draw is a parameter); lume_backoff wraps it with a
 * per-worker random generator.
 */
#ifndef LUME_BACKOFF_H
#define LUME_BACKOFF_H

#include <stdint.h>

typedef struct lume_backoff lume_backoff;

/* The ceiling of the jitter window for retry number attempt (>= 1). */
int64_t lume_backoff_ceiling(long base_ms, long cap_ms, int attempt);

/* Delay in ms before retry number attempt, given a uniform random draw; -1
 * when now + delay would reach deadline (do not retry). */
int64_t lume_backoff_delay(long base_ms, long cap_ms, int attempt, uint64_t random, int64_t now_ms,
                           int64_t deadline_ms);

/* seed 0: seeded from the OS. NULL when out of memory. */
lume_backoff *lume_backoff_create(long base_ms, long cap_ms, uint64_t seed);
void lume_backoff_destroy(lume_backoff *b);
int64_t lume_backoff_next(lume_backoff *b, int attempt, int64_t now_ms, int64_t deadline_ms);

#endif
