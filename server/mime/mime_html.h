/*
 * mime_html.h - render an HTML part to text the way SpamAssassin does
 * (Mail::SpamAssassin::HTML on HTML::Parser 3.81), and collect the facts
 * its HTML tests read.
 *
 * Input is the part's text already converted to UTF-8 (mime_charset); the
 * output is UTF-8 too. The rendered text is a sequence of chunks, each
 * marked visible or invisible (SA's display_text with invisible => 1, for
 * text in a font that cannot be seen); `text` is all of them joined,
 * `visible` and `invisible` the two selections (SA's get_rendered_text with
 * no option, invisible => 0 and invisible => 1).
 * Everything the result points to is allocated from the arena given.
 * No I/O, no globals; never fails: any input gives some rendering.
 */
#ifndef SIFT_MIME_MIME_HTML_H
#define SIFT_MIME_MIME_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/strv.h"

/* The tags an HTML URI was found in (SA's uri_detail types), as bits. */
enum mime_html_uri_type {
    MIME_HTML_URI_A = 1u << 0,
    MIME_HTML_URI_AREA = 1u << 1,
    MIME_HTML_URI_LINK = 1u << 2,
    MIME_HTML_URI_IMG = 1u << 3,
    MIME_HTML_URI_FRAME = 1u << 4,
    MIME_HTML_URI_IFRAME = 1u << 5,
    MIME_HTML_URI_EMBED = 1u << 6,
    MIME_HTML_URI_SCRIPT = 1u << 7,
    MIME_HTML_URI_FORM = 1u << 8,
    MIME_HTML_URI_BASE = 1u << 9,
    MIME_HTML_URI_BGSOUND = 1u << 10,
    MIME_HTML_URI_META = 1u << 11,
    MIME_HTML_URI_BODY = 1u << 12,
    MIME_HTML_URI_TABLE = 1u << 13,
    MIME_HTML_URI_TR = 1u << 14,
    MIME_HTML_URI_TD = 1u << 15,
};

/* Name of one type bit ("a", "img", ...), for dumps. */
const char *mime_html_uri_type_name(unsigned bit);

struct mime_html_uri {
    struct strv uri;          /* as SA keys it: canon_uri, then resolved against <base href> */
    unsigned types;           /* enum mime_html_uri_type bits */
    struct strv *anchor_text; /* texts of the <a> elements pointing here, in order */
    size_t nanchor_text;
};

/* A tag name and SA's `inside` counter for it (opened minus closed, >= 0). */
struct mime_html_tag_count {
    struct strv tag;
    int count;
};

struct mime_html_result {
    struct strv text;      /* every rendered chunk */
    struct strv visible;   /* the chunks not marked invisible */
    struct strv invisible; /* the chunks marked invisible */

    /* SA's html_results, under the same names. HTML.pm sets those from
     * length to inside (and uri_truncated) at the end of the document
     * only; when that never runs (the part ends inside <![IGNORE[, or
     * HTML.pm died on an empty CSS background) length is 0 and they are
     * empty, as SA has none of them. */
    size_t length; /* characters of HTML parsed */
    double image_area;
    int min_size, max_size; /* font sizes seen (default 3); SA's can pass INT_MAX: clamped */
    bool has_closed_extra_ratio;
    double closed_extra_ratio; /* end tags without a start / tags */
    bool has_bad_tag_ratio;
    double bad_tag_ratio; /* (tags - known elements) / tags */
    bool has_non_element_ratio;
    double non_element_ratio;
    bool has_obfuscation_ratio;
    double obfuscation_ratio;
    bool has_backhair_count;
    unsigned backhair_count;
    bool font_low_contrast, font_invalid_color, font_face_bad;
    bool form_action_mailto, embeds, uri_truncated;
    bool closed_html, closed_body; /* </html>, </body> seen */
    struct strv *titles;           /* text of each <title> */
    size_t ntitles;
    struct strv *comments; /* text of each comment */
    size_t ncomments;
    struct strv *scripts; /* text chunks inside <script> */
    size_t nscripts;
    struct strv *anchors; /* text of each <a> element, in order */
    size_t nanchors;
    struct strv charsets;       /* <meta http-equiv=Content-Type> charsets, space-separated */
    struct mime_html_uri *uris; /* every URI referenced, in first-seen order */
    size_t nuris;
    struct mime_html_tag_count *inside; /* every tag seen, in first-seen order */
    size_t ninside;

    /* computed by Node.pm's rendered() from the text above */
    size_t html_length;   /* characters of rendered text */
    size_t non_space_len; /* of which not white space */
};

/* Parse and render html[0..len) (UTF-8) into *out. */
void mime_html_render(struct arena *a, const char *html, size_t len, struct mime_html_result *out);

#endif
