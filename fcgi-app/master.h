/*
 * master.h: the master process. It owns the listening socket and the shared
 * memory, forks the workers and supervises them:
 *   - a worker that dies is replaced at once; workers that die young in a row
 *     are replaced after a growing back-off (100 ms doubling to 10 s);
 *   - SIGHUP re-reads the configuration and replaces the workers one at a
 *     time, each new worker started before an old one is asked to stop;
 *   - SIGTERM or SIGINT stop gracefully: workers finish the request in hand;
 *     after shutdown_timeout_ms the rest are killed. A second signal kills
 *     them at once;
 *   - with die_with_parent (LUME_DIE_WITH_PARENT, off by default), the exit
 *     of the process that started it is taken as a SIGTERM (checked once a
 *     second), so a killed supervisor such as scripts/run.sh leaves nothing
 *     running. Off, it never looks: under init, a service manager or as PID 1
 *     in a container it cannot misfire.
 * These rules are the pool's (pool.h: its state and a pure step that turns
 * events into actions); master.c is the process side: it forks, signals and
 * reaps the workers, reads the signal pipe and reloads the configuration.
 */
#ifndef LUME_MASTER_H
#define LUME_MASTER_H

#include "config.h"

/* Run until stopped; returns the process exit status. argv and envp are kept
 * to re-read the configuration on SIGHUP. */
int lume_master_run(const lume_config *cfg, int argc, char *const argv[], char *const envp[]);

#endif
