/*
 * config.h: the process configuration of lume-fcgi.
 *
 * Every setting has an environment name (LUME_WORKERS), a long option
 * (--workers) and may appear as NAME=value in a configuration file
 * (--config / LUME_CONFIG). Precedence, lowest first: built-in defaults, the
 * file, the environment, the command line. The master loads it at start and
 * again on SIGHUP; a config is a plain value (no pointers), safe to copy.
 *
 * The core settings are the table in config.c; each provider declares its
 * own (provider.h), and their values live in the provider member, which
 * only the provider layer reads.
 */
#ifndef LUME_CONFIG_H
#define LUME_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "provider.h"
#include "settings.h"
#include "version.h"

#define LUME_MAX_WORKERS 256

typedef struct lume_config {
    char listen[LUME_PATH_LEN];    /* unix:PATH or HOST:PORT */
    long workers;                  /* worker processes (a static pool) */
    long workers_min, workers_max; /* a dynamic pool when workers_max > 0 */
    long workers_idle_timeout_ms;  /* a dynamic pool retires a worker idle this long */
    long worker_timeout_ms;        /* kill a worker busy in one request this long; 0 = never */
    char worker_sched[8];          /* the workers' scheduling policy: "batch" or "other" */
    long crash_brake_threshold;    /* crashes within crash_brake_interval_ms that brake; 0 = off */
    long crash_brake_interval_ms;
    char health_listen[LUME_PATH_LEN]; /* the health responder's socket; "" = none */
    long max_requests;                 /* per worker before it is recycled; 0 = never */
    long shutdown_timeout_ms;          /* graceful stop budget for in-flight requests */
    long request_timeout_ms;           /* upstream deadline of one request */
    long queue_timeout_ms;             /* longest wait for a worker before a 503 */
    long cache_max_age;                /* seconds, Cache-Control of 200s from /resolve */
    long cache_stale_revalidate;       /* seconds, its stale-while-revalidate (0: none) */
    long cache_stale_if_error;         /* seconds, its stale-if-error (0: none) */
    long cache_negative_max_age;       /* seconds, max-age of "none" answers (0: not stored) */
    long backlog;                      /* listen(2) backlog */
    long socket_mode;                  /* permissions of a unix socket */
    long log_level;                    /* lume_log_level */
    int access_log;                    /* one JSON line per request */
    int die_with_parent;               /* the master stops when its parent exits */
    char config_file[LUME_PATH_LEN];   /* re-read on SIGHUP; "" = none */

    /* The FastCGI socket (listen.h, acceptor.h). */
    char socket_group[64];                  /* group of a unix socket; "" = the master's */
    char fcgi_allowed_addrs[LUME_PATH_LEN]; /* TCP peers admitted (allow.h) */
    long fcgi_read_timeout_ms;              /* a request head must arrive within this */
    long fcgi_keep_conns;                   /* kept connections per worker (keep.h); 0: none */

    /* The Stremio addon (stremio.h): the secret of its routes' path; "" = off. */
    char stremio_token[LUME_SECRET_LEN];
    char stremio_token_file[LUME_PATH_LEN]; /* read into stremio_token when that is "" */

    /* LUME_PROVIDER, LUME_CONNECT_TIMEOUT_MS and every provider's own settings. */
    lume_provider_conf provider;
} lume_config;

/* What the command line asked for besides settings. */
typedef enum lume_action {
    LUME_ACTION_RUN = 0,
    LUME_ACTION_CHECK,
    LUME_ACTION_VERSION,
    LUME_ACTION_HELP,
    LUME_ACTION_DUMP_CONTRACT, /* print the API's fixed values as JSON (contract.h) */
    LUME_ACTION_DUMP_CONFIG    /* print the resolved settings as JSON */
} lume_action;

void lume_config_defaults(lume_config *c);

/* Set one setting, the core's or a provider's, by its environment name. Returns 0 when set, 1 when
 * the name is not a setting of lume-fcgi, -1 with a one-line message in err when the value is
 * invalid ("invalid LUME_WORKERS=0: expected ..."). */
int lume_config_set(lume_config *c, const char *name, const char *value, char *err, size_t errlen);

/* Load defaults, then the file, then envp, then argv. Returns 0, or -1 with a
 * one-line message naming the setting in err. *action may be NULL. */
int lume_config_load(lume_config *c, int argc, char *const argv[], char *const envp[],
                     lume_action *action, char *err, size_t errlen);

/* The value of the setting called name as text ("2", "on", "0660"). Returns
 * 0, or -1 when name is not a setting. */
int lume_config_get(const lume_config *c, const char *name, char *out, size_t len);

/* A NAME=value pair of a configuration file: 0 to go on, or -1 with a
 * message in err to stop. */
typedef int (*lume_config_pair)(const char *name, const char *value, void *ctx, char *err,
                                size_t errlen);

/* Call each for every NAME=value line of the file at path, as the loader reads
 * it (blank lines and # comments skipped, "export " and one pair of quotes
 * taken off), whether or not NAME is a setting of lume-fcgi (nginx's share the
 * file). Returns 0, or -1 with a message naming the file and line in err. */
int lume_config_file_each(const char *path, lume_config_pair each, void *ctx, char *err,
                          size_t errlen);

/* Call each(name, value, ctx) for every setting, the core's then each
 * provider's, with its value as text (lume_config_get). */
void lume_config_each(const lume_config *c, void (*each)(const char *, const char *, void *),
                      void *ctx);

/* The pool's size: at least *min workers, at most *max (the same for a
 * static pool, LUME_WORKERS; LUME_WORKERS_MIN (or 1) and LUME_WORKERS_MAX
 * for a dynamic one). */
void lume_config_pool_size(const lume_config *c, long *min, long *max);

/* Is name a secret setting (never shown: settings.h, LUME_SETTING_SECRET)? */
int lume_config_is_secret(const char *name);

/* Print the --help text: the core settings, then each provider's. */
void lume_config_usage(FILE *out);

#endif
