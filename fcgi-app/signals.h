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

/* Child after fork: close the pipe, restore default dispositions. */
void lume_signals_child_reset(void);

/* Worker: SIGTERM, SIGINT and SIGQUIT ask it to stop; SIGHUP and SIGPIPE are
 * ignored. The stop signals are blocked, and *wait_mask is the mask to pass
 * to ppoll() so they are delivered only while the worker waits. */
void lume_signals_worker_init(sigset_t *wait_mask);

/* Worker: has a stop been asked for? True once a stop signal was delivered
 * or is pending (blocked while a request is served, or not delivered by a
 * ppoll() that found the socket ready). */
int lume_signals_worker_stopping(void);

#endif
