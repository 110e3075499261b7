/*
 * library.h: what the library provider's files share (library.c, the
 * provider; indexer.c, its background process): its settings block and the
 * list of root folders LUME_LIBRARY_DIRS names.
 */
#ifndef LUME_LIBRARY_H
#define LUME_LIBRARY_H

#include <stddef.h>
#include <sys/types.h>

#include "settings.h"

#define LUME_LIBRARY_ROOTS_MAX  16  /* folders in LUME_LIBRARY_DIRS */
#define LUME_LIBRARY_DIRS_SEP   ':' /* as in PATH */

/* The library's settings: its block of lume_provider_conf. */
typedef struct library_settings {
    char dirs[LUME_PATH_LEN];       /* LUME_LIBRARY_DIRS: absolute folders, ':'-separated */
    char index[LUME_PATH_LEN];      /* LUME_LIBRARY_INDEX: the SQLite file */
    long rescan_s;                  /* LUME_LIBRARY_RESCAN_S: periodic rescan; 0: off */
    char secret[LUME_SECRET_LEN];              /* LUME_LIBRARY_SECRET (settings.h's secret) */
    char secret_file[LUME_PATH_LEN];           /* LUME_LIBRARY_SECRET_FILE */
    char public_url[LUME_PATH_LEN];            /* LUME_LIBRARY_PUBLIC_URL: the links' base */
    long link_ttl_s;                           /* LUME_LIBRARY_LINK_TTL_S */
} library_settings;

/* The folders of a LUME_LIBRARY_DIRS value, each without its trailing '/'
 * ("/" stays "/"), into roots[LUME_LIBRARY_ROOTS_MAX][LUME_PATH_LEN]: how
 * many, or -1 when an item is empty, not absolute, or there are too many. */
int lume_library_roots(const char *dirs, char roots[][LUME_PATH_LEN]);

/* The indexer (indexer.c): scan every root into the index, then again on
 * inotify events, every rescan_s, and on SIGHUP, until SIGTERM or until
 * master is gone. Its exit status. */
int lume_library_indexer_run(const void *settings, pid_t master);

#endif
