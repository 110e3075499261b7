/*
 * fuzz_config.c: configuration loading (fcgi-app/config.c): NAME=value lines
 * of a configuration file, the environment and the command line. The input
 * is the file's text up to the first NUL, then NUL-separated entries: NAME=
 * value entries that do not start with "--" are the environment, the others
 * argv. The file is a temporary one, named last on the command line.
 *
 * Invariants: loading is deterministic; an error is a one-line message; a
 * loaded configuration has every setting in its range and its strings
 * NUL-terminated, and written back as a file of NAME="value" lines loads to
 * the same configuration; the same file with every line commented out loads
 * to the defaults, whatever the length of its lines. The providers' own
 * settings (provider.h) are walked through their tables.
 */
#include <stddef.h>
#include <unistd.h>

#include "config.h"
#include "fuzz/fuzz.h"
#include "log.h"
#include "provider.h"

static char path[64];
static char config_arg[80];

static void remove_file(void)
{
    unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int fd;

    (void)argc;
    (void)argv;
    /* in memory when there is /dev/shm: a file on disk is ten times slower */
    snprintf(path, sizeof(path), "/dev/shm/lume-fuzz-config-XXXXXX");
    if ((fd = mkstemp(path)) < 0) {
        snprintf(path, sizeof(path), "/tmp/lume-fuzz-config-XXXXXX");
        fd = mkstemp(path);
    }
    FUZZ_CHECK(fd >= 0);
    close(fd);
    atexit(remove_file);
    snprintf(config_arg, sizeof(config_arg), "--config=%s", path);
    return 0;
}

static void write_file(const char *text, size_t len)
{
    FILE *f = fopen(path, "w");

    FUZZ_CHECK(f != NULL && fwrite(text, 1, len, f) == len && fclose(f) == 0);
}

/* Zero what follows the NUL of s: a shorter value set over a longer one
 * leaves the old bytes there, which are no part of the configuration. */
static void clear_tail(char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    if (n < cap)
        memset(s + n, 0, cap - n);
}

/* Load, so that two equal configurations compare equal with memcmp. */
static int load(lume_config *c, int argc, char **argv, char **envp, char *err, size_t errlen)
{
    lume_action action;
    int rc;

    memset(c, 0x5A, sizeof(*c));
    rc = lume_config_load(c, argc, argv, envp, &action, err, errlen);
    clear_tail(c->listen, sizeof(c->listen));
    clear_tail(c->provider.name, sizeof(c->provider.name));
    clear_tail(c->config_file, sizeof(c->config_file));
    /* a provider's strings are zeroed past their value by the loader itself */
    return rc;
}

static void check_string(const char *s, size_t cap)
{
    FUZZ_CHECK(memchr(s, '\0', cap) != NULL);
}

static void check_valid(const lume_config *c)
{
    FUZZ_CHECK(c->workers >= 1 && c->workers <= LUME_MAX_WORKERS);
    FUZZ_CHECK(c->max_requests >= 0 && c->request_timeout_ms >= 1 &&
               c->provider.connect_timeout_ms >= 1);
    FUZZ_CHECK(c->backlog >= 1 && c->backlog <= 65535);
    FUZZ_CHECK(c->socket_mode >= 0 && c->socket_mode <= 0777);
    FUZZ_CHECK(c->log_level >= LUME_LOG_DEBUG && c->log_level <= LUME_LOG_ERROR);
    FUZZ_CHECK(c->access_log == 0 || c->access_log == 1);
    check_string(c->listen, sizeof(c->listen));
    check_string(c->provider.name, sizeof(c->provider.name));
    check_string(c->config_file, sizeof(c->config_file));
    { int index[LUME_PROVIDERS_MAX]; FUZZ_CHECK(lume_provider_list(c->provider.name, index) > 0); }
    /* every provider setting holds a value its table accepts (its range, a URL, ...) */
    for (size_t i = 0; i < lume_provider_count(); i++) {
        const lume_provider_def *def = lume_provider_at(i);
        for (size_t j = 0; j < def->nsettings; j++) {
            const lume_setting *s = &def->settings[j];
            static unsigned char scratch[LUME_PROVIDER_BLOCK_BYTES];
            char text[LUME_PATH_LEN + 32], err[512];

            if (s->type == LUME_SETTING_STR || s->type == LUME_SETTING_FILE)
                check_string((const char *)c->provider.blocks[i] + s->offset, s->size);
            lume_setting_format(s, c->provider.blocks[i], text, sizeof(text));
            FUZZ_CHECK(lume_setting_set(s, scratch, text, err, sizeof(err)) == 0);
        }
    }
    FUZZ_CHECK(strncmp(c->listen, "unix:", 5) == 0 || strrchr(c->listen, ':') > c->listen);
}

/* Append NAME="value" (a string) or NAME=value to out. Returns 0, or -1 when
 * the value cannot be a line (a newline in it). */
static int put_line(char **out, const char *name, const char *value, int quote)
{
    if (strchr(value, '\n') != NULL)
        return -1;
    *out += sprintf(*out, quote ? "%s=\"%s\"\n" : "%s=%s\n", name, value);
    return 0;
}

/* The configuration as a file. Returns its length, or -1 when it has a
 * string that no line can hold. */
static long render(const lume_config *c, char *buf)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    static const struct {
        const char *name;
        size_t offset;
    } longs[] = {
        {"LUME_WORKERS", offsetof(lume_config, workers)},
        {"LUME_MAX_REQUESTS", offsetof(lume_config, max_requests)},
        {"LUME_SHUTDOWN_TIMEOUT_MS", offsetof(lume_config, shutdown_timeout_ms)},
        {"LUME_REQUEST_TIMEOUT_MS", offsetof(lume_config, request_timeout_ms)},
        {"LUME_CONNECT_TIMEOUT_MS", offsetof(lume_config, provider.connect_timeout_ms)},
        {"LUME_CACHE_MAX_AGE", offsetof(lume_config, cache_max_age)},
        {"LUME_BACKLOG", offsetof(lume_config, backlog)},
    };
    char *p = buf, num[32];

    for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
        snprintf(num, sizeof(num), "%ld",
                 *(const long *)(const void *)((const char *)c + longs[i].offset));
        put_line(&p, longs[i].name, num, 0);
    }
    snprintf(num, sizeof(num), "0%lo", c->socket_mode);
    put_line(&p, "LUME_SOCKET_MODE", num, 0);
    put_line(&p, "LUME_LOG_LEVEL", levels[c->log_level], 0);
    put_line(&p, "LUME_ACCESS_LOG", c->access_log ? "on" : "off", 0);
    if (put_line(&p, "LUME_LISTEN", c->listen, 1) ||
        put_line(&p, "LUME_PROVIDER", c->provider.name, 1))
        return -1;
    /* each provider's settings, as their tables print them */
    for (size_t i = 0; i < lume_provider_count(); i++) {
        const lume_provider_def *def = lume_provider_at(i);
        for (size_t j = 0; j < def->nsettings; j++) {
            char text[LUME_PATH_LEN + 32];

            lume_setting_format(&def->settings[j], c->provider.blocks[i], text, sizeof(text));
            if (put_line(&p, def->settings[j].name, text,
                         def->settings[j].type == LUME_SETTING_STR ||
                             def->settings[j].type == LUME_SETTING_FILE))
                return -1;
        }
    }
    return (long)(p - buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    size_t flen, n = 0;
    char *file = fuzz_until(&r, 0, &flen), *entries[64], *argv[67], *envp[65];
    char err[512], err2[512], *text;
    int argc = 1, envc = 0, rc, rc2;
    lume_config c, c2, defaults;
    long len;

    while (r.left > 0 && n < 64)
        entries[n++] = fuzz_until(&r, 0, NULL);
    argv[0] = "lume-fcgi";
    for (size_t i = 0; i < n; i++) {
        if (strncmp(entries[i], "--", 2) != 0 && strchr(entries[i], '=') != NULL)
            envp[envc++] = entries[i];
        else
            argv[argc++] = entries[i];
    }
    argv[argc++] = config_arg;
    argv[argc] = NULL;
    envp[envc] = NULL;

    write_file(file, flen);
    err[0] = err2[0] = '\0';
    rc = load(&c, argc, argv, envp, err, sizeof(err));
    rc2 = load(&c2, argc, argv, envp, err2, sizeof(err2));
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK(rc == rc2 && strcmp(err, err2) == 0);
    if (rc != 0) {
        FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
        FUZZ_CHECK(strchr(err, '\n') == NULL && strchr(err, '\r') == NULL);
    } else {
        FUZZ_CHECK(memcmp(&c, &c2, sizeof(c)) == 0);
        check_valid(&c);
        /* written back as a file, it loads to the same configuration */
        text = malloc(8192);
        FUZZ_CHECK(text != NULL);
        if ((len = render(&c, text)) >= 0) {
            char *only[] = {"lume-fcgi", config_arg, NULL}, *none[] = {NULL};
            write_file(text, (size_t)len);
            rc2 = load(&c2, 2, only, none, err2, sizeof(err2));
            if (rc2 != 0)
                fprintf(stderr, "written back: %s\n%s", err2, text);
            FUZZ_CHECK(rc2 == 0);
            if (memcmp(&c, &c2, sizeof(c)) != 0)
                fprintf(stderr, "written back as:\n%s", text);
            FUZZ_CHECK(memcmp(&c, &c2, sizeof(c)) == 0);
        }
        free(text);
    }

    /* every line commented out: the defaults */
    text = malloc(2 * flen + 2);
    FUZZ_CHECK(text != NULL);
    len = 0;
    text[len++] = '#';
    for (size_t i = 0; i < flen; i++) {
        text[len++] = file[i];
        if (file[i] == '\n')
            text[len++] = '#';
    }
    write_file(text, (size_t)len);
    {
        char *only[] = {"lume-fcgi", config_arg, NULL}, *none[] = {NULL};
        rc2 = load(&c2, 2, only, none, err2, sizeof(err2));
        if (rc2 != 0)
            fprintf(stderr, "commented out: %s\n", err2);
        FUZZ_CHECK(rc2 == 0);
        memset(&defaults, 0x5A, sizeof(defaults));
        lume_config_defaults(&defaults);
        snprintf(defaults.config_file, sizeof(defaults.config_file), "%s", path);
        clear_tail(defaults.config_file, sizeof(defaults.config_file));
        FUZZ_CHECK(memcmp(&defaults, &c2, sizeof(c2)) == 0);
    }
    free(text);
    for (size_t i = 0; i < n; i++)
        free(entries[i]);
    free(file);
    return 0;
}
