/*
 * pool.h: the pool of worker slots and its maintenance step.
 *
 * The step is pure: given what happened (workers that exited, a reload, a
 * stop signal) and the time, it updates the slots and returns the actions to
 * take (fork a worker into a slot, signal a worker, write a log line) and when
 * to be called again. It forks, kills, waits and reads no clock itself:
 * master.c does that, so the rules below are tested without processes or
 * timing (tests/fcgi-app/test_pool.c), like php-fpm's fpm_pctl state machine
 * driven by its events.
 *
 *   - the pool keeps settings.workers workers of the current generation (the
 *     configuration they were started with); a dynamic pool (workers_max
 *     above workers) keeps between workers and workers_max;
 *   - a worker that exits is replaced at once. One that dies young (within
 *     1 s, not asked to stop, not a clean exit) starts a crash streak: the
 *     next spawn waits 100 ms, doubling with each young death in a row up to
 *     10 s. A worker that lived 1 s or exited cleanly (a recycle after
 *     max_requests) ends the streak;
 *   - the crash brake (php-fpm's emergency_restart_threshold and _interval):
 *     brake_threshold crashes (deaths by a fault signal nobody asked for:
 *     SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT; at any age) within
 *     brake_interval_ms engage it, with one error line; while it
 *     is on, at most one worker is spawned every brake_interval_ms /
 *     brake_threshold, however many are missing. It is released (one info
 *     line) once brake_interval_ms pass without a crash;
 *   - the master reports what the scoreboard shows (LUME_POOL_SEEN, every
 *     step): a worker busy in one request for longer than worker_timeout_ms
 *     is killed (SIGKILL, php-fpm's request_terminate_timeout) with a line
 *     that names the request, and replaced;
 *   - a dynamic pool grows when every worker it has is busy at a step: one
 *     more, then twice as many at each step that still finds them all busy
 *     (up to LUME_POOL_GROW_MAX at once, as php-fpm's pm = dynamic), never
 *     past workers_max; a worker idle for idle_timeout_ms while the pool is
 *     above workers is retired (SIGTERM), as php-fpm's
 *     pm.process_idle_timeout. A dynamic pool is looked at every
 *     LUME_POOL_SCALE_MS;
 *   - with a responder (the health responder, health.h), one more process is
 *     kept in slot LUME_POOL_RESPONDER: started with the workers, replaced
 *     when it exits (not sooner than 1 s after it was started), replaced on
 *     a reload, stopped with the workers. It never counts as a worker;
 *   - with a provider's background process (the library's indexer,
 *     provider.h), one more in slot LUME_POOL_INDEXER, kept by the same
 *     rules as the responder (both are "helpers"). A helper that keeps
 *     failing (it exits with an error status or on a fault signal, again and
 *     again) is restarted after a growing back-off: 1 s after its start the
 *     first time, then 2 s, 4 s, ... after its exit, up to
 *     LUME_POOL_HELPER_BACKOFF_MAX_MS; an exit of another kind (a SIGKILL, a
 *     clean exit) or one after LUME_POOL_HELPER_STABLE_MS of life ends the
 *     streak;
 *   - a reload (a new generation) replaces the old workers one at a time:
 *     one new worker is started, then one old one is asked to stop (SIGTERM),
 *     and the next only once that one has exited. It forgets the crash streak
 *     and releases the brake;
 *   - a stop asks every worker to stop (SIGTERM) and spawns nothing more;
 *     those still running shutdown_timeout_ms later are killed (SIGKILL). A
 *     second stop kills them at once. The pool is done when none is left.
 *
 * One step per wake of the master:
 *
 *     plan = lume_pool_step(pool, events, n, now_ms);
 *     for each action: SPAWN  -> fork, then lume_pool_started(pool, slot, pid)
 *                      SIGNAL -> kill(pid, signo)
 *                      LOG    -> write the line
 *     stop when plan->done; else wait for signals until plan->wake_ms.
 */
#ifndef LUME_POOL_H
#define LUME_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "metrics.h"

#define LUME_POOL_SLOTS     (LUME_MAX_WORKERS * 2) /* old and new generations during a reload */
#define LUME_POOL_RESPONDER LUME_POOL_SLOTS /* the health responder's slot, past the workers' */
#define LUME_POOL_INDEXER   (LUME_POOL_SLOTS + 1) /* a provider's background process (the
                                                     library's indexer), past the responder's */

#define LUME_POOL_YOUNG_MS         1000  /* a worker that dies younger crashed early */
#define LUME_POOL_BACKOFF_FIRST_MS 100   /* the first back-off; it doubles */
#define LUME_POOL_BACKOFF_MAX_MS   10000 /* and stops growing here */
#define LUME_POOL_HEARTBEAT_MS     1000  /* the step is called at least this often */
#define LUME_POOL_SCALE_MS         200   /* and this often for a dynamic pool */
#define LUME_POOL_GROW_MAX         32    /* the most workers a dynamic pool adds at once */
#define LUME_POOL_BRAKE_MAX        1000  /* the highest brake_threshold */
#define LUME_POOL_ID_LEN           72    /* a request id in a line, NUL included */
#define LUME_POOL_HELPER_BACKOFF_MAX_MS 60000 /* a failing helper's longest back-off */
#define LUME_POOL_HELPER_STABLE_MS      60000 /* a helper that lived this long did not fail young */

typedef struct lume_pool lume_pool;

typedef struct lume_pool_settings {
    unsigned generation;         /* the configuration's number; workers of another are old */
    long workers;                /* workers to keep, 1..LUME_MAX_WORKERS: at least that many */
    long workers_max;            /* a dynamic pool grows up to this; <= workers: static */
    int64_t idle_timeout_ms;     /* a dynamic pool retires a worker idle this long */
    int64_t worker_timeout_ms;   /* kill a worker busy in one request this long; 0: never */
    int brake_threshold;         /* crashes within brake_interval_ms that brake; 0: never */
    int64_t brake_interval_ms;   /* ... */
    int responder;               /* keep a health responder in LUME_POOL_RESPONDER */
    int indexer;                 /* keep a provider's background process in LUME_POOL_INDEXER */
    int64_t shutdown_timeout_ms; /* graceful stop budget, then SIGKILL */
} lume_pool_settings;

typedef enum lume_pool_event_kind {
    LUME_POOL_EXITED,   /* a worker process ended: pid, status */
    LUME_POOL_RELOADED, /* a new configuration was loaded: settings */
    LUME_POOL_STOP,     /* a stop signal arrived: signo */
    LUME_POOL_SEEN /* a worker's scoreboard line: slot, pid, busy, served, busy_ms, request_id */
} lume_pool_event_kind;

typedef struct lume_pool_event {
    lume_pool_event_kind kind;
    pid_t pid;                         /* EXITED */
    int status;                        /* EXITED: as waitpid() gives it */
    int signo;                         /* STOP */
    lume_pool_settings settings;       /* RELOADED */
    int slot;                          /* SEEN */
    int busy;                          /* SEEN: reading or serving a request */
    unsigned long long served;         /* SEEN: requests served so far */
    int64_t busy_ms;                   /* SEEN: in the request in hand for so long; 0: none */
    char request_id[LUME_POOL_ID_LEN]; /* SEEN: of the request in hand; "" when unknown */
} lume_pool_event;

typedef enum lume_pool_action_kind {
    LUME_POOL_SPAWN,  /* start a worker of generation in slot; report with lume_pool_started() */
    LUME_POOL_SIGNAL, /* send signo to the worker pid (in slot) */
    LUME_POOL_LOG,    /* write a log line at level: event, then either the worker's fields
                         (pid, slot, generation, and key: value when key is set) or message */
    LUME_POOL_STOP_LISTENING /* a stop began: take no more connections (the workers
                                serve what is queued, then leave) */
} lume_pool_action_kind;

typedef struct lume_pool_action {
    lume_pool_action_kind kind;
    int slot;            /* SPAWN, SIGNAL, LOG about a worker; else -1 */
    pid_t pid;           /* SIGNAL, LOG about a worker */
    unsigned generation; /* SPAWN, SIGNAL, LOG about a worker */
    int signo;           /* SIGNAL */
    int level;           /* LOG: LUME_LOG_* */
    const char *event;   /* LOG */
    const char *key;     /* LOG about a worker: "signal", "status", "busy_ms"; or NULL */
    long long value;
    char request_id[LUME_POOL_ID_LEN]; /* LOG "worker_timeout": the request it was stuck in */
    int cause;        /* SPAWN: lume_spawn_cause; LOG "worker_exit": lume_exit_cause; else -1 */
    char message[96]; /* LOG not about a worker */
} lume_pool_action;

/* What a step asks for; it stays valid until the next call on the pool. */
typedef struct lume_pool_plan {
    const lume_pool_action *actions; /* to take in this order */
    size_t n;
    int64_t wake_ms; /* call lume_pool_step() again by then, at the latest */
    int done;        /* stopping and no worker left: the master may exit */
} lume_pool_plan;

/* An empty pool (its first step spawns the workers); NULL when out of memory. */
lume_pool *lume_pool_create(const lume_pool_settings *settings);
void lume_pool_destroy(lume_pool *pool);

/* Take the events in order, then maintain the pool at now_ms. */
const lume_pool_plan *lume_pool_step(lume_pool *pool, const lume_pool_event *events, size_t n,
                                     int64_t now_ms);

/* The outcome of a SPAWN action, before the next step: the worker's pid, or
 * -1 when it could not be started (the slot is free again). */
void lume_pool_started(lume_pool *pool, int slot, pid_t pid);

/* Has a stop been asked for? (Then a reload is pointless.) */
int lume_pool_stopping(const lume_pool *pool);

/* The workers the pool wants now (between workers and workers_max). */
long lume_pool_target(const lume_pool *pool);

/* Is the crash brake on? */
int lume_pool_braking(const lume_pool *pool);

#endif
