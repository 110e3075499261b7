/*
 * test_signals.c: signals of the master and of its workers (signals.h).
 *
 * Around fork: the master's handlers write the signal number to a self-pipe
 * that its loop reads. A child inherits both the handlers and the pipe, so a
 * signal that reaches a freshly forked worker before it has reset them would
 * be written to the master's pipe: the master would act on a signal it never
 * got (a reload, a stop), or twice on one sent to the whole process group
 * (and a second SIGTERM means "kill the workers now"). So the master blocks
 * its signals around fork(); in the child a signal that came in that window
 * waits until lume_signals_child_reset() has restored the default actions.
 * The window is made deterministic here: the child sends itself the signal
 * right after fork(), before anything else.
 *
 * In a worker: a stop is seen whether its handler ran or the signal is still
 * pending: blocked while a request is served, or left pending by a ppoll()
 * that found the socket ready at once, as it always is under load. SIGHUP
 * does not stop a worker. A worker that crashes still writes the log lines it
 * held, then dies of the same signal. (The master's tests run first: the worker's set-up
 * replaces the master's handlers.)
 */
#include "lib/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "signals.h"

static int pipe_fd = -1;

static int setup(void **state)
{
    (void)state;
    pipe_fd = lume_signals_master_init();
    return pipe_fd >= 0 ? 0 : -1;
}

/* Everything recorded in the master's pipe so far; does it hold signo? */
static int pipe_holds(int signo)
{
    int found = 0, s;

    while ((s = lume_signals_master_next(pipe_fd)) != 0)
        found |= s == signo;
    return found;
}

static int child_status(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    return status;
}

/* Fork as the master does; the child signals itself at once. */
static int fork_and_signal_in_the_window(int signo)
{
    sigset_t saved;
    pid_t pid;

    lume_signals_fork_block(&saved);
    pid = fork();
    if (pid == 0) {
        kill(getpid(), signo); /* the window: before the child has reset anything */
        lume_signals_child_reset(&saved);
        _exit(0); /* not reached: the default action ends the child */
    }
    lume_signals_fork_unblock(&saved);
    assert_true(pid > 0);
    return child_status(pid);
}

static void test_a_sighup_in_the_fork_window_never_reaches_the_masters_pipe(void **state)
{
    int status;

    (void)state;
    pipe_holds(0); /* drain */
    status = fork_and_signal_in_the_window(SIGHUP);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGHUP);
    assert_false(pipe_holds(SIGHUP));
}

static void test_a_sigterm_in_the_fork_window_never_reaches_the_masters_pipe(void **state)
{
    int status;

    (void)state;
    pipe_holds(0);
    status = fork_and_signal_in_the_window(SIGTERM);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_false(pipe_holds(SIGTERM));
}

static void test_without_the_block_the_child_would_write_to_the_masters_pipe(void **state)
{
    pid_t pid;
    int status;

    (void)state;
    pipe_holds(0);
    pid = fork(); /* the hazard the block prevents */
    if (pid == 0) {
        kill(getpid(), SIGHUP); /* runs the master's handler, here in the child */
        _exit(0);
    }
    assert_true(pid > 0);
    status = child_status(pid);
    assert_true(WIFEXITED(status));
    assert_true(pipe_holds(SIGHUP));
}

static void test_the_master_signals_are_blocked_only_around_the_fork(void **state)
{
    sigset_t before, during, after, saved;
    const int sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD};

    (void)state;
    sigprocmask(SIG_BLOCK, NULL, &before);
    lume_signals_fork_block(&saved);
    sigprocmask(SIG_BLOCK, NULL, &during);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        assert_true(sigismember(&during, sigs[i]));
    lume_signals_fork_unblock(&saved);
    sigprocmask(SIG_BLOCK, NULL, &after);
    for (int s = 1; s < NSIG; s++)
        if (sigismember(&before, s) != sigismember(&after, s))
            fail_msg("signal %d: blocked before %d, after %d", s, sigismember(&before, s),
                     sigismember(&after, s));
}

/* In the child after the reset: default actions, the mask from before the
 * fork, no pipe. Reported as an exit status (no cmocka in the child). */
static void test_the_child_starts_with_default_actions_and_the_mask_from_before(void **state)
{
    sigset_t saved, mask;
    pid_t pid;
    int status;

    (void)state;
    lume_signals_fork_block(&saved);
    pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        int sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD};

        lume_signals_child_reset(&saved);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
            sigaction(sigs[i], NULL, &sa);
            if (sa.sa_handler != SIG_DFL)
                _exit(10 + (int)i);
        }
        sigprocmask(SIG_BLOCK, NULL, &mask);
        for (int s = 1; s < NSIG; s++)
            if (sigismember(&mask, s) != sigismember(&saved, s))
                _exit(20);
        if (fcntl(pipe_fd, F_GETFD) != -1)
            _exit(30);
        _exit(0);
    }
    lume_signals_fork_unblock(&saved);
    assert_true(pid > 0);
    status = child_status(pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

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

static void test_a_crashing_worker_writes_the_lines_it_held_then_dies_of_the_signal(void **state)
{
    FILE *out = tmpfile();
    char text[512] = "";
    int status = 0;
    pid_t pid;

    (void)state;
    assert_non_null(out);
    pid = fork();
    if (pid == 0) {
        struct rlimit none = {0, 0};
        sigset_t wait_mask;

        setrlimit(RLIMIT_CORE, &none); /* no core file from the test */
        dup2(fileno(out), STDERR_FILENO);
        lume_signals_worker_init(&wait_mask);
        lume_log_batch_on();
        lume_log(LUME_LOG_INFO, "request", "held when the worker crashed");
        abort();
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_true(pread(fileno(out), text, sizeof(text) - 1, 0) > 0);
    assert_non_null(strstr(text, "held when the worker crashed"));
    fclose(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_sighup_in_the_fork_window_never_reaches_the_masters_pipe),
        cmocka_unit_test(test_a_sigterm_in_the_fork_window_never_reaches_the_masters_pipe),
        cmocka_unit_test(test_without_the_block_the_child_would_write_to_the_masters_pipe),
        cmocka_unit_test(test_the_master_signals_are_blocked_only_around_the_fork),
        cmocka_unit_test(test_the_child_starts_with_default_actions_and_the_mask_from_before),
        cmocka_unit_test_teardown(test_no_stop_without_a_signal, drain),
        cmocka_unit_test_teardown(test_a_stop_while_serving_is_seen_before_the_next_wait, drain),
        cmocka_unit_test_teardown(test_a_stop_is_seen_when_the_socket_is_always_ready, drain),
        cmocka_unit_test_teardown(test_a_stop_delivered_while_waiting_is_seen, drain),
        cmocka_unit_test_teardown(test_sighup_does_not_stop_a_worker, drain),
        cmocka_unit_test(test_a_crashing_worker_writes_the_lines_it_held_then_dies_of_the_signal),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
