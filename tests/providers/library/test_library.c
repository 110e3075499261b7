/*
 * test_library.c: the library provider (providers/library/library.c)
 * through the registry, over a tree of ffmpeg's media (media.h) in two
 * roots (films, series) that scan.c indexes:
 *
 *  - A missing index is an empty library (create succeeds, a search finds
 *    nothing, health says the index is not there yet); once the indexer has
 *    written it, the next search finds what it holds.
 *  - A film is one candidate: its title and year, a link signed for nginx
 *    (secure_link: the token over the path nginx decodes, the expiry
 *    LUME_LIBRARY_LINK_TTL_S ahead, rounded up to a minute), the size, seeds
 *    1, the probe's facts (container, codecs, dimensions, duration, bit
 *    rate, seekable), expires_at, the key library:<root>/<path>, and its
 *    sidecar subtitles as signed links with language, label and format.
 *  - Numeric titles: "1917" finds the film of 1917 (2019), not the series
 *    1883, and "1883" season 1 episode 5 the episode, in the second root;
 *    the next episode comes from the index (the next one of the season, the
 *    first of the next season, or none); a season lists its episodes.
 *  - Matroska without Cues is not seekable; a query of no words finds
 *    nothing; the secret may come from a file (its first line, trimmed).
 *  - Browsing (the Stremio catalogs): the films and the series by title,
 *    each once, with their folder art as a signed poster; a search; a page;
 *    a series' episodes by season and episode.
 *  - A worker's snapshot of the index: a file indexed meanwhile is found
 *    once the worker has waited for work (idle) or within 100 ms; listed
 *    after another provider (on a thread of its own), through the set.
 *  - Health: unhealthy when a folder is missing, saying which (by place).
 *  - Bad settings: no folders, a relative folder, no secret, a short one.
 */
#include "lib/unit.h"

#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "library/index.h"
#include "library/scan.h"
#include "library/sign.h"
#include "provider.h"
#include "provider_set.h"
#include "providers/library/media.h"

#define SECRET "library-test-secret-0123456789"
#define PUBLIC "https://media.example:8443/media"

static char top[64], films[128], tv[128], db[160], dirs[300];

#define sh media_sh

static void put_file(const char *m, const char *dir, const char *rel)
{
    sh("mkdir -p \"$(dirname '%s/%s')\" && cp '%s' '%s/%s'", dir, rel, media_path(m), dir, rel);
}

static void put_text(const char *dir, const char *rel, const char *text)
{
    sh("mkdir -p \"$(dirname '%s/%s')\" && printf '%%s' '%s' > '%s/%s'", dir, rel, text, dir, rel);
}

static int setup(void **state)
{
    char tmpl[] = "/tmp/lume-library-XXXXXX";

    (void)state;
    if (mkdtemp(tmpl) == NULL)
        return -1;
    snprintf(top, sizeof(top), "%s", tmpl);
    snprintf(films, sizeof(films), "%s/films", top);
    snprintf(tv, sizeof(tv), "%s/tv", top);
    snprintf(db, sizeof(db), "%s/library.db", top);
    snprintf(dirs, sizeof(dirs), "%s:%s/", films, tv); /* a trailing '/' is the same folder */
    put_file("h264.mp4", films, "1917 (2019)/1917 (2019).mp4");
    put_text(films, "1917 (2019)/1917 (2019).en.srt", "1\n");
    put_text(films, "1917 (2019)/1917 (2019).fr.forced.vtt", "WEBVTT\n");
    put_file("vp9.webm", films, "Blade Runner 2049 (2017).webm");
    put_file("h264.mp4", tv, "1883/Season 01/1883.S01E05.mp4");
    put_file("hevc_nocues.mkv", tv, "1883/Season 01/1883.S01E06.mkv");
    put_file("h264.mp4", tv, "1883/Season 02/1883.S02E01.mp4");
    put_text(films, "1917 (2019)/poster.jpg", "jpeg");
    put_text(tv, "1883/folder.jpg", "jpeg");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh("rm -rf '%s'", top);
    return 0;
}

static void scan(void)
{
    const char *roots[] = {films, tv};
    lume_index *idx = NULL;
    lume_scanner *s;

    assert_int_equal(lume_index_open_rw(db, &idx), LUME_OK);
    s = lume_scanner_create(idx, NULL);
    assert_non_null(s);
    assert_int_equal(lume_scan_roots(s, roots, 2, NULL), LUME_OK);
    lume_scanner_destroy(s);
    lume_index_close(idx);
}

static void conf_with(lume_provider_conf *conf, const char *secret, const char *secret_file)
{
    char err[256];

    lume_provider_conf_defaults(conf);
    snprintf(conf->name, sizeof(conf->name), "library");
    assert_int_equal(lume_provider_conf_set(conf, "LUME_LIBRARY_DIRS", dirs, err, sizeof(err)), 0);
    assert_int_equal(lume_provider_conf_set(conf, "LUME_LIBRARY_INDEX", db, err, sizeof(err)), 0);
    assert_int_equal(
        lume_provider_conf_set(conf, "LUME_LIBRARY_PUBLIC_URL", PUBLIC, err, sizeof(err)), 0);
    assert_int_equal(
        lume_provider_conf_set(conf, "LUME_LIBRARY_LINK_TTL_S", "3600", err, sizeof(err)), 0);
    assert_int_equal(lume_provider_conf_set(conf, "LUME_LIBRARY_SECRET", secret, err, sizeof(err)),
                     0);
    assert_int_equal(
        lume_provider_conf_set(conf, "LUME_LIBRARY_SECRET_FILE", secret_file, err, sizeof(err)), 0);
}

static lume_provider *create(void)
{
    lume_provider_conf conf;
    char err[256] = "";
    lume_provider *p;

    conf_with(&conf, SECRET, "");
    p = lume_provider_create(&conf, NULL, err, sizeof(err));
    if (p == NULL)
        fail_msg("create: %s", err);
    assert_string_equal(lume_provider_name(p), "LibraryProvider");
    return p;
}

static lume_status search(lume_provider *p, const char *q, int season, int episode,
                          lume_results *out)
{
    lume_search s = {.query = q,
                     .formatted = q,
                     .season = season,
                     .episode = episode,
                     .limit = 10,
                     .deadline_ms = INT64_MAX};
    lume_provider_error err = {{0}, 0};

    lume_results_init(out);
    return lume_provider_search(p, &s, out, &err);
}

/* The link is <PUBLIC>/<root>/<encoded rel>?md5=<token of the decoded path>&expires=<e>. */
static void assert_signed(const char *url, int root, const char *encoded, const char *rel,
                          int64_t expires, const char *secret)
{
    char want[1024], uri[1024], token[LUME_SIGN_TOKEN_BUF];

    snprintf(uri, sizeof(uri), "/media/%d/%s", root, rel);
    lume_sign_token(uri, strlen(uri), expires, secret, token);
    snprintf(want, sizeof(want), "%s/%d/%s?md5=%s&expires=%lld", PUBLIC, root, encoded, token,
             (long long)expires);
    assert_string_equal(url, want);
}

static void test_a_missing_index_is_an_empty_library_until_it_is_written(void **state)
{
    lume_provider *p = create();
    lume_provider_error err = {{0}, 0};
    lume_results r;

    (void)state;
    assert_int_equal(search(p, "1917", 0, 0, &r), LUME_OK);
    assert_int_equal(r.count, 0);
    lume_results_free(&r);
    assert_int_equal(lume_provider_health(p, INT64_MAX, &err), LUME_ERR_UNAVAILABLE);
    assert_string_equal(err.message, "the library's index is not there yet");
    scan();
    assert_int_equal(search(p, "1917", 0, 0, &r), LUME_OK);
    assert_int_equal(r.count, 1);
    lume_results_free(&r);
    assert_int_equal(lume_provider_health(p, INT64_MAX, &err), LUME_OK);
    lume_provider_destroy(p);
}

/* A worker reads the index in snapshots kept at most 100 ms, and lets them
 * go whenever it waits for work (the provider's idle): a file indexed
 * meanwhile is found after that. */
static void test_a_file_indexed_is_found_once_the_worker_has_waited(void **state)
{
    lume_provider *p;
    lume_results r;

    (void)state;
    scan();
    p = create();
    assert_int_equal(search(p, "Arrival", 0, 0, &r), LUME_OK);
    assert_int_equal(r.count, 0);
    lume_results_free(&r);
    put_file("h264.mp4", films, "Arrival (2016)/Arrival (2016).mp4");
    scan();
    lume_provider_idle(p);
    assert_int_equal(search(p, "Arrival", 0, 0, &r), LUME_OK);
    assert_int_equal(r.count, 1);
    lume_results_free(&r);
    sh("rm -r '%s/Arrival (2016)'", films);
    scan();
    usleep(150 * 1000); /* or once the snapshot is older than it may be */
    assert_int_equal(search(p, "Arrival", 0, 0, &r), LUME_OK);
    assert_int_equal(r.count, 0);
    lume_results_free(&r);
    lume_provider_destroy(p);
}

/* Listed after the mock, the library runs on a thread of its own: the
 * worker's idle reaches it through the set all the same. */
static void test_idle_reaches_the_library_on_its_own_thread(void **state)
{
    lume_provider_conf conf;
    lume_provider_outcome o[2];
    lume_provider_error err;
    lume_provider_set *set;
    lume_results r;
    char msg[256] = "";
    lume_search s = {.query = "Arrival", .formatted = "Arrival", .limit = 10};

    (void)state;
    scan();
    conf_with(&conf, SECRET, "");
    snprintf(conf.name, sizeof(conf.name), "mock,library");
    set = lume_provider_set_create(&conf, NULL, msg, sizeof(msg));
    if (set == NULL)
        fail_msg("set: %s", msg);
    memset(&r, 0, sizeof(r));
    s.deadline_ms = lume_now_ms() + 5000;
    assert_int_equal(lume_provider_set_search(set, &s, &r, o, &err), LUME_OK);
    assert_int_equal(r.count, 0);
    lume_results_free(&r);
    put_file("h264.mp4", films, "Arrival (2016)/Arrival (2016).mp4");
    scan();
    lume_provider_set_idle(set);
    memset(&r, 0, sizeof(r));
    s.deadline_ms = lume_now_ms() + 5000;
    assert_int_equal(lume_provider_set_search(set, &s, &r, o, &err), LUME_OK);
    assert_int_equal(r.count, 1);
    assert_int_equal(o[1].found, 1);
    lume_results_free(&r);
    lume_provider_set_destroy(set);
}

static void test_a_film_is_one_signed_candidate_with_facts_and_subtitles(void **state)
{
    lume_provider *p;
    lume_results r;
    const lume_media_link *m;
    int64_t now = (int64_t)time(NULL);

    (void)state;
    scan();
    p = create();
    assert_int_equal(search(p, "1917", 0, 0, &r), LUME_OK);
    assert_int_equal(r.count, 1); /* not 1883 */
    m = &r.items[0];
    assert_string_equal(m->title, "1917 (2019)");
    assert_true(m->facts.expires_at >= now + 3600 && m->facts.expires_at < now + 3600 + 61);
    assert_int_equal(m->facts.expires_at % 60, 0);
    assert_signed(m->url, 0, "1917%20%282019%29/1917%20%282019%29.mp4",
                  "1917 (2019)/1917 (2019).mp4", m->facts.expires_at, SECRET);
    assert_string_equal(m->key, "library:0/1917 (2019)/1917 (2019).mp4");
    assert_true(m->size > 0);
    assert_int_equal(m->seeds, 1);
    assert_null(m->quality); /* 120 lines */
    assert_string_equal(m->facts.container, "mp4");
    assert_string_equal(m->facts.video_codec, "h264");
    assert_string_equal(m->facts.audio_codec, "aac");
    assert_int_equal(m->facts.width, 160);
    assert_int_equal(m->facts.height, 120);
    assert_int_equal(m->facts.duration_s, 1);
    assert_true(m->facts.bitrate > 0);
    assert_int_equal(m->facts.seekable, LUME_TRI_YES);
    assert_int_equal(m->nsubtitles, 2);
    for (size_t i = 0; i < m->nsubtitles; i++) {
        const lume_subtitle *s = &m->subtitles[i];
        if (strcmp(s->lang, "en") == 0) {
            assert_string_equal(s->label, "English");
            assert_string_equal(s->format, "srt");
            assert_signed(s->url, 0, "1917%20%282019%29/1917%20%282019%29.en.srt",
                          "1917 (2019)/1917 (2019).en.srt", m->facts.expires_at, SECRET);
        } else {
            assert_string_equal(s->lang, "fr");
            assert_string_equal(s->label, "French (forced)");
            assert_string_equal(s->format, "vtt");
        }
    }
    lume_results_free(&r);
    /* A year inside a title. */
    assert_int_equal(search(p, "Blade Runner 2049", 0, 0, &r), LUME_OK);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].title, "Blade Runner 2049 (2017)");
    assert_string_equal(r.items[0].facts.container, "webm");
    assert_string_equal(r.items[0].facts.video_codec, "vp9");
    lume_results_free(&r);
    lume_provider_destroy(p);
}

static void test_episodes_by_season_and_episode_with_the_next_one(void **state)
{
    lume_provider *p;
    lume_results r;

    (void)state;
    scan();
    p = create();
    assert_int_equal(search(p, "1883", 1, 5, &r), LUME_OK);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].title, "1883 S01E05");
    assert_signed(r.items[0].url, 1, "1883/Season%2001/1883.S01E05.mp4",
                  "1883/Season 01/1883.S01E05.mp4", r.items[0].facts.expires_at, SECRET);
    assert_string_equal(r.items[0].key, "library:1/1883/Season 01/1883.S01E05.mp4");
    assert_int_equal(r.next, LUME_NEXT_EPISODE);
    lume_results_free(&r);
    assert_int_equal(search(p, "1883", 1, 6, &r), LUME_OK);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].facts.container, "mkv");
    assert_int_equal(r.items[0].facts.seekable, LUME_TRI_NO); /* no Cues */
    assert_int_equal(r.next, LUME_NEXT_SEASON);
    lume_results_free(&r);
    assert_int_equal(search(p, "1883", 2, 1, &r), LUME_OK);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.next, LUME_NEXT_NONE);
    lume_results_free(&r);
    assert_int_equal(search(p, "1883", 1, 7, &r), LUME_OK);
    assert_int_equal(r.count, 0);
    lume_results_free(&r);
    assert_int_equal(search(p, "1883", 1, 0, &r), LUME_OK); /* the season */
    assert_int_equal(r.count, 2);
    lume_results_free(&r);
    assert_int_equal(search(p, "1883", 0, 0, &r), LUME_OK); /* every episode, no film */
    assert_int_equal(r.count, 3);
    lume_results_free(&r);
    assert_int_equal(search(p, "!!!", 0, 0, &r), LUME_OK);
    assert_int_equal(r.count, 0);
    lume_results_free(&r);
    lume_provider_destroy(p);
}

static void test_browsing_the_films_and_the_series(void **state)
{
    lume_provider *p;
    lume_browse films_b = {.limit = 100, .deadline_ms = INT64_MAX};
    lume_browse series_b = {.series = 1, .limit = 100, .deadline_ms = INT64_MAX};
    lume_provider_error err = {{0}, 0};
    lume_titles t;
    lume_episodes e;

    (void)state;
    scan();
    p = create();
    assert_string_equal(lume_provider_browse_label(p, 0), "Your films");
    lume_titles_init(&t);
    assert_int_equal(lume_provider_browse(p, &films_b, &t, &err), LUME_OK);
    assert_int_equal(t.count, 2);
    assert_string_equal(t.items[0].name, "1917");
    assert_int_equal(t.items[0].year, 2019);
    assert_non_null(strstr(t.items[0].poster, "/0/1917%20%282019%29/poster.jpg?md5="));
    assert_string_equal(t.items[1].name, "Blade Runner 2049");
    assert_null(t.items[1].poster); /* no art beside it */
    lume_titles_free(&t);
    films_b.search = "blade";
    assert_int_equal(lume_provider_browse(p, &films_b, &t, &err), LUME_OK);
    assert_int_equal(t.count, 1);
    lume_titles_free(&t);
    films_b.search = NULL;
    films_b.skip = 1;
    assert_int_equal(lume_provider_browse(p, &films_b, &t, &err), LUME_OK);
    assert_int_equal(t.count, 1);
    assert_string_equal(t.items[0].name, "Blade Runner 2049");
    lume_titles_free(&t);

    assert_int_equal(lume_provider_browse(p, &series_b, &t, &err), LUME_OK);
    assert_int_equal(t.count, 1);
    assert_string_equal(t.items[0].name, "1883");
    assert_non_null(strstr(t.items[0].poster, "/1/1883/folder.jpg?md5="));
    lume_episodes_init(&e);
    assert_int_equal(lume_provider_episodes(p, "1883", t.items[0].year, INT64_MAX, &e, &err),
                     LUME_OK);
    assert_int_equal(e.count, 3);
    assert_int_equal(e.items[0].season * 100 + e.items[0].episode, 105);
    assert_int_equal(e.items[2].season * 100 + e.items[2].episode, 201);
    lume_episodes_free(&e);
    lume_titles_free(&t);
    lume_provider_destroy(p);
}

static void test_the_secret_may_come_from_a_file(void **state)
{
    lume_provider_conf conf;
    char err[256] = "", *path = unit_write_file("  file-secret-abcdefghijkl \nsecond line\n");
    lume_provider *p;
    lume_results r;

    (void)state;
    scan();
    conf_with(&conf, "", path);
    p = lume_provider_create(&conf, NULL, err, sizeof(err));
    assert_non_null(p);
    assert_int_equal(search(p, "1883", 2, 1, &r), LUME_OK);
    assert_int_equal(r.count, 1);
    assert_signed(r.items[0].url, 1, "1883/Season%2002/1883.S02E01.mp4",
                  "1883/Season 02/1883.S02E01.mp4", r.items[0].facts.expires_at,
                  "file-secret-abcdefghijkl");
    lume_results_free(&r);
    lume_provider_destroy(p);
    unit_remove_file(path);
    path = unit_write_file("short\n");
    conf_with(&conf, "", path);
    assert_null(lume_provider_create(&conf, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "LUME_LIBRARY_SECRET_FILE"));
    unit_remove_file(path);
}

static void test_health_names_a_missing_folder_by_its_place(void **state)
{
    lume_provider *p;
    lume_provider_error err = {{0}, 0};

    (void)state;
    scan();
    p = create();
    assert_int_equal(lume_provider_health(p, INT64_MAX, &err), LUME_OK);
    sh("mv '%s' '%s.gone'", tv, tv);
    assert_int_equal(lume_provider_health(p, INT64_MAX, &err), LUME_ERR_UNAVAILABLE);
    assert_string_equal(err.message, "library folder 2 of 2 is missing or unreadable");
    assert_null(strstr(err.message, "/")); /* no path reaches a client */
    sh("mv '%s.gone' '%s'", tv, tv);
    assert_int_equal(lume_provider_health(p, INT64_MAX, &err), LUME_OK);
    lume_provider_destroy(p);
}

static void test_bad_settings(void **state)
{
    lume_provider_conf conf;
    char err[256] = "";

    (void)state;
    lume_provider_conf_defaults(&conf);
    snprintf(conf.name, sizeof(conf.name), "library");
    assert_int_equal(
        lume_provider_conf_set(&conf, "LUME_LIBRARY_DIRS", "relative/dir", err, sizeof(err)), -1);
    assert_int_equal(lume_provider_conf_set(&conf, "LUME_LIBRARY_DIRS", "/a::/b", err, sizeof(err)),
                     -1);
    assert_int_equal(
        lume_provider_conf_set(&conf, "LUME_LIBRARY_SECRET", "short", err, sizeof(err)), -1);
    assert_int_equal(
        lume_provider_conf_set(&conf, "LUME_LIBRARY_INDEX", "lib.db", err, sizeof(err)), -1);
    assert_null(lume_provider_create(&conf, NULL, err, sizeof(err)));
    assert_string_equal(err, "the library provider needs LUME_LIBRARY_DIRS");
    assert_int_equal(lume_provider_conf_set(&conf, "LUME_LIBRARY_DIRS", "/a:/b/", err, sizeof(err)),
                     0);
    assert_null(lume_provider_create(&conf, NULL, err, sizeof(err)));
    assert_string_equal(
        err, "the library provider needs LUME_LIBRARY_SECRET or LUME_LIBRARY_SECRET_FILE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_missing_index_is_an_empty_library_until_it_is_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_file_indexed_is_found_once_the_worker_has_waited,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_reaches_the_library_on_its_own_thread, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_film_is_one_signed_candidate_with_facts_and_subtitles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_episodes_by_season_and_episode_with_the_next_one,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_secret_may_come_from_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_browsing_the_films_and_the_series, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_names_a_missing_folder_by_its_place, setup,
                                        teardown),
        cmocka_unit_test(test_bad_settings),
    };
    return cmocka_run_group_tests(tests, media_group_setup, media_group_teardown);
}
