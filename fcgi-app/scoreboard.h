/*
 * scoreboard.h: one line per worker in the master's shared memory, as
 * php-fpm's scoreboard (fpm_scoreboard.c): pid, state, requests served, and
 * the request in hand (when it started, its route, its request id).
 *
 * Each line has one writer, the worker of that slot, through its observe
 * context (observe.h); the master clears the line of a worker it reaped.
 * pid, state and the served count are single atomic words, written with
 * stores. The request line is several words: it is
 * written under a sequence counter (a seqlock: odd while a write is under
 * way), and a reader copies it until it sees the same even count before and
 * after, so it never shows the route of one request with the id of another.
 * Nobody waits on a lock: a reader that keeps losing the race gives up and
 * shows the line without its request (it is a snapshot anyway).
 */
#ifndef LUME_SCOREBOARD_H
#define LUME_SCOREBOARD_H

#include <stdint.h>
#include <sys/types.h>

#include "shared.h"

#define LUME_SCOREBOARD_ROUTE_LEN 32 /* route names, NUL included */
#define LUME_SCOREBOARD_ID_LEN    72 /* request ids (64 characters), NUL included */

typedef enum lume_worker_state {
    LUME_WORKER_FREE = 0, /* no worker in this slot */
    LUME_WORKER_IDLE,     /* waiting for a connection */
    LUME_WORKER_READING,  /* accepted one, reading its request */
    LUME_WORKER_BUSY,     /* serving a request */
    LUME_WORKER_STATES
} lume_worker_state;

typedef struct lume_scoreboard lume_scoreboard;

/* One line, as read. */
typedef struct lume_scoreboard_line {
    pid_t pid;
    lume_worker_state state;
    uint64_t served;
    int64_t request_start_ms; /* wall clock, ms since the epoch; 0 when none */
    char route[LUME_SCOREBOARD_ROUTE_LEN];
    char request_id[LUME_SCOREBOARD_ID_LEN];
} lume_scoreboard_line;

/* The scoreboard laid out in shared's area; NULL when shared is NULL. */
lume_scoreboard *lume_scoreboard_of(lume_shared *shared);

/* The worker of slot: it starts (idle, served 0), changes state, begins a
 * request (busy) and ends it (served + 1, idle). The master: a worker was
 * reaped (the line is free). Every call accepts a NULL board. */
void lume_scoreboard_start(lume_scoreboard *b, int slot, pid_t pid);
void lume_scoreboard_set_state(lume_scoreboard *b, int slot, lume_worker_state state);
void lume_scoreboard_begin(lume_scoreboard *b, int slot, const char *route, const char *request_id,
                           int64_t start_ms);
void lume_scoreboard_end(lume_scoreboard *b, int slot);
void lume_scoreboard_clear(lume_scoreboard *b, int slot);

/* Read slot's line; 0 when the slot is free (or out of range). */
int lume_scoreboard_read(lume_scoreboard *b, int slot, lume_scoreboard_line *out);

/* Workers in each state, free slots not counted except in counts[FREE]. */
void lume_scoreboard_count(lume_scoreboard *b, uint64_t counts[LUME_WORKER_STATES]);

/* The state's name: "idle", "reading", "busy", "free". */
const char *lume_worker_state_name(lume_worker_state state);

#endif
