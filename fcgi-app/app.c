/*
 * app.c: the route handlers of a worker (see app.h). Their answers are
 * built by respond.h: errors of every route end in respond_error(), the
 * API's error envelope (docs/api.md) naming this app's provider.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cache_life.h"
#include "clock.h"
#include "etag.h"
#include "generation.h"
#include "next_link.h"
#include "pool_pages.h"
#include "query.h"
#include "rank.h"
#include "render.h"
#include "respond.h"
#include "router.h"
#include "stremio.h"

struct lume_app {
    lume_config cfg;
    lume_provider_set *providers;
    lume_provider_outcome outcomes[LUME_PROVIDERS_MAX]; /* of the request in hand */
    char cache_public[128];               /* "public, max-age=300, stale-while-revalidate=..." */
    char cache_negative[64];              /* an empty search's: "public, max-age=30" or no-store */
    char cache_links[128];                /* of the request in hand, cut by its links' expiry */
    char generation[LUME_GENERATION_BUF]; /* named in every answer (generation.h) */
    lume_results results;                 /* reused across requests */
    char *index_body;                     /* the constant bodies, rendered once */
    size_t index_len;
    char *health_body;
    size_t health_len;
    lume_observe *obs; /* the pool's view (lume_app_observe); NULL when alone (unit tests) */
};

static const char CACHE_NO_STORE[] = LUME_ERROR_CACHE_CONTROL; /* also health answers' */

/* Cache-Control of 200 answers: max-age, and the stale extensions (RFC 5861)
 * that are not 0. */
static void cache_control_public(const lume_config *cfg, char *out, size_t cap)
{
    lume_cache_life life = lume_cache_life_of(cfg, NULL, 0, 0);

    lume_cache_control(&life, out, cap);
}

/* The Cache-Control of an answer holding items[0..n): the public one, cut
 * when a signed link in them expires before it would be gone (cache_life.h). */
static const char *cache_for(lume_app *app, const lume_media_link *items, size_t n)
{
    lume_cache_life life =
        lume_cache_life_of(&app->cfg, items, n, (int64_t)(lume_wall_ms() / 1000));

    if (!life.expired && life.max_age == app->cfg.cache_max_age &&
        life.stale_revalidate == app->cfg.cache_stale_revalidate &&
        life.stale_if_error == app->cfg.cache_stale_if_error)
        return app->cache_public;
    lume_cache_control(&life, app->cache_links, sizeof(app->cache_links));
    return app->cache_links;
}

lume_app *lume_app_create(const lume_config *cfg, lume_provider_set *providers)
{
    lume_app *app = calloc(1, sizeof(*app));

    if (app == NULL) {
        lume_provider_set_destroy(providers);
        return NULL;
    }
    app->cfg = *cfg;
    app->providers = providers;
    cache_control_public(cfg, app->cache_public, sizeof(app->cache_public));
    if (cfg->cache_negative_max_age > 0)
        snprintf(app->cache_negative, sizeof(app->cache_negative), "public, max-age=%ld",
                 cfg->cache_negative_max_age);
    else
        snprintf(app->cache_negative, sizeof(app->cache_negative), "%s", CACHE_NO_STORE);
    lume_generation(cfg, app->generation);
    lume_results_init(&app->results);
    app->index_body = lume_render_dump(lume_render_index(), &app->index_len);
    app->health_body = lume_render_dump(json_pack("{s:s}", "status", "healthy"), &app->health_len);
    if (app->index_body == NULL || app->health_body == NULL) {
        lume_app_destroy(app);
        return NULL;
    }
    return app;
}

void lume_app_destroy(lume_app *app)
{
    if (app == NULL)
        return;
    lume_results_free(&app->results);
    free(app->index_body);
    free(app->health_body);
    lume_provider_set_destroy(app->providers);
    free(app);
}

void lume_app_observe(lume_app *app, lume_observe *obs)
{
    app->obs = obs;
    lume_provider_set_observe(app->providers, lume_observe_metrics(obs), lume_observe_counts(obs));
}

void lume_app_idle(lume_app *app)
{
    lume_provider_set_idle(app->providers);
}

const char *lume_app_provider_name(const lume_app *app)
{
    return lume_provider_set_reported(app->providers);
}

/* The error answer (respond.h), naming this app's provider. */
static void respond_error(lume_app *app, const lume_request *req, lume_response *resp,
                          lume_status st, const lume_error_ctx *ctx, json_t *extra)
{
    lume_respond_error(resp, req, st, ctx, extra, lume_provider_set_reported(app->providers));
}

/* 200 with a MediaLink, written without Jansson's tree (render.h). */
static void respond_ok_text(lume_response *resp, const lume_media_link *m,
                            const char *cache_control)
{
    size_t len = 0;
    char *body = lume_render_link_text(m, &len);

    lume_respond_text(resp, body, len, cache_control);
}

/* The queue deadline: true when the request waited for a worker longer than
 * the budget, or nginx has left; then the provider is not called. The budget
 * is at most the request timeout, which counts from the same moment. */
static int too_late(const lume_app *app, const lume_request *req)
{
    long budget = app->cfg.queue_timeout_ms < app->cfg.request_timeout_ms
                      ? app->cfg.queue_timeout_ms
                      : app->cfg.request_timeout_ms;

    return req->abandoned || req->waited_ms > budget;
}

/* Answer a request that came too late: 503 SERVICE_UNAVAILABLE, Retry-After. */
static void respond_too_late(lume_app *app, const lume_request *req, lume_response *resp,
                             lume_error_ctx *ctx)
{
    respond_error(app, req, resp, LUME_ERR_OVERLOADED, ctx, NULL);
}

/* What the body of /streams says of the next episode: the Link header's
 * knowledge (next_link.h). */
static lume_render_next next_of(int season, int episode, lume_next next)
{
    lume_render_next n = {0, 0, 0};

    if (season <= 0 || episode <= 0 || next == LUME_NEXT_NONE)
        return n;
    if (next == LUME_NEXT_SEASON) {
        if (season < LUME_SEASON_MAX)
            n = (lume_render_next){season + 1, 1, 1};
    } else if (episode < LUME_EPISODE_MAX) {
        n = (lume_render_next){season, episode + 1, next == LUME_NEXT_EPISODE};
    }
    return n;
}

/* Did a provider fail while others answered? Such an answer is kept only
 * briefly: the next one may be whole. */
static int partial(const lume_app *app)
{
    for (size_t i = 0; i < lume_provider_set_count(app->providers); i++)
        if (app->outcomes[i].status != LUME_OK)
            return 1;
    return 0;
}

/* /resolve/{query}, /resolve/search/{query} and /streams/{query}: one search
 * of every provider, the candidates ranked for the device (rank.h). */
static void handle_resolve(lume_app *app, const lume_request *req, const lume_route *route,
                           lume_response *resp)
{
    char query[LUME_QUERY_BUF], formatted[LUME_FORMATTED_BUF], message[LUME_FORMATTED_BUF + 64];
    int resolve_route = route->id == LUME_ROUTE_RESOLVE;
    lume_error_ctx ctx = {.resolve = 1};
    lume_provider_error perr = {{0}, 0};
    lume_params params;
    lume_search s;
    lume_status st, pst;
    lume_render_next next;
    size_t live;

    /* Both are parsed first, so an error body reports every valid parameter. */
    st = lume_query_decode(route->segment, route->segment_len, query);
    if (st == LUME_OK)
        ctx.query = query;
    pst = lume_params_parse(route->args, route->args_len, !resolve_route, &params);
    ctx.season = params.season;
    ctx.episode = params.episode;
    if (st != LUME_OK || (st = pst) != LUME_OK) {
        respond_error(app, req, resp, st, &ctx, NULL);
        return;
    }
    if (lume_tv_format(query, params.season, params.episode, formatted, sizeof(formatted)) != 0) {
        respond_error(app, req, resp, LUME_ERR_INTERNAL, &ctx, NULL);
        return;
    }

    s.query = query;
    s.formatted = formatted;
    s.season = params.season;
    s.episode = params.episode;
    s.limit = resolve_route ? 1 : params.limit;
    if (too_late(app, req)) {
        respond_too_late(app, req, resp, &ctx);
        return;
    }
    /* The deadline counts from when nginx handed the request over, when known. */
    s.deadline_ms =
        lume_now_ms() - (req->waited_ms > 0 ? req->waited_ms : 0) + app->cfg.request_timeout_ms;
    lume_results_clear(&app->results);
    st = lume_provider_set_search(app->providers, &s, &app->results, app->outcomes, &perr);
    if (st != LUME_OK) {
        ctx.message = perr.message;
        ctx.retry_after_s = perr.retry_after_s;
        respond_error(app, req, resp, st, &ctx, NULL);
        return;
    }
    live = lume_results_rank(&app->results, &params.caps, (size_t)s.limit);
    if (route->id == LUME_ROUTE_STREAMS) {
        next = next_of(params.season, params.episode, app->results.next);
        lume_respond_json(
            resp,
            lume_render_streams(query, params.season, params.episode, app->results.items,
                                app->results.count, live, &next, app->outcomes,
                                lume_provider_set_count(app->providers)),
            live > 0 && !partial(app) ? cache_for(app, app->results.items, app->results.count)
                                      : app->cache_negative);
    } else if (!resolve_route) {
        lume_respond_json(resp,
                          lume_render_search(query, app->results.items, app->results.count, live,
                                             lume_provider_set_reported(app->providers)),
                          live > 0 && !partial(app)
                              ? cache_for(app, app->results.items, app->results.count)
                              : app->cache_negative);
    } else if (live == 0 || app->results.items[0].direct_play == LUME_TRI_NO) {
        /* A link the device cannot play is never the answer (rank.h puts
         * the playable first: the top one is not, so none is). */
        snprintf(message, sizeof(message), "no live result %sfor '%s'",
                 live == 0 ? "" : "this device plays ", formatted);
        ctx.message = message;
        respond_error(app, req, resp, LUME_ERR_NOT_FOUND, &ctx, NULL);
    } else {
        respond_ok_text(resp, &app->results.items[0],
                        partial(app) ? app->cache_negative : cache_for(app, app->results.items, 1));
        /* The next-episode hint: a header, the body's shape stays (docs/api.md). */
        if (params.season > 0 && params.episode > 0 && resp->status == 200)
            resp->link = lume_next_link(query, params.season, params.episode, app->results.next);
    }
}

/* /stremio/{token}/...: the addon's answers (stremio.h), through the same
 * providers, cached like the resolve routes. */
static void handle_stremio(lume_app *app, const lume_request *req, const lume_route *route,
                           lume_response *resp)
{
    lume_stremio_ctx ctx = {&app->cfg, app->providers, &app->results, app->outcomes, 0};
    lume_provider_error perr = {{0}, 0};
    lume_error_ctx ectx = {0};
    json_t *body = NULL;
    lume_cache_life life;
    lume_status st;

    if (too_late(app, req)) {
        respond_too_late(app, req, resp, &ectx);
        return;
    }
    ctx.deadline_ms =
        lume_now_ms() - (req->waited_ms > 0 ? req->waited_ms : 0) + app->cfg.request_timeout_ms;
    st = lume_stremio_answer(&ctx, route->segment, route->segment_len, &body, &life, &perr);
    if (st == LUME_OK) {
        lume_cache_control(&life, app->cache_links, sizeof(app->cache_links));
        lume_respond_json(resp, body, app->cache_links);
        return;
    }
    ectx.message = perr.message[0] ? perr.message : NULL;
    ectx.retry_after_s = perr.retry_after_s;
    respond_error(app, req, resp, st, &ectx, NULL);
}

/* Each provider's health, with several: [{"name", "provider", "status",
 * "error"?, "message"?}]. */
static json_t *providers_health(const lume_app *app)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < lume_provider_set_count(app->providers); i++) {
        const lume_provider_outcome *o = &app->outcomes[i];
        json_t *row = json_pack("{s:s, s:s, s:s}", "name", o->name, "provider", o->reported,
                                "status", o->status == LUME_OK ? "healthy" : "unhealthy");
        if (row != NULL && o->status != LUME_OK)
            json_object_update_new(
                row,
                json_pack("{s:s, s:s}", "error", lume_status_code(o->status), "message",
                          o->err.message[0] ? o->err.message : lume_status_message(o->status)));
        if (json_array_append_new(list, row) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* GET /resolve/health/provider: healthy when at least one provider can
 * serve. With one provider, its answer as ever; with several, each one's
 * state too ("providers"). */
static void handle_provider_health(lume_app *app, const lume_request *req, lume_response *resp)
{
    const char *name = lume_provider_set_reported(app->providers);
    int several = lume_provider_set_count(app->providers) > 1;
    lume_provider_error perr = {{0}, 0};
    lume_status st;
    lume_error_ctx ctx = {0};
    json_t *fields;

    if (too_late(app, req)) {
        respond_too_late(app, req, resp, &ctx);
        return;
    }
    st = lume_provider_set_health(
        app->providers, lume_now_ms() + app->cfg.provider.connect_timeout_ms, app->outcomes, &perr);
    fields = json_pack("{s:s, s:s}", "status", st == LUME_OK ? "healthy" : "unhealthy", "provider",
                       name);
    if (fields != NULL && several)
        json_object_set_new(fields, "providers", providers_health(app));
    if (st == LUME_OK) {
        lume_respond_json(resp, fields, CACHE_NO_STORE);
        return;
    }
    /* Unhealthy is always a 503: the health answer's fields plus the envelope. */
    ctx.message = perr.message[0] ? perr.message : "the media provider is unhealthy";
    ctx.retry_after_s = perr.retry_after_s;
    respond_error(app, req, resp, LUME_ERR_UNAVAILABLE, &ctx, fields);
}

/* Every 200 with a body gets its strong ETag; one the client already has
 * (If-None-Match, weak comparison) becomes a 304 without a body, with the
 * headers the 200 would have had (RFC 9110, 15.4.5). */
static void validate(const lume_request *req, lume_response *resp)
{
    if (resp->status != 200 || resp->body == NULL)
        return;
    lume_etag(resp->body, resp->body_len, resp->etag);
    if (!lume_etag_none_match(req->if_none_match, resp->etag))
        return;
    resp->status = 304;
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
}

static void route_request(lume_app *app, const lume_request *req, lume_response *resp)
{
    lume_route route;
    lume_status st = lume_route_match(req->method, req->uri, &route);
    lume_error_ctx ctx = {.resolve = lume_route_is_resolve(route.id)};

    lume_observe_begin(app->obs, route.id, req->request_id);
    if (lume_respond_start(resp, req, &route, st, lume_provider_set_reported(app->providers)))
        return;
    switch (route.id) {
    case LUME_ROUTE_INDEX:
        lume_respond_copy(resp, app->index_body, app->index_len, app->cache_public);
        return;
    case LUME_ROUTE_HEALTH:
        lume_respond_copy(resp, app->health_body, app->health_len, CACHE_NO_STORE);
        return;
    case LUME_ROUTE_PROVIDER_HEALTH: handle_provider_health(app, req, resp); return;
    case LUME_ROUTE_RESOLVE:
    case LUME_ROUTE_SEARCH:
    case LUME_ROUTE_STREAMS: handle_resolve(app, req, &route, resp); return;
    case LUME_ROUTE_STREMIO: handle_stremio(app, req, &route, resp); return;
    case LUME_ROUTE_METRICS: lume_pool_pages_metrics(app->obs, resp); return;
    case LUME_ROUTE_STATUS:
        lume_pool_pages_status(app->obs, lume_provider_set_reported(app->providers), resp);
        return;
    case LUME_ROUTE_NONE:
    case LUME_ROUTES: break;
    }
    respond_error(app, req, resp, LUME_ERR_NOT_FOUND, &ctx, NULL);
}

void lume_app_handle(lume_app *app, const lume_request *req, lume_response *resp)
{
    route_request(app, req, resp);
    validate(req, resp);
    resp->generation = app->generation;
}
