/*
 * queue.h: the queue deadline. nginx stamps each request with the wall-clock
 * time it handed it to the worker pool (fastcgi_param REQUEST_START $msec);
 * the worker that picks the request up computes how long it waited in the
 * FastCGI socket's queue. A request that waited past the queue budget is
 * answered 503 SERVICE_UNAVAILABLE without calling the provider (app.c).
 *
 * REQUEST_START is outside input: parsed strictly, and a value that cannot be
 * a real wait (garbage, a clock far ahead or behind) is "unknown" and changes
 * nothing, as when nginx does not send it.
 */
#ifndef LUME_QUEUE_H
#define LUME_QUEUE_H

#include <stdint.h>

#define LUME_QUEUE_WAIT_UNKNOWN (-1)
/* A start up to this far in the worker's future is clock jitter: a wait of 0. */
#define LUME_QUEUE_MAX_SKEW_MS 1000
/* No request waits this long (nginx gives up after minutes at most): beyond,
 * the stamp or a clock is wrong. */
#define LUME_QUEUE_MAX_WAIT_MS (3600 * 1000)

/* Parse nginx's $msec format: 1 to 12 digits of seconds since the epoch, '.',
 * exactly 3 digits of milliseconds ("1717171717.123"). Nothing else: no sign,
 * blank, exponent or other precision. 0 and *out_ms set, or -1. */
int lume_queue_start_parse(const char *s, int64_t *out_ms);

/* How long a request stamped request_start (may be NULL) waited until now_ms
 * (wall clock, ms since the epoch): 0..LUME_QUEUE_MAX_WAIT_MS, or
 * LUME_QUEUE_WAIT_UNKNOWN when there is no valid stamp or it is implausible. */
int64_t lume_queue_waited_ms(const char *request_start, int64_t now_ms);

#endif
