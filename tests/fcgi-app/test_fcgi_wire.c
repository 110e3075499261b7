/*
 * test_fcgi_wire.c: the FastCGI wire module (fcgi_wire.h): the head
 * scanner, the params lookup and the record writer.
 *
 * The head scanner: is a FastCGI request head complete and within bounds?
 * The head is FCGI_BEGIN_REQUEST and the FCGI_PARAMS stream up to the header
 * of its empty record (what libfcgi reads before it returns a request). It
 * is complete once that header is there, wherever the bytes were cut on the
 * way, and a reader that reads what lume_fcgi_head_need() says never reads
 * past it. Params of up to 64 KiB are fine,
 * one byte more is too large, however the stream is split into records (the
 * bound is tested at 64 KiB - 1, exactly, and + 1); the whole head, record
 * headers and padding included, is bounded too. Not FastCGI version 1, or a
 * bad FCGI_BEGIN_REQUEST, is malformed. Other records before the end of the
 * params (management records, other request ids) are stepped over.
 *
 * The begin record's FCGI_KEEP_CONN flag (nginx's fastcgi_keep_conn on) and
 * its role are read once the head is complete, however it was cut on the way.
 *
 * The whole request: the head, then the empty FCGI_STDIN record of the same
 * request and not a byte more (a request without a body, as nginx sends it)
 * says nothing more is due from the peer; a body, anything after the end of
 * stdin, a record of another request or bytes still missing do not.
 *
 * The params lookup, without libfcgi: the request's FCGI_PARAMS records
 * gathered in order, pairs found across records, short and four-byte
 * lengths, values cut to the output, and nothing read past a record or a
 * pair that runs past the bytes there are.
 *
 * The params as strings (what a worker's request reads): every pair, in
 * place, as its name and value NUL-terminated; a NUL inside a name or value
 * cuts it there and the pairs stay in step; pairs that run past the content
 * are refused as a whole, at every length short of the whole pairs.
 *
 * The record writer: a response is one FCGI_STDOUT record with the head and
 * the body, the empty FCGI_STDOUT record, and FCGI_END_REQUEST (status 0,
 * request complete), byte for byte; content that is empty, too long for one
 * record or does not fit is not written at all.
 *
 * The stream writer (a worker's response of any length): records of at most
 * FCGI_MAX_LENGTH bytes, a new one at that bound (tested at it, one byte
 * below and one above); a full buffer takes what fits and says so, and once
 * sent the rest goes on in a new record; the end records go after the last
 * byte, or wait for the buffer to be sent, at every room around what they
 * need. Whatever the room, the bytes sent in parts are the records of the
 * whole content.
 */
#include "lib/unit.h"

#include "fcgi_wire.h"

enum { BEGIN = 1, PARAMS = 4, STDIN = 5, GET_VALUES = 9 };

/* A growing byte buffer of records. */
typedef struct wire {
    unsigned char *b;
    size_t len, cap;
} wire;

static void put(wire *w, const void *p, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2;
        w->b = realloc(w->b, w->cap);
        assert_non_null(w->b);
    }
    memcpy(w->b + w->len, p, n);
    w->len += n;
}

static void record_v(wire *w, int version, int type, unsigned id, size_t content, size_t padding)
{
    unsigned char h[8] = {(unsigned char)version,        (unsigned char)type,
                          (unsigned char)(id >> 8),      (unsigned char)id,
                          (unsigned char)(content >> 8), (unsigned char)content,
                          (unsigned char)padding,        0};
    put(w, h, 8);
    for (size_t i = 0; i < content + padding; i++)
        put(w, "x", 1);
}

static void record(wire *w, int type, unsigned id, size_t content, size_t padding)
{
    record_v(w, 1, type, id, content, padding);
}

static void begin(wire *w)
{
    record(w, BEGIN, 1, 8, 0);
}

/* Params of n bytes in records of at most chunk bytes, then the end. */
static void params(wire *w, size_t n, size_t chunk)
{
    for (size_t done = 0; done < n; done += chunk)
        record(w, PARAMS, 1, n - done < chunk ? n - done : chunk, 0);
    record(w, PARAMS, 1, 0, 0);
}

static lume_fcgi_head_state scan_all(const wire *w, lume_fcgi_head *h)
{
    lume_fcgi_head_init(h);
    return lume_fcgi_head_scan(h, w->b, w->len);
}

/* ---- complete or not ---- */

static void test_begin_and_params_up_to_the_empty_record_are_a_head(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    params(&w, 300, 65535);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    assert_int_equal(h.end, w.len);
    assert_int_equal(h.params, 300);
    free(w.b);
}

static void test_what_follows_the_head_is_not_part_of_it(void **state)
{
    wire w = {0};
    lume_fcgi_head h;
    size_t head_len;

    (void)state;
    begin(&w);
    params(&w, 40, 65535);
    head_len = w.len;
    record(&w, STDIN, 1, 100, 4);
    record(&w, STDIN, 1, 0, 0);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    assert_int_equal(h.end, head_len);
    free(w.b);
}

static void test_every_prefix_of_a_head_is_incomplete_and_scanning_goes_on(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    params(&w, 1000, 300); /* four params records and the end */
    lume_fcgi_head_init(&h);
    for (size_t len = 0; len < w.len; len++)
        if (lume_fcgi_head_scan(&h, w.b, len) != LUME_FCGI_HEAD_MORE)
            fail_msg("%zu of %zu bytes should be incomplete", len, w.len);
    assert_int_equal(lume_fcgi_head_scan(&h, w.b, w.len), LUME_FCGI_HEAD_COMPLETE);
    assert_int_equal(h.end, w.len);
    assert_int_equal(h.params, 1000);
    assert_int_equal(lume_fcgi_head_scan(&h, w.b, w.len), LUME_FCGI_HEAD_COMPLETE);
    free(w.b);
}

static void test_the_padding_of_the_empty_record_is_not_part_of_the_head(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    record(&w, PARAMS, 1, 5, 3);
    record(&w, PARAMS, 1, 0, 7); /* libfcgi leaves these 7 bytes unread too */
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    assert_int_equal(h.end, w.len - 7);
    free(w.b);
}

static void test_reading_what_need_says_stops_exactly_at_the_end_of_the_head(void **state)
{
    wire w = {0};
    lume_fcgi_head h;
    size_t len = 0, head_len;
    int reads = 0;

    (void)state;
    record(&w, GET_VALUES, 0, 20, 4);
    begin(&w);
    params(&w, 3000, 1000);
    head_len = w.len;
    record(&w, STDIN, 1, 100, 4); /* must stay unread */
    lume_fcgi_head_init(&h);
    while (lume_fcgi_head_scan(&h, w.b, len) == LUME_FCGI_HEAD_MORE) {
        size_t need = lume_fcgi_head_need(&h);
        assert_true(need > len);
        assert_true(need <= head_len);
        len = need; /* a read that got all it asked for */
        reads++;
    }
    assert_int_equal(lume_fcgi_head_scan(&h, w.b, len), LUME_FCGI_HEAD_COMPLETE);
    assert_int_equal(len, head_len);
    assert_int_equal(lume_fcgi_head_need(&h), head_len);
    assert_int_equal(reads, 6); /* one per record header: GET_VALUES, BEGIN, 3 PARAMS, end */
    free(w.b);
}

static void test_nothing_at_all_is_incomplete(void **state)
{
    lume_fcgi_head h;

    (void)state;
    lume_fcgi_head_init(&h);
    assert_int_equal(lume_fcgi_head_scan(&h, (const unsigned char *)"", 0), LUME_FCGI_HEAD_MORE);
}

static void test_params_without_a_begin_do_not_make_a_head(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    params(&w, 50, 65535);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_MORE);
    free(w.b);
}

static void test_management_records_and_other_request_ids_are_stepped_over(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    record(&w, GET_VALUES, 0, 20, 4);
    begin(&w);
    record(&w, PARAMS, 2, 65535, 0); /* another id's params do not count */
    record(&w, PARAMS, 2, 0, 0);     /* nor does its end */
    params(&w, 10, 65535);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    assert_int_equal(h.params, 10);
    assert_int_equal(h.end, w.len);
    free(w.b);
}

/* ---- the params bound, at 64 KiB - 1, exactly, + 1 ---- */

static void assert_params(size_t n, size_t chunk, lume_fcgi_head_state expected)
{
    wire w = {0};
    lume_fcgi_head h;

    begin(&w);
    params(&w, n, chunk);
    if (scan_all(&w, &h) != expected)
        fail_msg("%zu bytes of params in records of %zu: expected state %d", n, chunk, expected);
    free(w.b);
}

static void test_params_of_64_kib_are_fine_and_one_byte_more_is_too_large(void **state)
{
    (void)state;
    assert_params(65535, 65535, LUME_FCGI_HEAD_COMPLETE);
    assert_params(65536, 65535, LUME_FCGI_HEAD_COMPLETE);
    assert_params(65537, 65535, LUME_FCGI_HEAD_PARAMS_TOO_LARGE);
}

static void test_the_params_bound_holds_however_the_records_are_cut(void **state)
{
    (void)state;
    assert_params(65535, 4096, LUME_FCGI_HEAD_COMPLETE);
    assert_params(65536, 4096, LUME_FCGI_HEAD_COMPLETE);
    assert_params(65537, 4096, LUME_FCGI_HEAD_PARAMS_TOO_LARGE);
    assert_params(65536, 32768, LUME_FCGI_HEAD_COMPLETE);
    assert_params(65537, 32768, LUME_FCGI_HEAD_PARAMS_TOO_LARGE);
}

static void test_too_large_params_are_seen_from_the_record_header_alone(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    record(&w, PARAMS, 1, 65535, 0);
    record(&w, PARAMS, 1, 2, 0);
    /* only the second record's header has arrived, none of its content */
    lume_fcgi_head_init(&h);
    assert_int_equal(lume_fcgi_head_scan(&h, w.b, 16 + 8 + 65535 + 8),
                     LUME_FCGI_HEAD_PARAMS_TOO_LARGE);
    assert_int_equal(h.params, 65537);
    free(w.b);
}

/* ---- the head bound ---- */

static void test_a_head_of_tiny_records_is_bounded_by_its_total_size(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    params(&w, 8000, 1); /* 8000 params bytes in 72 024 bytes of head */
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    free(w.b);
    memset(&w, 0, sizeof(w));
    begin(&w);
    params(&w, 8200, 1); /* 8200 params bytes, but 73 824 bytes of head */
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_TOO_LARGE);
    free(w.b);
    memset(&w, 0, sizeof(w));
    begin(&w);
    for (int i = 0; i < 9300; i++) /* stepped-over records count too */
        record(&w, GET_VALUES, 0, 0, 0);
    params(&w, 10, 65535);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_TOO_LARGE);
    free(w.b);
}

static void test_a_record_that_would_pass_the_head_bound_is_too_large_at_once(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    record(&w, PARAMS, 1, 60000, 0);
    record(&w, STDIN, 1, 65535, 0); /* out of place, and past the bound */
    lume_fcgi_head_init(&h);
    assert_int_equal(lume_fcgi_head_scan(&h, w.b, 16 + 8 + 60000 + 8), LUME_FCGI_HEAD_TOO_LARGE);
    free(w.b);
}

static void test_the_largest_head_within_the_bound_is_complete(void **state)
{
    wire w = {0};
    lume_fcgi_head h;
    size_t filler;

    (void)state;
    begin(&w);
    params(&w, 65536, 65535);
    filler = LUME_FCGI_HEAD_MAX - w.len;
    w.len -= 8; /* take the end record off, put a stepped-over record before it */
    record(&w, GET_VALUES, 0, filler - 8, 0);
    record(&w, PARAMS, 1, 0, 0);
    assert_int_equal(w.len, LUME_FCGI_HEAD_MAX);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    free(w.b);
    memset(&w, 0, sizeof(w));
    begin(&w);
    params(&w, 65536, 65535);
    w.len -= 8;
    record(&w, GET_VALUES, 0, filler - 8 + 1, 0); /* one byte more */
    record(&w, PARAMS, 1, 0, 0);
    assert_int_equal(w.len, LUME_FCGI_HEAD_MAX + 1);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_TOO_LARGE);
    free(w.b);
}

/* ---- malformed ---- */

static void test_a_version_other_than_1_is_malformed(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    record_v(&w, 2, BEGIN, 1, 8, 0);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_MALFORMED);
    free(w.b);
    memset(&w, 0, sizeof(w));
    put(&w, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27); /* HTTP on the FastCGI port */
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_MALFORMED);
    free(w.b);
    memset(&w, 0, sizeof(w));
    begin(&w);
    record_v(&w, 0, PARAMS, 1, 0, 0);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_MALFORMED);
    free(w.b);
}

static void test_a_begin_request_of_the_wrong_size_or_id_0_is_malformed(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    record(&w, BEGIN, 1, 7, 1);
    params(&w, 10, 65535);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_MALFORMED);
    free(w.b);
    memset(&w, 0, sizeof(w));
    record(&w, BEGIN, 0, 8, 0);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_MALFORMED);
    free(w.b);
}

/* ---- the whole request ---- */

static void test_a_head_and_the_empty_stdin_record_are_the_whole_request(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    params(&w, 300, 65535);
    record(&w, STDIN, 1, 0, 0);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    assert_true(lume_fcgi_head_whole_request(&h, w.b, w.len));
    free(w.b);
}

static void test_a_head_alone_or_with_a_body_or_more_is_not_the_whole_request(void **state)
{
    lume_fcgi_head h;

    (void)state;
    for (int variant = 0; variant < 6; variant++) {
        wire w = {0};
        size_t len;
        begin(&w);
        params(&w, 40, 65535);
        switch (variant) {
        case 0: break;                                  /* stdin not here yet */
        case 1: record(&w, STDIN, 1, 10, 0); break;     /* a body */
        case 2: record(&w, STDIN, 2, 0, 0); break;      /* another request's */
        case 3: record(&w, STDIN, 1, 0, 4); break;      /* padding follows */
        case 4: record(&w, GET_VALUES, 0, 0, 0); break; /* a management record */
        case 5:                                         /* a byte after the end */
            record(&w, STDIN, 1, 0, 0);
            put(&w, "x", 1);
            break;
        }
        len = w.len;
        assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
        assert_false(lume_fcgi_head_whole_request(&h, w.b, len));
        if (variant == 5) /* cut before the stray byte, it is whole */
            assert_true(lume_fcgi_head_whole_request(&h, w.b, len - 1));
        free(w.b);
    }
}

static void test_an_incomplete_head_is_never_the_whole_request(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    record(&w, PARAMS, 1, 20, 0);
    record(&w, STDIN, 1, 0, 0);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_MORE);
    assert_false(lume_fcgi_head_whole_request(&h, w.b, w.len));
    free(w.b);
}

/* ---- the keep-alive flag ---- */

static void begin_flags(wire *w, unsigned char flags)
{
    unsigned char rec[16] = {1, BEGIN, 0, 1, 0, 8, 0, 0, 0, 1, flags, 0, 0, 0, 0, 0};
    put(w, rec, sizeof(rec));
}

static void test_the_keep_conn_flag_of_the_begin_record_is_read(void **state)
{
    for (unsigned char flags = 0; flags < 4; flags++) {
        wire w = {0};
        lume_fcgi_head h;

        (void)state;
        begin_flags(&w, flags);
        params(&w, 40, 65535);
        assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
        assert_int_equal(h.keep_conn, flags & 1);
        free(w.b);
    }
}

static void test_the_keep_conn_flag_is_read_however_the_head_arrives(void **state)
{
    wire w = {0};
    lume_fcgi_head h;

    (void)state;
    begin_flags(&w, 1);
    params(&w, 40, 65535);
    for (size_t cut = 1; cut < w.len; cut++) {
        lume_fcgi_head_init(&h);
        assert_int_equal(lume_fcgi_head_scan(&h, w.b, cut), LUME_FCGI_HEAD_MORE);
        assert_int_equal(lume_fcgi_head_scan(&h, w.b, w.len), LUME_FCGI_HEAD_COMPLETE);
        assert_int_equal(h.keep_conn, 1);
    }
    free(w.b);
}

static void test_the_role_of_the_begin_record_is_read(void **state)
{
    unsigned char responder[16] = {1, BEGIN, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    unsigned char other[16] = {1, BEGIN, 0, 1, 0, 8, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0, 0};
    wire w = {0}, x = {0};
    lume_fcgi_head h;

    (void)state;
    put(&w, responder, sizeof(responder));
    params(&w, 40, 65535);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    assert_int_equal(h.role, FCGI_RESPONDER);
    put(&x, other, sizeof(other));
    params(&x, 40, 65535);
    assert_int_equal(scan_all(&x, &h), LUME_FCGI_HEAD_COMPLETE);
    assert_int_equal(h.role, 0x0102);
    free(w.b);
    free(x.b);
}

static void test_the_end_of_stdin_alone_is_what_follows_a_whole_request(void **state)
{
    wire w = {0}, rest = {0};
    lume_fcgi_head h;

    (void)state;
    begin(&w);
    params(&w, 40, 65535);
    assert_int_equal(scan_all(&w, &h), LUME_FCGI_HEAD_COMPLETE);
    record(&rest, STDIN, 1, 0, 0);
    assert_true(lume_fcgi_head_stdin_end(&h, rest.b, rest.len));
    assert_false(lume_fcgi_head_stdin_end(&h, rest.b, rest.len - 1));
    record(&rest, STDIN, 1, 0, 0);
    assert_false(lume_fcgi_head_stdin_end(&h, rest.b, rest.len)); /* something more */
    free(rest.b);
    rest = (wire){0};
    record(&rest, STDIN, 2, 0, 0); /* another request's */
    assert_false(lume_fcgi_head_stdin_end(&h, rest.b, rest.len));
    free(rest.b);
    free(w.b);
}

/* ---- the params lookup ---- */

typedef struct buf {
    unsigned char b[70000];
    size_t n;
} buf;

static void buf_put(buf *o, const void *p, size_t n)
{
    if (n == 0)
        return;
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void buf_record(buf *o, int type, unsigned id, const unsigned char *content, size_t len,
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

    buf_put(o, h, 8);
    buf_put(o, content, len);
    buf_put(o, pad, padding);
}

/* One pair, with a four-byte length where the value is long. */
static void pair(buf *o, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    unsigned char l4[4] = {(unsigned char)(0x80 | (vl >> 24)), (unsigned char)(vl >> 16),
                           (unsigned char)(vl >> 8), (unsigned char)vl};
    unsigned char l1 = (unsigned char)nl;

    buf_put(o, &l1, 1);
    if (vl < 128) {
        unsigned char v1 = (unsigned char)vl;
        buf_put(o, &v1, 1);
    } else {
        buf_put(o, l4, 4);
    }
    buf_put(o, name, nl);
    buf_put(o, value, vl);
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
    buf_record(&head, 1, 1, (const unsigned char *)"\0\1\0\0\0\0\0\0", 8, 0); /* BEGIN_REQUEST */
    buf_record(&head, 4, 2, (const unsigned char *)"\3\3REQ", 5, 0); /* another request's */
    buf_record(&head, 4, 1, pairs.b, 10, 3);                         /* a pair split across... */
    buf_record(&head, 4, 1, pairs.b + 10, pairs.n - 10, 0); /* ...two records, padding between */
    buf_record(&head, 4, 1, NULL, 0, 0);                    /* the end of the params */
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
    buf_record(&head, 4, 1, pairs.b, pairs.n, 0);
    assert_int_equal(lume_fcgi_params_gather(head.b, head.n - 1, 1, all, sizeof(all)), 0);
    assert_int_equal(lume_fcgi_params_gather(head.b, head.n, 1, all, 5), 5); /* cut to cap */
}

/* ---- the params as strings ---- */

static void test_the_params_become_strings_in_place_and_are_found_by_name(void **state)
{
    static buf pairs;
    static char value[1000];
    size_t n;
    const char *s;

    (void)state;
    pairs.n = 0;
    memset(value, 'x', sizeof(value) - 1);
    pair(&pairs, "REQUEST_METHOD", "GET");
    pair(&pairs, "HTTP_X_PAD", value); /* a four-byte length */
    pair(&pairs, "EMPTY", "");
    pair(&pairs, "REQUEST_URI", "/health");
    pair(&pairs, "REQUEST_URI", "/second"); /* the first one counts */
    n = lume_fcgi_params_strings(pairs.b, pairs.n);
    /* each name and value and its NUL (value holds 999 bytes and its NUL) */
    assert_int_equal(n, strlen("REQUEST_METHOD") + 1 + 4 + strlen("HTTP_X_PAD") + 1 +
                            sizeof(value) + strlen("EMPTY") + 2 +
                            2 * (strlen("REQUEST_URI") + 1 + 8));
    s = (const char *)pairs.b;
    assert_string_equal(lume_fcgi_strings_find(s, n, "REQUEST_METHOD"), "GET");
    assert_string_equal(lume_fcgi_strings_find(s, n, "HTTP_X_PAD"), value);
    assert_string_equal(lume_fcgi_strings_find(s, n, "EMPTY"), "");
    assert_string_equal(lume_fcgi_strings_find(s, n, "REQUEST_URI"), "/health");
    assert_null(lume_fcgi_strings_find(s, n, "REQUEST")); /* whole names */
    assert_null(lume_fcgi_strings_find(s, n, "GET"));     /* names, not values */
    assert_null(lume_fcgi_strings_find(s, 0, "REQUEST_METHOD"));
    assert_int_equal(lume_fcgi_params_strings(pairs.b, 0), 0); /* no params at all */
}

static void test_a_nul_inside_a_name_or_value_cuts_it_and_the_pairs_stay_in_step(void **state)
{
    /* "A\0B" = "C\0D", then "URI" = "/x" */
    unsigned char p[] = {3, 3, 'A', 0, 'B', 'C', 0, 'D', 3, 2, 'U', 'R', 'I', '/', 'x'};
    size_t n = lume_fcgi_params_strings(p, sizeof(p));
    const char *s = (const char *)p;

    (void)state;
    assert_int_equal(n, 4 + 7);
    assert_string_equal(lume_fcgi_strings_find(s, n, "A"), "C");
    assert_string_equal(lume_fcgi_strings_find(s, n, "URI"), "/x");
    assert_null(lume_fcgi_strings_find(s, n, "B"));
    assert_null(lume_fcgi_strings_find(s, n, "D"));
}

static void test_pairs_that_run_past_the_content_are_refused_at_every_length(void **state)
{
    static buf pairs, copy;

    (void)state;
    pairs.n = 0;
    pair(&pairs, "REQUEST_METHOD", "GET");
    pair(&pairs, "REQUEST_URI", "/health");
    for (size_t len = 1; len < pairs.n; len++) {
        size_t first = 2 + strlen("REQUEST_METHOD") + 3;

        memcpy(copy.b, pairs.b, len);
        assert_int_equal(lume_fcgi_params_strings(copy.b, len),
                         len == first ? strlen("REQUEST_METHOD") + 5 : LUME_FCGI_PARAMS_BAD);
    }
    memcpy(copy.b, pairs.b, pairs.n);
    assert_int_not_equal(lume_fcgi_params_strings(copy.b, pairs.n), LUME_FCGI_PARAMS_BAD);
    /* a four-byte length cut short */
    memcpy(copy.b, "\x80\x00", 2);
    assert_int_equal(lume_fcgi_params_strings(copy.b, 2), LUME_FCGI_PARAMS_BAD);
}

/* ---- the record writer ---- */

static void test_a_response_is_its_stdout_record_the_end_of_stdout_and_end_request(void **state)
{
    static const unsigned char want[] = {
        1, 6, 0x01, 0x02, 0, 7, 0, 0, 'S', ':', ' ', '2', 'x', 'y', 'z', /* head, then body */
        1, 6, 0x01, 0x02, 0, 0, 0, 0,                                    /* end of stdout */
        1, 3, 0x01, 0x02, 0, 8, 0, 0, 0,   0,   0,   0,   0,   0,   0,
        0}; /* status 0, complete */
    unsigned char out[64];

    (void)state;
    memset(out, 0xee, sizeof(out));
    assert_int_equal(lume_fcgi_response(out, sizeof(out), 0x0102, "S: 2", 4, "xyz", 3),
                     sizeof(want));
    assert_int_equal(sizeof(want), 7 + LUME_FCGI_RESPONSE_FRAMING);
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(out[sizeof(want)], 0xee); /* nothing past it */
    /* a head without a body */
    assert_int_equal(lume_fcgi_response(out, sizeof(out), 1, "S: 2", 4, NULL, 0),
                     4 + LUME_FCGI_RESPONSE_FRAMING);
    assert_int_equal(out[5], 4);
    assert_memory_equal(out + 8, "S: 2", 4);
}

/* The content of the FCGI_STDOUT records in w[0..n) (request id 7), after
 * checking each record's header; *ended: the stream's end and
 * FCGI_END_REQUEST came last. */
static size_t stdout_content(const unsigned char *w, size_t n, unsigned char *out, int *ended)
{
    size_t at = 0, got = 0;

    *ended = 0;
    while (at < n) {
        size_t len;

        assert_true(n - at >= 8);
        assert_int_equal(w[at], 1);
        assert_int_equal(w[at + 2] << 8 | w[at + 3], 7);
        assert_int_equal(w[at + 6], 0); /* unpadded */
        len = (size_t)w[at + 4] << 8 | w[at + 5];
        assert_true(at + 8 + len <= n);
        if (w[at + 1] == 3) {
            assert_int_equal(len, 8);
            assert_int_equal(at + 16, n); /* the end request comes last */
            *ended = 1;
        } else {
            assert_int_equal(w[at + 1], 6);
            if (len == 0) /* the stream's end: only the end request after it */
                assert_int_equal(at + 8 + 16, n);
            memcpy(out + got, w + at + 8, len);
            got += len;
        }
        at += 8 + len;
    }
    return got;
}

/* Write content[0..len) through a writer of cap bytes, sending (appending
 * to sent) whenever it says; returns the bytes sent. */
static size_t stream(const unsigned char *content, size_t len, size_t cap, unsigned char *sent)
{
    static unsigned char b[3 * FCGI_MAX_LENGTH];
    lume_fcgi_out o;
    size_t done = 0, total = 0;

    lume_fcgi_out_init(&o, b, cap, 7);
    while (done < len) {
        size_t t = lume_fcgi_out_put(&o, content + done, len - done);

        done += t;
        if (done < len) {
            assert_true(o.len > 0);
            memcpy(sent + total, b, o.len);
            total += o.len;
            lume_fcgi_out_sent(&o);
        }
    }
    if (!lume_fcgi_out_end(&o)) {
        assert_true(o.cap - o.len < LUME_FCGI_OUT_END);
        memcpy(sent + total, b, o.len);
        total += o.len;
        lume_fcgi_out_sent(&o);
        assert_true(lume_fcgi_out_end(&o));
    }
    memcpy(sent + total, b, o.len);
    return total + o.len;
}

static void test_a_stream_is_records_of_at_most_the_record_bound(void **state)
{
    static unsigned char content[2 * FCGI_MAX_LENGTH + 2], sent[3 * FCGI_MAX_LENGTH],
        got[3 * FCGI_MAX_LENGTH];
    size_t sizes[] = {
        0, 1, FCGI_MAX_LENGTH - 1, FCGI_MAX_LENGTH, FCGI_MAX_LENGTH + 1, 2 * FCGI_MAX_LENGTH + 2};
    int ended;

    (void)state;
    for (size_t i = 0; i < sizeof(content); i++)
        content[i] = (unsigned char)(i * 7 + 3);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        size_t len = sizes[k], n = stream(content, len, sizeof(sent), sent);
        size_t records = (len + FCGI_MAX_LENGTH - 1) / FCGI_MAX_LENGTH;

        /* one buffer that holds it all: one write, one record per 65535 bytes */
        assert_int_equal(n, len + 8 * records + LUME_FCGI_OUT_END);
        assert_int_equal(stdout_content(sent, n, got, &ended), len);
        assert_true(ended);
        assert_memory_equal(got, content, len);
    }
}

static void test_a_full_buffer_sends_its_records_and_the_rest_goes_on_in_new_ones(void **state)
{
    static unsigned char content[3000], sent[20000], got[20000];
    size_t caps[] = {LUME_FCGI_OUT_MIN,
                     LUME_FCGI_OUT_MIN + 1,
                     64,
                     100,
                     1000,
                     3000,
                     3008,
                     3000 + 8 + LUME_FCGI_OUT_END - 1,
                     3000 + 8 + LUME_FCGI_OUT_END};
    int ended;

    (void)state;
    for (size_t i = 0; i < sizeof(content); i++)
        content[i] = (unsigned char)(i * 13 + 1);
    for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
        size_t n = stream(content, sizeof(content), caps[k], sent);

        assert_int_equal(stdout_content(sent, n, got, &ended), sizeof(content));
        assert_true(ended);
        assert_memory_equal(got, content, sizeof(content));
    }
}

static void test_the_end_waits_for_room_at_every_size_around_it(void **state)
{
    unsigned char b[64], sent[256], got[64];
    int ended;

    (void)state;
    /* 10 bytes of content: 18 with their header, then the end's 24 */
    for (size_t cap = LUME_FCGI_OUT_MIN; cap <= 18 + LUME_FCGI_OUT_END + 1; cap++) {
        lume_fcgi_out o;

        lume_fcgi_out_init(&o, b, cap, 7);
        assert_int_equal(lume_fcgi_out_put(&o, "0123456789", 10), cap - 8 < 10 ? cap - 8 : 10);
        if (cap >= 18 + LUME_FCGI_OUT_END) {
            assert_true(lume_fcgi_out_end(&o));
            assert_int_equal(o.len, 18 + LUME_FCGI_OUT_END);
        } else if (cap >= 18) {
            assert_false(lume_fcgi_out_end(&o)); /* no room: nothing written */
            assert_int_equal(o.len, 18);
        }
        assert_int_equal(stdout_content(sent,
                                        stream((const unsigned char *)"0123456789", 10, cap, sent),
                                        got, &ended),
                         10);
        assert_true(ended);
        assert_memory_equal(got, "0123456789", 10);
    }
}

/* A response whose connection closes after it ends with the closing mark:
 * the end records, then an FCGI_UNKNOWN_TYPE record (request id 0), in the
 * same bytes, so that nginx, which keeps a connection only when what it read
 * ends with FCGI_END_REQUEST, closes it too. All of it or nothing, at every
 * room around its size. */
static void test_the_closing_end_is_the_end_and_the_mark_or_nothing(void **state)
{
    static const unsigned char mark[16] = {
        1, FCGI_UNKNOWN_TYPE, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    unsigned char b[128], ended_only[128];

    (void)state;
    assert_int_equal(LUME_FCGI_OUT_END_CLOSING, LUME_FCGI_OUT_END + 16);
    for (size_t cap = LUME_FCGI_OUT_MIN; cap <= 18 + LUME_FCGI_OUT_END_CLOSING + 1; cap++) {
        lume_fcgi_out o, plain;

        lume_fcgi_out_init(&o, b, cap, 7);
        lume_fcgi_out_put(&o, "0123456789", 10);
        lume_fcgi_out_init(&plain, ended_only, sizeof(ended_only), 7);
        lume_fcgi_out_put(&plain, "0123456789", 10);
        assert_true(lume_fcgi_out_end(&plain));
        if (cap >= 18 + LUME_FCGI_OUT_END_CLOSING) {
            assert_true(lume_fcgi_out_end_closing(&o));
            assert_int_equal(o.len, 18 + LUME_FCGI_OUT_END_CLOSING);
            assert_memory_equal(b, ended_only, plain.len); /* the end as ever */
            assert_memory_equal(b + plain.len, mark, sizeof(mark));
        } else {
            size_t before = o.len;

            assert_false(lume_fcgi_out_end_closing(&o)); /* no room: nothing written */
            assert_int_equal(o.len, before);
            lume_fcgi_out_sent(&o);
            if (cap < LUME_FCGI_OUT_END_CLOSING) { /* a buffer that never holds them */
                assert_false(lume_fcgi_out_end_closing(&o));
                assert_int_equal(o.len, 0);
                continue;
            }
            assert_true(lume_fcgi_out_end_closing(&o)); /* sent: now it all fits */
            assert_int_equal(o.len, LUME_FCGI_OUT_END_CLOSING);
            assert_memory_equal(b + LUME_FCGI_OUT_END, mark, sizeof(mark));
        }
    }
}

static void test_a_response_that_does_not_fit_is_not_written(void **state)
{
    static unsigned char big[FCGI_MAX_LENGTH + 1], out[FCGI_MAX_LENGTH + 64];

    (void)state;
    memset(out, 0xee, sizeof(out));
    /* one byte short of the room it needs, and exactly that room */
    assert_int_equal(
        lume_fcgi_response(out, 10 + LUME_FCGI_RESPONSE_FRAMING - 1, 1, big, 4, big, 6), 0);
    assert_int_equal(out[0], 0xee);
    assert_int_equal(lume_fcgi_response(out, 10 + LUME_FCGI_RESPONSE_FRAMING, 1, big, 4, big, 6),
                     10 + LUME_FCGI_RESPONSE_FRAMING);
    /* one record holds FCGI_MAX_LENGTH bytes at most; nothing is no response */
    assert_int_equal(lume_fcgi_response(out, sizeof(out), 1, big, FCGI_MAX_LENGTH, NULL, 0),
                     FCGI_MAX_LENGTH + LUME_FCGI_RESPONSE_FRAMING);
    assert_int_equal(lume_fcgi_response(out, sizeof(out), 1, big, FCGI_MAX_LENGTH, big, 1), 0);
    assert_int_equal(lume_fcgi_response(out, sizeof(out), 1, big, 0, NULL, 0), 0);
    assert_int_equal(lume_fcgi_response(out, 4, 1, big, 1, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_begin_and_params_up_to_the_empty_record_are_a_head),
        cmocka_unit_test(test_what_follows_the_head_is_not_part_of_it),
        cmocka_unit_test(test_every_prefix_of_a_head_is_incomplete_and_scanning_goes_on),
        cmocka_unit_test(test_the_padding_of_the_empty_record_is_not_part_of_the_head),
        cmocka_unit_test(test_reading_what_need_says_stops_exactly_at_the_end_of_the_head),
        cmocka_unit_test(test_nothing_at_all_is_incomplete),
        cmocka_unit_test(test_params_without_a_begin_do_not_make_a_head),
        cmocka_unit_test(test_management_records_and_other_request_ids_are_stepped_over),
        cmocka_unit_test(test_params_of_64_kib_are_fine_and_one_byte_more_is_too_large),
        cmocka_unit_test(test_the_params_bound_holds_however_the_records_are_cut),
        cmocka_unit_test(test_too_large_params_are_seen_from_the_record_header_alone),
        cmocka_unit_test(test_a_head_of_tiny_records_is_bounded_by_its_total_size),
        cmocka_unit_test(test_a_record_that_would_pass_the_head_bound_is_too_large_at_once),
        cmocka_unit_test(test_the_largest_head_within_the_bound_is_complete),
        cmocka_unit_test(test_a_version_other_than_1_is_malformed),
        cmocka_unit_test(test_a_begin_request_of_the_wrong_size_or_id_0_is_malformed),
        cmocka_unit_test(test_a_head_and_the_empty_stdin_record_are_the_whole_request),
        cmocka_unit_test(test_a_head_alone_or_with_a_body_or_more_is_not_the_whole_request),
        cmocka_unit_test(test_an_incomplete_head_is_never_the_whole_request),
        cmocka_unit_test(test_the_keep_conn_flag_of_the_begin_record_is_read),
        cmocka_unit_test(test_the_keep_conn_flag_is_read_however_the_head_arrives),
        cmocka_unit_test(test_the_role_of_the_begin_record_is_read),
        cmocka_unit_test(test_the_end_of_stdin_alone_is_what_follows_a_whole_request),
        cmocka_unit_test(test_a_param_is_found_in_the_requests_records),
        cmocka_unit_test(test_long_values_take_four_byte_lengths_and_are_cut_to_the_output),
        cmocka_unit_test(test_what_runs_past_the_bytes_is_not_read),
        cmocka_unit_test(test_the_params_become_strings_in_place_and_are_found_by_name),
        cmocka_unit_test(test_a_nul_inside_a_name_or_value_cuts_it_and_the_pairs_stay_in_step),
        cmocka_unit_test(test_pairs_that_run_past_the_content_are_refused_at_every_length),
        cmocka_unit_test(test_a_response_is_its_stdout_record_the_end_of_stdout_and_end_request),
        cmocka_unit_test(test_a_stream_is_records_of_at_most_the_record_bound),
        cmocka_unit_test(test_a_full_buffer_sends_its_records_and_the_rest_goes_on_in_new_ones),
        cmocka_unit_test(test_the_end_waits_for_room_at_every_size_around_it),
        cmocka_unit_test(test_the_closing_end_is_the_end_and_the_mark_or_nothing),
        cmocka_unit_test(test_a_response_that_does_not_fit_is_not_written),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
