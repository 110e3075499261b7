/*
 * provider.h: the one interface every media provider implements, the
 * registry that creates them by name, and the dispatcher that calls them.
 *
 * Each provider declares its own settings (LUME_MOCK_CATALOG, ...) as a table
 * (settings.h) over a struct of its own; the configuration loader walks the
 * tables, and the values live in lume_provider_conf, one block per registry
 * entry. Adding a provider means one folder (providers/NAME/) and one line
 * of the registry.
 *
 * A worker creates its provider once, after fork, and reuses it (handles,
 * connections, compiled regexes) for every request. Providers fill a
 * lume_results (results.h) in any order, and lume_provider_search hands it
 * back as filled; the API layer applies the results' rules
 * (lume_results_select: dead dropped, ordered by seeds, limited). Messages
 * in lume_provider_error reach clients: never put paths, upstream bodies or
 * errno strings there.
 */
#ifndef LUME_PROVIDER_H
#define LUME_PROVIDER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "errors.h"
#include "metrics.h"
#include "results.h"
#include "settings.h"
#include "shared.h"
#include "titles.h"

#define LUME_PROVIDERS_MAX        8    /* entries of the registry */
#define LUME_PROVIDER_BLOCK_BYTES 4096 /* room for one provider's settings */
#define LUME_PROVIDER_NAME_LEN    32
#define LUME_PROVIDER_LIST_LEN    128 /* "library,archive": LUME_PROVIDERS */

/* How the provider layer is configured: a plain value (no pointers), part of
 * lume_config, copied and re-loaded on SIGHUP like the rest of it. blocks[i]
 * holds the settings of the registry's i-th provider, as its table lays
 * them out; every provider's are kept, whichever provider runs. */
typedef struct lume_provider_conf {
    /* LUME_PROVIDERS (or LUME_PROVIDER, its one-provider form): the
     * providers that run, in their order of rank, comma-separated. */
    char name[LUME_PROVIDER_LIST_LEN];
    long connect_timeout_ms; /* LUME_CONNECT_TIMEOUT_MS: upstream connect timeout */
    _Alignas(16) unsigned char blocks[LUME_PROVIDERS_MAX][LUME_PROVIDER_BLOCK_BYTES];
} lume_provider_conf;

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

/* A provider implementation. Its settings are the rows of settings[], over
 * a struct of at most LUME_PROVIDER_BLOCK_BYTES; every row names a default.
 * create() runs in the worker after fork, with that struct (settings) and
 * the whole conf; it may use the provider area of the master's shared memory
 * (zeroed at start); shared is NULL in --check-config and unit tests: keep
 * state private then. */
typedef struct lume_provider_def {
    const char *config_name; /* LUME_PROVIDER value: "mock" */
    const char *name;        /* reported name: "MockProvider" */
    const lume_setting *settings;
    size_t nsettings;
    void *(*create)(const void *settings, const lume_provider_conf *conf, lume_shared *shared,
                    char *err, size_t errlen);
    lume_status (*search)(void *impl, const lume_search *s, lume_results *out,
                          lume_provider_error *err);
    lume_status (*health)(void *impl, int64_t deadline_ms, lume_provider_error *err);
    void (*destroy)(void *impl);
    /* Optional: count upstream calls in slot (metrics.h: lume_metrics_upstream,
     * lume_metrics_breaker) and publish the breaker's state in m. Both may be NULL. */
    void (*observe)(void *impl, lume_metrics *m, lume_metrics_slot *slot);
    /* Optional, for browsing (titles.h; the Stremio addon's catalogs): what
     * the provider holds, films or series as b asks; and a series' episodes
     * (series as browse named it, year 0 when unknown). NULL: it cannot. */
    lume_status (*browse)(void *impl, const lume_browse *b, lume_titles *out,
                          lume_provider_error *err);
    lume_status (*episodes)(void *impl, const char *series, int year, int64_t deadline_ms,
                            lume_episodes *out, lume_provider_error *err);
    /* The names of what browse lists, for people ("Public-domain films"); NULL:
     * none of that kind (the Stremio addon lists a catalog per name). */
    const char *films_label, *series_label;
    /* Optional: the provider's background process (the library's indexer),
     * which the master forks and keeps beside the workers while the
     * provider is listed (pool.h, LUME_POOL_INDEXER). It runs in the forked
     * child with the provider's settings until SIGTERM or until master is
     * gone, and returns the exit status (worker.h's). May be NULL. */
    int (*background)(const void *settings, pid_t master);
    /* Optional: the worker has nothing to do and is about to wait; let go
     * of what is kept between requests (the library: its read snapshot of
     * the index). Never called while the provider works on a request. */
    void (*idle)(void *impl);
} lume_provider_def;

typedef struct lume_provider lume_provider;

/* The registry: its entries in order; the first is the default provider. */
size_t lume_provider_count(void);
const lume_provider_def *lume_provider_at(size_t i);

/* Is name a LUME_PROVIDER value? */
int lume_provider_known(const char *name);

/* The registry positions of the providers a LUME_PROVIDERS value lists, in
 * its order, into index[LUME_PROVIDERS_MAX]: how many, or -1 when the list
 * is empty, names an unknown provider, names one twice or has an empty
 * item. */
int lume_provider_list(const char *list, int index[LUME_PROVIDERS_MAX]);

/* The names the listed providers report, joined by ',': "MockProvider",
 * "LibraryProvider,ArchiveProvider" (the error envelope's provider). */
void lume_provider_reported(const lume_provider_conf *conf, char *out, size_t len);

/* The LUME_PROVIDER values, for messages: "mock, archive". */
void lume_provider_names(char *out, size_t len);

/* The defaults: the first provider, a 2 s connect timeout, and every
 * provider's settings at their defaults. */
void lume_provider_conf_defaults(lume_provider_conf *conf);

/* The provider setting called name (LUME_MOCK_CATALOG), or NULL. */
const lume_setting *lume_provider_setting_find(const char *name);

/* Set a provider's setting by its environment name. Returns 0 when set, 1
 * when no provider has a setting of that name, -1 with the one-line message
 * of settings.h in err when the value is invalid. */
int lume_provider_conf_set(lume_provider_conf *conf, const char *name, const char *value, char *err,
                           size_t errlen);

/* Create the first provider conf->name lists (the registry's index-th with
 * lume_provider_create_at). NULL with a message in err. */
lume_provider *lume_provider_create(const lume_provider_conf *conf, lume_shared *shared, char *err,
                                    size_t errlen);
lume_provider *lume_provider_create_at(const lume_provider_conf *conf, int index,
                                       lume_shared *shared, char *err, size_t errlen);
/* Its LUME_PROVIDERS name: "mock". */
const char *lume_provider_config_name(const lume_provider *p);
/* The name of its films or series to browse (series set), or NULL when it
 * has none of that kind to browse. */
const char *lume_provider_browse_label(const lume_provider *p, int series);
void lume_provider_destroy(lume_provider *p);

/* Can every provider conf lists be created (catalog readable, URL valid,
 * ...)? Creates and destroys each: 0, or -1 with a message in err. */
int lume_provider_check(const lume_provider_conf *conf, lume_shared *shared, char *err,
                        size_t errlen);
const char *lume_provider_name(const lume_provider *p);

/* Hand the provider the pool's counters and this worker's slot (see observe). */
void lume_provider_observe(lume_provider *p, lume_metrics *m, lume_metrics_slot *slot);

/* Search; on success out holds the provider's results in the order it
 * added them (lume_results_select applies the API's rules to them). */
lume_status lume_provider_search(lume_provider *p, const lume_search *s, lume_results *out,
                                 lume_provider_error *err);
lume_status lume_provider_health(lume_provider *p, int64_t deadline_ms, lume_provider_error *err);

/* The worker is about to wait (lume_provider_def's idle; nothing when the
 * provider has none). */
void lume_provider_idle(lume_provider *p);

/* Browse and episodes (see lume_provider_def); LUME_ERR_NOT_FOUND when the
 * provider cannot. */
lume_status lume_provider_browse(lume_provider *p, const lume_browse *b, lume_titles *out,
                                 lume_provider_error *err);
lume_status lume_provider_episodes(lume_provider *p, const char *series, int year,
                                   int64_t deadline_ms, lume_episodes *out,
                                   lume_provider_error *err);
/* The registry position of the first provider conf lists that has a
 * background process, or -1 when none has. */
int lume_provider_background(const lume_provider_conf *conf);
/* Run that process (in the forked child); its exit status. */
int lume_provider_background_run(const lume_provider_conf *conf, int index, pid_t master);

/* For providers: set err's message (printf-style; err may be NULL) and return st. */
lume_status lume_provider_fail(lume_provider_error *err, lume_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
