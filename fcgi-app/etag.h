/*
 * etag.h: the strong entity tag of a response body and the If-None-Match
 * test (RFC 9110, 8.8.3 and 13.1.2).
 *
 * The tag is "<length in hex>-<SipHash-2-4 of the body, 16 hex digits>",
 * quotes included: the same bytes always get the same tag, in every worker
 * and after every restart (the key is fixed), so nginx's cache, a worker and
 * the client agree on it.
 */
#ifndef LUME_ETAG_H
#define LUME_ETAG_H

#include <stddef.h>

#define LUME_ETAG_BUF 40 /* '"' 16 hex '-' 16 hex '"' NUL */

/* Write the strong tag of body[0..len) into out. */
void lume_etag(const char *body, size_t len, char out[LUME_ETAG_BUF]);

/* Does the If-None-Match value header (a list of entity tags, or "*") match
 * etag? Weak comparison: W/"x" matches "x". A malformed member ends the list
 * (what came before it still counts). NULL or "" match nothing. */
int lume_etag_none_match(const char *header, const char *etag);

#endif
