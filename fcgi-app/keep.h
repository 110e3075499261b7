/*
 * keep.h: the FastCGI connections a worker keeps between requests, and the
 * one place an idle worker waits: its listening socket and those
 * connections, in one epoll set.
 *
 * nginx with fastcgi_keep_conn on and an upstream keepalive pool sends
 * request after request on one connection (FCGI_KEEP_CONN), one at a time.
 * A worker keeps such a connection after the answer, idle, and serves
 * whichever of its connections and the listener is ready next (a kept
 * connection is served, the listener is accepted from). The bounds:
 *
 *   - At most max connections per worker, the one in hand included. One
 *     more (a new connection accepted at the bound) closes the least
 *     recently used idle one first, as nginx's own keepalive cache does.
 *   - Nothing kept waits on a wait: before the worker blocks in a request
 *     (a provider's network call or delay, a trickling head, a linger),
 *     lume_keep_release() closes every idle connection (wait.h). nginx
 *     takes a closed idle connection out of its cache, and a request it sent
 *     on one just then fails before any answer and is sent again on another
 *     connection (nginx gives a cached connection's failure a free retry), to
 *     a worker that is free. A worker that blocked keeps no connection for
 *     a second after (acceptor.c: its answers end with the closing mark,
 *     and nginx closes them too).
 *   - A connection idle for LUME_KEEP_IDLE_MS is closed
 *     (lume_keep_expire()); nginx closes its own after its keepalive_timeout,
 *     which is shorter.
 *
 * max 0 keeps nothing: only the listener is waited on, as before keep-alive.
 */
#ifndef LUME_KEEP_H
#define LUME_KEEP_H

#include <signal.h>
#include <stdint.h>

#define LUME_KEEP_IDLE_MS  120000 /* twice nginx's upstream keepalive_timeout (60 s) */
#define LUME_KEEP_LEAVE_MS 100    /* a worker on its way out closes what is this cold */

typedef struct lume_keep lume_keep;

/* The set of a worker on listen_fd; NULL (errno set) when out of resources. */
lume_keep *lume_keep_create(int listen_fd, int max);

/* Close every kept connection (not the one in hand). */
void lume_keep_destroy(lume_keep *k);

/* Wait until the listener or a kept connection is readable, at most
 * timeout_ms (0: just look) with mask as the signal mask: the ready ones
 * are then handed out by lume_keep_next(). The count, 0, or -1 (errno). */
int lume_keep_wait(lume_keep *k, int timeout_ms, const sigset_t *mask);

/* The next descriptor of the last wait that is ready: the listener, or a
 * kept connection, which is now in hand (never released); -1 when none is
 * left. */
int lume_keep_next(lume_keep *k);

/* After the answer on fd (the one in hand, or a new connection): keep it
 * idle. -1 when it cannot be kept (max 0, or out of resources): the caller
 * closes it. */
int lume_keep_put(lume_keep *k, int fd, int64_t now_ms);

/* The connection in hand is not kept (the caller closes it, or did). */
void lume_keep_forget(lume_keep *k, int fd);

/* Keep nothing more from now on (a worker on its way out). */
void lume_keep_stop(lume_keep *k);

/* Wait on the kept connections only, no longer on the listener. */
void lume_keep_ignore_listener(lume_keep *k);

/* Close every idle connection; the count. */
int lume_keep_release(lume_keep *k);

/* Close the connections idle since before now_ms - idle_ms; the count. */
int lume_keep_expire(lume_keep *k, int64_t now_ms, int64_t idle_ms);

/* Connections kept, the one in hand included. */
int lume_keep_count(const lume_keep *k);

#endif
