/*
 * stremio_path.h: the addon routes of the Stremio protocol (v3) as Lume
 * serves them under /stremio/{token}/ (issue 27): the token check and the
 * reading of what follows it, /manifest.json, /{resource}/{type}/{id}.json
 * and /{resource}/{type}/{id}/{extra}.json, into one bounded, validated
 * request. Pure functions over the raw (still percent-encoded) path: the
 * handler and the fuzzer drive them directly.
 */
#ifndef LUME_STREMIO_PATH_H
#define LUME_STREMIO_PATH_H

#include <stddef.h>

#include "query.h" /* LUME_QUERY_BUF: a search is a query like any other */

#define LUME_STREMIO_ID_MAX    LUME_STREMIO_ID_BYTES /* of a decoded id (api.h) */
#define LUME_STREMIO_EXTRA_MAX 1024 /* raw bytes of the {extra} segment */
#define LUME_STREMIO_SKIP_MAX  100000
#define LUME_STREMIO_GENRE_MAX 64

typedef enum lume_stremio_resource {
    LUME_STREMIO_MANIFEST = 0,
    LUME_STREMIO_CATALOG,
    LUME_STREMIO_META,
    LUME_STREMIO_STREAM,
    LUME_STREMIO_SUBTITLES
} lume_stremio_resource;

typedef enum lume_stremio_type {
    LUME_STREMIO_MOVIE = 0,
    LUME_STREMIO_SERIES,
    LUME_STREMIO_OTHER /* channel, tv, ...: the protocol's empty answer */
} lume_stremio_type;

typedef struct lume_stremio_request {
    lume_stremio_resource resource;
    lume_stremio_type type;
    char id[LUME_STREMIO_ID_MAX + 1]; /* decoded: [A-Za-z0-9._:-]; "" for the manifest */
    /* From {extra}: the ones Lume reads; others are ignored. */
    char search[LUME_QUERY_BUF]; /* "" when absent; decoded like any {query} */
    char genre[LUME_STREMIO_GENRE_MAX + 1];
    long skip; /* 0 when absent */
} lume_stremio_request;

typedef enum lume_stremio_parse_result {
    LUME_STREMIO_OK = 0,
    LUME_STREMIO_NO_ROUTE = -1, /* not a route of the protocol: 404 */
    LUME_STREMIO_INVALID = -2   /* a route, with an id or extra out of bounds: 400 */
} lume_stremio_parse_result;

/* What one of Lume's ids names (docs/stremio.md):
 *   lume:<provider>:f:<name>:<year>                  a film
 *   lume:<provider>:s:<name>:<year>                  a series
 *   lume:<provider>:s:<name>:<year>:<season>:<episode>  one of its videos
 * <provider> is a LUME_PROVIDERS name; <name> is written with the id's
 * bytes only: A-Z a-z 0-9 and '-' as they are, a space as '.', any other
 * byte as '_' and two upper-case hex digits; <year> is 0 when unknown. */
typedef struct lume_stremio_item {
    char provider[32];
    int series;
    char name[LUME_QUERY_BUF]; /* decoded; a valid query (query.h) */
    int year;                  /* 0 when unknown */
    int season, episode;       /* a series' video; 0 otherwise */
} lume_stremio_item;

/* The id of a film or series (season 0) or of a series' video into
 * out[LUME_STREMIO_ID_MAX + 1]. 0, or -1 when it would be longer than
 * LUME_STREMIO_ID_MAX. */
int lume_stremio_id_make(const lume_stremio_item *item, char out[LUME_STREMIO_ID_MAX + 1]);

/* Read an id (as lume_stremio_parse leaves it). 0, or -1 when it is not one
 * of Lume's ids as above (another addon's, a broken escape, a name that is
 * not a valid query, numbers out of the API's bounds). */
int lume_stremio_id_read(const char *id, lume_stremio_item *out);

/* Does the token segment tok[0..len) equal secret? In time that depends on
 * len and strlen(secret) only, not on where they differ. An empty secret
 * matches nothing (the addon is off). */
int lume_stremio_token_ok(const char *tok, size_t len, const char *secret);

/* Read path[0..len), what follows /stremio/{token}: "/manifest.json",
 * "/stream/movie/lume:ia:x.json", "/catalog/movie/films/search=the%20boys&skip=100.json".
 * The {extra} segment is key=value pairs joined by '&', each percent-encoded;
 * a key Lume reads given twice, a skip that is not 0..100000, a search that
 * is not a valid query (query.h), an id with a byte outside [A-Za-z0-9._:-]
 * or longer than LUME_STREMIO_ID_MAX, or an extra longer than
 * LUME_STREMIO_EXTRA_MAX: INVALID. */
lume_stremio_parse_result lume_stremio_parse(const char *path, size_t len,
                                             lume_stremio_request *out);

#endif
