/*
 * pool_pages.h: the pool's own pages, GET /metrics (the Prometheus text,
 * prometheus.h) and GET /status (the JSON status page, status_page.h),
 * answered from what a worker observes of the pool (observe.h): the whole
 * pool's counters and scoreboard, whichever worker answers. Never stored
 * (no-store).
 */
#ifndef LUME_POOL_PAGES_H
#define LUME_POOL_PAGES_H

#include "http.h"
#include "observe.h"

/* GET /metrics. */
void lume_pool_pages_metrics(const lume_observe *o, lume_response *resp);

/* GET /status; provider: the name it reports. */
void lume_pool_pages_status(const lume_observe *o, const char *provider, lume_response *resp);

#endif
