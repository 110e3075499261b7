/* clock.h: the monotonic clock, in milliseconds (deadlines, timers) and microseconds (durations),
 * and the wall clock, only to compare with a time stamped by another process (nginx).
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

/* Wall clock, ms since the epoch: it jumps when the clock is set; never use it for deadlines. */
static inline int64_t lume_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
