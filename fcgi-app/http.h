/*
 * response.h: the CGI response head of a lume_response (Status line and
 * headers, as FastCGI responders send them), and the request id rules.
 */
#ifndef LUME_RESPONSE_H
#define LUME_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

#define LUME_REQUEST_ID_BUF    65 /* 64 characters and NUL */
#define LUME_RESPONSE_HEAD_BUF 1024

/* Write the head (ending in an empty line) into buf. Returns its length, or 0
 * when cap is too small. */
size_t lume_response_head(const lume_response *r, const char *request_id, char *buf, size_t cap);

/* Pick the request id: the first candidate that is 1..64 characters of
 * [A-Za-z0-9._-] (nginx's $request_id, then the client's X-Request-Id), else
 * make 32 hex digits from *rng (any non-zero seed). */
void lume_request_id(const char *from_nginx, const char *from_client, uint64_t *rng,
                     char out[LUME_REQUEST_ID_BUF]);

#endif
