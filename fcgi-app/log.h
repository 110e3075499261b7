/*
 * log.h: structured logging, one JSON object per line on stderr.
 *
 * Each line carries time (UTC, ms), level and pid, then the caller's fields.
 * The level is part of the process configuration (set once per load).
 */
#ifndef LUME_LOG_H
#define LUME_LOG_H

#include <jansson.h>

typedef enum lume_log_level {
    LUME_LOG_DEBUG = 0,
    LUME_LOG_INFO,
    LUME_LOG_WARN,
    LUME_LOG_ERROR
} lume_log_level;

/* "debug", "info", "warn"/"warning", "error" -> level. Returns 0 or -1. */
int lume_log_level_parse(const char *s, int *out);

void lume_log_set_level(int level);
int lume_log_enabled(int level);

/* Log the object's fields after time, level and pid; takes ownership of fields. */
void lume_log_json(int level, json_t *fields);

/* Log {"event": event, "message": <printf>}. */
void lume_log(int level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
