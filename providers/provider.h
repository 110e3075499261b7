/*
 * provider.h: the one interface every media provider implements, the result
 * shape they all return, and the registry that creates them by name.
 *
 * A worker creates its provider once, after fork, and reuses it (handles,
 * connections, compiled regexes) for every request. Providers return results
 * sorted by seeds, highest first; the API layer drops dead results (seeds 0)
 * and applies the limit. Messages in lume_provider_error reach clients: never
 * put paths, upstream bodies or errno strings there.
 */
#ifndef LUME_PROVIDER_H
#define LUME_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "errors.h"
#include "shared.h"

typedef struct lume_media_link {
    char *title;         /* owned, UTF-8, 1..500 characters */
    char *url;           /* owned, absolute https URL */
    int64_t size;        /* bytes; -1 when unknown (JSON null) */
    int64_t seeds;       /* availability score; 0 = dead */
    const char *quality; /* static "2160p", "1080p", "720p", "480p" or NULL */
} lume_media_link;

typedef struct lume_results {
    lume_media_link *items;
    size_t count;
    size_t cap;
} lume_results;

/* What one search asks for. */
typedef struct lume_search {
    const char *query;     /* decoded, trimmed query as the client gave it */
    const char *formatted; /* query with the TV suffix: "the boys S04E01" */
    int season;            /* 0 when absent */
    int episode;           /* 0 when absent */
    int limit;             /* how many live results the caller keeps */
    int64_t deadline_ms;   /* absolute, on the lume_now_ms() clock */
} lume_search;

/* Why a search or health check failed, in words safe for clients. */
typedef struct lume_provider_error {
    char message[256];
    int retry_after_s; /* > 0: send Retry-After (circuit open) */
} lume_provider_error;

/* A provider implementation. create() runs in the worker after fork; it may
 * use the provider area of the master's shared memory (zeroed at start);
 * shared is NULL in --check-config and unit tests: keep state private then. */
typedef struct lume_provider_def {
    const char *config_name; /* LUME_PROVIDER value: "mock" */
    const char *name;        /* reported name: "MockProvider" */
    void *(*create)(const lume_config *cfg, lume_shared *shared, char *err, size_t errlen);
    lume_status (*search)(void *impl, const lume_search *s, lume_results *out,
                          lume_provider_error *err);
    lume_status (*health)(void *impl, int64_t deadline_ms, lume_provider_error *err);
    void (*destroy)(void *impl);
} lume_provider_def;

typedef struct lume_provider lume_provider;

#define LUME_PROVIDER_NAMES "mock, archive"

/* Is name a LUME_PROVIDER value? */
int lume_provider_known(const char *name);

/* Create the provider cfg->provider names. NULL with a message in err. */
lume_provider *lume_provider_create(const lume_config *cfg, lume_shared *shared, char *err,
                                    size_t errlen);
void lume_provider_destroy(lume_provider *p);

/* Can cfg's provider be created (catalog readable, URL valid, ...)? Creates
 * and destroys it: 0, or -1 with a message in err. */
int lume_provider_check(const lume_config *cfg, lume_shared *shared, char *err, size_t errlen);
const char *lume_provider_name(const lume_provider *p);

/* Search; on success out holds results sorted by seeds (highest first). */
lume_status lume_provider_search(lume_provider *p, const lume_search *s, lume_results *out,
                                 lume_provider_error *err);
lume_status lume_provider_health(lume_provider *p, int64_t deadline_ms, lume_provider_error *err);

/* results.c: the result container. */
void lume_results_init(lume_results *r);
/* Copy title and url in; size -1 for unknown. LUME_ERR_INTERNAL when out of memory. */
lume_status lume_results_add(lume_results *r, const char *title, const char *url, int64_t size,
                             int64_t seeds, const char *quality);
void lume_results_sort(lume_results *r);  /* seeds descending, stable */
void lume_results_clear(lume_results *r); /* empty, keeping capacity */
void lume_results_free(lume_results *r);

/* "2160p" for 2160p/4K/UHD, then 1080p, 720p, 480p; NULL when none. */
const char *lume_quality_from_title(const char *title);
/* Quality of a video height in pixels; NULL below 480 or unknown (<= 0). */
const char *lume_quality_from_height(long height);

/* Set err's message (printf-style) and return st. */
lume_status lume_provider_fail(lume_provider_error *err, lume_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
