/* http.c: response heads, their release, and request ids (see http.h). */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "decimal.h"
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

/* Append len bytes, keeping room for the NUL; -1 when they do not fit. */
static int put(char *buf, size_t cap, size_t *n, const char *s, size_t len)
{
    if (len >= cap - *n)
        return -1;
    memcpy(buf + *n, s, len);
    *n += len;
    buf[*n] = '\0';
    return 0;
}

static int put_str(char *buf, size_t cap, size_t *n, const char *s)
{
    return put(buf, cap, n, s, strlen(s));
}

/* A number: its magnitude, with a '-' when negative. */
static int put_num(char *buf, size_t cap, size_t *n, unsigned long long mag, int negative)
{
    char num[LUME_DECIMAL_DIGITS + 1];
    size_t len = 0;

    if (negative)
        num[len++] = '-';
    len += lume_decimal_put(num + len, mag);
    return put(buf, cap, n, num, len);
}

/* The lines every response has are put without printf (a third of the
 * instructions of a small response went to snprintf()); PUT() for the rare. */
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
#define PUTS(s)                                                                                    \
    do {                                                                                           \
        if (put_str(buf, cap, &n, (s)) != 0)                                                       \
            return 0;                                                                              \
    } while (0)
#define PUTN(mag, neg)                                                                             \
    do {                                                                                           \
        if (put_num(buf, cap, &n, (mag), (neg)) != 0)                                              \
            return 0;                                                                              \
    } while (0)

    if (cap == 0)
        return 0;
    PUTS("Status: ");
    PUTN(r->status < 0 ? 0ULL - (unsigned long long)r->status : (unsigned long long)r->status,
         r->status < 0);
    PUTS(" ");
    PUTS(reason(r->status));
    PUTS("\r\n");
    if (r->status != 204 && r->status != 304) {
        PUTS("Content-Type: ");
        PUTS(r->content_type != NULL ? r->content_type : "application/json");
        PUTS("\r\nContent-Length: ");
        PUTN(r->body_len, 0);
        PUTS("\r\n");
    }
    /* Before Cache-Control: nginx then takes its expiry from here alone. */
    if (r->edge_expired)
        PUTS("X-Accel-Expires: @1\r\n");
    if (r->cache_control != NULL) {
        PUTS("Cache-Control: ");
        PUTS(r->cache_control);
        PUTS("\r\n");
    }
    if (r->etag[0] != '\0') {
        PUTS("ETag: ");
        PUTS(r->etag);
        PUTS("\r\n");
    }
    if (r->link != NULL)
        PUT("Link: %s\r\n", r->link);
    if (r->allow)
        PUT("Allow: %s\r\n", LUME_ALLOW);
    if (r->retry_after_s > 0)
        PUT("Retry-After: %d\r\n", r->retry_after_s);
    if (r->generation != NULL) {
        PUTS("X-Lume-Generation: ");
        PUTS(r->generation);
        PUTS("\r\n");
    }
    PUTS("X-Request-Id: ");
    PUTS(request_id);
    PUTS("\r\nX-Content-Type-Options: nosniff\r\n"
         "Referrer-Policy: no-referrer\r\n\r\n");
#undef PUT
#undef PUTS
#undef PUTN
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
    for (int half = 0; half < 2; half++) { /* 32 hex digits, as "%016llx%016llx" */
        uint64_t v = lume_random_next(rng);
        for (int i = 15; i >= 0; i--, v >>= 4)
            out[half * 16 + i] = "0123456789abcdef"[v & 15];
    }
    out[32] = '\0';
}
