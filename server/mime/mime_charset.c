/*
 * mime_charset.c - charset normalisation as SpamAssassin does it (see
 * mime_charset.h). Windows-1252 (and so ISO-8859-1, which SA reads as
 * Windows-1252), UTF-8 and UTF-16 are decoded here; everything else goes
 * through iconv with a converter cached per charset.
 */
#include "mime/mime_charset.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"

#define CS_CACHE_MAX 32

struct cs_conv {
    const char *name; /* Perl's canonical name (static) */
    iconv_t cd;       /* (iconv_t)-1: iconv does not know it */
};

struct mime_charset {
    struct cs_conv conv[CS_CACHE_MAX];
    size_t nconv;
};

/* Windows-1252 0x80..0x9f; 0 where the byte is undefined. */
static const unsigned short cs_w1252_high[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

struct mime_charset *
mime_charset_new(void)
{
    return xcalloc(1, sizeof(struct mime_charset));
}

void
mime_charset_free(struct mime_charset **csp)
{
    struct mime_charset *cs = *csp;

    if (cs == NULL)
        return;
    for (size_t i = 0; i < cs->nconv; i++) {
        if (cs->conv[i].cd != (iconv_t)-1)
            iconv_close(cs->conv[i].cd);
    }
    free(cs);
    *csp = NULL;
}

/* A valid strict UTF-8 sequence at s (as Encode's "UTF-8": no overlongs,
 * surrogates, code points past U+10FFFF, nor the noncharacters U+FDD0..FDEF
 * and U+xFFFE/xFFFF): its length, or 0. s[0] >= 0x80. */
static size_t
cs_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], cp;

    if (c >= 0xc2 && c <= 0xdf) {
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
            return 0; /* overlong, surrogate */
        cp = (c & 0x0f) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
        return (cp >= 0xfdd0 && cp <= 0xfdef) || cp >= 0xfffe ? 0 : 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
            return 0; /* overlong, past U+10FFFF */
        cp = (c & 0x07) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
        return (cp & 0xfffe) == 0xfffe ? 0 : 4;
    }
    return 0;
}

bool
mime_utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p, *end = s + n;

    while (s < end) {
        unsigned c = *s;

        if (c < 0x80) {
            s++;
            continue;
        }
        size_t n3 = cs_utf8_seq(s, (size_t)(end - s));

        if (n3 == 0)
            return false;
        s += n3;
    }
    return true;
}

static size_t
cs_put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Windows-1252 to UTF-8; strict: fail on an undefined byte, else U+FFFD. */
static bool
cs_w1252(struct arena *a, struct strv in, bool strict, struct strv *out)
{
    char *o = arena_alloc(a, in.len * 3 + 1);
    size_t n = 0;

    for (size_t i = 0; i < in.len; i++) {
        unsigned c = (unsigned char)in.p[i];

        if (c >= 0x80 && c < 0xa0) {
            c = cs_w1252_high[c - 0x80];
            if (c == 0) {
                if (strict)
                    return false;
                c = 0xfffd;
            }
        }
        n += cs_put_utf8(o + n, c);
    }
    o[n] = '\0';
    *out = strv_make(o, n);
    return true;
}

/* UTF-8 with U+FFFD for what is not strict UTF-8 (insist mode), replaced
 * as Perl's Encode 3.17 replaces it: a lead byte takes the continuation
 * bytes that follow it along; a byte that cannot start a character takes a
 * whole 3-byte character right after it along too (measured, odd as it is). */
static struct strv
cs_utf8_lax(struct arena *a, struct strv in)
{
    const unsigned char *s = (const unsigned char *)in.p;
    char *o = arena_alloc(a, in.len * 3 + 1);
    size_t n = 0, i = 0;

    while (i < in.len) {
        unsigned c = s[i];
        size_t len;

        if (c < 0x80) {
            o[n++] = (char)c;
            i++;
            continue;
        }
        if ((len = cs_utf8_seq(s + i, in.len - i)) > 0) {
            memcpy(o + n, s + i, len);
            n += len;
            i += len;
            continue;
        }
        n += cs_put_utf8(o + n, 0xfffd);
        if (c >= 0xc2 && c <= 0xf4) {
            size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2, bad = 1;

            while (bad < want && i + bad < in.len && (s[i + bad] & 0xc0) == 0x80)
                bad++;
            i += bad;
        } else if (i + 1 < in.len && s[i + 1] >= 0xe0 && s[i + 1] <= 0xef &&
                   cs_utf8_seq(s + i + 1, in.len - i - 1) == 3) {
            i += 4;
        } else {
            i++;
        }
    }
    o[n] = '\0';
    return strv_make(o, n);
}

/* SA's detect_utf16: which half of each 16-bit unit carries the text. */
static int
cs_detect_utf16(struct strv in)
{
    unsigned le = 0, be = 0;
    unsigned long even = 0, odd = 0;

    if (in.len >= 2 && (((unsigned char)in.p[0] == 0xff && (unsigned char)in.p[1] == 0xfe) ||
                        ((unsigned char)in.p[0] == 0xfe && (unsigned char)in.p[1] == 0xff)))
        return 0; /* a BOM: the UTF-16 decoder reads it */
    for (size_t i = 0; i < in.len; i += 2) {
        unsigned char x = (unsigned char)in.p[i],
                      y = i + 1 < in.len ? (unsigned char)in.p[i + 1] : 0;

        even += (x >> 4) + (x & 15);
        odd += (y >> 4) + (y & 15);
        if (x == 0x20 && y == 0)
            le++;
        if (x == 0 && y == 0x20)
            be++;
    }
    if (even > odd * 4)
        le++;
    if (odd * 4 > even)
        be++;
    return le > be ? 'L' : be > le ? 'B' : -1;
}

/* The converter for perl_name; *owned: the caller must close it (the
 * cache is full). */
static iconv_t
cs_open(struct mime_charset *cs, const char *perl_name, bool *owned)
{
    char name[64];

    *owned = false;
    for (size_t i = 0; i < cs->nconv; i++) {
        if (strcmp(cs->conv[i].name, perl_name) == 0)
            return cs->conv[i].cd;
    }
    /* iconv knows Perl's names once upper-cased, but for these */
    if (strcmp(perl_name, "MacRoman") == 0)
        snprintf(name, sizeof(name), "MACINTOSH");
    else if (strcmp(perl_name, "big5-eten") == 0)
        snprintf(name, sizeof(name), "BIG5");
    else if (strcmp(perl_name, "shiftjis") == 0)
        snprintf(name, sizeof(name), "SHIFT_JIS");
    else if (strcmp(perl_name, "7bit-jis") == 0)
        snprintf(name, sizeof(name), "ISO-2022-JP");
    else
        snprintf(name, sizeof(name), "%s", perl_name);
    for (char *p = name; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    if (cs->nconv == CS_CACHE_MAX) {
        *owned = true;
        return iconv_open("UTF-8", name);
    }
    cs->conv[cs->nconv].name = perl_name;
    cs->conv[cs->nconv].cd = iconv_open("UTF-8", name);
    return cs->conv[cs->nconv++].cd;
}

/* Decode with iconv; strict: any error fails, else U+FFFD and go on. */
static bool
cs_iconv(struct mime_charset *cs, struct arena *a, const char *perl_name, struct strv in,
         bool strict, struct strv *out)
{
    bool owned;
    iconv_t cd = cs_open(cs, perl_name, &owned);
    size_t cap = in.len * 4 + 16, left_in = in.len, left_out;
    char *buf, *ip = (char *)in.p, *op;
    bool ok = true;

    if (cd == (iconv_t)-1)
        return false;
    iconv(cd, NULL, NULL, NULL, NULL);
    buf = arena_alloc(a, cap + 1);
    op = buf;
    left_out = cap;
    while (left_in > 0) {
        if (iconv(cd, &ip, &left_in, &op, &left_out) != (size_t)-1)
            break;
        if (errno == E2BIG) { /* cannot happen with 4x room, but be sure */
            ok = false;
            break;
        }
        if (strict || left_out < 4) {
            ok = false;
            break;
        }
        {
            size_t k = cs_put_utf8(op, 0xfffd);

            op += k;
            left_out -= k;
        }
        if (errno == EINVAL) /* incomplete sequence at the end */
            break;
        ip++;
        left_in--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    if (ok && iconv(cd, NULL, NULL, &op, &left_out) == (size_t)-1)
        ok = !strict;
    if (owned)
        iconv_close(cd);
    if (!ok)
        return false;
    *op = '\0';
    *out = strv_make(buf, (size_t)(op - buf));
    return true;
}

/* ------------------------------------------------------------------------
 * Charset names as Perl's Encode resolves them (Encode::Alias).
 */

/* Perl's encodings, with their canonical spelling. */
static const char *const cs_encodings[] = {
    "7bit-jis",
    "MacArabic",
    "MacCentralEurRoman",
    "MacChineseSimp",
    "MacChineseTrad",
    "MacCroatian",
    "MacCyrillic",
    "MacGreek",
    "MacHebrew",
    "MacIcelandic",
    "MacJapanese",
    "MacKorean",
    "MacRoman",
    "MacRomanian",
    "MacRumanian",
    "MacSami",
    "MacThai",
    "MacTurkish",
    "MacUkrainian",
    "UCS-2BE",
    "UCS-2LE",
    "UTF-16",
    "UTF-16BE",
    "UTF-16LE",
    "UTF-32",
    "UTF-32BE",
    "UTF-32LE",
    "UTF-7",
    "ascii",
    "big5-eten",
    "big5-hkscs",
    "cp1006",
    "cp1026",
    "cp1047",
    "cp1250",
    "cp1251",
    "cp1252",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "cp37",
    "cp424",
    "cp437",
    "cp500",
    "cp737",
    "cp775",
    "cp850",
    "cp852",
    "cp855",
    "cp856",
    "cp857",
    "cp858",
    "cp860",
    "cp861",
    "cp862",
    "cp863",
    "cp864",
    "cp865",
    "cp866",
    "cp869",
    "cp874",
    "cp875",
    "cp932",
    "cp936",
    "cp949",
    "cp950",
    "euc-cn",
    "euc-jp",
    "euc-kr",
    "hp-roman8",
    "hz",
    "iso-2022-jp",
    "iso-2022-jp-1",
    "iso-2022-kr",
    "iso-8859-1",
    "iso-8859-10",
    "iso-8859-11",
    "iso-8859-13",
    "iso-8859-14",
    "iso-8859-15",
    "iso-8859-16",
    "iso-8859-2",
    "iso-8859-3",
    "iso-8859-4",
    "iso-8859-5",
    "iso-8859-6",
    "iso-8859-7",
    "iso-8859-8",
    "iso-8859-9",
    "johab",
    "koi8-f",
    "koi8-r",
    "koi8-u",
    "nextstep",
    "shiftjis",
    "utf-8-strict",
    "utf8",
    "viscii",
};

static const char *
cs_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof(cs_encodings) / sizeof(cs_encodings[0]); i++) {
        if (strcasecmp(cs_encodings[i], name) == 0)
            return cs_encodings[i];
    }
    return NULL;
}

static bool
cs_word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Does the lower-cased s contain `pat` starting at a word boundary (Perl's
 * \b before a word character) and, when `at_end`, ending the string? */
static const char *
cs_find_b(const char *s, const char *pat, bool at_end)
{
    size_t n = strlen(pat), len = strlen(s);

    for (size_t i = 0; i + n <= len; i++) {
        if ((i == 0 || !cs_word(s[i - 1])) && strncmp(s + i, pat, n) == 0 &&
            (!at_end || i + n == len))
            return s + i;
    }
    return NULL;
}

/* The CN/JP/KR/TW aliases, in the order Encode::Alias tries them. */
static const char *
cs_alias_cjk(const char *s)
{
    static const struct {
        const char *pat, *to;
    } tail[] = {
        { "hkscs-big5", "big5-hkscs" }, { "hkscs_big5", "big5-hkscs" },
        { "hkscsbig5", "big5-hkscs" },  { "hk-big5", "big5-hkscs" },
        { "hk_big5", "big5-hkscs" },    { "hkbig5", "big5-hkscs" },
        { "big5-hkscs", "big5-hkscs" }, { "big5hkscs", "big5-hkscs" },
        { "big5-hk", "big5-hkscs" },    { "big5hk", "big5-hkscs" },
        { "tca-big5", "big5-eten" },    { "tca_big5", "big5-eten" },
        { "tcabig5", "big5-eten" },     { "big5-eten", "big5-eten" },
        { "big5eten", "big5-eten" },    { "big5-et", "big5-eten" },
        { "big5et", "big5-eten" },      { "big-5", "big5-eten" },
        { "big5", "big5-eten" },        { "ks_c_5601-1987", "cp949" },
    };
    size_t len = strlen(s);

    for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++) {
        if (cs_find_b(s, tail[i].pat, true))
            return tail[i].to;
    }
    if ((len >= 11 && strcmp(s + len - 11, "windows-949") == 0) ||
        (len >= 3 && strcmp(s + len - 3, "uhc") == 0))
        return "cp949";
    if (cs_find_b(s, "kr", false) && len >= 3 && strcmp(s + len - 3, "euc") == 0)
        return "euc-kr";
    if (cs_find_b(s, "euc", false) && len >= 2 && strcmp(s + len - 2, "kr") == 0)
        return "euc-kr";
    if (cs_find_b(s, "windows-31j", true))
        return "cp932";
    if (cs_find_b(s, "sjis", true))
        return "shiftjis";
    if (cs_find_b(s, "shift", false) && len >= 3 && strcmp(s + len - 3, "jis") == 0)
        return "shiftjis";
    if (cs_find_b(s, "ujis", true))
        return "euc-jp";
    if (cs_find_b(s, "jp", false) && len >= 3 && strcmp(s + len - 3, "euc") == 0)
        return "euc-jp";
    if (cs_find_b(s, "euc", false) && len >= 2 && strcmp(s + len - 2, "jp") == 0)
        return "euc-jp";
    if (cs_find_b(s, "jis", true))
        return "7bit-jis";
    for (const char *p = s; (p = cs_find_b(p, "gb", false)) != NULL; p++) {
        const char *q = p + 2;

        if (*q == '-' || *q == '_' || *q == ' ')
            q++;
        if (strncmp(q, "2312", 4) == 0 && strncmp(q + 4, "raw", 3) != 0 &&
            strncmp(q + 4, "-raw", 4) != 0)
            return "euc-cn";
    }
    if (strcmp(s, "gbk") == 0)
        return "cp936";
    if (cs_find_b(s, "cn", false) && len >= 3 && strcmp(s + len - 3, "euc") == 0)
        return "euc-cn";
    if (cs_find_b(s, "euc", false) && len >= 2 && strcmp(s + len - 2, "cn") == 0)
        return "euc-cn";
    return NULL;
}

/* cp/ibm/ms/windows NNNN, koi8-r/u, mac*, tis-620 and the other patterns. */
static const char *
cs_alias_misc(const char *s, char *buf, size_t buflen)
{
    static const char *const prefixes[] = { "cp", "ibm", "ms", "windows" };
    size_t len = strlen(s);

    if (len >= 5 && strncmp(s + len - 5, "koi8", 4) == 0) {
        /* handled below with separators */
    }
    for (const char *p = s; (p = cs_find_b(p, "koi8", false)) != NULL; p++) {
        const char *q = p + 4;

        while (*q == ' ' || *q == '-' || *q == '_' || *q == '\t')
            q++;
        if ((q[0] == 'r' || q[0] == 'u') && q[1] == '\0')
            return q[0] == 'r' ? "koi8-r" : "koi8-u";
    }
    if (strcmp(s, "macce") == 0)
        return "MacCentralEurRoman";
    if (strcmp(s, "macintosh") == 0)
        return "MacRoman";
    {
        const char *p = s;

        if ((p[0] == 'x') && (p[1] == '-' || p[1] == '_'))
            p += 2;
        if (strncmp(p, "mac", 3) == 0 && (p[3] == '-' || p[3] == '_')) {
            snprintf(buf, buflen, "mac%s", p + 4);
            return buf;
        }
    }
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        for (const char *p = s; (p = cs_find_b(p, prefixes[i], false)) != NULL; p++) {
            const char *q = p + strlen(prefixes[i]);
            size_t digits;

            if (*q == '-' || *q == '_' || *q == ' ')
                q++;
            digits = strspn(q, "0123456789");
            if (digits >= 2 && digits <= 4 && q[digits] == '\0') {
                snprintf(buf, buflen, "cp%s", q);
                return buf;
            }
        }
    }
    for (const char *p = s; (p = cs_find_b(p, "tis", false)) != NULL; p++) {
        const char *q = p + 3;

        if (*q == '-')
            q++;
        if (strncmp(q, "620", 3) == 0 && !cs_word(q[3]))
            return "iso-8859-11";
    }
    return NULL;
}

/* latinN, winlatinN..., ANSI X3.4-1968, iso8859N, iso-N-N, 646 and UTF forms. */
static const char *
cs_alias_iso(const char *s, char *buf, size_t buflen)
{
    static const int latin2iso[] = { 0, 1, 2, 3, 4, 9, 10, 13, 14, 15, 16 };
    static const struct {
        const char *name;
        const char *cp;
    } winlatin[] = {
        { "winlatin1", "cp1252" }, { "winlatin2", "cp1250" }, { "wincyrillic", "cp1251" },
        { "winbaltic", "cp1257" }, { "wingreek", "cp1253" },  { "winturkish", "cp1254" },
        { "winhebrew", "cp1255" }, { "winarabic", "cp1256" }, { "winvietnamese", "cp1258" },
    };
    static const struct {
        const char *name, *to;
    } literal[] = { { "cyrillic", "iso-8859-5" },
                    { "arabic", "iso-8859-6" },
                    { "greek", "iso-8859-7" },
                    { "hebrew", "iso-8859-8" },
                    { "thai", "iso-8859-11" } };
    const char *p;
    size_t len = strlen(s);

    for (size_t i = 0; i < sizeof(literal) / sizeof(literal[0]); i++) {
        if (strcmp(s, literal[i].name) == 0)
            return literal[i].to;
    }
    for (size_t i = 0; i < sizeof(winlatin) / sizeof(winlatin[0]); i++) {
        if (cs_find_b(s, winlatin[i].name, true))
            return winlatin[i].cp;
    }
    for (p = s; (p = cs_find_b(p, "latin", false)) != NULL; p++) {
        const char *q = p + 5;

        if (*q == '-' || *q == '_')
            q++;
        if (strspn(q, "0123456789") == strlen(q) && *q != '\0') {
            long n = strtol(q, NULL, 10);

            if (n >= 1 && n <= 10) {
                snprintf(buf, buflen, "iso-8859-%d", latin2iso[n]);
                return buf;
            }
            return NULL;
        }
    }
    if (len > 5 && strcmp(s + len - 5, "@euro") == 0) {
        snprintf(buf, buflen, "%.*s", (int)(len - 5), s);
        return buf;
    }
    for (p = s; (p = cs_find_b(p, "ansi", false)) != NULL; p++) {
        const char *q = p + 4;

        if (*q == '-' || *q == '_')
            q++;
        if (strncmp(q, "x3.4", 4) == 0) {
            q += 4;
            if (*q == '-' || *q == '_')
                q++;
            if (strcmp(q, "1968") == 0)
                return "ascii";
        }
    }
    for (p = s; (p = cs_find_b(p, "iso8859", false)) != NULL; p++) {
        if (p[7] != '\0' && strspn(p + 7, "0123456789") == strlen(p + 7)) {
            snprintf(buf, buflen, "iso-8859-%s", p + 7);
            return buf;
        }
    }
    for (p = s; (p = cs_find_b(p, "iso", false)) != NULL; p++) {
        const char *q = p + 3;
        size_t d1, d2;

        if (*q == '-' || *q == '_')
            q++;
        d1 = strspn(q, "0123456789");
        if (d1 == 0 || (q[d1] != '-' && q[d1] != '_'))
            continue;
        d2 = strspn(q + d1 + 1, "0123456789");
        if (d2 > 0 && q[d1 + 1 + d2] == '\0') {
            snprintf(buf, buflen, "iso-%.*s-%s", (int)d1, q, q + d1 + 1);
            return buf;
        }
    }
    for (p = s; *p != '\0'; p++) { /* \b(?:ISO[-_]?)?646(?:[-_]?US)?$ */
        const char *q = p;

        if (p != s && cs_word(p[-1]))
            continue;
        if (strncmp(q, "iso", 3) == 0) {
            q += 3;
            if (*q == '-' || *q == '_')
                q++;
        }
        if (strncmp(q, "646", 3) != 0)
            continue;
        q += 3;
        if (*q == '-' || *q == '_')
            q++;
        if (*q == '\0' || strcmp(q, "us") == 0 || (q[-1] == '6' && *q == '\0'))
            return "ascii";
    }
    if (strcmp(s, "c") == 0 || strcmp(s, "ascii") == 0 || strcmp(s, "usascii") == 0 ||
        strcmp(s, "us-ascii") == 0)
        return "ascii";
    return NULL;
}

static const char *
cs_alias_utf(const char *s, char *buf, size_t buflen)
{
    const char *p = s;
    char bits[3] = "";

    if (strcmp(s, "iso-10646-1") == 0)
        return "UCS-2BE";
    if (strncmp(p, "utf", 3) == 0) {
        p += 3;
        if (*p == '-')
            p++;
        if ((p[0] == '1' && p[1] == '6') || (p[0] == '3' && p[1] == '2')) {
            memcpy(bits, p, 2);
            p += 2;
            if (*p == '-')
                p++;
            if (*p == '\0')
                return snprintf(buf, buflen, "UTF-%s", bits), buf;
            if (strcmp(p, "be") == 0 || strcmp(p, "le") == 0)
                return snprintf(buf, buflen, "UTF-%s%s", bits, p[0] == 'b' ? "BE" : "LE"), buf;
        }
        if (strcmp(p, "7") == 0)
            return "UTF-7";
    }
    if (strcmp(s, "unicode-1-1-utf-7") == 0 || strcmp(s, "unicode-1-1-utf7") == 0)
        return "UTF-7";
    if (strncmp(s, "ucs", 3) == 0) {
        p = s + 3;
        if (*p == '-')
            p++;
        if (*p == '2' || *p == '4') {
            char w = *p++;

            if (*p == '-')
                p++;
            if (w == '2' && (*p == '\0' || strcmp(p, "be") == 0))
                return "UCS-2BE";
            if (w == '2' && strcmp(p, "le") == 0)
                return "UCS-2LE";
            if (w == '4' && *p == '\0')
                return "UTF-32";
            if (w == '4' && (strcmp(p, "be") == 0 || strcmp(p, "le") == 0))
                return snprintf(buf, buflen, "UTF-32%s", p[0] == 'b' ? "BE" : "LE"), buf;
        }
    }
    return NULL;
}

#define CS_MAX_CANDIDATES 8

struct cs_candidates {
    char names[CS_MAX_CANDIDATES][160];
    size_t n;
};

static void
cs_add(struct cs_candidates *c, const char *name)
{
    if (name != NULL && c->n < CS_MAX_CANDIDATES)
        snprintf(c->names[c->n++], sizeof(c->names[0]), "%s", name);
}

/* Every name Encode::Alias would try for orig, in its order (the rules
 * defined last are tried first). */
static void
cs_aliases(const char *orig, struct cs_candidates *c)
{
    char s[128], buf[160];
    const char *sp;
    size_t len;

    snprintf(s, sizeof(s), "%s", orig);
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    len = strlen(s);
    /* ^([^\s_]+)[\s_]+([^\s_]*)$  ->  $1-$2 */
    sp = strpbrk(s, " _\t");
    if (sp != NULL && sp != s) {
        size_t a = (size_t)(sp - s), b = a + strspn(sp, " _\t");

        if (strpbrk(s + b, " _\t") == NULL) {
            snprintf(buf, sizeof(buf), "%.*s-%s", (int)a, orig, orig + b);
            cs_add(c, buf);
        }
    }
    if (len >= 5 && strcmp(s + len - 5, "utf-8") == 0 && (len == 5 || !cs_word(s[len - 6])))
        cs_add(c, "utf-8-strict");
    if (strstr(s, "cp65001"))
        cs_add(c, "utf-8-strict");
    if (strstr(s, "cp65000"))
        cs_add(c, "UTF-7");
    cs_add(c, cs_alias_cjk(s));
    cs_add(c, cs_alias_misc(s, buf, sizeof(buf)));
    cs_add(c, cs_alias_iso(s, buf, sizeof(buf)));
    cs_add(c, cs_alias_utf(s, buf, sizeof(buf)));
}

/* Encode::find_encoding: the name itself, then each alias in turn (a name
 * already being resolved is not tried again, as Encode's recursion guard). */
static const char *
cs_resolve(const char *name, int depth)
{
    struct cs_candidates c = { .n = 0 };
    const char *enc = cs_lookup(name);

    if (enc != NULL || depth > 4)
        return enc;
    cs_aliases(name, &c);
    for (size_t i = 0; i < c.n; i++) {
        if (strcasecmp(c.names[i], name) == 0)
            continue;
        if ((enc = cs_resolve(c.names[i], depth + 1)) != NULL)
            return enc;
    }
    return NULL;
}

const char *
mime_charset_canonical(struct strv label)
{
    char name[128];

    if (label.len == 0 || label.len >= sizeof(name))
        return NULL;
    memcpy(name, label.p, label.len);
    name[label.len] = '\0';
    return cs_resolve(name, 0);
}

/* ------------------------------------------------------------------------
 * _normalize
 */

static bool
cs_label_is(struct strv label, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strv_caseeq(label, names[i]))
            return true;
    }
    return false;
}

/* /^(?:(?:US-)?ASCII|ANSI[_ ]?X3\.4-(?:1986|1968)|ISO646-US)\z/i */
static bool
cs_label_ascii(struct strv l)
{
    static const char *const names[] = {
        "ASCII",          "US-ASCII",       "ANSI_X3.4-1986", "ANSI X3.4-1986", "ANSIX3.4-1986",
        "ANSI_X3.4-1968", "ANSI X3.4-1968", "ANSIX3.4-1968",  "ISO646-US",
    };

    return cs_label_is(l, names, sizeof(names) / sizeof(names[0]));
}

static bool
cs_digits(const char *p, size_t n, size_t min, size_t max)
{
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
    }
    return true;
}

static bool
cs_prefix(struct strv l, const char *pre, size_t *rest)
{
    size_t n = strlen(pre);

    if (l.len < n || strncasecmp(l.p, pre, n) != 0)
        return false;
    *rest = n;
    return true;
}

/* /^GB[ -]?18030(?:-20\d\d)?\z/i */
static bool
cs_label_gb18030(struct strv l)
{
    size_t r = 2;

    if (l.len < 2 || strncasecmp(l.p, "GB", 2) != 0)
        return false;
    if (r < l.len && (l.p[r] == ' ' || l.p[r] == '-'))
        r++;
    if (l.len - r < 5 || strncmp(l.p + r, "18030", 5) != 0)
        return false;
    r += 5;
    return r == l.len || (l.len - r == 5 && l.p[r] == '-' && l.p[r + 1] == '2' &&
                          l.p[r + 2] == '0' && cs_digits(l.p + r + 3, 2, 2, 2));
}

/* /^(?:ISO[ -]?8859(?:-\d{1,2})?|Windows-\d{4}|UTF-?8|(KOI8|EUC)-[A-Z]{1,2}|
 *    Big5|GBK|GB[ -]?18030(?:-20\d\d)?)\z/xi : declared "extended ASCII" */
static bool
cs_label_ext_ascii(struct strv l)
{
    size_t r;

    if (cs_prefix(l, "ISO", &r)) {
        if (r < l.len && (l.p[r] == ' ' || l.p[r] == '-'))
            r++;
        if (l.len - r >= 4 && strncmp(l.p + r, "8859", 4) == 0) {
            r += 4;
            return r == l.len || (l.p[r] == '-' && cs_digits(l.p + r + 1, l.len - r - 1, 1, 2));
        }
        return false;
    }
    if (cs_prefix(l, "Windows-", &r))
        return cs_digits(l.p + r, l.len - r, 4, 4);
    if (strv_caseeq(l, "UTF-8") || strv_caseeq(l, "UTF8") || strv_caseeq(l, "Big5") ||
        strv_caseeq(l, "GBK"))
        return true;
    if (cs_prefix(l, "KOI8-", &r) || cs_prefix(l, "EUC-", &r)) {
        if (l.len - r < 1 || l.len - r > 2)
            return false;
        for (size_t i = r; i < l.len; i++) {
            if (!isalpha((unsigned char)l.p[i]))
                return false;
        }
        return true;
    }
    return cs_prefix(l, "GB", &r) && cs_label_gb18030(l);
}

/* Bytes SA lets through as Windows-1252 when nothing else worked:
 * tr/\x00-\x7f\xa0\xa9\xad\x82\x84\x85\x91-\x97\x99\xc0-\xd6\xd8-\xde\xe0-\xf6\xf8-\xfe// */
static bool
cs_w1252_safe(struct strv t)
{
    for (size_t i = 0; i < t.len; i++) {
        unsigned c = (unsigned char)t.p[i];

        if (c < 0x80 || c == 0xa0 || c == 0xa9 || c == 0xad || c == 0x82 || c == 0x84 ||
            c == 0x85 || (c >= 0x91 && c <= 0x97) || c == 0x99 || (c >= 0xc0 && c <= 0xd6) ||
            (c >= 0xd8 && c <= 0xde) || (c >= 0xe0 && c <= 0xf6) || (c >= 0xf8 && c <= 0xfe))
            continue;
        return false;
    }
    return true;
}

static size_t
cs_count_8bit(struct strv t)
{
    size_t n = 0;

    for (size_t i = 0; i < t.len; i++)
        n += (unsigned char)t.p[i] >= 0x80;
    return n;
}

/* The declared charset's decoder: W1252, UTF-8, a Perl name, or none. */
static const char *
cs_declared_decoder(struct strv d)
{
    static const char *const w1252[] = { "ISO-8859-1", "ISO8859-1", "Windows-1252", "CP1252" };

    if (cs_label_is(d, w1252, sizeof(w1252) / sizeof(w1252[0])))
        return "cp1252";
    if (strv_caseeq(d, "UTF-8") || strv_caseeq(d, "UTF8"))
        return "utf-8-strict";
    {
        const char *c = mime_charset_canonical(d);

        if (c == NULL && cs_label_gb18030(d))
            c = "cp936"; /* GB18030 is not in Encode: SA reads it as GBK */
        if (c != NULL && strcmp(c, "utf8") == 0)
            c = "utf-8-strict";
        return c;
    }
}

static bool
cs_decode_with(struct mime_charset *cs, struct arena *a, const char *dec, struct strv text,
               bool strict, struct strv *out)
{
    if (strcmp(dec, "cp1252") == 0)
        return cs_w1252(a, text, strict, out);
    if (strcmp(dec, "utf-8-strict") == 0) {
        if (mime_utf8_valid(text.p, text.len)) {
            *out = text;
            return true;
        }
        if (strict)
            return false;
        *out = cs_utf8_lax(a, text);
        return true;
    }
    if (strcmp(dec, "ascii") == 0) {
        if (cs_count_8bit(text) > 0 && strict)
            return false;
        *out = text; /* ASCII decode of ASCII */
        if (cs_count_8bit(text) > 0) {
            char *o = arena_alloc(a, text.len * 3 + 1);
            size_t n = 0;

            for (size_t i = 0; i < text.len; i++)
                n += cs_put_utf8(o + n, (unsigned char)text.p[i] < 0x80 ? (unsigned char)text.p[i]
                                                                        : 0xfffd);
            o[n] = '\0';
            *out = strv_make(o, n);
        }
        return true;
    }
    return cs_iconv(cs, a, dec, text, strict, out);
}

/* /^UTF[ -]?16/i */
static bool
cs_label_utf16(struct strv d)
{
    size_t r;

    if (!cs_prefix(d, "UTF", &r))
        return false;
    if (r < d.len && (d.p[r] == ' ' || d.p[r] == '-'))
        r++;
    return d.len - r >= 2 && d.p[r] == '1' && d.p[r + 1] == '6';
}

struct strv
mime_charset_normalize(struct mime_charset *cs, struct arena *a, struct strv text,
                       struct strv declared, bool insist, bool *decoded)
{
    size_t cnt8 = cs_count_8bit(text);
    bool tried_utf8 = false, got = false;
    struct strv rv = text;

    *decoded = false;
    if (cnt8 == 0 && (cs_label_ascii(declared) || cs_label_ext_ascii(declared)))
        return text;
    if (cnt8 > 0 && !insist) {
        if (mime_utf8_valid(text.p, text.len)) {
            *decoded = true;
            return text;
        }
        tried_utf8 = true;
    }
    if ((strv_caseeq(declared, "ASCII") || strv_caseeq(declared, "US-ASCII")) && !insist) {
        /* declared ASCII but 8-bit: straight to the guesses below */
    } else if (cs_label_utf16(declared)) {
        int endian = cs_detect_utf16(text);

        /* with a BOM SA leaves it to Perl, which then never decodes it */
        if (endian > 0)
            got = cs_iconv(cs, a, endian == 'L' ? "UTF-16LE" : "UTF-16BE", text, true, &rv);
        /* SA's UTF-16 branch hands back its input when octets were asked
         * for, as for RFC 2047 words (the only callers that insist) */
        if (got && insist) {
            *decoded = true;
            return text;
        }
    } else {
        const char *dec = cs_declared_decoder(declared);

        if (dec != NULL && !(tried_utf8 && strcmp(dec, "utf-8-strict") == 0))
            got = cs_decode_with(cs, a, dec, text, !insist, &rv);
    }
    if (!got && cnt8 == 0)
        return text;
    if (!got && cs_w1252_safe(text))
        got = cs_w1252(a, text, true, &rv);
    if (!got)
        got = cs_w1252(a, text, false, &rv); /* last resort: never fails */
    *decoded = got;
    return rv;
}
