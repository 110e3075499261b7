/*
 * pool.c: the worker slots and the rules that keep them filled (see pool.h).
 * Pure: the state changes only through lume_pool_step() and
 * lume_pool_started(), and what the master must do comes back as actions.
 */
#include "pool.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "worker.h"

/*
 * The most actions one step can take: per slot at most one SIGTERM and one
 * SIGKILL, one spawn, and two lines when its worker exits (the exit and a
 * back-off); plus the lines of a stop, a second stop and a stop timeout.
 */
#define ACTIONS_MAX (LUME_POOL_SLOTS * 5 + 3)

typedef enum slot_state { SLOT_FREE = 0, SLOT_STARTING, SLOT_RUNNING } slot_state;

typedef struct slot {
    slot_state state;
    pid_t pid;           /* SLOT_RUNNING */
    unsigned generation; /* configuration it was started with */
    int64_t started_ms;
    int stopping; /* asked to stop */
} slot;

struct lume_pool {
    lume_pool_settings settings;
    slot slots[LUME_POOL_SLOTS];
    int stopping; /* a stop was asked: no more spawns */
    int killed;   /* SIGKILL sent to the rest */
    int64_t stop_deadline_ms;
    int crash_streak;      /* workers in a row that died young */
    int64_t respawn_at_ms; /* back-off: no spawn before */
    int filled;            /* the pool was full once: spawns since replace workers */
    lume_pool_plan plan;
    lume_pool_action actions[ACTIONS_MAX];
};

lume_pool *lume_pool_create(const lume_pool_settings *settings)
{
    lume_pool *pool = calloc(1, sizeof(*pool));

    if (pool != NULL) {
        pool->settings = *settings;
        pool->plan.actions = pool->actions;
    }
    return pool;
}

void lume_pool_destroy(lume_pool *pool)
{
    free(pool);
}

int lume_pool_stopping(const lume_pool *pool)
{
    return pool->stopping;
}

/* The next action of the plan; NULL when full (the bound above makes it
 * unreachable; a caller then changes nothing). */
static lume_pool_action *push(lume_pool *pool, lume_pool_action_kind kind, int index)
{
    lume_pool_action *a;

    if (pool->plan.n >= ACTIONS_MAX)
        return NULL;
    a = &pool->actions[pool->plan.n++];
    memset(a, 0, sizeof(*a));
    a->kind = kind;
    a->slot = index;
    a->cause = -1;
    if (index >= 0) {
        a->pid = pool->slots[index].pid;
        a->generation = pool->slots[index].generation;
    }
    return a;
}

static void note(lume_pool *pool, int level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void note(lume_pool *pool, int level, const char *event, const char *fmt, ...)
{
    lume_pool_action *a = push(pool, LUME_POOL_LOG, -1);
    va_list ap;

    if (a == NULL)
        return;
    a->level = level;
    a->event = event;
    va_start(ap, fmt);
    vsnprintf(a->message, sizeof(a->message), fmt, ap);
    va_end(ap);
}

static void note_worker(lume_pool *pool, int level, const char *event, int index, const char *key,
                        long long value, int cause)
{
    lume_pool_action *a = push(pool, LUME_POOL_LOG, index);

    if (a == NULL)
        return;
    a->level = level;
    a->event = event;
    a->key = key;
    a->value = value;
    a->cause = cause;
}

/* Plan a spawn into the free slot index: it is taken from now on. */
static int spawn(lume_pool *pool, int index, int64_t now, lume_spawn_cause cause)
{
    slot *s = &pool->slots[index];
    lume_pool_action *a;

    *s = (slot){.state = SLOT_STARTING, .generation = pool->settings.generation, .started_ms = now};
    if ((a = push(pool, LUME_POOL_SPAWN, index)) == NULL) {
        memset(s, 0, sizeof(*s));
        return -1;
    }
    a->cause = cause;
    return 0;
}

void lume_pool_started(lume_pool *pool, int index, pid_t pid)
{
    slot *s;

    if (index < 0 || index >= LUME_POOL_SLOTS)
        return;
    s = &pool->slots[index];
    if (s->state != SLOT_STARTING)
        return;
    if (pid > 0) {
        s->state = SLOT_RUNNING;
        s->pid = pid;
    } else {
        memset(s, 0, sizeof(*s));
    }
}

static void stop_worker(lume_pool *pool, int index, int signo)
{
    slot *s = &pool->slots[index];
    lume_pool_action *a;

    if (s->state != SLOT_RUNNING || (a = push(pool, LUME_POOL_SIGNAL, index)) == NULL)
        return;
    a->signo = signo;
    s->stopping = 1;
}

static void signal_all(lume_pool *pool, int signo)
{
    for (int i = 0; i < LUME_POOL_SLOTS; i++)
        stop_worker(pool, i, signo);
}

static int live_workers(const lume_pool *pool)
{
    int n = 0;

    for (int i = 0; i < LUME_POOL_SLOTS; i++)
        n += pool->slots[i].state == SLOT_RUNNING;
    return n;
}

static int free_slot(const lume_pool *pool)
{
    for (int i = 0; i < LUME_POOL_SLOTS; i++)
        if (pool->slots[i].state == SLOT_FREE)
            return i;
    return -1;
}

static int find(const lume_pool *pool, pid_t pid)
{
    for (int i = 0; i < LUME_POOL_SLOTS; i++)
        if (pool->slots[i].state == SLOT_RUNNING && pool->slots[i].pid == pid)
            return i;
    return -1;
}

/* A worker ended: log it, and count a young death in the crash streak. */
static void exited(lume_pool *pool, pid_t pid, int status, int64_t now)
{
    int index = find(pool, pid), clean, asked;
    slot *s;
    int64_t age;
    lume_exit_cause cause;

    if (index < 0)
        return; /* not one of ours */
    s = &pool->slots[index];
    age = now - s->started_ms;
    clean = WIFEXITED(status) && WEXITSTATUS(status) == LUME_WORKER_EXIT_OK;
    asked = s->stopping || pool->stopping;
    if (WIFSIGNALED(status))
        cause = asked ? LUME_EXIT_STOPPED : LUME_EXIT_SIGNAL;
    else if (clean)
        cause = asked ? LUME_EXIT_STOPPED : LUME_EXIT_RECYCLED;
    else
        cause = LUME_EXIT_ERROR;
    if (WIFSIGNALED(status))
        note_worker(pool, s->stopping ? LUME_LOG_INFO : LUME_LOG_WARN, "worker_exit", index,
                    "signal", WTERMSIG(status), (int)cause);
    else
        note_worker(pool, clean ? LUME_LOG_INFO : LUME_LOG_WARN, "worker_exit", index, "status",
                    WEXITSTATUS(status), (int)cause);
    if (!pool->stopping && !s->stopping && !clean && age < LUME_POOL_YOUNG_MS) {
        int shift = pool->crash_streak < 7 ? pool->crash_streak : 7;
        int64_t delay = (int64_t)LUME_POOL_BACKOFF_FIRST_MS << shift;

        if (delay > LUME_POOL_BACKOFF_MAX_MS)
            delay = LUME_POOL_BACKOFF_MAX_MS;
        pool->crash_streak++;
        pool->respawn_at_ms = now + delay;
        note(pool, LUME_LOG_WARN, "respawn_backoff",
             "%d workers in a row died within %d ms; next spawn in %lld ms", pool->crash_streak,
             LUME_POOL_YOUNG_MS, (long long)delay);
    } else if (clean || age >= LUME_POOL_YOUNG_MS) {
        pool->crash_streak = 0;
    }
    memset(s, 0, sizeof(*s));
}

static void reloaded(lume_pool *pool, const lume_pool_settings *settings)
{
    if (pool->stopping)
        return;
    pool->settings = *settings;
    pool->crash_streak = 0;
    pool->respawn_at_ms = 0;
}

/* The first stop asks every worker to finish; the second kills them. */
static void stop(lume_pool *pool, int signo, int64_t now)
{
    if (!pool->stopping) {
        pool->stopping = 1;
        pool->stop_deadline_ms = now + pool->settings.shutdown_timeout_ms;
        note(pool, LUME_LOG_INFO, "stop", "signal %d: stopping %d workers gracefully", signo,
             live_workers(pool));
        signal_all(pool, SIGTERM);
    } else if (!pool->killed) {
        note(pool, LUME_LOG_WARN, "stop_now", "signal %d again: killing workers", signo);
        signal_all(pool, SIGKILL);
        pool->killed = 1;
    }
}

/* Stopping: done when none is left; kill the rest at the deadline. */
static void finish(lume_pool *pool, int64_t now)
{
    if (live_workers(pool) == 0) {
        pool->plan.done = 1;
    } else if (!pool->killed && now >= pool->stop_deadline_ms) {
        note(pool, LUME_LOG_WARN, "stop_timeout", "%d workers still busy after %lld ms; killing",
             live_workers(pool), (long long)pool->settings.shutdown_timeout_ms);
        signal_all(pool, SIGKILL);
        pool->killed = 1;
    }
}

/* Keep settings.workers workers of the current generation; during a reload,
 * start one new worker, then stop one old one, until none is old. */
static void maintain(lume_pool *pool, int64_t now)
{
    int current = 0, old = 0, old_stopping = 0, index;
    long workers = pool->settings.workers;

    for (int i = 0; i < LUME_POOL_SLOTS; i++) {
        const slot *s = &pool->slots[i];
        if (s->state == SLOT_FREE)
            continue;
        if (s->generation != pool->settings.generation)
            s->stopping ? old_stopping++ : old++;
        else if (!s->stopping)
            current++;
    }
    if (now < pool->respawn_at_ms)
        return;
    /* Replace the dead; during a reload keep the total steady. */
    while (current + old < workers && (index = free_slot(pool)) >= 0) {
        if (spawn(pool, index, now, pool->filled ? LUME_SPAWN_REPLACE : LUME_SPAWN_START) != 0)
            return;
        current++;
    }
    if (current + old >= workers)
        pool->filled = 1; /* from now on, a spawn replaces a worker */
    if (old > 0 && old_stopping == 0) {
        if (current < workers && (index = free_slot(pool)) >= 0 &&
            spawn(pool, index, now, LUME_SPAWN_RELOAD) == 0)
            current++;
        for (int i = 0; i < LUME_POOL_SLOTS; i++) {
            const slot *s = &pool->slots[i];
            if (s->state == SLOT_RUNNING && s->generation != pool->settings.generation &&
                !s->stopping) {
                stop_worker(pool, i, SIGTERM);
                break;
            }
        }
        return;
    }
    /* Fewer workers than running: stop the extra ones. */
    for (int i = 0; i < LUME_POOL_SLOTS && old == 0 && current > workers; i++) {
        if (pool->slots[i].state == SLOT_RUNNING && !pool->slots[i].stopping) {
            stop_worker(pool, i, SIGTERM);
            current--;
        }
    }
}

/* When the step wants to run next: the stop deadline, the end of a back-off,
 * or the heartbeat, whichever comes first. */
static int64_t wake_at(const lume_pool *pool, int64_t now)
{
    int64_t wait = LUME_POOL_HEARTBEAT_MS;

    if (pool->stopping && !pool->killed)
        wait = pool->stop_deadline_ms - now;
    else if (pool->respawn_at_ms > now)
        wait = pool->respawn_at_ms - now;
    if (wait < 0)
        wait = 0;
    return now + (wait > LUME_POOL_HEARTBEAT_MS ? LUME_POOL_HEARTBEAT_MS : wait);
}

const lume_pool_plan *lume_pool_step(lume_pool *pool, const lume_pool_event *events, size_t n,
                                     int64_t now_ms)
{
    pool->plan.n = 0;
    pool->plan.done = 0;
    for (size_t i = 0; i < n; i++) {
        const lume_pool_event *e = &events[i];
        switch (e->kind) {
        case LUME_POOL_EXITED: exited(pool, e->pid, e->status, now_ms); break;
        case LUME_POOL_RELOADED: reloaded(pool, &e->settings); break;
        case LUME_POOL_STOP: stop(pool, e->signo, now_ms); break;
        }
    }
    if (pool->stopping)
        finish(pool, now_ms);
    else
        maintain(pool, now_ms);
    pool->plan.wake_ms = wake_at(pool, now_ms);
    return &pool->plan;
}
