/*
 * mime_hdr.c - header fields as SpamAssassin keeps them (see mime_hdr.h).
 */
#include "mime/mime_hdr.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "mime/mime_codec.h"

uint32_t
mime_hdr_hash(struct strv name)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < name.len; i++)
        h = (h ^ (uint32_t)tolower((unsigned char)name.p[i])) * 16777619u;
    return h;
}

static bool
hdr_name_eq(const struct mime_header *f, struct strv name, uint32_t hash)
{
    return f->hash == hash && f->name.len == name.len &&
           strncasecmp(f->name.p, name.p, name.len) == 0;
}

const struct mime_header *
mime_hdr_find(const struct mime_headers *h, struct strv name)
{
    uint32_t hash = mime_hdr_hash(name);

    for (const struct mime_header *f = h->first; f != NULL; f = f->next) {
        if (hdr_name_eq(f, name, hash))
            return f;
    }
    return NULL;
}

const struct mime_header *
mime_hdr_find_next(const struct mime_header *prev)
{
    for (const struct mime_header *f = prev->next; f != NULL; f = f->next) {
        if (hdr_name_eq(f, prev->name, prev->hash))
            return f;
    }
    return NULL;
}

const struct mime_header *
mime_hdr_last(const struct mime_headers *h, struct strv name)
{
    const struct mime_header *last = NULL;

    for (const struct mime_header *f = mime_hdr_find(h, name); f; f = mime_hdr_find_next(f))
        last = f;
    return last;
}

size_t
mime_hdr_count(const struct mime_headers *h, struct strv name)
{
    size_t n = 0;

    for (const struct mime_header *f = mime_hdr_find(h, name); f; f = mime_hdr_find_next(f))
        n++;
    return n;
}

/* Perl's \s on bytes */
static bool
hdr_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
hdr_has_8bit(struct strv s)
{
    for (size_t i = 0; i < s.len; i++) {
        if ((unsigned char)s.p[i] >= 0x80)
            return true;
    }
    return false;
}

/* The headers whose values SA never decodes RFC 2047 words in. */
static bool
hdr_no_2047(struct strv name)
{
    static const char *const exact[] = { "received",   "message-id",  "resent-message-id",
                                         "date",       "resent-date", "mime-version",
                                         "references", "in-reply-to" };

    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        if (strv_caseeq(name, exact[i]))
            return true;
    }
    return name.len >= 5 && strncasecmp(name.p, "list-", 5) == 0;
}

/* =?charset?B|Q?text?= at s[0..n): its length and parts, or 0. */
static size_t
hdr_encoded_word(const char *s, size_t n, struct strv *cs, char *enc, struct strv *text)
{
    size_t i = 2, c0, t0;

    if (n < 8 || s[0] != '=' || s[1] != '?')
        return 0;
    c0 = i;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '*' || s[i] == '_' || s[i] == '-'))
        i++;
    if (i == c0 || i + 2 >= n || s[i] != '?')
        return 0;
    *cs = strv_make(s + c0, i - c0);
    i++;
    if (s[i] != 'b' && s[i] != 'B' && s[i] != 'q' && s[i] != 'Q')
        return 0;
    *enc = (char)toupper((unsigned char)s[i]);
    if (s[++i] != '?')
        return 0;
    t0 = ++i;
    while (i < n && s[i] != '?')
        i++;
    if (i + 1 >= n || s[i + 1] != '=')
        return 0;
    *text = strv_make(s + t0, i - t0);
    return i + 2 - 0;
}

/* s{(EW)\s+(?=EW)}{$1}g: blanks between two encoded words go. */
static struct strv
hdr_join_words(struct arena *a, struct strv in)
{
    char *out = arena_alloc(a, in.len + 1);
    size_t o = 0, i = 0;

    while (i < in.len) {
        struct strv cs, text;
        char enc;
        size_t w = hdr_encoded_word(in.p + i, in.len - i, &cs, &enc, &text);

        if (w == 0) {
            out[o++] = in.p[i++];
            continue;
        }
        memcpy(out + o, in.p + i, w);
        o += w;
        i += w;
        {
            size_t j = i;

            while (j < in.len && hdr_space(in.p[j]))
                j++;
            if (j > i && hdr_encoded_word(in.p + j, in.len - j, &cs, &enc, &text) > 0)
                i = j;
        }
    }
    out[o] = '\0';
    return strv_make(out, o);
}

/* _decode_mime_encoded_word without the charset step: the raw bytes. */
static struct strv
hdr_word_bytes(struct arena *a, char enc, struct strv text)
{
    if (enc == 'B')
        return mime_b64_decode(a, text);
    {
        /* s/_/=20/g then qp_decode */
        char *t = arena_alloc(a, text.len * 3 + 1);
        size_t n = 0;

        for (size_t i = 0; i < text.len; i++) {
            if (text.p[i] == '_') {
                memcpy(t + n, "=20", 3);
                n += 3;
            } else {
                t[n++] = text.p[i];
            }
        }
        return mime_qp_decode(a, strv_make(t, n));
    }
}

/* One run of same-charset text being gathered. */
struct hdr_section {
    char charset[64]; /* lower case; "" for plain text */
    struct buf bytes;
};

static void
hdr_flush(struct arena *a, struct mime_charset *cs, struct hdr_section *sec, struct buf *out)
{
    struct strv cset;
    char *star;
    bool dec;

    if (sec->bytes.len == 0)
        return;
    if (sec->charset[0] == '\0') {
        buf_append(out, sec->bytes.p, sec->bytes.len);
    } else {
        /* s{ \* .* \z }{}xs: RFC 2231 language suffix */
        star = strchr(sec->charset, '*');
        cset = strv_make(sec->charset, star ? (size_t)(star - sec->charset) : strlen(sec->charset));
        cset = mime_charset_normalize(cs, a, strv_make(sec->bytes.p, sec->bytes.len), cset, true,
                                      &dec);
        buf_append(out, cset.p, cset.len);
    }
    buf_reset(&sec->bytes);
}

static void
hdr_section_switch(struct arena *a, struct mime_charset *cs, struct hdr_section *sec,
                   struct buf *out, struct strv charset)
{
    char lc[64];
    size_t n = charset.len < sizeof(lc) - 1 ? charset.len : sizeof(lc) - 1;

    for (size_t i = 0; i < n; i++)
        lc[i] = (char)tolower((unsigned char)charset.p[i]);
    lc[n] = '\0';
    if (strcmp(lc, sec->charset) == 0)
        return;
    hdr_flush(a, cs, sec, out);
    memcpy(sec->charset, lc, n + 1);
}

/* RFC 2047 decoding of a whole value, as _decode_header's loop does it:
 * runs of the same charset are decoded together, so a character split
 * across two words survives. */
static struct strv
hdr_decode_2047(struct arena *a, struct mime_charset *cs, struct strv in)
{
    struct hdr_section sec = { "", { NULL, 0, 0 } };
    struct buf out;
    struct strv r;
    size_t i = 0;

    buf_init(&out);
    buf_init(&sec.bytes);
    in = hdr_join_words(a, in);
    while (i < in.len) {
        struct strv charset, text;
        char enc;
        size_t w = hdr_encoded_word(in.p + i, in.len - i, &charset, &enc, &text);

        if (w > 0) {
            struct strv bytes = hdr_word_bytes(a, enc, text);

            hdr_section_switch(a, cs, &sec, &out, charset);
            buf_append(&sec.bytes, bytes.p, bytes.len);
            i += w;
            continue;
        }
        hdr_section_switch(a, cs, &sec, &out, STRV_LIT(""));
        buf_putc(&sec.bytes, in.p[i++]);
    }
    hdr_flush(a, cs, &sec, &out);
    r = strv_make(arena_strndup(a, out.p ? out.p : "", out.len), out.len);
    buf_clear(&out);
    buf_clear(&sec.bytes);
    return r;
}

struct strv
mime_hdr_decode(struct arena *a, struct mime_charset *cs, struct strv body, struct strv name)
{
    char *t;
    size_t n = 0;
    bool dec;

    if (body.len == 0)
        return body;
    /* s/\n[ \t]/\n /g; s/\015?\012//gs: the tab after a fold becomes a
     * space and every line end goes */
    t = arena_alloc(a, body.len + 1);
    for (size_t i = 0; i < body.len; i++) {
        char c = body.p[i];

        if (c == '\r' && i + 1 < body.len && body.p[i + 1] == '\n')
            continue;
        if (c == '\n') {
            if (i + 1 < body.len && body.p[i + 1] == '\t') {
                t[n++] = ' ';
                i++;
            }
            continue;
        }
        t[n++] = c;
    }
    t[n] = '\0';
    body = strv_make(t, n);
    if (hdr_has_8bit(body))
        body = mime_charset_normalize(cs, a, body, STRV_LIT("UTF-8"), false, &dec);
    if (hdr_no_2047(name) || memmem(body.p, body.len, "=?", 2) == NULL)
        return body;
    return hdr_decode_2047(a, cs, body);
}

/* header(): s/\n[ \t]+/ /gs; s/\s+$//s; s/^\s+//s; then _decode_header. */
static struct strv
hdr_value(struct arena *a, struct mime_charset *cs, struct strv raw, struct strv name)
{
    char *t = arena_alloc(a, raw.len + 1);
    size_t n = 0, b = 0;

    for (size_t i = 0; i < raw.len; i++) {
        if (raw.p[i] == '\n' && i + 1 < raw.len && (raw.p[i + 1] == ' ' || raw.p[i + 1] == '\t')) {
            while (i + 1 < raw.len && (raw.p[i + 1] == ' ' || raw.p[i + 1] == '\t'))
                i++;
            t[n++] = ' ';
            continue;
        }
        t[n++] = raw.p[i];
    }
    while (n > 0 && hdr_space(t[n - 1]))
        n--;
    while (b < n && hdr_space(t[b]))
        b++;
    t[n] = '\0';
    return mime_hdr_decode(a, cs, strv_make(t + b, n - b), name);
}

struct mime_header *
mime_hdr_add(struct arena *a, struct mime_charset *cs, struct mime_headers *h, struct strv name,
             struct strv raw)
{
    struct mime_header *f = arena_calloc(a, 1, sizeof(*f));

    f->name = name;
    f->raw = raw;
    f->hash = mime_hdr_hash(name);
    f->value = hdr_value(a, cs, raw, name);
    if (h->last != NULL)
        h->last->next = f;
    else
        h->first = f;
    h->last = f;
    h->n++;
    return f;
}

/* s/\015?\012\s+/ /gs on a raw value: into out (when not NULL); the length. */
static size_t
hdr_squeeze(struct strv raw, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < raw.len; i++) {
        size_t j = i;

        if (raw.p[j] == '\r' && j + 1 < raw.len && raw.p[j + 1] == '\n')
            j++;
        if (raw.p[j] == '\n' && j + 1 < raw.len && hdr_space(raw.p[j + 1])) {
            j++;
            while (j < raw.len && hdr_space(raw.p[j]))
                j++;
            if (out != NULL)
                out[n] = ' ';
            n++;
            i = j - 1;
            continue;
        }
        if (out != NULL)
            out[n] = raw.p[i];
        n++;
    }
    return n;
}

struct strv
mime_hdr_get_value(struct arena *a, const struct mime_header *f, bool raw)
{
    char *t;
    size_t n;

    if (!raw) {
        t = arena_alloc(a, f->value.len + 2);
        memcpy(t, f->value.p, f->value.len);
        t[f->value.len] = '\n';
        t[f->value.len + 1] = '\0';
        return strv_make(t, f->value.len + 1);
    }
    t = arena_alloc(a, f->raw.len + 1);
    n = hdr_squeeze(f->raw, t);
    t[n] = '\0';
    return strv_make(t, n);
}

/* Is f the first field with its name? */
static bool
hdr_first_of_name(const struct mime_headers *h, const struct mime_header *f)
{
    for (const struct mime_header *p = h->first; p != f; p = p->next) {
        if (hdr_name_eq(p, f->name, f->hash))
            return false;
    }
    return true;
}

void
mime_hdr_all(const struct mime_headers *h, bool raw, struct arena *a, struct buf *out,
             bool *truncated)
{
    /* SA adds up sizes name group by name group (in the order each name is
     * first seen) and drops whatever comes after the limit in that order */
    unsigned char *keep = arena_calloc(a, h->n ? h->n : 1, 1);
    size_t size = 0, i = 0;
    bool cut = false;

    for (const struct mime_header *g = h->first; g != NULL && !cut; g = g->next, i++) {
        size_t k = i;

        if (!hdr_first_of_name(h, g))
            continue;
        for (const struct mime_header *f = g; f != NULL && !cut; f = f->next, k++) {
            if (!hdr_name_eq(f, g->name, g->hash))
                continue;
            size += f->name.len + (raw ? hdr_squeeze(f->raw, NULL) : f->value.len + 1) + 2;
            if (size > MIME_HDR_MAX_TOTAL)
                cut = true;
            else
                keep[k] = 1;
        }
    }
    i = 0;
    for (const struct mime_header *f = h->first; f != NULL; f = f->next, i++) {
        if (!keep[i])
            continue;
        buf_append(out, f->name.p, f->name.len);
        buf_puts(out, ": ");
        if (raw) {
            buf_reserve(out, f->raw.len);
            out->len += hdr_squeeze(f->raw, out->p + out->len);
            out->p[out->len] = '\0';
        } else {
            buf_append(out, f->value.p, f->value.len);
            buf_putc(out, '\n');
        }
    }
    if (truncated != NULL)
        *truncated = cut;
}
