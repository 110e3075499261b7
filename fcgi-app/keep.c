/* keep.c: the connections a worker keeps, and its wait (see keep.h). */
#include "keep.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#define READY_MAX 64 /* events taken from one wait */

typedef struct kept {
    int fd;          /* -1: a free slot */
    int in_hand;     /* taken by lume_keep_next(), its request being served */
    int64_t used_ms; /* when it last went idle */
    uint64_t used;   /* the order in which they went idle (ms are too coarse) */
} kept;

struct lume_keep {
    int listen_fd;
    int epoll_fd;
    int max;
    int count;
    int stopped; /* lume_keep_stop(): nothing more is kept */
    uint64_t puts;
    int ready_n, ready_pos;
    struct epoll_event ready[READY_MAX];
    kept slots[]; /* max of them */
};

lume_keep *lume_keep_create(int listen_fd, int max)
{
    lume_keep *k = calloc(1, sizeof(*k) + (size_t)max * sizeof(kept));
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listen_fd};

    if (k == NULL)
        return NULL;
    k->listen_fd = listen_fd;
    k->max = max;
    for (int i = 0; i < max; i++)
        k->slots[i].fd = -1;
    /* Every worker waits on the listener, level-triggered: a new connection
     * wakes every idle worker and one accepts it. Not EPOLLEXCLUSIVE: the one
     * worker it wakes may be on its way out (a reload) and take nothing,
     * and the others would not hear of the connection until the next one.
     * With kept connections a new connection is rare. */
    k->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (k->epoll_fd < 0 || epoll_ctl(k->epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
        int err = errno;
        lume_keep_destroy(k);
        errno = err;
        return NULL;
    }
    return k;
}

static kept *find(lume_keep *k, int fd)
{
    for (int i = 0; i < k->max; i++)
        if (k->slots[i].fd == fd)
            return &k->slots[i];
    return NULL;
}

/* Close a kept connection; a later event of the last wait for its number
 * (which a new connection may get) is void. */
static void close_slot(lume_keep *k, kept *s)
{
    for (int i = k->ready_pos; i < k->ready_n; i++)
        if (k->ready[i].data.fd == s->fd)
            k->ready[i].data.fd = -1;
    close(s->fd);
    s->fd = -1;
    s->in_hand = 0;
    k->count--;
}

void lume_keep_destroy(lume_keep *k)
{
    if (k == NULL)
        return;
    for (int i = 0; i < k->max; i++)
        if (k->slots[i].fd >= 0 && !k->slots[i].in_hand)
            close_slot(k, &k->slots[i]);
    if (k->epoll_fd >= 0)
        close(k->epoll_fd);
    free(k);
}

int lume_keep_wait(lume_keep *k, int timeout_ms, const sigset_t *mask)
{
    int n = epoll_pwait(k->epoll_fd, k->ready, READY_MAX, timeout_ms, mask);

    k->ready_pos = 0;
    k->ready_n = n > 0 ? n : 0;
    return n;
}

int lume_keep_next(lume_keep *k)
{
    while (k->ready_pos < k->ready_n) {
        int fd = k->ready[k->ready_pos++].data.fd;
        kept *s;

        if (fd == k->listen_fd)
            return fd;
        if (fd < 0 || (s = find(k, fd)) == NULL || s->in_hand)
            continue; /* closed since the wait */
        s->in_hand = 1;
        return fd;
    }
    return -1;
}

/* The least recently used idle connection, or NULL. */
static kept *oldest_idle(lume_keep *k)
{
    kept *old = NULL;

    for (int i = 0; i < k->max; i++) {
        kept *s = &k->slots[i];
        if (s->fd >= 0 && !s->in_hand && (old == NULL || s->used < old->used))
            old = s;
    }
    return old;
}

void lume_keep_forget(lume_keep *k, int fd)
{
    kept *s = find(k, fd);

    if (s == NULL)
        return;
    /* The caller closes it, which takes it out of the epoll set. */
    s->fd = -1;
    s->in_hand = 0;
    k->count--;
}

int lume_keep_put(lume_keep *k, int fd, int64_t now_ms)
{
    kept *s = k->max > 0 ? find(k, fd) : NULL;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

    if (k->stopped) {
        lume_keep_forget(k, fd);
        return -1;
    }
    if (s != NULL) { /* back from hand */
        s->in_hand = 0;
        s->used_ms = now_ms;
        s->used = ++k->puts;
        return 0;
    }
    if (k->max == 0)
        return -1;
    if (k->count == k->max) {
        kept *old = oldest_idle(k);
        if (old == NULL)
            return -1;
        close_slot(k, old);
    }
    s = find(k, -1);
    if (s == NULL || epoll_ctl(k->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return -1;
    s->fd = fd;
    s->in_hand = 0;
    s->used_ms = now_ms;
    s->used = ++k->puts;
    k->count++;
    return 0;
}

void lume_keep_stop(lume_keep *k)
{
    k->stopped = 1;
}

void lume_keep_ignore_listener(lume_keep *k)
{
    if (k->listen_fd < 0)
        return;
    epoll_ctl(k->epoll_fd, EPOLL_CTL_DEL, k->listen_fd, NULL);
    for (int i = k->ready_pos; i < k->ready_n; i++)
        if (k->ready[i].data.fd == k->listen_fd)
            k->ready[i].data.fd = -1;
    k->listen_fd = -1;
}

int lume_keep_release(lume_keep *k)
{
    int n = 0;

    for (int i = 0; i < k->max; i++) {
        kept *s = &k->slots[i];
        if (s->fd >= 0 && !s->in_hand) {
            close_slot(k, s);
            n++;
        }
    }
    return n;
}

int lume_keep_expire(lume_keep *k, int64_t now_ms, int64_t idle_ms)
{
    int n = 0;

    for (int i = 0; i < k->max; i++) {
        kept *s = &k->slots[i];
        if (s->fd >= 0 && !s->in_hand && now_ms - s->used_ms >= idle_ms) {
            close_slot(k, s);
            n++;
        }
    }
    return n;
}

int lume_keep_count(const lume_keep *k)
{
    return k->count;
}
