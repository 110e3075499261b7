/*
 * test_cache_life.c: how long an answer may be kept (cache_life.h): the
 * configured ages, unless a signed link in it expires sooner; then fresh
 * and stale together end a minute before the first link does, and an
 * answer whose links leave no time is not kept at all.
 */
#include "lib/unit.h"

#include "cache_life.h"

#define NOW 1800000000

static lume_config cfg;

static int setup(void **state)
{
    (void)state;
    lume_config_defaults(&cfg);
    cfg.cache_max_age = 300;
    cfg.cache_stale_revalidate = 172800;
    cfg.cache_stale_if_error = 172800;
    return 0;
}

static const char *control(int64_t expires_a, int64_t expires_b)
{
    static char out[128];
    lume_media_link items[2] = {{.title = "a"}, {.title = "b"}};
    lume_cache_life life;

    items[0].facts.expires_at = expires_a;
    items[1].facts.expires_at = expires_b;
    life = lume_cache_life_of(&cfg, items, 2, NOW);
    lume_cache_control(&life, out, sizeof(out));
    return out;
}

static void test_without_links_the_configured_ages(void **state)
{
    (void)state;
    assert_string_equal(control(0, 0),
                        "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800");
}

static void test_the_first_link_to_expire_ends_it_a_minute_before(void **state)
{
    (void)state;
    assert_string_equal(control(NOW + 3600, NOW + 99999),
                        "public, max-age=300, stale-while-revalidate=3240, stale-if-error=3240");
    assert_string_equal(control(0, NOW + 200), "public, max-age=140");
    assert_string_equal(control(NOW + 361, 0), "public, max-age=300, stale-while-revalidate=1, "
                                               "stale-if-error=1");
}

static void test_links_that_leave_no_time_are_never_kept(void **state)
{
    (void)state;
    assert_string_equal(control(NOW + 60, 0), "no-store");
    assert_string_equal(control(NOW - 5, NOW + 9999), "no-store");
}

static void test_a_max_age_of_0_stays_public(void **state)
{
    (void)state;
    cfg.cache_max_age = 0;
    cfg.cache_stale_revalidate = cfg.cache_stale_if_error = 0;
    assert_string_equal(control(0, 0), "public, max-age=0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_without_links_the_configured_ages, setup),
        cmocka_unit_test_setup(test_the_first_link_to_expire_ends_it_a_minute_before, setup),
        cmocka_unit_test_setup(test_links_that_leave_no_time_are_never_kept, setup),
        cmocka_unit_test_setup(test_a_max_age_of_0_stays_public, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
