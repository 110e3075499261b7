/*
 * test_render.c: the MediaLink written directly (lume_render_link_text) is
 * byte for byte what Jansson dumps of lume_render_link(): plain titles,
 * every character JSON escapes (quote, backslash, each control character,
 * as \b \f \n \r \t or \u00XX), multi-byte UTF-8 and DEL as they are, an
 * unknown size and quality as null, the largest and zero numbers; and a
 * string that is not valid UTF-8 is refused by both.
 */
#include "lib/unit.h"

#include "render.h"

/* Both write the same text; or, with refused, both refuse. */
static void both(int refused, const char *title, const char *url, int64_t size, int64_t seeds,
                 const char *quality)
{
    lume_media_link m = {
        .title = (char *)title, .url = (char *)url, .size = size, .seeds = seeds, .quality = quality};
    size_t jlen = 0, tlen = 0;
    char *j = lume_render_dump(lume_render_link(&m), &jlen);
    char *t = lume_render_link_text(&m, &tlen);

    if (refused) {
        assert_null(j);
        assert_null(t);
        return;
    }
    assert_non_null(j);
    assert_non_null(t);
    assert_string_equal(t, j);
    assert_int_equal(tlen, jlen);
    free(j);
    free(t);
}

static void test_a_plain_link_is_what_jansson_writes(void **state)
{
    (void)state;
    both(0, "Inception (2010) 1080p BluRay",
         "https://mock-cdn.example.com/movies/inception-2010.mkv", 8542781952LL, 2450, "1080p");
    both(0, "x", "https://a/", 0, 0, "480p");
    both(0, "x", "https://a/", INT64_MAX, INT64_MAX, "2160p");
}

static void test_unknown_size_and_quality_are_null(void **state)
{
    (void)state;
    both(0, "Old Film", "https://a/b", -1, 3, NULL);
}

static void test_every_escaped_character_is_escaped_as_jansson_does(void **state)
{
    char title[64];

    (void)state;
    both(0, "say \"hi\" \\ back\\slash /slash/", "https://a/\"q\"", 1, 1, "720p");
    for (int c = 1; c < 0x20; c++) {
        snprintf(title, sizeof(title), "a%cb%c", c, c);
        both(0, title, "https://a/", 1, 1, NULL);
    }
    both(0, "del \x7f here", "https://a/", 1, 1, NULL);
}

static void test_multi_byte_utf8_is_kept_as_it_is(void **state)
{
    (void)state;
    both(0, "Amélie (2001) — 日本語 🎬", "https://a/é", 5, 5, "1080p");
}

static void test_invalid_utf8_is_refused_by_both(void **state)
{
    (void)state;
    both(1, "bad \xff byte", "https://a/", 1, 1, NULL);
    both(1, "cut \xe6\x97", "https://a/", 1, 1, NULL);
    both(1, "overlong \xc0\xaf", "https://a/", 1, 1, NULL);
    both(1, "surrogate \xed\xa0\x80", "https://a/", 1, 1, NULL);
    both(1, "fine", "https://a/\xff", 1, 1, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_plain_link_is_what_jansson_writes),
        cmocka_unit_test(test_unknown_size_and_quality_are_null),
        cmocka_unit_test(test_every_escaped_character_is_escaped_as_jansson_does),
        cmocka_unit_test(test_multi_byte_utf8_is_kept_as_it_is),
        cmocka_unit_test(test_invalid_utf8_is_refused_by_both),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
