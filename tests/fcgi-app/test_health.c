/*
 * test_health.c: what the health responder says (health.h), from the
 * scoreboard alone: healthy while at least one worker can take a request,
 * idle or busy for no longer than the stuck bound; not when no worker is
 * alive, or every one has been busy in one request past it. (Its socket
 * side is tested with processes: tests/process/test_supervision.py and
 * tests/e2e/test_supervision.py.)
 */
#include "lib/unit.h"

#include "health.h"

#define NOW   INT64_C(1764070000000) /* wall clock, ms */
#define STUCK 9000

typedef struct board {
    lume_shared *shared;
    lume_scoreboard *b;
} board;

static board open_board(void)
{
    board w = {lume_shared_create(), NULL};

    assert_non_null(w.shared);
    w.b = lume_scoreboard_of(w.shared);
    return w;
}

static void test_no_worker_alive_is_unhealthy(void **state)
{
    board w = open_board();

    (void)state;
    assert_false(lume_health_ok(w.b, NOW, STUCK));
    lume_scoreboard_start(w.b, 0, 41);
    lume_scoreboard_clear(w.b, 0); /* reaped */
    assert_false(lume_health_ok(w.b, NOW, STUCK));
    lume_shared_destroy(w.shared);
}

static void test_an_idle_or_reading_worker_is_healthy(void **state)
{
    board w = open_board();

    (void)state;
    lume_scoreboard_start(w.b, 3, 41);
    assert_true(lume_health_ok(w.b, NOW, STUCK));
    lume_scoreboard_set_state(w.b, 3, LUME_WORKER_READING);
    assert_true(lume_health_ok(w.b, NOW, STUCK));
    lume_shared_destroy(w.shared);
}

static void test_every_worker_busy_but_not_stuck_is_healthy(void **state)
{
    board w = open_board();

    (void)state;
    for (int i = 0; i < 4; i++) {
        lume_scoreboard_start(w.b, i, 41 + i);
        lume_scoreboard_begin(w.b, i, "resolve", "r", NOW - STUCK); /* just at the bound */
    }
    assert_true(lume_health_ok(w.b, NOW, STUCK));
    lume_shared_destroy(w.shared);
}

static void test_every_worker_stuck_is_unhealthy_but_one_free_is_enough(void **state)
{
    board w = open_board();

    (void)state;
    for (int i = 0; i < 4; i++) {
        lume_scoreboard_start(w.b, i, 41 + i);
        lume_scoreboard_begin(w.b, i, "resolve", "r", NOW - STUCK - 1);
    }
    assert_false(lume_health_ok(w.b, NOW, STUCK));
    lume_scoreboard_end(w.b, 2); /* one finished its request */
    assert_true(lume_health_ok(w.b, NOW, STUCK));
    lume_shared_destroy(w.shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_worker_alive_is_unhealthy),
        cmocka_unit_test(test_an_idle_or_reading_worker_is_healthy),
        cmocka_unit_test(test_every_worker_busy_but_not_stuck_is_healthy),
        cmocka_unit_test(test_every_worker_stuck_is_unhealthy_but_one_free_is_enough),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
