/*
 * test_scoreboard.c: the workers' lines in shared memory (scoreboard.h).
 *
 *   - a worker's line shows its pid, state and requests served, and while it
 *     serves, the request's route, id and start; a reaped worker's line is free;
 *   - the count by state covers every slot;
 *   - a request id longer than the line holds is cut, never overflows; a
 *     request with no id (or no route) yet shows an empty one;
 *   - a reader never sees the route of one request with the id of another,
 *     however fast the worker writes (the seqlock), across processes.
 */
#include "lib/unit.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "clock.h"
#include "pool.h"
#include "scoreboard.h"

static void test_a_line_follows_its_worker(void **state)
{
    lume_shared *sh = lume_shared_create();
    lume_scoreboard *b = lume_scoreboard_of(sh);
    lume_scoreboard_line l;

    (void)state;
    assert_non_null(b);
    assert_int_equal(lume_scoreboard_read(b, 3, &l), 0); /* nobody there yet */
    assert_int_equal(l.state, LUME_WORKER_FREE);

    lume_scoreboard_start(b, 3, 4242);
    assert_int_equal(lume_scoreboard_read(b, 3, &l), 1);
    assert_int_equal(l.pid, 4242);
    assert_int_equal(l.state, LUME_WORKER_IDLE);
    assert_int_equal(l.served, 0);
    assert_int_equal(l.request_start_ms, 0);

    lume_scoreboard_set_state(b, 3, LUME_WORKER_READING);
    lume_scoreboard_read(b, 3, &l);
    assert_string_equal(lume_worker_state_name(l.state), "reading");

    lume_scoreboard_begin(b, 3, "resolve", "abc-123", 1700000000000);
    lume_scoreboard_read(b, 3, &l);
    assert_int_equal(l.state, LUME_WORKER_BUSY);
    assert_string_equal(l.route, "resolve");
    assert_string_equal(l.request_id, "abc-123");
    assert_int_equal(l.request_start_ms, 1700000000000);

    lume_scoreboard_end(b, 3);
    lume_scoreboard_read(b, 3, &l);
    assert_int_equal(l.state, LUME_WORKER_IDLE);
    assert_int_equal(l.served, 1);

    lume_scoreboard_clear(b, 3); /* the master reaped it */
    assert_int_equal(lume_scoreboard_read(b, 3, &l), 0);
    lume_shared_destroy(sh);
}

static void test_workers_count_by_state(void **state)
{
    lume_shared *sh = lume_shared_create();
    lume_scoreboard *b = lume_scoreboard_of(sh);
    uint64_t counts[LUME_WORKER_STATES];

    (void)state;
    lume_scoreboard_start(b, 0, 10);
    lume_scoreboard_start(b, 1, 11);
    lume_scoreboard_start(b, LUME_POOL_SLOTS - 1, 12);
    lume_scoreboard_begin(b, 1, "health", "x", 1);
    lume_scoreboard_count(b, counts);
    assert_int_equal(counts[LUME_WORKER_IDLE], 2);
    assert_int_equal(counts[LUME_WORKER_BUSY], 1);
    assert_int_equal(counts[LUME_WORKER_READING], 0);
    assert_int_equal(counts[LUME_WORKER_FREE], LUME_POOL_SLOTS - 3);
    lume_scoreboard_start(b, LUME_POOL_SLOTS, 13); /* out of range: ignored */
    lume_scoreboard_count(NULL, counts);           /* no board: nothing anywhere */
    assert_int_equal(counts[LUME_WORKER_IDLE], 0);
    lume_shared_destroy(sh);
}

static void test_a_long_request_id_is_cut_to_the_line(void **state)
{
    lume_shared *sh = lume_shared_create();
    lume_scoreboard *b = lume_scoreboard_of(sh);
    lume_scoreboard_line l;
    char id[200];

    (void)state;
    memset(id, 'x', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    lume_scoreboard_start(b, 0, 1);
    lume_scoreboard_begin(b, 0, "a-route-name-longer-than-its-32-bytes", id, 1);
    lume_scoreboard_read(b, 0, &l);
    assert_int_equal(strlen(l.request_id), LUME_SCOREBOARD_ID_LEN - 1);
    assert_int_equal(strlen(l.route), LUME_SCOREBOARD_ROUTE_LEN - 1);
    lume_shared_destroy(sh);
}

static void test_a_request_with_no_id_shows_an_empty_one(void **state)
{
    lume_shared *sh = lume_shared_create();
    lume_scoreboard *b = lume_scoreboard_of(sh);
    lume_scoreboard_line l;

    (void)state;
    lume_scoreboard_start(b, 0, 1);
    lume_scoreboard_begin(b, 0, "resolve", "an-earlier-id", 1);
    lume_scoreboard_begin(b, 0, NULL, NULL, 2);
    lume_scoreboard_read(b, 0, &l);
    assert_string_equal(l.request_id, "");
    assert_string_equal(l.route, "");
    assert_int_equal(l.request_start_ms, 2);
    lume_shared_destroy(sh);
}

/* A child process writes two requests in turn as fast as it can: route
 * "aaaa..." with id "AAAA..." and route "bbbb..." with id "BBBB...". The
 * reader checks that every line it reads is one or the other, whole. */
static void test_a_reader_never_sees_a_torn_request_line(void **state)
{
    enum { READS = 200000 };
    lume_shared *sh = lume_shared_create();
    lume_scoreboard *b = lume_scoreboard_of(sh);
    char route[2][LUME_SCOREBOARD_ROUTE_LEN], id[2][LUME_SCOREBOARD_ID_LEN];
    lume_scoreboard_line l;
    int seen[2] = {0, 0}, status;
    pid_t writer;

    (void)state;
    for (int k = 0; k < 2; k++) {
        memset(route[k], 'a' + k, sizeof(route[k]) - 1);
        route[k][sizeof(route[k]) - 1] = '\0';
        memset(id[k], 'A' + k, sizeof(id[k]) - 1);
        id[k][sizeof(id[k]) - 1] = '\0';
    }
    lume_scoreboard_start(b, 0, 1);
    lume_scoreboard_begin(b, 0, route[0], id[0], 1);
    writer = fork();
    assert_true(writer >= 0);
    if (writer == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
        for (uint64_t n = 1;; n++) {      /* until the test kills it */
            lume_scoreboard_begin(b, 0, route[n & 1], id[n & 1], (int64_t)(n & 1) + 1);
            for (volatile int pause = 0; pause < (int)(n % 64) * 64; pause++)
                ; /* uneven gaps: the reader lands in both requests' */
        }
    }
    /* Wait (up to 10 s) until the writer runs, so the reads race with it. */
    for (int i = 0; i < 10000 && (lume_scoreboard_read(b, 0, &l), l.request_start_ms != 2); i++)
        usleep(1000);
    /* READS reads at least, and on until both requests were seen 100 times
     * (a busy machine may leave the writer off the CPU a while): 10 s at most. */
    int64_t until = lume_now_ms() + 10000;
    for (int i = 0; i < READS || ((seen[0] < 100 || seen[1] < 100) && lume_now_ms() < until); i++) {
        lume_scoreboard_read(b, 0, &l);
        if (l.route[0] == '\0') /* gave up after too many races: shown without its request */
            continue;
        int k = l.route[0] - 'a';
        assert_true(k == 0 || k == 1);
        assert_string_equal(l.route, route[k]);
        assert_string_equal(l.request_id, id[k]);
        assert_int_equal(l.request_start_ms, k + 1);
        seen[k]++;
    }
    kill(writer, SIGKILL);
    waitpid(writer, &status, 0);
    assert_true(seen[0] >= 100 && seen[1] >= 100); /* it did change under the reader */
    lume_shared_destroy(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_line_follows_its_worker),
        cmocka_unit_test(test_workers_count_by_state),
        cmocka_unit_test(test_a_long_request_id_is_cut_to_the_line),
        cmocka_unit_test(test_a_request_with_no_id_shows_an_empty_one),
        cmocka_unit_test(test_a_reader_never_sees_a_torn_request_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
