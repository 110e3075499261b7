/*
 * metrics.h: the pool's counters, in the master's shared memory (shared.h).
 *
 * One slot of counters per writer: each worker owns the slot of its pool
 * slot, the master owns the last one. A writer adds to its own slot with
 * relaxed atomic 64-bit adds (no lock, no cache line shared with another
 * writer); a reader (the worker answering /metrics) sums every slot. A slot
 * is never reset, so a worker replaced in the same slot keeps counting up:
 * the sums are Prometheus counters, monotonic for the life of the master.
 * Histograms have fixed buckets (LUME_METRICS_BUCKETS_MS).
 *
 * Gauges that are one value for the whole pool (the breaker's state, the
 * crash brake) are a single atomic word written with a store.
 */
#ifndef LUME_METRICS_H
#define LUME_METRICS_H

#include <stdint.h>

/* The pool's slots (2 x LUME_MAX_WORKERS, pool.h checks) and the master's. */
#define LUME_METRICS_SLOTS       513
#define LUME_METRICS_MASTER_SLOT (LUME_METRICS_SLOTS - 1)

#define LUME_METRICS_ROUTES   12 /* route ids (router.h checks) */
#define LUME_METRICS_STATUSES 16 /* HTTP statuses counted apart; the last is "other" */
#define LUME_METRICS_BUCKETS  12 /* latency buckets; the last is +Inf */

/* Upper bounds of the latency buckets, in milliseconds (+Inf not listed). */
#define LUME_METRICS_BUCKETS_MS                                                                    \
    {                                                                                              \
        5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000                                      \
    }

typedef enum lume_upstream_outcome {
    LUME_UPSTREAM_OK = 0,      /* a 2xx answer */
    LUME_UPSTREAM_HTTP_ERROR,  /* a 4xx answer */
    LUME_UPSTREAM_UNAVAILABLE, /* refused, reset, 5xx or 429 after retries */
    LUME_UPSTREAM_TIMEOUT,     /* the deadline passed */
    LUME_UPSTREAM_REJECTED,    /* not sent: the circuit breaker is open */
    LUME_UPSTREAM_OUTCOMES
} lume_upstream_outcome;

/* What one provider did with one request (provider_set.h), counted per
 * provider: its registry position, below LUME_METRICS_PROVIDERS. */
#define LUME_METRICS_PROVIDERS 8
typedef enum lume_provided {
    LUME_PROVIDED_OK = 0,      /* it answered (candidates or none) */
    LUME_PROVIDED_UNAVAILABLE, /* its upstream failed, or its breaker is open */
    LUME_PROVIDED_TIMEOUT,     /* no answer by the deadline */
    LUME_PROVIDED_ERROR,       /* anything else */
    LUME_PROVIDED_OUTCOMES
} lume_provided;

typedef enum lume_breaker_move {
    LUME_BREAKER_TO_CLOSED = 0,
    LUME_BREAKER_TO_OPEN,
    LUME_BREAKER_TO_HALF_OPEN,
    LUME_BREAKER_MOVES
} lume_breaker_move;

typedef enum lume_spawn_cause {
    LUME_SPAWN_START = 0, /* filling the pool at start */
    LUME_SPAWN_REPLACE,   /* replacing a worker that exited */
    LUME_SPAWN_RELOAD,    /* a worker of a new configuration (SIGHUP) */
    LUME_SPAWN_GROW,      /* a dynamic pool found every worker busy */
    LUME_SPAWN_CAUSES
} lume_spawn_cause;

typedef enum lume_exit_cause {
    LUME_EXIT_STOPPED = 0, /* asked to stop (reload, shutdown), or killed at the deadline */
    LUME_EXIT_RECYCLED,    /* exited cleanly on its own: max_requests, master gone */
    LUME_EXIT_ERROR,       /* exited with an error status (setup, accept failed) */
    LUME_EXIT_SIGNAL,      /* killed by a signal nobody asked for (a crash, kill -9) */
    LUME_EXIT_TIMEOUT,     /* killed: busy in one request past LUME_WORKER_TIMEOUT_MS */
    LUME_EXIT_IDLE,        /* retired by a dynamic pool: idle past LUME_WORKERS_IDLE_TIMEOUT_MS */
    LUME_EXIT_CAUSES
} lume_exit_cause;

/* The whole region (opaque; it lives in shared.c's mapping) and one writer's slot. */
typedef struct lume_metrics lume_metrics;
typedef struct lume_metrics_slot lume_metrics_slot;

/* Bytes of the region (a multiple of 64); zeroed memory is a valid region. */
unsigned long lume_metrics_size(void);

/* Writer slot index (0 .. LUME_METRICS_SLOTS - 1); NULL when m is NULL or
 * index out of range. Every writer call below accepts a NULL slot. */
lume_metrics_slot *lume_metrics_slot_at(lume_metrics *m, int index);

/* The HTTP statuses counted apart, in index order (0 where unused), and the
 * index of one (the last index for any other). */
int lume_metrics_status_code(int index);
int lume_metrics_status_index(int http_status);

/* Writers: one request answered; one upstream call; a breaker transition;
 * a spawn and an exit (the master). */
void lume_metrics_request(lume_metrics_slot *s, int route, int http_status, int64_t latency_us);
void lume_metrics_upstream(lume_metrics_slot *s, lume_upstream_outcome outcome, int64_t latency_us,
                           int retries);
void lume_metrics_breaker(lume_metrics_slot *s, lume_breaker_move move);
void lume_metrics_provider(lume_metrics_slot *s, int provider, lume_provided outcome,
                           int64_t latency_us);
void lume_metrics_spawn(lume_metrics_slot *s, lume_spawn_cause cause);
void lume_metrics_exit(lume_metrics_slot *s, lume_exit_cause cause);

/* The pool-wide breaker gauge: state + 1 (0: no breaker in this provider). */
void lume_metrics_set_breaker_state(lume_metrics *m, int state);

/* Is the master's crash brake on (pool.h)? Written by the master after each step. */
void lume_metrics_set_crash_brake(lume_metrics *m, int on);

/* A histogram summed: per-bucket counts (not cumulative), total in microseconds. */
typedef struct lume_histogram_sum {
    uint64_t buckets[LUME_METRICS_BUCKETS];
    uint64_t sum_us;
} lume_histogram_sum;

/* Every slot summed, as the reader sees it. */
typedef struct lume_metrics_totals {
    uint64_t requests[LUME_METRICS_ROUTES][LUME_METRICS_STATUSES];
    lume_histogram_sum request_latency;
    uint64_t upstream[LUME_UPSTREAM_OUTCOMES];
    lume_histogram_sum upstream_latency;
    uint64_t upstream_retries;
    uint64_t provided[LUME_METRICS_PROVIDERS][LUME_PROVIDED_OUTCOMES];
    lume_histogram_sum provider_latency[LUME_METRICS_PROVIDERS];
    uint64_t breaker_moves[LUME_BREAKER_MOVES];
    int breaker_state; /* lume_breaker_state + 1, 0: none */
    int crash_brake;   /* 1 while the master's crash brake is on */
    uint64_t spawns[LUME_SPAWN_CAUSES];
    uint64_t exits[LUME_EXIT_CAUSES];
} lume_metrics_totals;

/* Sum every slot into *out (overwritten). Lock-free; each counter is read
 * whole, and counters only grow, so a sum is never below an earlier one. */
void lume_metrics_sum(lume_metrics *m, lume_metrics_totals *out);

#endif
