/*
 * errors.c: the table from lume_status to HTTP status, error code and default
 * message. All outcome-to-HTTP mapping of the service lives here.
 */
#include "errors.h"

static const struct {
    int http;
    const char *code;
    const char *message;
} status_table[LUME_STATUS_COUNT] = {
    [LUME_OK] = {200, "OK", "OK"},
    [LUME_ERR_INVALID_QUERY] = {400, "INVALID_QUERY",
                                "query must be 1 to 200 characters of valid UTF-8 "
                                "without control characters"},
    [LUME_ERR_INVALID_SEASON] = {400, "INVALID_SEASON", "season must be an integer from 1 to 9999"},
    [LUME_ERR_INVALID_EPISODE] = {400, "INVALID_EPISODE",
                                  "episode must be an integer from 1 to 9999"},
    [LUME_ERR_EPISODE_WITHOUT_SEASON] = {400, "EPISODE_WITHOUT_SEASON", "episode requires season"},
    [LUME_ERR_INVALID_LIMIT] = {400, "INVALID_LIMIT", "limit must be an integer from 1 to 25"},
    [LUME_ERR_NOT_FOUND] = {404, "NOT_FOUND", "not found"},
    [LUME_ERR_METHOD_NOT_ALLOWED] = {405, "METHOD_NOT_ALLOWED",
                                     "method not allowed; use GET, HEAD or OPTIONS"},
    [LUME_ERR_UNAVAILABLE] = {503, "PROVIDER_UNAVAILABLE", "the media provider is unavailable"},
    [LUME_ERR_TIMEOUT] = {504, "PROVIDER_TIMEOUT", "the media provider did not answer in time"},
    [LUME_ERR_OVERLOADED] = {503, "SERVICE_UNAVAILABLE",
                             "no worker could serve the request in time; retry later"},
    [LUME_ERR_INTERNAL] = {500, "INTERNAL_ERROR", "internal error"},
};

static int known(lume_status st)
{
    return (unsigned)st < LUME_STATUS_COUNT && status_table[st].code != 0;
}

int lume_status_http(lume_status st)
{
    return known(st) ? status_table[st].http : 500;
}

const char *lume_status_code(lume_status st)
{
    return known(st) ? status_table[st].code : status_table[LUME_ERR_INTERNAL].code;
}

const char *lume_status_message(lume_status st)
{
    return known(st) ? status_table[st].message : status_table[LUME_ERR_INTERNAL].message;
}
