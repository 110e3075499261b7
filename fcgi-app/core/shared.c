/* shared.c: the master's shared-memory region (see shared.h). */
#include "shared.h"

#include <sys/mman.h>

struct lume_shared {
    _Alignas(64) unsigned char provider_area[LUME_SHARED_PROVIDER_AREA];
};

lume_shared *lume_shared_create(void)
{
    void *p =
        mmap(NULL, sizeof(lume_shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void lume_shared_destroy(lume_shared *s)
{
    if (s != NULL)
        munmap(s, sizeof(*s));
}

void *lume_shared_provider_area(lume_shared *s)
{
    return s->provider_area;
}
