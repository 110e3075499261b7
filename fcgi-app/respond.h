/*
 * respond.h: the one response path, shared by a worker's app (app.h) and
 * the health responder (health.h). It owns:
 *
 *   - the answers that need no handler: a path no route knows (404) or a
 *     method other than GET, HEAD and OPTIONS (405, with Allow), both in the
 *     error envelope, and a preflight (OPTIONS: 204 with Allow);
 *   - the error envelope of docs/api.md, from a lume_status: its HTTP status,
 *     code, message, Allow and Retry-After all come from errors.h, the body
 *     from render.h;
 *   - the 200s whose body is JSON or text already, and the 500 an
 *     out-of-memory turns any of them into;
 *   - the access line, one JSON log line per answered request.
 *
 * A handler fills a lume_response (http.h) with these; the worker (through
 * acceptor.h) and the health responder write it as fcgi_wire.h's records.
 */
#ifndef LUME_RESPOND_H
#define LUME_RESPOND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "http.h"
#include "router.h"

/* What an error body says about the request it answers. */
typedef struct lume_error_ctx {
    int resolve;         /* a /resolve route: query, season, episode appear */
    const char *query;   /* decoded query, NULL when invalid or absent */
    int season, episode; /* 0 = null */
    const char *message; /* NULL: the status's default message */
    int retry_after_s;   /* a provider's Retry-After, sent with PROVIDER_UNAVAILABLE */
} lume_error_ctx;

/* Before the route's handler: resp is reset (answering without a body when
 * the request is a HEAD), then answered when matched (lume_route_match()'s
 * result for route) is an error, in the envelope, or the request is a
 * preflight. 1 when resp is the answer; 0 when the handler is to answer. */
int lume_respond_start(lume_response *resp, const lume_request *req, const lume_route *route,
                       lume_status matched, const char *provider);

/* The error answer st to req: status (over an expired copy nginx holds,
 * lume_status_http_over_copy()), no-store, Allow and Retry-After as
 * errors.h says (a provider's own Retry-After for PROVIDER_UNAVAILABLE), and
 * the envelope naming provider where the status does. extra (consumed; may
 * be NULL) adds fields to the envelope. */
void lume_respond_error(lume_response *resp, const lume_request *req, lume_status st,
                        const lume_error_ctx *ctx, json_t *extra, const char *provider);

/* 200 with the JSON of doc (consumed). A doc that cannot be rendered (NULL:
 * out of memory) is a 500 INTERNAL_ERROR instead. */
void lume_respond_json(lume_response *resp, json_t *doc, const char *cache_control);

/* 200 with body[0..len), which the response now owns; NULL (out of memory)
 * is the 500. */
void lume_respond_text(lume_response *resp, char *body, size_t len, const char *cache_control);

/* 200 with a copy of body[0..len) (a body rendered in advance; the response
 * owns its body). */
void lume_respond_copy(lume_response *resp, const char *body, size_t len,
                       const char *cache_control);

/* The access line of req, answered with resp after duration_us: event,
 * request_id, method, path, status, duration_ms, then queue_ms when the
 * wait is known, provider when not NULL, the error code when the answer is
 * one, and responder when not NULL. A warning for a 5xx, else info. */
void lume_respond_log(const lume_request *req, const lume_response *resp, int64_t duration_us,
                      const char *provider, const char *responder);

#endif
