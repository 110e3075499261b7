/*
 * test_stremio_path.c: the Stremio addon routes under /stremio/{token}/
 * (stremio_path.h), as Stremio's clients ask for them.
 * - The token: equal bytes only, never a prefix, never an empty secret.
 * - /manifest.json, /{resource}/{type}/{id}.json and /{resource}/{type}/{id}/{extra}.json
 *   for the resources catalog, meta, stream and subtitles; anything else is no
 *   route (404). An unknown type is read as OTHER (the protocol's empty answer).
 * - Ids are decoded and hold [A-Za-z0-9._:-] only, 1..255 bytes.
 * - Lume's own ids name a provider's film, series or a series' video, with
 *   the name escaped into the id's bytes; every name a query can be comes
 *   back as it went in, and anything else is not one of ours.
 * - {extra}: search (a query, as /resolve reads one), skip (0..100000) and
 *   genre; other keys ignored; a key Lume reads given twice is invalid (400),
 *   and so is anything out of bounds, at every length around them.
 */
#include "lib/unit.h"

#include "stremio_path.h"

static lume_stremio_request req;

static lume_stremio_parse_result parse(const char *path)
{
    return lume_stremio_parse(path, strlen(path), &req);
}

static void test_the_token_is_all_or_nothing(void **state)
{
    (void)state;
    assert_true(lume_stremio_token_ok("s3cret", 6, "s3cret"));
    assert_false(lume_stremio_token_ok("s3cre", 5, "s3cret"));
    assert_false(lume_stremio_token_ok("s3cretX", 7, "s3cret"));
    assert_false(lume_stremio_token_ok("S3cret", 6, "s3cret"));
    assert_false(lume_stremio_token_ok("", 0, "s3cret"));
    assert_false(lume_stremio_token_ok("", 0, "")); /* no secret: the addon is off */
    assert_false(lume_stremio_token_ok("x", 1, ""));
}

static void test_the_manifest(void **state)
{
    (void)state;
    assert_int_equal(parse("/manifest.json"), LUME_STREMIO_OK);
    assert_int_equal(req.resource, LUME_STREMIO_MANIFEST);
    assert_int_equal(parse("/manifest.json/"), LUME_STREMIO_NO_ROUTE);
    assert_int_equal(parse("/manifest"), LUME_STREMIO_NO_ROUTE);
    assert_int_equal(parse(""), LUME_STREMIO_NO_ROUTE);
    assert_int_equal(parse("manifest.json"), LUME_STREMIO_NO_ROUTE);
}

static void test_each_resource_with_a_type_and_an_id(void **state)
{
    (void)state;
    assert_int_equal(parse("/stream/movie/lume:ia:his_girl_friday.json"), LUME_STREMIO_OK);
    assert_int_equal(req.resource, LUME_STREMIO_STREAM);
    assert_int_equal(req.type, LUME_STREMIO_MOVIE);
    assert_string_equal(req.id, "lume:ia:his_girl_friday");
    assert_int_equal(parse("/meta/series/lume:lib:1a2b.json"), LUME_STREMIO_OK);
    assert_int_equal(req.resource, LUME_STREMIO_META);
    assert_int_equal(req.type, LUME_STREMIO_SERIES);
    assert_int_equal(parse("/stream/series/lume:lib:1a2b:4:1.json"), LUME_STREMIO_OK);
    assert_string_equal(req.id, "lume:lib:1a2b:4:1");
    assert_int_equal(parse("/catalog/movie/library-films.json"), LUME_STREMIO_OK);
    assert_int_equal(req.resource, LUME_STREMIO_CATALOG);
    assert_int_equal(parse("/subtitles/movie/lume:ia:x.json"), LUME_STREMIO_OK);
    assert_int_equal(req.resource, LUME_STREMIO_SUBTITLES);
    /* an id may come percent-encoded, as clients encode ':' */
    assert_int_equal(parse("/stream/movie/lume%3Aia%3Ax.json"), LUME_STREMIO_OK);
    assert_string_equal(req.id, "lume:ia:x");
}

static void test_unknown_types_are_other_and_unknown_resources_no_route(void **state)
{
    (void)state;
    assert_int_equal(parse("/stream/channel/lume:ia:x.json"), LUME_STREMIO_OK);
    assert_int_equal(req.type, LUME_STREMIO_OTHER);
    assert_int_equal(parse("/player/movie/x.json"), LUME_STREMIO_NO_ROUTE);
    assert_int_equal(parse("/stream/movie.json"), LUME_STREMIO_NO_ROUTE);
    assert_int_equal(parse("/stream/movie/x"), LUME_STREMIO_NO_ROUTE);
    assert_int_equal(parse("/stream/movie/x/y/z.json"), LUME_STREMIO_NO_ROUTE);
    assert_int_equal(parse("/stream//x.json"), LUME_STREMIO_NO_ROUTE);
    assert_int_equal(parse("/stream/movie/.json"), LUME_STREMIO_NO_ROUTE);
}

static void test_hostile_ids_are_invalid(void **state)
{
    const char *bad[] = {"/stream/movie/..%2F..%2Fetc.json", "/stream/movie/a%00b.json",
                         "/stream/movie/a%2Fb.json",         "/stream/movie/a b.json",
                         "/stream/movie/%zz.json",           "/stream/movie/a%.json",
                         "/stream/movie/%C3%A9.json"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (parse(bad[i]) != LUME_STREMIO_INVALID)
            fail_msg("%s should be invalid", bad[i]);
}

static void test_an_id_at_every_length_around_its_bound(void **state)
{
    (void)state;
    for (size_t n = LUME_STREMIO_ID_MAX - 2; n <= LUME_STREMIO_ID_MAX + 2; n++) {
        char *id = unit_repeat("", "a", n, "");
        char *path = unit_repeat("/stream/movie/", id, 1, ".json");
        assert_int_equal(parse(path),
                         n <= LUME_STREMIO_ID_MAX ? LUME_STREMIO_OK : LUME_STREMIO_INVALID);
        free(id);
        free(path);
    }
    /* 10 KB */
    char *huge = unit_repeat("/stream/movie/", "a", 10240, ".json");
    assert_int_equal(parse(huge), LUME_STREMIO_INVALID);
    free(huge);
}

static void test_extra_search_skip_and_genre(void **state)
{
    (void)state;
    assert_int_equal(parse("/catalog/movie/films/search=the%20boys&skip=100.json"),
                     LUME_STREMIO_OK);
    assert_string_equal(req.search, "the boys");
    assert_int_equal(req.skip, 100);
    assert_int_equal(parse("/catalog/movie/films/genre=Film%20Noir.json"), LUME_STREMIO_OK);
    assert_string_equal(req.genre, "Film Noir");
    assert_string_equal(req.search, "");
    assert_int_equal(req.skip, 0);
    /* subtitles' extras are not Lume's to read */
    assert_int_equal(parse("/subtitles/movie/lume:ia:x/videoHash=abc&videoSize=123&"
                           "filename=x.mp4.json"),
                     LUME_STREMIO_OK);
    /* an empty pair is skipped, as in a query string */
    assert_int_equal(parse("/catalog/movie/films/skip=0&&search=a.json"), LUME_STREMIO_OK);
    assert_string_equal(req.search, "a");
}

static void test_bad_extras_are_invalid(void **state)
{
    const char *bad[] = {"/catalog/movie/films/skip=100001.json",
                         "/catalog/movie/films/skip=-1.json",
                         "/catalog/movie/films/skip=1e3.json",
                         "/catalog/movie/films/skip=.json",
                         "/catalog/movie/films/search=.json",
                         "/catalog/movie/films/search=%20%20.json",
                         "/catalog/movie/films/search=a%00.json",
                         "/catalog/movie/films/search=%ff.json",
                         "/catalog/movie/films/search=a&search=b.json",
                         "/catalog/movie/films/skip=1&skip=2.json",
                         "/catalog/movie/films/genre=.json",
                         "/catalog/movie/films/genre=a%0Ab.json",
                         "/catalog/movie/films/justakey.json",
                         "/catalog/movie/films/se%zzarch=a.json"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (parse(bad[i]) != LUME_STREMIO_INVALID)
            fail_msg("%s should be invalid", bad[i]);
    assert_int_equal(parse("/catalog/movie/films/skip=100000.json"), LUME_STREMIO_OK);
}

static void test_extras_at_every_length_around_their_bounds(void **state)
{
    (void)state;
    /* a search of 200 code points is one, 201 is not */
    for (size_t n = LUME_QUERY_MAX_CHARS - 1; n <= LUME_QUERY_MAX_CHARS + 1; n++) {
        char *path = unit_repeat("/catalog/movie/films/search=", "x", n, ".json");
        assert_int_equal(parse(path),
                         n <= LUME_QUERY_MAX_CHARS ? LUME_STREMIO_OK : LUME_STREMIO_INVALID);
        free(path);
    }
    /* the whole {extra} segment: 1024 bytes, whatever it holds */
    for (size_t n = LUME_STREMIO_EXTRA_MAX - 2; n <= LUME_STREMIO_EXTRA_MAX + 2; n++) {
        char *filler = unit_repeat("", "y", n - 2, "");
        char *path = unit_repeat("/catalog/movie/films/z=", filler, 1, ".json");
        assert_int_equal(parse(path),
                         n <= LUME_STREMIO_EXTRA_MAX ? LUME_STREMIO_OK : LUME_STREMIO_INVALID);
        free(filler);
        free(path);
    }
}

static void roundtrip(const char *name, int series, int year, int season, int episode)
{
    lume_stremio_item in = {.series = series, .year = year, .season = season, .episode = episode},
                      out;
    char id[LUME_STREMIO_ID_MAX + 1];

    snprintf(in.provider, sizeof(in.provider), "archive");
    snprintf(in.name, sizeof(in.name), "%s", name);
    assert_int_equal(lume_stremio_id_make(&in, id), 0);
    assert_int_equal(strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789._:-"),
                     strlen(id));
    assert_int_equal(lume_stremio_id_read(id, &out), 0);
    assert_string_equal(out.provider, "archive");
    assert_string_equal(out.name, name);
    assert_int_equal(out.series, series);
    assert_int_equal(out.year, year);
    assert_int_equal(out.season, season);
    assert_int_equal(out.episode, episode);
}

static void test_lumes_ids_name_a_film_a_series_or_a_video(void **state)
{
    char id[LUME_STREMIO_ID_MAX + 1];
    lume_stremio_item film = {.provider = "library", .name = "His Girl Friday", .year = 1940};

    (void)state;
    assert_int_equal(lume_stremio_id_make(&film, id), 0);
    assert_string_equal(id, "lume:library:f:His.Girl.Friday:1940");
    roundtrip("Charade", 0, 1963, 0, 0);
    roundtrip("The Boys", 1, 0, 4, 1);
    roundtrip("Amélie: l'été_100% (AC/DC)", 0, 2001, 0, 0);
    roundtrip("1917", 0, 2019, 0, 0);
}

static void test_anything_else_is_not_one_of_ours(void **state)
{
    static const char *const not_ours[] = {
        "tt0111161", "lume:", "lume:archive:f:Charade", "lume:archive:x:Charade:1963",
        "lume:archive:f:Charade:1963:1:2", "lume:Archive:f:Charade:1963",
        "lume:archive:s:The.Boys:0:0:1", "lume:archive:s:The.Boys:0:1:0",
        "lume:archive:f:Char_ZZade:1963", "lume:archive:f:Char_4:1963",
        "lume:archive:f::1963", "lume:archive:f:_00:1963", "lume:archive:f:a:19633",
        "lume:archive:s:a:0:10000:1", "lume::f:a:1", "lume:archive:f:a:1:2:3:4",
        "lume:archive:f:.....:1"};
    lume_stremio_item out;

    (void)state;
    for (size_t i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++)
        if (lume_stremio_id_read(not_ours[i], &out) == 0)
            fail_msg("%s read as one of ours", not_ours[i]);
}

static void test_a_name_too_long_for_an_id_makes_none(void **state)
{
    lume_stremio_item item = {.provider = "archive"};
    char id[LUME_STREMIO_ID_MAX + 1];
    int made = 0, refused = 0;

    (void)state;
    /* Every length around the bound, in a plain and an escaped alphabet. */
    for (size_t n = 200; n <= 260; n++) {
        memset(item.name, 'a', n);
        item.name[n] = '\0';
        if (n < sizeof(item.name) && lume_stremio_id_make(&item, id) == 0) {
            made++;
            assert_true(strlen(id) <= LUME_STREMIO_ID_MAX);
        } else {
            refused++;
        }
    }
    assert_true(made > 0 && refused > 0);
    memset(item.name, '%', 90); /* 270 bytes escaped */
    item.name[90] = '\0';
    assert_int_equal(lume_stremio_id_make(&item, id), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lumes_ids_name_a_film_a_series_or_a_video),
        cmocka_unit_test(test_anything_else_is_not_one_of_ours),
        cmocka_unit_test(test_a_name_too_long_for_an_id_makes_none),
        cmocka_unit_test(test_the_token_is_all_or_nothing),
        cmocka_unit_test(test_the_manifest),
        cmocka_unit_test(test_each_resource_with_a_type_and_an_id),
        cmocka_unit_test(test_unknown_types_are_other_and_unknown_resources_no_route),
        cmocka_unit_test(test_hostile_ids_are_invalid),
        cmocka_unit_test(test_an_id_at_every_length_around_its_bound),
        cmocka_unit_test(test_extra_search_skip_and_genre),
        cmocka_unit_test(test_bad_extras_are_invalid),
        cmocka_unit_test(test_extras_at_every_length_around_their_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
