/*
 * archive_parse.c: the Internet Archive answer parsers and the file picker
 * (see archive_parse.h). Jansson for JSON; no I/O, no global state.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "archive_parse.h"

int archive_identifier_valid(const char *id)
{
    size_t n = 0;

    if (id == NULL || *id == '\0' || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return 0;
    for (const char *p = id; *p != '\0'; p++, n++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return n <= 256;
}

/* Is the answer within ARCHIVE_BODY_MAX bytes and ARCHIVE_JSON_TOKENS_MAX
 * structural tokens (see archive_parse.h)? Checked before Jansson builds
 * anything: the count follows JSON's string rules, so on any input (valid or
 * not) Jansson creates at most tokens + 1 values before it stops. */
static int within_bounds(const char *body, size_t len)
{
    size_t tokens = 0;
    int in_string = 0;

    if (len > (size_t)ARCHIVE_BODY_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];

        if (in_string) {
            if (c == '\\')
                i++; /* the escaped character, '"' included */
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if ((c == '{' || c == '[' || c == ',') && ++tokens > ARCHIVE_JSON_TOKENS_MAX) {
            return 0;
        }
    }
    return 1;
}

/* A copy of s cut to at most max UTF-8 characters (s is valid UTF-8). */
static char *utf8_prefix_dup(const char *s, size_t max)
{
    size_t chars = 0, i = 0;

    for (; s[i] != '\0'; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max)
            break;
    }
    return strndup(s, i);
}

void archive_hits_free(archive_hit *hits, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(hits[i].identifier);
        free(hits[i].title);
    }
    free(hits);
}

archive_parse_status archive_parse_search(const char *body, size_t len, archive_hit **hits,
                                          size_t *count)
{
    json_t *root = NULL, *response, *docs, *doc;
    archive_parse_status st = ARCHIVE_PARSE_MALFORMED;
    archive_hit *out = NULL;
    size_t n = 0, i;

    *hits = NULL;
    *count = 0;
    if (!within_bounds(body, len))
        return ARCHIVE_PARSE_TOO_BIG;
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root) || json_object_get(root, "error") != NULL)
        goto done; /* the archive reports query errors in a 200 answer */
    response = json_object_get(root, "response");
    docs = json_object_get(response, "docs");
    if (!json_is_object(response) || !json_is_array(docs))
        goto done;
    out = calloc(json_array_size(docs) + 1, sizeof(*out));
    if (out == NULL) {
        st = ARCHIVE_PARSE_NOMEM;
        goto done;
    }
    json_array_foreach(docs, i, doc)
    {
        json_t *id = json_object_get(doc, "identifier"), *title = json_object_get(doc, "title");
        json_t *downloads = json_object_get(doc, "downloads");
        const char *t;

        if (!json_is_object(doc) || !json_is_string(id) ||
            (title != NULL && !json_is_null(title) && !json_is_string(title)) ||
            (downloads != NULL && !json_is_null(downloads) && !json_is_integer(downloads)))
            goto done;
        if (!archive_identifier_valid(json_string_value(id)))
            continue; /* never put an unsafe identifier in a URL */
        t = json_string_value(title);
        if (t == NULL || *t == '\0')
            t = json_string_value(id);
        out[n].identifier = strdup(json_string_value(id));
        out[n].title = utf8_prefix_dup(t, ARCHIVE_TITLE_MAX);
        out[n].downloads = json_is_integer(downloads) && json_integer_value(downloads) > 0
                               ? json_integer_value(downloads)
                               : 0;
        n++;
        if (out[n - 1].identifier == NULL || out[n - 1].title == NULL) {
            st = ARCHIVE_PARSE_NOMEM;
            goto done;
        }
    }
    st = ARCHIVE_PARSE_OK;
done:
    json_decref(root);
    if (st == ARCHIVE_PARSE_OK) {
        *hits = out;
        *count = n;
    } else {
        archive_hits_free(out, n);
    }
    return st;
}

/* Preference of a format: 2 the h.264 family, 1 the low 512Kb MPEG4, 0 unplayable. */
static int format_rank(const archive_file *f)
{
    static const char *const family[] = {"h.264", "h.264 IA", "h.264 HD", "MPEG4", "HiRes MPEG4"};
    size_t n;

    if (f->name == NULL || f->format == NULL)
        return 0;
    n = strlen(f->name);
    if (n < 4 || strcasecmp(f->name + n - 4, ".mp4") != 0)
        return 0;
    if (strcasecmp(f->format, "512Kb MPEG4") == 0)
        return 1;
    for (size_t i = 0; i < sizeof(family) / sizeof(family[0]); i++)
        if (strcasecmp(f->format, family[i]) == 0)
            return 2;
    return 0;
}

long archive_pick_file(const archive_file *files, size_t count)
{
    long best = -1;
    int best_rank = 0;

    for (size_t i = 0; i < count; i++) {
        const archive_file *f = &files[i], *b = best >= 0 ? &files[best] : NULL;
        int rank = format_rank(f);

        if (rank == 0)
            continue;
        if (b == NULL || rank > best_rank ||
            (rank == best_rank &&
             (f->height > b->height || (f->height == b->height && f->size > b->size)))) {
            best = (long)i;
            best_rank = rank;
        }
    }
    return best;
}

/* A non-negative decimal string (the archive's metadata values are strings);
 * -1 when absent or not a plain number. */
static int64_t decimal(json_t *v)
{
    const char *s = json_string_value(v);
    int64_t n = 0;

    if (s == NULL || *s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || n > (INT64_MAX - 9) / 10)
            return -1;
        n = n * 10 + (*s - '0');
    }
    return n;
}

/* A file's "length": seconds ("5403.27") or h:mm:ss ("1:30:03"); 0 when
 * absent or neither. */
static int64_t length_seconds(json_t *v)
{
    const char *s = json_string_value(v);
    int64_t total = 0, part = 0;
    int digits = 0, fields = 1;

    if (s == NULL)
        return 0;
    for (; *s != '\0' && *s != '.'; s++) {
        if (*s == ':' && digits > 0 && fields < 3) {
            total = total * 60 + part;
            part = 0;
            digits = 0;
            fields++;
        } else if (*s >= '0' && *s <= '9' && digits < 9) {
            part = part * 10 + (*s - '0');
            digits++;
        } else {
            return 0;
        }
    }
    if (digits == 0 || (*s == '.' && fields > 1))
        return 0;
    total = total * 60 + part;
    return fields > 1 ? total : part;
}

static int truthy(json_t *v)
{
    const char *s = json_string_value(v);

    return json_is_true(v) || (s != NULL && strcasecmp(s, "true") == 0) ||
           (json_is_integer(v) && json_integer_value(v) != 0);
}

/* A file path we are willing to turn into a download URL. */
static int path_safe(const char *name)
{
    const char *seg = name;

    if (name == NULL || *name == '\0' || *name == '/')
        return 0;
    for (const char *p = name;; p++) {
        if (*p != '\0' && (unsigned char)*p < 0x20)
            return 0;
        if (*p == '/' || *p == '\0') {
            size_t n = (size_t)(p - seg);
            if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
                return 0;
            if (*p == '\0')
                return 1;
            seg = p + 1;
        }
    }
}

archive_item_status archive_parse_metadata(const char *body, size_t len, archive_choice *out)
{
    json_t *root = NULL, *files, *meta, *f;
    archive_item_status st = ARCHIVE_ITEM_MALFORMED;
    archive_file *cand = NULL;
    struct {
        long width;
        int64_t duration_s;
    } *facts = NULL; /* what the picker does not look at, beside cand */
    size_t n = 0, i;
    long pick;

    memset(out, 0, sizeof(*out));
    if (!within_bounds(body, len))
        return ARCHIVE_ITEM_TOO_BIG;
    root = json_loadb(body, len, 0, NULL);
    if (!json_is_object(root))
        goto done;
    st = ARCHIVE_ITEM_DEAD;
    if (json_object_size(root) == 0)
        goto done; /* the archive's answer for a missing item */
    meta = json_object_get(root, "metadata");
    if (truthy(json_object_get(root, "is_dark")) ||
        truthy(json_object_get(meta, "access-restricted-item")) ||
        truthy(json_object_get(meta, "access-restricted")))
        goto done;
    files = json_object_get(root, "files");
    if (files == NULL)
        goto done;
    st = ARCHIVE_ITEM_MALFORMED;
    if (!json_is_array(files) || (meta != NULL && !json_is_object(meta)))
        goto done;
    cand = calloc(json_array_size(files) + 1, sizeof(*cand));
    facts = calloc(json_array_size(files) + 1, sizeof(*facts));
    if (cand == NULL || facts == NULL) {
        st = ARCHIVE_ITEM_NOMEM;
        goto done;
    }
    json_array_foreach(files, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        int64_t height = decimal(json_object_get(f, "height"));
        int64_t width = decimal(json_object_get(f, "width"));
        const char *format = json_string_value(json_object_get(f, "format"));
        archive_format kind;

        if (!json_is_object(f))
            goto done;
        if (!path_safe(name))
            continue;
        kind = archive_format_of(format, name);
        if (kind.kind == ARCHIVE_FILE_SUBTITLE && out->nsubtitles < ARCHIVE_SUBTITLES_MAX) {
            archive_subtitle *t = &out->subtitles[out->nsubtitles];
            if ((t->name = strdup(name)) == NULL) {
                st = ARCHIVE_ITEM_NOMEM;
                goto done;
            }
            t->format = kind.subtitle;
            out->nsubtitles++;
            continue;
        }
        cand[n].name = name;
        cand[n].format = format;
        cand[n].size = decimal(json_object_get(f, "size"));
        cand[n].height = height > 0 && height < 100000 ? (long)height : 0;
        facts[n].width = width > 0 && width < 100000 ? (long)width : 0;
        facts[n].duration_s = length_seconds(json_object_get(f, "length"));
        n++;
    }
    st = ARCHIVE_ITEM_DEAD;
    pick = archive_pick_file(cand, n);
    if (pick < 0)
        goto done;
    out->name = strdup(cand[pick].name);
    out->size = cand[pick].size;
    out->height = cand[pick].height;
    out->width = facts[pick].width;
    out->duration_s = facts[pick].duration_s;
    out->format = archive_format_of(cand[pick].format, cand[pick].name);
    st = out->name != NULL ? ARCHIVE_ITEM_PLAYABLE : ARCHIVE_ITEM_NOMEM;
done:
    free(cand);
    free(facts);
    json_decref(root);
    if (st != ARCHIVE_ITEM_PLAYABLE)
        archive_choice_free(out);
    return st;
}

void archive_choice_free(archive_choice *c)
{
    free(c->name);
    c->name = NULL;
    for (size_t i = 0; i < c->nsubtitles; i++)
        free(c->subtitles[i].name);
    c->nsubtitles = 0;
}

char *archive_image_url(const char *base, const char *identifier)
{
    size_t cap = strlen(base) + strlen(identifier) + 16;
    char *url;

    if (!archive_identifier_valid(identifier) || (url = malloc(cap)) == NULL)
        return NULL;
    snprintf(url, cap, "%s/services/img/%s", base, identifier);
    return url;
}

char *archive_download_url(const char *base, const char *identifier, const char *path)
{
    size_t cap = strlen(base) + strlen(identifier) + 3 * strlen(path) + 16, len;
    char *url, *seg;
    const char *p = path;

    if (!archive_identifier_valid(identifier) || !path_safe(path) || (url = malloc(cap)) == NULL)
        return NULL;
    len = (size_t)snprintf(url, cap, "%s/download/%s", base, identifier);
    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if ((seg = curl_easy_escape(NULL, p, (int)n)) == NULL) {
            free(url);
            return NULL;
        }
        len += (size_t)snprintf(url + len, cap - len, "/%s", seg);
        curl_free(seg);
        p += n;
        if (*p == '/')
            p++;
    }
    return url;
}
