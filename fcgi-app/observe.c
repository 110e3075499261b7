/*
 * observe.c: a worker's counters and scoreboard line, and its view of the
 * pool (see observe.h).
 */
#include "observe.h"

#include <stdlib.h>
#include <unistd.h>

#include "backlog.h"
#include "clock.h"

struct lume_observe {
    lume_metrics *metrics;
    lume_metrics_slot *counts; /* this worker's slot of counters */
    lume_scoreboard *board;
    int slot, listen_fd;
    long workers_min, workers_max;
    lume_route_id route; /* of the request in hand */
};

lume_observe *lume_observe_create(const lume_config *cfg, lume_shared *shared, int slot,
                                  int listen_fd)
{
    lume_observe *o = calloc(1, sizeof(*o));

    if (o == NULL)
        return NULL;
    o->metrics = lume_shared_metrics(shared);
    o->counts = lume_metrics_slot_at(o->metrics, slot);
    o->board = lume_scoreboard_of(shared);
    o->slot = slot;
    o->listen_fd = listen_fd;
    lume_config_pool_size(cfg, &o->workers_min, &o->workers_max);
    lume_scoreboard_start(o->board, slot, getpid());
    return o;
}

void lume_observe_destroy(lume_observe *o)
{
    free(o);
}

lume_metrics *lume_observe_metrics(const lume_observe *o)
{
    return o != NULL ? o->metrics : NULL;
}

lume_metrics_slot *lume_observe_counts(const lume_observe *o)
{
    return o != NULL ? o->counts : NULL;
}

lume_scoreboard *lume_observe_board(const lume_observe *o)
{
    return o != NULL ? o->board : NULL;
}

void lume_observe_state(lume_observe *o, lume_worker_state state)
{
    if (o != NULL)
        lume_scoreboard_set_state(o->board, o->slot, state);
}

void lume_observe_begin(lume_observe *o, lume_route_id route, const char *request_id)
{
    if (o == NULL)
        return;
    o->route = route;
    lume_scoreboard_begin(o->board, o->slot, lume_route_name(route), request_id, lume_wall_ms());
}

void lume_observe_end(lume_observe *o, int status, int64_t latency_us)
{
    if (o == NULL)
        return;
    lume_metrics_request(o->counts, (int)o->route, status, latency_us);
    lume_scoreboard_end(o->board, o->slot);
}

lume_prometheus_pool lume_observe_pool(const lume_observe *o)
{
    lume_prometheus_pool p = {0, 0, 0, -1, -1};

    if (o == NULL)
        return p;
    p.workers_min = o->workers_min;
    p.workers_max = o->workers_max;
    p.workers = p.workers_min;
    lume_backlog_read(o->listen_fd, &p.backlog, &p.backlog_limit);
    return p;
}
