/* scoreboard.c: the workers' lines in shared memory (see scoreboard.h). */
#include "scoreboard.h"

#include <stdatomic.h>
#include <string.h>

#include "pool.h"

#define ROUTE_WORDS (LUME_SCOREBOARD_ROUTE_LEN / 8)
#define ID_WORDS    (LUME_SCOREBOARD_ID_LEN / 8)
#define READ_TRIES  64

typedef struct line {
    _Alignas(64) _Atomic int32_t pid;
    _Atomic int32_t state;
    _Atomic uint64_t served;
    _Atomic uint64_t seq; /* odd while the request line below is written */
    _Atomic int64_t start_ms;
    _Atomic uint64_t route[ROUTE_WORDS];
    _Atomic uint64_t id[ID_WORDS];
} line;

struct lume_scoreboard {
    line lines[LUME_METRICS_SLOTS];
};

_Static_assert(sizeof(line) <= 256, "a line fits its share of LUME_SHARED_SCOREBOARD_AREA");
_Static_assert(sizeof(struct lume_scoreboard) <= LUME_SHARED_SCOREBOARD_AREA, "the board fits");
_Static_assert(LUME_POOL_SLOTS < LUME_METRICS_SLOTS, "a line for every pool slot");

lume_scoreboard *lume_scoreboard_of(lume_shared *shared)
{
    return lume_shared_scoreboard_area(shared);
}

static line *at(lume_scoreboard *b, int slot)
{
    return b != NULL && slot >= 0 && slot < LUME_POOL_SLOTS ? &b->lines[slot] : NULL;
}

/* Store a string into words, NUL-padded, truncated to leave a NUL. */
static void put_words(_Atomic uint64_t *words, size_t n, const char *s)
{
    char buf[LUME_SCOREBOARD_ID_LEN] = {0};
    size_t len = s != NULL ? strnlen(s, n * 8 - 1) : 0;

    if (len > 0)
        memcpy(buf, s, len); /* s may be NULL: memcpy() must not see it */
    for (size_t i = 0; i < n; i++) {
        uint64_t w;
        memcpy(&w, buf + i * 8, 8);
        atomic_store_explicit(&words[i], w, memory_order_relaxed);
    }
}

static void get_words(_Atomic uint64_t *words, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t w = atomic_load_explicit(&words[i], memory_order_relaxed);
        memcpy(out + i * 8, &w, 8);
    }
    out[n * 8 - 1] = '\0';
}

/* The request line, written by the line's one writer under the seqlock. */
static void write_request(line *l, const char *route, const char *request_id, int64_t start_ms)
{
    uint64_t seq = atomic_load_explicit(&l->seq, memory_order_relaxed);

    atomic_store_explicit(&l->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&l->start_ms, start_ms, memory_order_relaxed);
    put_words(l->route, ROUTE_WORDS, route);
    put_words(l->id, ID_WORDS, request_id);
    atomic_store_explicit(&l->seq, seq + 2, memory_order_release);
}

void lume_scoreboard_start(lume_scoreboard *b, int slot, pid_t pid)
{
    line *l = at(b, slot);

    if (l == NULL)
        return;
    write_request(l, NULL, NULL, 0);
    atomic_store_explicit(&l->served, 0, memory_order_relaxed);
    atomic_store_explicit(&l->pid, pid, memory_order_relaxed);
    atomic_store_explicit(&l->state, LUME_WORKER_IDLE, memory_order_release);
}

void lume_scoreboard_set_state(lume_scoreboard *b, int slot, lume_worker_state state)
{
    line *l = at(b, slot);

    if (l != NULL)
        atomic_store_explicit(&l->state, state, memory_order_release);
}

void lume_scoreboard_begin(lume_scoreboard *b, int slot, const char *route, const char *request_id,
                           int64_t start_ms)
{
    line *l = at(b, slot);

    if (l == NULL)
        return;
    write_request(l, route, request_id, start_ms);
    atomic_store_explicit(&l->state, LUME_WORKER_BUSY, memory_order_release);
}

void lume_scoreboard_end(lume_scoreboard *b, int slot)
{
    line *l = at(b, slot);

    if (l == NULL)
        return;
    atomic_fetch_add_explicit(&l->served, 1, memory_order_relaxed);
    atomic_store_explicit(&l->state, LUME_WORKER_IDLE, memory_order_release);
}

void lume_scoreboard_clear(lume_scoreboard *b, int slot)
{
    line *l = at(b, slot);

    if (l == NULL)
        return;
    atomic_store_explicit(&l->state, LUME_WORKER_FREE, memory_order_release);
    atomic_store_explicit(&l->pid, 0, memory_order_relaxed);
}

int lume_scoreboard_read(lume_scoreboard *b, int slot, lume_scoreboard_line *out)
{
    line *l = at(b, slot);

    memset(out, 0, sizeof(*out));
    if (l == NULL)
        return 0;
    out->state = (lume_worker_state)atomic_load_explicit(&l->state, memory_order_acquire);
    if (out->state == LUME_WORKER_FREE || out->state >= LUME_WORKER_STATES)
        return out->state = LUME_WORKER_FREE, 0;
    out->pid = atomic_load_explicit(&l->pid, memory_order_relaxed);
    out->served = atomic_load_explicit(&l->served, memory_order_relaxed);
    for (int i = 0; i < READ_TRIES; i++) {
        uint64_t before = atomic_load_explicit(&l->seq, memory_order_acquire), after;

        if (before & 1)
            continue;
        out->request_start_ms = atomic_load_explicit(&l->start_ms, memory_order_relaxed);
        get_words(l->route, ROUTE_WORDS, out->route);
        get_words(l->id, ID_WORDS, out->request_id);
        atomic_thread_fence(memory_order_acquire);
        after = atomic_load_explicit(&l->seq, memory_order_relaxed);
        if (before == after)
            return 1;
    }
    out->request_start_ms = 0; /* no consistent copy: show the line without its request */
    out->route[0] = out->request_id[0] = '\0';
    return 1;
}

void lume_scoreboard_count(lume_scoreboard *b, uint64_t counts[LUME_WORKER_STATES])
{
    memset(counts, 0, sizeof(uint64_t) * LUME_WORKER_STATES);
    for (int i = 0; i < LUME_POOL_SLOTS && b != NULL; i++) {
        int32_t state = atomic_load_explicit(&b->lines[i].state, memory_order_relaxed);
        counts[state > 0 && state < LUME_WORKER_STATES ? state : LUME_WORKER_FREE]++;
    }
}

const char *lume_worker_state_name(lume_worker_state state)
{
    static const char *const names[LUME_WORKER_STATES] = {"free", "idle", "reading", "busy"};

    return state < LUME_WORKER_STATES ? names[state] : "free";
}
