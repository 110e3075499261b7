/* signals.c: self-pipe and flag signal handling (see signals.h). */
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const int master_signals[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD};

#define N_MASTER_SIGNALS (sizeof(master_signals) / sizeof(master_signals[0]))

static int pipe_fds[2] = {-1, -1};
static volatile sig_atomic_t worker_stop;

static void master_handler(int signo)
{
    int saved = errno;
    unsigned char c = (unsigned char)signo;

    if (write(pipe_fds[1], &c, 1) < 0) {
        /* pipe full: the loop is already awake and has signals to read */
    }
    errno = saved;
}

static void worker_handler(int signo)
{
    (void)signo;
    worker_stop = 1;
}

/* A worker's fatal signals: the log lines it holds are written, then the
 * action from before (the default: a core dump; a sanitizer's report) runs. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

#define N_FATAL_SIGNALS (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct sigaction fatal_before[N_FATAL_SIGNALS];

static void fatal_handler(int signo)
{
    lume_log_flush();
    for (size_t i = 0; i < N_FATAL_SIGNALS; i++) {
        if (fatal_signals[i] == signo)
            sigaction(signo, &fatal_before[i], NULL);
    }
    raise(signo); /* blocked here (SA_NODEFER off): delivered on return */
}

static void set_handler(int signo, void (*fn)(int), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigfillset(&sa.sa_mask);
    sigaction(signo, &sa, NULL);
}

int lume_signals_master_init(void)
{
    if (pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0)
        return -1;
    for (size_t i = 0; i < N_MASTER_SIGNALS; i++)
        set_handler(master_signals[i], master_handler, SA_RESTART);
    set_handler(SIGPIPE, SIG_IGN, 0);
    return pipe_fds[0];
}

int lume_signals_master_next(int fd)
{
    unsigned char c;

    return read(fd, &c, 1) == 1 ? c : 0;
}

void lume_signals_fork_block(sigset_t *saved)
{
    sigset_t block;

    sigemptyset(&block);
    for (size_t i = 0; i < N_MASTER_SIGNALS; i++)
        sigaddset(&block, master_signals[i]);
    sigprocmask(SIG_BLOCK, &block, saved);
}

void lume_signals_fork_unblock(const sigset_t *saved)
{
    sigprocmask(SIG_SETMASK, saved, NULL);
}

void lume_signals_child_reset(const sigset_t *saved)
{
    for (size_t i = 0; i < N_MASTER_SIGNALS; i++)
        set_handler(master_signals[i], SIG_DFL, 0);
    for (int i = 0; i < 2; i++) {
        if (pipe_fds[i] >= 0)
            close(pipe_fds[i]);
        pipe_fds[i] = -1;
    }
    /* Only now: a signal that came since the fork meets the default action. */
    sigprocmask(SIG_SETMASK, saved, NULL);
}

void lume_signals_worker_init(sigset_t *wait_mask)
{
    sigset_t stop;

    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGQUIT);
    sigprocmask(SIG_BLOCK, &stop, wait_mask); /* wait_mask: the mask before */
    sigdelset(wait_mask, SIGTERM);
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGQUIT);
    worker_stop = 0;
    set_handler(SIGTERM, worker_handler, 0);
    set_handler(SIGINT, worker_handler, 0);
    set_handler(SIGQUIT, worker_handler, 0);
    set_handler(SIGHUP, SIG_IGN, 0);
    set_handler(SIGPIPE, SIG_IGN, 0);
    for (size_t i = 0; i < N_FATAL_SIGNALS; i++) {
        struct sigaction sa, before;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = fatal_handler;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal_signals[i], &sa, &before);
        if (before.sa_handler != fatal_handler) /* set up twice: keep the first "before" */
            fatal_before[i] = before;
    }
}

/*
 * A stop signal pending while blocked counts too. ppoll() delivers one only
 * when it would sleep: when the socket is already readable it returns at once
 * and puts the mask back, and the signal stays pending. Under steady load the
 * socket is always readable, so without this look a worker never saw its
 * SIGTERM (a reload or a graceful stop waited for the load to end).
 */
int lume_signals_worker_stopping(void)
{
    sigset_t pending;

    if (worker_stop == 0 && sigpending(&pending) == 0 &&
        (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1 ||
         sigismember(&pending, SIGQUIT) == 1))
        worker_stop = 1;
    return worker_stop != 0;
}

/* What the handler saw: a stop delivered in a wait, without a system call. */
int lume_signals_worker_stop_seen(void)
{
    return worker_stop != 0;
}
