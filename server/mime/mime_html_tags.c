/*
 * mime_html_tags.c - HTML.pm's tag handler (html_tag) and what it calls
 * but text_style (mime_html_style.c): the `inside` counters and tag
 * ratios, html_whitespace, html_uri (links, <base href>, meta refresh) and
 * html_tests (image area, anchors, titles, font faces, meta charset).
 * Each Perl regex is matched the way Perl's engine would, backtracking
 * included where it changes the result.
 *
 * Attributes come in source order; HTML.pm walks `keys %$attr`, whose
 * order Perl randomises. It only shows when two attributes of one tag
 * both set something: min/max font size under <big>/<small>, or two
 * "x/href" style keys; we then take source order.
 */
#include "mime/mime_html_int.h"

#include <string.h>

#include "mime/mime_html.h"

#define K_ELEMENT 0x01 /* %elements */
#define K_TRICK   0x02 /* %tricks */
#define K_STYLE   0x04 /* %elements_text_style */
#define K_URI     0x08 /* %elements_uri */
#define K_WS1     0x10 /* whitespace "\n" */
#define K_WS2     0x20 /* whitespace " " */
#define K_WS3     0x40 /* whitespace "\n\n" */

/* HTML.pm caps every URI at this many characters (Constants.pm) */
#define MH_MAX_URI_LENGTH 8192

/* the tags html_tag and html_tests single out */
enum mh_tag_id {
    MH_T_OTHER,
    MH_T_FONT,
    MH_T_IMG,
    MH_T_FORM,
    MH_T_OBJECT,
    MH_T_EMBED,
    MH_T_A,
    MH_T_TITLE,
    MH_T_META,
    MH_T_HTML,
    MH_T_BODY,
    MH_T_SCRIPT,
    MH_T_STYLE,
};

struct known_tag {
    const char *name;
    unsigned char len;
    unsigned flags;
    unsigned char style; /* enum mh_style_tag */
    unsigned char id;    /* enum mh_tag_id */
    unsigned uri;        /* enum mime_html_uri_type, for %elements_uri */
};

static const struct known_tag known_tags[] = {
    { "a", 1, K_ELEMENT | K_STYLE | K_URI, MH_ST_A, MH_T_A, MIME_HTML_URI_A },
    { "abbr", 4, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "acronym", 7, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "address", 7, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "applet", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "area", 4, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_OTHER, MIME_HTML_URI_AREA },
    { "b", 1, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "base", 4, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_OTHER, MIME_HTML_URI_BASE },
    { "basefont", 8, K_ELEMENT | K_STYLE, MH_ST_BASEFONT, MH_T_OTHER, 0 },
    { "bdo", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "bgsound", 7, K_TRICK | K_URI, MH_ST_COUNT, MH_T_OTHER, MIME_HTML_URI_BGSOUND },
    { "big", 3, K_ELEMENT | K_STYLE, MH_ST_BIG, MH_T_OTHER, 0 },
    { "blockquote", 10, K_ELEMENT | K_WS3, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "body", 4, K_ELEMENT | K_STYLE | K_URI, MH_ST_BODY, MH_T_BODY, MIME_HTML_URI_BODY },
    { "br", 2, K_ELEMENT | K_WS1, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "button", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "caption", 7, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "center", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "cite", 4, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "code", 4, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "col", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "colgroup", 8, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "dd", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "del", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "dfn", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "dir", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "div", 3, K_ELEMENT | K_STYLE | K_WS1, MH_ST_DIV, MH_T_OTHER, 0 },
    { "dl", 2, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "dt", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "em", 2, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "embed", 5, K_TRICK | K_WS2 | K_URI, MH_ST_COUNT, MH_T_EMBED, MIME_HTML_URI_EMBED },
    { "fieldset", 8, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "font", 4, K_ELEMENT | K_STYLE, MH_ST_FONT, MH_T_FONT, 0 },
    { "form", 4, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_FORM, MIME_HTML_URI_FORM },
    { "frame", 5, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_OTHER, MIME_HTML_URI_FRAME },
    { "frameset", 8, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "h1", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "h2", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "h3", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "h4", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "h5", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "h6", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "head", 4, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "hr", 2, K_ELEMENT | K_WS3, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "html", 4, K_ELEMENT, MH_ST_COUNT, MH_T_HTML, 0 },
    { "i", 1, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "iframe", 6, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_OTHER, MIME_HTML_URI_IFRAME },
    { "img", 3, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_IMG, MIME_HTML_URI_IMG },
    { "input", 5, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "ins", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "isindex", 7, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "kbd", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "label", 5, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "legend", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "li", 2, K_ELEMENT | K_WS2, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "link", 4, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_OTHER, MIME_HTML_URI_LINK },
    { "listing", 7, K_TRICK | K_WS3, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "map", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "menu", 4, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "meta", 4, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_META, MIME_HTML_URI_META },
    { "nobr", 4, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "noframes", 8, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "noscript", 8, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "object", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OBJECT, 0 },
    { "ol", 2, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "optgroup", 8, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "option", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "p", 1, K_ELEMENT | K_STYLE | K_WS3, MH_ST_P, MH_T_OTHER, 0 },
    { "param", 5, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "plaintext", 9, K_TRICK | K_WS3, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "pre", 3, K_ELEMENT | K_WS3, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "q", 1, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "s", 1, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "samp", 4, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "script", 6, K_ELEMENT | K_URI, MH_ST_COUNT, MH_T_SCRIPT, MIME_HTML_URI_SCRIPT },
    { "select", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "small", 5, K_ELEMENT | K_STYLE, MH_ST_SMALL, MH_T_OTHER, 0 },
    { "span", 4, K_ELEMENT | K_STYLE, MH_ST_SPAN, MH_T_OTHER, 0 },
    { "strike", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "strong", 6, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "style", 5, K_ELEMENT, MH_ST_COUNT, MH_T_STYLE, 0 },
    { "sub", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "sup", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "table", 5, K_ELEMENT | K_STYLE | K_URI, MH_ST_TABLE, MH_T_OTHER, MIME_HTML_URI_TABLE },
    { "tbody", 5, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "td", 2, K_ELEMENT | K_STYLE | K_WS2 | K_URI, MH_ST_TD, MH_T_OTHER, MIME_HTML_URI_TD },
    { "textarea", 8, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "tfoot", 5, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "th", 2, K_ELEMENT | K_STYLE | K_WS2, MH_ST_TD, MH_T_OTHER, 0 },
    { "thead", 5, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "title", 5, K_ELEMENT | K_WS3, MH_ST_COUNT, MH_T_TITLE, 0 },
    { "tr", 2, K_ELEMENT | K_STYLE | K_URI, MH_ST_TR, MH_T_OTHER, MIME_HTML_URI_TR },
    { "tt", 2, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "u", 1, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "ul", 2, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "var", 3, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "x-sigsep", 8, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "x-tab", 5, K_ELEMENT, MH_ST_COUNT, MH_T_OTHER, 0 },
    { "xmp", 3, K_TRICK | K_WS3, MH_ST_COUNT, MH_T_OTHER, 0 },
};

static const struct known_tag *
find_known(struct strv tag)
{
    size_t lo = 0, hi = sizeof(known_tags) / sizeof(known_tags[0]);

    if (tag.len == 0 || tag.len > 10)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = known_tags[mid].name;
        size_t kl = known_tags[mid].len, m = kl < tag.len ? kl : tag.len, j = 0;
        int c = 0;

        while (j < m && k[j] == tag.p[j]) /* names are short: no memcmp call */
            j++;
        if (j < m)
            c = (unsigned char)k[j] - (unsigned char)tag.p[j];
        else
            c = (kl > tag.len) - (kl < tag.len);
        if (c == 0)
            return &known_tags[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- URIs ---- */

/* canon_uri(): no leading/trailing [\s\xA0], at most 8192 characters */
static struct strv
canon_uri(struct mh_state *st, struct strv v, bool uni)
{
    size_t b = 0, e = v.len, chars = 0, i;

    while (b < e) {
        size_t k = b;
        uint32_t c = mime_uni_next(v.p, e, &k);

        if (!(mime_uni_is_space(c, uni) || c == 0xa0))
            break;
        b = k;
    }
    while (e > b) {
        size_t k = e;
        uint32_t c = mime_uni_prev(v.p, &k);

        if (!(mime_uni_is_space(c, uni) || c == 0xa0))
            break;
        e = k;
    }
    i = e;
    if (e - b > MH_MAX_URI_LENGTH) /* bytes >= characters: count only then */
        for (i = b; i < e && chars < MH_MAX_URI_LENGTH; chars++)
            mime_uni_next(v.p, e, &i);
    if (i < e) {
        st->uri_truncated = true;
        e = i;
    }
    return strv_make(v.p + b, e - b);
}

static void
push_uri(struct mh_state *st, unsigned type, struct strv v, bool uni)
{
    struct strv u = canon_uri(st, v, uni), key;
    size_t idx;

    if (u.len == 0)
        return;
    if (ci_prefix(u.p, u.len, "data:") || ci_prefix(u.p, u.len, "mailto:") ||
        ci_prefix(u.p, u.len, "file:") || ci_prefix(u.p, u.len, "cid:") ||
        ci_prefix(u.p, u.len, "tel:")) {
        key = u;
    } else {
        struct strv base = st->has_base ? st->base_href : strv_make("", 0);

        key = mh_target_uri(st->a, base, u, uni || st->base_uni);
        if (key.len == 0)
            return;
    }
    idx = mh_uri_index(st, key);
    ((struct mh_uri *)(void *)st->uris.p)[idx].types |= type;
}

/* <base href>: drop a trailing file name, end in '/' */
static void
set_base(struct mh_state *st, struct strv u, bool uni)
{
    const char *s = u.p;
    size_t n = u.len, k = 0, c = 0, q = n, d;
    struct mh_buf b;

    while (k < n && ((mh_lc(s[k]) >= 'a' && mh_lc(s[k]) <= 'z')))
        k++;
    k++; /* the ':' (known to be there) */
    while (c < 2 && k + c < n && s[k + c] == '/')
        c++;
    k += c;
    /* s@^([a-z]+:/{0,2}[^/]+/.*?)[^/\.]+\.[^/\.]{2,4}$@$1@i */
    if (k < n && s[k] != '/') {
        const char *slash = memchr(s + k, '/', n - k);
        const char *dot = NULL;

        for (size_t i = n; i > 0; i--) {
            if (s[i - 1] == '.') {
                dot = s + i - 1;
                break;
            }
        }
        if (slash != NULL && dot != NULL) {
            size_t rs = (size_t)(slash - s) + 1, ext;

            d = (size_t)(dot - s);
            ext = 0;
            for (size_t i = d + 1; i < n; ext++)
                mime_uni_next(s, n, &i);
            if (d >= rs && ext >= 2 && ext <= 4 && memchr(s + d, '/', n - d) == NULL) {
                size_t qq = d;

                while (qq > rs && s[qq - 1] != '/' && s[qq - 1] != '.')
                    qq--;
                if (qq < d && !has_newline(s, rs, qq))
                    q = qq;
            }
        }
    }
    mh_buf_init(&b, st->a);
    mh_buf_append(&b, s, q);
    if (b.len == 0 || b.p[b.len - 1] != '/')
        mh_buf_putc(&b, '/');
    st->base_href = strv_make(b.p, b.len);
    st->has_base = true;
    st->base_uni = uni;
}

/* meta refresh: the URL after "url=", up to a ';' */
static void
meta_refresh(struct mh_state *st, const struct mh_attr *content)
{
    const char *s = content->value.p;
    size_t n = content->value.len, from = 0, p0, semi, e;
    bool uni = content->uni;
    const char *nl = memchr(s, '\n', n);
    size_t line1 = nl ? (size_t)(nl - s) : n;
    struct mh_buf b;

    /* s/^.*\burl\s*=\s* removed, the last "url=" on the first line */
    for (size_t p = line1 + 1; p-- > 0;) {
        size_t k;

        if (p + 3 > n || !ci_prefix(s + p, n - p, "url") || !word_start(s, p, uni))
            continue;
        k = skip_ws(s, n, p + 3, uni);
        if (k < n && s[k] == '=') {
            from = skip_ws(s, n, k + 1, uni);
            break;
        }
    }
    /* then s/\s*;.* removed as well: from the white space before the first ';'
     * to the end of that line */
    mh_buf_init(&b, st->a);
    semi = from;
    while (semi < n && s[semi] != ';')
        semi++;
    if (semi < n) {
        p0 = trailing_ws(s, from, semi, uni);
        e = semi;
        while (e < n && s[e] != '\n')
            e++;
        mh_buf_append(&b, s + from, p0 - from);
        mh_buf_append(&b, s + e, n - e);
        push_uri(st, MIME_HTML_URI_META, strv_make(b.p ? b.p : "", b.len), uni);
    } else {
        push_uri(st, MIME_HTML_URI_META, strv_make(s + from, n - from), uni);
    }
}

/* the value of a "x/href"-style key (\w{1,8}\/href), the last one */
static const struct mh_attr *
bad_key(const struct mh_attr *attr, size_t nattr, const char *suffix)
{
    const struct mh_attr *found = NULL;
    size_t sl = strlen(suffix);

    for (size_t i = 0; i < nattr; i++) {
        struct strv k = attr[i].name;

        for (size_t j = 1; j + sl <= k.len; j++) {
            size_t c = j;

            if (memcmp(k.p + j, suffix, sl) == 0 &&
                mime_uni_is_word(mime_uni_prev(k.p, &c), attr[i].uni)) {
                found = &attr[i];
                break;
            }
        }
    }
    return found;
}

/* html_uri(); *href: $attr->{href} as it leaves it, for html_tests */
static void
html_uri(struct mh_state *st, unsigned type, const struct mh_attr *attr, size_t nattr,
         struct mh_attr *href, bool *has_href)
{
    const struct mh_attr *a;

    if (type & (MIME_HTML_URI_BODY | MIME_HTML_URI_TABLE | MIME_HTML_URI_TR | MIME_HTML_URI_TD)) {
        if ((a = attr_get(attr, nattr, "background")) != NULL)
            push_uri(st, type, a->value, a->uni);
    } else if (type & (MIME_HTML_URI_A | MIME_HTML_URI_AREA | MIME_HTML_URI_LINK)) {
        const struct mh_attr *bad = bad_key(attr, nattr, "/href");

        if (bad != NULL) {
            *href = *bad;
            *has_href = true;
        }
        if (*has_href) {
            /* remove U+FEFF (an octet string: its UTF-8 read as Latin-1) */
            const char *bom = href->uni ? "\xef\xbb\xbf" : "\xc3\xaf\xc2\xbb\xc2\xbf";
            size_t bl = strlen(bom);

            if (memmem(href->value.p, href->value.len, bom, bl) != NULL) {
                struct mh_buf b;
                const char *s = href->value.p;
                size_t n = href->value.len;

                mh_buf_init(&b, st->a);
                for (size_t i = 0; i < n;) {
                    if (i + bl <= n && memcmp(s + i, bom, bl) == 0)
                        i += bl;
                    else
                        mh_buf_putc(&b, s[i++]);
                }
                href->value = strv_make(b.p ? b.p : "", b.len);
            }
            push_uri(st, type, href->value, href->uni);
        }
        if ((a = attr_get(attr, nattr, "data-saferedirecturl")) != NULL)
            push_uri(st, type, a->value, a->uni);
    } else if (type & (MIME_HTML_URI_IMG | MIME_HTML_URI_FRAME | MIME_HTML_URI_IFRAME |
                       MIME_HTML_URI_EMBED | MIME_HTML_URI_SCRIPT | MIME_HTML_URI_BGSOUND)) {
        a = bad_key(attr, nattr, "/src");
        if (a == NULL)
            a = attr_get(attr, nattr, "src");
        if (a != NULL)
            push_uri(st, type, a->value, a->uni);
    } else if (type == MIME_HTML_URI_FORM) {
        if ((a = attr_get(attr, nattr, "action")) != NULL)
            push_uri(st, type, a->value, a->uni);
    } else if (type == MIME_HTML_URI_BASE) {
        a = attr_get(attr, nattr, "href");
        if (a != NULL && a->value.len > 0 && !(a->value.len == 1 && a->value.p[0] == '0')) {
            struct strv u = canon_uri(st, a->value, a->uni);

            push_uri(st, type, u, a->uni);
            if (ci_prefix(u.p, u.len, "http:") || ci_prefix(u.p, u.len, "https:") ||
                ci_prefix(u.p, u.len, "ftp:"))
                set_base(st, u, a->uni);
        }
    } else if (type == MIME_HTML_URI_META) {
        const struct mh_attr *he = attr_get(attr, nattr, "http-equiv");
        const struct mh_attr *ct = attr_get(attr, nattr, "content");

        if (he != NULL && ct != NULL && ci_contains(he->value, "refresh")) {
            const char *s = ct->value.p;
            size_t n = ct->value.len;

            for (size_t p = 0; p + 3 <= n; p++) { /* /\burl\s*=/i */
                size_t k;

                if (!ci_prefix(s + p, n - p, "url") || !word_start(s, p, ct->uni))
                    continue;
                k = skip_ws(s, n, p + 3, ct->uni);
                if (k < n && s[k] == '=') {
                    meta_refresh(st, ct);
                    break;
                }
            }
        }
    }
}

/* ---- html_tests ---- */

static bool
is_alpha(char c)
{
    return (mh_lc(c) >= 'a' && mh_lc(c) <= 'z');
}

/* [a-z][a-z -]*[a-z] at s[*i] (first: may start with ' ', or the spaces
 * \s* gave back): the run must end in a letter */
static bool
face_name(const char *s, size_t n, size_t *i, size_t back)
{
    size_t b = *i, k = b;

    while (k < n && (is_alpha(s[k]) || s[k] == ' ' || s[k] == '-'))
        k++;
    if (k == b || !is_alpha(s[k - 1]))
        return false;
    if (!is_alpha(s[b]) && !(back > 0 || s[b] == ' '))
        return false;
    if (k - b + back < 2)
        return false;
    *i = k;
    return true;
}

/* /^\s*["'.]?[a-z ][a-z -]*[a-z]\d?["']?(?:,\s*["']?[a-z][a-z -]*[a-z]\d?["']?)*;?$/i */
static bool
face_ok(const struct mh_attr *f)
{
    const char *s = f->value.p;
    size_t n = f->value.len, i = 0, back = 0;
    bool uni = f->uni, first = true;

    while (i < n) {
        size_t k = i;

        if (!mime_uni_is_space(mime_uni_next(s, n, &k), uni))
            break;
        back = s[i] == ' ' ? back + 1 : 0;
        i = k;
    }
    if (i < n && (s[i] == '"' || s[i] == '\'' || s[i] == '.')) {
        i++;
        back = 0;
    }
    for (;;) {
        size_t k;

        if (first) {
            if (!face_name(s, n, &i, back))
                return false;
        } else {
            if (i >= n || !is_alpha(s[i]) || !face_name(s, n, &i, 0))
                return false;
        }
        first = false;
        k = i;
        if (k < n) {
            size_t j = k;

            if (mime_uni_is_digit(mime_uni_next(s, n, &j), uni))
                k = j;
        }
        if (k < n && (s[k] == '"' || s[k] == '\''))
            k++;
        i = k;
        if (i < n && s[i] == ',') {
            i = skip_ws(s, n, i + 1, uni);
            if (i < n && (s[i] == '"' || s[i] == '\''))
                i++;
            continue;
        }
        break;
    }
    if (i < n && s[i] == ';')
        i++;
    return i == n || (i + 1 == n && s[i] == '\n');
}

/* /^(\d+)(\%)?$/ on a width or height: the number (0 if no match) */
static double
img_dim(const struct mh_attr *a, double pct)
{
    const char *s = a->value.p;
    size_t n = a->value.len, i = 0;
    double v;

    if (!digits(s, n, &i, a->uni))
        return 0;
    v = perl_num(s, i);
    if (i < n && s[i] == '%') {
        i++;
        v *= pct;
    }
    if (!(i == n || (i + 1 == n && s[i] == '\n')))
        return 0;
    return v;
}

/* /\bcharset\s*=\s*["']?([^"']+)/i */
static bool
meta_charset(const struct mh_attr *ct, size_t *b, size_t *e)
{
    const char *s = ct->value.p;
    size_t n = ct->value.len;

    for (size_t p = 0; p + 7 <= n; p++) {
        size_t k, ws, c;

        if (!ci_prefix(s + p, n - p, "charset") || !word_start(s, p, ct->uni))
            continue;
        k = skip_ws(s, n, p + 7, ct->uni);
        if (k >= n || s[k] != '=')
            continue;
        ws = k + 1;
        c = skip_ws(s, n, ws, ct->uni);
        if (c < n && s[c] != '"' && s[c] != '\'') {
            *b = c;
        } else if (c < n && c + 1 < n && s[c + 1] != '"' && s[c + 1] != '\'') {
            *b = c + 1;
        } else if (c > ws) {
            /* backtrack: the last white space character starts $1 */
            size_t l = c;

            mime_uni_prev(s, &l);
            *b = l;
        } else {
            continue;
        }
        for (*e = *b; *e < n && s[*e] != '"' && s[*e] != '\'';)
            (*e)++;
        return true;
    }
    return false;
}

static void
html_tests(struct mh_state *st, unsigned id, const struct mh_attr *attr, size_t nattr,
           const struct mh_attr *href, bool has_href)
{
    const struct mh_attr *a;

    if (id == MH_T_FONT && (a = attr_get(attr, nattr, "face")) != NULL && !face_ok(a))
        st->font_face_bad = true;
    if (id == MH_T_IMG) {
        const struct mh_attr *w = attr_get(attr, nattr, "width");
        const struct mh_attr *h = attr_get(attr, nattr, "height");

        if (st->in_a != SIZE_MAX && ((const long *)(const void *)st->inside.p)[st->in_a] > 0)
            mh_buf_append(&st->anchor_text, "<img>\n", 6);
        if (w != NULL && h != NULL) {
            /* assume 800x600 screen for percentage values */
            double wd = img_dim(w, 8), ht = img_dim(h, 6);

            if (wd <= 0)
                wd = 200;
            if (ht <= 0)
                ht = 200;
            st->image_area += wd * ht;
        }
    }
    if (id == MH_T_FORM && (a = attr_get(attr, nattr, "action")) != NULL &&
        ci_contains(a->value, "mailto:"))
        st->form_action_mailto = true;
    if (id == MH_T_OBJECT || id == MH_T_EMBED)
        st->embeds = true;
    if (id == MH_T_A) {
        struct strv u = has_href ? canon_uri(st, href->value, href->uni) : strv_make("", 0);
        struct mh_anchor an;

        st->anchor_last = mh_uri_index(st, u);
        an.uri = st->anchor_last;
        an.off = st->anchor_text.len;
        mh_buf_append(&st->anchors, &an, sizeof(an));
    }
    if (id == MH_T_TITLE) {
        size_t off = st->title_text.len;

        mh_buf_append(&st->titles, &off, sizeof(off));
    }
    if (id == MH_T_META) {
        const struct mh_attr *he = attr_get(attr, nattr, "http-equiv");
        const struct mh_attr *ct = attr_get(attr, nattr, "content");
        size_t b, e;

        if (he != NULL && ct != NULL && ci_contains(he->value, "content-type") &&
            meta_charset(ct, &b, &e)) {
            /* `.=` creates the key before `exists` looks: always " $1" */
            mh_buf_putc(&st->charsets, ' ');
            mh_buf_append(&st->charsets, ct->value.p + b, e - b);
        }
    }
}

/* ---- html_tag ---- */

/* m@^(?:o|st\d):[\w-]+/?$@ */
static bool
maybe_namespace(struct strv t, bool uni)
{
    size_t i = 0, k;

    if (t.len >= 2 && t.p[0] == 'o' && t.p[1] == ':') {
        i = 2;
    } else if (t.len >= 3 && t.p[0] == 's' && t.p[1] == 't') {
        k = 2;
        if (!mime_uni_is_digit(mime_uni_next(t.p, t.len, &k), uni) || k >= t.len || t.p[k] != ':')
            return false;
        i = k + 1;
    } else {
        return false;
    }
    k = i;
    while (k < t.len) {
        size_t j = k;
        uint32_t c = mime_uni_next(t.p, t.len, &j);

        if (!(c == '-' || mime_uni_is_word(c, uni)))
            break;
        k = j;
    }
    if (k == i)
        return false;
    if (k < t.len && t.p[k] == '/')
        k++;
    return k == t.len || (k + 1 == t.len && t.p[k] == '\n');
}

int
mh_html_tag(struct mh_state *st, struct strv tag, const struct mh_attr *attr, size_t nattr, int num)
{
    const struct known_tag *k = find_known(tag);
    bool ns = maybe_namespace(tag, st->uni);
    size_t idx = mh_map_find(&st->inside_map, tag);
    long *count;

    if ((k != NULL && (k->flags & K_ELEMENT)) || ns) {
        st->elements++;
        if (idx == SIZE_MAX)
            st->elements_seen++;
    }
    st->tags++;
    if (idx == SIZE_MAX) {
        long zero = 0;

        st->tags_seen++;
        idx = mh_map_add(&st->inside_map, tag);
        mh_buf_append(&st->inside, &zero, sizeof(zero));
        if (k != NULL && k->id == MH_T_SCRIPT)
            st->in_script = idx;
        else if (k != NULL && k->id == MH_T_STYLE)
            st->in_style = idx;
        else if (k != NULL && k->id == MH_T_A)
            st->in_a = idx;
        else if (k != NULL && k->id == MH_T_TITLE)
            st->in_title = idx;
    }
    count = (long *)(void *)st->inside.p + idx;
    *count += num;
    if (*count < 0) {
        *count = 0;
        st->closed_extra++;
    }
    if (ns || k == NULL || !(k->flags & (K_ELEMENT | K_TRICK)))
        return 0;
    if ((k->flags & K_STYLE) && mh_text_style(st, k->style, attr, nattr, num) < 0)
        return -1;
    if (k->flags & K_WS1)
        mh_display_whitespace(st, "\n");
    else if (k->flags & K_WS2)
        mh_display_whitespace(st, " ");
    else if (k->flags & K_WS3)
        mh_display_whitespace(st, "\n\n");
    if (num == 1) {
        struct mh_attr href = { { "", 0 }, { "", 0 }, false };
        bool has_href = false;
        const struct mh_attr *h = attr_get(attr, nattr, "href");

        if (h != NULL) {
            href = *h;
            has_href = true;
        }
        if (k->flags & K_URI)
            html_uri(st, k->uri, attr, nattr, &href, &has_href);
        html_tests(st, k->id, attr, nattr, &href, has_href);
    } else {
        if (k->id == MH_T_HTML)
            st->closed_html = true;
        if (k->id == MH_T_BODY)
            st->closed_body = true;
    }
    return 0;
}
