/*
 * log.c: JSON-lines logging on stderr. A line is written with one write(2),
 * so lines from the master and its workers never interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int log_level = LUME_LOG_INFO;
static const char *level_names[] = {"debug", "info", "warn", "error"};

int lume_log_level_parse(const char *s, int *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    if (strcasecmp(s, "warning") == 0) {
        *out = LUME_LOG_WARN;
        return 0;
    }
    return -1;
}

void lume_log_set_level(int level)
{
    log_level = level;
}

int lume_log_enabled(int level)
{
    return level >= log_level;
}

void lume_log_json(int level, json_t *fields)
{
    struct timespec ts;
    struct tm tm;
    char stamp[40], *line;
    json_t *obj;
    size_t len;

    if (!lume_log_enabled(level) || fields == NULL) {
        json_decref(fields);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    len = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + len, sizeof(stamp) - len, ".%03ldZ", ts.tv_nsec / 1000000);

    obj = json_pack("{s:s, s:s, s:i}", "time", stamp, "level",
                    level_names[level < 0 || level > 3 ? 1 : level], "pid", (int)getpid());
    if (obj == NULL) {
        json_decref(fields);
        return;
    }
    json_object_update(obj, fields);
    json_decref(fields);
    line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(obj);
    if (line == NULL)
        return;
    len = strlen(line);
    line[len] = '\n'; /* replaces the NUL; the length is known */
    if (write(STDERR_FILENO, line, len + 1) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
    free(line);
}

void lume_log(int level, const char *event, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (!lume_log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lume_log_json(level, json_pack("{s:s, s:s}", "event", event, "message", msg));
}
