/*
 * errors.h: the one error enum of Lume and its mapping to HTTP.
 *
 * Every function that can fail returns a lume_status. lume_status_http() is the
 * only place that turns an outcome into an HTTP status; lume_status_code() gives
 * the contract's machine-readable "error" string.
 */
#ifndef LUME_ERRORS_H
#define LUME_ERRORS_H

typedef enum lume_status {
    LUME_OK = 0,
    LUME_ERR_INVALID_QUERY,
    LUME_ERR_INVALID_SEASON,
    LUME_ERR_INVALID_EPISODE,
    LUME_ERR_EPISODE_WITHOUT_SEASON,
    LUME_ERR_INVALID_LIMIT,
    LUME_ERR_NOT_FOUND,
    LUME_ERR_METHOD_NOT_ALLOWED,
    LUME_ERR_UNAVAILABLE, /* upstream refused, reset, 5xx, malformed, circuit open */
    LUME_ERR_TIMEOUT,     /* the request's upstream deadline passed */
    LUME_ERR_OVERLOADED,  /* it waited for a worker past the queue budget, or nginx left */
    LUME_ERR_INTERNAL,    /* anything unexpected, including out of memory */
    LUME_STATUS_COUNT
} lume_status;

/* HTTP status for an outcome: 200 for LUME_OK, 500 for anything unknown. */
int lume_status_http(lume_status st);

/* Contract error code ("INVALID_QUERY", ...); "OK" for LUME_OK. */
const char *lume_status_code(lume_status st);

/* A safe, human-readable default message (never internals). */
const char *lume_status_message(lume_status st);

#endif
