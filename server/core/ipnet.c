/*
 * ipnet.c - IP addresses and network sets (see ipnet.h).
 * The network syntax is SpamAssassin's (NetSet::add_cidr with NetAddr::IP):
 * partial dotted quads imply a mask, IPv4 lives in ::ffff:0:0/96 so one
 * entry list serves both families, and an entry already covered by an
 * earlier one is dropped while the set is small, which is what makes SA's
 * first-match search agree with a longest-prefix one.
 */
#include "core/ipnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

/* NetSet::add_cidr skips entries covered by an earlier one only while the
 * list is shorter than this (bug 5931: the check is quadratic). */
#define IPNET_DECLARED_CHECK_MAX 200

static const uint8_t ipnet_v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
prefix_caseeq(struct strv s, const char *lit)
{
    size_t n = strlen(lit);

    return s.len >= n && strv_caseeq(strv_make(s.p, n), lit);
}

/* A strict dotted quad: four decimal octets, no leading zeros (inet_pton). */
static bool
parse_v4(const char *p, size_t len, uint8_t out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t start = i;

        if (part > 0) {
            if (i >= len || p[i] != '.')
                return false;
            start = ++i;
        }
        while (i < len && is_digit(p[i]) && i - start < 3)
            v = v * 10 + (unsigned)(p[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && p[start] == '0'))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == len;
}

/* RFC 4291 section 2.2 text, with an optional dotted quad at the end. */
static bool
parse_v6(const char *p, size_t len, uint8_t out[16])
{
    uint16_t g[8];
    int ng = 0, gap = -1;
    size_t i = 0;

    if (len >= 2 && p[0] == ':' && p[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len > 0 && p[0] == ':') {
        return false;
    }
    while (i < len) {
        size_t start = i;
        unsigned v = 0;

        while (i < len && strv_hexval(p[i]) >= 0 && i - start < 4)
            v = v * 16 + (unsigned)strv_hexval(p[i++]);
        if (i < len && p[i] == '.') { /* embedded IPv4: the last 32 bits */
            uint8_t q[4];

            if (ng > 6 || !parse_v4(p + start, len - start, q))
                return false;
            g[ng++] = (uint16_t)(q[0] << 8 | q[1]);
            g[ng++] = (uint16_t)(q[2] << 8 | q[3]);
            i = len;
            break;
        }
        if (i == start || ng == 8)
            return false;
        g[ng++] = (uint16_t)v;
        if (i == len)
            break;
        if (p[i] != ':')
            return false;
        i++;
        if (i < len && p[i] == ':') {
            if (gap >= 0)
                return false;
            gap = ng;
            i++;
        } else if (i == len) {
            return false; /* a single trailing colon */
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7)
        return false;
    memset(out, 0, 16);
    for (int k = 0; k < ng; k++) {
        int pos = (gap >= 0 && k >= gap) ? k + (8 - ng) : k;
        out[2 * pos] = (uint8_t)(g[k] >> 8);
        out[2 * pos + 1] = (uint8_t)g[k];
    }
    return true;
}

static void
set_v4(struct ipaddr *a, const uint8_t q[4])
{
    memcpy(a->b, ipnet_v4_prefix, 12);
    memcpy(a->b + 12, q, 4);
    a->v4 = true;
}

static bool
is_mapped(const struct ipaddr *a)
{
    return memcmp(a->b, ipnet_v4_prefix, 12) == 0;
}

bool
ipaddr_parse(struct strv s, struct ipaddr *out)
{
    uint8_t q[4];

    if (s.len >= 2 && s.p[0] == '[' && s.p[s.len - 1] == ']')
        s = strv_make(s.p + 1, s.len - 2);
    if (prefix_caseeq(s, "IPv6:"))
        s = strv_make(s.p + 5, s.len - 5);
    if (parse_v4(s.p, s.len, q)) {
        set_v4(out, q);
        return true;
    }
    /* a zone ("fe80::1%eth0") names an interface; it is not part of the address */
    const char *pct = memchr(s.p, '%', s.len);
    if (pct != NULL) {
        if (pct == s.p + s.len - 1)
            return false;
        s.len = (size_t)(pct - s.p);
    }
    if (!parse_v6(s.p, s.len, out->b))
        return false;
    out->v4 = false;
    return true;
}

const char *
ipaddr_str(const struct ipaddr *a, char *out, size_t outlen)
{
    char tmp[64];
    size_t n = 0;
    int best = -1, bestlen = 1;

    if (a->v4) {
        snprintf(out, outlen, "%u.%u.%u.%u", a->b[12], a->b[13], a->b[14], a->b[15]);
        return out;
    }
    /* RFC 5952 4.2: compress the longest run of two or more zero groups, the first if tied */
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && a->b[2 * j] == 0 && a->b[2 * j + 1] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j > i ? j : i + 1;
    }
    if (is_mapped(a) && best == 0) { /* RFC 5952 5: mapped addresses end in a dotted quad */
        snprintf(out, outlen, "::ffff:%u.%u.%u.%u", a->b[12], a->b[13], a->b[14], a->b[15]);
        return out;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "::");
            i += bestlen - 1;
            continue;
        }
        if (i > 0 && i != best + bestlen)
            tmp[n++] = ':';
        n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%x", a->b[2 * i] << 8 | a->b[2 * i + 1]);
    }
    tmp[n] = '\0';
    snprintf(out, outlen, "%s", tmp);
    return out;
}

static bool
in_prefix(const uint8_t *addr, const uint8_t *net, unsigned prefix)
{
    unsigned full = prefix / 8, rest = prefix % 8;

    if (memcmp(addr, net, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (addr[full] & mask) == (net[full] & mask);
}

bool
ipaddr_is_private(const struct ipaddr *a)
{
    static const struct {
        uint8_t net[4];
        unsigned prefix;
    } v4[] = {
        { { 10, 0, 0, 0 }, 8 },    { { 127, 0, 0, 0 }, 8 },    { { 169, 254, 0, 0 }, 16 },
        { { 172, 16, 0, 0 }, 12 }, { { 192, 168, 0, 0 }, 16 }, { { 100, 64, 0, 0 }, 10 },
    };
    static const uint8_t fe80[16] = { 0xfe, 0x80 };

    if (is_mapped(a)) {
        for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
            if (in_prefix(a->b + 12, v4[i].net, v4[i].prefix))
                return true;
        return false;
    }
    return in_prefix(a->b, fe80, 10) || ipaddr_is_loopback(a);
}

bool
ipaddr_is_loopback(const struct ipaddr *a)
{
    static const uint8_t one[16] = { [15] = 1 };

    if (is_mapped(a))
        return a->b[12] == 127;
    return memcmp(a->b, one, 16) == 0;
}

void
ipset_init(struct ipset *s)
{
    s->v = NULL;
    s->n = s->cap = 0;
}

void
ipset_clear(struct ipset *s)
{
    free(s->v);
    ipset_init(s);
}

static void
mask_addr(uint8_t *b, unsigned prefix)
{
    for (unsigned i = 0; i < 16; i++) {
        if (prefix >= 8 * (i + 1))
            continue;
        if (prefix <= 8 * i)
            b[i] = 0;
        else
            b[i] &= (uint8_t)(0xff << (8 - (prefix - 8 * i)));
    }
}

static void
push_net(struct ipset *s, const struct ipnet *net)
{
    /* NetSet::is_net_declared: an entry inside an earlier one is dropped */
    if (s->n < IPNET_DECLARED_CHECK_MAX)
        for (size_t i = 0; i < s->n; i++)
            if (s->v[i].prefix <= net->prefix &&
                in_prefix(net->addr.b, s->v[i].addr.b, s->v[i].prefix))
                return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
    }
    s->v[s->n++] = *net;
}

/* A decimal number of at most 3 digits after leading zeros (Perl's %d). */
static bool
parse_dec(const char *p, size_t len, unsigned max, unsigned *out)
{
    unsigned v = 0;

    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(p[i]))
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

/* SA's shorthand: "10", "10.", "10.1", "10.1.2.", "010.1.2.3" (leading zeros are decimal). */
static bool
parse_v4_short(const char *p, size_t len, uint8_t q[4], unsigned *implied)
{
    unsigned parts = 0;
    size_t i = 0;

    memset(q, 0, 4);
    while (i < len && parts < 4) {
        size_t start = i;
        unsigned v;

        while (i < len && is_digit(p[i]))
            i++;
        if (!parse_dec(p + start, i - start, 255, &v))
            return false;
        q[parts++] = (uint8_t)v;
        if (i == len || parts == 4)
            break;
        if (p[i] != '.')
            return false;
        i++;
        if (i == len && parts < 4)
            break; /* a trailing dot */
    }
    if (i != len)
        return false;
    *implied = 8 * parts;
    return true;
}

/* The mask after '/': a length, or for IPv4 a contiguous dotted netmask. */
static bool
parse_mask(const char *p, size_t len, bool v4, unsigned *prefix)
{
    uint8_t q[4];

    if (parse_dec(p, len, v4 ? 32 : 128, prefix))
        return true;
    if (!v4 || !parse_v4(p, len, q))
        return false;
    uint32_t m = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
    if ((~m & (~m + 1)) != 0) /* the inverse must be 2^k - 1 */
        return false;
    *prefix = 0;
    while (m & 0x80000000u) {
        (*prefix)++;
        m <<= 1;
    }
    return true;
}

/* NetSet's test: digits, then a dot or the end. */
static bool
looks_v4(struct strv s)
{
    size_t i = 0;

    while (i < s.len && is_digit(s.p[i]))
        i++;
    return i > 0 && (i == s.len || s.p[i] == '.');
}

/* One address or network, no '!' and no range; prefix counts in 128 bits. */
static bool
parse_net(struct strv s, struct ipnet *net)
{
    const char *slash = memchr(s.p, '/', s.len);
    struct strv addr = s, mask = { NULL, 0 };
    unsigned prefix;

    if (slash != NULL) {
        addr.len = (size_t)(slash - s.p);
        mask = strv_make(slash + 1, s.len - addr.len - 1);
    }
    if (addr.len >= 2 && addr.p[0] == '[' && addr.p[addr.len - 1] == ']')
        addr = strv_make(addr.p + 1, addr.len - 2);
    if (looks_v4(addr)) {
        uint8_t q[4];
        unsigned implied;

        if (!parse_v4_short(addr.p, addr.len, q, &implied))
            return false;
        if (mask.p == NULL)
            prefix = implied;
        else if (!parse_mask(mask.p, mask.len, true, &prefix))
            return false;
        set_v4(&net->addr, q);
        net->prefix = 96 + prefix;
    } else {
        if (!ipaddr_parse(addr, &net->addr))
            return false;
        if (mask.p == NULL)
            prefix = net->addr.v4 ? 32 : 128;
        else if (!parse_mask(mask.p, mask.len, net->addr.v4, &prefix))
            return false;
        net->prefix = net->addr.v4 ? 96 + prefix : prefix;
    }
    mask_addr(net->addr.b, net->prefix);
    return true;
}

static int
cmp_addr(const uint8_t *a, const uint8_t *b)
{
    return memcmp(a, b, 16);
}

/* "a-b": the fewest CIDR blocks covering the range, lowest first
 * (what Net::CIDR::Lite gives SA when it is installed). */
static int
add_range(struct ipset *s, struct strv lo_s, struct strv hi_s, bool exclude, struct sift_err *err)
{
    struct ipaddr lo, hi;

    if (!ipaddr_parse(strv_trim(lo_s), &lo) || !ipaddr_parse(strv_trim(hi_s), &hi) ||
        lo.v4 != hi.v4 || cmp_addr(lo.b, hi.b) > 0) {
        sift_err_set(err, "bad IP range");
        return -1;
    }
    for (;;) {
        struct ipnet net = { .addr = lo, .exclude = exclude };
        unsigned prefix = 128;

        /* widen while the block stays aligned and inside the range */
        while (prefix > (lo.v4 ? 96u : 0u)) {
            uint8_t top[16];
            unsigned p = prefix - 1;

            memcpy(top, lo.b, 16);
            mask_addr(top, p);
            if (cmp_addr(top, lo.b) != 0)
                break;
            for (unsigned i = p; i < 128; i++)
                top[i / 8] |= (uint8_t)(0x80 >> (i % 8));
            if (cmp_addr(top, hi.b) > 0)
                break;
            prefix = p;
        }
        net.prefix = prefix;
        push_net(s, &net);
        /* lo = last address of the block + 1, stop on reaching hi */
        uint8_t last[16];
        memcpy(last, lo.b, 16);
        for (unsigned i = prefix; i < 128; i++)
            last[i / 8] |= (uint8_t)(0x80 >> (i % 8));
        if (cmp_addr(last, hi.b) >= 0)
            return 0;
        memcpy(lo.b, last, 16);
        for (int i = 15; i >= 0 && ++lo.b[i] == 0; i--)
            ;
    }
}

int
ipset_add(struct ipset *s, const char *text, struct sift_err *err)
{
    struct strv t = strv_trim(strv_cstr(text));
    struct ipnet net = { .exclude = false };
    const char *dash;

    if (t.len > 0 && t.p[0] == '!') {
        net.exclude = true;
        t = strv_trim(strv_make(t.p + 1, t.len - 1));
    }
    if (t.len == 0) {
        sift_err_set(err, "empty network");
        return -1;
    }
    dash = memchr(t.p, '-', t.len);
    if (dash != NULL) {
        if (add_range(s, strv_make(t.p, (size_t)(dash - t.p)),
                      strv_make(dash + 1, t.len - (size_t)(dash - t.p) - 1), net.exclude,
                      err) == -1) {
            sift_err_prefix(err, "%s", text);
            return -1;
        }
        return 0;
    }
    if (!parse_net(t, &net)) {
        sift_err_set(err, "%s: not an IP address or network", text);
        return -1;
    }
    push_net(s, &net);
    return 0;
}

bool
ipset_contains(const struct ipset *s, const struct ipaddr *a)
{
    for (size_t i = 0; i < s->n; i++)
        if (in_prefix(a->b, s->v[i].addr.b, s->v[i].prefix))
            return !s->v[i].exclude;
    return false;
}
