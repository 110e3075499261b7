/*
 * test_backoff.c: the retry delay policy. Exponential backoff with full
 * jitter: retry k waits a uniform draw from [0, min(cap, base * 2^(k-1))],
 * and a retry that would start at or after the deadline is not made (-1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

static void the_window_doubles_per_retry_up_to_the_cap(void **state)
{
    (void)state;
    assert_int_equal(lume_backoff_ceiling(100, 2000, 1), 100);
    assert_int_equal(lume_backoff_ceiling(100, 2000, 2), 200);
    assert_int_equal(lume_backoff_ceiling(100, 2000, 3), 400);
    assert_int_equal(lume_backoff_ceiling(100, 2000, 5), 1600);
    assert_int_equal(lume_backoff_ceiling(100, 2000, 6), 2000);
    assert_int_equal(lume_backoff_ceiling(100, 2000, 60), 2000); /* no overflow */
}

static void full_jitter_spans_zero_to_the_window(void **state)
{
    (void)state;
    /* the draw is taken modulo window + 1: both ends are reachable */
    assert_int_equal(lume_backoff_delay(100, 2000, 1, 0, 0, 100000), 0);
    assert_int_equal(lume_backoff_delay(100, 2000, 1, 100, 0, 100000), 100);
    assert_int_equal(lume_backoff_delay(100, 2000, 1, 101, 0, 100000), 0);
    assert_int_equal(lume_backoff_delay(100, 2000, 3, 250, 0, 100000), 250);
}

static void never_past_the_deadline(void **state)
{
    (void)state;
    /* 1000 ms left: a 999 ms wait is allowed, a wait reaching the deadline is not */
    assert_int_equal(lume_backoff_delay(100, 2000, 5, 999, 5000, 6000), 999);
    assert_int_equal(lume_backoff_delay(100, 2000, 5, 1000, 5000, 6000), -1);
    /* deadline already passed: never retry, even with a zero wait */
    assert_int_equal(lume_backoff_delay(100, 2000, 1, 0, 6000, 6000), -1);
}

static void the_generator_stays_inside_the_window(void **state)
{
    lume_backoff *b = lume_backoff_create(100, 2000, 42);
    int64_t seen_low = 0, seen_high = 0;
    (void)state;
    assert_non_null(b);
    for (int i = 0; i < 2000; i++) {
        int64_t d = lume_backoff_next(b, 2, 0, 1000000);
        assert_true(d >= 0 && d <= 200);
        seen_low |= d < 50;
        seen_high |= d > 150;
    }
    assert_true(seen_low && seen_high); /* jittered, not constant */
    lume_backoff_destroy(b);
}

static void same_seed_same_delays(void **state)
{
    lume_backoff *a = lume_backoff_create(100, 2000, 7), *b = lume_backoff_create(100, 2000, 7);
    (void)state;
    for (int i = 1; i < 20; i++)
        assert_int_equal(lume_backoff_next(a, i, 0, 1000000), lume_backoff_next(b, i, 0, 1000000));
    lume_backoff_destroy(a);
    lume_backoff_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_window_doubles_per_retry_up_to_the_cap),
        cmocka_unit_test(full_jitter_spans_zero_to_the_window),
        cmocka_unit_test(never_past_the_deadline),
        cmocka_unit_test(the_generator_stays_inside_the_window),
        cmocka_unit_test(same_seed_same_delays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
