/*
 * test_etag.c: the strong ETag of a body and the If-None-Match test (etag.h).
 *
 * The tag is quoted, "<length hex>-<16 hex digits>", the same for the same
 * bytes and different when a byte changes. If-None-Match matches with weak
 * comparison (RFC 9110, 8.8.3.2): W/"x" matches "x"; a list matches when any
 * member does; "*" matches; a malformed member ends the list.
 */
#include "lib/unit.h"

#include "etag.h"

static const char BODY[] = "{\"title\":\"Inception\"}";

static void tag_of(const char *body, char out[LUME_ETAG_BUF])
{
    lume_etag(body, strlen(body), out);
}

static void test_the_tag_is_quoted_length_and_hash(void **state)
{
    char tag[LUME_ETAG_BUF];

    (void)state;
    tag_of(BODY, tag);
    assert_int_equal(strlen(tag), 2 + 2 + 1 + 16); /* 21 bytes: "15-" */
    assert_int_equal(strncmp(tag, "\"15-", 4), 0);
    assert_int_equal(tag[strlen(tag) - 1], '"');
    for (const char *p = tag + 4; p < tag + strlen(tag) - 1; p++)
        assert_non_null(strchr("0123456789abcdef", *p));
}

static void test_the_same_body_gets_the_same_tag_and_another_body_another(void **state)
{
    char a[LUME_ETAG_BUF], b[LUME_ETAG_BUF], c[LUME_ETAG_BUF];

    (void)state;
    tag_of(BODY, a);
    tag_of(BODY, b);
    tag_of("{\"title\":\"Inceptioo\"}", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

static void test_an_empty_body_has_a_tag(void **state)
{
    char tag[LUME_ETAG_BUF];

    (void)state;
    lume_etag("", 0, tag);
    assert_int_equal(strncmp(tag, "\"0-", 3), 0);
}

static void test_if_none_match_of_the_tag_matches(void **state)
{
    char tag[LUME_ETAG_BUF], header[128];

    (void)state;
    tag_of(BODY, tag);
    assert_true(lume_etag_none_match(tag, tag));
    snprintf(header, sizeof(header), "W/%s", tag);
    assert_true(lume_etag_none_match(header, tag)); /* weak comparison */
    snprintf(header, sizeof(header), "\"other\", W/\"x\" ,%s", tag);
    assert_true(lume_etag_none_match(header, tag));
    snprintf(header, sizeof(header), " %s ", tag);
    assert_true(lume_etag_none_match(header, tag));
}

static void test_star_matches_any_tag(void **state)
{
    (void)state;
    assert_true(lume_etag_none_match("*", "\"1-0000000000000000\""));
    assert_true(lume_etag_none_match(" * ", "\"1-0000000000000000\""));
}

static void test_other_tags_absent_and_malformed_headers_do_not_match(void **state)
{
    char tag[LUME_ETAG_BUF], header[128];

    (void)state;
    tag_of(BODY, tag);
    assert_false(lume_etag_none_match(NULL, tag));
    assert_false(lume_etag_none_match("", tag));
    assert_false(lume_etag_none_match("\"other\"", tag));
    snprintf(header, sizeof(header), "%.*s", (int)strlen(tag) - 1, tag); /* no closing quote */
    assert_false(lume_etag_none_match(header, tag));
    snprintf(header, sizeof(header), "%s", tag + 1); /* no opening quote */
    assert_false(lume_etag_none_match(header, tag));
    snprintf(header, sizeof(header), "w/%s", tag); /* W/ is case-sensitive */
    assert_false(lume_etag_none_match(header, tag));
    snprintf(header, sizeof(header), "junk, %s", tag); /* a malformed member ends the list */
    assert_false(lume_etag_none_match(header, tag));
    snprintf(header, sizeof(header), "%sx", tag); /* nothing may follow a tag but a comma */
    assert_false(lume_etag_none_match(header, tag));
    assert_false(lume_etag_none_match("*, \"a\"", tag));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_tag_is_quoted_length_and_hash),
        cmocka_unit_test(test_the_same_body_gets_the_same_tag_and_another_body_another),
        cmocka_unit_test(test_an_empty_body_has_a_tag),
        cmocka_unit_test(test_if_none_match_of_the_tag_matches),
        cmocka_unit_test(test_star_matches_any_tag),
        cmocka_unit_test(test_other_tags_absent_and_malformed_headers_do_not_match),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
