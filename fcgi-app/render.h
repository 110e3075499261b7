/*
 * render.h: the JSON shapes of the API (docs/api.md), built with Jansson.
 * Each function returns a new reference (NULL when out of memory).
 */
#ifndef LUME_RENDER_H
#define LUME_RENDER_H

#include <jansson.h>

#include "errors.h"
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
