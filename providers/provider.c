/*
 * provider.c: the registry of providers and the calls that dispatch to them,
 * including the one sort of every search's results, and lume_provider_fail.
 * Adding a provider means one lume_provider_def and one line in registry[].
 */
#include "provider.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const lume_provider_def lume_mock_provider;
extern const lume_provider_def lume_archive_provider;

static const lume_provider_def *const registry[] = {
    &lume_mock_provider,
    &lume_archive_provider,
};

struct lume_provider {
    const lume_provider_def *def;
    void *impl;
};

static const lume_provider_def *find(const char *name)
{
    for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
        if (strcmp(registry[i]->config_name, name) == 0)
            return registry[i];
    return NULL;
}

int lume_provider_known(const char *name)
{
    return find(name) != NULL;
}

lume_provider *lume_provider_create(const lume_config *cfg, lume_shared *shared, char *err,
                                    size_t errlen)
{
    const lume_provider_def *def = find(cfg->provider);
    lume_provider *p;

    if (def == NULL) {
        snprintf(err, errlen, "unknown provider %s", cfg->provider);
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->def = def;
    p->impl = def->create(cfg, shared, err, errlen);
    if (p->impl == NULL) {
        free(p);
        return NULL;
    }
    return p;
}

void lume_provider_destroy(lume_provider *p)
{
    if (p == NULL)
        return;
    p->def->destroy(p->impl);
    free(p);
}

int lume_provider_check(const lume_config *cfg, lume_shared *shared, char *err, size_t errlen)
{
    lume_provider *p = lume_provider_create(cfg, shared, err, errlen);

    lume_provider_destroy(p);
    return p != NULL ? 0 : -1;
}

const char *lume_provider_name(const lume_provider *p)
{
    return p->def->name;
}

lume_status lume_provider_search(lume_provider *p, const lume_search *s, lume_results *out,
                                 lume_provider_error *err)
{
    lume_status st = p->def->search(p->impl, s, out, err);

    if (st == LUME_OK)
        lume_results_sort(out); /* the one sort: providers add in any order */
    return st;
}

lume_status lume_provider_health(lume_provider *p, int64_t deadline_ms, lume_provider_error *err)
{
    return p->def->health(p->impl, deadline_ms, err);
}

lume_status lume_provider_fail(lume_provider_error *err, lume_status st, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL) {
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return st;
}
