/*
 * fuzz_fcgi_params.c: the health responder's side of fcgi-app/fcgi_wire.c,
 * reading a request head's params and writing the records of its answer.
 * The input is a request id byte, an output size byte, then the head's
 * bytes, any at all.
 *
 * Invariants, against a reference reading of the FastCGI records and pairs
 * written here from the protocol: the gathered bytes are the reference's
 * (the content of each whole FCGI_PARAMS record of that request id, in
 * order, up to the first record whose content or padding runs past the
 * bytes), cut to the output; for every name in the gathered pairs (and a
 * few fixed ones), the lookup finds what the reference finds (the first
 * pair of that name, before a length runs past the content), its value cut
 * to the output size and NUL-terminated, and "" when not found. ASan checks
 * nothing is read or written past a buffer.
 *
 * The writer, given the gathered bytes split in two as a response's content
 * and a room of the output size: written exactly when the content is not
 * empty and fits, as the reference lays it out (one unpadded FCGI_STDOUT
 * record of the request id with the content, the empty FCGI_STDOUT record,
 * FCGI_END_REQUEST with eight zero bytes), and not a byte past what it says
 * it wrote (the rest of the room is left as it was).
 *
 * The worker's side: the gathered bytes turned into strings in place (in a
 * buffer of exactly their size): refused exactly when the reference's walk
 * of the pairs stops short of the end; else each pair, its name and value
 * cut at a NUL inside, NUL-terminated, one after the other, and the lookup
 * of each name (and the fixed ones) finds the reference's first pair of
 * that cut name. The stream writer, given the gathered bytes as content and
 * a buffer of a size from the input (at least LUME_FCGI_OUT_MIN), sent
 * whenever it says: every record within its bound and the buffer, the
 * content whole and in order, the end records last.
 */
#include "fcgi_wire.h"
#include "fuzz/fuzz.h"

#define CAP 8192

/* Reference: the records walked as the protocol lays them out. */
static size_t ref_gather(const uint8_t *b, size_t len, unsigned id, uint8_t *out, size_t cap)
{
    size_t at = 0, n = 0;

    for (;;) {
        size_t clen, padding;

        if (at + 8 > len)
            return n;
        clen = b[at + 4] * 256u + b[at + 5];
        padding = b[at + 6];
        if (at + 8 + clen > len)
            return n;
        if (b[at + 1] == 4 && b[at + 2] * 256u + b[at + 3] == id)
            for (size_t i = 0; i < clen && n < cap; i++)
                out[n++] = b[at + 8 + i];
        if (at + 8 + clen + padding > len)
            return n;
        at += 8 + clen + padding;
    }
}

/* Reference: a length is one byte under 128, else four with the top bit off. */
static int ref_length(const uint8_t *p, size_t left, size_t *used, size_t *v)
{
    if (left == 0)
        return 0;
    if (p[0] < 128) {
        *used = 1;
        *v = p[0];
        return 1;
    }
    if (left < 4)
        return 0;
    *used = 4;
    *v = (size_t)(p[0] - 128) * 16777216u + p[1] * 65536u + p[2] * 256u + p[3];
    return 1;
}

/* Reference: walk the pairs; call each (name, value) until one runs past. */
typedef struct ref_pair {
    const uint8_t *name, *value;
    size_t nlen, vlen;
} ref_pair;

static size_t ref_pairs(const uint8_t *p, size_t n, ref_pair *out, size_t max, size_t *end)
{
    size_t at = 0, k = 0;

    while (at < n) {
        size_t u1, u2, nl, vl;

        if (!ref_length(p + at, n - at, &u1, &nl) ||
            !ref_length(p + at + u1, n - at - u1, &u2, &vl))
            break;
        if (nl > n - at - u1 - u2 || vl > n - at - u1 - u2 - nl)
            break;
        at += u1 + u2;
        if (k < max)
            out[k] = (ref_pair){p + at, p + at + nl, nl, vl};
        k++;
        at += nl + vl;
    }
    *end = at; /* where the walk stopped: n when every pair was whole */
    return k;
}

static void check_find(const uint8_t *params, size_t n, const ref_pair *pairs, size_t k,
                       const char *name, size_t cap)
{
    char out[CAP + 1];
    const ref_pair *want = NULL;
    int found;

    memset(out, 'Z', sizeof(out));
    for (size_t i = 0; i < k && want == NULL; i++)
        if (pairs[i].nlen == strlen(name) && memcmp(pairs[i].name, name, pairs[i].nlen) == 0)
            want = &pairs[i];
    found = lume_fcgi_params_find(params, n, name, out, cap);
    FUZZ_CHECK(found == (want != NULL));
    if (want == NULL) {
        FUZZ_CHECK(out[0] == '\0');
        return;
    }
    size_t take = want->vlen < cap - 1 ? want->vlen : cap - 1;
    FUZZ_CHECK(memcmp(out, want->value, take) == 0);
    FUZZ_CHECK(out[take] == '\0');
}

/* Reference: the records of a response of id with content c[0..n). */
static size_t ref_response(uint8_t *out, unsigned id, const uint8_t *c, size_t n)
{
    static const uint8_t types[3] = {6, 6, 3};
    size_t lens[3] = {n, 0, 8}, at = 0;

    for (int r = 0; r < 3; r++) {
        uint8_t h[8] = {
            1, types[r], (uint8_t)(id >> 8), (uint8_t)id, (uint8_t)(lens[r] >> 8), (uint8_t)lens[r],
            0, 0};
        memcpy(out + at, h, 8);
        at += 8;
        if (r == 0)
            memcpy(out + at, c, n);
        if (r == 2)
            memset(out + at, 0, 8);
        at += r == 0 ? n : r == 2 ? 8 : 0;
    }
    return at;
}

static void check_response(unsigned id, const uint8_t *c, size_t n, size_t split, size_t room)
{
    static uint8_t out[CAP + 64], want[CAP + 64];
    int fits = n > 0 && n + 32 <= room;
    size_t w;

    memset(out, 0xa5, sizeof(out));
    w = lume_fcgi_response(out, room, id, c, split, c + split, n - split);
    FUZZ_CHECK(w == (fits ? n + 32 : 0));
    if (w > 0) {
        FUZZ_CHECK(ref_response(want, id, c, n) == w);
        FUZZ_CHECK(memcmp(out, want, w) == 0);
    }
    for (size_t i = w; i < sizeof(out); i++)
        FUZZ_CHECK(out[i] == 0xa5);
}

/* The length of s[0..n) up to a NUL inside. */
static size_t cut(const uint8_t *s, size_t n)
{
    const uint8_t *nul = memchr(s, 0, n);
    return nul != NULL ? (size_t)(nul - s) : n;
}

static void check_strings(const uint8_t *got, size_t n, const ref_pair *pairs, size_t k, size_t end,
                          const char *const *fixed, size_t nfixed)
{
    uint8_t *s = malloc(n > 0 ? n : 1), *want = malloc(n > 0 ? n : 1);
    size_t len, w = 0;

    FUZZ_CHECK(s != NULL && want != NULL);
    memcpy(s, got, n);
    len = lume_fcgi_params_strings(s, n);
    if (end != n) {
        FUZZ_CHECK(len == LUME_FCGI_PARAMS_BAD);
        free(s);
        free(want);
        return;
    }
    FUZZ_CHECK(len != LUME_FCGI_PARAMS_BAD && len <= n);
    for (size_t i = 0; i < k; i++) {
        size_t nl = cut(pairs[i].name, pairs[i].nlen), vl = cut(pairs[i].value, pairs[i].vlen);
        memcpy(want + w, pairs[i].name, nl);
        want[w + nl] = 0;
        w += nl + 1;
        memcpy(want + w, pairs[i].value, vl);
        want[w + vl] = 0;
        w += vl + 1;
    }
    FUZZ_CHECK(w == len && memcmp(s, want, len) == 0);
    for (size_t q = 0; q < nfixed + k && q < nfixed + 16; q++) {
        char name[256];
        const ref_pair *first = NULL;
        const char *v;

        if (q < nfixed) {
            snprintf(name, sizeof(name), "%s", fixed[q]);
        } else {
            size_t nl = cut(pairs[q - nfixed].name, pairs[q - nfixed].nlen);
            if (nl >= sizeof(name))
                continue;
            memcpy(name, pairs[q - nfixed].name, nl);
            name[nl] = '\0';
        }
        for (size_t i = 0; i < k && first == NULL; i++)
            if (cut(pairs[i].name, pairs[i].nlen) == strlen(name) &&
                memcmp(pairs[i].name, name, strlen(name)) == 0)
                first = &pairs[i];
        v = lume_fcgi_strings_find((const char *)s, len, name);
        FUZZ_CHECK((v != NULL) == (first != NULL));
        if (v != NULL) {
            size_t vl = cut(first->value, first->vlen);
            FUZZ_CHECK(strlen(v) == vl && memcmp(v, first->value, vl) == 0);
        }
    }
    free(s);
    free(want);
}

/* The content sent through a writer of cap bytes, reassembled and checked
 * record by record; closing: ended with lume_fcgi_out_end_closing(), the
 * mark (16 bytes) right after FCGI_END_REQUEST, in the same send. */
static void check_stream(const uint8_t *c, size_t n, size_t cap, int closing)
{
    static uint8_t sent[4 * CAP + 4096], got[CAP];
    uint8_t *b = malloc(cap);
    lume_fcgi_out o;
    size_t done = 0, total = 0, at = 0, have = 0;
    int ended = 0;

    FUZZ_CHECK(b != NULL);
    lume_fcgi_out_init(&o, b, cap, 9);
    for (;;) {
        size_t t = lume_fcgi_out_put(&o, c + done, n - done);
        done += t;
        if (done == n && (closing ? lume_fcgi_out_end_closing(&o) : lume_fcgi_out_end(&o)))
            break;
        FUZZ_CHECK(o.len > 0 && o.len <= cap); /* it said it is full */
        memcpy(sent + total, b, o.len);
        total += o.len;
        lume_fcgi_out_sent(&o);
    }
    FUZZ_CHECK(o.len <= cap);
    memcpy(sent + total, b, o.len);
    total += o.len;
    free(b);
    while (at < total) {
        size_t len;
        FUZZ_CHECK(total - at >= 8 && sent[at] == 1 && sent[at + 2] == 0 && sent[at + 3] == 9 &&
                   sent[at + 6] == 0 && !ended);
        len = (size_t)sent[at + 4] << 8 | sent[at + 5];
        FUZZ_CHECK(at + 8 + len <= total);
        if (sent[at + 1] == 3) {
            FUZZ_CHECK(len == 8 && have == n && o.len >= (closing ? 32u : 16u));
            FUZZ_CHECK(at + 16 + (closing ? 16u : 0u) == total);
            if (closing) /* FCGI_UNKNOWN_TYPE, request id 0, its body for type 0 */
                FUZZ_CHECK(memcmp(sent + at + 16, "\1\13\0\0\0\10\0\0\0\0\0\0\0\0\0\0", 16) == 0);
            ended = 1;
            at += 16 + (closing ? 16 : 0);
            continue;
        } else {
            FUZZ_CHECK(sent[at + 1] == 6 && have + len <= n);
            memcpy(got + have, sent + at + 8, len);
            have += len;
        }
        at += 8 + len;
    }
    FUZZ_CHECK(ended && have == n && memcmp(got, c, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[] = {"REQUEST_METHOD", "REQUEST_URI", "REQUEST_ID",
                                        "HTTP_X_REQUEST_ID", ""};
    fuzz_reader r = {data, size};
    unsigned id = fuzz_u8(&r) % 4;
    size_t cap = 1 + fuzz_u8(&r) * 32u, n, m, k, end;
    uint8_t got[CAP], want[CAP];
    static ref_pair pairs[CAP / 2 + 1]; /* a pair takes two bytes at least */

    n = lume_fcgi_params_gather(r.p, r.left, id, got, cap);
    m = ref_gather(r.p, r.left, id, want, cap);
    FUZZ_CHECK(n == m && n <= cap);
    FUZZ_CHECK(memcmp(got, want, n) == 0);
    k = ref_pairs(got, n, pairs, sizeof(pairs) / sizeof(pairs[0]), &end);
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        check_find(got, n, pairs, k, fixed[i], 1 + (cap % 300));
    for (size_t i = 0; i < k && i < 16; i++) {
        char name[256];

        if (pairs[i].nlen >= sizeof(name) || memchr(pairs[i].name, '\0', pairs[i].nlen))
            continue; /* a name with a NUL cannot be asked for */
        memcpy(name, pairs[i].name, pairs[i].nlen);
        name[pairs[i].nlen] = '\0';
        check_find(got, n, pairs, k, name, 1 + (cap % 300));
    }
    check_response(id * 0x4001u, got, n, n / 3, cap);
    check_strings(got, n, pairs, k, end, fixed, sizeof(fixed) / sizeof(fixed[0]));
    check_stream(got, n, LUME_FCGI_OUT_MIN + cap % 97, 0);
    check_stream(got, n, LUME_FCGI_OUT_END_CLOSING + cap % 97, 1);
    return 0;
}
