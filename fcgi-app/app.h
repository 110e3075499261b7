/*
 * app.h: one request in, one response out. The application logic of a worker,
 * independent of FastCGI: routing, validation, the provider call, the result
 * rules (dead results dropped, then the limit) and the JSON rendering.
 */
#ifndef LUME_APP_H
#define LUME_APP_H

#include "config.h"
#include "http.h"
#include "provider_set.h"
#include "scoreboard.h"
#include "shared.h"

typedef struct lume_app lume_app;

/* Create the app around its providers; the app owns them from here on,
 * also when creation fails. NULL when out of memory. */
lume_app *lume_app_create(const lume_config *cfg, lume_provider_set *providers);
void lume_app_destroy(lume_app *app);
const char *lume_app_provider_name(const lume_app *app);

/* Join the pool: this worker writes the counters and the scoreboard line of
 * slot in shared (and its provider counts its upstream calls there), and
 * /metrics and /status read the whole pool from it and the accept queue of
 * listen_fd. Without it (unit tests) nothing is counted and both pages show
 * an empty pool. */
void lume_app_observe(lume_app *app, lume_shared *shared, int slot, int listen_fd);

/* The response to the request of the last lume_app_handle() was written,
 * latency_us after the worker took the request: count it, mark the worker idle. */
void lume_app_finish(lume_app *app, const lume_response *resp, int64_t latency_us);

/* Handle one request; resp is overwritten. Release it with lume_response_release (http.h).
 * A request that waited longer than the queue budget (LUME_QUEUE_TIMEOUT_MS,
 * at most LUME_REQUEST_TIMEOUT_MS), or was abandoned, is answered 503
 * SERVICE_UNAVAILABLE with Retry-After where it would call the provider. */
void lume_app_handle(lume_app *app, const lume_request *req, lume_response *resp);

#endif
