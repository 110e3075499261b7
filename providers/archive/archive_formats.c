/*
 * archive_formats.c: the Internet Archive's format names, as its derivation
 * makes them, mapped to containers and codecs (see archive_formats.h).
 */
#include "archive_formats.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

typedef struct row {
    const char *format; /* the metadata API's "format", compared without case */
    archive_format what;
} row;

#define VIDEO(c, v, a)                                                                             \
    {                                                                                              \
        ARCHIVE_FILE_VIDEO, c, v, a, NULL                                                          \
    }
#define SUBTITLE(s)                                                                                \
    {                                                                                              \
        ARCHIVE_FILE_SUBTITLE, NULL, NULL, NULL, s                                                 \
    }

/* The derivatives the Archive makes of a movie item, and the originals it
 * names most often. "MPEG4" and "HiRes MPEG4" are H.264 files today;
 * "512Kb MPEG4" is MPEG-4 Part 2 (Simple Profile), which no Android device
 * is required to decode. */
static const row rows[] = {
    {"h.264", VIDEO("mp4", "h264", "aac")},
    {"h.264 IA", VIDEO("mp4", "h264", "aac")},
    {"h.264 HD", VIDEO("mp4", "h264", "aac")},
    {"MPEG4", VIDEO("mp4", "h264", "aac")},
    {"HiRes MPEG4", VIDEO("mp4", "h264", "aac")},
    {"512Kb MPEG4", VIDEO("mp4", "mpeg4", "aac")},
    {"Ogg Video", VIDEO("ogg", "theora", "vorbis")},
    {"MPEG2", VIDEO("mpeg", "mpeg2", "mp2")},
    {"MPEG1", VIDEO("mpeg", "mpeg1", "mp2")},
    {"WebM", VIDEO("webm", NULL, NULL)},
    {"Matroska", VIDEO("mkv", NULL, NULL)},
    {"QuickTime", VIDEO("mp4", NULL, NULL)},
    {"DivX", VIDEO("avi", "mpeg4", NULL)},
    {"AVI", VIDEO("avi", NULL, NULL)},
    {"Cinepack", VIDEO("avi", "cinepak", NULL)},
    {"Windows Media", VIDEO("asf", "wmv", "wma")},
    {"SubRip", SUBTITLE("srt")},
    {"Web Video Text Tracks", SUBTITLE("vtt")},
    {"WebVTT", SUBTITLE("vtt")},
};

/* By extension, for a format the table does not name. */
static const struct {
    const char *ext;
    archive_format what;
} by_ext[] = {
    {".mp4", VIDEO("mp4", NULL, NULL)},
    {".m4v", VIDEO("mp4", NULL, NULL)},
    {".webm", VIDEO("webm", NULL, NULL)},
    {".mkv", VIDEO("mkv", NULL, NULL)},
    {".ogv", VIDEO("ogg", NULL, NULL)},
    {".srt", SUBTITLE("srt")},
    {".vtt", SUBTITLE("vtt")},
};

static int ends_with(const char *s, const char *ext)
{
    size_t n = strlen(s), e = strlen(ext);

    return n > e && strcasecmp(s + n - e, ext) == 0;
}

archive_format archive_format_of(const char *format, const char *name)
{
    static const archive_format other = {ARCHIVE_FILE_OTHER, NULL, NULL, NULL, NULL};

    if (format != NULL)
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
            if (strcasecmp(format, rows[i].format) == 0)
                return rows[i].what;
    if (name != NULL)
        for (size_t i = 0; i < sizeof(by_ext) / sizeof(by_ext[0]); i++)
            if (ends_with(name, by_ext[i].ext))
                return by_ext[i].what;
    return other;
}
