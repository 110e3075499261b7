/*
 * test_generation.c: the cache generation (generation.h) is a fingerprint of
 * what decides an answer, and of nothing else:
 * - the same configuration has the same generation, wherever it is computed;
 * - the provider, any of its settings, or the contents of its catalog file
 *   change it (a catalog edited in place too);
 * - settings that decide no answer (workers, timeouts of the pool, another
 *   provider's settings) leave it as it is.
 */
#include "lib/unit.h"

#include "generation.h"

static void gen(const lume_config *c, char out[LUME_GENERATION_BUF])
{
    lume_generation(c, out);
    assert_int_equal(strlen(out), 16);
    assert_int_equal(strspn(out, "0123456789abcdef"), 16);
}

static void set(lume_config *c, const char *name, const char *value)
{
    char err[256];

    if (lume_config_set(c, name, value, err, sizeof(err)) != 0)
        fail_msg("%s", err);
}

static void test_the_same_configuration_has_the_same_generation(void **state)
{
    lume_config a, b;
    char ga[LUME_GENERATION_BUF], gb[LUME_GENERATION_BUF];

    (void)state;
    lume_config_defaults(&a);
    lume_config_defaults(&b);
    gen(&a, ga);
    gen(&b, gb);
    assert_string_equal(ga, gb);
}

static void test_the_provider_and_its_settings_change_it(void **state)
{
    lume_config c;
    char base[LUME_GENERATION_BUF], other[LUME_GENERATION_BUF];

    (void)state;
    lume_config_defaults(&c);
    gen(&c, base);
    set(&c, "LUME_PROVIDER", "archive");
    gen(&c, other);
    assert_string_not_equal(base, other);

    lume_config_defaults(&c);
    set(&c, "LUME_PROVIDER", "archive");
    gen(&c, base);
    set(&c, "LUME_ARCHIVE_BASE_URL", "http://127.0.0.1:8081");
    gen(&c, other);
    assert_string_not_equal(base, other);
}

static void test_the_catalog_s_contents_change_it(void **state)
{
    char *path = unit_write_file("[{\"title\": \"One\", \"url\": \"https://a.example/1\"}]\n");
    char builtin[LUME_GENERATION_BUF], first[LUME_GENERATION_BUF], again[LUME_GENERATION_BUF],
        edited[LUME_GENERATION_BUF];
    lume_config c;
    FILE *f;

    (void)state;
    lume_config_defaults(&c);
    gen(&c, builtin);
    set(&c, "LUME_MOCK_CATALOG", path);
    gen(&c, first);
    assert_string_not_equal(builtin, first);
    gen(&c, again);
    assert_string_equal(first, again);
    /* the same path, other contents */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[]\n", f);
    fclose(f);
    gen(&c, edited);
    assert_string_not_equal(first, edited);
    /* a file that cannot be read still gives a generation of its own */
    unlink(path);
    gen(&c, again);
    assert_string_not_equal(edited, again);
    unit_remove_file(path);
}

static void test_what_decides_no_answer_leaves_it(void **state)
{
    lume_config c;
    char base[LUME_GENERATION_BUF], after[LUME_GENERATION_BUF];

    (void)state;
    lume_config_defaults(&c);
    gen(&c, base);
    set(&c, "LUME_WORKERS", "7");
    set(&c, "LUME_QUEUE_TIMEOUT_MS", "900");
    set(&c, "LUME_LISTEN", "unix:/tmp/elsewhere.sock");
    set(&c, "LUME_ARCHIVE_BASE_URL", "http://127.0.0.1:9"); /* not the provider that runs */
    gen(&c, after);
    assert_string_equal(base, after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_same_configuration_has_the_same_generation),
        cmocka_unit_test(test_the_provider_and_its_settings_change_it),
        cmocka_unit_test(test_the_catalog_s_contents_change_it),
        cmocka_unit_test(test_what_decides_no_answer_leaves_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
