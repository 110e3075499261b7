/*
 * fuzz_language.c: subtitle languages from file names (providers/language.c).
 * The input is the name. Reading it never goes past its end; a language found
 * has a tag of two lower-case letters, optionally a '-' and an upper-case
 * two-letter or three-digit region, and a label; none found: an empty tag and
 * no label.
 */
#include "fuzz/fuzz.h"
#include "language.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    size_t len;
    char *name = fuzz_bytes(&r, size, &len);
    lume_language l;
    int found = lume_language_of_file(name, len, &l);
    size_t n = strlen(l.tag);

    FUZZ_CHECK(found == (n > 0) && found == (l.label != NULL));
    if (found) {
        FUZZ_CHECK(n == 2 || n == 5 || n == 6);
        FUZZ_CHECK(l.tag[0] >= 'a' && l.tag[0] <= 'z' && l.tag[1] >= 'a' && l.tag[1] <= 'z');
        if (n == 5)
            FUZZ_CHECK(l.tag[2] == '-' && l.tag[3] >= 'A' && l.tag[3] <= 'Z' && l.tag[4] >= 'A' &&
                       l.tag[4] <= 'Z');
        if (n == 6)
            FUZZ_CHECK(l.tag[2] == '-' && strspn(l.tag + 3, "0123456789") == 3);
    }
    FUZZ_CHECK((l.forced == 0 || l.forced == 1) && (l.sdh == 0 || l.sdh == 1));
    free(name);
    return 0;
}
