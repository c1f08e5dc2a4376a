/*
 * mime_html_parse.c - HTML::Parser 3.81's tokenizer as SpamAssassin runs
 * it (api_version 3, marked_sections on, everything else at its default),
 * rebuilt from its documented behaviour and checked against it event by
 * event. What decides SA's output is reproduced on purpose:
 *  - it works on the bytes of Perl's string, which are UTF-8 for a
 *    character string: its character classes are ASCII only;
 *  - a chunk ending in text holds back the last partial word (and trailing
 *    white space) until more input or eof, so "a b" arrives as "a", " b";
 *  - unterminated constructs wait for more input; at eof the rest is
 *    re-read with comments ending at the first '>', then reported as a
 *    comment if it starts like markup, else as text;
 *  - <script> <style> <xmp> <iframe> <plaintext> are CDATA (no entity
 *    decoding), <title> <textarea> RCDATA, up to their end tag;
 *  - <![ ... [ marked sections: IGNORE drops every event (even the end of
 *    the document), CDATA and RCDATA stop markup until "]]>".
 * The input is read as Perl does, relying on the two NUL bytes after it.
 */
#include "mime/mime_html_int.h"

#include <string.h>

enum { MS_NONE, MS_INCLUDE, MS_RCDATA, MS_CDATA, MS_IGNORE };

#define FAIL SIZE_MAX /* a parse_* function found no markup here */

struct mh_parser {
    struct arena *a;
    const struct mh_handlers *h;
    void *ctx;
    bool uni;

    struct mh_buf rest; /* input kept for the next call */
    bool have_rest;
    const char *literal_mode; /* NULL, or the element whose end tag we wait for */
    bool is_cdata;
    bool no_dash_dash_comment_end;
    const char *pending_end_tag;
    bool started, dead;

    int ms;                 /* the strongest keyword of the open marked sections */
    struct mh_buf ms_stack; /* one byte per open section: its keyword */
    size_t ms_count[MS_IGNORE + 1];

    struct mh_buf toks;  /* start tag token positions (size_t pairs) */
    struct mh_buf names; /* lower-cased names and decoded values */
    struct mh_buf attrs; /* struct mh_attr */
    struct mh_buf seen;  /* dedup hash of attribute names (size_t slots) */
};

static const struct {
    const char *name;
    bool cdata;
} literal_elems[] = {
    { "script", true },    { "style", true },  { "xmp", true },       { "iframe", true },
    { "plaintext", true }, { "title", false }, { "textarea", false },
};

/* HTML::Parser's character classes (hctype.h), on bytes */
#define C_SPACE 0x01 /* \t \n \v \f \r space */
#define C_ALPHA 0x02 /* A-Z a-z */
#define C_FIRST 0x04 /* a name's first character: alpha _ : */
#define C_NAME  0x08 /* a name's other characters: also digits . - */

static const unsigned char hctype[256] = {
    ['\t'] = C_SPACE,
    ['\n'] = C_SPACE,
    ['\v'] = C_SPACE,
    ['\f'] = C_SPACE,
    ['\r'] = C_SPACE,
    [' '] = C_SPACE,
    ['_'] = C_FIRST | C_NAME,
    [':'] = C_FIRST | C_NAME,
    ['.'] = C_NAME,
    ['-'] = C_NAME,
    ['0'] = C_NAME,
    ['1'] = C_NAME,
    ['2'] = C_NAME,
    ['3'] = C_NAME,
    ['4'] = C_NAME,
    ['5'] = C_NAME,
    ['6'] = C_NAME,
    ['7'] = C_NAME,
    ['8'] = C_NAME,
    ['9'] = C_NAME,
#define L(c) [c] = C_ALPHA | C_FIRST | C_NAME
    L('A'),
    L('B'),
    L('C'),
    L('D'),
    L('E'),
    L('F'),
    L('G'),
    L('H'),
    L('I'),
    L('J'),
    L('K'),
    L('L'),
    L('M'),
    L('N'),
    L('O'),
    L('P'),
    L('Q'),
    L('R'),
    L('S'),
    L('T'),
    L('U'),
    L('V'),
    L('W'),
    L('X'),
    L('Y'),
    L('Z'),
    L('a'),
    L('b'),
    L('c'),
    L('d'),
    L('e'),
    L('f'),
    L('g'),
    L('h'),
    L('i'),
    L('j'),
    L('k'),
    L('l'),
    L('m'),
    L('n'),
    L('o'),
    L('p'),
    L('q'),
    L('r'),
    L('s'),
    L('t'),
    L('u'),
    L('v'),
    L('w'),
    L('x'),
    L('y'),
    L('z'),
#undef L
};

static bool
is_hspace(char c)
{
    return hctype[(unsigned char)c] & C_SPACE;
}

static bool
is_alpha(char c)
{
    return hctype[(unsigned char)c] & C_ALPHA;
}

static bool
is_name_first(char c)
{
    return hctype[(unsigned char)c] & C_FIRST;
}

static bool
is_name_char(char c)
{
    return hctype[(unsigned char)c] & C_NAME;
}

static bool
is_not_space_gt(char c)
{
    return !(hctype[(unsigned char)c] & C_SPACE) && c != '>';
}

static char
to_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

struct mh_parser *
mh_parser_new(struct arena *a, const struct mh_handlers *h, void *ctx, bool uni)
{
    struct mh_parser *p = arena_calloc(a, 1, sizeof(*p));

    p->a = a;
    p->h = h;
    p->ctx = ctx;
    p->uni = uni;
    mh_buf_init(&p->rest, a);
    mh_buf_init(&p->ms_stack, a);
    mh_buf_init(&p->toks, a);
    mh_buf_init(&p->names, a);
    mh_buf_init(&p->attrs, a);
    mh_buf_init(&p->seen, a);
    return p;
}

bool
mh_parser_dead(const struct mh_parser *p)
{
    return p->dead;
}

static void
check(struct mh_parser *p, int rc)
{
    if (rc != 0)
        p->dead = true;
}

static bool report_end(struct mh_parser *p, const char *name, size_t len);

/* report_event()'s common start: a <title> left open at eof ends before
 * the next event that is not text or a comment. False: drop the event. */
static bool
report_begin(struct mh_parser *p, bool text_or_comment)
{
    if (p->dead)
        return false;
    if (p->pending_end_tag != NULL && !text_or_comment) {
        const char *t = p->pending_end_tag;

        p->pending_end_tag = NULL;
        report_end(p, t, strlen(t));
        if (p->dead)
            return false;
    }
    return p->ms != MS_IGNORE;
}

static void
report_text(struct mh_parser *p, const char *b, size_t from, size_t to)
{
    if (report_begin(p, true) && p->h->text != NULL)
        check(p, p->h->text(p->ctx, strv_make(b + from, to - from), p->is_cdata));
}

static void
report_comment(struct mh_parser *p, const char *b, size_t from, size_t to)
{
    if (report_begin(p, true) && p->h->comment != NULL)
        check(p, p->h->comment(p->ctx, strv_make(b + from, to - from)));
}

/* An event nobody handles (marked section edges, processing instructions). */
static void
report_none(struct mh_parser *p)
{
    report_begin(p, false);
}

static void
report_decl(struct mh_parser *p, const char *b, size_t from, size_t to)
{
    if (report_begin(p, false) && p->h->declaration != NULL)
        check(p, p->h->declaration(p->ctx, strv_make(b + from, to - from)));
}

static bool
report_end(struct mh_parser *p, const char *name, size_t len)
{
    char *lower;

    if (!report_begin(p, false) || p->h->end == NULL)
        return !p->dead;
    p->names.len = 0;
    mh_buf_reserve(&p->names, len);
    lower = p->names.p;
    for (size_t i = 0; i < len; i++)
        lower[i] = to_lower(name[i]);
    check(p, p->h->end(p->ctx, strv_make(lower, len)));
    return !p->dead;
}

static size_t
hash_name(const char *s, size_t len)
{
    size_t h = 5381;

    for (size_t i = 0; i < len; i++)
        h = h * 33 + (unsigned char)s[i];
    return h;
}

/* Build the attr hash from the token positions (name, value; a value of
 * FAIL is a bare name) and report the start tag. Keys are lower-cased, the
 * first of equal keys wins, values are unquoted and entity-decoded. */
static void
report_start(struct mh_parser *p, const char *b, size_t ntok)
{
    const size_t *tk = (const size_t *)(void *)p->toks.p;
    size_t nattr = (ntok - 1) / 2, nslots = 0, nout = 0;
    struct mh_attr *at;
    size_t *slots = NULL;

    if (!report_begin(p, false) || p->h->start == NULL)
        return;
    p->names.len = 0;
    p->attrs.len = 0;
    mh_buf_reserve(&p->attrs, (nattr + 1) * sizeof(struct mh_attr));
    at = (struct mh_attr *)(void *)p->attrs.p;
    if (nattr > 8) { /* a hash, so that 100k attributes stay linear */
        nslots = 16;
        while (nslots < nattr * 2)
            nslots *= 2;
        p->seen.len = 0;
        mh_buf_reserve(&p->seen, nslots * sizeof(size_t));
        slots = (size_t *)(void *)p->seen.p;
        for (size_t i = 0; i < nslots; i++)
            slots[i] = SIZE_MAX;
    }
    /* the tag name first, at names[0..) */
    for (size_t i = tk[0]; i < tk[1]; i++)
        mh_buf_putc(&p->names, to_lower(b[i]));
    for (size_t k = 0; k < nattr; k++) {
        size_t nb = tk[2 + 4 * k], ne = tk[3 + 4 * k];
        size_t vb = tk[4 + 4 * k], ve = tk[5 + 4 * k];
        size_t off = p->names.len, len = ne - nb;
        bool dup = false;

        for (size_t i = nb; i < ne; i++)
            mh_buf_putc(&p->names, to_lower(b[i]));
        if (slots != NULL) {
            size_t h = hash_name(p->names.p + off, len) & (nslots - 1);

            for (; slots[h] != SIZE_MAX; h = (h + 1) & (nslots - 1)) {
                const struct mh_attr *o = &at[slots[h]];

                if ((size_t)o->name.len == len &&
                    memcmp(p->names.p + (size_t)o->name.p, p->names.p + off, len) == 0) {
                    dup = true;
                    break;
                }
            }
            if (!dup)
                slots[h] = nout;
        } else {
            for (size_t j = 0; j < nout && !dup; j++)
                dup = at[j].name.len == len &&
                      memcmp(p->names.p + (size_t)at[j].name.p, p->names.p + off, len) == 0;
        }
        if (dup) {
            p->names.len = off;
            continue;
        }
        /* offsets for now: names.p may move */
        at[nout].name = strv_make((const char *)(uintptr_t)off, len);
        off = p->names.len;
        if (vb == FAIL) {
            mh_buf_append(&p->names, b + nb, ne - nb);
            at[nout].uni = p->uni;
        } else {
            if (ve > vb && (b[vb] == '"' || b[vb] == '\'')) {
                vb++;
                ve--;
            }
            at[nout].uni = mh_decode_entities(&p->names, b + vb, ve - vb, false, p->uni);
        }
        at[nout].value = strv_make((const char *)(uintptr_t)off, p->names.len - off);
        nout++;
    }
    for (size_t j = 0; j < nout; j++) {
        at[j].name.p = p->names.p + (uintptr_t)at[j].name.p;
        at[j].value.p = p->names.p + (uintptr_t)at[j].value.p;
    }
    check(p, p->h->start(p->ctx, strv_make(p->names.p, tk[1] - tk[0]), at, nout));
}

static void
push_tok(struct mh_parser *p, size_t beg, size_t end)
{
    size_t t[2] = { beg, end };

    mh_buf_append(&p->toks, t, sizeof(t));
}

/* MSIE's way to the '>' of an end tag: quotes after ' ' or '=' hide it. */
static size_t
skip_until_gt(const char *b, size_t s, size_t end)
{
    char quote = '\0', prev = ' ';

    while (s < end) {
        if (!quote && b[s] == '>')
            return s;
        if (b[s] == '"' || b[s] == '\'') {
            if (b[s] == quote)
                quote = '\0';
            else if (!quote && (prev == ' ' || prev == '='))
                quote = b[s];
        }
        prev = b[s++];
    }
    return end;
}

/* After "<!--" at s: the comment up to "--", white space, ">"; or, once
 * at eof, up to the first '>'. Returns the end, or beg to wait. */
static size_t
parse_comment(struct mh_parser *p, const char *b, size_t beg, size_t end)
{
    size_t s = beg;

    if (p->no_dash_dash_comment_end) {
        while (s < end && b[s] != '>')
            s++;
        if (s < end) {
            report_comment(p, b, beg - 4, s + 1);
            return s + 1;
        }
        return beg;
    }
    for (;;) {
        size_t dash;

        while (s < end && b[s] != '-')
            s++;
        if (s >= end)
            return beg;
        dash = s++;
        if (b[s] == '-') {
            s++;
            while (is_hspace(b[s]))
                s++;
            if (b[s] == '>') {
                report_comment(p, b, beg - 4, s + 1);
                return s + 1;
            }
        }
        if (s >= end)
            return beg;
        s = dash + 1;
    }
}

static int
ms_keyword(const char *s, size_t len)
{
    char w[8];

    if (len > 7)
        return MS_NONE;
    for (size_t i = 0; i < len; i++)
        w[i] = to_lower(s[i]);
    w[len] = '\0';
    if (strcmp(w, "include") == 0)
        return MS_INCLUDE;
    if (strcmp(w, "rcdata") == 0)
        return MS_RCDATA;
    if (strcmp(w, "cdata") == 0)
        return MS_CDATA;
    if (strcmp(w, "ignore") == 0)
        return MS_IGNORE;
    return MS_NONE;
}

static void
ms_update(struct mh_parser *p)
{
    p->ms = MS_NONE;
    for (int k = MS_IGNORE; k > MS_NONE; k--) {
        if (p->ms_count[k] > 0) {
            p->ms = k;
            break;
        }
    }
    p->is_cdata = p->ms == MS_CDATA;
}

static void
ms_pop(struct mh_parser *p)
{
    if (p->ms_stack.len > 0)
        p->ms_count[(unsigned char)p->ms_stack.p[--p->ms_stack.len]]--;
    ms_update(p);
}

/* "<![" keywords "[" at beg; FAIL if it is none, beg to wait. */
static size_t
parse_marked_section(struct mh_parser *p, const char *b, size_t beg, size_t end)
{
    size_t s = beg + 3;
    int level = MS_NONE;
    bool any = false;

    for (;;) {
        while (is_hspace(b[s]))
            s++;
        while (is_name_first(b[s])) {
            size_t ns = s++, ne;
            int k;

            while (is_name_char(b[s]))
                s++;
            ne = s;
            while (is_hspace(b[s]))
                s++;
            if (s == end)
                return beg;
            k = ms_keyword(b + ns, ne - ns);
            if (k > level)
                level = k;
            any = true;
        }
        if (b[s] != '-')
            break;
        s++;
        if (b[s] != '-')
            return FAIL;
        s++;
        for (;;) { /* a -- comment -- among the keywords */
            while (s < end && b[s] != '-')
                s++;
            if (s == end)
                return beg;
            s++;
            if (b[s] == '-') {
                s++;
                break;
            }
        }
    }
    if (b[s] != '[')
        return FAIL;
    s++;
    if (!any)
        level = MS_INCLUDE;
    mh_buf_putc(&p->ms_stack, (char)level);
    p->ms_count[level]++;
    ms_update(p);
    report_none(p);
    return s;
}

/* <!DOCTYPE ...> or <!ENTITY ...> after the name at s: its end, beg to
 * wait, FAIL (with *at where it failed) when it is a bogus comment. */
static size_t
parse_decl_body(struct mh_parser *p, const char *b, size_t beg, size_t s, size_t end, size_t *at)
{
    for (;;) {
        while (s < end && is_hspace(b[s]))
            s++;
        if (s == end)
            return beg;
        if (b[s] == '"' || b[s] == '\'') {
            size_t q = s++;

            while (s < end && b[s] != b[q])
                s++;
            if (s == end)
                return beg;
            s++;
        } else if (b[s] == '-') {
            s++;
            if (s == end)
                return beg;
            if (b[s] != '-') {
                *at = s;
                return FAIL;
            }
            s++;
            for (;;) {
                while (s < end && b[s] != '-')
                    s++;
                if (s == end)
                    return beg;
                s++;
                if (s == end)
                    return beg;
                if (b[s] == '-') {
                    s++;
                    break;
                }
            }
        } else if (b[s] != '>') {
            s++;
            while (s < end && is_not_space_gt(b[s]))
                s++;
            if (s == end)
                return beg;
        } else {
            break;
        }
    }
    report_decl(p, b, beg, s + 1);
    return s + 1;
}

static size_t
parse_decl(struct mh_parser *p, const char *b, size_t beg, size_t end)
{
    size_t s = beg + 2;

    if (b[s] == '-') {
        size_t r;

        s++;
        if (s == end)
            return beg;
        if (b[s] == '-') {
            s++;
            r = parse_comment(p, b, s, end);
            return r == s ? beg : r;
        }
    } else if (b[s] == '[') {
        size_t r = parse_marked_section(p, b, beg, end);

        if (r != FAIL)
            return r;
    } else if (b[s] == '>') {
        report_comment(p, b, beg, s + 1); /* <!> is an empty comment */
        return s + 1;
    } else if (is_alpha(b[s])) {
        size_t id = s, r;

        s++;
        while (s < end && is_name_char(b[s]))
            s++;
        if (s == end)
            return beg;
        if ((s - id == 7 && strncasecmp(b + id, "doctype", 7) == 0) ||
            (s - id == 6 && strncasecmp(b + id, "entity", 6) == 0)) {
            r = parse_decl_body(p, b, beg, s, end, &s);
            if (r != FAIL)
                return r;
        }
    }
    /* anything else up to the first '>' is a comment */
    while (s < end && b[s] != '>')
        s++;
    if (s < end) {
        report_comment(p, b, beg, s + 1);
        return s + 1;
    }
    return beg;
}

static size_t
parse_start(struct mh_parser *p, const char *b, size_t beg, size_t end)
{
    size_t s = beg + 2;

    p->toks.len = 0;
    while (s < end && is_not_space_gt(b[s]))
        s++;
    push_tok(p, beg + 1, s);
    while (is_hspace(b[s]))
        s++;
    if (s == end)
        return beg;
    while (is_not_space_gt(b[s])) {
        size_t nb = s++;

        while (s < end && is_not_space_gt(b[s]) && b[s] != '=')
            s++;
        if (s == end)
            return beg;
        push_tok(p, nb, s);
        while (is_hspace(b[s]))
            s++;
        if (s == end)
            return beg;
        if (b[s] != '=') {
            push_tok(p, FAIL, FAIL); /* a bare name */
            continue;
        }
        s++;
        while (is_hspace(b[s]))
            s++;
        if (s == end)
            return beg;
        if (b[s] == '>') { /* like ="" */
            push_tok(p, s, s);
            break;
        }
        if (b[s] == '"' || b[s] == '\'') {
            size_t q = s++;
            const char *cq = memchr(b + s, b[q], end - s);

            if (cq == NULL)
                return beg;
            s = (size_t)(cq - b) + 1;
            push_tok(p, q, s);
        } else {
            size_t vb = s;

            while (s < end && is_not_space_gt(b[s]))
                s++;
            if (s == end)
                return beg;
            push_tok(p, vb, s);
        }
        while (is_hspace(b[s]))
            s++;
        if (s == end)
            return beg;
    }
    if (b[s] != '>')
        return FAIL;
    s++;
    {
        const size_t *tk = (const size_t *)(void *)p->toks.p;
        size_t tb = tk[0], tlen = tk[1] - tk[0];

        report_start(p, b, p->toks.len / (2 * sizeof(size_t)));
        for (size_t i = 0; i < sizeof(literal_elems) / sizeof(literal_elems[0]); i++) {
            const char *n = literal_elems[i].name;
            size_t k = 0;

            if (strlen(n) != tlen)
                continue;
            while (k < tlen && to_lower(b[tb + k]) == n[k])
                k++;
            if (k == tlen) {
                p->literal_mode = n;
                p->is_cdata = literal_elems[i].cdata;
                break;
            }
        }
    }
    return s;
}

static size_t
parse_end(struct mh_parser *p, const char *b, size_t beg, size_t end)
{
    size_t s = beg + 2;

    if (is_not_space_gt(b[s])) {
        size_t nb = s++, ne;

        while (s < end && is_not_space_gt(b[s]))
            s++;
        ne = s;
        s = skip_until_gt(b, s, end);
        if (s == end)
            return beg;
        report_end(p, b + nb, ne - nb);
        return s + 1;
    }
    /* "</ x>", "</>": a comment */
    s = skip_until_gt(b, s, end);
    if (s == end)
        return beg;
    report_comment(p, b, beg, s + 1);
    return s + 1;
}

static size_t
parse_process(struct mh_parser *p, const char *b, size_t beg, size_t end)
{
    for (size_t s = beg + 2; s < end; s++) {
        if (b[s] == '>') {
            report_none(p);
            return s + 1;
        }
    }
    return beg;
}

/* The text loop of parse_buf(): scan from s (t: start of the pending
 * text); returns with *s at '<' (text before it reported) or with the loop
 * finished (true). */
static bool
scan_text(struct mh_parser *p, const char *b, size_t *tp, size_t *sp, size_t end)
{
    size_t s = *sp, t = *tp;

    if (p->ms == MS_NONE) {
        const char *lt = memchr(b + s, '<', end - s);

        s = lt ? (size_t)(lt - b) : end;
    }
    while (s < end && b[s] != '<') {
        if (p->ms != MS_NONE && b[s] == ']') {
            size_t end_text = s++;

            if (b[s] == ']') {
                s++;
                if (b[s] == '>') {
                    s++;
                    report_text(p, b, t, end_text); /* even when empty */
                    report_none(p);
                    t = s;
                    ms_pop(p);
                    if (p->dead)
                        break;
                    continue;
                }
            }
        }
        s++; /* (skips the character after a lone ']' too) */
    }
    if (p->dead) {
        *sp = s;
        return true;
    }
    if (s != t) {
        if (s <= end && b[s] == '<') {
            report_text(p, b, t, s);
            t = s;
        } else {
            /* at the end of the chunk: hold back the last partial word
             * or the trailing white space */
            ptrdiff_t k = (ptrdiff_t)s - 1, lo = (ptrdiff_t)t;

            if (is_hspace(b[k])) {
                while (k >= lo && is_hspace(b[k]))
                    k--;
            } else {
                while (k >= lo && !is_hspace(b[k]))
                    k--;
                while (k >= lo && is_hspace(b[k]))
                    k--;
            }
            k++;
            if ((size_t)k != t)
                report_text(p, b, t, (size_t)k);
            *sp = (size_t)k;
            *tp = t;
            return true;
        }
    }
    *sp = s;
    *tp = t;
    return false;
}

/* HTML::Parser's parse_buf(): returns where the unparsed rest begins. */
static size_t
parse_buf(struct mh_parser *p, const char *b, size_t beg, size_t end)
{
    size_t s = beg, t = beg;

    while (!p->dead) {
        size_t np;

        while (p->literal_mode != NULL && !p->dead) {
            const char *l = p->literal_mode;
            size_t end_text;

            {
                const char *lt = memchr(b + s, '<', end - s);

                if (lt == NULL)
                    return t;
                s = (size_t)(lt - b);
            }
            end_text = s++;
            if (b[s] == '/') {
                size_t nb = ++s;

                while (*l && to_lower(b[s]) == *l) {
                    s++;
                    l++;
                }
                /* </plaintext> does not end it (closing_plaintext is off) */
                if (!*l && strcmp(p->literal_mode, "plaintext") != 0) {
                    size_t ne = s;

                    while (is_hspace(b[s]))
                        s++;
                    if (b[s] == '>') {
                        s++;
                        if (t != end_text)
                            report_text(p, b, t, end_text);
                        report_end(p, b + nb, ne - nb);
                        p->literal_mode = NULL;
                        p->is_cdata = false;
                        t = s;
                    }
                }
            }
        }
        while ((p->ms == MS_CDATA || p->ms == MS_RCDATA) && !p->dead) {
            while (s < end && b[s] != ']')
                s++;
            if (b[s] == ']') {
                size_t end_text = s++;

                if (b[s] == ']' && b[s + 1] == '>') {
                    s += 2;
                    if (t != end_text)
                        report_text(p, b, t, end_text);
                    report_none(p);
                    t = s;
                    ms_pop(p);
                    continue;
                }
            }
            if (s >= end)
                return t;
        }
        if (p->dead)
            break;
        if (scan_text(p, b, &t, &s, end))
            return s;
        if (p->dead || end - s < 3)
            break;
        s++;
        if (is_name_first(b[s]))
            np = parse_start(p, b, t, end);
        else if (b[s] == '/')
            np = parse_end(p, b, t, end);
        else if (b[s] == '!')
            np = parse_decl(p, b, t, end);
        else if (b[s] == '?')
            np = parse_process(p, b, t, end);
        else
            np = FAIL;
        if (np != FAIL) {
            if (np == t) { /* wait for more input */
                s = t;
                break;
            }
            t = s = np;
        }
        /* else: not markup; the '<' is text, go on after it */
    }
    return s;
}

static void
start_document(struct mh_parser *p)
{
    if (p->started)
        return;
    p->started = true;
    if (report_begin(p, false) && p->h->start_document != NULL)
        p->h->start_document(p->ctx);
}

/* Keep b[s..end) for the next call (b may be rest's own bytes). */
static void
keep_rest(struct mh_parser *p, const char *b, size_t s, size_t end)
{
    if (b == p->rest.p) {
        memmove(p->rest.p, p->rest.p + s, end - s);
        p->rest.len = end - s;
    } else {
        p->rest.len = 0;
        mh_buf_append(&p->rest, b + s, end - s);
    }
    mh_buf_reserve(&p->rest, 2);
    p->rest.p[p->rest.len] = p->rest.p[p->rest.len + 1] = '\0';
    p->have_rest = true;
}

void
mh_parser_parse(struct mh_parser *p, const char *chunk, size_t len)
{
    const char *b = chunk;
    size_t n = len, s;

    start_document(p);
    if (p->dead)
        return;
    if (p->have_rest) {
        mh_buf_append(&p->rest, chunk, len);
        mh_buf_reserve(&p->rest, 2);
        p->rest.p[p->rest.len] = p->rest.p[p->rest.len + 1] = '\0';
        b = p->rest.p;
        n = p->rest.len;
    }
    if (n == 0)
        return;
    s = parse_buf(p, b, 0, n);
    if (p->dead)
        return; /* a croak: the parser is left unusable */
    if (s >= n)
        p->have_rest = false;
    else
        keep_rest(p, b, s, n);
}

void
mh_parser_eof(struct mh_parser *p)
{
    start_document(p);
    if (p->dead)
        return;
    if (p->have_rest) {
        const char *b = p->rest.p;
        size_t end = p->rest.len, s = 0;

        while (s < end && !p->dead) {
            if (p->literal_mode != NULL) {
                const char *l = p->literal_mode;

                if (strcmp(l, "plaintext") == 0 || strcmp(l, "xmp") == 0 ||
                    strcmp(l, "iframe") == 0 || strcmp(l, "textarea") == 0)
                    break; /* the rest is text */
                if (strcmp(l, "script") == 0 || strcmp(l, "style") == 0)
                    report_end(p, l, strlen(l)); /* an empty element */
                else
                    p->pending_end_tag = l; /* <title>: ends at the next tag */
                p->literal_mode = NULL;
                s = parse_buf(p, b, s, end);
                continue;
            }
            if (!p->no_dash_dash_comment_end && b[s] == '<') {
                p->no_dash_dash_comment_end = true;
                s = parse_buf(p, b, s, end);
                continue;
            }
            if (b[s] == '<') {
                size_t s1 = s + 1;

                if (s1 == end || is_name_first(b[s1]) || b[s1] == '/' || b[s1] == '!' ||
                    b[s1] == '?') {
                    report_comment(p, b, s, end); /* unterminated markup */
                    s = end;
                }
            }
            break;
        }
        if (s < end && !p->dead)
            report_text(p, b, s, end);
        p->have_rest = false;
    }
    if (p->dead)
        return;
    if (report_begin(p, false) && p->h->end_document != NULL)
        p->h->end_document(p->ctx);
    p->literal_mode = NULL;
    p->is_cdata = false;
}
