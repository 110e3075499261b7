/*
 * fuzz_head.h: the invariants of a CGI response head (fcgi-app/response.c),
 * shared by the response and request targets: NUL-terminated at its length,
 * "Status: NNN Reason" first, every line "Name: value" ending in CRLF with no
 * other CR or LF, Content-Length equal to the body length (none on 204 or 304),
 * X-Request-Id the request id, and the empty line last.
 */
#ifndef LUME_FUZZ_HEAD_H
#define LUME_FUZZ_HEAD_H

#include <inttypes.h>

#include "app.h"
#include "fuzz/fuzz.h"
#include "http.h"

static inline void fuzz_check_head(const lume_response *r, const char *id, const char *head,
                                   size_t n)
{
    char want[128];
    const char *line = head, *end = head + n;
    int lines = 0, length_seen = 0, id_seen = 0;

    FUZZ_CHECK(n > 4 && n < LUME_RESPONSE_HEAD_BUF && head[n] == '\0' && strlen(head) == n);
    FUZZ_CHECK(memcmp(head + n - 4, "\r\n\r\n", 4) == 0);
    snprintf(want, sizeof(want), "Status: %d ", r->status);
    FUZZ_CHECK(strncmp(head, want, strlen(want)) == 0);
    while (line < end - 2) {
        const char *crlf = strstr(line, "\r\n"), *colon;
        size_t len;

        FUZZ_CHECK(crlf != NULL && crlf < end - 2);
        len = (size_t)(crlf - line);
        colon = memchr(line, ':', len);
        FUZZ_CHECK(colon != NULL && colon > line && colon[1] == ' ');
        FUZZ_CHECK(memchr(line, '\r', len) == NULL && memchr(line, '\n', len) == NULL);
        for (const char *c = line; c < colon; c++)
            FUZZ_CHECK((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c == '-');
        if (strncmp(line, "Content-Length: ", 16) == 0) {
            snprintf(want, sizeof(want), "Content-Length: %zu\r\n", r->body_len);
            FUZZ_CHECK(strncmp(line, want, strlen(want)) == 0);
            length_seen = 1;
        }
        if (strncmp(line, "X-Request-Id: ", 14) == 0) {
            FUZZ_CHECK(len == 14 + strlen(id) && memcmp(line + 14, id, strlen(id)) == 0);
            id_seen = 1;
        }
        line = crlf + 2;
        lines++;
    }
    FUZZ_CHECK(line == end - 2 && lines >= 4);
    FUZZ_CHECK(length_seen == (r->status != 204 && r->status != 304) && id_seen);
}

/* A request id as lume_request_id makes it: 1..64 of [A-Za-z0-9._-]. */
static inline int fuzz_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return 0;
    return 1;
}

#endif
