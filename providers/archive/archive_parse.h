/*
 * archive_parse.h: pure parsers of Internet Archive answers, and the file
 * picker.
 *
 * Everything here works on a buffer and returns plain values; nothing does
 * I/O, so it can be unit-tested and fuzzed. Bodies need not be NUL-terminated.
 *
 * Every answer is held to two bounds before it is parsed, so that what a
 * hostile upstream sends costs a bounded amount of memory and time whatever
 * its shape: its length, and its structural tokens ('{', '[' and ','
 * outside strings; each value but the first follows one). Jansson spends up to
 * ~300 bytes on a value ({"a":{}} nested: an object and a member), so 32768
 * tokens cost at most ~10 MB and ~10 ms to parse (the deadline can be
 * overrun by one parse). Real answers are far inside both: a search of 100
 * rows is ~400 tokens; an item's metadata ~13 tokens and ~400 bytes a file (a
 * film: 20-100 files, 10-50 KB), so either bound allows ~2500 real files.
 */
#ifndef LUME_ARCHIVE_PARSE_H
#define LUME_ARCHIVE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "archive_formats.h"

#define ARCHIVE_TITLE_MAX       500 /* characters of a MediaLink title (docs/providers.md) */
#define ARCHIVE_BODY_MAX        (1024L * 1024) /* bytes of one answer, search or metadata */
#define ARCHIVE_JSON_TOKENS_MAX 32768          /* '{', '[' and ',' outside strings, per answer */

/* One document of an advancedsearch answer. */
typedef struct archive_hit {
    char *identifier; /* matches ^[A-Za-z0-9._-]+$ */
    char *title;      /* 1..500 characters of UTF-8; the identifier when missing */
    int64_t downloads;
} archive_hit;

typedef enum archive_parse_status {
    ARCHIVE_PARSE_OK = 0,
    ARCHIVE_PARSE_MALFORMED, /* not JSON, wrong types, "error" key, missing "response" */
    ARCHIVE_PARSE_TOO_BIG,   /* over ARCHIVE_BODY_MAX bytes or ARCHIVE_JSON_TOKENS_MAX tokens */
    ARCHIVE_PARSE_NOMEM
} archive_parse_status;

/* Parse an advancedsearch.php?output=json answer into *hits (caller frees with
 * archive_hits_free), in upstream order. Documents whose identifier is not
 * safe are skipped; wrong types anywhere make the whole answer malformed. */
archive_parse_status archive_parse_search(const char *body, size_t len, archive_hit **hits,
                                          size_t *count);
void archive_hits_free(archive_hit *hits, size_t count);

/* Is id a safe Internet Archive identifier (^[A-Za-z0-9._-]+$, not "." or "..")? */
int archive_identifier_valid(const char *id);

/* One file of a metadata answer, as the picker sees it. */
typedef struct archive_file {
    const char *name;   /* path inside the item */
    const char *format; /* "h.264", "MPEG4", "512Kb MPEG4", ... */
    int64_t size;       /* bytes; -1 unknown */
    long height;        /* pixels; 0 unknown */
} archive_file;

/* The best file that plays on Android and in browsers: an .mp4 of the h.264
 * family with the highest height, then the largest size; "512Kb MPEG4" only
 * when nothing better exists. Index into files, or -1 when none plays. */
long archive_pick_file(const archive_file *files, size_t count);

typedef enum archive_item_status {
    ARCHIVE_ITEM_PLAYABLE = 0,
    ARCHIVE_ITEM_DEAD,      /* {} (missing), is_dark, access-restricted, nothing playable */
    ARCHIVE_ITEM_MALFORMED, /* not a JSON object, files not an array of objects */
    ARCHIVE_ITEM_TOO_BIG,   /* over ARCHIVE_BODY_MAX bytes or ARCHIVE_JSON_TOKENS_MAX tokens */
    ARCHIVE_ITEM_NOMEM
} archive_item_status;

#define ARCHIVE_SUBTITLES_MAX 16 /* subtitle files of an item that are kept */

/* A subtitle file of an item (SubRip, WebVTT). */
typedef struct archive_subtitle {
    char *name;         /* owned: its path inside the item */
    const char *format; /* static: "srt", "vtt" */
} archive_subtitle;

/* The chosen file of an item, what its entry says of it, and the item's
 * subtitle files. */
typedef struct archive_choice {
    char *name; /* owned */
    int64_t size;
    long height, width;    /* pixels; 0 unknown */
    int64_t duration_s;    /* from "length" (seconds, or h:mm:ss); 0 unknown */
    archive_format format; /* container and codecs (archive_formats.h) */
    archive_subtitle subtitles[ARCHIVE_SUBTITLES_MAX];
    size_t nsubtitles;
} archive_choice;

/* Parse a /metadata/{identifier} answer and pick its file. On PLAYABLE, out
 * holds the choice (free with archive_choice_free). */
archive_item_status archive_parse_metadata(const char *body, size_t len, archive_choice *out);
void archive_choice_free(archive_choice *c);

/* {base}/download/{identifier}/{path}, every path segment percent-encoded
 * (RFC 3986 unreserved characters kept). base without a trailing '/'. Returns
 * a malloc'd string, or NULL when a segment is unsafe ("", ".", "..") or
 * memory runs out. */
char *archive_download_url(const char *base, const char *identifier, const char *path);

/* {base}/services/img/{identifier}: the item's image (a poster). NULL when
 * the identifier is not valid or memory runs out. */
char *archive_image_url(const char *base, const char *identifier);

#endif
