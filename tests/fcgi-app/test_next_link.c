/*
 * test_next_link.c: the Link header of the next-episode hint (next_link.h).
 *
 * Unknown: rel="next" to episode + 1. Known to exist: the same, or the next
 * season's first episode, with exists="true". Known to be the last: the
 * episode itself with rel="last". The query is one path segment: every byte
 * but A-Z a-z 0-9 - . _ ~ as %XX in upper-case hex, and "." or ".." whole as
 * %2E. No next number past episode or season 9999.
 */
#include "lib/unit.h"

#include "next_link.h"

static void assert_link(const char *query, int season, int episode, lume_next next,
                        const char *want)
{
    char *link = lume_next_link(query, season, episode, next);

    if (want == NULL) {
        assert_null(link);
        return;
    }
    assert_non_null(link);
    assert_string_equal(link, want);
    free(link);
}

static void test_an_unknown_next_points_at_the_next_number(void **state)
{
    (void)state;
    assert_link("the boys", 4, 1, LUME_NEXT_UNKNOWN,
                "</resolve/the%20boys?season=4&episode=2>; rel=\"next\"");
}

static void test_a_next_episode_known_to_exist_says_so(void **state)
{
    (void)state;
    assert_link("the boys", 4, 1, LUME_NEXT_EPISODE,
                "</resolve/the%20boys?season=4&episode=2>; rel=\"next\"; exists=\"true\"");
}

static void test_the_next_seasons_first_episode_when_the_season_ended(void **state)
{
    (void)state;
    assert_link("the boys", 3, 8, LUME_NEXT_SEASON,
                "</resolve/the%20boys?season=4&episode=1>; rel=\"next\"; exists=\"true\"");
}

static void test_the_last_episode_links_to_itself_as_last(void **state)
{
    (void)state;
    assert_link("the boys", 4, 2, LUME_NEXT_NONE,
                "</resolve/the%20boys?season=4&episode=2>; rel=\"last\"");
}

static void test_the_query_is_escaped_as_one_path_segment(void **state)
{
    (void)state;
    assert_link("AC/DC: live?&#+%", 1, 1, LUME_NEXT_UNKNOWN,
                "</resolve/AC%2FDC%3A%20live%3F%26%23%2B%25?season=1&episode=2>; rel=\"next\"");
    assert_link("a-b.c_d~e", 1, 1, LUME_NEXT_UNKNOWN,
                "</resolve/a-b.c_d~e?season=1&episode=2>; rel=\"next\"");
    assert_link("caf\xc3\xa9 <\"x\">", 1, 1, LUME_NEXT_UNKNOWN,
                "</resolve/caf%C3%A9%20%3C%22x%22%3E?season=1&episode=2>; rel=\"next\"");
}

static void test_a_query_of_dots_alone_is_escaped(void **state)
{
    (void)state;
    assert_link(".", 1, 1, LUME_NEXT_UNKNOWN, "</resolve/%2E?season=1&episode=2>; rel=\"next\"");
    assert_link("..", 1, 1, LUME_NEXT_UNKNOWN,
                "</resolve/%2E%2E?season=1&episode=2>; rel=\"next\"");
    assert_link("...", 1, 1, LUME_NEXT_UNKNOWN, "</resolve/...?season=1&episode=2>; rel=\"next\"");
}

static void test_no_next_number_past_the_bounds(void **state)
{
    (void)state;
    assert_link("x", 1, 9999, LUME_NEXT_UNKNOWN, NULL);
    assert_link("x", 9999, 3, LUME_NEXT_SEASON, NULL);
    assert_link("x", 1, 9999, LUME_NEXT_SEASON,
                "</resolve/x?season=2&episode=1>; rel=\"next\"; exists=\"true\"");
    assert_link("x", 9999, 9999, LUME_NEXT_NONE,
                "</resolve/x?season=9999&episode=9999>; rel=\"last\"");
}

static void test_the_longest_query_fits(void **state)
{
    char query[801], *link;

    (void)state;
    memset(query, '#', 800);
    query[800] = '\0';
    link = lume_next_link(query, 9999, 9998, LUME_NEXT_EPISODE);
    assert_non_null(link);
    assert_int_equal(strlen(link), strlen("</resolve/?season=9999&episode=9999>; rel=\"next\"; "
                                          "exists=\"true\"") +
                                       3 * 800);
    free(link);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_unknown_next_points_at_the_next_number),
        cmocka_unit_test(test_a_next_episode_known_to_exist_says_so),
        cmocka_unit_test(test_the_next_seasons_first_episode_when_the_season_ended),
        cmocka_unit_test(test_the_last_episode_links_to_itself_as_last),
        cmocka_unit_test(test_the_query_is_escaped_as_one_path_segment),
        cmocka_unit_test(test_a_query_of_dots_alone_is_escaped),
        cmocka_unit_test(test_no_next_number_past_the_bounds),
        cmocka_unit_test(test_the_longest_query_fits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
