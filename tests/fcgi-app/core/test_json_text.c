/*
 * test_json_text.c: the bytes a JSON string keeps as they are (json_text.h).
 * The table says yes for printable ASCII other than '"' and '\\', no for
 * every other byte value (checked for all 256); a plain run stops at the
 * first byte that is not plain, the NUL included, at every position.
 */
#include "lib/unit.h"

#include <string.h>

#include "json_text.h"

static void test_the_table_is_printable_ascii_but_quote_and_backslash(void **state)
{
    (void)state;
    for (int b = 0; b < 256; b++) {
        int plain = b >= 0x20 && b <= 0x7e && b != '"' && b != '\\';
        assert_int_equal(lume_json_plain[b], plain);
    }
}

static void test_a_plain_string_is_one_run_to_its_end(void **state)
{
    (void)state;
    assert_int_equal(lume_json_plain_span(""), 0);
    assert_int_equal(lume_json_plain_span("Inception (2010) 1080p"), 22);
    assert_int_equal(lume_json_plain_span("https://cdn.example/a?b=c&d=%20"), 31);
}

static void test_the_run_stops_at_the_first_byte_to_escape_or_check(void **state)
{
    static const char stops[] = {'"', '\\', '\n', '\t', 0x01, 0x1f, 0x7f, (char)0x80,
                                 (char)0xc3, (char)0xff};
    char s[16];

    (void)state;
    for (size_t i = 0; i < sizeof(stops); i++) {
        for (size_t at = 0; at < 8; at++) { /* at every position of the string */
            memset(s, 'a', sizeof(s));
            s[at] = stops[i];
            s[10] = '\0';
            assert_int_equal(lume_json_plain_span(s), at);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_table_is_printable_ascii_but_quote_and_backslash),
        cmocka_unit_test(test_a_plain_string_is_one_run_to_its_end),
        cmocka_unit_test(test_the_run_stops_at_the_first_byte_to_escape_or_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
