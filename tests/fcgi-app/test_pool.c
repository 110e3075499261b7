/*
 * test_pool.c: how the master keeps its workers (pool.h), without processes
 * or clocks. Each scenario plays the master: it feeds the pool what happened
 * (a worker exited, a reload, a stop signal) at a given time, takes the plan
 * that comes back and "performs" it (a spawn gets the next fake pid), then
 * checks what the pool asked for.
 *
 *   - a worker that exits is replaced at once, and one that exits cleanly
 *     (recycled after max_requests) never counts as a crash;
 *   - workers that die young in a row are replaced after a back-off of
 *     100 ms, doubling up to 10 s; a worker that lived 1 s ends the streak;
 *   - a reload replaces the workers one at a time: a new one is started
 *     before an old one is asked to stop, and the next old one only once
 *     that one is gone;
 *   - a stop first stops the listener (no more connections; a reload keeps
 *     it), then asks every worker to finish (SIGTERM) and spawns nothing more;
 *     after the shutdown timeout the rest are killed (SIGKILL), and a second
 *     stop kills them at once; the pool is done when none is left;
 *   - every spawn and every exit carries its cause, which the master counts
 *     (metrics.h): start, replace, reload or grow; stopped, recycled, error,
 *     signal, timeout or idle;
 *   - a worker the scoreboard shows busy in one request past the worker
 *     timeout is killed (SIGKILL) with a line naming the request, and
 *     replaced at once: a timeout is not a crash;
 *   - a dynamic pool grows when every worker is busy (1, then 2, 4, ... at
 *     a time, never past the maximum), and retires the workers idle for the
 *     idle timeout, never below the minimum;
 *   - the crash brake: so many crashes (deaths by a fault signal, not a
 *     kill -9 or an exit status) within the interval log one error line
 *     and then at most one worker is spawned every interval / threshold, until
 *     an interval passes without a crash;
 *   - the health responder is kept beside the workers, replaced when it
 *     exits (not sooner than a second after its start) and on a reload, and
 *     stopped with them;
 *   - so is a provider's background process, the library's indexer (slot
 *     LUME_POOL_INDEXER), only when asked for; one that keeps failing is
 *     restarted after a growing back-off (2 s, 4 s, ... up to 60 s after its
 *     exit), reset by a reload or by a kill that is not a fault.
 */
#include "lib/unit.h"

#include <signal.h>
#include <sys/wait.h>

#include "log.h"
#include "pool.h"

#define T0 INT64_C(1000000) /* "now" at the start of every scenario */

#define SHUTDOWN_MS 5000

/* The master's side of a scenario: the pool, and the last step's plan. */
typedef struct sim {
    lume_pool *pool;
    const lume_pool_plan *plan;
    pid_t next_pid;
} sim;

static lume_pool_settings settings(unsigned generation, long workers)
{
    return (lume_pool_settings){
        .generation = generation, .workers = workers, .shutdown_timeout_ms = SHUTDOWN_MS};
}

/* One step at now: spawns get pids 101, 102, ... in order. */
static void step_at(sim *s, int64_t now, const lume_pool_event *events, size_t n)
{
    s->plan = lume_pool_step(s->pool, events, n, now);
    for (size_t i = 0; i < s->plan->n; i++)
        if (s->plan->actions[i].kind == LUME_POOL_SPAWN)
            lume_pool_started(s->pool, s->plan->actions[i].slot, s->next_pid++);
}

static void step1(sim *s, int64_t now, lume_pool_event e)
{
    step_at(s, now, &e, 1);
}

/* A pool of these settings, started at T0: pids 101... */
static sim *start_with(lume_pool_settings first)
{
    sim *s = calloc(1, sizeof(*s));

    assert_non_null(s);
    s->pool = lume_pool_create(&first);
    assert_non_null(s->pool);
    s->next_pid = 101;
    step_at(s, T0, NULL, 0);
    return s;
}

/* A pool of `workers` workers of generation 1, started at T0: pids 101... */
static sim *start(long workers)
{
    return start_with(settings(1, workers));
}

static void finish(sim *s)
{
    lume_pool_destroy(s->pool);
    free(s);
}

static lume_pool_event exited(pid_t pid, int status)
{
    return (lume_pool_event){.kind = LUME_POOL_EXITED, .pid = pid, .status = status};
}

static lume_pool_event reloaded(unsigned generation, long workers)
{
    return (lume_pool_event){.kind = LUME_POOL_RELOADED, .settings = settings(generation, workers)};
}

static lume_pool_event stop(int signo)
{
    return (lume_pool_event){.kind = LUME_POOL_STOP, .signo = signo};
}

/* What the scoreboard shows of the worker pid in slot. */
static lume_pool_event seen(int slot, pid_t pid, int busy, unsigned long long served,
                            int64_t busy_ms, const char *request_id)
{
    lume_pool_event e = {.kind = LUME_POOL_SEEN,
                         .slot = slot,
                         .pid = pid,
                         .busy = busy,
                         .served = served,
                         .busy_ms = busy_ms};

    snprintf(e.request_id, sizeof(e.request_id), "%s", request_id);
    return e;
}

/* waitpid() statuses */
#define exit_status(code) W_EXITCODE(code, 0)
#define killed_by(signo)  W_EXITCODE(0, signo)

/* What the last plan holds. */
static size_t count(const sim *s, lume_pool_action_kind kind)
{
    size_t n = 0;

    for (size_t i = 0; i < s->plan->n; i++)
        n += s->plan->actions[i].kind == kind;
    return n;
}

static size_t spawns(const sim *s)
{
    return count(s, LUME_POOL_SPAWN);
}

/* The signal the last plan sends to pid, or 0. */
static int signal_to(const sim *s, pid_t pid)
{
    for (size_t i = 0; i < s->plan->n; i++)
        if (s->plan->actions[i].kind == LUME_POOL_SIGNAL && s->plan->actions[i].pid == pid)
            return s->plan->actions[i].signo;
    return 0;
}

/* The last plan's log line with this event, or NULL. */
static const lume_pool_action *logged(const sim *s, const char *event)
{
    for (size_t i = 0; i < s->plan->n; i++)
        if (s->plan->actions[i].kind == LUME_POOL_LOG &&
            strcmp(s->plan->actions[i].event, event) == 0)
            return &s->plan->actions[i];
    return NULL;
}

/* Position of the first action of kind in the last plan, or -1. */
static int first(const sim *s, lume_pool_action_kind kind)
{
    for (size_t i = 0; i < s->plan->n; i++)
        if (s->plan->actions[i].kind == kind)
            return (int)i;
    return -1;
}

/* The cause of the last plan's first spawn. */
static int spawn_cause(const sim *s)
{
    int i = first(s, LUME_POOL_SPAWN);

    assert_true(i >= 0);
    return s->plan->actions[i].cause;
}

/* --- starting and replacing ------------------------------------------- */

static void test_the_first_step_starts_every_worker(void **state)
{
    sim *s = start(3);

    (void)state;
    assert_int_equal(s->plan->n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s->plan->actions[i].kind, LUME_POOL_SPAWN);
        assert_int_equal(s->plan->actions[i].slot, i);
        assert_int_equal(s->plan->actions[i].generation, 1);
    }
    step_at(s, T0 + 10, NULL, 0);
    assert_int_equal(s->plan->n, 0); /* all there: nothing to do */
    finish(s);
}

static void test_a_worker_that_dies_is_replaced_at_once(void **state)
{
    sim *s = start(2);
    const lume_pool_action *line;

    (void)state;
    step1(s, T0 + 5000, exited(101, killed_by(SIGKILL)));
    assert_int_equal(spawns(s), 1);
    assert_int_equal(s->plan->actions[first(s, LUME_POOL_SPAWN)].slot, 0); /* its slot */
    line = logged(s, "worker_exit");
    assert_non_null(line);
    assert_int_equal(line->level, LUME_LOG_WARN); /* nobody asked it to stop */
    assert_int_equal(line->pid, 101);
    assert_int_equal(line->slot, 0);
    assert_string_equal(line->key, "signal");
    assert_int_equal(line->value, SIGKILL);
    assert_null(logged(s, "respawn_backoff"));
    finish(s);
}

static void test_the_exit_line_says_how_the_worker_ended(void **state)
{
    static const struct {
        int status;
        int level;
        const char *key;
        long long value;
        lume_exit_cause cause;
    } cases[] = {
        {exit_status(0), LUME_LOG_INFO, "status", 0, LUME_EXIT_RECYCLED}, /* or master gone */
        {exit_status(3), LUME_LOG_WARN, "status", 3, LUME_EXIT_ERROR}, /* LUME_WORKER_EXIT_SETUP */
        {exit_status(4), LUME_LOG_WARN, "status", 4, LUME_EXIT_ERROR}, /* .._EXIT_ACCEPT */
        {killed_by(SIGSEGV), LUME_LOG_WARN, "signal", SIGSEGV, LUME_EXIT_SIGNAL},
        {killed_by(SIGKILL), LUME_LOG_WARN, "signal", SIGKILL, LUME_EXIT_SIGNAL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sim *s = start(1);
        const lume_pool_action *line;

        step1(s, T0 + 5000, exited(101, cases[i].status));
        line = logged(s, "worker_exit");
        assert_non_null(line);
        assert_int_equal(line->level, cases[i].level);
        assert_string_equal(line->key, cases[i].key);
        assert_int_equal(line->value, cases[i].value);
        assert_int_equal(line->cause, cases[i].cause);
        finish(s);
    }
}

static void test_spawns_say_why_a_worker_is_started(void **state)
{
    sim *s = start(2);

    (void)state;
    assert_int_equal(spawn_cause(s), LUME_SPAWN_START);
    step1(s, T0 + 5000, exited(101, killed_by(SIGKILL)));
    assert_int_equal(spawn_cause(s), LUME_SPAWN_REPLACE);
    step1(s, T0 + 6000, reloaded(2, 2));
    assert_int_equal(spawn_cause(s), LUME_SPAWN_RELOAD);
    finish(s);
}

static void test_a_worker_asked_to_stop_exits_as_stopped(void **state)
{
    sim *s = start(2);
    const lume_pool_action *line;

    (void)state;
    step1(s, T0 + 5000, stop(SIGTERM));
    step1(s, T0 + 5010, exited(101, exit_status(0)));
    line = logged(s, "worker_exit");
    assert_non_null(line);
    assert_int_equal(line->cause, LUME_EXIT_STOPPED);
    step_at(s, T0 + 5000 + SHUTDOWN_MS, NULL, 0); /* the deadline: 102 is killed */
    step1(s, T0 + 5000 + SHUTDOWN_MS + 10, exited(102, killed_by(SIGKILL)));
    line = logged(s, "worker_exit");
    assert_non_null(line);
    assert_int_equal(line->cause, LUME_EXIT_STOPPED);
    finish(s);
}

static void test_other_actions_have_no_cause(void **state)
{
    sim *s = start(1);

    (void)state;
    step1(s, T0 + 5000, stop(SIGTERM));
    assert_int_equal(count(s, LUME_POOL_SIGNAL), 1);
    for (size_t i = 0; i < s->plan->n; i++)
        assert_int_equal(s->plan->actions[i].cause, -1);
    finish(s);
}

static void test_a_pid_that_is_not_a_worker_is_ignored(void **state)
{
    sim *s = start(1);

    (void)state;
    step1(s, T0 + 5000, exited(4242, killed_by(SIGKILL)));
    assert_int_equal(s->plan->n, 0);
    finish(s);
}

static void test_a_worker_that_could_not_be_forked_is_tried_again_next_step(void **state)
{
    lume_pool_settings one = settings(1, 1);
    lume_pool *pool = lume_pool_create(&one);
    const lume_pool_plan *plan;

    (void)state;
    plan = lume_pool_step(pool, NULL, 0, T0);
    assert_int_equal(plan->n, 1);
    lume_pool_started(pool, plan->actions[0].slot, -1); /* fork failed */
    assert_true(plan->wake_ms <= T0 + 1000);            /* the heartbeat at the latest */
    plan = lume_pool_step(pool, NULL, 0, T0 + 1000);
    assert_int_equal(plan->n, 1);
    assert_int_equal(plan->actions[0].kind, LUME_POOL_SPAWN);
    assert_int_equal(plan->actions[0].slot, 0);
    lume_pool_destroy(pool);
}

/* --- recycling and crash back-off ------------------------------------- */

static void test_a_recycled_worker_is_replaced_at_once_however_young(void **state)
{
    sim *s = start(1);
    pid_t pid = 101;
    int64_t now = T0;

    (void)state;
    for (int i = 0; i < 10; i++) { /* a clean exit after 50 ms, again and again */
        now += 50;
        step1(s, now, exited(pid++, exit_status(0)));
        assert_int_equal(spawns(s), 1);
        assert_null(logged(s, "respawn_backoff"));
        assert_int_equal(logged(s, "worker_exit")->level, LUME_LOG_INFO);
    }
    finish(s);
}

static void test_workers_dying_young_in_a_row_wait_for_a_growing_back_off(void **state)
{
    static const int64_t backoff_ms[] = {100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000};
    sim *s = start(1);
    pid_t pid = 101;
    int64_t now = T0;

    (void)state;
    for (size_t i = 0; i < sizeof(backoff_ms) / sizeof(backoff_ms[0]); i++) {
        int64_t respawn_at;

        now += 10; /* dies 10 ms after it was started */
        step1(s, now, exited(pid, killed_by(SIGSEGV)));
        assert_int_equal(spawns(s), 0);
        assert_non_null(logged(s, "respawn_backoff"));
        respawn_at = now + backoff_ms[i];
        /* woken at its end, or by the 1 s heartbeat before it */
        assert_int_equal(s->plan->wake_ms, backoff_ms[i] < 1000 ? respawn_at : now + 1000);
        step_at(s, respawn_at - 1, NULL, 0);
        assert_int_equal(spawns(s), 0);
        step_at(s, respawn_at, NULL, 0);
        assert_int_equal(spawns(s), 1);
        now = respawn_at;
        pid++;
    }
    finish(s);
}

static void test_the_back_off_line_gives_the_streak_and_the_wait(void **state)
{
    sim *s = start(1);

    (void)state;
    step1(s, T0 + 10, exited(101, exit_status(3)));
    step_at(s, T0 + 110, NULL, 0);
    step1(s, T0 + 120, exited(102, exit_status(3)));
    assert_string_equal(logged(s, "respawn_backoff")->message,
                        "2 workers in a row died within 1000 ms; next spawn in 200 ms");
    assert_int_equal(logged(s, "respawn_backoff")->level, LUME_LOG_WARN);
    finish(s);
}

static void test_a_worker_that_lived_a_second_ends_the_crash_streak(void **state)
{
    sim *s = start(1);

    (void)state;
    step1(s, T0 + 10, exited(101, killed_by(SIGSEGV)));   /* back-off 100 ms */
    step_at(s, T0 + 110, NULL, 0);                        /* 102 */
    step1(s, T0 + 120, exited(102, killed_by(SIGSEGV)));  /* back-off 200 ms */
    step_at(s, T0 + 320, NULL, 0);                        /* 103 */
    step1(s, T0 + 1320, exited(103, killed_by(SIGSEGV))); /* lived 1 s: replaced at once */
    assert_int_equal(spawns(s), 1);
    assert_null(logged(s, "respawn_backoff"));
    step1(s, T0 + 1330, exited(104, killed_by(SIGSEGV))); /* young again: 100 ms, as at first */
    assert_int_equal(s->plan->wake_ms, T0 + 1430);
    finish(s);
}

static void test_a_clean_exit_ends_the_crash_streak(void **state)
{
    sim *s = start(1);

    (void)state;
    step1(s, T0 + 10, exited(101, killed_by(SIGSEGV))); /* back-off 100 ms */
    step_at(s, T0 + 110, NULL, 0);                      /* 102 */
    step1(s, T0 + 120, exited(102, exit_status(0)));    /* recycled: replaced at once */
    assert_int_equal(spawns(s), 1);
    step1(s, T0 + 130, exited(103, killed_by(SIGSEGV)));
    assert_int_equal(s->plan->wake_ms, T0 + 230); /* 100 ms again */
    finish(s);
}

static void test_during_a_back_off_no_worker_is_spawned_even_for_another_death(void **state)
{
    sim *s = start(2);

    (void)state;
    step1(s, T0 + 10, exited(101, killed_by(SIGSEGV)));
    step1(s, T0 + 5000, exited(102, killed_by(SIGKILL))); /* old: no crash; back-off is over */
    assert_int_equal(spawns(s), 2);
    step1(s, T0 + 5010, exited(103, killed_by(SIGSEGV))); /* young: 100 ms */
    step1(s, T0 + 5050, exited(104, exit_status(0)));     /* clean, but the back-off runs */
    assert_int_equal(spawns(s), 0);
    step_at(s, T0 + 5110, NULL, 0);
    assert_int_equal(spawns(s), 2);
    finish(s);
}

/* --- rolling reload --------------------------------------------------- */

static void test_a_reload_starts_a_new_worker_before_it_stops_an_old_one(void **state)
{
    sim *s = start(2); /* 101, 102 of generation 1 */

    (void)state;
    step1(s, T0 + 5000, reloaded(2, 2));
    assert_int_equal(s->plan->n, 2);
    assert_int_equal(s->plan->actions[0].kind, LUME_POOL_SPAWN); /* 103, generation 2 */
    assert_int_equal(s->plan->actions[0].generation, 2);
    assert_int_equal(s->plan->actions[1].kind, LUME_POOL_SIGNAL);
    assert_int_equal(signal_to(s, 101), SIGTERM);
    assert_int_equal(count(s, LUME_POOL_STOP_LISTENING), 0); /* the new workers take the queue */

    step_at(s, T0 + 5100, NULL, 0); /* 101 still finishing its request */
    assert_int_equal(s->plan->n, 0);

    step1(s, T0 + 5200, exited(101, exit_status(0)));
    assert_int_equal(logged(s, "worker_exit")->level, LUME_LOG_INFO);
    assert_true(first(s, LUME_POOL_SPAWN) < first(s, LUME_POOL_SIGNAL)); /* 104, then... */
    assert_int_equal(signal_to(s, 102), SIGTERM);                        /* ...102 */

    step1(s, T0 + 5300, exited(102, exit_status(0)));
    assert_int_equal(s->plan->n, 1); /* only its exit line: 103 and 104 are the pool */
    step_at(s, T0 + 9000, NULL, 0);
    assert_int_equal(s->plan->n, 0);
    finish(s);
}

static void test_an_old_worker_asked_to_stop_may_exit_any_way_without_back_off(void **state)
{
    sim *s = start(1);

    (void)state;
    step1(s, T0 + 10, reloaded(2, 1)); /* 102 started, 101 asked to stop */
    step1(s, T0 + 20, exited(101, killed_by(SIGTERM)));
    assert_int_equal(logged(s, "worker_exit")->level, LUME_LOG_INFO); /* asked for */
    assert_null(logged(s, "respawn_backoff"));
    finish(s);
}

static void test_a_reload_to_fewer_workers_stops_the_old_ones_one_at_a_time(void **state)
{
    sim *s = start(3); /* 101, 102, 103 */

    (void)state;
    step1(s, T0 + 5000, reloaded(2, 1));
    assert_int_equal(spawns(s), 1); /* 104 */
    assert_int_equal(signal_to(s, 101), SIGTERM);
    step1(s, T0 + 5100, exited(101, exit_status(0)));
    assert_int_equal(spawns(s), 0); /* one new worker is enough */
    assert_int_equal(signal_to(s, 102), SIGTERM);
    step1(s, T0 + 5200, exited(102, exit_status(0)));
    assert_int_equal(signal_to(s, 103), SIGTERM);
    step1(s, T0 + 5300, exited(103, exit_status(0)));
    assert_int_equal(count(s, LUME_POOL_SIGNAL) + spawns(s), 0);
    finish(s);
}

static void test_a_reload_to_more_workers_starts_the_difference_at_once(void **state)
{
    sim *s = start(1); /* 101 */

    (void)state;
    step1(s, T0 + 5000, reloaded(2, 3));
    assert_int_equal(spawns(s), 3); /* 102, 103 to reach three, 104 to replace 101 */
    assert_int_equal(signal_to(s, 101), SIGTERM);
    step1(s, T0 + 5100, exited(101, exit_status(0)));
    assert_int_equal(s->plan->n, 1); /* its exit line */
    finish(s);
}

static void test_a_reload_forgets_the_crash_streak(void **state)
{
    sim *s = start(1);

    (void)state;
    step1(s, T0 + 10, exited(101, exit_status(3))); /* back-off until T0 + 110 */
    step1(s, T0 + 20, reloaded(2, 1));
    assert_int_equal(spawns(s), 1); /* at once: the new configuration may fix it */
    assert_int_equal(s->plan->actions[first(s, LUME_POOL_SPAWN)].generation, 2);
    finish(s);
}

/* --- stopping --------------------------------------------------------- */

static void test_a_stop_asks_every_worker_to_finish(void **state)
{
    sim *s = start(2);
    const lume_pool_action *line;

    (void)state;
    step1(s, T0 + 5000, stop(SIGTERM));
    line = logged(s, "stop");
    assert_non_null(line);
    assert_string_equal(line->message, "signal 15: stopping 2 workers gracefully");
    assert_int_equal(signal_to(s, 101), SIGTERM);
    assert_int_equal(signal_to(s, 102), SIGTERM);
    /* the listener is stopped first: a worker that sees its SIGTERM finds it
     * stopped, and serves what was queued before leaving */
    assert_int_equal(count(s, LUME_POOL_STOP_LISTENING), 1);
    assert_true(first(s, LUME_POOL_STOP_LISTENING) < first(s, LUME_POOL_SIGNAL));
    assert_false(s->plan->done);
    assert_true(lume_pool_stopping(s->pool));
    step1(s, T0 + 5100, stop(SIGTERM)); /* the second stop kills; the listener is stopped once */
    assert_int_equal(count(s, LUME_POOL_STOP_LISTENING), 0);
    finish(s);
}

static void test_what_outlives_the_shutdown_timeout_is_killed(void **state)
{
    sim *s = start(2);
    const lume_pool_action *line;

    (void)state;
    step1(s, T0, stop(SIGTERM));
    step1(s, T0 + 300, exited(101, exit_status(0))); /* 101 finished in time */
    assert_int_equal(s->plan->wake_ms, T0 + 1300);   /* the heartbeat comes first */
    step_at(s, T0 + SHUTDOWN_MS - 800, NULL, 0);
    assert_int_equal(s->plan->wake_ms, T0 + SHUTDOWN_MS); /* then the deadline */
    step_at(s, T0 + SHUTDOWN_MS - 1, NULL, 0);
    assert_int_equal(s->plan->n, 0);
    step_at(s, T0 + SHUTDOWN_MS, NULL, 0);
    line = logged(s, "stop_timeout");
    assert_non_null(line);
    assert_int_equal(line->level, LUME_LOG_WARN);
    assert_string_equal(line->message, "1 workers still busy after 5000 ms; killing");
    assert_int_equal(signal_to(s, 102), SIGKILL);
    assert_int_equal(count(s, LUME_POOL_SIGNAL), 1);
    step_at(s, T0 + SHUTDOWN_MS + 1000, NULL, 0); /* killed once, not again */
    assert_int_equal(s->plan->n, 0);
    step1(s, T0 + SHUTDOWN_MS + 1001, exited(102, killed_by(SIGKILL)));
    assert_int_equal(logged(s, "worker_exit")->level, LUME_LOG_INFO);
    assert_true(s->plan->done);
    finish(s);
}

static void test_a_second_stop_kills_at_once(void **state)
{
    sim *s = start(2);

    (void)state;
    step1(s, T0, stop(SIGTERM));
    step1(s, T0 + 100, stop(SIGINT));
    assert_string_equal(logged(s, "stop_now")->message, "signal 2 again: killing workers");
    assert_int_equal(signal_to(s, 101), SIGKILL);
    assert_int_equal(signal_to(s, 102), SIGKILL);
    step1(s, T0 + 200, stop(SIGTERM)); /* a third changes nothing */
    assert_int_equal(s->plan->n, 0);
    step_at(s, T0 + SHUTDOWN_MS, NULL, 0); /* nor does the timeout */
    assert_int_equal(s->plan->n, 0);
    finish(s);
}

static void test_two_stops_in_one_step_kill_at_once(void **state)
{
    sim *s = start(1);
    lume_pool_event both[] = {stop(SIGTERM), stop(SIGTERM)};

    (void)state;
    step_at(s, T0, both, 2);
    assert_int_equal(s->plan->actions[first(s, LUME_POOL_SIGNAL)].signo, SIGTERM);
    assert_non_null(logged(s, "stop_now"));
    assert_int_equal(count(s, LUME_POOL_SIGNAL), 2); /* SIGTERM, then SIGKILL */
    finish(s);
}

static void test_nothing_is_spawned_while_stopping(void **state)
{
    sim *s = start(2);

    (void)state;
    step1(s, T0 + 10, stop(SIGTERM));
    step1(s, T0 + 20, exited(101, killed_by(SIGSEGV))); /* young, but no crash streak */
    assert_int_equal(spawns(s), 0);
    assert_null(logged(s, "respawn_backoff"));
    step1(s, T0 + 30, reloaded(2, 4)); /* a reload asked now is too late */
    assert_int_equal(spawns(s), 0);
    step1(s, T0 + 40, exited(102, exit_status(0)));
    assert_int_equal(spawns(s), 0);
    assert_true(s->plan->done);
    finish(s);
}

static void test_a_stop_and_the_exits_it_caused_in_one_step_are_done(void **state)
{
    sim *s = start(2);
    lume_pool_event events[] = {stop(SIGTERM), exited(101, exit_status(0)),
                                exited(102, exit_status(0))};

    (void)state;
    step_at(s, T0 + 5000, events, 3);
    assert_int_equal(count(s, LUME_POOL_SIGNAL), 2);
    assert_true(s->plan->done);
    finish(s);
}

static void test_the_heartbeat_wakes_the_master_every_second(void **state)
{
    sim *s = start(2);

    (void)state;
    assert_int_equal(s->plan->wake_ms, T0 + 1000);
    step_at(s, T0 + 777, NULL, 0);
    assert_int_equal(s->plan->wake_ms, T0 + 1777);
    finish(s);
}

/* --- stuck workers ---------------------------------------------------- */

#define WORKER_TIMEOUT_MS 30000

static sim *start_timed(long workers)
{
    lume_pool_settings st = settings(1, workers);

    st.worker_timeout_ms = WORKER_TIMEOUT_MS;
    return start_with(st);
}

static void
test_a_worker_busy_past_the_worker_timeout_is_killed_with_its_request_named(void **state)
{
    sim *s = start_timed(2); /* 101, 102 */
    const lume_pool_action *line;

    (void)state;
    step1(s, T0 + 40000, seen(0, 101, 1, 7, WORKER_TIMEOUT_MS, "req-1"));
    assert_int_equal(s->plan->n, 0); /* not past it yet */
    step1(s, T0 + 40001, seen(0, 101, 1, 7, WORKER_TIMEOUT_MS + 1, "req-1"));
    assert_int_equal(signal_to(s, 101), SIGKILL);
    line = logged(s, "worker_timeout");
    assert_non_null(line);
    assert_int_equal(line->level, LUME_LOG_WARN);
    assert_int_equal(line->pid, 101);
    assert_string_equal(line->key, "busy_ms");
    assert_int_equal(line->value, WORKER_TIMEOUT_MS + 1);
    assert_string_equal(line->request_id, "req-1");
    assert_int_equal(spawns(s), 1); /* replaced at once, before it is reaped */
    assert_int_equal(spawn_cause(s), LUME_SPAWN_REPLACE);
    step1(s, T0 + 40002, seen(0, 101, 1, 7, WORKER_TIMEOUT_MS + 2, "req-1"));
    assert_int_equal(s->plan->n, 0); /* killed once */

    step1(s, T0 + 40010, exited(101, killed_by(SIGKILL)));
    line = logged(s, "worker_exit");
    assert_int_equal(line->cause, LUME_EXIT_TIMEOUT);
    assert_int_equal(line->level, LUME_LOG_WARN);
    assert_int_equal(spawns(s), 0); /* already replaced */
    assert_null(logged(s, "respawn_backoff"));
    finish(s);
}

static void test_an_idle_or_reading_worker_is_never_timed_out(void **state)
{
    sim *s = start_timed(1);

    (void)state;
    step1(s, T0 + 90000, seen(0, 101, 0, 7, 0, ""));
    step1(s, T0 + 90001, seen(0, 101, 1, 7, 0, "")); /* reading: no request yet */
    assert_int_equal(s->plan->n, 0);
    finish(s);
}

static void test_without_a_worker_timeout_no_worker_is_killed(void **state)
{
    sim *s = start(1);

    (void)state;
    step1(s, T0 + 3600000, seen(0, 101, 1, 7, 3600000, "req-1"));
    assert_int_equal(s->plan->n, 0);
    finish(s);
}

static void test_a_scoreboard_line_of_another_process_is_ignored(void **state)
{
    sim *s = start_timed(1);

    (void)state;
    step1(s, T0 + 40000, seen(0, 999, 1, 7, WORKER_TIMEOUT_MS + 1, "req-1")); /* a dead worker's */
    step1(s, T0 + 40000, seen(5, 101, 1, 7, WORKER_TIMEOUT_MS + 1, "req-1")); /* not its slot */
    assert_int_equal(s->plan->n, 0);
    finish(s);
}

/* --- a dynamic pool --------------------------------------------------- */

#define IDLE_MS 10000

static sim *start_dynamic(long min, long max)
{
    lume_pool_settings st = settings(1, min);

    st.workers_max = max;
    st.idle_timeout_ms = IDLE_MS;
    return start_with(st);
}

/* Every worker of slots 0..n-1 (pids 101...) seen busy, or idle. */
static void all_seen(sim *s, int64_t now, int n, int busy, unsigned long long served)
{
    lume_pool_event events[16];

    for (int i = 0; i < n; i++)
        events[i] = seen(i, 101 + i, busy, served, busy ? 50 : 0, busy ? "r" : "");
    step_at(s, now, events, (size_t)n);
}

static void test_a_dynamic_pool_starts_at_its_minimum_and_grows_while_all_are_busy(void **state)
{
    sim *s = start_dynamic(1, 8);

    (void)state;
    assert_int_equal(spawns(s), 1);
    assert_int_equal(s->plan->wake_ms, T0 + LUME_POOL_SCALE_MS); /* looked at often */
    all_seen(s, T0 + 200, 1, 1, 0);
    assert_int_equal(spawns(s), 1); /* one more */
    assert_int_equal(spawn_cause(s), LUME_SPAWN_GROW);
    assert_string_equal(logged(s, "pool_grow")->message,
                        "all 1 workers busy: growing to 2 (max 8)");
    all_seen(s, T0 + 400, 2, 1, 0);
    assert_int_equal(spawns(s), 2); /* then twice as many */
    all_seen(s, T0 + 600, 4, 1, 0);
    assert_int_equal(spawns(s), 4);
    assert_int_equal(lume_pool_target(s->pool), 8);
    all_seen(s, T0 + 800, 8, 1, 0);
    assert_int_equal(spawns(s), 0); /* never past the maximum */
    assert_null(logged(s, "pool_grow"));
    finish(s);
}

static void test_a_dynamic_pool_does_not_grow_while_a_worker_is_idle_or_not_seen_yet(void **state)
{
    sim *s = start_dynamic(2, 8);
    lume_pool_event one_idle[] = {seen(0, 101, 1, 0, 50, "r"), seen(1, 102, 0, 0, 0, "")};
    lume_pool_event one_unseen[] = {seen(0, 101, 1, 0, 50, "r")};

    (void)state;
    step_at(s, T0 + 200, one_idle, 2);
    assert_int_equal(spawns(s), 0);
    step_at(s, T0 + 400, one_unseen, 1);
    assert_int_equal(spawns(s), 0);
    finish(s);
}

static void test_idle_workers_are_retired_down_to_the_minimum(void **state)
{
    sim *s = start_dynamic(1, 3);
    const lume_pool_action *line;

    (void)state;
    all_seen(s, T0 + 200, 1, 1, 0); /* 102 */
    all_seen(s, T0 + 400, 2, 1, 0); /* 103: three */
    all_seen(s, T0 + 600, 3, 0, 1); /* the load ends: all idle from here on */
    all_seen(s, T0 + 600 + IDLE_MS - 1, 3, 0, 1);
    assert_int_equal(count(s, LUME_POOL_SIGNAL), 0);
    all_seen(s, T0 + 600 + IDLE_MS, 3, 0, 1);
    assert_int_equal(count(s, LUME_POOL_SIGNAL), 2); /* two retired, one stays */
    assert_int_equal(signal_to(s, 101), SIGTERM);
    assert_int_equal(signal_to(s, 102), SIGTERM);
    assert_non_null(logged(s, "worker_idle"));
    step1(s, T0 + 600 + IDLE_MS + 5, exited(101, exit_status(0)));
    line = logged(s, "worker_exit");
    assert_int_equal(line->cause, LUME_EXIT_IDLE);
    assert_int_equal(line->level, LUME_LOG_INFO);
    step1(s, T0 + 600 + IDLE_MS + 6, exited(102, exit_status(0)));
    assert_int_equal(spawns(s), 0); /* not replaced */
    assert_int_equal(lume_pool_target(s->pool), 1);
    step_at(s, T0 + 600 + 3 * IDLE_MS, NULL, 0);
    assert_int_equal(s->plan->n, 0); /* the minimum stays */
    finish(s);
}

static void test_a_worker_that_served_between_two_looks_is_not_idle(void **state)
{
    sim *s = start_dynamic(1, 2);

    (void)state;
    all_seen(s, T0 + 200, 1, 1, 0); /* grows: 102 */
    all_seen(s, T0 + 400, 2, 0, 1);
    for (int64_t t = T0 + 400 + IDLE_MS / 2; t < T0 + 400 + 3 * IDLE_MS; t += IDLE_MS / 2) {
        lume_pool_event events[] = {seen(0, 101, 0, (unsigned long long)t, 0, ""),
                                    seen(1, 102, 0, (unsigned long long)t, 0, "")};
        step_at(s, t, events, 2); /* seen idle, but each served since the look before */
        assert_int_equal(count(s, LUME_POOL_SIGNAL), 0);
    }
    finish(s);
}

static void test_a_static_pool_neither_grows_nor_retires(void **state)
{
    sim *s = start(2);

    (void)state;
    all_seen(s, T0 + 1000, 2, 1, 0);
    assert_int_equal(s->plan->n, 0);
    all_seen(s, T0 + 2000, 2, 0, 0);
    all_seen(s, T0 + 100000, 2, 0, 0);
    assert_int_equal(s->plan->n, 0);
    finish(s);
}

/* --- the crash brake -------------------------------------------------- */

#define BRAKE_N  3
#define BRAKE_MS 6000 /* so, braking: one spawn every 2000 ms */

static sim *start_braked(long workers)
{
    lume_pool_settings st = settings(1, workers);

    st.brake_threshold = BRAKE_N;
    st.brake_interval_ms = BRAKE_MS;
    return start_with(st);
}

static void test_crashes_within_the_interval_brake_respawning_with_one_error_line(void **state)
{
    sim *s = start_braked(2); /* 101, 102 */
    const lume_pool_action *line;

    (void)state;
    /* Old workers (no young back-off) crash: each replaced at once... */
    step1(s, T0 + 2000, exited(101, killed_by(SIGSEGV))); /* 103 */
    assert_int_equal(spawns(s), 1);
    step1(s, T0 + 3500, exited(102, killed_by(SIGSEGV))); /* 104 */
    assert_int_equal(spawns(s), 1);
    assert_null(logged(s, "crash_brake"));
    /* ...until the third within 6 s. */
    step1(s, T0 + 5000, exited(103, killed_by(SIGSEGV)));
    line = logged(s, "crash_brake");
    assert_non_null(line);
    assert_int_equal(line->level, LUME_LOG_ERROR);
    assert_string_equal(line->message,
                        "3 crashes within 6000 ms: one spawn every 2000 ms until 6000 ms pass "
                        "without one");
    assert_true(lume_pool_braking(s->pool));
    assert_int_equal(spawns(s), 0);
    assert_int_equal(s->plan->wake_ms, T0 + 1000 + 5000); /* the heartbeat, before 7000 */
    step_at(s, T0 + 6999, NULL, 0);
    assert_int_equal(spawns(s), 0);
    step_at(s, T0 + 7000, NULL, 0);
    assert_int_equal(spawns(s), 1); /* 105 */
    /* Both die now: one spawn every 2 s, not two at once. */
    step_at(s, T0 + 8500,
            (lume_pool_event[]){exited(104, killed_by(SIGSEGV)), exited(105, killed_by(SIGSEGV))},
            2);
    assert_int_equal(spawns(s), 0);
    assert_null(logged(s, "crash_brake")); /* said once */
    step_at(s, T0 + 9000, NULL, 0);
    assert_int_equal(spawns(s), 1);
    step_at(s, T0 + 10000, NULL, 0);
    assert_int_equal(spawns(s), 0);
    step_at(s, T0 + 11000, NULL, 0);
    assert_int_equal(spawns(s), 1);
    finish(s);
}

static void test_the_brake_is_released_after_an_interval_without_a_crash(void **state)
{
    sim *s = start_braked(1);
    const lume_pool_action *line;

    (void)state;
    step1(s, T0 + 2000, exited(101, killed_by(SIGSEGV)));
    step1(s, T0 + 4000, exited(102, killed_by(SIGSEGV)));
    step1(s, T0 + 6000, exited(103, killed_by(SIGSEGV))); /* brakes */
    step_at(s, T0 + 8000, NULL, 0);                       /* 104 */
    assert_int_equal(spawns(s), 1);
    step_at(s, T0 + 6000 + BRAKE_MS - 1, NULL, 0);
    assert_true(lume_pool_braking(s->pool));
    step_at(s, T0 + 6000 + BRAKE_MS, NULL, 0);
    line = logged(s, "crash_brake_released");
    assert_non_null(line);
    assert_int_equal(line->level, LUME_LOG_INFO);
    assert_false(lume_pool_braking(s->pool));
    step1(s, T0 + 20000, exited(104, killed_by(SIGSEGV))); /* one crash: replaced at once */
    assert_int_equal(spawns(s), 1);
    finish(s);
}

static void test_crashes_further_apart_than_the_interval_never_brake(void **state)
{
    sim *s = start_braked(1);
    pid_t pid = 101;

    (void)state;
    for (int i = 1; i <= 10; i++) {
        step1(s, T0 + i * (BRAKE_MS / 2 + 1), exited(pid++, killed_by(SIGSEGV)));
        assert_null(logged(s, "crash_brake"));
        assert_int_equal(spawns(s), 1);
    }
    finish(s);
}

static void test_only_fault_signals_are_crashes_not_kill_9_or_an_exit_status(void **state)
{
    sim *s = start_braked(1);
    pid_t pid = 101;

    (void)state;
    for (int i = 0; i < 6; i++) { /* old workers: no young back-off either */
        step1(s, T0 + 2000 * (i + 1), exited(pid++, i % 2 ? killed_by(SIGKILL) : exit_status(4)));
        assert_int_equal(spawns(s), 1);
    }
    assert_false(lume_pool_braking(s->pool));
    step1(s, T0 + 13000, exited(pid++, killed_by(SIGBUS)));
    step1(s, T0 + 14000, exited(pid++, killed_by(SIGABRT)));
    step1(s, T0 + 15000, exited(pid++, killed_by(SIGFPE)));
    assert_true(lume_pool_braking(s->pool));
    finish(s);
}

static void test_timeouts_recycles_and_stops_are_not_crashes(void **state)
{
    lume_pool_settings st = settings(1, 1);
    sim *s;
    pid_t pid = 101;

    (void)state;
    st.brake_threshold = 2;
    st.brake_interval_ms = 60000;
    st.worker_timeout_ms = 1000;
    s = start_with(st);
    for (int i = 0; i < 5; i++) {
        step1(s, T0 + 10000 * (i + 1), seen(0, pid, 1, 0, 1001, "r")); /* killed */
        step1(s, T0 + 10000 * (i + 1) + 1, exited(pid++, killed_by(SIGKILL)));
        step1(s, T0 + 10000 * (i + 1) + 2, exited(pid++, exit_status(0))); /* recycled */
        assert_int_equal(spawns(s), 1);
    }
    assert_false(lume_pool_braking(s->pool));
    finish(s);
}

/* --- the health responder --------------------------------------------- */

static sim *start_with_responder(long workers)
{
    lume_pool_settings st = settings(1, workers);

    st.responder = 1;
    return start_with(st);
}

static void test_the_responder_is_started_with_the_workers_and_is_not_one(void **state)
{
    sim *s = start_with_responder(2);

    (void)state;
    assert_int_equal(spawns(s), 3);
    assert_int_equal(s->plan->actions[0].slot, LUME_POOL_RESPONDER); /* 101 */
    step1(s, T0 + 5000, stop(SIGTERM));
    assert_string_equal(logged(s, "stop")->message, "signal 15: stopping 2 workers gracefully");
    assert_int_equal(signal_to(s, 101), SIGTERM); /* stopped with them */
    step_at(s, T0 + 5010, (lume_pool_event[]){exited(102, 0), exited(103, 0)}, 2);
    assert_false(s->plan->done); /* the responder is still there */
    step1(s, T0 + 5020, exited(101, 0));
    assert_non_null(logged(s, "responder_exit"));
    assert_true(s->plan->done);
    finish(s);
}

static void test_a_responder_that_exits_is_replaced_a_second_after_its_start(void **state)
{
    sim *s = start_with_responder(1); /* responder 101, worker 102 */

    (void)state;
    step1(s, T0 + 100, exited(101, killed_by(SIGSEGV)));
    assert_non_null(logged(s, "responder_exit"));
    assert_null(logged(s, "respawn_backoff")); /* no crash streak of workers */
    assert_int_equal(spawns(s), 0);
    assert_int_equal(s->plan->wake_ms, T0 + 1000);
    step_at(s, T0 + 1000, NULL, 0);
    assert_int_equal(spawns(s), 1);
    assert_int_equal(s->plan->actions[first(s, LUME_POOL_SPAWN)].slot, LUME_POOL_RESPONDER);
    step1(s, T0 + 5000, exited(103, killed_by(SIGKILL))); /* lived long: at once */
    assert_int_equal(spawns(s), 1);
    finish(s);
}

static void test_a_reload_replaces_the_responder(void **state)
{
    sim *s = start_with_responder(1); /* responder 101, worker 102 */
    lume_pool_settings next = settings(2, 1);

    (void)state;
    next.responder = 1;
    step1(s, T0 + 5000, (lume_pool_event){.kind = LUME_POOL_RELOADED, .settings = next});
    assert_int_equal(signal_to(s, 101), SIGTERM);
    step1(s, T0 + 5010, exited(101, 0));
    assert_non_null(logged(s, "responder_exit"));
    assert_int_equal(s->plan->actions[first(s, LUME_POOL_SPAWN)].slot, LUME_POOL_RESPONDER);
    assert_int_equal(s->plan->actions[first(s, LUME_POOL_SPAWN)].generation, 2);
    finish(s);
}

/* --- the indexer (a provider's background process) -------------------- */

static sim *start_with_indexer(long workers, int responder)
{
    lume_pool_settings st = settings(1, workers);

    st.responder = responder;
    st.indexer = 1;
    return start_with(st);
}

static int spawned_slot(const sim *s, int slot)
{
    for (size_t i = 0; i < s->plan->n; i++)
        if (s->plan->actions[i].kind == LUME_POOL_SPAWN && s->plan->actions[i].slot == slot)
            return 1;
    return 0;
}

/* The pid the last plan's spawn into slot got, or 0. */
static pid_t spawned_pid(const sim *s, int slot)
{
    pid_t pid = s->next_pid - (pid_t)spawns(s);

    for (size_t i = 0; i < s->plan->n; i++) {
        if (s->plan->actions[i].kind != LUME_POOL_SPAWN)
            continue;
        if (s->plan->actions[i].slot == slot)
            return pid;
        pid++;
    }
    return 0;
}

static void test_the_indexer_is_started_only_when_asked_and_is_not_a_worker(void **state)
{
    sim *s = start(1);

    (void)state;
    assert_false(spawned_slot(s, LUME_POOL_INDEXER));
    finish(s);
    s = start_with_indexer(2, 1); /* responder 101, indexer 102, workers 103 and 104 */
    assert_int_equal(spawns(s), 4);
    assert_true(spawned_slot(s, LUME_POOL_INDEXER));
    assert_true(spawned_slot(s, LUME_POOL_RESPONDER));
    step1(s, T0 + 5000, stop(SIGTERM));
    assert_string_equal(logged(s, "stop")->message, "signal 15: stopping 2 workers gracefully");
    assert_int_equal(signal_to(s, 102), SIGTERM); /* stopped with them */
    step_at(s, T0 + 5010, (lume_pool_event[]){exited(101, 0), exited(103, 0), exited(104, 0)}, 3);
    assert_false(s->plan->done); /* the indexer is still there */
    step1(s, T0 + 5020, exited(102, 0));
    assert_non_null(logged(s, "indexer_exit"));
    assert_true(s->plan->done);
    finish(s);
}

static void test_a_killed_indexer_is_restarted_at_once_and_is_no_crash(void **state)
{
    sim *s = start_with_indexer(1, 0); /* indexer 101, worker 102 */

    (void)state;
    step1(s, T0 + 5000, exited(101, killed_by(SIGKILL)));
    assert_non_null(logged(s, "indexer_exit"));
    assert_null(logged(s, "respawn_backoff"));
    assert_int_equal(spawns(s), 1);
    assert_true(spawned_slot(s, LUME_POOL_INDEXER));
    assert_false(lume_pool_braking(s->pool));
    finish(s);
}

static void test_an_indexer_that_keeps_failing_backs_off(void **state)
{
    sim *s = start_with_indexer(1, 0); /* indexer 101, worker 102 */
    pid_t pid = 101;
    int64_t now = T0 + 200, expected[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};

    (void)state;
    /* The first failure: a second after its start, as the responder. */
    step1(s, now, exited(pid, exit_status(3)));
    assert_null(logged(s, "respawn_backoff"));
    assert_int_equal(s->plan->wake_ms, T0 + 1000);
    now = T0 + 1000;
    step_at(s, now, NULL, 0);
    assert_true(spawned_slot(s, LUME_POOL_INDEXER));
    pid = s->next_pid - 1;
    for (size_t i = 1; i < sizeof(expected) / sizeof(expected[0]); i++) {
        now += 100;
        step1(s, now, exited(pid, i % 2 ? killed_by(SIGSEGV) : exit_status(3)));
        assert_non_null(logged(s, "respawn_backoff"));
        assert_false(spawned_slot(s, LUME_POOL_INDEXER));
        assert_true(s->plan->wake_ms <= now + expected[i]);
        step_at(s, now + expected[i] - 1, NULL, 0);
        assert_false(spawned_slot(s, LUME_POOL_INDEXER));
        now += expected[i];
        step_at(s, now, NULL, 0);
        assert_true(spawned_slot(s, LUME_POOL_INDEXER));
        pid = s->next_pid - 1;
    }
    assert_false(lume_pool_braking(s->pool)); /* a helper is no worker */
    /* A kill that is no fault ends the streak: at once (it lived past its first second). */
    now += 2000;
    step1(s, now, exited(pid, killed_by(SIGKILL)));
    assert_true(spawned_slot(s, LUME_POOL_INDEXER));
    finish(s);
}

static void test_a_reload_replaces_the_indexer_or_drops_it(void **state)
{
    sim *s = start_with_indexer(1, 0); /* indexer 101, worker 102 */
    lume_pool_settings next = settings(2, 1);
    pid_t pid;

    (void)state;
    next.indexer = 1;
    step1(s, T0 + 5000, (lume_pool_event){.kind = LUME_POOL_RELOADED, .settings = next});
    assert_int_equal(signal_to(s, 101), SIGTERM);
    step1(s, T0 + 5010, exited(101, 0));
    assert_non_null(logged(s, "indexer_exit"));
    assert_int_equal(s->plan->actions[first(s, LUME_POOL_SPAWN)].slot, LUME_POOL_INDEXER);
    assert_int_equal(s->plan->actions[first(s, LUME_POOL_SPAWN)].generation, 2);
    pid = spawned_pid(s, LUME_POOL_INDEXER);
    /* The library no longer listed: stopped, not replaced. */
    next = settings(3, 1);
    step1(s, T0 + 9000, (lume_pool_event){.kind = LUME_POOL_RELOADED, .settings = next});
    assert_int_equal(signal_to(s, pid), SIGTERM);
    step1(s, T0 + 9010, exited(pid, 0));
    assert_false(spawned_slot(s, LUME_POOL_INDEXER));
    step_at(s, T0 + 20000, NULL, 0);
    assert_false(spawned_slot(s, LUME_POOL_INDEXER));
    finish(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_first_step_starts_every_worker),
        cmocka_unit_test(test_a_worker_that_dies_is_replaced_at_once),
        cmocka_unit_test(test_the_exit_line_says_how_the_worker_ended),
        cmocka_unit_test(test_a_pid_that_is_not_a_worker_is_ignored),
        cmocka_unit_test(test_a_worker_that_could_not_be_forked_is_tried_again_next_step),
        cmocka_unit_test(test_a_recycled_worker_is_replaced_at_once_however_young),
        cmocka_unit_test(test_workers_dying_young_in_a_row_wait_for_a_growing_back_off),
        cmocka_unit_test(test_the_back_off_line_gives_the_streak_and_the_wait),
        cmocka_unit_test(test_a_worker_that_lived_a_second_ends_the_crash_streak),
        cmocka_unit_test(test_a_clean_exit_ends_the_crash_streak),
        cmocka_unit_test(test_during_a_back_off_no_worker_is_spawned_even_for_another_death),
        cmocka_unit_test(test_a_reload_starts_a_new_worker_before_it_stops_an_old_one),
        cmocka_unit_test(test_an_old_worker_asked_to_stop_may_exit_any_way_without_back_off),
        cmocka_unit_test(test_a_reload_to_fewer_workers_stops_the_old_ones_one_at_a_time),
        cmocka_unit_test(test_a_reload_to_more_workers_starts_the_difference_at_once),
        cmocka_unit_test(test_a_reload_forgets_the_crash_streak),
        cmocka_unit_test(test_a_stop_asks_every_worker_to_finish),
        cmocka_unit_test(test_what_outlives_the_shutdown_timeout_is_killed),
        cmocka_unit_test(test_a_second_stop_kills_at_once),
        cmocka_unit_test(test_two_stops_in_one_step_kill_at_once),
        cmocka_unit_test(test_nothing_is_spawned_while_stopping),
        cmocka_unit_test(test_a_stop_and_the_exits_it_caused_in_one_step_are_done),
        cmocka_unit_test(test_the_heartbeat_wakes_the_master_every_second),
        cmocka_unit_test(test_spawns_say_why_a_worker_is_started),
        cmocka_unit_test(test_a_worker_asked_to_stop_exits_as_stopped),
        cmocka_unit_test(test_other_actions_have_no_cause),
        cmocka_unit_test(
            test_a_worker_busy_past_the_worker_timeout_is_killed_with_its_request_named),
        cmocka_unit_test(test_an_idle_or_reading_worker_is_never_timed_out),
        cmocka_unit_test(test_without_a_worker_timeout_no_worker_is_killed),
        cmocka_unit_test(test_a_scoreboard_line_of_another_process_is_ignored),
        cmocka_unit_test(test_a_dynamic_pool_starts_at_its_minimum_and_grows_while_all_are_busy),
        cmocka_unit_test(test_a_dynamic_pool_does_not_grow_while_a_worker_is_idle_or_not_seen_yet),
        cmocka_unit_test(test_idle_workers_are_retired_down_to_the_minimum),
        cmocka_unit_test(test_a_worker_that_served_between_two_looks_is_not_idle),
        cmocka_unit_test(test_a_static_pool_neither_grows_nor_retires),
        cmocka_unit_test(test_crashes_within_the_interval_brake_respawning_with_one_error_line),
        cmocka_unit_test(test_the_brake_is_released_after_an_interval_without_a_crash),
        cmocka_unit_test(test_crashes_further_apart_than_the_interval_never_brake),
        cmocka_unit_test(test_timeouts_recycles_and_stops_are_not_crashes),
        cmocka_unit_test(test_only_fault_signals_are_crashes_not_kill_9_or_an_exit_status),
        cmocka_unit_test(test_the_responder_is_started_with_the_workers_and_is_not_one),
        cmocka_unit_test(test_a_responder_that_exits_is_replaced_a_second_after_its_start),
        cmocka_unit_test(test_a_reload_replaces_the_responder),
        cmocka_unit_test(test_the_indexer_is_started_only_when_asked_and_is_not_a_worker),
        cmocka_unit_test(test_a_killed_indexer_is_restarted_at_once_and_is_no_crash),
        cmocka_unit_test(test_an_indexer_that_keeps_failing_backs_off),
        cmocka_unit_test(test_a_reload_replaces_the_indexer_or_drops_it),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
