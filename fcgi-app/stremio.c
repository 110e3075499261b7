/*
 * stremio.c: the Stremio addon's answers (see stremio.h): the manifest from
 * the providers' labels, catalogs and metas from their browse() and
 * episodes(), streams and subtitles from the provider set and the ranking.
 */
#include "stremio.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "query.h"
#include "rank.h"
#include "render.h"
#include "stremio_path.h"
#include "version.h"

#define ADDON_ID       "org.lume.addon"
#define ID_PREFIX      "lume:"
#define CATALOG_LIMIT  100 /* metas per catalog page (Stremio's skip moves by 100) */
#define STREAMS_LIMIT  LUME_LIMIT_MAX
#define FILMS_SUFFIX   ".films"
#define SERIES_SUFFIX  ".series"

/* The cache fields of every answer but the manifest, as its Cache-Control. */
static json_t *with_cache(const lume_cache_life *life, json_t *doc)
{
    if (doc != NULL)
        json_object_update_new(doc, json_pack("{s:I, s:I, s:I}", "cacheMaxAge",
                                              (json_int_t)life->max_age, "staleRevalidate",
                                              (json_int_t)life->stale_revalidate, "staleError",
                                              (json_int_t)life->stale_if_error));
    return doc;
}

/* {"name": "search"} and {"name": "skip"}: every catalog is searchable and paged. */
static json_t *catalog_extra(void)
{
    return json_pack("[{s:s, s:b}, {s:s, s:b}]", "name", "search", "isRequired", 0, "name", "skip",
                     "isRequired", 0);
}

static json_t *manifest(const lume_stremio_ctx *ctx)
{
    json_t *catalogs = json_array();

    for (size_t i = 0; catalogs != NULL && i < lume_provider_set_count(ctx->providers); i++) {
        const lume_provider *p = lume_provider_set_at(ctx->providers, i);
        for (int series = 0; series <= 1; series++) {
            const char *label = lume_provider_browse_label(p, series);
            char id[64];
            if (label == NULL)
                continue;
            snprintf(id, sizeof(id), "%s%s", lume_provider_config_name(p),
                     series ? SERIES_SUFFIX : FILMS_SUFFIX);
            json_array_append_new(catalogs,
                                  json_pack("{s:s, s:s, s:s, s:o}", "type",
                                            series ? "series" : "movie", "id", id, "name", label,
                                            "extra", catalog_extra()));
        }
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:[s,s,s,s], s:[s,s], s:[s], s:o, s:{s:b}}", "id",
                     ADDON_ID, "version", LUME_VERSION, "name", "Lume",
                     "description",
                     "Your own films and series, and public-domain films, as links a device plays "
                     "at once: ranked for it, with subtitles.",
                     "resources", "catalog", "meta", "stream", "subtitles", "types", "movie",
                     "series", "idPrefixes", ID_PREFIX, "catalogs", catalogs, "behaviorHints",
                     "configurable", 0);
}

/* The id of a title of provider p. */
static json_t *title_id(const char *provider, const lume_title *t)
{
    lume_stremio_item item = {.series = t->series, .year = t->year};
    char id[LUME_STREMIO_ID_MAX + 1];

    snprintf(item.provider, sizeof(item.provider), "%s", provider);
    if (lume_query_decode(t->name, strlen(t->name), item.name) != LUME_OK ||
        lume_stremio_id_make(&item, id) != 0)
        return NULL; /* a name no query can hold: not listed */
    return json_string(id);
}

/* A meta preview (or, with videos, a meta) of title t. */
static json_t *meta_of(const char *provider, const lume_title *t, json_t *videos)
{
    json_t *id = title_id(provider, t), *m;
    char year[16];

    if (id == NULL) {
        json_decref(videos);
        return NULL;
    }
    m = json_pack("{s:o, s:s, s:s}", "id", id, "type", t->series ? "series" : "movie", "name",
                  t->name);
    if (m != NULL && t->poster != NULL)
        json_object_set_new(m, "poster", json_string(t->poster));
    if (m != NULL && t->year > 0) {
        snprintf(year, sizeof(year), "%d", t->year);
        json_object_set_new(m, "releaseInfo", json_string(year));
    }
    if (m != NULL && videos != NULL)
        json_object_set_new(m, "videos", videos);
    else
        json_decref(videos);
    return m;
}

/* The provider and kind a catalog id names ("archive.films"), or -1. */
static int catalog_of(const char *id, char provider[32], int *series)
{
    size_t n = strlen(id), fl = strlen(FILMS_SUFFIX), sl = strlen(SERIES_SUFFIX);

    if (n > fl && strcmp(id + n - fl, FILMS_SUFFIX) == 0 && n - fl < 32)
        *series = 0, n -= fl;
    else if (n > sl && strcmp(id + n - sl, SERIES_SUFFIX) == 0 && n - sl < 32)
        *series = 1, n -= sl;
    else
        return -1;
    memcpy(provider, id, n);
    provider[n] = '\0';
    return 0;
}

/* Is provider listed, with titles of this kind to browse? */
static int browsable(const lume_stremio_ctx *ctx, const char *provider, int series)
{
    for (size_t i = 0; i < lume_provider_set_count(ctx->providers); i++) {
        const lume_provider *p = lume_provider_set_at(ctx->providers, i);
        if (strcmp(lume_provider_config_name(p), provider) == 0)
            return lume_provider_browse_label(p, series) != NULL;
    }
    return 0;
}

/* Browse provider (lent to this thread) for b into titles. */
static lume_status browse(const lume_stremio_ctx *ctx, const char *provider, const lume_browse *b,
                          lume_titles *titles, lume_provider_error *err)
{
    lume_provider *p = lume_provider_set_borrow(ctx->providers, provider);
    lume_status st;

    if (p == NULL)
        return lume_provider_fail(err, LUME_ERR_UNAVAILABLE, "%s is busy or not listed",
                                  provider);
    st = lume_provider_browse(p, b, titles, err);
    lume_provider_set_return(ctx->providers, p);
    return st;
}

static lume_status catalog(const lume_stremio_ctx *ctx, const lume_stremio_request *req,
                           json_t **body, lume_provider_error *err)
{
    char provider[32];
    int series;
    lume_browse b = {.skip = req->skip, .limit = CATALOG_LIMIT, .deadline_ms = ctx->deadline_ms};
    lume_titles titles;
    json_t *metas;
    lume_status st;

    if (catalog_of(req->id, provider, &series) != 0 || req->type == LUME_STREMIO_OTHER ||
        (req->type == LUME_STREMIO_SERIES) != series || !browsable(ctx, provider, series)) {
        *body = json_pack("{s:[]}", "metas"); /* not a catalog of ours */
        return LUME_OK;
    }
    b.series = series;
    b.search = req->search[0] ? req->search : NULL;
    lume_titles_init(&titles);
    st = browse(ctx, provider, &b, &titles, err);
    metas = json_array();
    for (size_t i = 0; st == LUME_OK && metas != NULL && i < titles.count; i++) {
        json_t *m = meta_of(provider, &titles.items[i], NULL);
        if (m != NULL)
            json_array_append_new(metas, m);
    }
    lume_titles_free(&titles);
    if (st != LUME_OK) {
        json_decref(metas);
        return st;
    }
    *body = json_pack("{s:o}", "metas", metas);
    return LUME_OK;
}

/* "2008-01-01T00:00:00.000Z": when an episode aired, else its year's start. */
static json_t *released(int64_t aired_s, int year)
{
    char text[32];
    time_t t = (time_t)aired_s;
    struct tm tm;

    if (aired_s > 0 && gmtime_r(&t, &tm) != NULL)
        strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    else
        snprintf(text, sizeof(text), "%04d-01-01T00:00:00.000Z", year > 0 ? year : 1970);
    return json_string(text);
}

static json_t *videos_of(const lume_stremio_item *item, const lume_episodes *e)
{
    json_t *videos = json_array();

    for (size_t i = 0; videos != NULL && i < e->count; i++) {
        lume_stremio_item v = *item;
        char id[LUME_STREMIO_ID_MAX + 1], title[64];
        v.season = e->items[i].season;
        v.episode = e->items[i].episode;
        if (lume_stremio_id_make(&v, id) != 0)
            continue;
        snprintf(title, sizeof(title), "S%02dE%02d", v.season, v.episode);
        json_array_append_new(videos,
                              json_pack("{s:s, s:s, s:i, s:i, s:o}", "id", id, "title",
                                        e->items[i].title ? e->items[i].title : title, "season",
                                        v.season, "episode", v.episode, "released",
                                        released(e->items[i].aired_s, item->year)));
    }
    return videos;
}

static lume_status meta(const lume_stremio_ctx *ctx, const lume_stremio_request *req,
                        json_t **body, lume_provider_error *err)
{
    lume_stremio_item item;
    lume_browse b = {.limit = CATALOG_LIMIT, .deadline_ms = ctx->deadline_ms};
    lume_titles titles;
    lume_episodes episodes;
    lume_provider *p;
    lume_status st;
    json_t *m = NULL;

    if (lume_stremio_id_read(req->id, &item) != 0 || item.season > 0 ||
        req->type == LUME_STREMIO_OTHER || (req->type == LUME_STREMIO_SERIES) != item.series ||
        !browsable(ctx, item.provider, item.series))
        return LUME_ERR_NOT_FOUND; /* not one of our metas */
    b.series = item.series;
    b.search = item.name;
    lume_titles_init(&titles);
    lume_episodes_init(&episodes);
    if ((p = lume_provider_set_borrow(ctx->providers, item.provider)) == NULL)
        return lume_provider_fail(err, LUME_ERR_UNAVAILABLE, "%s is busy", item.provider);
    st = lume_provider_browse(p, &b, &titles, err);
    if (st == LUME_OK && item.series)
        st = lume_provider_episodes(p, item.name, item.year, ctx->deadline_ms, &episodes, err);
    lume_provider_set_return(ctx->providers, p);
    for (size_t i = 0; st == LUME_OK && m == NULL && i < titles.count; i++) {
        lume_title *t = &titles.items[i];
        if (strcasecmp(t->name, item.name) == 0 && t->year == item.year &&
            t->series == item.series)
            m = meta_of(item.provider, t, item.series ? videos_of(&item, &episodes) : NULL);
    }
    lume_titles_free(&titles);
    lume_episodes_free(&episodes);
    if (st != LUME_OK)
        return st == LUME_ERR_NOT_FOUND ? LUME_ERR_NOT_FOUND : st;
    if (m == NULL)
        return LUME_ERR_NOT_FOUND;
    *body = json_pack("{s:o}", "meta", m);
    return LUME_OK;
}

/* The candidates for the video an id names, every provider asked, ranked
 * for the default device, in ctx->results. */
static lume_status candidates(const lume_stremio_ctx *ctx, const lume_stremio_item *item,
                              lume_provider_error *err)
{
    char formatted[LUME_FORMATTED_BUF];
    lume_search s = {.query = item->name, .formatted = formatted, .season = item->season,
                     .episode = item->episode, .limit = STREAMS_LIMIT,
                     .deadline_ms = ctx->deadline_ms};
    lume_caps device;
    lume_status st;

    if (lume_tv_format(item->name, item->season, item->episode, formatted, sizeof(formatted)) != 0)
        return LUME_ERR_INTERNAL;
    lume_results_clear(ctx->results);
    st = lume_provider_set_search(ctx->providers, &s, ctx->results, ctx->outcomes, err);
    if (st != LUME_OK)
        return st;
    lume_caps_default(&device);
    lume_results_rank(ctx->results, &device, STREAMS_LIMIT);
    return LUME_OK;
}

/* The last path segment of a URL, without its query: the file's name. */
static json_t *filename_of(const char *url)
{
    const char *end = url + strcspn(url, "?#"), *start = end;
    char name[256];

    while (start > url && start[-1] != '/')
        start--;
    if (end == start || (size_t)(end - start) >= sizeof(name))
        return NULL;
    memcpy(name, start, (size_t)(end - start));
    name[end - start] = '\0';
    return json_string(name);
}

static json_t *subtitles_of(const lume_media_link *c, size_t *counter)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < c->nsubtitles; i++) {
        char id[24];
        snprintf(id, sizeof(id), "lume-%zu", (*counter)++);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", id, "url",
                                              c->subtitles[i].url, "lang",
                                              c->subtitles[i].lang[0] ? c->subtitles[i].lang
                                                                      : "und"));
    }
    return list;
}

/* One stream of the protocol from a ranked candidate. */
static json_t *stream_of(const lume_media_link *c, size_t *subs)
{
    char name[32], description[700], size[32] = "", binge[96];
    json_t *hints, *s, *file;
    int web = strncmp(c->url, "https://", 8) == 0 && (strcmp(c->facts.container, "mp4") == 0 ||
                                                      strcmp(c->facts.container, "webm") == 0);

    snprintf(name, sizeof(name), "Lume %s", c->quality ? c->quality : "");
    if (c->size > 0)
        snprintf(size, sizeof(size), " | %.2f GB", (double)c->size / 1e9);
    snprintf(description, sizeof(description), "%.500s\n%s%s%s%s%s%s", c->title,
             c->provider ? c->provider : "", size, c->facts.video_codec[0] ? " | " : "",
             c->facts.video_codec, c->facts.audio_codec[0] ? "/" : "", c->facts.audio_codec);
    lume_render_binge_group(c, binge, sizeof(binge));
    hints = json_pack("{s:b, s:s}", "notWebReady", !web, "bingeGroup", binge);
    if (hints != NULL && c->size > 0)
        json_object_set_new(hints, "videoSize", json_integer((json_int_t)c->size));
    if (hints != NULL && (file = filename_of(c->url)) != NULL)
        json_object_set_new(hints, "filename", file);
    s = json_pack("{s:s, s:s, s:s, s:o, s:o}", "url", c->url, "name", name, "description",
                  description, "subtitles", subtitles_of(c, subs), "behaviorHints", hints);
    return s;
}

static lume_status streams_or_subtitles(const lume_stremio_ctx *ctx,
                                        const lume_stremio_request *req, json_t **body,
                                        lume_provider_error *err)
{
    int subtitles = req->resource == LUME_STREMIO_SUBTITLES;
    lume_stremio_item item;
    json_t *list;
    size_t subs = 0;
    lume_status st;

    if (lume_stremio_id_read(req->id, &item) != 0 || req->type == LUME_STREMIO_OTHER ||
        (req->type == LUME_STREMIO_SERIES) != item.series || (item.series && item.season == 0)) {
        *body = json_pack("{s:[]}", subtitles ? "subtitles" : "streams");
        return LUME_OK; /* not a video of ours: the protocol's empty answer */
    }
    if ((st = candidates(ctx, &item, err)) != LUME_OK)
        return st;
    list = json_array();
    for (size_t i = 0; list != NULL && i < ctx->results->count; i++) {
        const lume_media_link *c = &ctx->results->items[i];
        if (!subtitles) {
            json_array_append_new(list, stream_of(c, &subs));
            continue;
        }
        json_t *more = subtitles_of(c, &subs); /* every candidate's */
        json_array_extend(list, more);
        json_decref(more);
    }
    *body = json_pack("{s:o}", subtitles ? "subtitles" : "streams", list);
    return LUME_OK;
}

lume_status lume_stremio_answer(const lume_stremio_ctx *ctx, const char *rest, size_t len,
                                json_t **body, lume_cache_life *life, lume_provider_error *err)
{
    const char *slash;
    lume_stremio_request req;
    lume_status st;

    *body = NULL;
    *life = lume_cache_life_of(ctx->cfg, NULL, 0, 0);
    if (len < 2 || rest[0] != '/' || (slash = memchr(rest + 1, '/', len - 1)) == NULL ||
        !lume_stremio_token_ok(rest + 1, (size_t)(slash - rest - 1), ctx->cfg->stremio_token))
        return LUME_ERR_NOT_FOUND; /* a wrong token is no route at all */
    switch (lume_stremio_parse(slash, len - (size_t)(slash - rest), &req)) {
    case LUME_STREMIO_NO_ROUTE: return LUME_ERR_NOT_FOUND;
    case LUME_STREMIO_INVALID: return LUME_ERR_INVALID_ID;
    case LUME_STREMIO_OK: break;
    }
    switch (req.resource) {
    case LUME_STREMIO_MANIFEST: *body = manifest(ctx); return *body ? LUME_OK : LUME_ERR_INTERNAL;
    case LUME_STREMIO_CATALOG: st = catalog(ctx, &req, body, err); break;
    case LUME_STREMIO_META: st = meta(ctx, &req, body, err); break;
    case LUME_STREMIO_STREAM:
    case LUME_STREMIO_SUBTITLES:
        lume_results_clear(ctx->results);
        st = streams_or_subtitles(ctx, &req, body, err);
        /* Its links' expiry cuts how long it is kept (cache_life.h). */
        *life = lume_cache_life_of(ctx->cfg, ctx->results->items, ctx->results->count,
                                   (int64_t)time(NULL));
        break;
    default: return LUME_ERR_NOT_FOUND;
    }
    if (st == LUME_OK && (*body = with_cache(life, *body)) == NULL)
        st = LUME_ERR_INTERNAL;
    return st;
}
