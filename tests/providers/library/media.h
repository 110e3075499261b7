/*
 * media.h: the small media files the library provider's tests probe and
 * index, made with Debian's ffmpeg at set-up into a temporary folder (a
 * second of a 160x120 test pattern at 10 frames a second, and a tone; about
 * a second of ffmpeg in all). media_make() returns the folder; media_path()
 * names a file in it; media_remove() removes it all.
 *
 *   h264.mp4         H.264/AAC, moov first (+faststart)
 *   h264_tail.mp4    H.264/AAC, moov at the end
 *   hevc.mkv         HEVC/Opus in Matroska, with Cues
 *   hevc_nocues.mkv  the same written to a pipe: no Cues, no SeekHead
 *   vp9.webm         VP9/Opus in WebM
 *   mpeg2.ts         MPEG-2/MP2 in MPEG-TS
 *   truncated.mp4    the first third of h264_tail.mp4 (no moov)
 *   random.mkv       4 KiB of random bytes
 */
#ifndef LUME_TESTS_LIBRARY_MEDIA_H
#define LUME_TESTS_LIBRARY_MEDIA_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MEDIA_FFMPEG                                                                               \
    "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "                                 \
    "testsrc=size=160x120:rate=10:duration=1 -f lavfi -i sine=frequency=440:duration=1 "

static char media_dir[64];

static const char *media_path(const char *name)
{
    static char paths[8][256];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", media_dir, name);
    return p;
}

static int media_run(const char *fmt, const char *a, const char *b)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), fmt, a, b);
    if (system(cmd) != 0) {
        fprintf(stderr, "media: failed: %s\n", cmd);
        return -1;
    }
    return 0;
}

static const char *media_make(void)
{
    static const struct {
        const char *name, *args;
    } files[] = {
        {"h264.mp4", "-c:v libx264 -preset ultrafast -c:a aac -movflags +faststart"},
        {"h264_tail.mp4", "-c:v libx264 -preset ultrafast -c:a aac"},
        {"hevc.mkv", "-c:v libx265 -preset ultrafast -x265-params log-level=none -c:a libopus"},
        {"vp9.webm", "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -c:a libopus"},
        {"mpeg2.ts", "-c:v mpeg2video -c:a mp2"},
    };
    char tmpl[] = "/tmp/lume-media-XXXXXX";
    char cmd[1024];

    if (mkdtemp(tmpl) == NULL)
        return NULL;
    snprintf(media_dir, sizeof(media_dir), "%s", tmpl);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (media_run(MEDIA_FFMPEG "%s '%s'", files[i].args, media_path(files[i].name)) < 0)
            return NULL;
    /* Matroska to a pipe cannot go back for its Cues. */
    if (media_run(MEDIA_FFMPEG "%s -f matroska pipe:1 > '%s'",
                  "-c:v libx265 -preset ultrafast -x265-params log-level=none -c:a libopus",
                  media_path("hevc_nocues.mkv")) < 0)
        return NULL;
    snprintf(cmd, sizeof(cmd), "head -c $(( $(stat -c %%s '%s') / 3 )) '%s' > '%s'",
             media_path("h264_tail.mp4"), media_path("h264_tail.mp4"), media_path("truncated.mp4"));
    if (system(cmd) != 0)
        return NULL;
    if (media_run("head -c 4096 /dev/urandom > '%s'%s", media_path("random.mkv"), "") < 0)
        return NULL;
    return media_dir;
}

static void media_remove(void)
{
    char cmd[128];
    if (media_dir[0] == '\0')
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", media_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "media: could not remove %s\n", media_dir);
    media_dir[0] = '\0';
}

static int media_group_setup(void **state)
{
    (void)state;
    return media_make() == NULL;
}

static int media_group_teardown(void **state)
{
    (void)state;
    media_remove();
    return 0;
}

static void media_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static void media_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

#endif
