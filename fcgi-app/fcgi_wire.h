/*
 * fcgi_wire.h: the FastCGI protocol as Lume reads and writes it, in one
 * place (libfcgi's fcgiapp.h is not used). The protocol's declarations
 * (record types, header layout, FCGI_KEEP_CONN, the end-request body) are
 * libfcgi's fastcgi.h, included here; this module owns what is done with
 * them, without I/O and without allocating:
 *
 *   - the head scanner: is the head of a request complete, and within
 *     bounds, does its peer keep the connection, and in which role (the
 *     acceptor, for every worker; the health responder);
 *   - the params: gathered from the head's records, then either looked up
 *     one by one into bounded copies (the health responder) or made
 *     strings in place for the request in hand (a worker's acceptor);
 *   - the record writer: a response as FCGI_STDOUT records and
 *     FCGI_END_REQUEST, whole into one buffer (the health responder) or as
 *     a stream of any length through a buffer sent when full (a worker).
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
 *
 * The params lookup: gather the content of the request's FCGI_PARAMS
 * records, in order (a pair may span two records), then look names up in
 * it. Nothing is trusted: a record that runs past the head ends the
 * gathering, a pair whose lengths run past the content ends the lookup,
 * values longer than the output are cut. Name-value lengths are FastCGI's:
 * one byte below 128, else four bytes with the high bit set.
 */
#ifndef LUME_FCGI_WIRE_H
#define LUME_FCGI_WIRE_H

#include <fastcgi.h>
#include <stddef.h>

#define LUME_FCGI_PARAMS_MAX 65536
#define LUME_FCGI_HEAD_MAX   (LUME_FCGI_PARAMS_MAX + 8192)

/* ---- The head scanner ---------------------------------------------------- */

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
    unsigned role; /* once complete: its role (FCGI_RESPONDER from a web server) */
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

/* ---- The params lookup --------------------------------------------------- */

/* Copy the content of head[0..len)'s FCGI_PARAMS records of request_id into
 * out (at most cap bytes, the rest dropped); returns the bytes copied. */
size_t lume_fcgi_params_gather(const unsigned char *head, size_t len, unsigned request_id,
                               unsigned char *out, size_t cap);

/* The value of the first pair called name in params[0..n), NUL-terminated
 * in out and cut to cap - 1 bytes (cap >= 1); 1 when found, else 0 and out
 * is "". */
int lume_fcgi_params_find(const unsigned char *params, size_t n, const char *name, char *out,
                          size_t cap);

/* What lume_fcgi_params_strings() returns for pairs that run past the content. */
#define LUME_FCGI_PARAMS_BAD ((size_t)-1)

/* The pairs of params[0..n) as strings, in place: each name, then its
 * value, each NUL-terminated, pair after pair. They never take more room
 * than the pairs did (a pair's two length prefixes make room for its two
 * NULs). Returns the bytes of strings now at params, or LUME_FCGI_PARAMS_BAD
 * when a pair's lengths run past the content. A name or value holding a NUL
 * is cut there (as a C string reads it), so every string ends with its own
 * NUL and the pairs stay in step. */
size_t lume_fcgi_params_strings(unsigned char *params, size_t n);

/* The value of the first pair called name in strings[0..len) (made by
 * lume_fcgi_params_strings()), or NULL. */
const char *lume_fcgi_strings_find(const char *strings, size_t len, const char *name);

/* ---- The record writer --------------------------------------------------- */

/* A response's FCGI_STDOUT stream of any length, written into buf as
 * records of at most FCGI_MAX_LENGTH bytes of content, unpadded; the caller
 * sends buf[0..len) whenever lume_fcgi_out_put() takes less than it was
 * given (buf is full) and once lume_fcgi_out_end() has ended the request,
 * and says so with lume_fcgi_out_sent(). A record is whole in buf whenever
 * it is sent: a stream sent in parts is records of every part. */
typedef struct lume_fcgi_out {
    unsigned char *buf;
    size_t cap, len;     /* buf's size; bytes written in it, to send */
    size_t rec;          /* while open: the offset of the record being filled */
    int open;            /* a FCGI_STDOUT record is being filled */
    unsigned request_id; /* of the request answered */
} lume_fcgi_out;

/* The empty FCGI_STDOUT record and FCGI_END_REQUEST, which end a response. */
#define LUME_FCGI_OUT_END (2 * FCGI_HEADER_LEN + sizeof(FCGI_EndRequestBody))
/* The least buf that takes a byte of content and then the end. */
#define LUME_FCGI_OUT_MIN (FCGI_HEADER_LEN + 1 + LUME_FCGI_OUT_END)

/* Ready to write request_id's response into buf[0..cap), cap at least
 * LUME_FCGI_OUT_MIN. */
void lume_fcgi_out_init(lume_fcgi_out *o, unsigned char *buf, size_t cap, unsigned request_id);

/* Write data[0..len) as content; returns the bytes taken, fewer than len
 * only when buf is full (send it, lume_fcgi_out_sent(), put the rest). */
size_t lume_fcgi_out_put(lume_fcgi_out *o, const void *data, size_t len);

/* End the response: the empty FCGI_STDOUT record and FCGI_END_REQUEST
 * (application status 0, FCGI_REQUEST_COMPLETE). 0, writing nothing, when
 * they do not fit after what buf holds: send it, lume_fcgi_out_sent(), and
 * end again. */
int lume_fcgi_out_end(lume_fcgi_out *o);

/* The end of a response whose connection is closed after it: the end
 * records, then an FCGI_UNKNOWN_TYPE management record (request id 0, for
 * type 0: a type no web server sends), in the same bytes. nginx keeps a
 * FastCGI connection only when what it read ends with FCGI_END_REQUEST;
 * with bytes after it, it takes the response as complete and closes the
 * connection (ngx_http_fastcgi_input_filter()), so it never sends a request
 * on one the worker is closing. */
#define LUME_FCGI_OUT_END_CLOSING (LUME_FCGI_OUT_END + sizeof(FCGI_UnknownTypeRecord))

/* lume_fcgi_out_end(), and the closing mark after it: all of it, or (0)
 * nothing when it does not fit after what buf holds (send it,
 * lume_fcgi_out_sent(), end again; buf must be at least
 * LUME_FCGI_OUT_END_CLOSING). */
int lume_fcgi_out_end_closing(lume_fcgi_out *o);

/* buf[0..len) was sent: buf is empty again; the next content opens a record. */
void lume_fcgi_out_sent(lume_fcgi_out *o);

/* What lume_fcgi_response() adds to content of len bytes (len > 0): the
 * header of its FCGI_STDOUT record, the empty FCGI_STDOUT record that ends
 * the stream, and the FCGI_END_REQUEST record. */
#define LUME_FCGI_RESPONSE_FRAMING (FCGI_HEADER_LEN + LUME_FCGI_OUT_END)

/* Write the whole response of request_id into out: its content, a[0..a_len)
 * then b[0..b_len) (a CGI head and a body; together 1 to FCGI_MAX_LENGTH
 * bytes), as one unpadded FCGI_STDOUT record, then the empty FCGI_STDOUT
 * record and FCGI_END_REQUEST (application status 0,
 * FCGI_REQUEST_COMPLETE). Returns the bytes written, a_len + b_len +
 * LUME_FCGI_RESPONSE_FRAMING; 0, writing nothing, when the content is empty
 * or too long for one record, or the records do not fit in cap. */
size_t lume_fcgi_response(unsigned char *out, size_t cap, unsigned request_id, const void *a,
                          size_t a_len, const void *b, size_t b_len);

#endif
