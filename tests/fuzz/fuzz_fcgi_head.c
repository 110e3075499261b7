/*
 * fuzz_fcgi_head.c: the FastCGI request head scanner (fcgi-app/fcgi_wire.c),
 * over the bytes a peer sends, delivered in any chunks.
 *
 * The input is a mode byte, a count k and k 16-bit chunk sizes, then the
 * bytes on the wire: as they are (raw mode, odd mode byte clear), or (record
 * mode) a fill byte and then records, each a repeat count and an 8-byte
 * record header, followed on the wire by its content and padding made of
 * the fill byte, so that heads of any size, up to and past both bounds, take
 * a few bytes of input. A trailing piece of a record goes on the wire raw.
 *
 * Invariants: the verdict over the whole wire is the one of a reference
 * reading of fcgi_wire.h (the records in order: not version 1 is MALFORMED;
 * the empty FCGI_PARAMS record of the request's id ends the head, COMPLETE
 * with the head ending at its header; a record (header, content, padding)
 * reaching past LUME_FCGI_HEAD_MAX is TOO_LARGE; the first
 * FCGI_BEGIN_REQUEST must have an id and 8 bytes of content and names the
 * request; the request's FCGI_PARAMS content adding up to more than
 * LUME_FCGI_PARAMS_MAX is PARAMS_TOO_LARGE; everything else is stepped
 * over), with the same end and params. A reader that reads what
 * lume_fcgi_head_need() asks for, in any smaller pieces, never asks for more
 * than LUME_FCGI_HEAD_MAX nor past the end of the head, reaches the same
 * verdict and, when complete, has read exactly the head. A reader that
 * scans after any pieces (none, or past what was asked) reaches the same
 * verdict, and once it is not MORE it never changes. The scanner never reads
 * a byte it was not given: the bytes not received yet are poisoned.
 * lume_fcgi_head_whole_request() is true exactly when the wire is a complete
 * head and then 8 bytes, the header of an empty, unpadded FCGI_STDIN record
 * of the request's id (false for any other verdict), and reads nothing past
 * the wire.
 */
#include <sanitizer/asan_interface.h>

#include "fcgi_wire.h"
#include "fuzz/fuzz.h"

#define MAX_CHUNKS 64
/* Enough wire for a record that starts at the head bound and is as large
 * as a record can be, and a little more. */
#define WIRE_MAX (LUME_FCGI_HEAD_MAX + 2 * (8 + 65535 + 255))

enum { BEGIN_REQUEST = 1, PARAMS = 4, STDIN = 5 };

typedef struct verdict {
    lume_fcgi_head_state state;
    size_t end;    /* COMPLETE: the length of the head */
    size_t params; /* the request's params bytes counted */
    size_t next;   /* MORE: where the next record header starts */
} verdict;

/* The reference: the head's records in order, over all of w[0..n). */
static verdict reference(const uint8_t *w, size_t n)
{
    verdict v = {LUME_FCGI_HEAD_MORE, 0, 0, 0};
    unsigned request = 0; /* the id of the FCGI_BEGIN_REQUEST, once seen */
    size_t at = 0;

    while (at + 8 <= LUME_FCGI_HEAD_MAX && at + 8 <= n) {
        const uint8_t *rec = w + at;
        unsigned type = rec[1], id = rec[2] * 256u + rec[3];
        size_t content = rec[4] * 256u + rec[5], whole = 8 + content + rec[6];
        int ours = request != 0 && id == request;

        if (rec[0] != 1) {
            v.state = LUME_FCGI_HEAD_MALFORMED;
            return v;
        }
        if (ours && type == PARAMS && content == 0) {
            v.state = LUME_FCGI_HEAD_COMPLETE;
            v.end = at + 8;
            return v;
        }
        if (at + whole > LUME_FCGI_HEAD_MAX) {
            v.state = LUME_FCGI_HEAD_TOO_LARGE; /* the end comes after it */
            return v;
        }
        if (request == 0 && type == BEGIN_REQUEST) {
            if (id == 0 || content != 8) {
                v.state = LUME_FCGI_HEAD_MALFORMED;
                return v;
            }
            request = id;
        } else if (ours && type == PARAMS) {
            v.params += content;
            if (v.params > LUME_FCGI_PARAMS_MAX) {
                v.state = LUME_FCGI_HEAD_PARAMS_TOO_LARGE;
                return v;
            }
        }
        at += whole;
    }
    v.next = at;
    if (at + 8 > LUME_FCGI_HEAD_MAX)
        v.state = LUME_FCGI_HEAD_TOO_LARGE; /* not even the next header fits */
    return v;
}

/* A copy of the wire whose bytes past *received are poisoned: the scanner
 * must not read what has not arrived. */
typedef struct arrival {
    uint8_t *buf;
    size_t len, received;
} arrival;

static void arrival_start(arrival *a, const uint8_t *w, size_t n)
{
    a->buf = malloc(n ? n : 1);
    FUZZ_CHECK(a->buf != NULL);
    memcpy(a->buf, w, n);
    a->len = n;
    a->received = 0;
    ASAN_POISON_MEMORY_REGION(a->buf, n);
}

static void arrival_take(arrival *a, size_t more)
{
    FUZZ_CHECK(a->received + more <= a->len);
    ASAN_UNPOISON_MEMORY_REGION(a->buf + a->received, more);
    a->received += more;
}

static void arrival_end(arrival *a)
{
    ASAN_UNPOISON_MEMORY_REGION(a->buf, a->len);
    free(a->buf);
}

static size_t chunk_at(const unsigned *chunks, size_t k, size_t i)
{
    return k == 0 ? (size_t)-1 : chunks[i % k];
}

/* The acceptor's loop: scan, and read at most what need() says. */
static void read_as_asked(const uint8_t *w, size_t n, const unsigned *chunks, size_t k,
                          const verdict *ref)
{
    lume_fcgi_head h;
    lume_fcgi_head_state st;
    arrival a;
    size_t last_need = 0, last_params = 0;

    arrival_start(&a, w, n);
    lume_fcgi_head_init(&h);
    for (size_t i = 0;; i++) {
        size_t need, piece;

        st = lume_fcgi_head_scan(&h, a.buf, a.received);
        FUZZ_CHECK(h.params >= last_params);
        last_params = h.params;
        if (st != LUME_FCGI_HEAD_MORE)
            break;
        need = lume_fcgi_head_need(&h);
        FUZZ_CHECK(need > a.received);
        FUZZ_CHECK(need <= LUME_FCGI_HEAD_MAX);
        FUZZ_CHECK(need >= last_need);
        if (ref->state == LUME_FCGI_HEAD_COMPLETE)
            FUZZ_CHECK(need <= ref->end);
        last_need = need;
        if (a.received == n)
            break; /* the peer sent no more */
        piece = chunk_at(chunks, k, i);
        piece = piece == 0 ? 1 : piece; /* a read gives at least a byte */
        if (piece > need - a.received)
            piece = need - a.received;
        if (piece > n - a.received)
            piece = n - a.received;
        arrival_take(&a, piece);
    }
    FUZZ_CHECK(st == ref->state);
    if (st == LUME_FCGI_HEAD_COMPLETE) {
        FUZZ_CHECK(a.received == h.end);
        FUZZ_CHECK(h.end == ref->end);
        FUZZ_CHECK(lume_fcgi_head_need(&h) == h.end);
    }
    FUZZ_CHECK(a.received <= LUME_FCGI_HEAD_MAX);
    arrival_end(&a);
}

/* Any pieces (0 bytes, or more than asked), scanning after each. */
static void read_any_pieces(const uint8_t *w, size_t n, const unsigned *chunks, size_t k,
                            const verdict *ref)
{
    lume_fcgi_head h;
    lume_fcgi_head_state st = LUME_FCGI_HEAD_MORE, first = LUME_FCGI_HEAD_MORE;
    arrival a;
    size_t sum = 0, zeros = 0;

    for (size_t i = 0; i < k; i++)
        sum += chunks[i];
    arrival_start(&a, w, n);
    lume_fcgi_head_init(&h);
    for (size_t i = 0;; i++) {
        size_t piece = sum == 0 ? n : chunk_at(chunks, k, i);

        st = lume_fcgi_head_scan(&h, a.buf, a.received);
        if (first == LUME_FCGI_HEAD_MORE)
            first = st;
        FUZZ_CHECK(st == first); /* once decided, the verdict stays */
        if (st == LUME_FCGI_HEAD_MORE)
            FUZZ_CHECK(lume_fcgi_head_need(&h) > a.received);
        if (a.received == n) {
            if (zeros++ > 0) /* and once more with nothing new */
                break;
            continue;
        }
        if (piece > n - a.received)
            piece = n - a.received;
        arrival_take(&a, piece);
    }
    FUZZ_CHECK(st == ref->state);
    if (st == LUME_FCGI_HEAD_COMPLETE)
        FUZZ_CHECK(h.end == ref->end && h.params == ref->params);
    arrival_end(&a);
}

/* Record mode: the wire from fill, repeat counts and headers. */
static uint8_t *build_records(fuzz_reader *r, size_t *len)
{
    uint8_t fill = fuzz_u8(r), *w = malloc(WIRE_MAX);
    size_t n = 0;

    FUZZ_CHECK(w != NULL);
    while (r->left >= 9 && n < WIRE_MAX) {
        unsigned repeat = fuzz_u8(r) + 1u;
        uint8_t head[8];

        for (int i = 0; i < 8; i++)
            head[i] = fuzz_u8(r);
        for (unsigned i = 0; i < repeat && n < WIRE_MAX; i++) {
            size_t body = (size_t)head[4] * 256 + head[5] + head[6];
            size_t take = 8 < WIRE_MAX - n ? 8 : WIRE_MAX - n;

            memcpy(w + n, head, take);
            n += take;
            take = body < WIRE_MAX - n ? body : WIRE_MAX - n;
            memset(w + n, fill, take);
            n += take;
        }
    }
    while (r->left > 0 && n < WIRE_MAX)
        w[n++] = fuzz_u8(r);
    *len = n;
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    uint8_t mode = fuzz_u8(&r);
    size_t k = fuzz_u8(&r) % (MAX_CHUNKS + 1), n;
    unsigned chunks[MAX_CHUNKS];
    uint8_t *w;
    lume_fcgi_head h;
    lume_fcgi_head_state st;
    verdict ref;

    for (size_t i = 0; i < k; i++)
        chunks[i] = (unsigned)fuzz_u64(&r, 2);
    if (mode & 1) {
        w = build_records(&r, &n);
    } else {
        w = malloc(r.left ? r.left : 1);
        FUZZ_CHECK(w != NULL);
        n = r.left;
        memcpy(w, r.p, n);
    }

    ref = reference(w, n);
    lume_fcgi_head_init(&h);
    st = lume_fcgi_head_scan(&h, w, n);
    FUZZ_CHECK(st == ref.state);
    {
        const uint8_t *e = w + ref.end;
        int whole = st == LUME_FCGI_HEAD_COMPLETE && n == ref.end + 8 && e[0] == 1 &&
                    e[1] == STDIN && e[2] * 256u + e[3] == h.request_id && e[4] == 0 && e[5] == 0 &&
                    e[6] == 0;
        FUZZ_CHECK(lume_fcgi_head_whole_request(&h, w, n) == whole);
    }
    switch (st) {
    case LUME_FCGI_HEAD_COMPLETE:
        FUZZ_CHECK(h.end == ref.end && h.params == ref.params);
        FUZZ_CHECK(h.end <= LUME_FCGI_HEAD_MAX && h.params <= LUME_FCGI_PARAMS_MAX);
        FUZZ_CHECK(h.request_id != 0);
        FUZZ_CHECK(lume_fcgi_head_need(&h) == h.end);
        /* the head ends with the header of the request's empty params record */
        FUZZ_CHECK(w[h.end - 8] == 1 && w[h.end - 7] == PARAMS);
        FUZZ_CHECK(w[h.end - 6] * 256u + w[h.end - 5] == h.request_id);
        FUZZ_CHECK(w[h.end - 4] == 0 && w[h.end - 3] == 0);
        break;
    case LUME_FCGI_HEAD_MORE:
        FUZZ_CHECK(h.params == ref.params && h.pos == ref.next);
        FUZZ_CHECK(lume_fcgi_head_need(&h) > n);
        FUZZ_CHECK(lume_fcgi_head_need(&h) <= LUME_FCGI_HEAD_MAX);
        break;
    case LUME_FCGI_HEAD_PARAMS_TOO_LARGE:
        FUZZ_CHECK(h.params == ref.params && h.params > LUME_FCGI_PARAMS_MAX);
        break;
    default: break;
    }
    /* the same bytes scanned again: the same answer */
    FUZZ_CHECK(lume_fcgi_head_scan(&h, w, n) == st);

    read_as_asked(w, n, chunks, k, &ref);
    read_any_pieces(w, n, chunks, k, &ref);
    free(w);
    return 0;
}
