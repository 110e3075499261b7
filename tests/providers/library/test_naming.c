/*
 * test_naming.c: the library provider's file-name parser
 * (providers/library/naming.c). The rules it keeps, each tested below and
 * over the corpus (naming_corpus.tsv, one name a row with every field):
 *
 *  - A path is relative to the library root: at most 4096 bytes, segments of
 *    1..255 bytes, none "." or "..", no NUL byte, not absolute; anything
 *    else is refused (-1) with out cleared.
 *  - Sidecars (.srt, .nfo, .jpg, ...) are no video: kind UNKNOWN, nothing read.
 *  - Episodes: S01E02 (S01xE02, S01.Ep.02, S2009E23), 1x02 (2009x02, never
 *    1920x1080), "Season 1 Episode 2", daily dates 2011-04-12 (also with dots,
 *    spaces, underscores; the date must exist), anime "[Group] Title - 136";
 *    multi-episode S01E01-E02, S01E01E02, 02x03-04-15, S07E22 - S07E23 (a
 *    range: episode_end is its last number, only when greater). In a season
 *    folder ("Season 04", "S04", "Saison 4", "Staffel 2", "Specials" = 0) a
 *    file may just say "02 - Title", "02-04" or "Episode 16".
 *  - The show is the folder above a season folder; a release folder (one
 *    with an episode marker) is no show folder. Films take their folder's
 *    year when their name is the folder's title.
 *  - Years: the last one in () or [], else the last bare one, that leaves a
 *    title before it: "1917" and "2001 A Space Odyssey" keep their numbers,
 *    "Blade Runner 2049 (2017)" is 2017.
 *  - "3x3 Eyes": an NxN opening a name with one digit after the x, followed by
 *    a word, or followed by another marker, is title.
 *  - The client's query is a hint: a name that starts with it has it as title.
 *  - Extras: in Extras, Trailers, Featurettes, Behind The Scenes, Deleted
 *    Scenes, Interviews, Scenes, Shorts, Clips, Other, Sample(s), Backdrops
 *    folders, or named "-trailer", ".sample", "-featurette"..., or "trailer",
 *    "sample", "theme": kind EXTRA with the owner's title and year.
 *  - Every text out is valid UTF-8 within its bound; bad bytes are U+FFFD,
 *    control characters spaces.
 */
#include "lib/unit.h"

#include "library/naming.h"
#include "utf8.h"

static lume_naming *n;

static int setup(void **state)
{
    char err[256] = "";
    (void)state;
    n = lume_naming_create(err, sizeof(err));
    if (n == NULL)
        fprintf(stderr, "%s\n", err);
    return n == NULL;
}

static int teardown(void **state)
{
    (void)state;
    lume_naming_destroy(n);
    return 0;
}

static lume_media_name parse(const char *path, const char *query)
{
    lume_media_name m;
    assert_int_equal(lume_naming_parse(n, path, strlen(path), query, &m), 0);
    return m;
}

/* ---- The corpus ------------------------------------------------------------ */

enum {
    C_PATH,
    C_QUERY,
    C_KIND,
    C_TITLE,
    C_KEY,
    C_YEAR,
    C_SEASON,
    C_EPISODE,
    C_END,
    C_DATE,
    C_ETITLE,
    C_RES,
    C_SOURCE,
    C_VCODEC,
    C_ACODEC,
    C_GROUP,
    C_LANG,
    C_EXTRA,
    C_COUNT
};

static const char *const column_names[C_COUNT] = {
    "path",   "query",       "kind",        "title",    "key",           "year",
    "season", "episode",     "episode_end", "air_date", "episode_title", "resolution",
    "source", "video_codec", "audio_codec", "group",    "language",      "extra"};

/* Undo the corpus escapes (\t \n \\ \xHH) in place; the new length. */
static size_t unescape(char *s)
{
    size_t o = 0;

    for (size_t i = 0; s[i] != '\0'; i++) {
        if (s[i] == '\\' && s[i + 1] != '\0') {
            i++;
            if (s[i] == 't')
                s[o++] = '\t';
            else if (s[i] == 'n')
                s[o++] = '\n';
            else if (s[i] == 'x' && s[i + 1] && s[i + 2]) {
                char hex[3] = {s[i + 1], s[i + 2], '\0'};
                s[o++] = (char)strtol(hex, NULL, 16);
                i += 2;
            } else
                s[o++] = s[i];
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = '\0';
    return o;
}

static const char *none(const char *s)
{
    return s == NULL || s[0] == '\0' ? "-" : s;
}

static void field(char *buf, size_t cap, int column, const lume_media_name *m)
{
    static const char *const kinds[] = {"unknown", "film", "episode", "extra"};

    switch (column) {
    case C_KIND: snprintf(buf, cap, "%s", kinds[m->kind]); break;
    case C_TITLE: snprintf(buf, cap, "%s", none(m->title)); break;
    case C_KEY: snprintf(buf, cap, "%s", none(m->key)); break;
    case C_YEAR: m->year ? snprintf(buf, cap, "%d", m->year) : snprintf(buf, cap, "-"); break;
    case C_SEASON:
        m->season >= 0 ? snprintf(buf, cap, "%d", m->season) : snprintf(buf, cap, "-");
        break;
    case C_EPISODE:
        m->episode >= 0 ? snprintf(buf, cap, "%d", m->episode) : snprintf(buf, cap, "-");
        break;
    case C_END:
        m->episode_end >= 0 ? snprintf(buf, cap, "%d", m->episode_end) : snprintf(buf, cap, "-");
        break;
    case C_DATE:
        m->air_year ? snprintf(buf, cap, "%04d-%02d-%02d", m->air_year, m->air_month, m->air_day)
                    : snprintf(buf, cap, "-");
        break;
    case C_ETITLE: snprintf(buf, cap, "%s", none(m->episode_title)); break;
    case C_RES:
        m->resolution ? snprintf(buf, cap, "%d", m->resolution) : snprintf(buf, cap, "-");
        break;
    case C_SOURCE: snprintf(buf, cap, "%s", none(m->source)); break;
    case C_VCODEC: snprintf(buf, cap, "%s", none(m->video_codec)); break;
    case C_ACODEC: snprintf(buf, cap, "%s", none(m->audio_codec)); break;
    case C_GROUP: snprintf(buf, cap, "%s", none(m->group)); break;
    case C_LANG: snprintf(buf, cap, "%s", none(m->language)); break;
    case C_EXTRA: snprintf(buf, cap, "%s", none(m->extra)); break;
    default: buf[0] = '\0';
    }
}

/* Every row of the corpus, every field; the rows that fail are printed. */
static void corpus(void **state)
{
    /* next to this file: the test runs from the repository's root */
    char path[512], line[8192];
    const char *here = __FILE__, *slash = strrchr(here, '/');
    FILE *f;
    int rows = 0, failed = 0, header = 0;

    (void)state;
    snprintf(path, sizeof(path), "%.*snaming_corpus.tsv", slash ? (int)(slash - here + 1) : 0,
             here);
    f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *col[C_COUNT], *p = line, got[LUME_NAMING_TEXT_MAX + 16];
        size_t len = strcspn(line, "\n"), plen;
        int ncol = 0, bad = 0;
        lume_media_name m;

        line[len] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!header++) { /* the column names */
            continue;
        }
        while (ncol < C_COUNT && p != NULL) {
            col[ncol++] = p;
            p = strchr(p, '\t');
            if (p != NULL)
                *p++ = '\0';
        }
        if (ncol != C_COUNT || p != NULL)
            fail_msg("corpus row %d: %d columns, not %d", rows + 1, ncol, C_COUNT);
        rows++;
        for (int c = 0; c < C_COUNT; c++)
            unescape(col[c]);
        plen = strlen(col[C_PATH]);
        if (lume_naming_parse(n, col[C_PATH], plen,
                              strcmp(col[C_QUERY], "-") == 0 ? NULL : col[C_QUERY], &m) != 0) {
            printf("corpus: refused: %s\n", col[C_PATH]);
            failed++;
            continue;
        }
        for (int c = C_KIND; c < C_COUNT; c++) {
            field(got, sizeof(got), c, &m);
            if (strcmp(got, col[c]) != 0) {
                if (!bad++)
                    printf("corpus: %s%s%s\n", col[C_PATH],
                           strcmp(col[C_QUERY], "-") ? "  query: " : "",
                           strcmp(col[C_QUERY], "-") ? col[C_QUERY] : "");
                printf("    %-13s expected \"%s\", got \"%s\"\n", column_names[c], col[c], got);
            }
        }
        failed += bad > 0;
    }
    fclose(f);
    printf("corpus: %d rows, %d passed, %d failed\n", rows, rows - failed, failed);
    assert_true(rows >= 300);
    assert_int_equal(failed, 0);
}

/* ---- Rules, one test each ----------------------------------------------------- */

static void layouts(void **state)
{
    lume_media_name m;
    (void)state;

    m = parse("Show/Season 04/Show - S04E01 - Title.mkv", NULL);
    assert_int_equal(m.kind, LUME_MEDIA_EPISODE);
    assert_string_equal(m.title, "Show");
    assert_int_equal(m.season, 4);
    assert_int_equal(m.episode, 1);
    assert_int_equal(m.episode_end, -1);
    assert_string_equal(m.episode_title, "Title");

    m = parse("Show.Name.S04E01.1080p.WEB-DL.x264-GRP.mkv", NULL);
    assert_string_equal(m.title, "Show Name");
    assert_string_equal(m.key, "showname");
    assert_int_equal(m.resolution, 1080);
    assert_string_equal(m.source, "web-dl");
    assert_string_equal(m.video_codec, "h264");
    assert_string_equal(m.group, "GRP");

    m = parse("Film (2010)/Film (2010).mp4", NULL);
    assert_int_equal(m.kind, LUME_MEDIA_FILM);
    assert_string_equal(m.title, "Film");
    assert_int_equal(m.year, 2010);
    assert_int_equal(m.season, -1);
    assert_int_equal(m.episode, -1);
    assert_null(m.extra);
}

static void specials_and_dates(void **state)
{
    lume_media_name m;
    (void)state;

    m = parse("Show/Season 00/Show - S00E01 - Special.mkv", NULL);
    assert_int_equal(m.season, 0);
    m = parse("Show/Specials/03 - Christmas.mkv", NULL);
    assert_int_equal(m.season, 0);
    assert_int_equal(m.episode, 3);

    m = parse("The Daily Show - 2011-04-12 - Guest.mkv", NULL);
    assert_int_equal(m.kind, LUME_MEDIA_EPISODE);
    assert_int_equal(m.air_year, 2011);
    assert_int_equal(m.air_month, 4);
    assert_int_equal(m.air_day, 12);
    assert_int_equal(m.season, -1);
    /* dates that do not exist are no dates */
    m = parse("Show 2023-02-29 Guest.mkv", NULL);
    assert_int_equal(m.air_year, 0);
    m = parse("Show 2024-02-29 Guest.mkv", NULL);
    assert_int_equal(m.air_day, 29);
    m = parse("Show 2011-04-31 Guest.mkv", NULL);
    assert_int_equal(m.air_year, 0);
    m = parse("Show 2011-04.12 Guest.mkv", NULL); /* mixed separators */
    assert_int_equal(m.air_year, 0);
}

static void multi_episode(void **state)
{
    lume_media_name m;
    (void)state;

    m = parse("Show.S01E01-E02.mkv", NULL);
    assert_int_equal(m.episode, 1);
    assert_int_equal(m.episode_end, 2);
    m = parse("Show.S01E01-1080p.mkv", NULL); /* a resolution, not episode 1080 */
    assert_int_equal(m.episode_end, -1);
    assert_int_equal(m.resolution, 1080);
    m = parse("Show.S01E05-E03.mkv", NULL); /* not a range */
    assert_int_equal(m.episode_end, -1);
}

static void numeric_titles(void **state)
{
    lume_media_name m;
    (void)state;

    m = parse("1883.S01E05.1080p.WEB.h264-GRP.mkv", NULL);
    assert_string_equal(m.title, "1883");
    assert_int_equal(m.year, 0);
    assert_int_equal(m.season, 1);
    m = parse("1917 (2019)/1917.mkv", NULL);
    assert_string_equal(m.title, "1917");
    assert_int_equal(m.year, 2019);
    m = parse("2001 A Space Odyssey (1968).mkv", NULL);
    assert_string_equal(m.title, "2001 A Space Odyssey");
    assert_int_equal(m.year, 1968);
    m = parse("Blade Runner 2049 (2017).mkv", NULL);
    assert_string_equal(m.title, "Blade Runner 2049");
    assert_int_equal(m.year, 2017);
    m = parse("Remaster 1920x1080.mkv", NULL);
    assert_int_equal(m.kind, LUME_MEDIA_FILM);
    assert_int_equal(m.season, -1);
}

static void nxn_in_titles(void **state)
{
    lume_media_name m;
    (void)state;

    m = parse("3x3 Eyes/Season 1/3x3 Eyes - 1x01 - Title.mkv", NULL);
    assert_string_equal(m.title, "3x3 Eyes");
    assert_int_equal(m.season, 1);
    assert_int_equal(m.episode, 1);
    m = parse("3x3 Eyes (1991).mkv", NULL);
    assert_int_equal(m.kind, LUME_MEDIA_FILM);
    assert_string_equal(m.key, "3x3eyes");
    m = parse("Show 3x03.mkv", NULL);
    assert_int_equal(m.season, 3);
    assert_int_equal(m.episode, 3);
}

static void the_query_as_hint(void **state)
{
    lume_media_name m;
    (void)state;

    /* blind, a bare 2049 is a year; told, it is the title */
    m = parse("Blade.Runner.2049.1080p.BluRay.mkv", NULL);
    assert_string_equal(m.title, "Blade Runner");
    assert_int_equal(m.year, 2049);
    assert_int_equal(lume_naming_match(&m, "blade runner 2049", 17), LUME_NAMING_MATCH_YEAR);
    m = parse("Blade.Runner.2049.1080p.BluRay.mkv", "blade runner 2049");
    assert_string_equal(m.title, "Blade Runner 2049");
    assert_int_equal(m.year, 0);
    assert_int_equal(lume_naming_match(&m, "Blade Runner 2049", 17), LUME_NAMING_MATCH_TITLE);
    /* a query the name does not start with changes nothing */
    m = parse("The.Boys.S04E01.mkv", "the office");
    assert_string_equal(m.title, "The Boys");
    /* the hint must end at a word's end */
    m = parse("The.Boyson.S01E01.mkv", "the boys");
    assert_string_equal(m.title, "The Boyson");
    /* and never shortens a title: another show, another film */
    m = parse("The.Boys.Presents.Diabolical.S01E01.mkv", "the boys");
    assert_string_equal(m.title, "The Boys Presents Diabolical");
    assert_int_equal(lume_naming_match(&m, "the boys", 8), LUME_NAMING_NO_MATCH);
    m = parse("Blade Runner 2049 (2017)/Blade Runner 2049 (2017).mkv", "blade runner");
    assert_string_equal(m.title, "Blade Runner 2049");
    assert_int_equal(m.year, 2017);
    assert_int_equal(lume_naming_match(&m, "blade runner", 12), LUME_NAMING_NO_MATCH);
    m = parse("Blade Runner (1982)/Blade Runner (1982).mkv", "blade runner");
    assert_int_equal(lume_naming_match(&m, "blade runner", 12), LUME_NAMING_MATCH_TITLE);
}

static void matching(void **state)
{
    lume_media_name m;
    (void)state;

    m = parse("1917 (2019)/1917.mkv", NULL);
    assert_int_equal(lume_naming_match(&m, "1917", 4), LUME_NAMING_MATCH_TITLE);
    assert_int_equal(lume_naming_match(&m, "1917 (2019)", 11), LUME_NAMING_MATCH_YEAR);
    assert_int_equal(lume_naming_match(&m, "1917 2018", 9), LUME_NAMING_NO_MATCH);
    assert_int_equal(lume_naming_match(&m, "2019", 4), LUME_NAMING_NO_MATCH);
    m = parse("1883.S01E05.1080p.WEB.h264-GRP.mkv", NULL);
    assert_int_equal(lume_naming_match(&m, "1883", 4), LUME_NAMING_MATCH_TITLE);
    m = parse("Blade Runner 2049 (2017)/Blade Runner 2049.mkv", NULL);
    assert_int_equal(lume_naming_match(&m, "blade runner 2049", 17), LUME_NAMING_MATCH_TITLE);
    assert_int_equal(lume_naming_match(&m, "blade runner", 12), LUME_NAMING_NO_MATCH);
    m = parse("3x3 Eyes/Season 1/3x3 Eyes - 1x01.mkv", NULL);
    assert_int_equal(lume_naming_match(&m, "3x3 eyes", 8), LUME_NAMING_MATCH_TITLE);
    m = parse("The Boys/Season 4/The Boys - S04E01.mkv", NULL);
    assert_int_equal(lume_naming_match(&m, "the boys", 8), LUME_NAMING_MATCH_TITLE);
    assert_int_equal(lume_naming_match(&m, "THE  BOYS!", 10), LUME_NAMING_MATCH_TITLE);
    assert_int_equal(lume_naming_match(&m, "boys", 4), LUME_NAMING_NO_MATCH);
    m = parse("Amélie (2001).mkv", NULL);
    assert_int_equal(lume_naming_match(&m, "amelie", 6), LUME_NAMING_MATCH_TITLE);
    assert_int_equal(lume_naming_match(&m, "AMÉLIE", strlen("AMÉLIE")), LUME_NAMING_MATCH_TITLE);
    m = parse("Grey's Anatomy/Season 1/Grey's Anatomy - S01E01.mkv", NULL);
    assert_int_equal(lume_naming_match(&m, "greys anatomy", 13), LUME_NAMING_MATCH_TITLE);
    assert_int_equal(lume_naming_match(&m, "grey’s anatomy", strlen("grey’s anatomy")),
                     LUME_NAMING_MATCH_TITLE);
    m = parse("Кухня/Season 1/Кухня - S01E01.mkv", NULL);
    assert_int_equal(lume_naming_match(&m, "кухня", strlen("кухня")), LUME_NAMING_MATCH_TITLE);
    /* nothing to match: empty, punctuation only, invalid bytes, no title */
    assert_int_equal(lume_naming_match(&m, "", 0), LUME_NAMING_NO_MATCH);
    assert_int_equal(lume_naming_match(&m, "!!!", 3), LUME_NAMING_NO_MATCH);
    assert_int_equal(lume_naming_match(&m, "\xff\xfe", 2), LUME_NAMING_NO_MATCH);
    assert_int_equal(lume_naming_match(NULL, "x", 1), LUME_NAMING_NO_MATCH);
    m = parse("Show/Season 1/Show - S01E01.srt", NULL);
    assert_int_equal(lume_naming_match(&m, "show", 4), LUME_NAMING_NO_MATCH);
}

static void extras(void **state)
{
    lume_media_name m;
    (void)state;

    m = parse("Film (2010)/Extras/Making Of.mkv", NULL);
    assert_int_equal(m.kind, LUME_MEDIA_EXTRA);
    assert_string_equal(m.extra, "extra");
    assert_string_equal(m.title, "Film");
    assert_int_equal(m.year, 2010);
    m = parse("Film (2010)/Film (2010)-trailer.mkv", NULL);
    assert_string_equal(m.extra, "trailer");
    m = parse("Film (2010)/Sample/film-sample.mkv", NULL);
    assert_string_equal(m.extra, "sample");
    /* words in titles are not suffixes */
    m = parse("The Interview (2014).mkv", NULL);
    assert_int_equal(m.kind, LUME_MEDIA_FILM);
}

/* ---- Bounds ----------------------------------------------------------------- */

static int refused(const char *path, size_t len)
{
    lume_media_name m;
    int rc = lume_naming_parse(n, path, len, NULL, &m);

    if (rc != 0) {
        assert_int_equal(m.kind, LUME_MEDIA_UNKNOWN);
        assert_string_equal(m.title, "");
        assert_int_equal(m.season, -1);
    }
    return rc != 0;
}

static void paths_refused(void **state)
{
    (void)state;
    assert_true(refused("", 0));
    assert_true(refused("/abs/Film (2010).mkv", 20));
    assert_true(refused("../Film (2010).mkv", 18));
    assert_true(refused("a/../Film (2010).mkv", 20));
    assert_true(refused("a/./Film (2010).mkv", 19));
    assert_true(refused("./Film (2010).mkv", 17));
    assert_true(refused("..", 2));
    assert_true(refused(".", 1));
    assert_true(refused("a//Film.mkv", 11));
    assert_true(refused("a/", 2));
    assert_true(refused("Film\0(2010).mkv", 15));
    assert_true(refused(NULL, 3));
    /* ".." inside a name is a name */
    assert_false(refused("a/..b/Film..(2010).mkv", 22));
    assert_false(refused("...mkv", 6));
    assert_false(refused("...", 3));
}

static void assert_valid_text(const char *s, size_t max)
{
    size_t len = strlen(s);

    assert_true(len <= max);
    assert_true(lume_utf8_length(s, len) >= 0);
    for (size_t i = 0; i < len; i++)
        assert_true((unsigned char)s[i] >= 0x20 && s[i] != 0x7F);
}

static void assert_valid(const lume_media_name *m)
{
    assert_valid_text(m->title, LUME_NAMING_TEXT_MAX);
    assert_valid_text(m->key, LUME_NAMING_TEXT_MAX);
    assert_valid_text(m->episode_title, LUME_NAMING_TEXT_MAX);
    assert_valid_text(m->group, LUME_NAMING_GROUP_MAX);
}

/* Path length at every byte around 4096, segments at every byte around 255. */
static void length_bounds(void **state)
{
    lume_media_name m;
    char *p = malloc(LUME_NAMING_PATH_MAX + 2);
    (void)state;

    assert_non_null(p);
    for (size_t len = LUME_NAMING_PATH_MAX - 3; len <= LUME_NAMING_PATH_MAX + 1; len++) {
        /* folders of 200 'a's, then a file name, exactly len bytes */
        size_t i = 0;
        while (len - i > 250) {
            memset(p + i, 'a', 200);
            p[i + 200] = '/';
            i += 201;
        }
        memset(p + i, 'b', len - i - 4);
        memcpy(p + len - 4, ".mkv", 4);
        p[len] = '\0';
        assert_int_equal(lume_naming_parse(n, p, len, NULL, &m),
                         len <= LUME_NAMING_PATH_MAX ? 0 : -1);
        assert_valid(&m);
        if (len <= LUME_NAMING_PATH_MAX)
            assert_int_equal(m.kind, LUME_MEDIA_FILM);
    }
    for (size_t seg = LUME_NAMING_SEGMENT_MAX - 2; seg <= LUME_NAMING_SEGMENT_MAX + 2; seg++) {
        /* a file name of seg bytes; then a folder of seg bytes */
        memset(p, 'T', seg - 4);
        memcpy(p + seg - 4, ".mkv", 4);
        p[seg] = '\0';
        assert_int_equal(lume_naming_parse(n, p, seg, NULL, &m),
                         seg <= LUME_NAMING_SEGMENT_MAX ? 0 : -1);
        assert_valid(&m);
        if (seg <= LUME_NAMING_SEGMENT_MAX)
            assert_int_equal(strlen(m.title), seg - 4);
        memset(p, 'F', seg);
        strcpy(p + seg, "/x.mkv");
        assert_int_equal(lume_naming_parse(n, p, seg + 6, NULL, &m),
                         seg <= LUME_NAMING_SEGMENT_MAX ? 0 : -1);
    }
    free(p);
}

/* The longest title: 255 bytes of 1..4-byte characters, and 255 bytes of
 * bad bytes (each 3 bytes of U+FFFD out), cut at a character boundary
 * (found by fuzz_naming: a cut inside a U+FFFD). */
static void longest_texts(void **state)
{
    static const char *const chars[] = {"a", "\xc3\xa9", "\xe5\xb7\xa8", "\xf0\x9f\x8e\xac",
                                        "\xff"};
    char name[LUME_NAMING_SEGMENT_MAX + 1];
    lume_media_name m;
    (void)state;

    for (size_t c = 0; c < 4 * sizeof(chars) / sizeof(chars[0]); c++) {
        /* after 0..3 ASCII bytes, so the bound falls inside a character */
        size_t cl = strlen(chars[c / 4]), len = c % 4;
        memset(name, 'a', len);
        while (len + cl <= LUME_NAMING_SEGMENT_MAX) {
            memcpy(name + len, chars[c / 4], cl);
            len += cl;
        }
        for (size_t cut = len - 2 * cl; cut <= len; cut++) {
            assert_int_equal(lume_naming_parse(n, name, cut, NULL, &m), 0);
            assert_valid(&m);
            /* the same name in a season folder: the episode title */
            {
                char path[LUME_NAMING_SEGMENT_MAX + 32];
                memcpy(path, "S/Season 1/", 11);
                memcpy(path + 11, name, cut);
                assert_int_equal(lume_naming_parse(n, path, 11 + cut, NULL, &m), 0);
                assert_valid(&m);
            }
        }
    }
    /* "S01E01 - " then 246 bytes of title: the episode title, whole */
    memcpy(name, "S01E01 - ", 9);
    memset(name + 9, 'e', LUME_NAMING_SEGMENT_MAX - 9);
    assert_int_equal(lume_naming_parse(n, name, LUME_NAMING_SEGMENT_MAX, NULL, &m), 0);
    assert_int_equal(strlen(m.episode_title), LUME_NAMING_SEGMENT_MAX - 9);
    /* the longest group: 31 bytes; 32 is no group */
    {
        char g[128];
        snprintf(g, sizeof(g), "Film.2010.1080p.x264-%.31s.mkv",
                 "GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG");
        m = parse(g, NULL);
        assert_int_equal(strlen(m.group), LUME_NAMING_GROUP_MAX);
        snprintf(g, sizeof(g), "Film.2010.1080p.x264-%.32s.mkv",
                 "GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG");
        m = parse(g, NULL);
        assert_string_equal(m.group, "");
    }
}

static void hostile_bytes(void **state)
{
    lume_media_name m;
    (void)state;

    m = parse("Film\nName (2010).mkv", NULL);
    assert_string_equal(m.title, "Film Name");
    m = parse("Show\r\n/Season 1/\x01Show - S01E01 - Ti\x7ftle.mkv", NULL);
    assert_valid(&m);
    assert_string_equal(m.episode_title, "Ti tle");
    m = parse("\xc2\x85"
              "Film\xe2\x80\xa8"
              "(2010).mkv",
              NULL); /* NEL, LINE SEPARATOR */
    assert_string_equal(m.title, "Film");
    m = parse("Bad\xff(2010).mkv", NULL);
    assert_string_equal(m.title, "Bad\xef\xbf\xbd");
    assert_string_equal(m.key, "bad");
    m = parse("\xff\xfe\xfd.mkv", NULL);
    assert_valid(&m);
    assert_int_equal(m.kind, LUME_MEDIA_UNKNOWN); /* no letter, no title */
    m = parse("Film (2010)/\xf0\x9f\x8e\xac.mkv", NULL);
    assert_valid(&m);
}

static void keys(void **state)
{
    char key[8];
    (void)state;

    assert_int_equal(lume_naming_key("Ab-C", 4, key, sizeof(key)), 3);
    assert_string_equal(key, "abc");
    /* cut at a character: "éé" is "ee"; "巨巨" needs 6 bytes */
    assert_int_equal(lume_naming_key("\xe5\xb7\xa8\xe5\xb7\xa8\xe5\xb7\xa8", 9, key, sizeof(key)),
                     6);
    assert_int_equal(lume_naming_key("abcdefghij", 10, key, sizeof(key)), 7);
    assert_string_equal(key, "abcdefg");
    assert_int_equal(lume_naming_key("\xc3\x9f\xc3\x86", 4, key, sizeof(key)), 4);
    assert_string_equal(key, "ssae");
    assert_int_equal(lume_naming_key("x", 1, key, 1), 0);
    assert_string_equal(key, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layouts),       cmocka_unit_test(specials_and_dates),
        cmocka_unit_test(multi_episode), cmocka_unit_test(numeric_titles),
        cmocka_unit_test(nxn_in_titles), cmocka_unit_test(the_query_as_hint),
        cmocka_unit_test(matching),      cmocka_unit_test(extras),
        cmocka_unit_test(paths_refused), cmocka_unit_test(length_bounds),
        cmocka_unit_test(longest_texts), cmocka_unit_test(hostile_bytes),
        cmocka_unit_test(keys),          cmocka_unit_test(corpus),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
