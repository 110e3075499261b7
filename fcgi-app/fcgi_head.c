/* fcgi_head.c: scanning the record headers of a FastCGI request head (see fcgi_head.h). */
#include "fcgi_head.h"

#include <fastcgi.h>
#include <stddef.h>

#define HEADER_LEN    FCGI_HEADER_LEN
#define VERSION_1     FCGI_VERSION_1
#define BEGIN_REQUEST FCGI_BEGIN_REQUEST
#define PARAMS        FCGI_PARAMS
#define STDIN         FCGI_STDIN
#define BEGIN_BODY    sizeof(FCGI_BeginRequestBody)
/* Where the flags byte is in a begin record, header included. */
#define BEGIN_FLAGS (HEADER_LEN + offsetof(FCGI_BeginRequestBody, flags))

void lume_fcgi_head_init(lume_fcgi_head *h)
{
    h->pos = 0;
    h->params = 0;
    h->end = 0;
    h->request_id = 0;
    h->keep_conn = 0;
    h->begin = 0;
}

lume_fcgi_head_state lume_fcgi_head_scan(lume_fcgi_head *h, const unsigned char *buf, size_t len)
{
    if (h->end > 0)
        return LUME_FCGI_HEAD_COMPLETE;
    for (;;) {
        const unsigned char *r;
        unsigned id;
        size_t content, next;

        if (h->pos + HEADER_LEN > LUME_FCGI_HEAD_MAX)
            return LUME_FCGI_HEAD_TOO_LARGE; /* not even the next header fits */
        if (h->pos + HEADER_LEN > len)
            return LUME_FCGI_HEAD_MORE;
        r = buf + h->pos; /* only once the header is there to point at */
        if (r[0] != VERSION_1)
            return LUME_FCGI_HEAD_MALFORMED;
        id = (unsigned)r[2] << 8 | r[3];
        content = (size_t)r[4] << 8 | r[5];
        next = h->pos + HEADER_LEN + content + r[6]; /* + padding */
        if (r[1] == PARAMS && id == h->request_id && id != 0 && content == 0) {
            /* The end of the params. Its padding, if any, is not part of
             * the head: libfcgi does not read it with the params either. */
            h->end = h->pos + HEADER_LEN;
            h->keep_conn = (buf[h->begin + BEGIN_FLAGS] & FCGI_KEEP_CONN) != 0;
            return LUME_FCGI_HEAD_COMPLETE;
        }
        if (next > LUME_FCGI_HEAD_MAX)
            return LUME_FCGI_HEAD_TOO_LARGE;
        if (r[1] == BEGIN_REQUEST && h->request_id == 0) {
            if (id == 0 || content != BEGIN_BODY)
                return LUME_FCGI_HEAD_MALFORMED;
            h->request_id = id;
            h->begin = h->pos; /* its flags are read once the head is complete */
        } else if (r[1] == PARAMS && id == h->request_id && id != 0) {
            h->params += content;
            if (h->params > LUME_FCGI_PARAMS_MAX)
                return LUME_FCGI_HEAD_PARAMS_TOO_LARGE;
        }
        h->pos = next;
    }
}

size_t lume_fcgi_head_need(const lume_fcgi_head *h)
{
    return h->end > 0 ? h->end : h->pos + HEADER_LEN;
}

int lume_fcgi_head_stdin_end(const lume_fcgi_head *h, const unsigned char *rec, size_t len)
{
    return h->end > 0 && len == HEADER_LEN && rec[0] == VERSION_1 && rec[1] == STDIN &&
           ((unsigned)rec[2] << 8 | rec[3]) == h->request_id && rec[4] == 0 && rec[5] == 0 &&
           rec[6] == 0;
}

int lume_fcgi_head_whole_request(const lume_fcgi_head *h, const unsigned char *buf, size_t len)
{
    return h->end > 0 && len >= h->end && lume_fcgi_head_stdin_end(h, buf + h->end, len - h->end);
}
