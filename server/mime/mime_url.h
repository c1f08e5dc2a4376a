/*
 * mime_url.h - URLs and e-mail addresses as SpamAssassin finds them:
 * the URIs in rendered text (PerMsgStatus::_process_text_uri_list with its
 * Thunderbird-like pattern), the canonical forms of a URI
 * (Util::uri_list_canonicalize), host names to ASCII (IDN to punycode),
 * the registered domain of a host (the public suffix list shipped in the
 * tree), and FQDN validity (Util::is_fqdn_valid).
 * Everything returned is allocated from the arena given. No I/O but
 * mime_psl_load; no globals: the suffix list is an object passed in.
 */
#ifndef SIFT_MIME_MIME_URL_H
#define SIFT_MIME_MIME_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/strv.h"

/* The public suffix list (publicsuffix.org), loaded once per process. */
struct mime_psl;

/* Load a public_suffix_list.dat file. */
int mime_psl_load(const char *path, struct mime_psl **out, struct sift_err *err);
/* Build from the text of such a file (tests, fuzzing). */
struct mime_psl *mime_psl_parse(const char *text, size_t len);
void mime_psl_free(struct mime_psl **pp);
/* Is label (ASCII, any case) a top-level domain in the list? */
bool mime_psl_is_tld(const struct mime_psl *psl, struct strv label);
/* The registered domain of an ASCII host ("www.example.co.uk" ->
 * "example.co.uk"); an IP address is returned as is; empty when host is a
 * public suffix itself or has no valid TLD. Lower case, in the arena. */
struct strv mime_psl_registered_domain(struct arena *a, const struct mime_psl *psl,
                                       struct strv host);

/* IDNA to ASCII (UTS #46 mapping as SA's idn_to_ascii does: lower case,
 * fullwidth and ideographic dots to '.', non-ASCII labels to xn--);
 * invalid input is returned lower-cased and unchanged otherwise. As in SA,
 * a name libidn2 refuses (valid UTF-8 or Latin-1 letters) comes back as
 * given, not lower-cased; a NUL ends the name libidn2 sees. */
struct strv mime_idn_to_ascii(struct arena *a, struct strv host);
/* Util::is_fqdn_valid(host, 1): at least two labels, LDH(+_), lengths. */
bool mime_fqdn_valid(struct strv host);
/* Constants::IS_IP_ADDRESS: the whole of s is an IPv4 dotted quad or an
 * IPv6 address (optionally "IPv6:"-prefixed), as uri_to_domain tests hosts. */
bool mime_ip_is_address(struct strv s);

/* What kind of URI the text scanner found (SA's uri_detail types). */
enum mime_url_type {
    MIME_URL_PARSED = 1u << 0,     /* found in the rendered text */
    MIME_URL_SCHEMELESS = 1u << 1, /* written without a scheme */
    MIME_URL_UNLINKED = 1u << 2,   /* schemeless and not www./ftp.: a MUA would not link it */
};

struct mime_url {
    struct strv uri; /* with the scheme SA adds (http://, ftp://, mailto:) */
    unsigned types;  /* enum mime_url_type bits */
};

/* Called for each text URI found, in order, once per distinct raw URI.
 * It is what SA hands add_uri_detail_list(uri, types, 'parsed', 1): that
 * call keeps it only if some canonical form has a domain, which is the
 * caller's test (mime_url_canonicalize, then mime_url_domain on each). */
typedef void (*mime_url_found_fn)(void *arg, const struct mime_url *url);

/* Scan one line/paragraph of rendered body text (UTF-8) for URIs and mail
 * addresses, exactly as _process_text_uri_list does. `seen` dedupes raw
 * URIs across calls for one message: pass the same object for every line
 * (zero-initialised, allocated from a). */
struct mime_url_seen;
struct mime_url_seen *mime_url_seen_new(struct arena *a);
void mime_url_scan_text(struct arena *a, const struct mime_psl *psl, struct mime_url_seen *seen,
                        struct strv text, mime_url_found_fn found, void *arg);

/* A redirector pattern check (SA's redirector_pattern): return true and
 * set *target to the URI it redirects to. NULL: none configured. Like SA,
 * try the patterns in order and take the first whose capture has a '.'. */
typedef bool (*mime_url_redirector_fn)(void *arg, struct strv uri, struct strv *target);

/* Util::uri_list_canonicalize for one URI: every cleaned form, the raw one
 * first when it is kept, duplicates removed. *out is arena-allocated. */
void mime_url_canonicalize(struct arena *a, const struct mime_psl *psl, struct strv uri,
                           mime_url_redirector_fn redirector, void *redirector_arg,
                           struct strv **out, size_t *nout);

/* Util::url_encode (the scalar form): %-escapes of unreserved characters
 * decoded, control/8-bit characters and " % < > encoded. */
struct strv mime_url_encode(struct arena *a, struct strv uri);

/* The host of an http(s)/ftp URI or the domain of a mailto: one, lower
 * case, and its registered domain (RegistryBoundaries::uri_to_domain);
 * false when there is none or it is not a valid domain. A host that is a
 * public suffix itself is its own domain, as SA's trim_domain keeps it. */
bool mime_url_domain(struct arena *a, const struct mime_psl *psl, struct strv uri,
                     struct strv *host, struct strv *domain);

/* One address of a header, as Util::parse_header_addresses returns it.
 * A field SA leaves undef has p == NULL (user and host have no has_ flag);
 * the views point into the arena given to mime_addr_parse. */
struct mime_addr {
    struct strv phrase; /* display name (undecoded), empty if none */
    bool has_phrase;
    struct strv address; /* local@domain, empty if none */
    bool has_address;
    struct strv user, host;
    struct strv comment;
    bool has_comment;
    bool invalid; /* no host, or not a valid FQDN */
};

/* Parse an address header value (From, To, ...) as SA 4.0 does (its
 * internal parser, with Email::Address::XS's result where SA would take
 * it). *out is arena-allocated; returns the count. */
size_t mime_addr_parse(struct arena *a, struct strv value, struct mime_addr **out);

#endif
