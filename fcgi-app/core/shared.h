/*
 * shared.h: memory the master maps once, before forking, and every worker of
 * that master shares (MAP_SHARED | MAP_ANONYMOUS). It survives reloads and
 * worker restarts, and starts zeroed.
 *
 * It holds an area the provider lays out itself (the archive provider's
 * circuit breaker), the pool's counters (metrics.h) and an area the
 * scoreboard lays out (fcgi-app/scoreboard.h: one line per worker).
 * Everything in it is updated with atomics: no locks are held across processes.
 */
#ifndef LUME_SHARED_H
#define LUME_SHARED_H

#include <stddef.h>

#include "metrics.h"

#define LUME_SHARED_PROVIDER_AREA   4096
#define LUME_SHARED_SCOREBOARD_AREA (LUME_METRICS_SLOTS * 256) /* 256 bytes a worker */

typedef struct lume_shared lume_shared;

/* Map a zeroed region. NULL when mmap fails. */
lume_shared *lume_shared_create(void);
void lume_shared_destroy(lume_shared *s);

/* The provider's area: LUME_SHARED_PROVIDER_AREA bytes, 64-byte aligned. */
void *lume_shared_provider_area(lume_shared *s);

/* The pool's counters; NULL when s is NULL. */
lume_metrics *lume_shared_metrics(lume_shared *s);

/* The scoreboard's area: LUME_SHARED_SCOREBOARD_AREA bytes, page aligned;
 * NULL when s is NULL. */
void *lume_shared_scoreboard_area(lume_shared *s);

#endif
