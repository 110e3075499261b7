/*
 * fuzz_naming.c: the library provider's file-name parser
 * (providers/library/naming.c) on any path and query. The input is a flag
 * byte (bit 0: a query is given), the query up to a NUL byte when given,
 * then the path (any bytes, not NUL-terminated).
 *
 * Invariants: a path is refused exactly when a reference reading of the
 * rules refuses it (empty, over 4096 bytes, absolute, a NUL byte, an empty,
 * "." or ".." segment, a segment over 255 bytes); every text out is valid
 * UTF-8 (the reference decoder of fuzz.h), within its bound, without
 * control characters; numbers are in their ranges and static strings come
 * from the documented sets; the same input gives the same answer; a refused
 * or unknown name has no title; and a parsed title matches its own name, and
 * with its year.
 */
#include "fuzz/fuzz.h"
#include "library/naming.h"

static lume_naming *n;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];

    (void)argc;
    (void)argv;
    n = lume_naming_create(err, sizeof(err));
    FUZZ_CHECK(n != NULL);
    return 0;
}

/* The reference: is path refused? */
static int reference_refused(const char *p, size_t len)
{
    size_t start = 0;

    if (len == 0 || len > 4096 || p[0] == '/' || memchr(p, '\0', len) != NULL)
        return 1;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        size_t sl = i - start;
        if (sl == 0 || sl > 255 || (sl == 1 && p[start] == '.') ||
            (sl == 2 && p[start] == '.' && p[start + 1] == '.'))
            return 1;
        start = i + 1;
    }
    return 0;
}

static void check_text(const char *s, size_t cap)
{
    size_t len = strnlen(s, cap);

    FUZZ_CHECK(len < cap); /* NUL-terminated within the field */
    FUZZ_CHECK(fuzz_utf8_length(s, len) >= 0);
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7F);
}

static int one_of(const char *s, const char *const *set)
{
    if (s == NULL)
        return 1;
    for (size_t i = 0; set[i] != NULL; i++)
        if (s == set[i] || strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

static void check(const lume_media_name *m)
{
    static const char *const sources[] = {"web-dl", "webrip", "bluray",   "hdtv",
                                          "dvd",    "cam",    "screener", NULL};
    static const char *const vcodecs[] = {"h264", "hevc",  "av1", "vp9", "xvid",
                                          "divx", "mpeg2", "vc1", NULL};
    static const char *const acodecs[] = {"truehd", "dts-hd", "dts",  "eac3", "ac3",
                                          "aac",    "flac",   "opus", "mp3",  NULL};
    static const char *const extras[] = {
        "trailer",       "sample",    "featurette", "behind-the-scenes",
        "deleted-scene", "interview", "scene",      "short",
        "clip",          "theme",     "extra",      NULL};

    FUZZ_CHECK(m->kind >= LUME_MEDIA_UNKNOWN && m->kind <= LUME_MEDIA_EXTRA);
    check_text(m->title, sizeof(m->title));
    check_text(m->key, sizeof(m->key));
    check_text(m->episode_title, sizeof(m->episode_title));
    check_text(m->group, sizeof(m->group));
    FUZZ_CHECK(m->year == 0 || (m->year >= 1880 && m->year <= 2099));
    FUZZ_CHECK(m->season >= -1 && m->season <= 9999);
    FUZZ_CHECK(m->episode >= -1 && m->episode <= 99999);
    FUZZ_CHECK(m->episode_end == -1 || m->episode_end > m->episode);
    FUZZ_CHECK(m->resolution == 0 || m->resolution == 480 || m->resolution == 720 ||
               m->resolution == 1080 || m->resolution == 2160);
    if (m->air_year != 0) {
        FUZZ_CHECK(m->air_year >= 1900 && m->air_year <= 2099);
        FUZZ_CHECK(m->air_month >= 1 && m->air_month <= 12);
        FUZZ_CHECK(m->air_day >= 1 && m->air_day <= 31);
    }
    FUZZ_CHECK(one_of(m->source, sources) && one_of(m->video_codec, vcodecs) &&
               one_of(m->audio_codec, acodecs));
    FUZZ_CHECK(m->language == NULL || (strlen(m->language) >= 2 && strlen(m->language) <= 3));
    FUZZ_CHECK((m->kind == LUME_MEDIA_EXTRA) == (m->extra != NULL) && one_of(m->extra, extras));
    FUZZ_CHECK((m->title[0] == '\0') == (m->key[0] == '\0'));
    if (m->kind == LUME_MEDIA_UNKNOWN)
        FUZZ_CHECK(m->title[0] == '\0');
    if (m->key[0] != '\0') {
        char q[LUME_NAMING_TEXT_MAX + 8];
        FUZZ_CHECK(lume_naming_match(m, m->title, strlen(m->title)) == LUME_NAMING_MATCH_TITLE);
        FUZZ_CHECK(lume_naming_match(m, m->key, strlen(m->key)) == LUME_NAMING_MATCH_TITLE);
        if (m->year > 0) {
            int ql = snprintf(q, sizeof(q), "%s %d", m->key, m->year);
            if (ql > 0 && (size_t)ql < sizeof(q) && strlen(m->key) + 4 <= LUME_NAMING_TEXT_MAX)
                FUZZ_CHECK(lume_naming_match(m, q, (size_t)ql) == LUME_NAMING_MATCH_YEAR);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    int has_query = fuzz_u8(&r) & 1;
    char *query = has_query ? fuzz_until(&r, '\0', NULL) : NULL;
    size_t len = r.left;
    char *path = malloc(len ? len : 1); /* exact size, not NUL-terminated */
    lume_media_name a, b;
    int rc;

    FUZZ_CHECK(path != NULL);
    memcpy(path, r.p, len);
    rc = lume_naming_parse(n, path, len, query, &a);
    FUZZ_CHECK(rc == 0 || rc == -1);
    FUZZ_CHECK((rc == -1) == reference_refused(path, len));
    check(&a);
    if (rc == -1)
        FUZZ_CHECK(a.kind == LUME_MEDIA_UNKNOWN && a.title[0] == '\0' && a.season == -1);
    FUZZ_CHECK(lume_naming_parse(n, path, len, query, &b) == rc);
    FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
    if (query != NULL)
        (void)lume_naming_match(&a, query, strlen(query));
    free(path);
    free(query);
    return 0;
}
