/*
 * test_probe.c: the library provider's prober (providers/library/probe.c)
 * on media that ffmpeg makes at set-up (media.h). What it keeps:
 *
 *  - Facts: container (mp4, mkv, webm, ts), video and audio codec, size in
 *    pixels, duration, bit rate, size in bytes; the same read from a file,
 *    from memory and from the isolated child.
 *  - Seeking: an MP4 (moov first or last) and a Matroska or WebM file with
 *    Cues (at the end, named by the SeekHead, or before the Clusters) can
 *    seek; Matroska written to a pipe (no Cues) and MPEG-TS cannot.
 *  - Not media (random bytes, an MP4 cut before its moov, a FIFO, a folder,
 *    a missing file): failed, facts zero but the size.
 *  - Truncated, every kind (an empty file, the first 64 bytes, half):
 *    never a crash or a timeout, in the isolated prober too; what is cut
 *    before its headers end fails, what is cut after them is read
 *    (a Matroska file cut before its Cues cannot seek).
 *  - Budgets: past its bytes a probe is "timeout" (over budget); the
 *    isolated prober reports a child that crashes, exits without an answer,
 *    or hangs (killed after its time and a grace second) as crashed,
 *    crashed, timeout, and always reaps it.
 *  - The EBML DocType and Cues readers on cut and hostile headers.
 */
#include "lib/unit.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "clock.h"
#include "library/probe.h"
#include "providers/library/media.h"

static lume_probe_facts probe_ok(const char *name)
{
    lume_probe_facts f;
    assert_int_equal(lume_probe_file(media_path(name), NULL, &f), LUME_PROBE_OK);
    return f;
}

static off_t file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_size;
}

static void check_common(const lume_probe_facts *f, const char *name)
{
    assert_int_equal(f->width, 160);
    assert_int_equal(f->height, 120);
    assert_int_equal(f->size, file_size(media_path(name)));
}

static void test_mp4(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        const char *name = i == 0 ? "h264.mp4" : "h264_tail.mp4";
        lume_probe_facts f = probe_ok(name);
        assert_string_equal(f.container, "mp4");
        assert_string_equal(f.video_codec, "h264");
        assert_string_equal(f.audio_codec, "aac");
        check_common(&f, name);
        assert_true(f.duration_s > 0.9 && f.duration_s < 1.1);
        assert_true(f.bitrate > 0);
        assert_int_equal(f.seekable, 1);
    }
}

static void test_matroska_with_and_without_cues(void **state)
{
    lume_probe_facts f = probe_ok("hevc.mkv");
    (void)state;
    assert_string_equal(f.container, "mkv");
    assert_string_equal(f.video_codec, "hevc");
    assert_string_equal(f.audio_codec, "opus");
    check_common(&f, "hevc.mkv");
    assert_true(f.duration_s > 0.9 && f.duration_s < 1.1);
    assert_int_equal(f.seekable, 1);

    f = probe_ok("hevc_nocues.mkv");
    assert_string_equal(f.container, "mkv");
    assert_string_equal(f.video_codec, "hevc");
    check_common(&f, "hevc_nocues.mkv");
    assert_int_equal(f.seekable, 0);
}

static void test_matroska_cues_in_front(void **state)
{
    char cmd[1024];
    lume_probe_facts f;
    (void)state;
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -loglevel error -y -i '%s' -c copy -cues_to_front 1 "
             "-reserve_index_space 4096 '%s'",
             media_path("hevc.mkv"), media_path("front.mkv"));
    assert_int_equal(system(cmd), 0);
    f = probe_ok("front.mkv");
    assert_string_equal(f.container, "mkv");
    assert_int_equal(f.seekable, 1);
}

static void test_webm_and_ts(void **state)
{
    lume_probe_facts f = probe_ok("vp9.webm");
    (void)state;
    assert_string_equal(f.container, "webm");
    assert_string_equal(f.video_codec, "vp9");
    assert_string_equal(f.audio_codec, "opus");
    check_common(&f, "vp9.webm");
    assert_int_equal(f.seekable, 1);

    f = probe_ok("mpeg2.ts");
    assert_string_equal(f.container, "ts");
    assert_string_equal(f.video_codec, "mpeg2");
    assert_string_equal(f.audio_codec, "mp2");
    check_common(&f, "mpeg2.ts");
    assert_int_equal(f.seekable, 0);
}

static void assert_zero_but_size(const lume_probe_facts *f, int64_t size)
{
    lume_probe_facts z;
    memset(&z, 0, sizeof(z));
    z.size = size;
    assert_memory_equal(f, &z, sizeof(z));
}

static void test_not_media(void **state)
{
    const char *names[] = {"random.mkv", "truncated.mp4"};
    lume_probe_facts f;
    char fifo[300];
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(lume_probe_file(media_path(names[i]), NULL, &f), LUME_PROBE_FAILED);
        assert_zero_but_size(&f, file_size(media_path(names[i])));
    }
    /* A FIFO neither blocks nor counts; nor a folder, nor nothing. */
    snprintf(fifo, sizeof(fifo), "%s", media_path("fifo.mkv"));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(lume_probe_file(fifo, NULL, &f), LUME_PROBE_FAILED);
    assert_zero_but_size(&f, 0);
    unlink(fifo);
    assert_int_equal(lume_probe_file(media_dir, NULL, &f), LUME_PROBE_FAILED);
    assert_int_equal(lume_probe_file(media_path("missing.mp4"), NULL, &f), LUME_PROBE_FAILED);
    assert_zero_but_size(&f, 0);
}

/* The first `keep` bytes of media file name (-1: half), as cut_<name>. */
static const char *cut(const char *name, long keep)
{
    static char out[64];
    off_t size = file_size(media_path(name));
    snprintf(out, sizeof(out), "cut_%s", name);
    media_sh("head -c %ld '%s' > '%s'", keep < 0 ? (long)size / 2 : keep, media_path(name),
             media_path(out));
    return out;
}

static void test_truncated_every_kind(void **state)
{
    static const struct {
        const char *name, *container;
        lume_probe_status half; /* cut in half */
        int half_seekable;
    } kinds[] = {
        {"h264.mp4", "mp4", LUME_PROBE_OK, 1},       /* moov first: whole */
        {"h264_tail.mp4", "", LUME_PROBE_FAILED, 0}, /* moov at the end: gone */
        {"hevc.mkv", "mkv", LUME_PROBE_OK, 0},       /* Cues at the end: gone */
        {"vp9.webm", "webm", LUME_PROBE_OK, 0},      {"mpeg2.ts", "ts", LUME_PROBE_OK, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *name = cut(kinds[i].name, -1);
        lume_probe_facts f, g;
        lume_probe_status st = lume_probe_file(media_path(name), NULL, &f);
        assert_int_equal(lume_probe_file_isolated(media_path(name), NULL, &g), st);
        assert_memory_equal(&f, &g, sizeof(f));
        if (st != kinds[i].half)
            fail_msg("%s cut in half: %s", kinds[i].name, lume_probe_status_name(st));
        assert_int_equal(f.size, file_size(media_path(name)));
        if (st == LUME_PROBE_OK) {
            assert_string_equal(f.container, kinds[i].container);
            assert_int_equal(f.width, 160);
            assert_int_equal(f.seekable, kinds[i].half_seekable);
        } else {
            assert_zero_but_size(&f, f.size);
        }
        /* Nothing past the start, or nothing at all: failed. */
        for (long keep = 0; keep <= 64; keep += 64) {
            name = cut(kinds[i].name, keep);
            assert_int_equal(lume_probe_file_isolated(media_path(name), NULL, &f),
                             LUME_PROBE_FAILED);
            assert_zero_but_size(&f, keep);
        }
    }
}

static void test_byte_budget(void **state)
{
    lume_probe_limits small = {.timeout_ms = 5000, .max_bytes = 6000};
    lume_probe_limits enough = {.timeout_ms = 5000, .max_bytes = 200000};
    lume_probe_facts f;
    (void)state;
    assert_int_equal(lume_probe_file(media_path("h264.mp4"), &small, &f), LUME_PROBE_TIMEOUT);
    assert_zero_but_size(&f, file_size(media_path("h264.mp4")));
    assert_int_equal(lume_probe_file(media_path("mpeg2.ts"), &small, &f), LUME_PROBE_TIMEOUT);
    assert_int_equal(lume_probe_file(media_path("h264.mp4"), &enough, &f), LUME_PROBE_OK);
}

static void test_buffer_is_the_file(void **state)
{
    const char *names[] = {"h264.mp4", "hevc.mkv", "hevc_nocues.mkv",
                           "vp9.webm", "mpeg2.ts", "random.mkv"};
    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        FILE *fp = fopen(media_path(names[i]), "rb");
        size_t len = (size_t)file_size(media_path(names[i]));
        char *buf = malloc(len);
        lume_probe_facts a, b;
        lume_probe_status sa, sb;
        assert_non_null(fp);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, len, fp), len);
        fclose(fp);
        sa = lume_probe_file(media_path(names[i]), NULL, &a);
        sb = lume_probe_buffer(buf, len, NULL, &b);
        assert_int_equal(sa, sb);
        assert_memory_equal(&a, &b, sizeof(a));
        free(buf);
    }
}

static void test_isolated_same_facts(void **state)
{
    const char *names[] = {"h264.mp4", "hevc_nocues.mkv", "vp9.webm", "random.mkv"};
    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        lume_probe_facts a, b;
        lume_probe_status sa = lume_probe_file(media_path(names[i]), NULL, &a);
        assert_int_equal(lume_probe_file_isolated(media_path(names[i]), NULL, &b), sa);
        assert_memory_equal(&a, &b, sizeof(a));
    }
}

static lume_probe_status crash(const char *path, const lume_probe_limits *l, lume_probe_facts *o)
{
    (void)path;
    (void)l;
    (void)o;
    raise(SIGSEGV);
    return LUME_PROBE_OK;
}

static lume_probe_status quit(const char *path, const lume_probe_limits *l, lume_probe_facts *o)
{
    (void)path;
    (void)l;
    (void)o;
    _exit(0);
}

static lume_probe_status hang(const char *path, const lume_probe_limits *l, lume_probe_facts *o)
{
    (void)path;
    (void)l;
    (void)o;
    for (;;)
        pause();
    return LUME_PROBE_OK;
}

static lume_probe_status refuse(const char *path, const lume_probe_limits *l, lume_probe_facts *o)
{
    (void)path;
    (void)l;
    memset(o, 0, sizeof(*o));
    o->size = 7;
    return LUME_PROBE_FAILED;
}

/* No child is left behind, reaped or not. */
static void assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void test_isolated_outcomes(void **state)
{
    lume_probe_limits quick = {.timeout_ms = 100};
    lume_probe_facts f;
    int64_t t0;
    (void)state;
    assert_int_equal(lume_probe_run_isolated(crash, "x", NULL, &f), LUME_PROBE_CRASHED);
    assert_zero_but_size(&f, 0);
    assert_int_equal(lume_probe_run_isolated(quit, "x", NULL, &f), LUME_PROBE_CRASHED);
    assert_int_equal(lume_probe_run_isolated(refuse, "x", NULL, &f), LUME_PROBE_FAILED);
    assert_int_equal(f.size, 7);
    t0 = lume_now_ms();
    assert_int_equal(lume_probe_run_isolated(hang, "x", &quick, &f), LUME_PROBE_TIMEOUT);
    assert_true(lume_now_ms() - t0 >= 1100 && lume_now_ms() - t0 < 3000);
    assert_zero_but_size(&f, 0);
    assert_no_children();
}

static void test_ebml_doctype(void **state)
{
    uint8_t head[256];
    char out[16];
    FILE *fp;
    size_t len;
    (void)state;
    fp = fopen(media_path("vp9.webm"), "rb");
    assert_non_null(fp);
    len = fread(head, 1, sizeof(head), fp);
    fclose(fp);
    assert_int_equal(lume_probe_ebml_doctype(head, len, out, sizeof(out)), 1);
    assert_string_equal(out, "webm");
    /* Cut anywhere before the DocType's end: not found, and never read past. */
    for (size_t cut = 0; cut < 20; cut++) {
        uint8_t *exact = malloc(cut ? cut : 1);
        memcpy(exact, head, cut);
        assert_int_equal(lume_probe_ebml_doctype(exact, cut, out, sizeof(out)), 0);
        assert_string_equal(out, "");
        free(exact);
    }
    /* Too long for out, or not printable: not found. */
    assert_int_equal(lume_probe_ebml_doctype(head, len, out, 4), 0);
    {
        const uint8_t bad[] = {0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x84, 'w', 0x01, 'b', 'm'};
        const uint8_t ok[] = {0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x84, 'm', 'k', 0, 0};
        assert_int_equal(lume_probe_ebml_doctype(bad, sizeof(bad), out, sizeof(out)), 0);
        assert_int_equal(lume_probe_ebml_doctype(ok, sizeof(ok), out, sizeof(out)), 1);
        assert_string_equal(out, "mk");
    }
    assert_int_equal(lume_probe_ebml_doctype(NULL, 0, out, sizeof(out)), 0);
}

static void test_mkv_cues_reader(void **state)
{
    uint8_t head[4096];
    int64_t at;
    FILE *fp;
    size_t len;
    (void)state;
    fp = fopen(media_path("hevc.mkv"), "rb");
    assert_non_null(fp);
    len = fread(head, 1, sizeof(head), fp);
    fclose(fp);
    assert_int_equal(lume_probe_mkv_cues(head, len, &at), 2);
    assert_true(at > 0 && at < file_size(media_path("hevc.mkv")));
    fp = fopen(media_path("hevc_nocues.mkv"), "rb");
    len = fread(head, 1, sizeof(head), fp);
    fclose(fp);
    assert_int_equal(lume_probe_mkv_cues(head, len, &at), 0);
    assert_int_equal(at, -1);
    assert_int_equal(lume_probe_mkv_cues(NULL, 0, &at), 0);
    assert_int_equal(lume_probe_mkv_cues(head, 3, &at), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mp4),
        cmocka_unit_test(test_matroska_with_and_without_cues),
        cmocka_unit_test(test_matroska_cues_in_front),
        cmocka_unit_test(test_webm_and_ts),
        cmocka_unit_test(test_not_media),
        cmocka_unit_test(test_truncated_every_kind),
        cmocka_unit_test(test_byte_budget),
        cmocka_unit_test(test_buffer_is_the_file),
        cmocka_unit_test(test_isolated_same_facts),
        cmocka_unit_test(test_isolated_outcomes),
        cmocka_unit_test(test_ebml_doctype),
        cmocka_unit_test(test_mkv_cues_reader),
    };
    return cmocka_run_group_tests(tests, media_group_setup, media_group_teardown);
}
