/*
 * test_respond.c: the one response path (respond.h), as both the workers and
 * the health responder use it: the answers before a handler (404 and 405 in
 * the envelope, 405 with Allow, a /resolve route's 405 with its null query
 * fields, a preflight as 204 with Allow and no body, HEAD kept), the error
 * envelope's status and headers from the status table (a timeout over
 * nginx's expired copy is a 503; a resolve's 404 over it is stored expired;
 * a provider's Retry-After only with PROVIDER_UNAVAILABLE), the 500 an
 * unrenderable 200 becomes, and the access line's fields in their order.
 */
#include "lib/unit.h"

#include <jansson.h>

#include "respond.h"

static lume_request request(const char *method, const char *uri)
{
    return (lume_request){.method = method, .uri = uri, .request_id = "rid-1", .waited_ms = -1};
}

/* The envelope's "detail" object of resp's body (a new reference). */
static json_t *detail(const lume_response *resp)
{
    json_error_t jerr;
    json_t *doc = json_loadb(resp->body, resp->body_len, 0, &jerr), *d;

    assert_non_null(doc);
    d = json_incref(json_object_get(doc, "detail"));
    json_decref(doc);
    assert_non_null(d);
    return d;
}

/* Start req as a handler would; 1 when answered. */
static int start(const lume_request *req, lume_response *resp)
{
    lume_route route;
    lume_status st = lume_route_match(req->method, req->uri, &route);

    return lume_respond_start(resp, req, &route, st, "Prov");
}

static void test_unknown_paths_and_methods_are_answered_before_a_handler(void **state)
{
    lume_request req = request("GET", "/nowhere");
    lume_response resp;
    json_t *d;

    (void)state;
    assert_true(start(&req, &resp));
    assert_int_equal(resp.status, 404);
    assert_false(resp.allow);
    assert_string_equal(resp.cache_control, "no-store");
    d = detail(&resp);
    assert_string_equal(json_string_value(json_object_get(d, "error")), "NOT_FOUND");
    assert_string_equal(json_string_value(json_object_get(d, "request_id")), "rid-1");
    assert_null(json_object_get(d, "provider")); /* only 503 and 504 name it */
    json_decref(d);
    lume_response_release(&resp);

    req = request("POST", "/health");
    assert_true(start(&req, &resp));
    assert_int_equal(resp.status, 405);
    assert_true(resp.allow);
    assert_int_equal(resp.outcome, LUME_ERR_METHOD_NOT_ALLOWED);
    d = detail(&resp);
    assert_null(json_object_get(d, "query"));
    json_decref(d);
    lume_response_release(&resp);

    req = request("DELETE", "/resolve/x?season=2");
    assert_true(start(&req, &resp));
    assert_int_equal(resp.status, 405);
    d = detail(&resp);
    assert_true(json_is_null(json_object_get(d, "query")));
    assert_true(json_is_null(json_object_get(d, "season")));
    assert_true(json_is_null(json_object_get(d, "episode")));
    json_decref(d);
    lume_response_release(&resp);
}

static void test_a_preflight_is_204_with_allow_and_a_head_stays_a_head(void **state)
{
    lume_request req = request("OPTIONS", "/resolve/x");
    lume_response resp;

    (void)state;
    assert_true(start(&req, &resp));
    assert_int_equal(resp.status, 204);
    assert_true(resp.allow);
    assert_string_equal(resp.cache_control, "no-store");
    assert_null(resp.body);

    req = request("HEAD", "/health");
    assert_false(start(&req, &resp)); /* the handler answers */
    assert_true(resp.head);
    assert_int_equal(resp.status, 0);
    req = request("HEAD", "/nowhere");
    assert_true(start(&req, &resp));
    assert_true(resp.head);
    assert_int_equal(resp.status, 404);
    lume_response_release(&resp);
}

static void test_the_envelope_takes_status_and_headers_from_the_status_table(void **state)
{
    lume_request req = request("GET", "/resolve/x");
    lume_error_ctx ctx = {.resolve = 1, .query = "x", .season = 2, .retry_after_s = 7};
    lume_response resp = {0};
    json_t *d;

    (void)state;
    lume_respond_error(&resp, &req, LUME_ERR_UNAVAILABLE, &ctx, NULL, "Prov");
    assert_int_equal(resp.status, 503);
    assert_int_equal(resp.retry_after_s, 7); /* the provider's */
    d = detail(&resp);
    assert_string_equal(json_string_value(json_object_get(d, "provider")), "Prov");
    assert_string_equal(json_string_value(json_object_get(d, "query")), "x");
    assert_int_equal(json_integer_value(json_object_get(d, "season")), 2);
    assert_true(json_is_null(json_object_get(d, "episode")));
    json_decref(d);
    lume_response_release(&resp);

    lume_respond_error(&resp, &req, LUME_ERR_OVERLOADED, &ctx, NULL, "Prov");
    assert_int_equal(resp.retry_after_s, 1); /* the fixed one, not the provider's */
    lume_response_release(&resp);
    lume_respond_error(&resp, &req, LUME_ERR_TIMEOUT, &ctx, NULL, "Prov");
    assert_int_equal(resp.status, 504);
    assert_int_equal(resp.retry_after_s, 0);
    assert_false(resp.edge_expired);
    lume_response_release(&resp);

    req.edge_copy = 1; /* nginx holds an expired copy */
    lume_respond_error(&resp, &req, LUME_ERR_TIMEOUT, &ctx, NULL, "Prov");
    assert_int_equal(resp.status, 503);
    lume_response_release(&resp);
    lume_respond_error(&resp, &req, LUME_ERR_NOT_FOUND, &ctx, NULL, "Prov");
    assert_int_equal(resp.status, 404);
    assert_true(resp.edge_expired);
    lume_response_release(&resp);
    ctx.resolve = 0;
    lume_respond_error(&resp, &req, LUME_ERR_NOT_FOUND, &ctx, NULL, "Prov");
    assert_false(resp.edge_expired);
    lume_response_release(&resp);
}

static void test_a_body_that_cannot_be_rendered_is_the_500_envelope(void **state)
{
    lume_response resp = {0};
    json_t *d;

    (void)state;
    lume_respond_json(&resp, NULL, "public, max-age=1");
    assert_int_equal(resp.status, 500);
    assert_int_equal(resp.outcome, LUME_ERR_INTERNAL);
    assert_string_equal(resp.cache_control, "no-store");
    d = detail(&resp);
    assert_string_equal(json_string_value(json_object_get(d, "error")), "INTERNAL_ERROR");
    json_decref(d);
    lume_response_release(&resp);
    lume_respond_text(&resp, NULL, 0, "public, max-age=1");
    assert_int_equal(resp.status, 500);
    lume_response_release(&resp);
    lume_respond_copy(&resp, "{}", 2, "public, max-age=1");
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{}");
    lume_response_release(&resp);
}

/* The access lines written by fn, as text. */
static void capture(void (*fn)(void), char *text, size_t cap)
{
    FILE *tmp = tmpfile();
    int saved = dup(STDERR_FILENO);
    ssize_t n;

    assert_non_null(tmp);
    fflush(stderr);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    fn();
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    n = pread(fileno(tmp), text, cap - 1, 0);
    fclose(tmp);
    assert_true(n > 0);
    text[n] = '\0';
}

static void two_lines(void)
{
    lume_request req = request("GET", "/resolve/x");
    lume_response ok = {.status = 200, .outcome = LUME_OK};
    lume_response gone = {.status = 503, .outcome = LUME_ERR_OVERLOADED};

    req.waited_ms = 12;
    lume_respond_log(&req, &ok, 1500, "Prov", NULL); /* a worker's */
    req.waited_ms = -1;
    lume_respond_log(&req, &gone, 1500, NULL, "health"); /* the health responder's */
}

static void test_the_access_line_has_its_fields_in_order(void **state)
{
    char text[2048], *second;

    (void)state;
    capture(two_lines, text, sizeof(text));
    second = strchr(text, '\n') + 1;
    assert_non_null(strstr(text, "\"level\":\"info\""));
    assert_non_null(strstr(text,
                           "\"event\":\"request\",\"request_id\":\"rid-1\",\"method\":\"GET\","
                           "\"path\":\"/resolve/x\",\"status\":200,\"duration_ms\":1.500,"
                           "\"queue_ms\":12,\"provider\":\"Prov\"}\n"));
    assert_non_null(strstr(second, "\"level\":\"warn"));
    assert_non_null(strstr(second,
                           "\"status\":503,\"duration_ms\":1.500,"
                           "\"error\":\"SERVICE_UNAVAILABLE\",\"responder\":\"health\"}\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_paths_and_methods_are_answered_before_a_handler),
        cmocka_unit_test(test_a_preflight_is_204_with_allow_and_a_head_stays_a_head),
        cmocka_unit_test(test_the_envelope_takes_status_and_headers_from_the_status_table),
        cmocka_unit_test(test_a_body_that_cannot_be_rendered_is_the_500_envelope),
        cmocka_unit_test(test_the_access_line_has_its_fields_in_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
