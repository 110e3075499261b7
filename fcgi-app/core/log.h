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
 *
 * Batching (a worker's access log): after lume_log_batch_on(), lines are
 * held in one buffer and written together, whole lines only, in one write:
 * when the next line would not fit, when a line is added and the oldest held
 * is LUME_LOG_BATCH_MS old, and whenever the process calls lume_log_flush()
 * (a worker does before any wait: for a connection, for the rest of a head,
 * for a peer's close, and a provider before it waits on the network or a
 * delay; and at exit and on a fatal signal) or lume_log_flush_due() (a timer
 * it checks). So a held line waits for the next wait, never on one, with
 * one exception: a worker that falls idle holding lines (it was busy a
 * moment ago) first waits LUME_LOG_IDLE_HOLD_MS for its next request, whose
 * line joins them (acceptor.h), and only then writes them. A batch
 * is one write(2) of at most LUME_LOG_BATCH_MAX bytes, PIPE_BUF, so lines of
 * different processes still never interleave, even on a pipe. A forked child
 * starts unbatched.
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

#define LUME_LOGLINE_MAX   4096
#define LUME_LOG_BATCH_MAX 4096 /* bytes held at most: PIPE_BUF, one atomic write */
#define LUME_LOG_BATCH_MS  100  /* the oldest line held waits at most this long */
/* A worker that falls idle holding lines waits this long (ms) for its next
 * request before it writes them (acceptor.h). */
#define LUME_LOG_IDLE_HOLD_MS 1

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

/* Hold lines from now on in this process (until a fork: the child writes
 * line by line again). */
void lume_log_batch_on(void);
/* Write the lines held now. Only write(2): callable from a signal handler. */
void lume_log_flush(void);
/* This thread (a provider's helper, provider_set.c) writes its lines at
 * once, each in one write(2); the held batch stays the main thread's. */
void lume_log_direct_thread(void);
/* Write the lines held when the oldest is LUME_LOG_BATCH_MS old. */
void lume_log_flush_due(void);
/* Whether lines are held now (not yet written). */
int lume_log_holding(void);

/* Log {"event": event, "message": <printf>}. */
void lume_log(int level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
