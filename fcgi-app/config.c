/*
 * config.c: the table of settings, and loading them from defaults, a file,
 * the environment and the command line (see config.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decimal.h"

#include "allow.h"
#include "listen.h"
#include "log.h"

/* ---- checks of the core's own kinds of value ---- */

static int check_listen(const char *v, long *number, char *expected, size_t len)
{
    const char *colon;
    long port;

    (void)number;
    snprintf(expected, len, "unix:/path or HOST:PORT");
    if (strncmp(v, "unix:", 5) == 0)
        return v[5] == '/' || v[5] == '.' ? 0 : -1;
    colon = strrchr(v, ':');
    if (colon == NULL || colon == v)
        return -1;
    return lume_decimal_parse(colon + 1, strlen(colon + 1), 1, 65535, &port);
}

static int check_health_listen(const char *v, long *number, char *expected, size_t len)
{
    if (v[0] == '\0')
        return 0;
    if (check_listen(v, number, expected, len) == 0)
        return 0;
    snprintf(expected, len, "unix:/path, HOST:PORT, or empty for none");
    return -1;
}

static int check_provider(const char *v, long *number, char *expected, size_t len)
{
    char names[128];

    (void)number;
    if (lume_provider_known(v))
        return 0;
    lume_provider_names(names, sizeof(names));
    snprintf(expected, len, "one of %s", names);
    return -1;
}

static int check_providers(const char *v, long *number, char *expected, size_t len)
{
    int index[LUME_PROVIDERS_MAX];
    char names[128];

    (void)number;
    if (lume_provider_list(v, index) > 0)
        return 0;
    lume_provider_names(names, sizeof(names));
    snprintf(expected, len, "a comma-separated list of %s, each once", names);
    return -1;
}

static int check_addrs(const char *v, long *number, char *expected, size_t len)
{
    char why[128] = "";
    lume_allow *allow = lume_allow_create(v, why, sizeof(why));

    (void)number;
    if (allow == NULL) {
        snprintf(expected, len, "addresses and CIDR ranges separated by commas, or any (%s)",
                 why[0] ? why : "out of memory");
        return -1;
    }
    lume_allow_destroy(allow);
    return 0;
}

static int check_group(const char *v, long *number, char *expected, size_t len)
{
    gid_t gid;

    (void)number;
    if (lume_listen_group(v, &gid) == 0)
        return 0;
    snprintf(expected, len, "an existing group name, or a group number");
    return -1;
}

static int check_level(const char *v, long *number, char *expected, size_t len)
{
    int level;

    if (lume_log_level_parse(v, &level) == 0)
        return *number = level, 0;
    snprintf(expected, len, "debug, info, warn or error");
    return -1;
}

static int check_sched(const char *v, long *number, char *expected, size_t len)
{
    (void)number;
    snprintf(expected, len, "batch or other");
    return strcmp(v, "batch") == 0 || strcmp(v, "other") == 0 ? 0 : -1;
}

/* ---- the core settings; each provider's are in its lume_provider_def ---- */

#define INT(n, f, lo, hi, h) LUME_SETTING_ROW_INT(n, lume_config, f, lo, hi, NULL, h)
#define STR(n, f, check, h)  LUME_SETTING_ROW_STR(n, lume_config, f, check, NULL, h)
#define TYPED(n, t, f, max, check, h)                                                              \
    {                                                                                              \
        n, t, offsetof(lume_config, f), 0, 0, max, check, NULL, h                                  \
    }

static const lume_setting settings[] = {
    STR("LUME_LISTEN", listen, check_listen, "unix:PATH or HOST:PORT to listen on"),
    INT("LUME_WORKERS", workers, 1, LUME_MAX_WORKERS, "worker processes (default: CPUs)"),
    INT("LUME_WORKERS_MIN", workers_min, 0, LUME_MAX_WORKERS,
        "a dynamic pool keeps at least this many (0: 1); needs LUME_WORKERS_MAX"),
    INT("LUME_WORKERS_MAX", workers_max, 0, LUME_MAX_WORKERS,
        "a dynamic pool grows up to this many when all are busy (0: static, LUME_WORKERS)"),
    INT("LUME_WORKERS_IDLE_TIMEOUT_MS", workers_idle_timeout_ms, 1, 3600000,
        "a dynamic pool retires a worker idle this long"),
    INT("LUME_WORKER_TIMEOUT_MS", worker_timeout_ms, 0, 3600000,
        "kill a worker busy in one request this long (0: never; above the request timeout)"),
    STR("LUME_WORKER_SCHED", worker_sched, check_sched,
        "the workers' scheduling policy: batch (a woken worker does not preempt nginx) or other"),
    INT("LUME_CRASH_BRAKE_THRESHOLD", crash_brake_threshold, 0, 1000,
        "crashes within the interval that slow respawning (0: never)"),
    INT("LUME_CRASH_BRAKE_INTERVAL_MS", crash_brake_interval_ms, 1, 3600000,
        "the crash brake's window"),
    STR("LUME_HEALTH_LISTEN", health_listen, check_health_listen,
        "unix:PATH or HOST:PORT of the /health responder (empty: none)"),
    LUME_SETTING_ROW_SECRET("LUME_STREMIO_TOKEN", lume_config, stremio_token,
                            lume_setting_check_secret,
                            "the Stremio addon's secret path segment (empty: the addon is off)"),
    STR("LUME_STREMIO_TOKEN_FILE", stremio_token_file, NULL,
        "a file holding LUME_STREMIO_TOKEN (make run writes one)"),
    STR("LUME_PROVIDER", provider.name, check_provider, "media provider (settings below)"),
    STR("LUME_PROVIDERS", provider.name, check_providers,
        "media providers asked together, in rank order: library,archive (LUME_PROVIDER's "
        "many-provider form; the one set last wins)"),
    INT("LUME_MAX_REQUESTS", max_requests, 0, 1000000000,
        "requests before a worker is recycled (0: never)"),
    INT("LUME_SHUTDOWN_TIMEOUT_MS", shutdown_timeout_ms, 0, 3600000, "graceful stop budget"),
    INT("LUME_REQUEST_TIMEOUT_MS", request_timeout_ms, 1, 600000, "upstream deadline of a request"),
    INT("LUME_QUEUE_TIMEOUT_MS", queue_timeout_ms, 1, 600000,
        "longest wait for a worker before a fast 503"),
    INT("LUME_CONNECT_TIMEOUT_MS", provider.connect_timeout_ms, 1, 600000,
        "upstream connect timeout"),
    INT("LUME_CACHE_MAX_AGE", cache_max_age, 0, 31536000, "max-age of 200 answers from /resolve"),
    INT("LUME_CACHE_STALE_WHILE_REVALIDATE", cache_stale_revalidate, 0, 31536000,
        "stale-while-revalidate of those answers (0: none)"),
    INT("LUME_CACHE_STALE_IF_ERROR", cache_stale_if_error, 0, 31536000,
        "stale-if-error of those answers (0: none)"),
    INT("LUME_CACHE_NEGATIVE_MAX_AGE", cache_negative_max_age, 0, 31536000,
        "max-age of a resolve's 404 and an empty search (0: never stored)"),
    INT("LUME_BACKLOG", backlog, 1, 65535, "listen backlog"),
    TYPED("LUME_SOCKET_MODE", LUME_SETTING_OCTAL, socket_mode, 0777, NULL,
          "unix socket permissions (octal)"),
    STR("LUME_SOCKET_GROUP", socket_group, check_group,
        "unix socket group (default: the master's)"),
    STR("LUME_FCGI_ALLOWED_ADDRS", fcgi_allowed_addrs, check_addrs,
        "TCP peers admitted: addresses, CIDR ranges, or any"),
    INT("LUME_FCGI_READ_TIMEOUT_MS", fcgi_read_timeout_ms, 1, 600000,
        "a connection's request must arrive within this"),
    INT("LUME_FCGI_KEEP_CONNS", fcgi_keep_conns, 0, 1024,
        "FastCGI connections a worker keeps between requests (0: none)"),
    TYPED("LUME_LOG_LEVEL", LUME_SETTING_NAMED, log_level, 0, check_level,
          "debug, info, warn or error"),
    TYPED("LUME_ACCESS_LOG", LUME_SETTING_BOOL, access_log, 0, NULL,
          "log every request: on or off"),
    TYPED("LUME_DIE_WITH_PARENT", LUME_SETTING_BOOL, die_with_parent, 0, NULL,
          "stop when the process that started it exits: on or off"),
    STR("LUME_CONFIG", config_file, NULL, "file of NAME=value lines, re-read on SIGHUP"),
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

void lume_config_defaults(lume_config *c)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:9000");
    c->workers = cpus < 1 ? 1 : (cpus > LUME_MAX_WORKERS ? LUME_MAX_WORKERS : cpus);
    c->workers_min = 0;
    c->workers_max = 0;
    c->workers_idle_timeout_ms = 10000;
    c->worker_timeout_ms = 60000;
    snprintf(c->worker_sched, sizeof(c->worker_sched), "batch");
    c->crash_brake_threshold = 10;
    c->crash_brake_interval_ms = 60000;
    c->max_requests = 10000;
    c->shutdown_timeout_ms = 10000;
    c->request_timeout_ms = 8000;
    c->queue_timeout_ms = 500;
    c->cache_max_age = 300;
    c->cache_stale_revalidate = 172800; /* the app's 48-hour aging of resolved links */
    c->cache_stale_if_error = 172800;
    c->cache_negative_max_age = 30; /* "gone" replaces "was there" within this (docs/api.md) */
    c->backlog = 1024;
    c->socket_mode = 0660;
    snprintf(c->fcgi_allowed_addrs, sizeof(c->fcgi_allowed_addrs), "127.0.0.1,::1");
    c->fcgi_read_timeout_ms = 5000;
    c->fcgi_keep_conns = 256;
    c->log_level = LUME_LOG_INFO;
    c->access_log = 1;
    c->die_with_parent = 0;
    /* LUME_PROVIDER, LUME_CONNECT_TIMEOUT_MS, and each provider's own. */
    lume_provider_conf_defaults(&c->provider);
}

/* The setting called name, the core's or a provider's; NULL when none. */
static const lume_setting *find_any(const char *name)
{
    const lume_setting *s = lume_setting_find(settings, NSETTINGS, name);

    return s != NULL ? s : lume_provider_setting_find(name);
}

static int is_setting(const char *name)
{
    return find_any(name) != NULL;
}

int lume_config_is_secret(const char *name)
{
    const lume_setting *s = find_any(name);

    return s != NULL && s->type == LUME_SETTING_SECRET;
}

int lume_config_set(lume_config *c, const char *name, const char *value, char *err, size_t errlen)
{
    const lume_setting *s = lume_setting_find(settings, NSETTINGS, name);

    if (s == NULL)
        return lume_provider_conf_set(&c->provider, name, value, err, errlen);
    return lume_setting_set(s, c, value, err, errlen);
}

int lume_config_get(const lume_config *c, const char *name, char *out, size_t len)
{
    const lume_setting *s = lume_setting_find(settings, NSETTINGS, name);

    if (s != NULL) {
        lume_setting_format(s, c, out, len);
        return 0;
    }
    for (size_t i = 0; i < lume_provider_count(); i++) {
        const lume_provider_def *def = lume_provider_at(i);
        if ((s = lume_setting_find(def->settings, def->nsettings, name)) != NULL) {
            lume_setting_format(s, c->provider.blocks[i], out, len);
            return 0;
        }
    }
    return -1;
}

void lume_config_each(const lume_config *c, void (*each)(const char *, const char *, void *),
                      void *ctx)
{
    char value[LUME_PATH_LEN + 32];

    for (size_t i = 0; i < NSETTINGS; i++) {
        lume_setting_format(&settings[i], c, value, sizeof(value));
        each(settings[i].name, value, ctx);
    }
    for (size_t i = 0; i < lume_provider_count(); i++) {
        const lume_provider_def *def = lume_provider_at(i);
        for (size_t j = 0; j < def->nsettings; j++) {
            lume_setting_format(&def->settings[j], c->provider.blocks[i], value, sizeof(value));
            each(def->settings[j].name, value, ctx);
        }
    }
}

/* Strip surrounding blanks and one pair of matching quotes, in place. */
static char *trim(char *s)
{
    size_t len;

    while (isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
        s[len - 1] = '\0';
        s++;
    }
    return s;
}

int lume_config_file_each(const char *path, lume_config_pair each, void *ctx, char *err,
                          size_t errlen)
{
    char *line = NULL, where[201];
    size_t cap = 0;
    int lineno = 0, rc = 0;
    FILE *f = fopen(path, "r");

    lume_setting_shown(path, strlen(path), where, sizeof(where));
    if (f == NULL) {
        snprintf(err, errlen, "invalid LUME_CONFIG=%s: cannot open: %s", where, strerror(errno));
        return -1;
    }
    /* getline reads a line whole, however long: no tail of a long line (a
     * comment) is ever taken for a line of its own. */
    while (rc == 0 && getline(&line, &cap, f) != -1) {
        char *p = trim(line), *eq, *name, *value;

        lineno++;
        if (*p == '\0' || *p == '#')
            continue;
        if (strncmp(p, "export ", 7) == 0)
            p += 7;
        eq = strchr(p, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "invalid LUME_CONFIG=%s: line %d is not NAME=value", where,
                     lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        name = trim(p);
        value = trim(eq + 1);
        rc = each(name, value, ctx, err, errlen);
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "invalid LUME_CONFIG=%s: cannot read: %s", where, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

/* One NAME=value of the file into the config. Other LUME_* names (nginx's)
 * may share the file; LUME_CONFIG may not nest. */
static int set_from_file(const char *name, const char *value, void *c, char *err, size_t errlen)
{
    if (strcmp(name, "LUME_CONFIG") == 0 || lume_config_set(c, name, value, err, errlen) >= 0)
        return 0;
    return -1;
}

static int load_file(lume_config *c, const char *path, char *err, size_t errlen)
{
    return lume_config_file_each(path, set_from_file, c, err, errlen);
}

static const char *env_value(char *const envp[], const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
        if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
            return envp[i] + n + 1;
    return NULL;
}

/* Set the settings of table[0..n) that envp has. */
static int load_env(lume_config *c, const lume_setting *table, size_t n, char *const envp[],
                    char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = env_value(envp, table[i].name);
        if (v != NULL && lume_config_set(c, table[i].name, v, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* "--max-requests" -> "LUME_MAX_REQUESTS"; -1 when too long or not lower-case. */
static int option_to_env(const char *opt, size_t len, char *out, size_t outlen)
{
    if (len + 6 > outlen)
        return -1;
    memcpy(out, "LUME_", 5);
    for (size_t i = 0; i < len; i++) {
        if (!(opt[i] == '-' || (opt[i] >= 'a' && opt[i] <= 'z') ||
              (opt[i] >= '0' && opt[i] <= '9')))
            return -1; /* options are spelled as --help prints them */
        out[5 + i] = opt[i] == '-' ? '_' : (char)toupper((unsigned char)opt[i]);
    }
    out[5 + len] = '\0';
    return 0;
}

/* The options that are actions, not settings. */
static const struct {
    const char *option;
    lume_action action;
    const char *help;
} actions[] = {
    {"check-config", LUME_ACTION_CHECK, "validate the configuration and exit"},
    {"dump-contract", LUME_ACTION_DUMP_CONTRACT,
     "print the API's codes, messages and bounds as JSON (for nginx) and exit"},
    {"dump-config", LUME_ACTION_DUMP_CONFIG,
     "print every setting as resolved (defaults, file, environment, options) and the cache "
     "generation as JSON, and exit"},
    {"version", LUME_ACTION_VERSION, "print the version and exit"},
    {"help", LUME_ACTION_HELP, "print this help and exit"},
};

static int find_action(const char *option)
{
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(actions[i].option, option) == 0)
            return (int)i;
    return -1;
}

/* Walk argv: settings are applied when apply is set, else only --config is
 * looked for (it must be known before the file is read). */
static int walk_args(lume_config *c, int argc, char *const argv[], int apply, lume_action *action,
                     char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *eq, *value;
        char name[64], buf[65];
        size_t len;
        int a;

        if (strncmp(arg, "--", 2) != 0) {
            snprintf(err, errlen, "unexpected argument %s (see --help)",
                     lume_setting_shown(arg, strlen(arg), buf, sizeof(buf)));
            return -1;
        }
        arg += 2;
        if ((a = find_action(arg)) >= 0) {
            if (action != NULL && apply)
                *action = actions[a].action;
            continue;
        }
        eq = strchr(arg, '=');
        len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (option_to_env(arg, len, name, sizeof(name)) != 0 || !is_setting(name)) {
            snprintf(err, errlen, "unknown option --%s (see --help)",
                     lume_setting_shown(arg, len, buf, sizeof(buf)));
            return -1;
        }
        if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(err, errlen, "option --%s needs a value",
                     lume_setting_shown(arg, strlen(arg), buf, sizeof(buf)));
            return -1;
        }
        if ((apply || strcmp(name, "LUME_CONFIG") == 0) &&
            lume_config_set(c, name, value, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* Settings that must agree with each other. */
static int check_together(const lume_config *c, char *err, size_t errlen)
{
    if (c->workers_min > 0 && c->workers_max == 0) {
        snprintf(err, errlen,
                 "invalid LUME_WORKERS_MIN=%ld: a dynamic pool needs LUME_WORKERS_MAX too "
                 "(or use LUME_WORKERS for a static pool)",
                 c->workers_min);
        return -1;
    }
    if (c->workers_max > 0 && c->workers_min > c->workers_max) {
        snprintf(err, errlen, "invalid LUME_WORKERS_MIN=%ld: expected at most LUME_WORKERS_MAX=%ld",
                 c->workers_min, c->workers_max);
        return -1;
    }
    if (c->worker_timeout_ms > 0 && c->worker_timeout_ms <= c->request_timeout_ms) {
        snprintf(err, errlen,
                 "invalid LUME_WORKER_TIMEOUT_MS=%ld: expected 0 (never) or more than "
                 "LUME_REQUEST_TIMEOUT_MS=%ld",
                 c->worker_timeout_ms, c->request_timeout_ms);
        return -1;
    }
    if (c->health_listen[0] != '\0' && strcmp(c->health_listen, c->listen) == 0) {
        snprintf(err, errlen, "invalid LUME_HEALTH_LISTEN=%s: the same as LUME_LISTEN",
                 c->health_listen);
        return -1;
    }
    return 0;
}

int lume_config_load(lume_config *c, int argc, char *const argv[], char *const envp[],
                     lume_action *action, char *err, size_t errlen)
{
    lume_config probe;
    const char *file;

    if (action != NULL)
        *action = LUME_ACTION_RUN;
    /* Find the file first: command line, then environment. */
    lume_config_defaults(&probe);
    if ((file = env_value(envp, "LUME_CONFIG")) != NULL &&
        lume_config_set(&probe, "LUME_CONFIG", file, err, errlen) != 0)
        return -1;
    if (walk_args(&probe, argc, argv, 0, NULL, err, errlen) != 0)
        return -1;

    lume_config_defaults(c);
    if (probe.config_file[0] != '\0' && load_file(c, probe.config_file, err, errlen) != 0)
        return -1;
    if (load_env(c, settings, NSETTINGS, envp, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < lume_provider_count(); i++) {
        const lume_provider_def *def = lume_provider_at(i);
        if (load_env(c, def->settings, def->nsettings, envp, err, errlen) != 0)
            return -1;
    }
    if (walk_args(c, argc, argv, 1, action, err, errlen) != 0)
        return -1;
    if (c->stremio_token[0] == '\0' && c->stremio_token_file[0] != '\0' &&
        lume_setting_read_secret("LUME_STREMIO_TOKEN_FILE", c->stremio_token_file,
                                 c->stremio_token, err, errlen) != 0)
        return -1;
    return check_together(c, err, errlen);
}

void lume_config_pool_size(const lume_config *c, long *min, long *max)
{
    if (c->workers_max > 0) {
        *min = c->workers_min > 0 ? c->workers_min : 1;
        *max = c->workers_max;
    } else {
        *min = *max = c->workers;
    }
}

void lume_config_usage(FILE *out)
{
    fprintf(
        out,
        "usage: lume-fcgi [--OPTION VALUE]... [--check-config] [--dump-contract] [--dump-config]\n"
        "                 [--version] [--help]\n\n"
        "Every option is also read from the environment variable named after it\n"
        "(--max-requests from LUME_MAX_REQUESTS) and from NAME=value lines of the\n"
        "--config file. Precedence: command line, environment, file, default.\n\n");
    for (size_t i = 0; i < NSETTINGS; i++)
        lume_setting_usage(&settings[i], out);
    for (size_t i = 0; i < lume_provider_count(); i++) {
        const lume_provider_def *def = lume_provider_at(i);
        fprintf(out, "\nSettings of the %s provider (LUME_PROVIDER=%s):\n", def->config_name,
                def->config_name);
        for (size_t j = 0; j < def->nsettings; j++)
            lume_setting_usage(&def->settings[j], out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        fprintf(out, "  --%-22s %s\n", actions[i].option, actions[i].help);
}
