/* response.c: response heads and request ids (see response.h). */
#include "response.h"

#include <stdio.h>
#include <string.h>

#include "router.h"

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
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
    if (r->status != 204)
        PUT("Content-Type: application/json\r\nContent-Length: %zu\r\n", r->body_len);
    if (r->cache_control != NULL)
        PUT("Cache-Control: %s\r\n", r->cache_control);
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

/* splitmix64: a fast, well-mixed sequence from any seed. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
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
    snprintf(out, LUME_REQUEST_ID_BUF, "%016llx%016llx", (unsigned long long)next_random(rng),
             (unsigned long long)next_random(rng));
}
