/*
 * mime_received.h - the Received chain as SpamAssassin reads it
 * (Mail::SpamAssassin::Message::Metadata::Received): each header parsed
 * into a relay (ip, rdns, helo, by, ident, envfrom, id, auth), and the
 * chain split into trusted/untrusted and internal/external relays from
 * trusted_networks, internal_networks and msa_networks, with SA's
 * inference when they are not configured. The relay strings are what the
 * X-Spam-Relays-* pseudo-headers hold:
 *   [ ip=1.2.3.4 rdns=mx.example.com helo=mx by=mail.example.org ident=
 *     envfrom= intl=0 id=ABC123 auth= msa=0 ]
 * No I/O, no globals: the compiled patterns live in a mime_received_rules
 * made once per process; results are allocated from the arena given.
 */
#ifndef SIFT_MIME_MIME_RECEIVED_H
#define SIFT_MIME_MIME_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/ipnet.h"
#include "core/strv.h"

struct mime_received_rules;

/* Compile the patterns (PCRE2, JIT when available); -1 only if one does
 * not compile, which is a bug. The rules are read-only afterwards and may
 * be shared by threads. */
int mime_received_rules_new(struct mime_received_rules **out, struct sift_err *err);
void mime_received_rules_free(struct mime_received_rules **rp);

struct mime_relay {
    struct strv ip, rdns, helo, by, ident, envfrom, id, auth;
    bool has_envfrom;
    /* With no rDNS: no_reverse_dns when the MTA that wrote the line is one
     * SA knows to look the name up itself (so the host has none),
     * rdns_not_in_headers otherwise; both false when rdns is set. */
    bool no_reverse_dns;
    bool rdns_not_in_headers;
    bool ip_private;
    bool internal;
    bool trusted;
    bool msa;
    int64_t date; /* the time stamp after the last ';' (mime_date_parse) */
    bool has_date;
    struct strv as_string; /* "[ ip=... ]" as SA writes it */
};

/* Trust settings (SA: trusted_networks, internal_networks, msa_networks).
 * With neither trusted nor internal, SA's inference applies (private IP or
 * authentication extends trust); with one of them, it stands for both.
 * 127/8 and ::1 count as trusted and internal whenever one is configured,
 * as SA puts them in both sets; the sets need not hold them. */
struct mime_trust {
    const struct ipset *trusted;  /* NULL: not configured */
    const struct ipset *internal; /* NULL: not configured */
    const struct ipset *msa;      /* NULL: none */
    bool originating;             /* the caller says the mail was submitted (auth'd) */
};

enum mime_received_status {
    MIME_RCVD_RELAY,       /* a relay */
    MIME_RCVD_SKIP,        /* a header SA ignores (local delivery, ...): no relay */
    MIME_RCVD_UNPARSEABLE, /* SA could not parse it */
};

/* Parse one Received value (as get_header('Received') gives it: decoded,
 * folds unfolded; any whitespace run counts as one space). out is filled
 * only for MIME_RCVD_RELAY, from a (views into a, not into line); its
 * as_string says intl=0 msa=0, as parse_received_line leaves it. A line
 * that a pattern's match limit stops reads as if that pattern failed. */
enum mime_received_status mime_received_parse_line(const struct mime_received_rules *r,
                                                   struct arena *a, struct strv line,
                                                   struct mime_relay *out);

struct mime_relays {
    struct mime_relay *relays; /* every relay, top (newest) first; a POP/IMAP
                                  fetcher line inside the trusted part drops
                                  the relays above it, as SA restarts there */
    size_t nrelays;
    struct strv trusted_str, untrusted_str, internal_str, external_str;
    size_t num_trusted, num_untrusted, num_internal, num_external;
    unsigned num_unparseable;
    int last_trusted_index;  /* SA's last_trusted_relay_index (-1: none); it
                                counts every Received line, relay or not, and
                                a fetcher restart does not reset it */
    int last_internal_index; /* SA's last_internal_relay_index */
};

/* SA appends one line to the chain per originating_ip_headers header
 * (X-Originating-IP and the like, bug 5680) whose value holds an IP
 * address: "from X-Originating-IP: <the first address>". True and the
 * line (in a) if value holds one. */
bool mime_received_originating(const struct mime_received_rules *r, struct arena *a,
                               struct strv value, struct strv *line);

/* The first IP address in text as SA's :ip modifier finds it
 * (qr/(?<!\.)\b(${IP_ADDRESS})\b(?!\.)/); *ip points into text. */
bool mime_received_find_ip(const struct mime_received_rules *r, struct strv text, struct strv *ip);

/* The whole chain: received[] are the Received header values top to
 * bottom, followed by the "from X-Originating-IP: a.b.c.d" lines SA
 * appends for its originating_ip_headers (the caller builds those). */
void mime_received_chain(const struct mime_received_rules *r, struct arena *a,
                         const struct mime_trust *trust, const struct strv *received,
                         size_t nreceived, struct mime_relays *out);

#endif
