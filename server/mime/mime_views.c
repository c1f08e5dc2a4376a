/*
 * mime_views.c - decoding, rendering and the rule views (see mime_views.h).
 */
#include "mime/mime_views.h"

#include <string.h>

#include "mime/mime_codec.h"

/* SA's MAX_BODY_LINE_LENGTH */
#define VIEW_MAX_LINE 2048

struct mime_views_cache {
    struct mime_view *body, *rawbody, *visible, *invisible;
    const struct mime_html_result **html;
    size_t nhtml;
};

static struct mime_views_cache *
views_cache(struct mime_msg *m)
{
    if (m->views == NULL)
        m->views = arena_calloc(m->arena, 1, sizeof(*m->views));
    return m->views;
}

static struct strv
view_header(const struct mime_part *p, const char *name, bool *present)
{
    const struct mime_header *f = mime_hdr_last(&p->hdrs, strv_cstr(name));

    *present = f != NULL;
    return f ? f->value : STRV_LIT("");
}

struct strv
mime_part_decoded(struct mime_msg *m, struct mime_part *p)
{
    struct strv enc;
    bool present;

    if (p->decoded_done)
        return p->decoded;
    p->decoded_done = true;
    if (!p->has_raw) {
        p->decoded = STRV_LIT("");
        return p->decoded;
    }
    enc = view_header(p, "content-transfer-encoding", &present);
    if (strv_caseeq(enc, "quoted-printable")) {
        p->decoded = mime_crlf_to_lf(m->arena, mime_qp_decode(m->arena, p->raw));
    } else if (strv_caseeq(enc, "base64")) {
        p->decoded = mime_b64_decode(m->arena, p->raw);
        /* $self->{'type'} =~ m@^(?:text|message)\b/@i */
        if (strncmp(p->type, "text/", 5) == 0 || strncmp(p->type, "message/", 8) == 0)
            p->decoded = mime_crlf_to_lf(m->arena, p->decoded);
    } else {
        p->decoded = p->raw;
    }
    return p->decoded;
}

/* Unicode white space as Perl's \s on a character string, at s[0..n):
 * its length in bytes, or 0. */
static size_t
view_uspace(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return 1;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
        return 2;
    if (n >= 3 && s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
        return 3; /* U+1680 */
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
        (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3; /* U+2000..200A, 2028, 2029, 202F */
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
        return 3; /* U+205F */
    if (n >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
        return 3; /* U+3000 */
    return 0;
}

/* Does UTF-8 text hold a character past U+00FF (lead byte 0xc4 or more)? */
static bool
view_wide(struct strv t)
{
    for (size_t i = 0; i < t.len; i++) {
        if ((unsigned char)t.p[i] >= 0xc4)
            return true;
    }
    return false;
}

static void
view_render_html(struct mime_msg *m, struct mime_part *p, struct strv text)
{
    struct mime_html_result *h = arena_calloc(m->arena, 1, sizeof(*h));

    mime_html_render(m->arena, text.p, text.len, h);
    p->html = h;
    p->rendered = h->text;
    p->visible_rendered = h->visible;
    p->invisible_rendered = h->invisible;
}

const char *
mime_part_rendered(struct mime_msg *m, struct mime_part *p, struct strv *out)
{
    const char *type;
    struct strv text, charset;
    bool dec;

    if (p->rendered_done) {
        *out = p->rendered;
        return p->rendered_type;
    }
    p->rendered_done = true;
    type = mime_part_effective_type(p);
    if (strcmp(type, "text/plain") != 0 && strcmp(type, "text/html") != 0) {
        p->rendered_type = NULL;
        *out = STRV_LIT("");
        return NULL;
    }
    text = mime_part_decoded(m, p);
    charset = p->has_charset ? p->charset : STRV_LIT("us-ascii");
    text = mime_charset_normalize(m->ctx->cs, m->arena, text, charset, false, &dec);
    if (text.len > 0 && strcmp(type, "text/html") == 0) {
        view_render_html(m, p, text);
        /* HTML::Parser's strings carry the flag of its input, or get it
         * when an entity makes a character past U+00FF */
        p->rendered_flagged = dec || view_wide(p->rendered);
        p->visible_flagged = dec || view_wide(p->visible_rendered);
        p->invisible_flagged = dec || view_wide(p->invisible_rendered);
    } else {
        p->rendered = p->visible_rendered = text;
        p->invisible_rendered = STRV_LIT("");
        p->rendered_flagged = p->visible_flagged = dec;
    }
    p->rendered_type = strcmp(type, "text/html") == 0 ? "text/html" : "text/plain";
    *out = p->rendered;
    return p->rendered_type;
}

/* ------------------------------------------------------------------------
 * splitting
 */

static void
view_push(struct arena *a, struct mime_view *v, size_t *cap, struct strv l)
{
    if (v->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;

        v->lines = arena_realloc(a, v->lines, *cap * sizeof(*v->lines), ncap * sizeof(*v->lines));
        *cap = ncap;
    }
    v->lines[v->n++] = l;
}

struct mime_view
mime_view_short_lines(struct arena *a, struct strv text)
{
    struct mime_view v = { NULL, 0 };
    size_t cap = 0, i = 0;

    while (i < text.len) {
        const char *nl = memchr(text.p + i, '\n', text.len - i);
        size_t end = nl ? (size_t)(nl - text.p) + 1 : text.len;
        struct strv line = strv_make(text.p + i, end - i);

        while (line.len > VIEW_MAX_LINE) {
            /* rindex($line, ' ', 2048) + 1, or 2048 */
            size_t cut = VIEW_MAX_LINE;
            long sp = -1;

            for (long k = VIEW_MAX_LINE; k >= 0; k--) {
                if ((size_t)k < line.len && line.p[k] == ' ') {
                    sp = k;
                    break;
                }
            }
            if (sp >= 0)
                cut = (size_t)sp + 1;
            view_push(a, &v, &cap, strv_make(line.p, cut));
            line.p += cut;
            line.len -= cut;
        }
        view_push(a, &v, &cap, line);
        i = end;
    }
    return v;
}

/* index(s, c, from) */
static long
view_index(struct strv s, char c, size_t from)
{
    const char *p;

    if (from >= s.len)
        return -1;
    p = memchr(s.p + from, c, s.len - from);
    return p ? (long)(p - s.p) : -1;
}

struct mime_view
mime_view_short_paragraphs(struct arena *a, struct strv t)
{
    struct mime_view v = { NULL, 0 };
    size_t cap = 0, ofs;

    if (t.len <= VIEW_MAX_LINE) {
        view_push(a, &v, &cap, t);
        return v;
    }
    for (ofs = 0; t.len - ofs > 2 * VIEW_MAX_LINE;) {
        static const char seps[] = { '\n', '>', ' ' };
        long j = -1;

        for (size_t k = 0; k < sizeof(seps); k++) {
            j = view_index(t, seps[k], ofs + VIEW_MAX_LINE);
            if (j >= 0 && (size_t)j - ofs + 1 <= 2 * VIEW_MAX_LINE)
                break;
            j = -1;
        }
        if (j < 0)
            j = (long)(ofs + VIEW_MAX_LINE);
        view_push(a, &v, &cap, strv_make(t.p + ofs, (size_t)j - ofs + 1));
        ofs = (size_t)j + 1;
    }
    if (ofs < t.len)
        view_push(a, &v, &cap, strv_make(t.p + ofs, t.len - ofs));
    return v;
}

/* ------------------------------------------------------------------------
 * the body views
 */

/* Byte offset of character number `chars` in UTF-8 text (or its length). */
static size_t
view_char_offset(struct strv t, size_t chars)
{
    size_t i = 0;

    while (i < t.len && chars > 0) {
        i++;
        while (i < t.len && ((unsigned char)t.p[i] & 0xc0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

static size_t
view_char_count(struct strv t, size_t upto)
{
    size_t n = 0;

    for (size_t i = 0; i < upto && i < t.len; i++)
        n += ((unsigned char)t.p[i] & 0xc0) != 0x80;
    return n;
}

/* SA's body_part_scan_size cut, in characters: at a newline, else a space,
 * within 1024 characters past the size, else right at it. */
static struct strv
view_scan_cut(struct strv rnd, size_t scansize)
{
    size_t at = view_char_offset(rnd, scansize);
    static const char seps[] = { '\n', ' ' };

    if (scansize == 0 || at >= rnd.len)
        return rnd;
    for (size_t k = 0; k < sizeof(seps); k++) {
        long idx = view_index(rnd, seps[k], at);

        if (idx >= 0 &&
            view_char_count(strv_make(rnd.p + at, rnd.len - at), (size_t)idx - at) <= 1024)
            return strv_make(rnd.p, (size_t)idx + 1);
    }
    return strv_make(rnd.p, at);
}

/* UTF-8 text whose characters are all below U+0100, as Latin-1 bytes (how
 * Perl stores a string without its UTF-8 flag). */
static struct strv
view_latin1(struct arena *a, struct strv t)
{
    char *o;
    size_t n = 0;

    if (!memchr(t.p, 0xc2, t.len) && !memchr(t.p, 0xc3, t.len))
        return t;
    o = arena_alloc(a, t.len + 1);
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.p[i];

        if ((c == 0xc2 || c == 0xc3) && i + 1 < t.len) {
            o[n++] = (char)((c & 0x1f) << 6 | ((unsigned char)t.p[i + 1] & 0x3f));
            i++;
        } else {
            o[n++] = (char)c;
        }
    }
    o[n] = '\0';
    return strv_make(o, n);
}

/* s/\n+\s*\n+/\x00/gs; s/\s+/ /gs; tr/\x00/\n/ with Perl's \s: Unicode
 * white space in a flagged (UTF-8) string, ASCII in a byte string. */
/* White space at s (ASCII always; Unicode too in a flagged string). */
static inline size_t
view_space(const unsigned char *s, size_t n, bool unicode)
{
    if (s[0] < 0x80)
        return s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r');
    return unicode ? view_uspace(s, n) : 0;
}

static struct strv
view_squeeze(struct arena *a, struct strv t, bool unicode)
{
    char *o = arena_alloc(a, t.len + 1);
    size_t n = 0, i = 0;

    while (i < t.len) {
        size_t w = view_space((const unsigned char *)t.p + i, t.len - i, unicode);

        if (w == 0) {
            o[n++] = t.p[i] == '\0' ? '\n' : t.p[i];
            i++;
            continue;
        }
        {
            size_t start = i, first_nl = (size_t)-1, last_nl = 0, nls = 0;

            while (i < t.len &&
                   (w = view_space((const unsigned char *)t.p + i, t.len - i, unicode)) > 0) {
                if (t.p[i] == '\n') {
                    if (first_nl == (size_t)-1)
                        first_nl = i;
                    last_nl = i;
                    nls++;
                }
                i += w;
            }
            if (nls >= 2) {
                if (first_nl > start)
                    o[n++] = ' ';
                o[n++] = '\n';
                if (last_nl + 1 < i)
                    o[n++] = ' ';
            } else {
                o[n++] = ' ';
            }
        }
    }
    o[n] = '\0';
    return strv_make(o, n);
}

enum view_kind { VIEW_RENDERED, VIEW_VISIBLE, VIEW_INVISIBLE };

/* get_body_text_array_common */
static struct mime_view *
view_body_common(struct mime_msg *m, enum view_kind kind)
{
    struct mime_views_cache *vc = views_cache(m);
    struct mime_part **leaves;
    size_t nleaves = mime_msg_parts(m, true, &leaves);
    bool html_needs = vc->html == NULL;
    struct buf text;
    struct strv subject = STRV_LIT(""), joined, squeezed;
    struct mime_view *v = arena_calloc(m->arena, 1, sizeof(*v));
    bool flagged = false;

    if (nleaves == 0) /* no Subject line either */
        return v;
    if (kind != VIEW_INVISIBLE) {
        const struct mime_header *f = mime_hdr_last(&m->root->hdrs, STRV_LIT("subject"));

        subject = f ? mime_hdr_get_value(m->arena, f, false) : STRV_LIT("\n");
    }
    if (html_needs)
        vc->html = arena_calloc(m->arena, nleaves ? nleaves : 1, sizeof(*vc->html));
    buf_init(&text);
    for (size_t i = 0; i < nleaves; i++) {
        struct mime_part *p = leaves[i];
        struct strv rnd;
        const char *type;

        if (text.len > 0)
            buf_putc(&text, '\n');
        type = mime_part_rendered(m, p, &rnd);
        if (type == NULL)
            continue;
        if (kind == VIEW_INVISIBLE)
            rnd = p->invisible_rendered;
        else if (kind == VIEW_VISIBLE)
            rnd = p->visible_rendered;
        flagged = flagged || (kind == VIEW_INVISIBLE ? p->invisible_flagged
                              : kind == VIEW_VISIBLE ? p->visible_flagged
                                                     : p->rendered_flagged);
        rnd = view_scan_cut(rnd, m->ctx->lim.body_part_scan_size);
        buf_append(&text, rnd.p, rnd.len);
        if (html_needs && strcmp(type, "text/html") == 0)
            vc->html[vc->nhtml++] = p->html;
    }
    joined = strv_make(text.p ? text.p : "", text.len);
    /* one flagged part flags the whole text (Perl's concatenation): then
     * it goes out as UTF-8, else as the bytes of its characters */
    if (!flagged)
        joined = view_latin1(m->arena, joined);
    squeezed = view_squeeze(m->arena, joined, flagged);
    buf_clear(&text);
    {
        struct strv all = strv_make(NULL, 0);
        char *p = arena_alloc(m->arena, subject.len + squeezed.len + 1);

        memcpy(p, subject.p, subject.len);
        memcpy(p + subject.len, squeezed.p, squeezed.len);
        p[subject.len + squeezed.len] = '\0';
        all = strv_make(p, subject.len + squeezed.len);
        *v = mime_view_short_lines(m->arena, all);
    }
    return v;
}

const struct mime_view *
mime_view_body(struct mime_msg *m)
{
    struct mime_views_cache *vc = views_cache(m);

    if (vc->body == NULL)
        vc->body = view_body_common(m, VIEW_RENDERED);
    return vc->body;
}

const struct mime_view *
mime_view_visible(struct mime_msg *m)
{
    struct mime_views_cache *vc = views_cache(m);

    if (vc->visible == NULL)
        vc->visible = view_body_common(m, VIEW_VISIBLE);
    return vc->visible;
}

const struct mime_view *
mime_view_invisible(struct mime_msg *m)
{
    struct mime_views_cache *vc = views_cache(m);

    if (vc->invisible == NULL)
        vc->invisible = view_body_common(m, VIEW_INVISIBLE);
    return vc->invisible;
}

size_t
mime_view_html(struct mime_msg *m, const struct mime_html_result *const **out)
{
    struct mime_views_cache *vc = views_cache(m);

    mime_view_body(m);
    *out = vc->html;
    return vc->nhtml;
}

/* rawbody_part_scan_size cut, in bytes: a newline, else '>', else a space
 * within 1024 bytes past the size, else right at it. */
static struct strv
view_raw_cut(struct strv raw, size_t scansize)
{
    static const char seps[] = { '\n', '>', ' ' };

    if (scansize == 0 || raw.len <= scansize)
        return raw;
    for (size_t k = 0; k < sizeof(seps); k++) {
        long idx = view_index(raw, seps[k], scansize);

        if (idx >= 0 && (size_t)idx - scansize <= 1024)
            return strv_make(raw.p, (size_t)idx + 1);
    }
    return strv_make(raw.p, scansize);
}

const struct mime_view *
mime_view_rawbody(struct mime_msg *m)
{
    struct mime_views_cache *vc = views_cache(m);
    struct mime_part **leaves;
    size_t nleaves, cap = 0;
    struct mime_view *v;

    if (vc->rawbody != NULL)
        return vc->rawbody;
    v = vc->rawbody = arena_calloc(m->arena, 1, sizeof(*v));
    nleaves = mime_msg_parts(m, true, &leaves);
    for (size_t i = 0; i < nleaves; i++) {
        struct mime_part *p = leaves[i];
        const char *et = mime_part_effective_type(p);
        struct mime_view chunks;

        /* effective_type =~ /^(?:text|message)\b/, not text/calendar */
        if (!((strncmp(et, "text", 4) == 0 && !(et[4] == '_' || (et[4] >= 'a' && et[4] <= 'z') ||
                                                (et[4] >= '0' && et[4] <= '9'))) ||
              (strncmp(et, "message", 7) == 0 && !(et[7] == '_' || (et[7] >= 'a' && et[7] <= 'z') ||
                                                   (et[7] >= '0' && et[7] <= '9')))))
            continue;
        if (strcmp(p->type, "text/calendar") == 0)
            continue;
        chunks = mime_view_short_paragraphs(
            m->arena, view_raw_cut(mime_part_decoded(m, p), m->ctx->lim.rawbody_part_scan_size));
        for (size_t k = 0; k < chunks.n; k++)
            view_push(m->arena, v, &cap, chunks.lines[k]);
    }
    return v;
}
