/*
 * mock.c: the embedded mock provider (LUME_PROVIDER=mock, the default).
 *
 * No network. Searches a catalog (built in, or LUME_MOCK_CATALOG) by
 * case-insensitive substring of the formatted query. Special queries:
 *   "all"   every entry          "empty" nothing
 *   "error:unavailable", "error:timeout", "error:internal": that fault, so
 *   clients can exercise their error paths against a local service.
 * The catalog is the mock's whole world: for an episode it also says whether
 * the next one (episode + 1, else episode 1 of the next season) has a live
 * entry, or that there is none (results.h, lume_next).
 * LUME_MOCK_DELAY_MS adds latency to every search (bounded by the deadline).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mock.h"

#include "api.h"
#include "clock.h"
#include "log.h"
#include "wait.h"
#include "utf8.h"

typedef struct mock_entry {
    lume_media_link link; /* title, url, size, seeds, quality (from the title, read
                           * once), facts, key, subtitles: as a search adds it */
    char *title_lower;    /* for matching */
    lume_title_parts parts; /* name, year, season, episode: for browsing (titles.h) */
    char *poster;           /* the catalog's "poster", or NULL */
} mock_entry;

/* The mock's settings: its block of lume_provider_conf. */
typedef struct mock_settings {
    char catalog[LUME_PATH_LEN]; /* JSON catalog file; "" = the built-in one */
    long delay_ms;               /* simulated latency of every search */
} mock_settings;

_Static_assert(sizeof(mock_settings) <= LUME_PROVIDER_BLOCK_BYTES, "fits its block");

static const lume_setting mock_settings_table[] = {
    LUME_SETTING_ROW_FILE("LUME_MOCK_CATALOG", mock_settings, catalog, NULL, "",
                          "JSON catalog file (default: the built-in one)"),
    LUME_SETTING_ROW_INT("LUME_MOCK_DELAY_MS", mock_settings, delay_ms, 0, 600000, "0",
                         "simulated latency of every search"),
};

typedef struct mock_provider {
    mock_entry *entries;
    size_t count;
    long delay_ms;
} mock_provider;

static const struct {
    const char *title, *url;
    int64_t size, seeds;
} builtin[] = {
    {"Inception (2010) 1080p BluRay", "https://mock-cdn.example.com/movies/inception-2010.mkv",
     8542781952LL, 2450},
    {"The Dark Knight (2008) 1080p", "https://mock-cdn.example.com/movies/dark-knight-2008.mkv",
     9126805504LL, 1890},
    {"Interstellar (2014) 4K HDR", "https://mock-cdn.example.com/movies/interstellar-2014.mkv",
     23622320128LL, 920},
    {"The Boys S04E01 1080p WEB-DL", "https://mock-cdn.example.com/tv/the-boys/s04e01.mkv",
     2147483648LL, 1500},
    {"The Boys S04E02 1080p WEB-DL", "https://mock-cdn.example.com/tv/the-boys/s04e02.mkv",
     2084567130LL, 1400},
    {"The Boys S03E01 1080p WEB-DL", "https://mock-cdn.example.com/tv/the-boys/s03e01.mkv",
     1984567130LL, 1200},
    {"Breaking Bad S01E01 1080p BluRay", "https://mock-cdn.example.com/tv/breaking-bad/s01e01.mkv",
     1800000000LL, 3000},
    {"Breaking Bad S01E02 1080p BluRay", "https://mock-cdn.example.com/tv/breaking-bad/s01e02.mkv",
     1750000000LL, 2800},
    {"Stranger Things S01E01 1080p NF WEB-DL",
     "https://mock-cdn.example.com/tv/stranger-things/s01e01.mkv", 2200000000LL, 2500},
};

static char *lower_dup(const char *s)
{
    char *d = strdup(s);

    for (char *p = d; p != NULL && *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return d;
}

static void mock_destroy(void *impl)
{
    mock_provider *m = impl;

    if (m == NULL)
        return;
    for (size_t i = 0; i < m->count; i++) {
        lume_media_link_free(&m->entries[i].link);
        free(m->entries[i].title_lower);
        free(m->entries[i].poster);
    }
    free(m->entries);
    free(m);
}

static int add_entry(mock_provider *m, const char *title, const char *url, int64_t size,
                     int64_t seeds)
{
    mock_entry *e = &m->entries[m->count];

    e->link.title = strdup(title);
    e->title_lower = lower_dup(title);
    e->link.quality = lume_quality_from_title(title);
    e->link.url = strdup(url);
    e->link.size = size;
    e->link.seeds = seeds;
    lume_title_parse(title, &e->parts);
    m->count++; /* counted first so destroy frees a partial entry */
    return e->link.title && e->title_lower && e->link.url ? 0 : -1;
}

/* A message is one line: control characters (Jansson quotes the text near a
 * JSON error, newlines and all; a path may hold any byte) are shown as '?'. */
static void one_line(char *msg)
{
    for (; *msg != '\0'; msg++)
        if ((unsigned char)*msg < 0x20 || *msg == 0x7F)
            *msg = '?';
}

/* Copy the string value v into out[cap] when it is 1..cap-1 bytes of the
 * bytes allowed (NULL: any but control characters); absent is fine. -1
 * when present and not that. */
static int fact_text(json_t *v, char *out, size_t cap, const char *allowed)
{
    const char *t = json_string_value(v);
    size_t n;

    if (v == NULL || json_is_null(v))
        return 0;
    if (t == NULL || (n = strlen(t)) == 0 || n >= cap)
        return -1;
    for (const char *p = t; *p != '\0'; p++)
        if ((allowed != NULL && strchr(allowed, *p) == NULL) || (unsigned char)*p < 0x20)
            return -1;
    memcpy(out, t, n + 1);
    return 0;
}

/* An integer 1..max into *out; absent is fine. -1 when present and not that. */
static int fact_count(json_t *v, int64_t max, int64_t *out)
{
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max)
        return -1;
    *out = json_integer_value(v);
    return 0;
}

#define NAME_BYTES "abcdefghijklmnopqrstuvwxyz0123456789"

/* The subtitles of an entry: [{url (https), lang, label, format}]. */
static int read_subtitles(mock_entry *e, json_t *list)
{
    json_t *item;
    size_t i;

    if (list == NULL || json_is_null(list))
        return 0;
    if (!json_is_array(list) || json_array_size(list) > LUME_SUBTITLES_MAX)
        return -1;
    if ((e->link.subtitles = calloc(LUME_SUBTITLES_MAX, sizeof(*e->link.subtitles))) == NULL)
        return -1;
    json_array_foreach(list, i, item)
    {
        lume_subtitle *t = &e->link.subtitles[e->link.nsubtitles];
        const char *url = json_string_value(json_object_get(item, "url"));

        if (url == NULL || strncmp(url, "https://", 8) != 0 || url[8] == '\0' ||
            fact_text(json_object_get(item, "lang"), t->lang, sizeof(t->lang),
                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != 0 ||
            fact_text(json_object_get(item, "label"), t->label, sizeof(t->label), NULL) != 0 ||
            fact_text(json_object_get(item, "format"), t->format, sizeof(t->format),
                      NAME_BYTES) != 0 ||
            (t->url = strdup(url)) == NULL)
            return -1;
        e->link.nsubtitles++;
    }
    return 0;
}

/* What an entry may say beyond a MediaLink (docs/providers.md): the facts
 * /streams describes a candidate with, each optional. */
static int read_facts(mock_entry *e, json_t *item)
{
    lume_media_facts *f = &e->link.facts;
    int64_t width = 0, height = 0;
    json_t *seekable = json_object_get(item, "seekable");
    const char *key = json_string_value(json_object_get(item, "key"));

    if (fact_text(json_object_get(item, "container"), f->container, sizeof(f->container),
                  NAME_BYTES) != 0 ||
        fact_text(json_object_get(item, "video_codec"), f->video_codec, sizeof(f->video_codec),
                  NAME_BYTES) != 0 ||
        fact_text(json_object_get(item, "audio_codec"), f->audio_codec, sizeof(f->audio_codec),
                  NAME_BYTES) != 0 ||
        fact_count(json_object_get(item, "width"), 100000, &width) != 0 ||
        fact_count(json_object_get(item, "height"), 100000, &height) != 0 ||
        fact_count(json_object_get(item, "duration_s"), 1000000000, &f->duration_s) != 0 ||
        fact_count(json_object_get(item, "bitrate"), 1000000000000LL, &f->bitrate) != 0 ||
        fact_count(json_object_get(item, "expires_at"), 253402300799LL, &f->expires_at) != 0 ||
        (seekable != NULL && !json_is_null(seekable) && !json_is_boolean(seekable)) ||
        (json_object_get(item, "key") != NULL && (key == NULL || *key == '\0')))
        return -1;
    f->width = (int)width;
    f->height = (int)height;
    if (json_is_boolean(seekable))
        f->seekable = json_is_true(seekable) ? LUME_TRI_YES : LUME_TRI_NO;
    if (height > 0) /* the facts say it better than the title */
        e->link.quality = lume_quality_from_height((long)height);
    if (key != NULL && (e->link.key = strdup(key)) == NULL)
        return -1;
    if (json_object_get(item, "poster") != NULL) {
        const char *poster = json_string_value(json_object_get(item, "poster"));
        if (poster == NULL || strncmp(poster, "https://", 8) != 0 || poster[8] == '\0' ||
            (e->poster = strdup(poster)) == NULL)
            return -1;
    }
    return read_subtitles(e, json_object_get(item, "subtitles"));
}

/* Take the entries of a catalog, root (consumed): a JSON array of MediaLink
 * objects (title, url, size, seeds; and the facts of read_facts, each
 * optional). root is NULL when the text was not
 * JSON (jerr says why); name is the catalog's name in messages. */
static int load_entries(mock_provider *m, json_t *root, const json_error_t *jerr, const char *name,
                        char *err, size_t errlen)
{
    json_t *item;
    size_t i;

    if (root == NULL || !json_is_array(root)) {
        snprintf(err, errlen, "invalid LUME_MOCK_CATALOG=%.200s: %s", name,
                 root ? "expected a JSON array" : jerr->text);
        one_line(err);
        json_decref(root);
        return -1;
    }
    m->entries = calloc(json_array_size(root) + 1, sizeof(*m->entries));
    if (m->entries == NULL)
        goto fail_oom;
    json_array_foreach(root, i, item)
    {
        const char *title = json_string_value(json_object_get(item, "title"));
        const char *url = json_string_value(json_object_get(item, "url"));
        json_t *size = json_object_get(item, "size"), *seeds = json_object_get(item, "seeds");

        /* A MediaLink's title is 1..500 characters; its url an absolute https URL. */
        if (title == NULL || *title == '\0' || lume_utf8_length(title, strlen(title)) > 500 ||
            url == NULL || strncmp(url, "https://", 8) != 0 || url[8] == '\0' ||
            !json_is_integer(seeds) || json_integer_value(seeds) < 0 ||
            (size != NULL && !json_is_null(size) &&
             (!json_is_integer(size) || json_integer_value(size) < 0))) {
            snprintf(err, errlen,
                     "invalid LUME_MOCK_CATALOG=%.200s: entry %zu needs a title of 1 to 500 "
                     "characters, an https url, seeds >= 0 and size >= 0 or null",
                     name, i);
            one_line(err);
            json_decref(root);
            return -1;
        }
        if (add_entry(m, title, url, json_is_integer(size) ? json_integer_value(size) : -1,
                      json_integer_value(seeds)) != 0)
            goto fail_oom;
        if (read_facts(&m->entries[m->count - 1], item) != 0) {
            snprintf(err, errlen,
                     "invalid LUME_MOCK_CATALOG=%.200s: entry %zu has a fact that is not as "
                     "docs/providers.md describes (names of a-z and 0-9, counts from 1, "
                     "seekable true or false, at most %d subtitles with an https url)",
                     name, i, LUME_SUBTITLES_MAX);
            one_line(err);
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    return 0;
fail_oom:
    snprintf(err, errlen, "out of memory loading the mock catalog");
    json_decref(root);
    return -1;
}

/* Load the catalog file at path. */
static int load_catalog(mock_provider *m, const char *path, char *err, size_t errlen)
{
    json_error_t jerr;

    return load_entries(m, json_load_file(path, 0, &jerr), &jerr, path, err, errlen);
}

void *lume_mock_create_from_text(const char *text, size_t len, const char *name, long delay_ms,
                                 char *err, size_t errlen)
{
    mock_provider *m = calloc(1, sizeof(*m));
    json_error_t jerr;

    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->delay_ms = delay_ms;
    if (load_entries(m, json_loadb(text, len, 0, &jerr), &jerr, name, err, errlen) != 0) {
        mock_destroy(m);
        return NULL;
    }
    return m;
}

static void *mock_create(const void *settings, const lume_provider_conf *conf, lume_shared *shared,
                         char *err, size_t errlen)
{
    const mock_settings *set = settings;
    mock_provider *m = calloc(1, sizeof(*m));
    size_t n = sizeof(builtin) / sizeof(builtin[0]);

    (void)conf;
    (void)shared;
    err[0] = '\0';
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->delay_ms = set->delay_ms;
    if (set->catalog[0] != '\0') {
        if (load_catalog(m, set->catalog, err, errlen) != 0)
            goto fail;
        return m;
    }
    m->entries = calloc(n, sizeof(*m->entries));
    if (m->entries == NULL)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (add_entry(m, builtin[i].title, builtin[i].url, builtin[i].size, builtin[i].seeds))
            goto fail;
    return m;
fail:
    if (err[0] == '\0')
        snprintf(err, errlen, "out of memory");
    mock_destroy(m);
    return NULL;
}

/* Sleep the configured latency, or until the deadline if that comes first. */
static lume_status simulate_latency(const mock_provider *m, int64_t deadline_ms)
{
    int64_t now = lume_now_ms(), until = now + m->delay_ms;
    int timed_out = until > deadline_ms;
    struct timespec ts;

    if (m->delay_ms <= 0)
        return LUME_OK;
    if (timed_out)
        until = deadline_ms;
    lume_wait_begin(); /* held lines and kept connections never wait on the delay (wait.h) */
    while ((now = lume_now_ms()) < until) {
        ts.tv_sec = (until - now) / 1000;
        ts.tv_nsec = ((until - now) % 1000) * 1000000L;
        nanosleep(&ts, NULL);
    }
    return timed_out ? LUME_ERR_TIMEOUT : LUME_OK;
}

static lume_status injected_fault(const char *query, lume_provider_error *err)
{
    if (strncasecmp(query, "error:", 6) != 0)
        return LUME_OK;
    query += 6;
    if (strcasecmp(query, "unavailable") == 0)
        return lume_provider_fail(err, LUME_ERR_UNAVAILABLE, "mock upstream is unavailable");
    if (strcasecmp(query, "timeout") == 0)
        return lume_provider_fail(err, LUME_ERR_TIMEOUT, "mock upstream timed out");
    if (strcasecmp(query, "internal") == 0)
        return lume_provider_fail(err, LUME_ERR_INTERNAL, "%s",
                                  lume_status_message(LUME_ERR_INTERNAL));
    return LUME_OK;
}

/* Does a live entry match the formatted query of (query, season, episode)? */
static int has_live(const mock_provider *m, const char *query, int season, int episode)
{
    char formatted[1024]; /* a query is at most 800 bytes */
    int n;

    if (season > LUME_SEASON_MAX || episode > LUME_EPISODE_MAX)
        return 0;
    /* As the API formats an episode query (lume_tv_format, query.h). */
    n = snprintf(formatted, sizeof(formatted), "%s S%02dE%02d", query, season, episode);
    if (n < 0 || (size_t)n >= sizeof(formatted))
        return 0;
    for (char *p = formatted; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    for (size_t i = 0; i < m->count; i++)
        if (m->entries[i].link.seeds > 0 && strstr(m->entries[i].title_lower, formatted) != NULL)
            return 1;
    return 0;
}

/* What the catalog says of the episode after s's. */
static lume_next next_episode(const mock_provider *m, const lume_search *s)
{
    if (has_live(m, s->query, s->season, s->episode + 1))
        return LUME_NEXT_EPISODE;
    if (has_live(m, s->query, s->season + 1, 1))
        return LUME_NEXT_SEASON;
    return LUME_NEXT_NONE;
}

static lume_status mock_search(void *impl, const lume_search *s, lume_results *out,
                               lume_provider_error *err)
{
    mock_provider *m = impl;
    lume_status st;
    char *needle;
    int all = strcasecmp(s->query, "all") == 0;

    if ((st = simulate_latency(m, s->deadline_ms)) != LUME_OK)
        return lume_provider_fail(err, st, "mock upstream timed out");
    if ((st = injected_fault(s->query, err)) != LUME_OK)
        return st;
    if (strcasecmp(s->query, "empty") == 0)
        return LUME_OK;
    if ((needle = lower_dup(s->formatted)) == NULL)
        return lume_provider_fail(err, LUME_ERR_INTERNAL, "%s",
                                  lume_status_message(LUME_ERR_INTERNAL));
    for (size_t i = 0; i < m->count && st == LUME_OK; i++) {
        const mock_entry *e = &m->entries[i];
        if (all || strstr(e->title_lower, needle) != NULL)
            st = lume_results_add_link(out, &e->link);
    }
    free(needle);
    if (st != LUME_OK)
        return lume_provider_fail(err, st, "%s", lume_status_message(LUME_ERR_INTERNAL));
    if (s->season > 0 && s->episode > 0 && !all)
        out->next = next_episode(m, s);
    return LUME_OK; /* in catalog order: lume_results_select orders them */
}

/* Does name hold every word of search (ASCII case-blind)? */
static int holds(const char *name, const char *search)
{
    char *lname = lower_dup(name), *lsearch = lower_dup(search), *save = NULL;
    int all = lname != NULL && lsearch != NULL;

    for (char *w = all ? strtok_r(lsearch, " ", &save) : NULL; w != NULL && all;
         w = strtok_r(NULL, " ", &save))
        all = strstr(lname, w) != NULL;
    free(lname);
    free(lsearch);
    return all;
}

/* Was an entry with this name, year and kind already seen among the first n? */
static int seen_before(const mock_provider *m, size_t n, const mock_entry *e)
{
    for (size_t i = 0; i < n; i++) {
        const mock_entry *o = &m->entries[i];
        if (o->link.seeds > 0 && (o->parts.season > 0) == (e->parts.season > 0) &&
            o->parts.year == e->parts.year && strcasecmp(o->parts.name, e->parts.name) == 0)
            return 1;
    }
    return 0;
}

/* The catalog's films (entries without an episode) or series (the names of
 * those with one), each once, live ones only, in catalog order. */
static lume_status mock_browse(void *impl, const lume_browse *b, lume_titles *out,
                               lume_provider_error *err)
{
    mock_provider *m = impl;
    long skipped = 0;
    lume_status st;

    if ((st = simulate_latency(m, b->deadline_ms)) != LUME_OK)
        return lume_provider_fail(err, st, "mock upstream timed out");
    for (size_t i = 0; i < m->count && (int)out->count < b->limit; i++) {
        const mock_entry *e = &m->entries[i];
        if (e->link.seeds <= 0 || (e->parts.season > 0) != (b->series != 0) ||
            e->parts.name[0] == '\0' || seen_before(m, i, e) ||
            (b->search != NULL && !holds(e->parts.name, b->search)))
            continue;
        if (skipped++ < b->skip)
            continue;
        if (lume_titles_add(out, e->parts.name, e->parts.year, b->series, e->poster) != LUME_OK)
            return lume_provider_fail(err, LUME_ERR_INTERNAL, "%s",
                                      lume_status_message(LUME_ERR_INTERNAL));
    }
    return LUME_OK;
}

/* A series' episodes: the live entries of that name with an episode. */
static lume_status mock_episodes(void *impl, const char *series, int year, int64_t deadline_ms,
                                 lume_episodes *out, lume_provider_error *err)
{
    mock_provider *m = impl;
    lume_status st;

    if ((st = simulate_latency(m, deadline_ms)) != LUME_OK)
        return lume_provider_fail(err, st, "mock upstream timed out");
    for (size_t i = 0; i < m->count; i++) {
        const mock_entry *e = &m->entries[i];
        if (e->link.seeds <= 0 || e->parts.season <= 0 || e->parts.episode <= 0 ||
            strcasecmp(e->parts.name, series) != 0 || (year > 0 && e->parts.year != year))
            continue;
        if (lume_episodes_add(out, e->parts.season, e->parts.episode, NULL, 0) != LUME_OK)
            return lume_provider_fail(err, LUME_ERR_INTERNAL, "%s",
                                      lume_status_message(LUME_ERR_INTERNAL));
    }
    lume_episodes_sort(out);
    return LUME_OK;
}

static lume_status mock_health(void *impl, int64_t deadline_ms, lume_provider_error *err)
{
    (void)impl;
    (void)deadline_ms;
    (void)err;
    return LUME_OK;
}

const lume_provider_def lume_mock_provider = {
    .config_name = "mock",
    .name = "MockProvider",
    .settings = mock_settings_table,
    .nsettings = sizeof(mock_settings_table) / sizeof(mock_settings_table[0]),
    .create = mock_create,
    .search = mock_search,
    .health = mock_health,
    .destroy = mock_destroy,
    .browse = mock_browse,
    .episodes = mock_episodes,
    .films_label = "Mock films",
    .series_label = "Mock series",
};
