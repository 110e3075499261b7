/*
 * index.h: the library provider's index (issue 26, part 4). It owns the
 * SQLite database of what the library holds: its roots, its items (films
 * and episodes: names as naming.c reads them, the file's size and mtime,
 * the probe's status and facts) and their sidecar subtitles, with an FTS5
 * table over the titles (unicode61, diacritics removed: "amelie" finds
 * "Amélie", any case).
 *
 * One process writes (lume_index_open_rw: the indexer); workers read
 * (lume_index_open_ro, opened after fork, one handle each, not shared
 * between threads). The database is in WAL mode: readers never wait for
 * the writer, and the writer's transactions (lume_index_begin/commit) are
 * atomic, so a writer killed mid-transaction leaves the previous state.
 * The schema has a version (PRAGMA user_version, LUME_INDEX_SCHEMA): the
 * writer rebuilds an index of another version empty (it is derived from
 * the files, a rescan fills it again); a reader refuses one.
 *
 * Statements are prepared once, at open. Errors are lume_status:
 * LUME_ERR_NOT_FOUND (no such database for a reader, no such item),
 * LUME_ERR_UNAVAILABLE (busy or locked past the wait, or a schema a reader
 * does not know), LUME_ERR_INVALID_QUERY (a query with nothing to look
 * for), LUME_ERR_INTERNAL (anything else: I/O, corruption, memory).
 */
#ifndef LUME_INDEX_H
#define LUME_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "language.h"
#include "naming.h"
#include "probe.h"

#define LUME_INDEX_SCHEMA        2
#define LUME_INDEX_FIND_MAX      100 /* items one find returns at most */
#define LUME_INDEX_SUBTITLES_MAX 16  /* subtitles kept for one item */
#define LUME_INDEX_FORMAT_BUF    8   /* "srt" "vtt" "ass" "ssa" "sub" and NUL */

typedef struct lume_index lume_index;

typedef struct lume_index_subtitle {
    const char *path;                 /* relative to the item's root */
    char lang[LUME_LANGUAGE_TAG_BUF]; /* "en", "pt-BR"; "" when unknown */
    char format[LUME_INDEX_FORMAT_BUF];
    int forced, sdh;
} lume_index_subtitle;

/* An item found: strings valid during the callback only. */
typedef struct lume_index_item {
    int64_t id;
    const char *root;          /* the absolute root folder */
    const char *path;          /* relative to root */
    lume_media_kind kind;      /* FILM or EPISODE */
    const char *title;         /* display title (naming.c) */
    const char *episode_title; /* "" when none */
    int year;                  /* 0 when none */
    int season, episode;       /* -1 when none */
    int episode_end;           /* -1 unless a multi-episode file */
    int64_t size, mtime_ns;
    lume_probe_status probe; /* OK: facts hold; else only facts.size */
    lume_probe_facts facts;
    int match; /* LUME_NAMING_MATCH_TITLE or _YEAR, or 0: the words only */
    size_t n_subtitles;
    const lume_index_subtitle *subtitles;
} lume_index_item;

/* Open (create when missing) the index at path for the one writer. */
lume_status lume_index_open_rw(const char *path, lume_index **out);
/* Open the index at path read-only (a worker, after fork). */
lume_status lume_index_open_ro(const char *path, lume_index **out);
void lume_index_close(lume_index *idx);

/* ---- Reading ----------------------------------------------------------------- */

/* Return a nonzero to stop. */
typedef int (*lume_index_item_fn)(void *ctx, const lume_index_item *item);

/*
 * The items whose title the query names (its key equals the title's, or
 * the title's and the year: naming.h's matching), then those whose title
 * holds every word of the query (FTS5), at most max (<= LUME_INDEX_FIND_MAX;
 * 0: that), exact matches first, then by title, year, season, episode.
 * season and episode (-1: any) filter: an episode matches a multi-episode
 * file that spans it. *found (may be NULL) is how many were given to fn.
 */
lume_status lume_index_find(lume_index *idx, const char *query, int season, int episode, size_t max,
                            lume_index_item_fn fn, void *ctx, size_t *found);

/* What follows the episode a find_best found. */
typedef enum lume_index_next {
    LUME_INDEX_NEXT_NONE,    /* nothing after it, or not asked */
    LUME_INDEX_NEXT_EPISODE, /* episode + 1 of its season */
    LUME_INDEX_NEXT_SEASON,  /* episode 1 of the season after */
} lume_index_next;

/* What a search for a title wants, with find's filters and bound: when the
 * query ends in a year, that title of that year ("dune 2021": Dune of
 * 2021); else, or when there is none, the title of the whole key ("blade
 * runner 2049"); only when neither is there, the words (their doclists are
 * what costs). Items of a title come in the index's order: season,
 * episode, then as they were indexed (no sort). With a season and an
 * episode, and something found, *next (may be NULL) says what follows it
 * in the first item's series (lume_index_has_episode), the next episode
 * read in the same statement as the results. */
lume_status lume_index_find_best(lume_index *idx, const char *query, int season, int episode,
                                 size_t max, lume_index_item_fn fn, void *ctx, size_t *found,
                                 lume_index_next *next);

/* Is episode `episode` of season `season` of the item's series (its title
 * and year) in the index, as a file of its own or spanned by a
 * multi-episode file? *has is 1 or 0. What a found episode's next is. */
lume_status lume_index_has_episode(lume_index *idx, int64_t item_id, int season, int episode,
                                   int *has);

/* One film or series the index holds, for browsing: a name and year once,
 * with the root and path of one of its files (where its folder art is). */
typedef struct lume_index_title {
    const char *title;
    int year;
    const char *root, *path;
} lume_index_title;
typedef int (*lume_index_title_fn)(void *ctx, const lume_index_title *t);

/* The films (series 0) or series (1), by title then year; those whose title
 * holds every word of search (FTS5), or all when search is NULL; from skip,
 * at most max. */
lume_status lume_index_titles(lume_index *idx, int series, const char *search, long skip,
                              size_t max, lume_index_title_fn fn, void *ctx);

/* One episode of a series, as its file names it. */
typedef struct lume_index_episode {
    int season, episode, episode_end;
    const char *episode_title; /* "" when none */
    int64_t mtime_ns;
} lume_index_episode;
typedef int (*lume_index_episode_fn)(void *ctx, const lume_index_episode *e);

/* The episodes of the series whose title is series (its key: naming.h) and
 * year (0: any), by season and episode. */
lume_status lume_index_episodes(lume_index *idx, const char *series, int year,
                                lume_index_episode_fn fn, void *ctx);

/* How many items the index holds (over every root). */
lume_status lume_index_count(lume_index *idx, int64_t *items);

/* A reader's snapshot kept over several reads: for up to ms (0, the
 * default: every statement reads the latest commit). A read then sees the
 * index as it was at most ms before, or when last released; a kept
 * snapshot costs no lock, unlock or file check per read, but holds back
 * the WAL's checkpoint, so let it go whenever there is nothing to read
 * (lume_index_release; a worker about to wait). A writer keeps none. */
void lume_index_hold(lume_index *idx, int ms);
void lume_index_release(lume_index *idx);

/* ---- Writing (the rw handle) ------------------------------------------------- */

lume_status lume_index_begin(lume_index *idx);
lume_status lume_index_commit(lume_index *idx);
void lume_index_rollback(lume_index *idx); /* when a transaction is open */

/* The id of the root folder path (absolute), added when new. */
lume_status lume_index_root(lume_index *idx, const char *root, int64_t *root_id);
/* Forget every root but those of keep[0..n) (their items and subtitles). */
lume_status lume_index_keep_roots(lume_index *idx, const int64_t *keep, size_t n);

/* What the index knows of one file of a root, for an incremental scan. */
typedef struct lume_index_file {
    int64_t id;
    const char *path; /* valid during the callback */
    int64_t size, mtime_ns;
    lume_probe_status probe;
    uint64_t subs_sig; /* the scanner's signature of its subtitles (set_subtitles) */
} lume_index_file;

typedef int (*lume_index_file_fn)(void *ctx, const lume_index_file *file);

/* Each file of the root, in no order; fn returning nonzero stops. */
lume_status lume_index_files(lume_index *idx, int64_t root_id, lume_index_file_fn fn, void *ctx);

typedef struct lume_index_entry {
    int64_t root_id;
    const char *path;            /* relative to the root */
    const lume_media_name *name; /* kind FILM or EPISODE, with a title */
    int64_t size, mtime_ns;
    lume_probe_status probe;
    const lume_probe_facts *facts; /* NULL: none */
} lume_index_entry;

/* Add or replace the item of (root_id, path); its id into *item_id (may be
 * NULL). Its subtitles (and their subs_sig, 0 for a new item) stay until
 * lume_index_set_subtitles. */
lume_status lume_index_put(lume_index *idx, const lume_index_entry *e, int64_t *item_id);
/* Replace the item's subtitles with subs[0..n) (at most LUME_INDEX_SUBTITLES_MAX
 * kept), and remember subs_sig, the scanner's signature of them: 0 exactly
 * when n is 0 (a reader looks for the subtitles of no other item; a
 * signature of 0 with subtitles is kept as 1). */
lume_status lume_index_set_subtitles(lume_index *idx, int64_t item_id,
                                     const lume_index_subtitle *subs, size_t n, uint64_t subs_sig);
/* Remove an item and its subtitles. */
lume_status lume_index_remove(lume_index *idx, int64_t item_id);

#endif
