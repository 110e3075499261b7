/*
 * test_fcgi_params.c: reading the params of a FastCGI request head without
 * libfcgi (fcgi_params.h): the request's FCGI_PARAMS records gathered in
 * order, pairs found across records, short and four-byte lengths, values cut
 * to the output, and nothing read past a record or a pair that runs past
 * the bytes there are.
 */
#include "lib/unit.h"

#include "fcgi_params.h"

typedef struct buf {
    unsigned char b[70000];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    if (n == 0)
        return;
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void record(buf *o, int type, unsigned id, const unsigned char *content, size_t len,
                   unsigned padding)
{
    unsigned char h[8] = {1,
                          (unsigned char)type,
                          (unsigned char)(id >> 8),
                          (unsigned char)id,
                          (unsigned char)(len >> 8),
                          (unsigned char)len,
                          (unsigned char)padding,
                          0};
    unsigned char pad[255] = {0};

    put(o, h, 8);
    put(o, content, len);
    put(o, pad, padding);
}

/* One pair, with a four-byte length where the value is long. */
static void pair(buf *o, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    unsigned char l4[4] = {(unsigned char)(0x80 | (vl >> 24)), (unsigned char)(vl >> 16),
                           (unsigned char)(vl >> 8), (unsigned char)vl};
    unsigned char l1 = (unsigned char)nl;

    put(o, &l1, 1);
    if (vl < 128) {
        unsigned char v1 = (unsigned char)vl;
        put(o, &v1, 1);
    } else {
        put(o, l4, 4);
    }
    put(o, name, nl);
    put(o, value, vl);
}

static char out[300];

static void test_a_param_is_found_in_the_requests_records(void **state)
{
    static buf pairs, head;
    unsigned char all[4096];
    size_t n;

    (void)state;
    pairs.n = head.n = 0;
    pair(&pairs, "REQUEST_METHOD", "GET");
    pair(&pairs, "REQUEST_URI", "/health");
    pair(&pairs, "REQUEST_ID", "abc123");
    record(&head, 1, 1, (const unsigned char *)"\0\1\0\0\0\0\0\0", 8, 0); /* BEGIN_REQUEST */
    record(&head, 4, 2, (const unsigned char *)"\3\3REQ", 5, 0);          /* another request's */
    record(&head, 4, 1, pairs.b, 10, 3);                /* a pair split across... */
    record(&head, 4, 1, pairs.b + 10, pairs.n - 10, 0); /* ...two records, padding between */
    record(&head, 4, 1, NULL, 0, 0);                    /* the end of the params */
    n = lume_fcgi_params_gather(head.b, head.n, 1, all, sizeof(all));
    assert_int_equal(n, pairs.n);
    assert_true(lume_fcgi_params_find(all, n, "REQUEST_METHOD", out, sizeof(out)));
    assert_string_equal(out, "GET");
    assert_true(lume_fcgi_params_find(all, n, "REQUEST_URI", out, sizeof(out)));
    assert_string_equal(out, "/health");
    assert_true(lume_fcgi_params_find(all, n, "REQUEST_ID", out, sizeof(out)));
    assert_string_equal(out, "abc123");
    assert_false(lume_fcgi_params_find(all, n, "REQUEST", out, sizeof(out))); /* whole names */
    assert_string_equal(out, "");
}

static void test_long_values_take_four_byte_lengths_and_are_cut_to_the_output(void **state)
{
    static buf pairs;
    static char value[1000];

    (void)state;
    pairs.n = 0;
    memset(value, 'x', sizeof(value) - 1);
    pair(&pairs, "HTTP_X_PAD", value);
    pair(&pairs, "REQUEST_URI", "/health");
    assert_true(lume_fcgi_params_find(pairs.b, pairs.n, "HTTP_X_PAD", out, 10));
    assert_string_equal(out, "xxxxxxxxx");
    assert_true(lume_fcgi_params_find(pairs.b, pairs.n, "REQUEST_URI", out, sizeof(out)));
    assert_string_equal(out, "/health");
}

static void test_what_runs_past_the_bytes_is_not_read(void **state)
{
    static buf pairs, head;
    unsigned char all[4096];

    (void)state;
    pairs.n = head.n = 0;
    pair(&pairs, "REQUEST_URI", "/health");
    /* a pair whose value would run past the content */
    assert_false(lume_fcgi_params_find(pairs.b, pairs.n - 1, "REQUEST_URI", out, sizeof(out)));
    /* a four-byte length cut short */
    assert_false(lume_fcgi_params_find((const unsigned char *)"\x80\x00", 2, "A", out, 4));
    /* a record that announces more than the head holds */
    record(&head, 4, 1, pairs.b, pairs.n, 0);
    assert_int_equal(lume_fcgi_params_gather(head.b, head.n - 1, 1, all, sizeof(all)), 0);
    assert_int_equal(lume_fcgi_params_gather(head.b, head.n, 1, all, 5), 5); /* cut to cap */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_param_is_found_in_the_requests_records),
        cmocka_unit_test(test_long_values_take_four_byte_lengths_and_are_cut_to_the_output),
        cmocka_unit_test(test_what_runs_past_the_bytes_is_not_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
