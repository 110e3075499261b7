/*
 * test_observe.c: a worker's place in the pool (observe.h): created, its
 * scoreboard line shows this process idle; reading, then a request begun
 * (busy, its route and id) and ended (served + 1, idle, counted by that
 * route and the status); the pool view has the configured size and no
 * accept queue without a listening socket; without a pool (NULL) every call
 * does nothing and the view is empty.
 */
#include "lib/unit.h"

#include "observe.h"

static void test_a_workers_line_and_counters_follow_its_requests(void **state)
{
    lume_shared *shared = lume_shared_create();
    lume_scoreboard_line l;
    lume_metrics_totals t;
    lume_config cfg;
    lume_observe *o;

    (void)state;
    assert_non_null(shared);
    lume_config_defaults(&cfg);
    o = lume_observe_create(&cfg, shared, 3, -1);
    assert_non_null(o);
    assert_ptr_equal(lume_observe_board(o), lume_scoreboard_of(shared));
    assert_ptr_equal(lume_observe_metrics(o), lume_shared_metrics(shared));
    assert_ptr_equal(lume_observe_counts(o), lume_metrics_slot_at(lume_shared_metrics(shared), 3));
    assert_true(lume_scoreboard_read(lume_observe_board(o), 3, &l));
    assert_int_equal(l.pid, getpid());
    assert_int_equal(l.state, LUME_WORKER_IDLE);

    lume_observe_state(o, LUME_WORKER_READING);
    assert_true(lume_scoreboard_read(lume_observe_board(o), 3, &l));
    assert_int_equal(l.state, LUME_WORKER_READING);
    lume_observe_begin(o, LUME_ROUTE_SEARCH, "rid-7");
    assert_true(lume_scoreboard_read(lume_observe_board(o), 3, &l));
    assert_int_equal(l.state, LUME_WORKER_BUSY);
    assert_string_equal(l.route, "search");
    assert_string_equal(l.request_id, "rid-7");
    assert_true(l.request_start_ms > 0);
    lume_observe_end(o, 404, 2000);
    assert_true(lume_scoreboard_read(lume_observe_board(o), 3, &l));
    assert_int_equal(l.state, LUME_WORKER_IDLE);
    assert_int_equal(l.served, 1);
    lume_metrics_sum(lume_observe_metrics(o), &t);
    assert_int_equal(t.requests[LUME_ROUTE_SEARCH][lume_metrics_status_index(404)], 1);

    lume_observe_destroy(o);
    lume_shared_destroy(shared);
}

static void test_the_pool_view_has_the_configured_size(void **state)
{
    lume_shared *shared = lume_shared_create();
    lume_prometheus_pool p;
    lume_config cfg;
    lume_observe *o;
    long min, max;

    (void)state;
    lume_config_defaults(&cfg);
    lume_config_pool_size(&cfg, &min, &max);
    o = lume_observe_create(&cfg, shared, 0, -1);
    p = lume_observe_pool(o);
    assert_int_equal(p.workers, min);
    assert_int_equal(p.workers_min, min);
    assert_int_equal(p.workers_max, max);
    assert_int_equal(p.backlog, -1); /* no listening socket: not known */
    assert_int_equal(p.backlog_limit, -1);
    lume_observe_destroy(o);
    lume_shared_destroy(shared);
}

static void test_without_a_pool_nothing_is_written_and_the_view_is_empty(void **state)
{
    lume_prometheus_pool p;

    (void)state;
    lume_observe_state(NULL, LUME_WORKER_READING);
    lume_observe_begin(NULL, LUME_ROUTE_INDEX, "x");
    lume_observe_end(NULL, 200, 1);
    assert_null(lume_observe_metrics(NULL));
    assert_null(lume_observe_counts(NULL));
    assert_null(lume_observe_board(NULL));
    p = lume_observe_pool(NULL);
    assert_int_equal(p.workers, 0);
    assert_int_equal(p.backlog, -1);
    lume_observe_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_workers_line_and_counters_follow_its_requests),
        cmocka_unit_test(test_the_pool_view_has_the_configured_size),
        cmocka_unit_test(test_without_a_pool_nothing_is_written_and_the_view_is_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
