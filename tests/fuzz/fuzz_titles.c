/*
 * fuzz_titles.c: what a release title says (lume_title_parse, titles.h),
 * the mock's and the archive's titles read for browsing. The input is a
 * title (up to its first NUL). The parse never reads past it; the name is a
 * prefix of the title (blanks, dots and dashes cut at its end) or, when the
 * title starts with a mark, the title itself, cut to the buffer; the year
 * is 0 or 1880..2099; season and episode are both 0 or both from 1 (a
 * SxxEyy; S00, the specials, is not one).
 */
#include "fuzz/fuzz.h"
#include "titles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    char *title = fuzz_until(&r, 0, NULL);
    lume_title_parts p;
    size_t n;

    lume_title_parse(title, &p);
    n = strlen(p.name);
    FUZZ_CHECK(n < sizeof(p.name));
    FUZZ_CHECK(strncmp(p.name, title, n) == 0);
    FUZZ_CHECK(p.year == 0 || (p.year >= 1880 && p.year <= 2099));
    FUZZ_CHECK(p.season >= 0 && p.episode >= 0 && p.season <= 9999 && p.episode <= 9999);
    FUZZ_CHECK((p.season == 0) == (p.episode == 0));
    free(title);
    return 0;
}
