/*
 * api.h: the fixed values of the HTTP API (docs/api.md) in one place: the
 * bounds of the query and the parameters, the methods it answers, what
 * every error answer carries. query.c validates with them, errors.c builds
 * its messages from them, http.c writes Allow from them, and
 * `lume-fcgi --dump-contract` hands them to nginx/render.py, so that nginx's
 * own errors say the same. Plain integer literals: the messages are built by
 * stringizing them.
 */
#ifndef LUME_API_H
#define LUME_API_H

#define LUME_QUERY_MAX_CHARS 200 /* code points of a decoded, trimmed query */
#define LUME_SEASON_MAX      9999
#define LUME_EPISODE_MAX     9999
#define LUME_LIMIT_MAX       25
#define LUME_LIMIT_DEFAULT   10
/* The caps parameter (caps.h): its raw bytes, tokens, bytes of a token, and
 * the heights a device may state. */
#define LUME_CAPS_MAX_BYTES  256
#define LUME_CAPS_MAX_TOKENS 32
#define LUME_CAPS_TOKEN_MAX  16
#define LUME_CAPS_HEIGHT_MIN 144
#define LUME_CAPS_HEIGHT_MAX 4320
/* The longest id of the Stremio addon's routes, decoded (stremio_path.h). */
#define LUME_STREMIO_ID_BYTES 255

/* The methods every route answers, listed with sep between them and last
 * before the final one: the Allow header, and the 405's message. */
#define LUME_METHODS(sep, last) "GET" sep "HEAD" last "OPTIONS"
#define LUME_ALLOW              LUME_METHODS(", ", ", ")

/* Cache-Control of every error answer. */
#define LUME_ERROR_CACHE_CONTROL "no-store"

/* Retry-After of every 503 SERVICE_UNAVAILABLE (overload: the queue drains in seconds). */
#define LUME_OVERLOAD_RETRY_AFTER_S 1

/* "9999" for LUME_SEASON_MAX. */
#define LUME_STRINGIFY_(x) #x
#define LUME_STRINGIFY(x)  LUME_STRINGIFY_(x)

#endif
