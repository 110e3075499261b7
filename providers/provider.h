/*
 * provider.h: the one interface every media provider implements, the
 * registry that creates them by name, and the dispatcher that calls them.
 *
 * A worker creates its provider once, after fork, and reuses it (handles,
 * connections, compiled regexes) for every request. Providers fill a
 * lume_results (results.h) in any order; lume_provider_search sorts them by
 * seeds, highest first; the API layer drops dead results (seeds 0) and
 * applies the limit. Messages in lume_provider_error reach clients: never
 * put paths, upstream bodies or errno strings there.
 */
#ifndef LUME_PROVIDER_H
#define LUME_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "errors.h"
#include "results.h"
#include "shared.h"

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

/* Search; on success out holds the provider's results sorted by seeds,
 * highest first, equal seeds in the provider's order. */
lume_status lume_provider_search(lume_provider *p, const lume_search *s, lume_results *out,
                                 lume_provider_error *err);
lume_status lume_provider_health(lume_provider *p, int64_t deadline_ms, lume_provider_error *err);

/* For providers: set err's message (printf-style; err may be NULL) and return st. */
lume_status lume_provider_fail(lume_provider_error *err, lume_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
