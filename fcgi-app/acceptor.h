/*
 * acceptor.h: a worker's side of the FastCGI socket: connections, request
 * heads, and the response's records (fcgi_wire.h; libfcgi is not used).
 * Nothing reaches the app until its connection has passed these steps:
 *
 *   1. accept(2): a TCP peer outside LUME_FCGI_ALLOWED_ADDRS is closed at
 *      once, before a byte is read (IPv4 and IPv6 ranges, logged; libfcgi's
 *      FCGI_WEB_SERVER_ADDRS knew single IPv4 addresses only).
 *   2. The request head (fcgi_wire.h) must be complete within
 *      LUME_FCGI_READ_TIMEOUT_MS of the accept, however it trickles in.
 *      Usually it is all there at the first look, one read (nginx writes
 *      the head and the empty stdin record of a request without a body at
 *      once); otherwise the rest is read as it trickles in, never a byte
 *      past the head. The wait is a ppoll() with the stop signals open, so
 *      a graceful stop ends it at once. Params over 64 KiB, a head too large
 *      or not FastCGI, a stall or a hang-up: the connection is closed.
 *   3. The head's params become the request's (lume_acceptor_param()): a
 *      role other than FCGI_RESPONDER, or pairs whose lengths run past
 *      their records, close the connection instead. The response is
 *      written as FCGI_STDOUT records (lume_acceptor_write()), held in one
 *      buffer and sent when it is full and at the end
 *      (lume_acceptor_finish(): the end records go with the last bytes, so
 *      a small response is one write). A body (FCGI_STDIN) is never read:
 *      the app does not read one. Management records (FCGI_GET_VALUES) are
 *      stepped over, not answered: a web server that sends them gets no
 *      values and uses its own defaults.
 *
 * Kept connections (keep.h): a request that arrived whole from a peer that
 * keeps its connection (nginx's fastcgi_keep_conn, FCGI_KEEP_CONN) leaves
 * its connection kept after the answer, idle, waited on with the listener
 * (lume_acceptor_wait()), at most LUME_FCGI_KEEP_CONNS of them; the next
 * request on one goes through step 2 and 3 as on a new connection (its
 * deadline from its first byte). A response whose write failed loses its
 * connection: it is closed, not kept. Before the worker blocks in a request (a
 * provider's call, a trickling head, a linger) its idle kept connections are
 * closed (wait.h), so that no request nginx sends on one waits behind it;
 * and for a second after a request that blocked, the worker keeps no
 * connection: each answer ends with the closing mark
 * (lume_fcgi_out_end_closing()), then its connection is closed.
 *
 * After the response to any other request, lume_acceptor_finish() closes the connection itself:
 * shutdown, then read and discard what the peer still sends until it closes,
 * for at most LUME_FCGI_READ_TIMEOUT_MS or until a stop signal (never
 * unbounded, as libfcgi's drain was). A request that arrived whole at the
 * first look (no body, nothing after it) is closed at once instead, when
 * nothing is left unread: nothing more is due from the peer. Every connection closed early is
 * logged as "fcgi_dropped" with its reason, at most one line a second per reason and worker (the
 * rest are counted in the next line's "suppressed").
 */
#ifndef LUME_ACCEPTOR_H
#define LUME_ACCEPTOR_H

#include <signal.h>
#include <stddef.h>

#include "config.h"

typedef struct lume_acceptor lume_acceptor;

/* What lume_acceptor_next() found. */
typedef enum lume_accept_result {
    LUME_ACCEPT_READY = 0, /* a request is in hand (lume_acceptor_param(), _write(), _finish()) */
    LUME_ACCEPT_NONE,      /* nothing to serve: dropped, or another worker was faster */
    LUME_ACCEPT_AGAIN,     /* no connection waiting: wait until the socket is readable */
    LUME_ACCEPT_STOP,      /* a stop signal came while a head was arriving */
    LUME_ACCEPT_FAIL       /* the listening socket failed; errno says why */
} lume_accept_result;

/* For a worker of cfg on listen_fd (non-blocking). NULL with a message in
 * err when out of resources. */
lume_acceptor *lume_acceptor_create(const lume_config *cfg, int listen_fd, char *err,
                                    size_t errlen);

/* The next request: on a kept connection that is ready, or on a new
 * connection accepted and admitted. AGAIN when neither is waiting. wait_mask
 * is the signal mask while waiting (signals.h). The log lines the worker
 * holds (log.h) are written, and its idle kept connections closed, before
 * any wait for a peer (wait.h). */
lume_accept_result lume_acceptor_next(lume_acceptor *a, const sigset_t *wait_mask);

/* The request in hand's param called name (NUL-terminated), or NULL. Valid
 * until lume_acceptor_finish(). */
const char *lume_acceptor_param(const lume_acceptor *a, const char *name);

/* The request in hand's connection (to look for a hang-up; never read or
 * written by the caller). */
int lume_acceptor_conn(const lume_acceptor *a);

/* Write data[0..len) of the request in hand's response (its CGI head, then
 * its body), in order; sent once the buffer is full or at the finish. */
void lume_acceptor_write(lume_acceptor *a, const void *data, size_t len);

/* After a READY: end the request (send the rest of the response and its
 * end records), then keep the connection or close it. */
void lume_acceptor_finish(lume_acceptor *a, const sigset_t *wait_mask);

/* Nothing ready: wait until the listener or a kept connection is, at most
 * timeout_ms, with wait_mask. Closes the connections idle too long
 * (LUME_KEEP_IDLE_MS). As epoll_pwait(): a count, 0, or -1 (errno). The
 * log's held lines are written first, or, when the worker falls idle
 * holding some (it was busy), after LUME_LOG_IDLE_HOLD_MS without a
 * request (log.h). */
int lume_acceptor_wait(lume_acceptor *a, int timeout_ms, const sigset_t *wait_mask);

/* Whether the worker waited for the request in hand holding no line: an
 * idle wait past LUME_LOG_IDLE_HOLD_MS, or the first bytes of a new
 * connection. Then its line leaves before its answer; otherwise (a request
 * found ready, or within the hold) it joins the lines held. */
int lume_acceptor_quiet(const lume_acceptor *a);

/* The worker is on its way out: keep nothing from now on (each connection
 * is closed after its answer, the idle ones when the acceptor is
 * destroyed); take new connections from the listener only when
 * accept_queued (a stop's drain). Requests already sent on a kept
 * connection are still served. */
void lume_acceptor_leave(lume_acceptor *a, int accept_queued);

/* On the way out, nothing left to serve: stop taking from the listener,
 * close the kept connections idle for LUME_KEEP_LEAVE_MS (nginx, which
 * reuses its most recently used connections first, no longer sends there),
 * and wait a moment for requests on the others. 0 once nothing is kept (the
 * worker can leave). */
int lume_acceptor_linger(lume_acceptor *a, const sigset_t *wait_mask);

void lume_acceptor_destroy(lume_acceptor *a);

#endif
