/*
 * contract.c: the document of `lume-fcgi --dump-contract` (see contract.h),
 * built from the status table (errors.c), api.h and the provider registry.
 */
#include "contract.h"

#include <stdio.h>

#include "api.h"
#include "errors.h"
#include "provider_set.h"
#include "router.h"
#include "version.h"

/* The headers of an error answer with status st, as the app sends them. */
static json_t *error_headers(lume_status st)
{
    json_t *h = json_pack("{s:s}", "Cache-Control", LUME_ERROR_CACHE_CONTROL);
    char retry[16];

    if (h != NULL && lume_status_allow(st))
        json_object_set_new(h, "Allow", json_string(LUME_ALLOW));
    if (h != NULL && lume_status_retry_after(st) > 0) {
        snprintf(retry, sizeof(retry), "%d", lume_status_retry_after(st));
        json_object_set_new(h, "Retry-After", json_string(retry));
    }
    return h;
}

static json_t *errors(void)
{
    json_t *out = json_object();

    for (int st = LUME_OK + 1; out != NULL && st < LUME_STATUS_COUNT; st++) {
        json_t *e = json_pack("{s:i, s:s, s:o, s:b}", "status", lume_status_http(st), "message",
                              lume_status_message(st), "headers", error_headers(st), "provider",
                              lume_status_names_provider(st));
        if (e == NULL || json_object_set_new(out, lume_status_code(st), e) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *providers(void)
{
    json_t *out = json_object();

    for (size_t i = 0; out != NULL && i < lume_provider_count(); i++) {
        const lume_provider_def *def = lume_provider_at(i);
        if (json_object_set_new(out, def->config_name, json_string(def->name)) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* The routes' paths, as the router matches them. */
static json_t *routes(void)
{
    json_t *out = json_array();
    const char *path;

    for (size_t i = 0; out != NULL && (path = lume_route_path(i)) != NULL; i++)
        json_array_append_new(out, json_string(path));
    return out;
}

json_t *lume_contract(void)
{
    json_t *doc = json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:{s:i, s:i, s:i, s:i, s:i}}", "version", LUME_VERSION, "allow",
        LUME_ALLOW, "routes", routes(), "errors", errors(), "providers", providers(), "bounds",
        "query_max_chars", LUME_QUERY_MAX_CHARS, "season_max", LUME_SEASON_MAX, "episode_max",
        LUME_EPISODE_MAX, "limit_max", LUME_LIMIT_MAX, "limit_default", LUME_LIMIT_DEFAULT);
    /* The bounds of caps and of a /streams answer (docs/api.md). */
    json_t *more = json_pack(
        "{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "caps_max_bytes", LUME_CAPS_MAX_BYTES,
        "caps_max_tokens", LUME_CAPS_MAX_TOKENS, "caps_token_max", LUME_CAPS_TOKEN_MAX,
        "caps_height_min", LUME_CAPS_HEIGHT_MIN, "caps_height_max", LUME_CAPS_HEIGHT_MAX,
        "candidates_per_provider", LUME_CANDIDATES_PER_PROVIDER, "candidate_url_max",
        LUME_CANDIDATE_URL_MAX, "subtitles_max", LUME_SUBTITLES_MAX);

    if (doc == NULL || more == NULL ||
        json_object_update(json_object_get(doc, "bounds"), more) != 0) {
        json_decref(doc);
        doc = NULL;
    }
    json_decref(more);
    return doc;
}
