/*
 * fuzz_render_link.c: fcgi-app/render.c, the MediaLink written directly
 * (lume_render_link_text). The input is a title, a NUL, a URL, a NUL, then
 * the size and the seeds (8 bytes each, big-endian, signed) and a byte that
 * picks the quality (one of the labels, or NULL). Whatever the bytes, the
 * text is exactly what Jansson dumps of lume_render_link() for the same
 * link, and each refuses (invalid UTF-8) exactly when the other does.
 */
#include "render.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *qualities[] = {NULL, "2160p", "1080p", "720p", "480p"};
    fuzz_reader r = {data, size};
    char *title = fuzz_until(&r, 0, NULL), *url = fuzz_until(&r, 0, NULL);
    lume_media_link m = {.title = title,
                         .url = url,
                         .size = (int64_t)fuzz_u64(&r, 8),
                         .seeds = (int64_t)fuzz_u64(&r, 8),
                         .quality = qualities[fuzz_u8(&r) % 5]};
    size_t jlen = 0, tlen = 0;
    char *j = lume_render_dump(lume_render_link(&m), &jlen);
    char *t = lume_render_link_text(&m, &tlen);

    FUZZ_CHECK((j == NULL) == (t == NULL));
    if (j != NULL) {
        FUZZ_CHECK(tlen == jlen);
        FUZZ_CHECK(memcmp(t, j, jlen) == 0);
        FUZZ_CHECK(t[tlen] == '\0');
    }
    free(j);
    free(t);
    free(title);
    free(url);
    return 0;
}
