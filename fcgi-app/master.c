/*
 * master.c: the master's supervision loop (see master.h). Signal handlers
 * only feed the self-pipe; everything happens in master_loop().
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
#include "listen.h"
#include "log.h"
#include "provider.h"
#include "shared.h"
#include "signals.h"
#include "worker.h"

#define MAX_SLOTS      (LUME_MAX_WORKERS * 2) /* old and new generations during a reload */
#define YOUNG_MS       1000                   /* a worker that dies younger crashed early */
#define BACKOFF_MAX_MS 10000

typedef struct slot {
    pid_t pid;           /* 0: free */
    unsigned generation; /* configuration it was started with */
    int64_t started_ms;
    int stopping; /* asked to stop */
} slot;

typedef struct master {
    lume_config cfg;
    int argc;
    char *const *argv;
    char *const *envp;
    int listen_fd;
    int signal_fd;
    lume_shared *shared;
    unsigned generation;
    slot slots[MAX_SLOTS];
    int stopping; /* SIGTERM/SIGINT seen */
    int killed;   /* SIGKILL sent to the rest */
    int64_t stop_deadline_ms;
    int crash_streak;      /* workers in a row that died young */
    int64_t respawn_at_ms; /* back-off: no spawn before */
} master;

/* A line about one worker: event, worker_pid, slot, generation[, key]. */
static void log_worker(int level, const char *event, const slot *s, int index, const char *key,
                       long long value)
{
    lume_logline l;

    if (!lume_logline_begin(&l, level))
        return;
    lume_logline_str(&l, "event", event);
    lume_logline_int(&l, "worker_pid", s->pid);
    lume_logline_int(&l, "slot", index);
    lume_logline_int(&l, "generation", s->generation);
    if (key != NULL)
        lume_logline_int(&l, key, value);
    lume_logline_write(&l);
}

static int spawn(master *m, int index)
{
    slot *s = &m->slots[index];
    pid_t master_pid = getpid(), pid;
    sigset_t saved;
    int fork_errno;

    lume_signals_fork_block(&saved);
    pid = fork();
    if (pid == 0) {
        int status;
        lume_signals_child_reset(&saved);
        status = lume_worker_run(&m->cfg, m->listen_fd, m->shared, index, master_pid);
        _exit(status);
    }
    fork_errno = errno;
    lume_signals_fork_unblock(&saved);
    if (pid < 0) {
        lume_log(LUME_LOG_ERROR, "spawn_failed", "fork: %s", strerror(fork_errno));
        return -1;
    }
    s->pid = pid;
    s->generation = m->generation;
    s->started_ms = lume_now_ms();
    s->stopping = 0;
    log_worker(LUME_LOG_INFO, "worker_spawn", s, index, NULL, 0);
    return 0;
}

static int free_slot(const master *m)
{
    for (int i = 0; i < MAX_SLOTS; i++)
        if (m->slots[i].pid == 0)
            return i;
    return -1;
}

static void stop_worker(master *m, int index, int signo)
{
    slot *s = &m->slots[index];

    if (s->pid > 0 && kill(s->pid, signo) == 0)
        s->stopping = 1;
}

static void signal_all(master *m, int signo)
{
    for (int i = 0; i < MAX_SLOTS; i++)
        if (m->slots[i].pid > 0)
            stop_worker(m, i, signo);
}

static int live_workers(const master *m)
{
    int n = 0;

    for (int i = 0; i < MAX_SLOTS; i++)
        n += m->slots[i].pid > 0;
    return n;
}

/* Collect exited workers and account for crashes. */
static void reap(master *m)
{
    int status;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_SLOTS; i++) {
            slot *s = &m->slots[i];
            int64_t age;
            int clean;

            if (s->pid != pid)
                continue;
            age = lume_now_ms() - s->started_ms;
            clean = WIFEXITED(status) && WEXITSTATUS(status) == LUME_WORKER_EXIT_OK;
            if (WIFSIGNALED(status))
                log_worker(s->stopping ? LUME_LOG_INFO : LUME_LOG_WARN, "worker_exit", s, i,
                           "signal", WTERMSIG(status));
            else
                log_worker(clean ? LUME_LOG_INFO : LUME_LOG_WARN, "worker_exit", s, i, "status",
                           WEXITSTATUS(status));
            if (!m->stopping && !s->stopping && !clean && age < YOUNG_MS) {
                int64_t delay = 100LL << (m->crash_streak < 7 ? m->crash_streak : 7);
                if (delay > BACKOFF_MAX_MS)
                    delay = BACKOFF_MAX_MS;
                m->crash_streak++;
                m->respawn_at_ms = lume_now_ms() + delay;
                lume_log(LUME_LOG_WARN, "respawn_backoff",
                         "%d workers in a row died within %d ms; next spawn in %lld ms",
                         m->crash_streak, YOUNG_MS, (long long)delay);
            } else if (clean || age >= YOUNG_MS) {
                m->crash_streak = 0;
            }
            memset(s, 0, sizeof(*s));
            break;
        }
    }
}

/* Keep cfg.workers workers of the current generation; during a reload,
 * start one new worker, then stop one old one, until none is old. */
static void maintain(master *m)
{
    int current = 0, old = 0, old_stopping = 0, index;

    for (int i = 0; i < MAX_SLOTS; i++) {
        const slot *s = &m->slots[i];
        if (s->pid == 0)
            continue;
        if (s->generation != m->generation)
            s->stopping ? old_stopping++ : old++;
        else if (!s->stopping)
            current++;
    }
    if (lume_now_ms() < m->respawn_at_ms)
        return;
    /* Replace the dead; during a reload keep the total steady. */
    while (current + old < m->cfg.workers && (index = free_slot(m)) >= 0) {
        if (spawn(m, index) != 0)
            return;
        current++;
    }
    if (old > 0 && old_stopping == 0) {
        if (current < m->cfg.workers && (index = free_slot(m)) >= 0 && spawn(m, index) == 0)
            current++;
        for (int i = 0; i < MAX_SLOTS; i++) {
            if (m->slots[i].pid > 0 && m->slots[i].generation != m->generation &&
                !m->slots[i].stopping) {
                stop_worker(m, i, SIGTERM);
                break;
            }
        }
        return;
    }
    /* Fewer workers after a reload: stop the extra ones. */
    for (int i = 0; i < MAX_SLOTS && old == 0 && current > m->cfg.workers; i++) {
        if (m->slots[i].pid > 0 && !m->slots[i].stopping) {
            stop_worker(m, i, SIGTERM);
            current--;
        }
    }
}

static void reload(master *m)
{
    lume_config next;
    char err[512] = "";

    if (lume_config_load(&next, m->argc, m->argv, m->envp, NULL, err, sizeof(err)) != 0 ||
        lume_provider_check(&next, m->shared, err, sizeof(err)) != 0) {
        lume_log(LUME_LOG_ERROR, "reload_failed", "%s; keeping the running configuration", err);
        return;
    }
    if (strcmp(next.listen, m->cfg.listen) != 0) {
        lume_log(LUME_LOG_WARN, "reload_listen_ignored",
                 "the listen address changes only on restart; still on %s", m->cfg.listen);
        memcpy(next.listen, m->cfg.listen, sizeof(next.listen));
    }
    m->cfg = next;
    m->generation++;
    m->crash_streak = 0;
    m->respawn_at_ms = 0;
    lume_log_set_level((int)m->cfg.log_level);
    lume_log(LUME_LOG_INFO, "reload", "generation %u: %ld workers, provider %s", m->generation,
             m->cfg.workers, m->cfg.provider);
}

static void begin_stop(master *m, int signo)
{
    if (!m->stopping) {
        m->stopping = 1;
        m->stop_deadline_ms = lume_now_ms() + m->cfg.shutdown_timeout_ms;
        lume_log(LUME_LOG_INFO, "stop", "signal %d: stopping %d workers gracefully", signo,
                 live_workers(m));
        signal_all(m, SIGTERM);
    } else if (!m->killed) {
        lume_log(LUME_LOG_WARN, "stop_now", "signal %d again: killing workers", signo);
        signal_all(m, SIGKILL);
        m->killed = 1;
    }
}

static int poll_timeout(const master *m)
{
    int64_t now = lume_now_ms(), wait = 1000;

    if (m->stopping && !m->killed)
        wait = m->stop_deadline_ms - now;
    else if (m->respawn_at_ms > now)
        wait = m->respawn_at_ms - now;
    return wait < 0 ? 0 : (wait > 1000 ? 1000 : (int)wait);
}

static void master_loop(master *m)
{
    struct pollfd pfd = {.fd = m->signal_fd, .events = POLLIN};

    maintain(m);
    for (;;) {
        int signo, hup = 0;

        if (poll(&pfd, 1, poll_timeout(m)) < 0 && errno != EINTR)
            break;
        while ((signo = lume_signals_master_next(m->signal_fd)) != 0) {
            if (signo == SIGCHLD)
                continue; /* reaped below in any case */
            if (signo == SIGHUP)
                hup = 1;
            else
                begin_stop(m, signo);
        }
        reap(m);
        if (m->stopping) {
            if (live_workers(m) == 0)
                break;
            if (!m->killed && lume_now_ms() >= m->stop_deadline_ms) {
                lume_log(LUME_LOG_WARN, "stop_timeout",
                         "%d workers still busy after %ld ms; killing", live_workers(m),
                         m->cfg.shutdown_timeout_ms);
                signal_all(m, SIGKILL);
                m->killed = 1;
            }
            continue;
        }
        if (hup)
            reload(m);
        maintain(m);
    }
}

int lume_master_run(const lume_config *cfg, int argc, char *const argv[], char *const envp[])
{
    master *mp = calloc(1, sizeof(*mp));
    char err[512] = "";
    int status;

    if (mp == NULL)
        return 1;
#define m (*mp)
    m.cfg = *cfg;
    m.argc = argc;
    m.argv = argv;
    m.envp = envp;
    lume_log_set_level((int)cfg->log_level);

    m.shared = lume_shared_create();
    if (m.shared == NULL) {
        lume_log(LUME_LOG_ERROR, "start_failed", "cannot map shared memory");
        free(mp);
        return 1;
    }
    if (lume_provider_check(&m.cfg, m.shared, err, sizeof(err)) != 0) {
        fprintf(stderr, "lume-fcgi: %s\n", err);
        lume_shared_destroy(m.shared);
        free(mp);
        return 2;
    }
    m.signal_fd = lume_signals_master_init();
    m.listen_fd = lume_listen_open(m.cfg.listen, (int)m.cfg.backlog, (int)m.cfg.socket_mode,
                                   m.cfg.socket_group, err, sizeof(err));
    if (m.signal_fd < 0 || m.listen_fd < 0) {
        lume_log(LUME_LOG_ERROR, "start_failed", "%s", err[0] ? err : "cannot create a pipe");
        lume_shared_destroy(m.shared);
        free(mp);
        return 1;
    }
    lume_log(LUME_LOG_INFO, "start", "lume-fcgi %s listening on %s with %ld workers, provider %s",
             LUME_VERSION, m.cfg.listen, m.cfg.workers, m.cfg.provider);
    master_loop(&m);
    lume_listen_close(m.listen_fd, m.cfg.listen);
    lume_shared_destroy(m.shared);
    lume_log(LUME_LOG_INFO, "exit", "all workers stopped");
    status = 0;
#undef m
    free(mp);
    return status;
}
