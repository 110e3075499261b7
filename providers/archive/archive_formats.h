/*
 * archive_formats.h: what a file of an Internet Archive item is, from the
 * format name the metadata API gives it ("h.264", "512Kb MPEG4", "Ogg Video",
 * "SubRip", ...) and its name: a video with its container and codecs, a
 * subtitle with its format, or something else (thumbnails, torrents,
 * metadata). The names are the ones /streams describes candidates with and
 * the `caps` parameter names (fcgi-app/caps.h): mp4, ogg, h264, theora, aac.
 * One table, pure functions.
 */
#ifndef LUME_ARCHIVE_FORMATS_H
#define LUME_ARCHIVE_FORMATS_H

typedef enum archive_file_kind {
    ARCHIVE_FILE_OTHER = 0,
    ARCHIVE_FILE_VIDEO,
    ARCHIVE_FILE_SUBTITLE
} archive_file_kind;

typedef struct archive_format {
    archive_file_kind kind;
    const char *container; /* a video's: "mp4", "ogg", "webm", ...; NULL unknown */
    const char *video;     /* "h264", "mpeg4", "theora", "mpeg2", ...; NULL unknown */
    const char *audio;     /* "aac", "vorbis", "mp3", ...; NULL unknown */
    const char *subtitle;  /* a subtitle's: "srt" or "vtt" */
} archive_format;

/* What the file with this format name (NULL: unknown) and name is. A format
 * the table does not know falls back on the name's extension (.mp4, .webm,
 * .mkv, .ogv, .srt, .vtt); anything else is ARCHIVE_FILE_OTHER. */
archive_format archive_format_of(const char *format, const char *name);

#endif
