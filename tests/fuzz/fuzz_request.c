/*
 * fuzz_request.c: one request through the whole application with the mock
 * provider, as a worker serves it: the request id (lume_request_id), routing
 * of the raw method and URI (router.c), decoding and validation (query.c),
 * the provider call, rendering (render.c) and the head (response.c).
 * The input is URI, method, nginx's id, the client's id and If-None-Match,
 * separated by NUL bytes; a missing method is GET and a missing URI "", as in
 * worker.c; a missing If-None-Match is none. A 304 has no body and the ETag
 * it matched.
 *
 * The route points into the URI (the segment has no '/', the arguments
 * follow the first '?'); every response has a known status matching its
 * outcome, a body that is one JSON object of the stated length (none on
 * OPTIONS), errors in the {"detail": {...}} envelope with the request id,
 * 200s of /resolve an https MediaLink, and a head that fits.
 */
#include <jansson.h>

#include "fuzz/fuzz_head.h"
#include "provider.h"
#include "router.h"

static lume_app *app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lume_config cfg;
    char err[256];
    lume_provider_set *p;

    (void)argc;
    (void)argv;
    lume_config_defaults(&cfg);
    p = lume_provider_set_create(&cfg.provider, NULL, err, sizeof(err));
    FUZZ_CHECK(p != NULL);
    app = lume_app_create(&cfg, p);
    FUZZ_CHECK(app != NULL);
    return 0;
}

static void check_route(const char *method, const char *uri)
{
    lume_route route;
    lume_status st = lume_route_match(method, uri, &route);
    const char *q = uri ? strchr(uri, '?') : NULL;
    size_t path_len = uri ? (q ? (size_t)(q - uri) : strlen(uri)) : 0;

    FUZZ_CHECK(st == LUME_OK || st == LUME_ERR_NOT_FOUND || st == LUME_ERR_METHOD_NOT_ALLOWED);
    if (uri == NULL || uri[0] != '/') {
        FUZZ_CHECK(st == LUME_ERR_NOT_FOUND && route.id == LUME_ROUTE_NONE);
        return;
    }
    FUZZ_CHECK(q ? route.args == q + 1 && route.args_len == strlen(q + 1) : route.args == NULL);
    if (route.segment != NULL && route.id == LUME_ROUTE_STREMIO) {
        /* the addon's: the rest of the path, from its '/' (stremio.h) */
        FUZZ_CHECK(route.segment > uri && route.segment + route.segment_len == uri + path_len);
        FUZZ_CHECK(route.segment[0] == '/' && strncmp(uri, "/stremio/", 9) == 0);
    } else if (route.segment != NULL) {
        FUZZ_CHECK(lume_route_is_resolve(route.id));
        FUZZ_CHECK(route.segment > uri && route.segment + route.segment_len == uri + path_len);
        FUZZ_CHECK(memchr(route.segment, '/', route.segment_len) == NULL);
    } else {
        FUZZ_CHECK(!lume_route_is_resolve(route.id));
    }
    if (route.id == LUME_ROUTE_NONE)
        FUZZ_CHECK(st != LUME_OK);
    if (method == NULL ||
        (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS")))
        FUZZ_CHECK(st == LUME_ERR_METHOD_NOT_ALLOWED);
    FUZZ_CHECK(route.head == (method && strcmp(method, "HEAD") == 0));
    FUZZ_CHECK(route.options == (method && strcmp(method, "OPTIONS") == 0));
}

static void check_body(const lume_request *req, const lume_response *resp, int resolve)
{
    json_error_t jerr;
    json_t *doc, *detail;

    FUZZ_CHECK(resp->body != NULL && strlen(resp->body) == resp->body_len);
    if (resp->content_type != NULL && strncmp(resp->content_type, "application/json", 16) != 0)
        return; /* /metrics: Prometheus text, not JSON */
    doc = json_loadb(resp->body, resp->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL)
        fprintf(stderr, "body is not JSON (%s): %s\n", jerr.text, resp->body);
    FUZZ_CHECK(json_is_object(doc));
    if (resp->status >= 400) {
        detail = json_object_get(doc, "detail");
        FUZZ_CHECK(json_is_object(detail));
        FUZZ_CHECK(strcmp(json_string_value(json_object_get(detail, "error")),
                          lume_status_code(resp->outcome)) == 0);
        FUZZ_CHECK(json_is_string(json_object_get(detail, "message")));
        FUZZ_CHECK(
            strcmp(json_string_value(json_object_get(detail, "request_id")), req->request_id) == 0);
    } else if (resolve && json_object_get(doc, "streams") != NULL) {
        FUZZ_CHECK(json_is_array(json_object_get(doc, "streams")));
        FUZZ_CHECK(json_is_array(json_object_get(doc, "providers")));
    } else if (resolve && json_object_get(doc, "results") == NULL) {
        const char *url = json_string_value(json_object_get(doc, "url"));
        FUZZ_CHECK(json_is_string(json_object_get(doc, "title")));
        FUZZ_CHECK(url != NULL && strncmp(url, "https://", 8) == 0);
    }
    json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    int has_method, has_ids;
    char *uri = fuzz_until(&r, 0, NULL), *method, *nginx, *client, *inm;
    char id[LUME_REQUEST_ID_BUF], head[LUME_RESPONSE_HEAD_BUF];
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    lume_request req;
    lume_response resp;
    lume_route route;
    size_t n;

    has_method = r.left > 0;
    method = fuzz_until(&r, 0, NULL);
    has_ids = r.left > 0;
    nginx = fuzz_until(&r, 0, NULL);
    client = fuzz_until(&r, 0, NULL);
    req.if_none_match = r.left > 0 ? "" : NULL;
    inm = fuzz_until(&r, 0, NULL);
    if (req.if_none_match != NULL)
        req.if_none_match = inm;
    lume_request_id(has_ids ? nginx : NULL, has_ids ? client : NULL, &rng, id);
    FUZZ_CHECK(fuzz_id_valid(id));
    req.uri = uri;
    req.method = has_method ? method : "GET";
    req.request_id = id;
    req.waited_ms = -1; /* no queue stamp: served as it comes */
    req.abandoned = 0;
    req.edge_copy = size > 0 && (data[size - 1] & 1); /* nginx's cache holds an expired copy */

    check_route(req.method, req.uri);
    check_route(NULL, req.uri);
    check_route(req.method, NULL);
    lume_route_match(req.method, req.uri, &route);

    lume_app_handle(app, &req, &resp);
    FUZZ_CHECK(resp.status == 200 || resp.status == 204 || resp.status == 304 ||
               resp.status == 400 || resp.status == 404 || resp.status == 405 ||
               resp.status == 500 || resp.status == 503 || resp.status == 504);
    if (resp.status == 204) {
        FUZZ_CHECK(route.options && resp.body == NULL && resp.allow);
    } else if (resp.status == 304) {
        FUZZ_CHECK(resp.outcome == LUME_OK && resp.body == NULL && resp.body_len == 0);
        FUZZ_CHECK(resp.etag[0] == '"' && lume_etag_none_match(req.if_none_match, resp.etag));
    } else {
        FUZZ_CHECK(resp.status == (req.edge_copy ? lume_status_http_over_copy(resp.outcome)
                                                  : lume_status_http(resp.outcome)));
        /* only a resolve's 404 over a copy is stored by nginx, already expired */
        FUZZ_CHECK(resp.edge_expired == (req.edge_copy && resp.outcome == LUME_ERR_NOT_FOUND &&
                                         lume_route_is_resolve(route.id)));
        check_body(&req, &resp, lume_route_is_resolve(route.id));
    }
    FUZZ_CHECK(resp.head == route.head);
    FUZZ_CHECK(resp.allow == (resp.status == 405 || resp.status == 204));
    n = lume_response_head(&resp, id, head, sizeof(head));
    fuzz_check_head(&resp, id, head, n);
    lume_response_release(&resp);
    free(inm);
    free(uri);
    free(method);
    free(nginx);
    free(client);
    return 0;
}
