/*
 * worker.h: a worker process. It creates its provider once, then serves
 * FastCGI requests from the shared listening socket one at a time until it is
 * asked to stop, has served max_requests, or its master is gone.
 */
#ifndef LUME_WORKER_H
#define LUME_WORKER_H

#include <sys/types.h>

#include "config.h"
#include "shared.h"

/* Exit statuses of a worker process. */
#define LUME_WORKER_EXIT_OK     0 /* asked to stop, or recycled */
#define LUME_WORKER_EXIT_SETUP  3 /* could not create its provider or app */
#define LUME_WORKER_EXIT_ACCEPT 4 /* the listening socket failed */

/* Run the worker in this (forked) process; returns its exit status. */
int lume_worker_run(const lume_config *cfg, int listen_fd, lume_shared *shared, int slot,
                    pid_t master);

#endif
