/*
 * indexer.c: the library's indexer, the process the master forks and keeps
 * beside the workers while the library provider is listed (pool.h,
 * LUME_POOL_INDEXER; provider.h, background). The index's one writer:
 *
 *   - at start, it opens the index read-write (creating it) and scans every
 *     root of LUME_LIBRARY_DIRS (scan.h: incremental by size and mtime, each
 *     probe in a killed-on-timeout child, transactions of a few dozen files);
 *   - then it waits, and scans again (incrementally) when inotify reports a
 *     change in a watched folder (a file written and closed, moved in or out,
 *     deleted; a folder created), LUME_LIBRARY_RESCAN_S seconds after the
 *     last scan (network mounts, where inotify sees nothing), or on SIGHUP;
 *   - changes are gathered until LUME_INDEXER_QUIET_MS pass without one (or
 *     LUME_INDEXER_GATHER_MS since the first), so a copy of many files is one
 *     scan, and a change is searchable within about a second;
 *   - folders are watched recursively, links and names starting with '.'
 *     aside, at most LUME_INDEXER_WATCHES_MAX of them (past that, and when
 *     the kernel's limit is reached, changes there wait for a rescan); the
 *     watches are made again when a folder appears or the queue overflows.
 *
 * Workers read through their own read-only handles (WAL): a scan never
 * blocks a resolve. SIGTERM (the master's stop, or its reload, which
 * replaces the indexer: a new one scans at start) ends it at once, mid-scan
 * too: what was committed stays, the rest is found again by the next scan.
 * It stops when the master is gone (checked every second, and by
 * PR_SET_PDEATHSIG).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "index.h"
#include "library.h"
#include "log.h"
#include "scan.h"

#define LUME_INDEXER_WATCHES_MAX 4096
#define LUME_INDEXER_QUIET_MS    150
#define LUME_INDEXER_GATHER_MS   1000
#define WAKE_MS                  1000 /* at least this often: the master, a stop */

#define WATCH_MASK                                                                                 \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF |       \
     IN_MOVE_SELF | IN_ONLYDIR)

/* The indexer is a process of its own, one thread: its signal flags are its own. */
static volatile sig_atomic_t stopping, rescan_asked, scanning;

static void on_signal(int signo)
{
    if (signo == SIGHUP) {
        rescan_asked = 1;
        return;
    }
    if (scanning)
        _exit(0); /* mid-scan: the index keeps its last commit */
    stopping = 1;
}

static void signals_init(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

typedef struct watcher {
    int fd;
    long watches;
    int full; /* the bound or the kernel's limit was reached */
} watcher;

static void watch_tree(watcher *w, const char *dir, int depth)
{
    DIR *d;
    struct dirent *e;

    if (w->full)
        return;
    if (w->watches >= LUME_INDEXER_WATCHES_MAX || inotify_add_watch(w->fd, dir, WATCH_MASK) < 0) {
        if (w->watches >= LUME_INDEXER_WATCHES_MAX || errno == ENOSPC) {
            w->full = 1;
            lume_log(LUME_LOG_WARN, "library_watch_limit",
                     "watching %ld folders, no more: changes elsewhere wait for a rescan "
                     "(LUME_LIBRARY_RESCAN_S)",
                     w->watches);
        }
        return;
    }
    w->watches++;
    if (depth >= LUME_SCAN_DEPTH_MAX || (d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL && !w->full) {
        char path[4096];
        struct stat sb;

        if (e->d_name[0] == '.' ||
            (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)) /* links are not followed */
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
            lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        watch_tree(w, path, depth + 1);
    }
    closedir(d);
}

/* (Re)make every watch: a new inotify instance over the roots' folders. */
static void watch_all(watcher *w, char roots[][LUME_PATH_LEN], int n)
{
    if (w->fd >= 0)
        close(w->fd);
    w->watches = 0;
    w->full = 0;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        lume_log(LUME_LOG_WARN, "library_watch_failed", "inotify: %s; rescans only",
                 strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++)
        watch_tree(w, roots[i], 0);
}

/* Read what inotify has: 1 when a change calls for a scan; *rewatch when
 * the watches must be made again (a new folder, a watched one gone, an
 * overflow). */
static int drain(watcher *w, int *rewatch)
{
    _Alignas(struct inotify_event) char buf[16384];
    int changed = 0;
    ssize_t n;

    while (w->fd >= 0 && (n = read(w->fd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;

            if (e->mask & IN_Q_OVERFLOW) {
                changed = *rewatch = 1;
            } else if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
                changed = *rewatch = 1;
            } else if (e->mask & IN_ISDIR) {
                if (e->mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE))
                    changed = *rewatch = 1;
            } else if (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)) {
                changed = 1; /* a file created is scanned once written and closed */
            }
            p += sizeof(*e) + e->len;
        }
    }
    return changed;
}

static void log_scan(const lume_scan_stats *st, lume_status status, int64_t ms, const char *why)
{
    lume_logline l;

    if (!lume_logline_begin(&l, status == LUME_OK ? LUME_LOG_INFO : LUME_LOG_WARN))
        return;
    lume_logline_str(&l, "event", "library_scan");
    lume_logline_str(&l, "reason", why);
    lume_logline_str(&l, "status", lume_status_code(status));
    lume_logline_int(&l, "ms", ms);
    lume_logline_int(&l, "files", st->files);
    lume_logline_int(&l, "added", st->added);
    lume_logline_int(&l, "updated", st->updated);
    lume_logline_int(&l, "removed", st->removed);
    lume_logline_int(&l, "probed", st->probed);
    lume_logline_int(&l, "probe_failed", st->probe_failed + st->probe_crashed + st->probe_timeout);
    lume_logline_int(&l, "refused", st->refused);
    lume_logline_int(&l, "unreadable", st->unreadable);
    lume_logline_write(&l);
}

static lume_status scan_all(lume_scanner *sc, char roots[][LUME_PATH_LEN], int n, const char *why)
{
    const char *list[LUME_LIBRARY_ROOTS_MAX];
    lume_scan_stats st = {0};
    int64_t t0 = lume_now_ms();
    lume_status status;

    for (int i = 0; i < n; i++)
        list[i] = roots[i];
    scanning = 1;
    if (stopping)
        _exit(0);
    status = lume_scan_roots(sc, list, (size_t)n, &st);
    scanning = 0;
    log_scan(&st, status, lume_now_ms() - t0, why);
    return status;
}

int lume_library_indexer_run(const void *settings, pid_t master)
{
    const library_settings *set = settings;
    char roots[LUME_LIBRARY_ROOTS_MAX][LUME_PATH_LEN];
    watcher w = {.fd = -1};
    lume_index *idx = NULL;
    lume_scanner *sc = NULL;
    int n, status = 3;
    int64_t last_scan;

    prctl(PR_SET_PDEATHSIG, SIGTERM);
    prctl(PR_SET_NAME, "lume-indexer");
    signals_init();
    if ((n = lume_library_roots(set->dirs, roots)) < 1) {
        lume_log(LUME_LOG_ERROR, "indexer_failed", "LUME_LIBRARY_DIRS names no folder");
        return status;
    }
    if (lume_index_open_rw(set->index, &idx) != LUME_OK) {
        lume_log(LUME_LOG_ERROR, "indexer_failed", "cannot open the index %s for writing",
                 set->index);
        return status;
    }
    if ((sc = lume_scanner_create(idx, NULL)) == NULL) {
        lume_log(LUME_LOG_ERROR, "indexer_failed", "cannot create the scanner");
        goto done;
    }
    watch_all(&w, roots, n);
    scan_all(sc, roots, n, "start");
    last_scan = lume_now_ms();
    while (!stopping && getppid() == master) {
        struct pollfd pfd = {.fd = w.fd, .events = POLLIN};
        int64_t now = lume_now_ms(), timeout = WAKE_MS;
        int rewatch = 0, changed = 0;
        const char *why = NULL;

        if (set->rescan_s > 0 && last_scan + set->rescan_s * 1000 - now < timeout)
            timeout = last_scan + set->rescan_s * 1000 - now;
        if (timeout > 0 && !rescan_asked)
            (void)poll(&pfd, w.fd >= 0 ? 1 : 0, (int)timeout);
        if (stopping)
            break;
        if (drain(&w, &rewatch)) {
            /* Gather the rest of the burst. */
            int64_t first = lume_now_ms();
            for (;;) {
                int64_t left = first + LUME_INDEXER_GATHER_MS - lume_now_ms();
                if (left <= 0 || stopping)
                    break;
                if (poll(&pfd, 1, (int)(left < LUME_INDEXER_QUIET_MS ? left
                                                                      : LUME_INDEXER_QUIET_MS)) <= 0)
                    break;
                drain(&w, &rewatch);
            }
            changed = 1;
            why = "change";
        }
        if (rescan_asked) {
            rescan_asked = 0;
            changed = rewatch = 1;
            why = "sighup";
        } else if (!changed && set->rescan_s > 0 &&
                   lume_now_ms() - last_scan >= set->rescan_s * 1000) {
            changed = rewatch = 1;
            why = "periodic";
        }
        if (stopping)
            break;
        if (rewatch || (w.fd < 0 && changed))
            watch_all(&w, roots, n);
        if (changed) {
            scan_all(sc, roots, n, why);
            last_scan = lume_now_ms();
        }
    }
    status = 0;
done:
    if (w.fd >= 0)
        close(w.fd);
    lume_scanner_destroy(sc);
    lume_index_close(idx);
    return status;
}
