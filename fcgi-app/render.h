/*
 * render.h: the JSON shapes of the API (docs/api.md), built with Jansson.
 * Each function returns a new reference (NULL when out of memory).
 */
#ifndef LUME_RENDER_H
#define LUME_RENDER_H

#include <jansson.h>

#include "results.h"

/* MediaLink: {"title", "url", "size", "seeds", "quality"}. */
json_t *lume_render_link(const lume_media_link *m);

/* SearchResult over items[0..count), with total_results = total. */
json_t *lume_render_search(const char *query, const lume_media_link *items, size_t count,
                           size_t total, const char *provider);

/* The index document of GET /. */
json_t *lume_render_index(void);

/* Serialize and drop the reference: compact text, NULL when out of memory. */
char *lume_render_dump(json_t *doc, size_t *len);

#endif
