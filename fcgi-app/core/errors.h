/*
 * errors.h: the one error enum of Lume and its mapping to HTTP.
 *
 * Every function that can fail returns a lume_status. lume_status_http() is the
 * only place that turns an outcome into an HTTP status; lume_status_code() gives
 * the API's machine-readable "error" string (docs/api.md), the other
 * functions what else an error answer says and carries.
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
    LUME_ERR_INVALID_CAPS, /* the caps parameter breaks its grammar (caps.h) */
    LUME_ERR_INVALID_ID,   /* a Stremio id or extra out of its bounds (stremio_path.h) */
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

/* The HTTP status for an outcome when nginx's response cache holds an expired
 * copy of the answer: a timeout is a 503, which nginx answers with that copy
 * (its FastCGI cache can cover a 503, never a 504); the rest as above. */
int lume_status_http_over_copy(lume_status st);

/* The API's error code ("INVALID_QUERY", ...; docs/api.md); "OK" for LUME_OK. */
const char *lume_status_code(lume_status st);

/* A safe, human-readable default message (never internals). */
const char *lume_status_message(lume_status st);

/* Does an answer with this status carry Allow (api.h's LUME_ALLOW)? The 405. */
int lume_status_allow(lume_status st);

/* The Retry-After, in seconds, every answer with this status carries; 0 when
 * none does (a provider may still send one with a 503 PROVIDER_UNAVAILABLE). */
int lume_status_retry_after(lume_status st);

/* Does the error body name the provider? Every 503 and 504. */
int lume_status_names_provider(lume_status st);

#endif
