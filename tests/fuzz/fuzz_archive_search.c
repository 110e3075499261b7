/*
 * fuzz_archive_search.c: the advancedsearch answer parser
 * (archive_parse_search) on any body, against a reference written with
 * Jansson from the parser's contract: an object without "error" whose
 * response.docs is an array; every doc an object with a string identifier,
 * title string or null or absent, downloads integer or null or absent (any
 * other type makes the whole answer malformed); docs with an unsafe
 * identifier skipped; the title cut to 500 characters, the identifier when
 * missing or empty; downloads below 1 are 0. Each hit also makes a download
 * URL that decodes back.
 */
#include <jansson.h>

#include "fuzz/fuzz_archive.h"

static int safe_id(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 256 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void check_hits(const char *body, size_t len, const archive_hit *hits, size_t count)
{
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL), *docs, *doc;
    size_t i, k = 0;

    docs = json_object_get(json_object_get(root, "response"), "docs");
    FUZZ_CHECK(json_is_object(root) && json_object_get(root, "error") == NULL);
    FUZZ_CHECK(json_is_object(json_object_get(root, "response")) && json_is_array(docs));
    json_array_foreach(docs, i, doc)
    {
        json_t *id = json_object_get(doc, "identifier"), *title = json_object_get(doc, "title");
        json_t *dl = json_object_get(doc, "downloads");
        const char *want;
        char *url;

        FUZZ_CHECK(json_is_object(doc) && json_is_string(id));
        FUZZ_CHECK(title == NULL || json_is_null(title) || json_is_string(title));
        FUZZ_CHECK(dl == NULL || json_is_null(dl) || json_is_integer(dl));
        if (!safe_id(json_string_value(id))) {
            FUZZ_CHECK(!archive_identifier_valid(json_string_value(id)));
            continue;
        }
        FUZZ_CHECK(k < count);
        FUZZ_CHECK(strcmp(hits[k].identifier, json_string_value(id)) == 0);
        FUZZ_CHECK(archive_identifier_valid(hits[k].identifier));
        want = json_string_value(title);
        if (want == NULL || *want == '\0')
            want = json_string_value(id);
        FUZZ_CHECK(hits[k].title[0] != '\0');
        FUZZ_CHECK(strncmp(hits[k].title, want, strlen(hits[k].title)) == 0);
        FUZZ_CHECK(fuzz_utf8_length(hits[k].title, strlen(hits[k].title)) ==
                   (fuzz_utf8_length(want, strlen(want)) > ARCHIVE_TITLE_MAX
                        ? ARCHIVE_TITLE_MAX
                        : fuzz_utf8_length(want, strlen(want))));
        FUZZ_CHECK(hits[k].downloads == (json_integer_value(dl) > 0 ? json_integer_value(dl) : 0));
        url = archive_download_url(FUZZ_BASE, hits[k].identifier, "dir/a b%.mp4");
        fuzz_check_download_url(url, hits[k].identifier, "dir/a b%.mp4");
        free(url);
        k++;
    }
    FUZZ_CHECK(k == count);
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size ? size : 1);
    archive_hit *hits = (archive_hit *)&hits;
    size_t count = 99;
    archive_parse_status st;

    FUZZ_CHECK(body != NULL);
    memcpy(body, data, size); /* not NUL-terminated, exact size */
    st = archive_parse_search(body, size, &hits, &count);
    FUZZ_CHECK(st == ARCHIVE_PARSE_OK || st == ARCHIVE_PARSE_MALFORMED);
    if (st == ARCHIVE_PARSE_OK) {
        check_hits(body, size, hits, count);
    } else {
        FUZZ_CHECK(hits == NULL && count == 0);
        /* the reference must find it malformed too */
        json_t *root = json_loadb(body, size, JSON_REJECT_DUPLICATES, NULL), *docs, *doc;
        int malformed =
            !json_is_object(root) || json_object_get(root, "error") != NULL ||
            !json_is_object(json_object_get(root, "response")) ||
            !json_is_array(docs = json_object_get(json_object_get(root, "response"), "docs"));
        size_t i;
        if (!malformed) {
            json_array_foreach(docs, i, doc)
            {
                json_t *t = json_object_get(doc, "title"), *d = json_object_get(doc, "downloads");
                if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "identifier")) ||
                    (t && !json_is_null(t) && !json_is_string(t)) ||
                    (d && !json_is_null(d) && !json_is_integer(d)))
                    malformed = 1;
            }
        }
        FUZZ_CHECK(malformed);
        json_decref(root);
    }
    archive_hits_free(hits, count);
    free(body);
    return 0;
}
