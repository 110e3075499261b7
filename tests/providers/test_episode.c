/*
 * test_episode.c: which titles name a season and episode. The archive writes
 * episodes as S01E02, 1x02 and "Season 1 Episode 2"; all three count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "episode.h"

static lume_episode_matcher *m;

static int setup(void **state)
{
    char err[256] = "";
    (void)state;
    m = lume_episode_matcher_create(err, sizeof(err));
    return m == NULL;
}

static int teardown(void **state)
{
    (void)state;
    lume_episode_matcher_destroy(m);
    return 0;
}

static int names(const char *title, int season, int episode)
{
    return lume_episode_matches(m, title, strlen(title), season, episode);
}

static void sxxexx_form(void **state)
{
    (void)state;
    assert_true(names("The Cisco Kid S01E02 Boomerang", 1, 2));
    assert_true(names("the.cisco.kid.s01e02.mp4", 1, 2));
    assert_true(names("Show S1E2", 1, 2));
    assert_true(names("Show S01 E02", 1, 2));
    assert_true(names("Show S01.E02", 1, 2));
    assert_false(names("Show S01E03", 1, 2));
    assert_false(names("Show S02E02", 1, 2));
}

static void nxnn_form(void **state)
{
    (void)state;
    assert_true(names("The Cisco Kid 1x02 (alternate print)", 1, 2));
    assert_true(names("Show 12x105", 12, 105));
    assert_false(names("Show 2x02", 1, 2));
}

static void season_episode_words_form(void **state)
{
    (void)state;
    assert_true(names("The Cisco Kid Season 1 Episode 2 - Boomerang", 1, 2));
    assert_true(names("season 01, episode 02", 1, 2));
    assert_true(names("Season1Episode2", 1, 2));
    assert_false(names("Season 1 Episode 12", 1, 2));
}

static void numbers_stop_at_boundaries(void **state)
{
    (void)state;
    assert_false(names("Show S01E020", 1, 2));
    assert_false(names("Show S01E20", 1, 2));
    assert_false(names("Show S011E02", 1, 2));
    assert_false(names("Remaster 1920x1080", 20, 108)); /* a resolution, not an episode */
    assert_false(names("Remaster 1920x1080", 1, 2));
    assert_false(names("Tennis Players S01E02", 11, 2)); /* letters before S */
    assert_false(names("XS01E02", 1, 2));
}

static void any_occurrence_counts(void **state)
{
    (void)state;
    assert_true(names("Show S01E01 and S01E02 double bill", 1, 2));
    assert_true(names("Show 1x01 / Season 1 Episode 2", 1, 2));
}

static void season_alone(void **state)
{
    (void)state;
    assert_true(names("Show S04", 4, 0));
    assert_true(names("Show Season 4 complete", 4, 0));
    assert_true(names("Show S04E01", 4, 0));
    assert_true(names("Show 4x01", 4, 0));
    assert_false(names("Show S05E04", 4, 0));
    assert_false(names("Show", 4, 0));
    /* a season alone never matches a request for an episode */
    assert_false(names("Show Season 4", 4, 1));
}

static void no_season_matches_everything(void **state)
{
    (void)state;
    assert_true(names("Detour (1945)", 0, 0));
}

static void titles_without_episodes(void **state)
{
    (void)state;
    assert_false(names("", 1, 2));
    assert_false(names("Detour (1945)", 1, 2));
    assert_false(names("Seasons of Love", 1, 2));
    assert_false(names("Sé 1 Épisode 2 ünïcode", 1, 2));
}

static void length_is_respected(void **state)
{
    const char *t = "Show S01E02";
    (void)state;
    assert_false(lume_episode_matches(m, t, 8, 1, 2)); /* "Show S01" */
    assert_true(lume_episode_matches(m, t, 8, 1, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sxxexx_form),
        cmocka_unit_test(nxnn_form),
        cmocka_unit_test(season_episode_words_form),
        cmocka_unit_test(numbers_stop_at_boundaries),
        cmocka_unit_test(any_occurrence_counts),
        cmocka_unit_test(season_alone),
        cmocka_unit_test(no_season_matches_everything),
        cmocka_unit_test(titles_without_episodes),
        cmocka_unit_test(length_is_respected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
