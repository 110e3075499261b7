/* http.c: response heads, their release, and request ids (see http.h). */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "random.h"

void lume_response_release(lume_response *resp)
{
    free(resp->body);
    free(resp->link);
    resp->body = NULL;
    resp->link = NULL;
    resp->body_len = 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

size_t lume_response_head(const lume_response *r, const char *request_id, char *buf, size_t cap)
{
    size_t n = 0;
    int w;

#define PUT(...)                                                                                   \
    do {                                                                                           \
        w = snprintf(buf + n, cap - n, __VA_ARGS__);                                               \
        if (w < 0 || (size_t)w >= cap - n)                                                         \
            return 0;                                                                              \
        n += (size_t)w;                                                                            \
    } while (0)

    PUT("Status: %d %s\r\n", r->status, reason(r->status));
    if (r->status != 204 && r->status != 304)
        PUT("Content-Type: %s\r\nContent-Length: %zu\r\n",
            r->content_type != NULL ? r->content_type : "application/json", r->body_len);
    if (r->cache_control != NULL)
        PUT("Cache-Control: %s\r\n", r->cache_control);
    if (r->etag[0] != '\0')
        PUT("ETag: %s\r\n", r->etag);
    if (r->link != NULL)
        PUT("Link: %s\r\n", r->link);
    if (r->allow)
        PUT("Allow: %s\r\n", LUME_ALLOW);
    if (r->retry_after_s > 0)
        PUT("Retry-After: %d\r\n", r->retry_after_s);
    PUT("X-Request-Id: %s\r\nX-Content-Type-Options: nosniff\r\n"
        "Referrer-Policy: no-referrer\r\n\r\n",
        request_id);
#undef PUT
    return n;
}

static int valid_id(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return 0;
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        if (n >= LUME_REQUEST_ID_BUF - 1 ||
            !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return n > 0;
}

void lume_request_id(const char *from_nginx, const char *from_client, uint64_t *rng,
                     char out[LUME_REQUEST_ID_BUF])
{
    const char *pick = valid_id(from_nginx)    ? from_nginx
                       : valid_id(from_client) ? from_client
                                               : NULL;

    if (pick != NULL) {
        memcpy(out, pick, strlen(pick) + 1);
        return;
    }
    snprintf(out, LUME_REQUEST_ID_BUF, "%016llx%016llx", (unsigned long long)lume_random_next(rng),
             (unsigned long long)lume_random_next(rng));
}
