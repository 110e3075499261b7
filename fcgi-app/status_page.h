/*
 * status_page.h: GET /status, php-fpm's status page as JSON (fpm_status.c's
 * "full" view): the pool, then each worker's line of the scoreboard.
 *
 *   {"pool":"lume","provider":"MockProvider","workers_configured":2,
 *    "requests_answered":12,"listen_queue":0,"listen_queue_limit":511,
 *    "idle_workers":1,"reading_workers":0,"busy_workers":1,"total_workers":2,
 *    "workers":[{"slot":0,"pid":41,"state":"busy","requests":7,
 *                "request_start_ms":1764070000000,"request_duration_ms":3,
 *                "route":"status","request_id":"..."}, ...]}
 *
 * request_start_ms, request_duration_ms, route and request_id are null for a
 * worker that is not busy (idle, or still reading a request); listen_queue*
 * are null when the kernel does not tell (backlog.h).
 */
#ifndef LUME_STATUS_PAGE_H
#define LUME_STATUS_PAGE_H

#include <jansson.h>
#include <stdint.h>

#include "metrics.h"
#include "prometheus.h"
#include "scoreboard.h"

/* The document (a new reference; NULL when out of memory) at now_ms (wall clock). */
json_t *lume_status_page(lume_metrics *m, lume_scoreboard *b, const lume_prometheus_pool *pool,
                         const char *provider, int64_t now_ms);

#endif
