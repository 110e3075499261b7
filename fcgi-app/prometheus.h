/*
 * prometheus.h: GET /metrics, the pool's counters (metrics.h) and the
 * scoreboard's (scoreboard.h) in the Prometheus text format 0.0.4, summed
 * over every worker and the master, whichever worker answers. The metrics
 * and their labels are listed in docs/operations.md.
 */
#ifndef LUME_PROMETHEUS_H
#define LUME_PROMETHEUS_H

#include <stddef.h>

#include "metrics.h"
#include "scoreboard.h"

#define LUME_PROMETHEUS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* What the page shows beyond the counters. */
typedef struct lume_prometheus_pool {
    long workers;                  /* configured: the pool's minimum */
    long workers_min, workers_max; /* the same for a static pool */
    long backlog, backlog_limit;   /* the accept queue (backlog.h); -1: unknown */
} lume_prometheus_pool;

/* The page as malloc'd text (*len bytes, NUL-terminated); NULL when out of memory. */
char *lume_prometheus_render(lume_metrics *m, lume_scoreboard *b, const lume_prometheus_pool *pool,
                             size_t *len);

#endif
