/*
 * fuzz_log.c: the log line writer (fcgi-app/core/log.c), driven by any sequence of
 * fields decoded from the input: strings (any bytes, any length), integers,
 * durations and nulls, under any keys. After every field:
 *   - the line never holds more than LUME_LOGLINE_MAX - 3 bytes (room for
 *     "}\n" and the NUL), and what was written before is untouched;
 *   - the field is there whole (,"key":value, which parses back to the key and
 *     the value, bytes that are not UTF-8 shown as U+FFFD), or a string cut to
 *     whole characters ending in "..." when it did not fit, or it is absent,
 *     and absent or cut only when it did not fit.
 * The finished line is NUL-terminated, ends in "}\n", has no other newline
 * and is one JSON object for Jansson.
 *
 * Input: one byte for the level, then fields: a kind byte (low 2 bits: str,
 * int, ms, null; bit 2: a long key), the key length and key, then the value
 * (str: 2 bytes of length and the bytes; int/ms: 8 bytes).
 *
 * With the level byte's top bit set, the rest is a message instead: it goes
 * through lume_log (captured from stderr), whose line must hold the same
 * invariants.
 */
#include <jansson.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "log.h"

#define LIMIT (LUME_LOGLINE_MAX - 3)

static int capture_fd = -1; /* stderr during lume_log */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    lume_log_set_level(LUME_LOG_DEBUG);
    capture_fd = memfd_create("fuzz-log", 0);
    FUZZ_CHECK(capture_fd >= 0);
    return 0;
}

/* The bytes the writer puts between the quotes of s. */
static size_t escaped_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t len = strlen(str), w = 0, n;

    for (size_t i = 0; i < len;) {
        if (fuzz_utf8_decode(s + i, len - i, &n) < 0)
            w += 6, i++; /* \ufffd */
        else if (s[i] == '"' || s[i] == '\\')
            w += 2, i++;
        else if (s[i] < 0x20)
            w += 6, i++;
        else
            w += n, i += n;
    }
    return w;
}

/* The field just written, buf[0..len) = ,"key":value, as a one-key object. */
static json_t *field_value(const char *buf, size_t len, const char *key)
{
    char *obj = malloc(len + 2);
    char *want_key = fuzz_utf8_repair(key, strlen(key));
    json_error_t jerr;
    json_t *o, *v;

    FUZZ_CHECK(obj != NULL && len > 0 && buf[0] == ',');
    obj[0] = '{';
    memcpy(obj + 1, buf + 1, len - 1);
    obj[len] = '}';
    o = json_loadb(obj, len + 1, 0, &jerr);
    if (o == NULL)
        fprintf(stderr, "field is not JSON (%s): %.*s\n", jerr.text, (int)len, buf);
    FUZZ_CHECK(json_is_object(o) && json_object_size(o) == 1);
    v = json_object_get(o, want_key);
    FUZZ_CHECK(v != NULL);
    json_incref(v);
    json_decref(o);
    free(want_key);
    free(obj);
    return v;
}

/* A string field: whole, or cut to whole characters ending in "...". */
static void check_string(json_t *v, const char *value, int fits)
{
    char *want = fuzz_utf8_repair(value, strlen(value));
    const char *got = json_string_value(v);
    size_t glen = json_string_length(v);

    FUZZ_CHECK(got != NULL && strlen(got) == glen);
    if (strcmp(got, want) != 0) {
        FUZZ_CHECK(!fits);
        FUZZ_CHECK(glen >= 3 && strcmp(got + glen - 3, "...") == 0);
        FUZZ_CHECK(glen - 3 < strlen(want) && memcmp(got, want, glen - 3) == 0);
        FUZZ_CHECK(fuzz_utf8_length(got, glen) >= 0);
    } else {
        FUZZ_CHECK(fits);
    }
    free(want);
}

/* The line as the fields written so far make it: each field appends its
 * piece, and nothing may change what is already there. */
static char shadow[LUME_LOGLINE_MAX];

static void one_field(lume_logline *l, fuzz_reader *r)
{
    uint8_t kind = fuzz_u8(r);
    size_t klen = kind & 4 ? fuzz_u64(r, 2) : fuzz_u8(r) % 24, vlen, mark = l->len, need;
    char *key = fuzz_bytes(r, klen, NULL), *value = NULL, num[40];
    long long n = 0;
    json_t *v;

    need = 2 + escaped_len(key) + 2; /* ,"key": */
    switch (kind & 3) {
    case 0:
        value = fuzz_bytes(r, fuzz_u64(r, 2), &vlen);
        lume_logline_str(l, key, value);
        break;
    case 1:
        n = (long long)fuzz_u64(r, 8);
        lume_logline_int(l, key, n);
        need += (size_t)snprintf(num, sizeof(num), "%lld", n);
        break;
    case 2:
        n = (long long)fuzz_u64(r, 8);
        lume_logline_ms(l, key, n);
        need +=
            (size_t)snprintf(num, sizeof(num), "%s%llu.%03llu", n < 0 ? "-" : "",
                             (n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n) / 1000,
                             (n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n) % 1000);
        break;
    default:
        lume_logline_str(l, key, NULL);
        need += 4;
        break;
    }
    FUZZ_CHECK(l->len <= LIMIT);
    FUZZ_CHECK(l->len >= mark);
    memcpy(shadow + mark, l->buf + mark, l->len - mark);
    if ((kind & 3) == 0) {
        size_t room = LIMIT - mark, whole = need + escaped_len(value) + 2;
        /* present unless not even ,"key":"..." fits; cut only when not whole */
        if (whole <= room || need + 5 <= room) {
            FUZZ_CHECK(l->len > mark);
            v = field_value(l->buf + mark, l->len - mark, key);
            check_string(v, value, whole <= room);
            FUZZ_CHECK(l->len - mark <= whole);
            json_decref(v);
        } else {
            FUZZ_CHECK(l->len == mark);
        }
    } else if (need <= LIMIT - mark) {
        FUZZ_CHECK(l->len - mark == need);
        v = field_value(l->buf + mark, l->len - mark, key);
        if ((kind & 3) == 1)
            FUZZ_CHECK(json_is_integer(v) && json_integer_value(v) == n);
        else if ((kind & 3) == 2)
            FUZZ_CHECK(json_is_number(v) &&
                       memcmp(l->buf + l->len - strlen(num), num, strlen(num)) == 0);
        else
            FUZZ_CHECK(json_is_null(v));
        json_decref(v);
    } else {
        FUZZ_CHECK(l->len == mark);
    }
    free(key);
    free(value);
}

/* The invariants of every finished line. */
static json_t *check_line(const char *text, size_t len)
{
    json_error_t jerr;
    json_t *obj;

    FUZZ_CHECK(len >= 3 && len < LUME_LOGLINE_MAX);
    FUZZ_CHECK(text[len] == '\0' && strlen(text) == len);
    FUZZ_CHECK(text[len - 2] == '}' && text[len - 1] == '\n');
    FUZZ_CHECK(memchr(text, '\n', len - 1) == NULL);
    FUZZ_CHECK(strncmp(text, "{\"time\":\"", 9) == 0);
    obj = json_loadb(text, len, 0, &jerr);
    if (obj == NULL)
        fprintf(stderr, "line is not JSON (%s): %s\n", jerr.text, text);
    FUZZ_CHECK(json_is_object(obj));
    return obj;
}

/* lume_log on a message the input holds, its line read from stderr: the
 * same invariants, and the message whole or cut (lume_log keeps 511 bytes). */
static void message_line(int level, const uint8_t *data, size_t size)
{
    static char text[2 * LUME_LOGLINE_MAX], msg[4096];
    json_t *out;
    int saved;
    ssize_t n;

    size = size < sizeof(msg) - 1 ? size : sizeof(msg) - 1;
    memcpy(msg, data, size);
    msg[size] = '\0';
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    FUZZ_CHECK(saved >= 0 && ftruncate(capture_fd, 0) == 0 && lseek(capture_fd, 0, SEEK_SET) == 0);
    FUZZ_CHECK(dup2(capture_fd, STDERR_FILENO) == STDERR_FILENO);
    lume_log(level, "fuzz", "%s", msg);
    FUZZ_CHECK(dup2(saved, STDERR_FILENO) == STDERR_FILENO);
    close(saved);
    n = pread(capture_fd, text, sizeof(text) - 1, 0);
    FUZZ_CHECK(n >= 0);
    text[n] = '\0';
    if (level < LUME_LOG_DEBUG) {
        FUZZ_CHECK(n == 0);
        return;
    }
    out = check_line(text, (size_t)n);
    FUZZ_CHECK(strcmp(json_string_value(json_object_get(out, "event")), "fuzz") == 0);
    FUZZ_CHECK(json_is_string(json_object_get(out, "message")));
    json_decref(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    uint8_t first = fuzz_u8(&r);
    int level = first % 6 - 1; /* -1..4: disabled and out-of-range levels too */
    lume_logline l;
    const char *text;
    size_t len;

    if (first & 0x80) {
        message_line(level, r.p, r.left);
        return 0;
    }
    if (!lume_logline_begin(&l, level)) {
        FUZZ_CHECK(level < LUME_LOG_DEBUG);
        return 0;
    }
    FUZZ_CHECK(l.len > 0 && l.len <= LIMIT);
    memcpy(shadow, l.buf, l.len);
    while (r.left > 0)
        one_field(&l, &r);
    FUZZ_CHECK(memcmp(shadow, l.buf, l.len) == 0); /* no field changed an earlier one */
    text = lume_logline_finish(&l, &len);
    FUZZ_CHECK(len == l.len + 2);
    json_decref(check_line(text, len));
    return 0;
}
