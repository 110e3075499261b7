/*
 * fuzz_probe.c: the library provider's prober (providers/library/probe.c)
 * on any bytes: its own readers of Matroska's header (the EBML DocType, the
 * Cues and SeekHead) and libavformat through the prober's in-memory I/O,
 * with a small budget.
 *
 * Invariants: the DocType is NUL-terminated printable ASCII within its
 * buffer, and found exactly when not empty; Cues named by a SeekHead are at
 * an offset past the header read; the probe is ok, failed or timeout (no
 * crash, no hang past its budget); an ok probe names a container of the
 * list and has sane numbers, any other answer is zero but the size; and
 * the size is the input's.
 */
#include "fuzz/fuzz.h"
#include "library/probe.h"

static int printable(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const containers[] = {"mp4", "mov", "mkv", "webm", "avi", "ts", "ogg", NULL};
    uint8_t *copy = malloc(size ? size : 1); /* exact size: reads past it are found */
    lume_probe_limits limits = {.timeout_ms = 2000, .max_bytes = 1 << 20};
    lume_probe_facts f, zero;
    lume_probe_status st;
    char doctype[16];
    int64_t at;
    int found, known = 0;

    FUZZ_CHECK(copy != NULL);
    memcpy(copy, data, size);
    found = lume_probe_ebml_doctype(copy, size, doctype, sizeof(doctype));
    FUZZ_CHECK(strnlen(doctype, sizeof(doctype)) < sizeof(doctype) && printable(doctype));
    FUZZ_CHECK(found == (doctype[0] != '\0'));
    found = lume_probe_mkv_cues(copy, size, &at);
    FUZZ_CHECK(found >= 0 && found <= 2);
    FUZZ_CHECK(found == 2 ? at >= 4 : at == -1);

    st = lume_probe_buffer(copy, size, &limits, &f);
    FUZZ_CHECK(st == LUME_PROBE_OK || st == LUME_PROBE_FAILED || st == LUME_PROBE_TIMEOUT);
    FUZZ_CHECK(f.size == (int64_t)size);
    if (st == LUME_PROBE_OK) {
        for (size_t i = 0; containers[i] != NULL; i++)
            known |= strcmp(f.container, containers[i]) == 0;
        FUZZ_CHECK(known);
        FUZZ_CHECK(f.video_codec[0] != '\0' || f.audio_codec[0] != '\0');
        FUZZ_CHECK(printable(f.video_codec) && printable(f.audio_codec));
        FUZZ_CHECK(f.width >= 0 && f.height >= 0 && f.duration_s >= 0 && f.bitrate >= 0);
        FUZZ_CHECK(f.seekable == 0 || f.seekable == 1);
    } else {
        memset(&zero, 0, sizeof(zero));
        zero.size = (int64_t)size;
        FUZZ_CHECK(memcmp(&f, &zero, sizeof(f)) == 0);
    }
    free(copy);
    return 0;
}
