/*
 * log.h: structured logging, one JSON object per line on stderr.
 *
 * Each line carries time (UTC, ms), level and pid, then the caller's fields.
 * Lines are formatted straight into a fixed buffer (no allocation: the access
 * log is on every request's path) and written with one write(2), so lines of
 * the master and its workers never interleave. Keys and strings are escaped
 * as JSON; bytes that are not valid UTF-8 become U+FFFD, so a hostile request
 * still gets its line; a value too long for the line is cut and ends in "...",
 * a field whose key does not fit is left out whole.
 * The level is part of the process configuration (set once per load).
 */
#ifndef LUME_LOG_H
#define LUME_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum lume_log_level {
    LUME_LOG_DEBUG = 0,
    LUME_LOG_INFO,
    LUME_LOG_WARN,
    LUME_LOG_ERROR
} lume_log_level;

#define LUME_LOGLINE_MAX 4096

/* A line being written. */
typedef struct lume_logline {
    char buf[LUME_LOGLINE_MAX];
    size_t len;
} lume_logline;

/* "debug", "info", "warn"/"warning", "error" -> level. Returns 0 or -1. */
int lume_log_level_parse(const char *s, int *out);

void lume_log_set_level(int level);
int lume_log_enabled(int level);

/* Start a line with time, level and pid. Returns 0 when level is disabled:
 * then build nothing and write nothing. */
int lume_logline_begin(lume_logline *l, int level);
void lume_logline_str(lume_logline *l, const char *key, const char *value); /* NULL: null */
void lume_logline_int(lume_logline *l, const char *key, long long value);
void lume_logline_ms(lume_logline *l, const char *key, int64_t us); /* us as ms, 3 decimals */
/* Close the line ("}\n"); returns its text, *len its length. */
const char *lume_logline_finish(lume_logline *l, size_t *len);
/* Close the line and write it to stderr. */
void lume_logline_write(lume_logline *l);

/* Log {"event": event, "message": <printf>}. */
void lume_log(int level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
