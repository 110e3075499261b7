/*
 * test_signals.c: the master's signals around fork (signals.h).
 *
 * The master's handlers write the signal number to a self-pipe that its
 * loop reads. A child inherits both the handlers and the pipe, so a signal
 * that reaches a freshly forked worker before it has reset them would be
 * written to the master's pipe: the master would act on a signal it never
 * got (a reload, a stop), or twice on one sent to the whole process group
 * (and a second SIGTERM means "kill the workers now"). So the master blocks
 * its signals around fork(); in the child a signal that came in that window
 * waits until lume_signals_child_reset() has restored the default actions.
 *
 * The window is made deterministic here: the child sends itself the signal
 * right after fork(), before anything else.
 */
#include "lib/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_sighup_in_the_fork_window_never_reaches_the_masters_pipe),
        cmocka_unit_test(test_a_sigterm_in_the_fork_window_never_reaches_the_masters_pipe),
        cmocka_unit_test(test_without_the_block_the_child_would_write_to_the_masters_pipe),
        cmocka_unit_test(test_the_master_signals_are_blocked_only_around_the_fork),
        cmocka_unit_test(test_the_child_starts_with_default_actions_and_the_mask_from_before),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
