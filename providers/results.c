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

static void link_free(lume_media_link *m)
{
    free(m->title);
    free(m->url);
}

lume_status lume_results_add(lume_results *r, const char *title, const char *url, int64_t size,
                             int64_t seeds, const char *quality)
{
    lume_media_link *m;

    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        lume_media_link *items = realloc(r->items, cap * sizeof(*items));
        if (items == NULL)
            return LUME_ERR_INTERNAL;
        r->items = items;
        r->cap = cap;
    }
    m = &r->items[r->count];
    m->title = strdup(title);
    m->url = strdup(url);
    if (m->title == NULL || m->url == NULL) {
        link_free(m);
        return LUME_ERR_INTERNAL;
    }
    m->size = size;
    m->seeds = seeds;
    m->quality = quality;
    r->count++;
    return LUME_OK;
}

/* Insertion sort: stable, and result lists are short. */
void lume_results_sort(lume_results *r)
{
    for (size_t i = 1; i < r->count; i++) {
        lume_media_link tmp = r->items[i];
        size_t j = i;
        while (j > 0 && r->items[j - 1].seeds < tmp.seeds) {
            r->items[j] = r->items[j - 1];
            j--;
        }
        r->items[j] = tmp;
    }
}

size_t lume_results_select(lume_results *r, size_t limit)
{
    size_t live = 0;

    for (size_t i = 0; i < r->count; i++) {
        if (r->items[i].seeds > 0)
            r->items[live++] = r->items[i];
        else
            link_free(&r->items[i]);
    }
    r->count = live;
    lume_results_sort(r);
    while (r->count > limit)
        link_free(&r->items[--r->count]);
    return live;
}

void lume_results_clear(lume_results *r)
{
    for (size_t i = 0; i < r->count; i++)
        link_free(&r->items[i]);
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
