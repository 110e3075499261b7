/*
 * test_signals.c: a worker's stop signals (signals.h). A stop is seen whether
 * its handler ran or the signal is still pending: blocked while a request is
 * served, or left pending by a ppoll() that found the socket ready at once,
 * as it always is under load. SIGHUP does not stop a worker.
 */
#include "lib/unit.h"

#include <poll.h>
#include <signal.h>
#include <time.h>

#include "signals.h"

/* Take back any stop signal left pending, so each test starts clean. */
static int drain(void **state)
{
    sigset_t stop;
    struct timespec zero = {0, 0};

    (void)state;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGQUIT);
    while (sigtimedwait(&stop, NULL, &zero) > 0)
        ;
    return 0;
}

static void test_no_stop_without_a_signal(void **state)
{
    sigset_t wait_mask;

    (void)state;
    lume_signals_worker_init(&wait_mask);
    assert_false(lume_signals_worker_stopping());
}

static void test_a_stop_while_serving_is_seen_before_the_next_wait(void **state)
{
    static const int stops[] = {SIGTERM, SIGINT, SIGQUIT};
    sigset_t wait_mask;

    (void)state;
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
        lume_signals_worker_init(&wait_mask);
        raise(stops[i]); /* blocked outside ppoll(): pending, the handler has not run */
        assert_true(lume_signals_worker_stopping());
        drain(NULL);
    }
}

static void test_a_stop_is_seen_when_the_socket_is_always_ready(void **state)
{
    sigset_t wait_mask;
    struct timespec tick = {1, 0};
    struct pollfd pfd;
    int fds[2];

    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "x", 1), 1); /* readable, like a listener under load */
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    lume_signals_worker_init(&wait_mask);
    raise(SIGTERM);
    /* ppoll() finds the fd ready, returns without delivering the signal */
    assert_int_equal(ppoll(&pfd, 1, &tick, &wait_mask), 1);
    assert_true(lume_signals_worker_stopping());
    close(fds[0]);
    close(fds[1]);
}

static void test_a_stop_delivered_while_waiting_is_seen(void **state)
{
    sigset_t wait_mask;
    struct timespec tick = {1, 0};
    struct pollfd pfd;
    int fds[2];

    (void)state;
    assert_int_equal(pipe(fds), 0); /* empty: ppoll() would sleep */
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    lume_signals_worker_init(&wait_mask);
    raise(SIGTERM);
    assert_int_equal(ppoll(&pfd, 1, &tick, &wait_mask), -1); /* EINTR: the handler ran */
    assert_true(lume_signals_worker_stopping());
    close(fds[0]);
    close(fds[1]);
}

static void test_sighup_does_not_stop_a_worker(void **state)
{
    sigset_t wait_mask;

    (void)state;
    lume_signals_worker_init(&wait_mask);
    raise(SIGHUP); /* ignored: the process goes on */
    assert_false(lume_signals_worker_stopping());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_no_stop_without_a_signal, drain),
        cmocka_unit_test_teardown(test_a_stop_while_serving_is_seen_before_the_next_wait, drain),
        cmocka_unit_test_teardown(test_a_stop_is_seen_when_the_socket_is_always_ready, drain),
        cmocka_unit_test_teardown(test_a_stop_delivered_while_waiting_is_seen, drain),
        cmocka_unit_test_teardown(test_sighup_does_not_stop_a_worker, drain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
