/*
 * results.h: the results every provider fills: one media link, the container
 * of them, the API's rules over them (dead ones dropped, the live ones in
 * order of seeds, the limit), and the quality labels parsed from titles and
 * video heights.
 *
 * Providers add results in any order; the API layer applies the rules once,
 * with lume_results_select, and answers with what it keeps.
 */
#ifndef LUME_RESULTS_H
#define LUME_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

/* A yes/no fact a provider may not know; zero is "unknown", as for every
 * fact below, so that a provider sets only what it knows. */
typedef enum lume_tri { LUME_TRI_UNKNOWN = 0, LUME_TRI_NO, LUME_TRI_YES } lume_tri;

#define LUME_SUBTITLES_MAX 16 /* per candidate; more are not kept */
#define LUME_FACT_LEN      16 /* container and codec names: "mp4", "h264", "eac3" */

/* A subtitle track beside a candidate (a sidecar file, an Archive SubRip). */
typedef struct lume_subtitle {
    char *url;                        /* owned, absolute */
    char lang[8];                     /* BCP 47 ("en", "pt-BR"); "" when unknown */
    char label[40];                   /* "English", "English (forced)"; "" when unknown */
    char format[LUME_FACT_LEN];       /* "srt", "vtt" */
} lume_subtitle;

/* What a provider knows of a candidate beyond the MediaLink (the /streams
 * fields, docs/api.md): every member zero when unknown. Names are the `caps`
 * parameter's (caps.h): "mp4", "mkv"; "h264", "hevc"; "aac", "opus". */
typedef struct lume_media_facts {
    char container[LUME_FACT_LEN];
    char video_codec[LUME_FACT_LEN];
    char audio_codec[LUME_FACT_LEN];
    int width, height;  /* pixels */
    int64_t duration_s; /* seconds */
    int64_t bitrate;    /* bits per second */
    lume_tri seekable;  /* an index to seek with (MP4 moov, Matroska Cues) */
    int64_t expires_at; /* a signed link's end, Unix seconds */
} lume_media_facts;

typedef struct lume_media_link {
    char *title;         /* owned, UTF-8, 1..500 characters */
    char *url;           /* owned, absolute https URL */
    int64_t size;        /* bytes; -1 when unknown (JSON null) */
    int64_t seeds;       /* availability score; 0 = dead */
    const char *quality; /* static "2160p", "1080p", "720p", "480p" or NULL */
    /* The /streams detail (zero when the provider says nothing of it). */
    lume_media_facts facts;
    char *key;                /* owned or NULL: the same item and file reached by two
                               * URLs has one key ("archive:ident/file.mp4") */
    lume_subtitle *subtitles; /* owned, nsubtitles of them */
    size_t nsubtitles;
    /* Set by the provider set (provider_set.h) and the ranking (rank.h). */
    const char *provider; /* the LUME_PROVIDERS name: "mock", "archive" */
    int provider_rank;    /* its place in LUME_PROVIDERS, 0 first */
    size_t added;         /* order of arrival: the last tie-break */
    lume_tri direct_play; /* for the device the request states */
} lume_media_link;

/* What a provider knows of the episode after the one searched for (season
 * and episode given): the API's next-episode hint (docs/api.md). */
typedef enum lume_next {
    LUME_NEXT_UNKNOWN = 0, /* it cannot tell: the hint names episode + 1 */
    LUME_NEXT_EPISODE,     /* episode + 1 of the same season has a live result */
    LUME_NEXT_SEASON,      /* not that, but episode 1 of season + 1 has one */
    LUME_NEXT_NONE         /* neither: this is the last episode it knows */
} lume_next;

typedef struct lume_results {
    lume_media_link *items;
    size_t count;
    size_t cap;
    lume_next next; /* set by the provider; LUME_NEXT_UNKNOWN after clear */
} lume_results;

void lume_results_init(lume_results *r);
/* Copy title and url in; size -1 for unknown. LUME_ERR_INTERNAL when out of memory. */
lume_status lume_results_add(lume_results *r, const char *title, const char *url, int64_t size,
                             int64_t seeds, const char *quality);
/* Add m (copied: title, url, key and the subtitles'; m->subtitles may hold
 * more than LUME_SUBTITLES_MAX, the rest are not kept). The ranking fields
 * are reset. LUME_ERR_INTERNAL when out of memory. */
lume_status lume_results_add_link(lume_results *r, const lume_media_link *m);
/* Add a subtitle to the last result added (r->count > 0); beyond
 * LUME_SUBTITLES_MAX it is not kept (LUME_OK). */
lume_status lume_results_add_subtitle(lume_results *r, const lume_subtitle *sub);
/* Move every result of from to the end of to (from is left empty). */
lume_status lume_results_take(lume_results *to, lume_results *from);
void lume_results_sort(lume_results *r);  /* seeds descending, stable */
void lume_results_clear(lume_results *r); /* empty, keeping capacity */
void lume_media_link_free(lume_media_link *m); /* what m owns, not m */
void lume_results_free(lume_results *r);

/* The API's rules over what the providers found, for the default device:
 * lume_results_rank (rank.h) with lume_caps_default(). Where no result has
 * facts, that is the contract's rule: dead results (seeds 0) dropped, the
 * live ones ordered by seeds, highest first (equal seeds in the provider's
 * order), and only the first limit kept (1 for a resolve). Returns how many
 * were live, the limit aside (a search's total_results); r->count is then
 * the smaller of that and limit. r->next is left as the provider set it. */
size_t lume_results_select(lume_results *r, size_t limit);

/* "2160p" for 2160p/4K/UHD, then 1080p, 720p, 480p; NULL when none. */
const char *lume_quality_from_title(const char *title);
/* Quality of a video height in pixels; NULL below 480 or unknown (<= 0). */
const char *lume_quality_from_height(long height);

#endif
