/*
 * observe.h: a worker's place in the pool's shared memory (shared.h), and
 * its view of the pool. It owns
 *
 *   - what the worker writes there: its slot of counters (metrics.h) and its
 *     scoreboard line (scoreboard.h), of which it is the one writer in the
 *     worker (the state while it waits and reads, the request in hand, its
 *     end; the master only clears the line of a worker it reaped);
 *   - what the pool's pages read (pool_pages.h): the counters and the
 *     scoreboard of every worker, the pool's configured size, and the accept
 *     queue of the listening socket (backlog.h).
 *
 * The worker creates it and hands it to its app (app.h), which so never
 * sees the listening socket. Every call accepts NULL: nothing is written,
 * and the pages show an empty pool (the app alone, in unit tests).
 */
#ifndef LUME_OBSERVE_H
#define LUME_OBSERVE_H

#include <stdint.h>

#include "config.h"
#include "metrics.h"
#include "prometheus.h"
#include "router.h"
#include "scoreboard.h"
#include "shared.h"

typedef struct lume_observe lume_observe;

/* For the worker of slot in shared, of the pool cfg describes, serving
 * listen_fd (-1: none; the accept queue is then not shown). Its line starts:
 * this process, idle. NULL when out of memory. */
lume_observe *lume_observe_create(const lume_config *cfg, lume_shared *shared, int slot,
                                  int listen_fd);
void lume_observe_destroy(lume_observe *o);

/* The pool's counters, and this worker's slot of them (for its provider). */
lume_metrics *lume_observe_metrics(const lume_observe *o);
lume_metrics_slot *lume_observe_counts(const lume_observe *o);

/* The scoreboard of every worker. */
lume_scoreboard *lume_observe_board(const lume_observe *o);

/* The line: reading a request, or idle again without one. */
void lume_observe_state(lume_observe *o, lume_worker_state state);

/* A request begins: busy with it, its route and request id, from now. */
void lume_observe_begin(lume_observe *o, lume_route_id route, const char *request_id);

/* Its response was written, latency_us after the worker took the request:
 * counted by the route of lume_observe_begin() and status, the line's
 * served count + 1, idle. */
void lume_observe_end(lume_observe *o, int status, int64_t latency_us);

/* The pool as the pages show it; the accept queue read now. */
lume_prometheus_pool lume_observe_pool(const lume_observe *o);

#endif
