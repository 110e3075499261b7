/*
 * test_errors.c: the one status table (errors.h), one assertion per code of
 * the contract's error table that the app sends.
 *
 * REQUEST_TOO_LARGE (413/414/431) and RATE_LIMITED (429) are nginx's: the app
 * never sends them, so no lume_status maps to them. SERVICE_UNAVAILABLE (503)
 * is both nginx's (no worker reachable) and the app's (a request that waited
 * for a worker past the queue budget). Unknown statuses are 500
 * INTERNAL_ERROR, and every status has a safe message.
 */
#include "lib/unit.h"

#include "errors.h"

static void assert_maps(lume_status st, int http, const char *code)
{
    assert_int_equal(lume_status_http(st), http);
    assert_string_equal(lume_status_code(st), code);
}

static void test_ok_is_200(void **state)
{
    (void)state;
    assert_maps(LUME_OK, 200, "OK");
}

static void test_invalid_query_is_400(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_INVALID_QUERY, 400, "INVALID_QUERY");
}

static void test_invalid_season_is_400(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_INVALID_SEASON, 400, "INVALID_SEASON");
}

static void test_invalid_episode_is_400(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_INVALID_EPISODE, 400, "INVALID_EPISODE");
}

static void test_episode_without_season_is_400(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_EPISODE_WITHOUT_SEASON, 400, "EPISODE_WITHOUT_SEASON");
}

static void test_invalid_limit_is_400(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_INVALID_LIMIT, 400, "INVALID_LIMIT");
}

static void test_not_found_is_404(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_NOT_FOUND, 404, "NOT_FOUND");
}

static void test_method_not_allowed_is_405(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_METHOD_NOT_ALLOWED, 405, "METHOD_NOT_ALLOWED");
}

static void test_internal_error_is_500(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_INTERNAL, 500, "INTERNAL_ERROR");
}

static void test_provider_unavailable_is_503(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_UNAVAILABLE, 503, "PROVIDER_UNAVAILABLE");
}

static void test_provider_timeout_is_504(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_TIMEOUT, 504, "PROVIDER_TIMEOUT");
}

static void test_a_request_that_came_too_late_is_503_service_unavailable(void **state)
{
    (void)state;
    assert_maps(LUME_ERR_OVERLOADED, 503, "SERVICE_UNAVAILABLE");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_is_200),
        cmocka_unit_test(test_invalid_query_is_400),
        cmocka_unit_test(test_invalid_season_is_400),
        cmocka_unit_test(test_invalid_episode_is_400),
        cmocka_unit_test(test_episode_without_season_is_400),
        cmocka_unit_test(test_invalid_limit_is_400),
        cmocka_unit_test(test_not_found_is_404),
        cmocka_unit_test(test_method_not_allowed_is_405),
        cmocka_unit_test(test_internal_error_is_500),
        cmocka_unit_test(test_provider_unavailable_is_503),
        cmocka_unit_test(test_provider_timeout_is_504),
        cmocka_unit_test(test_a_request_that_came_too_late_is_503_service_unavailable),
        cmocka_unit_test(test_an_unknown_status_is_500_internal_error),
        cmocka_unit_test(test_every_status_has_a_distinct_code_and_a_message),
        cmocka_unit_test(test_messages_leak_no_internals),
        cmocka_unit_test(test_no_status_maps_to_the_codes_that_only_nginx_sends),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
