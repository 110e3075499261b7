/*
 * test_config.c: the settings of lume-fcgi (config.h).
 *
 * Every setting has a default, an environment name (LUME_WORKERS), a long
 * option (--workers N or --workers=N) and may be a NAME=value line of the
 * --config / LUME_CONFIG file. Precedence: argv > env > file > defaults.
 * Every bad value, wherever it comes from, makes loading fail with -1 and a
 * one-line message naming the setting; unknown options and stray arguments
 * are rejected; unknown LUME_* names in the environment or the file are
 * ignored (nginx's settings share them). Each provider declares its own
 * settings (provider.h); they load the same way, whichever provider runs,
 * and --help lists them under the provider's name.
 */
#include "lib/unit.h"

#include "config.h"
#include "log.h"

static lume_config cfg;
static char err[512];

#define ARGV(...) ((char *const[]){"lume-fcgi", __VA_ARGS__, NULL})
#define ENVP(...) ((char *const[]){__VA_ARGS__, NULL})
#define NO_ARGS   ((char *const[]){"lume-fcgi", NULL})
#define NO_ENV    ((char *const[]){NULL})

static int argc_of(char *const argv[])
{
    int n = 0;

    while (argv[n] != NULL)
        n++;
    return n;
}

static int load(char *const argv[], char *const envp[], lume_action *action)
{
    err[0] = '\0';
    return lume_config_load(&cfg, argc_of(argv), argv, envp, action, err, sizeof(err));
}

/* A setting's value as text, the core's or a provider's. */
static const char *value_of(const char *name)
{
    static char text[LUME_PATH_LEN];

    if (lume_config_get(&cfg, name, text, sizeof(text)) != 0)
        fail_msg("%s is no setting", name);
    return text;
}

static void assert_one_line_naming(const char *name)
{
    if (strstr(err, name) == NULL)
        fail_msg("message should name %s: \"%s\"", name, err);
    assert_null(strchr(err, '\n'));
    assert_null(strchr(err, '\r'));
    assert_true(strlen(err) > strlen(name));
}

/* ---- defaults ---- */

static void test_the_defaults_are_the_documented_ones(void **state)
{
    (void)state;
    lume_config_defaults(&cfg);
    assert_string_equal(cfg.listen, "127.0.0.1:9000");
    assert_true(cfg.workers >= 1 && cfg.workers <= LUME_MAX_WORKERS);
    assert_string_equal(cfg.provider.name, "mock");
    assert_int_equal(cfg.max_requests, 10000);
    assert_int_equal(cfg.shutdown_timeout_ms, 10000);
    assert_int_equal(cfg.request_timeout_ms, 8000);
    assert_int_equal(cfg.queue_timeout_ms, 500);
    assert_int_equal(cfg.provider.connect_timeout_ms, 2000);
    assert_int_equal(cfg.cache_max_age, 300);
    assert_int_equal(cfg.backlog, 1024);
    assert_int_equal(cfg.socket_mode, 0660);
    assert_string_equal(cfg.socket_group, "");
    assert_string_equal(cfg.fcgi_allowed_addrs, "127.0.0.1,::1");
    assert_int_equal(cfg.fcgi_read_timeout_ms, 5000);
    assert_int_equal(cfg.log_level, LUME_LOG_INFO);
    assert_int_equal(cfg.access_log, 1);
    assert_string_equal(value_of("LUME_MOCK_CATALOG"), "");
    assert_string_equal(value_of("LUME_MOCK_DELAY_MS"), "0");
    assert_string_equal(value_of("LUME_ARCHIVE_BASE_URL"), "https://archive.org");
    assert_string_equal(value_of("LUME_RETRIES"), "2");
    assert_string_equal(value_of("LUME_BREAKER_FAILURES"), "5");
    assert_string_equal(value_of("LUME_BREAKER_OPEN_MS"), "30000");
    assert_int_equal(cfg.die_with_parent, 0); /* only when asked: see master.h */
    assert_string_equal(cfg.config_file, "");
    assert_int_equal(cfg.workers_min, 0); /* a static pool of LUME_WORKERS */
    assert_int_equal(cfg.workers_max, 0);
    assert_int_equal(cfg.workers_idle_timeout_ms, 10000);
    assert_int_equal(cfg.worker_timeout_ms, 60000);
    assert_int_equal(cfg.crash_brake_threshold, 10);
    assert_int_equal(cfg.crash_brake_interval_ms, 60000);
    assert_string_equal(cfg.health_listen, "");
}

static void test_the_default_workers_is_the_number_of_cpus(void **state)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    (void)state;
    lume_config_defaults(&cfg);
    if (cpus >= 1 && cpus <= LUME_MAX_WORKERS)
        assert_int_equal(cfg.workers, cpus);
}

static void test_loading_nothing_gives_the_defaults_and_run(void **state)
{
    lume_config defaults;
    lume_action action = LUME_ACTION_HELP;

    (void)state;
    lume_config_defaults(&defaults);
    assert_int_equal(load(NO_ARGS, NO_ENV, &action), 0);
    assert_int_equal(action, LUME_ACTION_RUN);
    assert_memory_equal(&cfg, &defaults, sizeof(cfg));
}

static void test_a_null_environment_is_an_empty_one(void **state)
{
    (void)state;
    assert_int_equal(lume_config_load(&cfg, 1, NO_ARGS, NULL, NULL, err, sizeof(err)), 0);
    assert_int_equal(cfg.max_requests, 10000);
}

/* ---- sources and precedence ---- */

static void test_the_environment_sets_settings(void **state)
{
    (void)state;
    assert_int_equal(
        load(NO_ARGS,
             ENVP("LUME_WORKERS=3", "LUME_LISTEN=unix:/run/lume.sock", "LUME_ACCESS_LOG=off",
                  "LUME_SOCKET_MODE=0660", "LUME_LOG_LEVEL=debug", "LUME_MOCK_DELAY_MS=15"),
             NULL),
        0);
    assert_int_equal(cfg.workers, 3);
    assert_string_equal(cfg.listen, "unix:/run/lume.sock");
    assert_int_equal(cfg.access_log, 0);
    assert_int_equal(cfg.socket_mode, 0660);
    assert_int_equal(cfg.log_level, LUME_LOG_DEBUG);
    assert_string_equal(value_of("LUME_MOCK_DELAY_MS"), "15");
}

static void test_options_take_a_separate_or_an_attached_value(void **state)
{
    (void)state;
    assert_int_equal(
        load(ARGV("--workers", "4", "--max-requests=7", "--listen", "0.0.0.0:9001"), NO_ENV, NULL),
        0);
    assert_int_equal(cfg.workers, 4);
    assert_int_equal(cfg.max_requests, 7);
    assert_string_equal(cfg.listen, "0.0.0.0:9001");
}

static void test_every_setting_has_an_option_named_after_it(void **state)
{
    (void)state;
    assert_int_equal(
        load(ARGV("--provider=mock", "--shutdown-timeout-ms=1", "--request-timeout-ms=2",
                  "--connect-timeout-ms=3", "--cache-max-age=4", "--backlog=5",
                  "--socket-mode=0600", "--log-level=error", "--access-log=no",
                  "--mock-catalog=/x.json", "--mock-delay-ms=6",
                  "--archive-base-url=http://127.0.0.1:1", "--retries=7", "--breaker-failures=8",
                  "--breaker-open-ms=9", "--socket-group=0", "--fcgi-allowed-addrs=10.0.0.0/8",
                  "--fcgi-read-timeout-ms=10", "--die-with-parent=on"),
             NO_ENV, NULL),
        0);
    assert_int_equal(cfg.shutdown_timeout_ms, 1);
    assert_int_equal(cfg.request_timeout_ms, 2);
    assert_int_equal(cfg.provider.connect_timeout_ms, 3);
    assert_int_equal(cfg.cache_max_age, 4);
    assert_int_equal(cfg.backlog, 5);
    assert_int_equal(cfg.socket_mode, 0600);
    assert_int_equal(cfg.log_level, LUME_LOG_ERROR);
    assert_int_equal(cfg.access_log, 0);
    assert_string_equal(value_of("LUME_MOCK_CATALOG"), "/x.json");
    assert_string_equal(value_of("LUME_MOCK_DELAY_MS"), "6");
    assert_string_equal(value_of("LUME_ARCHIVE_BASE_URL"), "http://127.0.0.1:1");
    assert_string_equal(value_of("LUME_RETRIES"), "7");
    assert_string_equal(value_of("LUME_BREAKER_FAILURES"), "8");
    assert_string_equal(value_of("LUME_BREAKER_OPEN_MS"), "9");
    assert_string_equal(cfg.socket_group, "0");
    assert_string_equal(cfg.fcgi_allowed_addrs, "10.0.0.0/8");
    assert_int_equal(cfg.fcgi_read_timeout_ms, 10);
    assert_int_equal(cfg.die_with_parent, 1);
}

static void test_the_command_line_wins_over_the_environment(void **state)
{
    (void)state;
    assert_int_equal(load(ARGV("--workers", "5"), ENVP("LUME_WORKERS=3"), NULL), 0);
    assert_int_equal(cfg.workers, 5);
}

static void test_the_last_of_a_repeated_option_wins(void **state)
{
    (void)state;
    assert_int_equal(load(ARGV("--workers=2", "--workers=6"), NO_ENV, NULL), 0);
    assert_int_equal(cfg.workers, 6);
}

static void test_the_environment_wins_over_the_file(void **state)
{
    char *file = unit_write_file("LUME_WORKERS=2\nLUME_RETRIES=4\n"), env[600];

    (void)state;
    snprintf(env, sizeof(env), "LUME_CONFIG=%s", file);
    assert_int_equal(load(NO_ARGS, ENVP(env, "LUME_WORKERS=3"), NULL), 0);
    assert_int_equal(cfg.workers, 3);
    assert_string_equal(value_of("LUME_RETRIES"), "4"); /* the file still wins over the default */
    assert_string_equal(cfg.config_file, file);
    unit_remove_file(file);
}

static void test_the_file_wins_over_the_defaults(void **state)
{
    char *file = unit_write_file("LUME_WORKERS=2\n");

    (void)state;
    assert_int_equal(load(ARGV("--config", file), NO_ENV, NULL), 0);
    assert_int_equal(cfg.workers, 2);
    assert_string_equal(value_of("LUME_RETRIES"), "2");
    unit_remove_file(file);
}

static void test_argv_beats_env_beats_file_beats_defaults_all_at_once(void **state)
{
    char *file = unit_write_file("LUME_WORKERS=2\nLUME_RETRIES=3\nLUME_BACKLOG=4\n"), arg[600];

    (void)state;
    snprintf(arg, sizeof(arg), "--config=%s", file);
    assert_int_equal(load(ARGV(arg, "--workers=9"), ENVP("LUME_WORKERS=8", "LUME_RETRIES=7"), NULL),
                     0);
    assert_int_equal(cfg.workers, 9);
    assert_string_equal(value_of("LUME_RETRIES"), "7");
    assert_int_equal(cfg.backlog, 4);
    assert_string_equal(value_of("LUME_BREAKER_FAILURES"), "5");
    unit_remove_file(file);
}

static void test_the_config_option_wins_over_lume_config(void **state)
{
    char *from_env = unit_write_file("LUME_WORKERS=2\n"),
         *from_argv = unit_write_file("LUME_WORKERS=3\n"), env[600];

    (void)state;
    snprintf(env, sizeof(env), "LUME_CONFIG=%s", from_env);
    assert_int_equal(load(ARGV("--config", from_argv), ENVP(env), NULL), 0);
    assert_int_equal(cfg.workers, 3);
    assert_string_equal(cfg.config_file, from_argv);
    unit_remove_file(from_env);
    unit_remove_file(from_argv);
}

static void test_unknown_lume_names_in_the_environment_are_ignored(void **state)
{
    (void)state;
    assert_int_equal(load(NO_ARGS,
                          ENVP("LUME_NGINX_PORT=80", "LUME_WORKERSX=abc", "LUME_WORKERS",
                               "PATH=/usr/bin", "LUME_RETRIES=1"),
                          NULL),
                     0);
    assert_string_equal(value_of("LUME_RETRIES"), "1");
}

static void test_lume_config_set_says_1_for_a_name_that_is_no_setting(void **state)
{
    (void)state;
    lume_config_defaults(&cfg);
    assert_int_equal(lume_config_set(&cfg, "LUME_NOPE", "1", err, sizeof(err)), 1);
    assert_int_equal(lume_config_set(&cfg, "WORKERS", "1", err, sizeof(err)), 1);
    assert_int_equal(lume_config_set(&cfg, "LUME_WORKERS", "12", err, sizeof(err)), 0);
    assert_int_equal(cfg.workers, 12);
}

/* ---- the file ---- */

static void test_the_file_allows_comments_blanks_export_quotes_and_spaces(void **state)
{
    char *file = unit_write_file("# Lume settings\n"
                                 "\n"
                                 "   # indented comment\n"
                                 "export LUME_WORKERS=3\n"
                                 "LUME_LISTEN = \"unix:/run/lume.sock\"\n"
                                 "LUME_MOCK_CATALOG='/srv/catalog.json'\n"
                                 "\tLUME_RETRIES\t=\t5\t\n"
                                 "LUME_LOG_LEVEL=warning\r\n");

    (void)state;
    assert_int_equal(load(ARGV("--config", file), NO_ENV, NULL), 0);
    assert_int_equal(cfg.workers, 3);
    assert_string_equal(cfg.listen, "unix:/run/lume.sock");
    assert_string_equal(value_of("LUME_MOCK_CATALOG"), "/srv/catalog.json");
    assert_string_equal(value_of("LUME_RETRIES"), "5");
    assert_int_equal(cfg.log_level, LUME_LOG_WARN);
    unit_remove_file(file);
}

static void test_the_file_ignores_other_lume_names_and_does_not_nest(void **state)
{
    char *file = unit_write_file("LUME_NGINX_PORT=8080\nLUME_CONFIG=/nonexistent\n"
                                 "LUME_WORKERS=2\n");

    (void)state;
    assert_int_equal(load(ARGV("--config", file), NO_ENV, NULL), 0);
    assert_int_equal(cfg.workers, 2);
    assert_string_equal(cfg.config_file, file);
    unit_remove_file(file);
}

static void test_an_empty_file_is_fine(void **state)
{
    char *file = unit_write_file("");

    (void)state;
    assert_int_equal(load(ARGV("--config", file), NO_ENV, NULL), 0);
    assert_int_equal(cfg.max_requests, 10000);
    unit_remove_file(file);
}

static void test_a_missing_file_is_an_error_naming_lume_config(void **state)
{
    (void)state;
    assert_int_equal(load(ARGV("--config", "/nonexistent/lume.conf"), NO_ENV, NULL), -1);
    assert_one_line_naming("LUME_CONFIG");
    assert_int_equal(load(NO_ARGS, ENVP("LUME_CONFIG=/nonexistent/lume.conf"), NULL), -1);
    assert_one_line_naming("LUME_CONFIG");
}

static void test_a_line_that_is_not_name_value_is_an_error_with_its_number(void **state)
{
    char *file = unit_write_file("# ok\nLUME_WORKERS=2\nLUME_WORKERS 3\n");

    (void)state;
    assert_int_equal(load(ARGV("--config", file), NO_ENV, NULL), -1);
    assert_one_line_naming("LUME_CONFIG");
    assert_non_null(strstr(err, "line 3"));
    unit_remove_file(file);
}

static void test_a_bad_value_in_the_file_names_the_setting(void **state)
{
    char *file = unit_write_file("LUME_WORKERS=many\n");

    (void)state;
    assert_int_equal(load(ARGV("--config", file), NO_ENV, NULL), -1);
    assert_one_line_naming("LUME_WORKERS");
    unit_remove_file(file);
}

/* Found by fuzzing (tests/fuzz/config/): lines were read 1023 bytes at a
 * time, so the tail of a longer line was parsed as a line of its own, and a
 * long comment could set a setting. A line is read whole now. */
static void test_a_long_line_is_one_line_whatever_its_length(void **state)
{
    /* 1023 bytes of comment, then what used to be read as the next line */
    char *comment = unit_repeat("# ", "x", 1021, "LUME_WORKERS=3\nLUME_RETRIES=4\n");
    char *padded = unit_repeat("LUME_RETRIES=4", " ", 1009, "LUME_WORKERS=3\n");
    char *file = unit_write_file(comment);

    (void)state;
    assert_int_equal(load(ARGV("--config", file), NO_ENV, NULL), 0);
    assert_int_not_equal(cfg.workers, 3); /* part of the comment */
    assert_string_equal(value_of("LUME_RETRIES"), "4");
    unit_remove_file(file);

    file = unit_write_file(padded); /* one value: "4", blanks, "LUME_WORKERS=3" */
    assert_int_equal(load(ARGV("--config", file), NO_ENV, NULL), -1);
    assert_one_line_naming("LUME_RETRIES");
    unit_remove_file(file);
    free(comment);
    free(padded);
}

/* Found by fuzzing: an argument with a newline was copied into the message as
 * it was. Every message is one line; control characters are shown as '?'. */
static void test_messages_about_arguments_are_one_line(void **state)
{
    (void)state;
    assert_int_equal(load(ARGV("4\nLUME_WORKERS=2"), NO_ENV, NULL), -1);
    assert_non_null(strstr(err, "4?LUME_WORKERS=2"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(load(ARGV("--wor\rkers=2"), NO_ENV, NULL), -1);
    assert_non_null(strstr(err, "unknown option --wor?kers"));
    assert_int_equal(load(ARGV("--config", "/nonexistent/a\nb"), NO_ENV, NULL), -1);
    assert_one_line_naming("LUME_CONFIG");
    assert_non_null(strstr(err, "/nonexistent/a?b"));
}

/* ---- bad values ---- */

static const struct {
    const char *name, *value;
} bad_values[] = {
    {"LUME_WORKERS", "0"},
    {"LUME_WORKERS", "257"},
    {"LUME_WORKERS", "-1"},
    {"LUME_WORKERS", "+4"},
    {"LUME_WORKERS", " 4"},
    {"LUME_WORKERS", "4 "},
    {"LUME_WORKERS", "4x"},
    {"LUME_WORKERS", "0x10"},
    {"LUME_WORKERS", "1e2"},
    {"LUME_WORKERS", "abc"},
    {"LUME_WORKERS", ""},
    {"LUME_WORKERS", "99999999999999999999"},
    {"LUME_WORKERS", "4\n5"},
    {"LUME_MAX_REQUESTS", "-1"},
    {"LUME_MAX_REQUESTS", "1000000001"},
    {"LUME_SHUTDOWN_TIMEOUT_MS", "3600001"},
    {"LUME_REQUEST_TIMEOUT_MS", "0"},
    {"LUME_REQUEST_TIMEOUT_MS", "600001"},
    {"LUME_QUEUE_TIMEOUT_MS", "0"},
    {"LUME_QUEUE_TIMEOUT_MS", "600001"},
    {"LUME_CONNECT_TIMEOUT_MS", "0"},
    {"LUME_CACHE_MAX_AGE", "-1"},
    {"LUME_CACHE_MAX_AGE", "31536001"},
    {"LUME_BACKLOG", "0"},
    {"LUME_BACKLOG", "65536"},
    {"LUME_MOCK_DELAY_MS", "600001"},
    {"LUME_RETRIES", "11"},
    {"LUME_BREAKER_FAILURES", "0"},
    {"LUME_BREAKER_OPEN_MS", "0"},
    {"LUME_LISTEN", ""},
    {"LUME_LISTEN", "localhost"},
    {"LUME_LISTEN", ":9000"},
    {"LUME_LISTEN", "localhost:"},
    {"LUME_LISTEN", "localhost:0"},
    {"LUME_LISTEN", "localhost:65536"},
    {"LUME_LISTEN", "localhost:http"},
    {"LUME_LISTEN", "unix:"},
    {"LUME_LISTEN", "unix:relative.sock"},
    {"LUME_PROVIDER", ""},
    {"LUME_PROVIDER", "nope"},
    {"LUME_PROVIDER", "MOCK"},
    {"LUME_SOCKET_MODE", ""},
    {"LUME_SOCKET_MODE", "888"},
    {"LUME_SOCKET_MODE", "1000"},
    {"LUME_SOCKET_MODE", "0x1ff"},
    {"LUME_SOCKET_MODE", "rw-rw-rw-"},
    {"LUME_SOCKET_MODE", "-1"},
    {"LUME_SOCKET_MODE", "+0660"},
    {"LUME_SOCKET_MODE", " 0660"},
    {"LUME_SOCKET_GROUP", "no-such-group-for-lume"},
    {"LUME_SOCKET_GROUP", "12x"},
    {"LUME_SOCKET_GROUP", "-1"},
    {"LUME_SOCKET_GROUP", "99999999999999999999"},
    {"LUME_FCGI_ALLOWED_ADDRS", ""},
    {"LUME_FCGI_ALLOWED_ADDRS", "localhost"},
    {"LUME_FCGI_ALLOWED_ADDRS", "127.0.0.1,"},
    {"LUME_FCGI_ALLOWED_ADDRS", "10.0.0.0/33"},
    {"LUME_FCGI_ALLOWED_ADDRS", "*"},
    {"LUME_FCGI_READ_TIMEOUT_MS", "0"},
    {"LUME_FCGI_READ_TIMEOUT_MS", "600001"},
    {"LUME_LOG_LEVEL", ""},
    {"LUME_LOG_LEVEL", "loud"},
    {"LUME_LOG_LEVEL", "3"},
    {"LUME_ACCESS_LOG", ""},
    {"LUME_ACCESS_LOG", "maybe"},
    {"LUME_ACCESS_LOG", "2"},
    {"LUME_DIE_WITH_PARENT", "always"},
    {"LUME_ARCHIVE_BASE_URL", ""},
    {"LUME_ARCHIVE_BASE_URL", "archive.org"},
    {"LUME_ARCHIVE_BASE_URL", "ftp://archive.org"},
};

#define N_BAD (sizeof(bad_values) / sizeof(bad_values[0]))

static void
test_every_bad_value_in_the_environment_fails_with_a_line_naming_the_setting(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_BAD; i++) {
        char env[128];
        snprintf(env, sizeof(env), "%s=%s", bad_values[i].name, bad_values[i].value);
        if (load(NO_ARGS, ENVP(env), NULL) != -1)
            fail_msg("%s=\"%s\" should be rejected", bad_values[i].name, bad_values[i].value);
        assert_one_line_naming(bad_values[i].name);
    }
}

static void
test_every_bad_value_on_the_command_line_fails_with_a_line_naming_the_setting(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_BAD; i++) {
        char opt[64];
        size_t n = strlen(bad_values[i].name) - 5;

        opt[0] = opt[1] = '-';
        for (size_t j = 0; j < n; j++) {
            char c = bad_values[i].name[5 + j];
            opt[2 + j] = c == '_' ? '-' : (char)(c - 'A' + 'a');
            if (c >= '0' && c <= '9')
                opt[2 + j] = c;
        }
        opt[2 + n] = '\0';
        if (load(ARGV(opt, (char *)bad_values[i].value), NO_ENV, NULL) != -1)
            fail_msg("%s \"%s\" should be rejected", opt, bad_values[i].value);
        assert_one_line_naming(bad_values[i].name);
    }
}

static void
test_every_bad_value_given_to_lume_config_set_is_minus_1_and_changes_nothing(void **state)
{
    lume_config before;

    (void)state;
    for (size_t i = 0; i < N_BAD; i++) {
        lume_config_defaults(&cfg);
        before = cfg;
        err[0] = '\0';
        assert_int_equal(
            lume_config_set(&cfg, bad_values[i].name, bad_values[i].value, err, sizeof(err)), -1);
        assert_one_line_naming(bad_values[i].name);
        assert_memory_equal(&cfg, &before, sizeof(cfg));
    }
}

static void test_a_value_too_long_for_its_setting_is_rejected(void **state)
{
    char *value = unit_repeat("/", "x", LUME_PATH_LEN, ".json");

    (void)state;
    lume_config_defaults(&cfg);
    assert_int_equal(lume_config_set(&cfg, "LUME_MOCK_CATALOG", value, err, sizeof(err)), -1);
    assert_one_line_naming("LUME_MOCK_CATALOG");
    free(value);
}

/* ---- settings that must agree ---- */

static void test_a_static_pool_is_lume_workers_and_a_dynamic_one_min_to_max(void **state)
{
    long min, max;

    (void)state;
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKERS=3"), NULL), 0);
    lume_config_pool_size(&cfg, &min, &max);
    assert_int_equal(min, 3);
    assert_int_equal(max, 3);
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKERS=3", "LUME_WORKERS_MAX=8"), NULL), 0);
    lume_config_pool_size(&cfg, &min, &max);
    assert_int_equal(min, 1); /* LUME_WORKERS_MIN unset: 1; LUME_WORKERS is not used */
    assert_int_equal(max, 8);
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKERS_MIN=2", "LUME_WORKERS_MAX=8"), NULL), 0);
    lume_config_pool_size(&cfg, &min, &max);
    assert_int_equal(min, 2);
    assert_int_equal(max, 8);
}

static void test_pool_sizes_that_disagree_are_refused(void **state)
{
    (void)state;
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKERS_MIN=4", "LUME_WORKERS_MAX=2"), NULL), -1);
    assert_string_equal(err, "invalid LUME_WORKERS_MIN=4: expected at most LUME_WORKERS_MAX=2");
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKERS_MIN=4"), NULL), -1);
    assert_one_line_naming("LUME_WORKERS_MAX");
}

static void test_the_worker_timeout_is_off_or_above_the_request_timeout(void **state)
{
    (void)state;
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKER_TIMEOUT_MS=0"), NULL), 0);
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKER_TIMEOUT_MS=8001"), NULL), 0);
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKER_TIMEOUT_MS=8000"), NULL), -1);
    assert_string_equal(err, "invalid LUME_WORKER_TIMEOUT_MS=8000: expected 0 (never) or more "
                             "than LUME_REQUEST_TIMEOUT_MS=8000");
    assert_int_equal(load(NO_ARGS, ENVP("LUME_REQUEST_TIMEOUT_MS=90000"), NULL), -1);
    assert_one_line_naming("LUME_WORKER_TIMEOUT_MS"); /* the default 60 s is below it */
}

static void test_the_workers_run_batch_unless_told_other(void **state)
{
    (void)state;
    assert_int_equal(load(NO_ARGS, NO_ENV, NULL), 0);
    assert_string_equal(cfg.worker_sched, "batch");
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKER_SCHED=other"), NULL), 0);
    assert_string_equal(cfg.worker_sched, "other");
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKER_SCHED=fifo"), NULL), -1);
    assert_string_equal(err, "invalid LUME_WORKER_SCHED=fifo: expected batch or other");
}

static void test_the_health_socket_is_off_or_another_address(void **state)
{
    (void)state;
    assert_int_equal(load(NO_ARGS, ENVP("LUME_HEALTH_LISTEN=unix:/run/lume/health.sock"), NULL), 0);
    assert_int_equal(load(NO_ARGS, ENVP("LUME_HEALTH_LISTEN=0.0.0.0:9001"), NULL), 0);
    assert_int_equal(load(NO_ARGS, ENVP("LUME_HEALTH_LISTEN="), NULL), 0);
    assert_int_equal(load(NO_ARGS, ENVP("LUME_HEALTH_LISTEN=nowhere"), NULL), -1);
    assert_one_line_naming("LUME_HEALTH_LISTEN");
    assert_int_equal(load(NO_ARGS,
                          ENVP("LUME_LISTEN=127.0.0.1:9000", "LUME_HEALTH_LISTEN=127.0.0.1:9000"),
                          NULL),
                     -1);
    assert_string_equal(err, "invalid LUME_HEALTH_LISTEN=127.0.0.1:9000: the same as LUME_LISTEN");
}

static void test_the_message_says_what_was_expected(void **state)
{
    (void)state;
    assert_int_equal(load(NO_ARGS, ENVP("LUME_WORKERS=0"), NULL), -1);
    assert_string_equal(err, "invalid LUME_WORKERS=0: expected an integer from 1 to 256");
}

static void test_the_providers_named_are_those_of_the_registry(void **state)
{
    (void)state;
    assert_int_equal(load(NO_ARGS, ENVP("LUME_PROVIDER=nope"), NULL), -1);
    assert_string_equal(err, "invalid LUME_PROVIDER=nope: expected one of mock, archive, library");
}

static void test_a_provider_setting_is_checked_whichever_provider_runs(void **state)
{
    (void)state;
    assert_int_equal(load(ARGV("--provider=mock", "--retries=11"), NO_ENV, NULL), -1);
    assert_string_equal(err, "invalid LUME_RETRIES=11: expected an integer from 0 to 10");
    assert_int_equal(load(ARGV("--provider=archive", "--mock-delay-ms=5"), NO_ENV, NULL), 0);
    assert_string_equal(value_of("LUME_MOCK_DELAY_MS"), "5");
}

static void test_a_bad_value_in_the_environment_is_an_error_even_when_argv_sets_it(void **state)
{
    (void)state;
    assert_int_equal(load(ARGV("--workers=2"), ENVP("LUME_WORKERS=zero"), NULL), -1);
    assert_one_line_naming("LUME_WORKERS");
}

/* ---- good values of each kind ---- */

static void test_listen_takes_unix_paths_and_host_port(void **state)
{
    static const char *good[] = {"unix:/tmp/lume.sock", "unix:./lume.sock", "127.0.0.1:9000",
                                 "localhost:1",         "[::1]:65535",      "0.0.0.0:9000"};

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        lume_config_defaults(&cfg);
        assert_int_equal(lume_config_set(&cfg, "LUME_LISTEN", good[i], err, sizeof(err)), 0);
        assert_string_equal(cfg.listen, good[i]);
    }
}

static void test_booleans_are_on_off_yes_no_true_false_1_0_in_any_case(void **state)
{
    static const char *yes[] = {"on", "yes", "true", "1", "ON", "True"};
    static const char *no[] = {"off", "no", "false", "0", "OFF", "No"};

    (void)state;
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(lume_config_set(&cfg, "LUME_ACCESS_LOG", no[i], err, sizeof(err)), 0);
        assert_int_equal(cfg.access_log, 0);
        assert_int_equal(lume_config_set(&cfg, "LUME_ACCESS_LOG", yes[i], err, sizeof(err)), 0);
        assert_int_equal(cfg.access_log, 1);
    }
}

static void test_log_levels_are_named(void **state)
{
    static const struct {
        const char *name;
        long level;
    } levels[] = {{"debug", LUME_LOG_DEBUG},  {"info", LUME_LOG_INFO},   {"warn", LUME_LOG_WARN},
                  {"warning", LUME_LOG_WARN}, {"error", LUME_LOG_ERROR}, {"INFO", LUME_LOG_INFO}};

    (void)state;
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        assert_int_equal(lume_config_set(&cfg, "LUME_LOG_LEVEL", levels[i].name, err, sizeof(err)),
                         0);
        assert_int_equal(cfg.log_level, levels[i].level);
    }
}

static void test_the_socket_mode_is_octal(void **state)
{
    (void)state;
    assert_int_equal(lume_config_set(&cfg, "LUME_SOCKET_MODE", "0660", err, sizeof(err)), 0);
    assert_int_equal(cfg.socket_mode, 0660);
    assert_int_equal(lume_config_set(&cfg, "LUME_SOCKET_MODE", "600", err, sizeof(err)), 0);
    assert_int_equal(cfg.socket_mode, 0600);
    assert_int_equal(lume_config_set(&cfg, "LUME_SOCKET_MODE", "0777", err, sizeof(err)), 0);
    assert_int_equal(cfg.socket_mode, 0777);
    assert_int_equal(lume_config_set(&cfg, "LUME_SOCKET_MODE", "0", err, sizeof(err)), 0);
    assert_int_equal(cfg.socket_mode, 0);
}

static void test_the_socket_group_is_a_group_name_or_number_or_empty(void **state)
{
    (void)state;
    assert_int_equal(lume_config_set(&cfg, "LUME_SOCKET_GROUP", "root", err, sizeof(err)), 0);
    assert_string_equal(cfg.socket_group, "root");
    /* a number need not name a group in /etc/group, as with chown :4242 */
    assert_int_equal(lume_config_set(&cfg, "LUME_SOCKET_GROUP", "4242", err, sizeof(err)), 0);
    assert_string_equal(cfg.socket_group, "4242");
    assert_int_equal(lume_config_set(&cfg, "LUME_SOCKET_GROUP", "", err, sizeof(err)), 0);
    assert_string_equal(cfg.socket_group, ""); /* the master's own group */
}

static void test_the_allowed_addresses_are_a_list_or_any(void **state)
{
    (void)state;
    assert_int_equal(lume_config_set(&cfg, "LUME_FCGI_ALLOWED_ADDRS",
                                     "127.0.0.1, ::1, 172.28.0.0/16, fd00::/8", err, sizeof(err)),
                     0);
    assert_string_equal(cfg.fcgi_allowed_addrs, "127.0.0.1, ::1, 172.28.0.0/16, fd00::/8");
    assert_int_equal(lume_config_set(&cfg, "LUME_FCGI_ALLOWED_ADDRS", "any", err, sizeof(err)), 0);
    assert_string_equal(cfg.fcgi_allowed_addrs, "any");
    assert_int_equal(
        lume_config_set(&cfg, "LUME_FCGI_ALLOWED_ADDRS", "127.0.0.1,nope", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "\"nope\""));
}

static void test_integer_bounds_are_inclusive(void **state)
{
    (void)state;
    assert_int_equal(lume_config_set(&cfg, "LUME_WORKERS", "1", err, sizeof(err)), 0);
    assert_int_equal(lume_config_set(&cfg, "LUME_WORKERS", "256", err, sizeof(err)), 0);
    assert_int_equal(cfg.workers, 256);
    assert_int_equal(lume_config_set(&cfg, "LUME_MAX_REQUESTS", "0", err, sizeof(err)), 0);
    assert_int_equal(cfg.max_requests, 0); /* never recycle */
    assert_int_equal(lume_config_set(&cfg, "LUME_RETRIES", "0", err, sizeof(err)), 0);
    assert_int_equal(lume_config_set(&cfg, "LUME_RETRIES", "10", err, sizeof(err)), 0);
    assert_int_equal(lume_config_set(&cfg, "LUME_CACHE_MAX_AGE", "0", err, sizeof(err)), 0);
    assert_int_equal(cfg.cache_max_age, 0);
    assert_int_equal(lume_config_set(&cfg, "LUME_QUEUE_TIMEOUT_MS", "1", err, sizeof(err)), 0);
    assert_int_equal(lume_config_set(&cfg, "LUME_QUEUE_TIMEOUT_MS", "600000", err, sizeof(err)), 0);
    assert_int_equal(cfg.queue_timeout_ms, 600000);
}

static void test_the_mock_catalog_may_be_set_back_to_the_built_in_one(void **state)
{
    (void)state;
    assert_int_equal(lume_config_set(&cfg, "LUME_MOCK_CATALOG", "/a.json", err, sizeof(err)), 0);
    assert_int_equal(lume_config_set(&cfg, "LUME_MOCK_CATALOG", "", err, sizeof(err)), 0);
    assert_string_equal(value_of("LUME_MOCK_CATALOG"), "");
}

/* ---- the command line ---- */

static void test_unknown_options_are_rejected(void **state)
{
    static const char *unknown[] = {"--nope", "--nope=1", "--lume-workers=2", "--", "--=3"};

    (void)state;
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        if (load(ARGV((char *)unknown[i], "1"), NO_ENV, NULL) != -1)
            fail_msg("%s should be rejected", unknown[i]);
        assert_non_null(strstr(err, "unknown option"));
        assert_null(strchr(err, '\n'));
    }
}

static void test_options_are_spelled_as_help_prints_them(void **state)
{
    static const char *misspelled[] = {"--WORKERS=2", "--max_requests=5", "--Workers=2"};

    (void)state;
    for (size_t i = 0; i < sizeof(misspelled) / sizeof(misspelled[0]); i++) {
        if (load(ARGV((char *)misspelled[i]), NO_ENV, NULL) != -1)
            fail_msg("%s should be rejected", misspelled[i]);
        assert_non_null(strstr(err, "unknown option"));
    }
    assert_int_equal(load(ARGV("--max-requests=5"), NO_ENV, NULL), 0);
    assert_int_equal(cfg.max_requests, 5);
}

static void test_arguments_that_are_not_options_are_rejected(void **state)
{
    static const char *stray[] = {"workers", "-w", "-", "4"};

    (void)state;
    for (size_t i = 0; i < sizeof(stray) / sizeof(stray[0]); i++) {
        if (load(ARGV((char *)stray[i]), NO_ENV, NULL) != -1)
            fail_msg("%s should be rejected", stray[i]);
        assert_non_null(strstr(err, stray[i]));
        assert_null(strchr(err, '\n'));
    }
}

static void test_an_option_without_its_value_is_rejected(void **state)
{
    (void)state;
    assert_int_equal(load(ARGV("--workers"), NO_ENV, NULL), -1);
    assert_non_null(strstr(err, "--workers"));
    assert_null(strchr(err, '\n'));
}

static void test_an_empty_attached_value_is_a_value(void **state)
{
    (void)state;
    assert_int_equal(load(ARGV("--workers="), NO_ENV, NULL), -1);
    assert_one_line_naming("LUME_WORKERS");
}

static void test_check_config_version_and_help_are_actions(void **state)
{
    lume_action action;

    (void)state;
    assert_int_equal(load(ARGV("--check-config"), NO_ENV, &action), 0);
    assert_int_equal(action, LUME_ACTION_CHECK);
    assert_int_equal(load(ARGV("--version"), NO_ENV, &action), 0);
    assert_int_equal(action, LUME_ACTION_VERSION);
    assert_int_equal(load(ARGV("--help"), NO_ENV, &action), 0);
    assert_int_equal(action, LUME_ACTION_HELP);
    assert_int_equal(load(ARGV("--workers=2", "--check-config"), NO_ENV, &action), 0);
    assert_int_equal(action, LUME_ACTION_CHECK);
    assert_int_equal(cfg.workers, 2);
    assert_int_equal(load(ARGV("--check-config"), NO_ENV, NULL), 0); /* action is optional */
}

static void test_check_config_still_validates_the_settings(void **state)
{
    lume_action action;

    (void)state;
    assert_int_equal(load(ARGV("--check-config", "--workers=0"), NO_ENV, &action), -1);
    assert_one_line_naming("LUME_WORKERS");
}

static void test_the_help_text_lists_every_option_with_its_environment_name(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    (void)state;
    assert_non_null(out);
    lume_config_usage(out);
    fclose(out);
    assert_non_null(strstr(text, "--workers"));
    assert_non_null(strstr(text, "LUME_WORKERS"));
    assert_non_null(strstr(text, "--max-requests"));
    assert_non_null(strstr(text, "LUME_MAX_REQUESTS"));
    assert_non_null(strstr(text, "--mock-catalog"));
    assert_non_null(strstr(text, "--config"));
    assert_non_null(strstr(text, "--check-config"));
    assert_non_null(strstr(text, "--version"));
    assert_non_null(strstr(text, "--help"));
    free(text);
}

static void test_the_help_text_lists_each_providers_settings_under_its_name(void **state)
{
    char *text = NULL, *mock, *archive;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    (void)state;
    assert_non_null(out);
    lume_config_usage(out);
    fclose(out);
    mock = strstr(text, "Settings of the mock provider (LUME_PROVIDER=mock):\n");
    archive = strstr(text, "Settings of the archive provider (LUME_PROVIDER=archive):\n");
    assert_non_null(mock);
    assert_non_null(archive);
    assert_true(mock < archive);
    assert_true(strstr(text, "--workers") < mock); /* the core's first */
    assert_true(strstr(text, "--mock-catalog") > mock && strstr(text, "--mock-catalog") < archive);
    assert_true(strstr(text, "--mock-delay-ms") > mock &&
                strstr(text, "--mock-delay-ms") < archive);
    for (size_t i = 0; i < 4; i++) {
        static const char *names[] = {"LUME_ARCHIVE_BASE_URL", "LUME_RETRIES",
                                      "LUME_BREAKER_FAILURES", "LUME_BREAKER_OPEN_MS"};
        assert_true(strstr(text, names[i]) > archive);
    }
    free(text);
}

/* A secret (LUME_STREMIO_TOKEN) is used, never shown: not in what --dump-config
 * prints, not in an error about it; it may come from a file, first line. */
static void test_a_secret_is_never_shown(void **state)
{
    static const char secret[] = "s3cret-token_0123456789abcdef";
    char env_token[96], env_file[LUME_PATH_LEN + 32], *path;
    char *const env[] = {env_token, NULL};
    char *const bad[] = {"LUME_STREMIO_TOKEN=s3cret", NULL};

    (void)state;
    snprintf(env_token, sizeof(env_token), "LUME_STREMIO_TOKEN=%s", secret);
    assert_int_equal(load(NO_ARGS, env, NULL), 0);
    assert_string_equal(cfg.stremio_token, secret);
    assert_string_equal(value_of("LUME_STREMIO_TOKEN"), LUME_SECRET_SHOWN);
    assert_true(lume_config_is_secret("LUME_STREMIO_TOKEN"));
    assert_false(lume_config_is_secret("LUME_LISTEN"));
    assert_int_equal(load(NO_ARGS, bad, NULL), -1);
    assert_null(strstr(err, "s3cret"));

    path = unit_write_file("  s3cret-token_0123456789abcdef \nanything else\n");
    snprintf(env_file, sizeof(env_file), "LUME_STREMIO_TOKEN_FILE=%s", path);
    {
        char *const from_file[] = {env_file, NULL};
        assert_int_equal(load(NO_ARGS, from_file, NULL), 0);
        assert_string_equal(cfg.stremio_token, secret);
    }
    unit_remove_file(path);
    path = unit_write_file("s3cret\n"); /* too short: refused, not echoed */
    snprintf(env_file, sizeof(env_file), "LUME_STREMIO_TOKEN_FILE=%s", path);
    {
        char *const from_file[] = {env_file, NULL};
        assert_int_equal(load(NO_ARGS, from_file, NULL), -1);
        assert_null(strstr(err, "s3cret"));
        assert_non_null(strstr(err, "LUME_STREMIO_TOKEN_FILE"));
    }
    unit_remove_file(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_defaults_are_the_documented_ones),
        cmocka_unit_test(test_the_default_workers_is_the_number_of_cpus),
        cmocka_unit_test(test_loading_nothing_gives_the_defaults_and_run),
        cmocka_unit_test(test_a_null_environment_is_an_empty_one),
        cmocka_unit_test(test_the_environment_sets_settings),
        cmocka_unit_test(test_options_take_a_separate_or_an_attached_value),
        cmocka_unit_test(test_every_setting_has_an_option_named_after_it),
        cmocka_unit_test(test_the_command_line_wins_over_the_environment),
        cmocka_unit_test(test_the_last_of_a_repeated_option_wins),
        cmocka_unit_test(test_the_environment_wins_over_the_file),
        cmocka_unit_test(test_the_file_wins_over_the_defaults),
        cmocka_unit_test(test_argv_beats_env_beats_file_beats_defaults_all_at_once),
        cmocka_unit_test(test_the_config_option_wins_over_lume_config),
        cmocka_unit_test(test_unknown_lume_names_in_the_environment_are_ignored),
        cmocka_unit_test(test_lume_config_set_says_1_for_a_name_that_is_no_setting),
        cmocka_unit_test(test_the_file_allows_comments_blanks_export_quotes_and_spaces),
        cmocka_unit_test(test_the_file_ignores_other_lume_names_and_does_not_nest),
        cmocka_unit_test(test_an_empty_file_is_fine),
        cmocka_unit_test(test_a_missing_file_is_an_error_naming_lume_config),
        cmocka_unit_test(test_a_line_that_is_not_name_value_is_an_error_with_its_number),
        cmocka_unit_test(test_a_bad_value_in_the_file_names_the_setting),
        cmocka_unit_test(test_a_long_line_is_one_line_whatever_its_length),
        cmocka_unit_test(test_messages_about_arguments_are_one_line),
        cmocka_unit_test(
            test_every_bad_value_in_the_environment_fails_with_a_line_naming_the_setting),
        cmocka_unit_test(
            test_every_bad_value_on_the_command_line_fails_with_a_line_naming_the_setting),
        cmocka_unit_test(
            test_every_bad_value_given_to_lume_config_set_is_minus_1_and_changes_nothing),
        cmocka_unit_test(test_a_value_too_long_for_its_setting_is_rejected),
        cmocka_unit_test(test_the_message_says_what_was_expected),
        cmocka_unit_test(test_a_static_pool_is_lume_workers_and_a_dynamic_one_min_to_max),
        cmocka_unit_test(test_pool_sizes_that_disagree_are_refused),
        cmocka_unit_test(test_the_worker_timeout_is_off_or_above_the_request_timeout),
        cmocka_unit_test(test_the_workers_run_batch_unless_told_other),
        cmocka_unit_test(test_the_health_socket_is_off_or_another_address),
        cmocka_unit_test(test_the_providers_named_are_those_of_the_registry),
        cmocka_unit_test(test_a_provider_setting_is_checked_whichever_provider_runs),
        cmocka_unit_test(test_a_bad_value_in_the_environment_is_an_error_even_when_argv_sets_it),
        cmocka_unit_test(test_listen_takes_unix_paths_and_host_port),
        cmocka_unit_test(test_booleans_are_on_off_yes_no_true_false_1_0_in_any_case),
        cmocka_unit_test(test_log_levels_are_named),
        cmocka_unit_test(test_the_socket_mode_is_octal),
        cmocka_unit_test(test_the_socket_group_is_a_group_name_or_number_or_empty),
        cmocka_unit_test(test_the_allowed_addresses_are_a_list_or_any),
        cmocka_unit_test(test_integer_bounds_are_inclusive),
        cmocka_unit_test(test_the_mock_catalog_may_be_set_back_to_the_built_in_one),
        cmocka_unit_test(test_unknown_options_are_rejected),
        cmocka_unit_test(test_options_are_spelled_as_help_prints_them),
        cmocka_unit_test(test_arguments_that_are_not_options_are_rejected),
        cmocka_unit_test(test_an_option_without_its_value_is_rejected),
        cmocka_unit_test(test_an_empty_attached_value_is_a_value),
        cmocka_unit_test(test_check_config_version_and_help_are_actions),
        cmocka_unit_test(test_check_config_still_validates_the_settings),
        cmocka_unit_test(test_the_help_text_lists_every_option_with_its_environment_name),
        cmocka_unit_test(test_the_help_text_lists_each_providers_settings_under_its_name),
        cmocka_unit_test(test_a_secret_is_never_shown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
