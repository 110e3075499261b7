/*
 * fuzz_allow.c: the FastCGI peer allowlist (fcgi-app/allow.c): the
 * LUME_FCGI_ALLOWED_ADDRS parser and the match of a peer's address.
 *
 * The input is a mode byte, then the list: in text mode (even mode byte) its
 * text up to a NUL; in entry mode a count and that many entries, each a form
 * byte (IPv4, IPv6 or IPv4-mapped IPv6; with a prefix or not, leading zeros
 * in it, blanks around it), 16 address bytes and a prefix length, written as
 * text with inet_ntop. Then peers, each a kind byte (IPv4, IPv6,
 * IPv4-mapped IPv6, a unix address or a short length) and 16 address bytes.
 *
 * Invariants: the list is created exactly when a reference reading of
 * allow.h accepts it ("any" with blanks around, or comma-separated entries,
 * blanks (space, tab) around each, each an inet_pton address with an
 * optional /BITS of 1 to 18 digits up to 32 or 128); else the message is
 * one line of printable text that names the first bad entry (or says it is
 * empty) and fits the buffer, whatever its size. A created list admits a
 * peer exactly when a reference CIDR match does (IPv4-mapped addresses,
 * of peers and of entries with a prefix of 96 or more, are IPv4; the first
 * BITS bits equal; other families and short addresses never): the peers of
 * the input, and for every entry the first and last address of its range
 * and the addresses one step outside it. Its entries written back as
 * ADDRESS/BITS in canonical form make a list that admits the same peers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "allow.h"
#include "fuzz/fuzz.h"

#define MAX_ENTRIES 32
#define MAX_PEERS   64

typedef struct cidr {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* IPv4 in the first 4 bytes */
    unsigned bits;
} cidr;

typedef struct peer {
    int kind; /* 0 IPv4, 1 IPv6, 2 unix, 3 truncated */
    unsigned char addr[16];
} peer;

static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int bit(const unsigned char *a, unsigned i)
{
    return a[i / 8] >> (7 - i % 8) & 1;
}

/* The entry s[0..len) (trimmed), or -1. */
static int ref_entry(const char *s, size_t len, cidr *c)
{
    char text[256];
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len, digits;
    unsigned long bits = 0;

    if (alen >= sizeof(text))
        return -1;
    memcpy(text, s, alen);
    text[alen] = '\0';
    memset(c->addr, 0, sizeof(c->addr));
    if (inet_pton(AF_INET, text, c->addr) == 1)
        c->family = AF_INET, c->bits = 32;
    else if (inet_pton(AF_INET6, text, c->addr) == 1)
        c->family = AF_INET6, c->bits = 128;
    else
        return -1;
    if (slash != NULL) {
        digits = len - alen - 1;
        if (digits < 1 || digits > 18)
            return -1;
        for (size_t i = 0; i < digits; i++) {
            if (slash[1 + i] < '0' || slash[1 + i] > '9')
                return -1;
            bits = bits * 10 + (unsigned long)(slash[1 + i] - '0');
        }
        if (bits > c->bits)
            return -1;
        c->bits = (unsigned)bits;
    }
    if (c->family == AF_INET6 && c->bits >= 96 && memcmp(c->addr, mapped_prefix, 12) == 0) {
        memmove(c->addr, c->addr + 12, 4);
        memset(c->addr + 4, 0, 12);
        c->family = AF_INET;
        c->bits -= 96;
    }
    return 0;
}

static int blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* The list: 1 when "any", 0 with the number of entries in *n (the first
 * MAX_ENTRIES of them in c), or -1 with the first bad entry at *bad (length
 * *badlen). */
static int ref_list(const char *list, cidr *c, size_t *n, const char **bad, size_t *badlen)
{
    size_t len = strlen(list);
    const char *s = list;

    *n = 0;
    while (len > 0 && blank(s[0]))
        s++, len--;
    while (len > 0 && blank(s[len - 1]))
        len--;
    if (len == 3 && memcmp(s, "any", 3) == 0)
        return 1;
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        const char *e = p, *stop = comma ? comma : p + strlen(p);
        cidr one;

        while (e < stop && blank(*e))
            e++;
        while (stop > e && blank(stop[-1]))
            stop--;
        if (ref_entry(e, (size_t)(stop - e), &one) != 0) {
            *bad = e;
            *badlen = (size_t)(stop - e);
            return -1;
        }
        if (*n < MAX_ENTRIES)
            c[*n] = one;
        (*n)++;
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

/* The reference match of an IPv4 (4 bytes) or IPv6 peer. */
static int ref_match(int any, const cidr *c, size_t n, const peer *p)
{
    unsigned char addr[16] = {0};
    int family;

    if (p->kind == 2 || p->kind == 3)
        return 0;
    if (p->kind == 0) {
        family = AF_INET;
        memcpy(addr, p->addr, 4);
    } else if (memcmp(p->addr, mapped_prefix, 12) == 0) {
        family = AF_INET;
        memcpy(addr, p->addr + 12, 4);
    } else {
        family = AF_INET6;
        memcpy(addr, p->addr, 16);
    }
    if (any)
        return 1;
    for (size_t i = 0; i < n; i++) {
        unsigned b = 0;

        if (c[i].family != family)
            continue;
        while (b < c[i].bits && bit(addr, b) == bit(c[i].addr, b))
            b++;
        if (b == c[i].bits)
            return 1;
    }
    return 0;
}

static int lib_match(const lume_allow *a, const peer *p)
{
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(40000)};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(40000)};
    struct sockaddr_un un = {.sun_family = AF_UNIX};

    switch (p->kind) {
    case 0:
        memcpy(&in.sin_addr, p->addr, 4);
        return lume_allow_match(a, (struct sockaddr *)&in, sizeof(in));
    case 1:
        memcpy(&in6.sin6_addr, p->addr, 16);
        return lume_allow_match(a, (struct sockaddr *)&in6, sizeof(in6));
    case 2: return lume_allow_match(a, (struct sockaddr *)&un, sizeof(un));
    default:
        /* an address shorter than its family's */
        if (p->addr[0] & 1) {
            memcpy(&in6.sin6_addr, p->addr, 16);
            return lume_allow_match(a, (struct sockaddr *)&in6, sizeof(in6) - 1 - p->addr[1] % 8);
        }
        memcpy(&in.sin_addr, p->addr, 4);
        return lume_allow_match(a, (struct sockaddr *)&in, sizeof(in) - 1 - p->addr[1] % 8);
    }
}

/* The first, the last address of a range and the ones just outside. */
static size_t edges(const cidr *c, peer *out)
{
    unsigned len = c->family == AF_INET ? 32 : 128;
    size_t n = 0;

    for (int last = 0; last < 2; last++) {
        peer p = {c->family == AF_INET ? 0 : 1, {0}};

        memcpy(p.addr, c->addr, 16);
        for (unsigned b = c->bits; b < len; b++) {
            unsigned char m = (unsigned char)(0x80 >> b % 8);
            p.addr[b / 8] = last ? p.addr[b / 8] | m : p.addr[b / 8] & (unsigned char)~m;
        }
        out[n++] = p;
        if (c->bits > 0) { /* one step outside: the last bit of the prefix flipped */
            p.addr[(c->bits - 1) / 8] ^= (unsigned char)(0x80 >> (c->bits - 1) % 8);
            out[n++] = p;
        }
    }
    if (c->family == AF_INET) { /* and the same as IPv4-mapped IPv6 peers */
        for (size_t i = 0, m = n; i < m; i++) {
            peer p = {1, {0}};
            memcpy(p.addr, mapped_prefix, 12);
            memcpy(p.addr + 12, out[i].addr, 4);
            out[n++] = p;
        }
    }
    return n;
}

/* Entry mode: the list as text, written from the input. */
static char *build_list(fuzz_reader *r)
{
    size_t count = fuzz_u8(r) % (MAX_ENTRIES + 1);
    char *list = malloc(count * 96 + 1), *o = list;

    FUZZ_CHECK(list != NULL);
    *o = '\0';
    for (size_t i = 0; i < count; i++) {
        uint8_t form = fuzz_u8(r), bits = fuzz_u8(r);
        unsigned char addr[16];
        char text[INET6_ADDRSTRLEN];
        int v4 = (form & 3) == 0;

        for (int j = 0; j < 16; j++)
            addr[j] = fuzz_u8(r);
        if ((form & 3) == 2) /* IPv4-mapped */
            memcpy(addr, mapped_prefix, 12);
        FUZZ_CHECK(inet_ntop(v4 ? AF_INET : AF_INET6, addr, text, sizeof(text)) != NULL);
        if (i > 0)
            *o++ = ',';
        if (form & 4)
            *o++ = ' ';
        if (form & 8)
            *o++ = '\t';
        o += sprintf(o, "%s", text);
        if (form & 16)
            o += sprintf(o, form & 32 ? "/00%u" : "/%u", bits % (v4 ? 34 : 130));
        if (form & 64)
            *o++ = ' ';
        *o = '\0';
    }
    return list;
}

/* The list admits exactly the peers the reference does. */
static void check_peers(const lume_allow *a, int any, const cidr *c, size_t n, const peer *peers,
                        size_t np)
{
    peer edge[8];

    for (size_t i = 0; i < np; i++)
        FUZZ_CHECK(lib_match(a, &peers[i]) == ref_match(any, c, n, &peers[i]));
    for (size_t i = 0; i < n; i++) {
        size_t m = edges(&c[i], edge);
        for (size_t j = 0; j < m; j++) {
            FUZZ_CHECK(lib_match(a, &edge[j]) == ref_match(any, c, n, &edge[j]));
            if (j == 0) /* the first address is in the range itself */
                FUZZ_CHECK(lib_match(a, &edge[j]));
        }
    }
}

/* The entries written back as canonical ADDRESS/BITS admit the same peers. */
static void check_written_back(const lume_allow *a, const cidr *c, size_t n, const peer *peers,
                               size_t np)
{
    char *text = malloc(n * (INET6_ADDRSTRLEN + 8) + 1), *o = text, err[256];
    lume_allow *back;

    FUZZ_CHECK(text != NULL);
    for (size_t i = 0; i < n; i++) {
        char addr[INET6_ADDRSTRLEN];
        FUZZ_CHECK(inet_ntop(c[i].family, c[i].addr, addr, sizeof(addr)) != NULL);
        o += sprintf(o, "%s%s/%u", i ? "," : "", addr, c[i].bits);
    }
    *o = '\0';
    back = lume_allow_create(text, err, sizeof(err));
    FUZZ_CHECK(back != NULL);
    for (size_t i = 0; i < np; i++)
        FUZZ_CHECK(lib_match(back, &peers[i]) == lib_match(a, &peers[i]));
    lume_allow_destroy(back);
    free(text);
}

/* A refusal: one printable line that names the bad entry. */
static void check_message(const char *err, size_t errlen, const char *bad, size_t badlen)
{
    char named[65];
    size_t k = badlen < 64 ? badlen : 64;

    FUZZ_CHECK(strlen(err) < errlen);
    FUZZ_CHECK(errlen == 1 || err[0] != '\0');
    for (const char *e = err; *e != '\0'; e++)
        FUZZ_CHECK((unsigned char)*e >= 0x20 && *e != 0x7F);
    if (errlen < 256)
        return; /* cut: it may not get as far as the entry */
    if (badlen == 0) {
        FUZZ_CHECK(strstr(err, "empty") != NULL);
        return;
    }
    /* the entry, as far as it is shown, control characters as '?' */
    for (size_t i = 0; i < k; i++)
        named[i] = (unsigned char)bad[i] < 0x20 || bad[i] == 0x7F ? '?' : bad[i];
    named[k] = '\0';
    FUZZ_CHECK(strstr(err, named) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    uint8_t mode = fuzz_u8(&r);
    size_t errlen = mode & 0x80 ? 1 + (size_t)(mode & 0x7E) : 256, n, np = 0, badlen = 0;
    char *list = mode & 1 ? build_list(&r) : fuzz_until(&r, 0, NULL), *err = malloc(errlen);
    const char *bad = NULL;
    cidr c[MAX_ENTRIES];
    peer peers[MAX_PEERS];
    lume_allow *a;
    int ref;

    FUZZ_CHECK(err != NULL);
    while (r.left > 0 && np < MAX_PEERS) {
        uint8_t kind = fuzz_u8(&r);
        peer *p = &peers[np++];

        p->kind = kind & 3;
        for (int j = 0; j < 16; j++)
            p->addr[j] = fuzz_u8(&r);
        if (p->kind == 1 && kind & 4) /* IPv4-mapped */
            memcpy(p->addr, mapped_prefix, 12);
    }

    ref = ref_list(list, c, &n, &bad, &badlen);
    memset(err, 'x', errlen);
    a = lume_allow_create(list, err, errlen);
    if (ref < 0) {
        FUZZ_CHECK(a == NULL);
        check_message(err, errlen, bad, badlen);
    } else {
        FUZZ_CHECK(a != NULL);
        if (n <= MAX_ENTRIES) { /* else the reference has not kept them all */
            check_peers(a, ref == 1, c, n, peers, np);
            if (ref == 0)
                check_written_back(a, c, n, peers, np);
        }
        lume_allow_destroy(a);
    }
    free(err);
    free(list);
    return 0;
}
