/*
 * fcgi_params.h: the params of a complete FastCGI request head (fcgi_head.h),
 * read without libfcgi, for the health responder (health.h), which serves
 * its connections without blocking and so cannot hand them to libfcgi.
 *
 * Gather the content of the request's FCGI_PARAMS records, in order (a pair
 * may span two records), then look names up in it. Nothing is trusted: a
 * record that runs past the head ends the gathering, a pair whose lengths
 * run past the content ends the lookup, values longer than the output are
 * cut. Name-value lengths are FastCGI's: one byte below 128, else four
 * bytes with the high bit set.
 */
#ifndef LUME_FCGI_PARAMS_H
#define LUME_FCGI_PARAMS_H

#include <stddef.h>

/* Copy the content of head[0..len)'s FCGI_PARAMS records of request_id into
 * out (at most cap bytes, the rest dropped); returns the bytes copied. */
size_t lume_fcgi_params_gather(const unsigned char *head, size_t len, unsigned request_id,
                               unsigned char *out, size_t cap);

/* The value of the first pair called name in params[0..n), NUL-terminated
 * in out and cut to cap - 1 bytes (cap >= 1); 1 when found, else 0 and out
 * is "". */
int lume_fcgi_params_find(const unsigned char *params, size_t n, const char *name, char *out,
                          size_t cap);

#endif
