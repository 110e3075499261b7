/*
 * test_scan.c: the library provider's scanner (providers/library/scan.c)
 * over a folder tree of ffmpeg's media (media.h) in the naming
 * styles. What it keeps:
 *
 *  - Media by extension, named by naming.c with their folders (Show/Season
 *    04/..., Show.Name.S04E01..., Film (2010)/Film (2010).mp4); extras and
 *    hidden files are not items; probe facts are stored.
 *  - Sidecars: Film.srt, Film.en.srt, Film.eng.forced.vtt next to the
 *    video, Subs/ files named after it, Subs/<video>/..., and anything in
 *    Subs/ for a folder's only video; with language, format and flags.
 *  - Never out of the root: links leaving it (file or folder) are refused,
 *    links inside it are followed, a link back up is walked once.
 *  - Hostile names (a newline, invalid UTF-8, 255 bytes, "..") are indexed
 *    as naming.c reads them; depth and file bounds hold. The same in folder
 *    names, a 255-byte name under a 255-byte folder, "a..b.mkv", and links
 *    out with such names: every file is either indexed under its own path or
 *    skipped, and every indexed path is relative, has no "." or ".."
 *    segment, and resolves inside the root.
 *  - Incremental: an unchanged tree probes nothing and writes nothing; a
 *    changed file is probed again, a removed one removed, a new subtitle
 *    written without a probe; a crashed or timed-out probe is remembered
 *    until its file changes. A missing root changes nothing; roots no
 *    longer listed are forgotten.
 */
#include "lib/unit.h"

#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "library/index.h"
#include "library/scan.h"
#include "providers/library/media.h"

static char top[64], root[128], outside[128], db[128];

#define sh media_sh

/* Copy media file m to root/rel, making its folders. */
static void put_file(const char *m, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    sh("mkdir -p \"$(dirname '%s')\" && cp '%s' '%s'", path, media_path(m), path);
}

static void put_text(const char *rel, const char *text)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    sh("mkdir -p \"$(dirname '%s')\"", path);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    char tmpl[] = "/tmp/lume-scan-XXXXXX";
    (void)state;
    if (mkdtemp(tmpl) == NULL)
        return -1;
    snprintf(top, sizeof(top), "%s", tmpl);
    snprintf(root, sizeof(root), "%s/library", top);
    snprintf(outside, sizeof(outside), "%s/outside", top);
    snprintf(db, sizeof(db), "%s/library.db", top);
    sh("mkdir -p '%s' '%s'", root, outside);
    put_file("hevc.mkv", "Show/Season 04/Show - S04E01 - Title.mkv");
    put_text("Show/Season 04/Show - S04E01 - Title.en.srt", "1\n");
    put_text("Show/Season 04/Show - S04E01 - Title.eng.forced.vtt", "WEBVTT\n");
    put_text("Show/Season 04/Show - S04E02 - Other.fr.srt", "1\n"); /* no video */
    put_file("hevc_nocues.mkv", "Show.Name.S04E01.1080p.WEB-DL.x264-GRP.mkv");
    put_file("h264.mp4", "Film (2010)/Film (2010).mp4");
    put_text("Film (2010)/Film (2010).srt", "1\n");
    put_text("Film (2010)/Subs/French.srt", "1\n");
    put_file("h264.mp4", "Film (2010)/Extras/Behind the scenes.mp4");
    put_file("vp9.webm", "Pack/Show.S01E01.webm");
    put_file("vp9.webm", "Pack/Show.S01E02.webm");
    put_text("Pack/Subs/Show.S01E01/2_English.srt", "1\n");
    put_text("Pack/Subs/Show.S01E02.pt-BR.sdh.srt", "1\n");
    put_file("random.mkv", "Broken (2001)/Broken (2001).mkv");
    put_file("h264.mp4", ".hidden.mkv");
    put_text("notes.txt", "not media\n");
    /* Links: out of the root (a file, a folder), inside it, back up to it. */
    sh("cp '%s' '%s/Secret (1999).mkv'", media_path("h264.mp4"), outside);
    sh("ln -s '%s/Secret (1999).mkv' '%s/Secret (1999).mkv'", outside, root);
    sh("ln -s '%s' '%s/Elsewhere'", outside, root);
    sh("ln -s '../Film (2010)/Film (2010).mp4' '%s/Pack/Linked (2005).mp4'", root);
    sh("ln -s .. '%s/Pack/Up'", root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh("rm -rf '%s'", top);
    return 0;
}

static lume_status scan_once(lume_scan_stats *st, const lume_scan_options *opt)
{
    lume_index *idx = NULL;
    lume_scanner *s;
    lume_status rc;
    memset(st, 0, sizeof(*st));
    assert_int_equal(lume_index_open_rw(db, &idx), LUME_OK);
    s = lume_scanner_create(idx, opt);
    assert_non_null(s);
    rc = lume_scan_root(s, root, st);
    lume_scanner_destroy(s);
    lume_index_close(idx);
    return rc;
}

typedef struct got {
    size_t n;
    char path[8][512];
    char subs[8][4][512];
    char lang[8][4][8];
    char format[8][4][8];
    int forced[8][4], sdh[8][4];
    size_t nsubs[8];
    lume_probe_status probe[8];
    lume_probe_facts facts[8];
    int season[8], episode[8];
} got;

static int collect(void *ctx, const lume_index_item *it)
{
    got *g = ctx;
    size_t i = g->n++;
    if (i >= 8)
        return 0;
    snprintf(g->path[i], sizeof(g->path[i]), "%s", it->path);
    g->nsubs[i] = it->n_subtitles;
    for (size_t j = 0; j < it->n_subtitles && j < 4; j++) {
        snprintf(g->subs[i][j], sizeof(g->subs[i][j]), "%s", it->subtitles[j].path);
        snprintf(g->lang[i][j], sizeof(g->lang[i][j]), "%s", it->subtitles[j].lang);
        snprintf(g->format[i][j], sizeof(g->format[i][j]), "%s", it->subtitles[j].format);
        g->forced[i][j] = it->subtitles[j].forced;
        g->sdh[i][j] = it->subtitles[j].sdh;
    }
    g->probe[i] = it->probe;
    g->facts[i] = it->facts;
    g->season[i] = it->season;
    g->episode[i] = it->episode;
    return 0;
}

static got find(const char *q, int season, int episode)
{
    lume_index *ro = NULL;
    got g;
    memset(&g, 0, sizeof(g));
    assert_int_equal(lume_index_open_ro(db, &ro), LUME_OK);
    assert_int_equal(lume_index_find(ro, q, season, episode, 0, collect, &g, NULL), LUME_OK);
    lume_index_close(ro);
    return g;
}

static int64_t items(void)
{
    lume_index *ro = NULL;
    int64_t n = -1;
    assert_int_equal(lume_index_open_ro(db, &ro), LUME_OK);
    assert_int_equal(lume_index_count(ro, &n), LUME_OK);
    lume_index_close(ro);
    return n;
}

static void test_first_scan(void **state)
{
    lume_scan_stats st;
    got g;
    (void)state;
    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    /* Show E01, Show.Name E01, Film, Pack E01 and E02, Broken, Linked. */
    assert_int_equal(st.files, 7);
    assert_int_equal(st.added, 7);
    assert_int_equal(st.probed, 7);
    assert_int_equal(st.probe_failed, 1);
    assert_int_equal(st.refused, 2); /* the two links out */
    assert_true(st.skipped >= 1);    /* the extra */
    assert_int_equal(items(), 7);

    g = find("Show", 4, 1);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.path[0], "Show/Season 04/Show - S04E01 - Title.mkv");
    assert_int_equal(g.probe[0], LUME_PROBE_OK);
    assert_string_equal(g.facts[0].container, "mkv");
    assert_string_equal(g.facts[0].video_codec, "hevc");
    assert_int_equal(g.facts[0].seekable, 1);
    assert_int_equal(g.nsubs[0], 2);
    assert_string_equal(g.subs[0][0], "Show/Season 04/Show - S04E01 - Title.en.srt");
    assert_string_equal(g.lang[0][0], "en");
    assert_string_equal(g.format[0][0], "srt");
    assert_string_equal(g.subs[0][1], "Show/Season 04/Show - S04E01 - Title.eng.forced.vtt");
    assert_string_equal(g.lang[0][1], "en");
    assert_string_equal(g.format[0][1], "vtt");
    assert_int_equal(g.forced[0][1], 1);
    assert_string_equal(g.path[1], "Show.Name.S04E01.1080p.WEB-DL.x264-GRP.mkv");
    assert_int_equal(g.facts[1].seekable, 0);
    assert_int_equal(g.nsubs[1], 0);

    g = find("Film 2010", -1, -1);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.path[0], "Film (2010)/Film (2010).mp4");
    assert_string_equal(g.facts[0].container, "mp4");
    assert_int_equal(g.nsubs[0], 2);
    assert_string_equal(g.subs[0][0], "Film (2010)/Film (2010).srt");
    assert_string_equal(g.lang[0][0], "");
    assert_string_equal(g.subs[0][1], "Film (2010)/Subs/French.srt");
    assert_string_equal(g.lang[0][1], "fr");

    g = find("Show", 1, -1);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.path[0], "Pack/Show.S01E01.webm");
    assert_int_equal(g.nsubs[0], 1);
    assert_string_equal(g.subs[0][0], "Pack/Subs/Show.S01E01/2_English.srt");
    assert_string_equal(g.lang[0][0], "en");
    assert_int_equal(g.nsubs[1], 1);
    assert_string_equal(g.subs[1][0], "Pack/Subs/Show.S01E02.pt-BR.sdh.srt");
    assert_string_equal(g.lang[1][0], "pt-BR");
    assert_int_equal(g.sdh[1][0], 1);

    g = find("Broken", -1, -1);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.probe[0], LUME_PROBE_FAILED);
    assert_int_equal(find("Linked", -1, -1).n, 1);
    assert_int_equal(find("Secret", -1, -1).n, 0);
    assert_int_equal(find("Behind the scenes", -1, -1).n, 0);
    assert_int_equal(find("hidden", -1, -1).n, 0);
}

static void test_rescan_is_incremental(void **state)
{
    lume_scan_stats st;
    char path[512];
    struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
    (void)state;
    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    assert_int_equal(st.files, 7);
    assert_int_equal(st.unchanged, 7);
    assert_int_equal(st.probed + st.added + st.updated + st.removed + st.subtitles, 0);

    /* Changed (same size, other mtime): probed again. */
    snprintf(path, sizeof(path), "%s/Film (2010)/Film (2010).mp4", root);
    assert_int_equal(utimes(path, tv), 0);
    /* Removed; a new subtitle for an unchanged video. */
    sh("rm '%s/Pack/Show.S01E02.webm'", root);
    put_text("Show.Name.S04E01.1080p.WEB-DL.x264-GRP.de.srt", "1\n");
    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    assert_int_equal(st.probed, 2); /* Film, and Linked: the same file */
    assert_int_equal(st.updated, 2);
    assert_int_equal(st.removed, 1);
    assert_int_equal(st.subtitles, 1);
    assert_int_equal(items(), 6);
    {
        got g = find("Show Name", 4, 1);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.nsubs[0], 1);
        assert_string_equal(g.lang[0][0], "de");
    }
    assert_int_equal(find("Show", 1, 2).n, 0);
    /* The subtitle gone: written again (none). */
    sh("rm '%s/Show.Name.S04E01.1080p.WEB-DL.x264-GRP.de.srt'", root);
    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    assert_int_equal(st.probed, 0);
    assert_int_equal(find("Show Name", 4, 1).nsubs[0], 0);
}

static lume_probe_status crash_on_broken(const char *path, const lume_probe_limits *l,
                                         lume_probe_facts *o)
{
    if (strstr(path, "Broken") != NULL)
        raise(SIGKILL);
    if (strstr(path, "Show.S01E01") != NULL)
        for (;;)
            pause();
    return lume_probe_file(path, l, o);
}

static void test_crash_and_timeout_remembered(void **state)
{
    lume_scan_options opt = {.probe_fn = crash_on_broken, .probe = {.timeout_ms = 50}};
    lume_scan_stats st;
    char path[512];
    (void)state;
    assert_int_equal(scan_once(&st, &opt), LUME_OK);
    assert_int_equal(st.probe_crashed, 1);
    assert_int_equal(st.probe_timeout, 1);
    assert_int_equal(find("Broken", -1, -1).probe[0], LUME_PROBE_CRASHED);
    assert_int_equal(find("Show", 1, 1).probe[0], LUME_PROBE_TIMEOUT);
    assert_int_equal(items(), 7);
    /* Not probed again while they do not change. */
    assert_int_equal(scan_once(&st, &opt), LUME_OK);
    assert_int_equal(st.probed, 0);
    /* Changed: probed again (now by the real prober). */
    snprintf(path, sizeof(path), "%s/Broken (2001)/Broken (2001).mkv", root);
    sh("echo more >> '%s'", path);
    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    assert_int_equal(st.probed, 1);
    assert_int_equal(find("Broken", -1, -1).probe[0], LUME_PROBE_FAILED);
}

static lume_probe_status crash_always(const char *path, const lume_probe_limits *l,
                                      lume_probe_facts *o)
{
    (void)path, (void)l, (void)o;
    raise(SIGKILL);
    return LUME_PROBE_OK;
}

/* An empty file is no media: indexed as one the prober failed, without a
 * prober's child (this one would crash). */
static void test_an_empty_file_is_not_given_to_the_prober(void **state)
{
    lume_scan_options opt = {.probe_fn = crash_always, .probe = {.timeout_ms = 50}};
    lume_scan_stats st;
    (void)state;
    sh("mkdir -p '%s/Empty (2002)' && : > '%s/Empty (2002)/Empty (2002).mkv'", root, root);
    assert_int_equal(scan_once(&st, &opt), LUME_OK);
    assert_int_equal(find("Empty", -1, -1).n, 1);
    assert_int_equal(find("Empty", -1, -1).probe[0], LUME_PROBE_FAILED);
    assert_int_equal(find("Broken", -1, -1).probe[0], LUME_PROBE_CRASHED); /* not empty */
}

static void test_hostile_names_and_bounds(void **state)
{
    lume_scan_options opt = {.max_depth = 2};
    lume_scan_stats st;
    char *longname = unit_repeat("", "a", 251, ".mkv");
    (void)state;
    put_file("h264.mp4", "New\nLine (2003).mkv");
    put_file("h264.mp4", "Bad\xff (2004).mkv");
    put_file("h264.mp4", "Film..Dots (2006).mkv");
    put_file("h264.mp4", longname);
    put_file("h264.mp4", "a/b/c/Deep (2007).mkv"); /* depth 3 */
    put_file("h264.mp4", "a/b/Shallow (2008).mkv");
    assert_int_equal(scan_once(&st, &opt), LUME_OK);
    assert_int_equal(st.files, 7 + 5);
    assert_true(st.skipped >= 1);
    assert_int_equal(find("New Line", -1, -1).n, 1);
    assert_int_equal(find("Film..Dots", -1, -1).n, 1);
    assert_int_equal(find("Shallow", -1, -1).n, 1);
    assert_int_equal(find("Deep", -1, -1).n, 0);
    {
        got g = find("Bad", -1, -1);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.path[0], "Bad\xff (2004).mkv");
    }
    free(longname);
    /* At most two media files. */
    opt.max_files = 2;
    assert_int_equal(scan_once(&st, &opt), LUME_OK);
    assert_int_equal(st.files, 2);
    assert_int_equal(items(), 2);
}

/* Every path the index holds: relative, no "." or ".." segment, and inside
 * the root once resolved (links too). How many. */
static int all_inside(void)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    char real_root[PATH_MAX];
    int n = 0;
    assert_non_null(realpath(root, real_root));
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT path FROM items UNION ALL SELECT path FROM "
                                        "subtitles",
                                        -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *rel = (const char *)sqlite3_column_text(q, 0);
        char full[PATH_MAX * 2], real[PATH_MAX], seg[4] = "";
        size_t len = strlen(rel), rlen = strlen(real_root);
        assert_true(len > 0 && rel[0] != '/');
        for (const char *p = rel; *p != '\0';) {
            size_t sl = strcspn(p, "/");
            assert_true(sl > 0); /* no "//" nor a trailing '/' */
            snprintf(seg, sizeof(seg), "%.*s", (int)(sl < 3 ? sl : 3), p);
            assert_false(strcmp(seg, ".") == 0 || (sl == 2 && strcmp(seg, "..") == 0));
            p += sl + (p[sl] == '/');
        }
        snprintf(full, sizeof(full), "%s/%s", root, rel);
        assert_non_null(realpath(full, real));
        assert_memory_equal(real, real_root, rlen);
        assert_int_equal(real[rlen], '/');
        n++;
    }
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

static void test_hostile_names_in_folders_and_links(void **state)
{
    lume_scan_stats st;
    char *long_dir = unit_repeat("", "d", 255, "");
    char *long_file = unit_repeat("Long ", "x", 239, " (2011).mkv"); /* 255 bytes */
    char rel[1024];
    got g;
    (void)state;
    assert_int_equal(strlen(long_file), 255);
    put_file("h264.mp4", "a..b.mkv");
    put_file("h264.mp4", "x..y/Dots..Folder (2012).mkv");
    put_file("h264.mp4", "...mkv"); /* hidden: skipped */
    put_file("h264.mp4", "Line\nShow/Season 01/Line\nShow - S01E01.mkv");
    put_file("h264.mp4", "Bad\xc3\x28 Show/Season 01/Bad\xc3\x28 Show - S01E02.mkv");
    put_text("Bad\xc3\x28 Show/Season 01/Bad\xc3\x28 Show - S01E02.\xff\xfe.srt", "1\n");
    snprintf(rel, sizeof(rel), "%s/%s", long_dir, long_file);
    put_file("h264.mp4", rel);
    /* Links out under hostile names: a file, and a folder, with a newline
     * and with dots; and one whose own name is 255 bytes. */
    sh("ln -s '%s/Secret (1999).mkv' '%s/Out\nLink (2013).mkv'", outside, root);
    sh("ln -s '%s' '%s/x..y/..out'", outside, root);
    sh("ln -s '%s' '%s/up..and..out'", outside, root);
    sh("cp '%s' '%s/Far (2014).mkv'", media_path("h264.mp4"), outside);
    snprintf(rel, sizeof(rel), "%s/%s", root, long_file);
    sh("ln -s '%s/Far (2014).mkv' '%s'", outside, rel);

    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    /* 7 + a..b, Dots..Folder, the two episodes, the long one. */
    assert_int_equal(st.files, 7 + 5);
    assert_int_equal(st.added, 7 + 5);
    assert_int_equal(st.refused, 2 + 3); /* "..out" is hidden: skipped before */
    assert_int_equal(items(), 7 + 5);
    assert_int_equal(all_inside(), 7 + 5 + 6 + 1); /* and the subtitles */

    g = find("a..b", -1, -1);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.path[0], "a..b.mkv");
    g = find("Dots..Folder", -1, -1);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.path[0], "x..y/Dots..Folder (2012).mkv");
    g = find("Line Show", 1, 1);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.path[0], "Line\nShow/Season 01/Line\nShow - S01E01.mkv");
    g = find("Bad Show", 1, 2);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.path[0], "Bad\xc3\x28 Show/Season 01/Bad\xc3\x28 Show - S01E02.mkv");
    assert_int_equal(g.nsubs[0], 1);
    assert_string_equal(g.subs[0][0], "Bad\xc3\x28 Show/Season 01/Bad\xc3\x28 Show - S01E02."
                                      "\xff\xfe.srt");
    g = find("Long", -1, -1);
    assert_int_equal(g.n, 1);
    assert_int_equal(strlen(g.path[0]), 255 + 1 + 255);
    assert_int_equal(g.probe[0], LUME_PROBE_OK);
    assert_int_equal(find("Out Link", -1, -1).n, 0);
    assert_int_equal(find("Far", -1, -1).n, 0);
    assert_int_equal(find("Secret", -1, -1).n, 0);
    /* Again: the same, nothing new. */
    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    assert_int_equal(st.unchanged, 7 + 5);
    assert_int_equal(st.probed + st.added + st.updated + st.removed + st.subtitles, 0);
    free(long_dir);
    free(long_file);
}

static void test_missing_root_and_roots(void **state)
{
    lume_scan_stats st;
    lume_index *idx = NULL;
    lume_scanner *s;
    char moved[160];
    const char *both[2] = {root, outside};
    (void)state;
    assert_int_equal(scan_once(&st, NULL), LUME_OK);
    snprintf(moved, sizeof(moved), "%s/moved", top);
    assert_int_equal(rename(root, moved), 0);
    assert_int_equal(scan_once(&st, NULL), LUME_ERR_NOT_FOUND);
    assert_int_equal(items(), 7); /* an unmounted folder is not an empty one */
    assert_int_equal(rename(moved, root), 0);

    assert_int_equal(lume_index_open_rw(db, &idx), LUME_OK);
    s = lume_scanner_create(idx, NULL);
    assert_int_equal(lume_scan_root(s, "relative/path", &st), LUME_ERR_NOT_FOUND);
    memset(&st, 0, sizeof(st));
    assert_int_equal(lume_scan_roots(s, both, 2, &st), LUME_OK);
    assert_int_equal(st.files, 7 + 1);
    assert_int_equal(find("Secret", -1, -1).n, 1); /* inside its own root */
    assert_int_equal(lume_scan_roots(s, both + 1, 1, &st), LUME_OK);
    lume_scanner_destroy(s);
    lume_index_close(idx);
    assert_int_equal(items(), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_first_scan),
        T(test_rescan_is_incremental),
        T(test_crash_and_timeout_remembered),
        T(test_an_empty_file_is_not_given_to_the_prober),
        T(test_hostile_names_and_bounds),
        T(test_hostile_names_in_folders_and_links),
        T(test_missing_root_and_roots),
    };
    return cmocka_run_group_tests(tests, media_group_setup, media_group_teardown);
}
