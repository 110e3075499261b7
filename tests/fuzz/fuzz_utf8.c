/*
 * fuzz_utf8.c: fcgi-app/core/utf8.c against two other definitions of valid UTF-8:
 * the reference decoder of fuzz.h and Jansson's. At every offset of the input
 * lume_utf8_seq must give the reference's sequence length (0 when invalid);
 * lume_utf8_length must count code points exactly when all three agree that
 * the whole input is valid.
 */
#include <jansson.h>

#include "fuzz/fuzz.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1); /* exact size: ASan sees any overread */
    json_t *j;
    long want = fuzz_utf8_length((const char *)data, size), got;

    if (copy == NULL)
        abort();
    memcpy(copy, data, size);
    for (size_t i = 0; i < size; i++) {
        size_t n = 0, seq = lume_utf8_seq((const unsigned char *)copy + i, size - i);
        long cp = fuzz_utf8_decode((const unsigned char *)copy + i, size - i, &n);

        FUZZ_CHECK(seq <= 4 && seq <= size - i);
        FUZZ_CHECK(cp < 0 ? seq == 0 : seq == n);
    }
    FUZZ_CHECK(lume_utf8_seq((const unsigned char *)copy, 0) == 0);
    got = lume_utf8_length(copy, size);
    FUZZ_CHECK(got == want);
    FUZZ_CHECK(got <= (long)size);
    j = json_stringn(copy, size);
    FUZZ_CHECK((j != NULL) == (got >= 0));
    json_decref(j);
    free(copy);
    return 0;
}
