/*
 * test_provider_set.c: the providers a worker runs, asked together
 * (provider_set.h).
 *
 * - LUME_PROVIDERS lists them in rank order, each once, known names only;
 *   LUME_PROVIDER's one name is the same list of one.
 * - One provider: its answer and its failure exactly as alone.
 * - Several: every answering provider's candidates, tagged with the
 *   provider and its rank; a failing one leaves the others' answer and says
 *   why in its outcome; all failing is the first one's status with every
 *   reason.
 * - The slow one is waited for only until the deadline (plus the grace).
 * - Health: healthy while one can serve.
 *
 * The second provider is the archive pointed at a port nothing listens on
 * (it fails at once, "unavailable"), or the mock with a delay put second.
 */
#include "lib/unit.h"

#include "clock.h"
#include "provider_set.h"

static const char CATALOG[] =
    "[{\"title\": \"Charade (1963)\", \"url\": \"https://cdn.example.com/c.mp4\", \"seeds\": 5},"
    " {\"title\": \"Charade (1963) other\", \"url\": \"https://cdn.example.com/d.mp4\", \"seeds\": 9}]";

typedef struct fixture {
    char *catalog;
    lume_provider_conf conf;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char err[256] = "";

    assert_non_null(f);
    lume_provider_conf_defaults(&f->conf);
    f->catalog = unit_write_file(CATALOG);
    assert_int_equal(
        lume_provider_conf_set(&f->conf, "LUME_MOCK_CATALOG", f->catalog, err, sizeof(err)), 0);
    /* Nothing listens on port 9 of loopback: the archive fails at once. */
    assert_int_equal(lume_provider_conf_set(&f->conf, "LUME_ARCHIVE_BASE_URL",
                                            "http://127.0.0.1:9", err, sizeof(err)),
                     0);
    assert_int_equal(lume_provider_conf_set(&f->conf, "LUME_RETRIES", "0", err, sizeof(err)), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    unit_remove_file(f->catalog);
    free(f);
    return 0;
}

static lume_provider_set *make(fixture *f, const char *list)
{
    char err[256] = "";
    lume_provider_set *set;

    snprintf(f->conf.name, sizeof(f->conf.name), "%s", list);
    set = lume_provider_set_create(&f->conf, NULL, err, sizeof(err));
    if (set == NULL)
        fail_msg("%s: %s", list, err);
    return set;
}

static lume_status search(lume_provider_set *set, const char *q, long timeout_ms,
                          lume_results *out, lume_provider_outcome *o, lume_provider_error *err)
{
    lume_search s = {.query = q, .formatted = q, .limit = 10};

    s.deadline_ms = lume_now_ms() + timeout_ms;
    memset(err, 0, sizeof(*err));
    return lume_provider_set_search(set, &s, out, o, err);
}

static void test_the_list_is_known_names_each_once_in_order(void **state)
{
    int index[LUME_PROVIDERS_MAX];

    (void)state;
    assert_int_equal(lume_provider_list("mock", index), 1);
    assert_int_equal(lume_provider_list("archive,mock", index), 2);
    assert_string_equal(lume_provider_at((size_t)index[0])->config_name, "archive");
    assert_int_equal(lume_provider_list("mock,mock", index), -1);
    assert_int_equal(lume_provider_list("mock,", index), -1);
    assert_int_equal(lume_provider_list(",mock", index), -1);
    assert_int_equal(lume_provider_list("", index), -1);
    assert_int_equal(lume_provider_list("mock,nope", index), -1);
    assert_int_equal(lume_provider_list("Mock", index), -1);
}

static void test_one_provider_answers_as_alone(void **state)
{
    fixture *f = *state;
    lume_provider_set *set = make(f, "mock");
    lume_provider_outcome o[LUME_PROVIDERS_MAX];
    lume_provider_error err;
    lume_results r;

    lume_results_init(&r);
    assert_int_equal(lume_provider_set_count(set), 1);
    assert_string_equal(lume_provider_set_reported(set), "MockProvider");
    assert_int_equal(search(set, "charade", 1000, &r, o, &err), LUME_OK);
    assert_int_equal(r.count, 2);
    assert_string_equal(r.items[0].provider, "mock");
    assert_int_equal(o[0].found, 2);
    lume_results_clear(&r);
    assert_int_equal(search(set, "error:timeout", 1000, &r, o, &err), LUME_ERR_TIMEOUT);
    assert_string_equal(err.message, "mock upstream timed out"); /* its own words, as alone */
    lume_results_free(&r);
    lume_provider_set_destroy(set);
}

static void test_a_failing_provider_leaves_the_others_answer(void **state)
{
    fixture *f = *state;
    lume_provider_set *set = make(f, "mock,archive");
    lume_provider_outcome o[LUME_PROVIDERS_MAX];
    lume_provider_error err;
    lume_results r;

    lume_results_init(&r);
    assert_string_equal(lume_provider_set_reported(set), "MockProvider,ArchiveProvider");
    for (int round = 0; round < 20; round++) { /* the thread is reused, request after request */
        lume_results_clear(&r);
        assert_int_equal(search(set, "charade", 2000, &r, o, &err), LUME_OK);
        assert_int_equal(r.count, 2);
        assert_int_equal(r.items[1].provider_rank, 0);
        assert_int_equal(o[0].status, LUME_OK);
        assert_string_equal(o[1].name, "archive");
        assert_int_equal(o[1].status, LUME_ERR_UNAVAILABLE);
        assert_true(o[1].err.message[0] != '\0');
    }
    lume_results_free(&r);
    lume_provider_set_destroy(set);
}

static void test_all_failing_is_the_first_ones_status_with_every_reason(void **state)
{
    fixture *f = *state;
    lume_provider_set *set = make(f, "mock,archive");
    lume_provider_outcome o[LUME_PROVIDERS_MAX];
    lume_provider_error err;
    lume_results r;

    lume_results_init(&r);
    assert_int_equal(search(set, "error:timeout", 2000, &r, o, &err), LUME_ERR_TIMEOUT);
    assert_int_equal(r.count, 0);
    assert_non_null(strstr(err.message, "mock: mock upstream timed out; archive: "));
    lume_results_free(&r);
    lume_provider_set_destroy(set);
}

static void test_a_slow_second_provider_is_waited_for_until_the_deadline(void **state)
{
    fixture *f = *state;
    char err_text[256] = "";
    lume_provider_set *set;
    lume_provider_outcome o[LUME_PROVIDERS_MAX];
    lume_provider_error err;
    lume_results r;
    int64_t t0;

    /* The mock second, 400 ms slow; its deadline is the request's, so it
     * gives up with it, but only after the set has stopped waiting. */
    assert_int_equal(
        lume_provider_conf_set(&f->conf, "LUME_MOCK_DELAY_MS", "400", err_text, sizeof(err_text)),
        0);
    set = make(f, "archive,mock");
    lume_results_init(&r);
    t0 = lume_now_ms();
    /* Everything fails: the archive at once, the mock at the deadline. */
    assert_int_equal(search(set, "charade", 200, &r, o, &err), LUME_ERR_UNAVAILABLE);
    assert_true(lume_now_ms() - t0 < 200 + LUME_PROVIDER_GRACE_MS + 100);
    assert_int_equal(o[1].status, LUME_ERR_TIMEOUT);
    lume_results_free(&r);
    lume_provider_set_destroy(set); /* joins the thread, done at its deadline */
}

static void test_health_is_healthy_while_one_can_serve(void **state)
{
    fixture *f = *state;
    lume_provider_set *set = make(f, "archive,mock");
    lume_provider_outcome o[LUME_PROVIDERS_MAX];
    lume_provider_error err = {{0}, 0};

    assert_int_equal(lume_provider_set_health(set, lume_now_ms() + 1000, o, &err), LUME_OK);
    assert_int_equal(o[0].status, LUME_ERR_UNAVAILABLE);
    assert_int_equal(o[1].status, LUME_OK);
    lume_provider_set_destroy(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_list_is_known_names_each_once_in_order),
        cmocka_unit_test_setup_teardown(test_one_provider_answers_as_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_failing_provider_leaves_the_others_answer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_all_failing_is_the_first_ones_status_with_every_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_slow_second_provider_is_waited_for_until_the_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_is_healthy_while_one_can_serve, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
