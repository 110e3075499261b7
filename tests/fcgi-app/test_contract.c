/*
 * test_contract.c: the document of `lume-fcgi --dump-contract` (contract.h),
 * which nginx/render.py builds nginx's own errors from.
 *
 * It has a row per error the app sends: status, code, default message, the
 * headers of the answer (Cache-Control, Allow on the 405, Retry-After on
 * SERVICE_UNAVAILABLE), whether the body names the provider; the Allow
 * list; the providers of the registry with their reported names; the
 * bounds of api.h. And it says what the app really answers: each error the
 * app can be made to send here is compared, head and body, with its row.
 */
#include "lib/unit.h"

#include <jansson.h>

#include "api.h"
#include "app.h"
#include "config.h"
#include "contract.h"
#include "router.h"
#include "http.h"

static json_t *doc;

static int setup(void **state)
{
    (void)state;
    doc = lume_contract();
    return doc != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(doc);
    return 0;
}

static json_t *row(const char *code)
{
    json_t *r = json_object_get(json_object_get(doc, "errors"), code);

    if (!json_is_object(r))
        fail_msg("the contract has no row for %s", code);
    return r;
}

static const char *header(json_t *r, const char *name)
{
    return json_string_value(json_object_get(json_object_get(r, "headers"), name));
}

static void test_it_has_a_row_for_every_error_of_the_status_table(void **state)
{
    json_t *errors = json_object_get(doc, "errors");

    (void)state;
    assert_int_equal(json_object_size(errors), LUME_STATUS_COUNT - 1); /* all but OK */
    for (int st = LUME_OK + 1; st < LUME_STATUS_COUNT; st++) {
        json_t *r = row(lume_status_code(st));

        assert_int_equal(json_integer_value(json_object_get(r, "status")), lume_status_http(st));
        assert_string_equal(json_string_value(json_object_get(r, "message")),
                            lume_status_message(st));
        assert_string_equal(header(r, "Cache-Control"), "no-store");
        assert_int_equal(header(r, "Allow") != NULL, lume_status_allow(st));
        assert_int_equal(header(r, "Retry-After") != NULL, lume_status_retry_after(st) > 0);
        assert_int_equal(json_is_true(json_object_get(r, "provider")),
                         lume_status_names_provider(st));
    }
}

static void test_the_rows_nginx_also_sends(void **state)
{
    (void)state;
    assert_string_equal(header(row("METHOD_NOT_ALLOWED"), "Allow"), "GET, HEAD, OPTIONS");
    assert_string_equal(json_string_value(json_object_get(row("METHOD_NOT_ALLOWED"), "message")),
                        "method not allowed; use GET, HEAD or OPTIONS");
    assert_string_equal(header(row("SERVICE_UNAVAILABLE"), "Retry-After"), "1");
    assert_int_equal(json_integer_value(json_object_get(row("SERVICE_UNAVAILABLE"), "status")),
                     503);
    assert_true(json_is_true(json_object_get(row("PROVIDER_TIMEOUT"), "provider")));
    assert_false(json_is_true(json_object_get(row("NOT_FOUND"), "provider")));
    assert_string_equal(json_string_value(json_object_get(row("INVALID_QUERY"), "message")),
                        "query must be 1 to 200 characters of valid UTF-8 without control "
                        "characters");
}

static void test_allow_providers_and_bounds(void **state)
{
    json_t *providers = json_object_get(doc, "providers"), *bounds = json_object_get(doc, "bounds");
    const char *key;
    json_t *value;
    size_t i = 0;

    (void)state;
    assert_string_equal(json_string_value(json_object_get(doc, "allow")), LUME_ALLOW);
    assert_string_equal(json_string_value(json_object_get(doc, "version")), LUME_VERSION);
    assert_int_equal(json_object_size(providers), lume_provider_count());
    json_object_foreach(providers, key, value)
    {
        assert_string_equal(key, lume_provider_at(i)->config_name); /* registry order */
        assert_string_equal(json_string_value(value), lume_provider_at(i)->name);
        i++;
    }
    assert_string_equal(json_string_value(json_object_get(providers, "mock")), "MockProvider");
    assert_int_equal(json_integer_value(json_object_get(bounds, "query_max_chars")), 200);
    assert_int_equal(json_integer_value(json_object_get(bounds, "season_max")), 9999);
    assert_int_equal(json_integer_value(json_object_get(bounds, "episode_max")), 9999);
    assert_int_equal(json_integer_value(json_object_get(bounds, "limit_max")), 25);
    assert_int_equal(json_integer_value(json_object_get(bounds, "limit_default")), 10);
    assert_int_equal(json_integer_value(json_object_get(bounds, "caps_max_bytes")), 256);
    assert_int_equal(json_integer_value(json_object_get(bounds, "caps_max_tokens")), 32);
    assert_int_equal(json_integer_value(json_object_get(bounds, "subtitles_max")), 16);
    assert_int_equal(json_integer_value(json_object_get(bounds, "candidate_url_max")), 2048);
}

static void test_the_routes_are_the_routers(void **state)
{
    json_t *routes = json_object_get(doc, "routes");
    size_t n = 0;

    (void)state;
    while (lume_route_path(n) != NULL)
        n++;
    assert_int_equal(json_array_size(routes), n);
    assert_string_equal(json_string_value(json_array_get(routes, n - 2)), "/streams/{query}");
    assert_string_equal(json_string_value(json_array_get(routes, n - 1)),
                        "/stremio/{token}/manifest.json");
}

/* ---- what the app really answers ---- */

/* The header line "Name: value" of head, value copied into out; NULL when absent. */
static const char *head_value(const char *head, const char *name, char *out, size_t len)
{
    char needle[64];
    const char *p, *end;

    snprintf(needle, sizeof(needle), "\r\n%s: ", name);
    if ((p = strstr(head, needle)) == NULL)
        return NULL;
    p += strlen(needle);
    end = strstr(p, "\r\n");
    snprintf(out, len, "%.*s", (int)(end - p), p);
    return out;
}

/* Ask the app (mock provider) and compare the answer with the contract's row for code. */
static void assert_app_sends_its_row(const char *method, const char *uri, int64_t waited_ms,
                                     const char *code, int default_message)
{
    lume_config cfg;
    lume_provider_set *provider;
    lume_app *app;
    lume_request req = {.method = method, .uri = uri, .request_id = "c1", .waited_ms = waited_ms};
    lume_response resp;
    char err[256], head[LUME_RESPONSE_HEAD_BUF], value[128];
    json_t *r = row(code), *body, *detail;
    const char *names[] = {"Cache-Control", "Allow", "Retry-After"};

    lume_config_defaults(&cfg);
    provider = lume_provider_set_create(&cfg.provider, NULL, err, sizeof(err));
    assert_non_null(provider);
    app = lume_app_create(&cfg, provider);
    assert_non_null(app);
    lume_app_handle(app, &req, &resp);
    assert_true(lume_response_head(&resp, "c1", head, sizeof(head)) > 0);

    assert_int_equal(resp.status, json_integer_value(json_object_get(r, "status")));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *sent = head_value(head, names[i], value, sizeof(value));
        const char *want = header(r, names[i]);
        if ((sent == NULL) != (want == NULL) || (sent && strcmp(sent, want) != 0))
            fail_msg("%s %s: %s is \"%s\", the contract says \"%s\"", method, uri, names[i],
                     sent ? sent : "(none)", want ? want : "(none)");
    }
    body = json_loadb(resp.body, resp.body_len, 0, NULL);
    detail = json_object_get(body, "detail");
    assert_string_equal(json_string_value(json_object_get(detail, "error")), code);
    if (default_message)
        assert_string_equal(json_string_value(json_object_get(detail, "message")),
                            json_string_value(json_object_get(r, "message")));
    assert_int_equal(json_object_get(detail, "provider") != NULL,
                     json_is_true(json_object_get(r, "provider")));
    json_decref(body);
    lume_response_release(&resp);
    lume_app_destroy(app);
}

static void test_the_app_answers_as_its_rows_say(void **state)
{
    (void)state;
    assert_app_sends_its_row("GET", "/nope", 0, "NOT_FOUND", 1);
    assert_app_sends_its_row("DELETE", "/health", 0, "METHOD_NOT_ALLOWED", 1);
    assert_app_sends_its_row("GET", "/resolve/%00", 0, "INVALID_QUERY", 1);
    assert_app_sends_its_row("GET", "/resolve/x?season=0", 0, "INVALID_SEASON", 1);
    assert_app_sends_its_row("GET", "/resolve/x?season=1&episode=0", 0, "INVALID_EPISODE", 1);
    assert_app_sends_its_row("GET", "/resolve/x?episode=1", 0, "EPISODE_WITHOUT_SEASON", 1);
    assert_app_sends_its_row("GET", "/resolve/search/x?limit=26", 0, "INVALID_LIMIT", 1);
    assert_app_sends_its_row("GET", "/resolve/x", 60000, "SERVICE_UNAVAILABLE", 1);
    /* The provider writes these messages; status, headers and fields are the row's. */
    assert_app_sends_its_row("GET", "/resolve/error:unavailable", 0, "PROVIDER_UNAVAILABLE", 0);
    assert_app_sends_its_row("GET", "/resolve/error:timeout", 0, "PROVIDER_TIMEOUT", 0);
    assert_app_sends_its_row("GET", "/resolve/error:internal", 0, "INTERNAL_ERROR", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_has_a_row_for_every_error_of_the_status_table),
        cmocka_unit_test(test_the_rows_nginx_also_sends),
        cmocka_unit_test(test_allow_providers_and_bounds),
        cmocka_unit_test(test_the_routes_are_the_routers),
        cmocka_unit_test(test_the_app_answers_as_its_rows_say),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
