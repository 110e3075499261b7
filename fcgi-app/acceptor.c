/* acceptor.c: accepting, admitting and closing FastCGI connections (see acceptor.h). */
#include "acceptor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "allow.h"
#include "clock.h"
#include "fcgi_wire.h"
#include "keep.h"
#include "listen.h"
#include "log.h"
#include "signals.h"
#include "wait.h"

/* Why a connection was closed before it reached the app. */
typedef enum drop_reason {
    DROP_PEER = 0,  /* a TCP peer outside LUME_FCGI_ALLOWED_ADDRS */
    DROP_TIMEOUT,   /* the head did not arrive within LUME_FCGI_READ_TIMEOUT_MS */
    DROP_PARAMS,    /* params over LUME_FCGI_PARAMS_MAX */
    DROP_HEAD,      /* a head over LUME_FCGI_HEAD_MAX */
    DROP_MALFORMED, /* not FastCGI, or refused by libfcgi */
    DROP_CLOSED,    /* the peer closed or reset before its head was complete */
    DROP_STOPPING,  /* a stop signal came while the head was arriving */
    DROP_RESOURCES, /* out of descriptors or memory to hand it to libfcgi */
    DROP_COUNT
} drop_reason;

static const struct {
    const char *name;
    int level;
} reasons[DROP_COUNT] = {
    [DROP_PEER] = {"peer_not_allowed", LUME_LOG_WARN},
    [DROP_TIMEOUT] = {"read_timeout", LUME_LOG_WARN},
    [DROP_PARAMS] = {"params_too_large", LUME_LOG_WARN},
    [DROP_HEAD] = {"head_too_large", LUME_LOG_WARN},
    [DROP_MALFORMED] = {"malformed", LUME_LOG_WARN},
    [DROP_CLOSED] = {"closed_early", LUME_LOG_INFO},
    [DROP_STOPPING] = {"stopping", LUME_LOG_INFO},
    [DROP_RESOURCES] = {"no_resources", LUME_LOG_ERROR},
};

#define LOG_EVERY_MS  1000 /* one fcgi_dropped line a second per reason */
#define LIMIT_ACCEPT  DROP_COUNT
#define ACCEPT_PAUSE  100 /* ms without accepting when out of descriptors or memory */
#define COMPLETE_HEAD (-1)
/* A stop does not cut off a head that is just arriving: a peer connects and
 * then writes, so a connection accepted this recently (in ms) is read until
 * then before a stop drops it. One accepted earlier is stalled or trickling,
 * and a stop drops it at once. */
#define STOP_HEAD_GRACE 1000

typedef union peer_addr {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
} peer_addr;

/* A connection being admitted. */
typedef struct conn {
    int fd;
    peer_addr peer;
    socklen_t peer_len;
    int64_t accepted_us;
    lume_fcgi_head head;
    size_t received; /* bytes of the head seen so far */
} conn;

struct lume_acceptor {
    int listen_fd;
    long timeout_ms;
    lume_allow *allow;
    lume_keep *keep;
    int accepting; /* 0: a worker on its way out takes nothing new (lume_acceptor_leave) */
    FCGX_Request request;
    int fd;        /* the connection of the request in hand */
    int whole;     /* the request in hand arrived whole at the first look */
    int keep_conn; /* and its peer keeps the connection (FCGI_KEEP_CONN) */
    struct {
        int64_t last_ms;
        long suppressed;
    } limit[DROP_COUNT + 1];
    unsigned char buf[LUME_FCGI_HEAD_MAX]; /* the head; also bytes drained at the close */
};

/* Rate limit: may a line with this index be written now? */
static int may_log(lume_acceptor *a, int index, long *suppressed)
{
    int64_t now = lume_now_ms();

    if (now - a->limit[index].last_ms < LOG_EVERY_MS) {
        a->limit[index].suppressed++;
        return 0;
    }
    *suppressed = a->limit[index].suppressed;
    a->limit[index].last_ms = now;
    a->limit[index].suppressed = 0;
    return 1;
}

static void peer_text(const peer_addr *p, char *out, size_t len)
{
    const void *addr = NULL;

    if (p->sa.sa_family == AF_INET)
        addr = &p->in.sin_addr;
    else if (p->sa.sa_family == AF_INET6)
        addr = &p->in6.sin6_addr;
    if (addr == NULL || inet_ntop(p->sa.sa_family, addr, out, (socklen_t)len) == NULL)
        snprintf(out, len, "unix");
}

static void log_drop(lume_acceptor *a, const conn *c, drop_reason reason)
{
    /* A probe that connects and closes without a byte is no news. */
    int level = reason == DROP_CLOSED && c->received == 0 ? LUME_LOG_DEBUG : reasons[reason].level;
    char peer[INET6_ADDRSTRLEN];
    long suppressed;
    lume_logline l;
    peer_addr kept;
    socklen_t kept_len = sizeof(kept);

    if (!lume_log_enabled(level) || !may_log(a, reason, &suppressed))
        return;
    /* A kept connection's address was not stored: ask (for drops only). */
    if (c->peer.sa.sa_family == AF_UNSPEC && c->fd >= 0 &&
        getpeername(c->fd, &kept.sa, &kept_len) == 0)
        peer_text(&kept, peer, sizeof(peer));
    else
        peer_text(&c->peer, peer, sizeof(peer));
    if (!lume_logline_begin(&l, level))
        return;
    lume_logline_str(&l, "event", "fcgi_dropped");
    lume_logline_str(&l, "reason", reasons[reason].name);
    lume_logline_str(&l, "peer", peer);
    lume_logline_int(&l, "bytes", (long long)c->received);
    lume_logline_int(&l, "params", (long long)c->head.params);
    lume_logline_ms(&l, "waited_ms", lume_now_us() - c->accepted_us);
    if (suppressed > 0)
        lume_logline_int(&l, "suppressed", suppressed);
    lume_logline_write(&l);
}

static void drop(lume_acceptor *a, conn *c, drop_reason reason)
{
    log_drop(a, c, reason);
    if (c->fd >= 0) { /* -1: libfcgi closed it already */
        lume_keep_forget(a->keep, c->fd);
        close(c->fd);
    }
    c->fd = -1;
}

/* Read the head, and not a byte more, until it is complete: COMPLETE_HEAD,
 * or why not. */
static int read_head(lume_acceptor *a, conn *c, const sigset_t *wait_mask)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int64_t deadline_us = c->accepted_us + (int64_t)a->timeout_ms * 1000;

    for (;;) {
        lume_fcgi_head_state st = lume_fcgi_head_scan(&c->head, a->buf, c->received);
        struct timespec ts;
        int64_t left_us;
        ssize_t n;

        switch (st) {
        case LUME_FCGI_HEAD_MORE: break;
        case LUME_FCGI_HEAD_COMPLETE: return COMPLETE_HEAD;
        case LUME_FCGI_HEAD_PARAMS_TOO_LARGE: return DROP_PARAMS;
        case LUME_FCGI_HEAD_TOO_LARGE: return DROP_HEAD;
        case LUME_FCGI_HEAD_MALFORMED: return DROP_MALFORMED;
        }
        n = recv(c->fd, a->buf + c->received, lume_fcgi_head_need(&c->head) - c->received,
                 MSG_DONTWAIT);
        if (n > 0) {
            c->received += (size_t)n;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            return DROP_CLOSED; /* closed or reset with the head incomplete */
        if (lume_signals_worker_stopping()) {
            int64_t grace_us = c->accepted_us + (int64_t)STOP_HEAD_GRACE * 1000;

            if (grace_us < deadline_us)
                deadline_us = grace_us;
            if (deadline_us <= lume_now_us())
                return DROP_STOPPING;
        }
        left_us = deadline_us - lume_now_us();
        if (left_us <= 0)
            return DROP_TIMEOUT;
        ts.tv_sec = left_us / 1000000;
        ts.tv_nsec = (left_us % 1000000) * 1000;
        lume_wait_begin();              /* nothing kept waits on a trickle (wait.h) */
        ppoll(&pfd, 1, &ts, wait_mask); /* more bytes, a hang-up, a stop, or the deadline */
    }
}

/* The usual case, in one look: the whole head has already arrived (nginx
 * sends it in one write). Peek at what is there without taking it; when the
 * head is complete and within bounds, libfcgi can read it from the
 * connection itself without ever blocking (see hand_over_direct()).
 * COMPLETE_HEAD, a drop reason, or HEAD_INCOMPLETE (not complete yet: read
 * it the slow way, from the first byte again), HEAD_NOTHING or HEAD_CLOSED. */
#define HEAD_INCOMPLETE (-2)
#define HEAD_NOTHING    (-3) /* not a byte yet */
#define HEAD_CLOSED     (-4) /* the peer closed (or reset) before a byte */
/* A peer writes its request right after it connects (nginx in the same
 * turn of its event loop), so a connection accepted before its first byte
 * is given this long (in ms) for it, before the slow way, which gives up
 * the connections the worker keeps (wait.h): on a busy machine nginx's
 * write can come milliseconds after its connect, and giving up every kept
 * connection for each of those would close connections nginx is about to
 * reuse. A request sent on a kept connection meanwhile waits at most this. */
#define FIRST_BYTES_MS 100

static int peek_head(lume_acceptor *a, conn *c)
{
    ssize_t n = recv(c->fd, a->buf, sizeof(a->buf), MSG_PEEK | MSG_DONTWAIT);

    if (n < 0 && errno == EAGAIN)
        return HEAD_NOTHING;
    if (n <= 0)
        return HEAD_CLOSED;
    switch (lume_fcgi_head_scan(&c->head, a->buf, (size_t)n)) {
    case LUME_FCGI_HEAD_MORE: break;
    case LUME_FCGI_HEAD_COMPLETE:
        c->received = c->head.end;
        a->whole = lume_fcgi_head_whole_request(&c->head, a->buf, (size_t)n);
        return COMPLETE_HEAD;
    case LUME_FCGI_HEAD_PARAMS_TOO_LARGE: c->received = (size_t)n; return DROP_PARAMS;
    case LUME_FCGI_HEAD_TOO_LARGE: c->received = (size_t)n; return DROP_HEAD;
    case LUME_FCGI_HEAD_MALFORMED: c->received = (size_t)n; return DROP_MALFORMED;
    }
    lume_fcgi_head_init(&c->head);
    return HEAD_INCOMPLETE;
}

/* Give libfcgi the connection itself, its head unread but all there, so
 * FCGX_Accept_r() reads it without blocking (and whatever followed it into
 * its own buffer, as it always does). A refused head: libfcgi has closed
 * the connection. */
static int hand_over_direct(lume_acceptor *a, conn *c)
{
    FCGX_Request *r = &a->request;

    r->ipcFd = c->fd;
    r->keepConnection = 1;
    r->detached = 1;
    if (FCGX_Accept_r(r) != 0) {
        r->ipcFd = -1;
        r->detached = 0;
        lume_keep_forget(a->keep, c->fd); /* libfcgi closed it */
        c->fd = -1;
        return DROP_MALFORMED;
    }
    return COMPLETE_HEAD;
}

/* After a head read the slow way: when exactly the empty FCGI_STDIN record
 * follows it (a request without a body, all there), take it, so that
 * nothing of this request is left unread: the request is whole. libfcgi
 * would only read it if the app read its stdin. */
static int take_stdin_end(conn *c)
{
    unsigned char rec[16];
    ssize_t n = recv(c->fd, rec, sizeof(rec), MSG_PEEK | MSG_DONTWAIT);

    if (n <= 0 || !lume_fcgi_head_stdin_end(&c->head, rec, (size_t)n))
        return 0;
    return recv(c->fd, rec, (size_t)n, MSG_DONTWAIT) == n;
}

/* Give the head to libfcgi: FCGX_Accept_r() reads it from the connection
 * in the FCGX_Request (fcgiapp.h: ipcFd >= 0 is "a connection is open", so
 * it does not accept; listen_sock is -1, so it could not). The head was
 * read from the peer already, so libfcgi reads it from a socket pair that
 * holds just those bytes; then the request is switched to the peer's
 * connection, which goes on exactly where the head ended (stdin, if anyone
 * reads it) and takes the response. keepConnection keeps the FCGX_Finish_r()
 * that FCGX_Accept_r() starts with from closing the descriptor; detached
 * makes it close one whose head it refuses without its unbounded drain. */
static int hand_over(lume_acceptor *a, conn *c)
{
    FCGX_Request *r = &a->request;
    int pair[2], rc;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
        return DROP_RESOURCES;
    if (write(pair[1], a->buf, c->head.end) != (ssize_t)c->head.end) {
        close(pair[0]);
        close(pair[1]);
        return DROP_RESOURCES;
    }
    r->ipcFd = pair[0];
    r->keepConnection = 1;
    r->detached = 1;
    rc = FCGX_Accept_r(r);
    close(pair[1]); /* answers libfcgi wrote to management records end here */
    if (rc != 0) {
        /* libfcgi refused the head (an unknown role, a record out of
         * place) and closed its end of the pair. */
        r->ipcFd = -1;
        r->detached = 0;
        return DROP_MALFORMED;
    }
    close(pair[0]);
    r->ipcFd = c->fd;
    return COMPLETE_HEAD;
}

static lume_accept_result accept_failed(lume_acceptor *a, const sigset_t *wait_mask)
{
    int err = errno;
    long suppressed;

    switch (err) {
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM: {
        /* Out of descriptors or memory: the connection waits in the backlog
         * while this worker pauses (nginx disables accepting for a while). */
        struct timespec pause = {0, ACCEPT_PAUSE * 1000000L};
        if (may_log(a, LIMIT_ACCEPT, &suppressed))
            lume_log(LUME_LOG_WARN, "accept_paused", "accept: %s; pausing %d ms (%ld more)",
                     strerror(err), ACCEPT_PAUSE, suppressed);
        lume_wait_begin(); /* the idle kept connections are closed too */
        ppoll(NULL, 0, &pause, wait_mask);
        return LUME_ACCEPT_NONE;
    }
    case EINVAL:
        /* A TCP listener the master stopped (listen.h): a stop began. */
        if (lume_listen_stopped(a->listen_fd))
            return LUME_ACCEPT_STOP;
        errno = err;
        return LUME_ACCEPT_FAIL;
    case EAGAIN: return LUME_ACCEPT_AGAIN;
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case EPERM:
    /* accept(2): network errors of the new connection, passed on as is */
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH: return LUME_ACCEPT_NONE;
    default: errno = err; return LUME_ACCEPT_FAIL;
    }
}

/* Admit the connection in c (its head not read yet) and hand it to libfcgi.
 * kept: a kept connection that epoll found readable. */
static lume_accept_result admit(lume_acceptor *a, conn *c, int kept, const sigset_t *wait_mask,
                                FCGX_Request **request)
{
    int why;

    c->received = 0;
    a->whole = 0;
    lume_fcgi_head_init(&c->head);
    why = peek_head(a, c);
    if (kept && why == HEAD_CLOSED) {
        /* nginx closed it (its keepalive_timeout, or its cache was full):
         * no news. */
        lume_keep_forget(a->keep, c->fd);
        close(c->fd);
        return LUME_ACCEPT_NONE;
    }
    if (kept && why == HEAD_NOTHING) { /* nothing after all: idle again */
        lume_keep_put(a->keep, c->fd, lume_now_ms());
        return LUME_ACCEPT_NONE;
    }
    if (why == HEAD_NOTHING) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        long ms = FIRST_BYTES_MS < a->timeout_ms ? FIRST_BYTES_MS : a->timeout_ms;
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

        lume_log_flush();               /* held lines never wait (log.h) */
        ppoll(&pfd, 1, &ts, wait_mask); /* the first bytes, a hang-up, a stop, or the grace */
        why = peek_head(a, c);
    }
    if (why == COMPLETE_HEAD) {
        why = hand_over_direct(a, c);
    } else if (why == HEAD_INCOMPLETE || why == HEAD_NOTHING || why == HEAD_CLOSED) {
        why = read_head(a, c, wait_mask); /* it says which, for a closed one */
        if (why == COMPLETE_HEAD)
            why = hand_over(a, c);
        if (why == COMPLETE_HEAD)
            a->whole = take_stdin_end(c);
    }
    if (why != COMPLETE_HEAD) {
        drop(a, c, (drop_reason)why);
        return why == DROP_STOPPING ? LUME_ACCEPT_STOP : LUME_ACCEPT_NONE;
    }
    /* No receive timeout is set: nothing reads the connection after the
     * head (the app never reads its stdin; should it ever, it must bound the
     * read, as read_head() does). */
    a->fd = c->fd;
    a->keep_conn = c->head.keep_conn;
    *request = &a->request;
    return LUME_ACCEPT_READY;
}

/* A new connection from the listener: LUME_ACCEPT_AGAIN when there is none. */
static lume_accept_result accept_one(lume_acceptor *a, const sigset_t *wait_mask,
                                     FCGX_Request **request)
{
    int one = 1;
    conn c;

    c.peer_len = sizeof(c.peer);
    c.fd = accept4(a->listen_fd, &c.peer.sa, &c.peer_len, SOCK_CLOEXEC);
    if (c.fd < 0)
        return accept_failed(a, wait_mask);
    c.accepted_us = lume_now_us();
    if (c.peer.sa.sa_family != AF_UNIX) {
        if (!lume_allow_match(a->allow, &c.peer.sa, c.peer_len)) {
            c.received = 0;
            lume_fcgi_head_init(&c.head);
            drop(a, &c, DROP_PEER);
            return LUME_ACCEPT_NONE;
        }
        /* The response leaves in a few small writes: no Nagle delay. */
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return admit(a, &c, 0, wait_mask, request);
}

/* A kept connection is readable: its next request, or the peer's close. */
static lume_accept_result next_on_kept(lume_acceptor *a, int fd, const sigset_t *wait_mask,
                                       FCGX_Request **request)
{
    conn c;

    c.fd = fd;
    c.peer.sa.sa_family = AF_UNSPEC; /* asked only if it is dropped */
    c.peer_len = 0;
    c.accepted_us = lume_now_us(); /* the head's deadline counts from its first byte */
    return admit(a, &c, 1, wait_mask, request);
}

lume_accept_result lume_acceptor_next(lume_acceptor *a, const sigset_t *wait_mask,
                                      FCGX_Request **request)
{
    int looked = 0;

    for (;;) {
        int fd = lume_keep_next(a->keep);
        lume_accept_result rc;

        if (fd < 0) {
            /* The last wait's ready ones are served: look once more
             * without waiting (under load something is ready). */
            if (looked)
                return LUME_ACCEPT_AGAIN;
            looked = 1;
            if (lume_keep_wait(a->keep, 0, wait_mask) < 0 && errno != EINTR)
                return LUME_ACCEPT_FAIL;
            continue;
        }
        if (fd != a->listen_fd)
            return next_on_kept(a, fd, wait_mask, request);
        if (!a->accepting)
            continue;
        rc = accept_one(a, wait_mask, request);
        if (rc != LUME_ACCEPT_AGAIN)
            return rc;
    }
}

int lume_acceptor_wait(lume_acceptor *a, int timeout_ms, const sigset_t *wait_mask)
{
    int rc;

    lume_log_flush(); /* an idle wait: the kept connections are what it waits on */
    rc = lume_keep_wait(a->keep, timeout_ms, wait_mask);
    if (rc == 0)
        lume_keep_expire(a->keep, lume_now_ms(), LUME_KEEP_IDLE_MS);
    return rc;
}

void lume_acceptor_leave(lume_acceptor *a, int accept_queued)
{
    lume_keep_stop(a->keep);
    a->accepting = accept_queued;
}

int lume_acceptor_linger(lume_acceptor *a, const sigset_t *wait_mask)
{
    a->accepting = 0;
    lume_keep_ignore_listener(a->keep);
    lume_keep_expire(a->keep, lume_now_ms(), LUME_KEEP_LEAVE_MS);
    if (lume_keep_count(a->keep) == 0)
        return 0;
    lume_log_flush();
    lume_keep_wait(a->keep, LUME_KEEP_LEAVE_MS / 4, wait_mask);
    return 1;
}

/* Close after the response: stop sending, then read what the peer still
 * sends until it closes too, so that unread bytes do not turn the close into
 * a reset that could cost the peer the response. Bounded in time, and by a
 * stop signal. A request that arrived whole (lume_fcgi_head_whole_request())
 * has nothing more to come: when one look finds nothing unread either (or
 * the peer's close), the connection is closed at once, with no shutdown and
 * no wait for the peer's close. */
static void linger_close(lume_acceptor *a, int fd, const sigset_t *wait_mask)
{
    int64_t deadline_ms = lume_now_ms() + a->timeout_ms;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};

    if (a->whole) {
        ssize_t n = recv(fd, a->buf, sizeof(a->buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno == EAGAIN)) {
            close(fd);
            return;
        }
    }
    if (shutdown(fd, SHUT_WR) == 0) {
        for (;;) {
            ssize_t n = recv(fd, a->buf, sizeof(a->buf), MSG_DONTWAIT);
            int64_t left_ms = deadline_ms - lume_now_ms();

            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                break;
            if (left_ms <= 0)
                break;
            if (n < 0) {
                /* A stop pending is delivered by ppoll(): only then ask. */
                struct timespec ts = {left_ms / 1000, (left_ms % 1000) * 1000000L};
                int rc;

                lume_wait_begin();
                rc = ppoll(&pfd, 1, &ts, wait_mask);
                if (rc == 0 || (rc < 0 && lume_signals_worker_stopping()))
                    break;
            }
        }
    }
    close(fd);
}

void lume_acceptor_finish(lume_acceptor *a, const sigset_t *wait_mask)
{
    FCGX_Request *r = &a->request;

    /* libfcgi flushes the response and ends the request, and leaves the
     * connection to us (or, after a write error, closes it without its
     * drain). A request that arrived whole from a peer that keeps the
     * connection leaves nothing unread: the connection is kept, idle, for
     * the peer's next request; any other is closed. */
    r->keepConnection = 1;
    r->detached = 1;
    FCGX_Finish_r(r);
    if (r->ipcFd < 0) {
        lume_keep_forget(a->keep, a->fd);
    } else if (!(a->whole && a->keep_conn) ||
               lume_keep_put(a->keep, r->ipcFd, lume_now_ms()) != 0) {
        lume_keep_forget(a->keep, r->ipcFd);
        linger_close(a, r->ipcFd, wait_mask);
    }
    r->ipcFd = -1;
    r->detached = 0;
    a->fd = -1;
}

/* The wait hook (wait.h): the worker is about to block in a request, so
 * nothing it keeps idle may wait for it. */
static void release_kept(void *arg)
{
    lume_acceptor *a = arg;

    lume_keep_release(a->keep);
}

lume_acceptor *lume_acceptor_create(const lume_config *cfg, int listen_fd, char *err, size_t errlen)
{
    lume_acceptor *a = calloc(1, sizeof(*a));

    if (a == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->listen_fd = listen_fd;
    a->timeout_ms = cfg->fcgi_read_timeout_ms;
    a->accepting = 1;
    a->fd = -1;
    for (int i = 0; i <= DROP_COUNT; i++)
        a->limit[i].last_ms = INT64_MIN / 2;
    a->request.ipcFd = -1;
    a->allow = lume_allow_create(cfg->fcgi_allowed_addrs, err, errlen);
    a->keep = a->allow != NULL ? lume_keep_create(listen_fd, (int)cfg->fcgi_keep_conns) : NULL;
    if (a->keep == NULL || FCGX_Init() != 0 || FCGX_InitRequest(&a->request, -1, 0) != 0) {
        if (a->allow != NULL || err[0] == '\0')
            snprintf(err, errlen, "cannot set up the FastCGI acceptor");
        lume_acceptor_destroy(a);
        return NULL;
    }
    lume_wait_set_hook(release_kept, a);
    return a;
}

void lume_acceptor_destroy(lume_acceptor *a)
{
    if (a == NULL)
        return;
    lume_wait_set_hook(NULL, NULL);
    FCGX_Free(&a->request, 1);
    lume_keep_destroy(a->keep);
    lume_allow_destroy(a->allow);
    free(a);
}
