/*
 * archive_http.h: the Internet Archive provider's HTTP client: one libcurl
 * multi handle and a pool of easy handles kept for the life of the worker (so
 * connections, DNS and TLS sessions are reused), fetching many URLs in
 * parallel with bounded connections per host, retries with backoff, a body
 * size cap and one absolute deadline for all of it. Each fetch can be handed to
 * the caller the moment it is done, so at most the running transfers' bodies
 * are held at once (ARCHIVE_HOST_PARALLEL x body_max).
 */
#ifndef LUME_ARCHIVE_HTTP_H
#define LUME_ARCHIVE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define ARCHIVE_HOST_PARALLEL 8    /* connections per host */
#define ARCHIVE_BACKOFF_BASE  100  /* ms, first retry's jitter window */
#define ARCHIVE_BACKOFF_CAP   2000 /* ms */

typedef struct archive_http archive_http;

typedef struct archive_http_opts {
    long connect_timeout_ms;
    long retries;  /* after the first try */
    long body_max; /* bytes; a longer answer is cut off while downloading: a fault */
    const char *user_agent;
} archive_http_opts;

typedef enum archive_fetch_status {
    ARCHIVE_FETCH_OK = 0,      /* a 2xx answer, body complete */
    ARCHIVE_FETCH_HTTP_ERROR,  /* a 4xx other than 429: not retried */
    ARCHIVE_FETCH_UNAVAILABLE, /* refused, reset, 5xx/429 after retries, over body_max, ... */
    ARCHIVE_FETCH_TIMEOUT      /* the deadline passed */
} archive_fetch_status;

typedef struct archive_fetch {
    const char *url; /* in: caller-owned */
    /* out: */
    archive_fetch_status status;
    long http_code; /* last HTTP status, 0 when none */
    int attempts;   /* tries made */
    char *body;     /* NUL-terminated, owned; free with archive_fetch_release */
    size_t len;
    char detail[96]; /* why it failed, for logs only (never for clients) */
} archive_fetch;

archive_http *archive_http_create(const archive_http_opts *opts, char *err, size_t errlen);
void archive_http_destroy(archive_http *h);

/* Called once for each fetch as soon as it is done (any status; in the order
 * they end), with its index; its body is freed when the call returns. */
typedef void (*archive_fetch_done)(void *ctx, size_t index, archive_fetch *f);

/* Fetch every URL in parallel until each is done or deadline_ms (absolute,
 * lume_now_ms()) passes; sets every fetch's outputs. retries < 0: the
 * configured count. done NULL: the bodies are kept in the fetches (release
 * them); else each fetch is handed to done(ctx, ...) as it ends. */
void archive_http_fetch_all(archive_http *h, archive_fetch *fetches, size_t n, int64_t deadline_ms,
                            long retries, archive_fetch_done done, void *ctx);
void archive_fetch_release(archive_fetch *f);

#endif
