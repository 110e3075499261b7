/*
 * router.c: the route table and matching on the raw request URI (router.h).
 */
#include "router.h"

#include <string.h>

#include "metrics.h"

_Static_assert(LUME_ROUTES <= LUME_METRICS_ROUTES, "a row of counters for every route");

typedef struct route_def {
    const char *path;   /* as documented: "/resolve/{query}" */
    const char *prefix; /* the whole path, or the prefix before {query} */
    int has_segment;    /* 1: followed by one {query} segment; 2: by the rest of
                         * the path, '/' first (the Stremio addon's) */
    lume_route_id id;
} route_def;

/* Exact paths first: /resolve/health/provider wins over /resolve/{query}. */
static const route_def routes[] = {
    {"/", "/", 0, LUME_ROUTE_INDEX},
    {"/health", "/health", 0, LUME_ROUTE_HEALTH},
    {"/metrics", "/metrics", 0, LUME_ROUTE_METRICS},
    {"/status", "/status", 0, LUME_ROUTE_STATUS},
    {"/resolve/health/provider", "/resolve/health/provider", 0, LUME_ROUTE_PROVIDER_HEALTH},
    {"/resolve/search/{query}", "/resolve/search/", 1, LUME_ROUTE_SEARCH},
    {"/resolve/{query}", "/resolve/", 1, LUME_ROUTE_RESOLVE},
    {"/streams/{query}", "/streams/", 1, LUME_ROUTE_STREAMS},
    {"/stremio/{token}/manifest.json", "/stremio", 2, LUME_ROUTE_STREMIO},
};

static int method_is(const char *method, const char *name)
{
    return method != NULL && strcmp(method, name) == 0;
}

lume_status lume_route_match(const char *method, const char *uri, lume_route *out)
{
    const char *q;
    size_t path_len;
    int allowed;

    memset(out, 0, sizeof(*out));
    if (uri == NULL || uri[0] != '/')
        return LUME_ERR_NOT_FOUND;
    q = strchr(uri, '?');
    path_len = q ? (size_t)(q - uri) : strlen(uri);
    if (q != NULL) {
        out->args = q + 1;
        out->args_len = strlen(q + 1);
    }
    out->head = method_is(method, "HEAD");
    out->options = method_is(method, "OPTIONS");
    allowed = out->head || out->options || method_is(method, "GET");

    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const route_def *r = &routes[i];
        size_t plen = strlen(r->prefix);

        if (!r->has_segment) {
            if (path_len != plen || memcmp(uri, r->prefix, plen) != 0)
                continue;
        } else if (r->has_segment == 2) {
            if (path_len <= plen || memcmp(uri, r->prefix, plen) != 0 || uri[plen] != '/')
                continue;
            out->segment = uri + plen;
            out->segment_len = path_len - plen;
        } else {
            if (path_len < plen || memcmp(uri, r->prefix, plen) != 0 ||
                memchr(uri + plen, '/', path_len - plen) != NULL)
                continue;
            out->segment = uri + plen;
            out->segment_len = path_len - plen;
        }
        out->id = r->id;
        return allowed ? LUME_OK : LUME_ERR_METHOD_NOT_ALLOWED;
    }
    return allowed ? LUME_ERR_NOT_FOUND : LUME_ERR_METHOD_NOT_ALLOWED;
}

const char *lume_route_path(size_t i)
{
    return i < sizeof(routes) / sizeof(routes[0]) ? routes[i].path : NULL;
}

int lume_route_is_resolve(lume_route_id id)
{
    return id == LUME_ROUTE_RESOLVE || id == LUME_ROUTE_SEARCH || id == LUME_ROUTE_STREAMS;
}

const char *lume_route_name(lume_route_id id)
{
    static const char *const names[LUME_ROUTES] = {
        [LUME_ROUTE_NONE] = "none",       [LUME_ROUTE_INDEX] = "index",
        [LUME_ROUTE_HEALTH] = "health",   [LUME_ROUTE_RESOLVE] = "resolve",
        [LUME_ROUTE_SEARCH] = "search",   [LUME_ROUTE_PROVIDER_HEALTH] = "provider_health",
        [LUME_ROUTE_METRICS] = "metrics", [LUME_ROUTE_STATUS] = "status",
        [LUME_ROUTE_STREAMS] = "streams", [LUME_ROUTE_STREMIO] = "stremio",
    };

    return id < LUME_ROUTES && names[id] != NULL ? names[id] : "none";
}
