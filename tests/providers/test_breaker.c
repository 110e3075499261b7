/*
 * test_breaker.c: the circuit breaker's state machine, on a fake clock.
 *
 * closed --N consecutive failures--> open --open_ms--> half-open (one probe)
 * half-open --success--> closed;  half-open --failure--> open again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "breaker.h"

static int64_t fake_now;

static int64_t fake_clock(void *ctx)
{
    (void)ctx;
    return fake_now;
}

static lume_breaker *make(void *area, long failures, long open_ms)
{
    lume_breaker *b = lume_breaker_create(area, failures, open_ms, fake_clock, NULL);
    assert_non_null(b);
    return b;
}

static void starts_closed_and_lets_calls_through(void **state)
{
    lume_breaker *b = make(NULL, 3, 1000);
    (void)state;
    fake_now = 10000;
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    assert_true(lume_breaker_allow(b, NULL));
    lume_breaker_destroy(b);
}

static void opens_after_n_consecutive_failures(void **state)
{
    lume_breaker *b = make(NULL, 3, 1000);
    int64_t retry = 0;
    (void)state;
    fake_now = 10000;
    assert_false(lume_breaker_failure(b));
    assert_false(lume_breaker_failure(b));
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    assert_int_equal(lume_breaker_failures(b), 2);
    assert_true(lume_breaker_failure(b)); /* this one opened it */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_OPEN);
    assert_false(lume_breaker_allow(b, &retry));
    assert_int_equal(retry, 1000);
    lume_breaker_destroy(b);
}

static void a_success_resets_the_count(void **state)
{
    lume_breaker *b = make(NULL, 3, 1000);
    (void)state;
    fake_now = 10000;
    lume_breaker_failure(b);
    lume_breaker_failure(b);
    lume_breaker_success(b);
    assert_int_equal(lume_breaker_failures(b), 0);
    lume_breaker_failure(b);
    lume_breaker_failure(b);
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    assert_true(lume_breaker_allow(b, NULL));
    lume_breaker_destroy(b);
}

static void retry_after_counts_down_while_open(void **state)
{
    lume_breaker *b = make(NULL, 1, 30000);
    int64_t retry = 0;
    (void)state;
    fake_now = 5000;
    lume_breaker_failure(b);
    fake_now = 5000 + 29000;
    assert_false(lume_breaker_allow(b, &retry));
    assert_int_equal(retry, 1000);
    fake_now = 5000 + 29999;
    assert_false(lume_breaker_allow(b, &retry));
    assert_int_equal(retry, 1);
    lume_breaker_destroy(b);
}

static void after_open_ms_one_probe_goes_through(void **state)
{
    lume_breaker *b = make(NULL, 1, 1000);
    int64_t retry = 0;
    (void)state;
    fake_now = 10000;
    lume_breaker_failure(b);
    fake_now = 11000;
    assert_true(lume_breaker_allow(b, NULL)); /* the probe */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_HALF_OPEN);
    assert_false(lume_breaker_allow(b, &retry)); /* everyone else waits for it */
    assert_true(retry >= 1);
    lume_breaker_destroy(b);
}

static void a_successful_probe_closes(void **state)
{
    lume_breaker *b = make(NULL, 2, 1000);
    (void)state;
    fake_now = 10000;
    lume_breaker_failure(b);
    lume_breaker_failure(b);
    fake_now = 11500;
    assert_true(lume_breaker_allow(b, NULL));
    assert_true(lume_breaker_success(b)); /* this one closed it */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    assert_false(lume_breaker_success(b)); /* already closed */
    assert_true(lume_breaker_allow(b, NULL));
    assert_true(lume_breaker_allow(b, NULL));
    /* and it takes the full count again to reopen */
    lume_breaker_failure(b);
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    lume_breaker_destroy(b);
}

static void a_failed_probe_opens_again_for_a_full_period(void **state)
{
    lume_breaker *b = make(NULL, 5, 1000);
    int64_t retry = 0;
    (void)state;
    fake_now = 10000;
    for (int i = 0; i < 5; i++)
        lume_breaker_failure(b);
    fake_now = 11000;
    assert_true(lume_breaker_allow(b, NULL));
    fake_now = 11200;
    assert_true(lume_breaker_failure(b)); /* one failure is enough in half-open */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_OPEN);
    assert_false(lume_breaker_allow(b, &retry));
    assert_int_equal(retry, 1000);
    fake_now = 12199;
    assert_false(lume_breaker_allow(b, NULL));
    fake_now = 12200;
    assert_true(lume_breaker_allow(b, NULL));
    lume_breaker_destroy(b);
}

static void a_lost_probe_is_replaced_after_open_ms(void **state)
{
    lume_breaker *b = make(NULL, 1, 1000);
    (void)state;
    fake_now = 10000;
    lume_breaker_failure(b);
    fake_now = 11000;
    assert_true(lume_breaker_allow(b, NULL)); /* this probe's worker dies, never reports */
    fake_now = 11999;
    assert_false(lume_breaker_allow(b, NULL));
    fake_now = 12000;
    assert_true(lume_breaker_allow(b, NULL)); /* a new probe */
    assert_false(lume_breaker_allow(b, NULL));
    lume_breaker_destroy(b);
}

static void late_failures_while_open_do_not_extend_it(void **state)
{
    lume_breaker *b = make(NULL, 1, 1000);
    (void)state;
    fake_now = 10000;
    lume_breaker_failure(b);
    fake_now = 10900;
    assert_false(lume_breaker_failure(b)); /* a call that started before it opened */
    fake_now = 11000;
    assert_true(lume_breaker_allow(b, NULL));
    lume_breaker_destroy(b);
}

static void two_breakers_on_one_area_share_state(void **state)
{
    /* Two workers: two breakers over the same (here: process-local) area. */
    _Alignas(64) unsigned char area[LUME_BREAKER_AREA_SIZE];
    lume_breaker *a, *b;
    (void)state;
    memset(area, 0, sizeof(area));
    a = make(area, 2, 1000);
    b = make(area, 2, 1000);
    fake_now = 10000;
    lume_breaker_failure(a);
    lume_breaker_failure(b); /* consecutive across workers */
    assert_false(lume_breaker_allow(a, NULL));
    assert_false(lume_breaker_allow(b, NULL));
    fake_now = 11000;
    assert_true(lume_breaker_allow(b, NULL));  /* b probes... */
    assert_false(lume_breaker_allow(a, NULL)); /* ...a waits */
    lume_breaker_success(b);
    assert_true(lume_breaker_allow(a, NULL));
    lume_breaker_destroy(a);
    lume_breaker_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(starts_closed_and_lets_calls_through),
        cmocka_unit_test(opens_after_n_consecutive_failures),
        cmocka_unit_test(a_success_resets_the_count),
        cmocka_unit_test(retry_after_counts_down_while_open),
        cmocka_unit_test(after_open_ms_one_probe_goes_through),
        cmocka_unit_test(a_successful_probe_closes),
        cmocka_unit_test(a_failed_probe_opens_again_for_a_full_period),
        cmocka_unit_test(a_lost_probe_is_replaced_after_open_ms),
        cmocka_unit_test(late_failures_while_open_do_not_extend_it),
        cmocka_unit_test(two_breakers_on_one_area_share_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
