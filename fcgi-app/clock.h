/* clock.h: the monotonic clock, in milliseconds (deadlines, timers) and microseconds (durations).
 */
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

static inline int64_t lume_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
