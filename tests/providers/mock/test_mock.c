/*
 * test_mock.c: the mock provider (LUME_PROVIDER=mock, name "MockProvider")
 * through the provider interface (provider.h).
 *
 * It matches the formatted query ("the boys S04E01") as a case-insensitive
 * substring of the titles of its catalog, with the quality parsed from the
 * title ("4K" is 2160p); its answer, ordered as the API orders it
 * (lume_results_sort, lume_results_select's order), comes by seeds, highest
 * first. "all" answers the whole catalog, "empty" nothing;
 * "error:unavailable|timeout|internal" inject that fault. LUME_MOCK_DELAY_MS adds latency, bounded
 * by the deadline. LUME_MOCK_CATALOG loads a JSON array of MediaLinks instead of the built-in
 * catalog; a broken catalog fails creation with a message naming the setting.
 * The catalog is the mock's whole world: for an episode it says whether the
 * next one has a live entry (episode + 1, else episode 1 of the next season)
 * or that there is none; without an episode it says nothing (results.next).
 */
#include "lib/unit.h"

#include "clock.h"
#include "mock/mock.h"
#include "provider.h"
#include "query.h"

static lume_provider *provider;
static lume_results results;
static lume_provider_error perr;

static lume_provider *create(const lume_provider_conf *conf, char *err, size_t errlen)
{
    err[0] = '\0';
    return lume_provider_create(conf, NULL, err, errlen);
}

/* Set one of the mock's settings (LUME_MOCK_CATALOG, LUME_MOCK_DELAY_MS). */
static void set(lume_provider_conf *conf, const char *name, const char *value)
{
    char err[256];

    if (lume_provider_conf_set(conf, name, value, err, sizeof(err)) != 0)
        fail_msg("%s=%s: %s", name, value, err);
}

static int setup_builtin(void **state)
{
    lume_provider_conf conf;
    char err[256];

    (void)state;
    lume_provider_conf_defaults(&conf);
    provider = create(&conf, err, sizeof(err));
    lume_results_init(&results);
    return provider ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    lume_provider_destroy(provider);
    provider = NULL;
    lume_results_free(&results);
    return 0;
}

/* Search as the app does: the query, its TV formatting, a far deadline;
 * the answer ordered as the app orders it (dead entries kept: tests read
 * them). */
static lume_status search_until(const char *query, int season, int episode, int64_t deadline_ms)
{
    char formatted[LUME_FORMATTED_BUF];
    lume_status st;
    lume_search s = {.query = query,
                     .formatted = formatted,
                     .season = season,
                     .episode = episode,
                     .limit = 10,
                     .deadline_ms = deadline_ms};

    assert_int_equal(lume_tv_format(query, season, episode, formatted, sizeof(formatted)), 0);
    lume_results_clear(&results);
    memset(&perr, 0, sizeof(perr));
    st = lume_provider_search(provider, &s, &results, &perr);
    lume_results_sort(&results);
    return st;
}

static lume_status search(const char *query, int season, int episode)
{
    return search_until(query, season, episode, lume_now_ms() + 10000);
}

static void assert_sorted_by_seeds(void)
{
    for (size_t i = 1; i < results.count; i++)
        assert_true(results.items[i - 1].seeds >= results.items[i].seeds);
}

/* ---- identity ---- */

static void test_the_mock_is_named_mock_provider(void **state)
{
    (void)state;
    assert_string_equal(lume_provider_name(provider), "MockProvider");
}

static void test_mock_is_a_known_provider_and_nope_is_not(void **state)
{
    (void)state;
    assert_true(lume_provider_known("mock"));
    assert_false(lume_provider_known("nope"));
    assert_false(lume_provider_known(""));
}

static void test_an_unknown_provider_cannot_be_created(void **state)
{
    lume_provider_conf conf;
    char err[256];

    (void)state;
    lume_provider_conf_defaults(&conf);
    snprintf(conf.name, sizeof(conf.name), "nope");
    assert_null(create(&conf, err, sizeof(err)));
    assert_non_null(strstr(err, "nope"));
}

static void test_the_mock_is_always_healthy(void **state)
{
    (void)state;
    assert_int_equal(lume_provider_health(provider, lume_now_ms() + 1000, &perr), LUME_OK);
}

/* ---- matching ---- */

static void test_a_title_substring_matches(void **state)
{
    (void)state;
    assert_int_equal(search("inception", 0, 0), LUME_OK);
    assert_int_equal(results.count, 1);
    assert_string_equal(results.items[0].title, "Inception (2010) 1080p BluRay");
    assert_string_equal(results.items[0].url,
                        "https://mock-cdn.example.com/movies/inception-2010.mkv");
    assert_int_equal(results.items[0].size, 8542781952LL);
    assert_int_equal(results.items[0].seeds, 2450);
    assert_int_equal(search("ncepti", 0, 0), LUME_OK);
    assert_int_equal(results.count, 1);
}

static void test_matching_is_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(search("INCEPTION", 0, 0), LUME_OK);
    assert_int_equal(results.count, 1);
    assert_int_equal(search("tHe DaRk KnIgHt", 0, 0), LUME_OK);
    assert_int_equal(results.count, 1);
    assert_string_equal(results.items[0].title, "The Dark Knight (2008) 1080p");
}

static void test_results_come_sorted_by_seeds(void **state)
{
    (void)state;
    assert_int_equal(search("the boys", 0, 0), LUME_OK);
    assert_int_equal(results.count, 3);
    assert_int_equal(results.items[0].seeds, 1500);
    assert_int_equal(results.items[1].seeds, 1400);
    assert_int_equal(results.items[2].seeds, 1200);
}

static void test_season_and_episode_match_the_formatted_query(void **state)
{
    (void)state;
    assert_int_equal(search("the boys", 4, 1), LUME_OK);
    assert_int_equal(results.count, 1);
    assert_string_equal(results.items[0].title, "The Boys S04E01 1080p WEB-DL");
    assert_int_equal(search("the boys", 4, 0), LUME_OK); /* "the boys S04" */
    assert_int_equal(results.count, 2);
    assert_string_equal(results.items[0].title, "The Boys S04E01 1080p WEB-DL");
    assert_string_equal(results.items[1].title, "The Boys S04E02 1080p WEB-DL");
    assert_int_equal(search("boys", 3, 0), LUME_OK);
    assert_int_equal(results.count, 1);
    assert_string_equal(results.items[0].title, "The Boys S03E01 1080p WEB-DL");
}

static void test_a_season_that_does_not_exist_matches_nothing(void **state)
{
    (void)state;
    assert_int_equal(search("the boys", 5, 0), LUME_OK);
    assert_int_equal(results.count, 0);
    assert_int_equal(search("the boys", 4, 3), LUME_OK);
    assert_int_equal(results.count, 0);
}

static void test_no_match_is_success_with_no_results(void **state)
{
    (void)state;
    assert_int_equal(search("no such film", 0, 0), LUME_OK);
    assert_int_equal(results.count, 0);
}

static void test_the_whole_query_must_match_not_single_words(void **state)
{
    (void)state;
    assert_int_equal(search("boys the", 0, 0), LUME_OK);
    assert_int_equal(results.count, 0);
}

static void test_all_answers_the_whole_catalog_sorted(void **state)
{
    (void)state;
    assert_int_equal(search("all", 0, 0), LUME_OK);
    assert_int_equal(results.count, 9);
    assert_sorted_by_seeds();
    assert_string_equal(results.items[0].title, "Breaking Bad S01E01 1080p BluRay");
    assert_int_equal(results.items[0].seeds, 3000);
    assert_string_equal(results.items[8].title, "Interstellar (2014) 4K HDR");
    assert_int_equal(search("ALL", 0, 0), LUME_OK);
    assert_int_equal(results.count, 9);
}

static void test_all_ignores_season_and_episode(void **state)
{
    (void)state;
    assert_int_equal(search("all", 4, 1), LUME_OK);
    assert_int_equal(results.count, 9);
}

static void test_empty_answers_nothing(void **state)
{
    (void)state;
    assert_int_equal(search("empty", 0, 0), LUME_OK);
    assert_int_equal(results.count, 0);
    assert_int_equal(search("EMPTY", 0, 0), LUME_OK);
    assert_int_equal(results.count, 0);
}

static void test_quality_comes_from_the_title_and_4k_is_2160p(void **state)
{
    (void)state;
    assert_int_equal(search("interstellar", 0, 0), LUME_OK);
    assert_int_equal(results.count, 1);
    assert_string_equal(results.items[0].quality, "2160p");
    assert_int_equal(results.items[0].size, 23622320128LL);
    assert_int_equal(search("breaking bad", 1, 2), LUME_OK);
    assert_string_equal(results.items[0].quality, "1080p");
}

static void test_every_built_in_entry_is_a_valid_media_link(void **state)
{
    (void)state;
    assert_int_equal(search("all", 0, 0), LUME_OK);
    for (size_t i = 0; i < results.count; i++) {
        const lume_media_link *m = &results.items[i];
        assert_true(strlen(m->title) >= 1 && strlen(m->title) <= 500);
        assert_int_equal(strncmp(m->url, "https://", 8), 0);
        assert_true(m->size >= 0);
        assert_true(m->seeds > 0);
        assert_non_null(m->quality);
    }
}

static void test_results_are_added_to_what_the_container_holds(void **state)
{
    char formatted[] = "inception";
    lume_search s = {.query = "inception",
                     .formatted = formatted,
                     .limit = 10,
                     .deadline_ms = lume_now_ms() + 1000};

    (void)state;
    lume_results_clear(&results);
    lume_results_add(&results, "Other 1", "https://x.example/1", -1, 99999, NULL);
    assert_int_equal(lume_provider_search(provider, &s, &results, &perr), LUME_OK);
    assert_int_equal(results.count, 2);
    assert_string_equal(results.items[0].title, "Other 1");
}

/* ---- injected faults ---- */

static void test_error_unavailable_is_unavailable_with_a_message(void **state)
{
    (void)state;
    assert_int_equal(search("error:unavailable", 0, 0), LUME_ERR_UNAVAILABLE);
    assert_true(strlen(perr.message) > 0);
    assert_int_equal(perr.retry_after_s, 0);
}

static void test_error_timeout_is_a_timeout(void **state)
{
    (void)state;
    assert_int_equal(search("error:timeout", 0, 0), LUME_ERR_TIMEOUT);
    assert_true(strlen(perr.message) > 0);
}

static void test_error_internal_is_an_internal_error(void **state)
{
    (void)state;
    assert_int_equal(search("error:internal", 0, 0), LUME_ERR_INTERNAL);
    assert_true(strlen(perr.message) > 0);
}

static void test_faults_are_case_insensitive_and_ignore_season(void **state)
{
    (void)state;
    assert_int_equal(search("ERROR:Unavailable", 4, 1), LUME_ERR_UNAVAILABLE);
    assert_int_equal(search("Error:TIMEOUT", 0, 0), LUME_ERR_TIMEOUT);
}

static void test_an_unknown_fault_is_an_ordinary_search(void **state)
{
    (void)state;
    assert_int_equal(search("error:other", 0, 0), LUME_OK);
    assert_int_equal(results.count, 0);
    assert_int_equal(search("error:", 0, 0), LUME_OK);
    assert_int_equal(search("error:unavailablex", 0, 0), LUME_OK);
}

/* ---- latency ---- */

static int setup_delay(long delay_ms)
{
    lume_provider_conf conf;
    char err[256], value[32];

    lume_provider_conf_defaults(&conf);
    snprintf(value, sizeof(value), "%ld", delay_ms);
    set(&conf, "LUME_MOCK_DELAY_MS", value);
    provider = create(&conf, err, sizeof(err));
    lume_results_init(&results);
    return provider ? 0 : -1;
}

static int setup_delay_30(void **state)
{
    (void)state;
    return setup_delay(30);
}

static int setup_delay_2000(void **state)
{
    (void)state;
    return setup_delay(2000);
}

static void test_the_delay_is_added_to_every_search(void **state)
{
    int64_t start = lume_now_ms();

    (void)state;
    assert_int_equal(search("inception", 0, 0), LUME_OK);
    assert_true(lume_now_ms() - start >= 30);
    assert_int_equal(results.count, 1);
}

static void test_a_delay_past_the_deadline_times_out_at_the_deadline(void **state)
{
    int64_t start = lume_now_ms();

    (void)state;
    assert_int_equal(search_until("inception", 0, 0, start + 40), LUME_ERR_TIMEOUT);
    assert_true(lume_now_ms() - start >= 40);
    assert_true(lume_now_ms() - start < 1000);
    assert_true(strlen(perr.message) > 0);
}

static void test_a_deadline_already_passed_times_out_at_once(void **state)
{
    int64_t start = lume_now_ms();

    (void)state;
    assert_int_equal(search_until("inception", 0, 0, start - 10), LUME_ERR_TIMEOUT);
    assert_true(lume_now_ms() - start < 1000);
}

/* ---- catalogs ---- */

static int with_catalog(const char *json, char *err, size_t errlen)
{
    lume_provider_conf conf;
    char *path = unit_write_file(json);

    lume_provider_conf_defaults(&conf);
    set(&conf, "LUME_MOCK_CATALOG", path);
    provider = create(&conf, err, errlen);
    unit_remove_file(path);
    lume_results_init(&results);
    return provider ? 0 : -1;
}

static void assert_catalog_rejected(const char *json)
{
    char err[256];

    if (with_catalog(json, err, sizeof(err)) == 0)
        fail_msg("catalog should be rejected: %s", json);
    assert_non_null(strstr(err, "LUME_MOCK_CATALOG"));
    assert_null(strchr(err, '\n'));
}

static void test_a_catalog_file_replaces_the_built_in_catalog(void **state)
{
    char err[256];

    (void)state;
    assert_int_equal(
        with_catalog("[{\"title\": \"Low 720p\", \"url\": \"https://c.example/l\", \"size\": 10,"
                     " \"seeds\": 1},"
                     " {\"title\": \"High\", \"url\": \"https://c.example/h\", \"seeds\": 9},"
                     " {\"title\": \"Mid\", \"url\": \"https://c.example/m\", \"size\": null,"
                     " \"seeds\": 5, \"extra\": true},"
                     " {\"title\": \"Dead\", \"url\": \"https://c.example/d\", \"size\": 0,"
                     " \"seeds\": 0}]",
                     err, sizeof(err)),
        0);
    assert_int_equal(search("all", 0, 0), LUME_OK);
    assert_int_equal(results.count, 4);
    assert_string_equal(results.items[0].title, "High");
    assert_int_equal(results.items[0].size, -1); /* absent: unknown */
    assert_string_equal(results.items[1].title, "Mid");
    assert_int_equal(results.items[1].size, -1); /* null: unknown */
    assert_string_equal(results.items[2].title, "Low 720p");
    assert_string_equal(results.items[2].quality, "720p");
    assert_string_equal(results.items[3].title, "Dead"); /* the API layer drops it */
    assert_int_equal(results.items[3].seeds, 0);
    assert_int_equal(search("inception", 0, 0), LUME_OK);
    assert_int_equal(results.count, 0);
}

static void test_an_episode_says_what_comes_next_in_the_catalog(void **state)
{
    (void)state;
    assert_int_equal(search("the boys", 4, 1), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_EPISODE); /* S04E02 */
    assert_int_equal(search("the boys", 3, 1), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_SEASON); /* no S03E02, but S04E01 */
    assert_int_equal(search("the boys", 4, 2), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_NONE);
    assert_int_equal(search("The Boys", 4, 1), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_EPISODE); /* case-insensitive like matching */
    assert_int_equal(search("no such show", 1, 1), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_NONE);
}

static void test_without_an_episode_nothing_is_said_of_the_next(void **state)
{
    (void)state;
    assert_int_equal(search("the boys", 4, 0), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_UNKNOWN);
    assert_int_equal(search("the boys", 0, 0), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_UNKNOWN);
    assert_int_equal(search("all", 4, 1), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_UNKNOWN);
}

static void test_a_dead_next_episode_is_no_next_episode(void **state)
{
    char err[256];

    (void)state;
    assert_int_equal(
        with_catalog(
            "[{\"title\": \"Show S01E01\", \"url\": \"https://c.example/1\", \"seeds\": 3},"
            " {\"title\": \"Show S01E02\", \"url\": \"https://c.example/2\", \"seeds\": 0},"
            " {\"title\": \"Show S02E01\", \"url\": \"https://c.example/3\", \"seeds\": 0}]",
            err, sizeof(err)),
        0);
    assert_int_equal(search("show", 1, 1), LUME_OK);
    assert_int_equal(results.next, LUME_NEXT_NONE);
}

static void test_an_empty_catalog_answers_nothing(void **state)
{
    char err[256];

    (void)state;
    assert_int_equal(with_catalog("[]", err, sizeof(err)), 0);
    assert_int_equal(search("all", 0, 0), LUME_OK);
    assert_int_equal(results.count, 0);
}

static void test_a_missing_catalog_file_fails_creation(void **state)
{
    lume_provider_conf conf;
    char err[256];

    (void)state;
    lume_provider_conf_defaults(&conf);
    set(&conf, "LUME_MOCK_CATALOG", "/nonexistent/catalog.json");
    provider = create(&conf, err, sizeof(err));
    assert_null(provider);
    assert_non_null(strstr(err, "LUME_MOCK_CATALOG"));
}

static void test_a_catalog_that_is_not_json_fails_creation(void **state)
{
    (void)state;
    assert_catalog_rejected("");
    assert_catalog_rejected("not json");
    assert_catalog_rejected("[{\"title\": \"x\",]");
    /* Found by fuzzing (tests/fuzz/mock/): Jansson's message quotes the text
     * near the error, newlines and all; the message stays one line. */
    assert_catalog_rejected("[{\"title\": \"Alp\\ud8\n\n\n\n2c\\udfa1\"}]");
}

/* The loader over text (mock.h, for the fuzz target) checks a catalog
 * exactly as a LUME_MOCK_CATALOG file: same outcome, same message. */
static void test_a_catalog_given_as_text_is_checked_like_a_catalog_file(void **state)
{
    static const char *const catalogs[] = {
        "[]",
        "[{\"title\": \"T 720p\", \"url\": \"https://c.example/t\", \"seeds\": 3}]",
        "",
        "[{\"title\": \"x\",]",
        "{}",
        "[{\"title\": \"t\", \"url\": \"http://c.example/\", \"seeds\": 1}]",
        "[{\"title\": \"t\", \"url\": \"https://c\", \"seeds\": 1, \"size\": -1}]",
    };
    lume_provider_error e = {{0}, 0};
    lume_search s = {.query = "all", .formatted = "all", .limit = 10};
    lume_results found;

    (void)state;
    for (size_t i = 0; i < sizeof(catalogs) / sizeof(catalogs[0]); i++) {
        char *path = unit_write_file(catalogs[i]), from_file[256] = "", from_text[256] = "";
        lume_provider_conf conf;
        lume_provider *p;
        void *impl;

        lume_provider_conf_defaults(&conf);
        set(&conf, "LUME_MOCK_CATALOG", path);
        p = create(&conf, from_file, sizeof(from_file));
        impl = lume_mock_create_from_text(catalogs[i], strlen(catalogs[i]), path, 0, from_text,
                                          sizeof(from_text));
        assert_int_equal(p != NULL, impl != NULL);
        assert_string_equal(from_file, from_text);
        if (impl != NULL) {
            s.deadline_ms = lume_now_ms() + 1000;
            lume_results_init(&found);
            assert_int_equal(lume_mock_provider.search(impl, &s, &found, &e), LUME_OK);
            assert_int_equal(found.count, i == 0 ? 0 : 1);
            lume_results_free(&found);
            lume_mock_provider.destroy(impl);
        }
        lume_provider_destroy(p);
        unit_remove_file(path);
    }
}

static void test_a_catalog_that_is_not_an_array_fails_creation(void **state)
{
    (void)state;
    assert_catalog_rejected("{\"title\": \"x\", \"url\": \"https://x\", \"seeds\": 1}");
    assert_catalog_rejected("42");
}

static void test_an_entry_that_is_not_an_object_fails_creation(void **state)
{
    (void)state;
    assert_catalog_rejected("[\"title\"]");
    assert_catalog_rejected("[null]");
}

static void test_an_entry_without_a_title_fails_creation(void **state)
{
    (void)state;
    assert_catalog_rejected("[{\"url\": \"https://x.example/\", \"seeds\": 1}]");
    assert_catalog_rejected("[{\"title\": \"\", \"url\": \"https://x.example/\", \"seeds\": 1}]");
    assert_catalog_rejected("[{\"title\": 5, \"url\": \"https://x.example/\", \"seeds\": 1}]");
}

static void test_an_entry_with_a_title_over_500_characters_fails_creation(void **state)
{
    char *ok = unit_repeat("[{\"title\": \"", "\xC3\xA9", 500,
                           "\", \"url\": \"https://x.example/\", \"seeds\": 1}]");
    char *too_long = unit_repeat("[{\"title\": \"", "a", 501,
                                 "\", \"url\": \"https://x.example/\", \"seeds\": 1}]");
    char err[256];

    (void)state;
    assert_int_equal(with_catalog(ok, err, sizeof(err)), 0); /* 500 characters, 1000 bytes */
    lume_provider_destroy(provider);
    provider = NULL;
    lume_results_free(&results);
    assert_catalog_rejected(too_long);
    free(ok);
    free(too_long);
}

static void test_an_entry_without_an_absolute_https_url_fails_creation(void **state)
{
    (void)state;
    assert_catalog_rejected("[{\"title\": \"t\", \"seeds\": 1}]");
    assert_catalog_rejected("[{\"title\": \"t\", \"url\": \"http://x.example/\", \"seeds\": 1}]");
    assert_catalog_rejected("[{\"title\": \"t\", \"url\": \"/relative\", \"seeds\": 1}]");
    assert_catalog_rejected("[{\"title\": \"t\", \"url\": \"https://\", \"seeds\": 1}]");
}

static void test_an_entry_with_bad_seeds_fails_creation(void **state)
{
    (void)state;
    assert_catalog_rejected("[{\"title\": \"t\", \"url\": \"https://x.example/\"}]");
    assert_catalog_rejected("[{\"title\": \"t\", \"url\": \"https://x.example/\", \"seeds\": -1}]");
    assert_catalog_rejected(
        "[{\"title\": \"t\", \"url\": \"https://x.example/\", \"seeds\": \"5\"}]");
    assert_catalog_rejected(
        "[{\"title\": \"t\", \"url\": \"https://x.example/\", \"seeds\": 1.5}]");
    assert_catalog_rejected(
        "[{\"title\": \"t\", \"url\": \"https://x.example/\", \"seeds\": null}]");
}

static void test_an_entry_with_a_bad_size_fails_creation(void **state)
{
    (void)state;
    assert_catalog_rejected(
        "[{\"title\": \"t\", \"url\": \"https://x.example/\", \"seeds\": 1, \"size\": -1}]");
    assert_catalog_rejected(
        "[{\"title\": \"t\", \"url\": \"https://x.example/\", \"seeds\": 1, \"size\": \"1GB\"}]");
    assert_catalog_rejected(
        "[{\"title\": \"t\", \"url\": \"https://x.example/\", \"seeds\": 1, \"size\": 1.5}]");
}

static void test_one_bad_entry_rejects_the_whole_catalog(void **state)
{
    (void)state;
    assert_catalog_rejected("[{\"title\": \"ok\", \"url\": \"https://x.example/\", \"seeds\": 1},"
                            " {\"title\": \"bad\", \"url\": \"https://x.example/\"}]");
}

#define T(f)  cmocka_unit_test_setup_teardown(f, setup_builtin, teardown)
#define TN(f) cmocka_unit_test_setup_teardown(f, NULL, teardown) /* makes its own provider */

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_the_mock_is_named_mock_provider),
        T(test_mock_is_a_known_provider_and_nope_is_not),
        TN(test_an_unknown_provider_cannot_be_created),
        T(test_the_mock_is_always_healthy),
        T(test_a_title_substring_matches),
        T(test_matching_is_case_insensitive),
        T(test_results_come_sorted_by_seeds),
        T(test_season_and_episode_match_the_formatted_query),
        T(test_a_season_that_does_not_exist_matches_nothing),
        T(test_no_match_is_success_with_no_results),
        T(test_the_whole_query_must_match_not_single_words),
        T(test_all_answers_the_whole_catalog_sorted),
        T(test_all_ignores_season_and_episode),
        T(test_empty_answers_nothing),
        T(test_quality_comes_from_the_title_and_4k_is_2160p),
        T(test_every_built_in_entry_is_a_valid_media_link),
        T(test_results_are_added_to_what_the_container_holds),
        T(test_error_unavailable_is_unavailable_with_a_message),
        T(test_error_timeout_is_a_timeout),
        T(test_error_internal_is_an_internal_error),
        T(test_faults_are_case_insensitive_and_ignore_season),
        T(test_an_unknown_fault_is_an_ordinary_search),
        T(test_an_episode_says_what_comes_next_in_the_catalog),
        T(test_without_an_episode_nothing_is_said_of_the_next),
        cmocka_unit_test_teardown(test_a_dead_next_episode_is_no_next_episode, teardown),
        cmocka_unit_test_setup_teardown(test_the_delay_is_added_to_every_search, setup_delay_30,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_delay_past_the_deadline_times_out_at_the_deadline,
                                        setup_delay_2000, teardown),
        cmocka_unit_test_setup_teardown(test_a_deadline_already_passed_times_out_at_once,
                                        setup_delay_2000, teardown),
        TN(test_a_catalog_file_replaces_the_built_in_catalog),
        TN(test_an_empty_catalog_answers_nothing),
        TN(test_a_missing_catalog_file_fails_creation),
        TN(test_a_catalog_that_is_not_json_fails_creation),
        cmocka_unit_test(test_a_catalog_given_as_text_is_checked_like_a_catalog_file),
        TN(test_a_catalog_that_is_not_an_array_fails_creation),
        TN(test_an_entry_that_is_not_an_object_fails_creation),
        TN(test_an_entry_without_a_title_fails_creation),
        TN(test_an_entry_with_a_title_over_500_characters_fails_creation),
        TN(test_an_entry_without_an_absolute_https_url_fails_creation),
        TN(test_an_entry_with_bad_seeds_fails_creation),
        TN(test_an_entry_with_a_bad_size_fails_creation),
        TN(test_one_bad_entry_rejects_the_whole_catalog),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
