/*
 * test_router.c: the routing table (router.h) on the raw REQUEST_URI.
 *
 * /, /health, /resolve/health/provider (an exact path, so it wins over
 * /resolve/{query}), /resolve/search/{query} and /resolve/{query}, where
 * {query} is exactly one raw path segment; anything else is 404. GET, HEAD and
 * OPTIONS are allowed, any other method is 405 (also on an unknown path:
 * docs/api.md says "any other method, on any path"). The query string after
 * the first '?' is handed on raw.
 */
#include "lib/unit.h"

#include "router.h"

static lume_route route;

static lume_status match(const char *method, const char *uri)
{
    return lume_route_match(method, uri, &route);
}

static void assert_segment(const char *expected)
{
    assert_non_null(route.segment);
    assert_int_equal(route.segment_len, strlen(expected));
    assert_memory_equal(route.segment, expected, strlen(expected));
}

static void assert_args(const char *expected)
{
    assert_non_null(route.args);
    assert_int_equal(route.args_len, strlen(expected));
    assert_memory_equal(route.args, expected, strlen(expected));
}

static void assert_not_found(const char *uri)
{
    if (match("GET", uri) != LUME_ERR_NOT_FOUND)
        fail_msg("%s should be NOT_FOUND", uri ? uri : "(null)");
    assert_int_equal(route.id, LUME_ROUTE_NONE);
}

/* ---- the table ---- */

static void test_slash_is_the_index(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_INDEX);
    assert_null(route.segment);
}

static void test_slash_health_is_the_health_check(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/health"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_HEALTH);
}

static void test_metrics_and_status_are_the_pools_pages(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/metrics"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_METRICS);
    assert_string_equal(lume_route_name(route.id), "metrics");
    assert_int_equal(match("GET", "/status"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_STATUS);
    assert_string_equal(lume_route_name(route.id), "status");
    assert_int_equal(match("GET", "/metrics/x"), LUME_ERR_NOT_FOUND);
    assert_string_equal(lume_route_name(LUME_ROUTE_NONE), "none");
}

static void test_resolve_health_provider_is_the_provider_health_check(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/health/provider"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_PROVIDER_HEALTH);
    assert_null(route.segment);
}

static void test_resolve_query_is_a_resolve_with_the_raw_segment(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/the%20boys"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_segment("the%20boys");
}

static void test_resolve_search_query_is_a_search_with_the_raw_segment(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/search/inception"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_SEARCH);
    assert_segment("inception");
}

static void test_resolve_search_alone_is_a_resolve_of_search(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/search"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_segment("search");
}

static void test_resolve_health_alone_is_a_resolve_of_health(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/health"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_segment("health");
}

static void test_an_encoded_slash_stays_inside_the_segment(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/AC%2FDC"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_segment("AC%2FDC");
    assert_int_equal(match("GET", "/resolve/search/AC%2FDC"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_SEARCH);
    assert_segment("AC%2FDC");
}

static void test_a_plus_in_the_segment_is_handed_on_raw(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/C++"), LUME_OK);
    assert_segment("C++");
}

static void test_an_empty_segment_still_routes_and_is_left_to_validation(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_int_equal(route.segment_len, 0);
    assert_int_equal(match("GET", "/resolve/search/"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_SEARCH);
    assert_int_equal(route.segment_len, 0);
}

static void test_extra_segments_are_not_found(void **state)
{
    (void)state;
    assert_not_found("/resolve/a/b");
    assert_not_found("/resolve/search/a/b");
    assert_not_found("/resolve/search/a/");
    assert_not_found("/resolve/health/provider/");
    assert_not_found("/resolve/health/provider/x");
    assert_not_found("/resolve/the boys/");
}

static void test_unknown_paths_are_not_found(void **state)
{
    (void)state;
    assert_not_found("/resolve");
    assert_not_found("/health/");
    assert_not_found("/healthz");
    assert_not_found("/docs");
    assert_not_found("/nope");
    assert_not_found("//");
    assert_not_found("/RESOLVE/x");
    assert_not_found("/resolvex/y");
}

static void test_a_uri_that_is_not_a_path_is_not_found(void **state)
{
    (void)state;
    assert_not_found("");
    assert_not_found("resolve/x");
    assert_not_found("http://example.com/");
    assert_not_found("*");
    assert_not_found(NULL);
}

/* ---- the query string ---- */

static void test_the_query_string_is_split_off_raw(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/the%20boys?season=4&episode=1"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_segment("the%20boys");
    assert_args("season=4&episode=1");
}

static void test_a_uri_without_a_query_string_has_no_args(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/x"), LUME_OK);
    assert_null(route.args);
    assert_int_equal(route.args_len, 0);
}

static void test_an_empty_query_string_is_empty_args(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/x?"), LUME_OK);
    assert_segment("x");
    assert_args("");
}

static void test_exact_paths_match_with_a_query_string(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/?x=1"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_INDEX);
    assert_int_equal(match("GET", "/health?probe=1"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_HEALTH);
    assert_int_equal(match("GET", "/resolve/health/provider?x"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_PROVIDER_HEALTH);
    assert_int_equal(match("GET", "/resolve/search?limit=1"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_segment("search");
}

static void test_slashes_and_question_marks_in_the_query_string_do_not_split_the_path(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/x?next=/a/b?c"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_segment("x");
    assert_args("next=/a/b?c");
}

/* ---- methods ---- */

static void test_get_is_allowed(void **state)
{
    (void)state;
    assert_int_equal(match("GET", "/resolve/x"), LUME_OK);
    assert_false(route.head);
    assert_false(route.options);
}

static void test_head_is_answered_as_get_without_a_body(void **state)
{
    (void)state;
    assert_int_equal(match("HEAD", "/resolve/x"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_true(route.head);
    assert_false(route.options);
}

static void test_options_is_allowed(void **state)
{
    (void)state;
    assert_int_equal(match("OPTIONS", "/resolve/x"), LUME_OK);
    assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
    assert_true(route.options);
    assert_false(route.head);
}

static void test_other_methods_are_not_allowed_and_keep_the_route(void **state)
{
    static const char *methods[] = {"POST",  "PUT",     "DELETE",  "PATCH",
                                    "TRACE", "CONNECT", "PROPFIND"};

    (void)state;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        assert_int_equal(match(methods[i], "/resolve/x"), LUME_ERR_METHOD_NOT_ALLOWED);
        assert_int_equal(route.id, LUME_ROUTE_RESOLVE);
        assert_int_equal(match(methods[i], "/"), LUME_ERR_METHOD_NOT_ALLOWED);
        assert_int_equal(route.id, LUME_ROUTE_INDEX);
    }
}

static void test_methods_are_case_sensitive(void **state)
{
    (void)state;
    assert_int_equal(match("get", "/"), LUME_ERR_METHOD_NOT_ALLOWED);
    assert_int_equal(match("Head", "/"), LUME_ERR_METHOD_NOT_ALLOWED);
    assert_int_equal(match("GETX", "/"), LUME_ERR_METHOD_NOT_ALLOWED);
    assert_int_equal(match("", "/"), LUME_ERR_METHOD_NOT_ALLOWED);
}

static void test_a_missing_method_is_not_allowed(void **state)
{
    (void)state;
    assert_int_equal(match(NULL, "/"), LUME_ERR_METHOD_NOT_ALLOWED);
}

static void test_another_method_on_an_unknown_path_is_not_allowed(void **state)
{
    (void)state;
    assert_int_equal(match("POST", "/nope"), LUME_ERR_METHOD_NOT_ALLOWED);
    assert_int_equal(route.id, LUME_ROUTE_NONE);
}

static void test_an_allowed_method_on_an_unknown_path_is_not_found(void **state)
{
    (void)state;
    assert_int_equal(match("HEAD", "/nope"), LUME_ERR_NOT_FOUND);
    assert_true(route.head);
    assert_int_equal(match("OPTIONS", "/nope"), LUME_ERR_NOT_FOUND);
}

static void test_the_allow_header_lists_get_head_and_options(void **state)
{
    (void)state;
    assert_string_equal(LUME_ALLOW, "GET, HEAD, OPTIONS");
}

/* ---- which routes carry query, season, episode in errors ---- */

static void test_resolve_and_search_are_resolve_routes(void **state)
{
    (void)state;
    assert_true(lume_route_is_resolve(LUME_ROUTE_RESOLVE));
    assert_true(lume_route_is_resolve(LUME_ROUTE_SEARCH));
}

static void test_the_other_routes_are_not_resolve_routes(void **state)
{
    (void)state;
    assert_false(lume_route_is_resolve(LUME_ROUTE_NONE));
    assert_false(lume_route_is_resolve(LUME_ROUTE_INDEX));
    assert_false(lume_route_is_resolve(LUME_ROUTE_HEALTH));
    assert_false(lume_route_is_resolve(LUME_ROUTE_PROVIDER_HEALTH));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slash_is_the_index),
        cmocka_unit_test(test_slash_health_is_the_health_check),
        cmocka_unit_test(test_metrics_and_status_are_the_pools_pages),
        cmocka_unit_test(test_resolve_health_provider_is_the_provider_health_check),
        cmocka_unit_test(test_resolve_query_is_a_resolve_with_the_raw_segment),
        cmocka_unit_test(test_resolve_search_query_is_a_search_with_the_raw_segment),
        cmocka_unit_test(test_resolve_search_alone_is_a_resolve_of_search),
        cmocka_unit_test(test_resolve_health_alone_is_a_resolve_of_health),
        cmocka_unit_test(test_an_encoded_slash_stays_inside_the_segment),
        cmocka_unit_test(test_a_plus_in_the_segment_is_handed_on_raw),
        cmocka_unit_test(test_an_empty_segment_still_routes_and_is_left_to_validation),
        cmocka_unit_test(test_extra_segments_are_not_found),
        cmocka_unit_test(test_unknown_paths_are_not_found),
        cmocka_unit_test(test_a_uri_that_is_not_a_path_is_not_found),
        cmocka_unit_test(test_the_query_string_is_split_off_raw),
        cmocka_unit_test(test_a_uri_without_a_query_string_has_no_args),
        cmocka_unit_test(test_an_empty_query_string_is_empty_args),
        cmocka_unit_test(test_exact_paths_match_with_a_query_string),
        cmocka_unit_test(test_slashes_and_question_marks_in_the_query_string_do_not_split_the_path),
        cmocka_unit_test(test_get_is_allowed),
        cmocka_unit_test(test_head_is_answered_as_get_without_a_body),
        cmocka_unit_test(test_options_is_allowed),
        cmocka_unit_test(test_other_methods_are_not_allowed_and_keep_the_route),
        cmocka_unit_test(test_methods_are_case_sensitive),
        cmocka_unit_test(test_a_missing_method_is_not_allowed),
        cmocka_unit_test(test_another_method_on_an_unknown_path_is_not_allowed),
        cmocka_unit_test(test_an_allowed_method_on_an_unknown_path_is_not_found),
        cmocka_unit_test(test_the_allow_header_lists_get_head_and_options),
        cmocka_unit_test(test_resolve_and_search_are_resolve_routes),
        cmocka_unit_test(test_the_other_routes_are_not_resolve_routes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
