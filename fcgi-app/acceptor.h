/*
 * acceptor.h: a worker's side of the FastCGI socket, between the listening
 * socket and libfcgi. Nothing reaches the app, and libfcgi reads nothing from
 * a peer, until its connection has passed these steps:
 *
 *   1. accept(2) is done here, not in libfcgi: a TCP peer outside
 *      LUME_FCGI_ALLOWED_ADDRS is closed at once, before a byte is read.
 *      (libfcgi's own filter, FCGI_WEB_SERVER_ADDRS, knows single IPv4
 *      addresses only, lets every IPv6 peer through and logs nothing.)
 *   2. The request head (fcgi_head.h) is read here, never a byte past it,
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
 * After the response, lume_acceptor_finish() closes the connection itself:
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

/* Accept one connection, if one is waiting, and admit it. wait_mask is the
 * signal mask while waiting (signals.h). The log lines the worker holds
 * (log.h) are written before any wait for a peer. */
lume_accept_result lume_acceptor_next(lume_acceptor *a, const sigset_t *wait_mask,
                                      FCGX_Request **request);

/* After a READY: finish the request (flush the response) and close. */
void lume_acceptor_finish(lume_acceptor *a, const sigset_t *wait_mask);

void lume_acceptor_destroy(lume_acceptor *a);

#endif
