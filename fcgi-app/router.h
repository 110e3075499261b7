/*
 * router.h: which route a request is for, from its method and raw
 * REQUEST_URI. Nothing is decoded here; the {query} segment and the query
 * string are handed on raw, as pointers into the URI.
 */
#ifndef LUME_ROUTER_H
#define LUME_ROUTER_H

#include <stddef.h>

#include "api.h" /* LUME_ALLOW */
#include "errors.h"

typedef enum lume_route_id {
    LUME_ROUTE_NONE = 0,
    LUME_ROUTE_INDEX,           /* / */
    LUME_ROUTE_HEALTH,          /* /health */
    LUME_ROUTE_RESOLVE,         /* /resolve/{query} */
    LUME_ROUTE_SEARCH,          /* /resolve/search/{query} */
    LUME_ROUTE_PROVIDER_HEALTH, /* /resolve/health/provider */
    LUME_ROUTE_METRICS,         /* /metrics */
    LUME_ROUTE_STATUS,          /* /status */
    LUME_ROUTE_STREAMS,         /* /streams/{query} */
    LUME_ROUTE_STREMIO,         /* /stremio/{token}/...: the Stremio addon (stremio.h) */
    LUME_ROUTES                 /* how many ids */
} lume_route_id;

typedef struct lume_route {
    lume_route_id id;
    int head;            /* HEAD: answer as GET, without the body */
    int options;         /* OPTIONS: answer 204 with Allow */
    const char *segment; /* raw {query}, not NUL-terminated */
    size_t segment_len;
    const char *args; /* raw query string after '?', not NUL-terminated */
    size_t args_len;
} lume_route;

/* Match method and uri. Returns LUME_OK with *out filled,
 * LUME_ERR_METHOD_NOT_ALLOWED for a method other than GET, HEAD or OPTIONS,
 * or LUME_ERR_NOT_FOUND for an unknown path. out->id is set even on errors
 * when the path is known. */
lume_status lume_route_match(const char *method, const char *uri, lume_route *out);

/* The path of the router's i-th route ("/streams/{query}"), NULL past the
 * last: the contract's list (contract.h). */
const char *lume_route_path(size_t i);

/* The route's name in metrics and the scoreboard: "resolve", "none", ... */
const char *lume_route_name(lume_route_id id);

/* Is this a /resolve or /streams route (whose errors carry query, season,
 * episode)? */
int lume_route_is_resolve(lume_route_id id);

#endif
