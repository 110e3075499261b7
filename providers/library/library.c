/*
 * library.c: the library provider (LUME_PROVIDER=library): the owner's own
 * films and series, from the index the indexer writes (indexer.c, a process
 * the master keeps), served by nginx under signed, expiring links (sign.h).
 *
 * Each worker (each provider thread) opens the index read-only when it
 * creates the provider; a missing index is an empty library (the worker
 * starts before the first scan) and is opened again at the next search. A
 * search finds the items whose title the query names (index.h: the exact
 * ones when there are any, else those holding every word), filtered by
 * season and episode; each is one candidate: a signed link, the size, the
 * probe's facts, its sidecar subtitles as signed links, seeds 1 (a file on
 * disk is always there). For an episode, the index says which comes next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decimal.h"
#include "index.h"
#include "language.h"
#include "library.h"
#include "log.h"
#include "provider.h"
#include "provider_set.h"
#include "sign.h"
#include "utf8.h"

#define EXPIRY_STEP_S 60 /* links' expiry rounded up to this: equal answers within it */
/* A worker reads the index in snapshots kept this long at most, and let go
 * whenever it waits for work (library_idle): under load, a change the
 * indexer made is read within this; idle, at once. */
#define SNAPSHOT_MS 100
#define TITLE_MAX     500

/* LUME_LIBRARY_DIRS: absolute folders separated by ':'. */
static int check_dirs(const char *value, long *number, char *expected, size_t len)
{
    char roots[LUME_LIBRARY_ROOTS_MAX][LUME_PATH_LEN];

    (void)number;
    if (value[0] == '\0' || lume_library_roots(value, roots) > 0)
        return 0;
    snprintf(expected, len, "absolute folders separated by ':' (at most %d)",
             LUME_LIBRARY_ROOTS_MAX);
    return -1;
}

static int check_absolute(const char *value, long *number, char *expected, size_t len)
{
    (void)number;
    if (value[0] == '\0' || value[0] == '/')
        return 0;
    snprintf(expected, len, "an absolute path");
    return -1;
}

_Static_assert(sizeof(library_settings) <= LUME_PROVIDER_BLOCK_BYTES, "fits its block");

static const lume_setting library_settings_table[] = {
    LUME_SETTING_ROW_STR("LUME_LIBRARY_DIRS", library_settings, dirs, check_dirs, "",
                         "the library's folders, absolute, separated by ':'"),
    LUME_SETTING_ROW_STR("LUME_LIBRARY_INDEX", library_settings, index, check_absolute,
                         "/var/lib/lume/library.db", "the library's index (an SQLite file)"),
    LUME_SETTING_ROW_INT("LUME_LIBRARY_RESCAN_S", library_settings, rescan_s, 0, 604800, "0",
                         "rescan the folders this often, for network mounts (0: off)"),
    LUME_SETTING_ROW_SECRET("LUME_LIBRARY_SECRET", library_settings, secret,
                            lume_setting_check_secret,
                            "the links' signing secret, shared with nginx (or _SECRET_FILE)"),
    LUME_SETTING_ROW_FILE("LUME_LIBRARY_SECRET_FILE", library_settings, secret_file, check_absolute,
                          "", "a file holding the links' signing secret"),
    LUME_SETTING_ROW_STR("LUME_LIBRARY_PUBLIC_URL", library_settings, public_url,
                         lume_setting_check_url, "https://localhost:8443/media",
                         "the base of the media links nginx serves"),
    LUME_SETTING_ROW_INT("LUME_LIBRARY_LINK_TTL_S", library_settings, link_ttl_s, 60, 604800,
                         "21600", "how long a media link is valid"),
};

int lume_library_roots(const char *dirs, char roots[][LUME_PATH_LEN])
{
    int n = 0;

    for (const char *p = dirs;; n++) {
        size_t len = strcspn(p, ":");

        if (len == 0 || p[0] != '/' || len >= LUME_PATH_LEN || n == LUME_LIBRARY_ROOTS_MAX)
            return -1;
        while (len > 1 && p[len - 1] == '/')
            len--;
        memcpy(roots[n], p, len);
        roots[n][len] = '\0';
        p += strcspn(p, ":");
        if (*p == '\0')
            return n + 1;
        p++;
    }
}

typedef struct library_provider {
    char roots[LUME_LIBRARY_ROOTS_MAX][LUME_PATH_LEN];
    int nroots;
    char index_path[LUME_PATH_LEN];
    char secret[LUME_SECRET_LEN];
    char public_url[LUME_PATH_LEN];
    long ttl_s;
    lume_index *idx; /* NULL until the index exists */
} library_provider;

static void library_destroy(void *impl)
{
    library_provider *l = impl;

    if (l == NULL)
        return;
    lume_index_close(l->idx);
    free(l);
}

/* Open the index when it is not yet: 0 when open. */
static int open_index(library_provider *l)
{
    if (l->idx != NULL)
        return 0;
    if (lume_index_open_ro(l->index_path, &l->idx) != LUME_OK) {
        l->idx = NULL;
        return -1;
    }
    lume_index_hold(l->idx, SNAPSHOT_MS);
    return 0;
}

/* The worker waits for work: the snapshot let go (the indexer's checkpoint
 * is not held back by an idle worker). */
static void library_idle(void *impl)
{
    library_provider *l = impl;

    if (l->idx != NULL)
        lume_index_release(l->idx);
}

static void *library_create(const void *settings, const lume_provider_conf *conf,
                            lume_shared *shared, char *err, size_t errlen)
{
    const library_settings *set = settings;
    library_provider *l = calloc(1, sizeof(*l));

    (void)conf;
    (void)shared;
    if (l == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (set->dirs[0] == '\0' || (l->nroots = lume_library_roots(set->dirs, l->roots)) < 1) {
        snprintf(err, errlen, "the library provider needs LUME_LIBRARY_DIRS");
        goto fail;
    }
    if (set->index[0] == '\0') {
        snprintf(err, errlen, "the library provider needs LUME_LIBRARY_INDEX");
        goto fail;
    }
    if (set->secret[0] != '\0') {
        snprintf(l->secret, sizeof(l->secret), "%s", set->secret);
    } else if (set->secret_file[0] == '\0') {
        snprintf(err, errlen,
                 "the library provider needs LUME_LIBRARY_SECRET or LUME_LIBRARY_SECRET_FILE");
        goto fail;
    } else if (lume_setting_read_secret("LUME_LIBRARY_SECRET_FILE", set->secret_file, l->secret,
                                        err, errlen) != 0) {
        goto fail;
    }
    snprintf(l->index_path, sizeof(l->index_path), "%s", set->index);
    snprintf(l->public_url, sizeof(l->public_url), "%s", set->public_url);
    l->ttl_s = set->link_ttl_s;
    (void)open_index(l); /* missing: an empty library until the indexer writes it */
    return l;
fail:
    library_destroy(l);
    return NULL;
}

/* The position in LUME_LIBRARY_DIRS of the root folder path, or -1. */
static int root_of(const library_provider *l, const char *root)
{
    for (int i = 0; i < l->nroots; i++)
        if (strcmp(l->roots[i], root) == 0)
            return i;
    return -1;
}

/* Append s to out (cap bytes, NUL kept) as valid UTF-8 without control
 * characters: anything else is '?'. */
static void append_clean(char *out, size_t cap, const char *s)
{
    size_t o = strlen(out), left = strlen(s);
    const unsigned char *p = (const unsigned char *)s;

    while (left > 0 && o + 1 < cap) {
        size_t n = lume_utf8_seq(p, left);

        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7F))) {
            out[o++] = '?';
            n = n == 0 ? 1 : n;
        } else if (o + n < cap) {
            memcpy(out + o, p, n);
            o += n;
        } else {
            break;
        }
        p += n;
        left -= n;
    }
    out[o] = '\0';
}

/* prefix then n (>= 0) in at least two digits ("E04"), at out (no NUL);
 * its length. */
static size_t put_marker(char *out, const char *prefix, int n)
{
    size_t p = strlen(prefix);

    memcpy(out, prefix, p);
    if (n < 10)
        out[p++] = '0';
    return p + lume_decimal_put(out + p, (unsigned long long)(n < 0 ? 0 : n));
}

/* "Film (2010)", "Show S04E01", "Show S01E01-E02 - Pilot". */
static void title_of(const lume_index_item *it, char *out, size_t cap)
{
    char tail[64] = "";
    long chars;

    out[0] = '\0';
    append_clean(out, cap, it->title[0] ? it->title : "Untitled");
    if (it->kind == LUME_MEDIA_EPISODE && it->season >= 0 && it->episode >= 0) {
        size_t w = put_marker(tail, " S", it->season);
        w += put_marker(tail + w, "E", it->episode);
        if (it->episode_end > it->episode)
            w += put_marker(tail + w, "-E", it->episode_end);
        tail[w] = '\0';
    } else if (it->year > 0) {
        size_t w = put_marker(tail, " (", it->year);
        memcpy(tail + w, ")", 2);
    }
    append_clean(out, cap, tail);
    if (it->kind == LUME_MEDIA_EPISODE && it->episode_title[0] != '\0') {
        append_clean(out, cap, " - ");
        append_clean(out, cap, it->episode_title);
    }
    /* At most TITLE_MAX characters: cut at a character's start. */
    chars = 0;
    for (size_t i = 0; out[i] != '\0'; i++)
        if (((unsigned char)out[i] & 0xC0) != 0x80 && ++chars > TITLE_MAX) {
            out[i] = '\0';
            break;
        }
}

/* "English", "English (forced)", "English (SDH)"; "" when the language is unknown. */
static void subtitle_label(const lume_index_subtitle *s, char *out, size_t cap)
{
    lume_language lang;
    const char *name = NULL;

    if (lume_language_of_file(s->path, strlen(s->path), &lang) && lang.label != NULL &&
        strcmp(lang.tag, s->lang) == 0)
        name = lang.label;
    if (name == NULL) {
        out[0] = '\0';
        return;
    }
    snprintf(out, cap, "%s%s", name, s->forced ? " (forced)" : s->sdh ? " (SDH)" : "");
}

typedef struct search_ctx {
    library_provider *l;
    lume_results *out;
    int64_t expires;
    int exact; /* an exact match was seen: word matches are not kept */
    lume_status st;
} search_ctx;

static int add_item(void *ctx, const lume_index_item *it)
{
    search_ctx *c = ctx;
    library_provider *l = c->l;
    int root = root_of(l, it->root);
    char title[TITLE_MAX * 4 + 1], *key = NULL;
    lume_media_link m = {0};
    size_t key_len;

    if (it->match > 0)
        c->exact = 1;
    else if (c->exact)
        return 0;
    if (root < 0 || c->out->count >= LUME_CANDIDATES_PER_PROVIDER)
        return 0;
    if ((m.url = lume_sign_link(l->public_url, root, it->path, c->expires, l->secret)) == NULL)
        return 0; /* too long to be a link */
    title_of(it, title, sizeof(title));
    key_len = strlen(it->path);
    if ((key = malloc(key_len + 8 + LUME_DECIMAL_DIGITS + 2)) == NULL)
        goto oom;
    { /* "library:<root>/<path>" */
        size_t o = 8 + lume_decimal_put(key + 8, (unsigned long long)root);

        memcpy(key, "library:", 8);
        key[o++] = '/';
        memcpy(key + o, it->path, key_len + 1);
    }
    m.title = title;
    m.key = key;
    m.size = it->size >= 0 ? it->size : -1;
    m.seeds = 1;
    m.facts.expires_at = c->expires;
    if (it->probe == LUME_PROBE_OK) {
        const lume_probe_facts *f = &it->facts;

        m.quality = lume_quality_from_height(f->height);
        snprintf(m.facts.container, sizeof(m.facts.container), "%s", f->container);
        snprintf(m.facts.video_codec, sizeof(m.facts.video_codec), "%s", f->video_codec);
        snprintf(m.facts.audio_codec, sizeof(m.facts.audio_codec), "%s", f->audio_codec);
        m.facts.width = f->width;
        m.facts.height = f->height;
        m.facts.duration_s = f->duration_s > 0 ? (int64_t)(f->duration_s + 0.5) : 0;
        m.facts.bitrate = f->bitrate;
        m.facts.seekable = f->seekable ? LUME_TRI_YES : LUME_TRI_NO;
    }
    if (lume_results_add_link(c->out, &m) != LUME_OK)
        goto oom;
    for (size_t i = 0; i < it->n_subtitles; i++) {
        const lume_index_subtitle *s = &it->subtitles[i];
        lume_subtitle sub = {0};
        lume_status st;

        if ((sub.url = lume_sign_link(l->public_url, root, s->path, c->expires, l->secret)) == NULL)
            continue;
        snprintf(sub.lang, sizeof(sub.lang), "%s", s->lang);
        subtitle_label(s, sub.label, sizeof(sub.label));
        snprintf(sub.format, sizeof(sub.format), "%s", s->format);
        st = lume_results_add_subtitle(c->out, &sub);
        free(sub.url);
        if (st != LUME_OK)
            goto oom;
    }
    free(m.url);
    free(key);
    return 0;
oom:
    free(m.url);
    free(key);
    c->st = LUME_ERR_INTERNAL;
    return 1;
}

static lume_status index_failure(lume_status st, lume_provider_error *err)
{
    if (st == LUME_ERR_UNAVAILABLE)
        return lume_provider_fail(err, st, "the library's index is busy");
    return lume_provider_fail(err, LUME_ERR_INTERNAL, "the library's index cannot be read");
}

static lume_status library_search(void *impl, const lume_search *s, lume_results *out,
                                  lume_provider_error *err)
{
    library_provider *l = impl;
    int season = s->season > 0 ? s->season : -1, episode = s->episode > 0 ? s->episode : -1;
    search_ctx c = {.l = l, .out = out, .st = LUME_OK};
    int64_t now = (int64_t)time(NULL);
    size_t found = 0;
    lume_index_next next = LUME_INDEX_NEXT_NONE;
    lume_status st;

    if (open_index(l) != 0)
        return LUME_OK; /* no index yet: an empty library */
    /* Rounded up: the same search within a minute has the same links. */
    c.expires = (now + l->ttl_s + EXPIRY_STEP_S - 1) / EXPIRY_STEP_S * EXPIRY_STEP_S;
    st = lume_index_find_best(l->idx, s->query, season, episode, LUME_INDEX_FIND_MAX, add_item, &c,
                              &found, &next);
    if (st == LUME_ERR_INVALID_QUERY)
        return LUME_OK; /* nothing to look for: nothing found */
    if (st != LUME_OK)
        return index_failure(st, err);
    if (c.st != LUME_OK)
        return lume_provider_fail(err, c.st, "out of memory");
    if (out->count > 0 && season > 0 && episode > 0)
        out->next = next == LUME_INDEX_NEXT_EPISODE  ? LUME_NEXT_EPISODE
                    : next == LUME_INDEX_NEXT_SEASON ? LUME_NEXT_SEASON
                                                     : LUME_NEXT_NONE;
    return LUME_OK;
}

/* What a browse collects. */
typedef struct browse_ctx {
    library_provider *l;
    lume_titles *out;
    int series;
    int64_t expires;
    lume_status st;
} browse_ctx;

/* The signed link of the folder art in dir (relative to root n: "" for the
 * root itself), poster.jpg then folder.jpg, or NULL when it has none. */
static char *folder_art(const library_provider *l, int n, const char *dir, int64_t expires)
{
    static const char *const names[] = {"poster.jpg", "folder.jpg", "poster.png", "folder.png"};
    char rel[LUME_PATH_LEN], full[2 * LUME_PATH_LEN + 8];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        int w = snprintf(rel, sizeof(rel), "%s%s%s", dir, dir[0] ? "/" : "", names[i]);
        if (w < 0 || (size_t)w >= sizeof(rel))
            return NULL;
        snprintf(full, sizeof(full), "%s/%s", l->roots[n], rel);
        if (access(full, R_OK) == 0)
            return lume_sign_link(l->public_url, n, rel, expires, l->secret);
    }
    return NULL;
}

static int add_title(void *ctx, const lume_index_title *t)
{
    browse_ctx *c = ctx;
    int n = root_of(c->l, t->root);
    char dir[LUME_PATH_LEN] = "", *poster = NULL;
    const char *cut = c->series ? strchr(t->path, '/') : strrchr(t->path, '/');

    /* A film's folder is its file's; a series' is the first under the root. */
    if (cut != NULL && (size_t)(cut - t->path) < sizeof(dir)) {
        memcpy(dir, t->path, (size_t)(cut - t->path));
        dir[cut - t->path] = '\0';
    }
    if (n >= 0 && (dir[0] != '\0' || !c->series))
        poster = folder_art(c->l, n, dir, c->expires);
    c->st = lume_titles_add(c->out, t->title, t->year, c->series, poster);
    free(poster);
    return c->st != LUME_OK;
}

/* The library's films or series, by title (the Stremio catalogs). */
static lume_status library_browse(void *impl, const lume_browse *b, lume_titles *out,
                                  lume_provider_error *err)
{
    library_provider *l = impl;
    int64_t now = (int64_t)time(NULL);
    browse_ctx c = {l, out, b->series, 0, LUME_OK};
    lume_status st;

    if (open_index(l) != 0)
        return LUME_OK; /* no index yet: an empty library */
    c.expires = (now + l->ttl_s + EXPIRY_STEP_S - 1) / EXPIRY_STEP_S * EXPIRY_STEP_S;
    st = lume_index_titles(l->idx, b->series, b->search, b->skip, (size_t)b->limit, add_title, &c);
    if (st != LUME_OK)
        return index_failure(st, err);
    return c.st == LUME_OK ? LUME_OK : lume_provider_fail(err, c.st, "out of memory");
}

static int add_episode(void *ctx, const lume_index_episode *e)
{
    lume_episodes *out = ctx;
    int last = e->episode_end > e->episode ? e->episode_end : e->episode;

    for (int n = e->episode; n <= last; n++) /* a file of two episodes: both */
        if (lume_episodes_add(out, e->season, n, e->episode_title[0] ? e->episode_title : NULL,
                              e->mtime_ns / 1000000000) != LUME_OK)
            return 1;
    return 0;
}

static lume_status library_episodes(void *impl, const char *series, int year, int64_t deadline_ms,
                                    lume_episodes *out, lume_provider_error *err)
{
    library_provider *l = impl;
    lume_status st;

    (void)deadline_ms;
    if (open_index(l) != 0)
        return LUME_OK;
    if ((st = lume_index_episodes(l->idx, series, year, add_episode, out)) != LUME_OK)
        return index_failure(st, err);
    lume_episodes_sort(out);
    return LUME_OK;
}

static lume_status library_health(void *impl, int64_t deadline_ms, lume_provider_error *err)
{
    library_provider *l = impl;
    int64_t items;
    lume_status st;

    (void)deadline_ms;
    for (int i = 0; i < l->nroots; i++) {
        struct stat sb;

        errno = 0;
        if (stat(l->roots[i], &sb) != 0 || !S_ISDIR(sb.st_mode) ||
            access(l->roots[i], R_OK | X_OK) != 0) {
            lume_log(LUME_LOG_WARN, "library_folder_unreadable",
                     "folder %d of LUME_LIBRARY_DIRS, %s: %s", i + 1, l->roots[i],
                     strerror(errno ? errno : ENOTDIR));
            return lume_provider_fail(err, LUME_ERR_UNAVAILABLE,
                                      "library folder %d of %d is missing or unreadable", i + 1,
                                      l->nroots);
        }
    }
    if (open_index(l) != 0)
        return lume_provider_fail(err, LUME_ERR_UNAVAILABLE,
                                  "the library's index is not there yet");
    st = lume_index_count(l->idx, &items);
    return st == LUME_OK ? LUME_OK : index_failure(st, err);
}

static int library_background(const void *settings, pid_t master)
{
    return lume_library_indexer_run(settings, master);
}

const lume_provider_def lume_library_provider = {
    .config_name = "library",
    .name = "LibraryProvider",
    .settings = library_settings_table,
    .nsettings = sizeof(library_settings_table) / sizeof(library_settings_table[0]),
    .create = library_create,
    .search = library_search,
    .health = library_health,
    .destroy = library_destroy,
    .background = library_background,
    .idle = library_idle,
    .browse = library_browse,
    .episodes = library_episodes,
    .films_label = "Your films",
    .series_label = "Your series",
};
