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
 * SIGKILL, one spawn, two lines when its worker exits (the exit and a
 * back-off), a timeout or an idle line and the brake's; plus the lines of a
 * stop, a second stop, a stop timeout, a growth and the brake's release.
 * push() refuses more, in any case.
 */
#define NSLOTS      (LUME_POOL_SLOTS + 2) /* the workers', the responder's and the indexer's */
#define NHELPERS    2                     /* the responder and the indexer */
#define ACTIONS_MAX (NSLOTS * 8 + 8)

typedef enum slot_state { SLOT_FREE = 0, SLOT_STARTING, SLOT_RUNNING } slot_state;

typedef struct slot {
    slot_state state;
    pid_t pid;           /* SLOT_RUNNING */
    unsigned generation; /* configuration it was started with */
    int64_t started_ms;
    int stopping;  /* asked to stop */
    int timed_out; /* killed for a request past worker_timeout_ms */
    int retired;   /* asked to stop for being idle */
    /* From the scoreboard (LUME_POOL_SEEN). */
    int seen;                  /* at least once since it started */
    int busy;                  /* at the last look */
    unsigned long long served; /* at the last look */
    int64_t active_ms;         /* last seen busy, or serving since the look before */
} slot;

struct lume_pool {
    lume_pool_settings settings;
    slot slots[NSLOTS];
    int stopping; /* a stop was asked: no more spawns */
    int killed;   /* SIGKILL sent to the rest */
    int64_t stop_deadline_ms;
    int crash_streak;      /* workers in a row that died young */
    int64_t respawn_at_ms; /* back-off: no spawn before */
    int filled;            /* the pool was full once: spawns since replace workers */
    long target;           /* workers wanted now: settings.workers .. workers_max */
    int grow_by;           /* a dynamic pool's next growth (doubles while all are busy) */
    long grew;             /* spawns still owed to a growth (their cause is "grow") */
    int64_t crashes[LUME_POOL_BRAKE_MAX]; /* times of the last crashes, a ring */
    int ncrashes, next_crash;
    int braking; /* the crash brake is on */
    int64_t last_crash_ms;
    int64_t brake_spawn_at_ms; /* braking: no spawn before */
    int64_t helper_at_ms[NHELPERS]; /* no spawn of the helper before */
    int helper_streak[NHELPERS];    /* its failures in a row */
    lume_pool_plan plan;
    lume_pool_action actions[ACTIONS_MAX];
};

lume_pool *lume_pool_create(const lume_pool_settings *settings)
{
    lume_pool *pool = calloc(1, sizeof(*pool));

    if (pool != NULL) {
        pool->settings = *settings;
        pool->target = settings->workers;
        pool->grow_by = 1;
        pool->plan.actions = pool->actions;
    }
    return pool;
}

static int dynamic(const lume_pool *pool)
{
    return pool->settings.workers_max > pool->settings.workers;
}

long lume_pool_target(const lume_pool *pool)
{
    return pool->target;
}

int lume_pool_braking(const lume_pool *pool)
{
    return pool->braking;
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

    if (index < 0 || index >= NSLOTS)
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
    for (int i = 0; i < NSLOTS; i++)
        stop_worker(pool, i, signo);
}

/* Running processes, the responder included unless only workers are asked for. */
static int live(const lume_pool *pool, int workers_only)
{
    int n = 0;

    for (int i = 0; i < (workers_only ? LUME_POOL_SLOTS : NSLOTS); i++)
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
    for (int i = 0; i < NSLOTS; i++)
        if (pool->slots[i].state == SLOT_RUNNING && pool->slots[i].pid == pid)
            return i;
    return -1;
}

/* The helper of a slot (0: the responder, 1: the indexer), or -1 for a worker's. */
static int helper_of(int index)
{
    return index >= LUME_POOL_SLOTS && index < NSLOTS ? index - LUME_POOL_SLOTS : -1;
}

static int helper_wanted(const lume_pool *pool, int h)
{
    return h == 0 ? pool->settings.responder : pool->settings.indexer;
}

static const char *exit_event(int index)
{
    static const char *const helpers[NHELPERS] = {"responder_exit", "indexer_exit"};
    int h = helper_of(index);

    return h >= 0 ? helpers[h] : "worker_exit";
}

static int fault(int signo);

/* A helper ended, not asked to: count a failure in its streak, and say when
 * it may be started again (see pool.h). */
static void helper_exited(lume_pool *pool, int h, const slot *s, int status, int64_t now)
{
    int failed = (WIFSIGNALED(status) && fault(WTERMSIG(status))) ||
                 (WIFEXITED(status) && WEXITSTATUS(status) != 0);
    int64_t at = s->started_ms + LUME_POOL_YOUNG_MS;

    if (s->stopping || pool->stopping || !failed ||
        now - s->started_ms >= LUME_POOL_HELPER_STABLE_MS) {
        pool->helper_streak[h] = 0;
    } else if (++pool->helper_streak[h] > 1) {
        int shift = pool->helper_streak[h] - 1 < 16 ? pool->helper_streak[h] - 1 : 16;
        int64_t delay = (int64_t)LUME_POOL_YOUNG_MS << shift;

        if (delay > LUME_POOL_HELPER_BACKOFF_MAX_MS)
            delay = LUME_POOL_HELPER_BACKOFF_MAX_MS;
        if (now + delay > at)
            at = now + delay;
        note(pool, LUME_LOG_WARN, "respawn_backoff", "the %s failed %d times in a row; next in %lld ms",
             h == 0 ? "health responder" : "indexer", pool->helper_streak[h], (long long)delay);
    }
    pool->helper_at_ms[h] = at;
}

/* A signal of a program fault: what the crash brake counts (php-fpm counts
 * SIGSEGV and SIGBUS). A SIGKILL (an operator, the OOM killer) is none. */
static int fault(int signo)
{
    return signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE ||
           signo == SIGABRT;
}

/* A crash at now: count it in the window, and engage the brake when the
 * window holds brake_threshold of them. */
static void crashed(lume_pool *pool, int64_t now)
{
    int threshold = pool->settings.brake_threshold, in_window = 0;
    int64_t interval = pool->settings.brake_interval_ms;

    pool->last_crash_ms = now;
    if (threshold <= 0 || threshold > LUME_POOL_BRAKE_MAX)
        return;
    pool->crashes[pool->next_crash] = now;
    pool->next_crash = (pool->next_crash + 1) % threshold;
    if (pool->ncrashes < threshold)
        pool->ncrashes++;
    for (int i = 0; i < pool->ncrashes; i++)
        in_window += now - pool->crashes[i] < interval;
    if (in_window >= threshold && !pool->braking) {
        pool->braking = 1;
        pool->brake_spawn_at_ms = now + interval / threshold;
        note(pool, LUME_LOG_ERROR, "crash_brake",
             "%d crashes within %lld ms: one spawn every %lld ms until %lld ms pass without one",
             threshold, (long long)interval, (long long)(interval / threshold),
             (long long)interval);
    }
}

static void release_brake(lume_pool *pool, int64_t now)
{
    if (pool->braking && now - pool->last_crash_ms >= pool->settings.brake_interval_ms) {
        pool->braking = 0;
        pool->ncrashes = pool->next_crash = 0;
        note(pool, LUME_LOG_INFO, "crash_brake_released",
             "no worker crashed for %lld ms: spawning as usual",
             (long long)pool->settings.brake_interval_ms);
    }
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
    if (s->timed_out)
        cause = LUME_EXIT_TIMEOUT;
    else if (s->retired && !pool->stopping)
        cause = LUME_EXIT_IDLE;
    else if (WIFSIGNALED(status))
        cause = asked ? LUME_EXIT_STOPPED : LUME_EXIT_SIGNAL;
    else if (clean)
        cause = asked ? LUME_EXIT_STOPPED : LUME_EXIT_RECYCLED;
    else
        cause = LUME_EXIT_ERROR;
    if (WIFSIGNALED(status))
        note_worker(pool, s->stopping && !s->timed_out ? LUME_LOG_INFO : LUME_LOG_WARN,
                    exit_event(index), index, "signal", WTERMSIG(status), (int)cause);
    else
        note_worker(pool, clean ? LUME_LOG_INFO : LUME_LOG_WARN, exit_event(index), index,
                    "status", WEXITSTATUS(status), (int)cause);
    if (helper_of(index) >= 0) {
        /* Not a worker: no crash streak, no brake; replaced a second after
         * its start, later when it keeps failing. */
        helper_exited(pool, helper_of(index), s, status, now);
        memset(s, 0, sizeof(*s));
        return;
    }
    if (!pool->stopping && !s->stopping && WIFSIGNALED(status) && fault(WTERMSIG(status)))
        crashed(pool, now);
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

/* What the scoreboard shows of a worker (LUME_POOL_SEEN). */
static void seen(lume_pool *pool, const lume_pool_event *e, int64_t now)
{
    slot *s;

    if (e->slot < 0 || e->slot >= LUME_POOL_SLOTS)
        return;
    s = &pool->slots[e->slot];
    if (s->state != SLOT_RUNNING || s->pid != e->pid)
        return; /* a line from before, or of a worker not yet started */
    if (!s->seen || e->busy || e->served != s->served)
        s->active_ms = now;
    s->seen = 1;
    s->busy = e->busy;
    s->served = e->served;
    if (pool->settings.worker_timeout_ms > 0 && e->busy && !s->timed_out &&
        e->busy_ms > pool->settings.worker_timeout_ms && !pool->stopping) {
        lume_pool_action *a;

        s->timed_out = 1;
        stop_worker(pool, e->slot, SIGKILL);
        a = push(pool, LUME_POOL_LOG, e->slot);
        if (a != NULL) {
            a->level = LUME_LOG_WARN;
            a->event = "worker_timeout";
            a->key = "busy_ms";
            a->value = e->busy_ms;
            snprintf(a->request_id, sizeof(a->request_id), "%s", e->request_id);
        }
    }
}

static void reloaded(lume_pool *pool, const lume_pool_settings *settings)
{
    if (pool->stopping)
        return;
    pool->settings = *settings;
    pool->crash_streak = 0;
    pool->respawn_at_ms = 0;
    pool->braking = 0;
    pool->ncrashes = pool->next_crash = 0;
    pool->target = pool->target < settings->workers       ? settings->workers
                   : pool->target > settings->workers_max ? settings->workers
                                                          : pool->target;
    pool->grow_by = 1;
    pool->grew = 0;
    /* The helpers take the new configuration too: replaced once they have
     * stopped (the indexer then scans again). */
    for (int h = 0; h < NHELPERS; h++) {
        stop_worker(pool, LUME_POOL_SLOTS + h, SIGTERM);
        pool->helper_at_ms[h] = 0;
        pool->helper_streak[h] = 0;
    }
}

/* The first stop asks every worker to finish; the second kills them. */
static void stop(lume_pool *pool, int signo, int64_t now)
{
    if (!pool->stopping) {
        pool->stopping = 1;
        pool->stop_deadline_ms = now + pool->settings.shutdown_timeout_ms;
        note(pool, LUME_LOG_INFO, "stop", "signal %d: stopping %d workers gracefully", signo,
             live(pool, 1));
        push(pool, LUME_POOL_STOP_LISTENING, -1);
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
    if (live(pool, 0) == 0) {
        pool->plan.done = 1;
    } else if (!pool->killed && now >= pool->stop_deadline_ms) {
        note(pool, LUME_LOG_WARN, "stop_timeout", "%d workers still busy after %lld ms; killing",
             live(pool, 1), (long long)pool->settings.shutdown_timeout_ms);
        signal_all(pool, SIGKILL);
        pool->killed = 1;
    }
}

/* The helpers: started with the pool, replaced when they have exited. */
static void keep_helpers(lume_pool *pool, int64_t now)
{
    for (int h = 0; h < NHELPERS; h++)
        if (helper_wanted(pool, h) && pool->slots[LUME_POOL_SLOTS + h].state == SLOT_FREE &&
            now >= pool->helper_at_ms[h])
            spawn(pool, LUME_POOL_SLOTS + h, now, LUME_SPAWN_START);
}

/* A dynamic pool: grow when every worker is busy, retire those idle too long. */
static void scale(lume_pool *pool, int64_t now)
{
    int running = 0, busy = 0;
    long above;

    for (int i = 0; i < LUME_POOL_SLOTS; i++) {
        const slot *s = &pool->slots[i];
        if (s->state == SLOT_FREE || s->stopping)
            continue;
        running++;
        busy += s->state == SLOT_RUNNING && s->seen && s->busy;
    }
    if (running > 0 && busy == running && running >= pool->target) {
        if (pool->target < pool->settings.workers_max) {
            long before = pool->target;

            pool->target += pool->grow_by;
            if (pool->target > pool->settings.workers_max)
                pool->target = pool->settings.workers_max;
            pool->grew += pool->target - before;
            note(pool, LUME_LOG_INFO, "pool_grow", "all %d workers busy: growing to %ld (max %ld)",
                 running, pool->target, pool->settings.workers_max);
            if (pool->grow_by < LUME_POOL_GROW_MAX)
                pool->grow_by *= 2;
        }
        return;
    }
    pool->grow_by = 1;
    pool->grew = 0; /* a growth not spawned yet is no longer wanted */
    above = running - pool->settings.workers;
    for (int i = 0; i < LUME_POOL_SLOTS && above > 0; i++) {
        slot *s = &pool->slots[i];
        if (s->state != SLOT_RUNNING || s->stopping || !s->seen || s->busy ||
            now - s->active_ms < pool->settings.idle_timeout_ms)
            continue;
        note_worker(pool, LUME_LOG_INFO, "worker_idle", i, "idle_ms", now - s->active_ms, -1);
        stop_worker(pool, i, SIGTERM);
        s->retired = 1;
        above--;
        if (pool->target > pool->settings.workers)
            pool->target--; /* the pool is one smaller */
    }
}

/* Keep the target of workers of the current generation (settings.workers,
 * or more in a grown dynamic pool); during a reload, start one new worker,
 * then stop one old one, until none is old. */
static void census(const lume_pool *pool, int *current, int *old, int *old_stopping)
{
    *current = *old = *old_stopping = 0;
    for (int i = 0; i < LUME_POOL_SLOTS; i++) {
        const slot *s = &pool->slots[i];
        if (s->state == SLOT_FREE)
            continue;
        if (s->generation != pool->settings.generation)
            s->stopping ? (*old_stopping)++ : (*old)++;
        else if (!s->stopping)
            (*current)++;
    }
}

static void maintain(lume_pool *pool, int64_t now)
{
    int current, old, old_stopping, index;
    long workers;

    release_brake(pool, now);
    keep_helpers(pool, now);
    census(pool, &current, &old, &old_stopping);
    if (dynamic(pool) && old == 0 && old_stopping == 0 && now >= pool->respawn_at_ms) {
        scale(pool, now);
        census(pool, &current, &old, &old_stopping);
    }
    workers = pool->target;
    if (now < pool->respawn_at_ms)
        return;
    /* Replace the dead, grow; during a reload keep the total steady. While
     * braking, one spawn at a time. */
    while (current + old < workers && (index = free_slot(pool)) >= 0) {
        lume_spawn_cause cause = pool->filled ? LUME_SPAWN_REPLACE : LUME_SPAWN_START;

        if (pool->braking) {
            if (now < pool->brake_spawn_at_ms)
                break;
            pool->brake_spawn_at_ms =
                now + pool->settings.brake_interval_ms / pool->settings.brake_threshold;
        }
        if (pool->grew > 0) {
            cause = LUME_SPAWN_GROW;
            pool->grew--;
        }
        if (spawn(pool, index, now, cause) != 0)
            return;
        current++;
        if (pool->braking)
            break;
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
 * the brake's next spawn, a helper's, or the heartbeat (the scaling
 * period for a dynamic pool), whichever comes first. */
static int64_t wake_at(const lume_pool *pool, int64_t now)
{
    int64_t at =
        now + (dynamic(pool) && !pool->stopping ? LUME_POOL_SCALE_MS : LUME_POOL_HEARTBEAT_MS);

#define SOONER(t)                                                                                  \
    do {                                                                                           \
        if ((t) < at)                                                                              \
            at = (t);                                                                              \
    } while (0)
    if (pool->stopping) {
        if (!pool->killed)
            SOONER(pool->stop_deadline_ms);
    } else {
        if (pool->respawn_at_ms > now)
            SOONER(pool->respawn_at_ms);
        if (pool->braking && pool->brake_spawn_at_ms > now)
            SOONER(pool->brake_spawn_at_ms);
        for (int h = 0; h < NHELPERS; h++)
            if (helper_wanted(pool, h) && pool->slots[LUME_POOL_SLOTS + h].state == SLOT_FREE)
                SOONER(pool->helper_at_ms[h]);
    }
#undef SOONER
    return at < now ? now : at;
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
        case LUME_POOL_SEEN: seen(pool, e, now_ms); break;
        }
    }
    if (pool->stopping)
        finish(pool, now_ms);
    else
        maintain(pool, now_ms);
    pool->plan.wake_ms = wake_at(pool, now_ms);
    return &pool->plan;
}
