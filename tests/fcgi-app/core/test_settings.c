/*
 * test_settings.c: tables of settings over a struct (settings.h).
 *
 * A row says where its value lives in the owner's struct, its type, bounds
 * and default. Setting parses the text into that field or, on a bad value,
 * leaves the struct alone and writes one line: "invalid NAME=value:
 * expected ...". Defaults are applied through the same parser. The option
 * is the name without LUME_, lower case, '-' for '_'.
 */
#include "lib/unit.h"

#include "settings.h"

typedef struct sample {
    long count;
    long mode;
    int flag;
    long level;
    char path[16];
    char url[32];
} sample;

static int check_level(const char *value, long *number, char *expected, size_t len)
{
    if (strcmp(value, "low") == 0)
        return *number = 1, 0;
    if (strcmp(value, "high") == 0)
        return *number = 2, 0;
    snprintf(expected, len, "low or high");
    return -1;
}

static const lume_setting table[] = {
    LUME_SETTING_ROW_INT("LUME_SAMPLE_COUNT", sample, count, 1, 25, "10", "a count"),
    {"LUME_SAMPLE_MODE", LUME_SETTING_OCTAL, offsetof(sample, mode), 0, 0, 0777, NULL, "0640",
     "a mode"},
    {"LUME_SAMPLE_FLAG", LUME_SETTING_BOOL, offsetof(sample, flag), 0, 0, 1, NULL, "on", "a flag"},
    {"LUME_SAMPLE_LEVEL", LUME_SETTING_NAMED, offsetof(sample, level), 0, 0, 0, check_level, "low",
     "a level"},
    LUME_SETTING_ROW_STR("LUME_SAMPLE_PATH", sample, path, NULL, "", "a path"),
    LUME_SETTING_ROW_STR("LUME_SAMPLE_URL", sample, url, lume_setting_check_url,
                         "https://example.com", "a URL"),
};

#define N (sizeof(table) / sizeof(table[0]))

static sample s;
static char err[256];

static const lume_setting *row(const char *name)
{
    const lume_setting *r = lume_setting_find(table, N, name);

    assert_non_null(r);
    return r;
}

static int set(const char *name, const char *value)
{
    err[0] = '\0';
    return lume_setting_set(row(name), &s, value, err, sizeof(err));
}

static void test_find_knows_only_the_rows_of_its_table(void **state)
{
    (void)state;
    assert_ptr_equal(lume_setting_find(table, N, "LUME_SAMPLE_FLAG"), &table[2]);
    assert_null(lume_setting_find(table, N, "LUME_SAMPLE"));
    assert_null(lume_setting_find(table, N, "lume_sample_flag"));
    assert_null(lume_setting_find(table, 0, "LUME_SAMPLE_COUNT"));
}

static void test_the_defaults_are_applied_through_the_parser(void **state)
{
    (void)state;
    memset(&s, 0, sizeof(s));
    assert_int_equal(lume_settings_defaults(table, N, &s, err, sizeof(err)), 0);
    assert_int_equal(s.count, 10);
    assert_int_equal(s.mode, 0640);
    assert_int_equal(s.flag, 1);
    assert_int_equal(s.level, 1);
    assert_string_equal(s.path, "");
    assert_string_equal(s.url, "https://example.com");
}

static void test_a_default_that_is_no_valid_value_is_reported(void **state)
{
    static const lume_setting broken[] = {
        LUME_SETTING_ROW_INT("LUME_SAMPLE_COUNT", sample, count, 1, 25, "30", "a count"),
    };

    (void)state;
    assert_int_equal(lume_settings_defaults(broken, 1, &s, err, sizeof(err)), -1);
    assert_string_equal(err, "invalid LUME_SAMPLE_COUNT=30: expected an integer from 1 to 25");
}

static void test_each_type_parses_into_its_field(void **state)
{
    (void)state;
    memset(&s, 0, sizeof(s));
    assert_int_equal(set("LUME_SAMPLE_COUNT", "25"), 0);
    assert_int_equal(s.count, 25);
    assert_int_equal(set("LUME_SAMPLE_MODE", "600"), 0);
    assert_int_equal(s.mode, 0600);
    assert_int_equal(set("LUME_SAMPLE_FLAG", "YES"), 0);
    assert_int_equal(s.flag, 1);
    assert_int_equal(set("LUME_SAMPLE_FLAG", "false"), 0);
    assert_int_equal(s.flag, 0);
    assert_int_equal(set("LUME_SAMPLE_LEVEL", "high"), 0);
    assert_int_equal(s.level, 2);
    assert_int_equal(set("LUME_SAMPLE_PATH", "/fifteen/chars."), 0);
    assert_string_equal(s.path, "/fifteen/chars.");
    assert_int_equal(set("LUME_SAMPLE_URL", "http://127.0.0.1:1"), 0);
    assert_string_equal(s.url, "http://127.0.0.1:1");
}

static void test_a_bad_value_says_what_was_expected_and_changes_nothing(void **state)
{
    static const struct {
        const char *name, *value, *message;
    } bad[] = {
        {"LUME_SAMPLE_COUNT", "0", "invalid LUME_SAMPLE_COUNT=0: expected an integer from 1 to 25"},
        {"LUME_SAMPLE_COUNT", "+3",
         "invalid LUME_SAMPLE_COUNT=+3: expected an integer from 1 to 25"},
        {"LUME_SAMPLE_MODE", "0x1ff",
         "invalid LUME_SAMPLE_MODE=0x1ff: expected an octal mode such "
         "as 0660"},
        {"LUME_SAMPLE_MODE", "1000",
         "invalid LUME_SAMPLE_MODE=1000: expected an octal mode such as "
         "0660"},
        {"LUME_SAMPLE_FLAG", "maybe", "invalid LUME_SAMPLE_FLAG=maybe: expected on or off"},
        {"LUME_SAMPLE_LEVEL", "mid", "invalid LUME_SAMPLE_LEVEL=mid: expected low or high"},
        {"LUME_SAMPLE_PATH", "/sixteen/chars..",
         "invalid LUME_SAMPLE_PATH=/sixteen/chars..: expected a shorter value"},
        {"LUME_SAMPLE_URL", "ftp://x",
         "invalid LUME_SAMPLE_URL=ftp://x: expected an http:// or "
         "https:// URL"},
        {"LUME_SAMPLE_URL", "a\nb",
         "invalid LUME_SAMPLE_URL=a?b: expected an http:// or https:// "
         "URL"},
    };
    sample before;

    (void)state;
    assert_int_equal(lume_settings_defaults(table, N, &s, err, sizeof(err)), 0);
    before = s;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(set(bad[i].name, bad[i].value), -1);
        assert_string_equal(err, bad[i].message);
        assert_memory_equal(&s, &before, sizeof(s));
    }
}

static void test_a_long_bad_value_is_cut_in_the_message(void **state)
{
    char value[200];

    (void)state;
    memset(value, 'x', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    assert_int_equal(set("LUME_SAMPLE_COUNT", value), -1);
    assert_true(strlen(err) < 150);
    assert_null(strchr(err, '\n'));
}

static void test_a_value_formats_back_as_it_could_be_given(void **state)
{
    char text[64];

    (void)state;
    assert_int_equal(lume_settings_defaults(table, N, &s, err, sizeof(err)), 0);
    lume_setting_format(row("LUME_SAMPLE_COUNT"), &s, text, sizeof(text));
    assert_string_equal(text, "10");
    lume_setting_format(row("LUME_SAMPLE_MODE"), &s, text, sizeof(text));
    assert_string_equal(text, "0640");
    lume_setting_format(row("LUME_SAMPLE_FLAG"), &s, text, sizeof(text));
    assert_string_equal(text, "on");
    lume_setting_format(row("LUME_SAMPLE_URL"), &s, text, sizeof(text));
    assert_string_equal(text, "https://example.com");
}

static void test_the_option_and_the_help_line_come_from_the_name(void **state)
{
    char opt[64], *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    (void)state;
    lume_setting_option(row("LUME_SAMPLE_COUNT"), opt, sizeof(opt));
    assert_string_equal(opt, "sample-count");
    lume_setting_option(row("LUME_SAMPLE_COUNT"), opt, 4);
    assert_string_equal(opt, "sam");
    assert_non_null(out);
    lume_setting_usage(row("LUME_SAMPLE_URL"), out);
    fclose(out);
    assert_non_null(strstr(text, "--sample-url"));
    assert_non_null(strstr(text, "LUME_SAMPLE_URL"));
    assert_non_null(strstr(text, "a URL\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_knows_only_the_rows_of_its_table),
        cmocka_unit_test(test_the_defaults_are_applied_through_the_parser),
        cmocka_unit_test(test_a_default_that_is_no_valid_value_is_reported),
        cmocka_unit_test(test_each_type_parses_into_its_field),
        cmocka_unit_test(test_a_bad_value_says_what_was_expected_and_changes_nothing),
        cmocka_unit_test(test_a_long_bad_value_is_cut_in_the_message),
        cmocka_unit_test(test_a_value_formats_back_as_it_could_be_given),
        cmocka_unit_test(test_the_option_and_the_help_line_come_from_the_name),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
