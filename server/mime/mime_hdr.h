/*
 * mime_hdr.h - a header block (of the message or of a MIME part) as
 * SpamAssassin keeps it: each field's name, its raw value (what
 * raw_header() returns: after the colon, folds and the final newline kept)
 * and its decoded value (what header() returns: unfolded, trimmed, 8-bit
 * text taken as UTF-8 or Windows-1252, RFC 2047 words decoded to UTF-8,
 * except in the headers SA leaves encoded: Received, Message-ID, Date,
 * MIME-Version, References, In-Reply-To, List-*).
 * Look-ups are by name, ASCII case-insensitive; all occurrences in order.
 * Everything lives in the arena given; views may point into the message.
 */
#ifndef SIFT_MIME_MIME_HDR_H
#define SIFT_MIME_MIME_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/strv.h"
#include "mime/mime_charset.h"

/* SA's limits (Constants.pm): longer names/values are cut and flagged. */
#define MIME_HDR_MAX_NAME  256u
#define MIME_HDR_MAX_VALUE 8192u
#define MIME_HDR_MAX_TOTAL 65536u /* get_all_headers stops here */

struct mime_header {
    struct strv name;  /* as written */
    struct strv raw;   /* raw_header(): after ':' (message) or ':\s*' (part), "\n" ended */
    struct strv value; /* header(): decoded, no final newline */
    uint32_t hash;     /* of the lower-cased name */
    struct mime_header *next;
};

struct mime_headers {
    struct mime_header *first, *last;
    size_t n;
};

/* Append a field (name and raw value already cut as the caller's SA code
 * path cuts them); decodes the value. cs converts charsets. */
struct mime_header *mime_hdr_add(struct arena *a, struct mime_charset *cs, struct mime_headers *h,
                                 struct strv name, struct strv raw);

/* The first/next field named name (case-insensitive), or NULL. */
const struct mime_header *mime_hdr_find(const struct mime_headers *h, struct strv name);
const struct mime_header *mime_hdr_find_next(const struct mime_header *prev);
/* The last one: SA's scalar header() */
const struct mime_header *mime_hdr_last(const struct mime_headers *h, struct strv name);
size_t mime_hdr_count(const struct mime_headers *h, struct strv name);

/* Message::Node::_decode_header(body, name): folds, 8-bit, RFC 2047. */
struct strv mime_hdr_decode(struct arena *a, struct mime_charset *cs, struct strv body,
                            struct strv name);

/* get_header(name, raw) for one field: decoded value + "\n", or the raw
 * value with each "\r?\n<blanks>" squeezed to one space. */
struct strv mime_hdr_get_value(struct arena *a, const struct mime_header *f, bool raw);

/* get_all_headers(raw): "Name: value\n" for every field in order, stopping
 * at MIME_HDR_MAX_TOTAL bytes of names and values (*truncated set). */
void mime_hdr_all(const struct mime_headers *h, bool raw, struct arena *a, struct buf *out,
                  bool *truncated);

uint32_t mime_hdr_hash(struct strv name);

#endif
