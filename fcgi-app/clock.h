/* clock.h: monotonic milliseconds, the only clock used for deadlines and timers. */
#ifndef LUME_CLOCK_H
#define LUME_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t lume_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
