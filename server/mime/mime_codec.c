/*
 * mime_codec.c - transfer decodings as SpamAssassin does them (see
 * mime_codec.h). Each decoder writes into one arena block no larger than
 * its input (a decoding never grows).
 */
#include "mime/mime_codec.h"

#include <string.h>

static char *
codec_out(struct arena *a, size_t len)
{
    return arena_alloc(a, len + 1);
}

/* Pass 1 of qp_decode: s/[ \t]+(?=\r?\n)//g, then s/=\r?\n//g. */
static size_t
qp_strip_and_join(const char *in, size_t n, char *out)
{
    size_t o = 0, i = 0;

    while (i < n) {
        const char *nl = memchr(in + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - in) : n; /* the \n, or the end */
        size_t cr = end, keep;

        if (nl != NULL && end > i && in[end - 1] == '\r')
            cr = end - 1;
        size_t line = o; /* where this line starts in out: a match cannot reach back past it */

        keep = cr;
        if (nl != NULL) { /* blanks right before \r?\n go */
            while (keep > i && (in[keep - 1] == ' ' || in[keep - 1] == '\t'))
                keep--;
        }
        memcpy(out + o, in + i, keep - i);
        o += keep - i;
        if (nl == NULL)
            break;
        /* what the second substitution sees: the stripped text, then the
         * line end ("\r\n", or "\n" with any CR left before the blanks) */
        if (cr < end) {
            if (o > line && out[o - 1] == '=') {
                o--; /* =\r\n */
            } else {
                out[o++] = '\r';
                out[o++] = '\n';
            }
        } else if (o > line && out[o - 1] == '=') {
            o--; /* =\n */
        } else if (o > line + 1 && out[o - 1] == '\r' && out[o - 2] == '=') {
            o -= 2; /* = \r  \n: the blanks went, "=\r\n" remains */
        } else {
            out[o++] = '\n';
        }
        i = end + 1;
    }
    return o;
}

struct strv
mime_qp_decode(struct arena *a, struct strv in)
{
    char *out = codec_out(a, in.len);
    size_t n = qp_strip_and_join(in.p, in.len, out), o = 0;

    for (size_t i = 0; i < n; i++) { /* pass 2: s/=([0-9a-fA-F]{2})/chr/ge */
        int hi, lo;

        if (out[i] == '=' && i + 2 < n && (hi = strv_hexval((unsigned char)out[i + 1])) >= 0 &&
            (lo = strv_hexval((unsigned char)out[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = out[i];
        }
    }
    out[o] = '\0';
    return strv_make(out, o);
}

/* Perl's \s on bytes */
static bool
codec_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

#define B64_BAD 0xff
#define B64_EQ  0xfe

static const unsigned char b64_value[256] = {
    ['A'] = 0,  ['B'] = 1,  ['C'] = 2,  ['D'] = 3,  ['E'] = 4,  ['F'] = 5,  ['G'] = 6,  ['H'] = 7,
    ['I'] = 8,  ['J'] = 9,  ['K'] = 10, ['L'] = 11, ['M'] = 12, ['N'] = 13, ['O'] = 14, ['P'] = 15,
    ['Q'] = 16, ['R'] = 17, ['S'] = 18, ['T'] = 19, ['U'] = 20, ['V'] = 21, ['W'] = 22, ['X'] = 23,
    ['Y'] = 24, ['Z'] = 25, ['a'] = 26, ['b'] = 27, ['c'] = 28, ['d'] = 29, ['e'] = 30, ['f'] = 31,
    ['g'] = 32, ['h'] = 33, ['i'] = 34, ['j'] = 35, ['k'] = 36, ['l'] = 37, ['m'] = 38, ['n'] = 39,
    ['o'] = 40, ['p'] = 41, ['q'] = 42, ['r'] = 43, ['s'] = 44, ['t'] = 45, ['u'] = 46, ['v'] = 47,
    ['w'] = 48, ['x'] = 49, ['y'] = 50, ['z'] = 51, ['0'] = 52, ['1'] = 53, ['2'] = 54, ['3'] = 55,
    ['4'] = 56, ['5'] = 57, ['6'] = 58, ['7'] = 59, ['8'] = 60, ['9'] = 61, ['+'] = 62, ['/'] = 63,
};

static unsigned char
b64_lookup(unsigned char c)
{
    if (c == '=')
        return B64_EQ;
    if (b64_value[c] == 0 && c != 'A')
        return B64_BAD;
    return b64_value[c];
}

/* MIME::Base64::decode_base64 (the XS loop): invalid characters skipped,
 * a group with '=' in its third or fourth place ends the data. */
static size_t
b64_xs_decode(const char *in, size_t n, char *out)
{
    size_t i = 0, o = 0;

    while (i < n) {
        unsigned char c[4] = { B64_EQ, B64_EQ, B64_EQ, B64_EQ };
        int k = 0;

        while (k < 4 && i < n) {
            unsigned char v = b64_lookup((unsigned char)in[i++]);

            if (v != B64_BAD)
                c[k++] = v;
        }
        if (k < 2)
            break;
        if (c[0] == B64_EQ || c[1] == B64_EQ)
            break;
        out[o++] = (char)(c[0] << 2 | (c[1] & 0x30) >> 4);
        if (c[2] == B64_EQ)
            break;
        out[o++] = (char)((c[1] & 0x0f) << 4 | (c[2] & 0x3c) >> 2);
        if (c[3] == B64_EQ)
            break;
        out[o++] = (char)((c[2] & 0x03) << 6 | c[3]);
    }
    return o;
}

/* The lenient path: alphabet only, trailing '=' dropped, an inner '='
 * worth 63 (Perl's tr to the uuencode alphabet), one stray character
 * dropped, groups decoded with a short last group. */
static size_t
b64_lenient_decode(char *s, size_t n, char *out)
{
    size_t m = 0, o = 0, i;

    for (i = 0; i < n; i++) {
        unsigned char v = b64_lookup((unsigned char)s[i]);

        if (v != B64_BAD)
            s[m++] = (char)(v == B64_EQ ? 64 : v);
    }
    while (m > 0 && (unsigned char)s[m - 1] == 64)
        m--;
    if (m % 4 == 1)
        m--;
    for (i = 0; i < m; i++) {
        if ((unsigned char)s[i] == 64)
            s[i] = 63;
    }
    for (i = 0; i + 4 <= m; i += 4) {
        unsigned v = (unsigned)s[i] << 18 | (unsigned)s[i + 1] << 12 | (unsigned)s[i + 2] << 6 |
                     (unsigned)s[i + 3];

        out[o++] = (char)(v >> 16);
        out[o++] = (char)(v >> 8);
        out[o++] = (char)v;
    }
    if (m - i >= 2) {
        unsigned v = (unsigned)s[i] << 18 | (unsigned)s[i + 1] << 12 |
                     (m - i == 3 ? (unsigned)s[i + 2] << 6 : 0);

        out[o++] = (char)(v >> 16);
        if (m - i == 3)
            out[o++] = (char)(v >> 8);
    }
    return o;
}

/* s/\s+//g, then SA's test for the strict path:
 * length % 4 == 0 && /^(?:[A-Za-z0-9+\/=]{2,}={0,2})$/ */
static bool
b64_is_clean(const char *s, size_t n)
{
    if (n < 2 || n % 4 != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (b64_lookup((unsigned char)s[i]) == B64_BAD)
            return false;
    }
    return true;
}

struct strv
mime_b64_decode(struct arena *a, struct strv in)
{
    char *s = arena_alloc(a, in.len + 1), *out;
    size_t n = 0, o;

    for (size_t i = 0; i < in.len; i++) {
        if (!codec_space((unsigned char)in.p[i]))
            s[n++] = in.p[i];
    }
    out = codec_out(a, n);
    if (b64_is_clean(s, n)) {
        /* s/(=+)(?!=*$)/'A' x length($1)/ge: '=' runs not at the end become 'A' */
        size_t tail = n;

        while (tail > 0 && s[tail - 1] == '=')
            tail--;
        for (size_t i = 0; i < tail; i++) {
            if (s[i] == '=')
                s[i] = 'A';
        }
        o = b64_xs_decode(s, n, out);
    } else {
        o = b64_lenient_decode(s, n, out);
    }
    out[o] = '\0';
    return strv_make(out, o);
}

static unsigned
uu_val(unsigned char c)
{
    return (unsigned)(c - ' ') & 63;
}

/* One uuencoded line "Lxxxx...": its declared length and bytes. */
static size_t
uu_line(const char *p, size_t n, char *out)
{
    size_t len, o = 0, i = 1;

    if (n == 0 || p[0] < ' ' || p[0] > '`')
        return 0;
    len = uu_val((unsigned char)p[0]);
    while (o < len && i < n) {
        unsigned char c[4] = { ' ', ' ', ' ', ' ' };
        unsigned v;

        for (int k = 0; k < 4; k++, i++)
            c[k] = i < n ? (unsigned char)p[i] : ' ';
        v = uu_val(c[0]) << 18 | uu_val(c[1]) << 12 | uu_val(c[2]) << 6 | uu_val(c[3]);
        for (int k = 2; k >= 0 && o < len; k--)
            out[o++] = (char)(v >> (8 * k));
    }
    return o;
}

struct strv
mime_uu_decode(struct arena *a, struct strv in)
{
    char *out = codec_out(a, in.len);
    size_t o = 0, i = 0;
    bool begun = false;

    while (i < in.len) {
        const char *nl = memchr(in.p + i, '\n', in.len - i);
        size_t end = nl ? (size_t)(nl - in.p) : in.len, n = end - i;
        const char *line = in.p + i;

        if (n > 0 && line[n - 1] == '\r')
            n--;
        i = end + 1;
        if (!begun) {
            begun = true;
            if (n >= 6 && memcmp(line, "begin ", 6) == 0)
                continue;
        }
        if ((n == 3 && memcmp(line, "end", 3) == 0) || (n == 1 && line[0] == '`'))
            break;
        if (n == 0)
            continue;
        if (line[0] < ' ' || line[0] > '`')
            break;
        o += uu_line(line, n, out + o);
    }
    out[o] = '\0';
    return strv_make(out, o);
}

struct strv
mime_crlf_to_lf(struct arena *a, struct strv in)
{
    const char *cr = memchr(in.p, '\r', in.len);
    char *out;
    size_t o;

    if (cr == NULL)
        return in;
    out = codec_out(a, in.len);
    o = (size_t)(cr - in.p);
    memcpy(out, in.p, o);
    for (size_t i = o; i < in.len; i++) {
        if (in.p[i] == '\r' && i + 1 < in.len && in.p[i + 1] == '\n')
            continue;
        out[o++] = in.p[i];
    }
    out[o] = '\0';
    return strv_make(out, o);
}
