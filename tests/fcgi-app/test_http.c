/*
 * test_http.c: the CGI response head a worker writes (http.h), the request id
 * rules, and the release of a response.
 *
 * The head is a "Status: NNN Reason" line, then Content-Type and
 * Content-Length (not on 204 or 304), Cache-Control, ETag and Link (when
 * set), Allow (405 and OPTIONS),
 * Retry-After (when asked for), X-Request-Id and the two security headers on
 * every response, and an empty line; no Server header. The request id is
 * nginx's $request_id, else the client's X-Request-Id, when it is 1..64
 * characters of [A-Za-z0-9._-]; otherwise 32 fresh lowercase hex digits. A
 * released response has no body and can be released again.
 */
#include "lib/unit.h"

#include "http.h"

static char head[LUME_RESPONSE_HEAD_BUF];

static const char *head_of(int status, size_t body_len, const char *cache, int allow,
                           int retry_after)
{
    lume_response r = {.status = status,
                       .cache_control = cache,
                       .allow = allow,
                       .retry_after_s = retry_after,
                       .body_len = body_len};
    size_t n = lume_response_head(&r, "rid-1", head, sizeof(head));

    assert_true(n > 0);
    assert_int_equal(n, strlen(head));
    return head;
}

static int is_hex32(const char *s)
{
    if (strlen(s) != 32)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* ---- the head ---- */

static void test_a_200_head_is_exactly_status_type_length_cache_and_the_common_headers(void **state)
{
    (void)state;
    assert_string_equal(head_of(200, 17, "public, max-age=300", 0, 0),
                        "Status: 200 OK\r\n"
                        "Content-Type: application/json\r\n"
                        "Content-Length: 17\r\n"
                        "Cache-Control: public, max-age=300\r\n"
                        "X-Request-Id: rid-1\r\n"
                        "X-Content-Type-Options: nosniff\r\n"
                        "Referrer-Policy: no-referrer\r\n"
                        "\r\n");
}

static void test_the_status_line_has_the_reason_phrase_of_every_status_the_app_sends(void **state)
{
    static const struct {
        int status;
        const char *line;
    } cases[] = {
        {200, "Status: 200 OK\r\n"},
        {204, "Status: 204 No Content\r\n"},
        {400, "Status: 400 Bad Request\r\n"},
        {404, "Status: 404 Not Found\r\n"},
        {405, "Status: 405 Method Not Allowed\r\n"},
        {500, "Status: 500 Internal Server Error\r\n"},
        {503, "Status: 503 Service Unavailable\r\n"},
        {504, "Status: 504 Gateway Timeout\r\n"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *h = head_of(cases[i].status, 0, NULL, 0, 0);
        assert_int_equal(strncmp(h, cases[i].line, strlen(cases[i].line)), 0);
    }
}

static void test_content_length_is_the_body_length(void **state)
{
    (void)state;
    assert_non_null(strstr(head_of(404, 0, "no-store", 0, 0), "\r\nContent-Length: 0\r\n"));
    assert_non_null(strstr(head_of(200, 123456, NULL, 0, 0), "\r\nContent-Length: 123456\r\n"));
}

static void test_a_204_has_no_body_headers(void **state)
{
    const char *h = head_of(204, 0, "no-store", 1, 0);

    (void)state;
    assert_null(strstr(h, "\r\nContent-Type:"));
    assert_null(strstr(h, "\r\nContent-Length:"));
    assert_non_null(strstr(h, "\r\nAllow: GET, HEAD, OPTIONS\r\n"));
    assert_non_null(strstr(h, "\r\nX-Request-Id: rid-1\r\n"));
}

static void test_a_304_has_no_body_headers_and_keeps_the_validator(void **state)
{
    lume_response r = {.status = 304, .cache_control = "public, max-age=300"};

    (void)state;
    snprintf(r.etag, sizeof(r.etag), "\"2a-0123456789abcdef\"");
    assert_true(lume_response_head(&r, "rid-1", head, sizeof(head)) > 0);
    assert_int_equal(strncmp(head, "Status: 304 Not Modified\r\n", 26), 0);
    assert_null(strstr(head, "\r\nContent-Type:"));
    assert_null(strstr(head, "\r\nContent-Length:"));
    assert_non_null(strstr(head, "\r\nETag: \"2a-0123456789abcdef\"\r\n"));
    assert_non_null(strstr(head, "\r\nCache-Control: public, max-age=300\r\n"));
}

static void test_etag_and_link_are_sent_when_set(void **state)
{
    char link[] = "</resolve/x?season=1&episode=2>; rel=\"next\"";
    lume_response r = {.status = 200, .body_len = 2, .link = link};

    (void)state;
    snprintf(r.etag, sizeof(r.etag), "\"2-0000000000000001\"");
    assert_true(lume_response_head(&r, "rid-1", head, sizeof(head)) > 0);
    assert_non_null(strstr(head, "\r\nETag: \"2-0000000000000001\"\r\n"));
    assert_non_null(strstr(head, "\r\nLink: </resolve/x?season=1&episode=2>; rel=\"next\"\r\n"));
    assert_null(strstr(head_of(200, 2, NULL, 0, 0), "ETag"));
    assert_null(strstr(head_of(200, 2, NULL, 0, 0), "Link"));
}

static void test_the_generation_and_nginx_s_expiry_are_sent_when_set(void **state)
{
    lume_response r = {.status = 404,
                       .body_len = 2,
                       .cache_control = "no-store",
                       .generation = "0123456789abcdef",
                       .edge_expired = 1};
    const char *accel, *cc;

    (void)state;
    assert_true(lume_response_head(&r, "rid-1", head, sizeof(head)) > 0);
    assert_non_null(strstr(head, "\r\nX-Lume-Generation: 0123456789abcdef\r\n"));
    /* before Cache-Control, so that nginx takes the expiry from it alone */
    accel = strstr(head, "\r\nX-Accel-Expires: @1\r\n");
    cc = strstr(head, "\r\nCache-Control: no-store\r\n");
    assert_non_null(accel);
    assert_non_null(cc);
    assert_true(accel < cc);
    assert_null(strstr(head_of(200, 2, NULL, 0, 0), "X-Lume-Generation"));
    assert_null(strstr(head_of(200, 2, NULL, 0, 0), "X-Accel-Expires"));
}

static void test_the_longest_link_fits_the_head(void **state)
{
    char link[3 * 800 + 96];
    lume_response r = {.status = 200,
                       .body_len = 2,
                       .cache_control = "public, max-age=31536000",
                       .link = link,
                       .generation = "0123456789abcdef",
                       .edge_expired = 1};

    (void)state;
    memset(link, 'x', sizeof(link) - 1);
    link[sizeof(link) - 1] = '\0';
    snprintf(r.etag, sizeof(r.etag), "\"2-0000000000000001\"");
    assert_true(
        lume_response_head(&r, "0123456789012345678901234567890123456789012345678901234567890123",
                           head, sizeof(head)) > 0);
}

static void test_a_405_sends_allow(void **state)
{
    (void)state;
    assert_non_null(
        strstr(head_of(405, 10, "no-store", 1, 0), "\r\nAllow: GET, HEAD, OPTIONS\r\n"));
}

static void test_allow_is_only_sent_when_asked_for(void **state)
{
    (void)state;
    assert_null(strstr(head_of(200, 10, NULL, 0, 0), "Allow:"));
}

static void test_retry_after_is_sent_when_positive(void **state)
{
    const char *h = head_of(503, 10, "no-store", 0, 30);

    (void)state;
    assert_non_null(strstr(h, "\r\nRetry-After: 30\r\n"));
    assert_null(strstr(head_of(503, 10, "no-store", 0, 0), "Retry-After"));
    assert_null(strstr(head_of(503, 10, "no-store", 0, -5), "Retry-After"));
}

static void test_cache_control_is_left_out_when_unset(void **state)
{
    (void)state;
    assert_null(strstr(head_of(200, 10, NULL, 0, 0), "Cache-Control"));
    assert_non_null(strstr(head_of(400, 10, "no-store", 0, 0), "\r\nCache-Control: no-store\r\n"));
}

static void test_every_head_has_the_request_id_and_security_headers_and_no_server(void **state)
{
    static const int statuses[] = {200, 204, 400, 404, 405, 500, 503, 504};

    (void)state;
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        const char *h = head_of(statuses[i], 5, "no-store", statuses[i] == 405, 0);
        assert_non_null(strstr(h, "\r\nX-Request-Id: rid-1\r\n"));
        assert_non_null(strstr(h, "\r\nX-Content-Type-Options: nosniff\r\n"));
        assert_non_null(strstr(h, "\r\nReferrer-Policy: no-referrer\r\n"));
        assert_null(strstr(h, "\r\nServer:"));
        if (statuses[i] != 204)
            assert_non_null(strstr(h, "\r\nContent-Type: application/json\r\n"));
    }
}

static void test_the_head_ends_with_one_empty_line(void **state)
{
    const char *h = head_of(200, 1, "no-store", 1, 5);
    size_t n = strlen(h);

    (void)state;
    assert_true(n > 4);
    assert_string_equal(h + n - 4, "\r\n\r\n");
    assert_ptr_equal(strstr(h, "\r\n\r\n"), h + n - 4);
}

static void test_a_too_small_buffer_gives_0(void **state)
{
    lume_response r = {.status = 200, .cache_control = "no-store", .body_len = 2};
    char small[LUME_RESPONSE_HEAD_BUF];
    size_t full = lume_response_head(&r, "rid-1", small, sizeof(small));

    (void)state;
    assert_true(full > 0);
    assert_int_equal(lume_response_head(&r, "rid-1", small, full), 0); /* no room for NUL */
    assert_int_equal(lume_response_head(&r, "rid-1", small, full + 1), full);
    assert_int_equal(lume_response_head(&r, "rid-1", small, 10), 0);
}

/* ---- request ids ---- */

static void test_a_valid_id_from_nginx_is_kept(void **state)
{
    char out[LUME_REQUEST_ID_BUF];
    uint64_t rng = 1;

    (void)state;
    lume_request_id("0123456789abcdef0123456789abcdef", NULL, &rng, out);
    assert_string_equal(out, "0123456789abcdef0123456789abcdef");
}

static void test_the_nginx_id_wins_over_the_clients(void **state)
{
    char out[LUME_REQUEST_ID_BUF];
    uint64_t rng = 1;

    (void)state;
    lume_request_id("from-nginx", "from-client", &rng, out);
    assert_string_equal(out, "from-nginx");
}

static void test_a_valid_client_id_is_used_when_nginx_sends_none(void **state)
{
    char out[LUME_REQUEST_ID_BUF];
    uint64_t rng = 1;

    (void)state;
    lume_request_id(NULL, "Client.Id_42-x", &rng, out);
    assert_string_equal(out, "Client.Id_42-x");
    lume_request_id("", "Client.Id_42-x", &rng, out);
    assert_string_equal(out, "Client.Id_42-x");
    lume_request_id("bad id", "Client.Id_42-x", &rng, out);
    assert_string_equal(out, "Client.Id_42-x");
}

static void test_an_id_of_64_characters_is_kept(void **state)
{
    char *id = unit_repeat("", "a", 64, ""), out[LUME_REQUEST_ID_BUF];
    uint64_t rng = 1;

    (void)state;
    lume_request_id(id, NULL, &rng, out);
    assert_string_equal(out, id);
    free(id);
}

static void test_invalid_ids_are_replaced_by_32_hex_digits(void **state)
{
    char *too_long = unit_repeat("", "a", 65, ""), out[LUME_REQUEST_ID_BUF];
    const char *bad[] = {"",      "with space",  "line\nbreak", "x\r\nX-Evil: 1", "slash/id",
                         "tab\t", "caf\xC3\xA9", "quote\"",     "semi;colon",     too_long};
    uint64_t rng = 7;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lume_request_id(bad[i], bad[i], &rng, out);
        if (!is_hex32(out))
            fail_msg("id %zu: got \"%s\"", i, out);
    }
    free(too_long);
}

static void test_a_missing_id_is_generated(void **state)
{
    char out[LUME_REQUEST_ID_BUF];
    uint64_t rng = 12345;

    (void)state;
    lume_request_id(NULL, NULL, &rng, out);
    assert_true(is_hex32(out));
}

static void test_generated_ids_differ_from_request_to_request(void **state)
{
    char a[LUME_REQUEST_ID_BUF], b[LUME_REQUEST_ID_BUF];
    uint64_t rng = 99;

    (void)state;
    lume_request_id(NULL, NULL, &rng, a);
    lume_request_id(NULL, NULL, &rng, b);
    assert_string_not_equal(a, b);
}

static void test_generated_ids_depend_on_the_seed(void **state)
{
    char a[LUME_REQUEST_ID_BUF], b[LUME_REQUEST_ID_BUF];
    uint64_t s1 = 1, s2 = 1, s3 = 2;

    (void)state;
    lume_request_id(NULL, NULL, &s1, a);
    lume_request_id(NULL, NULL, &s2, b);
    assert_string_equal(a, b);
    lume_request_id(NULL, NULL, &s3, b);
    assert_string_not_equal(a, b);
}

/* ---- release ---- */

static void test_release_frees_the_body_and_can_be_repeated(void **state)
{
    lume_response r = {.status = 200, .body = strdup("{}"), .body_len = 2};

    (void)state;
    assert_non_null(r.body);
    lume_response_release(&r);
    assert_null(r.body);
    assert_int_equal(r.body_len, 0);
    lume_response_release(&r);
    assert_null(r.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_a_200_head_is_exactly_status_type_length_cache_and_the_common_headers),
        cmocka_unit_test(test_the_status_line_has_the_reason_phrase_of_every_status_the_app_sends),
        cmocka_unit_test(test_content_length_is_the_body_length),
        cmocka_unit_test(test_a_204_has_no_body_headers),
        cmocka_unit_test(test_a_304_has_no_body_headers_and_keeps_the_validator),
        cmocka_unit_test(test_etag_and_link_are_sent_when_set),
        cmocka_unit_test(test_the_generation_and_nginx_s_expiry_are_sent_when_set),
        cmocka_unit_test(test_the_longest_link_fits_the_head),
        cmocka_unit_test(test_a_405_sends_allow),
        cmocka_unit_test(test_allow_is_only_sent_when_asked_for),
        cmocka_unit_test(test_retry_after_is_sent_when_positive),
        cmocka_unit_test(test_cache_control_is_left_out_when_unset),
        cmocka_unit_test(test_every_head_has_the_request_id_and_security_headers_and_no_server),
        cmocka_unit_test(test_the_head_ends_with_one_empty_line),
        cmocka_unit_test(test_a_too_small_buffer_gives_0),
        cmocka_unit_test(test_a_valid_id_from_nginx_is_kept),
        cmocka_unit_test(test_the_nginx_id_wins_over_the_clients),
        cmocka_unit_test(test_a_valid_client_id_is_used_when_nginx_sends_none),
        cmocka_unit_test(test_an_id_of_64_characters_is_kept),
        cmocka_unit_test(test_invalid_ids_are_replaced_by_32_hex_digits),
        cmocka_unit_test(test_a_missing_id_is_generated),
        cmocka_unit_test(test_generated_ids_differ_from_request_to_request),
        cmocka_unit_test(test_generated_ids_depend_on_the_seed),
        cmocka_unit_test(test_release_frees_the_body_and_can_be_repeated),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
