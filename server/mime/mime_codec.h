/*
 * mime_codec.h - Content-Transfer-Encoding decoders, each behaving as
 * SpamAssassin's (Mail::SpamAssassin::Util) so that rules see the same
 * bytes: quoted-printable (qp_decode), base64 (base64_decode, with its
 * strict path through MIME::Base64 and its lenient uudecode path for
 * broken input), and uuencode for x-uuencode parts and "begin 644" blocks.
 * Results are allocated from the arena given; decoding never fails (broken
 * input decodes as far as it can, as mail clients show it).
 */
#ifndef SIFT_MIME_MIME_CODEC_H
#define SIFT_MIME_MIME_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/strv.h"

/* Util::qp_decode: trailing blanks before a line end dropped, "=\n" soft
 * breaks joined, "=XX" escapes decoded; anything else kept as it is. */
struct strv mime_qp_decode(struct arena *a, struct strv in);

/* Util::base64_decode. */
struct strv mime_b64_decode(struct arena *a, struct strv in);

/* Decode uuencoded lines ("M..." after "begin MODE NAME" or a whole
 * x-uuencode body); stops at "end" or the first line that is not uuencode. */
struct strv mime_uu_decode(struct arena *a, struct strv in);

/* Replace every "\r\n" by "\n" (SA does this after QP and base64 of text
 * parts). Returns in itself when there is no CR. */
struct strv mime_crlf_to_lf(struct arena *a, struct strv in);

#endif
