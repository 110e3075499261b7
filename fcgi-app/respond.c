/*
 * respond.c: the error envelope, the answers every route shares, the 200
 * bodies and the access line (see respond.h).
 */
#include "respond.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"
#include "render.h"

static json_t *nullable_int(int v)
{
    return v > 0 ? json_integer(v) : json_null();
}

/* Set the body from doc (consumed); a failure to render is a 500. */
static void set_body(lume_response *resp, json_t *doc)
{
    resp->body = lume_render_dump(doc, &resp->body_len);
    if (resp->body == NULL) {
        static const char oom[] = "{\"detail\":{\"error\":\"INTERNAL_ERROR\","
                                  "\"message\":\"internal error\"}}";
        resp->status = lume_status_http(LUME_ERR_INTERNAL);
        resp->outcome = LUME_ERR_INTERNAL;
        resp->cache_control = LUME_ERROR_CACHE_CONTROL;
        resp->body = strdup(oom);
        resp->body_len = resp->body ? sizeof(oom) - 1 : 0;
    }
}

void lume_respond_error(lume_response *resp, const lume_request *req, lume_status st,
                        const lume_error_ctx *ctx, json_t *extra, const char *provider)
{
    if (ctx->resolve) {
        json_t *fields = json_pack(
            "{s:o, s:o, s:o}", "query", ctx->query ? json_string(ctx->query) : json_null(),
            "season", nullable_int(ctx->season), "episode", nullable_int(ctx->episode));
        if (extra == NULL)
            extra = fields;
        else {
            json_object_update(extra, fields);
            json_decref(fields);
        }
    }
    resp->status = req->edge_copy ? lume_status_http_over_copy(st) : lume_status_http(st);
    resp->outcome = st;
    resp->cache_control = LUME_ERROR_CACHE_CONTROL;
    /* "Gone" replaces "was there": a resolve's 404 where nginx holds an
     * expired answer is stored in its place, already expired, so it is never
     * served as fresh and the old answer is never served again, not even
     * stale (docs/api.md, "Caching"). Other 404s are not stored at all. */
    resp->edge_expired = st == LUME_ERR_NOT_FOUND && ctx->resolve && req->edge_copy;
    resp->allow = lume_status_allow(st);
    /* A fixed Retry-After (overload), else the provider's (an open circuit). */
    resp->retry_after_s = lume_status_retry_after(st) > 0 ? lume_status_retry_after(st)
                          : st == LUME_ERR_UNAVAILABLE    ? ctx->retry_after_s
                                                          : 0;
    set_body(resp, lume_render_error(st, ctx->message, extra, provider, req->request_id));
}

int lume_respond_start(lume_response *resp, const lume_request *req, const lume_route *route,
                       lume_status matched, const char *provider)
{
    memset(resp, 0, sizeof(*resp));
    resp->head = route->head;
    if (matched != LUME_OK) {
        lume_error_ctx ctx = {.resolve = lume_route_is_resolve(route->id)};
        lume_respond_error(resp, req, matched, &ctx, NULL, provider);
        return 1;
    }
    if (route->options) { /* a preflight: never stored */
        resp->status = 204;
        resp->outcome = LUME_OK;
        resp->allow = 1;
        resp->cache_control = LUME_ERROR_CACHE_CONTROL;
        return 1;
    }
    return 0;
}

void lume_respond_json(lume_response *resp, json_t *doc, const char *cache_control)
{
    resp->status = lume_status_http(LUME_OK);
    resp->outcome = LUME_OK;
    resp->cache_control = cache_control;
    set_body(resp, doc);
}

void lume_respond_text(lume_response *resp, char *body, size_t len, const char *cache_control)
{
    if (body == NULL) {
        set_body(resp, NULL);
        return;
    }
    resp->body = body;
    resp->body_len = len;
    resp->status = lume_status_http(LUME_OK);
    resp->outcome = LUME_OK;
    resp->cache_control = cache_control;
}

void lume_respond_copy(lume_response *resp, const char *body, size_t len, const char *cache_control)
{
    char *copy = malloc(len + 1);

    if (copy != NULL)
        memcpy(copy, body, len + 1);
    lume_respond_text(resp, copy, len, cache_control);
}

/* The path as logged: the Stremio addon's token (its secret path segment,
 * /stremio/{token}/...) never written. */
static const char *path_shown(const char *uri, char *buf, size_t cap)
{
    static const char prefix[] = "/stremio/";
    const char *rest;

    if (uri == NULL || strncmp(uri, prefix, sizeof(prefix) - 1) != 0)
        return uri;
    rest = strchr(uri + sizeof(prefix) - 1, '/');
    snprintf(buf, cap, "%s(token)%s", prefix, rest != NULL ? rest : "");
    return buf;
}

void lume_respond_log(const lume_request *req, const lume_response *resp, int64_t duration_us,
                      const char *provider, const char *responder)
{
    lume_logline l;
    char shown[LUME_LOGLINE_MAX]; /* a path longer is cut by the line anyway */

    if (!lume_logline_begin(&l, resp->status >= 500 ? LUME_LOG_WARN : LUME_LOG_INFO))
        return;
    lume_logline_str(&l, "event", "request");
    lume_logline_str(&l, "request_id", req->request_id);
    lume_logline_str(&l, "method", req->method);
    lume_logline_str(&l, "path", path_shown(req->uri, shown, sizeof(shown)));
    lume_logline_int(&l, "status", resp->status);
    lume_logline_ms(&l, "duration_ms", duration_us);
    if (req->waited_ms >= 0)
        lume_logline_int(&l, "queue_ms", req->waited_ms);
    if (provider != NULL)
        lume_logline_str(&l, "provider", provider);
    if (resp->outcome != LUME_OK)
        lume_logline_str(&l, "error", lume_status_code(resp->outcome));
    if (responder != NULL)
        lume_logline_str(&l, "responder", responder);
    lume_logline_write(&l);
}
