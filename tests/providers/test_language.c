/*
 * test_language.c: a subtitle file's language from its name (language.h), as
 * Jellyfin, Kodi and release names write it:
 * - the last tag before the extension: "Film.en.srt", "Film.eng.srt" (ISO
 *   639-2 T and B forms: ger and deu), "Film.English.srt", any case;
 * - flags before it are read and skipped: forced, sdh, cc, default, and "hi"
 *   after a language (Film.en.hi.srt); "hi" alone is Hindi;
 * - a region joins its language: pt-BR, es-419, with their own labels;
 * - the title is never a tag ("English.srt" names no language), and a last
 *   tag that is no language means none: "Film.2010.srt".
 */
#include "lib/unit.h"

#include "language.h"

static lume_language lang_of(const char *name)
{
    lume_language l;

    lume_language_of_file(name, strlen(name), &l);
    return l;
}

static void assert_lang(const char *name, const char *tag, const char *label)
{
    lume_language l;

    if (!lume_language_of_file(name, strlen(name), &l))
        fail_msg("%s: no language", name);
    if (strcmp(l.tag, tag) != 0 || strcmp(l.label, label) != 0)
        fail_msg("%s: %s %s, not %s %s", name, l.tag, l.label, tag, label);
}

static void assert_none(const char *name)
{
    lume_language l;

    if (lume_language_of_file(name, strlen(name), &l))
        fail_msg("%s: should name no language, got %s", name, l.tag);
    assert_string_equal(l.tag, "");
    assert_null(l.label);
}

static void test_codes_and_names(void **state)
{
    (void)state;
    assert_lang("Film.en.srt", "en", "English");
    assert_lang("Film.eng.srt", "en", "English");
    assert_lang("Film.English.srt", "en", "English");
    assert_lang("Film.ENGLISH.SRT", "en", "English");
    assert_lang("Film (2010).fr.vtt", "fr", "French");
    assert_lang("Film.fre.srt", "fr", "French"); /* 639-2/B */
    assert_lang("Film.fra.srt", "fr", "French"); /* 639-2/T */
    assert_lang("Film.ger.srt", "de", "German");
    assert_lang("Film_deu.srt", "de", "German");
    assert_lang("The.Boys.S04E01.1080p.WEB-DL.x264-GRP.es.srt", "es", "Spanish");
    assert_lang("Subs/2_English.srt", "en", "English");
    assert_lang("/media/films/Film (2010)/Film (2010).ja.srt", "ja", "Japanese");
}

static void test_flags_are_read_and_skipped(void **state)
{
    lume_language l;

    (void)state;
    l = lang_of("Film.eng.forced.vtt");
    assert_string_equal(l.tag, "en");
    assert_true(l.forced);
    assert_false(l.sdh);
    l = lang_of("Film.en.sdh.srt");
    assert_true(l.sdh);
    l = lang_of("Film.en.hi.srt");
    assert_string_equal(l.tag, "en");
    assert_true(l.sdh);
    l = lang_of("Film.hi.srt"); /* alone, hi is Hindi */
    assert_string_equal(l.tag, "hi");
    assert_false(l.sdh);
    l = lang_of("Film.de.default.forced.srt");
    assert_string_equal(l.tag, "de");
    assert_true(l.forced);
}

static void test_a_region_joins_its_language(void **state)
{
    (void)state;
    assert_lang("Film.pt-BR.srt", "pt-BR", "Portuguese (Brazil)");
    assert_lang("Film.pt-br.srt", "pt-BR", "Portuguese (Brazil)");
    assert_lang("Film.es-419.srt", "es-419", "Spanish (Latin America)");
    assert_lang("Film.en-AU.srt", "en-AU", "English"); /* a region without its own label */
}

static void test_no_language(void **state)
{
    (void)state;
    assert_none("Film.srt");
    assert_none("English.srt"); /* the title, not a tag */
    assert_none("Film.2010.srt");
    assert_none("Film.xx.srt");
    assert_none("");
    assert_none(".srt");
    assert_none("Film.en.extra.srt");               /* the nearest tag is no language */
    assert_true(lang_of("Film.forced.srt").forced); /* flags without a language */
}

static void test_any_bytes_are_safe(void **state)
{
    char name[300];
    lume_language l;

    (void)state;
    for (int c = 0; c < 256; c++) {
        memset(name, c, sizeof(name));
        lume_language_of_file(name, sizeof(name), &l);
        lume_language_of_file(name, 1, &l);
        lume_language_of_file(name, 0, &l);
    }
    assert_none("\xff\xfe.\xc3\xa9.srt");
    assert_none("a.-.srt");
    assert_none("a-.BR.srt");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_and_names),
        cmocka_unit_test(test_flags_are_read_and_skipped),
        cmocka_unit_test(test_a_region_joins_its_language),
        cmocka_unit_test(test_no_language),
        cmocka_unit_test(test_any_bytes_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
