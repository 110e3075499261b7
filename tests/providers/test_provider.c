/*
 * test_provider.c: the dispatcher between the app and a provider (provider.h).
 *
 * Providers add results in any order; lume_provider_search hands them back
 * as added, dead ones too, and the API's rules (lume_results_select,
 * test_results.c) order them by seeds, highest first, equal seeds in the
 * order the provider added them. lume_provider_fail, the helper
 * providers report faults with, sets a client-safe message and returns the
 * status. The mock provider, over a catalog in a known order, stands in for
 * any provider.
 *
 * The registry: each provider declares its own settings, LUME_ names unique
 * across providers, each with a valid default; their values live in the
 * provider's block of lume_provider_conf; the names of the providers, for
 * messages, come from the registry.
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
    lume_provider_conf conf;
    char err[256] = "";

    assert_non_null(f);
    lume_provider_conf_defaults(&conf);
    f->catalog = unit_write_file(CATALOG);
    assert_int_equal(
        lume_provider_conf_set(&conf, "LUME_MOCK_CATALOG", f->catalog, err, sizeof(err)), 0);
    f->provider = lume_provider_create(&conf, NULL, err, sizeof(err));
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

/* ---- the answer, then the rules ---- */

static void test_search_answers_in_the_providers_order_dead_ones_too(void **state)
{
    static const char *const want[] = {"low 1", "tie a", "dead", "top", "tie b"};
    fixture *f = *state;
    lume_provider_error err = {{0}, 0};

    assert_int_equal(search(f, "all", &err), LUME_OK);
    assert_int_equal(f->results.count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(f->results.items[i].title, want[i]);
}

static void test_the_rules_answer_by_seeds_highest_first_ties_in_the_providers_order(void **state)
{
    static const char *const want[] = {"top", "tie a", "tie b", "low 1"};
    fixture *f = *state;
    lume_provider_error err = {{0}, 0};

    assert_int_equal(search(f, "all", &err), LUME_OK);
    assert_int_equal(lume_results_select(&f->results, 10), 4);
    assert_int_equal(f->results.count, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(f->results.items[i].title, want[i]);
}

static void test_a_subset_is_ordered_as_well(void **state)
{
    fixture *f = *state;
    lume_provider_error err = {{0}, 0};

    assert_int_equal(search(f, "tie", &err), LUME_OK);
    assert_int_equal(lume_results_select(&f->results, 10), 2);
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

/* ---- the registry and the providers' settings ---- */

static void test_the_registry_names_mock_first_then_archive(void **state)
{
    char names[64];
    lume_provider_conf conf;

    (void)state;
    assert_int_equal(lume_provider_count(), 3);
    assert_string_equal(lume_provider_at(0)->config_name, "mock");
    assert_string_equal(lume_provider_at(1)->config_name, "archive");
    assert_string_equal(lume_provider_at(2)->config_name, "library");
    assert_null(lume_provider_at(3));
    lume_provider_names(names, sizeof(names));
    assert_string_equal(names, "mock, archive, library");
    /* Only the library has a background process (its indexer). */
    lume_provider_conf_defaults(&conf);
    assert_int_equal(lume_provider_background(&conf), -1);
    snprintf(conf.name, sizeof(conf.name), "archive,library");
    assert_int_equal(lume_provider_background(&conf), 2);
    assert_true(lume_provider_known("archive"));
    assert_false(lume_provider_known("Archive"));
}

static void test_every_provider_setting_is_a_unique_lume_name_with_a_valid_default(void **state)
{
    static unsigned char block[LUME_PROVIDER_BLOCK_BYTES];
    char err[256];

    (void)state;
    for (size_t i = 0; i < lume_provider_count(); i++) {
        const lume_provider_def *def = lume_provider_at(i);

        assert_true(def->nsettings == 0 || def->settings != NULL);
        for (size_t j = 0; j < def->nsettings; j++) {
            const lume_setting *s = &def->settings[j];

            assert_int_equal(strncmp(s->name, "LUME_", 5), 0);
            assert_non_null(s->def);
            assert_true(s->help != NULL && s->help[0] != '\0');
            if (lume_setting_set(s, block, s->def, err, sizeof(err)) != 0)
                fail_msg("%s: the default is invalid: %s", s->name, err);
            assert_ptr_equal(lume_provider_setting_find(s->name), s); /* no other has it */
        }
    }
}

static void test_the_defaults_are_the_first_provider_and_every_setting_at_its_default(void **state)
{
    lume_provider_conf conf;
    const lume_setting *s = lume_provider_setting_find("LUME_RETRIES");
    char text[64];

    (void)state;
    lume_provider_conf_defaults(&conf);
    assert_string_equal(conf.name, "mock");
    assert_int_equal(conf.connect_timeout_ms, 2000);
    assert_non_null(s);
    lume_setting_format(s, conf.blocks[1], text, sizeof(text));
    assert_string_equal(text, "2");
}

static void test_a_provider_setting_is_set_in_its_providers_block_only(void **state)
{
    lume_provider_conf conf, before;
    const lume_setting *s = lume_provider_setting_find("LUME_MOCK_DELAY_MS");
    char err[256], text[64];

    (void)state;
    lume_provider_conf_defaults(&conf);
    before = conf;
    assert_int_equal(lume_provider_conf_set(&conf, "LUME_MOCK_DELAY_MS", "15", err, sizeof(err)),
                     0);
    lume_setting_format(s, conf.blocks[0], text, sizeof(text));
    assert_string_equal(text, "15");
    assert_memory_equal(conf.blocks[1], before.blocks[1], sizeof(conf.blocks[1]));
}

static void
test_setting_a_provider_setting_says_1_for_others_and_minus_1_for_bad_values(void **state)
{
    lume_provider_conf conf, before;
    char err[256];

    (void)state;
    lume_provider_conf_defaults(&conf);
    before = conf;
    assert_int_equal(lume_provider_conf_set(&conf, "LUME_WORKERS", "2", err, sizeof(err)), 1);
    assert_int_equal(lume_provider_conf_set(&conf, "LUME_RETRIES", "x", err, sizeof(err)), -1);
    assert_string_equal(err, "invalid LUME_RETRIES=x: expected an integer from 0 to 10");
    assert_int_equal(
        lume_provider_conf_set(&conf, "LUME_ARCHIVE_BASE_URL", "archive.org", err, sizeof(err)),
        -1);
    assert_string_equal(err, "invalid LUME_ARCHIVE_BASE_URL=archive.org: expected an http:// or "
                             "https:// URL");
    assert_memory_equal(&conf, &before, sizeof(conf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_search_answers_in_the_providers_order_dead_ones_too,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_the_rules_answer_by_seeds_highest_first_ties_in_the_providers_order, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_a_subset_is_ordered_as_well, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_failed_search_reports_the_providers_status_and_message, setup, teardown),
        cmocka_unit_test(test_fail_sets_the_message_and_returns_the_status),
        cmocka_unit_test(test_fail_truncates_long_messages),
        cmocka_unit_test(test_fail_without_an_error_struct_only_returns_the_status),
        cmocka_unit_test(test_the_registry_names_mock_first_then_archive),
        cmocka_unit_test(test_every_provider_setting_is_a_unique_lume_name_with_a_valid_default),
        cmocka_unit_test(test_the_defaults_are_the_first_provider_and_every_setting_at_its_default),
        cmocka_unit_test(test_a_provider_setting_is_set_in_its_providers_block_only),
        cmocka_unit_test(
            test_setting_a_provider_setting_says_1_for_others_and_minus_1_for_bad_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
