/*
 * query.h: validation of everything a client puts in a URI, and the one TV
 * formatting rule every provider uses.
 *
 * Pure functions over buffers (no allocation, no globals): the router and
 * the providers call them, and fuzzers can drive them directly.
 */
#ifndef LUME_QUERY_H
#define LUME_QUERY_H

#include <stddef.h>

#include "api.h" /* the bounds */
#include "caps.h"
#include "errors.h"
#include "percent.h" /* lume_percent_decode */
#include "utf8.h" /* lume_utf8_length */

/* Bytes for a decoded query: 200 code points of at most 4 bytes, and NUL. */
#define LUME_QUERY_BUF (4 * LUME_QUERY_MAX_CHARS + 4)
/* Bytes for a formatted query: the query, " S9999E9999" and NUL. */
#define LUME_FORMATTED_BUF (LUME_QUERY_BUF + 12)

/* Decode the raw {query} path segment raw[0..len) into out (NUL-terminated):
 * percent-decoded (%2F is '/', '+' stays '+'), valid UTF-8, surrounding ASCII
 * whitespace trimmed, 1..200 code points, no control characters (C0, DEL,
 * C1). Returns LUME_OK or LUME_ERR_INVALID_QUERY. */
lume_status lume_query_decode(const char *raw, size_t len, char out[LUME_QUERY_BUF]);

typedef struct lume_params {
    int season;     /* 0 when absent */
    int episode;    /* 0 when absent */
    int limit;      /* LUME_LIMIT_DEFAULT when absent */
    lume_caps caps; /* the device (caps.h); lume_caps_default() when absent */
} lume_params;

/* Parse the query string qs[0..len) (after '?'). season and episode are
 * 1..9999; limit (only when with_limit) is 1..25; caps as caps.h says. A
 * parameter given twice is invalid; unknown parameters are ignored. Errors,
 * first that applies: INVALID_SEASON, INVALID_EPISODE, INVALID_LIMIT,
 * INVALID_CAPS, EPISODE_WITHOUT_SEASON.
 * out is filled in on errors too, an invalid parameter as absent, so that
 * error bodies can report the valid ones. */
lume_status lume_params_parse(const char *qs, size_t len, int with_limit, lume_params *out);

/* "<query> S04E01" with season and episode, "<query> S04" with season alone,
 * the query itself otherwise; two digits at least. Returns 0, or -1 when out
 * is too small. */
int lume_tv_format(const char *query, int season, int episode, char *out, size_t cap);

#endif
