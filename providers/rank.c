/*
 * rank.c: the order of candidates for a device, dead and duplicate ones
 * dropped, the limit applied (see rank.h); and the contract's seeds order
 * (lume_results_sort, lume_results_select).
 */
#include "rank.h"

#include <string.h>

lume_tri lume_direct_play(const lume_caps *caps, const lume_media_facts *f)
{
    int known_all = f->container[0] != '\0' && f->video_codec[0] != '\0';

    if (f->container[0] != '\0' && !(lume_caps_container(f->container) & caps->containers))
        return LUME_TRI_NO;
    if (f->video_codec[0] != '\0' && !(lume_caps_vcodec(f->video_codec) & caps->video))
        return LUME_TRI_NO;
    if (f->audio_codec[0] != '\0' && !(lume_caps_acodec(f->audio_codec) & caps->audio))
        return LUME_TRI_NO;
    return known_all ? LUME_TRI_YES : LUME_TRI_UNKNOWN;
}

/* Lower is better: yes, unknown, no. */
static int play_class(lume_tri t)
{
    return t == LUME_TRI_YES ? 0 : t == LUME_TRI_UNKNOWN ? 1 : 2;
}

/* Is a better placed than b for a device of this largest height (0: any)? */
static int before(const lume_media_link *a, const lume_media_link *b, int max_height)
{
    int ca = play_class(a->direct_play), cb = play_class(b->direct_play);
    int ha = a->facts.height, hb = b->facts.height;
    int fa = ha <= 0 ? 1 : (max_height > 0 && ha > max_height) ? 2 : 0;
    int fb = hb <= 0 ? 1 : (max_height > 0 && hb > max_height) ? 2 : 0;

    if (ca != cb)
        return ca < cb;
    if (fa != fb)
        return fa < fb;
    if (fa == 0 && ha != hb)
        return ha > hb; /* the highest that fits */
    if (fa == 2 && ha != hb)
        return ha < hb; /* the nearest above */
    if (a->provider_rank != b->provider_rank)
        return a->provider_rank < b->provider_rank;
    if (a->seeds != b->seeds)
        return a->seeds > b->seeds;
    return a->added < b->added;
}

/* Is m a duplicate of one of items[0..n)? */
static int duplicate(const lume_media_link *items, size_t n, const lume_media_link *m)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].url, m->url) == 0 ||
            (m->key != NULL && items[i].key != NULL && strcmp(items[i].key, m->key) == 0))
            return 1;
    return 0;
}

size_t lume_results_rank(lume_results *r, const lume_caps *caps, size_t limit)
{
    size_t live = 0, kept = 0;

    for (size_t i = 0; i < r->count; i++) {
        lume_media_link *m = &r->items[i];
        if (m->seeds <= 0) {
            lume_media_link_free(m);
            continue;
        }
        m->added = i;
        m->direct_play = lume_direct_play(caps, &m->facts);
        r->items[live++] = *m;
    }
    /* Insertion sort: stable, and candidate lists are short (capped per provider). */
    for (size_t i = 1; i < live; i++) {
        lume_media_link tmp = r->items[i];
        size_t j = i;
        while (j > 0 && before(&tmp, &r->items[j - 1], caps->max_height)) {
            r->items[j] = r->items[j - 1];
            j--;
        }
        r->items[j] = tmp;
    }
    for (size_t i = 0; i < live; i++) {
        if (duplicate(r->items, kept, &r->items[i]))
            lume_media_link_free(&r->items[i]);
        else
            r->items[kept++] = r->items[i];
    }
    r->count = kept;
    while (r->count > limit)
        lume_media_link_free(&r->items[--r->count]);
    return kept;
}

size_t lume_results_select(lume_results *r, size_t limit)
{
    lume_caps device;

    lume_caps_default(&device);
    return lume_results_rank(r, &device, limit);
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
