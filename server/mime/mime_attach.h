/*
 * mime_attach.h - a message's attachments: each leaf part that is one
 * (Content-Disposition: attachment, a file name, or a type that is not
 * text/message), and each uuencoded block ("begin 644 name" ... "end")
 * inside a text part, with its file name (RFC 2231 parameters with
 * continuations and charsets, RFC 2047 words as mail clients write them,
 * in UTF-8), its declared type, its decoded size and a SHA-256 of the
 * decoded content. Also MIME parameter look-up for any structured header.
 * Computed once per message, in its arena. SpamAssassin has no such list;
 * its own view of a part's name stays mime_part.name.
 */
#ifndef SIFT_MIME_MIME_ATTACH_H
#define SIFT_MIME_MIME_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/strv.h"
#include "mime/mime_charset.h"
#include "mime/mime_msg.h"

struct mime_attachment {
    struct mime_part *part; /* the part; for a uuencoded block, the text part holding it */
    bool uuencoded;         /* a "begin ... end" block inside part */
    struct strv filename;   /* UTF-8, no directories stripped; empty when none */
    bool has_filename;
    const char *type;        /* declared type, lower case; uuencoded: application/octet-stream */
    bool disposition_inline; /* Content-Disposition: inline (false: attachment or none) */
    bool disposition_attachment;
    struct strv content; /* decoded bytes */
    char sha256[65];     /* hex digest of content */
};

struct mime_attachments {
    struct mime_attachment *v; /* in message order */
    size_t n;
};

const struct mime_attachments *mime_msg_attachments(struct mime_msg *m);

/* The value of parameter name (ASCII case-insensitive) in a structured
 * header value such as Content-Type or Content-Disposition, raw as
 * written (folds allowed): quotes and escapes removed, RFC 2231 pieces
 * (name*0, name*1*, ...) joined and %-decoded, their charset and any
 * RFC 2047 words turned into UTF-8. False when the parameter is absent. */
bool mime_param_get(struct arena *a, struct mime_charset *cs, struct strv value, const char *name,
                    struct strv *out);

#endif
