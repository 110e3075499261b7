/* queue.c: how long a request waited for a worker (see queue.h). */
#include "queue.h"

#include <string.h>

int lume_queue_start_parse(const char *s, int64_t *out_ms)
{
    const char *dot;
    int64_t ms = 0;
    size_t secs;

    if (s == NULL || (dot = strchr(s, '.')) == NULL)
        return -1;
    secs = (size_t)(dot - s);
    if (secs < 1 || secs > 12 || strlen(dot + 1) != 3)
        return -1;
    for (const char *p = s; *p != '\0'; p++) {
        if (p == dot)
            continue;
        if (*p < '0' || *p > '9')
            return -1;
        ms = ms * 10 + (*p - '0'); /* 15 digits: far from overflow */
    }
    *out_ms = ms;
    return 0;
}

int64_t lume_queue_waited_ms(const char *request_start, int64_t now_ms)
{
    int64_t start, waited;

    if (lume_queue_start_parse(request_start, &start) != 0)
        return LUME_QUEUE_WAIT_UNKNOWN;
    waited = now_ms - start;
    if (waited < -LUME_QUEUE_MAX_SKEW_MS || waited > LUME_QUEUE_MAX_WAIT_MS)
        return LUME_QUEUE_WAIT_UNKNOWN;
    return waited < 0 ? 0 : waited;
}
