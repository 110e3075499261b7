/*
 * app.h: one request in, one response out. The application logic of a worker,
 * independent of FastCGI: routing, validation, the provider call, the result
 * rules (dead results dropped, then the limit) and the JSON rendering.
 */
#ifndef LUME_APP_H
#define LUME_APP_H

#include "config.h"
#include "http.h"
#include "observe.h"
#include "provider_set.h"

typedef struct lume_app lume_app;

/* Create the app around its providers; the app owns them from here on,
 * also when creation fails. NULL when out of memory. */
lume_app *lume_app_create(const lume_config *cfg, lume_provider_set *providers);
void lume_app_destroy(lume_app *app);
const char *lume_app_provider_name(const lume_app *app);

/* Join the pool: each request begins on the worker's scoreboard line in obs
 * (the worker ends it, lume_observe_end()), its providers count their
 * upstream calls in obs's counters, and /metrics and /status show the pool
 * obs sees (pool_pages.h). obs outlives the app's requests. Without it (unit
 * tests) nothing is counted and both pages show an empty pool. */
void lume_app_observe(lume_app *app, lume_observe *obs);

/* Handle one request; resp is overwritten. Release it with lume_response_release (http.h).
 * A request that waited longer than the queue budget (LUME_QUEUE_TIMEOUT_MS,
 * at most LUME_REQUEST_TIMEOUT_MS), or was abandoned, is answered 503
 * SERVICE_UNAVAILABLE with Retry-After where it would call the provider. */
void lume_app_handle(lume_app *app, const lume_request *req, lume_response *resp);

/* The worker is about to wait for work (lume_provider_set_idle). */
void lume_app_idle(lume_app *app);

#endif
