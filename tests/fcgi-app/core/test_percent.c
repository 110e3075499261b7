/*
 * test_percent.c: the one percent-decoder and encoder (percent.h). The
 * encoder keeps RFC 3986's unreserved bytes and those it is told to keep,
 * writes every other byte as %XX in upper case, and never writes past its
 * buffer: proven at every capacity around the encoded length. The decoder
 * undoes it.
 */
#include "lib/unit.h"

#include <string.h>

#include "percent.h"

static void test_unreserved_bytes_are_kept_and_the_others_escaped(void **state)
{
    char out[64];

    (void)state;
    assert_int_equal(lume_percent_encode("The Boys", 8, NULL, out, sizeof(out)), 10);
    assert_string_equal(out, "The%20Boys");
    assert_int_equal(lume_percent_encode("a-b.c_d~e", 9, NULL, out, sizeof(out)), 9);
    assert_string_equal(out, "a-b.c_d~e");
    assert_int_equal(lume_percent_encode("Am\xc3\xa9lie (2001)", 14, NULL, out, sizeof(out)), 24);
    assert_string_equal(out, "Am%C3%A9lie%20%282001%29");
}

static void test_a_path_keeps_its_slashes(void **state)
{
    char out[64];

    (void)state;
    assert_int_equal(lume_percent_encode("Show/Season 01/a?b", 18, "/", out, sizeof(out)), 22);
    assert_string_equal(out, "Show/Season%2001/a%3Fb");
    assert_int_equal(lume_percent_encode("a/b", 3, NULL, out, sizeof(out)), 5);
    assert_string_equal(out, "a%2Fb");
}

static void test_nul_bytes_inside_are_escaped_not_ends(void **state)
{
    char out[16];

    (void)state;
    assert_int_equal(lume_percent_encode("a\0b", 3, "/", out, sizeof(out)), 5);
    assert_string_equal(out, "a%00b");
}

static void test_every_capacity_around_the_length(void **state)
{
    /* "a b" encodes to "a%20b": 5 bytes and the NUL. */
    char out[8];

    (void)state;
    for (size_t cap = 0; cap <= sizeof(out); cap++) {
        long n;

        memset(out, '#', sizeof(out));
        n = lume_percent_encode("a b", 3, NULL, out, cap);
        if (cap < 6) {
            assert_int_equal(n, -1);
        } else {
            assert_int_equal(n, 5);
            assert_string_equal(out, "a%20b");
        }
        for (size_t i = cap; i < sizeof(out); i++)
            assert_int_equal(out[i], '#'); /* nothing past the buffer */
    }
}

static void test_the_decoder_undoes_the_encoder(void **state)
{
    char in[256], enc[3 * 256 + 1], dec[257];

    (void)state;
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    assert_int_equal(lume_percent_encode(in, 256, "/", enc, sizeof(enc)), 3 * 256 - 2 * 67);
    assert_int_equal(lume_percent_decode(enc, strlen(enc), 0, dec, sizeof(dec)), 256);
    assert_memory_equal(dec, in, 256);
}

static void test_a_broken_escape_is_refused(void **state)
{
    char out[16];

    (void)state;
    assert_int_equal(lume_percent_decode("a%2", 3, 0, out, sizeof(out)), -1);
    assert_int_equal(lume_percent_decode("a%zz", 4, 0, out, sizeof(out)), -1);
    assert_int_equal(lume_percent_decode("a+b", 3, 1, out, sizeof(out)), 3);
    assert_string_equal(out, "a b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unreserved_bytes_are_kept_and_the_others_escaped),
        cmocka_unit_test(test_a_path_keeps_its_slashes),
        cmocka_unit_test(test_nul_bytes_inside_are_escaped_not_ends),
        cmocka_unit_test(test_every_capacity_around_the_length),
        cmocka_unit_test(test_the_decoder_undoes_the_encoder),
        cmocka_unit_test(test_a_broken_escape_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
