/*
 * test_archive_parse.c: the archive provider's pure parts. How an
 * advancedsearch answer becomes candidates, how a metadata answer becomes one
 * playable file (or a dead item), which file wins, and how download URLs are
 * built.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archive/archive_parse.h"

#define S(lit) lit, sizeof(lit) - 1

/* --- search answers ---------------------------------------------------------- */

static void search_answer_gives_hits_in_upstream_order(void **state)
{
    archive_hit *h;
    size_t n;
    (void)state;
    assert_int_equal(archive_parse_search(S("{\"responseHeader\": {\"status\": 0},"
                                            " \"response\": {\"numFound\": 2, \"start\": 0, "
                                            "\"docs\": [{\"identifier\": \"detour_1945\", "
                                            "\"title\": \"Detour\", \"downloads\": 9000},"
                                            "{\"identifier\": \"b\", \"title\": \"B\", "
                                            "\"downloads\": 7}]}}"),
                                          &h, &n),
                     ARCHIVE_PARSE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(h[0].identifier, "detour_1945");
    assert_string_equal(h[0].title, "Detour");
    assert_int_equal(h[0].downloads, 9000);
    assert_string_equal(h[1].identifier, "b");
    archive_hits_free(h, n);
}

static void empty_docs_is_no_hits(void **state)
{
    archive_hit *h;
    size_t n = 99;
    (void)state;
    assert_int_equal(archive_parse_search(S("{\"response\": {\"docs\": []}}"), &h, &n),
                     ARCHIVE_PARSE_OK);
    assert_int_equal(n, 0);
    archive_hits_free(h, n);
}

static void missing_title_and_downloads_have_defaults(void **state)
{
    archive_hit *h;
    size_t n;
    (void)state;
    assert_int_equal(archive_parse_search(S("{\"response\": {\"docs\": [{\"identifier\": \"x1\"},"
                                            "{\"identifier\": \"x2\", \"title\": \"\", "
                                            "\"downloads\": null}]}}"),
                                          &h, &n),
                     ARCHIVE_PARSE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(h[0].title, "x1"); /* the identifier stands in */
    assert_int_equal(h[0].downloads, 0);
    assert_string_equal(h[1].title, "x2");
    archive_hits_free(h, n);
}

static void unsafe_identifiers_are_skipped(void **state)
{
    archive_hit *h;
    size_t n;
    (void)state;
    assert_int_equal(
        archive_parse_search(S("{\"response\": {\"docs\": [{\"identifier\": \"../etc\"},"
                               "{\"identifier\": \"a b\"}, {\"identifier\": \"a/b\"},"
                               "{\"identifier\": \"..\"}, {\"identifier\": \"\"},"
                               "{\"identifier\": \"ok-1.2_x\"}]}}"),
                             &h, &n),
        ARCHIVE_PARSE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].identifier, "ok-1.2_x");
    archive_hits_free(h, n);
}

static void long_titles_are_cut_to_500_characters(void **state)
{
    char body[4096], *p = body;
    archive_hit *h;
    size_t n, chars = 0;
    (void)state;
    p += sprintf(p, "{\"response\": {\"docs\": [{\"identifier\": \"x\", \"title\": \"");
    for (int i = 0; i < 600; i++)
        p += sprintf(p, "\xc3\xa4"); /* ä: two bytes, one character */
    p += sprintf(p, "\"}]}}");
    assert_int_equal(archive_parse_search(body, (size_t)(p - body), &h, &n), ARCHIVE_PARSE_OK);
    for (const char *c = h[0].title; *c; c++)
        chars += ((unsigned char)*c & 0xC0) != 0x80;
    assert_int_equal(chars, 500);
    assert_int_equal(strlen(h[0].title), 1000); /* never cut inside a character */
    archive_hits_free(h, n);
}

static void faulty_search_answers_are_malformed(void **state)
{
    static const char *bad[] = {
        "",
        "not json",
        "{\"response\": {\"docs\": [",                                   /* truncated */
        "[]",                                                            /* not an object */
        "{\"error\": \"org.apache.lucene.queryParser.ParseException\"}", /* error on 200 */
        "{\"error\": \"x\", \"response\": {\"docs\": []}}",
        "{\"responseHeader\": {\"status\": 0}}", /* no response */
        "{\"response\": []}",                    /* wrong types */
        "{\"response\": {\"docs\": \"nope\"}}",
        "{\"response\": {}}",
        "{\"response\": {\"docs\": [42]}}",
        "{\"response\": {\"docs\": [{\"identifier\": 7}]}}",
        "{\"response\": {\"docs\": [{\"title\": \"no id\"}]}}",
        "{\"response\": {\"docs\": [{\"identifier\": \"x\", \"title\": [\"a\"]}]}}",
        "{\"response\": {\"docs\": [{\"identifier\": \"x\", \"downloads\": \"12\"}]}}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        archive_hit *h = (archive_hit *)1;
        size_t n = 1;
        assert_int_equal(archive_parse_search(bad[i], strlen(bad[i]), &h, &n),
                         ARCHIVE_PARSE_MALFORMED);
        assert_null(h);
        assert_int_equal(n, 0);
    }
}

static void body_need_not_be_nul_terminated(void **state)
{
    const char body[] = "{\"response\": {\"docs\": []}}GARBAGE";
    archive_hit *h;
    size_t n;
    (void)state;
    assert_int_equal(archive_parse_search(body, strlen(body) - 7, &h, &n), ARCHIVE_PARSE_OK);
    archive_hits_free(h, n);
}

/* --- the file picker ------------------------------------------------------------- */

static void picker_prefers_h264_then_height_then_size(void **state)
{
    const archive_file files[] = {
        {"a.avi", "Cinepack", 900, 1080},        /* not playable */
        {"b_512kb.mp4", "512Kb MPEG4", 50, 240}, /* last resort */
        {"c.mp4", "h.264", 300, 480},
        {"d.mp4", "h.264 IA", 200, 720},
        {"e.mp4", "MPEG4", 400, 720},  /* same height, larger */
        {"f.mkv", "h.264", 999, 2160}, /* not an .mp4 */
        {"g.ogv", "Ogg Video", 999, 1080},
    };
    (void)state;
    assert_int_equal(archive_pick_file(files, 7), 4);
    assert_int_equal(archive_pick_file(files, 4), 3);
    assert_int_equal(archive_pick_file(files, 3), 2);
}

static void picker_takes_512kb_only_when_nothing_better(void **state)
{
    const archive_file files[] = {
        {"x.avi", "Cinepack", 900, 480},
        {"x_512kb.mp4", "512Kb MPEG4", 50, 240},
        {"y_512kb.mp4", "512Kb MPEG4", 80, 240},
    };
    (void)state;
    assert_int_equal(archive_pick_file(files, 3), 2);
}

static void picker_unknown_height_and_size_rank_lowest(void **state)
{
    const archive_file files[] = {
        {"u.mp4", "h.264", -1, 0},
        {"k.mp4", "h.264", 10, 0},
        {"h.MP4", "h.264", -1, 360},
    };
    (void)state;
    assert_int_equal(archive_pick_file(files, 2), 1);
    assert_int_equal(archive_pick_file(files, 3), 2); /* case-insensitive .mp4 */
}

static void picker_nothing_playable(void **state)
{
    const archive_file files[] = {
        {"x.ogv", "Ogg Video", 1, 480},
        {"x.mp4", NULL, 1, 480},
        {"x.mp4", "Thumbnail", 1, 480},
    };
    (void)state;
    assert_int_equal(archive_pick_file(files, 3), -1);
    assert_int_equal(archive_pick_file(files, 0), -1);
}

/* --- metadata answers ------------------------------------------------------- */

static void metadata_picks_a_file_with_string_values(void **state)
{
    archive_choice c;
    (void)state;
    assert_int_equal(
        archive_parse_metadata(
            S("{\"metadata\": {\"identifier\": \"x\", \"mediatype\": \"movies\"}, \"files\": ["
              "{\"name\": \"x_meta.xml\", \"format\": \"Metadata\", \"size\": \"10\"},"
              "{\"name\": \"x_512kb.mp4\", \"format\": \"512Kb MPEG4\", \"size\": \"20\", "
              "\"height\": \"240\"},"
              "{\"name\": \"HD/x.mp4\", \"format\": \"h.264\", \"size\": \"123456789012\", "
              "\"height\": \"1080\", \"width\": \"1920\"}]}"),
            &c),
        ARCHIVE_ITEM_PLAYABLE);
    assert_string_equal(c.name, "HD/x.mp4");
    assert_int_equal(c.size, 123456789012LL);
    assert_int_equal(c.height, 1080);
    archive_choice_free(&c);
}

static void metadata_bad_numbers_are_unknown(void **state)
{
    archive_choice c;
    (void)state;
    assert_int_equal(archive_parse_metadata(S("{\"files\": [{\"name\": \"x.mp4\", \"format\": "
                                              "\"h.264\", \"size\": \"12ab\", \"height\": 720}]}"),
                                            &c),
                     ARCHIVE_ITEM_PLAYABLE);
    assert_int_equal(c.size, -1);
    assert_int_equal(c.height, 0);
    archive_choice_free(&c);
}

static void dead_items(void **state)
{
    static const char *dead[] = {
        "{}", /* the archive's answer for a missing item */
        "{\"is_dark\": true, \"files\": [{\"name\": \"x.mp4\", \"format\": \"h.264\"}]}",
        "{\"metadata\": {\"access-restricted-item\": \"true\"}, \"files\": [{\"name\": "
        "\"x.mp4\", \"format\": \"h.264\"}]}",
        "{\"metadata\": {\"identifier\": \"x\"}}", /* no files */
        "{\"metadata\": {}, \"files\": []}",
        "{\"files\": [{\"name\": \"x.ogv\", \"format\": \"Ogg Video\"}]}",
        "{\"files\": [{\"name\": \"../x.mp4\", \"format\": \"h.264\"}]}", /* unsafe path */
        "{\"files\": [{\"name\": \"/x.mp4\", \"format\": \"h.264\"}]}",
        "{\"files\": [{\"name\": \"a//x.mp4\", \"format\": \"h.264\"}]}",
        "{\"files\": [{\"format\": \"h.264\"}]}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(dead) / sizeof(dead[0]); i++) {
        archive_choice c;
        assert_int_equal(archive_parse_metadata(dead[i], strlen(dead[i]), &c), ARCHIVE_ITEM_DEAD);
        assert_null(c.name);
    }
}

static void malformed_metadata(void **state)
{
    static const char *bad[] = {
        "",
        "nope",
        "[]",
        "{\"files\": [",
        "{\"files\": \"x\"}",
        "{\"files\": [7]}",
        "{\"metadata\": [], \"files\": []}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        archive_choice c;
        assert_int_equal(archive_parse_metadata(bad[i], strlen(bad[i]), &c),
                         ARCHIVE_ITEM_MALFORMED);
    }
}

/* --- the bounds every answer is held to ------------------------------------------ */

/* A buffer of exactly len bytes (not NUL-terminated): head, then `fill` up to
 * len - strlen(tail), then tail. */
static char *sized(const char *head, char fill, const char *tail, size_t len)
{
    size_t h = strlen(head), t = strlen(tail);
    char *b = malloc(len);
    assert_non_null(b);
    assert_true(h + t <= len);
    memcpy(b, head, h);
    memset(b + h, fill, len - h - t);
    memcpy(b + len - t, tail, t);
    return b;
}

/* head, then n times unit, then tail (exact length, not NUL-terminated). */
static char *repeated(const char *head, const char *unit, size_t n, const char *tail, size_t *len)
{
    size_t h = strlen(head), u = strlen(unit), t = strlen(tail);
    char *b = malloc(h + n * u + t), *p = b;
    assert_non_null(b);
    memcpy(p, head, h);
    p += h;
    for (size_t i = 0; i < n; i++, p += u)
        memcpy(p, unit, u);
    memcpy(p, tail, t);
    *len = h + n * u + t;
    return b;
}

#define PLAYABLE_HEAD "{\"files\": [{\"name\": \"a.mp4\", \"format\": \"h.264\"}]}"

static void metadata_up_to_the_length_bound_is_read(void **state)
{
    /* A playable item padded with whitespace to exactly max - 1, max, max + 1 bytes. */
    const size_t max = (size_t)ARCHIVE_BODY_MAX;
    const archive_item_status want[] = {ARCHIVE_ITEM_PLAYABLE, ARCHIVE_ITEM_PLAYABLE,
                                        ARCHIVE_ITEM_TOO_BIG};
    (void)state;
    for (size_t d = 0; d < 3; d++) {
        char *b = sized(PLAYABLE_HEAD, ' ', "", max - 1 + d);
        archive_choice c;
        assert_int_equal(archive_parse_metadata(b, max - 1 + d, &c), want[d]);
        archive_choice_free(&c);
        free(b);
    }
}

static void metadata_up_to_the_token_bound_is_read(void **state)
{
    /* 6 tokens ({ [ { , , [), then one ',' per extra pad value: max - 1, max, max + 1 in all. */
    const size_t max = ARCHIVE_JSON_TOKENS_MAX;
    const archive_item_status want[] = {ARCHIVE_ITEM_PLAYABLE, ARCHIVE_ITEM_PLAYABLE,
                                        ARCHIVE_ITEM_TOO_BIG};
    (void)state;
    for (size_t d = 0; d < 3; d++) {
        size_t len;
        char *b =
            repeated("{\"files\": [{\"name\": \"a.mp4\", \"format\": \"h.264\"}], \"pad\": [0",
                     ",0", max - 1 + d - 6, "]}", &len);
        archive_choice c;
        assert_int_equal(archive_parse_metadata(b, len, &c), want[d]);
        if (want[d] == ARCHIVE_ITEM_PLAYABLE)
            assert_string_equal(c.name, "a.mp4");
        archive_choice_free(&c);
        free(b);
    }
}

static void metadata_of_empty_objects_at_the_token_bound(void **state)
{
    /* The shape that costs Jansson most per byte: {"files": [{}, {}, ...]}. At
     * the bound it is read (an item with no playable file); one more is refused. */
    const size_t max = ARCHIVE_JSON_TOKENS_MAX;
    size_t len;
    char *b;
    archive_choice c;
    (void)state;
    /* { [ {} then ,{} pairs: 3 + 2k tokens; max is even, so max - 1 and max + 1. */
    b = repeated("{\"files\": [{}", ",{}", (max - 1 - 3) / 2, "]}", &len);
    assert_int_equal(archive_parse_metadata(b, len, &c), ARCHIVE_ITEM_DEAD);
    free(b);
    b = repeated("{\"files\": [{}", ",{}", (max + 1 - 3) / 2, "]}", &len);
    assert_int_equal(archive_parse_metadata(b, len, &c), ARCHIVE_ITEM_TOO_BIG);
    free(b);
}

static void delimiters_inside_strings_are_not_tokens(void **state)
{
    /* Exactly max tokens outside strings: { [ { , , [ and max - 7 pad commas,
     * then the , before "note". The note holds max more '{', '[' and ','
     * (and escaped quotes and backslashes): still within the bound. */
    const size_t max = ARCHIVE_JSON_TOKENS_MAX;
    const char *end = "\\\"],{\\\\\"}"; /* \"],{\\ then the closing quote and brace */
    size_t len, n = max;
    char *b;
    archive_choice c;
    (void)state;
    b = repeated("{\"files\": [{\"name\": \"a.mp4\", \"format\": \"h.264\"}], \"pad\": [0", ",0",
                 max - 7, "], \"note\": \"", &len);
    b = realloc(b, len + n + strlen(end));
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        b[len + i] = ",[{"[i % 3];
    memcpy(b + len + n, end, strlen(end));
    len += n + strlen(end);
    assert_int_equal(archive_parse_metadata(b, len, &c), ARCHIVE_ITEM_PLAYABLE);
    archive_choice_free(&c);
    /* One more token outside the string is one too many. */
    b = realloc(b, len + 3);
    assert_non_null(b);
    memmove(b + 2, b, len);
    memcpy(b, "[ ", 2);
    b[len + 2] = ']';
    assert_int_equal(archive_parse_metadata(b, len + 3, &c), ARCHIVE_ITEM_TOO_BIG);
    free(b);
}

static void search_answer_up_to_the_length_bound_is_read(void **state)
{
    const size_t max = (size_t)ARCHIVE_BODY_MAX;
    const archive_parse_status want[] = {ARCHIVE_PARSE_OK, ARCHIVE_PARSE_OK, ARCHIVE_PARSE_TOO_BIG};
    (void)state;
    for (size_t d = 0; d < 3; d++) {
        char *b =
            sized("{\"response\": {\"docs\": [{\"identifier\": \"a\"}]}}", ' ', "", max - 1 + d);
        archive_hit *h = NULL;
        size_t n = 0;
        assert_int_equal(archive_parse_search(b, max - 1 + d, &h, &n), want[d]);
        assert_int_equal(n, want[d] == ARCHIVE_PARSE_OK ? 1 : 0);
        archive_hits_free(h, n);
        free(b);
    }
}

static void search_answer_up_to_the_token_bound_is_read(void **state)
{
    /* { { [ { , [ then one ',' per extra pad value. */
    const size_t max = ARCHIVE_JSON_TOKENS_MAX;
    const archive_parse_status want[] = {ARCHIVE_PARSE_OK, ARCHIVE_PARSE_OK, ARCHIVE_PARSE_TOO_BIG};
    (void)state;
    for (size_t d = 0; d < 3; d++) {
        size_t len, n = 0;
        char *b = repeated("{\"response\": {\"docs\": [{\"identifier\": \"a\"}]}, \"pad\": [0",
                           ",0", max - 1 + d - 6, "]}", &len);
        archive_hit *h = NULL;
        assert_int_equal(archive_parse_search(b, len, &h, &n), want[d]);
        assert_int_equal(n, want[d] == ARCHIVE_PARSE_OK ? 1 : 0);
        archive_hits_free(h, n);
        free(b);
    }
}

/* --- identifiers and download URLs -------------------------------------------- */

static void identifiers(void **state)
{
    (void)state;
    assert_true(archive_identifier_valid("Night_of_the_Living_Dead-1968.v2"));
    assert_false(archive_identifier_valid(""));
    assert_false(archive_identifier_valid("."));
    assert_false(archive_identifier_valid(".."));
    assert_false(archive_identifier_valid("a/b"));
    assert_false(archive_identifier_valid("a%2Fb"));
    assert_false(archive_identifier_valid("a b"));
    assert_false(archive_identifier_valid("ä"));
    assert_false(archive_identifier_valid(NULL));
}

static void download_urls_encode_each_segment(void **state)
{
    char *u = archive_download_url("https://archive.org", "detour_1945",
                                   "Detour HD/Detour (1945) [HD] #1 ä?.mp4");
    (void)state;
    assert_string_equal(u, "https://archive.org/download/detour_1945/Detour%20HD/"
                           "Detour%20%281945%29%20%5BHD%5D%20%231%20%C3%A4%3F.mp4");
    free(u);
    u = archive_download_url("http://127.0.0.1:8080", "x", "a-b_c.d~e.mp4");
    assert_string_equal(u, "http://127.0.0.1:8080/download/x/a-b_c.d~e.mp4");
    free(u);
}

static void download_urls_refuse_unsafe_parts(void **state)
{
    (void)state;
    assert_null(archive_download_url("https://archive.org", "../x", "a.mp4"));
    assert_null(archive_download_url("https://archive.org", "x", "../a.mp4"));
    assert_null(archive_download_url("https://archive.org", "x", "a/./b.mp4"));
    assert_null(archive_download_url("https://archive.org", "x", ""));
    assert_null(archive_download_url("https://archive.org", "x", "a/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(search_answer_gives_hits_in_upstream_order),
        cmocka_unit_test(empty_docs_is_no_hits),
        cmocka_unit_test(missing_title_and_downloads_have_defaults),
        cmocka_unit_test(unsafe_identifiers_are_skipped),
        cmocka_unit_test(long_titles_are_cut_to_500_characters),
        cmocka_unit_test(faulty_search_answers_are_malformed),
        cmocka_unit_test(body_need_not_be_nul_terminated),
        cmocka_unit_test(picker_prefers_h264_then_height_then_size),
        cmocka_unit_test(picker_takes_512kb_only_when_nothing_better),
        cmocka_unit_test(picker_unknown_height_and_size_rank_lowest),
        cmocka_unit_test(picker_nothing_playable),
        cmocka_unit_test(metadata_picks_a_file_with_string_values),
        cmocka_unit_test(metadata_bad_numbers_are_unknown),
        cmocka_unit_test(dead_items),
        cmocka_unit_test(malformed_metadata),
        cmocka_unit_test(metadata_up_to_the_length_bound_is_read),
        cmocka_unit_test(metadata_up_to_the_token_bound_is_read),
        cmocka_unit_test(metadata_of_empty_objects_at_the_token_bound),
        cmocka_unit_test(delimiters_inside_strings_are_not_tokens),
        cmocka_unit_test(search_answer_up_to_the_length_bound_is_read),
        cmocka_unit_test(search_answer_up_to_the_token_bound_is_read),
        cmocka_unit_test(identifiers),
        cmocka_unit_test(download_urls_encode_each_segment),
        cmocka_unit_test(download_urls_refuse_unsafe_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
