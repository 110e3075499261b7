/*
 * test_archive_formats.c: what an Internet Archive file is, from its format
 * name and its file name (archive_formats.h):
 * - the h.264 family (h.264, h.264 IA, h.264 HD, MPEG4, HiRes MPEG4) is H.264
 *   and AAC in MP4; 512Kb MPEG4 is MPEG-4 Part 2; Ogg Video is Theora and
 *   Vorbis; MPEG2 is MPEG-2 in an MPEG program stream;
 * - SubRip and WebVTT files are subtitles;
 * - the format name decides, in any case; an unknown one falls back on the
 *   extension; anything else (thumbnails, torrents, metadata) is other.
 */
#include "lib/unit.h"

#include "archive/archive_formats.h"

static void assert_video(archive_format f, const char *c, const char *v, const char *a)
{
    assert_int_equal(f.kind, ARCHIVE_FILE_VIDEO);
    if (c == NULL)
        assert_null(f.container);
    else
        assert_string_equal(f.container, c);
    if (v == NULL)
        assert_null(f.video);
    else
        assert_string_equal(f.video, v);
    if (a == NULL)
        assert_null(f.audio);
    else
        assert_string_equal(f.audio, a);
}

static void test_the_derivatives(void **state)
{
    (void)state;
    assert_video(archive_format_of("h.264", "Charade.mp4"), "mp4", "h264", "aac");
    assert_video(archive_format_of("h.264 IA", "Charade.ia.mp4"), "mp4", "h264", "aac");
    assert_video(archive_format_of("MPEG4", "Charade.mp4"), "mp4", "h264", "aac");
    assert_video(archive_format_of("512Kb MPEG4", "Charade_512kb.mp4"), "mp4", "mpeg4", "aac");
    assert_video(archive_format_of("Ogg Video", "Charade.ogv"), "ogg", "theora", "vorbis");
    assert_video(archive_format_of("MPEG2", "Charade.mpeg"), "mpeg", "mpeg2", "mp2");
    assert_video(archive_format_of("matroska", "x.mkv"), "mkv", NULL, NULL); /* any case */
}

static void test_subtitles(void **state)
{
    archive_format f;

    (void)state;
    f = archive_format_of("SubRip", "Charade.en.srt");
    assert_int_equal(f.kind, ARCHIVE_FILE_SUBTITLE);
    assert_string_equal(f.subtitle, "srt");
    f = archive_format_of("Web Video Text Tracks", "Charade.vtt");
    assert_string_equal(f.subtitle, "vtt");
    f = archive_format_of(NULL, "Charade.fr.vtt");
    assert_string_equal(f.subtitle, "vtt");
}

static void test_unknown_formats_fall_back_on_the_extension(void **state)
{
    (void)state;
    assert_video(archive_format_of("Some New Derivative", "x.webm"), "webm", NULL, NULL);
    assert_video(archive_format_of(NULL, "x.MP4"), "mp4", NULL, NULL);
    assert_int_equal(archive_format_of("Thumbnail", "x_000001.jpg").kind, ARCHIVE_FILE_OTHER);
    assert_int_equal(archive_format_of("Archive BitTorrent", "x_archive.torrent").kind,
                     ARCHIVE_FILE_OTHER);
    assert_int_equal(archive_format_of(NULL, NULL).kind, ARCHIVE_FILE_OTHER);
    assert_int_equal(archive_format_of(NULL, ".mp4").kind, ARCHIVE_FILE_OTHER); /* no name */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_derivatives),
        cmocka_unit_test(test_subtitles),
        cmocka_unit_test(test_unknown_formats_fall_back_on_the_extension),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
