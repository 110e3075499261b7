/* render.c: the API's JSON shapes (docs/api.md, render.h). */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "version.h"

json_t *lume_render_link(const lume_media_link *m)
{
    return json_pack("{s:s, s:s, s:o, s:I, s:o}", "title", m->title, "url", m->url, "size",
                     m->size >= 0 ? json_integer(m->size) : json_null(), "seeds",
                     (json_int_t)m->seeds, "quality",
                     m->quality ? json_string(m->quality) : json_null());
}

json_t *lume_render_search(const char *query, const lume_media_link *items, size_t count,
                           size_t total, const char *provider)
{
    json_t *results = json_array();

    for (size_t i = 0; results != NULL && i < count; i++) {
        if (json_array_append_new(results, lume_render_link(&items[i])) != 0) {
            json_decref(results);
            return NULL;
        }
    }
    return json_pack("{s:s, s:o, s:I, s:s}", "query", query, "results", results, "total_results",
                     (json_int_t)total, "provider_name", provider);
}

/* "docs" is nginx's page (docs/openapi.yaml rendered by Redoc), not the app's. */
json_t *lume_render_index(void)
{
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "name", "Lume Media API", "version",
                     LUME_VERSION, "docs", "/docs", "endpoints", "resolve", "/resolve/{query}",
                     "search", "/resolve/search/{query}", "health", "/resolve/health/provider");
}

json_t *lume_render_error(lume_status st, const char *message, json_t *extra, const char *provider,
                          const char *request_id)
{
    json_t *detail = json_pack("{s:s, s:s}", "error", lume_status_code(st), "message",
                               message && message[0] ? message : lume_status_message(st));

    if (detail != NULL && extra != NULL)
        json_object_update(detail, extra);
    json_decref(extra);
    if (detail == NULL)
        return NULL;
    if (lume_status_names_provider(st))
        json_object_set_new(detail, "provider", json_string(provider));
    json_object_set_new(detail, "request_id", json_string(request_id));
    return json_pack("{s:o}", "detail", detail);
}

/* Most bodies fit here: one dump, one copy of the exact size. A bigger one
 * is dumped again into a buffer of its size (json_dumpb() says how much it
 * takes). json_dumps() grows its buffer from 16 bytes, then copies it. */
#define DUMP_STACK 8192

char *lume_render_dump(json_t *doc, size_t *len)
{
    char stack[DUMP_STACK], *text = NULL;
    size_t n = doc ? json_dumpb(doc, stack, sizeof(stack), JSON_COMPACT) : 0;

    if (n > 0 && (text = malloc(n + 1)) != NULL) {
        if (n <= sizeof(stack))
            memcpy(text, stack, n);
        else if (json_dumpb(doc, text, n, JSON_COMPACT) != n) {
            free(text);
            text = NULL;
        }
    }
    json_decref(doc);
    if (text != NULL) {
        text[n] = '\0';
        if (len != NULL)
            *len = n;
    }
    return text;
}
