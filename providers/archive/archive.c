/*
 * archive.c: the Internet Archive provider (LUME_PROVIDER=archive).
 *
 * Owns the request flow: ask the circuit breaker, search advancedsearch.php
 * for films (the show name for TV), keep the titles whose episode matches,
 * look the candidates' metadata up in parallel, pick each item's playable
 * file and turn it into a result; map upstream outcomes to lume statuses and
 * report them to the breaker. Parsing is in archive_parse.c, HTTP in
 * archive_http.c; the episode regexes (episode.c), the breaker (breaker.c)
 * and the retry policy (backoff.c) are the providers' shared helpers, in
 * providers/.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_http.h"
#include "archive_parse.h"
#include "breaker.h"
#include "clock.h"
#include "episode.h"
#include "language.h"
#include "log.h"
#include "provider.h"
#include "version.h"

#define SEARCH_ROWS_TV  100 /* episodes are filtered locally: fetch a wide page */
#define SEARCH_ROWS_MAX 50
#define MSG_OPEN        "the media provider is temporarily unavailable"
#define USER_AGENT      "Lume/" LUME_VERSION " (media-link resolver)"

/* The archive's settings: its block of lume_provider_conf. */
typedef struct archive_settings {
    char base_url[LUME_PATH_LEN];
    long retries;             /* upstream retries after the first try */
    long breaker_failures;    /* consecutive failures that open the circuit */
    long breaker_open_ms;     /* how long the circuit stays open, the first time */
    long breaker_open_max_ms; /* the longest it stays open while failures repeat */
} archive_settings;

_Static_assert(sizeof(archive_settings) <= LUME_PROVIDER_BLOCK_BYTES, "fits its block");

static const lume_setting archive_settings_table[] = {
    LUME_SETTING_ROW_STR("LUME_ARCHIVE_BASE_URL", archive_settings, base_url,
                         lume_setting_check_url, "https://archive.org",
                         "Internet Archive base URL"),
    LUME_SETTING_ROW_INT("LUME_RETRIES", archive_settings, retries, 0, 10, "2",
                         "upstream retries after the first try"),
    LUME_SETTING_ROW_INT("LUME_BREAKER_FAILURES", archive_settings, breaker_failures, 1, 1000, "5",
                         "failures that open the circuit"),
    LUME_SETTING_ROW_INT("LUME_BREAKER_OPEN_MS", archive_settings, breaker_open_ms, 1, 3600000,
                         "30000", "how long the circuit stays open the first time"),
    LUME_SETTING_ROW_INT(
        "LUME_BREAKER_OPEN_MAX_MS", archive_settings, breaker_open_max_ms, 1, 86400000, "300000",
        "the longest it stays open: each failed probe doubles the time, up to this"),
};

typedef struct archive_provider {
    char base[LUME_PATH_LEN]; /* without a trailing '/' */
    archive_http *http;
    lume_episode_matcher *episodes;
    lume_breaker *breaker;
    int curl_ready;
    lume_metrics *metrics;     /* the pool's, for the breaker's gauge; NULL when alone */
    lume_metrics_slot *counts; /* this worker's counters; NULL when alone */
} archive_provider;

static void archive_observe(void *impl, lume_metrics *m, lume_metrics_slot *slot)
{
    archive_provider *a = impl;

    a->metrics = m;
    a->counts = slot;
    lume_metrics_set_breaker_state(m, (int)lume_breaker_state_of(a->breaker));
}

/* One upstream call ended, started_us (lume_now_us) ago: count it. */
static void count_fetch(archive_provider *a, const archive_fetch *f, int64_t started_us)
{
    static const lume_upstream_outcome outcomes[] = {
        [ARCHIVE_FETCH_OK] = LUME_UPSTREAM_OK,
        [ARCHIVE_FETCH_HTTP_ERROR] = LUME_UPSTREAM_HTTP_ERROR,
        [ARCHIVE_FETCH_UNAVAILABLE] = LUME_UPSTREAM_UNAVAILABLE,
        [ARCHIVE_FETCH_TIMEOUT] = LUME_UPSTREAM_TIMEOUT,
    };

    lume_metrics_upstream(a->counts, outcomes[f->status], lume_now_us() - started_us,
                          f->attempts > 1 ? f->attempts - 1 : 0);
}

static void archive_destroy(void *impl)
{
    archive_provider *a = impl;

    if (a == NULL)
        return;
    archive_http_destroy(a->http);
    lume_episode_matcher_destroy(a->episodes);
    lume_breaker_destroy(a->breaker);
    if (a->curl_ready)
        curl_global_cleanup();
    free(a);
}

static void *archive_create(const void *settings, const lume_provider_conf *conf,
                            lume_shared *shared, char *err, size_t errlen)
{
    const archive_settings *set = settings;
    archive_provider *a = calloc(1, sizeof(*a));
    archive_http_opts opts = {conf->connect_timeout_ms, set->retries, ARCHIVE_BODY_MAX, USER_AGENT};
    size_t n;

    if (a == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(a->base, sizeof(a->base), "%s", set->base_url);
    for (n = strlen(a->base); n > 0 && a->base[n - 1] == '/'; n--)
        a->base[n - 1] = '\0';
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "cannot initialise libcurl");
        goto fail;
    }
    a->curl_ready = 1;
    if ((a->http = archive_http_create(&opts, err, errlen)) == NULL ||
        (a->episodes = lume_episode_matcher_create(err, errlen)) == NULL)
        goto fail;
    a->breaker = lume_breaker_create(shared != NULL ? lume_shared_provider_area(shared) : NULL,
                                     set->breaker_failures, set->breaker_open_ms,
                                     set->breaker_open_max_ms, NULL, NULL);
    if (a->breaker == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    return a;
fail:
    archive_destroy(a);
    return NULL;
}

/* Escape the Lucene query syntax so the user's words are only words. */
static char *lucene_escape(const char *q)
{
    char *out = malloc(2 * strlen(q) + 1), *o = out;

    if (out == NULL)
        return NULL;
    for (; *q != '\0'; q++) {
        if (strchr("+-&|!(){}[]^\"~*?:\\/", *q) != NULL)
            *o++ = '\\';
        *o++ = *q;
    }
    *o = '\0';
    return out;
}

/* Append name=value to the URL's query, value percent-encoded by curl. */
static int add_param(CURLU *u, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 2;
    char *part = malloc(n);
    CURLUcode rc;

    if (part == NULL)
        return -1;
    snprintf(part, n, "%s=%s", name, value);
    rc = curl_url_set(u, CURLUPART_QUERY, part, CURLU_APPENDQUERY | CURLU_URLENCODE);
    free(part);
    return rc == CURLUE_OK ? 0 : -1;
}

/* {base}/advancedsearch.php?q=title:(<words>) AND mediatype:(movies)&fl[]=...
 * words NULL: every film (the health check, browsing), most downloaded
 * first; page counts from 1. */
static char *search_url(const archive_provider *a, const char *words, int rows, long page)
{
    CURLU *u = curl_url();
    char *escaped = words ? lucene_escape(words) : NULL, *q = NULL, *url = NULL, rows_s[16];
    char page_s[24];
    char endpoint[LUME_PATH_LEN + 32];
    size_t n;
    int ok;

    if (u == NULL || (words != NULL && escaped == NULL))
        goto done;
    n = (escaped ? strlen(escaped) : 0) + 64;
    if ((q = malloc(n)) == NULL)
        goto done;
    if (escaped != NULL)
        snprintf(q, n, "title:(%s) AND mediatype:(movies)", escaped);
    else
        snprintf(q, n, "mediatype:(movies)");
    snprintf(rows_s, sizeof(rows_s), "%d", rows);
    snprintf(page_s, sizeof(page_s), "%ld", page);
    snprintf(endpoint, sizeof(endpoint), "%s/advancedsearch.php", a->base); /* keeps a base path */
    ok = curl_url_set(u, CURLUPART_URL, endpoint, 0) == CURLUE_OK && add_param(u, "q", q) == 0 &&
         add_param(u, "fl[]", "identifier") == 0 && add_param(u, "fl[]", "title") == 0 &&
         add_param(u, "fl[]", "downloads") == 0 && add_param(u, "sort[]", "downloads desc") == 0 &&
         add_param(u, "rows", rows_s) == 0 && add_param(u, "page", page_s) == 0 &&
         add_param(u, "output", "json") == 0;
    if (ok && curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
        url = NULL;
done:
    free(escaped);
    free(q);
    curl_url_cleanup(u);
    return url; /* curl_free() it */
}

/* {base}/metadata/{identifier}; the identifier is already validated. */
static char *metadata_url(const archive_provider *a, const char *identifier)
{
    CURLU *u = curl_url();
    char *path = NULL, *url = NULL, *esc = curl_easy_escape(NULL, identifier, 0);
    size_t n = esc ? strlen(a->base) + strlen(esc) + 16 : 0;

    if (u != NULL && esc != NULL && (path = malloc(n)) != NULL) {
        snprintf(path, n, "%s/metadata/%s", a->base, esc); /* keeps a base path */
        if (curl_url_set(u, CURLUPART_URL, path, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
            url = NULL;
    }
    curl_free(esc);
    free(path);
    curl_url_cleanup(u);
    return url;
}

static lume_status fetch_failure(const archive_fetch *f)
{
    return f->status == ARCHIVE_FETCH_TIMEOUT ? LUME_ERR_TIMEOUT : LUME_ERR_UNAVAILABLE;
}

static void log_fault(const char *what, const archive_fetch *f, const char *why)
{
    lume_logline l;

    if (!lume_logline_begin(&l, LUME_LOG_WARN))
        return;
    lume_logline_str(&l, "event", "archive_upstream_failed");
    lume_logline_str(&l, "call", what);
    lume_logline_str(&l, "reason", why ? why : f->detail);
    lume_logline_int(&l, "attempts", f->attempts);
    lume_logline_int(&l, "http_status", f->http_code);
    lume_logline_write(&l);
}

/* Breaker bookkeeping around an upstream outcome. */
static lume_status settle(archive_provider *a, lume_breaker_ticket ticket, lume_status st,
                          lume_provider_error *err)
{
    int moved = 0;

    if (st == LUME_ERR_UNAVAILABLE || st == LUME_ERR_TIMEOUT)
        moved = lume_breaker_failure(a->breaker, ticket);
    else if (st == LUME_OK || st == LUME_ERR_NOT_FOUND)
        moved = lume_breaker_success(a->breaker, ticket);
    if (moved) {
        lume_metrics_breaker(a->counts, st == LUME_OK || st == LUME_ERR_NOT_FOUND
                                            ? LUME_BREAKER_TO_CLOSED
                                            : LUME_BREAKER_TO_OPEN);
        lume_metrics_set_breaker_state(a->metrics, (int)lume_breaker_state_of(a->breaker));
    }
    if (moved)
        lume_log(st == LUME_OK || st == LUME_ERR_NOT_FOUND ? LUME_LOG_INFO : LUME_LOG_WARN,
                 "archive_breaker", "circuit %s",
                 st == LUME_OK || st == LUME_ERR_NOT_FOUND ? "closed" : "opened");
    switch (st) {
    case LUME_OK: return st;
    case LUME_ERR_TIMEOUT:
    case LUME_ERR_UNAVAILABLE: return lume_provider_fail(err, st, "%s", lume_status_message(st));
    default: return lume_provider_fail(err, st, "%s", lume_status_message(LUME_ERR_INTERNAL));
    }
}

static int breaker_open(archive_provider *a, lume_breaker_ticket *ticket, lume_provider_error *err)
{
    int64_t retry_ms = 0;
    lume_breaker_state before = lume_breaker_state_of(a->breaker);

    if (lume_breaker_allow(a->breaker, ticket, &retry_ms)) {
        if (before == LUME_BREAKER_OPEN) { /* this call is the half-open probe */
            lume_metrics_breaker(a->counts, LUME_BREAKER_TO_HALF_OPEN);
            lume_metrics_set_breaker_state(a->metrics, LUME_BREAKER_HALF_OPEN);
        }
        return 0;
    }
    lume_metrics_upstream(a->counts, LUME_UPSTREAM_REJECTED, 0, 0);
    err->retry_after_s = (int)((retry_ms + 999) / 1000);
    if (err->retry_after_s < 1)
        err->retry_after_s = 1;
    lume_provider_fail(err, LUME_ERR_UNAVAILABLE, MSG_OPEN);
    return 1;
}

/* One lookup() in progress: what its finished fetches add up to. */
typedef struct lookup_run {
    archive_provider *a;
    const archive_hit *hits;
    int64_t deadline;
    lume_results *out;
    lume_status st;
    size_t answered, timeouts; /* answers (a 404 included); fetches that hit the deadline */
    int64_t started_us;        /* every fetch of the run starts together */
} lookup_run;

static void copy_name(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s", name != NULL ? name : "");
}

/* The item's chosen file as a candidate: its facts from the file's entry and
 * the format table, the same file reached any way one key, and the item's
 * subtitle files with the language their names give. */
static lume_status add_choice(archive_provider *a, const archive_hit *hit, const archive_choice *c,
                              lume_results *out)
{
    const char *q = lume_quality_from_height(c->height);
    lume_media_link m = {.title = hit->title,
                         .size = c->size,
                         .seeds = hit->downloads > 0 ? hit->downloads : 1,
                         .quality = q ? q : lume_quality_from_title(hit->title)};
    lume_status st = LUME_OK;
    size_t keylen = strlen(hit->identifier) + strlen(c->name) + 10;

    m.url = archive_download_url(a->base, hit->identifier, c->name);
    m.key = malloc(keylen);
    if (m.key == NULL)
        st = LUME_ERR_INTERNAL;
    if (m.url == NULL || m.key == NULL) /* no URL: an unsafe path, skipped as ever */
        goto done;
    snprintf(m.key, keylen, "archive:%s/%s", hit->identifier, c->name);
    copy_name(m.facts.container, sizeof(m.facts.container), c->format.container);
    copy_name(m.facts.video_codec, sizeof(m.facts.video_codec), c->format.video);
    copy_name(m.facts.audio_codec, sizeof(m.facts.audio_codec), c->format.audio);
    m.facts.width = (int)c->width;
    m.facts.height = (int)c->height;
    m.facts.duration_s = c->duration_s;
    if (c->size > 0 && c->duration_s > 0)
        m.facts.bitrate = c->size * 8 / c->duration_s;
    if ((st = lume_results_add_link(out, &m)) != LUME_OK)
        goto done;
    for (size_t i = 0; i < c->nsubtitles && st == LUME_OK; i++) {
        lume_subtitle sub = {0};
        lume_language lang;
        const char *name = c->subtitles[i].name;
        if ((sub.url = archive_download_url(a->base, hit->identifier, name)) == NULL)
            continue;
        if (lume_language_of_file(name, strlen(name), &lang)) {
            copy_name(sub.lang, sizeof(sub.lang), lang.tag);
            snprintf(sub.label, sizeof(sub.label), "%s%s", lang.label ? lang.label : lang.tag,
                     lang.forced ? " (forced)" : lang.sdh ? " (SDH)" : "");
        }
        copy_name(sub.format, sizeof(sub.format), c->subtitles[i].format);
        st = lume_results_add_subtitle(out, &sub);
        free(sub.url);
    }
done:
    free(m.url);
    free(m.key);
    return st;
}

/* One metadata answer, as soon as it has arrived: parse it, free it (the
 * caller does), so no more than the running transfers' bodies are ever held.
 * No parse starts once the deadline has passed. */
static void lookup_done(void *ctx, size_t i, archive_fetch *f)
{
    lookup_run *r = ctx;
    const archive_hit *hit = &r->hits[i];
    archive_choice c;
    archive_item_status is;

    count_fetch(r->a, f, r->started_us);
    if (r->st != LUME_OK)
        return;
    if (f->status == ARCHIVE_FETCH_OK && lume_now_ms() >= r->deadline) {
        f->status = ARCHIVE_FETCH_TIMEOUT;
        snprintf(f->detail, sizeof(f->detail), "deadline passed before it was read");
    }
    if (f->status != ARCHIVE_FETCH_OK) {
        r->timeouts += f->status == ARCHIVE_FETCH_TIMEOUT;
        if (f->status != ARCHIVE_FETCH_HTTP_ERROR || f->http_code != 404)
            log_fault("metadata", f, NULL);
        else
            r->answered++; /* a 404 is an answer: the item is gone */
        return;
    }
    is = archive_parse_metadata(f->body, f->len, &c);
    if (is == ARCHIVE_ITEM_NOMEM) {
        r->st = LUME_ERR_INTERNAL;
        return;
    }
    if (is == ARCHIVE_ITEM_MALFORMED || is == ARCHIVE_ITEM_TOO_BIG) {
        log_fault("metadata", f,
                  is == ARCHIVE_ITEM_MALFORMED ? "malformed metadata"
                                               : "metadata over the JSON bound");
        return;
    }
    r->answered++;
    if (is != ARCHIVE_ITEM_PLAYABLE)
        return;
    r->st = add_choice(r->a, hit, &c, r->out);
    archive_choice_free(&c);
}

/* Look the candidates up in parallel and add the playable ones to out. */
static lume_status lookup(archive_provider *a, const archive_hit *hits, size_t n, int64_t deadline,
                          lume_results *out)
{
    archive_fetch *fetches = calloc(n ? n : 1, sizeof(*fetches));
    lookup_run r = {a, hits, deadline, out, LUME_OK, 0, 0, lume_now_us()};

    if (fetches == NULL)
        return LUME_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++)
        if ((fetches[i].url = metadata_url(a, hits[i].identifier)) == NULL)
            r.st = LUME_ERR_INTERNAL;
    if (r.st == LUME_OK)
        archive_http_fetch_all(a->http, fetches, n, deadline, -1, lookup_done, &r);
    for (size_t i = 0; i < n; i++)
        curl_free((char *)fetches[i].url);
    free(fetches);
    if (r.st == LUME_OK && n > 0 && r.answered == 0) /* every lookup failed: the upstream is down */
        r.st = r.timeouts > 0 ? LUME_ERR_TIMEOUT : LUME_ERR_UNAVAILABLE;
    return r.st;
}

/* One advancedsearch call (a search, a browse, the health check): its hits
 * in *hits, *count (free with archive_hits_free). LUME_OK; LUME_ERR_INTERNAL
 * when memory runs out; else the upstream's failure, logged as what.
 * retries: as archive_http_fetch_all's (-1: LUME_RETRIES). */
static lume_status search_call(archive_provider *a, const char *what, const char *words, int rows,
                               long page, int64_t deadline_ms, int retries, archive_hit **hits,
                               size_t *count)
{
    archive_fetch f = {0};
    archive_parse_status ps;
    int64_t started_us;

    *hits = NULL;
    *count = 0;
    if ((f.url = search_url(a, words, rows, page)) == NULL)
        return LUME_ERR_INTERNAL;
    started_us = lume_now_us();
    archive_http_fetch_all(a->http, &f, 1, deadline_ms, retries, NULL, NULL);
    count_fetch(a, &f, started_us);
    curl_free((char *)f.url);
    if (f.status != ARCHIVE_FETCH_OK) {
        log_fault(what, &f, NULL);
        archive_fetch_release(&f);
        return fetch_failure(&f);
    }
    ps = archive_parse_search(f.body, f.len, hits, count);
    archive_fetch_release(&f);
    if (ps == ARCHIVE_PARSE_OK)
        return LUME_OK;
    if (ps == ARCHIVE_PARSE_NOMEM)
        return LUME_ERR_INTERNAL;
    log_fault(what, &f,
              ps == ARCHIVE_PARSE_TOO_BIG ? "search answer over the JSON bound"
                                          : "malformed search answer");
    return LUME_ERR_UNAVAILABLE;
}

static lume_status archive_search(void *impl, const lume_search *s, lume_results *out,
                                  lume_provider_error *err)
{
    archive_provider *a = impl;
    int tv = s->season > 0;
    int want = s->limit > 0 ? s->limit : 1;
    int rows =
        tv ? SEARCH_ROWS_TV : (want * 2 + 4 < SEARCH_ROWS_MAX ? want * 2 + 4 : SEARCH_ROWS_MAX);
    size_t max_lookups = (size_t)(want * 2 + 4), count = 0, keep = 0;
    archive_hit *hits = NULL;
    lume_breaker_ticket ticket;
    lume_status st;

    if (breaker_open(a, &ticket, err))
        return LUME_ERR_UNAVAILABLE;
    /* TV: search the show's name; the episode is matched in the titles. */
    if ((st = search_call(a, "search", s->query, rows, 1, s->deadline_ms, -1, &hits, &count)) !=
        LUME_OK)
        return settle(a, ticket, st, err);
    for (size_t i = 0; i < count; i++) {
        archive_hit h = hits[i];
        if (keep < max_lookups &&
            lume_episode_matches(a->episodes, h.title, strlen(h.title), s->season, s->episode)) {
            hits[i] = hits[keep];
            hits[keep++] = h;
        }
    }
    st = lookup(a, hits, keep, s->deadline_ms, out);
    archive_hits_free(hits, count);
    if (st != LUME_OK)
        lume_results_clear(out);
    return settle(a, ticket, st, err);
}

/* The films, most downloaded first (or those whose titles hold b->search's
 * words), a page of them: each with the item's image as its poster. */
static lume_status archive_browse(void *impl, const lume_browse *b, lume_titles *out,
                                  lume_provider_error *err)
{
    archive_provider *a = impl;
    int rows = b->limit > 0 ? b->limit : 1;
    archive_hit *hits = NULL;
    size_t count = 0;
    lume_breaker_ticket ticket;
    lume_status st;

    if (b->series) /* the archive's films only: no series of its own */
        return LUME_OK;
    if (breaker_open(a, &ticket, err))
        return LUME_ERR_UNAVAILABLE;
    st = search_call(a, "browse", b->search, rows, b->skip / rows + 1, b->deadline_ms, -1, &hits,
                     &count);
    for (size_t i = 0; st == LUME_OK && i < count; i++) {
        lume_title_parts parts;
        char *poster = archive_image_url(a->base, hits[i].identifier);
        lume_title_parse(hits[i].title, &parts);
        if (poster == NULL ||
            lume_titles_add(out, parts.name, parts.year, 0, poster) != LUME_OK)
            st = LUME_ERR_INTERNAL;
        free(poster);
    }
    archive_hits_free(hits, count);
    return settle(a, ticket, st, err);
}

static lume_status archive_health(void *impl, int64_t deadline_ms, lume_provider_error *err)
{
    archive_provider *a = impl;
    archive_hit *hits = NULL;
    size_t count = 0;
    lume_breaker_ticket ticket;
    lume_status st;

    if (breaker_open(a, &ticket, err))
        return LUME_ERR_UNAVAILABLE;
    st = search_call(a, "health", NULL, 1, 1, deadline_ms, 0, &hits, &count);
    archive_hits_free(hits, count);
    return settle(a, ticket, st, err);
}

const lume_provider_def lume_archive_provider = {
    .config_name = "archive",
    .name = "ArchiveProvider",
    .settings = archive_settings_table,
    .nsettings = sizeof(archive_settings_table) / sizeof(archive_settings_table[0]),
    .create = archive_create,
    .search = archive_search,
    .health = archive_health,
    .destroy = archive_destroy,
    .observe = archive_observe,
    .browse = archive_browse,
    .films_label = "Public-domain films (Internet Archive)",
};
