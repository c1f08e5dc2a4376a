/*
 * mime_url_int.h - what the files of the URL code share (not public).
 *
 *   mime_url.c        _process_text_uri_list: the text scanner (_tbirdurire);
 *                     the character classes, the string set, domain checks
 *   mime_url_canon.c  uri_list_canonicalize, url_encode, uri_to_domain
 *
 * SA matches URIs as octets, so every class here is a byte class.
 */
#ifndef SIFT_MIME_MIME_URL_INT_H
#define SIFT_MIME_MIME_URL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/strv.h"
#include "mime/mime_url.h"

/* Character classes, generated from the sets in _tbirdurire (bytes: SA
 * matches its body text as octets, so \s and \b are ASCII). */
#define MU_WORD  0x0001u
#define MU_START 0x0002u
#define MU_END   0x0004u
#define MU_ENDM  0x0008u
#define MU_SCST  0x0010u
#define MU_HOST  0x0020u
#define MU_LDH   0x0040u
#define MU_TRAIL 0x0080u
#define MU_SPACE 0x0100u
#define MU_ALNUM 0x0200u
#define MU_DIGIT 0x0400u
#define MU_ENC   0x0800u
#define MU_LEAD  0x1000u
/* MU_WORD [A-Za-z0-9_] (\w, \b); MU_START $tbirdstartdelim; MU_END
 * $tbirdenddelim; MU_ENDM $tbirdenddelimemail; MU_SCST $scstartdelim;
 * MU_HOST [a-z\d._-]; MU_LDH [a-zA-Z0-9-]; MU_TRAIL the trailing punctuation
 * TBird ignores; MU_SPACE \s; MU_ENC what url_encode escapes; MU_LEAD the first
 * letters of http, ftp, www and mailto. */
extern const uint16_t mu_class[256];

static inline bool
mu_has(unsigned char c, unsigned mask)
{
    return (mu_class[c] & mask) != 0;
}

static inline char
mu_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Does p[0..len) start with lit, ASCII case aside? lit is lower case. */
static inline bool
mu_prefix_ci(const char *p, size_t len, const char *lit)
{
    size_t i;

    for (i = 0; lit[i] != '\0'; i++) {
        if (i >= len || mu_lower(p[i]) != lit[i])
            return false;
    }
    return true;
}

static inline const char *
mu_memmem(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);

    return len < n ? NULL : memmem(p, len, lit, n);
}

static inline struct strv
mu_sub(struct strv v, size_t from, size_t to)
{
    return strv_make(v.p + from, to - from);
}

static inline bool
mu_eq(struct strv x, struct strv y)
{
    return x.len == y.len && (x.len == 0 || memcmp(x.p, y.p, x.len) == 0);
}

/* ---- mime_url.c ---- */

/* x, y and z end to end, NUL-terminated, in a. */
struct strv mu_cat3(struct arena *a, struct strv x, struct strv y, struct strv z);

/* A set of strings in an arena (open addressing, never shrinks). */
struct mu_set {
    struct strv *slots;
    size_t cap, n;
};

/* Add v (copied into a; the copy in *stored if not NULL); false if it was
 * there already. */
bool mu_set_put(struct arena *a, struct mu_set *s, struct strv v, struct strv *stored);
bool mu_set_add(struct arena *a, struct mu_set *s, struct strv v);

/* RegistryBoundaries::is_domain_valid on an ACE name: no space, a dot, and
 * a known TLD after the last one (SA's TLD keys are lower case). */
bool mu_ace_domain_valid(const struct mime_psl *psl, struct strv d);
/* is_domain_valid($dom) without $is_ascii: through idn_to_ascii first. */
bool mu_domain_valid(struct arena *a, const struct mime_psl *psl, struct strv dom);

/* ---- mime_url_canon.c ---- */

/* Does v hold a %XY escape (what makes SA call url_encode)? */
bool mu_has_escape(struct strv v);

#endif
