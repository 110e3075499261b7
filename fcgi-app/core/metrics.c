/* metrics.c: per-writer counter slots and their sum (see metrics.h). */
#include "metrics.h"

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

typedef _Atomic uint64_t counter;

typedef struct histogram {
    counter buckets[LUME_METRICS_BUCKETS];
    counter sum_us;
} histogram;

struct lume_metrics_slot {
    _Alignas(64) counter requests[LUME_METRICS_ROUTES][LUME_METRICS_STATUSES];
    histogram request_latency;
    counter upstream[LUME_UPSTREAM_OUTCOMES];
    histogram upstream_latency;
    counter upstream_retries;
    counter provided[LUME_METRICS_PROVIDERS][LUME_PROVIDED_OUTCOMES];
    histogram provider_latency[LUME_METRICS_PROVIDERS];
    counter breaker_moves[LUME_BREAKER_MOVES];
    counter spawns[LUME_SPAWN_CAUSES];
    counter exits[LUME_EXIT_CAUSES];
};

struct lume_metrics {
    _Alignas(64) _Atomic int breaker_state;
    _Atomic int crash_brake; /* the master's */
    _Alignas(64) struct lume_metrics_slot slots[LUME_METRICS_SLOTS];
};

_Static_assert(sizeof(struct lume_metrics) % 64 == 0, "the region is whole cache lines");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free across processes");

static const int status_codes[LUME_METRICS_STATUSES] = {200, 204, 304, 400, 403, 404, 405, 408,
                                                        413, 414, 429, 431, 500, 503, 504, 0};
static const int64_t bucket_us[LUME_METRICS_BUCKETS - 1] = {
    5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};

unsigned long lume_metrics_size(void)
{
    return sizeof(struct lume_metrics);
}

lume_metrics_slot *lume_metrics_slot_at(lume_metrics *m, int index)
{
    if (m == NULL || index < 0 || index >= LUME_METRICS_SLOTS)
        return NULL;
    return &m->slots[index];
}

int lume_metrics_status_code(int index)
{
    return index >= 0 && index < LUME_METRICS_STATUSES ? status_codes[index] : 0;
}

int lume_metrics_status_index(int http_status)
{
    for (int i = 0; i < LUME_METRICS_STATUSES - 1; i++)
        if (status_codes[i] == http_status)
            return i;
    return LUME_METRICS_STATUSES - 1;
}

static void add(counter *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void observe(histogram *h, int64_t us)
{
    int i = 0;

    if (us < 0)
        us = 0;
    while (i < LUME_METRICS_BUCKETS - 1 && us > bucket_us[i])
        i++;
    add(&h->buckets[i], 1);
    add(&h->sum_us, (uint64_t)us);
}

void lume_metrics_request(lume_metrics_slot *s, int route, int http_status, int64_t latency_us)
{
    if (s == NULL)
        return;
    if (route < 0 || route >= LUME_METRICS_ROUTES)
        route = 0;
    add(&s->requests[route][lume_metrics_status_index(http_status)], 1);
    observe(&s->request_latency, latency_us);
}

void lume_metrics_upstream(lume_metrics_slot *s, lume_upstream_outcome outcome, int64_t latency_us,
                           int retries)
{
    if (s == NULL || outcome < 0 || outcome >= LUME_UPSTREAM_OUTCOMES)
        return;
    add(&s->upstream[outcome], 1);
    if (outcome != LUME_UPSTREAM_REJECTED)
        observe(&s->upstream_latency, latency_us);
    if (retries > 0)
        add(&s->upstream_retries, (uint64_t)retries);
}

void lume_metrics_provider(lume_metrics_slot *s, int provider, lume_provided outcome,
                           int64_t latency_us)
{
    if (s == NULL || provider < 0 || provider >= LUME_METRICS_PROVIDERS || outcome < 0 ||
        outcome >= LUME_PROVIDED_OUTCOMES)
        return;
    add(&s->provided[provider][outcome], 1);
    observe(&s->provider_latency[provider], latency_us);
}

void lume_metrics_breaker(lume_metrics_slot *s, lume_breaker_move move)
{
    if (s != NULL && move >= 0 && move < LUME_BREAKER_MOVES)
        add(&s->breaker_moves[move], 1);
}

void lume_metrics_spawn(lume_metrics_slot *s, lume_spawn_cause cause)
{
    if (s != NULL && cause >= 0 && cause < LUME_SPAWN_CAUSES)
        add(&s->spawns[cause], 1);
}

void lume_metrics_exit(lume_metrics_slot *s, lume_exit_cause cause)
{
    if (s != NULL && cause >= 0 && cause < LUME_EXIT_CAUSES)
        add(&s->exits[cause], 1);
}

void lume_metrics_set_breaker_state(lume_metrics *m, int state)
{
    if (m != NULL)
        atomic_store_explicit(&m->breaker_state, state + 1, memory_order_relaxed);
}

void lume_metrics_set_crash_brake(lume_metrics *m, int on)
{
    if (m != NULL)
        atomic_store_explicit(&m->crash_brake, on != 0, memory_order_relaxed);
}

static uint64_t get(counter *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static void sum_histogram(histogram *h, lume_histogram_sum *out)
{
    for (int i = 0; i < LUME_METRICS_BUCKETS; i++)
        out->buckets[i] += get(&h->buckets[i]);
    out->sum_us += get(&h->sum_us);
}

void lume_metrics_sum(lume_metrics *m, lume_metrics_totals *out)
{
    memset(out, 0, sizeof(*out));
    if (m == NULL)
        return;
    out->breaker_state = atomic_load_explicit(&m->breaker_state, memory_order_relaxed);
    out->crash_brake = atomic_load_explicit(&m->crash_brake, memory_order_relaxed);
    for (int k = 0; k < LUME_METRICS_SLOTS; k++) {
        lume_metrics_slot *s = &m->slots[k];

        for (int r = 0; r < LUME_METRICS_ROUTES; r++)
            for (int c = 0; c < LUME_METRICS_STATUSES; c++)
                out->requests[r][c] += get(&s->requests[r][c]);
        sum_histogram(&s->request_latency, &out->request_latency);
        for (int o = 0; o < LUME_UPSTREAM_OUTCOMES; o++)
            out->upstream[o] += get(&s->upstream[o]);
        sum_histogram(&s->upstream_latency, &out->upstream_latency);
        out->upstream_retries += get(&s->upstream_retries);
        for (int p = 0; p < LUME_METRICS_PROVIDERS; p++) {
            for (int o = 0; o < LUME_PROVIDED_OUTCOMES; o++)
                out->provided[p][o] += get(&s->provided[p][o]);
            sum_histogram(&s->provider_latency[p], &out->provider_latency[p]);
        }
        for (int b = 0; b < LUME_BREAKER_MOVES; b++)
            out->breaker_moves[b] += get(&s->breaker_moves[b]);
        for (int c = 0; c < LUME_SPAWN_CAUSES; c++)
            out->spawns[c] += get(&s->spawns[c]);
        for (int c = 0; c < LUME_EXIT_CAUSES; c++)
            out->exits[c] += get(&s->exits[c]);
    }
}
