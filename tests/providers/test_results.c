/*
 * test_results.c: the result container every provider fills (results.h):
 * adding copies title and url, the order is seeds descending and stable,
 * clear keeps the capacity; the API's rules over a provider's answer
 * (lume_results_select: dead ones dropped, the live ones by seeds, ties in
 * the provider's order, the first limit kept, every live one counted); and
 * the quality label of a title or a video height.
 */
#include "lib/unit.h"

#include "results.h"

static void test_a_new_container_is_empty(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    assert_int_equal(r.count, 0);
    assert_null(r.items);
    lume_results_free(&r);
}

static void test_add_copies_title_and_url(void **state)
{
    lume_results r;
    char title[] = "Some Title 720p", url[] = "https://cdn.example.com/x";

    (void)state;
    lume_results_init(&r);
    assert_int_equal(lume_results_add(&r, title, url, 123, 7, "720p"), LUME_OK);
    title[0] = 'X';
    url[0] = 'X';
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].title, "Some Title 720p");
    assert_string_equal(r.items[0].url, "https://cdn.example.com/x");
    assert_int_equal(r.items[0].size, 123);
    assert_int_equal(r.items[0].seeds, 7);
    assert_string_equal(r.items[0].quality, "720p");
    lume_results_free(&r);
}

static void test_an_unknown_size_is_minus_1_and_quality_may_be_null(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    assert_int_equal(lume_results_add(&r, "t", "https://u", -1, 0, NULL), LUME_OK);
    assert_int_equal(r.items[0].size, -1);
    assert_null(r.items[0].quality);
    lume_results_free(&r);
}

static void test_sizes_beyond_32_bits_are_kept(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    assert_int_equal(lume_results_add(&r, "t", "https://u", 23622320128LL, 1, NULL), LUME_OK);
    assert_int_equal(r.items[0].size, 23622320128LL);
    lume_results_free(&r);
}

static void test_the_container_grows_and_keeps_the_order_of_adding(void **state)
{
    lume_results r;
    char title[32];

    (void)state;
    lume_results_init(&r);
    for (int i = 0; i < 100; i++) {
        snprintf(title, sizeof(title), "title %d", i);
        assert_int_equal(lume_results_add(&r, title, "https://u", i, i, NULL), LUME_OK);
    }
    assert_int_equal(r.count, 100);
    assert_true(r.cap >= 100);
    for (int i = 0; i < 100; i++) {
        snprintf(title, sizeof(title), "title %d", i);
        assert_string_equal(r.items[i].title, title);
    }
    lume_results_free(&r);
}

static void test_sort_puts_the_most_seeds_first(void **state)
{
    static const int64_t seeds[] = {5, 3000, 0, 42, 1500, 1};
    static const int64_t sorted[] = {3000, 1500, 42, 5, 1, 0};
    lume_results r;

    (void)state;
    lume_results_init(&r);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(lume_results_add(&r, "t", "https://u", -1, seeds[i], NULL), LUME_OK);
    lume_results_sort(&r);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(r.items[i].seeds, sorted[i]);
    lume_results_free(&r);
}

static void test_sort_is_stable_for_equal_seeds(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    lume_results_add(&r, "first", "https://u", -1, 10, NULL);
    lume_results_add(&r, "low", "https://u", -1, 1, NULL);
    lume_results_add(&r, "second", "https://u", -1, 10, NULL);
    lume_results_add(&r, "high", "https://u", -1, 99, NULL);
    lume_results_add(&r, "third", "https://u", -1, 10, NULL);
    lume_results_sort(&r);
    assert_string_equal(r.items[0].title, "high");
    assert_string_equal(r.items[1].title, "first");
    assert_string_equal(r.items[2].title, "second");
    assert_string_equal(r.items[3].title, "third");
    assert_string_equal(r.items[4].title, "low");
    lume_results_free(&r);
}

static void test_sorting_nothing_or_one_result_is_fine(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    lume_results_sort(&r);
    assert_int_equal(r.count, 0);
    lume_results_add(&r, "only", "https://u", -1, 3, NULL);
    lume_results_sort(&r);
    assert_string_equal(r.items[0].title, "only");
    lume_results_free(&r);
}

/* A provider's answer: unsorted, with ties ("tie a" added before "tie b")
 * and a dead one. */
static void add_answer(lume_results *r)
{
    static const struct {
        const char *title;
        int64_t seeds;
    } answer[] = {{"low 1", 1}, {"tie a", 50}, {"dead", 0}, {"top", 900}, {"tie b", 50}};

    /* Each a URL of its own: the same URL twice is one candidate (rank.h). */
    for (size_t i = 0; i < sizeof(answer) / sizeof(answer[0]); i++) {
        char url[64];
        snprintf(url, sizeof(url), "https://u/%zu", i);
        assert_int_equal(lume_results_add(r, answer[i].title, url, -1, answer[i].seeds, NULL),
                         LUME_OK);
    }
}

static void test_select_drops_the_dead_and_orders_the_live_by_seeds_ties_as_added(void **state)
{
    static const char *const want[] = {"top", "tie a", "tie b", "low 1"};
    lume_results r;

    (void)state;
    lume_results_init(&r);
    add_answer(&r);
    assert_int_equal(lume_results_select(&r, 10), 4);
    assert_int_equal(r.count, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(r.items[i].title, want[i]);
    lume_results_free(&r);
}

static void test_select_keeps_the_first_limit_and_counts_every_live_one(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    add_answer(&r);
    assert_int_equal(lume_results_select(&r, 2), 4);
    assert_int_equal(r.count, 2);
    assert_string_equal(r.items[0].title, "top");
    assert_string_equal(r.items[1].title, "tie a");
    lume_results_clear(&r);
    add_answer(&r);
    assert_int_equal(lume_results_select(&r, 1), 4); /* a resolve */
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].title, "top");
    lume_results_clear(&r);
    add_answer(&r);
    assert_int_equal(lume_results_select(&r, 0), 4);
    assert_int_equal(r.count, 0);
    lume_results_free(&r);
}

static void test_select_with_nothing_live_keeps_nothing(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    assert_int_equal(lume_results_select(&r, 10), 0);
    assert_int_equal(r.count, 0);
    lume_results_add(&r, "dead", "https://u", -1, 0, NULL);
    lume_results_add(&r, "below dead", "https://u", -1, -1, NULL);
    assert_int_equal(lume_results_select(&r, 10), 0);
    assert_int_equal(r.count, 0);
    assert_int_equal(lume_results_add(&r, "again", "https://v", 1, 1, NULL), LUME_OK);
    assert_int_equal(lume_results_select(&r, 10), 1);
    assert_string_equal(r.items[0].title, "again");
    lume_results_free(&r);
}

static void test_select_leaves_what_the_provider_knows_of_the_next_episode(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    add_answer(&r);
    r.next = LUME_NEXT_SEASON;
    lume_results_select(&r, 1);
    assert_int_equal(r.next, LUME_NEXT_SEASON);
    lume_results_free(&r);
}

static void test_clear_empties_and_keeps_the_capacity(void **state)
{
    lume_results r;
    size_t cap;

    (void)state;
    lume_results_init(&r);
    for (int i = 0; i < 20; i++)
        lume_results_add(&r, "t", "https://u", -1, i, NULL);
    cap = r.cap;
    lume_results_clear(&r);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.cap, cap);
    assert_non_null(r.items);
    assert_int_equal(lume_results_add(&r, "again", "https://v", 1, 1, NULL), LUME_OK);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].title, "again");
    lume_results_free(&r);
}

static void test_free_leaves_an_empty_reusable_container(void **state)
{
    lume_results r;

    (void)state;
    lume_results_init(&r);
    lume_results_add(&r, "t", "https://u", -1, 1, NULL);
    lume_results_free(&r);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.cap, 0);
    assert_null(r.items);
    lume_results_add(&r, "t", "https://u", -1, 1, NULL);
    assert_int_equal(r.count, 1);
    lume_results_free(&r);
    lume_results_free(&r); /* twice is harmless */
}

/* ---- quality ---- */

static void assert_quality(const char *title, const char *expected)
{
    const char *q = lume_quality_from_title(title);

    if (expected == NULL && q != NULL)
        fail_msg("\"%s\": expected no quality, got %s", title, q);
    if (expected != NULL && (q == NULL || strcmp(q, expected) != 0))
        fail_msg("\"%s\": expected %s, got %s", title, expected, q ? q : "NULL");
}

static void test_quality_labels_are_read_from_the_title(void **state)
{
    (void)state;
    assert_quality("Inception (2010) 1080p BluRay", "1080p");
    assert_quality("Movie 720p", "720p");
    assert_quality("Movie 480p", "480p");
    assert_quality("Movie 2160p", "2160p");
}

static void test_4k_and_uhd_are_2160p(void **state)
{
    (void)state;
    assert_quality("Interstellar (2014) 4K HDR", "2160p");
    assert_quality("interstellar 4k", "2160p");
    assert_quality("Planet Earth UHD", "2160p");
}

static void test_quality_tokens_are_case_insensitive(void **state)
{
    (void)state;
    assert_quality("Movie 1080P", "1080p");
    assert_quality("movie uhd", "2160p");
}

static void test_quality_tokens_must_be_whole_words(void **state)
{
    (void)state;
    assert_quality("Movie.1080p.WEB-DL", "1080p");
    assert_quality("Movie-[720p]", "720p");
    assert_quality("Movie_480p_x264", "480p");
    assert_quality("Movie x1080p", NULL);
    assert_quality("Movie 1080px", NULL);
    assert_quality("24K Gold", NULL);
    assert_quality("4Kids", NULL);
    assert_quality("Shuhdi", NULL);
}

static void test_the_highest_quality_in_the_title_wins(void **state)
{
    (void)state;
    assert_quality("Movie 1080p (also 4K)", "2160p");
    assert_quality("Movie 480p 720p", "720p");
}

static void test_a_title_without_a_quality_has_none(void **state)
{
    (void)state;
    assert_quality("The Boys S04E01 WEB-DL", NULL);
    assert_quality("", NULL);
    assert_quality("1080", NULL);
}

static void test_quality_from_height_rounds_down_to_a_label(void **state)
{
    (void)state;
    assert_string_equal(lume_quality_from_height(4320), "2160p");
    assert_string_equal(lume_quality_from_height(2160), "2160p");
    assert_string_equal(lume_quality_from_height(2159), "1080p");
    assert_string_equal(lume_quality_from_height(1080), "1080p");
    assert_string_equal(lume_quality_from_height(1079), "720p");
    assert_string_equal(lume_quality_from_height(720), "720p");
    assert_string_equal(lume_quality_from_height(480), "480p");
    assert_null(lume_quality_from_height(479));
    assert_null(lume_quality_from_height(0));
    assert_null(lume_quality_from_height(-1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_new_container_is_empty),
        cmocka_unit_test(test_add_copies_title_and_url),
        cmocka_unit_test(test_an_unknown_size_is_minus_1_and_quality_may_be_null),
        cmocka_unit_test(test_sizes_beyond_32_bits_are_kept),
        cmocka_unit_test(test_the_container_grows_and_keeps_the_order_of_adding),
        cmocka_unit_test(test_sort_puts_the_most_seeds_first),
        cmocka_unit_test(test_sort_is_stable_for_equal_seeds),
        cmocka_unit_test(test_sorting_nothing_or_one_result_is_fine),
        cmocka_unit_test(test_select_drops_the_dead_and_orders_the_live_by_seeds_ties_as_added),
        cmocka_unit_test(test_select_keeps_the_first_limit_and_counts_every_live_one),
        cmocka_unit_test(test_select_with_nothing_live_keeps_nothing),
        cmocka_unit_test(test_select_leaves_what_the_provider_knows_of_the_next_episode),
        cmocka_unit_test(test_clear_empties_and_keeps_the_capacity),
        cmocka_unit_test(test_free_leaves_an_empty_reusable_container),
        cmocka_unit_test(test_quality_labels_are_read_from_the_title),
        cmocka_unit_test(test_4k_and_uhd_are_2160p),
        cmocka_unit_test(test_quality_tokens_are_case_insensitive),
        cmocka_unit_test(test_quality_tokens_must_be_whole_words),
        cmocka_unit_test(test_the_highest_quality_in_the_title_wins),
        cmocka_unit_test(test_a_title_without_a_quality_has_none),
        cmocka_unit_test(test_quality_from_height_rounds_down_to_a_label),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
