/*
 * health.h: the health responder, a process the master keeps beside the
 * workers (pool.h, slot LUME_POOL_RESPONDER) when LUME_HEALTH_LISTEN is set.
 * It answers GET /health on a FastCGI socket of its own, from the scoreboard,
 * so a load balancer's check is answered at once even when every worker is
 * busy with slow upstream calls (their socket's queue may hold seconds).
 *
 * It never does provider work and never blocks: one poll() loop over the
 * listening socket and up to LUME_HEALTH_CONNS connections, every socket
 * non-blocking, each connection closed when its head, answer and close are
 * not done within LUME_HEALTH_DEADLINE_MS of its accept (a slow or silent
 * peer costs one slot, never a wait).
 *
 * The answer (docs/api.md): 200 {"status":"healthy"} while at least one
 * worker can take a request (idle, or busy for no longer than the request
 * deadline plus a second); else 503 SERVICE_UNAVAILABLE (as when nginx
 * reaches no worker) in the error envelope with "status":"unhealthy" and
 * Retry-After (no worker alive, or every one stuck).
 * Heads, HEAD, OPTIONS, 404 and 405 as the workers answer them, and the
 * access line as theirs, with "responder":"health": the same code builds
 * them (respond.h). Each request is counted in the metrics (route
 * "health").
 */
#ifndef LUME_HEALTH_H
#define LUME_HEALTH_H

#include <sys/types.h>

#include "config.h"
#include "scoreboard.h"
#include "shared.h"

#define LUME_HEALTH_CONNS       64   /* connections served at once */
#define LUME_HEALTH_DEADLINE_MS 1000 /* a connection's whole life */
#define LUME_HEALTH_STUCK_MS    1000 /* past the request deadline: a worker is stuck */

/* Run the responder in this (forked) process on listen_fd until it is asked
 * to stop or the master is gone; returns its exit status (worker.h's). */
int lume_health_run(const lume_config *cfg, int listen_fd, lume_shared *shared, pid_t master);

/* Can a worker take a request, by the scoreboard at now_ms (wall clock)? A
 * worker busy longer than stuck_ms is not counted. */
int lume_health_ok(lume_scoreboard *b, int64_t now_ms, int64_t stuck_ms);

#endif
