/*
 * mime_uris.h - every URI of a message as SpamAssassin collects them
 * (PerMsgStatus::get_uri_detail_list): those found in the rendered body
 * text and those the HTML parts reference, each canonicalised
 * (uri_list_canonicalize) into its "cleaned" forms, with the domains and
 * hosts they name and the anchor texts pointing at them. The `uri` rule
 * view (get_uri_list) is the set of every cleaned form.
 * Computed once per message, in its arena.
 */
#ifndef SIFT_MIME_MIME_URIS_H
#define SIFT_MIME_MIME_URIS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strv.h"
#include "mime/mime_msg.h"
#include "mime/mime_url.h"

/* SA's MAX_URI_LENGTH */
#define MIME_URI_MAX 8192

struct mime_uri {
    struct strv raw;     /* as found (text URIs with the scheme SA adds) */
    unsigned text_types; /* enum mime_url_type bits (found in the text) */
    unsigned html_types; /* enum mime_html_uri_type bits (found in HTML) */
    struct strv *cleaned;
    size_t ncleaned;
    struct strv *hosts; /* hosts[i] is in domain domains[i] */
    struct strv *domains;
    size_t nhosts;
    struct strv *anchor_text;
    size_t nanchor_text;
};

struct mime_uris {
    struct mime_uri *v; /* in the order first found */
    size_t n;
    struct strv *list; /* the uri view: every cleaned form once */
    size_t nlist;
    bool truncated;      /* a URI was cut at MIME_URI_MAX */
    struct strv *emails; /* the mail addresses of the mailto: URIs (text and
                            HTML), local@domain, once each ignoring case */
    size_t nemails;
};

/* A redirector_pattern check the scan layer supplies (NULL: none). */
void mime_uris_set_redirector(struct mime_msg *m, mime_url_redirector_fn fn, void *arg);

const struct mime_uris *mime_msg_uris(struct mime_msg *m);

#endif
