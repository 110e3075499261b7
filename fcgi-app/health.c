/*
 * health.c: the health responder's loop (see health.h). A connection goes
 * through three phases, each a non-blocking step taken when poll() says the
 * socket is ready: read the request head (until lume_fcgi_head_scan() says it
 * is complete), write the answer (its records from lume_fcgi_response(),
 * fcgi_wire.h), then shut the write side and discard what the peer still
 * sends until it closes, so that a TCP peer never gets a reset before it has
 * read the answer. All within LUME_HEALTH_DEADLINE_MS of the accept.
 */
#include "health.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "allow.h"
#include "api.h"
#include "clock.h"
#include "fcgi_wire.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "random.h"
#include "respond.h"
#include "router.h"
#include "signals.h"
#include "worker.h"

#define HEAD_BUF  8192 /* a health check's head is far smaller */
#define OUT_BUF   2048
#define VALUE_LEN 256

typedef enum phase { FREE = 0, READING, WRITING, DRAINING } phase;

typedef struct conn {
    phase phase;
    int fd;
    int64_t deadline_ms;
    int64_t accepted_us;
    lume_fcgi_head head;
    size_t in_len, out_len, out_off;
    unsigned char in[HEAD_BUF];
    unsigned char out[OUT_BUF];
} conn;

typedef struct responder {
    const lume_config *cfg;
    int listen_fd;
    lume_allow *allow;
    lume_scoreboard *board;
    lume_metrics_slot *counts; /* the master's slot: atomic adds, like its own */
    const char *provider;      /* the reported name, for a 503 */
    uint64_t rng;
    conn conns[LUME_HEALTH_CONNS];
} responder;

/* The params the answer needs, as the head gives them. */
typedef struct params {
    char method[VALUE_LEN], uri[VALUE_LEN], request_id[VALUE_LEN], client_id[VALUE_LEN];
    int has_method, has_uri, has_request_id, has_client_id;
} params;

int lume_health_ok(lume_scoreboard *b, int64_t now_ms, int64_t stuck_ms)
{
    lume_scoreboard_line l;

    for (int i = 0; i < LUME_POOL_SLOTS; i++) {
        if (!lume_scoreboard_read(b, i, &l))
            continue;
        if (l.state != LUME_WORKER_BUSY || l.request_start_ms == 0 ||
            now_ms - l.request_start_ms <= stuck_ms)
            return 1;
    }
    return 0;
}

static void close_conn(conn *c)
{
    close(c->fd);
    c->fd = -1;
    c->phase = FREE;
}

/* The params of the head's request that the answer needs. */
static void read_params(const conn *c, params *p)
{
    unsigned char all[HEAD_BUF];
    size_t n = lume_fcgi_params_gather(c->in, c->head.end, c->head.request_id, all, sizeof(all));

    p->has_method = lume_fcgi_params_find(all, n, "REQUEST_METHOD", p->method, VALUE_LEN);
    p->has_uri = lume_fcgi_params_find(all, n, "REQUEST_URI", p->uri, VALUE_LEN);
    p->has_request_id = lume_fcgi_params_find(all, n, "REQUEST_ID", p->request_id, VALUE_LEN);
    p->has_client_id = lume_fcgi_params_find(all, n, "HTTP_X_REQUEST_ID", p->client_id, VALUE_LEN);
}

/* What the request gets; its route in *route_id. */
static void answer(responder *r, const lume_request *req, lume_response *resp,
                   lume_route_id *route_id)
{
    lume_route route;
    lume_status st = lume_route_match(req->method, req->uri, &route);

    *route_id = route.id;
    if (lume_respond_start(resp, req, &route, st, r->provider))
        return;
    if (route.id != LUME_ROUTE_HEALTH) {
        lume_error_ctx ctx = {.message = "only /health is answered on this socket"};
        lume_respond_error(resp, req, LUME_ERR_NOT_FOUND, &ctx, NULL, r->provider);
        return;
    }
    if (!lume_health_ok(r->board, lume_wall_ms(),
                        r->cfg->request_timeout_ms + LUME_HEALTH_STUCK_MS)) {
        lume_error_ctx ctx = {.message = "no worker can take a request"};
        lume_respond_error(resp, req, LUME_ERR_OVERLOADED, &ctx,
                           json_pack("{s:s}", "status", "unhealthy"), r->provider);
        return;
    }
    lume_respond_json(resp, json_pack("{s:s}", "status", "healthy"), LUME_ERROR_CACHE_CONTROL);
}

/* The head is complete: put the whole answer in c->out. */
static void respond(responder *r, conn *c)
{
    char request_id[LUME_REQUEST_ID_BUF], head[LUME_RESPONSE_HEAD_BUF];
    lume_request req = {.waited_ms = -1}; /* no queue: it is answered at once */
    lume_response resp;
    lume_route_id route;
    size_t head_len;
    params p;

    read_params(c, &p);
    lume_request_id(p.has_request_id ? p.request_id : NULL, p.has_client_id ? p.client_id : NULL,
                    &r->rng, request_id);
    req.method = p.has_method ? p.method : "GET";
    req.uri = p.has_uri ? p.uri : "";
    req.request_id = request_id;
    answer(r, &req, &resp, &route);
    head_len = lume_response_head(&resp, request_id, head, sizeof(head));
    c->out_len = head_len == 0
                     ? 0
                     : lume_fcgi_response(c->out, sizeof(c->out), c->head.request_id, head,
                                          head_len, resp.body, resp.head ? 0 : resp.body_len);
    if (c->out_len == 0) { /* the head or the records do not fit */
        lume_response_release(&resp);
        close_conn(c);
        return;
    }
    c->out_off = 0;
    c->phase = WRITING;
    lume_metrics_request(r->counts, (int)route, resp.status, lume_now_us() - c->accepted_us);
    if (r->cfg->access_log)
        lume_respond_log(&req, &resp, lume_now_us() - c->accepted_us, NULL, "health");
    lume_response_release(&resp);
}

/* Take the next step of c, whose socket poll() found ready. */
static void advance(responder *r, conn *c)
{
    ssize_t n;

    if (c->phase == READING) {
        lume_fcgi_head_state st;

        n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            close_conn(c);
            return;
        }
        c->in_len += (size_t)n;
        st = lume_fcgi_head_scan(&c->head, c->in, c->in_len);
        if (st == LUME_FCGI_HEAD_COMPLETE)
            respond(r, c);
        else if (st != LUME_FCGI_HEAD_MORE || c->in_len == sizeof(c->in))
            close_conn(c); /* not FastCGI, or not a health check */
    }
    if (c->phase == WRITING) {
        n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            close_conn(c);
            return;
        }
        c->out_off += (size_t)n;
        if (c->out_off < c->out_len)
            return;
        shutdown(c->fd, SHUT_WR);
        c->phase = DRAINING;
        return; /* read once poll() says there is something */
    }
    if (c->phase == DRAINING) {
        unsigned char sink[512];

        while ((n = recv(c->fd, sink, sizeof(sink), 0)) > 0)
            ;
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            close_conn(c);
    }
}

/* Accept what waits, while a connection slot is free. */
static void accept_all(responder *r, int64_t now)
{
    for (int i = 0; i < LUME_HEALTH_CONNS; i++) {
        conn *c = &r->conns[i];
        struct sockaddr_storage peer;
        socklen_t len = sizeof(peer);
        int fd;

        if (c->phase != FREE)
            continue;
        fd = accept4(r->listen_fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN: none left; anything else: try at the next wake */
        if ((peer.ss_family == AF_INET || peer.ss_family == AF_INET6) &&
            !lume_allow_match(r->allow, (struct sockaddr *)&peer, len)) {
            close(fd); /* as the workers: a TCP peer outside LUME_FCGI_ALLOWED_ADDRS */
            i--;
            continue;
        }
        c->fd = fd;
        c->phase = READING;
        c->in_len = 0;
        c->deadline_ms = now + LUME_HEALTH_DEADLINE_MS;
        c->accepted_us = lume_now_us();
        lume_fcgi_head_init(&c->head);
    }
}

static void loop(responder *r, const sigset_t *wait_mask, pid_t master)
{
    struct pollfd fds[LUME_HEALTH_CONNS + 1];
    int at[LUME_HEALTH_CONNS + 1];

    while (!lume_signals_worker_stopping()) {
        int64_t now = lume_now_ms(), wake = now + 1000; /* re-check the master now and then */
        nfds_t n = 0;
        struct timespec ts;
        int rc, room = 0;

        for (int i = 0; i < LUME_HEALTH_CONNS; i++) {
            conn *c = &r->conns[i];
            if (c->phase == FREE) {
                room = 1;
                continue;
            }
            fds[n] = (struct pollfd){.fd = c->fd, .events = c->phase == WRITING ? POLLOUT : POLLIN};
            at[n++] = i;
            if (c->deadline_ms < wake)
                wake = c->deadline_ms;
        }
        if (room) {
            fds[n] = (struct pollfd){.fd = r->listen_fd, .events = POLLIN};
            at[n++] = -1;
        }
        wake -= now;
        ts.tv_sec = wake > 0 ? wake / 1000 : 0;
        ts.tv_nsec = wake > 0 ? (wake % 1000) * 1000000 : 0;
        rc = ppoll(fds, n, &ts, wait_mask);
        if (rc < 0 && errno != EINTR)
            break;
        if (getppid() != master)
            break;
        now = lume_now_ms();
        for (nfds_t i = 0; rc > 0 && i < n; i++) {
            if (fds[i].revents == 0)
                continue;
            if (at[i] < 0)
                accept_all(r, now);
            else
                advance(r, &r->conns[at[i]]);
        }
        for (int i = 0; i < LUME_HEALTH_CONNS; i++)
            if (r->conns[i].phase != FREE && now >= r->conns[i].deadline_ms)
                close_conn(&r->conns[i]); /* too slow: its slot is worth more */
    }
}

int lume_health_run(const lume_config *cfg, int listen_fd, lume_shared *shared, pid_t master)
{
    responder *r = calloc(1, sizeof(*r));
    char err[256] = "";
    sigset_t wait_mask;

    lume_signals_worker_init(&wait_mask);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    prctl(PR_SET_NAME, "lume-health");
    if (getppid() != master) {
        free(r);
        return LUME_WORKER_EXIT_OK;
    }
    if (r == NULL ||
        (r->allow = lume_allow_create(cfg->fcgi_allowed_addrs, err, sizeof(err))) == NULL) {
        lume_log(LUME_LOG_ERROR, "responder_setup_failed", "%s", err[0] ? err : "out of memory");
        free(r);
        return LUME_WORKER_EXIT_SETUP;
    }
    r->cfg = cfg;
    r->listen_fd = listen_fd;
    r->board = lume_scoreboard_of(shared);
    r->counts = lume_metrics_slot_at(lume_shared_metrics(shared), LUME_METRICS_MASTER_SLOT);
    r->rng = lume_random_seed();
    r->provider = cfg->provider.name;
    for (size_t i = 0; i < lume_provider_count(); i++)
        if (strcmp(lume_provider_at(i)->config_name, cfg->provider.name) == 0)
            r->provider = lume_provider_at(i)->name;
    for (int i = 0; i < LUME_HEALTH_CONNS; i++)
        r->conns[i].fd = -1;
    loop(r, &wait_mask, master);
    for (int i = 0; i < LUME_HEALTH_CONNS; i++)
        if (r->conns[i].phase != FREE)
            close_conn(&r->conns[i]);
    lume_allow_destroy(r->allow);
    free(r);
    lume_log_flush();
    return LUME_WORKER_EXIT_OK;
}
