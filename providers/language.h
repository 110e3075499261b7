/*
 * language.h: the language of a subtitle file, read from its name, as media
 * servers and release names write it (Jellyfin, Kodi, Plex): "Film.en.srt",
 * "Film.eng.forced.vtt", "Film.English.srt", "Film_pt-BR.srt". Shared by
 * the providers that list subtitles: the archive (its SubRip and WebVTT
 * files) and the library (sidecar files).
 *
 * The tags looked at are the last ones before the extension, separated by
 * '.', '_' or '-' (a region joins its language: pt-BR), skipping the flags
 * forced, sdh, cc, hi and default. A tag is an ISO 639-1 code, an ISO 639-2
 * code (both the T and B forms), or the language's English name, in any
 * case. Pure functions over a static table.
 */
#ifndef LUME_LANGUAGE_H
#define LUME_LANGUAGE_H

#include <stddef.h>

#define LUME_LANGUAGE_TAG_BUF 8 /* "pt-BR" and NUL */

typedef struct lume_language {
    char tag[LUME_LANGUAGE_TAG_BUF]; /* BCP 47: "en", "pt-BR"; "" when unknown */
    const char *label;               /* "English", "Portuguese (Brazil)"; NULL when unknown */
    int forced;                      /* the name says "forced" */
    int sdh;                         /* for the deaf and hard of hearing: "sdh", "cc" or "hi" */
} lume_language;

/* The language of the file called name[0..len) (a path's last segment is
 * looked at). Returns 1 when it names one, 0 when not (out->tag is "" and
 * out->label NULL; the flags are still read). */
int lume_language_of_file(const char *name, size_t len, lume_language *out);

#endif
