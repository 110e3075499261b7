/*
 * log.c: JSON-lines logging on stderr (see log.h). The writer formats into
 * the line's fixed buffer through one bounded append (put), so no field, in
 * any order or size, can write past it. It owns the process's batch of lines
 * held for one write, and the pid every line carries (asked once).
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "decimal.h"
#include "json_text.h"
#include "utf8.h"

static int log_level = LUME_LOG_INFO;
static const char *level_names[] = {"debug", "info", "warn", "error"};

/* The process's pid, asked once (and again in a child after fork). */
static pid_t log_pid;

/* Lines held for one write (lume_log_batch_on()); off: one write a line. */
static struct {
    int on;
    size_t len;
    int64_t first_ms; /* when the oldest line held was added */
    char buf[LUME_LOG_BATCH_MAX];
} batch;

/* A helper thread's lines are written at once, never held: the batch is the
 * process's main thread's (lume_log_direct_thread). */
static __thread int direct;

void lume_log_direct_thread(void)
{
    direct = 1;
}

static void forked_child(void)
{
    log_pid = 0;
    batch.on = 0; /* a child starts writing line by line; what was held is the parent's */
    batch.len = 0;
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, forked_child);
}

static pid_t current_pid(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    if (log_pid == 0) {
        pthread_once(&once, register_atfork);
        log_pid = getpid();
    }
    return log_pid;
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_all(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, p, len);
        if (n <= 0)
            return; /* nothing sensible to do when stderr is gone */
        p += n;
        len -= (size_t)n;
    }
}

void lume_log_batch_on(void)
{
    batch.on = 1;
    batch.len = 0;
}

void lume_log_flush(void)
{
    size_t len = batch.len;

    batch.len = 0;
    if (len > 0)
        write_all(batch.buf, len);
}

int lume_log_holding(void)
{
    return batch.len > 0;
}

void lume_log_flush_due(void)
{
    if (batch.len > 0 && mono_ms() - batch.first_ms >= LUME_LOG_BATCH_MS)
        lume_log_flush();
}

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

/*
 * The one bound. A line never holds more than LIMIT bytes, so that "}\n" and
 * the NUL always fit after it. Every byte enters through put(), which takes a
 * piece whole or not at all, and a field is rolled back whole when it cannot
 * be finished: whatever the order and the sizes of the fields, the length
 * cannot pass the capacity and the line stays one JSON object.
 */
#define LIMIT (LUME_LOGLINE_MAX - 3)
#define CUT   "..."

static size_t room(const lume_logline *l)
{
    return LIMIT - l->len; /* l->len <= LIMIT always holds */
}

static int put(lume_logline *l, const char *s, size_t n)
{
    if (n > room(l))
        return -1;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    return 0;
}

/* Append n as decimal digits, at least width of them. */
static void put_uint(lume_logline *l, unsigned long long n, int width)
{
    char num[24];
    int i = sizeof(num);

    do {
        num[--i] = (char)('0' + n % 10);
        n /= 10;
    } while ((n > 0 || (int)sizeof(num) - i < width) && i > 0);
    put(l, num + i, sizeof(num) - (size_t)i);
}

int lume_logline_begin(lume_logline *l, int level)
{
    /* The date and time to the second change once a second: formatted then
     * (gmtime and printf are most of a line's cost otherwise). */
    static struct {
        time_t sec;
        size_t len;
        char text[64];
    } stamp = {.sec = -1};
    struct timespec ts;

    if (!lume_log_enabled(level))
        return 0;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != stamp.sec) {
        struct tm tm;
        int n;

        gmtime_r(&ts.tv_sec, &tm);
        n = snprintf(stamp.text, sizeof(stamp.text), "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
        stamp.len = n > 0 && (size_t)n < sizeof(stamp.text) ? (size_t)n : 0;
        stamp.sec = ts.tv_sec;
    }
    l->len = 0;
    put(l, stamp.text, stamp.len);
    put_uint(l, (unsigned long long)(ts.tv_nsec / 1000000), 3);
    put(l, "Z\",\"level\":\"", 12);
    put(l, level_names[level < 0 || level > 3 ? 1 : level],
        strlen(level_names[level < 0 || level > 3 ? 1 : level]));
    put(l, "\",\"pid\":", 8);
    put_uint(l, (unsigned long long)current_pid(), 1);
    if (l->len == 0)
        put(l, "{", 1);
    return 1;
}

/* The JSON form of the character at s (left bytes remain): its text in
 * *out (esc is scratch space), its width, and the input bytes it takes. */
static size_t escape_one(const unsigned char *s, size_t left, char esc[8], const char **out,
                         size_t *taken)
{
    static const char hex[] = "0123456789abcdef";
    size_t seq = lume_utf8_seq(s, left);

    *out = esc;
    *taken = 1;
    if (seq == 0) {
        *out = "\\ufffd"; /* not UTF-8: the replacement character */
        return 6;
    }
    if (*s == '"' || *s == '\\') {
        esc[0] = '\\';
        esc[1] = (char)*s;
        return 2;
    }
    if (*s < 0x20) {
        memcpy(esc, "\\u00", 4);
        esc[4] = hex[*s >> 4];
        esc[5] = hex[*s & 15];
        return 6;
    }
    *out = (const char *)s;
    *taken = seq;
    return seq;
}

/* Append the field's start: ,"key":. Keys are escaped like values, so no
 * key can break the line either, but never cut: a key that does not fit
 * whole drops its field. */
static int put_key(lume_logline *l, const char *key)
{
    const unsigned char *s = (const unsigned char *)key;
    size_t mark = l->len, left = lume_json_plain_span(key), w, taken;
    const char *out;
    char esc[8];

    if (put(l, ",\"", 2) != 0)
        goto fail;
    if (key[left] == '\0') { /* the usual key: nothing to escape */
        if (put(l, key, left) != 0)
            goto fail;
        left = 0;
    } else {
        left = strlen(key);
    }
    for (; left > 0; s += taken, left -= taken) {
        w = escape_one(s, left, esc, &out, &taken);
        if (put(l, out, w) != 0)
            goto fail;
    }
    if (put(l, "\":", 2) == 0)
        return 0;
fail:
    l->len = mark;
    return -1;
}

/* Append s as a JSON string. When the whole of it does not fit, as much as
 * fits, whole characters only, then "...". 0, or -1 when not even "..." fits. */
static int put_string(lume_logline *l, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t left = lume_json_plain_span(str), need = 2, i = 0, w, taken;
    const char *out;
    char esc[8];

    if (str[left] == '\0' && left + 2 <= room(l)) { /* all plain, all fits */
        put(l, "\"", 1);
        put(l, str, left);
        put(l, "\"", 1);
        return 0;
    }
    left += strlen(str + left);
    while (i < left) { /* the escaped length, to know whether it will be cut */
        need += escape_one(s + i, left - i, esc, &out, &taken);
        i += taken;
    }
    if (need > room(l) && room(l) < 2 + strlen(CUT))
        return -1;
    put(l, "\"", 1);
    while (left > 0) {
        w = escape_one(s, left, esc, &out, &taken);
        /* keep room for the closing quote, and for "..." unless all fits */
        if (w + 1 + (need > room(l) + 1 ? strlen(CUT) : 0) > room(l)) {
            put(l, CUT, strlen(CUT));
            break;
        }
        put(l, out, w);
        need -= w;
        s += taken;
        left -= taken;
    }
    put(l, "\"", 1);
    return 0;
}

void lume_logline_str(lume_logline *l, const char *key, const char *value)
{
    size_t mark = l->len;

    if (put_key(l, key) != 0)
        return;
    if (value == NULL ? put(l, "null", 4) : put_string(l, value))
        l->len = mark;
}

void lume_logline_int(lume_logline *l, const char *key, long long value)
{
    size_t mark = l->len, n = 0;
    char num[LUME_DECIMAL_DIGITS + 1];

    if (value < 0)
        num[n++] = '-';
    n += lume_decimal_put(num + n,
                          value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value);
    if (put_key(l, key) != 0 || put(l, num, n) != 0)
        l->len = mark;
}

void lume_logline_ms(lume_logline *l, const char *key, int64_t us)
{
    size_t mark = l->len;
    unsigned long long mag = us < 0 ? 0ULL - (unsigned long long)us : (unsigned long long)us;
    unsigned frac = (unsigned)(mag % 1000);
    char num[LUME_DECIMAL_DIGITS + 8];
    size_t n = 0;

    if (us < 0)
        num[n++] = '-';
    n += lume_decimal_put(num + n, mag / 1000);
    num[n++] = '.';
    num[n++] = (char)('0' + frac / 100);
    num[n++] = (char)('0' + frac / 10 % 10);
    num[n++] = (char)('0' + frac % 10);
    if (put_key(l, key) != 0 || put(l, num, n) != 0)
        l->len = mark;
}

const char *lume_logline_finish(lume_logline *l, size_t *len)
{
    memcpy(l->buf + l->len, "}\n", 3); /* LIMIT keeps the room */
    *len = l->len + 2;
    return l->buf;
}

void lume_logline_write(lume_logline *l)
{
    size_t len;
    const char *text = lume_logline_finish(l, &len);

    if (!batch.on || direct) {
        write_all(text, len);
        return;
    }
    if (batch.len + len > sizeof(batch.buf))
        lume_log_flush();
    if (batch.len == 0)
        batch.first_ms = mono_ms();
    memcpy(batch.buf + batch.len, text, len); /* a line always fits: MAX < BATCH_MAX */
    batch.len += len;
    lume_log_flush_due();
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
