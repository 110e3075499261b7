/*
 * fuzz_archive.h: what the archive targets share: the check of a download
 * URL (archive_download_url) against the identifier and path it was made of.
 */
#ifndef LUME_FUZZ_ARCHIVE_H
#define LUME_FUZZ_ARCHIVE_H

#include "archive/archive_parse.h"
#include "fuzz/fuzz.h"

#define FUZZ_BASE "https://archive.org"

static inline int fuzz_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* url is base/download/identifier/ and then path with each segment
 * percent-encoded: only unreserved characters, '/' and %XX, and it decodes
 * back to path. */
static inline void fuzz_check_download_url(const char *url, const char *identifier,
                                           const char *path)
{
    size_t plen = strlen(FUZZ_BASE "/download/") + strlen(identifier), o = 0;
    char *decoded = malloc(strlen(url) + 1);

    FUZZ_CHECK(url != NULL && decoded != NULL);
    FUZZ_CHECK(strncmp(url, FUZZ_BASE "/download/", strlen(FUZZ_BASE "/download/")) == 0);
    FUZZ_CHECK(strncmp(url + strlen(FUZZ_BASE "/download/"), identifier, strlen(identifier)) == 0);
    FUZZ_CHECK(url[plen] == '/');
    for (const char *p = url + plen + 1; *p != '\0'; p++) {
        char c = *p;
        if (c == '%') {
            FUZZ_CHECK(fuzz_hex(p[1]) >= 0 && fuzz_hex(p[2]) >= 0);
            decoded[o++] = (char)(fuzz_hex(p[1]) << 4 | fuzz_hex(p[2]));
            p += 2;
            continue;
        }
        FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.' || c == '_' || c == '~' || c == '/');
        decoded[o++] = c;
    }
    decoded[o] = '\0';
    FUZZ_CHECK(strcmp(decoded, path) == 0);
    free(decoded);
}

#endif
