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
 *   - a stop asks every worker to finish (SIGTERM) and spawns nothing more;
 *     after the shutdown timeout the rest are killed (SIGKILL), and a second
 *     stop kills them at once; the pool is done when none is left;
 *   - every spawn and every exit carries its cause, which the master counts
 *     (metrics.h): start, replace or reload; stopped, recycled, error or signal.
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

/* A pool of `workers` workers of generation 1, started at T0: pids 101... */
static sim *start(long workers)
{
    sim *s = calloc(1, sizeof(*s));
    lume_pool_settings first = settings(1, workers);

    assert_non_null(s);
    s->pool = lume_pool_create(&first);
    assert_non_null(s->pool);
    s->next_pid = 101;
    step_at(s, T0, NULL, 0);
    return s;
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
    assert_false(s->plan->done);
    assert_true(lume_pool_stopping(s->pool));
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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
