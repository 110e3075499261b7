/*
 * signals.h: signal handling of the master and of workers.
 *
 * Handlers only record: the master's write the signal number to a
 * non-blocking self-pipe that its loop polls; a worker's set a flag. The
 * loops do the work (php-fpm's fpm_signals.c, nginx's process cycle).
 */
#ifndef LUME_SIGNALS_H
#define LUME_SIGNALS_H

#include <signal.h>

/* Master: route SIGTERM, SIGINT, SIGQUIT, SIGHUP and SIGCHLD to the pipe; ignore
 * SIGPIPE. Returns the read end (non-blocking), or -1. */
int lume_signals_master_init(void);

/* Master: the next recorded signal, or 0 when none is pending. */
int lume_signals_master_next(int fd);

/*
 * Forking a worker (php-fpm's fpm_children_make, nginx's spawn): the master's
 * signals are blocked around fork(), so one that arrives before the child has
 * dropped the master's handlers waits instead of running master_handler in
 * the child and writing to the pipe the master reads:
 *
 *     lume_signals_fork_block(&saved);
 *     pid = fork();
 *     child:  lume_signals_child_reset(&saved);
 *     parent: lume_signals_fork_unblock(&saved);   (also when fork failed)
 */
void lume_signals_fork_block(sigset_t *saved);
void lume_signals_fork_unblock(const sigset_t *saved);

/* Child after fork: close the pipe, restore default dispositions, then the
 * signal mask from before lume_signals_fork_block(). */
void lume_signals_child_reset(const sigset_t *saved);

/* Worker: SIGTERM, SIGINT and SIGQUIT ask it to stop; SIGHUP and SIGPIPE are
 * ignored. A fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) first
 * writes the log lines the worker holds (log.h), then meets the action it had
 * before (a core dump, a sanitizer's report). The stop signals are blocked, and *wait_mask is the
 * mask to pass to ppoll() so they are delivered only while the worker waits. */
void lume_signals_worker_init(sigset_t *wait_mask);

/* Worker: has a stop been asked for? True once a stop signal was delivered
 * or is pending (blocked while a request is served, or not delivered by a
 * ppoll() that found the socket ready). */
int lume_signals_worker_stopping(void);
/* Worker: has a stop signal been delivered (no system call: a pending one
 * is not seen)? */
int lume_signals_worker_stop_seen(void);

#endif
