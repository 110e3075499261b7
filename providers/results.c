/*
 * results.c: the result container all providers fill, the API's rules over
 * it (dead dropped, ordered, limited: lume_results_select), and the quality
 * labels parsed from titles and heights (see results.h).
 */
#include "results.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lume_results_init(lume_results *r)
{
    memset(r, 0, sizeof(*r));
}

void lume_media_link_free(lume_media_link *m)
{
    free(m->title);
    free(m->url);
    free(m->key);
    for (size_t i = 0; i < m->nsubtitles; i++)
        free(m->subtitles[i].url);
    free(m->subtitles);
}

/* Room for n more results. */
static lume_status reserve(lume_results *r, size_t n)
{
    size_t cap = r->cap ? r->cap : 16;
    lume_media_link *items;

    if (r->count + n <= r->cap)
        return LUME_OK;
    while (cap < r->count + n)
        cap *= 2;
    if ((items = realloc(r->items, cap * sizeof(*items))) == NULL)
        return LUME_ERR_INTERNAL;
    r->items = items;
    r->cap = cap;
    return LUME_OK;
}

lume_status lume_results_add(lume_results *r, const char *title, const char *url, int64_t size,
                             int64_t seeds, const char *quality)
{
    lume_media_link m = {.title = (char *)title, .url = (char *)url, .size = size,
                         .seeds = seeds, .quality = quality};

    return lume_results_add_link(r, &m);
}

lume_status lume_results_add_link(lume_results *r, const lume_media_link *from)
{
    lume_media_link *m;

    if (reserve(r, 1) != LUME_OK)
        return LUME_ERR_INTERNAL;
    m = &r->items[r->count];
    *m = *from;
    m->title = strdup(from->title);
    m->url = strdup(from->url);
    m->key = from->key != NULL ? strdup(from->key) : NULL;
    m->subtitles = NULL;
    m->nsubtitles = 0;
    m->provider = NULL;
    m->provider_rank = 0;
    m->added = 0;
    m->direct_play = LUME_TRI_UNKNOWN;
    if (m->title == NULL || m->url == NULL || (from->key != NULL && m->key == NULL)) {
        lume_media_link_free(m);
        return LUME_ERR_INTERNAL;
    }
    r->count++;
    for (size_t i = 0; i < from->nsubtitles; i++)
        if (lume_results_add_subtitle(r, &from->subtitles[i]) != LUME_OK)
            return LUME_ERR_INTERNAL; /* the result stays, with the subtitles so far */
    return LUME_OK;
}

lume_status lume_results_add_subtitle(lume_results *r, const lume_subtitle *sub)
{
    lume_media_link *m = &r->items[r->count - 1];
    lume_subtitle *s;

    if (m->nsubtitles >= LUME_SUBTITLES_MAX)
        return LUME_OK;
    if (m->subtitles == NULL &&
        (m->subtitles = calloc(LUME_SUBTITLES_MAX, sizeof(*m->subtitles))) == NULL)
        return LUME_ERR_INTERNAL;
    s = &m->subtitles[m->nsubtitles];
    *s = *sub;
    if ((s->url = strdup(sub->url)) == NULL)
        return LUME_ERR_INTERNAL;
    m->nsubtitles++;
    return LUME_OK;
}

lume_status lume_results_take(lume_results *to, lume_results *from)
{
    if (from->count == 0)
        return LUME_OK; /* to may have no array yet */
    if (reserve(to, from->count) != LUME_OK)
        return LUME_ERR_INTERNAL;
    memcpy(to->items + to->count, from->items, from->count * sizeof(*from->items));
    to->count += from->count;
    from->count = 0; /* owned by to now */
    return LUME_OK;
}

void lume_results_clear(lume_results *r)
{
    for (size_t i = 0; i < r->count; i++)
        lume_media_link_free(&r->items[i]);
    r->count = 0;
    r->next = LUME_NEXT_UNKNOWN;
}

void lume_results_free(lume_results *r)
{
    lume_results_clear(r);
    free(r->items);
    lume_results_init(r);
}

/* Does the title contain word as a whole token (case-insensitive)? */
static int has_token(const char *title, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = title; (p = strcasestr(p, word)) != NULL; p++) {
        int left = p == title || !((p[-1] >= '0' && p[-1] <= '9') ||
                                   ((p[-1] | 32) >= 'a' && (p[-1] | 32) <= 'z'));
        char c = p[n];
        int right = !((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'));
        if (left && right)
            return 1;
    }
    return 0;
}

const char *lume_quality_from_title(const char *title)
{
    static const struct {
        const char *token, *quality;
    } map[] = {{"2160p", "2160p"}, {"4k", "2160p"},  {"uhd", "2160p"},
               {"1080p", "1080p"}, {"720p", "720p"}, {"480p", "480p"}};

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (has_token(title, map[i].token))
            return map[i].quality;
    return NULL;
}

const char *lume_quality_from_height(long height)
{
    if (height >= 2160)
        return "2160p";
    if (height >= 1080)
        return "1080p";
    if (height >= 720)
        return "720p";
    if (height >= 480)
        return "480p";
    return NULL;
}
