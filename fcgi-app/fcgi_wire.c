/*
 * fcgi_wire.c: FastCGI records without libfcgi (see fcgi_wire.h): scanning
 * a request head's record headers, reading its params, writing a response's
 * records. Record layouts and constants are fastcgi.h's.
 */
#include "fcgi_wire.h"

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(FCGI_Header) == FCGI_HEADER_LEN, "fastcgi.h's header is the wire's");
_Static_assert(sizeof(FCGI_EndRequestBody) == 8, "fastcgi.h's end-request body is the wire's");

/* Where the flags byte and the role are in a begin record, header included. */
#define BEGIN_FLAGS (FCGI_HEADER_LEN + offsetof(FCGI_BeginRequestBody, flags))
#define BEGIN_ROLE  (FCGI_HEADER_LEN + offsetof(FCGI_BeginRequestBody, roleB1))

/* The header at p (FCGI_HEADER_LEN bytes there) and its fields. */
static FCGI_Header header_at(const unsigned char *p)
{
    FCGI_Header h;

    memcpy(&h, p, sizeof(h));
    return h;
}

static unsigned request_id_of(const FCGI_Header *h)
{
    return (unsigned)h->requestIdB1 << 8 | h->requestIdB0;
}

static size_t content_of(const FCGI_Header *h)
{
    return (size_t)h->contentLengthB1 << 8 | h->contentLengthB0;
}

/* ---- The head scanner ---------------------------------------------------- */

void lume_fcgi_head_init(lume_fcgi_head *h)
{
    h->pos = 0;
    h->params = 0;
    h->end = 0;
    h->request_id = 0;
    h->keep_conn = 0;
    h->role = 0;
    h->begin = 0;
}

lume_fcgi_head_state lume_fcgi_head_scan(lume_fcgi_head *h, const unsigned char *buf, size_t len)
{
    if (h->end > 0)
        return LUME_FCGI_HEAD_COMPLETE;
    for (;;) {
        FCGI_Header r;
        unsigned id;
        size_t content, next;

        if (h->pos + FCGI_HEADER_LEN > LUME_FCGI_HEAD_MAX)
            return LUME_FCGI_HEAD_TOO_LARGE; /* not even the next header fits */
        if (h->pos + FCGI_HEADER_LEN > len)
            return LUME_FCGI_HEAD_MORE;
        r = header_at(buf + h->pos); /* only once the header is there to read */
        if (r.version != FCGI_VERSION_1)
            return LUME_FCGI_HEAD_MALFORMED;
        id = request_id_of(&r);
        content = content_of(&r);
        next = h->pos + FCGI_HEADER_LEN + content + r.paddingLength;
        if (r.type == FCGI_PARAMS && id == h->request_id && id != 0 && content == 0) {
            /* The end of the params. Its padding, if any, is not part of
             * the head: libfcgi does not read it with the params either. */
            h->end = h->pos + FCGI_HEADER_LEN;
            h->keep_conn = (buf[h->begin + BEGIN_FLAGS] & FCGI_KEEP_CONN) != 0;
            h->role = (unsigned)buf[h->begin + BEGIN_ROLE] << 8 | buf[h->begin + BEGIN_ROLE + 1];
            return LUME_FCGI_HEAD_COMPLETE;
        }
        if (next > LUME_FCGI_HEAD_MAX)
            return LUME_FCGI_HEAD_TOO_LARGE;
        if (r.type == FCGI_BEGIN_REQUEST && h->request_id == 0) {
            if (id == 0 || content != sizeof(FCGI_BeginRequestBody))
                return LUME_FCGI_HEAD_MALFORMED;
            h->request_id = id;
            h->begin = h->pos; /* its flags are read once the head is complete */
        } else if (r.type == FCGI_PARAMS && id == h->request_id && id != 0) {
            h->params += content;
            if (h->params > LUME_FCGI_PARAMS_MAX)
                return LUME_FCGI_HEAD_PARAMS_TOO_LARGE;
        }
        h->pos = next;
    }
}

size_t lume_fcgi_head_need(const lume_fcgi_head *h)
{
    return h->end > 0 ? h->end : h->pos + FCGI_HEADER_LEN;
}

int lume_fcgi_head_stdin_end(const lume_fcgi_head *h, const unsigned char *rec, size_t len)
{
    FCGI_Header r;

    if (h->end == 0 || len != FCGI_HEADER_LEN)
        return 0;
    r = header_at(rec);
    return r.version == FCGI_VERSION_1 && r.type == FCGI_STDIN &&
           request_id_of(&r) == h->request_id && content_of(&r) == 0 && r.paddingLength == 0;
}

int lume_fcgi_head_whole_request(const lume_fcgi_head *h, const unsigned char *buf, size_t len)
{
    return h->end > 0 && len >= h->end && lume_fcgi_head_stdin_end(h, buf + h->end, len - h->end);
}

/* ---- The params lookup --------------------------------------------------- */

size_t lume_fcgi_params_gather(const unsigned char *head, size_t len, unsigned request_id,
                               unsigned char *out, size_t cap)
{
    size_t pos = 0, n = 0;

    while (len - pos >= FCGI_HEADER_LEN) {
        FCGI_Header h = header_at(head + pos);
        size_t clen = content_of(&h);

        if (clen > len - pos - FCGI_HEADER_LEN)
            break; /* runs past the head */
        if (h.type == FCGI_PARAMS && request_id_of(&h) == request_id) {
            size_t take = clen < cap - n ? clen : cap - n;
            memcpy(out + n, head + pos + FCGI_HEADER_LEN, take);
            n += take;
        }
        if (h.paddingLength > len - pos - FCGI_HEADER_LEN - clen)
            break; /* its padding too */
        pos += FCGI_HEADER_LEN + clen + h.paddingLength;
    }
    return n;
}

/* A name or value length at p (avail bytes there); -1 when cut short. */
static int length_at(const unsigned char *p, size_t avail, size_t *used, size_t *len)
{
    if (avail < 1)
        return -1;
    if (!(p[0] & 0x80)) {
        *len = p[0];
        *used = 1;
        return 0;
    }
    if (avail < 4)
        return -1;
    *len = ((size_t)(p[0] & 0x7f) << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
    *used = 4;
    return 0;
}

/* The pair at *pos of params[0..n): its name and value, and *pos moved past
 * it; 0 at the end, or when its lengths run past the content. */
static int next_pair(const unsigned char *params, size_t n, size_t *pos, size_t *name, size_t *nlen,
                     size_t *value, size_t *vlen)
{
    size_t at = *pos, u1, u2;

    if (at >= n || length_at(params + at, n - at, &u1, nlen) != 0 ||
        length_at(params + at + u1, n - at - u1, &u2, vlen) != 0)
        return 0;
    at += u1 + u2;
    if (*nlen > n - at || *vlen > n - at - *nlen)
        return 0; /* runs past the content */
    *name = at;
    *value = at + *nlen;
    *pos = at + *nlen + *vlen;
    return 1;
}

int lume_fcgi_params_find(const unsigned char *params, size_t n, const char *name, char *out,
                          size_t cap)
{
    size_t want = strlen(name), pos = 0, at, nlen, value, vlen;

    out[0] = '\0';
    while (next_pair(params, n, &pos, &at, &nlen, &value, &vlen))
        if (nlen == want && memcmp(params + at, name, want) == 0) {
            size_t take = vlen < cap - 1 ? vlen : cap - 1;
            memcpy(out, params + value, take);
            out[take] = '\0';
            return 1;
        }
    return 0;
}

size_t lume_fcgi_params_strings(unsigned char *params, size_t n)
{
    size_t pos = 0, out = 0, name, nlen, value, vlen;

    /* Each pair's strings end before its own value begins (its two length
     * prefixes take at least the two bytes its NULs need), so every move
     * is to an earlier place and nothing unread is written over. */
    while (next_pair(params, n, &pos, &name, &nlen, &value, &vlen)) {
        /* a NUL inside cuts the string there (and keeps the pairs in step) */
        const unsigned char *nul = memchr(params + name, '\0', nlen);

        if (nul != NULL)
            nlen = (size_t)(nul - (params + name));
        nul = memchr(params + value, '\0', vlen);
        if (nul != NULL)
            vlen = (size_t)(nul - (params + value));
        memmove(params + out, params + name, nlen);
        out += nlen;
        params[out++] = '\0';
        memmove(params + out, params + value, vlen);
        out += vlen;
        params[out++] = '\0';
    }
    return pos == n ? out : LUME_FCGI_PARAMS_BAD;
}

const char *lume_fcgi_strings_find(const char *strings, size_t len, const char *name)
{
    const char *p = strings, *end = strings + len;

    while (p < end) {
        const char *value = p + strlen(p) + 1;

        if (strcmp(p, name) == 0)
            return value;
        p = value + strlen(value) + 1;
    }
    return NULL;
}

/* ---- The record writer --------------------------------------------------- */

/* An unpadded record header of type for content_len (<= FCGI_MAX_LENGTH) bytes. */
static unsigned char *put_header(unsigned char *out, unsigned char type, unsigned request_id,
                                 size_t content_len)
{
    FCGI_Header h = {.version = FCGI_VERSION_1,
                     .type = type,
                     .requestIdB1 = (unsigned char)(request_id >> 8),
                     .requestIdB0 = (unsigned char)request_id,
                     .contentLengthB1 = (unsigned char)(content_len >> 8),
                     .contentLengthB0 = (unsigned char)content_len};

    memcpy(out, &h, sizeof(h));
    return out + sizeof(h);
}

void lume_fcgi_out_init(lume_fcgi_out *o, unsigned char *buf, size_t cap, unsigned request_id)
{
    o->buf = buf;
    o->cap = cap;
    o->len = 0;
    o->open = 0;
    o->rec = 0;
    o->request_id = request_id;
}

size_t lume_fcgi_out_put(lume_fcgi_out *o, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t taken = 0;

    while (taken < len) {
        size_t content, take;

        if (o->open && o->len - o->rec - FCGI_HEADER_LEN == FCGI_MAX_LENGTH)
            o->open = 0; /* this record is full: the next one */
        if (!o->open) {
            if (o->cap - o->len <= FCGI_HEADER_LEN)
                break; /* not a byte of content would fit */
            o->rec = o->len;
            o->len += FCGI_HEADER_LEN;
            o->open = 1;
        }
        content = o->len - o->rec - FCGI_HEADER_LEN;
        take = len - taken;
        if (take > o->cap - o->len)
            take = o->cap - o->len;
        if (take > FCGI_MAX_LENGTH - content)
            take = FCGI_MAX_LENGTH - content;
        if (take == 0)
            break;
        memcpy(o->buf + o->len, p + taken, take);
        o->len += take;
        taken += take;
        put_header(o->buf + o->rec, FCGI_STDOUT, o->request_id, content + take);
    }
    return taken;
}

void lume_fcgi_out_sent(lume_fcgi_out *o)
{
    o->len = 0;
    o->open = 0;
}

int lume_fcgi_out_end(lume_fcgi_out *o)
{
    FCGI_EndRequestBody end = {.protocolStatus = FCGI_REQUEST_COMPLETE}; /* app status 0 */
    unsigned char *p;

    if (o->cap - o->len < LUME_FCGI_OUT_END)
        return 0;
    p = put_header(o->buf + o->len, FCGI_STDOUT, o->request_id, 0);
    p = put_header(p, FCGI_END_REQUEST, o->request_id, sizeof(end));
    memcpy(p, &end, sizeof(end));
    o->len += LUME_FCGI_OUT_END;
    o->open = 0;
    return 1;
}

int lume_fcgi_out_end_closing(lume_fcgi_out *o)
{
    FCGI_UnknownTypeBody unknown = {.type = 0};
    unsigned char *p;

    if (o->cap - o->len < LUME_FCGI_OUT_END_CLOSING || !lume_fcgi_out_end(o))
        return 0;
    p = put_header(o->buf + o->len, FCGI_UNKNOWN_TYPE, FCGI_NULL_REQUEST_ID, sizeof(unknown));
    memcpy(p, &unknown, sizeof(unknown));
    o->len += sizeof(FCGI_UnknownTypeRecord);
    return 1;
}

size_t lume_fcgi_response(unsigned char *out, size_t cap, unsigned request_id, const void *a,
                          size_t a_len, const void *b, size_t b_len)
{
    size_t content = a_len + b_len;
    lume_fcgi_out o;

    if (content == 0 || a_len > FCGI_MAX_LENGTH || content > FCGI_MAX_LENGTH ||
        cap < LUME_FCGI_RESPONSE_FRAMING || content > cap - LUME_FCGI_RESPONSE_FRAMING)
        return 0;
    lume_fcgi_out_init(&o, out, cap, request_id);
    lume_fcgi_out_put(&o, a, a_len);
    lume_fcgi_out_put(&o, b, b_len);
    lume_fcgi_out_end(&o);
    return o.len;
}
