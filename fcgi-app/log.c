/*
 * log.c: JSON-lines logging on stderr (see log.h). The writer formats into
 * the line's buffer, always keeping room for the closing "}\n".
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"

#define RESERVE 8 /* room kept for "...\"}\n" closing a cut line */

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

static size_t room(const lume_logline *l)
{
    return sizeof(l->buf) - RESERVE - l->len;
}

/* Append printf output when it fits whole; drop it otherwise. */
static void appendf(lume_logline *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void appendf(lume_logline *l, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(l->buf + l->len, room(l), fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < room(l))
        l->len += (size_t)n;
    else
        l->buf[l->len] = '\0';
}

int lume_logline_begin(lume_logline *l, int level)
{
    struct timespec ts;
    struct tm tm;

    if (!lume_log_enabled(level))
        return 0;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    l->len = 0;
    appendf(l, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\",\"pid\":%d",
            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, level_names[level < 0 || level > 3 ? 1 : level], (int)getpid());
    return 1;
}

/* Append s as the inside of a JSON string, cut with "..." when it does not fit. */
static void append_escaped(lume_logline *l, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t left = strlen(str);

    while (left > 0) {
        char esc[8];
        const char *out = esc;
        size_t n = 1, w, seq = lume_utf8_seq(s, left);

        if (seq == 0) {
            out = "\\ufffd"; /* not UTF-8: the replacement character */
            w = 6;
        } else if (*s == '"' || *s == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*s;
            w = 2;
        } else if (*s < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[*s >> 4];
            esc[5] = hex[*s & 15];
            w = 6;
        } else {
            out = (const char *)s;
            w = n = seq;
        }
        if (w + 4 > room(l)) { /* keep room for "..." and the closing quote */
            memcpy(l->buf + l->len, "...", 3);
            l->len += 3;
            return;
        }
        memcpy(l->buf + l->len, out, w);
        l->len += w;
        s += n;
        left -= n;
    }
}

void lume_logline_str(lume_logline *l, const char *key, const char *value)
{
    if (value == NULL) {
        appendf(l, ",\"%s\":null", key);
        return;
    }
    if (room(l) < strlen(key) + 8)
        return;
    appendf(l, ",\"%s\":\"", key);
    append_escaped(l, value);
    l->buf[l->len++] = '"'; /* fits: append_escaped keeps room for it */
}

void lume_logline_int(lume_logline *l, const char *key, long long value)
{
    appendf(l, ",\"%s\":%lld", key, value);
}

void lume_logline_ms(lume_logline *l, const char *key, int64_t us)
{
    appendf(l, ",\"%s\":%s%lld.%03lld", key, us < 0 ? "-" : "",
            (long long)(us < 0 ? -us : us) / 1000, (long long)(us < 0 ? -us : us) % 1000);
}

const char *lume_logline_finish(lume_logline *l, size_t *len)
{
    memcpy(l->buf + l->len, "}\n", 3); /* RESERVE guarantees the room */
    *len = l->len + 2;
    return l->buf;
}

void lume_logline_write(lume_logline *l)
{
    size_t len;
    const char *text = lume_logline_finish(l, &len);

    if (write(STDERR_FILENO, text, len) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}

void lume_log_json(int level, json_t *fields)
{
    lume_logline l;
    const char *key;
    json_t *v;

    if (fields != NULL && lume_logline_begin(&l, level)) {
        json_object_foreach(fields, key, v)
        {
            if (json_is_string(v)) {
                lume_logline_str(&l, key, json_string_value(v));
            } else if (json_is_integer(v)) {
                lume_logline_int(&l, key, json_integer_value(v));
            } else {
                char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
                if (raw != NULL && strlen(raw) + strlen(key) + 4 < room(&l))
                    appendf(&l, ",\"%s\":%s", key, raw);
                free(raw);
            }
        }
        lume_logline_write(&l);
    }
    json_decref(fields);
}

void lume_log(int level, const char *event, const char *fmt, ...)
{
    char msg[512];
    lume_logline l;
    va_list ap;

    if (!lume_logline_begin(&l, level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lume_logline_str(&l, "event", event);
    lume_logline_str(&l, "message", msg);
    lume_logline_write(&l);
}
