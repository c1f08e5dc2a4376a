/*
 * mime_idn.c - host names as SpamAssassin 4.0 checks them: Util::idn_to_ascii
 * (Net::LibIDN2 flavour), Util::is_fqdn_valid(host, 1) and
 * Constants::IS_IP_ADDRESS. Each function reproduces SA's quirks on purpose
 * (say, a label may end in one line feed, as Perl's /...$/ allows), since
 * rules and lists see exactly what SA hands them. No I/O, no globals.
 */
#include "mime/mime_url.h"

#include <idn2.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "mime/mime_uni.h"

static inline char
idn_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static struct strv
idn_lc(struct arena *a, const char *p, size_t len)
{
    char *out = arena_alloc(a, len + 1);

    for (size_t i = 0; i < len; i++)
        out[i] = idn_lower(p[i]);
    out[len] = '\0';
    return strv_make(out, len);
}

/* [a-zA-Z0-9_.:\[\]-]: SA's quick all-ASCII test. */
static bool
idn_plain(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '[' || c == ']' || c == '-';
}

/* [a-zA-Z0-9\xc0-\xd6\xd8-\xde\xe0-\xf6\xf8-\xfe_.-]: Latin-1 letters. */
static bool
idn_latin1(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xde) ||
           (c >= 0xe0 && c <= 0xf6) || (c >= 0xf8 && c <= 0xfe);
}

/* U+2024 U+3002 U+FF0E U+FF61 U+FE52 become '.' (RFC 3490 and SA's own
 * additions); out has room for len bytes. Returns the new length. */
static size_t
idn_dots(const unsigned char *s, size_t len, char *out)
{
    static const unsigned char dots[][3] = {
        { 0xe2, 0x80, 0xa4 }, { 0xe3, 0x80, 0x82 }, { 0xef, 0xbc, 0x8e },
        { 0xef, 0xbd, 0xa1 }, { 0xef, 0xb9, 0x92 },
    };
    size_t n = 0;

    for (size_t i = 0; i < len;) {
        bool dot = false;

        if (len - i >= 3 && (s[i] == 0xe2 || s[i] == 0xe3 || s[i] == 0xef)) {
            for (size_t k = 0; k < sizeof(dots) / sizeof(dots[0]) && !dot; k++)
                dot = memcmp(s + i, dots[k], 3) == 0;
        }
        if (dot) {
            out[n++] = '.';
            i += 3;
        } else {
            out[n++] = (char)s[i++];
        }
    }
    return n;
}

struct strv
mime_idn_to_ascii(struct arena *a, struct strv host)
{
    const unsigned char *s = (const unsigned char *)host.p;
    bool plain = true;
    char *in, *ace = NULL;
    size_t len;
    struct strv res;

    for (size_t i = 0; i < host.len && plain; i++)
        plain = idn_plain(s[i]);
    if (plain)
        return idn_lc(a, host.p, host.len);

    if (mime_uni_valid_utf8((const char *)s, host.len)) {
        in = arena_alloc(a, host.len + 1);
        len = idn_dots(s, host.len, in);
        in[len] = '\0';
        res = strv_make(in, len);
    } else {
        bool latin1 = true;

        for (size_t i = 0; i < host.len && latin1; i++)
            latin1 = idn_latin1(s[i]);
        if (!latin1)
            return idn_lc(a, host.p, host.len); /* garbage in, garbage out */
        in = arena_alloc(a, 2 * host.len + 1);
        len = 0;
        for (size_t i = 0; i < host.len; i++) {
            if (s[i] < 0x80) {
                in[len++] = (char)s[i];
            } else {
                in[len++] = (char)(0xc0 | (s[i] >> 6));
                in[len++] = (char)(0x80 | (s[i] & 0x3f));
            }
        }
        in[len] = '\0';
        res = host; /* SA keeps the original octets if libidn2 refuses */
    }
    /* Net::LibIDN2 hands libidn2 a C string: a NUL ends the name there */
    if (idn2_to_ascii_8z(in, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) == IDN2_OK) {
        res.len = strlen(ace);
        res.p = arena_strndup(a, ace, res.len);
    }
    idn2_free(ace);
    return res;
}

/* /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/ after lc, where $ also matches
 * before a final line feed. */
static bool
idn_label_ok(const char *p, size_t len)
{
    if (len > 0 && p[len - 1] == '\n')
        len--;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = idn_lower(p[i]);
        bool ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';

        if (!ldh || (c == '-' && (i == 0 || i == len - 1)))
            return false;
    }
    return true;
}

bool
mime_fqdn_valid(struct strv host)
{
    size_t len = host.len, labels = 1, left;

    while (len > 0 && host.p[len - 1] == '.')
        len--;
    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i < len; i++)
        labels += host.p[i] == '.';
    if (labels < 2)
        return false;
    left = labels;
    for (size_t start = 0; start <= len; left--) {
        const char *dot = memchr(host.p + start, '.', len - start);
        size_t end = dot == NULL ? len : (size_t)(dot - host.p);
        size_t n = end - start;

        if (n < 1 || n > 63 || !idn_label_ok(host.p + start, n))
            return false;
        /* the last two labels may not hold an underscore */
        if (left <= 2 && memchr(host.p + start, '_', n) != NULL)
            return false;
        start = end + 1;
    }
    return true;
}

/* (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d): the text of one IPv4 octet. */
static bool
ip_octet(const char *p, size_t len)
{
    if (len == 0 || len > 3)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
    }
    if (len > 1 && p[0] == '0')
        return false;
    return len < 3 || p[0] == '1' || (p[0] == '2' && (p[1] < '5' || (p[1] == '5' && p[2] <= '5')));
}

static bool
ip_v4(const char *p, size_t len)
{
    size_t start = 0, parts = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i == len || p[i] == '.') {
            if (++parts > 4 || !ip_octet(p + start, i - start))
                return false;
            start = i + 1;
        }
    }
    return parts == 4;
}

static bool
ip_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Hex groups of 1-4 digits and at most one "::": eight groups, or at most
 * seven with "::" (the pure IPv6 forms of SA's IP_ADDRESS). */
static bool
ip_v6(const char *p, size_t len)
{
    size_t i = 0, groups = 0;
    bool dc = false;

    if (len >= 2 && p[0] == ':' && p[1] == ':') {
        dc = true;
        i = 2;
    }
    while (i < len) {
        size_t j = i;

        while (j < len && j - i < 5 && ip_hex(p[j]))
            j++;
        if (j == i || j - i > 4)
            return false;
        groups++;
        if ((i = j) == len)
            break;
        if (p[i++] != ':' || i == len)
            return false;
        if (p[i] == ':') {
            if (dc)
                return false;
            dc = true;
            i++;
        }
    }
    return dc ? groups <= 7 : groups == 8;
}

bool
mime_ip_is_address(struct strv s)
{
    const char *p = s.p;
    size_t len = s.len;
    char buf[64];

    if (len == 0)
        return false;
    if (p[len - 1] == '\n') /* Perl's $ */
        len--;
    if (ip_v4(p, len))
        return true;
    if (len >= 5 && strncasecmp(p, "IPv6:", 5) == 0) {
        p += 5;
        len -= 5;
    }
    if (memchr(p, '.', len) != NULL) {
        /* an IPv4 tail stands for two groups */
        const char *colon = memrchr(p, ':', len);
        size_t head;

        if (colon == NULL || !ip_v4(colon + 1, len - (size_t)(colon + 1 - p)))
            return false;
        head = (size_t)(colon + 1 - p);
        if (head + 3 > sizeof(buf))
            return false;
        memcpy(buf, p, head);
        memcpy(buf + head, "0:0", 3);
        return ip_v6(buf, head + 3);
    }
    return ip_v6(p, len);
}
