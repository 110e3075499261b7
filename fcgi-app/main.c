/*
 * main.c: lume-fcgi's entry point. Loads the configuration (exit 2 with one
 * line naming the setting when it is bad), answers --help, --version,
 * --dump-contract, --dump-config and --check-config, and otherwise runs the
 * master.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "contract.h"
#include "generation.h"
#include "master.h"
#include "provider.h"

extern char **environ;

/* Print doc (consumed) as indented JSON. */
static int print_json(json_t *doc)
{
    if (doc == NULL || json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        fprintf(stderr, "lume-fcgi: out of memory\n");
        json_decref(doc);
        return 1;
    }
    json_decref(doc);
    printf("\n");
    return fflush(stdout) == 0 ? 0 : 1;
}

static void put_setting(const char *name, const char *value, void *settings)
{
    json_object_set_new(settings, name, json_string(value));
}

static int put_line(const char *name, const char *value, void *file, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    if (strncmp(name, "LUME_", 5) == 0)
        json_object_set_new(file, name,
                            json_string(lume_config_is_secret(name) && value[0] != '\0'
                                            ? LUME_SECRET_SHOWN
                                            : value));
    return 0;
}

/* --dump-config: {"version", "settings": {"LUME_...": "value as text"}, "file": {the
 * LUME_* lines of the LUME_CONFIG file, lume-fcgi's and others' (nginx's)},
 * "cache_generation"}: what nginx/render.py shares with the app, from the one
 * reader of the settings and of their file. */
static json_t *dump_config(const lume_config *cfg, char *err, size_t errlen)
{
    char generation[LUME_GENERATION_BUF];
    json_t *settings = json_object(), *file = json_object();

    if (settings == NULL || file == NULL)
        goto fail;
    lume_config_each(cfg, put_setting, settings);
    if (cfg->config_file[0] != '\0' &&
        lume_config_file_each(cfg->config_file, put_line, file, err, errlen) != 0)
        goto fail;
    lume_generation(cfg, generation);
    return json_pack("{s:s, s:o, s:o, s:s}", "version", LUME_VERSION, "settings", settings, "file",
                     file, "cache_generation", generation);
fail:
    json_decref(settings);
    json_decref(file);
    return NULL;
}

int main(int argc, char *argv[])
{
    lume_config cfg;
    lume_action action;
    char err[512] = "";
    json_t *doc;
    long min, max;

    if (lume_config_load(&cfg, argc, argv, environ, &action, err, sizeof(err)) != 0) {
        fprintf(stderr, "lume-fcgi: %s\n", err);
        return 2;
    }
    switch (action) {
    case LUME_ACTION_HELP: lume_config_usage(stdout); return 0;
    case LUME_ACTION_VERSION: printf("lume-fcgi %s\n", LUME_VERSION); return 0;
    case LUME_ACTION_DUMP_CONTRACT: return print_json(lume_contract());
    case LUME_ACTION_DUMP_CONFIG:
        doc = dump_config(&cfg, err, sizeof(err));
        if (doc == NULL && err[0] != '\0') {
            fprintf(stderr, "lume-fcgi: %s\n", err);
            return 2;
        }
        return print_json(doc);
    case LUME_ACTION_CHECK:
        if (lume_provider_check(&cfg.provider, NULL, err, sizeof(err)) != 0) {
            fprintf(stderr, "lume-fcgi: %s\n", err);
            return 2;
        }
        lume_config_pool_size(&cfg, &min, &max);
        if (min == max)
            printf("lume-fcgi: configuration OK (listen %s, %ld workers, provider %s)\n",
                   cfg.listen, min, cfg.provider.name);
        else
            printf("lume-fcgi: configuration OK (listen %s, %ld to %ld workers, provider %s)\n",
                   cfg.listen, min, max, cfg.provider.name);
        return 0;
    case LUME_ACTION_RUN: break;
    }
    return lume_master_run(&cfg, argc, argv, environ);
}
