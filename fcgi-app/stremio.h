/*
 * stremio.h: Lume as a Stremio addon (protocol v3; docs/stremio.md): the
 * answers of the routes under /stremio/{token}/, built on the providers.
 *
 *   manifest.json                       what the addon offers: a catalog per
 *                                       provider that can browse, per kind
 *   catalog/{type}/{catalog}[/{extra}]  metas[] previews (browse, search, skip)
 *   meta/{type}/{id}                    meta, a series with its videos[]
 *   stream/{type}/{id}                  streams[], ranked as /streams ranks
 *                                       them for the default device
 *   subtitles/{type}/{id}[/{extra}]     subtitles[] of those streams
 *
 * Without the right token (LUME_STREMIO_TOKEN, compared in constant time)
 * every path is a 404, as an unknown route is. An unknown type, catalog or
 * id of another addon gets the protocol's empty answer; an id or extra out
 * of bounds is a 400 INVALID_ID. Every answer but the manifest carries
 * cacheMaxAge, staleRevalidate and staleError, the values of the response's
 * Cache-Control.
 */
#ifndef LUME_STREMIO_H
#define LUME_STREMIO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cache_life.h"
#include "config.h"
#include "provider_set.h"

/* What an answer needs. */
typedef struct lume_stremio_ctx {
    const lume_config *cfg;
    lume_provider_set *providers;
    lume_results *results;           /* reused: the candidates of a stream request */
    lume_provider_outcome *outcomes; /* LUME_PROVIDERS_MAX of them */
    int64_t deadline_ms;             /* of the providers' calls */
} lume_stremio_ctx;

/* Answer rest[0..len), the raw path after "/stremio" ("/TOKEN/manifest.json").
 * LUME_OK with *body set (a new reference) and *life, how long it may be kept
 * (its cache fields say the same; cut by the signed links it holds);
 * LUME_ERR_NOT_FOUND (no such route, a wrong token, a meta nobody holds);
 * LUME_ERR_INVALID_ID; or the providers' failure (all failed: 503, 504)
 * with err's message. */
lume_status lume_stremio_answer(const lume_stremio_ctx *ctx, const char *rest, size_t len,
                                json_t **body, lume_cache_life *life, lume_provider_error *err);

#endif
