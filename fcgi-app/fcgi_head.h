/*
 * fcgi_head.h: is the head of a FastCGI request complete, and within bounds?
 *
 * The head is everything a web server sends before the request can be
 * served: FCGI_BEGIN_REQUEST and the FCGI_PARAMS stream up to the header of
 * its empty end record, exactly the bytes libfcgi's FCGX_Accept_r() reads.
 * Only record headers are looked at, so the scan can run over bytes that are
 * still arriving: call lume_fcgi_head_scan() with all the bytes received so
 * far, from the first, each time more have come; lume_fcgi_head_need() says
 * how many it takes to get further, so a reader never reads past the head.
 * Records of other request ids and management records are stepped over
 * (libfcgi answers or skips them); whatever is not FastCGI version 1 is
 * malformed.
 *
 * Bounds: the params (the FCGI_PARAMS content, name-value pairs with their
 * length prefixes) of one request at most LUME_FCGI_PARAMS_MAX bytes; the
 * whole head, record headers and padding included, at most
 * LUME_FCGI_HEAD_MAX. nginx sends its params as one record of at most 65535
 * bytes, so neither bound ever stops it.
 */
#ifndef LUME_FCGI_HEAD_H
#define LUME_FCGI_HEAD_H

#include <stddef.h>

#define LUME_FCGI_PARAMS_MAX 65536
#define LUME_FCGI_HEAD_MAX   (LUME_FCGI_PARAMS_MAX + 8192)

typedef enum lume_fcgi_head_state {
    LUME_FCGI_HEAD_MORE = 0,         /* not complete yet */
    LUME_FCGI_HEAD_COMPLETE,         /* the first h->end bytes are the head */
    LUME_FCGI_HEAD_PARAMS_TOO_LARGE, /* params over LUME_FCGI_PARAMS_MAX */
    LUME_FCGI_HEAD_TOO_LARGE,        /* the head would pass LUME_FCGI_HEAD_MAX */
    LUME_FCGI_HEAD_MALFORMED         /* not FastCGI 1, or a bad FCGI_BEGIN_REQUEST */
} lume_fcgi_head_state;

typedef struct lume_fcgi_head {
    size_t pos;          /* offset of the next record header */
    size_t params;       /* params bytes announced so far */
    size_t end;          /* when complete: the length of the head */
    unsigned request_id; /* of the FCGI_BEGIN_REQUEST; 0 before it */
    size_t begin;        /* offset of the FCGI_BEGIN_REQUEST record */
    int keep_conn; /* once complete: its FCGI_KEEP_CONN flag (the peer keeps the connection) */
} lume_fcgi_head;

void lume_fcgi_head_init(lume_fcgi_head *h);

/* Scan buf[0..len), the bytes received so far (len never shrinks between
 * calls on one head). Once the answer is not MORE it stays the same. */
lume_fcgi_head_state lume_fcgi_head_scan(lume_fcgi_head *h, const unsigned char *buf, size_t len);

/* Once COMPLETE: is buf[0..len) the whole request, nothing more to come?
 * That is the head, then the header of the empty FCGI_STDIN record of the
 * same request (a request without a body: nginx sends it with the head),
 * and not a byte more. */
int lume_fcgi_head_whole_request(const lume_fcgi_head *h, const unsigned char *buf, size_t len);

/* Once COMPLETE: is rec[0..len), what followed the head, exactly the header
 * of the empty FCGI_STDIN record of the same request (no body, nothing
 * more)? lume_fcgi_head_whole_request() asks it of the bytes after the head. */
int lume_fcgi_head_stdin_end(const lume_fcgi_head *h, const unsigned char *rec, size_t len);

/* While MORE: the bytes it takes to get further (never past the head, never
 * over LUME_FCGI_HEAD_MAX); once COMPLETE: the length of the head. */
size_t lume_fcgi_head_need(const lume_fcgi_head *h);

#endif
