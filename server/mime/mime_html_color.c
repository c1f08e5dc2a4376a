/*
 * mime_html_color.c - HTML.pm's colours: name_to_rgb() (names, flex hex,
 * rgb() in numbers and percents) and parse_css_background(), with Perl's
 * semantics (\s and \d beyond ASCII in character strings, numbers from
 * digit strings). The name table is HTML.pm's %html_color.
 */
#include "mime/mime_html_int.h"

#include <stdio.h>
#include <string.h>

struct mh_named_color {
    const char *name;
    uint32_t rgb;
};

static const struct mh_named_color colors[] = {
    { "aliceblue", 0xf0f8ff },
    { "antiquewhite", 0xfaebd7 },
    { "aqua", 0x00ffff },
    { "aquamarine", 0x7fffd4 },
    { "azure", 0xf0ffff },
    { "beige", 0xf5f5dc },
    { "bisque", 0xffe4c4 },
    { "black", 0x000000 },
    { "blanchedalmond", 0xffebcd },
    { "blue", 0x0000ff },
    { "blueviolet", 0x8a2be2 },
    { "brown", 0xa52a2a },
    { "burlywood", 0xdeb887 },
    { "cadetblue", 0x5f9ea0 },
    { "chartreuse", 0x7fff00 },
    { "chocolate", 0xd2691e },
    { "coral", 0xff7f50 },
    { "cornflowerblue", 0x6495ed },
    { "cornsilk", 0xfff8dc },
    { "crimson", 0xdc143c },
    { "cyan", 0x00ffff },
    { "darkblue", 0x00008b },
    { "darkcyan", 0x008b8b },
    { "darkgoldenrod", 0xb8860b },
    { "darkgray", 0xa9a9a9 },
    { "darkgreen", 0x006400 },
    { "darkgrey", 0xa9a9a9 },
    { "darkkhaki", 0xbdb76b },
    { "darkmagenta", 0x8b008b },
    { "darkolivegreen", 0x556b2f },
    { "darkorange", 0xff8c00 },
    { "darkorchid", 0x9932cc },
    { "darkred", 0x8b0000 },
    { "darksalmon", 0xe9967a },
    { "darkseagreen", 0x8fbc8f },
    { "darkslateblue", 0x483d8b },
    { "darkslategray", 0x2f4f4f },
    { "darkslategrey", 0x2f4f4f },
    { "darkturquoise", 0x00ced1 },
    { "darkviolet", 0x9400d3 },
    { "deeppink", 0xff1493 },
    { "deepskyblue", 0x00bfff },
    { "dimgray", 0x696969 },
    { "dimgrey", 0x696969 },
    { "dodgerblue", 0x1e90ff },
    { "firebrick", 0xb22222 },
    { "floralwhite", 0xfffaf0 },
    { "forestgreen", 0x228b22 },
    { "fuchsia", 0xff00ff },
    { "gainsboro", 0xdcdcdc },
    { "ghostwhite", 0xf8f8ff },
    { "gold", 0xffd700 },
    { "goldenrod", 0xdaa520 },
    { "gray", 0x808080 },
    { "green", 0x008000 },
    { "greenyellow", 0xadff2f },
    { "grey", 0x808080 },
    { "honeydew", 0xf0fff0 },
    { "hotpink", 0xff69b4 },
    { "indianred", 0xcd5c5c },
    { "indigo", 0x4b0082 },
    { "ivory", 0xfffff0 },
    { "khaki", 0xf0e68c },
    { "lavender", 0xe6e6fa },
    { "lavenderblush", 0xfff0f5 },
    { "lawngreen", 0x7cfc00 },
    { "lemonchiffon", 0xfffacd },
    { "lightblue", 0xadd8e6 },
    { "lightcoral", 0xf08080 },
    { "lightcyan", 0xe0ffff },
    { "lightgoldenrodyellow", 0xfafad2 },
    { "lightgray", 0xd3d3d3 },
    { "lightgreen", 0x90ee90 },
    { "lightgrey", 0xd3d3d3 },
    { "lightpink", 0xffb6c1 },
    { "lightsalmon", 0xffa07a },
    { "lightseagreen", 0x20b2aa },
    { "lightskyblue", 0x87cefa },
    { "lightslategray", 0x778899 },
    { "lightslategrey", 0x778899 },
    { "lightsteelblue", 0xb0c4de },
    { "lightyellow", 0xffffe0 },
    { "lime", 0x00ff00 },
    { "limegreen", 0x32cd32 },
    { "linen", 0xfaf0e6 },
    { "magenta", 0xff00ff },
    { "maroon", 0x800000 },
    { "mediumaquamarine", 0x66cdaa },
    { "mediumblue", 0x0000cd },
    { "mediumorchid", 0xba55d3 },
    { "mediumpurple", 0x9370db },
    { "mediumseagreen", 0x3cb371 },
    { "mediumslateblue", 0x7b68ee },
    { "mediumspringgreen", 0x00fa9a },
    { "mediumturquoise", 0x48d1cc },
    { "mediumvioletred", 0xc71585 },
    { "midnightblue", 0x191970 },
    { "mintcream", 0xf5fffa },
    { "mistyrose", 0xffe4e1 },
    { "moccasin", 0xffe4b5 },
    { "navajowhite", 0xffdead },
    { "navy", 0x000080 },
    { "oldlace", 0xfdf5e6 },
    { "olive", 0x808000 },
    { "olivedrab", 0x6b8e23 },
    { "orange", 0xffa500 },
    { "orangered", 0xff4500 },
    { "orchid", 0xda70d6 },
    { "palegoldenrod", 0xeee8aa },
    { "palegreen", 0x98fb98 },
    { "paleturquoise", 0xafeeee },
    { "palevioletred", 0xdb7093 },
    { "papayawhip", 0xffefd5 },
    { "peachpuff", 0xffdab9 },
    { "peru", 0xcd853f },
    { "pink", 0xffc0cb },
    { "plum", 0xdda0dd },
    { "powderblue", 0xb0e0e6 },
    { "purple", 0x800080 },
    { "red", 0xff0000 },
    { "rosybrown", 0xbc8f8f },
    { "royalblue", 0x4169e1 },
    { "saddlebrown", 0x8b4513 },
    { "salmon", 0xfa8072 },
    { "sandybrown", 0xf4a460 },
    { "seagreen", 0x2e8b57 },
    { "seashell", 0xfff5ee },
    { "sienna", 0xa0522d },
    { "silver", 0xc0c0c0 },
    { "skyblue", 0x87ceeb },
    { "slateblue", 0x6a5acd },
    { "slategray", 0x708090 },
    { "slategrey", 0x708090 },
    { "snow", 0xfffafa },
    { "springgreen", 0x00ff7f },
    { "steelblue", 0x4682b4 },
    { "tan", 0xd2b48c },
    { "teal", 0x008080 },
    { "thistle", 0xd8bfd8 },
    { "tomato", 0xff6347 },
    { "turquoise", 0x40e0d0 },
    { "violet", 0xee82ee },
    { "wheat", 0xf5deb3 },
    { "white", 0xffffff },
    { "whitesmoke", 0xf5f5f5 },
    { "yellow", 0xffff00 },
    { "yellowgreen", 0x9acd32 },
};

static void
color_set(struct mh_color *c, const char *s)
{
    size_t n = strlen(s);

    memcpy(c->s, s, n);
    c->len = (unsigned char)n;
}

static char
lc(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* The named colour s[0..len) (any case), or -1. */
static long
color_lookup(const char *s, size_t len)
{
    char key[24];
    size_t lo = 0, hi = sizeof(colors) / sizeof(colors[0]);

    if (len == 0 || len >= sizeof(key) || memchr(s, '\0', len) != NULL)
        return -1;
    for (size_t i = 0; i < len; i++)
        key[i] = lc(s[i]);
    key[len] = '\0';
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(colors[mid].name, key);

        if (c == 0)
            return (long)colors[mid].rgb;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static bool
is_hexish(char c)
{
    c = lc(c);
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Perl's \s* at s[*i]. */
static void
skip_space(const char *s, size_t len, size_t *i, bool uni)
{
    while (*i < len) {
        size_t k = *i;

        if (!mime_uni_is_space(mime_uni_next(s, len, &k), uni))
            break;
        *i = k;
    }
}

/* Perl's (\d+) at s[*i]: false if none; *num is the value Perl gives the
 * captured string (leading ASCII digits; saturating). */
static bool
match_digits(const char *s, size_t len, size_t *i, bool uni, uint64_t *num)
{
    size_t start = *i;
    bool ascii = true;

    *num = 0;
    while (*i < len) {
        size_t k = *i;
        uint32_t c = mime_uni_next(s, len, &k);

        if (!mime_uni_is_digit(c, uni))
            break;
        if (c >= '0' && c <= '9' && ascii) {
            uint64_t d = c - '0';

            *num = *num > (UINT64_MAX - d) / 10 ? UINT64_MAX : *num * 10 + d;
        } else {
            ascii = false; /* "12\x{663}" numifies as 12 */
        }
        *i = k;
    }
    return *i > start;
}

/* rgb\((\d+)%?,\s*(\d+)%?,\s*(\d+)%?\s*\) at s[i] ("rgb(" known). */
static bool
match_rgb(const char *s, size_t len, size_t i, bool uni, bool pct, uint64_t v[3])
{
    i += 4;
    for (int n = 0; n < 3; n++) {
        if (n > 0) {
            if (i >= len || s[i] != ',')
                return false;
            i++;
            skip_space(s, len, &i, uni);
        }
        if (!match_digits(s, len, &i, uni, &v[n]))
            return false;
        if (pct) {
            if (i >= len || s[i] != '%')
                return false;
            i++;
        }
    }
    skip_space(s, len, &i, uni);
    return i < len && s[i] == ')';
}

static bool
is_rgb_open(const char *s, size_t len, size_t i)
{
    return i + 4 <= len && lc(s[i]) == 'r' && lc(s[i + 1]) == 'g' && lc(s[i + 2]) == 'b' &&
           s[i + 3] == '(';
}

/* The first rgb( ... ) Perl's regex finds; false if none. */
static bool
find_rgb(const char *s, size_t len, bool uni, bool pct, uint64_t v[3])
{
    for (size_t i = 0; i + 4 <= len; i++) {
        if (is_rgb_open(s, len, i) && match_rgb(s, len, i, uni, pct, v))
            return true;
    }
    return false;
}

/* rgb\([\d%, ]*\) anywhere. */
static bool
has_rgb_list(const char *s, size_t len, bool uni)
{
    for (size_t i = 0; i + 4 <= len; i++) {
        size_t k;

        if (!is_rgb_open(s, len, i))
            continue;
        k = i + 4;
        while (k < len) {
            size_t n = k;
            uint32_t c = mime_uni_next(s, len, &n);

            if (c != '%' && c != ',' && c != ' ' && !mime_uni_is_digit(c, uni))
                break;
            k = n;
        }
        if (k < len && s[k] == ')')
            return true;
    }
    return false;
}

/* HTML.pm's dec2hex(): two digits at least, "%lx" beyond. */
static size_t
dec2hex(char *out, uint64_t v)
{
    return (size_t)sprintf(out, "%s%llx", v < 16 ? "0" : "", (unsigned long long)v);
}

static uint64_t
pct_to_byte(uint64_t p)
{
    double v = (double)p / 100 * 255; /* int($1/100*255) */

    return v >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)v;
}

void
mh_name_to_rgb(const char *s, size_t len, bool uni, struct mh_color *out)
{
    size_t b = 0, e = len;
    long named;
    char conv[3 * 18 + 2];
    const char *hex;
    size_t hexlen, n = 0;
    char digits[6];
    uint64_t v[3];

    skip_space(s, len, &b, uni);
    while (e > b) {
        size_t k = e;

        if (!mime_uni_is_space(mime_uni_prev(s, &k), uni))
            break;
        e = k;
    }
    s += b;
    len = e - b;

    named = color_lookup(s, len);
    if (named >= 0) {
        out->len = (unsigned char)snprintf(out->s, sizeof(out->s), "#%06lx", named);
        return;
    }
    {
        bool all_hex = true;

        for (size_t i = 0; i < len && all_hex; i++)
            all_hex = s[i] == '#' || is_hexish(s[i]);
        if (!all_hex && !has_rgb_list(s, len, uni)) {
            color_set(out, "invalid");
            return;
        }
    }
    hex = s;
    hexlen = len;
    if (find_rgb(s, len, uni, true, v)) {
        size_t k = 0;

        conv[k++] = '#';
        for (int i = 0; i < 3; i++)
            k += dec2hex(conv + k, pct_to_byte(v[i]));
        hex = conv;
        hexlen = k;
    } else if (find_rgb(s, len, uni, false, v)) {
        size_t k = 0;

        conv[k++] = '#';
        for (int i = 0; i < 3; i++)
            k += dec2hex(conv + k, v[i]);
        hex = conv;
        hexlen = k;
    }
    if (hexlen == 0 || hex[0] != '#') {
        color_set(out, "invalid");
        return;
    }
    /* keep the hex digits: more than 6 -> 6, 4 or 5 -> 3 */
    {
        size_t total = 0;

        for (size_t i = 0; i < hexlen; i++) {
            if (!is_hexish(hex[i]))
                continue;
            if (n < 6)
                digits[n++] = lc(hex[i]);
            total++;
        }
        if (total > 3 && total < 6)
            n = 3;
    }
    out->s[0] = '#';
    if (n == 0) {
        out->len = 1;
    } else if (n <= 3) {
        char d[3] = { '0', '0', '0' };

        memcpy(d, digits, n);
        for (int i = 0; i < 3; i++)
            out->s[1 + 2 * i] = out->s[2 + 2 * i] = d[i];
        out->len = 7;
    } else {
        memcpy(out->s + 1, digits, 6);
        out->len = 7;
    }
}

/* one token of parse_css_background(): s[b..e) in layer `layer` */
struct css_token {
    size_t b, e, layer;
};

int
mh_css_background(struct arena *a, const char *s, size_t len, bool uni, struct mh_color *out)
{
    struct mh_buf toks;
    struct css_token *t;
    size_t ntok, layer = 0, nlayers = 0, tb = 0;
    bool in_tok = false;
    int state = 0, stack[4], depth = 0;

    mh_buf_init(&toks, a);
#define CSS_PUSH_TOKEN(endpos)                                                                     \
    do {                                                                                           \
        struct css_token tk_ = { tb, (endpos), layer };                                            \
        mh_buf_append(&toks, &tk_, sizeof(tk_));                                                   \
        in_tok = false;                                                                            \
    } while (0)

    for (size_t i = 0; i < len; i++) {
        char ch = s[i];

        if (!in_tok) {
            tb = i;
            in_tok = true;
        }
        switch (state) {
        case 0:
            if (ch == ' ' || ch == ',') {
                if (i > tb)
                    CSS_PUSH_TOKEN(i);
                in_tok = false;
                if (ch == ',') {
                    layer++;
                    nlayers = layer;
                }
            } else if (ch == '(' || ch == '"' || ch == '\'') {
                if (depth < 4)
                    stack[depth++] = state;
                state = ch == '(' ? 1 : ch == '"' ? 2 : 3;
            }
            break;
        case 1:
            if (ch == ')') {
                CSS_PUSH_TOKEN(i + 1);
                state = depth > 0 ? stack[--depth] : 0;
            } else if (ch == '"' || ch == '\'') {
                if (depth < 4)
                    stack[depth++] = state;
                state = ch == '"' ? 2 : 3;
            }
            break;
        default:
            if (ch == (state == 2 ? '"' : '\''))
                state = depth > 0 ? stack[--depth] : 0;
            break;
        }
    }
#undef CSS_PUSH_TOKEN
    if (in_tok && len > tb) {
        struct css_token tk = { tb, len, layer };

        mh_buf_append(&toks, &tk, sizeof(tk));
    }
    t = (struct css_token *)(void *)toks.p;
    ntok = toks.len / sizeof(*t);
    /* the last layer: the tokens after the last comma if any, else the
     * layer that comma closed */
    if (ntok > 0 && t[ntok - 1].layer == layer)
        nlayers = layer + 1;
    if (nlayers == 0)
        return -1;
    for (size_t i = 0; i < ntok; i++) {
        struct mh_color c;

        if (t[i].layer != nlayers - 1)
            continue;
        mh_name_to_rgb(s + t[i].b, t[i].e - t[i].b, uni, &c);
        if (!(c.len == 7 && memcmp(c.s, "invalid", 7) == 0)) {
            *out = c;
            return 1;
        }
    }
    return 0;
}
