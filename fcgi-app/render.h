/*
 * render.h: the JSON shapes of the API (docs/api.md), built with Jansson.
 * Each function returns a new reference (NULL when out of memory).
 */
#ifndef LUME_RENDER_H
#define LUME_RENDER_H

#include <jansson.h>

#include "errors.h"
#include "provider_set.h" /* lume_provider_outcome */
#include "results.h"

/* MediaLink: {"title", "url", "size", "seeds", "quality"}. */
json_t *lume_render_link(const lume_media_link *m);

/* The same MediaLink as text, byte for byte what lume_render_dump() makes
 * of lume_render_link(), written directly (a tenth of the instructions of
 * building and dumping Jansson's tree); NULL when out of memory or when a
 * string is not valid UTF-8 (which Jansson refuses too). *len: its length. */
char *lume_render_link_text(const lume_media_link *m, size_t *len);

/* SearchResult over items[0..count), with total_results = total. */
json_t *lume_render_search(const char *query, const lume_media_link *items, size_t count,
                           size_t total, const char *provider);

/* The source and quality an app keeps for the next episode, as Stremio's
 * bingeGroup: "lume-archive-1080p-mp4"; the parts not known left out. */
void lume_render_binge_group(const lume_media_link *m, char *out, size_t cap);

/* One candidate of /streams: the MediaLink's fields, then every fact
 * (null when unknown), subtitles, direct_play and binge_group. */
json_t *lume_render_candidate(const lume_media_link *m);

/* What /streams says of the episode after the one asked for. */
typedef struct lume_render_next {
    int season, episode; /* 0: no next one (the body's "next" is null) */
    int exists;          /* 1: a provider knows it has a result; 0: unknown */
} lume_render_next;

/* StreamsResult: {"query", "season", "episode", "streams", "total_results",
 * "next", "providers"} (docs/api.md). outcomes[0..noutcomes) become
 * "providers": what each did. */
json_t *lume_render_streams(const char *query, int season, int episode,
                            const lume_media_link *items, size_t count, size_t total,
                            const lume_render_next *next, const lume_provider_outcome *outcomes,
                            size_t noutcomes);

/* The index document of GET /. */
json_t *lume_render_index(void);

/* The error envelope of docs/api.md: {"detail": {"error", "message", the
 * fields of extra (consumed; may be NULL), "provider" when the status names
 * it, "request_id"}}. message NULL or empty: the status's own. */
json_t *lume_render_error(lume_status st, const char *message, json_t *extra, const char *provider,
                          const char *request_id);

/* Serialize and drop the reference: compact text, NULL when out of memory. */
char *lume_render_dump(json_t *doc, size_t *len);

#endif
