/*
 * test_random.c: the one pseudo-random generator (random.h). It is
 * splitmix64: the reference sequence for a known seed, the same sequence for
 * the same seed, any seed (0 too) usable; and seeds from the OS differ from
 * call to call.
 */
#include "lib/unit.h"

#include "random.h"

static void test_the_sequence_is_splitmix64(void **state)
{
    /* the published splitmix64 outputs for seed 1234567 */
    static const uint64_t want[] = {6457827717110365317ULL, 3203168211198807973ULL,
                                    9817491932198370423ULL, 4593380528125082431ULL,
                                    16408922859458223821ULL};
    uint64_t s = 1234567;

    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_true(lume_random_next(&s) == want[i]);
}

static void test_the_same_seed_gives_the_same_sequence(void **state)
{
    uint64_t a = 42, b = 42, c = 43;
    int differ = 0;

    (void)state;
    for (int i = 0; i < 100; i++) {
        uint64_t x = lume_random_next(&a);
        assert_true(x == lume_random_next(&b));
        differ |= x != lume_random_next(&c);
    }
    assert_true(differ);
}

static void test_a_zero_seed_still_gives_varied_numbers(void **state)
{
    uint64_t s = 0, first;

    (void)state;
    first = lume_random_next(&s);
    assert_true(first != 0);
    assert_true(lume_random_next(&s) != first);
}

static void test_seeds_from_the_os_differ(void **state)
{
    (void)state;
    assert_true(lume_random_seed() != lume_random_seed());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_sequence_is_splitmix64),
        cmocka_unit_test(test_the_same_seed_gives_the_same_sequence),
        cmocka_unit_test(test_a_zero_seed_still_gives_varied_numbers),
        cmocka_unit_test(test_seeds_from_the_os_differ),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
