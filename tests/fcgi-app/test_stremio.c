/*
 * test_stremio.c: Lume as a Stremio addon (stremio.h), over the mock and a
 * catalog of a film in two copies and a series of two episodes:
 * - without the right token, every path is no route (404);
 * - the manifest lists a catalog per provider and kind it can browse, each
 *   searchable and paged, and Lume's own id prefix;
 * - a catalog gives metas with ids that the meta route reads back; a series'
 *   meta has its videos, each with an id the stream route takes;
 * - streams are ranked for the default device, with the protocol's
 *   behaviorHints and the subtitles; the subtitles route lists them;
 * - an id of another addon, an unknown type or catalog: the empty answers;
 *   an id out of bounds: 400; every answer carries the cache fields.
 */
#include "lib/unit.h"

#include "config.h"
#include "stremio.h"

#define TOKEN "tok-0123456789abcdef"

static const char CATALOG[] =
    "["
    "{\"title\": \"Charade (1963) 720p\", \"url\": \"https://cdn.example.com/charade.mp4\","
    " \"seeds\": 5, \"size\": 700000000, \"container\": \"mp4\", \"video_codec\": \"h264\","
    " \"audio_codec\": \"aac\", \"height\": 720, \"poster\": \"https://cdn.example.com/c.jpg\","
    " \"subtitles\": [{\"url\": \"https://cdn.example.com/charade.en.srt\", \"lang\": \"en\"}]},"
    "{\"title\": \"Charade (1963) DVD\", \"url\": \"https://cdn.example.com/charade.ts\","
    " \"seeds\": 50, \"container\": \"ts\", \"video_codec\": \"mpeg2\", \"height\": 480},"
    "{\"title\": \"Dark Shadows S01E01\", \"url\": \"https://cdn.example.com/ds1.mkv\", \"seeds\": 1},"
    "{\"title\": \"Dark Shadows S01E02\", \"url\": \"https://cdn.example.com/ds2.mkv\", \"seeds\": 1}"
    "]";

static lume_config cfg;
static lume_provider_set *set;
static lume_results results;
static lume_provider_outcome outcomes[LUME_PROVIDERS_MAX];
static char *catalog_path;

static int setup(void **state)
{
    char err[256] = "";

    (void)state;
    lume_config_defaults(&cfg);
    catalog_path = unit_write_file(CATALOG);
    assert_int_equal(lume_config_set(&cfg, "LUME_MOCK_CATALOG", catalog_path, err, sizeof(err)), 0);
    assert_int_equal(lume_config_set(&cfg, "LUME_STREMIO_TOKEN", TOKEN, err, sizeof(err)), 0);
    set = lume_provider_set_create(&cfg.provider, NULL, err, sizeof(err));
    assert_non_null(set);
    lume_results_init(&results);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lume_results_free(&results);
    lume_provider_set_destroy(set);
    unit_remove_file(catalog_path);
    return 0;
}

/* The answer to path (after /stremio), its status in *st. */
static json_t *ask(const char *path, lume_status *st)
{
    lume_stremio_ctx ctx = {&cfg, set, &results, outcomes, 0};
    lume_provider_error err = {{0}, 0};
    json_t *body = NULL;
    lume_cache_life life;

    ctx.deadline_ms = INT64_MAX / 2;
    *st = lume_stremio_answer(&ctx, path, strlen(path), &body, &life, &err);
    assert_true((*st == LUME_OK) == (body != NULL));
    return body;
}

static json_t *ok(const char *path)
{
    lume_status st;
    json_t *body = ask(path, &st);

    if (st != LUME_OK)
        fail_msg("%s: status %d", path, (int)st);
    return body;
}

static void test_without_the_token_nothing_is_there(void **state)
{
    lume_status st;

    (void)state;
    assert_null(ask("/wrong-token-0123456/manifest.json", &st));
    assert_int_equal(st, LUME_ERR_NOT_FOUND);
    assert_null(ask("/" TOKEN, &st));
    assert_int_equal(st, LUME_ERR_NOT_FOUND);
    assert_null(ask("/" TOKEN "/nothing.json", &st));
    assert_int_equal(st, LUME_ERR_NOT_FOUND);
}

static void test_the_manifest_lists_what_the_providers_browse(void **state)
{
    json_t *m = ok("/" TOKEN "/manifest.json"), *catalogs = json_object_get(m, "catalogs");

    (void)state;
    assert_string_equal(json_string_value(json_object_get(m, "id")), "org.lume.addon");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "idPrefixes"), 0)),
                        "lume:");
    assert_int_equal(json_array_size(catalogs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(catalogs, 0), "id")),
                        "mock.films");
    assert_string_equal(json_string_value(json_object_get(json_array_get(catalogs, 1), "type")),
                        "series");
    assert_false(json_is_true(json_object_get(json_object_get(m, "behaviorHints"), "configurable")));
    assert_null(json_object_get(m, "cacheMaxAge"));
    json_decref(m);
}

static void test_a_catalog_then_its_meta_then_its_streams(void **state)
{
    json_t *c = ok("/" TOKEN "/catalog/movie/mock.films.json"), *metas = json_object_get(c, "metas");
    json_t *film = json_array_get(metas, 0), *meta, *answer, *streams, *first, *hints;
    char path[512];

    (void)state;
    assert_int_equal(json_array_size(metas), 1); /* two copies, one film */
    assert_string_equal(json_string_value(json_object_get(film, "name")), "Charade");
    assert_string_equal(json_string_value(json_object_get(film, "releaseInfo")), "1963");
    assert_string_equal(json_string_value(json_object_get(film, "poster")),
                        "https://cdn.example.com/c.jpg");
    assert_int_equal(json_integer_value(json_object_get(c, "cacheMaxAge")), cfg.cache_max_age);

    snprintf(path, sizeof(path), "/" TOKEN "/meta/movie/%s.json",
             json_string_value(json_object_get(film, "id")));
    meta = ok(path);
    assert_string_equal(json_string_value(json_object_get(json_object_get(meta, "meta"), "name")),
                        "Charade");

    snprintf(path, sizeof(path), "/" TOKEN "/stream/movie/%s.json",
             json_string_value(json_object_get(film, "id")));
    answer = ok(path);
    streams = json_object_get(answer, "streams");
    assert_int_equal(json_array_size(streams), 2);
    first = json_array_get(streams, 0); /* the playable MP4 before the MPEG-2 with more seeds */
    assert_string_equal(json_string_value(json_object_get(first, "url")),
                        "https://cdn.example.com/charade.mp4");
    hints = json_object_get(first, "behaviorHints");
    assert_false(json_is_true(json_object_get(hints, "notWebReady")));
    assert_string_equal(json_string_value(json_object_get(hints, "bingeGroup")),
                        "lume-mock-720p-mp4");
    assert_int_equal(json_integer_value(json_object_get(hints, "videoSize")), 700000000);
    assert_string_equal(json_string_value(json_object_get(hints, "filename")), "charade.mp4");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(first, "subtitles"), 0), "lang")),
                        "en");
    assert_true(json_is_true(
        json_object_get(json_object_get(json_array_get(streams, 1), "behaviorHints"),
                        "notWebReady")));
    json_decref(c);
    json_decref(meta);
    json_decref(answer);
}

static void test_a_series_has_its_videos_each_with_streams(void **state)
{
    json_t *c = ok("/" TOKEN "/catalog/series/mock.series.json");
    json_t *series = json_array_get(json_object_get(c, "metas"), 0), *meta, *videos, *answer,
           *streams;
    char path[512];

    (void)state;
    assert_string_equal(json_string_value(json_object_get(series, "name")), "Dark Shadows");
    snprintf(path, sizeof(path), "/" TOKEN "/meta/series/%s.json",
             json_string_value(json_object_get(series, "id")));
    meta = ok(path);
    videos = json_object_get(json_object_get(meta, "meta"), "videos");
    assert_int_equal(json_array_size(videos), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(videos, 1), "episode")), 2);
    assert_non_null(json_string_value(json_object_get(json_array_get(videos, 0), "released")));
    snprintf(path, sizeof(path), "/" TOKEN "/stream/series/%s.json",
             json_string_value(json_object_get(json_array_get(videos, 1), "id")));
    answer = ok(path);
    streams = json_object_get(answer, "streams");
    assert_int_equal(json_array_size(streams), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(streams, 0), "url")),
                        "https://cdn.example.com/ds2.mkv");
    json_decref(c);
    json_decref(meta);
    json_decref(answer);
}

static void test_a_search_and_a_page(void **state)
{
    json_t *c = ok("/" TOKEN "/catalog/movie/mock.films/search=chara.json");

    (void)state;
    assert_int_equal(json_array_size(json_object_get(c, "metas")), 1);
    json_decref(c);
    c = ok("/" TOKEN "/catalog/movie/mock.films/search=nothing%20here.json");
    assert_int_equal(json_array_size(json_object_get(c, "metas")), 0);
    json_decref(c);
    c = ok("/" TOKEN "/catalog/movie/mock.films/skip=100.json");
    assert_int_equal(json_array_size(json_object_get(c, "metas")), 0);
    json_decref(c);
}

static void test_the_subtitles_of_a_film(void **state)
{
    json_t *s = ok("/" TOKEN "/subtitles/movie/lume:mock:f:Charade:1963/videoSize=1.json");

    (void)state;
    assert_int_equal(json_array_size(json_object_get(s, "subtitles")), 1);
    json_decref(s);
}

static void test_what_is_not_ours_gets_the_empty_answers(void **state)
{
    lume_status st;
    json_t *b;

    (void)state;
    b = ok("/" TOKEN "/stream/movie/tt0111161.json");
    assert_int_equal(json_array_size(json_object_get(b, "streams")), 0);
    json_decref(b);
    b = ok("/" TOKEN "/catalog/channel/mock.films.json");
    assert_int_equal(json_array_size(json_object_get(b, "metas")), 0);
    json_decref(b);
    b = ok("/" TOKEN "/catalog/movie/archive.films.json"); /* not listed here */
    assert_int_equal(json_array_size(json_object_get(b, "metas")), 0);
    json_decref(b);
    b = ok("/" TOKEN "/subtitles/series/lume:mock:f:Charade:1963.json"); /* a film, as a series */
    assert_int_equal(json_array_size(json_object_get(b, "subtitles")), 0);
    json_decref(b);
    assert_null(ask("/" TOKEN "/meta/movie/lume:mock:f:Nobody:1999.json", &st));
    assert_int_equal(st, LUME_ERR_NOT_FOUND);
    assert_null(ask("/" TOKEN "/stream/movie/lume:..%2F..%2Fetc.json", &st));
    assert_int_equal(st, LUME_ERR_INVALID_ID);
    assert_null(ask("/" TOKEN "/stream/movie/a%00b.json", &st));
    assert_int_equal(st, LUME_ERR_INVALID_ID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_the_token_nothing_is_there),
        cmocka_unit_test(test_the_manifest_lists_what_the_providers_browse),
        cmocka_unit_test(test_a_catalog_then_its_meta_then_its_streams),
        cmocka_unit_test(test_a_series_has_its_videos_each_with_streams),
        cmocka_unit_test(test_a_search_and_a_page),
        cmocka_unit_test(test_the_subtitles_of_a_film),
        cmocka_unit_test(test_what_is_not_ours_gets_the_empty_answers),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
