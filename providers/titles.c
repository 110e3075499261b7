/*
 * titles.c: the containers of what a provider holds, for browsing (see
 * titles.h).
 */
#include "titles.h"

#include <stdlib.h>
#include <string.h>

/* Room for one more of size bytes in *items (count, cap). -1 when out of memory. */
static int grow(void **items, size_t count, size_t *cap, size_t size)
{
    void *more;

    if (count < *cap)
        return 0;
    if ((more = realloc(*items, (*cap ? *cap * 2 : 16) * size)) == NULL)
        return -1;
    *items = more;
    *cap = *cap ? *cap * 2 : 16;
    return 0;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Does p start a word (start of the title or after a blank, '.', '-', '_',
 * '[' or '(')? */
static int word_start(const char *title, const char *p)
{
    return p == title || strchr(" ._-[(", p[-1]) != NULL;
}

/* The number of digits at p, at most max, its value in *n. */
static int digits(const char *p, int max, int *n)
{
    int k = 0;

    *n = 0;
    while (k < max && is_digit(p[k]))
        *n = *n * 10 + (p[k++] - '0');
    return k;
}

/* Where the name ends at p, and what p says: 1 when it is a mark. */
static int mark_at(const char *title, const char *p, lume_title_parts *out)
{
    static const char *const tags[] = {"480p", "576p", "720p", "1080p", "2160p", "4k", "uhd",
                                       "bluray", "web-dl", "webrip", "hdtv", "dvdrip"};
    int n, k, s, e;

    if (!word_start(title, p))
        return 0;
    if (*p == '(' && (k = digits(p + 1, 4, &n)) == 4 && p[5] == ')' && n >= 1880 && n <= 2099) {
        out->year = n;
        return 1;
    }
    if (lower(*p) == 's' && (k = digits(p + 1, 4, &s)) > 0 && lower(p[1 + k]) == 'e' &&
        digits(p + 2 + k, 4, &e) > 0 && s > 0 && e > 0) { /* S00: specials, not browsed */
        out->season = s;
        out->episode = e;
        return 1;
    }
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        size_t len = strlen(tags[i]), j = 0;
        while (j < len && lower(p[j]) == tags[i][j])
            j++;
        if (j == len && (p[j] == '\0' || strchr(" ._-])", p[j]) != NULL))
            return 1;
    }
    return 0;
}

void lume_title_parse(const char *title, lume_title_parts *out)
{
    const char *p = title;
    size_t n;

    memset(out, 0, sizeof(*out));
    while (*p != '\0' && !mark_at(title, p, out))
        p++;
    n = (size_t)(p - title);
    if (n == 0) /* a title that starts with a mark ("4K Nature"): all of it */
        n = strlen(title);
    while (n > 0 && strchr(" .-_[(", title[n - 1]) != NULL)
        n--;
    if (n >= sizeof(out->name))
        n = sizeof(out->name) - 1;
    memcpy(out->name, title, n);
    out->name[n] = '\0';
    /* The marks after the name's end: "Show (2019) S01E02" has both. */
    for (; *p != '\0'; p++) {
        lume_title_parts more;
        more.year = more.season = more.episode = 0;
        if (!mark_at(title, p, &more))
            continue;
        if (out->year == 0)
            out->year = more.year;
        if (out->season == 0) {
            out->season = more.season;
            out->episode = more.episode;
        }
    }
}

void lume_titles_init(lume_titles *t)
{
    memset(t, 0, sizeof(*t));
}

lume_status lume_titles_add(lume_titles *t, const char *name, int year, int series,
                            const char *poster)
{
    lume_title *n;

    if (t->count >= LUME_TITLES_MAX)
        return LUME_OK;
    if (grow((void **)&t->items, t->count, &t->cap, sizeof(*t->items)) != 0)
        return LUME_ERR_INTERNAL;
    n = &t->items[t->count];
    n->name = strdup(name);
    n->poster = poster != NULL ? strdup(poster) : NULL;
    n->year = year;
    n->series = series;
    if (n->name == NULL || (poster != NULL && n->poster == NULL)) {
        free(n->name);
        free(n->poster);
        return LUME_ERR_INTERNAL;
    }
    t->count++;
    return LUME_OK;
}

void lume_titles_free(lume_titles *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->items[i].name);
        free(t->items[i].poster);
    }
    free(t->items);
    lume_titles_init(t);
}

void lume_episodes_init(lume_episodes *e)
{
    memset(e, 0, sizeof(*e));
}

lume_status lume_episodes_add(lume_episodes *e, int season, int episode, const char *title,
                              int64_t aired_s)
{
    lume_episode *n;

    for (size_t i = 0; i < e->count; i++)
        if (e->items[i].season == season && e->items[i].episode == episode)
            return LUME_OK;
    if (e->count >= LUME_EPISODES_MAX)
        return LUME_OK;
    if (grow((void **)&e->items, e->count, &e->cap, sizeof(*e->items)) != 0)
        return LUME_ERR_INTERNAL;
    n = &e->items[e->count];
    n->season = season;
    n->episode = episode;
    n->aired_s = aired_s;
    n->title = title != NULL ? strdup(title) : NULL;
    if (title != NULL && n->title == NULL)
        return LUME_ERR_INTERNAL;
    e->count++;
    return LUME_OK;
}

static int by_number(const void *a, const void *b)
{
    const lume_episode *x = a, *y = b;

    if (x->season != y->season)
        return x->season < y->season ? -1 : 1;
    return x->episode < y->episode ? -1 : x->episode > y->episode;
}

void lume_episodes_sort(lume_episodes *e)
{
    if (e->count > 1)
        qsort(e->items, e->count, sizeof(*e->items), by_number);
}

void lume_episodes_free(lume_episodes *e)
{
    for (size_t i = 0; i < e->count; i++)
        free(e->items[i].title);
    free(e->items);
    lume_episodes_init(e);
}
