/*
 * acceptor.h: a worker's side of the FastCGI socket, between the listening
 * socket and libfcgi. Nothing reaches the app, and libfcgi reads nothing from
 * a peer, until its connection has passed these steps:
 *
 *   1. accept(2) is done here, not in libfcgi: a TCP peer outside
 *      LUME_FCGI_ALLOWED_ADDRS is closed at once, before a byte is read.
 *      (libfcgi's own filter, FCGI_WEB_SERVER_ADDRS, knows single IPv4
 *      addresses only, lets every IPv6 peer through and logs nothing.)
 *   2. The request head (fcgi_wire.h) is read here, never a byte past it,
 *      and must be complete within LUME_FCGI_READ_TIMEOUT_MS of the accept,
 *      however it trickles in. The wait is a ppoll() with the stop signals
 *      open, so a graceful stop ends it at once. Params over 64 KiB, a head
 *      too large or not FastCGI, a stall or a hang-up: the connection is
 *      closed, and libfcgi never allocated a byte for it.
 *   3. libfcgi's FCGX_Accept_r() parses the head, never blocking on it.
 *      Usually the whole head is there at the first look (MSG_PEEK: nginx
 *      writes it at once), and libfcgi reads it from the connection itself.
 *      Otherwise the head is read here as it trickles in, and libfcgi parses
 *      it from a socket pair holding just those bytes; then the request is
 *      switched to the peer's connection, which goes on where the head ended.
 *
 * Kept connections (keep.h): a request that arrived whole from a peer that
 * keeps its connection (nginx's fastcgi_keep_conn, FCGI_KEEP_CONN) leaves
 * its connection kept after the answer, idle, waited on with the listener
 * (lume_acceptor_wait()), at most LUME_FCGI_KEEP_CONNS of them; the next
 * request on one goes through step 2 and 3 as on a new connection (its
 * deadline from its first byte). Before the worker blocks in a request (a
 * provider's call, a trickling head, a linger) its idle kept connections are
 * closed (wait.h), so that no request nginx sends on one waits behind it.
 *
 * After the response to any other request, lume_acceptor_finish() closes the connection itself:
 * shutdown, then read and discard what the peer still sends until it closes,
 * for at most LUME_FCGI_READ_TIMEOUT_MS or until a stop signal (libfcgi's
 * own close drains without a bound). A request that arrived whole at the
 * first look (no body, nothing after it) is closed at once instead, when
 * nothing is left unread: nothing more is due from the peer. Every connection closed early is
 * logged as "fcgi_dropped" with its reason, at most one line a second per reason and worker (the
 * rest are counted in the next line's "suppressed").
 */
#ifndef LUME_ACCEPTOR_H
#define LUME_ACCEPTOR_H

#include <fcgiapp.h>
#include <signal.h>
#include <stddef.h>

#include "config.h"

typedef struct lume_acceptor lume_acceptor;

/* What lume_acceptor_next() found. */
typedef enum lume_accept_result {
    LUME_ACCEPT_READY = 0, /* a request is ready in *request */
    LUME_ACCEPT_NONE,      /* nothing to serve: dropped, or another worker was faster */
    LUME_ACCEPT_AGAIN,     /* no connection waiting: wait until the socket is readable */
    LUME_ACCEPT_STOP,      /* a stop signal came while a head was arriving */
    LUME_ACCEPT_FAIL       /* the listening socket failed; errno says why */
} lume_accept_result;

/* For a worker of cfg on listen_fd (non-blocking). Calls FCGX_Init(). NULL
 * with a message in err when out of resources. */
lume_acceptor *lume_acceptor_create(const lume_config *cfg, int listen_fd, char *err,
                                    size_t errlen);

/* The next request: on a kept connection that is ready, or on a new
 * connection accepted and admitted. AGAIN when neither is waiting. wait_mask
 * is the signal mask while waiting (signals.h). The log lines the worker
 * holds (log.h) are written, and its idle kept connections closed, before
 * any wait for a peer (wait.h). */
lume_accept_result lume_acceptor_next(lume_acceptor *a, const sigset_t *wait_mask,
                                      FCGX_Request **request);

/* After a READY: finish the request (flush the response), then keep the
 * connection or close it. */
void lume_acceptor_finish(lume_acceptor *a, const sigset_t *wait_mask);

/* Nothing ready: wait until the listener or a kept connection is, at most
 * timeout_ms, with wait_mask. Closes the connections idle too long
 * (LUME_KEEP_IDLE_MS). As epoll_pwait(): a count, 0, or -1 (errno). */
int lume_acceptor_wait(lume_acceptor *a, int timeout_ms, const sigset_t *wait_mask);

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
