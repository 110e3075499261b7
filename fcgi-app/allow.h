/*
 * allow.h: the addresses a TCP FastCGI listener admits
 * (LUME_FCGI_ALLOWED_ADDRS).
 *
 * A list is "any", or comma-separated IPv4 and IPv6 addresses and CIDR
 * ranges, blanks around the commas allowed: "127.0.0.1, ::1, 172.28.0.0/16".
 * Host bits below a range's prefix are ignored (10.1.2.3/8 is 10.0.0.0/8).
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d), in the list or as the peer of
 * a dual-stack listener, are compared as the IPv4 address they carry.
 */
#ifndef LUME_ALLOW_H
#define LUME_ALLOW_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct lume_allow lume_allow;

/* Parse a list. Returns it, or NULL with a one-line reason in err (which
 * names the entry, control characters shown as '?'); NULL with err "" when
 * out of memory. */
lume_allow *lume_allow_create(const char *list, char *err, size_t errlen);

void lume_allow_destroy(lume_allow *a);

/* Is this peer (AF_INET or AF_INET6) admitted? Other families are not. */
int lume_allow_match(const lume_allow *a, const struct sockaddr *peer, socklen_t len);

#endif
