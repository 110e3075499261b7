/*
 * test_breaker.c: the circuit breaker's state machine, on a fake clock.
 *
 * closed --N consecutive failures--> open --open_ms--> half-open (one probe)
 * half-open --the probe's success--> closed;  --the probe's failure--> open again.
 * With escalation (open_max_ms above open_ms), each failed probe doubles the
 * time open, up to open_max_ms; a successful probe resets it.
 * Outcomes of calls let through earlier (while closed) never move an open or
 * half-open breaker.
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

/* A call let through now: its ticket (the test fails if it is refused). */
static lume_breaker_ticket let_in(lume_breaker *b)
{
    lume_breaker_ticket t = 0;
    assert_true(lume_breaker_allow(b, &t, NULL));
    return t;
}

/* A call that is let in and fails / succeeds at once. */
static int fail_one(lume_breaker *b)
{
    return lume_breaker_failure(b, let_in(b));
}

static int succeed_one(lume_breaker *b)
{
    return lume_breaker_success(b, let_in(b));
}

static int allowed(lume_breaker *b, int64_t *retry)
{
    lume_breaker_ticket t;
    return lume_breaker_allow(b, &t, retry);
}

/* A breaker without escalation: every opening lasts open_ms. */
static lume_breaker *make(void *area, long failures, long open_ms)
{
    lume_breaker *b = lume_breaker_create(area, failures, open_ms, open_ms, fake_clock, NULL);
    assert_non_null(b);
    return b;
}

static void starts_closed_and_lets_calls_through(void **state)
{
    lume_breaker *b = make(NULL, 3, 1000);
    (void)state;
    fake_now = 10000;
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    assert_true(allowed(b, NULL));
    lume_breaker_destroy(b);
}

static void opens_after_n_consecutive_failures(void **state)
{
    lume_breaker *b = make(NULL, 3, 1000);
    int64_t retry = 0;
    (void)state;
    fake_now = 10000;
    assert_false(fail_one(b));
    assert_false(fail_one(b));
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    assert_int_equal(lume_breaker_failures(b), 2);
    assert_true(fail_one(b)); /* this one opened it */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_OPEN);
    assert_false(allowed(b, &retry));
    assert_int_equal(retry, 1000);
    lume_breaker_destroy(b);
}

static void a_success_resets_the_count(void **state)
{
    lume_breaker *b = make(NULL, 3, 1000);
    (void)state;
    fake_now = 10000;
    fail_one(b);
    fail_one(b);
    assert_false(succeed_one(b)); /* closed already: no move */
    assert_int_equal(lume_breaker_failures(b), 0);
    fail_one(b);
    fail_one(b);
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    assert_true(allowed(b, NULL));
    lume_breaker_destroy(b);
}

static void retry_after_counts_down_while_open(void **state)
{
    lume_breaker *b = make(NULL, 1, 30000);
    int64_t retry = 0;
    (void)state;
    fake_now = 5000;
    fail_one(b);
    fake_now = 5000 + 29000;
    assert_false(allowed(b, &retry));
    assert_int_equal(retry, 1000);
    fake_now = 5000 + 29999;
    assert_false(allowed(b, &retry));
    assert_int_equal(retry, 1);
    lume_breaker_destroy(b);
}

static void after_open_ms_one_probe_goes_through(void **state)
{
    lume_breaker *b = make(NULL, 1, 1000);
    int64_t retry = 0;
    (void)state;
    fake_now = 10000;
    fail_one(b);
    fake_now = 11000;
    let_in(b); /* the probe */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_HALF_OPEN);
    assert_false(allowed(b, &retry)); /* everyone else waits for it */
    assert_true(retry >= 1);
    lume_breaker_destroy(b);
}

static void a_successful_probe_closes(void **state)
{
    lume_breaker *b = make(NULL, 2, 1000);
    lume_breaker_ticket probe;
    (void)state;
    fake_now = 10000;
    fail_one(b);
    fail_one(b);
    fake_now = 11500;
    probe = let_in(b);
    assert_true(lume_breaker_success(b, probe)); /* this one closed it */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    assert_false(lume_breaker_success(b, probe)); /* already closed */
    assert_true(allowed(b, NULL));
    assert_true(allowed(b, NULL));
    /* and it takes the full count again to reopen */
    fail_one(b);
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    lume_breaker_destroy(b);
}

static void a_failed_probe_opens_again_for_a_full_period(void **state)
{
    lume_breaker *b = make(NULL, 5, 1000);
    lume_breaker_ticket probe;
    int64_t retry = 0;
    (void)state;
    fake_now = 10000;
    for (int i = 0; i < 5; i++)
        fail_one(b);
    fake_now = 11000;
    probe = let_in(b);
    fake_now = 11200;
    assert_true(lume_breaker_failure(b, probe)); /* one failure is enough in half-open */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_OPEN);
    assert_false(allowed(b, &retry));
    assert_int_equal(retry, 1000);
    fake_now = 12199;
    assert_false(allowed(b, NULL));
    fake_now = 12200;
    assert_true(allowed(b, NULL));
    lume_breaker_destroy(b);
}

static void a_lost_probe_is_replaced_after_open_ms(void **state)
{
    lume_breaker *b = make(NULL, 1, 1000);
    (void)state;
    fake_now = 10000;
    fail_one(b);
    fake_now = 11000;
    let_in(b); /* this probe's worker dies, never reports */
    fake_now = 11999;
    assert_false(allowed(b, NULL));
    fake_now = 12000;
    assert_true(allowed(b, NULL)); /* a new probe */
    assert_false(allowed(b, NULL));
    lume_breaker_destroy(b);
}

static void a_replaced_probe_reporting_late_changes_nothing(void **state)
{
    lume_breaker *b = make(NULL, 1, 1000);
    lume_breaker_ticket slow, fresh;
    (void)state;
    fake_now = 10000;
    fail_one(b);
    fake_now = 11000;
    slow = let_in(b);
    fake_now = 12000;
    fresh = let_in(b); /* the slow probe was given up on */
    assert_false(lume_breaker_success(b, slow));
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_HALF_OPEN);
    assert_false(lume_breaker_failure(b, slow));
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_HALF_OPEN);
    assert_true(lume_breaker_success(b, fresh)); /* the current probe decides */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_CLOSED);
    lume_breaker_destroy(b);
}

static void late_failures_while_open_do_not_extend_it(void **state)
{
    lume_breaker *b = make(NULL, 1, 1000);
    lume_breaker_ticket early;
    (void)state;
    fake_now = 10000;
    early = let_in(b); /* in flight while another call opens the breaker */
    fail_one(b);
    fake_now = 10900;
    assert_false(lume_breaker_failure(b, early));
    fake_now = 11000;
    assert_true(allowed(b, NULL));
    lume_breaker_destroy(b);
}

/* The race: a call let through while closed succeeds after others opened the
 * breaker. The upstream just failed N times in a row; one slow answer that was
 * already on its way proves nothing, so the breaker stays open. */
static void a_late_success_does_not_close_an_open_breaker(void **state)
{
    lume_breaker *b = make(NULL, 2, 1000);
    lume_breaker_ticket early;
    int64_t retry = 0;
    (void)state;
    fake_now = 10000;
    early = let_in(b);
    fail_one(b);
    fail_one(b);
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_OPEN);
    fake_now = 10400;
    assert_false(lume_breaker_success(b, early));
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_OPEN);
    assert_false(allowed(b, &retry)); /* still failing fast, same period */
    assert_int_equal(retry, 600);
    lume_breaker_destroy(b);
}

static void a_late_success_does_not_close_a_half_open_breaker(void **state)
{
    lume_breaker *b = make(NULL, 1, 1000);
    lume_breaker_ticket early, probe;
    (void)state;
    fake_now = 10000;
    early = let_in(b);
    fail_one(b);
    fake_now = 11000;
    probe = let_in(b);
    assert_false(lume_breaker_success(b, early)); /* not the probe */
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_HALF_OPEN);
    assert_false(allowed(b, NULL)); /* still only the probe goes through */
    assert_true(lume_breaker_failure(b, probe));
    assert_int_equal(lume_breaker_state_of(b), LUME_BREAKER_OPEN);
    lume_breaker_destroy(b);
}

static void failed_probes_escalate_the_time_open_up_to_the_most(void **state)
{
    lume_breaker *b = lume_breaker_create(NULL, 1, 1000, 5000, fake_clock, NULL);
    const int64_t expected[] = {1000, 2000, 4000, 5000, 5000};
    int64_t retry = 0;
    (void)state;
    assert_non_null(b);
    fake_now = 10000;
    assert_int_equal(lume_breaker_level(b), 0);
    fail_one(b); /* opens: level 1 */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(lume_breaker_level(b), i + 1);
        assert_false(allowed(b, &retry));
        assert_int_equal(retry, expected[i]);
        fake_now += expected[i] - 1;
        assert_false(allowed(b, NULL)); /* a millisecond early */
        fake_now += 1;
        assert_true(lume_breaker_failure(b, let_in(b))); /* the probe fails: longer */
    }
    /* a probe that succeeds closes it and resets the level */
    fake_now += 5000;
    assert_true(lume_breaker_success(b, let_in(b)));
    assert_int_equal(lume_breaker_level(b), 0);
    fail_one(b);
    assert_false(allowed(b, &retry));
    assert_int_equal(retry, 1000);
    lume_breaker_destroy(b);
}

static void a_lost_probe_is_replaced_after_open_ms_whatever_the_level(void **state)
{
    lume_breaker *b = lume_breaker_create(NULL, 1, 1000, 60000, fake_clock, NULL);
    (void)state;
    assert_non_null(b);
    fake_now = 10000;
    fail_one(b);
    fake_now = 11000;
    assert_true(lume_breaker_failure(b, let_in(b))); /* level 2: 2 s open */
    fake_now = 13000;
    let_in(b); /* this probe's worker dies */
    fake_now = 13999;
    assert_false(allowed(b, NULL));
    fake_now = 14000;
    assert_true(allowed(b, NULL)); /* replaced after open_ms, not the level's time */
    assert_int_equal(lume_breaker_level(b), 2);
    lume_breaker_destroy(b);
}

static void two_breakers_on_one_area_share_state(void **state)
{
    /* Two workers: two breakers over the same (here: process-local) area. */
    _Alignas(64) unsigned char area[LUME_BREAKER_AREA_SIZE];
    lume_breaker *a, *b;
    lume_breaker_ticket probe;
    (void)state;
    memset(area, 0, sizeof(area));
    a = make(area, 2, 1000);
    b = make(area, 2, 1000);
    fake_now = 10000;
    fail_one(a);
    fail_one(b); /* consecutive across workers */
    assert_false(allowed(a, NULL));
    assert_false(allowed(b, NULL));
    fake_now = 11000;
    probe = let_in(b);              /* b probes... */
    assert_false(allowed(a, NULL)); /* ...a waits */
    assert_true(lume_breaker_success(b, probe));
    assert_true(allowed(a, NULL));
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
        cmocka_unit_test(a_replaced_probe_reporting_late_changes_nothing),
        cmocka_unit_test(late_failures_while_open_do_not_extend_it),
        cmocka_unit_test(a_late_success_does_not_close_an_open_breaker),
        cmocka_unit_test(a_late_success_does_not_close_a_half_open_breaker),
        cmocka_unit_test(failed_probes_escalate_the_time_open_up_to_the_most),
        cmocka_unit_test(a_lost_probe_is_replaced_after_open_ms_whatever_the_level),
        cmocka_unit_test(two_breakers_on_one_area_share_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
