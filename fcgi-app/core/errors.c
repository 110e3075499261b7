/*
 * errors.c: the table from lume_status to HTTP status, error code, default
 * message and the headers an error answer carries. All outcome-to-HTTP
 * mapping of the service lives here; the bounds in the messages are api.h's.
 */
#include "errors.h"

#include "api.h"

#define S LUME_STRINGIFY

static const struct {
    int http;
    const char *code;
    const char *message;
    int allow;         /* Allow: LUME_ALLOW */
    int retry_after_s; /* a Retry-After every such answer carries; 0: none */
} status_table[LUME_STATUS_COUNT] = {
    [LUME_OK] = {200, "OK", "OK", 0, 0},
    [LUME_ERR_INVALID_QUERY] = {400, "INVALID_QUERY",
                                "query must be 1 to " S(
                                    LUME_QUERY_MAX_CHARS) " characters of "
                                                          "valid UTF-8 without control characters",
                                0, 0},
    [LUME_ERR_INVALID_SEASON] = {400, "INVALID_SEASON",
                                 "season must be an integer from 1 to " S(LUME_SEASON_MAX), 0, 0},
    [LUME_ERR_INVALID_EPISODE] = {400, "INVALID_EPISODE",
                                  "episode must be an integer from 1 to " S(LUME_EPISODE_MAX), 0,
                                  0},
    [LUME_ERR_EPISODE_WITHOUT_SEASON] = {400, "EPISODE_WITHOUT_SEASON", "episode requires season",
                                         0, 0},
    [LUME_ERR_INVALID_LIMIT] = {400, "INVALID_LIMIT",
                                "limit must be an integer from 1 to " S(LUME_LIMIT_MAX), 0, 0},
    [LUME_ERR_INVALID_CAPS] = {400, "INVALID_CAPS",
                               "caps must be up to " S(LUME_CAPS_MAX_TOKENS) " comma-separated "
                               "names of a-z and 0-9, each up to " S(LUME_CAPS_TOKEN_MAX) " "
                               "characters, a height from " S(LUME_CAPS_HEIGHT_MIN) "p to " S(
                                   LUME_CAPS_HEIGHT_MAX) "p",
                               0, 0},
    [LUME_ERR_INVALID_ID] = {400, "INVALID_ID",
                             "an id must be 1 to " S(LUME_STREMIO_ID_BYTES) " characters of A-Z, "
                             "a-z, 0-9, dot, underscore, colon and dash; extras are bounded",
                             0, 0},
    [LUME_ERR_NOT_FOUND] = {404, "NOT_FOUND", "not found", 0, 0},
    [LUME_ERR_METHOD_NOT_ALLOWED] = {405, "METHOD_NOT_ALLOWED",
                                     "method not allowed; use " LUME_METHODS(", ", " or "), 1, 0},
    [LUME_ERR_UNAVAILABLE] = {503, "PROVIDER_UNAVAILABLE", "the media provider is unavailable", 0,
                              0},
    [LUME_ERR_TIMEOUT] = {504, "PROVIDER_TIMEOUT", "the media provider did not answer in time", 0,
                          0},
    [LUME_ERR_OVERLOADED] = {503, "SERVICE_UNAVAILABLE",
                             "no worker could serve the request in time; retry later", 0,
                             LUME_OVERLOAD_RETRY_AFTER_S},
    [LUME_ERR_INTERNAL] = {500, "INTERNAL_ERROR", "internal error", 0, 0},
};

static int known(lume_status st)
{
    return (unsigned)st < LUME_STATUS_COUNT && status_table[st].code != 0;
}

int lume_status_http(lume_status st)
{
    return known(st) ? status_table[st].http : 500;
}

int lume_status_http_over_copy(lume_status st)
{
    return st == LUME_ERR_TIMEOUT ? lume_status_http(LUME_ERR_UNAVAILABLE) : lume_status_http(st);
}

const char *lume_status_code(lume_status st)
{
    return known(st) ? status_table[st].code : status_table[LUME_ERR_INTERNAL].code;
}

const char *lume_status_message(lume_status st)
{
    return known(st) ? status_table[st].message : status_table[LUME_ERR_INTERNAL].message;
}

int lume_status_allow(lume_status st)
{
    return known(st) && status_table[st].allow;
}

int lume_status_retry_after(lume_status st)
{
    return known(st) ? status_table[st].retry_after_s : 0;
}

int lume_status_names_provider(lume_status st)
{
    int http = lume_status_http(st);

    return http == 503 || http == 504;
}
