/*
 * http.h: the HTTP side of one request, independent of FastCGI and of the
 * routes: what a worker hands the app (lume_request), what the app answers
 * (lume_response), the CGI head written for it (Status line and headers, as
 * FastCGI responders send them), and the request id rules.
 */
#ifndef LUME_HTTP_H
#define LUME_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "etag.h"

#define LUME_REQUEST_ID_BUF    65   /* 64 characters and NUL */
#define LUME_RESPONSE_HEAD_BUF 4096 /* a Link header holds up to 2.4 kB of query */

typedef struct lume_request {
    const char *method;        /* REQUEST_METHOD */
    const char *uri;           /* raw REQUEST_URI */
    const char *request_id;    /* already validated or generated */
    const char *if_none_match; /* the If-None-Match header, NULL when absent */
    int64_t waited_ms;         /* in the queue before a worker took it (queue.h); < 0: unknown */
    int abandoned;             /* nginx already closed the connection: nobody waits for it */
    int edge_copy;             /* nginx's cache holds an expired copy of the answer */
} lume_request;

typedef struct lume_response {
    int status;                /* HTTP status */
    lume_status outcome;       /* LUME_OK or the error, for the access log */
    const char *cache_control; /* points into the app or a literal */
    const char *content_type;  /* a literal; NULL: application/json */
    int allow;                 /* send Allow: GET, HEAD, OPTIONS */
    int retry_after_s;         /* > 0: send Retry-After */
    int head;                  /* HEAD: headers only */
    char etag[LUME_ETAG_BUF];  /* "" or the strong ETag of the body (etag.h) */
    char *link;                /* owned Link header value, NULL for none */
    const char *generation;    /* X-Lume-Generation (generation.h), NULL for none */
    int edge_expired;          /* X-Accel-Expires: @1: nginx stores it already expired */
    char *body;                /* owned JSON text, NULL for none */
    size_t body_len;
} lume_response;

/* Free the body and the link; the response can be released again or reused. */
void lume_response_release(lume_response *resp);

/* Write the head (ending in an empty line) into buf. Returns its length, or 0
 * when cap is too small. A 204 or 304 has no Content-Type or Content-Length. */
size_t lume_response_head(const lume_response *r, const char *request_id, char *buf, size_t cap);

/* Pick the request id: the first candidate that is 1..64 characters of
 * [A-Za-z0-9._-] (nginx's $request_id, then the client's X-Request-Id), else
 * make 32 hex digits from *rng (a lume_random_next() state). */
void lume_request_id(const char *from_nginx, const char *from_client, uint64_t *rng,
                     char out[LUME_REQUEST_ID_BUF]);

#endif
