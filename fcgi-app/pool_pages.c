/*
 * pool_pages.c: /metrics and /status from shared memory (see pool_pages.h).
 */
#include "pool_pages.h"

#include "api.h"
#include "clock.h"
#include "respond.h"
#include "status_page.h"

void lume_pool_pages_metrics(const lume_observe *o, lume_response *resp)
{
    lume_prometheus_pool pool = lume_observe_pool(o);
    size_t len = 0;
    char *body =
        lume_prometheus_render(lume_observe_metrics(o), lume_observe_board(o), &pool, &len);

    lume_respond_text(resp, body, len, LUME_ERROR_CACHE_CONTROL);
    if (body != NULL)
        resp->content_type = LUME_PROMETHEUS_CONTENT_TYPE;
}

void lume_pool_pages_status(const lume_observe *o, const char *provider, lume_response *resp)
{
    lume_prometheus_pool pool = lume_observe_pool(o);

    lume_respond_json(resp,
                      lume_status_page(lume_observe_metrics(o), lume_observe_board(o), &pool,
                                       provider, lume_wall_ms()),
                      LUME_ERROR_CACHE_CONTROL);
}
