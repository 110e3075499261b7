/*
 * test_log.c: the log line writer (log.h). Every line is one JSON object with
 * time, level and pid first; strings are escaped, bytes that are not UTF-8
 * become U+FFFD (a hostile request still gets its line), and a value too long
 * for the line is cut with "..." while the line stays valid JSON. Written
 * lines reach stderr whole, one per entry; a disabled level writes nothing.
 */
#include "lib/unit.h"

#include <jansson.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "log.h"
#include "utf8.h"

/* Parse the finished line back with Jansson. */
static json_t *parse(lume_logline *l)
{
    size_t len;
    const char *text = lume_logline_finish(l, &len);
    json_error_t jerr;
    json_t *obj;

    assert_true(len > 2 && text[len - 1] == '\n' && text[len - 2] == '}');
    assert_int_equal(strlen(text), len); /* one line, NUL-terminated */
    assert_null(memchr(text, '\n', len - 1));
    obj = json_loadb(text, len, 0, &jerr);
    if (obj == NULL)
        fail_msg("not JSON (%s): %s", jerr.text, text);
    return obj;
}

static void test_a_line_starts_with_time_level_and_pid(void **state)
{
    lume_logline l;
    json_t *obj;
    const char *t;

    (void)state;
    lume_log_set_level(LUME_LOG_INFO);
    assert_int_equal(lume_logline_begin(&l, LUME_LOG_WARN), 1);
    lume_logline_str(&l, "event", "request");
    lume_logline_int(&l, "status", 503);
    obj = parse(&l);
    t = json_string_value(json_object_get(obj, "time"));
    assert_non_null(t);
    assert_int_equal(strlen(t), strlen("2026-11-25T01:02:03.456Z"));
    assert_int_equal(t[10], 'T');
    assert_int_equal(t[23], 'Z');
    assert_string_equal(json_string_value(json_object_get(obj, "level")), "warn");
    assert_int_equal(json_integer_value(json_object_get(obj, "pid")), getpid());
    assert_string_equal(json_string_value(json_object_get(obj, "event")), "request");
    assert_int_equal(json_integer_value(json_object_get(obj, "status")), 503);
    json_decref(obj);
}

static void test_a_level_below_the_configured_one_writes_nothing(void **state)
{
    lume_logline l;

    (void)state;
    lume_log_set_level(LUME_LOG_WARN);
    assert_int_equal(lume_logline_begin(&l, LUME_LOG_INFO), 0);
    assert_int_equal(lume_logline_begin(&l, LUME_LOG_ERROR), 1);
    lume_log_set_level(LUME_LOG_INFO);
}

static void test_quotes_backslashes_and_control_characters_are_escaped(void **state)
{
    static const char hostile[] = "/resolve/\"a\\b\"\n\r\t\x01\x1f\x7f}{";
    lume_logline l;
    json_t *obj;

    (void)state;
    lume_logline_begin(&l, LUME_LOG_INFO);
    lume_logline_str(&l, "path", hostile);
    obj = parse(&l);
    assert_string_equal(json_string_value(json_object_get(obj, "path")), hostile);
    json_decref(obj);
}

static void test_utf8_is_kept_and_bytes_that_are_not_utf8_become_u_fffd(void **state)
{
    lume_logline l;
    json_t *obj;

    (void)state;
    lume_logline_begin(&l, LUME_LOG_INFO);
    lume_logline_str(&l, "ok", "caf\xc3\xa9 \xf0\x9f\x8e\xac");
    lume_logline_str(&l, "latin1", "caf\xe9");
    lume_logline_str(&l, "overlong", "\xc0\xaf");
    lume_logline_str(&l, "method", "G\xffT");
    obj = parse(&l);
    assert_string_equal(json_string_value(json_object_get(obj, "ok")),
                        "caf\xc3\xa9 \xf0\x9f\x8e\xac");
    assert_string_equal(json_string_value(json_object_get(obj, "latin1")), "caf\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(obj, "overlong")),
                        "\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(obj, "method")), "G\xef\xbf\xbdT");
    json_decref(obj);
}

/* Found by fuzzing (tests/fuzz/log/): keys were copied as they were, so a key
 * with a quote or a control character broke the line. Keys are escaped like
 * values now, and a key too long for the line drops its field whole. */
static void test_keys_are_escaped_and_never_cut(void **state)
{
    char *long_key = unit_repeat("", "k", LUME_LOGLINE_MAX, "");
    lume_logline l;
    json_t *obj;

    (void)state;
    lume_logline_begin(&l, LUME_LOG_INFO);
    lume_logline_int(&l, "\x0b", 0);
    lume_logline_str(&l, "a\"b\\c\n", "v");
    lume_logline_str(&l, "caf\xe9", "w");
    lume_logline_str(&l, long_key, "x");
    lume_logline_int(&l, "after", 1);
    obj = parse(&l);
    assert_int_equal(json_object_size(obj), 3 + 4);
    assert_int_equal(json_integer_value(json_object_get(obj, "\x0b")), 0);
    assert_string_equal(json_string_value(json_object_get(obj, "a\"b\\c\n")), "v");
    assert_string_equal(json_string_value(json_object_get(obj, "caf\xef\xbf\xbd")), "w");
    assert_int_equal(json_integer_value(json_object_get(obj, "after")), 1);
    json_decref(obj);
    free(long_key);
}

static void test_null_strings_are_json_null(void **state)
{
    lume_logline l;
    json_t *obj;

    (void)state;
    lume_logline_begin(&l, LUME_LOG_INFO);
    lume_logline_str(&l, "provider", NULL);
    obj = parse(&l);
    assert_true(json_is_null(json_object_get(obj, "provider")));
    json_decref(obj);
}

static void test_durations_are_milliseconds_with_three_decimals(void **state)
{
    lume_logline l;
    json_t *obj;

    (void)state;
    lume_logline_begin(&l, LUME_LOG_INFO);
    lume_logline_ms(&l, "a", 1234);
    lume_logline_ms(&l, "b", 7);
    lume_logline_ms(&l, "c", 8000000);
    obj = parse(&l);
    assert_true(json_real_value(json_object_get(obj, "a")) == 1.234);
    assert_true(json_real_value(json_object_get(obj, "b")) == 0.007);
    assert_true(json_real_value(json_object_get(obj, "c")) == 8000.0);
    json_decref(obj);
}

static void test_a_value_too_long_for_the_line_is_cut_and_the_line_stays_json(void **state)
{
    char *huge = unit_repeat("", "\"\xc3\xa9", 3000, ""); /* escapes and multi-byte characters */
    lume_logline l;
    json_t *obj;
    const char *path;
    size_t len;

    (void)state;
    lume_logline_begin(&l, LUME_LOG_INFO);
    lume_logline_str(&l, "path", huge);
    lume_logline_int(&l, "status", 200); /* dropped when there is no room, never half-written */
    obj = parse(&l);
    path = json_string_value(json_object_get(obj, "path"));
    assert_non_null(path);
    len = strlen(path);
    assert_true(len > 1000);
    assert_string_equal(path + len - 3, "...");
    assert_true(lume_utf8_length(path, len) > 0); /* never cut inside a character */
    lume_logline_finish(&l, &len);
    assert_true(len <= LUME_LOGLINE_MAX);
    json_decref(obj);
    free(huge);
}

/* The characters a sweep is made of: as the request has them, and as the
 * parsed line must give them back. */
static const struct piece {
    const char *raw, *decoded;
} pieces[] = {
    {"A", "A"},
    {"\xc3\xa9", "\xc3\xa9"},         /* 2-byte UTF-8 */
    {"\xe2\x82\xac", "\xe2\x82\xac"}, /* 3-byte */
    {"\xf0\x9f\x8e\xac", "\xf0\x9f\x8e\xac"},
    {"\xff", "\xef\xbf\xbd"}, /* not UTF-8: 6 bytes in the line */
    {"\"", "\""},             /* escaped: 2 bytes */
    {"\x01", "\x01"},         /* escaped: 6 bytes */
};

/* Check one line made of padding, a value of n pieces, and more fields after
 * it: at most LUME_LOGLINE_MAX bytes, one JSON object, time/level/pid first,
 * the value whole or a whole-character prefix ending in "...", and each later
 * field either whole or absent. */
static void check_line(const struct piece *pc, size_t pad, size_t n)
{
    char *padding = unit_repeat("", "p", pad, "");
    char *value = unit_repeat("/resolve/", pc->raw, n, "");
    char *want = unit_repeat("/resolve/", pc->decoded, n, "");
    lume_logline l;
    json_t *obj, *v;
    const char *path;
    size_t len, plen;

    lume_logline_begin(&l, LUME_LOG_INFO);
    lume_logline_str(&l, "event", "request");
    lume_logline_str(&l, "pad", padding);
    lume_logline_str(&l, "path", value);
    lume_logline_int(&l, "status", 503);
    lume_logline_ms(&l, "duration_ms", 1234);
    lume_logline_str(&l, "provider", "MockProvider");
    lume_logline_str(&l, "error", NULL);
    assert_true(l.len + 3 <= LUME_LOGLINE_MAX);
    obj = parse(&l);
    assert_non_null(json_object_get(obj, "pid"));
    path = json_string_value(json_object_get(obj, "path"));
    assert_non_null(path);
    plen = strlen(path);
    if (strcmp(path, want) != 0) {
        assert_true(plen >= 3);
        assert_string_equal(path + plen - 3, "...");
        assert_memory_equal(path, want, plen - 3); /* a prefix, whole characters */
        assert_true(lume_utf8_length(path, plen) >= 0);
        assert_true((plen - 3 - strlen("/resolve/")) % strlen(pc->decoded) == 0);
    }
    v = json_object_get(obj, "status");
    assert_true(v == NULL || json_integer_value(v) == 503);
    v = json_object_get(obj, "provider"); /* whole, absent, or cut as well */
    if (v != NULL && strcmp(json_string_value(v), "MockProvider") != 0) {
        const char *p = json_string_value(v);
        assert_true(strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "...") == 0);
        assert_memory_equal(p, "MockProvider", strlen(p) - 3);
    }
    v = json_object_get(obj, "error");
    assert_true(v == NULL || json_is_null(v));
    lume_logline_finish(&l, &len);
    assert_true(len <= LUME_LOGLINE_MAX - 1);
    json_decref(obj);
    free(padding);
    free(value);
    free(want);
}

static void test_every_value_length_around_the_capacity_keeps_the_line_whole(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        size_t w = strlen(pieces[i].raw) * (pieces[i].raw[0] == '\xff'   ? 6
                                            : pieces[i].raw[0] == '\x01' ? 6
                                            : pieces[i].raw[0] == '"'    ? 2
                                                                         : 1);
        size_t most = LUME_LOGLINE_MAX / w + 8;

        /* every length from empty to past the whole line */
        for (size_t n = 0; n <= most; n++)
            check_line(&pieces[i], 0, n);
        /* and near the end of the line, every alignment of the value */
        for (size_t pad = 1; pad <= 8; pad++)
            for (size_t n = most > 80 ? most - 80 : 0; n <= most; n++)
                check_line(&pieces[i], pad, n);
    }
}

static void test_fields_in_any_order_and_size_never_pass_the_capacity(void **state)
{
    char *big = unit_repeat("", "\xf0\x9f\x8e\xac\"\xff", 2000, "");
    uint64_t x = 0x9E3779B97F4A7C15ULL;

    (void)state;
    for (int round = 0; round < 2000; round++) {
        lume_logline l;
        json_t *obj;
        size_t len;

        lume_logline_begin(&l, LUME_LOG_INFO);
        for (int f = 0; f < 12; f++) {
            char key[16];
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
            snprintf(key, sizeof(key), "k%d", f);
            switch (x % 5) {
            case 0: lume_logline_str(&l, key, big + strlen(big) - (x >> 8) % strlen(big)); break;
            case 1: lume_logline_int(&l, key, (long long)x); break;
            case 2: lume_logline_ms(&l, key, (int64_t)x); break;
            case 3: lume_logline_str(&l, key, NULL); break;
            default: lume_logline_str(&l, key, "x"); break;
            }
            assert_true(l.len + 3 <= LUME_LOGLINE_MAX);
        }
        obj = parse(&l);
        lume_logline_finish(&l, &len);
        assert_true(len < LUME_LOGLINE_MAX);
        json_decref(obj);
    }
    free(big);
}

/* ---- what reaches stderr ---- */

/* Run fn with stderr sent to a temporary file; return the parsed lines (a
 * JSON array of the objects, one per line) and check every line is one. */
static json_t *capture_lines(void (*fn)(void))
{
    char text[4 * LUME_LOGLINE_MAX];
    FILE *tmp = tmpfile();
    int saved = dup(STDERR_FILENO);
    json_t *lines = json_array();
    ssize_t n;
    char *line, *next;

    assert_non_null(tmp);
    assert_true(saved >= 0);
    fflush(stderr);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    fn();
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    n = pread(fileno(tmp), text, sizeof(text) - 1, 0);
    fclose(tmp);
    assert_true(n >= 0 && (size_t)n < sizeof(text) - 1);
    text[n] = '\0';
    assert_true(n == 0 || text[n - 1] == '\n'); /* nothing after the last line */
    for (line = text; *line != '\0'; line = next) {
        json_error_t jerr;
        json_t *obj;

        next = strchr(line, '\n') + 1;
        obj = json_loadb(line, (size_t)(next - line), 0, &jerr);
        if (!json_is_object(obj))
            fail_msg("not one JSON object (%s): %.*s", jerr.text, (int)(next - line), line);
        json_array_append_new(lines, obj);
    }
    return lines;
}

static void write_three_entries(void)
{
    lume_logline l;

    lume_log_set_level(LUME_LOG_INFO);
    if (lume_logline_begin(&l, LUME_LOG_WARN)) {
        lume_logline_str(&l, "event", "request");
        lume_logline_str(&l, "path", "/resolve/\"x\"\n");
        lume_logline_int(&l, "status", 504);
        lume_logline_write(&l);
    }
    lume_log(LUME_LOG_DEBUG, "hidden", "below the level: %d", 1);
    lume_log(LUME_LOG_ERROR, "accept_failed", "slot %d: %s", 3, "line\nbreak \"quoted\"");
    lume_log(LUME_LOG_INFO, "exit", "all workers stopped");
}

static void test_written_lines_reach_stderr_one_json_object_per_entry(void **state)
{
    json_t *lines, *a, *b, *c;

    (void)state;
    lines = capture_lines(write_three_entries);
    assert_int_equal(json_array_size(lines), 3); /* the debug entry wrote nothing */
    a = json_array_get(lines, 0);
    assert_string_equal(json_string_value(json_object_get(a, "level")), "warn");
    assert_int_equal(json_integer_value(json_object_get(a, "pid")), getpid());
    assert_string_equal(json_string_value(json_object_get(a, "event")), "request");
    assert_string_equal(json_string_value(json_object_get(a, "path")), "/resolve/\"x\"\n");
    assert_int_equal(json_integer_value(json_object_get(a, "status")), 504);
    b = json_array_get(lines, 1);
    assert_string_equal(json_string_value(json_object_get(b, "level")), "error");
    assert_string_equal(json_string_value(json_object_get(b, "event")), "accept_failed");
    assert_string_equal(json_string_value(json_object_get(b, "message")),
                        "slot 3: line\nbreak \"quoted\"");
    c = json_array_get(lines, 2);
    assert_string_equal(json_string_value(json_object_get(c, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(c, "event")), "exit");
    assert_string_equal(json_string_value(json_object_get(c, "message")), "all workers stopped");
    json_decref(lines);
}

/* In a child (batching is the process's state): lines held until a flush,
 * written whole and in order, each with the child's own pid. */
static void batch_in_child(void)
{
    struct stat st;
    pid_t pid = fork();

    if (pid == 0) {
        lume_log_batch_on();
        lume_log(LUME_LOG_INFO, "first", "held");
        lume_log(LUME_LOG_INFO, "second", "held too");
        if (fstat(STDERR_FILENO, &st) != 0 || st.st_size != 0)
            _exit(1); /* written before the flush */
        lume_log_flush();
        if (fstat(STDERR_FILENO, &st) != 0 || st.st_size == 0)
            _exit(2);
        for (int i = 0; i < 40; i++) /* ~5 KiB: more than one batch holds */
            lume_log(LUME_LOG_INFO, "many", "line %d of forty", i);
        if (fstat(STDERR_FILENO, &st) != 0 || st.st_size <= 0)
            _exit(3); /* a full batch is written without a flush */
        lume_log_flush();
        _exit(0);
    }
    int status = -1;
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_batched_lines_wait_for_a_flush_or_a_full_batch_and_stay_whole(void **state)
{
    json_t *lines;
    json_int_t child_pid;
    lume_logline l;

    (void)state;
    assert_true(lume_logline_begin(&l, LUME_LOG_INFO)); /* the parent's pid, asked */
    lines = capture_lines(batch_in_child);
    assert_int_equal(json_array_size(lines), 42);
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 0), "event")),
                        "first");
    assert_string_equal(json_string_value(json_object_get(json_array_get(lines, 41), "message")),
                        "line 39 of forty");
    child_pid = json_integer_value(json_object_get(json_array_get(lines, 0), "pid"));
    assert_true(child_pid != getpid()); /* the pid is asked again after fork */
    for (size_t i = 1; i < 42; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, i), "pid")),
                         child_pid);
    json_decref(lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_line_starts_with_time_level_and_pid),
        cmocka_unit_test(test_a_level_below_the_configured_one_writes_nothing),
        cmocka_unit_test(test_quotes_backslashes_and_control_characters_are_escaped),
        cmocka_unit_test(test_utf8_is_kept_and_bytes_that_are_not_utf8_become_u_fffd),
        cmocka_unit_test(test_keys_are_escaped_and_never_cut),
        cmocka_unit_test(test_null_strings_are_json_null),
        cmocka_unit_test(test_durations_are_milliseconds_with_three_decimals),
        cmocka_unit_test(test_a_value_too_long_for_the_line_is_cut_and_the_line_stays_json),
        cmocka_unit_test(test_every_value_length_around_the_capacity_keeps_the_line_whole),
        cmocka_unit_test(test_fields_in_any_order_and_size_never_pass_the_capacity),
        cmocka_unit_test(test_written_lines_reach_stderr_one_json_object_per_entry),
        cmocka_unit_test(test_batched_lines_wait_for_a_flush_or_a_full_batch_and_stay_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
