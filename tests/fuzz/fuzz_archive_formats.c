/*
 * fuzz_archive_formats.c: what an Internet Archive file is
 * (providers/archive/archive_formats.c), from a format name and a file name
 * that the Archive's metadata could hold: the input is both, split at its
 * first NUL. A video has a container; a subtitle has "srt" or "vtt" and
 * nothing else; any other file has nothing; and the same input always gives
 * the same answer.
 */
#include "archive/archive_formats.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    char *format = fuzz_until(&r, 0, NULL), *name = fuzz_bytes(&r, r.left, NULL);
    archive_format f = archive_format_of(format, name), again = archive_format_of(format, name);

    FUZZ_CHECK(memcmp(&f, &again, sizeof(f)) == 0);
    switch (f.kind) {
    case ARCHIVE_FILE_VIDEO: FUZZ_CHECK(f.container != NULL && f.subtitle == NULL); break;
    case ARCHIVE_FILE_SUBTITLE:
        FUZZ_CHECK(f.subtitle != NULL && f.container == NULL && f.video == NULL && f.audio == NULL);
        FUZZ_CHECK(strcmp(f.subtitle, "srt") == 0 || strcmp(f.subtitle, "vtt") == 0);
        break;
    case ARCHIVE_FILE_OTHER:
        FUZZ_CHECK(f.container == NULL && f.video == NULL && f.audio == NULL && f.subtitle == NULL);
        break;
    default: FUZZ_CHECK(0);
    }
    FUZZ_CHECK(archive_format_of(NULL, NULL).kind == ARCHIVE_FILE_OTHER);
    free(format);
    free(name);
    return 0;
}
