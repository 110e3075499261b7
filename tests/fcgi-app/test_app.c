/*
 * test_app.c: one request in, one response out (app.h), with the mock
 * provider: the JSON shapes of every route, the error envelope, the
 * Cache-Control rules, Allow on 405, HEAD, and the result rules (dead results
 * dropped before the limit, total_results counting live results, 404 for a
 * resolve without a live result but 200 with [] for a search).
 *
 * Decisions docs/api.md records, documented here too:
 * - /resolve/health/provider is a health check, never cached (no-store),
 *   though its path starts with /resolve; /health is no-store too;
 * - an error body reports every parameter that was valid: season 4 with an
 *   invalid episode says "season": 4, and an invalid query is "query": null;
 * - "provider" appears on every 503 and 504 (the provider's fault, or its queue), not on
 *   other errors;
 * - OPTIONS (normally answered by nginx) gets 204 with Allow and no body;
 * - a request that waited for a worker past the queue budget is 503
 *   SERVICE_UNAVAILABLE with Retry-After: 1 where it would call the provider;
 *   what needs no provider (/, /health, a 400) is answered as usual: it costs
 *   no more than the 503 would;
 * - every 200 with a body has the strong ETag of that body; If-None-Match
 *   naming it (weak comparison) turns the 200 into a 304 with the same
 *   headers and no body; errors have no ETag and stay errors;
 * - an episode resolve (season and episode) that answers 200 carries the
 *   next-episode hint as a Link header; nothing else does;
 * - the cache rules of docs/api.md, "Caching": a live answer is public for
 *   max-age with both stale windows; an empty search (a negative answer) for
 *   LUME_CACHE_NEGATIVE_MAX_AGE alone; a resolve's 404 is no-store for clients
 *   and, where nginx holds an expired answer, X-Accel-Expires: @1 for nginx,
 *   which stores it already expired in place of that answer; when nginx holds an expired copy
 * (CACHE_STATUS EXPIRED) a provider timeout is a 503, which that copy covers; every answer names
 * its configuration's generation;
 * - /metrics (Prometheus text) and /status (JSON) show the whole pool from
 *   shared memory: every answered request counts by route and status, and
 *   the scoreboard shows the worker serving /status busy with that request.
 */
#include "lib/unit.h"

#include <jansson.h>
#include <time.h>

#include "app.h"
#include "clock.h"
#include "etag.h"
#include "generation.h"
#include "http.h"

#define REQUEST_ID "test-request-1"

typedef struct fixture {
    lume_app *app;
    char *catalog; /* temporary catalog file, or NULL */
} fixture;

/* A catalog with live and dead ("seeds": 0) entries, deliberately unsorted. */
static const char CATALOG[] =
    "[\n"
    " {\"title\": \"Alpha Dead One 1080p\", \"url\": \"https://cdn.example.com/a0\", \"size\": 1,"
    " \"seeds\": 0},\n"
    " {\"title\": \"Alpha Live Small 720p\", \"url\": \"https://cdn.example.com/a1\","
    " \"size\": null, \"seeds\": 5},\n"
    " {\"title\": \"Alpha Live Big\", \"url\": \"https://cdn.example.com/a2\", \"size\": 42,"
    " \"seeds\": 50},\n"
    " {\"title\": \"Alpha Dead Two\", \"url\": \"https://cdn.example.com/a3\", \"seeds\": 0},\n"
    " {\"title\": \"Alpha Live Mid 2160p\", \"url\": \"https://cdn.example.com/a4\","
    " \"size\": 0, \"seeds\": 20},\n"
    " {\"title\": \"Ghost Only Dead\", \"url\": \"https://cdn.example.com/g\", \"seeds\": 0}\n"
    "]\n";

static fixture fx;

static int make_app(const lume_config *cfg)
{
    char err[256] = "";
    lume_provider_set *p = lume_provider_set_create(&cfg->provider, NULL, err, sizeof(err));

    if (p == NULL) {
        fprintf(stderr, "provider: %s\n", err);
        return -1;
    }
    fx.app = lume_app_create(cfg, p);
    return fx.app ? 0 : -1;
}

/* LUME_MOCK_DELAY_MS, a setting of the mock provider. */
static void set_mock_delay(lume_config *cfg, long delay_ms)
{
    char value[32], err[256];

    snprintf(value, sizeof(value), "%ld", delay_ms);
    if (lume_config_set(cfg, "LUME_MOCK_DELAY_MS", value, err, sizeof(err)) != 0)
        fail_msg("%s", err);
}

static int setup_builtin(void **state)
{
    lume_config cfg;

    (void)state;
    lume_config_defaults(&cfg);
    fx.catalog = NULL;
    return make_app(&cfg);
}

static int setup_catalog(void **state)
{
    lume_config cfg;
    char err[256];

    (void)state;
    lume_config_defaults(&cfg);
    fx.catalog = unit_write_file(CATALOG);
    if (lume_config_set(&cfg, "LUME_MOCK_CATALOG", fx.catalog, err, sizeof(err)) != 0)
        return -1;
    return make_app(&cfg);
}

static int teardown(void **state)
{
    (void)state;
    lume_app_destroy(fx.app);
    fx.app = NULL;
    unit_remove_file(fx.catalog);
    fx.catalog = NULL;
    return 0;
}

/* The response and its parsed body. */
typedef struct answer {
    lume_response resp;
    json_t *body; /* NULL when there is none */
} answer;

/* The app's answer to req, its body parsed. */
static answer handle(const lume_request *req)
{
    answer a;
    json_error_t jerr;

    lume_app_handle(fx.app, req, &a.resp);
    a.body = NULL;
    if (a.resp.body != NULL) {
        assert_int_equal(strlen(a.resp.body), a.resp.body_len);
        a.body = json_loadb(a.resp.body, a.resp.body_len, 0, &jerr);
        if (a.body == NULL)
            fail_msg("%s %s: body is not JSON: %s", req->method, req->uri, a.resp.body);
    }
    return a;
}

/* A request that waited waited_ms for a worker (< 0: unknown); abandoned: nginx left. */
static answer request_queued(const char *method, const char *uri, int64_t waited_ms, int abandoned)
{
    lume_request req = {.method = method,
                        .uri = uri,
                        .request_id = REQUEST_ID,
                        .waited_ms = waited_ms,
                        .abandoned = abandoned};

    return handle(&req);
}

/* A GET nginx sends while its cache holds an expired copy of the answer. */
static answer get_over_copy(const char *uri)
{
    lume_request req = {.method = "GET", .uri = uri, .request_id = REQUEST_ID, .edge_copy = 1};

    return handle(&req);
}

static answer request(const char *method, const char *uri)
{
    return request_queued(method, uri, 0, 0);
}

static answer get(const char *uri)
{
    return request("GET", uri);
}

static void release(answer *a)
{
    json_decref(a->body);
    lume_response_release(&a->resp);
}

/* ---- shape checks ---- */

/* obj has exactly these keys (NULL-terminated list). */
static void assert_keys(json_t *obj, const char *const *keys)
{
    size_t n = 0;

    assert_true(json_is_object(obj));
    for (; keys[n] != NULL; n++)
        if (json_object_get(obj, keys[n]) == NULL)
            fail_msg("missing key \"%s\" in %s", keys[n], json_dumps(obj, JSON_COMPACT));
    if (json_object_size(obj) != n)
        fail_msg("expected %zu keys, got %s", n, json_dumps(obj, JSON_COMPACT));
}

static const char *str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_string(v))
        fail_msg("\"%s\" should be a string", key);
    return json_string_value(v);
}

static json_int_t integer(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_integer(v))
        fail_msg("\"%s\" should be an integer", key);
    return json_integer_value(v);
}

static void assert_null_key(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || !json_is_null(v))
        fail_msg("\"%s\" should be present and null", key);
}

/* MediaLink: title (1..500 chars), url (absolute https), size (int >= 0 or
 * null), seeds (int >= 0; > 0 once dead ones are dropped), quality. */
static void assert_media_link(json_t *m)
{
    static const char *const keys[] = {"title", "url", "size", "seeds", "quality", NULL};
    const char *title, *url;
    json_t *size, *quality;

    assert_keys(m, keys);
    title = str(m, "title");
    assert_true(strlen(title) >= 1 && strlen(title) <= 500);
    url = str(m, "url");
    assert_int_equal(strncmp(url, "https://", 8), 0);
    assert_true(strlen(url) > 8);
    size = json_object_get(m, "size");
    assert_true(json_is_null(size) || (json_is_integer(size) && json_integer_value(size) >= 0));
    assert_true(integer(m, "seeds") > 0);
    quality = json_object_get(m, "quality");
    if (!json_is_null(quality)) {
        const char *q = json_string_value(quality);
        assert_non_null(q);
        assert_true(strcmp(q, "2160p") == 0 || strcmp(q, "1080p") == 0 || strcmp(q, "720p") == 0 ||
                    strcmp(q, "480p") == 0);
    }
}

/* SearchResult, with its links checked and sorted by seeds. */
static void assert_search_result(json_t *body, const char *query, size_t count, json_int_t total)
{
    static const char *const keys[] = {"query", "results", "total_results", "provider_name", NULL};
    json_t *results, *m;
    json_int_t prev = -1;
    size_t i;

    assert_keys(body, keys);
    assert_string_equal(str(body, "query"), query);
    assert_string_equal(str(body, "provider_name"), "MockProvider");
    assert_int_equal(integer(body, "total_results"), total);
    results = json_object_get(body, "results");
    assert_true(json_is_array(results));
    assert_int_equal(json_array_size(results), count);
    json_array_foreach(results, i, m)
    {
        assert_media_link(m);
        if (prev >= 0)
            assert_true(integer(m, "seeds") <= prev);
        prev = integer(m, "seeds");
    }
}

static const char *result_title(json_t *body, size_t i)
{
    return str(json_array_get(json_object_get(body, "results"), i), "title");
}

/* The error envelope: {"detail": {error, message, [query, season, episode],
 * [provider], request_id}} with exactly those keys; returns detail. */
static json_t *assert_envelope(answer *a, int status, const char *code, int resolve, int provider)
{
    json_t *detail;
    const char *message;
    size_t keys = 3;

    assert_int_equal(a->resp.status, status);
    assert_int_equal(a->resp.outcome != LUME_OK, 1);
    assert_string_equal(a->resp.cache_control, "no-store");
    assert_non_null(a->body);
    assert_int_equal(json_object_size(a->body), 1);
    detail = json_object_get(a->body, "detail");
    assert_true(json_is_object(detail));
    assert_string_equal(str(detail, "error"), code);
    message = str(detail, "message");
    assert_true(strlen(message) > 0);
    assert_null(strstr(message, "/tmp"));
    assert_null(strchr(message, '\n'));
    assert_string_equal(str(detail, "request_id"), REQUEST_ID);
    if (resolve) {
        json_t *q = json_object_get(detail, "query"), *s = json_object_get(detail, "season"),
               *e = json_object_get(detail, "episode");
        assert_true(json_is_string(q) || json_is_null(q));
        assert_true(json_is_integer(s) || json_is_null(s));
        assert_true(json_is_integer(e) || json_is_null(e));
        keys += 3;
    } else {
        assert_null(json_object_get(detail, "query"));
        assert_null(json_object_get(detail, "season"));
        assert_null(json_object_get(detail, "episode"));
    }
    if (provider) {
        assert_string_equal(str(detail, "provider"), "MockProvider");
        keys++;
    } else {
        assert_null(json_object_get(detail, "provider"));
    }
    if (json_object_size(detail) != keys)
        fail_msg("unexpected keys in %s", a->resp.body);
    return detail;
}

/* ---- /, /health, /resolve/health/provider ---- */

/* The earlier contract's index: "docs" is the page nginx serves (docs/openapi.yaml). */
static void test_the_index_describes_the_api(void **state)
{
    static const char *const keys[] = {"name", "version", "docs", "endpoints", NULL};
    static const char *const endpoint_keys[] = {"resolve", "search", "health", NULL};
    answer a = get("/");
    json_t *endpoints;
    unsigned major, minor, patch;
    char junk;

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_int_equal(a.resp.outcome, LUME_OK);
    assert_keys(a.body, keys);
    assert_string_equal(str(a.body, "name"), "Lume Media API");
    assert_int_equal(sscanf(str(a.body, "version"), "%u.%u.%u%c", &major, &minor, &patch, &junk),
                     3);
    assert_string_equal(str(a.body, "docs"), "/docs");
    endpoints = json_object_get(a.body, "endpoints");
    assert_keys(endpoints, endpoint_keys);
    assert_string_equal(str(endpoints, "resolve"), "/resolve/{query}");
    assert_string_equal(str(endpoints, "search"), "/resolve/search/{query}");
    assert_string_equal(str(endpoints, "health"), "/resolve/health/provider");
    release(&a);
}

static void test_health_says_healthy_and_is_not_cached(void **state)
{
    static const char *const keys[] = {"status", NULL};
    answer a = get("/health");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_keys(a.body, keys);
    assert_string_equal(str(a.body, "status"), "healthy");
    assert_string_equal(a.resp.cache_control, "no-store");
    release(&a);
}

/* ---- /metrics and /status ---- */

/* The app joins a pool in shared as the worker of slot, as a worker's does. */
static lume_observe *observe(lume_shared *shared, int slot)
{
    lume_config cfg;
    lume_observe *obs;

    lume_config_defaults(&cfg);
    obs = lume_observe_create(&cfg, shared, slot, -1);
    assert_non_null(obs);
    lume_app_observe(fx.app, obs);
    return obs;
}

/* Serve uri as a worker does: handle, then end (counted, idle again). */
static lume_response serve_counted(lume_observe *obs, const char *uri)
{
    lume_request req = {.method = "GET", .uri = uri, .request_id = REQUEST_ID, .waited_ms = 0};
    lume_response resp;

    lume_app_handle(fx.app, &req, &resp);
    lume_observe_end(obs, resp.status, 1000);
    return resp;
}

static void test_metrics_counts_requests_by_route_and_status_in_prometheus_text(void **state)
{
    lume_shared *shared = lume_shared_create();
    lume_observe *obs;
    lume_response r;

    (void)state;
    assert_non_null(shared);
    obs = observe(shared, 0);
    r = serve_counted(obs, "/health"), lume_response_release(&r);
    r = serve_counted(obs, "/health"), lume_response_release(&r);
    r = serve_counted(obs, "/nowhere"), lume_response_release(&r);
    r = serve_counted(obs, "/metrics");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert_string_equal(r.cache_control, "no-store");
    assert_non_null(strstr(r.body, "\nlume_requests_total{route=\"health\",status=\"200\"} 2\n"));
    assert_non_null(strstr(r.body, "\nlume_requests_total{route=\"none\",status=\"404\"} 1\n"));
    assert_non_null(strstr(r.body, "\nlume_request_duration_seconds_count 3\n"));
    assert_non_null(strstr(r.body, "\nlume_workers{state=\"busy\"} 1\n")); /* this request */
    assert_null(strstr(r.body, "lume_listen_queue ")); /* no listening socket: not shown */
    lume_response_release(&r);
    lume_observe_destroy(obs);
    lume_shared_destroy(shared);
}

static void test_status_shows_the_pool_and_each_workers_line(void **state)
{
    lume_shared *shared = lume_shared_create();
    lume_observe *obs;
    lume_response r;
    json_t *doc, *w;
    json_error_t jerr;

    (void)state;
    assert_non_null(shared);
    obs = observe(shared, 2);
    r = serve_counted(obs, "/health"), lume_response_release(&r);
    r = serve_counted(obs, "/status");
    assert_int_equal(r.status, 200);
    assert_null(r.content_type); /* JSON */
    assert_string_equal(r.cache_control, "no-store");
    doc = json_loadb(r.body, r.body_len, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(str(doc, "pool"), "lume");
    assert_string_equal(str(doc, "provider"), "MockProvider");
    assert_int_equal(integer(doc, "requests_answered"), 1);
    assert_int_equal(integer(doc, "busy_workers"), 1);
    assert_int_equal(integer(doc, "total_workers"), 1);
    assert_true(json_is_null(json_object_get(doc, "listen_queue")));
    assert_int_equal(json_array_size(json_object_get(doc, "workers")), 1);
    w = json_array_get(json_object_get(doc, "workers"), 0);
    assert_int_equal(integer(w, "slot"), 2);
    assert_int_equal(integer(w, "pid"), getpid());
    assert_string_equal(str(w, "state"), "busy");
    assert_int_equal(integer(w, "requests"), 1);
    assert_string_equal(str(w, "route"), "status");
    assert_string_equal(str(w, "request_id"), REQUEST_ID);
    json_decref(doc);
    lume_response_release(&r);
    lume_observe_destroy(obs);
    lume_shared_destroy(shared);
}

static void test_provider_health_names_the_provider_and_is_not_cached(void **state)
{
    static const char *const keys[] = {"status", "provider", NULL};
    answer a = get("/resolve/health/provider");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_keys(a.body, keys);
    assert_string_equal(str(a.body, "status"), "healthy");
    assert_string_equal(str(a.body, "provider"), "MockProvider");
    assert_string_equal(a.resp.cache_control, "no-store");
    assert_string_equal(lume_app_provider_name(fx.app), "MockProvider");
    release(&a);
}

/* ---- /resolve/{query} ---- */

static void test_resolve_answers_the_best_live_result_as_a_media_link(void **state)
{
    answer a = get("/resolve/inception");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_int_equal(a.resp.outcome, LUME_OK);
    assert_media_link(a.body);
    assert_string_equal(str(a.body, "title"), "Inception (2010) 1080p BluRay");
    assert_string_equal(str(a.body, "url"),
                        "https://mock-cdn.example.com/movies/inception-2010.mkv");
    assert_int_equal(integer(a.body, "size"), 8542781952LL);
    assert_int_equal(integer(a.body, "seeds"), 2450);
    assert_string_equal(str(a.body, "quality"), "1080p");
    release(&a);
}

static void test_resolve_picks_the_result_with_the_most_seeds(void **state)
{
    answer a = get("/resolve/the%20boys");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_string_equal(str(a.body, "title"), "The Boys S04E01 1080p WEB-DL");
    assert_int_equal(integer(a.body, "seeds"), 1500);
    release(&a);
}

static void test_resolve_with_season_and_episode_matches_the_formatted_query(void **state)
{
    answer a = get("/resolve/the%20boys?season=4&episode=2");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_string_equal(str(a.body, "title"), "The Boys S04E02 1080p WEB-DL");
    release(&a);
    a = get("/resolve/the%20boys?season=3");
    assert_int_equal(a.resp.status, 200);
    assert_string_equal(str(a.body, "title"), "The Boys S03E01 1080p WEB-DL");
    release(&a);
}

static void test_resolve_is_case_insensitive(void **state)
{
    answer a = get("/resolve/INTERSTELLAR");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_string_equal(str(a.body, "title"), "Interstellar (2014) 4K HDR");
    assert_string_equal(str(a.body, "quality"), "2160p");
    assert_int_equal(integer(a.body, "size"), 23622320128LL);
    release(&a);
}

static void test_resolve_trims_surrounding_whitespace_of_the_query(void **state)
{
    answer a = get("/resolve/%20%20inception%20");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_string_equal(str(a.body, "title"), "Inception (2010) 1080p BluRay");
    release(&a);
}

static void test_resolve_ignores_limit_and_unknown_parameters(void **state)
{
    answer a = get("/resolve/inception?limit=0&foo=bar&limit=abc");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_media_link(a.body);
    release(&a);
}

/* max-age 300, and the stale extensions at the app's 48-hour aging. */
static void test_a_resolve_200_is_publicly_cacheable_for_300_seconds(void **state)
{
    answer a = get("/resolve/inception");

    (void)state;
    assert_string_equal(
        a.resp.cache_control,
        "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800");
    release(&a);
    a = get("/resolve/search/inception");
    assert_string_equal(
        a.resp.cache_control,
        "public, max-age=300, stale-while-revalidate=172800, stale-if-error=172800");
    release(&a);
}

static void test_the_cache_max_age_is_configurable(void **state)
{
    lume_config cfg;
    answer a;

    (void)state;
    lume_config_defaults(&cfg);
    cfg.cache_max_age = 60;
    cfg.cache_stale_revalidate = 30;
    cfg.cache_stale_if_error = 600;
    assert_int_equal(make_app(&cfg), 0);
    a = get("/resolve/inception");
    assert_string_equal(a.resp.cache_control,
                        "public, max-age=60, stale-while-revalidate=30, stale-if-error=600");
    release(&a);
}

static void test_a_stale_extension_of_0_is_left_out(void **state)
{
    lume_config cfg;
    answer a;

    (void)state;
    lume_config_defaults(&cfg);
    cfg.cache_stale_revalidate = 0;
    assert_int_equal(make_app(&cfg), 0);
    a = get("/resolve/inception");
    assert_string_equal(a.resp.cache_control, "public, max-age=300, stale-if-error=172800");
    release(&a);
    lume_app_destroy(fx.app);
    cfg.cache_stale_if_error = 0;
    cfg.cache_max_age = 0;
    assert_int_equal(make_app(&cfg), 0);
    a = get("/resolve/inception");
    assert_string_equal(a.resp.cache_control, "public, max-age=0");
    release(&a);
}

/* ---- validators: ETag and If-None-Match ---- */

static answer get_if_none_match(const char *uri, const char *if_none_match)
{
    lume_request req = {
        .method = "GET", .uri = uri, .request_id = REQUEST_ID, .if_none_match = if_none_match};
    answer a = {.body = NULL};

    lume_app_handle(fx.app, &req, &a.resp);
    return a;
}

static void test_every_200_json_answer_has_the_strong_etag_of_its_body(void **state)
{
    static const char *const uris[] = {"/", "/health", "/resolve/inception",
                                       "/resolve/search/the%20boys", "/resolve/health/provider"};
    char want[LUME_ETAG_BUF];

    (void)state;
    for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        answer a = get(uris[i]);
        assert_int_equal(a.resp.status, 200);
        lume_etag(a.resp.body, a.resp.body_len, want);
        assert_string_equal(a.resp.etag, want);
        assert_int_equal(a.resp.etag[0], '"'); /* strong: no W/ */
        release(&a);
    }
}

static void test_the_same_answer_has_the_same_etag_and_another_answer_another(void **state)
{
    answer a = get("/resolve/inception"), b = get("/resolve/Inception"),
           c = get("/resolve/interstellar");

    (void)state;
    assert_string_equal(a.resp.etag, b.resp.etag);
    assert_string_not_equal(a.resp.etag, c.resp.etag);
    release(&a);
    release(&b);
    release(&c);
}

static void test_errors_have_no_etag(void **state)
{
    answer a = get("/resolve/no%20such%20film");

    (void)state;
    assert_int_equal(a.resp.status, 404);
    assert_string_equal(a.resp.etag, "");
    release(&a);
}

static void test_if_none_match_with_the_etag_is_304_without_a_body(void **state)
{
    answer a = get("/resolve/the%20boys?season=4&episode=1"), b;
    char weak_list[128];

    (void)state;
    b = get_if_none_match("/resolve/the%20boys?season=4&episode=1", a.resp.etag);
    assert_int_equal(b.resp.status, 304);
    assert_null(b.resp.body);
    assert_int_equal(b.resp.body_len, 0);
    assert_int_equal(b.resp.outcome, LUME_OK);
    /* What the 200 would have said: the validator, freshness and the hint. */
    assert_string_equal(b.resp.etag, a.resp.etag);
    assert_string_equal(b.resp.cache_control, a.resp.cache_control);
    assert_string_equal(b.resp.link, a.resp.link);
    release(&b);
    snprintf(weak_list, sizeof(weak_list), "\"old\", W/%s", a.resp.etag);
    b = get_if_none_match("/resolve/the%20boys?season=4&episode=1", weak_list);
    assert_int_equal(b.resp.status, 304);
    release(&b);
    b = get_if_none_match("/resolve/the%20boys?season=4&episode=1", "*");
    assert_int_equal(b.resp.status, 304);
    release(&b);
    release(&a);
}

static void test_if_none_match_with_another_etag_is_the_full_200(void **state)
{
    answer a = get_if_none_match("/resolve/inception", "\"15-0123456789abcdef\"");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_non_null(a.resp.body);
    release(&a);
}

static void test_if_none_match_on_an_error_is_the_error(void **state)
{
    answer a = get_if_none_match("/resolve/no%20such%20film", "*");

    (void)state;
    assert_int_equal(a.resp.status, 404);
    assert_non_null(a.resp.body);
    release(&a);
}

static void test_the_head_of_a_304_has_no_body_headers(void **state)
{
    answer a = get("/resolve/inception"), b;
    char head[LUME_RESPONSE_HEAD_BUF], etag_line[64];

    (void)state;
    b = get_if_none_match("/resolve/inception", a.resp.etag);
    assert_true(lume_response_head(&b.resp, REQUEST_ID, head, sizeof(head)) > 0);
    assert_int_equal(strncmp(head, "Status: 304 Not Modified\r\n", 26), 0);
    assert_null(strstr(head, "\r\nContent-Length"));
    assert_null(strstr(head, "\r\nContent-Type"));
    snprintf(etag_line, sizeof(etag_line), "\r\nETag: %s\r\n", a.resp.etag);
    assert_non_null(strstr(head, etag_line));
    release(&a);
    release(&b);
}

/* ---- the next-episode hint (Link) ---- */

static void test_an_episode_resolve_links_the_next_episode_known_to_exist(void **state)
{
    answer a = get("/resolve/the%20boys?season=4&episode=1");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_string_equal(a.resp.link,
                        "</resolve/the%20boys?season=4&episode=2>; rel=\"next\"; exists=\"true\"");
    assert_media_link(a.body); /* the body's shape stays */
    release(&a);
}

static void test_the_last_episode_of_a_season_links_the_next_seasons_first(void **state)
{
    answer a = get("/resolve/The%20Boys?episode=1&season=3");

    (void)state;
    assert_string_equal(a.resp.link,
                        "</resolve/The%20Boys?season=4&episode=1>; rel=\"next\"; exists=\"true\"");
    release(&a);
}

static void test_the_last_known_episode_says_it_is_the_last(void **state)
{
    answer a = get("/resolve/%20the%20boys%20?season=4&episode=2");

    (void)state;
    assert_string_equal(a.resp.link, "</resolve/the%20boys?season=4&episode=2>; rel=\"last\"");
    release(&a);
}

static void test_only_an_episode_resolve_has_a_hint(void **state)
{
    static const char *const uris[] = {"/resolve/the%20boys?season=4", "/resolve/inception",
                                       "/resolve/search/the%20boys?season=4&episode=1",
                                       "/resolve/the%20boys?season=4&episode=3"};

    (void)state;
    for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        answer a = get(uris[i]);
        if (a.resp.link != NULL)
            fail_msg("%s: unexpected Link %s", uris[i], a.resp.link);
        release(&a);
    }
}

static void test_resolve_without_a_live_result_is_404_with_the_request_in_the_envelope(void **state)
{
    answer a = get("/resolve/no%20such%20film?season=2");
    json_t *d;

    (void)state;
    d = assert_envelope(&a, 404, "NOT_FOUND", 1, 0);
    assert_string_equal(str(d, "query"), "no such film");
    assert_int_equal(integer(d, "season"), 2);
    assert_null_key(d, "episode");
    release(&a);
}

static void test_resolve_of_empty_is_404(void **state)
{
    answer a = get("/resolve/empty");

    (void)state;
    assert_envelope(&a, 404, "NOT_FOUND", 1, 0);
    release(&a);
}

/* ---- /resolve/search/{query} ---- */

static void test_search_answers_a_search_result_sorted_by_seeds(void **state)
{
    answer a = get("/resolve/search/the%20boys");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "the boys", 3, 3);
    assert_string_equal(result_title(a.body, 0), "The Boys S04E01 1080p WEB-DL");
    assert_string_equal(result_title(a.body, 1), "The Boys S04E02 1080p WEB-DL");
    assert_string_equal(result_title(a.body, 2), "The Boys S03E01 1080p WEB-DL");
    release(&a);
}

static void test_search_echoes_the_decoded_query_without_the_tv_suffix(void **state)
{
    answer a = get("/resolve/search/%20The%20Boys%20?season=4");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "The Boys", 2, 2);
    release(&a);
    a = get("/resolve/search/AC%2FDC");
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "AC/DC", 0, 0);
    release(&a);
}

static void test_search_applies_the_default_limit_of_10(void **state)
{
    answer a = get("/resolve/search/all");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "all", 9, 9); /* the built-in catalog has 9 */
    assert_string_equal(result_title(a.body, 0), "Breaking Bad S01E01 1080p BluRay");
    release(&a);
}

static void test_search_applies_the_limit_and_total_results_counts_before_it(void **state)
{
    answer a = get("/resolve/search/all?limit=2");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "all", 2, 9);
    assert_string_equal(result_title(a.body, 0), "Breaking Bad S01E01 1080p BluRay");
    assert_string_equal(result_title(a.body, 1), "Breaking Bad S01E02 1080p BluRay");
    release(&a);
}

static void test_search_without_a_live_result_is_200_with_an_empty_list(void **state)
{
    answer a = get("/resolve/search/no%20such%20film");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "no such film", 0, 0);
    /* a negative answer: kept LUME_CACHE_NEGATIVE_MAX_AGE, no stale windows */
    assert_string_equal(a.resp.cache_control, "public, max-age=30");
    release(&a);
    a = get("/resolve/search/empty");
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "empty", 0, 0);
    release(&a);
}

static void test_search_rejects_a_bad_limit(void **state)
{
    answer a = get("/resolve/search/all?limit=26");
    json_t *d;

    (void)state;
    d = assert_envelope(&a, 400, "INVALID_LIMIT", 1, 0);
    assert_string_equal(str(d, "query"), "all");
    release(&a);
    a = get("/resolve/search/all?limit=5&limit=5");
    assert_envelope(&a, 400, "INVALID_LIMIT", 1, 0);
    release(&a);
}

/* ---- dead results (catalog with seeds 0) ---- */

static void test_dead_results_are_dropped_and_not_counted(void **state)
{
    answer a = get("/resolve/search/alpha");

    (void)state;
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "alpha", 3, 3);
    assert_string_equal(result_title(a.body, 0), "Alpha Live Big");
    assert_string_equal(result_title(a.body, 1), "Alpha Live Mid 2160p");
    assert_string_equal(result_title(a.body, 2), "Alpha Live Small 720p");
    release(&a);
}

static void test_dead_results_are_dropped_before_the_limit(void **state)
{
    answer a = get("/resolve/search/alpha?limit=3");

    (void)state;
    assert_search_result(a.body, "alpha", 3, 3);
    release(&a);
    a = get("/resolve/search/alpha?limit=1");
    assert_search_result(a.body, "alpha", 1, 3);
    assert_string_equal(result_title(a.body, 0), "Alpha Live Big");
    release(&a);
    a = get("/resolve/search/alpha%20dead");
    assert_search_result(a.body, "alpha dead", 0, 0);
    release(&a);
}

static void test_resolve_with_only_dead_results_is_404(void **state)
{
    answer a = get("/resolve/ghost");

    (void)state;
    assert_envelope(&a, 404, "NOT_FOUND", 1, 0);
    release(&a);
    a = get("/resolve/search/ghost");
    assert_int_equal(a.resp.status, 200);
    assert_search_result(a.body, "ghost", 0, 0);
    release(&a);
}

static void test_size_is_null_when_unknown_and_zero_is_kept(void **state)
{
    answer a = get("/resolve/search/alpha");
    json_t *results;

    (void)state;
    results = json_object_get(a.body, "results");
    assert_int_equal(integer(json_array_get(results, 0), "size"), 42);
    assert_int_equal(integer(json_array_get(results, 1), "size"), 0);
    assert_null_key(json_array_get(results, 2), "size");
    release(&a);
}

static void test_quality_is_parsed_from_the_title_or_null(void **state)
{
    answer a = get("/resolve/search/alpha");
    json_t *results;

    (void)state;
    results = json_object_get(a.body, "results");
    assert_null_key(json_array_get(results, 0), "quality");
    assert_string_equal(str(json_array_get(results, 1), "quality"), "2160p");
    assert_string_equal(str(json_array_get(results, 2), "quality"), "720p");
    release(&a);
}

/* ---- the error envelope ---- */

static void test_an_invalid_query_is_400_with_a_null_query(void **state)
{
    answer a = get("/resolve/%C0%AF?season=4");
    json_t *d;

    (void)state;
    d = assert_envelope(&a, 400, "INVALID_QUERY", 1, 0);
    assert_null_key(d, "query");
    assert_int_equal(integer(d, "season"), 4);
    assert_null_key(d, "episode");
    release(&a);
}

static void test_an_empty_query_is_400(void **state)
{
    answer a = get("/resolve/");

    (void)state;
    assert_envelope(&a, 400, "INVALID_QUERY", 1, 0);
    release(&a);
    a = get("/resolve/search/%20");
    assert_envelope(&a, 400, "INVALID_QUERY", 1, 0);
    release(&a);
}

static void test_a_201_character_query_is_400(void **state)
{
    char *uri = unit_repeat("/resolve/", "%C3%A9", 201, "");
    answer a = get(uri);

    (void)state;
    assert_envelope(&a, 400, "INVALID_QUERY", 1, 0);
    release(&a);
    free(uri);
}

static void test_an_invalid_season_is_400_with_the_query_and_a_null_season(void **state)
{
    answer a = get("/resolve/the%20boys?season=0");
    json_t *d;

    (void)state;
    d = assert_envelope(&a, 400, "INVALID_SEASON", 1, 0);
    assert_string_equal(str(d, "query"), "the boys");
    assert_null_key(d, "season");
    assert_null_key(d, "episode");
    release(&a);
}

static void test_an_invalid_episode_is_400_and_keeps_the_valid_season(void **state)
{
    answer a = get("/resolve/the%20boys?season=4&episode=1e3");
    json_t *d;

    (void)state;
    d = assert_envelope(&a, 400, "INVALID_EPISODE", 1, 0);
    assert_string_equal(str(d, "query"), "the boys");
    assert_int_equal(integer(d, "season"), 4);
    assert_null_key(d, "episode");
    release(&a);
}

static void test_episode_without_season_is_400_and_reports_the_episode(void **state)
{
    answer a = get("/resolve/the%20boys?episode=2");
    json_t *d;

    (void)state;
    d = assert_envelope(&a, 400, "EPISODE_WITHOUT_SEASON", 1, 0);
    assert_null_key(d, "season");
    assert_int_equal(integer(d, "episode"), 2);
    release(&a);
}

static void test_a_duplicate_season_is_400_invalid_season(void **state)
{
    answer a = get("/resolve/search/the%20boys?season=1&season=1");

    (void)state;
    assert_envelope(&a, 400, "INVALID_SEASON", 1, 0);
    release(&a);
}

static void test_an_unknown_route_is_404_without_query_fields(void **state)
{
    answer a = get("/nope");

    (void)state;
    assert_envelope(&a, 404, "NOT_FOUND", 0, 0);
    release(&a);
    a = get("/resolve/a/b");
    assert_envelope(&a, 404, "NOT_FOUND", 0, 0);
    release(&a);
}

static void test_another_method_is_405_with_allow(void **state)
{
    answer a = request("POST", "/resolve/inception");
    char head[LUME_RESPONSE_HEAD_BUF];

    (void)state;
    assert_envelope(&a, 405, "METHOD_NOT_ALLOWED", 1, 0);
    assert_true(a.resp.allow);
    assert_true(lume_response_head(&a.resp, REQUEST_ID, head, sizeof(head)) > 0);
    assert_non_null(strstr(head, "\r\nAllow: GET, HEAD, OPTIONS\r\n"));
    release(&a);
    a = request("DELETE", "/");
    assert_envelope(&a, 405, "METHOD_NOT_ALLOWED", 0, 0);
    assert_true(a.resp.allow);
    release(&a);
}

static void test_the_head_of_an_error_is_json_no_store_with_the_body_length(void **state)
{
    answer a = get("/resolve/x?season=abc");
    char head[LUME_RESPONSE_HEAD_BUF], length[64];

    (void)state;
    assert_true(lume_response_head(&a.resp, REQUEST_ID, head, sizeof(head)) > 0);
    assert_true(strstr(head, "Status: 400 Bad Request\r\n") == head);
    assert_non_null(strstr(head, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(head, "\r\nCache-Control: no-store\r\n"));
    assert_non_null(strstr(head, "\r\nX-Request-Id: " REQUEST_ID "\r\n"));
    snprintf(length, sizeof(length), "\r\nContent-Length: %zu\r\n", a.resp.body_len);
    assert_non_null(strstr(head, length));
    release(&a);
}

static void test_only_405_sends_allow(void **state)
{
    answer a = get("/nope");

    (void)state;
    assert_false(a.resp.allow);
    release(&a);
    a = get("/resolve/inception");
    assert_false(a.resp.allow);
    release(&a);
}

static void test_the_request_id_is_echoed_in_error_bodies(void **state)
{
    lume_request req = {.method = "GET", .uri = "/nope", .request_id = "abc123"};
    lume_response resp;
    json_t *body;

    (void)state;
    lume_app_handle(fx.app, &req, &resp);
    body = json_loads(resp.body, 0, NULL);
    assert_string_equal(str(json_object_get(body, "detail"), "request_id"), "abc123");
    json_decref(body);
    lume_response_release(&resp);
}

/* ---- HEAD and OPTIONS ---- */

static void test_head_answers_like_get_and_marks_the_body_as_not_sent(void **state)
{
    answer g = get("/resolve/inception"), h = request("HEAD", "/resolve/inception");

    (void)state;
    assert_false(g.resp.head);
    assert_true(h.resp.head);
    assert_int_equal(h.resp.status, 200);
    assert_int_equal(h.resp.body_len, g.resp.body_len); /* the Content-Length of the GET */
    assert_string_equal(h.resp.cache_control, g.resp.cache_control);
    release(&g);
    release(&h);
}

static void test_head_of_an_error_is_the_error_without_the_body(void **state)
{
    answer h = request("HEAD", "/resolve/search/x?limit=0");

    (void)state;
    assert_true(h.resp.head);
    assert_envelope(&h, 400, "INVALID_LIMIT", 1, 0);
    release(&h);
}

static void test_options_is_204_with_allow_and_no_body(void **state)
{
    answer a = request("OPTIONS", "/resolve/inception");

    (void)state;
    assert_int_equal(a.resp.status, 204);
    assert_true(a.resp.allow);
    assert_null(a.resp.body);
    assert_int_equal(a.resp.body_len, 0);
    release(&a);
}

/* ---- provider faults ---- */

static void test_an_unavailable_provider_is_503_naming_the_provider(void **state)
{
    answer a = get("/resolve/error:unavailable?season=4");
    json_t *d;

    (void)state;
    d = assert_envelope(&a, 503, "PROVIDER_UNAVAILABLE", 1, 1);
    assert_string_equal(str(d, "query"), "error:unavailable");
    assert_int_equal(integer(d, "season"), 4);
    assert_null_key(d, "episode");
    assert_int_equal(a.resp.retry_after_s, 0); /* Retry-After only while a circuit is open */
    release(&a);
    a = get("/resolve/search/error:unavailable");
    assert_envelope(&a, 503, "PROVIDER_UNAVAILABLE", 1, 1);
    release(&a);
}

static void test_a_provider_timeout_is_504_naming_the_provider(void **state)
{
    answer a = get("/resolve/error:timeout");

    (void)state;
    assert_envelope(&a, 504, "PROVIDER_TIMEOUT", 1, 1);
    release(&a);
    a = get("/resolve/search/error:timeout");
    assert_envelope(&a, 504, "PROVIDER_TIMEOUT", 1, 1);
    release(&a);
}

static void test_a_timeout_over_an_expired_copy_is_a_503_the_copy_covers(void **state)
{
    answer a = get_over_copy("/resolve/error:timeout");

    (void)state;
    assert_envelope(&a, 503, "PROVIDER_TIMEOUT", 1, 1); /* the error still says what happened */
    release(&a);
    /* everything else is answered as without a copy */
    a = get_over_copy("/resolve/error:unavailable");
    assert_envelope(&a, 503, "PROVIDER_UNAVAILABLE", 1, 1);
    release(&a);
    a = get_over_copy("/resolve/inception");
    assert_int_equal(a.resp.status, 200);
    release(&a);
}

static void test_gone_replaces_was_there_a_resolve_404_is_stored_already_expired(void **state)
{
    answer a = get_over_copy("/resolve/no%20such%20film");

    (void)state;
    assert_int_equal(a.resp.status, 404);
    assert_string_equal(a.resp.cache_control, "no-store"); /* for clients, as every error */
    assert_true(a.resp.edge_expired);                      /* for nginx: replaces, never fresh */
    release(&a);
    /* where nginx holds nothing, a 404 is not stored at all */
    a = get("/resolve/no%20such%20film");
    assert_int_equal(a.resp.status, 404);
    assert_false(a.resp.edge_expired);
    release(&a);
    /* no other answer, and no other 404, is stored that way */
    a = get_over_copy("/resolve/inception");
    assert_false(a.resp.edge_expired);
    release(&a);
    a = get_over_copy("/nope");
    assert_int_equal(a.resp.status, 404);
    assert_false(a.resp.edge_expired);
    release(&a);
    a = get_over_copy("/resolve/error:unavailable");
    assert_false(a.resp.edge_expired);
    release(&a);
}

static void test_every_answer_names_its_generation(void **state)
{
    const char *uris[] = {"/", "/health", "/resolve/inception", "/resolve/nope", "/nope"};
    char expected[LUME_GENERATION_BUF];
    lume_config cfg;

    (void)state;
    lume_config_defaults(&cfg);
    lume_generation(&cfg, expected);
    for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        answer a = get(uris[i]);
        assert_non_null(a.resp.generation);
        assert_string_equal(a.resp.generation, expected);
        release(&a);
    }
}

static void test_an_internal_provider_error_is_500(void **state)
{
    answer a = get("/resolve/error:internal");
    json_t *d;

    (void)state;
    d = assert_envelope(&a, 500, "INTERNAL_ERROR", 1, 0);
    assert_string_equal(str(d, "message"), "internal error");
    release(&a);
}

static void test_a_mock_delay_beyond_the_request_timeout_is_504_at_the_deadline(void **state)
{
    lume_config cfg;
    answer a;
    int64_t start;

    (void)state;
    lume_config_defaults(&cfg);
    cfg.request_timeout_ms = 30;
    set_mock_delay(&cfg, 2000);
    assert_int_equal(make_app(&cfg), 0);
    start = lume_now_ms();
    a = get("/resolve/inception");
    assert_true(lume_now_ms() - start < 1000); /* bounded by the deadline, not the delay */
    assert_true(lume_now_ms() - start >= 30);
    assert_envelope(&a, 504, "PROVIDER_TIMEOUT", 1, 1);
    release(&a);
}

static void test_a_mock_delay_within_the_request_timeout_is_fine(void **state)
{
    lume_config cfg;
    answer a;
    int64_t start;

    (void)state;
    lume_config_defaults(&cfg);
    cfg.request_timeout_ms = 2000;
    set_mock_delay(&cfg, 20);
    assert_int_equal(make_app(&cfg), 0);
    start = lume_now_ms();
    a = get("/resolve/inception");
    assert_true(lume_now_ms() - start >= 20);
    assert_int_equal(a.resp.status, 200);
    release(&a);
}

static void test_the_app_serves_many_requests_with_one_provider(void **state)
{
    (void)state;
    for (int i = 0; i < 200; i++) {
        answer a = get(i % 2 ? "/resolve/search/all?limit=3" : "/resolve/the%20boys");
        assert_int_equal(a.resp.status, 200);
        release(&a);
    }
}

/* ---- the queue deadline ---- */

/* An app whose mock searches take delay_ms, with these budgets. */
static void make_queue_app(long queue_timeout_ms, long request_timeout_ms, long delay_ms)
{
    lume_config cfg;

    lume_config_defaults(&cfg);
    cfg.queue_timeout_ms = queue_timeout_ms;
    cfg.request_timeout_ms = request_timeout_ms;
    set_mock_delay(&cfg, delay_ms);
    assert_int_equal(make_app(&cfg), 0);
}

static void assert_too_late(answer *a)
{
    json_t *d = assert_envelope(a, 503, "SERVICE_UNAVAILABLE", 1, 1);

    assert_int_equal(a->resp.outcome, LUME_ERR_OVERLOADED);
    assert_int_equal(a->resp.retry_after_s, 1);
    assert_string_equal(str(d, "query"), "the boys");
    assert_int_equal(integer(d, "season"), 4);
}

static void test_a_request_that_waited_past_the_queue_budget_is_a_fast_503(void **state)
{
    answer a;
    int64_t start;

    (void)state;
    make_queue_app(500, 8000, 2000); /* a provider call would take 2 s */
    start = lume_now_ms();
    a = request_queued("GET", "/resolve/the%20boys?season=4", 501, 0);
    assert_true(lume_now_ms() - start < 1000); /* the provider was not called */
    assert_too_late(&a);
    release(&a);
    a = request_queued("GET", "/resolve/search/the%20boys?season=4", 501, 0);
    assert_too_late(&a);
    release(&a);
}

static void test_a_wait_within_the_budget_or_unknown_is_served(void **state)
{
    answer a;

    (void)state;
    make_queue_app(500, 8000, 0);
    a = request_queued("GET", "/resolve/the%20boys?season=4", 500, 0);
    assert_int_equal(a.resp.status, 200);
    release(&a);
    a = request_queued("GET", "/resolve/the%20boys?season=4", -1, 0);
    assert_int_equal(a.resp.status, 200);
    release(&a);
}

static void test_a_request_nginx_abandoned_is_not_worked_on(void **state)
{
    answer a;
    int64_t start;

    (void)state;
    make_queue_app(500, 8000, 2000);
    start = lume_now_ms();
    a = request_queued("GET", "/resolve/the%20boys?season=4", -1, 1);
    assert_true(lume_now_ms() - start < 1000);
    assert_too_late(&a);
    release(&a);
}

static void test_the_queue_budget_is_at_most_the_request_timeout(void **state)
{
    answer a;

    (void)state;
    make_queue_app(10000, 300, 0);
    a = request_queued("GET", "/resolve/the%20boys?season=4", 301, 0);
    assert_too_late(&a);
    release(&a);
}

static void test_the_request_deadline_counts_from_when_the_request_was_queued(void **state)
{
    answer a;

    (void)state;
    make_queue_app(500, 1000, 700);
    a = request_queued("GET", "/resolve/inception", 0, 0);
    assert_int_equal(a.resp.status, 200); /* 700 ms of the 1000 */
    release(&a);
    a = request_queued("GET", "/resolve/inception", 400, 0);
    assert_envelope(&a, 504, "PROVIDER_TIMEOUT", 1, 1); /* 400 + 700 > 1000 */
    release(&a);
}

static void test_the_provider_health_check_is_skipped_too(void **state)
{
    answer a;

    (void)state;
    make_queue_app(500, 8000, 0);
    a = request_queued("GET", "/resolve/health/provider", 501, 0);
    assert_envelope(&a, 503, "SERVICE_UNAVAILABLE", 0, 1);
    assert_int_equal(a.resp.retry_after_s, 1);
    release(&a);
}

static void test_what_needs_no_provider_is_answered_however_long_it_waited(void **state)
{
    answer a;

    (void)state;
    make_queue_app(500, 8000, 0);
    a = request_queued("GET", "/health", 5000, 0);
    assert_int_equal(a.resp.status, 200);
    release(&a);
    a = request_queued("GET", "/", 5000, 1);
    assert_int_equal(a.resp.status, 200);
    release(&a);
    a = request_queued("GET", "/resolve/the%20boys?season=x", 5000, 0);
    assert_envelope(&a, 400, "INVALID_SEASON", 1, 0);
    release(&a);
}

#define T(f)  cmocka_unit_test_setup_teardown(f, setup_builtin, teardown)
#define TC(f) cmocka_unit_test_setup_teardown(f, setup_catalog, teardown)
#define TN(f) cmocka_unit_test_setup_teardown(f, NULL, teardown) /* makes its own app */

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_the_index_describes_the_api),
        T(test_health_says_healthy_and_is_not_cached),
        T(test_metrics_counts_requests_by_route_and_status_in_prometheus_text),
        T(test_status_shows_the_pool_and_each_workers_line),
        T(test_provider_health_names_the_provider_and_is_not_cached),
        T(test_resolve_answers_the_best_live_result_as_a_media_link),
        T(test_resolve_picks_the_result_with_the_most_seeds),
        T(test_resolve_with_season_and_episode_matches_the_formatted_query),
        T(test_resolve_is_case_insensitive),
        T(test_resolve_trims_surrounding_whitespace_of_the_query),
        T(test_resolve_ignores_limit_and_unknown_parameters),
        T(test_a_resolve_200_is_publicly_cacheable_for_300_seconds),
        TN(test_the_cache_max_age_is_configurable),
        TN(test_a_stale_extension_of_0_is_left_out),
        T(test_every_200_json_answer_has_the_strong_etag_of_its_body),
        T(test_the_same_answer_has_the_same_etag_and_another_answer_another),
        T(test_errors_have_no_etag),
        T(test_if_none_match_with_the_etag_is_304_without_a_body),
        T(test_if_none_match_with_another_etag_is_the_full_200),
        T(test_if_none_match_on_an_error_is_the_error),
        T(test_the_head_of_a_304_has_no_body_headers),
        T(test_an_episode_resolve_links_the_next_episode_known_to_exist),
        T(test_the_last_episode_of_a_season_links_the_next_seasons_first),
        T(test_the_last_known_episode_says_it_is_the_last),
        T(test_only_an_episode_resolve_has_a_hint),
        T(test_resolve_without_a_live_result_is_404_with_the_request_in_the_envelope),
        T(test_resolve_of_empty_is_404),
        T(test_search_answers_a_search_result_sorted_by_seeds),
        T(test_search_echoes_the_decoded_query_without_the_tv_suffix),
        T(test_search_applies_the_default_limit_of_10),
        T(test_search_applies_the_limit_and_total_results_counts_before_it),
        T(test_search_without_a_live_result_is_200_with_an_empty_list),
        T(test_search_rejects_a_bad_limit),
        TC(test_dead_results_are_dropped_and_not_counted),
        TC(test_dead_results_are_dropped_before_the_limit),
        TC(test_resolve_with_only_dead_results_is_404),
        TC(test_size_is_null_when_unknown_and_zero_is_kept),
        TC(test_quality_is_parsed_from_the_title_or_null),
        T(test_an_invalid_query_is_400_with_a_null_query),
        T(test_an_empty_query_is_400),
        T(test_a_201_character_query_is_400),
        T(test_an_invalid_season_is_400_with_the_query_and_a_null_season),
        T(test_an_invalid_episode_is_400_and_keeps_the_valid_season),
        T(test_episode_without_season_is_400_and_reports_the_episode),
        T(test_a_duplicate_season_is_400_invalid_season),
        T(test_an_unknown_route_is_404_without_query_fields),
        T(test_another_method_is_405_with_allow),
        T(test_the_head_of_an_error_is_json_no_store_with_the_body_length),
        T(test_only_405_sends_allow),
        T(test_the_request_id_is_echoed_in_error_bodies),
        T(test_head_answers_like_get_and_marks_the_body_as_not_sent),
        T(test_head_of_an_error_is_the_error_without_the_body),
        T(test_options_is_204_with_allow_and_no_body),
        T(test_an_unavailable_provider_is_503_naming_the_provider),
        T(test_a_provider_timeout_is_504_naming_the_provider),
        T(test_a_timeout_over_an_expired_copy_is_a_503_the_copy_covers),
        T(test_gone_replaces_was_there_a_resolve_404_is_stored_already_expired),
        T(test_every_answer_names_its_generation),
        T(test_an_internal_provider_error_is_500),
        TN(test_a_mock_delay_beyond_the_request_timeout_is_504_at_the_deadline),
        TN(test_a_mock_delay_within_the_request_timeout_is_fine),
        T(test_the_app_serves_many_requests_with_one_provider),
        TN(test_a_request_that_waited_past_the_queue_budget_is_a_fast_503),
        TN(test_a_wait_within_the_budget_or_unknown_is_served),
        TN(test_a_request_nginx_abandoned_is_not_worked_on),
        TN(test_the_queue_budget_is_at_most_the_request_timeout),
        TN(test_the_request_deadline_counts_from_when_the_request_was_queued),
        TN(test_the_provider_health_check_is_skipped_too),
        TN(test_what_needs_no_provider_is_answered_however_long_it_waited),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
