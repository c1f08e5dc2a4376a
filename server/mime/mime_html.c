/*
 * mime_html.c - an HTML part rendered to text as SpamAssassin 4.0.1 does
 * (Mail::SpamAssassin::HTML driven by Node::rendered()), with the facts
 * its HTML rules read. This file holds the parts of HTML.pm that see text:
 * parse()'s substitutions before HTML::Parser, html_text, display_text,
 * the comment and declaration handlers, and the results; tags are in
 * mime_html_tags.c, the tokenizer in mime_html_parse.c.
 *
 * Strings: SA gives HTML::Parser a character string when the part had
 * 8-bit data and leaves an all-ASCII part as octets; we take the same
 * view of our UTF-8 input (see mime_html_int.h on why it matters).
 * Cost: linear in the input; the text_style stack and the tag counters
 * are O(1) per tag (counts per style tag instead of HTML.pm's grep).
 */
#include "mime/mime_html.h"

#include <math.h>
#include <string.h>

#include "mime/mime_html_int.h"

/* ---- a string map for tags and URIs ---- */

void
mh_map_init(struct mh_map *m, struct arena *a)
{
    memset(m, 0, sizeof(*m));
    m->a = a;
}

size_t
mh_map_find(const struct mh_map *m, struct strv key)
{
    if (m->nslots == 0)
        return SIZE_MAX;
    for (size_t h = (size_t)strv_hash(key) & (m->nslots - 1);; h = (h + 1) & (m->nslots - 1)) {
        size_t v = m->slots[h];

        if (v == 0)
            return SIZE_MAX;
        if (m->keys[v - 1].len == key.len &&
            (key.len == 0 || memcmp(m->keys[v - 1].p, key.p, key.len) == 0))
            return v - 1;
    }
}

static void
map_place(struct mh_map *m, size_t idx)
{
    size_t h = (size_t)strv_hash(m->keys[idx]) & (m->nslots - 1);

    while (m->slots[h] != 0)
        h = (h + 1) & (m->nslots - 1);
    m->slots[h] = idx + 1;
}

size_t
mh_map_add(struct mh_map *m, struct strv key)
{
    if ((m->n + 1) * 2 > m->nslots) {
        size_t ns = m->nslots ? m->nslots * 2 : 16;

        m->keys = arena_realloc(m->a, m->keys, m->nslots / 2 * sizeof(*m->keys),
                                ns / 2 * sizeof(*m->keys));
        m->slots = arena_calloc(m->a, ns, sizeof(*m->slots));
        m->nslots = ns;
        for (size_t i = 0; i < m->n; i++)
            map_place(m, i);
    }
    m->keys[m->n].p = arena_strndup(m->a, key.p, key.len);
    m->keys[m->n].len = key.len;
    map_place(m, m->n);
    return m->n++;
}

/* ---- parse(): the substitutions before HTML::Parser sees the text ---- */

/* s/&nbsp;/ /g, then s/<(\w+)\s*\/>/<$1>/gi, then the two smart quotes to
 * '"' (a character string only: octets have none); two NULs after. */
static char *
presubstitute(struct arena *a, const char *in, size_t len, bool uni, size_t *outlen)
{
    struct mh_buf t1, t2;
    const char *s = in;
    size_t n = len, i = 0, run = 0;

    mh_buf_init(&t1, a);
    mh_buf_init(&t2, a);
    if (len >= 6 && memmem(in, len, "&nbsp;", 6) != NULL) {
        const char *p = in, *e = in + len, *q;

        mh_buf_reserve(&t1, len);
        while ((q = memmem(p, (size_t)(e - p), "&nbsp;", 6)) != NULL) {
            mh_buf_append(&t1, p, (size_t)(q - p));
            mh_buf_putc(&t1, ' ');
            p = q + 6;
        }
        mh_buf_append(&t1, p, (size_t)(e - p));
        s = t1.p;
        n = t1.len;
    }
    mh_buf_reserve(&t2, n + 2);
    /* copy runs of plain bytes; stop at '<' and at the quotes' lead byte */
    while (i < n) {
        unsigned char c;
        const char *lt = memchr(s + i, '<', n - i);
        size_t next = lt ? (size_t)(lt - s) : n;

        if (uni) {
            const char *q = memchr(s + i, 0xe2, next - i);

            if (q != NULL)
                next = (size_t)(q - s);
        }
        i = next;
        if (i >= n)
            break;
        c = (unsigned char)s[i];
        mh_buf_append(&t2, s + run, i - run);
        if (c == '<') {
            size_t k = i + 1, w;

            while (k < n) {
                size_t j = k;
                unsigned char b = (unsigned char)s[k];

                if (b < 0x80) { /* the usual case, without decoding */
                    if (!(b == '_' || (b >= '0' && b <= '9') ||
                          ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')))
                        break;
                    k++;
                    continue;
                }
                if (!mime_uni_is_word(mime_uni_next(s, n, &j), uni))
                    break;
                k = j;
            }
            w = k;
            if (w > i + 1) {
                while (k < n) {
                    size_t j = k;

                    if (!mime_uni_is_space(mime_uni_next(s, n, &j), uni))
                        break;
                    k = j;
                }
                if (k + 1 < n && s[k] == '/' && s[k + 1] == '>') {
                    mh_buf_append(&t2, s + i, w - i);
                    mh_buf_putc(&t2, '>');
                    i = run = k + 2;
                    continue;
                }
            }
            mh_buf_putc(&t2, '<');
            i = run = i + 1;
        } else if (i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0x9c || (unsigned char)s[i + 2] == 0x9d)) {
            mh_buf_putc(&t2, '"');
            i = run = i + 3;
        } else {
            mh_buf_putc(&t2, (char)c);
            i = run = i + 1;
        }
    }
    mh_buf_append(&t2, s + run, n - run);
    mh_buf_reserve(&t2, 2);
    t2.p[t2.len] = t2.p[t2.len + 1] = '\0';
    *outlen = t2.len;
    return t2.p;
}

/* ---- display_text and html_text ---- */

static struct mh_chunk *
last_chunk(struct mh_state *st)
{
    return st->nchunks ? (struct mh_chunk *)(void *)st->chunks.p + st->nchunks - 1 : NULL;
}

static void
push_chunk(struct mh_state *st, size_t off, bool whitespace, bool invisible, bool uni)
{
    struct mh_chunk c = { off, st->text.len - off, whitespace, invisible, uni };

    mh_buf_append(&st->chunks, &c, sizeof(c));
    st->nchunks++;
}

/* display_text($ws, whitespace => 1): "\n", " " or "\n\n" */
void
mh_display_whitespace(struct mh_state *st, const char *ws)
{
    struct mh_chunk *last = last_chunk(st);
    size_t off;

    /* trim trailing whitespace from previous element if it was not
     * whitespace and not invisible (s/ $//) */
    if (last != NULL && !last->whitespace && !last->invisible && last->len > 0 &&
        st->text.p[last->off + last->len - 1] == ' ') {
        last->len--;
        st->text.len--;
    }
    off = st->text.len;
    mh_buf_append(&st->text, ws, strlen(ws));
    push_chunk(st, off, true, false, false);
}

static bool
is_collapsible(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* "\xc2\xa0" in HTML.pm matches the characters U+00C2 U+00A0 */
static bool
is_c2a0(const char *s, size_t n, size_t i)
{
    return i + 4 <= n && (unsigned char)s[i] == 0xc3 && (unsigned char)s[i + 1] == 0x82 &&
           (unsigned char)s[i + 2] == 0xc2 && (unsigned char)s[i + 3] == 0xa0;
}

static void
display_text(struct mh_state *st, const char *s, size_t n, bool invisible, bool uni)
{
    struct mh_chunk *last = last_chunk(st);
    size_t off = st->text.len, i = 0;
    bool trim = last != NULL && !invisible && last->whitespace;
    char *o;

    mh_buf_reserve(&st->text, n + 1); /* never NULL, even for "" */
    o = st->text.p + st->text.len;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];

        if (is_collapsible((char)c)) {
            while (++i < n && is_collapsible(s[i]))
                ;
            *o++ = ' ';
        } else if (c == 0xc3 && is_c2a0(s, n, i)) {
            i += 4;
            *o++ = ' ';
        } else {
            *o++ = (char)c;
            i++;
        }
    }
    st->text.len = (size_t)(o - st->text.p);
    if (trim && st->text.len > off && st->text.p[off] == ' ') {
        memmove(st->text.p + off, st->text.p + off + 1, st->text.len - off - 1);
        st->text.len--;
    }
    push_chunk(st, off, false, invisible, uni);
}

static long
inside_count(const struct mh_state *st, size_t idx)
{
    return idx == SIZE_MAX ? 0 : ((const long *)(const void *)st->inside.p)[idx];
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* /^\#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/ */
static bool
hex_rgb(const struct mh_color *c, int rgb[3])
{
    const char *s = c->s;
    size_t n = c->len;

    if (n > 0 && s[0] == '#') {
        s++;
        n--;
    }
    if (n != 6)
        return false;
    for (int i = 0; i < 3; i++) {
        int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);

        if (h < 0 || l < 0)
            return false;
        rgb[i] = h * 16 + l;
    }
    return true;
}

/* html_font_invisible() on the current text style */
static bool
font_invisible(struct mh_state *st)
{
    const struct mh_style *top = (const struct mh_style *)(void *)st->stack.p + st->depth - 1;
    const struct mh_color *fg = &top->fg, *bg = &top->bg;
    size_t fl = fg->len > 6 ? 6 : fg->len, bl = bg->len > 6 ? 6 : bg->len;

    if (fl == bl && memcmp(fg->s + fg->len - fl, bg->s + bg->len - bl, fl) == 0) {
        st->font_low_contrast = true;
        return true;
    }
    {
        int f[3], b[3];
        bool fok = hex_rgb(fg, f), bok = hex_rgb(bg, b);

        if (fok && bok) {
            /* geometric distance weighted by brightness, as HTML.pm */
            double r = f[0] - b[0], g = f[1] - b[1], bl2 = f[2] - b[2];
            /* (x**2 + ...)**0.5: glibc's pow is correctly rounded, so
             * x*x and sqrt give Perl's bits */
            double d = sqrt((0.2126 * r) * (0.2126 * r) + (0.7152 * g) * (0.7152 * g) +
                            (0.0722 * bl2) * (0.0722 * bl2));

            if (d < 12) {
                st->font_low_contrast = true;
                return true;
            }
        }
    }
    if ((fg->len == 7 && memcmp(fg->s, "invalid", 7) == 0) ||
        (bg->len == 7 && memcmp(bg->s, "invalid", 7) == 0)) {
        st->font_invalid_color = true;
        return true;
    }
    return top->size <= 1 || top->display_none || top->visibility_hidden;
}

/* up to 8 code points from the end (rev) or the start of s */
static size_t
edge_chars(const char *s, size_t n, bool from_end, uint32_t out[8])
{
    size_t k = 0, i = from_end ? n : 0;

    while (k < 8 && (from_end ? i > 0 : i < n)) {
        unsigned char c = (unsigned char)s[from_end ? i - 1 : i];

        if (c < 0x80) { /* ASCII without the decoder */
            out[k++] = c;
            i += from_end ? (size_t)-1 : 1;
        } else {
            out[k++] = from_end ? mime_uni_prev(s, &i) : mime_uni_next(s, n, &i);
        }
    }
    return k;
}

/* The obfuscation and "backhair" tests of html_text, between the last
 * chunk L and the new text T. */
static void
text_joins(struct mh_state *st, const char *t, size_t tn, bool tuni)
{
    const struct mh_chunk *last = last_chunk(st);
    const char *l = st->text.p + last->off;
    uint32_t lc[8], tc[8];
    size_t nl = edge_chars(l, last->len, true, lc), nt = edge_chars(t, tn, false, tc);
    bool luni = last->uni;
    size_t run, start = 0, len = 0;

    if (nt > 0 && nl > 0 && mime_uni_is_wordish(tc[0], tuni) && mime_uni_is_wordish(lc[0], luni))
        st->obfuscation++;
    /* /\b([^\s<punct>]{1,7})\z/: the leftmost start that has a boundary */
    for (run = 0; run < nl && run < 7 && mime_uni_is_wordish(lc[run], luni);)
        run++;
    for (size_t j = run; j >= 1; j--) {
        bool before = j < nl && mime_uni_is_word(lc[j], luni);

        if (before != mime_uni_is_word(lc[j - 1], luni)) {
            start = j;
            break;
        }
    }
    if (start == 0)
        return;
    /* /^([^\s<punct>]{1,7})\b/: the longest prefix ending on a boundary */
    for (run = 0; run < nt && run < 7 && mime_uni_is_wordish(tc[run], tuni);)
        run++;
    for (size_t j = run; j >= 1; j--) {
        bool after = j < nt && mime_uni_is_word(tc[j], tuni);

        if (mime_uni_is_word(tc[j - 1], tuni) != after) {
            len = j;
            break;
        }
    }
    if (len == 0)
        return;
    st->backhair |= 1ull << ((start - 1) * 7 + (len - 1));
    st->has_backhair = true;
}

static bool
has_content(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (is_collapsible(s[i])) {
            i++;
        } else if (is_c2a0(s, n, i)) {
            i += 4;
        } else {
            return true;
        }
    }
    return false;
}

static void
html_text(struct mh_state *st, const char *s, size_t n, bool uni)
{
    bool invisible = false;

    if (inside_count(st, st->in_script) > 0) {
        struct strv v = strv_make(arena_strndup(st->a, s, n), n);

        mh_buf_append(&st->scripts, &v, sizeof(v));
        return;
    }
    if (inside_count(st, st->in_style) > 0)
        return;
    if (inside_count(st, st->in_a) > 0)
        mh_buf_append(&st->anchor_text, s, n);
    if (inside_count(st, st->in_title) > 0)
        mh_buf_append(&st->title_text, s, n);
    if (has_content(s, n))
        invisible = font_invisible(st);
    if (st->nchunks > 0)
        text_joins(st, s, n, uni);
    display_text(st, s, n, invisible, uni);
}

/* ---- the handlers HTML.pm registers ---- */

static void
h_start_document(void *ctx)
{
    struct mh_state *st = ctx;
    struct mh_style def;

    memset(&def, 0, sizeof(def));
    def.tag = MH_ST_DEFAULT;
    memcpy(def.fg.s, "#000000", 7);
    def.fg.len = 7;
    memcpy(def.bg.s, "#ffffff", 7);
    def.bg.len = 7;
    st->basefont = 3;
    def.size = st->basefont;
    mh_buf_append(&st->stack, &def, sizeof(def));
    st->depth = 1;
    st->style_count[MH_ST_DEFAULT]++;
}

static void
h_end_document(void *ctx)
{
    ((struct mh_state *)ctx)->ended = true;
}

static int
h_start(void *ctx, struct strv tag, const struct mh_attr *attr, size_t nattr)
{
    return mh_html_tag(ctx, tag, attr, nattr, 1);
}

static int
h_end(void *ctx, struct strv tag)
{
    return mh_html_tag(ctx, tag, NULL, 0, -1);
}

static int
h_text(void *ctx, struct strv text, bool is_cdata)
{
    struct mh_state *st = ctx;
    bool uni = st->uni;

    if (is_cdata) {
        html_text(st, text.p, text.len, uni);
    } else {
        st->dtext.len = 0;
        uni = mh_decode_entities(&st->dtext, text.p, text.len, true, uni);
        html_text(st, st->dtext.p ? st->dtext.p : "", st->dtext.len, uni);
    }
    return 0;
}

static int
h_comment(void *ctx, struct strv text)
{
    struct mh_state *st = ctx;
    struct strv v = strv_make(arena_strndup(st->a, text.p, text.len), text.len);

    mh_buf_append(&st->comments, &v, sizeof(v));
    return 0;
}

static int
h_declaration(void *ctx, struct strv text)
{
    struct mh_state *st = ctx;
    struct strv dt = STRV_LIT("!doctype");
    size_t idx;

    if (text.len >= 9 && strncasecmp(text.p, "<!doctype", 9) == 0) {
        st->elements++;
        st->tags++;
        idx = mh_map_find(&st->inside_map, dt);
        if (idx == SIZE_MAX) {
            long zero = 0;

            idx = mh_map_add(&st->inside_map, dt);
            mh_buf_append(&st->inside, &zero, sizeof(zero));
        }
        ((long *)(void *)st->inside.p)[idx] = 0;
    }
    return 0;
}

static const struct mh_handlers sa_handlers = {
    h_start_document, h_start, h_end, h_text, h_comment, h_declaration, h_end_document,
};

/* ---- results ---- */

static const char *const uri_type_names[] = {
    "a",    "area", "link",    "img",  "frame", "iframe", "embed", "script",
    "form", "base", "bgsound", "meta", "body",  "table",  "tr",    "td",
};

const char *
mime_html_uri_type_name(unsigned bit)
{
    for (unsigned i = 0; i < sizeof(uri_type_names) / sizeof(uri_type_names[0]); i++) {
        if (bit == 1u << i)
            return uri_type_names[i];
    }
    return "";
}

static int
clamp_size(double v)
{
    if (v != v)
        return 0;
    if (v > 2147483647.0)
        return 2147483647;
    if (v < -2147483648.0)
        return -2147483647 - 1;
    return (int)v;
}

static struct strv
select_chunks(struct mh_state *st, bool invisible)
{
    const struct mh_chunk *c = (const struct mh_chunk *)(void *)st->chunks.p;
    struct mh_buf b;

    mh_buf_init(&b, st->a);
    for (size_t i = 0; i < st->nchunks; i++) {
        if (c[i].invisible == invisible)
            mh_buf_append(&b, st->text.p + c[i].off, c[i].len);
    }
    return strv_make(b.p ? b.p : "", b.len);
}

/* Node::rendered()'s html_length and non_space_len */
static void
count_spaces(struct mime_html_result *out, bool uni)
{
    const char *s = out->text.p;
    size_t n = out->text.len, chars = 0, spaces = 0;

    chars = mime_uni_count(s, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        /* characters: Unicode \s; octets: tr/ \t\n\r\x0b// (no \f) */
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v')
            spaces++;
        else if (c == '\f')
            spaces += uni;
        else if (uni && (c == 0xc2 || (c >= 0xe1 && c <= 0xe3))) {
            /* the lead bytes of U+0085, U+00A0, U+1680, U+2000.., U+3000 */
            size_t k = i;

            spaces += mime_uni_is_space(mime_uni_next(s, n, &k), true);
            i = k - 1;
        }
    }
    out->html_length = chars;
    out->non_space_len = chars - spaces;
}

static void
fill_result(struct mh_state *st, struct mime_html_result *out)
{
    const struct mh_chunk *c = (const struct mh_chunk *)(void *)st->chunks.p;
    bool text_uni = false;

    out->text = strv_make(st->text.p ? st->text.p : "", st->text.len);
    out->visible = select_chunks(st, false);
    out->invisible = select_chunks(st, true);
    for (size_t i = 0; i < st->nchunks && !text_uni; i++)
        text_uni = c[i].uni;
    count_spaces(out, text_uni);

    out->font_low_contrast = st->font_low_contrast;
    out->font_invalid_color = st->font_invalid_color;
    out->font_face_bad = st->font_face_bad;
    out->form_action_mailto = st->form_action_mailto;
    out->embeds = st->embeds;
    out->closed_html = st->closed_html;
    out->closed_body = st->closed_body;
    out->charsets = strv_make(st->charsets.p ? st->charsets.p : "", st->charsets.len);
    if (!st->ended)
        return; /* html_end never ran: SA has none of what follows */

    out->scripts = (struct strv *)(void *)st->scripts.p;
    out->nscripts = st->scripts.len / sizeof(struct strv);
    out->comments = (struct strv *)(void *)st->comments.p;
    out->ncomments = st->comments.len / sizeof(struct strv);

    out->uri_truncated = st->uri_truncated;
    out->length = 0;
    out->image_area = st->image_area;
    out->min_size = clamp_size(st->min_size);
    out->max_size = clamp_size(st->max_size);
    if (st->tags > 0) {
        out->has_closed_extra_ratio = true;
        out->closed_extra_ratio = (double)st->closed_extra / (double)st->tags;
    }
    if (st->has_backhair) {
        out->has_backhair_count = true;
        out->backhair_count = (unsigned)__builtin_popcountll(st->backhair);
    }
    if (st->elements > 0 && st->tags > 0) {
        out->has_bad_tag_ratio = true;
        out->bad_tag_ratio = (double)(st->tags - st->elements) / (double)st->tags;
    }
    if (st->elements_seen > 0 && st->tags_seen > 0) {
        out->has_non_element_ratio = true;
        out->non_element_ratio =
            (double)(st->tags_seen - st->elements_seen) / (double)st->tags_seen;
    }
    if (st->tags > 0 && st->obfuscation > 0) {
        out->has_obfuscation_ratio = true;
        out->obfuscation_ratio = (double)st->obfuscation / (double)st->tags;
    }
    /* titles and anchors: each runs to where the next starts */
    {
        size_t nt = st->titles.len / sizeof(size_t);
        const size_t *to = (const size_t *)(void *)st->titles.p;

        out->titles = arena_calloc(st->a, nt ? nt : 1, sizeof(struct strv));
        for (size_t i = 0; i < nt; i++) {
            size_t e = i + 1 < nt ? to[i + 1] : st->title_text.len;

            out->titles[i] = strv_make(st->title_text.p ? st->title_text.p + to[i] : "", e - to[i]);
        }
        out->ntitles = nt;
    }
    {
        size_t na = st->anchors.len / sizeof(struct mh_anchor);
        size_t nu = st->uris.len / sizeof(struct mh_uri);
        const struct mh_anchor *an = (const struct mh_anchor *)(void *)st->anchors.p;
        const struct mh_uri *u = (const struct mh_uri *)(void *)st->uris.p;
        size_t *fill;

        out->anchors = arena_calloc(st->a, na ? na : 1, sizeof(struct strv));
        out->uris = arena_calloc(st->a, nu ? nu : 1, sizeof(struct mime_html_uri));
        fill = arena_calloc(st->a, nu ? nu : 1, sizeof(size_t));
        for (size_t i = 0; i < na; i++) {
            size_t e = i + 1 < na ? an[i + 1].off : st->anchor_text.len;

            out->anchors[i] =
                strv_make(st->anchor_text.p ? st->anchor_text.p + an[i].off : "", e - an[i].off);
            out->uris[an[i].uri].nanchor_text++;
        }
        for (size_t i = 0; i < nu; i++) {
            out->uris[i].uri = u[i].uri;
            out->uris[i].types = u[i].types;
            if (out->uris[i].nanchor_text > 0)
                out->uris[i].anchor_text =
                    arena_calloc(st->a, out->uris[i].nanchor_text, sizeof(struct strv));
        }
        for (size_t i = 0; i < na; i++)
            out->uris[an[i].uri].anchor_text[fill[an[i].uri]++] = out->anchors[i];
        out->nanchors = na;
        out->nuris = nu;
    }
    {
        size_t n = st->inside_map.n;
        const long *cnt = (const long *)(void *)st->inside.p;

        out->inside = arena_calloc(st->a, n ? n : 1, sizeof(struct mime_html_tag_count));
        for (size_t i = 0; i < n; i++) {
            out->inside[i].tag = st->inside_map.keys[i];
            out->inside[i].count = cnt[i] > 2147483647L ? 2147483647 : (int)cnt[i];
        }
        out->ninside = n;
    }
}

size_t
mh_uri_index(struct mh_state *st, struct strv uri)
{
    size_t idx = mh_map_find(&st->uri_map, uri);

    if (idx == SIZE_MAX) {
        struct mh_uri u;

        idx = mh_map_add(&st->uri_map, uri);
        u.uri = st->uri_map.keys[idx];
        u.types = 0;
        mh_buf_append(&st->uris, &u, sizeof(u));
    }
    return idx;
}

static void
state_init(struct mh_state *st, struct arena *a, bool uni)
{
    memset(st, 0, sizeof(*st));
    st->a = a;
    st->uni = uni;
    mh_buf_init(&st->text, a);
    mh_buf_init(&st->chunks, a);
    mh_buf_init(&st->dtext, a);
    mh_buf_init(&st->scratch, a);
    mh_map_init(&st->inside_map, a);
    mh_buf_init(&st->inside, a);
    st->in_script = st->in_style = st->in_a = st->in_title = SIZE_MAX;
    mh_buf_init(&st->stack, a);
    st->min_size = st->max_size = 3;
    mh_map_init(&st->uri_map, a);
    mh_buf_init(&st->uris, a);
    mh_buf_init(&st->anchors, a);
    mh_buf_init(&st->anchor_text, a);
    mh_buf_init(&st->titles, a);
    mh_buf_init(&st->title_text, a);
    mh_buf_init(&st->scripts, a);
    mh_buf_init(&st->comments, a);
    mh_buf_init(&st->charsets, a);
}

static bool
all_ascii(const char *s, size_t n)
{
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;

        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            return false;
    }
    for (; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return false;
    }
    return true;
}

void
mime_html_render(struct arena *a, const char *html, size_t len, struct mime_html_result *out)
{
    struct mh_state *st = arena_alloc(a, sizeof(*st));
    struct mh_parser *p;
    const char *work;
    size_t wlen;
    bool uni = false;

    memset(out, 0, sizeof(*out));
    if (html == NULL)
        len = 0;
    uni = !all_ascii(html, len); /* SA keeps all-ASCII text as octets */
    state_init(st, a, uni);
    p = mh_parser_new(a, &sa_handlers, st, uni);
    work = presubstitute(a, len ? html : "", len, uni, &wlen);
    mh_parser_parse(p, work, wlen);
    /* bug 7437: close an unclosed <style> or <script>; bounded, as HTML.pm's
     * loops would never end if the tag could not close */
    for (int i = 0; i < 4 && !mh_parser_dead(p) && inside_count(st, st->in_style) > 0; i++)
        mh_parser_parse(p, "</style>\0", 8);
    for (int i = 0; i < 4 && !mh_parser_dead(p) && inside_count(st, st->in_script) > 0; i++)
        mh_parser_parse(p, "</script>\0", 9);
    mh_parser_eof(p);
    fill_result(st, out);
    if (st->ended)
        out->length = mime_uni_count(html ? html : "", len);
}
