/*
 * naming.h: the library provider's media file-name parser (issue 26, part 2).
 * A path relative to a library root goes in; title, year, season, episodes,
 * air date, episode title, resolution, source, codecs, release group,
 * language and kind (film, episode, extra) come out. Nothing else: no file
 * system, no index, no network.
 *
 * The rules follow the naming Jellyfin (Emby.Naming), Kodi and Sonarr
 * document; docs/providers.md ("The library provider: names") lists them.
 * No Debian C library parses media names (guessit and Emby.Naming are Python
 * and C#), so the rules are written here, as PCRE2 patterns compiled once.
 *
 * Bounds: a path is at most LUME_NAMING_PATH_MAX bytes and each of its
 * segments at most LUME_NAMING_SEGMENT_MAX; every text field is
 * NUL-terminated valid UTF-8 of at most LUME_NAMING_TEXT_MAX bytes (cut at a
 * character boundary), without control characters. Invalid UTF-8 in a name
 * becomes U+FFFD; control characters (newlines...) become spaces.
 *
 * A parser keeps its compiled patterns and match data: one per worker, not
 * thread-safe. lume_naming_parse writes only to out.
 */
#ifndef LUME_NAMING_H
#define LUME_NAMING_H

#include <stddef.h>

#define LUME_NAMING_PATH_MAX    4096 /* bytes of a relative path */
#define LUME_NAMING_SEGMENT_MAX 255  /* bytes of one file or folder name */
#define LUME_NAMING_TEXT_MAX    255  /* bytes of title, key, episode title */
#define LUME_NAMING_GROUP_MAX   31   /* bytes of a release group */

typedef enum lume_media_kind {
    LUME_MEDIA_UNKNOWN = 0, /* not a video (a sidecar), or nothing to name */
    LUME_MEDIA_FILM,
    LUME_MEDIA_EPISODE,
    LUME_MEDIA_EXTRA /* trailer, sample, featurette...: never a result */
} lume_media_kind;

typedef struct lume_media_name {
    lume_media_kind kind;
    /* Display title of the film or show: separators to spaces, trimmed. */
    char title[LUME_NAMING_TEXT_MAX + 1];
    /* Match key of the title: letters and digits only, case-folded, Latin
     * accents folded to ASCII ("Amélie" -> "amelie"); other scripts kept. */
    char key[LUME_NAMING_TEXT_MAX + 1];
    int year;                         /* 1880..2099; 0 when none */
    int season;                       /* 0 for specials; -1 when none */
    int episode;                      /* -1 when none */
    int episode_end;                  /* last episode of a multi-episode file; -1 when single */
    int air_year, air_month, air_day; /* daily shows; 0 when none */
    char episode_title[LUME_NAMING_TEXT_MAX + 1];
    int resolution; /* 2160, 1080, 720, 480 (576 counts as 480); 0 when none */
    /* Static strings or NULL: */
    const char *source;      /* "web-dl" "webrip" "bluray" "hdtv" "dvd" "cam" "screener" */
    const char *video_codec; /* "h264" "hevc" "av1" "vp9" "xvid" "divx" "mpeg2" "vc1" */
    const char *audio_codec; /* "truehd" "dts-hd" "dts" "eac3" "ac3" "aac" "flac" "opus" "mp3" */
    const char *language;    /* ISO 639-1 ("en", "fr", ...) or "mul" */
    const char *extra;       /* kind EXTRA: "trailer" "sample" "featurette" "behind-the-scenes"
                                "deleted-scene" "interview" "scene" "short" "clip" "theme"
                                "extra"; NULL otherwise */
    char group[LUME_NAMING_GROUP_MAX + 1]; /* release group; "" when none */
} lume_media_name;

typedef struct lume_naming lume_naming;

/* NULL with a message in err when a pattern does not compile or memory runs out. */
lume_naming *lume_naming_create(char *err, size_t errlen);
void lume_naming_destroy(lume_naming *n);

/*
 * Parse relpath (len bytes, any bytes) into out. query, when not NULL, is
 * the title the client asked for (NUL-terminated): a name that starts with
 * it takes it as its title, whatever numbers it holds ("3x3 Eyes",
 * "Blade Runner 2049"). 0 when parsed (kind may still be UNKNOWN); -1 when
 * the path is refused: empty, longer than LUME_NAMING_PATH_MAX, absolute,
 * holding a NUL byte, an empty, "." or ".." segment, or a segment longer
 * than LUME_NAMING_SEGMENT_MAX. out is always fully written.
 */
int lume_naming_parse(lume_naming *n, const char *relpath, size_t len, const char *query,
                      lume_media_name *out);

/* How well query (len bytes, any bytes) names m's title. */
#define LUME_NAMING_NO_MATCH    0
#define LUME_NAMING_MATCH_YEAR  1 /* title and year: "1917 2019", "blade runner 2049" */
#define LUME_NAMING_MATCH_TITLE 2 /* the title's key exactly */
int lume_naming_match(const lume_media_name *m, const char *query, size_t len);

/* The match key of s (len bytes, any bytes) into key (keylen >= 1 bytes):
 * what title keys and queries are compared as. Returns its length; a key
 * that does not fit is cut at a character boundary. */
size_t lume_naming_key(const char *s, size_t len, char *key, size_t keylen);

#endif
