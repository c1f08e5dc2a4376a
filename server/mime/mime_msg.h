/*
 * mime_msg.h - a message as SpamAssassin's Message and Message::Node see
 * it: the header block, the pristine text, and the MIME tree (multiparts
 * with their preamble and epilogue dropped, broken boundaries handled as
 * SA handles them, message/rfc822 parts parsed as messages of their own),
 * each leaf with its type, charset, name and raw body lines.
 * Decoding, rendering and the rule views are in mime_views.h.
 *
 * Everything is allocated from the arena given (the task's) and freed with
 * it; views point into the raw message where nothing had to change. The
 * raw message must outlive the arena's use of it.
 */
#ifndef SIFT_MIME_MIME_MSG_H
#define SIFT_MIME_MIME_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/strv.h"
#include "mime/mime_charset.h"
#include "mime/mime_hdr.h"
#include "mime/mime_html.h"

/* The `mime` section: parsing limits. A limit hit is flagged on the
 * message (and becomes a symbol in the scan), never an error. */
struct mime_limits {
    size_t max_parts;              /* parts in the whole tree */
    size_t max_multipart_parts;    /* parts of one multipart (SA: 1000) */
    size_t max_depth;              /* nested multiparts/messages (SA: 20) */
    size_t max_headers;            /* fields in one header block */
    size_t body_part_scan_size;    /* SA's body_part_scan_size (characters) */
    size_t rawbody_part_scan_size; /* SA's rawbody_part_scan_size (bytes) */
};

struct mime_psl;
struct mime_received_rules;
struct ipset;

/* What parsing needs that outlives one message: the charset converters,
 * the suffix list, the Received patterns, the trust settings and the
 * limits. One per process (worker); not thread-safe. */
struct mime_ctx {
    struct mime_charset *cs;
    const struct mime_psl *psl;
    const struct mime_received_rules *rcvd;
    const struct ipset *trusted_networks;      /* NULL: not configured (SA infers) */
    const struct ipset *internal_networks;     /* NULL: not configured */
    const struct ipset *msa_networks;          /* NULL: none */
    const char *const *originating_ip_headers; /* SA's originating_ip_headers */
    size_t noriginating_ip_headers;
    const char *envelope_sender_header; /* SA's envelope_sender_header, or NULL */
    struct mime_limits lim;
};

struct mime_msg;
struct mime_views_cache;
struct mime_meta;
struct mime_uris;
struct mime_attachments;

struct mime_part {
    struct mime_headers hdrs;
    const char *type;    /* lower case, SA's parse_content_type */
    struct strv charset; /* declared; has_charset says whether there was one */
    bool has_charset;
    struct strv name; /* SA's file name (Content-Disposition, else Content-Type) */
    bool has_name;
    struct strv boundary; /* the boundary this part was parsed with */
    bool has_boundary;
    bool is_message;     /* a message root: the top one or an embedded message/rfc822 */
    bool has_raw;        /* a leaf with a body */
    bool has_body_parts; /* SA's body_parts exists (maybe empty): not a leaf */
    struct strv raw;     /* its body: SA's raw lines, joined */
    unsigned depth;      /* 0 for the top message */
    struct mime_part *parent, *first, *last, *next; /* the tree; children in order */

    /* filled on demand by mime_views.c */
    bool decoded_done, rendered_done;
    struct strv decoded;       /* transfer encoding undone */
    const char *rendered_type; /* "text/plain", "text/html", or NULL when not text */
    struct strv rendered, visible_rendered, invisible_rendered; /* UTF-8 */
    /* Perl's UTF-8 flag on each of those strings in SA: set when the part
     * was charset-decoded or the text holds a character past U+00FF. An
     * unflagged string goes to the rules as Latin-1 bytes, not UTF-8. */
    bool rendered_flagged, visible_flagged, invisible_flagged;
    struct mime_html_result *html;
};

struct mime_msg {
    struct mime_part *root; /* the top-level node: its headers are the message's */
    struct strv raw;        /* the bytes given */
    struct strv mbox_sep;   /* the "From " line, when there was one */
    bool has_mbox_sep;
    bool crlf;                    /* SA's line_ending is CRLF */
    struct strv pristine_headers; /* the header block with its blank line */
    struct strv pristine_body;
    struct strv pristine; /* headers + body: the `full` view */

    /* SA's parse flags */
    bool missing_head_body_separator, truncated_header, missing_mime_headers;
    bool missing_mime_head_body_separator, mime_epilogue_exists, mimepart_limit_exceeded;
    bool missing_boundary; /* a boundary opened and not closed, or closed and not opened */
    /* sift's limits (struct mime_limits) */
    bool limit_parts, limit_depth, limit_headers;

    size_t nparts; /* nodes in the tree */
    const struct mime_ctx *ctx;
    struct arena *arena;
    struct mime_views_cache *views;       /* mime_views.c's, built on demand */
    struct mime_meta *meta;               /* mime_get.c's: relays, envelope, get() cache */
    struct mime_uris *uris;               /* mime_uris.c's */
    struct mime_attachments *attachments; /* mime_attach.c's */
    bool (*uri_redirector)(void *arg, struct strv uri, struct strv *target);
    void *uri_redirector_arg;
};

/* Parse raw[0..len) (the message as received, maybe with a "From " line). */
struct mime_msg *mime_msg_parse(const struct mime_ctx *ctx, struct arena *a, const char *raw,
                                size_t len);

/* SA's find_parts(qr/./, only_leaves): every node (or every leaf: a node
 * without body_parts, even an empty multipart is not one) whose type is not
 * empty, in depth-first order, into an arena array; returns the count. */
size_t mime_msg_parts(const struct mime_msg *m, bool only_leaves, struct mime_part ***out);

/* Message::Node::effective_type: text/html for a part named *.htm(l). */
const char *mime_part_effective_type(const struct mime_part *p);

/* Util::parse_content_type on a header value (NULL or empty: missing). */
struct mime_ct {
    const char *type;
    struct strv boundary, charset, name;
    bool has_boundary, has_charset, has_name, missing;
};
void mime_ct_parse(struct arena *a, struct strv value, bool present, struct mime_ct *out);

#endif
