/*
 * fuzz_episode.c: the PCRE2 episode matcher (providers/episode.c) on any
 * title. The input is season and episode (two bytes each) and the title.
 *
 * Season 0 matches everything; a title that is not UTF-8 or has no ASCII
 * digit matches no season; a title that names season S episode E names
 * season S; and any UTF-8 title followed by " S04E01", " 4x01",
 * " Season 4 Episode 1" (with the input's numbers) names that episode, and
 * followed by " S04" or " Season 4" that season.
 */
#include "episode.h"
#include "fuzz/fuzz.h"

static lume_episode_matcher *m;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];

    (void)argc;
    (void)argv;
    m = lume_episode_matcher_create(err, sizeof(err));
    FUZZ_CHECK(m != NULL);
    return 0;
}

/* title followed by suffix (printf-style) must match season, episode. */
static void check_named(const char *title, size_t len, int season, int episode, const char *fmt,
                        int a, int b)
{
    char *t = malloc(len + 64);
    int n;

    FUZZ_CHECK(t != NULL);
    memcpy(t, title, len);
    n = snprintf(t + len, 64, fmt, a, b);
    if (lume_episode_matches(m, t, len + (size_t)n, season, episode) != 1)
        fprintf(stderr, "\"%.*s\" should name season %d episode %d\n", (int)(len + n), t, season,
                episode);
    FUZZ_CHECK(lume_episode_matches(m, t, len + (size_t)n, season, episode) == 1);
    free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    int season = (int)(fuzz_u64(&r, 2) % 10000), episode = (int)(fuzz_u64(&r, 2) % 10000);
    size_t len = r.left;
    char *title = malloc(len ? len : 1); /* exact size, not NUL-terminated */
    int got, digits = 0;

    FUZZ_CHECK(title != NULL);
    memcpy(title, r.p, len);
    for (size_t i = 0; i < len; i++)
        digits |= title[i] >= '0' && title[i] <= '9';

    got = lume_episode_matches(m, title, len, season, episode);
    FUZZ_CHECK(got == 0 || got == 1);
    FUZZ_CHECK(got == lume_episode_matches(m, title, len, season, episode));
    FUZZ_CHECK(lume_episode_matches(m, title, len, 0, episode) == 1);
    if (season > 0 && (!digits || fuzz_utf8_length(title, len) < 0))
        FUZZ_CHECK(got == 0);
    if (got && episode > 0)
        FUZZ_CHECK(lume_episode_matches(m, title, len, season, 0) == 1);

    if (season > 0 && fuzz_utf8_length(title, len) >= 0) {
        check_named(title, len, season, 0, " S%02d", season, 0);
        check_named(title, len, season, 0, " Season %d", season, 0);
        if (episode > 0) {
            check_named(title, len, season, episode, " S%02dE%02d", season, episode);
            check_named(title, len, season, episode, " Season %d Episode %d", season, episode);
            if (season <= 99 && episode <= 999)
                check_named(title, len, season, episode, " %dx%02d", season, episode);
        }
    }
    free(title);
    return 0;
}
