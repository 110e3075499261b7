/*
 * titles.h: what a provider holds, for browsing rather than resolving (the
 * Stremio addon's catalogs and metas, docs/stremio.md): its films and series
 * by name and year, with a poster, and a series' episodes. Containers with
 * owned copies, filled by a provider's optional browse() and episodes()
 * (provider.h), bounded.
 */
#ifndef LUME_TITLES_H
#define LUME_TITLES_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#define LUME_TITLES_MAX   100  /* titles one browse gives at most */
#define LUME_EPISODES_MAX 2000 /* episodes of one series kept */

/* One film or series. */
typedef struct lume_title {
    char *name;   /* owned, UTF-8: "Charade", "The Boys" */
    int year;     /* 0 when unknown */
    int series;   /* 1: a series, its episodes by episodes() */
    char *poster; /* owned, an absolute URL, or NULL */
} lume_title;

typedef struct lume_titles {
    lume_title *items;
    size_t count, cap;
} lume_titles;

/* What a browse asks for. */
typedef struct lume_browse {
    int series;          /* 1: the series, 0: the films */
    const char *search;  /* words the names hold (case- and accent-blind where the
                          * provider can), or NULL: all, in the provider's order */
    long skip;           /* how many to pass over first (paging) */
    int limit;           /* at most this many (<= LUME_TITLES_MAX) */
    int64_t deadline_ms; /* absolute, on the lume_now_ms() clock */
} lume_browse;

/* One episode of a series. */
typedef struct lume_episode {
    int season, episode;
    char *title;     /* owned, or NULL */
    int64_t aired_s; /* when it aired or was added, Unix seconds; 0 when unknown */
} lume_episode;

typedef struct lume_episodes {
    lume_episode *items;
    size_t count, cap;
} lume_episodes;

/* The name, year, season and episode a release title says, read simply:
 * "Charade (1963) 1080p" is Charade, 1963; "The Boys S04E01 1080p WEB-DL"
 * is The Boys, season 4, episode 1. The name ends at the first "(year)",
 * SxxEyy, quality (480p, 720p, 1080p, 2160p, 4K) or source tag, trailing
 * blanks, dots and dashes cut. For providers whose titles are release names
 * (the mock, the archive); the library parses file names (naming.h). */
#define LUME_TITLE_NAME_BUF 256
typedef struct lume_title_parts {
    char name[LUME_TITLE_NAME_BUF]; /* "" when nothing is left */
    int year;                       /* 0 when none */
    int season, episode;            /* 0 when none */
} lume_title_parts;
void lume_title_parse(const char *title, lume_title_parts *out);

void lume_titles_init(lume_titles *t);
/* Copy a title in (poster may be NULL); beyond LUME_TITLES_MAX it is not
 * kept (LUME_OK). LUME_ERR_INTERNAL when out of memory. */
lume_status lume_titles_add(lume_titles *t, const char *name, int year, int series,
                            const char *poster);
void lume_titles_free(lume_titles *t);

void lume_episodes_init(lume_episodes *e);
/* Copy an episode in (title may be NULL); an episode already there (the same
 * season and number) is not added twice, and beyond LUME_EPISODES_MAX none
 * is kept (LUME_OK). */
lume_status lume_episodes_add(lume_episodes *e, int season, int episode, const char *title,
                              int64_t aired_s);
/* In order: season, then episode. */
void lume_episodes_sort(lume_episodes *e);
void lume_episodes_free(lume_episodes *e);

#endif
