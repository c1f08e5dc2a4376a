/*
 * ipnet.h - IP addresses and network sets.
 * Addresses are IPv4 or IPv6, kept as 16 bytes (IPv4 mapped into
 * ::ffff:0:0/96). A set is an ordered list of networks, each possibly
 * excluded ("!10.1.0.0/16"), matched as SpamAssassin's NetSet matches
 * trusted_networks: the first entry that contains the address decides.
 * Used for trusted/internal networks, secure_ip and maps of IPs.
 * No I/O, no globals.
 */
#ifndef SIFT_CORE_IPNET_H
#define SIFT_CORE_IPNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strv.h"

struct ipaddr {
    uint8_t b[16]; /* network order; IPv4 as ::ffff:a.b.c.d */
    bool v4;
};

/* Parse "1.2.3.4", "::1", "[::1]", "IPv6:2001:db8::1". */
bool ipaddr_parse(struct strv s, struct ipaddr *out);
/* Text form: dotted quad for IPv4, RFC 5952 for IPv6. out: 46 bytes. */
const char *ipaddr_str(const struct ipaddr *a, char *out, size_t outlen);
/* Private, loopback, link-local or CGN (SA's IP_PRIVATE). */
bool ipaddr_is_private(const struct ipaddr *a);
bool ipaddr_is_loopback(const struct ipaddr *a);

struct ipnet {
    struct ipaddr addr; /* masked */
    unsigned prefix;    /* 0..128 (an IPv4 /n is stored as /96+n) */
    bool exclude;
};

struct ipset {
    struct ipnet *v;
    size_t n, cap;
};

void ipset_init(struct ipset *s);
void ipset_clear(struct ipset *s);
/* Add one entry as SA writes them: "10.0.0.0/8", "10.", "10.1" (partial
 * dotted quads mean that many octets), "::1", "[2001:db8::]/32", "!...".
 * Also "10.0.0.0/255.0.0.0" and ranges "a-b" (SA with Net::CIDR::Lite).
 * As in SA, an entry inside an earlier one is dropped (returning 0) while
 * the set has fewer than 200 entries: "10/8 !10.1/16" excludes nothing.
 * -1 and a reason in err (may be NULL) if text is no network. */
int ipset_add(struct ipset *s, const char *text, struct sift_err *err);
/* The first entry containing a decides; false if none does. */
bool ipset_contains(const struct ipset *s, const struct ipaddr *a);

#endif
