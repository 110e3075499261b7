/* wait.c: the hook run before a process blocks (see wait.h). */
#include "wait.h"

#include <stddef.h>

#include "log.h"

/* The process's one hook: set once by a worker, like the log's batch. */
static struct {
    void (*fn)(void *arg);
    void *arg;
} hook;

void lume_wait_set_hook(void (*fn)(void *arg), void *arg)
{
    hook.fn = fn;
    hook.arg = arg;
}

/* Set in a helper thread: its waits are its own (wait.h). */
static __thread int helper;

void lume_wait_helper_thread(void)
{
    helper = 1;
    lume_log_direct_thread();
}

void lume_wait_begin(void)
{
    if (helper)
        return;
    lume_log_flush();
    if (hook.fn != NULL)
        hook.fn(hook.arg);
}
