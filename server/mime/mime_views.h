/*
 * mime_views.h - what SpamAssassin's rules read, from a parsed message:
 * each part's transfer decoding (Node::decode) and rendering to UTF-8 text
 * (Node::rendered, HTML through mime_html), and the arrays of lines the
 * rule types match:
 *   body     get_decoded_stripped_body_text_array: Subject, then every
 *            part's rendered text, blank-line paragraphs joined into one
 *            line each, white space squeezed, lines cut at 2 KiB;
 *   rawbody  get_decoded_body_text_array: text parts decoded but not
 *            rendered, in chunks of 2-4 KiB;
 *   visible  as body, but only the text HTML shows
 *            (get_visible_rendered_body_text_array, for Bayes);
 *   invisible the text HTML hides (for Bayes);
 *   full     the pristine message (mime_msg's `pristine`).
 * Results are computed once per message and kept in its arena.
 */
#ifndef SIFT_MIME_MIME_VIEWS_H
#define SIFT_MIME_MIME_VIEWS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strv.h"
#include "mime/mime_html.h"
#include "mime/mime_msg.h"

struct mime_view {
    struct strv *lines;
    size_t n;
};

/* Node::decode(): QP or base64 undone (CRLF made LF for text), else raw. */
struct strv mime_part_decoded(struct mime_msg *m, struct mime_part *p);

/* Node::rendered(): "text/plain" or "text/html" and the part's UTF-8 text,
 * or NULL for parts that are not text. */
const char *mime_part_rendered(struct mime_msg *m, struct mime_part *p, struct strv *text);

/* The views; each is built on first use. */
const struct mime_view *mime_view_body(struct mime_msg *m);
const struct mime_view *mime_view_rawbody(struct mime_msg *m);
const struct mime_view *mime_view_visible(struct mime_msg *m);
const struct mime_view *mime_view_invisible(struct mime_msg *m);

/* The HTML parts' results, in order (SA's metadata html_all), once the
 * body view exists; html_all[i] is NULL for an empty HTML part. */
size_t mime_view_html(struct mime_msg *m, const struct mime_html_result *const **out);

/* Message::split_into_array_of_short_lines / ..._paragraphs. */
struct mime_view mime_view_short_lines(struct arena *a, struct strv text);
struct mime_view mime_view_short_paragraphs(struct arena *a, struct strv text);

#endif
