/*
 * fuzz_response.c: the response head and the request id rules
 * (fcgi-app/response.c). The input gives nginx's and the client's request ids
 * (either may be absent) and the head's fields: any status, body length and
 * Retry-After, Allow, each Cache-Control the app sends, the generation and
 * nginx's expiry (X-Accel-Expires before Cache-Control). The chosen id is
 * the first valid candidate, else 32 lowercase hex digits; the head always
 * fits LUME_RESPONSE_HEAD_BUF, whatever the fields, and is well-formed; a
 * buffer one byte short gives 0, never a cut head.
 */
#include "fuzz/fuzz_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cache[] = {NULL, "no-store", "public, max-age=300",
                                        "public, max-age=31536000"};
    fuzz_reader r = {data, size};
    uint8_t flags = fuzz_u8(&r);
    lume_response resp = {0};
    uint64_t rng = fuzz_u64(&r, 8) | 1, before;
    char *nginx = fuzz_until(&r, 0, NULL), *client = fuzz_until(&r, 0, NULL);
    char id[LUME_REQUEST_ID_BUF], head[LUME_RESPONSE_HEAD_BUF], *small, generation[17];
    const char *accel;
    uint8_t more;
    const char *from_nginx = flags & 1 ? NULL : nginx, *from_client = flags & 2 ? NULL : client;
    size_t n;

    memset(id, 'Z', sizeof(id));
    before = rng;
    lume_request_id(from_nginx, from_client, &rng, id);
    FUZZ_CHECK(memchr(id, '\0', sizeof(id)) != NULL && fuzz_id_valid(id));
    if (fuzz_id_valid(from_nginx)) {
        FUZZ_CHECK(strcmp(id, from_nginx) == 0 && rng == before);
    } else if (fuzz_id_valid(from_client)) {
        FUZZ_CHECK(strcmp(id, from_client) == 0 && rng == before);
    } else {
        FUZZ_CHECK(strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32 && rng != before);
    }

    resp.status = (int)(int32_t)fuzz_u64(&r, 4);
    if (flags & 4) /* mostly the statuses the app sends */
        resp.status = (int[]){200, 204, 400, 404, 405, 500, 503, 504}[(flags >> 5) & 7];
    resp.body_len = (size_t)fuzz_u64(&r, 8);
    resp.retry_after_s = (int)(int32_t)fuzz_u64(&r, 4);
    resp.allow = flags & 8 ? 1 : 0;
    resp.cache_control = cache[(flags >> 3) & 3];
    more = fuzz_u8(&r);
    resp.edge_expired = more & 1;
    snprintf(generation, sizeof(generation), "%016llx", (unsigned long long)fuzz_u64(&r, 8));
    resp.generation = more & 2 ? generation : NULL;
    n = lume_response_head(&resp, id, head, sizeof(head));
    FUZZ_CHECK(n > 0);
    fuzz_check_head(&resp, id, head, n);
    if (resp.retry_after_s <= 0)
        FUZZ_CHECK(strstr(head, "\r\nRetry-After: ") == NULL);
    FUZZ_CHECK((strstr(head, "\r\nAllow: GET, HEAD, OPTIONS\r\n") != NULL) == resp.allow);
    FUZZ_CHECK((strstr(head, "\r\nX-Lume-Generation: ") != NULL) == (resp.generation != NULL));
    accel = strstr(head, "\r\nX-Accel-Expires: @1\r\n");
    FUZZ_CHECK((accel != NULL) == resp.edge_expired);
    if (accel != NULL && resp.cache_control != NULL)
        FUZZ_CHECK(accel < strstr(head, "\r\nCache-Control: "));

    small = malloc(n); /* exact size: ASan sees any write past it */
    FUZZ_CHECK(small != NULL && lume_response_head(&resp, id, small, n) == 0);
    FUZZ_CHECK(lume_response_head(&resp, id, small, 0) == 0);
    free(small);
    free(nginx);
    free(client);
    return 0;
}
