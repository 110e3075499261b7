/*
 * test_queue.c: the queue deadline's reading of nginx's REQUEST_START
 * (queue.h). The stamp is outside input: only nginx's exact $msec format is
 * accepted, and a stamp that cannot be a real wait is "unknown", which leaves
 * the request to be served as if no stamp had been sent.
 */
#include "lib/unit.h"

#include "queue.h"

/* 2024-06-01T00:00:00Z, in ms: "now" for the tests. */
#define NOW_MS INT64_C(1717200000000)

static int64_t parsed(const char *s)
{
    int64_t ms = -42;

    return lume_queue_start_parse(s, &ms) == 0 ? ms : -42;
}

static void test_nginx_msec_is_milliseconds_since_the_epoch(void **state)
{
    (void)state;
    assert_int_equal(parsed("1717200000.123"), INT64_C(1717200000123));
    assert_int_equal(parsed("1717200000.000"), INT64_C(1717200000000));
    assert_int_equal(parsed("0.001"), 1);
}

static void test_the_seconds_are_1_to_12_digits(void **state)
{
    (void)state;
    assert_int_equal(parsed("1.000"), 1000);
    assert_int_equal(parsed("999999999999.999"), INT64_C(999999999999999));
    assert_int_equal(parsed("0001717200000.123"), -42); /* 13 digits */
    assert_int_equal(parsed(".123"), -42);
}

static void test_the_fraction_is_exactly_3_digits(void **state)
{
    (void)state;
    assert_int_equal(parsed("1717200000"), -42);
    assert_int_equal(parsed("1717200000."), -42);
    assert_int_equal(parsed("1717200000.12"), -42);
    assert_int_equal(parsed("1717200000.1234"), -42);
    assert_int_equal(parsed("1717200000.123.4"), -42);
}

static void test_anything_but_digits_and_one_dot_is_rejected(void **state)
{
    static const char *const bad[] = {
        "",
        ".",
        "-1717200000.123",
        "+1717200000.123",
        " 1717200000.123",
        "1717200000.123 ",
        "1717200000,123",
        "1717200000.12a",
        "17172e0000.123",
        "0x1717200000.123",
        "1717200000.123\n",
        "$msec",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (parsed(bad[i]) != -42)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(parsed(NULL), -42);
}

static void test_the_wait_is_now_minus_the_stamp(void **state)
{
    (void)state;
    assert_int_equal(lume_queue_waited_ms("1717200000.000", NOW_MS), 0);
    assert_int_equal(lume_queue_waited_ms("1717199999.750", NOW_MS), 250);
    assert_int_equal(lume_queue_waited_ms("1717199990.000", NOW_MS), 10000);
}

static void test_no_stamp_or_a_malformed_one_is_unknown(void **state)
{
    (void)state;
    assert_int_equal(lume_queue_waited_ms(NULL, NOW_MS), LUME_QUEUE_WAIT_UNKNOWN);
    assert_int_equal(lume_queue_waited_ms("", NOW_MS), LUME_QUEUE_WAIT_UNKNOWN);
    assert_int_equal(lume_queue_waited_ms("1717200000", NOW_MS), LUME_QUEUE_WAIT_UNKNOWN);
    assert_int_equal(lume_queue_waited_ms("yesterday", NOW_MS), LUME_QUEUE_WAIT_UNKNOWN);
}

static void test_a_stamp_slightly_ahead_of_the_worker_clock_is_a_wait_of_0(void **state)
{
    (void)state;
    assert_int_equal(lume_queue_waited_ms("1717200000.001", NOW_MS), 0);
    assert_int_equal(lume_queue_waited_ms("1717200001.000", NOW_MS), 0); /* the bound */
}

static void test_a_stamp_further_ahead_is_clock_skew_and_unknown(void **state)
{
    (void)state;
    assert_int_equal(lume_queue_waited_ms("1717200001.001", NOW_MS), LUME_QUEUE_WAIT_UNKNOWN);
    assert_int_equal(lume_queue_waited_ms("999999999999.999", NOW_MS), LUME_QUEUE_WAIT_UNKNOWN);
}

static void test_a_wait_of_more_than_an_hour_is_not_plausible_and_unknown(void **state)
{
    (void)state;
    assert_int_equal(lume_queue_waited_ms("1717196400.000", NOW_MS), LUME_QUEUE_MAX_WAIT_MS);
    assert_int_equal(lume_queue_waited_ms("1717196399.999", NOW_MS), LUME_QUEUE_WAIT_UNKNOWN);
    assert_int_equal(lume_queue_waited_ms("0.000", NOW_MS), LUME_QUEUE_WAIT_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nginx_msec_is_milliseconds_since_the_epoch),
        cmocka_unit_test(test_the_seconds_are_1_to_12_digits),
        cmocka_unit_test(test_the_fraction_is_exactly_3_digits),
        cmocka_unit_test(test_anything_but_digits_and_one_dot_is_rejected),
        cmocka_unit_test(test_the_wait_is_now_minus_the_stamp),
        cmocka_unit_test(test_no_stamp_or_a_malformed_one_is_unknown),
        cmocka_unit_test(test_a_stamp_slightly_ahead_of_the_worker_clock_is_a_wait_of_0),
        cmocka_unit_test(test_a_stamp_further_ahead_is_clock_skew_and_unknown),
        cmocka_unit_test(test_a_wait_of_more_than_an_hour_is_not_plausible_and_unknown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
