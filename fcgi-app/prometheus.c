/* prometheus.c: the text of GET /metrics (see prometheus.h). */
#include "prometheus.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "router.h"

/* A growing text buffer; a failed append leaves it failed (text NULL). */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (t->s == NULL)
        return;
    for (;;) {
        va_start(ap, fmt);
        w = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (w < 0) {
            free(t->s), t->s = NULL;
            return;
        }
        if ((size_t)w < t->cap - t->len) {
            t->len += (size_t)w;
            return;
        }
        char *grown = realloc(t->s, t->cap * 2 + (size_t)w);
        if (grown == NULL) {
            free(t->s), t->s = NULL;
            return;
        }
        t->s = grown;
        t->cap = t->cap * 2 + (size_t)w;
    }
}

static void head(text *t, const char *name, const char *type, const char *help)
{
    put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram(text *t, const char *name, const char *help, const lume_histogram_sum *h)
{
    static const int bounds_ms[] = LUME_METRICS_BUCKETS_MS;
    uint64_t cumulative = 0;

    head(t, name, "histogram", help);
    for (int i = 0; i < LUME_METRICS_BUCKETS - 1; i++) {
        cumulative += h->buckets[i];
        put(t, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, bounds_ms[i] / 1000.0, cumulative);
    }
    cumulative += h->buckets[LUME_METRICS_BUCKETS - 1];
    put(t, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cumulative);
    put(t, "%s_sum %.6f\n", name, (double)h->sum_us / 1e6);
    put(t, "%s_count %" PRIu64 "\n", name, cumulative);
}

static void requests(text *t, const lume_metrics_totals *m)
{
    int any = 0;

    head(t, "lume_requests_total", "counter",
         "Requests answered by the workers, by route and status.");
    for (int r = 0; r < LUME_ROUTES; r++)
        for (int c = 0; c < LUME_METRICS_STATUSES; c++) {
            int code = lume_metrics_status_code(c);
            if (m->requests[r][c] == 0)
                continue;
            any = 1;
            if (code != 0)
                put(t, "lume_requests_total{route=\"%s\",status=\"%d\"} %" PRIu64 "\n",
                    lume_route_name((lume_route_id)r), code, m->requests[r][c]);
            else
                put(t, "lume_requests_total{route=\"%s\",status=\"other\"} %" PRIu64 "\n",
                    lume_route_name((lume_route_id)r), m->requests[r][c]);
        }
    if (!any) /* the series exists from the start */
        put(t, "lume_requests_total{route=\"index\",status=\"200\"} 0\n");
    histogram(t, "lume_request_duration_seconds",
              "Time from the worker taking a request to its answer written.", &m->request_latency);
}

static void upstream(text *t, const lume_metrics_totals *m)
{
    static const char *const outcomes[LUME_UPSTREAM_OUTCOMES] = {"ok", "http_error", "unavailable",
                                                                 "timeout", "rejected"};
    static const char *const moves[LUME_BREAKER_MOVES] = {"closed", "open", "half_open"};

    head(t, "lume_upstream_calls_total", "counter",
         "Calls of the provider to its upstream, by outcome (rejected: not sent, breaker open).");
    for (int o = 0; o < LUME_UPSTREAM_OUTCOMES; o++)
        put(t, "lume_upstream_calls_total{outcome=\"%s\"} %" PRIu64 "\n", outcomes[o],
            m->upstream[o]);
    histogram(t, "lume_upstream_duration_seconds", "Duration of upstream calls, retries included.",
              &m->upstream_latency);
    head(t, "lume_upstream_retries_total", "counter", "Upstream attempts beyond the first.");
    put(t, "lume_upstream_retries_total %" PRIu64 "\n", m->upstream_retries);
    if (m->breaker_state > 0) {
        head(t, "lume_breaker_state", "gauge",
             "The provider's circuit breaker: 0 closed, 1 open, 2 half-open.");
        put(t, "lume_breaker_state %d\n", m->breaker_state - 1);
    }
    head(t, "lume_breaker_transitions_total", "counter",
         "Moves of the circuit breaker, by the state it moved to.");
    for (int b = 0; b < LUME_BREAKER_MOVES; b++)
        put(t, "lume_breaker_transitions_total{to=\"%s\"} %" PRIu64 "\n", moves[b],
            m->breaker_moves[b]);
}

/* Each provider of the registry: what it did with the requests, and how long
 * it took (a summary: sum and count). */
static void providers(text *t, const lume_metrics_totals *m)
{
    static const char *const outcomes[LUME_PROVIDED_OUTCOMES] = {"ok", "unavailable", "timeout",
                                                                 "error"};
    size_t n = lume_provider_count() < LUME_METRICS_PROVIDERS ? lume_provider_count()
                                                              : LUME_METRICS_PROVIDERS;

    head(t, "lume_provider_requests_total", "counter",
         "What each provider did with the requests it was asked (LUME_PROVIDERS), by outcome.");
    for (size_t p = 0; p < n; p++)
        for (int o = 0; o < LUME_PROVIDED_OUTCOMES; o++)
            put(t, "lume_provider_requests_total{provider=\"%s\",outcome=\"%s\"} %" PRIu64 "\n",
                lume_provider_at(p)->config_name, outcomes[o], m->provided[p][o]);
    head(t, "lume_provider_duration_seconds", "summary",
         "Time each provider took to answer a request (or to give up at the deadline).");
    for (size_t p = 0; p < n; p++) {
        uint64_t count = 0;
        for (int i = 0; i < LUME_METRICS_BUCKETS; i++)
            count += m->provider_latency[p].buckets[i];
        put(t, "lume_provider_duration_seconds_sum{provider=\"%s\"} %.6f\n",
            lume_provider_at(p)->config_name, (double)m->provider_latency[p].sum_us / 1e6);
        put(t, "lume_provider_duration_seconds_count{provider=\"%s\"} %" PRIu64 "\n",
            lume_provider_at(p)->config_name, count);
    }
}

static void pool(text *t, const lume_metrics_totals *m, lume_scoreboard *b,
                 const lume_prometheus_pool *p)
{
    static const char *const spawns[LUME_SPAWN_CAUSES] = {"start", "replace", "reload", "grow"};
    static const char *const exits[LUME_EXIT_CAUSES] = {"stopped", "recycled", "error",
                                                        "signal",  "timeout",  "idle"};
    uint64_t states[LUME_WORKER_STATES];

    lume_scoreboard_count(b, states);
    head(t, "lume_workers", "gauge", "Worker processes by state.");
    for (int s = LUME_WORKER_IDLE; s < LUME_WORKER_STATES; s++)
        put(t, "lume_workers{state=\"%s\"} %" PRIu64 "\n",
            lume_worker_state_name((lume_worker_state)s), states[s]);
    head(t, "lume_workers_configured", "gauge",
         "Workers the pool keeps (LUME_WORKERS, or LUME_WORKERS_MIN).");
    put(t, "lume_workers_configured %ld\n", p->workers);
    head(t, "lume_workers_min", "gauge", "The fewest workers the pool keeps (LUME_WORKERS_MIN).");
    put(t, "lume_workers_min %ld\n", p->workers_min);
    head(t, "lume_workers_max", "gauge", "The most workers the pool grows to (LUME_WORKERS_MAX).");
    put(t, "lume_workers_max %ld\n", p->workers_max);
    head(t, "lume_worker_spawns_total", "counter", "Workers started, by cause.");
    for (int c = 0; c < LUME_SPAWN_CAUSES; c++)
        put(t, "lume_worker_spawns_total{cause=\"%s\"} %" PRIu64 "\n", spawns[c], m->spawns[c]);
    head(t, "lume_crash_brake", "gauge",
         "1 while the crash brake slows respawning (LUME_CRASH_BRAKE_THRESHOLD).");
    put(t, "lume_crash_brake %d\n", m->crash_brake);
    head(t, "lume_worker_exits_total", "counter", "Workers ended, by cause.");
    for (int c = 0; c < LUME_EXIT_CAUSES; c++)
        put(t, "lume_worker_exits_total{cause=\"%s\"} %" PRIu64 "\n", exits[c], m->exits[c]);
    if (p->backlog >= 0) {
        head(t, "lume_listen_queue", "gauge",
             "Connections waiting in the listening socket's accept queue.");
        put(t, "lume_listen_queue %ld\n", p->backlog);
        head(t, "lume_listen_queue_limit", "gauge", "The accept queue's limit (the backlog).");
        put(t, "lume_listen_queue_limit %ld\n", p->backlog_limit);
    }
}

char *lume_prometheus_render(lume_metrics *m, lume_scoreboard *b, const lume_prometheus_pool *p,
                             size_t *len)
{
    lume_metrics_totals *totals = malloc(sizeof(*totals));
    text t = {malloc(16384), 0, 16384};

    if (totals == NULL || t.s == NULL) {
        free(totals);
        free(t.s);
        return NULL;
    }
    lume_metrics_sum(m, totals);
    requests(&t, totals);
    upstream(&t, totals);
    providers(&t, totals);
    pool(&t, totals, b, p);
    free(totals);
    if (t.s != NULL)
        *len = t.len;
    return t.s;
}
