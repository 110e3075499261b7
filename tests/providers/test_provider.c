/*
 * test_provider.c: the dispatcher between the app and a provider (provider.h).
 *
 * Providers add results in any order; lume_provider_search sorts them once,
 * by seeds, highest first, equal seeds in the order the provider added them.
 * A failed search leaves the order alone. lume_provider_fail, the helper
 * providers report faults with, sets a client-safe message and returns the
 * status. The mock provider, over a catalog in a known order, stands in for
 * any provider.
 */
#include "lib/unit.h"

#include "clock.h"
#include "provider.h"

/* Deliberately unsorted, with ties: "tie a" comes before "tie b". */
static const char CATALOG[] =
    "["
    "{\"title\": \"low 1\", \"url\": \"https://cdn.example.com/1\", \"seeds\": 1},"
    "{\"title\": \"tie a\", \"url\": \"https://cdn.example.com/2\", \"seeds\": 50},"
    "{\"title\": \"dead\", \"url\": \"https://cdn.example.com/3\", \"seeds\": 0},"
    "{\"title\": \"top\", \"url\": \"https://cdn.example.com/4\", \"seeds\": 900},"
    "{\"title\": \"tie b\", \"url\": \"https://cdn.example.com/5\", \"seeds\": 50}"
    "]";

typedef struct fixture {
    char *catalog;
    lume_provider *provider;
    lume_results results;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    lume_config cfg;
    char err[256] = "";

    assert_non_null(f);
    lume_config_defaults(&cfg);
    f->catalog = unit_write_file(CATALOG);
    snprintf(cfg.mock_catalog, sizeof(cfg.mock_catalog), "%s", f->catalog);
    f->provider = lume_provider_create(&cfg, NULL, err, sizeof(err));
    if (f->provider == NULL)
        fail_msg("mock over the test catalog: %s", err);
    lume_results_init(&f->results);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    lume_provider_destroy(f->provider);
    lume_results_free(&f->results);
    unit_remove_file(f->catalog);
    free(f);
    return 0;
}

static lume_status search(fixture *f, const char *query, lume_provider_error *err)
{
    lume_search s = {
        .query = query, .formatted = query, .limit = 10, .deadline_ms = lume_now_ms() + 10000};

    lume_results_clear(&f->results);
    return lume_provider_search(f->provider, &s, &f->results, err);
}

/* ---- the one sort ---- */

static void test_search_answers_by_seeds_highest_first_ties_in_the_providers_order(void **state)
{
    static const char *const want[] = {"top", "tie a", "tie b", "low 1", "dead"};
    fixture *f = *state;
    lume_provider_error err = {{0}, 0};

    assert_int_equal(search(f, "all", &err), LUME_OK);
    assert_int_equal(f->results.count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(f->results.items[i].title, want[i]);
}

static void test_a_subset_is_sorted_as_well(void **state)
{
    fixture *f = *state;
    lume_provider_error err = {{0}, 0};

    assert_int_equal(search(f, "tie", &err), LUME_OK);
    assert_int_equal(f->results.count, 2);
    assert_string_equal(f->results.items[0].title, "tie a");
    assert_string_equal(f->results.items[1].title, "tie b");
}

static void test_a_failed_search_reports_the_providers_status_and_message(void **state)
{
    fixture *f = *state;
    lume_provider_error err = {{0}, 0};

    assert_int_equal(search(f, "error:timeout", &err), LUME_ERR_TIMEOUT);
    assert_string_equal(err.message, "mock upstream timed out");
    assert_int_equal(f->results.count, 0);
}

/* ---- lume_provider_fail ---- */

static void test_fail_sets_the_message_and_returns_the_status(void **state)
{
    lume_provider_error err = {{0}, 0};

    (void)state;
    assert_int_equal(lume_provider_fail(&err, LUME_ERR_UNAVAILABLE, "upstream answered %d", 502),
                     LUME_ERR_UNAVAILABLE);
    assert_string_equal(err.message, "upstream answered 502");
}

static void test_fail_truncates_long_messages(void **state)
{
    lume_provider_error err = {{0}, 0};
    char *longer = unit_repeat("", "m", 1000, "");

    (void)state;
    lume_provider_fail(&err, LUME_ERR_INTERNAL, "%s", longer);
    assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
    free(longer);
}

static void test_fail_without_an_error_struct_only_returns_the_status(void **state)
{
    (void)state;
    assert_int_equal(lume_provider_fail(NULL, LUME_ERR_TIMEOUT, "x"), LUME_ERR_TIMEOUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_search_answers_by_seeds_highest_first_ties_in_the_providers_order, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_a_subset_is_sorted_as_well, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_failed_search_reports_the_providers_status_and_message, setup, teardown),
        cmocka_unit_test(test_fail_sets_the_message_and_returns_the_status),
        cmocka_unit_test(test_fail_truncates_long_messages),
        cmocka_unit_test(test_fail_without_an_error_struct_only_returns_the_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
