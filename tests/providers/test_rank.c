/*
 * test_rank.c: the order of candidates for the device that will play
 * (rank.h), as /streams and /resolve give it:
 * - a candidate is direct-playable when its container and video codec (and
 *   its audio codec, when known) are the device's; not when any known one is
 *   not; unknown otherwise;
 * - direct-playable first, then unknown, then not;
 * - then the highest height that fits the device, then unknown heights,
 *   then those above it, the nearest first;
 * - then provider order, then seeds, then the order of arrival;
 * - without facts (the built-in mock's entries), the contract's seeds order;
 * - the same URL, or the same key, once, at its better place;
 * - dead ones dropped and the limit applied after duplicates are gone.
 */
#include "lib/unit.h"

#include "rank.h"

typedef struct cand {
    const char *title, *container, *video, *audio;
    int height, provider_rank;
    int64_t seeds;
    const char *key;
} cand;

static void add(lume_results *r, const cand *c)
{
    char url[128];
    lume_media_link m = {.title = (char *)c->title, .size = -1, .seeds = c->seeds};

    snprintf(url, sizeof(url), "https://cdn.example.com/%s", c->title);
    m.url = url;
    m.key = (char *)c->key;
    snprintf(m.facts.container, sizeof(m.facts.container), "%s", c->container ? c->container : "");
    snprintf(m.facts.video_codec, sizeof(m.facts.video_codec), "%s", c->video ? c->video : "");
    snprintf(m.facts.audio_codec, sizeof(m.facts.audio_codec), "%s", c->audio ? c->audio : "");
    m.facts.height = c->height;
    assert_int_equal(lume_results_add_link(r, &m), LUME_OK);
    r->items[r->count - 1].provider_rank = c->provider_rank;
}

/* Rank cands for caps ("" the Android default) and check the titles in order. */
static void assert_ranked(const char *caps, const cand *cands, size_t n, size_t limit,
                          const char *const *want, size_t nwant)
{
    lume_results r;
    lume_caps device;

    lume_caps_default(&device);
    if (caps[0] != '\0')
        assert_int_equal(lume_caps_parse(caps, strlen(caps), &device), 0);
    lume_results_init(&r);
    for (size_t i = 0; i < n; i++)
        add(&r, &cands[i]);
    lume_results_rank(&r, &device, limit);
    for (size_t i = 0; i < r.count && i < nwant; i++)
        if (strcmp(r.items[i].title, want[i]) != 0)
            fail_msg("place %zu: got %s, want %s", i, r.items[i].title, want[i]);
    assert_int_equal(r.count, nwant);
    lume_results_free(&r);
}

#define N(a) (sizeof(a) / sizeof(a[0]))

static void test_direct_play_needs_the_container_and_video_codec_known_and_played(void **state)
{
    lume_caps android;
    lume_media_facts f = {0};

    (void)state;
    lume_caps_default(&android);
    assert_int_equal(lume_direct_play(&android, &f), LUME_TRI_UNKNOWN);
    snprintf(f.container, sizeof(f.container), "mp4");
    assert_int_equal(lume_direct_play(&android, &f), LUME_TRI_UNKNOWN);
    snprintf(f.video_codec, sizeof(f.video_codec), "h264");
    assert_int_equal(lume_direct_play(&android, &f), LUME_TRI_YES);
    snprintf(f.audio_codec, sizeof(f.audio_codec), "aac");
    assert_int_equal(lume_direct_play(&android, &f), LUME_TRI_YES);
    snprintf(f.audio_codec, sizeof(f.audio_codec), "dts"); /* not on every Android */
    assert_int_equal(lume_direct_play(&android, &f), LUME_TRI_NO);
    snprintf(f.audio_codec, sizeof(f.audio_codec), "aac");
    snprintf(f.video_codec, sizeof(f.video_codec), "hevc"); /* device-dependent: not default */
    assert_int_equal(lume_direct_play(&android, &f), LUME_TRI_NO);
    snprintf(f.video_codec, sizeof(f.video_codec), "h264");
    snprintf(f.container, sizeof(f.container), "flv"); /* a name nobody listed */
    assert_int_equal(lume_direct_play(&android, &f), LUME_TRI_NO);
}

static void test_the_playable_come_first_then_the_unknown_then_the_rest(void **state)
{
    static const cand c[] = {
        {"mpeg2", "ts", "mpeg2", "mp3", 0, 0, 900, NULL},
        {"unknown", NULL, NULL, NULL, 0, 0, 500, NULL},
        {"h264", "mp4", "h264", "aac", 0, 0, 1, NULL},
    };
    static const char *const want[] = {"h264", "unknown", "mpeg2"};

    (void)state;
    assert_ranked("", c, N(c), 10, want, N(want));
}

static void test_the_highest_that_fits_then_unknown_then_the_nearest_above(void **state)
{
    static const cand c[] = {
        {"2160", "mp4", "h264", NULL, 2160, 0, 1, NULL},
        {"480", "mp4", "h264", NULL, 480, 0, 1, NULL},
        {"none", "mp4", "h264", NULL, 0, 0, 1, NULL},
        {"1440", "mp4", "h264", NULL, 1440, 0, 1, NULL},
        {"720", "mp4", "h264", NULL, 720, 0, 1, NULL},
    };
    static const char *const hd[] = {"720", "480", "none", "1440", "2160"};
    static const char *const any[] = {"2160", "1440", "720", "480", "none"};

    (void)state;
    assert_ranked("720p", c, N(c), 10, hd, N(hd));
    assert_ranked("", c, N(c), 10, any, N(any));
}

static void test_a_device_that_plays_hevc_gets_it_first_when_it_is_higher(void **state)
{
    static const cand c[] = {
        {"h264 720", "mkv", "h264", "aac", 720, 0, 10, NULL},
        {"hevc 1080", "mkv", "hevc", "aac", 1080, 0, 1, NULL},
    };
    static const char *const plain[] = {"h264 720", "hevc 1080"};
    static const char *const hevc[] = {"hevc 1080", "h264 720"};

    (void)state;
    assert_ranked("", c, N(c), 10, plain, N(plain));
    assert_ranked("h264,hevc", c, N(c), 10, hevc, N(hevc));
}

static void test_then_provider_order_then_seeds_then_arrival(void **state)
{
    static const cand c[] = {
        {"second provider", "mp4", "h264", NULL, 1080, 1, 900, NULL},
        {"first, few seeds", "mp4", "h264", NULL, 1080, 0, 5, NULL},
        {"first, tie a", "mp4", "h264", NULL, 1080, 0, 50, NULL},
        {"first, tie b", "mp4", "h264", NULL, 1080, 0, 50, NULL},
    };
    static const char *const want[] = {"first, tie a", "first, tie b", "first, few seeds",
                                       "second provider"};

    (void)state;
    assert_ranked("", c, N(c), 10, want, N(want));
}

static void test_without_facts_the_order_is_the_contracts_by_seeds(void **state)
{
    static const cand c[] = {
        {"Interstellar 4K", NULL, NULL, NULL, 0, 0, 920, NULL},
        {"Breaking Bad 1080p", NULL, NULL, NULL, 0, 0, 3000, NULL},
        {"dead", NULL, NULL, NULL, 0, 0, 0, NULL},
        {"The Boys 1080p", NULL, NULL, NULL, 0, 0, 1500, NULL},
    };
    static const char *const want[] = {"Breaking Bad 1080p", "The Boys 1080p", "Interstellar 4K"};

    (void)state;
    assert_ranked("", c, N(c), 10, want, N(want));
}

static void test_the_same_key_appears_once_at_its_better_place(void **state)
{
    static const cand c[] = {
        {"via mirror", "mp4", "h264", NULL, 720, 1, 10, "item/film.mp4"},
        {"other", "mp4", "h264", NULL, 480, 0, 10, "item/other.mp4"},
        {"direct", "mp4", "h264", NULL, 720, 0, 10, "item/film.mp4"},
    };
    static const char *const want[] = {"direct", "other"};

    (void)state;
    assert_ranked("", c, N(c), 10, want, N(want));
}

static void test_the_same_url_appears_once(void **state)
{
    lume_results r;
    lume_caps device;

    (void)state;
    lume_caps_default(&device);
    lume_results_init(&r);
    assert_int_equal(lume_results_add(&r, "a", "https://x/same", -1, 5, NULL), LUME_OK);
    assert_int_equal(lume_results_add(&r, "b", "https://x/same", -1, 9, NULL), LUME_OK);
    assert_int_equal(lume_results_add(&r, "c", "https://x/other", -1, 1, NULL), LUME_OK);
    assert_int_equal(lume_results_rank(&r, &device, 10), 2);
    assert_string_equal(r.items[0].title, "b");
    assert_string_equal(r.items[1].title, "c");
    lume_results_free(&r);
}

static void test_the_limit_counts_distinct_live_candidates(void **state)
{
    lume_results r;
    lume_caps device;
    char url[32];

    (void)state;
    lume_caps_default(&device);
    lume_results_init(&r);
    for (int i = 0; i < 30; i++) {
        snprintf(url, sizeof(url), "https://x/%d", i % 20); /* 10 repeats */
        assert_int_equal(lume_results_add(&r, "t", url, -1, i % 3, NULL), LUME_OK);
    }
    /* URLs 0..9 have a live entry each (i or i + 20); of 10..19, the 7 not
     * divisible by 3. */
    assert_int_equal(lume_results_rank(&r, &device, 5), 17);
    assert_int_equal(r.count, 5);
    lume_results_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direct_play_needs_the_container_and_video_codec_known_and_played),
        cmocka_unit_test(test_the_playable_come_first_then_the_unknown_then_the_rest),
        cmocka_unit_test(test_the_highest_that_fits_then_unknown_then_the_nearest_above),
        cmocka_unit_test(test_a_device_that_plays_hevc_gets_it_first_when_it_is_higher),
        cmocka_unit_test(test_then_provider_order_then_seeds_then_arrival),
        cmocka_unit_test(test_without_facts_the_order_is_the_contracts_by_seeds),
        cmocka_unit_test(test_the_same_key_appears_once_at_its_better_place),
        cmocka_unit_test(test_the_same_url_appears_once),
        cmocka_unit_test(test_the_limit_counts_distinct_live_candidates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
