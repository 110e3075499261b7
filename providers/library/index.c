/*
 * index.c: the library's SQLite index: the schema and its version, the
 * writer's statements, the readers' search (index.h).
 *
 * Items are keyed by (root, path). The FTS5 table "titles" has the items
 * table as its content (content_rowid = items.id), kept by triggers. A
 * search is one statement: the exact key (naming.c's), the key with the
 * year, or every word of the query in the title.
 */
#include "index.h"

#include "clock.h"

#include <sqlite3.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUSY_WRITER_MS 5000
#define BUSY_READER_MS 200
#define FTS_WORDS_MAX  16
#define FTS_ROWS_MAX   1000 /* rows the words may bring before the filters */

static const char SCHEMA[] =
    "CREATE TABLE roots(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);"
    "CREATE TABLE items("
    " id INTEGER PRIMARY KEY,"
    " root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,"
    " path TEXT NOT NULL, kind INTEGER NOT NULL,"
    " title TEXT NOT NULL, title_key TEXT NOT NULL, year INTEGER NOT NULL,"
    " season INTEGER NOT NULL, episode INTEGER NOT NULL, episode_end INTEGER NOT NULL,"
    " episode_title TEXT NOT NULL,"
    " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    " probe INTEGER NOT NULL, container TEXT NOT NULL, video_codec TEXT NOT NULL,"
    " audio_codec TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,"
    " duration_s REAL NOT NULL, bitrate INTEGER NOT NULL, seekable INTEGER NOT NULL,"
    " subs_sig INTEGER NOT NULL,"
    " UNIQUE(root_id, path));"
    "CREATE INDEX items_key ON items(title_key, season, episode, episode_end);"
    "CREATE TABLE subtitles("
    " id INTEGER PRIMARY KEY,"
    " item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
    " path TEXT NOT NULL, lang TEXT NOT NULL, format TEXT NOT NULL,"
    " forced INTEGER NOT NULL, sdh INTEGER NOT NULL);"
    "CREATE INDEX subtitles_item ON subtitles(item_id);"
    "CREATE VIRTUAL TABLE titles USING fts5(title, content='items', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2');"
    "CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN"
    " INSERT INTO titles(rowid, title) VALUES (new.id, new.title); END;"
    "CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN"
    " INSERT INTO titles(titles, rowid, title) VALUES ('delete', old.id, old.title); END;"
    "CREATE TRIGGER items_au AFTER UPDATE OF title ON items BEGIN"
    " INSERT INTO titles(titles, rowid, title) VALUES ('delete', old.id, old.title);"
    " INSERT INTO titles(rowid, title) VALUES (new.id, new.title); END;";

static const char DROP[] = "DROP TABLE IF EXISTS titles; DROP TABLE IF EXISTS subtitles;"
                           "DROP TABLE IF EXISTS items; DROP TABLE IF EXISTS roots;";

#define ITEM_COLUMNS                                                                               \
    "i.id, r.path, i.path, i.kind, i.title, i.episode_title, i.year, i.season, i.episode,"         \
    " i.episode_end, i.size, i.mtime_ns, i.probe, i.container, i.video_codec, i.audio_codec,"      \
    " i.width, i.height, i.duration_s, i.bitrate, i.seekable, i.subs_sig"

/* An episode (?6) of its own file, or spanned by a multi-episode file. */
#define EPISODE_SPANNED                                                                            \
    " AND (?6 < 0 OR i.episode = ?6 OR (i.episode < ?6 AND i.episode_end >= ?6))"

static const char SQL_FIND[] =
    "SELECT " ITEM_COLUMNS ","
    " CASE WHEN i.title_key = ?1 THEN 2 WHEN i.title_key = ?2 AND i.year = ?3 THEN 1 ELSE 0 END"
    " AS m, 0 AS nx FROM items i JOIN roots r ON r.id = i.root_id"
    " WHERE (i.title_key = ?1 OR (i.title_key = ?2 AND i.year = ?3)"
    "  OR i.id IN (SELECT rowid FROM titles WHERE titles MATCH ?4 LIMIT ?8))"
    " AND (?5 < 0 OR i.season = ?5)" EPISODE_SPANNED
    " ORDER BY m DESC, i.title_key, i.year, i.season, i.episode, i.path LIMIT ?7";

/* The title the query names (SQL_FIND without the words): most queries
 * name one, and the words' doclists are the costly part. ?1 is a title's
 * key, ?3 its year (0: any), ?12 the match it is (naming.h). One range of
 * items_key, read in its order: no sort, no OR. Without a season: */
static const char SQL_FIND_TITLE[] =
    "SELECT " ITEM_COLUMNS ", ?12 AS m, 0 AS nx FROM items i JOIN roots r ON r.id = i.root_id"
    " WHERE i.title_key = ?1 AND (?3 = 0 OR i.year = ?3)" EPISODE_SPANNED
    " ORDER BY i.season, i.episode, i.episode_end";

/* With a season (?5), and an episode (?6) or none (-1). With an episode,
 * the rows of the next one (?6 + 1, a file of its own: nx) come too, not
 * as results: that it is there is what the found one's next link says,
 * read in the same statement (a multi-episode file spanning ?6 + 1 is
 * among the results). ?11 bounds the range: ?6 + 1, or any. */
static const char SQL_FIND_TITLE_SEASON[] =
    "SELECT " ITEM_COLUMNS ", ?12 AS m, ?6 >= 0 AND i.episode = ?6 + 1 AS nx"
    " FROM items i JOIN roots r ON r.id = i.root_id"
    " WHERE i.title_key = ?1 AND (?3 = 0 OR i.year = ?3) AND i.season = ?5"
    " AND i.episode <= ?11 AND (?6 < 0 OR i.episode = ?6 OR i.episode = ?6 + 1"
    " OR (i.episode < ?6 AND i.episode_end >= ?6))"
    " ORDER BY i.season, i.episode, i.episode_end";

/* Is episode ?3 of season ?2 of item ?1's title and year there, a file of
 * its own or spanned by a multi-episode file? Index only (items_key). */
static const char SQL_HAS_EPISODE[] =
    "SELECT 1 FROM items c, items n WHERE c.id = ?1 AND n.title_key = c.title_key"
    " AND n.season = ?2 AND n.episode <= ?3 AND (n.episode = ?3 OR n.episode_end >= ?3)"
    " AND n.year = c.year LIMIT 1";

static const char SQL_SUBS[] = "SELECT path, lang, format, forced, sdh FROM subtitles"
                               " WHERE item_id = ? ORDER BY path LIMIT ?";

static const char SQL_COUNT[] = "SELECT count(*) FROM items";

static const char SQL_ROOT_GET[] = "SELECT id FROM roots WHERE path = ?";
static const char SQL_ROOT_ADD[] = "INSERT INTO roots(path) VALUES (?)";
static const char SQL_FILES[] =
    "SELECT id, path, size, mtime_ns, probe, subs_sig FROM items WHERE root_id = ?";
static const char SQL_PUT[] =
    "INSERT INTO items(root_id, path, kind, title, title_key, year, season, episode, episode_end,"
    " episode_title, size, mtime_ns, probe, container, video_codec, audio_codec, width, height,"
    " duration_s, bitrate, seekable, subs_sig)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, 0)"
    " ON CONFLICT(root_id, path) DO UPDATE SET kind = ?3, title = ?4, title_key = ?5, year = ?6,"
    " season = ?7, episode = ?8, episode_end = ?9, episode_title = ?10, size = ?11,"
    " mtime_ns = ?12, probe = ?13, container = ?14, video_codec = ?15, audio_codec = ?16,"
    " width = ?17, height = ?18, duration_s = ?19, bitrate = ?20, seekable = ?21"
    " RETURNING id";
static const char SQL_SUBS_CLEAR[] = "DELETE FROM subtitles WHERE item_id = ?";
static const char SQL_SUBS_SIG[] = "UPDATE items SET subs_sig = ? WHERE id = ?";
static const char SQL_SUB_ADD[] =
    "INSERT INTO subtitles(item_id, path, lang, format, forced, sdh) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_REMOVE[] = "DELETE FROM items WHERE id = ?";

struct lume_index {
    sqlite3 *db;
    int rw;
    int in_tx;
    /* Readers */
    sqlite3_stmt *find, *find_title, *find_title_season, *has_episode, *subs, *count;
    /* A read snapshot kept over several finds (lume_index_hold): for at
     * most hold_ms; held_ms, when it began (0: none is held). */
    sqlite3_stmt *begin, *commit;
    int64_t hold_ms, held_ms;
    /* Writer */
    sqlite3_stmt *root_get, *root_add, *files, *put, *subs_clear, *subs_sig, *sub_add, *remove;
    /* One item's subtitles, copied out of their statement. */
    lume_index_subtitle sub[LUME_INDEX_SUBTITLES_MAX];
    char sub_path[LUME_INDEX_SUBTITLES_MAX][LUME_NAMING_PATH_MAX + 1];
};

static lume_status status_of(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return LUME_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return LUME_ERR_UNAVAILABLE;
    case SQLITE_CANTOPEN: return LUME_ERR_NOT_FOUND;
    default: return LUME_ERR_INTERNAL;
    }
}

void lume_index_close(lume_index *idx)
{
    if (idx == NULL)
        return;
    sqlite3_stmt **all[] = {&idx->begin,
                            &idx->commit,
                            &idx->find,
                            &idx->find_title,
                            &idx->find_title_season,
                            &idx->has_episode,
                            &idx->subs,
                            &idx->count,
                            &idx->root_get,
                            &idx->root_add,
                            &idx->files,
                            &idx->put,
                            &idx->subs_clear,
                            &idx->subs_sig,
                            &idx->sub_add,
                            &idx->remove};
    if (idx->in_tx)
        lume_index_rollback(idx);
    lume_index_release(idx);
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        sqlite3_finalize(*all[i]);
    sqlite3_close(idx->db);
    free(idx);
}

static int prepare(lume_index *idx, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v3(idx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

static int user_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The schema of this version, in one transaction; another version's
 * tables are dropped first. */
static int make_schema(sqlite3 *db)
{
    int version = 0, rc = user_version(db, &version);
    char sql[sizeof(DROP) + sizeof(SCHEMA) + 64];

    if (rc != SQLITE_OK || version == LUME_INDEX_SCHEMA)
        return rc;
    snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; %s %s PRAGMA user_version = %d; COMMIT;",
             version != 0 ? DROP : "", SCHEMA, LUME_INDEX_SCHEMA);
    rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* SQLite's process-wide settings, before its first use: no memory
 * statistics (a mutex and two counters on every allocation, which no one
 * reads). Once, whoever opens an index first. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE once started: harmless */
}

static lume_status open_index(const char *path, int rw, lume_index **out)
{
    lume_index *idx = calloc(1, sizeof(*idx));
    int flags = (rw ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                SQLITE_OPEN_NOMUTEX;
    int rc, version = 0;
    lume_status st;

    *out = NULL;
    if (idx == NULL)
        return LUME_ERR_INTERNAL;
    pthread_once(&sqlite_once, configure_sqlite);
    idx->rw = rw;
    rc = sqlite3_open_v2(path, &idx->db, flags, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_extended_result_codes(idx->db, 0);
    sqlite3_busy_timeout(idx->db, rw ? BUSY_WRITER_MS : BUSY_READER_MS);
    if (rw) {
        /* WAL: readers go on while the writer writes; NORMAL: a commit may
         * be lost with the power, the database never. */
        rc = sqlite3_exec(idx->db,
                          "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                          "PRAGMA foreign_keys = ON;",
                          NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = make_schema(idx->db);
    } else {
        rc = sqlite3_exec(idx->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = user_version(idx->db, &version);
        if (rc == SQLITE_OK && version != LUME_INDEX_SCHEMA) {
            lume_index_close(idx);
            return LUME_ERR_UNAVAILABLE;
        }
    }
    if (rc == SQLITE_OK)
        rc = prepare(idx, SQL_FIND, &idx->find);
    if (rc == SQLITE_OK)
        rc = prepare(idx, SQL_FIND_TITLE, &idx->find_title);
    if (rc == SQLITE_OK)
        rc = prepare(idx, SQL_FIND_TITLE_SEASON, &idx->find_title_season);
    if (rc == SQLITE_OK && !rw)
        rc = prepare(idx, "BEGIN", &idx->begin);
    if (rc == SQLITE_OK && !rw)
        rc = prepare(idx, "COMMIT", &idx->commit);
    if (rc == SQLITE_OK)
        rc = prepare(idx, SQL_HAS_EPISODE, &idx->has_episode);
    if (rc == SQLITE_OK)
        rc = prepare(idx, SQL_SUBS, &idx->subs);
    if (rc == SQLITE_OK)
        rc = prepare(idx, SQL_COUNT, &idx->count);
    if (rw) {
        const char *sql[] = {SQL_ROOT_GET,   SQL_ROOT_ADD, SQL_FILES,   SQL_PUT,
                             SQL_SUBS_CLEAR, SQL_SUBS_SIG, SQL_SUB_ADD, SQL_REMOVE};
        sqlite3_stmt **st_of[] = {&idx->root_get,   &idx->root_add, &idx->files,   &idx->put,
                                  &idx->subs_clear, &idx->subs_sig, &idx->sub_add, &idx->remove};
        for (size_t i = 0; rc == SQLITE_OK && i < sizeof(sql) / sizeof(sql[0]); i++)
            rc = prepare(idx, sql[i], st_of[i]);
    }
    if (rc != SQLITE_OK)
        goto fail;
    *out = idx;
    return LUME_OK;
fail:
    st = status_of(rc);
    lume_index_close(idx);
    return st == LUME_OK ? LUME_ERR_INTERNAL : st;
}

lume_status lume_index_open_rw(const char *path, lume_index **out)
{
    return open_index(path, 1, out);
}

lume_status lume_index_open_ro(const char *path, lume_index **out)
{
    return open_index(path, 0, out);
}

/* ---- Reading ------------------------------------------------------------------- */

static const char *text(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return s != NULL ? (const char *)s : "";
}

/* The column's text into dst, cut to cap - 1 bytes (cap > 0). */
static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const char *s = text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);

    n = strnlen(s, n < cap ? n : cap - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* The FTS5 expression of a query: each word quoted (FTS5 tokenizes inside
 * the quotes as it did the titles), all required. A word is a run of bytes
 * other than ASCII spaces and punctuation; none gives "" (matches nothing). */
static void fts_expression(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    int words = 0;

    out[0] = '\0';
    while (*q != '\0' && words < FTS_WORDS_MAX) {
        const char *start;
        size_t n;
        while (*q != '\0' && (unsigned char)*q < 0x80 && !(*q >= '0' && *q <= '9') &&
               !((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))
            q++;
        start = q;
        while (*q != '\0' && ((unsigned char)*q >= 0x80 || (*q >= '0' && *q <= '9') ||
                              ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')))
            q++;
        n = (size_t)(q - start);
        if (n == 0 || o + n + 4 >= cap)
            break;
        out[o++] = words ? ' ' : '"';
        if (words)
            out[o++] = '"';
        memcpy(out + o, start, n);
        o += n;
        out[o++] = '"';
        out[o] = '\0';
        words++;
    }
    if (words == 0)
        snprintf(out, cap, "\"\"");
}

static lume_status item_subtitles(lume_index *idx, lume_index_item *item)
{
    int rc;
    size_t n = 0;

    sqlite3_reset(idx->subs);
    sqlite3_bind_int64(idx->subs, 1, item->id);
    sqlite3_bind_int(idx->subs, 2, LUME_INDEX_SUBTITLES_MAX);
    while ((rc = sqlite3_step(idx->subs)) == SQLITE_ROW && n < LUME_INDEX_SUBTITLES_MAX) {
        lume_index_subtitle *s = &idx->sub[n];
        copy_text(idx->sub_path[n], sizeof(idx->sub_path[n]), idx->subs, 0);
        s->path = idx->sub_path[n];
        copy_text(s->lang, sizeof(s->lang), idx->subs, 1);
        copy_text(s->format, sizeof(s->format), idx->subs, 2);
        s->forced = sqlite3_column_int(idx->subs, 3);
        s->sdh = sqlite3_column_int(idx->subs, 4);
        n++;
    }
    sqlite3_reset(idx->subs);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return status_of(rc);
    item->n_subtitles = n;
    item->subtitles = idx->sub;
    return LUME_OK;
}

static void read_item(sqlite3_stmt *st, lume_index_item *it)
{
    memset(it, 0, sizeof(*it));
    it->id = sqlite3_column_int64(st, 0);
    it->root = text(st, 1);
    it->path = text(st, 2);
    it->kind = (lume_media_kind)sqlite3_column_int(st, 3);
    it->title = text(st, 4);
    it->episode_title = text(st, 5);
    it->year = sqlite3_column_int(st, 6);
    it->season = sqlite3_column_int(st, 7);
    it->episode = sqlite3_column_int(st, 8);
    it->episode_end = sqlite3_column_int(st, 9);
    it->size = sqlite3_column_int64(st, 10);
    it->mtime_ns = sqlite3_column_int64(st, 11);
    it->probe = (lume_probe_status)sqlite3_column_int(st, 12);
    it->facts.size = it->size;
    it->match = sqlite3_column_int(st, 22);
    if (it->probe != LUME_PROBE_OK)
        return; /* the facts hold nothing but the size */
    copy_text(it->facts.container, sizeof(it->facts.container), st, 13);
    copy_text(it->facts.video_codec, sizeof(it->facts.video_codec), st, 14);
    copy_text(it->facts.audio_codec, sizeof(it->facts.audio_codec), st, 15);
    it->facts.width = sqlite3_column_int(st, 16);
    it->facts.height = sqlite3_column_int(st, 17);
    it->facts.duration_s = sqlite3_column_double(st, 18);
    it->facts.bitrate = sqlite3_column_int64(st, 19);
    it->facts.seekable = sqlite3_column_int(st, 20);
}

/* ---- A reader's kept snapshot ---------------------------------------------------- */

void lume_index_hold(lume_index *idx, int ms)
{
    lume_index_release(idx);
    idx->hold_ms = idx->rw || ms < 0 ? 0 : ms;
}

void lume_index_release(lume_index *idx)
{
    if (idx->held_ms == 0)
        return;
    if (!sqlite3_get_autocommit(idx->db)) {
        sqlite3_step(idx->commit);
        sqlite3_reset(idx->commit);
    }
    idx->held_ms = 0;
}

/* Before a read: with hold_ms, the snapshot held, or a new one when none
 * is or it is too old (BEGIN: the read transaction, and its lock on the
 * WAL, start with the first statement and last until release). Without,
 * nothing: each statement is a read transaction of its own. */
static void snapshot(lume_index *idx)
{
    int64_t now;

    if (idx->hold_ms == 0)
        return;
    now = lume_now_ms();
    if (idx->held_ms != 0 && now - idx->held_ms < idx->hold_ms && !sqlite3_get_autocommit(idx->db))
        return;
    lume_index_release(idx);
    if (sqlite3_step(idx->begin) == SQLITE_DONE)
        idx->held_ms = now > 0 ? now : 1;
    sqlite3_reset(idx->begin);
}

/* A query as the finds look for it: its key ("1917 2019" -> "19172019"),
 * the year it ends with (0: none; the title's key is then the key without
 * its last 4 characters), and the query itself. */
typedef struct find_terms {
    const char *query; /* its words (FTS5) are made only for SQL_FIND */
    char key[LUME_NAMING_TEXT_MAX + 8];
    size_t klen;
    int year, season, episode;
} find_terms;

/* What one find saw: how many items it gave, the first one's id, and
 * whether the episode after the one asked for is there (1, 0, or -1 when
 * the statement does not say or the find stopped before its end). */
typedef struct find_seen {
    size_t n;
    int64_t first;
    int next;
} find_seen;

static lume_status terms_of(const char *query, int season, int episode, find_terms *t)
{
    size_t qlen;

    if (query == NULL)
        return LUME_ERR_INVALID_QUERY;
    qlen = strnlen(query, LUME_NAMING_TEXT_MAX + 1);
    if (qlen > LUME_NAMING_TEXT_MAX)
        return LUME_ERR_INVALID_QUERY;
    t->klen = lume_naming_key(query, qlen, t->key, sizeof(t->key));
    if (t->klen == 0)
        return LUME_ERR_INVALID_QUERY;
    t->year = 0;
    /* "1917 2019": the title 1917 of 2019 (the key is letters and digits). */
    if (t->klen > 4 && strspn(t->key + t->klen - 4, "0123456789") == 4) {
        t->year = atoi(t->key + t->klen - 4);
        if (t->year < 1880 || t->year > 2099)
            t->year = 0;
    }
    t->query = query;
    t->season = season < 0 ? -1 : season;
    t->episode = episode < 0 ? -1 : episode;
    return LUME_OK;
}

/* Run s (SQL_FIND with the words, or a SQL_FIND_TITLE for the title of
 * key[0..klen) in year, which is the match m) and give its items to fn. */
static lume_status find_with(lume_index *idx, sqlite3_stmt *s, const find_terms *t, size_t klen,
                             int year, int m, size_t max, lume_index_item_fn fn, void *ctx,
                             find_seen *seen)
{
    int rc, first_m = -1, first_year = 0, next = 0, stopped = 0;
    lume_status st = LUME_OK;

    seen->n = 0;
    seen->first = 0;
    seen->next = -1;
    if (max == 0 || max > LUME_INDEX_FIND_MAX)
        max = LUME_INDEX_FIND_MAX;
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, t->key, (int)klen, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, year);
    sqlite3_bind_int(s, 5, t->season);
    sqlite3_bind_int(s, 6, t->episode);
    if (s == idx->find) { /* the words, and the title's key and year in one */
        char fts[LUME_NAMING_TEXT_MAX * 2 + 64];

        if (t->year > 0)
            sqlite3_bind_text(s, 2, t->key, (int)t->klen - 4, SQLITE_TRANSIENT);
        fts_expression(t->query, fts, sizeof(fts));
        sqlite3_bind_text(s, 4, fts, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 7, (sqlite3_int64)max);
        sqlite3_bind_int(s, 8, FTS_ROWS_MAX);
    } else { /* one title (SQL_FIND_TITLE*) */
        sqlite3_bind_int(s, 11, t->episode < 0 ? INT_MAX : t->episode + 1);
        sqlite3_bind_int(s, 12, m);
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        lume_index_item it;
        int same;

        /* The next episode's rows (nx) and a result spanning it count only
         * in the first result's series: its match and year. */
        same = seen->n > 0 && sqlite3_column_int(s, 22) == first_m &&
               sqlite3_column_int(s, 6) == first_year;
        if (sqlite3_column_int(s, 23) != 0) {
            next |= same;
            continue;
        }
        read_item(s, &it);
        if (t->episode >= 0 && it.episode_end > t->episode && (same || seen->n == 0))
            next = 1;
        if (seen->n == max) {
            stopped = 1;
            break;
        }
        /* subs_sig is 0 exactly when the item has none (set_subtitles). */
        if (sqlite3_column_int64(s, 21) != 0 && (st = item_subtitles(idx, &it)) != LUME_OK)
            break;
        if (seen->n++ == 0) {
            seen->first = it.id;
            first_m = it.match;
            first_year = it.year;
        }
        if (fn != NULL && fn(ctx, &it) != 0) {
            stopped = 1;
            break;
        }
    }
    if (st == LUME_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = status_of(rc);
    /* Only SQL_FIND_TITLE_SEASON's rows say (an nx column that may be 1). */
    if (s == idx->find_title_season && t->episode >= 0)
        seen->next = next ? 1 : stopped ? -1 : 0;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return st;
}

lume_status lume_index_find(lume_index *idx, const char *query, int season, int episode, size_t max,
                            lume_index_item_fn fn, void *ctx, size_t *found)
{
    find_terms t;
    find_seen seen = {0};
    lume_status st = terms_of(query, season, episode, &t);

    snapshot(idx);
    if (st == LUME_OK)
        st = find_with(idx, idx->find, &t, t.klen, t.year, 0, max, fn, ctx, &seen);
    if (found != NULL)
        *found = seen.n;
    return st;
}

lume_status lume_index_find_best(lume_index *idx, const char *query, int season, int episode,
                                 size_t max, lume_index_item_fn fn, void *ctx, size_t *found,
                                 lume_index_next *next)
{
    find_terms t;
    find_seen seen = {0};
    sqlite3_stmt *title = season >= 0 ? idx->find_title_season : idx->find_title;
    int has = 0;
    lume_status st = terms_of(query, season, episode, &t);

    snapshot(idx);
    /* A query ending in a year names that title of that year ("dune 2021");
     * else, or when there is none, the title whose key is the whole key
     * ("blade runner 2049"); else its words. */
    if (st == LUME_OK && t.year > 0)
        st = find_with(idx, title, &t, t.klen - 4, t.year, LUME_NAMING_MATCH_YEAR, max, fn, ctx,
                       &seen);
    if (st == LUME_OK && seen.n == 0)
        st = find_with(idx, title, &t, t.klen, 0, LUME_NAMING_MATCH_TITLE, max, fn, ctx, &seen);
    if (st == LUME_OK && seen.n == 0)
        st = find_with(idx, idx->find, &t, t.klen, t.year, 0, max, fn, ctx, &seen);
    if (found != NULL)
        *found = seen.n;
    if (next == NULL)
        return st;
    *next = LUME_INDEX_NEXT_NONE;
    if (st != LUME_OK || seen.n == 0 || season < 0 || episode < 0)
        return st;
    if (seen.next < 0 &&
        lume_index_has_episode(idx, seen.first, season, episode + 1, &seen.next) != LUME_OK)
        return st; /* the results stand; their next is not known */
    if (seen.next > 0)
        *next = LUME_INDEX_NEXT_EPISODE;
    else if (lume_index_has_episode(idx, seen.first, season + 1, 1, &has) == LUME_OK && has)
        *next = LUME_INDEX_NEXT_SEASON;
    return st;
}

lume_status lume_index_has_episode(lume_index *idx, int64_t item_id, int season, int episode,
                                   int *has)
{
    sqlite3_stmt *s = idx->has_episode;
    int rc;

    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, item_id);
    sqlite3_bind_int(s, 2, season);
    sqlite3_bind_int(s, 3, episode);
    rc = sqlite3_step(s);
    *has = rc == SQLITE_ROW;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? LUME_OK : status_of(rc);
}

static const char SQL_TITLES[] =
    "SELECT i.title, i.year, r.path, MIN(i.path) FROM items i JOIN roots r ON r.id = i.root_id"
    " WHERE i.kind = ?1"
    " AND (?2 IS NULL OR i.id IN (SELECT rowid FROM titles WHERE titles MATCH ?2 LIMIT ?5))"
    " GROUP BY i.title_key, i.year ORDER BY i.title_key, i.year LIMIT ?3 OFFSET ?4";

static const char SQL_EPISODES[] =
    "SELECT season, episode, episode_end, episode_title, MAX(mtime_ns) FROM items"
    " WHERE kind = ?1 AND title_key = ?2 AND (?3 = 0 OR year = ?3)"
    " GROUP BY season, episode ORDER BY season, episode";

/* Prepare sql for one call (browsing is rare: no statement is kept). */
static lume_status prepare_once(lume_index *idx, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(idx->db, sql, -1, st, NULL);

    return rc == SQLITE_OK ? LUME_OK : status_of(rc);
}

lume_status lume_index_titles(lume_index *idx, int series, const char *search, long skip,
                              size_t max, lume_index_title_fn fn, void *ctx)
{
    char fts[LUME_NAMING_TEXT_MAX * 2 + 64];
    sqlite3_stmt *s;
    lume_status st = prepare_once(idx, SQL_TITLES, &s);
    int rc;

    if (st != LUME_OK)
        return st;
    snapshot(idx);
    sqlite3_bind_int(s, 1, series ? LUME_MEDIA_EPISODE : LUME_MEDIA_FILM);
    if (search != NULL && strnlen(search, LUME_NAMING_TEXT_MAX + 1) <= LUME_NAMING_TEXT_MAX) {
        fts_expression(search, fts, sizeof(fts));
        sqlite3_bind_text(s, 2, fts, -1, SQLITE_TRANSIENT);
    } else if (search != NULL) {
        sqlite3_finalize(s);
        return LUME_OK; /* longer than any title: nothing */
    }
    sqlite3_bind_int64(s, 3, (sqlite3_int64)(max > 0 ? max : LUME_INDEX_FIND_MAX));
    sqlite3_bind_int64(s, 4, skip > 0 ? skip : 0);
    sqlite3_bind_int(s, 5, FTS_ROWS_MAX);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        lume_index_title t = {text(s, 0), sqlite3_column_int(s, 1), text(s, 2), text(s, 3)};
        if (fn(ctx, &t) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = status_of(rc);
    sqlite3_finalize(s);
    return st;
}

lume_status lume_index_episodes(lume_index *idx, const char *series, int year,
                                lume_index_episode_fn fn, void *ctx)
{
    char key[LUME_NAMING_TEXT_MAX + 8];
    size_t klen, n = strnlen(series, LUME_NAMING_TEXT_MAX + 1);
    sqlite3_stmt *s;
    lume_status st;
    int rc;

    if (n > LUME_NAMING_TEXT_MAX || (klen = lume_naming_key(series, n, key, sizeof(key))) == 0)
        return LUME_OK; /* no such title */
    if ((st = prepare_once(idx, SQL_EPISODES, &s)) != LUME_OK)
        return st;
    snapshot(idx);
    sqlite3_bind_int(s, 1, LUME_MEDIA_EPISODE);
    sqlite3_bind_text(s, 2, key, (int)klen, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, year);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        lume_index_episode e = {sqlite3_column_int(s, 0), sqlite3_column_int(s, 1),
                                sqlite3_column_int(s, 2), text(s, 3), sqlite3_column_int64(s, 4)};
        if (fn(ctx, &e) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = status_of(rc);
    sqlite3_finalize(s);
    return st;
}

lume_status lume_index_count(lume_index *idx, int64_t *items)
{
    int rc;

    snapshot(idx);
    sqlite3_reset(idx->count);
    rc = sqlite3_step(idx->count);
    *items = rc == SQLITE_ROW ? sqlite3_column_int64(idx->count, 0) : 0;
    sqlite3_reset(idx->count);
    return rc == SQLITE_ROW ? LUME_OK : status_of(rc);
}

/* ---- Writing -------------------------------------------------------------------- */

static lume_status exec(lume_index *idx, const char *sql)
{
    if (!idx->rw)
        return LUME_ERR_INTERNAL;
    return status_of(sqlite3_exec(idx->db, sql, NULL, NULL, NULL));
}

lume_status lume_index_begin(lume_index *idx)
{
    lume_status st;
    if (idx->in_tx)
        return LUME_ERR_INTERNAL;
    st = exec(idx, "BEGIN IMMEDIATE");
    idx->in_tx = st == LUME_OK;
    return st;
}

lume_status lume_index_commit(lume_index *idx)
{
    lume_status st;
    if (!idx->in_tx)
        return LUME_ERR_INTERNAL;
    st = exec(idx, "COMMIT");
    if (st == LUME_OK)
        idx->in_tx = 0;
    return st;
}

void lume_index_rollback(lume_index *idx)
{
    if (idx->in_tx)
        (void)exec(idx, "ROLLBACK");
    idx->in_tx = 0;
}

/* Step a writing statement to its end; its one value into *id when asked. */
static lume_status step_write(lume_index *idx, sqlite3_stmt *s, int64_t *id)
{
    int rc;

    if (!idx->rw) {
        sqlite3_reset(s);
        return LUME_ERR_INTERNAL;
    }
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && id != NULL)
        *id = sqlite3_column_int64(s, 0);
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? LUME_OK : status_of(rc);
}

lume_status lume_index_root(lume_index *idx, const char *root, int64_t *root_id)
{
    lume_status st;
    int64_t id = 0;

    if (!idx->rw || root == NULL || root[0] != '/')
        return LUME_ERR_INTERNAL;
    sqlite3_bind_text(idx->root_get, 1, root, -1, SQLITE_TRANSIENT);
    st = step_write(idx, idx->root_get, &id);
    if (st == LUME_OK && id == 0) {
        sqlite3_bind_text(idx->root_add, 1, root, -1, SQLITE_TRANSIENT);
        st = step_write(idx, idx->root_add, NULL);
        id = sqlite3_last_insert_rowid(idx->db);
    }
    *root_id = st == LUME_OK ? id : 0;
    return st;
}

lume_status lume_index_keep_roots(lume_index *idx, const int64_t *keep, size_t n)
{
    char *sql = malloc(64 + n * 24), *p;
    lume_status st;

    if (sql == NULL)
        return LUME_ERR_INTERNAL;
    p = sql + sprintf(sql, "DELETE FROM roots WHERE id NOT IN (");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%lld", i ? "," : "", (long long)keep[i]);
    strcpy(p, ")");
    st = exec(idx, sql);
    free(sql);
    return st;
}

lume_status lume_index_files(lume_index *idx, int64_t root_id, lume_index_file_fn fn, void *ctx)
{
    sqlite3_stmt *s = idx->files;
    int rc;

    if (!idx->rw)
        return LUME_ERR_INTERNAL;
    sqlite3_bind_int64(s, 1, root_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        lume_index_file f = {
            .id = sqlite3_column_int64(s, 0),
            .path = text(s, 1),
            .size = sqlite3_column_int64(s, 2),
            .mtime_ns = sqlite3_column_int64(s, 3),
            .probe = (lume_probe_status)sqlite3_column_int(s, 4),
            .subs_sig = (uint64_t)sqlite3_column_int64(s, 5),
        };
        if (fn(ctx, &f) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? LUME_OK : status_of(rc);
}

lume_status lume_index_put(lume_index *idx, const lume_index_entry *e, int64_t *item_id)
{
    static const lume_probe_facts none;
    const lume_probe_facts *f = e->facts != NULL && e->probe == LUME_PROBE_OK ? e->facts : &none;
    const lume_media_name *m = e->name;
    sqlite3_stmt *s = idx->put;
    int64_t id = 0;
    lume_status st;

    if (m == NULL || e->path == NULL || m->title[0] == '\0' ||
        (m->kind != LUME_MEDIA_FILM && m->kind != LUME_MEDIA_EPISODE))
        return LUME_ERR_INTERNAL;
    sqlite3_bind_int64(s, 1, e->root_id);
    sqlite3_bind_text(s, 2, e->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, m->kind);
    sqlite3_bind_text(s, 4, m->title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, m->key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 6, m->year);
    sqlite3_bind_int(s, 7, m->season);
    sqlite3_bind_int(s, 8, m->episode);
    sqlite3_bind_int(s, 9, m->episode_end);
    sqlite3_bind_text(s, 10, m->episode_title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 11, e->size);
    sqlite3_bind_int64(s, 12, e->mtime_ns);
    sqlite3_bind_int(s, 13, e->probe);
    sqlite3_bind_text(s, 14, f->container, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 15, f->video_codec, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 16, f->audio_codec, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 17, f->width);
    sqlite3_bind_int(s, 18, f->height);
    sqlite3_bind_double(s, 19, f->duration_s);
    sqlite3_bind_int64(s, 20, f->bitrate);
    sqlite3_bind_int(s, 21, f->seekable);
    st = step_write(idx, s, &id);
    if (item_id != NULL)
        *item_id = st == LUME_OK ? id : 0;
    return st;
}

lume_status lume_index_set_subtitles(lume_index *idx, int64_t item_id,
                                     const lume_index_subtitle *subs, size_t n, uint64_t subs_sig)
{
    lume_status st;

    sqlite3_bind_int64(idx->subs_clear, 1, item_id);
    st = step_write(idx, idx->subs_clear, NULL);
    if (st == LUME_OK) {
        /* 0 marks an item without subtitles: a reader does not look for them. */
        sqlite3_bind_int64(idx->subs_sig, 1, (sqlite3_int64)(n == 0 ? 0 : subs_sig ? subs_sig : 1));
        sqlite3_bind_int64(idx->subs_sig, 2, item_id);
        st = step_write(idx, idx->subs_sig, NULL);
    }
    for (size_t i = 0; st == LUME_OK && i < n && i < LUME_INDEX_SUBTITLES_MAX; i++) {
        sqlite3_stmt *s = idx->sub_add;
        sqlite3_bind_int64(s, 1, item_id);
        sqlite3_bind_text(s, 2, subs[i].path, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, subs[i].lang, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, subs[i].format, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 5, subs[i].forced);
        sqlite3_bind_int(s, 6, subs[i].sdh);
        st = step_write(idx, s, NULL);
    }
    return st;
}

lume_status lume_index_remove(lume_index *idx, int64_t item_id)
{
    sqlite3_bind_int64(idx->remove, 1, item_id);
    return step_write(idx, idx->remove, NULL);
}
