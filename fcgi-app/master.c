/*
 * master.c: the master's supervision loop (see master.h), the process side of
 * the pool (pool.h). Signal handlers only feed the self-pipe; master_loop()
 * turns what it reads there and what waitpid() reaps into the pool's events,
 * takes the actions of the pool's step, and sleeps until the step's wake time
 * or the next signal.
 */
#include "master.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "health.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "provider.h"
#include "scoreboard.h"
#include "shared.h"
#include "signals.h"
#include "worker.h"

/* Every process's exit, every worker's scoreboard line, two stops, a reload. */
#define EVENTS_MAX (LUME_POOL_SLOTS * 2 + 4)

typedef struct master {
    lume_config cfg;
    int argc;
    char *const *argv;
    char *const *envp;
    int listen_fd;
    int health_fd; /* the health responder's socket; -1: none */
    int signal_fd;
    lume_shared *shared;
    unsigned generation;
    lume_pool *pool;
    pid_t parent;    /* who started the master (cfg.die_with_parent) */
    int parent_gone; /* its exit was taken as a stop */
    lume_pool_event events[EVENTS_MAX];
} master;

/* A line about one worker: event, worker_pid, slot, generation[, key][, request_id]. */
static void log_worker(int level, const char *event, pid_t pid, int index, unsigned generation,
                       const char *key, long long value, const char *request_id)
{
    lume_logline l;

    if (!lume_logline_begin(&l, level))
        return;
    lume_logline_str(&l, "event", event);
    lume_logline_int(&l, "worker_pid", pid);
    lume_logline_int(&l, "slot", index);
    lume_logline_int(&l, "generation", generation);
    if (key != NULL)
        lume_logline_int(&l, key, value);
    if (request_id != NULL && request_id[0] != '\0')
        lume_logline_str(&l, "request_id", request_id);
    lume_logline_write(&l);
}

/* The spawn line of the process in slot index. */
static const char *spawn_event(int index)
{
    return index == LUME_POOL_RESPONDER ? "responder_spawn"
           : index == LUME_POOL_INDEXER ? "indexer_spawn"
                                        : "worker_spawn";
}

/* Fork a worker for slot index (the health responder for
 * LUME_POOL_RESPONDER, the provider's background process, the library's
 * indexer, for LUME_POOL_INDEXER); its pid, or -1. */
static pid_t spawn(master *m, int index)
{
    pid_t master_pid = getpid(), pid;
    sigset_t saved;
    int fork_errno;

    lume_signals_fork_block(&saved);
    pid = fork();
    if (pid == 0) {
        int status;
        lume_signals_child_reset(&saved);
        if (index == LUME_POOL_RESPONDER) {
            close(m->listen_fd);
            status = lume_health_run(&m->cfg, m->health_fd, m->shared, master_pid);
        } else if (index == LUME_POOL_INDEXER) {
            close(m->listen_fd);
            if (m->health_fd >= 0)
                close(m->health_fd);
            status = lume_provider_background_run(
                &m->cfg.provider, lume_provider_background(&m->cfg.provider), master_pid);
        } else {
            if (m->health_fd >= 0)
                close(m->health_fd);
            status = lume_worker_run(&m->cfg, m->listen_fd, m->shared, index, master_pid);
        }
        _exit(status);
    }
    fork_errno = errno;
    lume_signals_fork_unblock(&saved);
    if (pid < 0) {
        lume_log(LUME_LOG_ERROR, "spawn_failed", "fork: %s", strerror(fork_errno));
        return -1;
    }
    log_worker(LUME_LOG_INFO, spawn_event(index), pid, index, m->generation, NULL, 0, NULL);
    return pid;
}

static lume_pool_settings pool_settings(const master *m)
{
    lume_pool_settings s = {.generation = m->generation,
                            .idle_timeout_ms = m->cfg.workers_idle_timeout_ms,
                            .worker_timeout_ms = m->cfg.worker_timeout_ms,
                            .brake_threshold = (int)m->cfg.crash_brake_threshold,
                            .brake_interval_ms = m->cfg.crash_brake_interval_ms,
                            .responder = m->cfg.health_listen[0] != '\0',
                            .indexer = lume_provider_background(&m->cfg.provider) >= 0,
                            .shutdown_timeout_ms = m->cfg.shutdown_timeout_ms};

    lume_config_pool_size(&m->cfg, &s.workers, &s.workers_max);
    return s;
}

/* Take the pool's actions in order. After a fork failed, the other spawns of
 * this step are not tried: the pool tries again at its next step. Spawns and
 * exits are counted by cause in the master's slot of the metrics; a reaped
 * worker's scoreboard line is cleared (it may have died mid-request). */
static void perform(master *m, const lume_pool_plan *plan)
{
    lume_metrics_slot *counts =
        lume_metrics_slot_at(lume_shared_metrics(m->shared), LUME_METRICS_MASTER_SLOT);
    int fork_failed = 0;

    for (size_t i = 0; i < plan->n; i++) {
        const lume_pool_action *a = &plan->actions[i];
        pid_t pid;

        switch (a->kind) {
        case LUME_POOL_SPAWN:
            pid = fork_failed ? -1 : spawn(m, a->slot);
            fork_failed = pid < 0;
            lume_pool_started(m->pool, a->slot, pid);
            if (pid > 0 && a->slot < LUME_POOL_SLOTS)
                lume_metrics_spawn(counts, (lume_spawn_cause)a->cause);
            break;
        case LUME_POOL_SIGNAL:
            if (a->pid > 0) /* never a process group */
                kill(a->pid, a->signo);
            break;
        case LUME_POOL_STOP_LISTENING: lume_listen_stop(m->listen_fd); break;
        case LUME_POOL_LOG:
            if (a->cause >= 0 && a->slot >= 0 && a->slot < LUME_POOL_SLOTS) { /* a worker_exit */
                lume_metrics_exit(counts, (lume_exit_cause)a->cause);
                lume_scoreboard_clear(lume_scoreboard_of(m->shared), a->slot);
            }
            if (a->slot >= 0)
                log_worker(a->level, a->event, a->pid, a->slot, a->generation, a->key, a->value,
                           a->request_id);
            else
                lume_log(a->level, a->event, "%s", a->message);
            break;
        }
    }
}

/* "4", or "1 to 8" for a dynamic pool. */
static const char *pool_text(const lume_config *cfg, char *out, size_t len)
{
    long min, max;

    lume_config_pool_size(cfg, &min, &max);
    if (min == max)
        snprintf(out, len, "%ld", min);
    else
        snprintf(out, len, "%ld to %ld", min, max);
    return out;
}

/* Re-read the configuration; 0 when it is the new one. */
static int reload(master *m)
{
    lume_config next;
    char err[512] = "", pool_size[48];

    if (lume_config_load(&next, m->argc, m->argv, m->envp, NULL, err, sizeof(err)) != 0 ||
        lume_provider_check(&next.provider, m->shared, err, sizeof(err)) != 0) {
        lume_log(LUME_LOG_ERROR, "reload_failed", "%s; keeping the running configuration", err);
        return -1;
    }
    if (strcmp(next.listen, m->cfg.listen) != 0) {
        lume_log(LUME_LOG_WARN, "reload_listen_ignored",
                 "the listen address changes only on restart; still on %s", m->cfg.listen);
        memcpy(next.listen, m->cfg.listen, sizeof(next.listen));
    }
    if (strcmp(next.health_listen, m->cfg.health_listen) != 0) {
        lume_log(LUME_LOG_WARN, "reload_listen_ignored",
                 "the health listen address changes only on restart; still on %s",
                 m->cfg.health_listen[0] ? m->cfg.health_listen : "(none)");
        memcpy(next.health_listen, m->cfg.health_listen, sizeof(next.health_listen));
    }
    m->cfg = next;
    m->generation++;
    lume_log_set_level((int)m->cfg.log_level);
    lume_log(LUME_LOG_INFO, "reload", "generation %u: %s workers, provider %s", m->generation,
             pool_text(&m->cfg, pool_size, sizeof(pool_size)), m->cfg.provider.name);
    return 0;
}

/* What the scoreboard shows of each worker, for the pool's timeout and
 * scaling rules (the lines of reaped workers were cleared). */
static size_t look(master *m, lume_pool_event *events)
{
    lume_scoreboard *board = lume_scoreboard_of(m->shared);
    int64_t now = lume_wall_ms();
    lume_scoreboard_line l;
    size_t n = 0;

    for (int i = 0; i < LUME_POOL_SLOTS; i++) {
        lume_pool_event *e = &events[n];

        if (!lume_scoreboard_read(board, i, &l))
            continue;
        e->kind = LUME_POOL_SEEN;
        e->slot = i;
        e->pid = l.pid;
        e->busy = l.state == LUME_WORKER_BUSY || l.state == LUME_WORKER_READING;
        e->served = l.served;
        e->busy_ms =
            l.state == LUME_WORKER_BUSY && l.request_start_ms > 0 ? now - l.request_start_ms : 0;
        snprintf(e->request_id, sizeof(e->request_id), "%s", l.request_id);
        n++;
    }
    return n;
}

/* What happened since the last step: stop signals (a third one changes
 * nothing), exited workers, and a reload unless a stop was asked. */
static size_t collect(master *m, lume_pool_event *events)
{
    size_t n = 0, stops = 0;
    int signo, hup = 0, status;
    pid_t pid;

    while ((signo = lume_signals_master_next(m->signal_fd)) != 0) {
        if (signo == SIGCHLD)
            continue; /* reaped below in any case */
        if (signo == SIGHUP)
            hup = 1;
        else if (stops++ < 2)
            events[n++] = (lume_pool_event){.kind = LUME_POOL_STOP, .signo = signo};
    }
    /* Polled: the pool wakes the loop at least once a second. A master that
     * is PID 1, or whose parent is init, never sees its parent change. */
    if (m->cfg.die_with_parent && !m->parent_gone && getppid() != m->parent) {
        m->parent_gone = 1;
        lume_log(LUME_LOG_WARN, "parent_exit",
                 "the process that started lume-fcgi (pid %d) exited; stopping as on SIGTERM",
                 (int)m->parent);
        if (stops++ < 2)
            events[n++] = (lume_pool_event){.kind = LUME_POOL_STOP, .signo = SIGTERM};
    }
    while (n < EVENTS_MAX - 1 - LUME_POOL_SLOTS && (pid = waitpid(-1, &status, WNOHANG)) > 0)
        events[n++] = (lume_pool_event){.kind = LUME_POOL_EXITED, .pid = pid, .status = status};
    n += look(m, events + n);
    if (hup && stops == 0 && !lume_pool_stopping(m->pool) && reload(m) == 0)
        events[n++] = (lume_pool_event){.kind = LUME_POOL_RELOADED, .settings = pool_settings(m)};
    return n;
}

static void master_loop(master *m)
{
    struct pollfd pfd = {.fd = m->signal_fd, .events = POLLIN};
    lume_pool_event *events = m->events;
    size_t n = 0;

    for (;;) {
        const lume_pool_plan *plan = lume_pool_step(m->pool, events, n, lume_now_ms());
        int64_t wait;

        perform(m, plan);
        lume_metrics_set_crash_brake(lume_shared_metrics(m->shared), lume_pool_braking(m->pool));
        if (plan->done)
            break;
        wait = plan->wake_ms - lume_now_ms();
        if (poll(&pfd, 1, wait < 0 ? 0 : (int)wait) < 0 && errno != EINTR)
            break;
        n = collect(m, events);
    }
}

int lume_master_run(const lume_config *cfg, int argc, char *const argv[], char *const envp[])
{
    master *m = calloc(1, sizeof(*m));
    lume_pool_settings settings;
    char err[512] = "", pool_size[48];
    int status = 1;

    if (m == NULL)
        return 1;
    m->cfg = *cfg;
    m->argc = argc;
    m->argv = argv;
    m->envp = envp;
    m->parent = getppid();
    m->health_fd = -1;
    lume_log_set_level((int)cfg->log_level);

    settings = pool_settings(m);
    m->pool = lume_pool_create(&settings);
    m->shared = lume_shared_create();
    if (m->pool == NULL || m->shared == NULL) {
        lume_log(LUME_LOG_ERROR, "start_failed", "%s",
                 m->pool == NULL ? "out of memory" : "cannot map shared memory");
        goto done;
    }
    if (lume_provider_check(&m->cfg.provider, m->shared, err, sizeof(err)) != 0) {
        fprintf(stderr, "lume-fcgi: %s\n", err);
        status = 2;
        goto done;
    }
    m->signal_fd = lume_signals_master_init();
    m->listen_fd = lume_listen_open(m->cfg.listen, (int)m->cfg.backlog, (int)m->cfg.socket_mode,
                                    m->cfg.socket_group, err, sizeof(err));
    if (m->listen_fd >= 0 && m->cfg.health_listen[0] != '\0') {
        m->health_fd =
            lume_listen_open(m->cfg.health_listen, (int)m->cfg.backlog, (int)m->cfg.socket_mode,
                             m->cfg.socket_group, err, sizeof(err));
        if (m->health_fd < 0) {
            lume_listen_close(m->listen_fd, m->cfg.listen);
            m->listen_fd = -1;
        }
    }
    if (m->signal_fd < 0 || m->listen_fd < 0) {
        lume_log(LUME_LOG_ERROR, "start_failed", "%s", err[0] ? err : "cannot create a pipe");
        goto done;
    }
    lume_log(LUME_LOG_INFO, "start",
             "lume-fcgi %s listening on %s with %s workers, provider %s%s%s", LUME_VERSION,
             m->cfg.listen, pool_text(&m->cfg, pool_size, sizeof(pool_size)), m->cfg.provider.name,
             m->health_fd >= 0 ? ", /health on " : "",
             m->health_fd >= 0 ? m->cfg.health_listen : "");
    master_loop(m);
    lume_listen_close(m->listen_fd, m->cfg.listen);
    if (m->health_fd >= 0)
        lume_listen_close(m->health_fd, m->cfg.health_listen);
    lume_log(LUME_LOG_INFO, "exit", "all workers stopped");
    status = 0;
done:
    lume_pool_destroy(m->pool);
    lume_shared_destroy(m->shared);
    free(m);
    return status;
}
