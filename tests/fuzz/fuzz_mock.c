/*
 * fuzz_mock.c: the mock provider's catalog loader (lume_mock_create_from_text,
 * the same checks as a LUME_MOCK_CATALOG file) and its search. The input is a
 * query, a NUL, then the catalog text.
 *
 * The catalog loads exactly when a reference reading of the rule accepts it
 * (a JSON array of objects with a title of 1..500 characters, an https url
 * with something after "https://", integer seeds >= 0 and size absent, null
 * or an integer >= 0; and each fact, when present and not null, as
 * docs/providers.md says: names of 1..15 bytes of a-z0-9, counts from 1 to
 * their bound, seekable a boolean, a non-empty key, at most 16 subtitles with
 * an https url); a refused one gives a one-line message naming
 * LUME_MOCK_CATALOG. A loaded catalog answers "all" with every entry, sorted
 * by seeds (stable), and the query with exactly the entries whose title holds
 * the query in any ASCII case, each with the quality of its title.
 */
#include <jansson.h>
#include <strings.h>

#include "clock.h"
#include "fuzz/fuzz.h"
#include "mock/mock.h"

static int absent(json_t *v)
{
    return v == NULL || json_is_null(v);
}

/* A string of 1..max bytes, each in allowed (NULL: none below 0x20). */
static int text_of(json_t *v, size_t max, const char *allowed)
{
    const char *t = json_string_value(v);

    if (t == NULL || strlen(t) < 1 || strlen(t) > max)
        return 0;
    for (; *t != '\0'; t++)
        if (allowed ? strchr(allowed, *t) == NULL : (unsigned char)*t < 0x20)
            return 0;
    return 1;
}

static int count_of(json_t *v, json_int_t max)
{
    return json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= max;
}

#define NAMES "abcdefghijklmnopqrstuvwxyz0123456789"

static int facts_valid(json_t *e)
{
    static const char *const names[] = {"container", "video_codec", "audio_codec"};
    static const struct {
        const char *field;
        json_int_t max;
    } counts[] = {{"width", 100000},
                  {"height", 100000},
                  {"duration_s", 1000000000},
                  {"bitrate", 1000000000000LL},
                  {"expires_at", 253402300799LL}};
    json_t *subs = json_object_get(e, "subtitles"), *key = json_object_get(e, "key"), *t;
    size_t i;

    for (i = 0; i < 3; i++)
        if (!absent(json_object_get(e, names[i])) &&
            !text_of(json_object_get(e, names[i]), 15, NAMES))
            return 0;
    for (i = 0; i < 5; i++)
        if (!absent(json_object_get(e, counts[i].field)) &&
            !count_of(json_object_get(e, counts[i].field), counts[i].max))
            return 0;
    if (!absent(json_object_get(e, "seekable")) && !json_is_boolean(json_object_get(e, "seekable")))
        return 0;
    if (key != NULL && (json_string_value(key) == NULL || strlen(json_string_value(key)) == 0))
        return 0;
    {
        json_t *poster = json_object_get(e, "poster");
        const char *p = json_string_value(poster);
        if (poster != NULL && (p == NULL || strncmp(p, "https://", 8) != 0 || strlen(p) <= 8))
            return 0;
    }
    if (absent(subs))
        return 1;
    if (!json_is_array(subs) || json_array_size(subs) > 16)
        return 0;
    json_array_foreach(subs, i, t)
    {
        const char *url = json_string_value(json_object_get(t, "url"));
        json_t *lang = json_object_get(t, "lang"), *label = json_object_get(t, "label"),
               *format = json_object_get(t, "format");
        if (url == NULL || strncmp(url, "https://", 8) != 0 || strlen(url) <= 8 ||
            (!absent(lang) &&
             !text_of(lang, 7, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")) ||
            (!absent(label) && !text_of(label, 39, NULL)) ||
            (!absent(format) && !text_of(format, 15, NAMES)))
            return 0;
    }
    return 1;
}

static int entry_valid(json_t *e)
{
    const char *title = json_string_value(json_object_get(e, "title"));
    const char *url = json_string_value(json_object_get(e, "url"));
    json_t *seeds = json_object_get(e, "seeds"), *size = json_object_get(e, "size");
    long chars = title ? fuzz_utf8_length(title, strlen(title)) : -1;

    return chars >= 1 && chars <= 500 && url && strncmp(url, "https://", 8) == 0 &&
           strlen(url) > 8 && json_is_integer(seeds) && json_integer_value(seeds) >= 0 &&
           (size == NULL || json_is_null(size) ||
            (json_is_integer(size) && json_integer_value(size) >= 0)) &&
           facts_valid(e);
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (const char *h = hay;; h++) {
        size_t k = 0;
        while (k < n && h[k] != '\0') {
            char a = h[k], b = needle[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a + 32);
            if (b >= 'A' && b <= 'Z')
                b = (char)(b + 32);
            if (a != b)
                break;
            k++;
        }
        if (k == n)
            return 1;
        if (*h == '\0')
            return 0;
    }
}

/* Search q (as query and formatted query) and check the answer. */
static void check_search(void *impl, json_t *catalog, const char *q)
{
    lume_search s = {.query = q, .formatted = q, .limit = 25};
    lume_provider_error perr = {{0}, 0};
    lume_results res;
    lume_status st;
    int all = strcasecmp(q, "all") == 0,
        special = strcasecmp(q, "empty") == 0 || strncasecmp(q, "error:", 6) == 0;
    size_t want = 0, i;
    json_t *e;

    s.deadline_ms = lume_now_ms() + 1000;
    lume_results_init(&res);
    st = lume_mock_provider.search(impl, &s, &res, &perr);
    if (st != LUME_OK) {
        FUZZ_CHECK(strncasecmp(q, "error:", 6) == 0 && perr.message[0] != '\0');
        lume_results_free(&res);
        return;
    }
    json_array_foreach(catalog, i, e)
    {
        if (all || contains_ci(json_string_value(json_object_get(e, "title")), q))
            want++;
    }
    if (strcasecmp(q, "empty") == 0)
        want = 0;
    FUZZ_CHECK(special ? res.count == want || res.count == 0 : res.count == want);
    for (size_t k = 0; k < res.count; k++) {
        const lume_media_link *l = &res.items[k];
        FUZZ_CHECK(l->title != NULL && l->url != NULL && strncmp(l->url, "https://", 8) == 0);
        FUZZ_CHECK(l->seeds >= 0 && l->size >= -1);
        /* The height, when the entry gives one, says the quality; else the title. */
        FUZZ_CHECK(l->facts.height > 0 ? l->quality == lume_quality_from_height(l->facts.height)
                                       : l->quality == lume_quality_from_title(l->title));
        FUZZ_CHECK(all || contains_ci(l->title, q));
    }
    /* Providers return results in any order; the API orders them (lume_results_select). */
    lume_results_sort(&res);
    for (size_t k = 1; k < res.count; k++)
        FUZZ_CHECK(res.items[k - 1].seeds >= res.items[k].seeds);
    lume_results_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    char *query = fuzz_until(&r, 0, NULL), *text = malloc(r.left ? r.left : 1), err[512];
    json_t *catalog = json_loadb((const char *)r.p, r.left, 0, NULL), *e;
    int want = json_is_array(catalog);
    size_t i;
    void *impl;

    FUZZ_CHECK(text != NULL);
    memcpy(text, r.p, r.left); /* exact size, not NUL-terminated */
    json_array_foreach(catalog, i, e) want = want && entry_valid(e);
    err[0] = '\0';
    impl = lume_mock_create_from_text(text, r.left, "fuzz.json", 0, err, sizeof(err));
    FUZZ_CHECK((impl != NULL) == want);
    if (impl == NULL) {
        FUZZ_CHECK(strncmp(err, "invalid LUME_MOCK_CATALOG=fuzz.json: ", 37) == 0);
        FUZZ_CHECK(strchr(err, '\n') == NULL);
    } else {
        check_search(impl, catalog, "all");
        if (query[0] != '\0')
            check_search(impl, catalog, query);
        lume_mock_provider.destroy(impl);
    }
    json_decref(catalog);
    free(text);
    free(query);
    return 0;
}
