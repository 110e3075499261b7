/*
 * shared.h: memory the master maps once, before forking, and every worker of
 * that master shares (MAP_SHARED | MAP_ANONYMOUS). It survives reloads and
 * worker restarts, and starts zeroed.
 *
 * Today it holds an area the provider lays out itself (the archive provider's
 * circuit breaker); the worker scoreboard and metrics will live here too.
 * Everything in it is updated with atomics: no locks are held across processes.
 */
#ifndef LUME_SHARED_H
#define LUME_SHARED_H

#include <stddef.h>

#define LUME_SHARED_PROVIDER_AREA 4096

typedef struct lume_shared lume_shared;

/* Map a zeroed region. NULL when mmap fails. */
lume_shared *lume_shared_create(void);
void lume_shared_destroy(lume_shared *s);

/* The provider's area: LUME_SHARED_PROVIDER_AREA bytes, 64-byte aligned. */
void *lume_shared_provider_area(lume_shared *s);

#endif
