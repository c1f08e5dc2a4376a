/*
 * mime_addr_int.h - what the two address parsers share (not public).
 *
 *   mime_addr.c     Util::parse_header_addresses: SA's own parser
 *                   ($header_address_re) and the rule choosing a result
 *   mime_addr_xs.c  Email::Address::XS 1.05's parser (Dovecot's)
 *
 * A view with p == NULL is undef in SA; everything is in the caller's arena.
 */
#ifndef SIFT_MIME_MIME_ADDR_INT_H
#define SIFT_MIME_MIME_ADDR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/arena.h"
#include "core/strv.h"
#include "mime/mime_url.h"

/* Perl's undef. */
#define MA_UNDEF ((struct strv){ NULL, 0 })

static inline bool
ma_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Is c one of set? (strchr would also find the NUL ending set.) */
static inline bool
ma_in(const char *set, char c)
{
    return c != '\0' && strchr(set, c) != NULL;
}

static inline bool
ma_def(struct strv v)
{
    return v.p != NULL;
}

/* ---- mime_addr.c ---- */

/* A growing byte string in the arena. */
struct ma_buf {
    struct arena *a;
    char *p;
    size_t len, cap;
};

void ma_buf_init(struct ma_buf *b, struct arena *a);
void ma_buf_put(struct ma_buf *b, const char *p, size_t n);
void ma_buf_putc(struct ma_buf *b, char c);
/* A copy of the bytes so far, NUL-terminated, in the arena. */
struct strv ma_buf_take(struct ma_buf *b);

/* Util::_valid_parsed_address */
bool ma_valid_parsed(struct strv v);
/* is_fqdn_valid(idn_to_ascii($host), 1) */
bool ma_host_ok(struct arena *a, struct strv host);

/* The addresses a parser found, in order. */
struct ma_list {
    struct mime_addr *v;
    size_t n, cap;
};

void ma_push(struct arena *a, struct ma_list *l, const struct mime_addr *x);
/* Fill x: a has_ flag for each defined view. Every view given is in the
 * arena already, so results may share it. */
void ma_finish(struct mime_addr *x, struct strv phrase, struct strv address, struct strv comment,
               struct strv user, struct strv host, bool invalid);

/* ---- mime_addr_xs.c ---- */

/* Util::_parse_header_addresses_xs: value's addresses appended to out. */
void ma_parse_xs(struct arena *a, struct strv value, struct ma_list *out);

#endif
