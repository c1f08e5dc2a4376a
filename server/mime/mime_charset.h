/*
 * mime_charset.h - text in a declared charset to UTF-8, as SpamAssassin's
 * Message::Node::_normalize does it (normalize_charset on, no
 * Encode::Detect): all-ASCII text is left alone, 8-bit text that is valid
 * UTF-8 is taken as UTF-8 whatever was declared, then the declared charset
 * is tried (ISO-8859-1 read as Windows-1252, GB18030 as GBK, UTF-16 with
 * SA's endianness guess), then Windows-1252 when every byte fits it, and
 * last Windows-1252 with U+FFFD for what does not map.
 * Charset names are resolved as Perl's Encode resolves them; a name Perl
 * does not know has no decoder, as in SA.
 * A struct mime_charset caches iconv converters; one per process (worker),
 * not thread-safe.
 */
#ifndef SIFT_MIME_MIME_CHARSET_H
#define SIFT_MIME_MIME_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/strv.h"

struct mime_charset;

struct mime_charset *mime_charset_new(void);
void mime_charset_free(struct mime_charset **csp);

/* _normalize(text, declared, ..., insist): the UTF-8 text (text itself when
 * nothing had to change). *decoded says whether SA would hold characters
 * rather than the original octets afterwards (it decoded something).
 * insist is how SA decodes RFC 2047 words (insist on the declared charset,
 * octets out): a UTF-16 word then comes back undecoded, as in SA. */
struct strv mime_charset_normalize(struct mime_charset *cs, struct arena *a, struct strv text,
                                   struct strv declared, bool insist, bool *decoded);

/* Strict UTF-8 (Encode's "UTF-8"): no overlongs, surrogates or code points
 * past U+10FFFF. */
bool mime_utf8_valid(const char *p, size_t n);

/* Perl Encode's canonical name for a charset label ("latin1" ->
 * "iso-8859-1", "ks_c_5601-1987" -> "cp949"), or NULL when Perl has no
 * such encoding. */
const char *mime_charset_canonical(struct strv label);

#endif
