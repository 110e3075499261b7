/*
 * breaker.h: a circuit breaker shared by every worker of one master.
 *
 * Owns the state machine only: closed -> (N consecutive failures) -> open ->
 * (its time elapsed) -> half-open, where one probe call goes through; a
 * successful probe closes it, a failed one opens it again, for longer: the
 * time open escalates while failures repeat (open_ms, then twice that, ...,
 * at most open_max_ms; the level, as Prowlarr's indexer status keeps its
 * EscalationLevel) and a success resets it. Only the probe
 * moves a half-open breaker, and nothing moves an open one: a call let through
 * earlier (while closed) that ends after the breaker opened changes nothing,
 * however it ends. allow() hands each call a ticket for that purpose.
 *
 * The state is two lock-free 64-bit C11 atomics in memory the caller provides
 * (the master's shared provider area), or in private memory when none is
 * given. The clock is injectable so the machine can be tested without sleeping.
 */
#ifndef LUME_BREAKER_H
#define LUME_BREAKER_H

#include <stddef.h>
#include <stdint.h>

typedef enum lume_breaker_state {
    LUME_BREAKER_CLOSED = 0,
    LUME_BREAKER_OPEN = 1,
    LUME_BREAKER_HALF_OPEN = 2
} lume_breaker_state;

typedef struct lume_breaker lume_breaker;

/* Milliseconds on a monotonic clock shared by all processes of the master. */
typedef int64_t (*lume_breaker_clock)(void *ctx);

/* Bytes of shared memory the breaker needs (64-byte aligned, zeroed = closed). */
#define LUME_BREAKER_AREA_SIZE 64

/* area: LUME_BREAKER_AREA_SIZE zeroed-at-start bytes shared across processes,
 * or NULL for private state. open_max_ms below open_ms: open_ms (no escalation).
 * clock NULL: lume_now_ms(). NULL when out of memory. */
lume_breaker *lume_breaker_create(void *area, long failures, long open_ms, long open_max_ms,
                                  lume_breaker_clock clock, void *clock_ctx);
void lume_breaker_destroy(lume_breaker *b);

/* Which state a call was let through under; give it back with the outcome. */
typedef uint64_t lume_breaker_ticket;

/* May a call go upstream now? 1: yes, *ticket set (in half-open, this caller
 * is the probe). 0: no; *retry_after_ms (if not NULL) says when to try again
 * (>= 1). */
int lume_breaker_allow(lume_breaker *b, lume_breaker_ticket *ticket, int64_t *retry_after_ms);

/* The outcome of an allowed call, with its ticket. Closed: a failure counts
 * (the Nth in a row opens), a success resets the count. Half-open: only the
 * probe's outcome counts (success closes, failure opens again). Open: nothing
 * counts. Each returns 1 when this call moved the breaker, for logging. */
int lume_breaker_success(lume_breaker *b, lume_breaker_ticket ticket);
int lume_breaker_failure(lume_breaker *b, lume_breaker_ticket ticket);

/* The state now, as allow() would see it (open becomes half-open only in allow). */
lume_breaker_state lume_breaker_state_of(lume_breaker *b);
/* The escalation level: 0 closed, 1 for the first opening, one more for each
 * failed probe since. */
unsigned lume_breaker_level(lume_breaker *b);
/* Consecutive failures counted while closed. */
long lume_breaker_failures(lume_breaker *b);

#endif
