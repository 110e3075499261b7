/*
 * provider.c: the registry of providers, their settings blocks in
 * lume_provider_conf, the calls that dispatch to them, and
 * lume_provider_fail. Adding a provider means one lume_provider_def (with
 * its settings table) and one line in registry[].
 */
#include "provider.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each provider is a folder, providers/NAME/, defining lume_NAME_provider. */
extern const lume_provider_def lume_mock_provider;
extern const lume_provider_def lume_archive_provider;
extern const lume_provider_def lume_library_provider;

/* The first entry is the default provider. */
static const lume_provider_def *const registry[] = {
    &lume_mock_provider,
    &lume_archive_provider,
    &lume_library_provider,
};

#define NPROVIDERS (sizeof(registry) / sizeof(registry[0]))
_Static_assert(NPROVIDERS <= LUME_PROVIDERS_MAX, "lume_provider_conf has a block per provider");

#define CONNECT_TIMEOUT_DEFAULT_MS 2000

struct lume_provider {
    const lume_provider_def *def;
    void *impl;
};

size_t lume_provider_count(void)
{
    return NPROVIDERS;
}

const lume_provider_def *lume_provider_at(size_t i)
{
    return i < NPROVIDERS ? registry[i] : NULL;
}

/* The registry position of the provider called name, or -1. */
static int find(const char *name)
{
    for (size_t i = 0; i < NPROVIDERS; i++)
        if (strcmp(registry[i]->config_name, name) == 0)
            return (int)i;
    return -1;
}

int lume_provider_known(const char *name)
{
    return find(name) >= 0;
}

int lume_provider_list(const char *list, int index[LUME_PROVIDERS_MAX])
{
    int n = 0;

    for (const char *p = list;; p++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char name[LUME_PROVIDER_NAME_LEN];
        int i;

        if (len == 0 || len >= sizeof(name) || n == LUME_PROVIDERS_MAX)
            return -1;
        memcpy(name, p, len);
        name[len] = '\0';
        if ((i = find(name)) < 0)
            return -1;
        for (int j = 0; j < n; j++)
            if (index[j] == i)
                return -1;
        index[n++] = i;
        if (end == NULL)
            return n;
        p = end;
    }
}

void lume_provider_reported(const lume_provider_conf *conf, char *out, size_t len)
{
    int index[LUME_PROVIDERS_MAX], n = lume_provider_list(conf->name, index);
    size_t used = 0;

    if (len > 0)
        out[0] = '\0';
    for (int i = 0; i < n && used < len; i++) {
        int w = snprintf(out + used, len - used, "%s%s", i > 0 ? "," : "", registry[index[i]]->name);
        used += w > 0 ? (size_t)w : 0;
    }
    if (n < 0)
        snprintf(out, len, "%s", conf->name);
}

void lume_provider_names(char *out, size_t len)
{
    size_t used = 0;

    if (len > 0)
        out[0] = '\0';
    for (size_t i = 0; i < NPROVIDERS && used < len; i++) {
        int n =
            snprintf(out + used, len - used, "%s%s", i > 0 ? ", " : "", registry[i]->config_name);
        used += n > 0 ? (size_t)n : 0;
    }
}

void lume_provider_conf_defaults(lume_provider_conf *conf)
{
    char err[256];

    memset(conf, 0, sizeof(*conf));
    snprintf(conf->name, sizeof(conf->name), "%s", registry[0]->config_name);
    conf->connect_timeout_ms = CONNECT_TIMEOUT_DEFAULT_MS;
    /* Every default is a valid value: test_provider.c checks them all. */
    for (size_t i = 0; i < NPROVIDERS; i++)
        (void)lume_settings_defaults(registry[i]->settings, registry[i]->nsettings, conf->blocks[i],
                                     err, sizeof(err));
}

/* The setting called name and the registry position of its provider. */
static const lume_setting *find_setting(const char *name, size_t *index)
{
    for (size_t i = 0; i < NPROVIDERS; i++) {
        const lume_setting *s =
            lume_setting_find(registry[i]->settings, registry[i]->nsettings, name);
        if (s != NULL) {
            *index = i;
            return s;
        }
    }
    return NULL;
}

const lume_setting *lume_provider_setting_find(const char *name)
{
    size_t index;

    return find_setting(name, &index);
}

int lume_provider_conf_set(lume_provider_conf *conf, const char *name, const char *value, char *err,
                           size_t errlen)
{
    size_t index;
    const lume_setting *s = find_setting(name, &index);

    if (s == NULL)
        return 1;
    return lume_setting_set(s, conf->blocks[index], value, err, errlen);
}

lume_provider *lume_provider_create(const lume_provider_conf *conf, lume_shared *shared, char *err,
                                    size_t errlen)
{
    int index[LUME_PROVIDERS_MAX];

    if (lume_provider_list(conf->name, index) < 1) {
        snprintf(err, errlen, "unknown provider %s", conf->name);
        return NULL;
    }
    return lume_provider_create_at(conf, index[0], shared, err, errlen);
}

lume_provider *lume_provider_create_at(const lume_provider_conf *conf, int index,
                                       lume_shared *shared, char *err, size_t errlen)
{
    const lume_provider_def *def;
    lume_provider *p;

    if (index < 0 || (size_t)index >= NPROVIDERS) {
        snprintf(err, errlen, "unknown provider");
        return NULL;
    }
    def = registry[index];
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->def = def;
    p->impl = def->create(conf->blocks[index], conf, shared, err, errlen);
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

int lume_provider_check(const lume_provider_conf *conf, lume_shared *shared, char *err,
                        size_t errlen)
{
    int index[LUME_PROVIDERS_MAX], n = lume_provider_list(conf->name, index);

    if (n < 1) {
        snprintf(err, errlen, "unknown provider %s", conf->name);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        lume_provider *p = lume_provider_create_at(conf, index[i], shared, err, errlen);
        if (p == NULL)
            return -1;
        lume_provider_destroy(p);
    }
    return 0;
}

const char *lume_provider_name(const lume_provider *p)
{
    return p->def->name;
}

const char *lume_provider_config_name(const lume_provider *p)
{
    return p->def->config_name;
}

const char *lume_provider_browse_label(const lume_provider *p, int series)
{
    if (p->def->browse == NULL || (series && p->def->episodes == NULL))
        return NULL;
    return series ? p->def->series_label : p->def->films_label;
}

lume_status lume_provider_search(lume_provider *p, const lume_search *s, lume_results *out,
                                 lume_provider_error *err)
{
    return p->def->search(p->impl, s, out, err);
}

void lume_provider_observe(lume_provider *p, lume_metrics *m, lume_metrics_slot *slot)
{
    if (p != NULL && p->def->observe != NULL)
        p->def->observe(p->impl, m, slot);
}

lume_status lume_provider_health(lume_provider *p, int64_t deadline_ms, lume_provider_error *err)
{
    return p->def->health(p->impl, deadline_ms, err);
}

void lume_provider_idle(lume_provider *p)
{
    if (p->def->idle != NULL)
        p->def->idle(p->impl);
}

lume_status lume_provider_browse(lume_provider *p, const lume_browse *b, lume_titles *out,
                                 lume_provider_error *err)
{
    if (p->def->browse == NULL)
        return lume_provider_fail(err, LUME_ERR_NOT_FOUND, "%s has nothing to browse",
                                  p->def->config_name);
    return p->def->browse(p->impl, b, out, err);
}

lume_status lume_provider_episodes(lume_provider *p, const char *series, int year,
                                   int64_t deadline_ms, lume_episodes *out,
                                   lume_provider_error *err)
{
    if (p->def->episodes == NULL)
        return lume_provider_fail(err, LUME_ERR_NOT_FOUND, "%s has no series",
                                  p->def->config_name);
    return p->def->episodes(p->impl, series, year, deadline_ms, out, err);
}

int lume_provider_background(const lume_provider_conf *conf)
{
    int index[LUME_PROVIDERS_MAX], n = lume_provider_list(conf->name, index);

    for (int i = 0; i < n; i++)
        if (registry[index[i]]->background != NULL)
            return index[i];
    return -1;
}

int lume_provider_background_run(const lume_provider_conf *conf, int index, pid_t master)
{
    if (index < 0 || (size_t)index >= NPROVIDERS || registry[index]->background == NULL)
        return 1;
    return registry[index]->background(conf->blocks[index], master);
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
