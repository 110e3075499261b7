/*
 * app.h: one request in, one response out. The application logic of a worker,
 * independent of FastCGI: routing, validation, the provider call, the result
 * rules (dead results dropped, then the limit) and the JSON rendering.
 */
#ifndef LUME_APP_H
#define LUME_APP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "errors.h"
#include "provider.h"

typedef struct lume_app lume_app;

typedef struct lume_request {
    const char *method;     /* REQUEST_METHOD */
    const char *uri;        /* raw REQUEST_URI */
    const char *request_id; /* already validated or generated */
    int64_t waited_ms;      /* in the queue before a worker took it (queue.h); < 0: unknown */
    int abandoned;          /* nginx already closed the connection: nobody waits for it */
} lume_request;

typedef struct lume_response {
    int status;                /* HTTP status */
    lume_status outcome;       /* LUME_OK or the error, for the access log */
    const char *cache_control; /* points into the app or a literal */
    int allow;                 /* send Allow: GET, HEAD, OPTIONS */
    int retry_after_s;         /* > 0: send Retry-After */
    int head;                  /* HEAD: headers only */
    char *body;                /* owned JSON text, NULL for none */
    size_t body_len;
} lume_response;

/* Create the app around a provider; the app owns the provider from here on,
 * also when creation fails. NULL when out of memory. */
lume_app *lume_app_create(const lume_config *cfg, lume_provider *provider);
void lume_app_destroy(lume_app *app);
const char *lume_app_provider_name(const lume_app *app);

/* Handle one request; resp is overwritten. Release it with lume_response_release.
 * A request that waited longer than the queue budget (LUME_QUEUE_TIMEOUT_MS,
 * at most LUME_REQUEST_TIMEOUT_MS), or was abandoned, is answered 503
 * SERVICE_UNAVAILABLE with Retry-After where it would call the provider. */
void lume_app_handle(lume_app *app, const lume_request *req, lume_response *resp);
void lume_response_release(lume_response *resp);

#endif
