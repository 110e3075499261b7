/*
 * test_hash.c: SipHash-2-4 (hash.h) gives the reference implementation's
 * values (the test vectors of the SipHash paper: key 00..0f, messages
 * 00, 01, ... of each length), for every length around the 8-byte blocks.
 */
#include "lib/unit.h"

#include "hash.h"

static const unsigned char KEY[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static uint64_t of_length(size_t len)
{
    unsigned char msg[64] = {0};

    for (size_t i = 0; i < len; i++)
        msg[i] = (unsigned char)i;
    return lume_siphash(KEY, msg, len);
}

static void test_the_reference_vectors(void **state)
{
    (void)state;
    /* vectors.h of the reference implementation, read as little-endian. */
    assert_int_equal(of_length(0), 0x726fdb47dd0e0e31ULL);
    assert_int_equal(of_length(1), 0x74f839c593dc67fdULL);
    assert_int_equal(of_length(7), 0xab0200f58b01d137ULL);
    assert_int_equal(of_length(8), 0x93f5f5799a932462ULL);
    assert_int_equal(of_length(15), 0xa129ca6149be45e5ULL);
    assert_int_equal(of_length(63), 0x958a324ceb064572ULL);
}

static void test_the_key_changes_the_value(void **state)
{
    unsigned char other[16] = {0};

    (void)state;
    assert_true(lume_siphash(other, "abc", 3) != lume_siphash(KEY, "abc", 3));
}

static void test_an_empty_input_may_be_null(void **state)
{
    (void)state;
    assert_int_equal(lume_siphash(KEY, NULL, 0), 0x726fdb47dd0e0e31ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_reference_vectors),
        cmocka_unit_test(test_the_key_changes_the_value),
        cmocka_unit_test(test_an_empty_input_may_be_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
