/* status_page.c: the document of GET /status (see status_page.h). */
#include "status_page.h"

#include <stdlib.h>

#include "pool.h"

static json_t *maybe(long v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

static json_t *worker(int slot, const lume_scoreboard_line *l, int64_t now_ms)
{
    int serving = l->state == LUME_WORKER_BUSY && l->request_start_ms > 0;
    int64_t took = now_ms - l->request_start_ms;

    return json_pack("{s:i, s:i, s:s, s:I, s:o, s:o, s:o, s:o}", "slot", slot, "pid", (int)l->pid,
                     "state", lume_worker_state_name(l->state), "requests", (json_int_t)l->served,
                     "request_start_ms", serving ? json_integer(l->request_start_ms) : json_null(),
                     "request_duration_ms",
                     serving ? json_integer(took < 0 ? 0 : took) : json_null(), "route",
                     serving ? json_string(l->route) : json_null(), "request_id",
                     serving && l->request_id[0] ? json_string(l->request_id) : json_null());
}

json_t *lume_status_page(lume_metrics *m, lume_scoreboard *b, const lume_prometheus_pool *pool,
                         const char *provider, int64_t now_ms)
{
    lume_metrics_totals *totals = malloc(sizeof(*totals));
    uint64_t accepted = 0, states[LUME_WORKER_STATES] = {0};
    json_t *doc, *workers = json_array();
    lume_scoreboard_line l;
    int brake;

    if (totals == NULL || workers == NULL) {
        free(totals);
        json_decref(workers);
        return NULL;
    }
    lume_metrics_sum(m, totals);
    brake = totals->crash_brake;
    for (int r = 0; r < LUME_METRICS_ROUTES; r++)
        for (int c = 0; c < LUME_METRICS_STATUSES; c++)
            accepted += totals->requests[r][c];
    free(totals);
    for (int i = 0; i < LUME_POOL_SLOTS; i++) {
        if (!lume_scoreboard_read(b, i, &l))
            continue;
        states[l.state]++;
        json_array_append_new(workers, worker(i, &l, now_ms));
    }
    doc = json_pack("{s:s, s:s, s:i, s:i, s:i, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:b, s:o}",
                    "pool", "lume", "provider", provider, "workers_configured", (int)pool->workers,
                    "workers_min", (int)pool->workers_min, "workers_max", (int)pool->workers_max,
                    "requests_answered", (json_int_t)accepted, "listen_queue", maybe(pool->backlog),
                    "listen_queue_limit", maybe(pool->backlog_limit), "idle_workers",
                    (json_int_t)states[LUME_WORKER_IDLE], "reading_workers",
                    (json_int_t)states[LUME_WORKER_READING], "busy_workers",
                    (json_int_t)states[LUME_WORKER_BUSY], "total_workers",
                    (json_int_t)(states[LUME_WORKER_IDLE] + states[LUME_WORKER_READING] +
                                 states[LUME_WORKER_BUSY]),
                    "crash_brake", brake, "workers", workers);
    return doc;
}
