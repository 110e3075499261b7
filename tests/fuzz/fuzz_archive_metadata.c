/*
 * fuzz_archive_metadata.c: the metadata answer parser and file picker
 * (archive_parse_metadata) on any body, against a reference written with
 * Jansson from the contract: not an object is malformed; {} is dead, and so
 * is an item that is dark or access-restricted, or has no "files"; "files"
 * not an array, an entry not an object or "metadata" not an object is
 * malformed; files with an unsafe name are skipped; the pick is an .mp4 of
 * the h.264 family with the highest height, then the largest size (first on
 * ties), "512Kb MPEG4" only when nothing better exists; dead when none plays.
 * A choice also makes a download URL that decodes back to its name.
 */
#include <jansson.h>
#include <strings.h>

#include "fuzz/fuzz_archive.h"

static int truthy(json_t *v)
{
    const char *s = json_string_value(v);

    return json_is_true(v) || (s && strcasecmp(s, "true") == 0) ||
           (json_is_integer(v) && json_integer_value(v) != 0);
}

/* digits only, and small enough that n * 10 + 9 cannot overflow on the way */
static int64_t number(json_t *v)
{
    const char *s = json_string_value(v);
    int64_t n = 0;

    if (s == NULL || *s == '\0' || strspn(s, "0123456789") != strlen(s))
        return -1;
    for (; *s; s++) {
        if (n > (INT64_MAX - 9) / 10)
            return -1;
        n = n * 10 + (*s - '0');
    }
    return n;
}

static int safe_path(const char *name)
{
    char *copy, *seg, *save = NULL;
    int ok = 1;

    if (name == NULL || *name == '\0' || *name == '/' || name[strlen(name) - 1] == '/' ||
        strstr(name, "//") != NULL)
        return 0;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20)
            return 0;
    copy = strdup(name);
    for (seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save))
        if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0)
            ok = 0;
    free(copy);
    return ok;
}

static int rank(const char *name, const char *format)
{
    static const char *const family[] = {"h.264", "h.264 IA", "h.264 HD", "MPEG4", "HiRes MPEG4"};
    size_t n = name ? strlen(name) : 0;

    if (format == NULL || n < 4 || strcasecmp(name + n - 4, ".mp4") != 0)
        return 0;
    for (size_t i = 0; i < 5; i++)
        if (strcasecmp(format, family[i]) == 0)
            return 2;
    return strcasecmp(format, "512Kb MPEG4") == 0;
}

/* The reference: the status, and on PLAYABLE the chosen file entry. */
static archive_item_status reference(json_t *root, json_t **chosen)
{
    json_t *meta = json_object_get(root, "metadata"), *files = json_object_get(root, "files"), *f;
    int best_rank = 0;
    int64_t best_h = 0, best_s = 0;
    size_t i;

    *chosen = NULL;
    if (!json_is_object(root))
        return ARCHIVE_ITEM_MALFORMED;
    if (json_object_size(root) == 0 || truthy(json_object_get(root, "is_dark")) ||
        truthy(json_object_get(meta, "access-restricted-item")) ||
        truthy(json_object_get(meta, "access-restricted")) || files == NULL)
        return ARCHIVE_ITEM_DEAD;
    if (!json_is_array(files) || (meta != NULL && !json_is_object(meta)))
        return ARCHIVE_ITEM_MALFORMED;
    json_array_foreach(files, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        int64_t h = number(json_object_get(f, "height")), s = number(json_object_get(f, "size"));
        int r;

        if (!json_is_object(f))
            return ARCHIVE_ITEM_MALFORMED;
        if (!safe_path(name))
            continue;
        h = h > 0 && h < 100000 ? h : 0;
        r = rank(name, json_string_value(json_object_get(f, "format")));
        if (r == 0)
            continue;
        if (*chosen == NULL || r > best_rank ||
            (r == best_rank && (h > best_h || (h == best_h && s > best_s)))) {
            *chosen = f;
            best_rank = r;
            best_h = h;
            best_s = s;
        }
    }
    return *chosen ? ARCHIVE_ITEM_PLAYABLE : ARCHIVE_ITEM_DEAD;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size ? size : 1), *url;
    archive_choice c;
    archive_item_status st, want;
    json_t *root, *chosen;

    FUZZ_CHECK(body != NULL);
    memcpy(body, data, size); /* not NUL-terminated, exact size */
    memset(&c, 0x5A, sizeof(c));
    st = archive_parse_metadata(body, size, &c);
    root = json_loadb(body, size, 0, NULL);
    want = reference(root, &chosen);
    if (st != want)
        fprintf(stderr, "parser says %d, reference %d\n", st, want);
    FUZZ_CHECK(st == want);
    if (st == ARCHIVE_ITEM_PLAYABLE) {
        FUZZ_CHECK(c.name != NULL);
        FUZZ_CHECK(strcmp(c.name, json_string_value(json_object_get(chosen, "name"))) == 0);
        FUZZ_CHECK(c.height >= 0 && c.height < 100000 && c.size >= -1);
        FUZZ_CHECK(c.size == number(json_object_get(chosen, "size")));
        /* What the chosen file's entry says, and the item's subtitle files. */
        FUZZ_CHECK(c.width >= 0 && c.width < 100000 && c.duration_s >= 0);
        FUZZ_CHECK(c.format.kind == ARCHIVE_FILE_VIDEO);
        FUZZ_CHECK(c.nsubtitles <= ARCHIVE_SUBTITLES_MAX);
        for (size_t k = 0; k < c.nsubtitles; k++)
            FUZZ_CHECK(c.subtitles[k].name != NULL && c.subtitles[k].format != NULL &&
                       (strcmp(c.subtitles[k].format, "srt") == 0 ||
                        strcmp(c.subtitles[k].format, "vtt") == 0));
        url = archive_download_url(FUZZ_BASE, "some_item", c.name);
        fuzz_check_download_url(url, "some_item", c.name);
        free(url);
        archive_choice_free(&c);
        FUZZ_CHECK(c.name == NULL);
    } else {
        FUZZ_CHECK(c.name == NULL);
    }
    json_decref(root);
    free(body);
    return 0;
}
