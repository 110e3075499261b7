/*
 * scan.h: the library provider's scanner (issue 26, parts 1, 3 and 4). It
 * owns walking the library's root folders (LUME_LIBRARY_DIRS, absolute)
 * into the index: which files are media (by extension: mkv mp4 m4v webm avi
 * ts mov ogv), what they are named (naming.c, with their folders), which
 * sidecar subtitles go with each (Film.srt, Film.en.srt,
 * Film.eng.forced.vtt, Subs/..., language by language.c), and which files
 * to probe (probe.c, isolated in a child).
 *
 * Never out of a root: a symbolic link is followed only when its target,
 * resolved, lies inside the root's own resolved path; one leaving it is
 * refused. Names starting with '.' are skipped. Bounded: folders at most
 * max_depth below the root, at most max_files media files a root, relative
 * paths at most LUME_NAMING_PATH_MAX bytes (longer ones are refused).
 *
 * Incremental: a file whose size and mtime the index has is not probed
 * again, whatever its last probe said (a crash or a timeout is remembered
 * until the file changes); its subtitles are written again only when they
 * changed. Files gone are removed, except under a folder that could not be
 * read this time (a missing root changes nothing). Writes go in
 * transactions of a few dozen files, so a scanner killed mid-scan leaves
 * the index whole, with what it committed.
 */
#ifndef LUME_SCAN_H
#define LUME_SCAN_H

#include <stddef.h>

#include "errors.h"
#include "index.h"
#include "probe.h"

#define LUME_SCAN_DEPTH_MAX 16     /* folders below a root, by default */
#define LUME_SCAN_FILES_MAX 200000 /* media files of a root, by default */

typedef struct lume_scan_options {
    int max_depth;           /* <= 0: LUME_SCAN_DEPTH_MAX */
    long max_files;          /* <= 0: LUME_SCAN_FILES_MAX */
    lume_probe_limits probe; /* each file's budget (0s: probe.h's defaults) */
    lume_probe_fn probe_fn;  /* run isolated; NULL: lume_probe_file */
} lume_scan_options;

typedef struct lume_scan_stats {
    long files;     /* media files seen (within the bounds) */
    long unchanged; /* same size and mtime: not probed */
    long added, updated, removed;
    long probed, probe_failed, probe_crashed, probe_timeout;
    long subtitles;  /* sidecar subtitles written */
    long refused;    /* links out of the root, paths too long, names naming.c refuses */
    long skipped;    /* over the bounds, extras, names without a title */
    long unreadable; /* folders that could not be read: their items stay */
} lume_scan_stats;

typedef struct lume_scanner lume_scanner;

/* A scanner writing into idx (opened read-write; it stays the caller's).
 * opt may be NULL. NULL when memory runs out or naming.c cannot start. */
lume_scanner *lume_scanner_create(lume_index *idx, const lume_scan_options *opt);
void lume_scanner_destroy(lume_scanner *s);

/*
 * Scan one root folder (absolute) into the index; st (may be NULL) adds up
 * what happened. LUME_ERR_NOT_FOUND when root is not an absolute path of a
 * folder, LUME_ERR_UNAVAILABLE when it cannot be read (the index keeps what
 * it had of it), the index's error when writing fails.
 */
lume_status lume_scan_root(lume_scanner *s, const char *root, lume_scan_stats *st);

/* Scan each of roots[0..n), then forget the roots the index has that are
 * not among them. The first error (every root is still scanned). */
lume_status lume_scan_roots(lume_scanner *s, const char *const *roots, size_t n,
                            lume_scan_stats *st);

#endif
