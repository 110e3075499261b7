/*
 * wait.h: what a process does before it blocks.
 *
 * Whoever is about to wait on something that may take long (the network, a
 * provider's delay, a peer that trickles or has yet to close) calls
 * lume_wait_begin() first. It writes the log lines the process holds (log.h:
 * a held line never waits on a wait), then runs the one hook the process set:
 * a worker gives back the idle FastCGI connections it keeps (keep.h), so
 * that no request nginx sends on one of them waits behind this wait.
 *
 * A process's idle wait for work (a worker's poll of its listener and kept
 * connections) is no such wait: it calls lume_log_flush() only.
 */
#ifndef LUME_WAIT_H
#define LUME_WAIT_H

/* Run fn(arg) in every lume_wait_begin() from now on; fn NULL: none. */
void lume_wait_set_hook(void (*fn)(void *arg), void *arg);

/* About to block: write the held log lines, then run the hook. */
void lume_wait_begin(void);

/* This thread is a helper of the process's main thread (a provider's thread,
 * provider_set.c): lume_wait_begin() does nothing in it (the main thread
 * calls it before it waits for the helpers), and its log lines are written
 * at once, never held (log.h). */
void lume_wait_helper_thread(void);

#endif
