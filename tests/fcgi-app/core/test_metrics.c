/*
 * test_metrics.c: the pool's counters (metrics.h).
 *
 *   - each writer adds to its own slot; the reader's sum covers every slot,
 *     the master's included, and a zeroed region sums to zero;
 *   - requests count by route and HTTP status (statuses not listed count as
 *     "other"), and their latency lands in the first bucket whose bound is at
 *     or above it (the last bucket is +Inf);
 *   - upstream calls count by outcome with latency and retries (a call the
 *     breaker rejected has no latency); breaker moves, spawns and exits by
 *     cause; the breaker gauge is one word for the pool;
 *   - writers take a NULL slot (a worker alone, in unit tests) and do nothing;
 *   - counts made in two processes at once are all there (the region is
 *     shared memory, the adds atomic).
 */
#include "lib/unit.h"

#include <sys/mman.h>
#include <sys/wait.h>

#include "metrics.h"
#include "shared.h"

static lume_metrics *region(lume_shared **sh)
{
    *sh = lume_shared_create();
    assert_non_null(*sh);
    return lume_shared_metrics(*sh);
}

static void test_a_new_region_sums_to_zero(void **state)
{
    lume_shared *sh;
    lume_metrics *m = region(&sh);
    lume_metrics_totals t, zero;

    (void)state;
    memset(&zero, 0, sizeof(zero));
    lume_metrics_sum(m, &t);
    assert_memory_equal(&t, &zero, sizeof(t));
    assert_int_equal(lume_metrics_size() % 64, 0);
    lume_shared_destroy(sh);
}

static void test_requests_count_by_route_and_status_over_every_slot(void **state)
{
    lume_shared *sh;
    lume_metrics *m = region(&sh);
    lume_metrics_totals t;
    int ok = lume_metrics_status_index(200), other = LUME_METRICS_STATUSES - 1;

    (void)state;
    lume_metrics_request(lume_metrics_slot_at(m, 0), 3, 200, 1000);
    lume_metrics_request(lume_metrics_slot_at(m, 7), 3, 200, 1000);
    lume_metrics_request(lume_metrics_slot_at(m, LUME_METRICS_MASTER_SLOT), 3, 200, 1000);
    lume_metrics_request(lume_metrics_slot_at(m, 1), 2, 418, 1000); /* not listed: other */
    lume_metrics_sum(m, &t);
    assert_int_equal(t.requests[3][ok], 3);
    assert_int_equal(t.requests[2][other], 1);
    assert_int_equal(lume_metrics_status_code(ok), 200);
    assert_int_equal(lume_metrics_status_code(other), 0);
    assert_int_equal(lume_metrics_status_code(lume_metrics_status_index(503)), 503);
    assert_null(lume_metrics_slot_at(m, LUME_METRICS_SLOTS));
    assert_null(lume_metrics_slot_at(m, -1));
    assert_null(lume_metrics_slot_at(NULL, 0));
    lume_shared_destroy(sh);
}

static void test_latency_lands_in_the_first_bucket_at_or_above_it(void **state)
{
    lume_shared *sh;
    lume_metrics *m = region(&sh);
    lume_metrics_slot *s = lume_metrics_slot_at(m, 0);
    lume_metrics_totals t;

    (void)state;
    lume_metrics_request(s, 1, 200, 0);        /* <= 5 ms */
    lume_metrics_request(s, 1, 200, 5000);     /* exactly 5 ms: still the first */
    lume_metrics_request(s, 1, 200, 5001);     /* <= 10 ms */
    lume_metrics_request(s, 1, 200, 60000000); /* a minute: +Inf */
    lume_metrics_sum(m, &t);
    assert_int_equal(t.request_latency.buckets[0], 2);
    assert_int_equal(t.request_latency.buckets[1], 1);
    assert_int_equal(t.request_latency.buckets[LUME_METRICS_BUCKETS - 1], 1);
    assert_int_equal(t.request_latency.sum_us, 5000 + 5001 + 60000000);
    lume_shared_destroy(sh);
}

static void test_upstream_breaker_and_pool_events_count_by_cause(void **state)
{
    lume_shared *sh;
    lume_metrics *m = region(&sh);
    lume_metrics_slot *w = lume_metrics_slot_at(m, 0);
    lume_metrics_slot *master = lume_metrics_slot_at(m, LUME_METRICS_MASTER_SLOT);
    lume_metrics_totals t;

    (void)state;
    lume_metrics_upstream(w, LUME_UPSTREAM_OK, 20000, 0);
    lume_metrics_upstream(w, LUME_UPSTREAM_UNAVAILABLE, 300000, 2);
    lume_metrics_upstream(w, LUME_UPSTREAM_REJECTED, 0, 0);
    lume_metrics_breaker(w, LUME_BREAKER_TO_OPEN);
    lume_metrics_set_breaker_state(m, 1);
    lume_metrics_set_crash_brake(m, 1);
    lume_metrics_spawn(master, LUME_SPAWN_START);
    lume_metrics_spawn(master, LUME_SPAWN_START);
    lume_metrics_exit(master, LUME_EXIT_SIGNAL);
    lume_metrics_sum(m, &t);
    assert_int_equal(t.upstream[LUME_UPSTREAM_OK], 1);
    assert_int_equal(t.upstream[LUME_UPSTREAM_UNAVAILABLE], 1);
    assert_int_equal(t.upstream[LUME_UPSTREAM_REJECTED], 1);
    assert_int_equal(t.upstream_latency.sum_us, 320000); /* the rejected call has none */
    assert_int_equal(t.upstream_latency.buckets[2] + t.upstream_latency.buckets[6],
                     2); /* 25, 500 ms */
    assert_int_equal(t.upstream_retries, 2);
    assert_int_equal(t.breaker_moves[LUME_BREAKER_TO_OPEN], 1);
    assert_int_equal(t.breaker_state, 2); /* state + 1: open */
    assert_int_equal(t.crash_brake, 1);
    assert_int_equal(t.spawns[LUME_SPAWN_START], 2);
    assert_int_equal(t.exits[LUME_EXIT_SIGNAL], 1);
    lume_shared_destroy(sh);
}

static void test_writers_without_a_slot_do_nothing(void **state)
{
    lume_metrics_totals t;

    (void)state;
    lume_metrics_request(NULL, 1, 200, 1);
    lume_metrics_upstream(NULL, LUME_UPSTREAM_OK, 1, 1);
    lume_metrics_breaker(NULL, LUME_BREAKER_TO_OPEN);
    lume_metrics_spawn(NULL, LUME_SPAWN_START);
    lume_metrics_exit(NULL, LUME_EXIT_ERROR);
    lume_metrics_set_breaker_state(NULL, 1);
    lume_metrics_set_crash_brake(NULL, 1);
    lume_metrics_sum(NULL, &t);
    assert_int_equal(t.breaker_state, 0);
}

/* Two processes add to the same slot at once: no count is lost. */
static void test_counts_from_two_processes_at_once_all_arrive(void **state)
{
    enum { N = 20000 };
    lume_shared *sh;
    lume_metrics *m = region(&sh);
    lume_metrics_totals t;
    pid_t child;
    int status;

    (void)state;
    child = fork();
    assert_true(child >= 0);
    for (int i = 0; i < N; i++)
        lume_metrics_request(lume_metrics_slot_at(m, 0), 1, 200, 1);
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, &status, 0), child);
    lume_metrics_sum(m, &t);
    assert_int_equal(t.requests[1][lume_metrics_status_index(200)], 2 * N);
    assert_int_equal(t.request_latency.sum_us, 2 * N);
    lume_shared_destroy(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_new_region_sums_to_zero),
        cmocka_unit_test(test_requests_count_by_route_and_status_over_every_slot),
        cmocka_unit_test(test_latency_lands_in_the_first_bucket_at_or_above_it),
        cmocka_unit_test(test_upstream_breaker_and_pool_events_count_by_cause),
        cmocka_unit_test(test_writers_without_a_slot_do_nothing),
        cmocka_unit_test(test_counts_from_two_processes_at_once_all_arrive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
