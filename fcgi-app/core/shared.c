/* shared.c: the master's shared-memory region (see shared.h). */
#include "shared.h"

#include <sys/mman.h>

/* The mapping: this header (with the provider's area), then the metrics
 * region, then the scoreboard's area, each on its own page. */
struct lume_shared {
    size_t size;
    size_t metrics_off, board_off;
    _Alignas(64) unsigned char provider_area[LUME_SHARED_PROVIDER_AREA];
};

#define PAGE            4096
#define ROUND_UP(n, to) (((n) + (to)-1) / (to) * (to))

lume_shared *lume_shared_create(void)
{
    size_t metrics_off = ROUND_UP(sizeof(lume_shared), PAGE);
    size_t board_off = ROUND_UP(metrics_off + lume_metrics_size(), PAGE);
    size_t size = board_off + LUME_SHARED_SCOREBOARD_AREA;
    lume_shared *s;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        return NULL;
    s = p;
    s->size = size;
    s->metrics_off = metrics_off;
    s->board_off = board_off;
    return s;
}

void lume_shared_destroy(lume_shared *s)
{
    if (s != NULL)
        munmap(s, s->size);
}

void *lume_shared_provider_area(lume_shared *s)
{
    return s->provider_area;
}

lume_metrics *lume_shared_metrics(lume_shared *s)
{
    return s == NULL ? NULL : (lume_metrics *)((unsigned char *)s + s->metrics_off);
}

void *lume_shared_scoreboard_area(lume_shared *s)
{
    return s == NULL ? NULL : (unsigned char *)s + s->board_off;
}
