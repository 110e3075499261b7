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
#include <strings.h>
#include <unistd.h>

#include "allow.h"
#include "decimal.h"
#include "listen.h"
#include "log.h"
#include "provider.h"

typedef enum {
    T_INT,
    T_STR,
    T_BOOL,
    T_MODE,
    T_LEVEL,
    T_PROVIDER,
    T_URL,
    T_LISTEN,
    T_ADDRS,
    T_GROUP
} kind;

typedef struct setting {
    const char *name; /* environment name; the option is derived from it */
    kind type;
    size_t offset;
    size_t size; /* for strings */
    long min, max;
    const char *help;
} setting;

#define INT(n, f, lo, hi, h)                                                                       \
    {                                                                                              \
        n, T_INT, offsetof(lume_config, f), 0, lo, hi, h                                           \
    }
#define STR(n, t, f, h)                                                                            \
    {                                                                                              \
        n, t, offsetof(lume_config, f), sizeof(((lume_config *)0)->f), 0, 0, h                     \
    }

static const setting settings[] = {
    STR("LUME_LISTEN", T_LISTEN, listen, "unix:PATH or HOST:PORT to listen on"),
    INT("LUME_WORKERS", workers, 1, LUME_MAX_WORKERS, "worker processes (default: CPUs)"),
    STR("LUME_PROVIDER", T_PROVIDER, provider, "media provider: mock or archive"),
    INT("LUME_MAX_REQUESTS", max_requests, 0, 1000000000,
        "requests before a worker is recycled (0: never)"),
    INT("LUME_SHUTDOWN_TIMEOUT_MS", shutdown_timeout_ms, 0, 3600000, "graceful stop budget"),
    INT("LUME_REQUEST_TIMEOUT_MS", request_timeout_ms, 1, 600000, "upstream deadline of a request"),
    INT("LUME_QUEUE_TIMEOUT_MS", queue_timeout_ms, 1, 600000,
        "longest wait for a worker before a fast 503"),
    INT("LUME_CONNECT_TIMEOUT_MS", connect_timeout_ms, 1, 600000, "upstream connect timeout"),
    INT("LUME_CACHE_MAX_AGE", cache_max_age, 0, 31536000, "max-age of 200 answers from /resolve"),
    INT("LUME_BACKLOG", backlog, 1, 65535, "listen backlog"),
    {"LUME_SOCKET_MODE", T_MODE, offsetof(lume_config, socket_mode), 0, 0, 0777,
     "unix socket permissions (octal)"},
    STR("LUME_SOCKET_GROUP", T_GROUP, socket_group, "unix socket group (default: the master's)"),
    STR("LUME_FCGI_ALLOWED_ADDRS", T_ADDRS, fcgi_allowed_addrs,
        "TCP peers admitted: addresses, CIDR ranges, or any"),
    INT("LUME_FCGI_READ_TIMEOUT_MS", fcgi_read_timeout_ms, 1, 600000,
        "a connection's request must arrive within this"),
    {"LUME_LOG_LEVEL", T_LEVEL, offsetof(lume_config, log_level), 0, 0, 0,
     "debug, info, warn or error"},
    {"LUME_ACCESS_LOG", T_BOOL, offsetof(lume_config, access_log), 0, 0, 1,
     "log every request: on or off"},
    STR("LUME_MOCK_CATALOG", T_STR, mock_catalog, "JSON catalog file for the mock provider"),
    INT("LUME_MOCK_DELAY_MS", mock_delay_ms, 0, 600000, "simulated latency of mock searches"),
    STR("LUME_ARCHIVE_BASE_URL", T_URL, archive_base_url, "Internet Archive base URL"),
    INT("LUME_RETRIES", retries, 0, 10, "upstream retries"),
    INT("LUME_BREAKER_FAILURES", breaker_failures, 1, 1000, "failures that open the circuit"),
    INT("LUME_BREAKER_OPEN_MS", breaker_open_ms, 1, 3600000, "how long the circuit stays open"),
    {"LUME_DIE_WITH_PARENT", T_BOOL, offsetof(lume_config, die_with_parent), 0, 0, 1,
     "stop when the process that started it exits: on or off"},
    STR("LUME_CONFIG", T_STR, config_file, "file of NAME=value lines, re-read on SIGHUP"),
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

void lume_config_defaults(lume_config *c)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:9000");
    c->workers = cpus < 1 ? 1 : (cpus > LUME_MAX_WORKERS ? LUME_MAX_WORKERS : cpus);
    snprintf(c->provider, sizeof(c->provider), "mock");
    c->max_requests = 10000;
    c->shutdown_timeout_ms = 10000;
    c->request_timeout_ms = 8000;
    c->queue_timeout_ms = 500;
    c->connect_timeout_ms = 2000;
    c->cache_max_age = 300;
    c->backlog = 1024;
    c->socket_mode = 0660;
    snprintf(c->fcgi_allowed_addrs, sizeof(c->fcgi_allowed_addrs), "127.0.0.1,::1");
    c->fcgi_read_timeout_ms = 5000;
    c->log_level = LUME_LOG_INFO;
    c->access_log = 1;
    c->mock_delay_ms = 0;
    snprintf(c->archive_base_url, sizeof(c->archive_base_url), "https://archive.org");
    c->retries = 2;
    c->breaker_failures = 5;
    c->breaker_open_ms = 30000;
    c->die_with_parent = 0;
}

static const setting *find_setting(const char *name)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return &settings[i];
    return NULL;
}

/* s[0..len) for a message, cut to fit out (cap bytes): a message is one
 * line, so control characters are shown as '?'. */
static const char *shown(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;

    for (; n < len && s[n] != '\0' && n + 1 < cap; n++)
        out[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7F ? '?' : s[n];
    out[n] = '\0';
    return out;
}

static int invalid(char *err, size_t errlen, const setting *s, const char *value,
                   const char *expected)
{
    char buf[65];

    snprintf(err, errlen, "invalid %s=%s: expected %s", s->name,
             shown(value, strlen(value), buf, sizeof(buf)), expected);
    return -1;
}

static int parse_listen(const char *v)
{
    const char *colon;
    long port;

    if (strncmp(v, "unix:", 5) == 0)
        return v[5] == '/' || v[5] == '.' ? 0 : -1;
    colon = strrchr(v, ':');
    if (colon == NULL || colon == v)
        return -1;
    return lume_decimal_parse(colon + 1, strlen(colon + 1), 1, 65535, &port);
}

static int parse_bool(const char *v, int *out)
{
    static const char *yes[] = {"1", "on", "yes", "true"}, *no[] = {"0", "off", "no", "false"};

    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

int lume_config_set(lume_config *c, const char *name, const char *value, char *err, size_t errlen)
{
    const setting *s = find_setting(name);
    char *field;
    long n;
    int b;

    if (s == NULL)
        return 1;
    field = (char *)c + s->offset;
    switch (s->type) {
    case T_INT:
        if (lume_decimal_parse(value, strlen(value), s->min, s->max, &n) != 0) {
            char range[64];
            snprintf(range, sizeof(range), "an integer from %ld to %ld", s->min, s->max);
            return invalid(err, errlen, s, value, range);
        }
        *(long *)(void *)field = n;
        return 0;
    case T_MODE: {
        char *end;
        errno = 0;
        n = strtol(value, &end, 8);
        /* digits only: strtol alone would take a sign and leading blanks */
        if (*value < '0' || *value > '7' || *end != '\0' || errno != 0 || n < 0 || n > 0777)
            return invalid(err, errlen, s, value, "an octal mode such as 0660");
        *(long *)(void *)field = n;
        return 0;
    }
    case T_BOOL:
        if (parse_bool(value, &b) != 0)
            return invalid(err, errlen, s, value, "on or off");
        *(int *)(void *)field = b;
        return 0;
    case T_LEVEL:
        if (lume_log_level_parse(value, &b) != 0)
            return invalid(err, errlen, s, value, "debug, info, warn or error");
        *(long *)(void *)field = b;
        return 0;
    case T_PROVIDER:
        if (!lume_provider_known(value))
            return invalid(err, errlen, s, value, "one of " LUME_PROVIDER_NAMES);
        break;
    case T_URL:
        if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0)
            return invalid(err, errlen, s, value, "an http:// or https:// URL");
        break;
    case T_LISTEN:
        if (parse_listen(value) != 0)
            return invalid(err, errlen, s, value, "unix:/path or HOST:PORT");
        break;
    case T_ADDRS: {
        char why[128] = "";
        lume_allow *allow = lume_allow_create(value, why, sizeof(why));
        char expected[256];
        if (allow == NULL) {
            snprintf(expected, sizeof(expected),
                     "addresses and CIDR ranges separated by commas, or any (%s)",
                     why[0] ? why : "out of memory");
            return invalid(err, errlen, s, value, expected);
        }
        lume_allow_destroy(allow);
        break;
    }
    case T_GROUP: {
        gid_t gid;
        if (lume_listen_group(value, &gid) != 0)
            return invalid(err, errlen, s, value, "an existing group name, or a group number");
        break;
    }
    case T_STR: break;
    }
    if (strlen(value) >= s->size)
        return invalid(err, errlen, s, value, "a shorter value");
    memcpy(field, value, strlen(value) + 1);
    return 0;
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

static int load_file(lume_config *c, const char *path, char *err, size_t errlen)
{
    char *line = NULL, where[201];
    size_t cap = 0;
    int lineno = 0, rc = 0;
    FILE *f = fopen(path, "r");

    shown(path, strlen(path), where, sizeof(where));
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
        /* Other LUME_* names (nginx's) may share the file; LUME_CONFIG may not nest. */
        if (strcmp(name, "LUME_CONFIG") != 0 && lume_config_set(c, name, value, err, errlen) < 0)
            rc = -1;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "invalid LUME_CONFIG=%s: cannot read: %s", where, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

static const char *env_value(char *const envp[], const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
        if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
            return envp[i] + n + 1;
    return NULL;
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

/* Walk argv: settings are applied when apply is set, else only --config is
 * looked for (it must be known before the file is read). */
static int walk_args(lume_config *c, int argc, char *const argv[], int apply, lume_action *action,
                     char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *eq, *value;
        char name[64], buf[65];
        size_t len;

        if (strncmp(arg, "--", 2) != 0) {
            snprintf(err, errlen, "unexpected argument %s (see --help)",
                     shown(arg, strlen(arg), buf, sizeof(buf)));
            return -1;
        }
        arg += 2;
        if (strcmp(arg, "check-config") == 0 || strcmp(arg, "version") == 0 ||
            strcmp(arg, "help") == 0) {
            if (action != NULL && apply)
                *action = arg[0] == 'c'   ? LUME_ACTION_CHECK
                          : arg[0] == 'v' ? LUME_ACTION_VERSION
                                          : LUME_ACTION_HELP;
            continue;
        }
        eq = strchr(arg, '=');
        len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (option_to_env(arg, len, name, sizeof(name)) != 0 || find_setting(name) == NULL) {
            snprintf(err, errlen, "unknown option --%s (see --help)",
                     shown(arg, len, buf, sizeof(buf)));
            return -1;
        }
        if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(err, errlen, "option --%s needs a value",
                     shown(arg, strlen(arg), buf, sizeof(buf)));
            return -1;
        }
        if ((apply || strcmp(name, "LUME_CONFIG") == 0) &&
            lume_config_set(c, name, value, err, errlen) != 0)
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
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *v = env_value(envp, settings[i].name);
        if (v != NULL && lume_config_set(c, settings[i].name, v, err, errlen) != 0)
            return -1;
    }
    return walk_args(c, argc, argv, 1, action, err, errlen);
}

void lume_config_usage(FILE *out)
{
    fprintf(out, "usage: lume-fcgi [--OPTION VALUE]... [--check-config] [--version] [--help]\n\n"
                 "Every option is also read from the environment variable named after it\n"
                 "(--max-requests from LUME_MAX_REQUESTS) and from NAME=value lines of the\n"
                 "--config file. Precedence: command line, environment, file, default.\n\n");
    for (size_t i = 0; i < NSETTINGS; i++) {
        char opt[64];
        size_t n = strlen(settings[i].name) - 5;
        for (size_t j = 0; j < n; j++)
            opt[j] = settings[i].name[5 + j] == '_' ? '-' : (char)tolower(settings[i].name[5 + j]);
        opt[n] = '\0';
        fprintf(out, "  --%-22s %-26s %s\n", opt, settings[i].name, settings[i].help);
    }
    fprintf(out, "\n  --check-config           validate the configuration and exit\n"
                 "  --version                print the version and exit\n"
                 "  --help                   print this help and exit\n");
}
