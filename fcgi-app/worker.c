/*
 * worker.c: the loop of a worker process (see worker.h).
 *
 * Stop signals are blocked except inside ppoll(): a stop that arrives while a
 * request is served is seen after the response is written, and one that
 * arrives while waiting (for a connection, or for the rest of a request
 * head) wakes the worker at once. The listening socket is non-blocking, so a
 * worker that loses the race for a connection waits again. Connections are
 * accepted, admitted and closed by the acceptor (acceptor.h).
 *
 * Before serving, the worker notes how long the request waited in the queue
 * (nginx's REQUEST_START, queue.h) and whether nginx has already closed the
 * connection; app.c skips the provider call for a request that came too late.
 * That look is a system call, so it is taken only for a request that waited
 * in the queue ABANDON_CHECK_MS or more, or whose wait is unknown: nginx
 * gives up after seconds, and a client that leaves within milliseconds of
 * its request costs at most the one provider call.
 *
 * A worker runs under LUME_WORKER_SCHED, SCHED_BATCH by default: woken by a
 * request, it does not preempt the task on its CPU (most often nginx, which
 * would otherwise wait with the next requests in hand); it runs on an idle
 * CPU at once, or after that task's slice. Its share of the CPU is the same.
 */
#include "worker.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "acceptor.h"
#include "app.h"
#include "clock.h"
#include "http.h"
#include "listen.h"
#include "log.h"
#include "observe.h"
#include "queue.h"
#include "random.h"
#include "respond.h"
#include "signals.h"

/* Wait until the listener or a kept connection is readable; 0 when the
 * master is gone or the wait failed (a stop returns 1: the loop decides).
 * Called only once nothing was ready, so a worker under load does not wait.
 * The lines it holds are written first: an idle worker holds none. The
 * master is asked after each tick without work (the parent-death signal
 * covers the rest). */
static int wait_ready(lume_acceptor *a, const sigset_t *wait_mask, pid_t master)
{
    for (;;) {
        int rc = lume_acceptor_wait(a, 1000, wait_mask); /* re-check the master now and then */
        if (rc > 0 || lume_signals_worker_stopping())
            return 1;
        if (rc < 0 && errno != EINTR)
            return 0;
        if (rc == 0 && getppid() != master)
            return 0;
    }
}

#define ABANDON_CHECK_MS 100
#define STOP_CHECK_US    1000

/* nginx closed its end (it timed out, or its client left): nobody reads the
 * answer. POLLHUP only: a peer that merely half-closed still reads. */
static int peer_gone(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = 0};

    return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR)) != 0;
}

static void serve(lume_app *app, lume_observe *obs, lume_acceptor *a, uint64_t *rng, int access_log)
{
    char request_id[LUME_REQUEST_ID_BUF], head[LUME_RESPONSE_HEAD_BUF];
    const char *cache_status;
    int64_t start = lume_now_us(), took_us;
    lume_request req;
    lume_response resp;
    size_t head_len;

    lume_request_id(lume_acceptor_param(a, "REQUEST_ID"),
                    lume_acceptor_param(a, "HTTP_X_REQUEST_ID"), rng, request_id);
    req.method = lume_acceptor_param(a, "REQUEST_METHOD");
    req.uri = lume_acceptor_param(a, "REQUEST_URI");
    req.request_id = request_id;
    req.if_none_match = lume_acceptor_param(a, "HTTP_IF_NONE_MATCH");
    /* nginx's $upstream_cache_status as it asks: EXPIRED when it holds an old copy. */
    cache_status = lume_acceptor_param(a, "CACHE_STATUS");
    req.edge_copy = cache_status != NULL && strcmp(cache_status, "EXPIRED") == 0;
    req.waited_ms = lume_queue_waited_ms(lume_acceptor_param(a, "REQUEST_START"), lume_wall_ms());
    req.abandoned = (req.waited_ms < 0 || req.waited_ms >= ABANDON_CHECK_MS) &&
                    peer_gone(lume_acceptor_conn(a));
    if (req.method == NULL)
        req.method = "GET";
    if (req.uri == NULL)
        req.uri = "";

    lume_app_handle(app, &req, &resp);
    head_len = lume_response_head(&resp, request_id, head, sizeof(head));
    lume_acceptor_write(a, head, head_len);
    if (!resp.head && resp.body != NULL)
        lume_acceptor_write(a, resp.body, resp.body_len);
    took_us = lume_now_us() - start; /* one reading for the metrics and the log */
    lume_observe_end(obs, resp.status, took_us);
    if (access_log)
        lume_respond_log(&req, &resp, took_us, lume_app_provider_name(app), NULL);
    lume_response_release(&resp);
}

static void set_sched(const char *name, int slot)
{
    struct sched_param none = {0};
    int policy = strcmp(name, "batch") == 0 ? SCHED_BATCH : SCHED_OTHER;

    if (sched_setscheduler(0, policy, &none) != 0)
        lume_log(LUME_LOG_WARN, "worker_sched_failed", "slot %d: LUME_WORKER_SCHED=%s: %s", slot,
                 name, strerror(errno));
}

int lume_worker_run(const lume_config *cfg, int listen_fd, lume_shared *shared, int slot,
                    pid_t master)
{
    char err[256] = "";
    sigset_t wait_mask;
    lume_acceptor *acceptor;
    lume_provider_set *providers;
    lume_app *app;
    uint64_t rng;
    long served = 0;
    int status = LUME_WORKER_EXIT_OK, leaving = 0;
    int64_t next_stop_check_us = 0;
    lume_observe *obs;

    lume_signals_worker_init(&wait_mask);
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* the master died: stop after this request */
    if (getppid() != master)
        return LUME_WORKER_EXIT_OK;
    set_sched(cfg->worker_sched, slot);
    rng = lume_random_seed();

    providers = lume_provider_set_create(&cfg->provider, shared, err, sizeof(err));
    app = providers ? lume_app_create(cfg, providers) : NULL;
    if (app == NULL) {
        lume_log(LUME_LOG_ERROR, "worker_setup_failed", "slot %d: %s", slot,
                 err[0] ? err : "out of memory");
        return LUME_WORKER_EXIT_SETUP;
    }
    acceptor = lume_acceptor_create(cfg, listen_fd, err, sizeof(err));
    if (acceptor == NULL) {
        lume_log(LUME_LOG_ERROR, "worker_setup_failed", "slot %d: %s", slot, err);
        lume_app_destroy(app);
        return LUME_WORKER_EXIT_SETUP;
    }
    obs = lume_observe_create(cfg, shared, slot, listen_fd); /* the scoreboard line: idle */
    if (obs == NULL) {
        lume_log(LUME_LOG_ERROR, "worker_setup_failed", "slot %d: out of memory", slot);
        lume_acceptor_destroy(acceptor);
        lume_app_destroy(app);
        return LUME_WORKER_EXIT_SETUP;
    }
    lume_app_observe(app, obs);

    lume_log_batch_on(); /* access lines leave in batches (log.h) */
    for (;;) {
        /* A stop delivered in a wait is seen at once (the handler's flag);
         * one still pending (a wait that found work ready delivers none:
         * signals.c) is asked for at most once every STOP_CHECK_US, so a
         * stop waits for at most that and the request in hand, and a busy
         * worker does not make a system call of it per request. */
        int64_t now = lume_now_us();
        if (!leaving && (lume_signals_worker_stop_seen() || now >= next_stop_check_us)) {
            /* A reload or a retirement: the other workers serve the queue.
             * A stop: the master stopped the listener first, so nothing
             * new arrives; serve what was queued before it, then leave.
             * Either way, what nginx already sent on a kept connection is
             * served, and nothing is kept from now on. */
            if (lume_signals_worker_stopping()) {
                leaving = 1;
                lume_acceptor_leave(acceptor, lume_listen_stopped(listen_fd));
            }
            next_stop_check_us = now + STOP_CHECK_US;
        }
        if (!leaving && cfg->max_requests > 0 && served >= cfg->max_requests) {
            leaving = 1; /* recycled: what was sent on its kept connections first */
            lume_acceptor_leave(acceptor, 0);
        }
        lume_observe_state(obs, LUME_WORKER_READING);
        lume_accept_result rc = lume_acceptor_next(acceptor, &wait_mask);
        if (rc != LUME_ACCEPT_READY)
            lume_observe_state(obs, LUME_WORKER_IDLE);
        if (rc == LUME_ACCEPT_AGAIN) {
            if (leaving && !lume_acceptor_linger(acceptor, &wait_mask))
                break; /* nothing sent is left, nothing kept */
            if (leaving)
                continue;
            lume_app_idle(app); /* what the providers keep between requests, let go */
            if (!wait_ready(acceptor, &wait_mask, master))
                break;
            continue;
        }
        if (rc == LUME_ACCEPT_NONE)
            continue; /* another worker took it, it was dropped, or nginx closed it */
        if (rc == LUME_ACCEPT_STOP)
            break;
        if (rc == LUME_ACCEPT_FAIL) {
            lume_log(LUME_LOG_ERROR, "accept_failed", "slot %d: accept: %s", slot, strerror(errno));
            status = LUME_WORKER_EXIT_ACCEPT;
            break;
        }
        serve(app, obs, acceptor, &rng, cfg->access_log);
        /* Not under load (the worker waited for this request, holding no
         * line: lume_acceptor_quiet()): its line leaves now, before the
         * response ends, as unbatched lines did. */
        if (lume_acceptor_quiet(acceptor))
            lume_log_flush();
        lume_acceptor_finish(acceptor, &wait_mask);
        served++;
    }
    if (cfg->max_requests > 0 && served >= cfg->max_requests)
        lume_log(LUME_LOG_INFO, "worker_recycle", "slot %d served %ld requests", slot, served);
    lume_acceptor_destroy(acceptor);
    lume_app_destroy(app);
    lume_observe_destroy(obs);
    lume_log_flush();
    return status;
}
