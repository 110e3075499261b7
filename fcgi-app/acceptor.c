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
    DROP_MALFORMED, /* not FastCGI, not a responder's, or params that run past their records */
    DROP_CLOSED,    /* the peer closed or reset before its head was complete */
    DROP_STOPPING,  /* a stop signal came while the head was arriving */
    DROP_RESOURCES, /* out of descriptors or memory */
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
/* A response up to this (records included) leaves in one write; a longer
 * one in writes of this. */
#define OUT_BUF (16 * 1024)
/* A stop does not cut off a head that is just arriving: a peer connects and
 * then writes, so a connection accepted this recently (in ms) is read until
 * then before a stop drops it. One accepted earlier is stalled or trickling,
 * and a stop drops it at once. */
#define STOP_HEAD_GRACE 1000
/* A worker that blocked this recently (ms) keeps no connection: see
 * release_kept(). */
#define NO_KEEP_AFTER_BLOCK_MS 1000

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
    int accepting;      /* 0: a worker on its way out takes nothing new (lume_acceptor_leave) */
    int fd;             /* the connection of the request in hand */
    int whole;          /* the request in hand arrived whole, nothing more to come */
    int keep_conn;      /* and its peer keeps the connection (FCGI_KEEP_CONN) */
    int broken;         /* a write of its response failed: the connection is lost */
    int quiet;          /* it waited for the request in hand, no line held: quiet() */
    int blocked;        /* the request in hand waited (its provider: wait.h) */
    int64_t blocked_ms; /* when the last one that waited was answered: NO_KEEP_AFTER_BLOCK_MS */
    size_t strings;     /* the bytes of its params as strings, at params */
    lume_fcgi_out out;  /* its response, into out_buf */
    struct {
        int64_t last_ms;
        long suppressed;
    } limit[DROP_COUNT + 1];
    unsigned char buf[LUME_FCGI_HEAD_MAX];      /* the head; also bytes drained at the close */
    unsigned char params[LUME_FCGI_PARAMS_MAX]; /* the request's params, as strings */
    unsigned char out_buf[OUT_BUF];             /* its response's records, to send */
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
    if (c->fd >= 0) {
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
        a->quiet = 1;                   /* and no line: the request's leaves before its answer */
        ppoll(&pfd, 1, &ts, wait_mask); /* more bytes, a hang-up, a stop, or the deadline */
    }
}

/* The usual case, in one look: the whole head has already arrived (nginx
 * sends it in one write, with the empty FCGI_STDIN record of a request
 * without a body). Take what is there: COMPLETE_HEAD, a drop reason, or
 * HEAD_INCOMPLETE (not complete yet: read_head() goes on from what was
 * taken), HEAD_NOTHING or HEAD_CLOSED. */
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

static int first_look(lume_acceptor *a, conn *c)
{
    ssize_t n = recv(c->fd, a->buf, sizeof(a->buf), MSG_DONTWAIT);

    if (n < 0 && errno == EAGAIN)
        return HEAD_NOTHING;
    if (n <= 0)
        return HEAD_CLOSED;
    c->received = (size_t)n;
    switch (lume_fcgi_head_scan(&c->head, a->buf, (size_t)n)) {
    case LUME_FCGI_HEAD_MORE: return HEAD_INCOMPLETE;
    case LUME_FCGI_HEAD_COMPLETE:
        a->whole = lume_fcgi_head_whole_request(&c->head, a->buf, (size_t)n);
        return COMPLETE_HEAD;
    case LUME_FCGI_HEAD_PARAMS_TOO_LARGE: return DROP_PARAMS;
    case LUME_FCGI_HEAD_TOO_LARGE: return DROP_HEAD;
    case LUME_FCGI_HEAD_MALFORMED: return DROP_MALFORMED;
    }
    return DROP_MALFORMED;
}

/* After a head read the slow way (read_head() stops where it ends): when
 * exactly the empty FCGI_STDIN record follows it (a request without a body,
 * all there), take it, so that nothing of this request is left unread: the
 * request is whole. */
static int take_stdin_end(conn *c)
{
    unsigned char rec[16];
    ssize_t n = recv(c->fd, rec, sizeof(rec), MSG_PEEK | MSG_DONTWAIT);

    if (n <= 0 || !lume_fcgi_head_stdin_end(&c->head, rec, (size_t)n))
        return 0;
    return recv(c->fd, rec, (size_t)n, MSG_DONTWAIT) == n;
}

/* The head is complete in a->buf: the request in hand is its params, as
 * strings, and a response to write. Lume answers as a responder, the one
 * role a web server asks for; another role, or params whose pairs run past
 * their records, is refused. */
static int take_request(lume_acceptor *a, conn *c)
{
    size_t n;

    if (c->head.role != FCGI_RESPONDER)
        return DROP_MALFORMED;
    n = lume_fcgi_params_gather(a->buf, c->head.end, c->head.request_id, a->params,
                                sizeof(a->params));
    a->strings = lume_fcgi_params_strings(a->params, n);
    if (a->strings == LUME_FCGI_PARAMS_BAD)
        return DROP_MALFORMED;
    lume_fcgi_out_init(&a->out, a->out_buf, sizeof(a->out_buf), c->head.request_id);
    a->broken = 0;
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

/* Admit the connection in c (its head not read yet) and take its request.
 * kept: a kept connection that epoll found readable. */
static lume_accept_result admit(lume_acceptor *a, conn *c, int kept, const sigset_t *wait_mask)
{
    int why;

    c->received = 0;
    a->whole = 0;
    lume_fcgi_head_init(&c->head);
    why = first_look(a, c);
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
        a->quiet = 1;                   /* so the request's line leaves before its answer */
        ppoll(&pfd, 1, &ts, wait_mask); /* the first bytes, a hang-up, a stop, or the grace */
        why = first_look(a, c);
    }
    if (why == HEAD_INCOMPLETE || why == HEAD_NOTHING || why == HEAD_CLOSED) {
        why = read_head(a, c, wait_mask); /* it says which, for a closed one */
        if (why == COMPLETE_HEAD)
            a->whole = c->received > c->head.end
                           ? lume_fcgi_head_whole_request(&c->head, a->buf, c->received)
                           : take_stdin_end(c);
    }
    if (why == COMPLETE_HEAD)
        why = take_request(a, c);
    if (why != COMPLETE_HEAD) {
        drop(a, c, (drop_reason)why);
        return why == DROP_STOPPING ? LUME_ACCEPT_STOP : LUME_ACCEPT_NONE;
    }
    /* No receive timeout is set: nothing reads the connection after the
     * head (the app never reads its stdin; should it ever, it must bound the
     * read, as read_head() does). */
    a->fd = c->fd;
    a->keep_conn = c->head.keep_conn;
    return LUME_ACCEPT_READY;
}

/* A new connection from the listener: LUME_ACCEPT_AGAIN when there is none. */
static lume_accept_result accept_one(lume_acceptor *a, const sigset_t *wait_mask)
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
    return admit(a, &c, 0, wait_mask);
}

/* A kept connection is readable: its next request, or the peer's close. */
static lume_accept_result next_on_kept(lume_acceptor *a, int fd, const sigset_t *wait_mask)
{
    conn c;

    c.fd = fd;
    c.peer.sa.sa_family = AF_UNSPEC; /* asked only if it is dropped */
    c.peer_len = 0;
    c.accepted_us = lume_now_us(); /* the head's deadline counts from its first byte */
    return admit(a, &c, 1, wait_mask);
}

int lume_acceptor_quiet(const lume_acceptor *a)
{
    return a->quiet;
}

lume_accept_result lume_acceptor_next(lume_acceptor *a, const sigset_t *wait_mask)
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
            return next_on_kept(a, fd, wait_mask);
        if (!a->accepting)
            continue;
        rc = accept_one(a, wait_mask);
        if (rc != LUME_ACCEPT_AGAIN)
            return rc;
    }
}

int lume_acceptor_wait(lume_acceptor *a, int timeout_ms, const sigset_t *wait_mask)
{
    int rc;

    /* Lines held when the worker falls idle: it served requests one after
     * another a moment ago (a quiet worker writes each line before its
     * answer: lume_acceptor_quiet()), and its next request is likely to come
     * within LUME_LOG_IDLE_HOLD_MS. They wait that long for it, to leave
     * with the next lines in one write; only then are they written, before
     * the longer wait. */
    if (lume_log_holding() && timeout_ms > LUME_LOG_IDLE_HOLD_MS) {
        rc = lume_keep_wait(a->keep, LUME_LOG_IDLE_HOLD_MS, wait_mask);
        if (rc != 0)
            return rc; /* still busy: not quiet */
    }
    a->quiet = 1;
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

const char *lume_acceptor_param(const lume_acceptor *a, const char *name)
{
    return lume_fcgi_strings_find((const char *)a->params, a->strings, name);
}

int lume_acceptor_conn(const lume_acceptor *a)
{
    return a->fd;
}

/* Send what the response holds so far, all of it (the connection blocks:
 * nginx reads its upstream as the answer comes). A failed write loses the
 * connection: nothing more is sent on it. */
static void send_out(lume_acceptor *a)
{
    const unsigned char *p = a->out_buf;
    size_t left = a->out.len;

    while (left > 0 && !a->broken) {
        ssize_t n = send(a->fd, p, left, MSG_NOSIGNAL);

        if (n > 0) {
            p += n;
            left -= (size_t)n;
        } else if (n < 0 && errno != EINTR) {
            a->broken = 1;
        }
    }
    lume_fcgi_out_sent(&a->out);
}

void lume_acceptor_write(lume_acceptor *a, const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0 && !a->broken) {
        size_t taken = lume_fcgi_out_put(&a->out, p, len);

        p += taken;
        len -= taken;
        if (len > 0)
            send_out(a); /* the buffer is full */
    }
}

void lume_acceptor_finish(lume_acceptor *a, const sigset_t *wait_mask)
{
    /* The response's end leaves with its last bytes. A request that
     * arrived whole from a peer that keeps the connection leaves nothing
     * unread: the connection is kept, idle, for the peer's next request;
     * any other is closed, and one whose response could not be written at
     * once, and any while its worker blocks now and then (its answer ends
     * with the closing mark: release_kept() below). */
    int64_t now_ms = lume_now_ms();
    int closing, fd;
    int (*end)(lume_fcgi_out *);

    if (a->blocked)
        a->blocked_ms = now_ms;
    a->blocked = 0;
    a->quiet = 0; /* until the worker waits again */
    closing = now_ms - a->blocked_ms < NO_KEEP_AFTER_BLOCK_MS;
    end = closing && a->keep_conn ? lume_fcgi_out_end_closing : lume_fcgi_out_end;

    if (!a->broken && !end(&a->out)) {
        send_out(a);
        end(&a->out);
    }
    send_out(a);
    fd = a->fd;
    a->fd = -1; /* no request in hand: a linger's wait is not the request's */
    if (a->broken) {
        lume_keep_forget(a->keep, fd);
        close(fd);
    } else if (!(a->whole && a->keep_conn) || closing || lume_keep_put(a->keep, fd, now_ms) != 0) {
        lume_keep_forget(a->keep, fd);
        linger_close(a, fd, wait_mask);
    }
}

/* The wait hook (wait.h): the worker is about to block in a request, so
 * nothing it keeps idle may wait for it; and for NO_KEEP_AFTER_BLOCK_MS it
 * keeps no connection after its answer, this one included. A worker that
 * blocks (a provider's network call) will likely block again: nginx, which
 * reuses its most recently used connection first, would send its next
 * request to a connection this worker keeps just as it takes another from
 * the listener and blocks, closing the idle one under it (a reset, a retry,
 * an error line in nginx's log: at the archive's bench, a quarter of the
 * requests; 9% when half of them were fast answers kept between the slow
 * ones). So the answers end with the closing mark
 * (lume_fcgi_out_end_closing(): nginx does not keep the connection) and
 * the worker closes them (1.6% of requests still met a close when only the
 * close said so: nginx had reused the connection before it saw it). A
 * worker that has not blocked for that long keeps its connections again. */
static void release_kept(void *arg)
{
    lume_acceptor *a = arg;

    if (a->fd >= 0) /* a request's wait (its provider), not a trickling head's */
        a->blocked = 1;
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
    a->quiet = 1; /* a new worker holds no line */
    a->fd = -1;
    a->blocked_ms = INT64_MIN / 2; /* never */
    for (int i = 0; i <= DROP_COUNT; i++)
        a->limit[i].last_ms = INT64_MIN / 2;
    a->allow = lume_allow_create(cfg->fcgi_allowed_addrs, err, errlen);
    a->keep = a->allow != NULL ? lume_keep_create(listen_fd, (int)cfg->fcgi_keep_conns) : NULL;
    if (a->keep == NULL) {
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
    lume_keep_destroy(a->keep);
    lume_allow_destroy(a->allow);
    free(a);
}
