/*
 * test_index.c: the library provider's index (providers/library/index.c).
 * What it keeps:
 *
 *  - The schema: WAL mode, user_version LUME_INDEX_SCHEMA; the writer
 *    rebuilds an index of another version empty, a reader refuses it; a
 *    reader of no database is LUME_ERR_NOT_FOUND, and cannot write.
 *  - Finding: by the title's key (case, accents, punctuation: "amelie",
 *    "greys anatomy"), by key and year ("1917 2019"), then by every word
 *    (FTS5: "boys" finds "The Boys" and "The Boys Presents..."), exact
 *    matches first; season and episode filter, a multi-episode file spans
 *    its episodes; results and subtitles are bounded; facts and subtitles
 *    come back as written. find_best's own query for the titles named
 *    filters and orders the same way. The next episode is looked for in
 *    the found item's series (title and year).
 *  - Writing: an item is replaced in place (same id) by its (root, path);
 *    removing it removes its subtitles; forgetting a root its items.
 *  - Transactions: a reader sees only what was committed; a writer that
 *    dies inside a transaction (its _exit, or SIGKILL in a loop of
 *    commits) leaves the last committed state, and the database whole.
 */
#include "lib/unit.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "library/index.h"
#include "library/naming.h"

static lume_naming *names;
static char dir[64], db[128];

static int setup(void **state)
{
    char err[256];
    (void)state;
    names = lume_naming_create(err, sizeof(err));
    return names == NULL;
}

static int teardown(void **state)
{
    (void)state;
    lume_naming_destroy(names);
    return 0;
}

static int each_setup(void **state)
{
    char tmpl[] = "/tmp/lume-index-XXXXXX";
    (void)state;
    if (mkdtemp(tmpl) == NULL)
        return -1;
    snprintf(dir, sizeof(dir), "%s", tmpl);
    snprintf(db, sizeof(db), "%s/library.db", dir);
    return 0;
}

static int each_teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) != 0;
}

static lume_index *open_rw(void)
{
    lume_index *idx = NULL;
    assert_int_equal(lume_index_open_rw(db, &idx), LUME_OK);
    assert_non_null(idx);
    return idx;
}

static lume_index *open_ro(void)
{
    lume_index *idx = NULL;
    assert_int_equal(lume_index_open_ro(db, &idx), LUME_OK);
    assert_non_null(idx);
    return idx;
}

/* Put the file at path (named by naming.c) under root; its id. */
static int64_t put(lume_index *idx, int64_t root, const char *path, const lume_probe_facts *f)
{
    lume_media_name m;
    lume_index_entry e = {.root_id = root,
                          .path = path,
                          .name = &m,
                          .size = 1000,
                          .mtime_ns = 42,
                          .probe = f ? LUME_PROBE_OK : LUME_PROBE_FAILED,
                          .facts = f};
    int64_t id = 0;
    assert_int_equal(lume_naming_parse(names, path, strlen(path), NULL, &m), 0);
    assert_int_equal(lume_index_put(idx, &e, &id), LUME_OK);
    assert_true(id > 0);
    return id;
}

typedef struct found {
    size_t n;
    char title[8][128], path[8][256];
    int match[8], season[8], episode[8];
    lume_index_item first;
    char first_root[64], first_path[256], first_etitle[128]; /* first's strings, copied */
    char first_sub[4][256], first_lang[4][8];
    size_t first_subs;
} found;

static int collect(void *ctx, const lume_index_item *it)
{
    found *f = ctx;
    if (f->n == 0) {
        f->first = *it;
        snprintf(f->first_root, sizeof(f->first_root), "%s", it->root);
        snprintf(f->first_path, sizeof(f->first_path), "%s", it->path);
        snprintf(f->first_etitle, sizeof(f->first_etitle), "%s", it->episode_title);
        f->first_subs = it->n_subtitles;
        for (size_t i = 0; i < it->n_subtitles && i < 4; i++) {
            snprintf(f->first_sub[i], sizeof(f->first_sub[i]), "%s", it->subtitles[i].path);
            snprintf(f->first_lang[i], sizeof(f->first_lang[i]), "%s", it->subtitles[i].lang);
        }
    }
    if (f->n < 8) {
        snprintf(f->title[f->n], sizeof(f->title[0]), "%s", it->title);
        snprintf(f->path[f->n], sizeof(f->path[0]), "%s", it->path);
        f->match[f->n] = it->match;
        f->season[f->n] = it->season;
        f->episode[f->n] = it->episode;
    }
    f->n++;
    return 0;
}

static found find(lume_index *idx, const char *q, int season, int episode)
{
    found f;
    size_t n = 99;
    memset(&f, 0, sizeof(f));
    assert_int_equal(lume_index_find(idx, q, season, episode, 0, collect, &f, &n), LUME_OK);
    assert_int_equal(n, f.n);
    return f;
}

/* As find, through lume_index_find_best. */
static found find_best(lume_index *idx, const char *q, int season, int episode)
{
    found f;
    size_t n = 99;
    memset(&f, 0, sizeof(f));
    assert_int_equal(lume_index_find_best(idx, q, season, episode, 0, collect, &f, &n, NULL),
                     LUME_OK);
    assert_int_equal(n, f.n);
    return f;
}

static void fill(lume_index *idx, int64_t *root_out)
{
    int64_t root;
    lume_probe_facts mp4 = {.container = "mp4",
                            .video_codec = "h264",
                            .audio_codec = "aac",
                            .width = 1920,
                            .height = 1080,
                            .duration_s = 7260.5,
                            .bitrate = 4000000,
                            .size = 1000,
                            .seekable = 1};
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    assert_int_equal(lume_index_root(idx, "/media/films", &root), LUME_OK);
    put(idx, root, "Amélie (2001)/Amélie (2001).mp4", &mp4);
    put(idx, root, "1917 (2019)/1917 (2019).mkv", NULL);
    put(idx, root, "Grey's Anatomy/Season 01/Grey's Anatomy - S01E01 - A Hard Day.mkv", NULL);
    put(idx, root, "The Boys/Season 04/The Boys - S04E01 - Department of Dirty Tricks.mkv", &mp4);
    put(idx, root, "The Boys/Season 04/The Boys - S04E02 - Life Among the Septics.mkv", NULL);
    put(idx, root, "The Boys/Season 04/The Boys - S04E03-E04.mkv", NULL);
    put(idx, root, "The Boys/Season 01/The Boys - S01E01 - The Name of the Game.mkv", NULL);
    put(idx, root, "The.Boys.Presents.Diabolical.S01E01.1080p.WEB-DL.x264-GRP.mkv", NULL);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    if (root_out != NULL)
        *root_out = root;
}

static void test_schema_and_wal(void **state)
{
    lume_index *idx = open_rw();
    sqlite3 *s;
    sqlite3_stmt *st;
    (void)state;
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), LUME_INDEX_SCHEMA);
    sqlite3_finalize(st);
    sqlite3_close(s);
    lume_index_close(idx);
    /* Open again: the same schema, nothing dropped. */
    idx = open_rw();
    fill(idx, NULL);
    lume_index_close(idx);
    idx = open_rw();
    {
        int64_t n;
        assert_int_equal(lume_index_count(idx, &n), LUME_OK);
        assert_int_equal(n, 8);
    }
    lume_index_close(idx);
}

static void test_other_version_rebuilt_by_writer_refused_by_reader(void **state)
{
    lume_index *idx = open_rw(), *ro = NULL;
    sqlite3 *s;
    int64_t n = -1;
    (void)state;
    fill(idx, NULL);
    lume_index_close(idx);
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    assert_int_equal(lume_index_open_ro(db, &ro), LUME_ERR_UNAVAILABLE);
    assert_null(ro);
    idx = open_rw();
    assert_int_equal(lume_index_count(idx, &n), LUME_OK);
    assert_int_equal(n, 0);
    lume_index_close(idx);
    ro = open_ro();
    lume_index_close(ro);
}

static void test_reader_of_nothing_and_reader_cannot_write(void **state)
{
    lume_index *ro = NULL, *idx;
    int64_t root;
    (void)state;
    assert_int_equal(lume_index_open_ro(db, &ro), LUME_ERR_NOT_FOUND);
    assert_null(ro);
    idx = open_rw();
    ro = open_ro();
    assert_int_not_equal(lume_index_begin(ro), LUME_OK);
    assert_int_not_equal(lume_index_root(ro, "/x", &root), LUME_OK);
    assert_int_not_equal(lume_index_remove(ro, 1), LUME_OK);
    lume_index_close(ro);
    lume_index_close(idx);
}

static void test_find_by_key_year_and_words(void **state)
{
    lume_index *idx = open_rw(), *ro;
    found f;
    (void)state;
    fill(idx, NULL);
    ro = open_ro();

    f = find(ro, "amelie", -1, -1);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.title[0], "Amélie");
    assert_int_equal(f.match[0], LUME_NAMING_MATCH_TITLE);
    assert_string_equal(f.first_root, "/media/films");
    assert_string_equal(f.first_path, "Amélie (2001)/Amélie (2001).mp4");
    assert_int_equal(f.first.kind, LUME_MEDIA_FILM);
    assert_int_equal(f.first.year, 2001);
    assert_int_equal(f.first.probe, LUME_PROBE_OK);
    assert_string_equal(f.first.facts.container, "mp4");
    assert_string_equal(f.first.facts.video_codec, "h264");
    assert_string_equal(f.first.facts.audio_codec, "aac");
    assert_int_equal(f.first.facts.width, 1920);
    assert_int_equal(f.first.facts.height, 1080);
    assert_true(f.first.facts.duration_s == 7260.5);
    assert_int_equal(f.first.facts.bitrate, 4000000);
    assert_int_equal(f.first.facts.seekable, 1);
    assert_int_equal(f.first.size, 1000);
    assert_int_equal(f.first.mtime_ns, 42);

    assert_int_equal(find(ro, "AMÉLIE", -1, -1).n, 1);
    assert_int_equal(find(ro, "Amélie 2001", -1, -1).match[0], LUME_NAMING_MATCH_YEAR);
    f = find(ro, "1917 2019", -1, -1);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.match[0], LUME_NAMING_MATCH_YEAR);
    assert_int_equal(find(ro, "1917", -1, -1).match[0], LUME_NAMING_MATCH_TITLE);
    assert_int_equal(find(ro, "1917 2020", -1, -1).n, 0);
    /* The key drops the apostrophe; the words find it too. */
    assert_int_equal(find(ro, "greys anatomy", -1, -1).match[0], LUME_NAMING_MATCH_TITLE);
    assert_int_equal(find(ro, "grey's", -1, -1).n, 1);

    /* Words: every one, any case; the exact title first. */
    f = find(ro, "the boys", -1, -1);
    assert_int_equal(f.n, 5);
    assert_int_equal(f.match[0], LUME_NAMING_MATCH_TITLE);
    assert_string_equal(f.title[0], "The Boys");
    assert_int_equal(f.season[0], 1);
    assert_int_equal(f.season[1], 4);
    assert_int_equal(f.episode[1], 1);
    assert_string_equal(f.title[4], "The Boys Presents Diabolical");
    assert_int_equal(f.match[4], 0);
    f = find(ro, "DIABOLICAL", -1, -1);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.match[0], 0);
    assert_int_equal(find(ro, "boys nothing", -1, -1).n, 0);
    lume_index_close(ro);
    lume_index_close(idx);
}

/* A search for a title: the titles it names when there are any, else the
 * words (the same order and filters as find). */
static void test_find_best_reads_the_words_only_when_no_title_is_named(void **state)
{
    lume_index *idx = open_rw(), *ro;
    found f;

    (void)state;
    fill(idx, NULL);
    ro = open_ro();
    f = find_best(ro, "the boys", -1, -1);
    assert_int_equal(f.n, 4); /* not "The Boys Presents Diabolical": the words not read */
    assert_int_equal(f.match[0], LUME_NAMING_MATCH_TITLE);
    assert_int_equal(f.match[3], LUME_NAMING_MATCH_TITLE);
    f = find_best(ro, "DIABOLICAL", -1, -1);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.match[0], 0);
    assert_int_equal(find_best(ro, "1917 2019", -1, -1).match[0], LUME_NAMING_MATCH_YEAR);
    assert_int_equal(find_best(ro, "boys nothing", -1, -1).n, 0);
    lume_index_close(ro);
    lume_index_close(idx);
}

/* find_best's own query (the titles named, one index range) filters and
 * orders as find does: by season, episode; a multi-episode file spans. */
static void test_find_best_filters_seasons_and_episodes_as_find_does(void **state)
{
    lume_index *idx = open_rw(), *ro;
    found f;

    (void)state;
    fill(idx, NULL);
    ro = open_ro();
    f = find_best(ro, "The Boys", -1, -1);
    assert_int_equal(f.n, 4);
    assert_int_equal(f.season[0], 1);
    assert_int_equal(f.season[1], 4);
    assert_int_equal(f.episode[1], 1);
    assert_int_equal(f.episode[3], 3);
    f = find_best(ro, "The Boys", 4, -1);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.episode[0], 1);
    assert_int_equal(f.episode[2], 3);
    f = find_best(ro, "The Boys", 4, 2);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.first_etitle, "Life Among the Septics");
    f = find_best(ro, "The Boys", 4, 4); /* S04E03-E04 */
    assert_int_equal(f.n, 1);
    assert_int_equal(f.first.episode_end, 4);
    assert_int_equal(f.first.match, LUME_NAMING_MATCH_TITLE);
    assert_int_equal(find_best(ro, "The Boys", 4, 5).n, 0);
    assert_int_equal(find_best(ro, "The Boys", 2, -1).n, 0);
    f = find_best(ro, "Amelie 2001", -1, -1); /* the title and its year */
    assert_int_equal(f.n, 1);
    assert_int_equal(f.first.match, LUME_NAMING_MATCH_YEAR);
    assert_int_equal(f.first.facts.height, 1080);
    assert_int_equal(find_best(ro, "Amelie 1999", -1, -1).n, 0); /* another year: the words */
    lume_index_close(ro);
    lume_index_close(idx);
}

/* A query ending in a year names that title of that year; else (or when
 * none is there) the title of the whole key. */
static void test_find_best_reads_a_trailing_year_as_the_year(void **state)
{
    lume_index *idx = open_rw(), *ro;
    int64_t root;
    found f;

    (void)state;
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    assert_int_equal(lume_index_root(idx, "/media/films", &root), LUME_OK);
    put(idx, root, "Dune (1984)/Dune (1984).mkv", NULL);
    put(idx, root, "Dune (2021)/Dune (2021).mkv", NULL);
    put(idx, root, "Blade Runner 2049 (2017)/Blade Runner 2049 (2017).mkv", NULL);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    ro = open_ro();
    f = find_best(ro, "dune 2021", -1, -1);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.first.year, 2021);
    assert_int_equal(f.first.match, LUME_NAMING_MATCH_YEAR);
    f = find_best(ro, "Dune", -1, -1);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.match[1], LUME_NAMING_MATCH_TITLE);
    f = find_best(ro, "Blade Runner 2049", -1, -1);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.first.year, 2017);
    assert_int_equal(f.first.match, LUME_NAMING_MATCH_TITLE);
    lume_index_close(ro);
    lume_index_close(idx);
}

static lume_index_next next_of(lume_index *idx, const char *q, int season, int episode, size_t max)
{
    lume_index_next next = (lume_index_next)-1;
    size_t n = 0;

    assert_int_equal(lume_index_find_best(idx, q, season, episode, max, NULL, NULL, &n, &next),
                     LUME_OK);
    return n > 0 ? next : (lume_index_next)-2;
}

/* What follows a found episode is read with it: the next episode (its own
 * file or spanned), else the next season's first, else nothing; in the
 * first result's series only (title and year). */
static void test_find_best_says_what_follows_the_episode(void **state)
{
    lume_index *idx = open_rw(), *ro;
    int64_t root;

    (void)state;
    fill(idx, &root);
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    put(idx, root, "Show/Season 01/Show - S01E01.mkv", NULL);
    put(idx, root, "Show/Season 01/Show - S01E02.mkv", NULL);
    put(idx, root, "Show/Season 02/Show - S02E01.mkv", NULL);
    put(idx, root, "Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01.mkv", NULL);
    put(idx, root, "Doctor Who (1963)/Season 01/Doctor Who (1963) - S01E02.mkv", NULL);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    ro = open_ro();
    assert_int_equal(next_of(ro, "The Boys", 4, 1, 0), LUME_INDEX_NEXT_EPISODE);
    assert_int_equal(next_of(ro, "The Boys", 4, 2, 0), LUME_INDEX_NEXT_EPISODE); /* E03-E04 */
    assert_int_equal(next_of(ro, "The Boys", 4, 3, 0), LUME_INDEX_NEXT_EPISODE); /* spans 4 */
    assert_int_equal(next_of(ro, "The Boys", 4, 4, 0), LUME_INDEX_NEXT_NONE);
    assert_int_equal(next_of(ro, "The Boys", 1, 1, 0), LUME_INDEX_NEXT_NONE);
    assert_int_equal(next_of(ro, "Show", 1, 1, 0), LUME_INDEX_NEXT_EPISODE);
    assert_int_equal(next_of(ro, "Show", 1, 1, 1), LUME_INDEX_NEXT_EPISODE); /* stopped at max */
    assert_int_equal(next_of(ro, "Show", 1, 2, 0), LUME_INDEX_NEXT_SEASON);
    assert_int_equal(next_of(ro, "Show", 2, 1, 0), LUME_INDEX_NEXT_NONE);
    assert_int_equal(next_of(ro, "Doctor Who", 1, 1, 0), LUME_INDEX_NEXT_NONE); /* 1963's E02 */
    assert_int_equal(next_of(ro, "Doctor Who 2005", 1, 1, 0), LUME_INDEX_NEXT_NONE);
    assert_int_equal(next_of(ro, "Doctor Who", 1, 3, 0), (lume_index_next)-2);  /* none found */
    assert_int_equal(next_of(ro, "Show", 1, -1, 0), LUME_INDEX_NEXT_NONE);      /* not asked */
    assert_int_equal(next_of(ro, "DIABOLICAL", 1, 1, 0), LUME_INDEX_NEXT_NONE); /* the words */
    lume_index_close(ro);
    lume_index_close(idx);
}

/* The next episode is looked for in the series of the item found: its
 * title and year, a file of its own or one spanning it. */
static void test_has_episode_in_the_items_series(void **state)
{
    lume_index *idx = open_rw(), *ro;
    int64_t root, e1, other;
    int has = -1;

    (void)state;
    fill(idx, &root);
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    other = put(idx, root, "Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01.mkv", NULL);
    put(idx, root, "Doctor Who (1963)/Season 01/Doctor Who (1963) - S01E02.mkv", NULL);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    ro = open_ro();
    e1 = find_best(ro, "The Boys", 4, 1).first.id;
    assert_int_equal(lume_index_has_episode(ro, e1, 4, 2, &has), LUME_OK);
    assert_int_equal(has, 1);
    assert_int_equal(lume_index_has_episode(ro, e1, 4, 4, &has), LUME_OK);
    assert_int_equal(has, 1); /* spanned by S04E03-E04 */
    assert_int_equal(lume_index_has_episode(ro, e1, 4, 5, &has), LUME_OK);
    assert_int_equal(has, 0);
    assert_int_equal(lume_index_has_episode(ro, e1, 5, 1, &has), LUME_OK);
    assert_int_equal(has, 0);
    assert_int_equal(lume_index_has_episode(ro, e1, 1, 1, &has), LUME_OK);
    assert_int_equal(has, 1);
    /* Not "The Boys Presents: Diabolical", not another year's series. */
    assert_int_equal(lume_index_has_episode(ro, other, 1, 2, &has), LUME_OK);
    assert_int_equal(has, 0);
    assert_int_equal(lume_index_has_episode(ro, 999999, 1, 1, &has), LUME_OK);
    assert_int_equal(has, 0); /* no such item */
    lume_index_close(ro);
    lume_index_close(idx);
}

static void test_season_and_episode_filters(void **state)
{
    lume_index *idx = open_rw();
    found f;
    (void)state;
    fill(idx, NULL);
    f = find(idx, "The Boys", 4, -1);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.episode[0], 1);
    assert_int_equal(f.episode[1], 2);
    assert_int_equal(f.episode[2], 3);
    f = find(idx, "The Boys", 4, 2);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.first_etitle, "Life Among the Septics");
    /* S04E03-E04 holds episode 4. */
    f = find(idx, "The Boys", 4, 4);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.first.episode, 3);
    assert_int_equal(f.first.episode_end, 4);
    assert_int_equal(find(idx, "The Boys", 4, 5).n, 0);
    assert_int_equal(find(idx, "The Boys", 2, -1).n, 0);
    assert_int_equal(find(idx, "Amelie", 1, -1).n, 0);
    lume_index_close(idx);
}

/* A reader may keep its snapshot over several reads: it sees a commit
 * once the snapshot is let go or older than it may be; by default (and
 * with 0) every read sees the latest. */
static void test_a_kept_snapshot_sees_commits_once_let_go_or_old(void **state)
{
    lume_index *idx = open_rw(), *ro;
    int64_t root;
    int64_t items = 0;

    (void)state;
    fill(idx, &root);
    ro = open_ro();
    lume_index_hold(ro, 60000);
    assert_int_equal(find_best(ro, "Dune", -1, -1).n, 0);
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    put(idx, root, "Dune (2021)/Dune (2021).mkv", NULL);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    assert_int_equal(find_best(ro, "Dune", -1, -1).n, 0); /* the kept snapshot */
    assert_int_equal(lume_index_count(ro, &items), LUME_OK);
    assert_int_equal(items, 8);
    lume_index_release(ro);
    assert_int_equal(find_best(ro, "Dune", -1, -1).n, 1);
    /* Older than it may be: a new one. */
    lume_index_hold(ro, 30);
    assert_int_equal(find_best(ro, "Arrival", -1, -1).n, 0);
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    put(idx, root, "Arrival (2016)/Arrival (2016).mkv", NULL);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    usleep(40 * 1000);
    assert_int_equal(find_best(ro, "Arrival", -1, -1).n, 1);
    /* None kept: at once. */
    lume_index_hold(ro, 0);
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    put(idx, root, "Heat (1995)/Heat (1995).mkv", NULL);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    assert_int_equal(find_best(ro, "Heat", -1, -1).n, 1);
    lume_index_release(ro); /* none held: nothing */
    lume_index_close(ro);
    lume_index_close(idx);
}

static void test_bad_queries(void **state)
{
    lume_index *idx = open_rw();
    char *longq = unit_repeat("", "a", LUME_NAMING_TEXT_MAX + 1, "");
    size_t n = 9;
    (void)state;
    fill(idx, NULL);
    assert_int_equal(lume_index_find(idx, "", -1, -1, 0, collect, NULL, &n),
                     LUME_ERR_INVALID_QUERY);
    assert_int_equal(n, 0);
    assert_int_equal(lume_index_find(idx, "!!! ...", -1, -1, 0, collect, NULL, NULL),
                     LUME_ERR_INVALID_QUERY);
    assert_int_equal(lume_index_find(idx, NULL, -1, -1, 0, collect, NULL, NULL),
                     LUME_ERR_INVALID_QUERY);
    assert_int_equal(lume_index_find(idx, longq, -1, -1, 0, collect, NULL, NULL),
                     LUME_ERR_INVALID_QUERY);
    longq[LUME_NAMING_TEXT_MAX] = '\0';
    assert_int_equal(find(idx, longq, -1, -1).n, 0);
    /* FTS5 syntax in a query is words, never syntax. */
    assert_int_equal(find(idx, "boys OR \"* NEAR( ^the", -1, -1).n, 0);
    assert_int_equal(find(idx, "boys* AND the", -1, -1).n, 0);
    free(longq);
    lume_index_close(idx);
}

static int stop_at_two(void *ctx, const lume_index_item *it)
{
    (void)it;
    return ++*(int *)ctx == 2;
}

static void test_bounds(void **state)
{
    lume_index *idx = open_rw();
    int64_t root;
    size_t n;
    int calls = 0;
    lume_index_subtitle subs[LUME_INDEX_SUBTITLES_MAX + 4];
    char paths[LUME_INDEX_SUBTITLES_MAX + 4][64];
    found f;
    (void)state;
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    assert_int_equal(lume_index_root(idx, "/media/series", &root), LUME_OK);
    for (int e = 1; e <= LUME_INDEX_FIND_MAX + 20; e++) {
        char path[128];
        snprintf(path, sizeof(path), "Show/Season 01/Show - S01E%03d.mkv", e);
        put(idx, root, path, NULL);
    }
    for (size_t i = 0; i < LUME_INDEX_SUBTITLES_MAX + 4; i++) {
        snprintf(paths[i], sizeof(paths[i]), "Show/Season 01/Show - S01E001.%02zu.srt", i);
        memset(&subs[i], 0, sizeof(subs[i]));
        subs[i].path = paths[i];
        snprintf(subs[i].lang, sizeof(subs[i].lang), "en");
        snprintf(subs[i].format, sizeof(subs[i].format), "srt");
    }
    assert_int_equal(lume_index_set_subtitles(idx, 1, subs, LUME_INDEX_SUBTITLES_MAX + 4, 5),
                     LUME_OK);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    f = find(idx, "show", 1, -1);
    assert_int_equal(f.n, LUME_INDEX_FIND_MAX);
    assert_int_equal(f.first_subs, LUME_INDEX_SUBTITLES_MAX);
    assert_int_equal(lume_index_find(idx, "show", 1, -1, 7, collect, &f, &n), LUME_OK);
    assert_int_equal(n, 7);
    assert_int_equal(lume_index_find(idx, "show", 1, -1, 500, NULL, NULL, &n), LUME_OK);
    assert_int_equal(n, LUME_INDEX_FIND_MAX);
    assert_int_equal(lume_index_find(idx, "show", 1, -1, 0, stop_at_two, &calls, &n), LUME_OK);
    assert_int_equal(n, 2);
    lume_index_close(idx);
}

static int count_files(void *ctx, const lume_index_file *f)
{
    /* Amélie's subtitles were set with the signature 77; the rest have none. */
    assert_int_equal(f->subs_sig, strncmp(f->path, "Amélie", 6) == 0 ? 77 : 0);
    assert_int_equal(f->size, 1000);
    assert_int_equal(f->mtime_ns, 42);
    ++*(int *)ctx;
    return 0;
}

static void test_replace_remove_and_roots(void **state)
{
    lume_index *idx = open_rw();
    int64_t root, other, id, id2, n;
    lume_index_subtitle sub = {
        .path = "Amélie (2001)/Amélie (2001).fr.srt", .lang = "fr", .format = "srt"};
    int files = 0;
    found f;
    (void)state;
    fill(idx, &root);
    /* Replaced in place: same id, new facts. */
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    id = put(idx, root, "Amélie (2001)/Amélie (2001).mp4", NULL);
    assert_int_equal(lume_index_set_subtitles(idx, id, &sub, 1, 77), LUME_OK);
    id2 = put(idx, root, "Amélie (2001)/Amélie (2001).mp4", NULL);
    assert_int_equal(id, id2);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    f = find(idx, "amelie", -1, -1);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.first.probe, LUME_PROBE_FAILED);
    assert_string_equal(f.first.facts.container, "");
    assert_int_equal(f.first_subs, 1);
    assert_string_equal(f.first_sub[0], "Amélie (2001)/Amélie (2001).fr.srt");
    assert_string_equal(f.first_lang[0], "fr");
    /* Listed for the scanner; removed with its subtitles. */
    assert_int_equal(lume_index_files(idx, root, count_files, &files), LUME_OK);
    assert_int_equal(files, 8);
    assert_int_equal(lume_index_remove(idx, id), LUME_OK);
    assert_int_equal(find(idx, "amelie", -1, -1).n, 0);
    {
        sqlite3 *s;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(s, "SELECT count(*) FROM subtitles", -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 0);
        sqlite3_finalize(st);
        sqlite3_close(s);
    }
    /* Roots: the same path is the same root; forgetting one forgets its items. */
    assert_int_equal(lume_index_root(idx, "/media/films", &other), LUME_OK);
    assert_int_equal(other, root);
    assert_int_equal(lume_index_root(idx, "/media/other", &other), LUME_OK);
    assert_int_not_equal(other, root);
    put(idx, other, "Film (2010)/Film (2010).mp4", NULL);
    assert_int_equal(lume_index_keep_roots(idx, &other, 1), LUME_OK);
    assert_int_equal(lume_index_count(idx, &n), LUME_OK);
    assert_int_equal(n, 1);
    assert_int_equal(find(idx, "the boys", -1, -1).n, 0);
    assert_int_equal(find(idx, "film", -1, -1).n, 1);
    lume_index_close(idx);
}

static void test_reader_sees_commits_only(void **state)
{
    lume_index *idx = open_rw(), *ro;
    int64_t root;
    (void)state;
    fill(idx, &root);
    ro = open_ro();
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    put(idx, root, "Heat (1995)/Heat (1995).mkv", NULL);
    assert_int_equal(find(ro, "heat", -1, -1).n, 0);
    assert_int_equal(lume_index_commit(idx), LUME_OK);
    assert_int_equal(find(ro, "heat", -1, -1).n, 1);
    assert_int_equal(lume_index_begin(idx), LUME_OK);
    put(idx, root, "Ronin (1998)/Ronin (1998).mkv", NULL);
    lume_index_rollback(idx);
    assert_int_equal(find(ro, "ronin", -1, -1).n, 0);
    assert_int_equal(find(idx, "ronin", -1, -1).n, 0);
    lume_index_close(ro);
    lume_index_close(idx);
}

static void assert_whole(int64_t items)
{
    lume_index *ro = open_ro(), *idx;
    sqlite3 *s;
    sqlite3_stmt *st;
    int64_t n = -1;
    assert_int_equal(lume_index_count(ro, &n), LUME_OK);
    if (items >= 0)
        assert_int_equal(n, items);
    assert_int_equal(find(ro, "the boys", 4, 1).n, 1);
    lume_index_close(ro);
    idx = open_rw();
    lume_index_close(idx);
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_exec(s, "INSERT INTO titles(titles) VALUES ('integrity-check')", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(s);
}

static void test_writer_dies_inside_a_transaction(void **state)
{
    lume_index *idx = open_rw();
    int64_t root;
    pid_t pid;
    int ws;
    (void)state;
    fill(idx, &root);
    lume_index_close(idx);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        lume_index *w = NULL;
        if (lume_index_open_rw(db, &w) != LUME_OK || lume_index_begin(w) != LUME_OK)
            _exit(2);
        for (int i = 0; i < 3000; i++) {
            char path[64];
            snprintf(path, sizeof(path), "Film %d (2000)/Film %d (2000).mkv", i, i);
            put(w, root, path, NULL);
        }
        lume_index_remove(w, 1);
        _exit(0); /* no commit, no close */
    }
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    assert_whole(8);
}

static void test_writer_killed_among_commits(void **state)
{
    lume_index *idx = open_rw();
    int64_t root, n = -1;
    pid_t pid;
    int ws, fds[2];
    char c;
    (void)state;
    fill(idx, &root);
    lume_index_close(idx);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        lume_index *w = NULL;
        close(fds[0]);
        if (lume_index_open_rw(db, &w) != LUME_OK)
            _exit(2);
        for (int t = 0;; t++) {
            if (lume_index_begin(w) != LUME_OK)
                _exit(3);
            for (int i = 0; i < 100; i++) {
                char path[64];
                snprintf(path, sizeof(path), "Film %d (2000)/Film %d.mkv", t, i);
                put(w, root, path, NULL);
            }
            if (lume_index_commit(w) != LUME_OK)
                _exit(4);
            if (t == 2 && write(fds[1], "x", 1) != 1)
                _exit(5);
        }
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &c, 1), 1); /* three commits in */
    usleep(20000);
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws));
    close(fds[0]);
    assert_whole(-1);
    idx = open_ro();
    assert_int_equal(lume_index_count(idx, &n), LUME_OK);
    assert_true(n >= 8 + 300);
    assert_int_equal((n - 8) % 100, 0); /* whole transactions only */
    lume_index_close(idx);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)
    const struct CMUnitTest tests[] = {
        T(test_schema_and_wal),
        T(test_other_version_rebuilt_by_writer_refused_by_reader),
        T(test_reader_of_nothing_and_reader_cannot_write),
        T(test_find_by_key_year_and_words),
        T(test_find_best_reads_the_words_only_when_no_title_is_named),
        T(test_find_best_filters_seasons_and_episodes_as_find_does),
        T(test_find_best_reads_a_trailing_year_as_the_year),
        T(test_has_episode_in_the_items_series),
        T(test_find_best_says_what_follows_the_episode),
        T(test_season_and_episode_filters),
        T(test_bad_queries),
        T(test_bounds),
        T(test_replace_remove_and_roots),
        T(test_reader_sees_commits_only),
        T(test_a_kept_snapshot_sees_commits_once_let_go_or_old),
        T(test_writer_dies_inside_a_transaction),
        T(test_writer_killed_among_commits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
