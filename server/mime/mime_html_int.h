/*
 * mime_html_int.h - what the files of the HTML renderer share (not public).
 *
 *   mime_html.c          Mail::SpamAssassin::HTML: text, the handlers, the result
 *   mime_html_tags.c     its html_tag: counters, html_uri, html_tests
 *   mime_html_style.c    its text_style stack (what makes text invisible)
 *   mime_html_parse.c    HTML::Parser 3.81's tokenizer, event by event
 *   mime_html_entities.c HTML::Entities' table and decode_entities()
 *   mime_html_color.c    name_to_rgb(), the CSS background parser
 *   mime_html_uri.c      target_uri(): links resolved against <base href>
 *   mime_html_uni.c      Perl's \s \w \d on code points, UTF-8 helpers
 *
 * Perl strings are either characters (the "utf8 flag") or octets. SA hands
 * HTML::Parser characters when the part had 8-bit data, and octets for an
 * all-ASCII part; an entity above U+00FF then turns one decoded string into
 * characters. Perl's \s, \w and \d only see beyond ASCII in character
 * strings, so every string we keep carries that flag (`uni`).
 */
#ifndef SIFT_MIME_MIME_HTML_INT_H
#define SIFT_MIME_MIME_HTML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/strv.h"
#include "mime/mime_uni.h"

/* A growable byte buffer in an arena (amortised doubling, never freed). */
struct mh_buf {
    struct arena *a;
    char *p;
    size_t len, cap;
};

void mh_buf_init(struct mh_buf *b, struct arena *a);
void mh_buf_reserve(struct mh_buf *b, size_t n);
void mh_buf_grow_append(struct mh_buf *b, const void *p, size_t n);
static inline void
mh_buf_append(struct mh_buf *b, const void *p, size_t n)
{
    if (n > b->cap - b->len) {
        mh_buf_grow_append(b, p, n);
        return;
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}
static inline void
mh_buf_putc(struct mh_buf *b, char c)
{
    if (b->len + 1 > b->cap)
        mh_buf_reserve(b, 1);
    b->p[b->len++] = c;
}
/* Append code point cp as UTF-8. */
void mh_buf_put_utf8(struct mh_buf *b, uint32_t cp);

/* ---- mime_html_entities.c ---- */

/* HTML::Parser's decode_entities(): append s[0..len) to out with entities
 * decoded; expand_prefix as for text ("&ampx" -> "&x"), not for attribute
 * values. Returns the flag of the result: uni, or a character above U+00FF
 * came in. */
bool mh_decode_entities(struct mh_buf *out, const char *s, size_t len, bool expand_prefix,
                        bool uni);

/* ---- mime_html_color.c ---- */

/* A colour as HTML.pm keeps it: "#rrggbb", "#", "invalid", "transparent". */
struct mh_color {
    char s[12];
    unsigned char len;
};

/* name_to_rgb($s). */
void mh_name_to_rgb(const char *s, size_t len, bool uni, struct mh_color *out);
/* The bgcolor that `background: VALUE` (VALUE already lower-cased) sets:
 * true and *out set if a value of the last layer is a colour. Returns -1
 * when parse_css_background() would leave no layer at all: HTML.pm then
 * dies inside the parser callback. */
int mh_css_background(struct arena *a, const char *s, size_t len, bool uni, struct mh_color *out);

/* ---- mime_html_uri.c ---- */

/* target_uri(base, rel): rel resolved against base ("" for none). uni:
 * the string's flag (for \d in "www\d*."). In the arena. */
struct strv mh_target_uri(struct arena *a, struct strv base, struct strv rel, bool uni);

/* ---- mime_html_parse.c ---- */

/* One attribute of a start tag, as HTML::Parser's attr hash has it: name
 * lower-cased, value unquoted and entity-decoded (a bare name has itself as
 * value, case kept). Duplicates are already dropped (the first wins). */
struct mh_attr {
    struct strv name;
    struct strv value;
    bool uni;
};

/* The handlers HTML.pm registers. A handler returns 0, or -1 when the Perl
 * code would have died: the parser then stops for good (as a croak inside
 * HTML::Parser leaves it). Views are valid during the call only. */
struct mh_handlers {
    void (*start_document)(void *ctx);
    int (*start)(void *ctx, struct strv tag, const struct mh_attr *attr, size_t nattr);
    int (*end)(void *ctx, struct strv tag);
    /* raw text; dtext is decoded by the handler unless is_cdata */
    int (*text)(void *ctx, struct strv text, bool is_cdata);
    int (*comment)(void *ctx, struct strv text);
    int (*declaration)(void *ctx, struct strv text);
    void (*end_document)(void *ctx);
};

struct mh_parser;

/* An HTML::Parser with marked_sections => 1; uni: the document's flag. */
struct mh_parser *mh_parser_new(struct arena *a, const struct mh_handlers *h, void *ctx, bool uni);
/* $p->parse(chunk): chunk[0..len) followed by two readable NUL bytes. */
void mh_parser_parse(struct mh_parser *p, const char *chunk, size_t len);
/* $p->eof. */
void mh_parser_eof(struct mh_parser *p);
/* Has a handler died? */
bool mh_parser_dead(const struct mh_parser *p);

/* ---- mime_html.c and mime_html_tags.c: HTML.pm's own state ---- */

/* A string-keyed index (first-seen order kept by the caller's array). */
struct mh_map {
    struct arena *a;
    size_t *slots; /* index + 1, 0 = empty */
    struct strv *keys;
    size_t nslots, n;
};

void mh_map_init(struct mh_map *m, struct arena *a);
/* The index of key, or SIZE_MAX. */
size_t mh_map_find(const struct mh_map *m, struct strv key);
/* Add key (copied) as index m->n, which it returns; key must be new. */
size_t mh_map_add(struct mh_map *m, struct strv key);

/* The tags with a text style (HTML.pm's %elements_text_style, th as td). */
enum mh_style_tag {
    MH_ST_DEFAULT,
    MH_ST_BODY,
    MH_ST_FONT,
    MH_ST_TABLE,
    MH_ST_TR,
    MH_ST_TD,
    MH_ST_BIG,
    MH_ST_SMALL,
    MH_ST_BASEFONT,
    MH_ST_SPAN,
    MH_ST_P,
    MH_ST_DIV,
    MH_ST_A,
    MH_ST_COUNT
};

/* One entry of the text_style stack: what html_font_invisible reads. */
struct mh_style {
    struct mh_color fg, bg;
    double size;
    unsigned char tag; /* enum mh_style_tag */
    bool display_none, visibility_hidden;
};

/* A rendered chunk: text[off..off+len) */
struct mh_chunk {
    size_t off, len;
    bool whitespace, invisible, uni;
};

struct mh_uri {
    struct strv uri;
    unsigned types;
};

struct mh_anchor {
    size_t uri; /* index in uris */
    size_t off; /* start in anchor_text; it ends where the next starts */
};

struct mh_state {
    struct arena *a;
    bool uni; /* the document is a character string */
    bool ended;

    struct mh_buf text;   /* every chunk, joined */
    struct mh_buf chunks; /* struct mh_chunk */
    size_t nchunks;
    struct mh_buf dtext;   /* scratch for decoded text */
    struct mh_buf scratch; /* scratch for attribute values */

    struct mh_map inside_map;
    struct mh_buf inside;                       /* long counts, by inside_map index */
    size_t in_script, in_style, in_a, in_title; /* indices, SIZE_MAX if unseen */

    long elements, tags, elements_seen, tags_seen, closed_extra, obfuscation;
    unsigned long long backhair; /* bit (start-1)*7 + (len-1) per pair seen */
    bool has_backhair;

    struct mh_buf stack; /* struct mh_style */
    size_t depth;
    size_t style_count[MH_ST_COUNT];
    double basefont, min_size, max_size, image_area;

    bool closed_html, closed_body, font_low_contrast, font_invalid_color, font_face_bad;
    bool form_action_mailto, embeds, uri_truncated;

    struct strv base_href; /* set when base is */
    bool has_base, base_uni;

    struct mh_map uri_map;
    struct mh_buf uris; /* struct mh_uri */
    size_t anchor_last;
    struct mh_buf anchors; /* struct mh_anchor */
    struct mh_buf anchor_text;
    struct mh_buf titles; /* size_t offsets into title_text */
    struct mh_buf title_text;
    struct mh_buf scripts, comments; /* struct strv */
    struct mh_buf charsets;
};

/* html_tag(): a start (num 1, attributes) or end tag (num -1). -1: HTML.pm
 * died. */
int mh_html_tag(struct mh_state *st, struct strv tag, const struct mh_attr *attr, size_t nattr,
                int num);
/* display_text() of a whitespace element: "\n", " " or "\n\n". */
void mh_display_whitespace(struct mh_state *st, const char *ws);
/* text_style(): the style stack on a start or end tag with a style. */
int mh_text_style(struct mh_state *st, unsigned tag, const struct mh_attr *attr, size_t nattr,
                  int num);
/* The index of uri in st->uris, added if new. */
size_t mh_uri_index(struct mh_state *st, struct strv uri);

/* ---- small pieces of Perl regex, for mime_html_tags.c and _style.c ---- */

static inline char
mh_lc(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static inline bool
ci_prefix(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);

    return n >= k && strncasecmp(s, pre, k) == 0;
}

static inline bool
ci_contains(struct strv v, const char *needle)
{
    return strv_casecontains(v, needle);
}

#define strv_is(v, lit) ((v).len == sizeof(lit) - 1 && memcmp((v).p, "" lit, (v).len) == 0)

/* \s* from s[i] */
static inline size_t
skip_ws(const char *s, size_t n, size_t i, bool uni)
{
    while (i < n) {
        size_t k = i;

        if (!mime_uni_is_space(mime_uni_next(s, n, &k), uni))
            break;
        i = k;
    }
    return i;
}

/* where the trailing \s run of s[from..n) starts */
static inline size_t
trailing_ws(const char *s, size_t from, size_t n, bool uni)
{
    while (n > from) {
        size_t k = n;

        if (!mime_uni_is_space(mime_uni_prev(s, &k), uni))
            break;
        n = k;
    }
    return n;
}

static inline bool
has_newline(const char *s, size_t b, size_t e)
{
    return e > b && memchr(s + b, '\n', e - b) != NULL;
}

/* \s*(.+?)\s*$ on s[i..n): $1 in [*b,*e) */
static inline bool
lazy_value(const char *s, size_t n, size_t i, bool uni, size_t *b, size_t *e)
{
    size_t lead = skip_ws(s, n, i, uni), t = trailing_ws(s, i, n, uni);

    if (t > lead) {
        if (has_newline(s, lead, t))
            return false;
        *b = lead;
        *e = t;
        return true;
    }
    /* only white space: (.+?) takes the last character that is not "\n" */
    for (size_t k = n; k > i;) {
        size_t c = k;

        if (mime_uni_prev(s, &c) != '\n') {
            *b = c;
            *e = k;
            return true;
        }
        k = c;
    }
    return false;
}

/* Perl's value of a string of digits with an optional sign ("+5", "12");
 * non-ASCII digits (\d) end the number. */
static inline double
perl_num(const char *s, size_t n)
{
    size_t i = 0;
    double v = 0, sign = 1;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        sign = s[i++] == '-' ? -1 : 1;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (s[i++] - '0');
    return sign * v;
}

/* (\d+) at s[*i]: true, and the end in *i */
static inline bool
digits(const char *s, size_t n, size_t *i, bool uni)
{
    size_t k = *i;

    while (k < n) {
        size_t j = k;

        if (!mime_uni_is_digit(mime_uni_next(s, n, &j), uni))
            break;
        k = j;
    }
    if (k == *i)
        return false;
    *i = k;
    return true;
}

/* \b at s[i], for a word character following */
static inline bool
word_start(const char *s, size_t i, bool uni)
{
    size_t k = i;

    return i == 0 || !mime_uni_is_word(mime_uni_prev(s, &k), uni);
}

static inline const struct mh_attr *
attr_get_n(const struct mh_attr *attr, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (attr[i].name.len == len && memcmp(attr[i].name.p, name, len) == 0)
            return &attr[i];
    }
    return NULL;
}

#define attr_get(attr, n, lit) attr_get_n((attr), (n), "" lit, sizeof(lit) - 1)

#endif
