/*
 * test_query.c: the API's validation rules (docs/api.md, query.h), row by row.
 *
 * The {query} segment: percent-decoded from the raw URI (%2F is a slash inside
 * the query, '+' is a literal plus), surrounding whitespace trimmed, valid
 * UTF-8 of 1..200 code points without control characters, else INVALID_QUERY.
 * season, episode: plain decimal integers 1..9999; limit (search only): 1..25,
 * default 10; a parameter given twice is invalid; episode needs season;
 * unknown parameters are ignored. TV formatting: "<query> S04E01", "<query> S04".
 *
 * Decisions docs/api.md records, documented here too:
 * - leading zeros are still a plain decimal integer: season=01 is season 1;
 * - query-string values are form-decoded, so season=+1 is " 1" (invalid) and
 *   season=%31 is 1; parameter names are case-sensitive (SEASON is unknown);
 * - "surrounding whitespace" is ASCII whitespace (space, tab, CR, LF, VT, FF);
 *   a tab or newline inside the query is a control character;
 * - on an error, lume_params_parse still reports the parameters that were
 *   valid, so error bodies can carry them (season 4 with a bad episode).
 */
#include "lib/unit.h"

#include "query.h"

static lume_status decode(const char *raw, char out[LUME_QUERY_BUF])
{
    return lume_query_decode(raw, strlen(raw), out);
}

static void assert_decodes_to(const char *raw, const char *expected)
{
    char out[LUME_QUERY_BUF];

    if (decode(raw, out) != LUME_OK)
        fail_msg("%s should be a valid query", raw);
    assert_string_equal(out, expected);
}

static void assert_invalid_query(const char *raw)
{
    char out[LUME_QUERY_BUF];

    if (decode(raw, out) != LUME_ERR_INVALID_QUERY)
        fail_msg("%s should be INVALID_QUERY", raw);
}

static lume_status parse(const char *qs, int with_limit, lume_params *p)
{
    return lume_params_parse(qs, strlen(qs), with_limit, p);
}

static void assert_params_error(const char *qs, int with_limit, lume_status expected)
{
    lume_params p;
    lume_status st = parse(qs, with_limit, &p);

    if (st != expected)
        fail_msg("'%s': expected status %d, got %d", qs, expected, st);
}

static void assert_season(const char *qs, int expected)
{
    lume_params p;

    if (parse(qs, 0, &p) != LUME_OK)
        fail_msg("'%s' should be valid", qs);
    assert_int_equal(p.season, expected);
}

/* ---- the {query} segment: decoding ---- */

static void test_a_plain_query_is_taken_as_is(void **state)
{
    (void)state;
    assert_decodes_to("inception", "inception");
}

static void test_percent_escapes_are_decoded(void **state)
{
    (void)state;
    assert_decodes_to("the%20boys", "the boys");
    assert_decodes_to("caf%C3%A9", "caf\xC3\xA9");
}

static void test_lowercase_hex_digits_are_accepted_in_escapes(void **state)
{
    (void)state;
    assert_decodes_to("caf%c3%a9", "caf\xC3\xA9");
}

static void test_percent_2f_is_a_slash_inside_the_query(void **state)
{
    (void)state;
    assert_decodes_to("AC%2FDC", "AC/DC");
    assert_decodes_to("AC%2fDC", "AC/DC");
}

static void test_other_reserved_characters_may_be_escaped_inside_the_query(void **state)
{
    (void)state;
    assert_decodes_to("what%3F", "what?");
    assert_decodes_to("%231", "#1");
    assert_decodes_to("a%26b%3Dc", "a&b=c");
}

static void test_plus_in_the_path_is_a_literal_plus(void **state)
{
    (void)state;
    assert_decodes_to("C++", "C++");
    assert_decodes_to("a+b", "a+b");
    assert_decodes_to("+", "+");
}

static void test_percent_2b_is_a_plus_too(void **state)
{
    (void)state;
    assert_decodes_to("C%2B%2B", "C++");
}

static void test_raw_utf8_bytes_in_the_uri_are_accepted(void **state)
{
    (void)state;
    assert_decodes_to("caf\xC3\xA9", "caf\xC3\xA9");
}

/* ---- trimming ---- */

static void test_surrounding_spaces_are_trimmed(void **state)
{
    (void)state;
    assert_decodes_to("%20%20the%20boys%20", "the boys");
}

static void test_inner_spaces_are_kept(void **state)
{
    (void)state;
    assert_decodes_to("the%20%20boys", "the  boys");
}

static void test_surrounding_tabs_and_newlines_are_trimmed_as_whitespace(void **state)
{
    (void)state;
    assert_decodes_to("%09%0D%0Ainception%0A%0B%0C", "inception");
}

static void test_an_empty_query_is_invalid(void **state)
{
    (void)state;
    assert_invalid_query("");
}

static void test_a_blank_query_is_invalid(void **state)
{
    (void)state;
    assert_invalid_query("%20");
    assert_invalid_query("%20%20%20");
    assert_invalid_query("%09%0A");
}

/* ---- UTF-8 ---- */

static void test_two_three_and_four_byte_utf8_forms_are_accepted(void **state)
{
    (void)state;
    assert_decodes_to("%C3%A9", "\xC3\xA9");               /* é U+00E9 */
    assert_decodes_to("%E2%82%AC", "\xE2\x82\xAC");        /* € U+20AC */
    assert_decodes_to("%F0%9F%98%80", "\xF0\x9F\x98\x80"); /* U+1F600 */
}

static void test_the_boundaries_of_each_utf8_form_are_accepted(void **state)
{
    (void)state;
    assert_decodes_to("%C2%A0", "\xC2\xA0");               /* U+00A0, first non-control */
    assert_decodes_to("%DF%BF", "\xDF\xBF");               /* U+07FF, last 2-byte */
    assert_decodes_to("%E0%A0%80", "\xE0\xA0\x80");        /* U+0800, first 3-byte */
    assert_decodes_to("%ED%9F%BF", "\xED\x9F\xBF");        /* U+D7FF, below the surrogates */
    assert_decodes_to("%EE%80%80", "\xEE\x80\x80");        /* U+E000, above the surrogates */
    assert_decodes_to("%EF%BF%BF", "\xEF\xBF\xBF");        /* U+FFFF, last 3-byte */
    assert_decodes_to("%F0%90%80%80", "\xF0\x90\x80\x80"); /* U+10000, first 4-byte */
    assert_decodes_to("%F4%8F%BF%BF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF, the last */
}

static void test_overlong_utf8_forms_are_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%C0%AF");       /* '/' in two bytes */
    assert_invalid_query("%C1%BF");       /* U+007F in two bytes */
    assert_invalid_query("%C0%80");       /* NUL in two bytes */
    assert_invalid_query("%E0%80%AF");    /* '/' in three bytes */
    assert_invalid_query("%E0%9F%BF");    /* U+07FF in three bytes */
    assert_invalid_query("%F0%80%80%AF"); /* '/' in four bytes */
    assert_invalid_query("%F0%8F%BF%BF"); /* U+FFFF in four bytes */
}

static void test_utf16_surrogates_are_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%ED%A0%80");          /* U+D800 */
    assert_invalid_query("%ED%BF%BF");          /* U+DFFF */
    assert_invalid_query("%ED%A0%BD%ED%B8%80"); /* a CESU-8 pair */
}

static void test_code_points_above_u10ffff_are_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%F4%90%80%80"); /* U+110000 */
    assert_invalid_query("%F5%80%80%80");
    assert_invalid_query("%F8%88%80%80%80");
    assert_invalid_query("%FE");
    assert_invalid_query("%FF");
}

static void test_stray_continuation_bytes_are_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%80");
    assert_invalid_query("%BF");
    assert_invalid_query("a%80b");
    assert_invalid_query("%C3%A9%A9"); /* one continuation too many */
}

static void test_truncated_utf8_sequences_are_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%C3");
    assert_invalid_query("%E2%82");
    assert_invalid_query("%F0%9F%98");
    assert_invalid_query("caf%C3"); /* truncated at the end */
    assert_invalid_query("%C3a");   /* a lead byte followed by ASCII */
    assert_invalid_query("%E2%82a");
    assert_invalid_query("%F0%9F%98a");
}

static void test_raw_invalid_utf8_bytes_in_the_uri_are_rejected(void **state)
{
    (void)state;
    assert_invalid_query("caf\xE9"); /* Latin-1 */
    assert_invalid_query("\xC0\xAF");
}

static void test_utf8_length_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(lume_utf8_length("", 0), 0);
    assert_int_equal(lume_utf8_length("abc", 3), 3);
    assert_int_equal(lume_utf8_length("\xC3\xA9", 2), 1);
    assert_int_equal(lume_utf8_length("\xE2\x82\xAC", 3), 1);
    assert_int_equal(lume_utf8_length("\xF0\x9F\x98\x80", 4), 1);
    assert_int_equal(lume_utf8_length("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z", 11), 5);
}

static void test_utf8_length_is_minus_one_for_invalid_utf8(void **state)
{
    (void)state;
    assert_int_equal(lume_utf8_length("\xC0\xAF", 2), -1);
    assert_int_equal(lume_utf8_length("\xED\xA0\x80", 3), -1);
    assert_int_equal(lume_utf8_length("\xF4\x90\x80\x80", 4), -1);
    assert_int_equal(lume_utf8_length("\x80", 1), -1);
    assert_int_equal(lume_utf8_length("\xE2\x82", 2), -1);
    /* the length is a bound: a sequence cut by it is truncated */
    assert_int_equal(lume_utf8_length("\xC3\xA9", 1), -1);
}

/* ---- broken escapes ---- */

static void test_a_lone_percent_is_a_broken_escape(void **state)
{
    (void)state;
    assert_invalid_query("%");
    assert_invalid_query("abc%");
    assert_invalid_query("100%25%");
}

static void test_a_percent_with_one_hex_digit_is_a_broken_escape(void **state)
{
    (void)state;
    assert_invalid_query("%4");
    assert_invalid_query("abc%4");
}

static void test_a_percent_with_non_hex_digits_is_a_broken_escape(void **state)
{
    (void)state;
    assert_invalid_query("%zz");
    assert_invalid_query("%G1");
    assert_invalid_query("%4G");
    assert_invalid_query("%%41");
    assert_invalid_query("%-1");
    assert_invalid_query("% 41");
}

static void test_an_escaped_percent_is_a_percent(void **state)
{
    (void)state;
    assert_decodes_to("100%25", "100%");
    assert_decodes_to("%2541", "%41"); /* decoded once, not twice */
}

/* ---- control characters ---- */

static void test_nul_is_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%00");
    assert_invalid_query("a%00b");
    assert_invalid_query("abc%00");
}

static void test_c0_control_characters_are_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%01");
    assert_invalid_query("a%1Bb"); /* ESC */
    assert_invalid_query("a%1Fb");
    assert_invalid_query("a%09b"); /* a tab inside the query is no whitespace to trim */
    assert_invalid_query("a%0Ab");
    assert_invalid_query("a%0D%0Ab");
}

static void test_del_is_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%7F");
    assert_invalid_query("a%7Fb");
}

static void test_c1_control_characters_are_rejected(void **state)
{
    (void)state;
    assert_invalid_query("%C2%80");   /* U+0080 */
    assert_invalid_query("a%C2%85b"); /* NEL */
    assert_invalid_query("%C2%9F");   /* U+009F */
}

/* ---- length ---- */

static void test_200_ascii_characters_are_accepted(void **state)
{
    char *raw = unit_repeat("", "a", 200, ""), out[LUME_QUERY_BUF];

    (void)state;
    assert_int_equal(decode(raw, out), LUME_OK);
    assert_int_equal(strlen(out), 200);
    free(raw);
}

static void test_201_ascii_characters_are_rejected(void **state)
{
    char *raw = unit_repeat("", "a", 201, "");

    (void)state;
    assert_invalid_query(raw);
    free(raw);
}

static void test_length_counts_code_points_so_200_two_byte_characters_are_fine(void **state)
{
    char *raw = unit_repeat("", "%C3%A9", 200, ""), out[LUME_QUERY_BUF];

    (void)state;
    assert_int_equal(decode(raw, out), LUME_OK);
    assert_int_equal(strlen(out), 400);
    assert_int_equal(lume_utf8_length(out, strlen(out)), 200);
    free(raw);
}

static void test_201_two_byte_characters_are_rejected(void **state)
{
    char *raw = unit_repeat("", "%C3%A9", 201, "");

    (void)state;
    assert_invalid_query(raw);
    free(raw);
}

static void test_200_four_byte_characters_fit_the_buffer(void **state)
{
    char *raw = unit_repeat("", "%F0%9F%98%80", 200, ""), out[LUME_QUERY_BUF];

    (void)state;
    assert_int_equal(decode(raw, out), LUME_OK);
    assert_int_equal(strlen(out), 800);
    free(raw);
}

static void test_201_four_byte_characters_are_rejected(void **state)
{
    char *raw = unit_repeat("", "%F0%9F%98%80", 201, "");

    (void)state;
    assert_invalid_query(raw);
    free(raw);
}

static void test_the_length_is_counted_after_trimming(void **state)
{
    char *raw = unit_repeat("%20%20%20", "a", 200, "%20%20%20"), out[LUME_QUERY_BUF];

    (void)state;
    assert_int_equal(decode(raw, out), LUME_OK);
    assert_int_equal(strlen(out), 200);
    free(raw);
}

/* ---- season, episode, limit ---- */

static void test_absent_parameters_give_no_season_no_episode_and_limit_10(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("", 1, &p), LUME_OK);
    assert_int_equal(p.season, 0);
    assert_int_equal(p.episode, 0);
    assert_int_equal(p.limit, LUME_LIMIT_DEFAULT);
    assert_int_equal(p.limit, 10);
}

static void test_season_and_episode_are_parsed(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("season=4&episode=1", 0, &p), LUME_OK);
    assert_int_equal(p.season, 4);
    assert_int_equal(p.episode, 1);
}

static void test_parameter_order_does_not_matter(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("episode=2&season=3", 0, &p), LUME_OK);
    assert_int_equal(p.season, 3);
    assert_int_equal(p.episode, 2);
}

static void test_season_1_and_9999_are_the_bounds(void **state)
{
    (void)state;
    assert_season("season=1", 1);
    assert_season("season=9999", 9999);
    assert_params_error("season=0", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=10000", 0, LUME_ERR_INVALID_SEASON);
}

static void test_season_with_a_sign_is_invalid(void **state)
{
    (void)state;
    assert_params_error("season=-1", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=%2B1", 0, LUME_ERR_INVALID_SEASON); /* "+1" */
    assert_params_error("season=-0", 0, LUME_ERR_INVALID_SEASON);
}

static void test_plus_in_the_query_string_is_a_space_so_season_plus_1_is_invalid(void **state)
{
    (void)state;
    assert_params_error("season=+1", 0, LUME_ERR_INVALID_SEASON);
}

static void test_season_with_spaces_is_invalid(void **state)
{
    (void)state;
    assert_params_error("season=%201", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=1%20", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=1+", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=%091", 0, LUME_ERR_INVALID_SEASON);
}

static void test_leading_zeros_are_a_plain_decimal_integer(void **state)
{
    (void)state;
    assert_season("season=01", 1);
    assert_season("season=0004", 4);
    assert_params_error("season=00", 0, LUME_ERR_INVALID_SEASON);
}

static void test_season_with_trailing_junk_is_invalid(void **state)
{
    (void)state;
    assert_params_error("season=1e3", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=0x10", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=1.0", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=4a", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=abc", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season==1", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=1%00", 0, LUME_ERR_INVALID_SEASON);
}

static void test_season_overflow_is_invalid(void **state)
{
    (void)state;
    assert_params_error("season=99999999999999999999", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=4294967297", 0, LUME_ERR_INVALID_SEASON);           /* 2^32 + 1 */
    assert_params_error("season=18446744073709551617", 0, LUME_ERR_INVALID_SEASON); /* 2^64 + 1 */
    assert_params_error("season=99999999999999999999999999999999999999999", 0,
                        LUME_ERR_INVALID_SEASON);
}

static void test_season_with_an_empty_value_is_invalid(void **state)
{
    (void)state;
    assert_params_error("season=", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=&episode=1", 0, LUME_ERR_INVALID_SEASON);
}

static void test_season_without_a_value_is_invalid(void **state)
{
    (void)state;
    assert_params_error("season", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("foo=1&season", 0, LUME_ERR_INVALID_SEASON);
}

static void test_parameter_values_are_percent_decoded(void **state)
{
    (void)state;
    assert_season("season=%31%32", 12);
    assert_params_error("season=%zz", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=%3", 0, LUME_ERR_INVALID_SEASON);
}

static void test_parameter_names_are_percent_decoded(void **state)
{
    (void)state;
    assert_season("seas%6Fn=3", 3);
}

static void test_parameter_names_are_case_sensitive(void **state)
{
    (void)state;
    assert_season("SEASON=3", 0);
    assert_season("Season=3", 0);
}

static void test_episode_has_the_same_rules_as_season(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("season=1&episode=1", 0, &p), LUME_OK);
    assert_int_equal(p.episode, 1);
    assert_int_equal(parse("season=1&episode=9999", 0, &p), LUME_OK);
    assert_int_equal(p.episode, 9999);
    assert_int_equal(parse("season=1&episode=07", 0, &p), LUME_OK);
    assert_int_equal(p.episode, 7);
    static const char *bad[] = {
        "season=1&episode=0",    "season=1&episode=10000",
        "season=1&episode=-1",   "season=1&episode=%2B1",
        "season=1&episode=+1",   "season=1&episode=%201",
        "season=1&episode=1%20", "season=1&episode=1e3",
        "season=1&episode=0x10", "season=1&episode=99999999999999999999",
        "season=1&episode=",     "season=1&episode",
        "season=1&episode=1.5",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_params_error(bad[i], 0, LUME_ERR_INVALID_EPISODE);
}

static void test_episode_without_season_is_an_error_of_its_own(void **state)
{
    (void)state;
    assert_params_error("episode=1", 0, LUME_ERR_EPISODE_WITHOUT_SEASON);
    assert_params_error("episode=1&limit=5", 1, LUME_ERR_EPISODE_WITHOUT_SEASON);
}

static void test_season_alone_is_fine(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("season=2", 0, &p), LUME_OK);
    assert_int_equal(p.season, 2);
    assert_int_equal(p.episode, 0);
}

static void test_an_invalid_episode_wins_over_a_missing_season(void **state)
{
    (void)state;
    assert_params_error("episode=abc", 0, LUME_ERR_INVALID_EPISODE);
}

static void test_an_invalid_season_wins_over_an_invalid_episode(void **state)
{
    (void)state;
    assert_params_error("season=0&episode=0", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("episode=0&season=0", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=0&episode=1", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=x&episode=x&limit=x", 1, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=1&episode=x&limit=x", 1, LUME_ERR_INVALID_EPISODE);
}

static void test_the_valid_parameters_are_reported_even_when_another_is_invalid(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("season=4&episode=abc", 0, &p), LUME_ERR_INVALID_EPISODE);
    assert_int_equal(p.season, 4);
    assert_int_equal(p.episode, 0);
    assert_int_equal(parse("season=abc&episode=2", 0, &p), LUME_ERR_INVALID_SEASON);
    assert_int_equal(p.season, 0);
    assert_int_equal(p.episode, 2);
    assert_int_equal(parse("episode=3", 0, &p), LUME_ERR_EPISODE_WITHOUT_SEASON);
    assert_int_equal(p.season, 0);
    assert_int_equal(p.episode, 3);
}

static void test_limit_1_and_25_are_the_bounds_on_search(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("limit=1", 1, &p), LUME_OK);
    assert_int_equal(p.limit, 1);
    assert_int_equal(parse("limit=25", 1, &p), LUME_OK);
    assert_int_equal(p.limit, 25);
    assert_params_error("limit=0", 1, LUME_ERR_INVALID_LIMIT);
    assert_params_error("limit=26", 1, LUME_ERR_INVALID_LIMIT);
}

static void test_limit_has_the_integer_rules_of_season(void **state)
{
    static const char *bad[] = {"limit=-1",
                                "limit=%2B1",
                                "limit=+1",
                                "limit=1%20",
                                "limit=1e1",
                                "limit=0x10",
                                "limit=99999999999999999999",
                                "limit=",
                                "limit"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_params_error(bad[i], 1, LUME_ERR_INVALID_LIMIT);
}

static void test_limit_is_only_a_parameter_of_search(void **state)
{
    lume_params p;

    (void)state;
    /* on /resolve/{query} limit is an unknown parameter: ignored */
    assert_int_equal(parse("limit=abc", 0, &p), LUME_OK);
    assert_int_equal(p.limit, LUME_LIMIT_DEFAULT);
    assert_int_equal(parse("limit=1000&limit=2", 0, &p), LUME_OK);
    assert_int_equal(p.limit, LUME_LIMIT_DEFAULT);
}

static void test_a_season_given_twice_is_invalid_season(void **state)
{
    (void)state;
    assert_params_error("season=1&season=1", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=1&season=2", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=1&season", 0, LUME_ERR_INVALID_SEASON);
    assert_params_error("season=1&episode=2&season=1", 0, LUME_ERR_INVALID_SEASON);
}

static void test_an_episode_given_twice_is_invalid_episode(void **state)
{
    (void)state;
    assert_params_error("season=1&episode=1&episode=1", 0, LUME_ERR_INVALID_EPISODE);
    assert_params_error("season=1&episode=1&episode=2", 0, LUME_ERR_INVALID_EPISODE);
}

static void test_a_limit_given_twice_is_invalid_limit(void **state)
{
    (void)state;
    assert_params_error("limit=5&limit=5", 1, LUME_ERR_INVALID_LIMIT);
    assert_params_error("limit=5&limit=6", 1, LUME_ERR_INVALID_LIMIT);
}

static void test_unknown_parameters_are_ignored(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("foo=bar&season=2&x&y=%zz&utm_source=a&utm_source=b", 1, &p), LUME_OK);
    assert_int_equal(p.season, 2);
    assert_int_equal(p.episode, 0);
    assert_int_equal(p.limit, 10);
}

/* Found by fuzzing (tests/fuzz/params/): "limit%00" decoded to "limit" and a
 * NUL, which strcmp took for limit. A name with a NUL in it is another name. */
static void test_a_name_with_a_nul_in_it_is_an_unknown_parameter(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("season%00=abc&limit%00&episode%00=x", 1, &p), LUME_OK);
    assert_int_equal(p.season, 0);
    assert_int_equal(p.episode, 0);
    assert_int_equal(p.limit, 10);
    assert_int_equal(parse("season%00=4&episode=1", 0, &p), LUME_ERR_EPISODE_WITHOUT_SEASON);
    assert_int_equal(lume_params_parse("limit\0;", 7, 1, &p), LUME_OK); /* a raw NUL too */
}

static void test_empty_pairs_in_the_query_string_are_ignored(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(parse("&&season=2&&=&=5&", 1, &p), LUME_OK);
    assert_int_equal(p.season, 2);
}

static void test_only_len_bytes_of_the_query_string_are_read(void **state)
{
    lume_params p;

    (void)state;
    assert_int_equal(lume_params_parse("season=2&season=3", 8, 0, &p), LUME_OK);
    assert_int_equal(p.season, 2);
}

/* ---- TV formatting ---- */

static void test_season_and_episode_format_as_s04e01(void **state)
{
    char out[LUME_FORMATTED_BUF];

    (void)state;
    assert_int_equal(lume_tv_format("the boys", 4, 1, out, sizeof(out)), 0);
    assert_string_equal(out, "the boys S04E01");
}

static void test_season_alone_formats_as_s04(void **state)
{
    char out[LUME_FORMATTED_BUF];

    (void)state;
    assert_int_equal(lume_tv_format("the boys", 4, 0, out, sizeof(out)), 0);
    assert_string_equal(out, "the boys S04");
}

static void test_no_season_leaves_the_query_alone(void **state)
{
    char out[LUME_FORMATTED_BUF];

    (void)state;
    assert_int_equal(lume_tv_format("inception", 0, 0, out, sizeof(out)), 0);
    assert_string_equal(out, "inception");
}

static void test_numbers_have_two_digits_at_least_and_more_when_needed(void **state)
{
    char out[LUME_FORMATTED_BUF];

    (void)state;
    assert_int_equal(lume_tv_format("q", 1, 1, out, sizeof(out)), 0);
    assert_string_equal(out, "q S01E01");
    assert_int_equal(lume_tv_format("q", 12, 34, out, sizeof(out)), 0);
    assert_string_equal(out, "q S12E34");
    assert_int_equal(lume_tv_format("q", 100, 1000, out, sizeof(out)), 0);
    assert_string_equal(out, "q S100E1000");
    assert_int_equal(lume_tv_format("q", 9999, 9999, out, sizeof(out)), 0);
    assert_string_equal(out, "q S9999E9999");
    assert_int_equal(lume_tv_format("q", 100, 0, out, sizeof(out)), 0);
    assert_string_equal(out, "q S100");
}

static void test_the_longest_query_with_the_longest_suffix_fits_the_buffer(void **state)
{
    char *q = unit_repeat("", "\xF0\x9F\x98\x80", 200, ""), out[LUME_FORMATTED_BUF];

    (void)state;
    assert_int_equal(lume_tv_format(q, 9999, 9999, out, sizeof(out)), 0);
    assert_int_equal(strlen(out), 800 + strlen(" S9999E9999"));
    free(q);
}

static void test_formatting_into_a_too_small_buffer_fails(void **state)
{
    char out[16];

    (void)state;
    assert_int_equal(lume_tv_format("the boys", 4, 1, out, 15), -1); /* needs 16 with NUL */
    assert_int_equal(lume_tv_format("the boys", 4, 1, out, 16), 0);
    assert_string_equal(out, "the boys S04E01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_plain_query_is_taken_as_is),
        cmocka_unit_test(test_percent_escapes_are_decoded),
        cmocka_unit_test(test_lowercase_hex_digits_are_accepted_in_escapes),
        cmocka_unit_test(test_percent_2f_is_a_slash_inside_the_query),
        cmocka_unit_test(test_other_reserved_characters_may_be_escaped_inside_the_query),
        cmocka_unit_test(test_plus_in_the_path_is_a_literal_plus),
        cmocka_unit_test(test_percent_2b_is_a_plus_too),
        cmocka_unit_test(test_raw_utf8_bytes_in_the_uri_are_accepted),
        cmocka_unit_test(test_surrounding_spaces_are_trimmed),
        cmocka_unit_test(test_inner_spaces_are_kept),
        cmocka_unit_test(test_surrounding_tabs_and_newlines_are_trimmed_as_whitespace),
        cmocka_unit_test(test_an_empty_query_is_invalid),
        cmocka_unit_test(test_a_blank_query_is_invalid),
        cmocka_unit_test(test_two_three_and_four_byte_utf8_forms_are_accepted),
        cmocka_unit_test(test_the_boundaries_of_each_utf8_form_are_accepted),
        cmocka_unit_test(test_overlong_utf8_forms_are_rejected),
        cmocka_unit_test(test_utf16_surrogates_are_rejected),
        cmocka_unit_test(test_code_points_above_u10ffff_are_rejected),
        cmocka_unit_test(test_stray_continuation_bytes_are_rejected),
        cmocka_unit_test(test_truncated_utf8_sequences_are_rejected),
        cmocka_unit_test(test_raw_invalid_utf8_bytes_in_the_uri_are_rejected),
        cmocka_unit_test(test_utf8_length_counts_code_points),
        cmocka_unit_test(test_utf8_length_is_minus_one_for_invalid_utf8),
        cmocka_unit_test(test_a_lone_percent_is_a_broken_escape),
        cmocka_unit_test(test_a_percent_with_one_hex_digit_is_a_broken_escape),
        cmocka_unit_test(test_a_percent_with_non_hex_digits_is_a_broken_escape),
        cmocka_unit_test(test_an_escaped_percent_is_a_percent),
        cmocka_unit_test(test_nul_is_rejected),
        cmocka_unit_test(test_c0_control_characters_are_rejected),
        cmocka_unit_test(test_del_is_rejected),
        cmocka_unit_test(test_c1_control_characters_are_rejected),
        cmocka_unit_test(test_200_ascii_characters_are_accepted),
        cmocka_unit_test(test_201_ascii_characters_are_rejected),
        cmocka_unit_test(test_length_counts_code_points_so_200_two_byte_characters_are_fine),
        cmocka_unit_test(test_201_two_byte_characters_are_rejected),
        cmocka_unit_test(test_200_four_byte_characters_fit_the_buffer),
        cmocka_unit_test(test_201_four_byte_characters_are_rejected),
        cmocka_unit_test(test_the_length_is_counted_after_trimming),
        cmocka_unit_test(test_absent_parameters_give_no_season_no_episode_and_limit_10),
        cmocka_unit_test(test_season_and_episode_are_parsed),
        cmocka_unit_test(test_parameter_order_does_not_matter),
        cmocka_unit_test(test_season_1_and_9999_are_the_bounds),
        cmocka_unit_test(test_season_with_a_sign_is_invalid),
        cmocka_unit_test(test_plus_in_the_query_string_is_a_space_so_season_plus_1_is_invalid),
        cmocka_unit_test(test_season_with_spaces_is_invalid),
        cmocka_unit_test(test_leading_zeros_are_a_plain_decimal_integer),
        cmocka_unit_test(test_season_with_trailing_junk_is_invalid),
        cmocka_unit_test(test_season_overflow_is_invalid),
        cmocka_unit_test(test_season_with_an_empty_value_is_invalid),
        cmocka_unit_test(test_season_without_a_value_is_invalid),
        cmocka_unit_test(test_parameter_values_are_percent_decoded),
        cmocka_unit_test(test_parameter_names_are_percent_decoded),
        cmocka_unit_test(test_parameter_names_are_case_sensitive),
        cmocka_unit_test(test_episode_has_the_same_rules_as_season),
        cmocka_unit_test(test_episode_without_season_is_an_error_of_its_own),
        cmocka_unit_test(test_season_alone_is_fine),
        cmocka_unit_test(test_an_invalid_episode_wins_over_a_missing_season),
        cmocka_unit_test(test_an_invalid_season_wins_over_an_invalid_episode),
        cmocka_unit_test(test_the_valid_parameters_are_reported_even_when_another_is_invalid),
        cmocka_unit_test(test_limit_1_and_25_are_the_bounds_on_search),
        cmocka_unit_test(test_limit_has_the_integer_rules_of_season),
        cmocka_unit_test(test_limit_is_only_a_parameter_of_search),
        cmocka_unit_test(test_a_season_given_twice_is_invalid_season),
        cmocka_unit_test(test_an_episode_given_twice_is_invalid_episode),
        cmocka_unit_test(test_a_limit_given_twice_is_invalid_limit),
        cmocka_unit_test(test_unknown_parameters_are_ignored),
        cmocka_unit_test(test_a_name_with_a_nul_in_it_is_an_unknown_parameter),
        cmocka_unit_test(test_empty_pairs_in_the_query_string_are_ignored),
        cmocka_unit_test(test_only_len_bytes_of_the_query_string_are_read),
        cmocka_unit_test(test_season_and_episode_format_as_s04e01),
        cmocka_unit_test(test_season_alone_formats_as_s04),
        cmocka_unit_test(test_no_season_leaves_the_query_alone),
        cmocka_unit_test(test_numbers_have_two_digits_at_least_and_more_when_needed),
        cmocka_unit_test(test_the_longest_query_with_the_longest_suffix_fits_the_buffer),
        cmocka_unit_test(test_formatting_into_a_too_small_buffer_fails),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
