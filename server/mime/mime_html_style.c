/*
 * mime_html_style.c - HTML.pm's text_style(): the stack of text styles
 * (colours, font size, display and visibility) that decides whether text
 * is invisible. The stack keeps a count per style tag, so "is this tag
 * open" (HTML.pm's grep over the stack) is O(1) and deep nesting linear.
 * Attributes are taken in source order where HTML.pm walks Perl's hash
 * order: only the min/max size update between <big>/<small> and an
 * attribute can tell the difference (SA itself varies from run to run).
 */
#include "mime/mime_html_int.h"

#include <stdio.h>
#include <string.h>

/* ---- the stack ---- */

static struct mh_style *
style_top(struct mh_state *st)
{
    return (struct mh_style *)(void *)st->stack.p + st->depth - 1;
}

static void
style_push(struct mh_state *st, const struct mh_style *s)
{
    st->stack.len = st->depth * sizeof(*s);
    mh_buf_append(&st->stack, s, sizeof(*s));
    st->depth++;
    st->style_count[s->tag]++;
}

static void
style_pop(struct mh_state *st)
{
    st->style_count[style_top(st)->tag]--;
    st->depth--;
    st->stack.len = st->depth * sizeof(struct mh_style);
}

/* close_tag(): pop up to and including tag, if it is open */
static void
close_tag(struct mh_state *st, unsigned tag)
{
    if (st->style_count[tag] == 0)
        return;
    while (st->depth > 0) {
        unsigned t = style_top(st)->tag;

        style_pop(st);
        if (t == tag)
            break;
    }
}

/* close_table_tag(): a new <td> closes open font/td, a <tr> font/td/tr */
static void
close_table_tag(struct mh_state *st, unsigned tag)
{
    if (st->style_count[tag] == 0)
        return;
    while (st->depth > 0) {
        unsigned t = style_top(st)->tag;

        if ((tag == MH_ST_TD && (t == MH_ST_FONT || t == MH_ST_TD)) ||
            (tag == MH_ST_TR && (t == MH_ST_FONT || t == MH_ST_TD || t == MH_ST_TR)))
            style_pop(st);
        else
            break;
    }
}

static bool
color_is(const struct mh_color *c, const char *s)
{
    return c->len == strlen(s) && memcmp(c->s, s, c->len) == 0;
}

static void
color_set(struct mh_color *c, const char *s)
{
    c->len = (unsigned char)strlen(s);
    memcpy(c->s, s, c->len);
}

/* `color: ...` in a style: $value = lc $2, minus "!important" */
static void
style_color(struct mh_state *st, struct mh_color *c, const char *s, size_t n, bool uni)
{
    char *v;
    size_t m;

    st->scratch.len = 0;
    mh_buf_reserve(&st->scratch, n + 1);
    v = st->scratch.p;
    for (size_t i = 0; i < n; i++)
        v[i] = mh_lc(s[i]);
    m = n;
    /* s/\s*!\s*important$// */
    if (m >= 9 && memcmp(v + m - 9, "important", 9) == 0) {
        size_t k = trailing_ws(v, 0, m - 9, uni);

        if (k > 0 && v[k - 1] == '!')
            m = trailing_ws(v, 0, k - 1, uni);
    }
    v[m] = '\0';
    if (memmem(v, m, "rgb", 3) != NULL) {
        /* tr/0-9,//cd; split /,/; each 0..255 */
        unsigned rgb[3] = { 0, 0, 0 };
        int field = 0;
        double cur = 0;

        for (size_t i = 0; i <= m && field < 3; i++) {
            if (i == m || v[i] == ',') {
                rgb[field++] = cur > 255 ? 255 : (unsigned)cur;
                cur = 0;
            } else if (v[i] >= '0' && v[i] <= '9') {
                cur = cur * 10 + (v[i] - '0');
            }
        }
        c->len =
            (unsigned char)snprintf(c->s, sizeof(c->s), "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    } else if (m == 7 && memcmp(v, "inherit", 7) == 0) {
        /* keep */
    } else if (m == 11 && memcmp(v, "transparent", 11) == 0) {
        color_set(c, "transparent");
    } else {
        mh_name_to_rgb(v, m, uni, c);
    }
}

/* The style attribute: -1 where HTML.pm dies (an empty background) */
static int
parse_style(struct mh_state *st, struct mh_style *nw, const struct mh_style *parent, const char *s,
            size_t n, bool uni)
{
    for (size_t pb = 0; pb <= n;) {
        const char *semi = memchr(s + pb, ';', n - pb);
        size_t pe = semi ? (size_t)(semi - s) : n;
        size_t i = skip_ws(s, pe, pb, uni), k = i, vb, ve;
        bool bgc = false;

        if (ci_prefix(s + k, pe - k, "background-") &&
            ci_prefix(s + k + 11, pe - k - 11, "color:")) {
            bgc = true;
            k += 11;
        }
        if (ci_prefix(s + k, pe - k, "color:") && lazy_value(s, pe, k + 6, uni, &vb, &ve)) {
            style_color(st, bgc ? &nw->bg : &nw->fg, s + vb, ve - vb, uni);
        } else if (pe - i >= 11 && memcmp(s + i, "background:", 11) == 0 &&
                   lazy_value(s, pe, i + 11, uni, &vb, &ve)) {
            struct mh_color c;
            int rc = mh_css_background(st->a, s + vb, ve - vb, uni, &c);

            if (rc < 0)
                return -1;
            if (rc > 0)
                nw->bg = c;
        } else {
            /* /^\s*([a-z_-]+)\s*:\s*(\S.*?)\s*$/i: display, visibility */
            size_t nb = i, ne, j;

            while (k < pe &&
                   ((mh_lc(s[k]) >= 'a' && mh_lc(s[k]) <= 'z') || s[k] == '_' || s[k] == '-'))
                k++;
            ne = k;
            j = skip_ws(s, pe, k, uni);
            if (ne > nb && j < pe && s[j] == ':') {
                size_t lead = skip_ws(s, pe, j + 1, uni), t, x = lead;

                if (lead < pe && !mime_uni_is_space(mime_uni_next(s, pe, &x), uni)) {
                    t = trailing_ws(s, lead, pe, uni);
                    if (!has_newline(s, lead, t)) {
                        struct strv name = strv_make(s + nb, ne - nb);
                        struct strv val = strv_make(s + lead, t - lead);

                        if (strv_is(name, "display"))
                            nw->display_none = strv_caseeq(val, "none");
                        else if (strv_is(name, "visibility"))
                            nw->visibility_hidden = strv_caseeq(val, "hidden");
                    }
                }
            }
        }
        if (semi == NULL)
            break;
        pb = pe + 1;
    }
    /* transparent colours (bug 8205) */
    if (color_is(&nw->bg, "transparent"))
        nw->bg = parent->bg;
    if (color_is(&nw->fg, "transparent"))
        nw->fg = nw->bg;
    return 0;
}

/* %ok_attributes */
static bool
ok_attribute(unsigned tag, struct strv name)
{
    switch (tag) {
    case MH_ST_BASEFONT:
    case MH_ST_FONT:
        return strv_is(name, "color") || strv_is(name, "face") || strv_is(name, "size");
    case MH_ST_BODY:
        return strv_is(name, "text") || strv_is(name, "bgcolor") || strv_is(name, "link") ||
               strv_is(name, "alink") || strv_is(name, "vlink") || strv_is(name, "background");
    case MH_ST_TABLE:
    case MH_ST_TD:
    case MH_ST_TR:
        return strv_is(name, "bgcolor") || strv_is(name, "style");
    case MH_ST_SPAN:
    case MH_ST_P:
    case MH_ST_DIV:
    case MH_ST_A:
        return strv_is(name, "style");
    default:
        return false;
    }
}

/* /^\s*(\d+)/ or, with sign, /^\s*([+-]\d+)/ on v; the digits in [*b,*e) */
static bool
leading_number(const struct mh_attr *v, bool sign, size_t *b, size_t *e)
{
    const char *s = v->value.p;
    size_t n = v->value.len, i = skip_ws(s, n, 0, v->uni), k;

    *b = i;
    if (sign) {
        if (i >= n || (s[i] != '+' && s[i] != '-'))
            return false;
        i++;
    }
    k = i;
    if (!digits(s, n, &k, v->uni))
        return false;
    *e = k;
    return true;
}

int
mh_text_style(struct mh_state *st, unsigned tag, const struct mh_attr *attr, size_t nattr, int num)
{
    struct mh_style nw;

    if (num != 1) {
        if (tag != MH_ST_BODY) /* browsers render text after </body> */
            close_tag(st, tag);
        return 0;
    }
    if (tag == MH_ST_BASEFONT) {
        const struct mh_attr *sz = attr_get(attr, nattr, "size");
        size_t b, e;

        if (sz != NULL && leading_number(sz, false, &b, &e)) {
            st->basefont = perl_num(sz->value.p + b, e - b);
            return 0;
        }
    }
    if (tag == MH_ST_TD || tag == MH_ST_TR)
        close_table_tag(st, tag);
    nw = *style_top(st);
    nw.tag = (unsigned char)tag;
    if (tag == MH_ST_BIG || tag == MH_ST_SMALL) {
        nw.size += tag == MH_ST_BIG ? 1 : -1;
        style_push(st, &nw);
        return 0;
    }
    for (size_t i = 0; i < nattr; i++) {
        const struct mh_attr *at = &attr[i];

        if (!ok_attribute(tag, at->name))
            continue;
        if (strv_is(at->name, "text") || strv_is(at->name, "color")) {
            mh_name_to_rgb(at->value.p, at->value.len, at->uni, &nw.fg);
        } else if (strv_is(at->name, "size")) {
            size_t b, e;

            if (leading_number(at, true, &b, &e))
                nw.size = st->basefont + perl_num(at->value.p + b, e - b);
            else if (leading_number(at, false, &b, &e))
                nw.size = perl_num(at->value.p + b, e - b);
        } else if (strv_is(at->name, "style")) {
            if (parse_style(st, &nw, style_top(st), at->value.p, at->value.len, at->uni) < 0)
                return -1;
        }
        /* bgcolor is rewritten in %$attr but never reaches the style */
        if (nw.size > st->max_size)
            st->max_size = nw.size;
        else if (nw.size < st->min_size)
            st->min_size = nw.size;
    }
    style_push(st, &nw);
    return 0;
}
