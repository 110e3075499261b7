/*
 * test_errors.c: the one status table (errors.h) against the API's
 * error table: one row per status the app sends, its HTTP status and code.
 *
 * REQUEST_TOO_LARGE (413/414/431) and RATE_LIMITED (429) are nginx's: the app
 * never sends them, so no lume_status maps to them. SERVICE_UNAVAILABLE (503)
 * is both nginx's (no worker reachable) and the app's (a request that waited
 * for a worker past the queue budget). Unknown statuses are 500
 * INTERNAL_ERROR, and every status has a safe message. The messages state
 * the bounds of api.h; the 405 carries Allow, SERVICE_UNAVAILABLE always
 * Retry-After: 1; every 503 and 504 names the provider.
 */
#include "lib/unit.h"

#include "api.h"
#include "errors.h"

static void assert_maps(lume_status st, int http, const char *code)
{
    assert_int_equal(lume_status_http(st), http);
    assert_string_equal(lume_status_code(st), code);
}

/* docs/api.md's error table, as far as the app sends it: one row per status. */
static const struct {
    lume_status st;
    int http;
    const char *code;
} table[] = {
    {LUME_OK, 200, "OK"},
    {LUME_ERR_INVALID_QUERY, 400, "INVALID_QUERY"},
    {LUME_ERR_INVALID_SEASON, 400, "INVALID_SEASON"},
    {LUME_ERR_INVALID_EPISODE, 400, "INVALID_EPISODE"},
    {LUME_ERR_EPISODE_WITHOUT_SEASON, 400, "EPISODE_WITHOUT_SEASON"},
    {LUME_ERR_INVALID_LIMIT, 400, "INVALID_LIMIT"},
    {LUME_ERR_INVALID_CAPS, 400, "INVALID_CAPS"},
    {LUME_ERR_INVALID_ID, 400, "INVALID_ID"},
    {LUME_ERR_NOT_FOUND, 404, "NOT_FOUND"},
    {LUME_ERR_METHOD_NOT_ALLOWED, 405, "METHOD_NOT_ALLOWED"},
    {LUME_ERR_INTERNAL, 500, "INTERNAL_ERROR"},
    {LUME_ERR_UNAVAILABLE, 503, "PROVIDER_UNAVAILABLE"},
    {LUME_ERR_TIMEOUT, 504, "PROVIDER_TIMEOUT"},
    {LUME_ERR_OVERLOADED, 503, "SERVICE_UNAVAILABLE"}, /* it came too late */
};

static void test_every_status_maps_to_its_row_of_the_apis_error_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        int http = lume_status_http(table[i].st);
        const char *code = lume_status_code(table[i].st);

        if (http != table[i].http || strcmp(code, table[i].code) != 0)
            fail_msg("status %d: got %d %s, want %d %s", (int)table[i].st, http, code,
                     table[i].http, table[i].code);
    }
}

static void test_the_table_has_a_row_for_every_status(void **state)
{
    (void)state;
    for (int st = 0; st < LUME_STATUS_COUNT; st++) {
        size_t i = 0;

        while (i < sizeof(table) / sizeof(table[0]) && (int)table[i].st != st)
            i++;
        if (i == sizeof(table) / sizeof(table[0]))
            fail_msg("status %d (%s) has no row", st, lume_status_code((lume_status)st));
    }
}

static void test_an_unknown_status_is_500_internal_error(void **state)
{
    (void)state;
    assert_maps(LUME_STATUS_COUNT, 500, "INTERNAL_ERROR");
    assert_maps((lume_status)999, 500, "INTERNAL_ERROR");
    assert_maps((lume_status)-1, 500, "INTERNAL_ERROR");
    assert_string_equal(lume_status_message((lume_status)999),
                        lume_status_message(LUME_ERR_INTERNAL));
}

static void test_every_status_has_a_distinct_code_and_a_message(void **state)
{
    (void)state;
    for (int a = 0; a < LUME_STATUS_COUNT; a++) {
        const char *msg = lume_status_message((lume_status)a);
        assert_non_null(msg);
        assert_true(strlen(msg) > 0);
        for (int b = a + 1; b < LUME_STATUS_COUNT; b++)
            assert_string_not_equal(lume_status_code((lume_status)a),
                                    lume_status_code((lume_status)b));
    }
}

static void test_messages_leak_no_internals(void **state)
{
    (void)state;
    for (int st = 0; st < LUME_STATUS_COUNT; st++) {
        const char *msg = lume_status_message((lume_status)st);
        assert_null(strchr(msg, '/'));
        assert_null(strchr(msg, '\n'));
        assert_null(strstr(msg, "errno"));
    }
}

static void test_no_status_maps_to_the_codes_that_only_nginx_sends(void **state)
{
    (void)state;
    for (int st = 0; st < LUME_STATUS_COUNT; st++) {
        const char *code = lume_status_code((lume_status)st);
        assert_string_not_equal(code, "REQUEST_TOO_LARGE");
        assert_string_not_equal(code, "RATE_LIMITED");
    }
}

static void test_the_messages_state_the_bounds_of_api_h(void **state)
{
    char want[128];

    (void)state;
    snprintf(want, sizeof(want),
             "query must be 1 to %d characters of valid UTF-8 without control characters",
             LUME_QUERY_MAX_CHARS);
    assert_string_equal(lume_status_message(LUME_ERR_INVALID_QUERY), want);
    snprintf(want, sizeof(want), "season must be an integer from 1 to %d", LUME_SEASON_MAX);
    assert_string_equal(lume_status_message(LUME_ERR_INVALID_SEASON), want);
    snprintf(want, sizeof(want), "episode must be an integer from 1 to %d", LUME_EPISODE_MAX);
    assert_string_equal(lume_status_message(LUME_ERR_INVALID_EPISODE), want);
    snprintf(want, sizeof(want), "limit must be an integer from 1 to %d", LUME_LIMIT_MAX);
    assert_string_equal(lume_status_message(LUME_ERR_INVALID_LIMIT), want);
    assert_string_equal(lume_status_message(LUME_ERR_INVALID_LIMIT),
                        "limit must be an integer from 1 to 25");
    snprintf(want, sizeof(want),
             "caps must be up to %d comma-separated names of a-z and 0-9, each up to %d "
             "characters, a height from %dp to %dp",
             LUME_CAPS_MAX_TOKENS, LUME_CAPS_TOKEN_MAX, LUME_CAPS_HEIGHT_MIN, LUME_CAPS_HEIGHT_MAX);
    assert_string_equal(lume_status_message(LUME_ERR_INVALID_CAPS), want);
    assert_string_equal(lume_status_message(LUME_ERR_METHOD_NOT_ALLOWED),
                        "method not allowed; use GET, HEAD or OPTIONS");
    assert_string_equal(LUME_ALLOW, "GET, HEAD, OPTIONS");
}

static void test_only_the_405_carries_allow(void **state)
{
    (void)state;
    for (int st = 0; st < LUME_STATUS_COUNT; st++)
        assert_int_equal(lume_status_allow((lume_status)st), st == LUME_ERR_METHOD_NOT_ALLOWED);
    assert_false(lume_status_allow((lume_status)999));
}

static void test_only_service_unavailable_always_carries_retry_after_1(void **state)
{
    (void)state;
    for (int st = 0; st < LUME_STATUS_COUNT; st++)
        assert_int_equal(lume_status_retry_after((lume_status)st),
                         st == LUME_ERR_OVERLOADED ? 1 : 0);
    assert_int_equal(lume_status_retry_after((lume_status)999), 0);
}

static void test_every_503_and_504_names_the_provider(void **state)
{
    (void)state;
    for (int st = 0; st < LUME_STATUS_COUNT; st++) {
        int http = lume_status_http((lume_status)st);
        assert_int_equal(lume_status_names_provider((lume_status)st), http == 503 || http == 504);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_maps_to_its_row_of_the_apis_error_table),
        cmocka_unit_test(test_the_table_has_a_row_for_every_status),
        cmocka_unit_test(test_an_unknown_status_is_500_internal_error),
        cmocka_unit_test(test_every_status_has_a_distinct_code_and_a_message),
        cmocka_unit_test(test_messages_leak_no_internals),
        cmocka_unit_test(test_no_status_maps_to_the_codes_that_only_nginx_sends),
        cmocka_unit_test(test_the_messages_state_the_bounds_of_api_h),
        cmocka_unit_test(test_only_the_405_carries_allow),
        cmocka_unit_test(test_only_service_unavailable_always_carries_retry_after_1),
        cmocka_unit_test(test_every_503_and_504_names_the_provider),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
