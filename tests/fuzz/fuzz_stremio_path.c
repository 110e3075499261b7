/*
 * fuzz_stremio_path.c: the Stremio addon routes (fcgi-app/stremio_path.c).
 * The first input byte splits the rest into a token and a secret for the
 * token check, which must agree with a plain comparison; the whole input is
 * also read as a path, which must never be read past its end and, when it is
 * a route, must give an id of 1..255 bytes of [A-Za-z0-9._:-] (none for the
 * manifest), a search that is valid UTF-8 of at most 200 code points or
 * empty, a skip within 0..100000 and a genre without control bytes.
 */
#include "fuzz/fuzz.h"
#include "stremio_path.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    size_t split = fuzz_u8(&r), len, tlen;
    char *path, *tok, *secret;
    lume_stremio_request req;
    lume_stremio_parse_result rc;

    /* the token check */
    tok = fuzz_bytes(&r, split, &tlen);
    secret = fuzz_until(&r, 0, NULL);
    FUZZ_CHECK(lume_stremio_token_ok(tok, tlen, secret) ==
               (secret[0] != '\0' && strlen(secret) == tlen && memcmp(tok, secret, tlen) == 0));
    free(tok);
    free(secret);

    /* the path: a copy of its own, so that ASan sees any read past it */
    r = (fuzz_reader){data, size};
    path = fuzz_bytes(&r, size, &len);
    rc = lume_stremio_parse(path, len, &req);
    FUZZ_CHECK(rc == LUME_STREMIO_OK || rc == LUME_STREMIO_NO_ROUTE || rc == LUME_STREMIO_INVALID);
    if (rc == LUME_STREMIO_OK) {
        size_t idlen = strlen(req.id);
        FUZZ_CHECK(req.resource <= LUME_STREMIO_SUBTITLES && req.type <= LUME_STREMIO_OTHER);
        FUZZ_CHECK(req.resource == LUME_STREMIO_MANIFEST ? idlen == 0 : idlen >= 1 && idlen <= LUME_STREMIO_ID_MAX);
        /* One of Lume's ids reads back to itself. */
        {
            lume_stremio_item item;
            char again[LUME_STREMIO_ID_MAX + 1];
            if (req.resource != LUME_STREMIO_MANIFEST && lume_stremio_id_read(req.id, &item) == 0) {
                FUZZ_CHECK(lume_stremio_id_make(&item, again) == 0);
                FUZZ_CHECK(lume_stremio_id_read(again, &item) == 0);
            }
        }
        FUZZ_CHECK(strspn(req.id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789._:-") == idlen);
        FUZZ_CHECK(req.skip >= 0 && req.skip <= LUME_STREMIO_SKIP_MAX);
        FUZZ_CHECK(req.search[0] == '\0' ||
                   (fuzz_utf8_length(req.search, strlen(req.search)) >= 1 &&
                    fuzz_utf8_length(req.search, strlen(req.search)) <= LUME_QUERY_MAX_CHARS));
        for (const char *g = req.genre; *g; g++)
            FUZZ_CHECK((unsigned char)*g >= 0x20 && *g != 0x7f);
    }
    free(path);
    return 0;
}
