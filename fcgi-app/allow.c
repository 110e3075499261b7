/* allow.c: parsing and matching the FastCGI peer allowlist (see allow.h). */
#include "allow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"

typedef struct range {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network order; IPv4 in the first 4 bytes */
    unsigned bits;          /* prefix length */
} range;

struct lume_allow {
    int any;
    size_t n;
    range ranges[]; /* n of them */
};

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Keep the first bits of addr, zero the rest. */
static void mask(unsigned char *addr, size_t len, unsigned bits)
{
    for (size_t i = 0; i < len; i++) {
        unsigned keep = bits >= 8 * (i + 1) ? 8 : (bits > 8 * i ? bits - 8 * (unsigned)i : 0);
        addr[i] &= (unsigned char)(0xff00 >> keep);
    }
}

/* One entry, "ADDR" or "ADDR/BITS", already trimmed. */
static int parse_range(const char *s, size_t len, range *r)
{
    char text[INET6_ADDRSTRLEN + 8];
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    long bits;

    if (alen == 0 || alen >= INET6_ADDRSTRLEN)
        return -1;
    memcpy(text, s, alen);
    text[alen] = '\0';
    if (inet_pton(AF_INET, text, r->addr) == 1) {
        r->family = AF_INET;
        bits = 32;
    } else if (inet_pton(AF_INET6, text, r->addr) == 1) {
        r->family = AF_INET6;
        bits = 128;
    } else {
        return -1;
    }
    if (slash != NULL &&
        lume_decimal_parse(slash + 1, len - alen - 1, 0, r->family == AF_INET ? 32 : 128, &bits))
        return -1;
    r->bits = (unsigned)bits;
    if (r->family == AF_INET6 && memcmp(r->addr, v4_mapped, 12) == 0 && r->bits >= 96) {
        memmove(r->addr, r->addr + 12, 4); /* ::ffff:a.b.c.d/n is a.b.c.d/(n-96) */
        r->family = AF_INET;
        r->bits -= 96;
    }
    mask(r->addr, r->family == AF_INET ? 4 : 16, r->bits);
    return 0;
}

/* Narrow [*s, *s + *len) to its part without surrounding blanks. */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t'))
        (*s)++, (*len)--;
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Why the entry s[0..len) is refused, in one line: at most 64 of its bytes,
 * control characters shown as '?' (the list may come from the environment). */
static void refuse(const char *s, size_t len, char *err, size_t errlen)
{
    char shown[65];
    size_t n = len > 64 ? 64 : len;

    for (size_t i = 0; i < n; i++)
        shown[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? '?' : s[i];
    shown[n] = '\0';
    if (len == 0)
        snprintf(err, errlen, "an entry is empty");
    else
        snprintf(err, errlen, "\"%s\" is not an address or ADDRESS/BITS", shown);
}

lume_allow *lume_allow_create(const char *list, char *err, size_t errlen)
{
    const char *p = list;
    size_t len = strlen(list), n = 1;
    lume_allow *a;

    trim(&p, &len);
    if (len == 3 && memcmp(p, "any", 3) == 0) {
        a = calloc(1, sizeof(*a));
        if (a != NULL)
            a->any = 1;
        else
            err[0] = '\0';
        return a;
    }
    for (const char *c = list; *c != '\0'; c++)
        n += *c == ',';
    a = calloc(1, sizeof(*a) + n * sizeof(range));
    if (a == NULL) {
        err[0] = '\0';
        return NULL;
    }
    for (p = list;; p++) {
        const char *end = strchr(p, ',');

        len = end ? (size_t)(end - p) : strlen(p);
        trim(&p, &len);
        if (parse_range(p, len, &a->ranges[a->n]) != 0) {
            refuse(p, len, err, errlen);
            free(a);
            return NULL;
        }
        a->n++;
        if (end == NULL)
            break;
        p = end;
    }
    return a;
}

void lume_allow_destroy(lume_allow *a)
{
    free(a);
}

int lume_allow_match(const lume_allow *a, const struct sockaddr *peer, socklen_t len)
{
    unsigned char addr[16];
    int family;

    if (peer->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        memcpy(addr, &((const struct sockaddr_in *)(const void *)peer)->sin_addr, 4);
        family = AF_INET;
    } else if (peer->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        memcpy(addr, &((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr, 16);
        family = AF_INET6;
        if (memcmp(addr, v4_mapped, 12) == 0) {
            memmove(addr, addr + 12, 4);
            family = AF_INET;
        }
    } else {
        return 0;
    }
    if (a->any)
        return 1;
    for (size_t i = 0; i < a->n; i++) {
        const range *r = &a->ranges[i];
        unsigned char masked[16];

        if (r->family != family)
            continue;
        memcpy(masked, addr, sizeof(masked));
        mask(masked, family == AF_INET ? 4 : 16, r->bits);
        if (memcmp(masked, r->addr, family == AF_INET ? 4 : 16) == 0)
            return 1;
    }
    return 0;
}
