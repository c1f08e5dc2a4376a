/*
 * mime_msg.c - the message and its MIME tree, as SpamAssassin's
 * Message->new, parse_body, _parse_multipart and _parse_normal build them
 * (see mime_msg.h). SA works on arrays of lines; so does this file, with
 * each line a view (ending in "\n" except maybe the last) into the message
 * or into an arena copy when SA's line handling changed it.
 */
#include "mime/mime_msg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime/mime_codec.h"

/* SA's MAX_BODY_LINE_LENGTH: longer body lines of a multipart are cut. */
#define MSG_MAX_LINE 2048
/* SA keeps at most this many blank lines in a row in a body. */
#define MSG_MAX_BLANK_LINES 20

struct msg_lines {
    struct strv *v;
    size_t n;
};

struct msg_job {
    struct mime_part *part;
    struct strv boundary;
    bool has_boundary;
    struct msg_lines lines;
    size_t subparse;
};

/* SA's mime_boundary_state{$boundary}: 1 once its opening line was seen,
 * one less at its closing line. */
struct msg_bstate {
    struct strv boundary;
    int state;
};

struct msg_parser {
    struct mime_msg *m;
    struct arena *a;
    const struct mime_ctx *ctx;
    struct msg_job *jobs; /* SA's parse_queue */
    size_t njobs, jobs_cap, next_job;
    struct msg_bstate *bstates;
    size_t nbstates;
};

/* ------------------------------------------------------------------------
 * small helpers
 */

static bool
msg_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* /^\s*$/ */
static bool
msg_blank(struct strv l)
{
    for (size_t i = 0; i < l.len; i++) {
        if (!msg_space(l.p[i]))
            return false;
    }
    return true;
}

/* /^[\041-\071\073-\176]+[ \t]*:/ (with_blanks) or /^[\041-\071\073-\176]+:/ */
static bool
msg_header_like(struct strv l, bool with_blanks)
{
    size_t i = 0;

    while (i < l.len && (unsigned char)l.p[i] >= 041 && (unsigned char)l.p[i] <= 0176 &&
           l.p[i] != ':')
        i++;
    if (i == 0)
        return false;
    if (with_blanks)
        while (i < l.len && (l.p[i] == ' ' || l.p[i] == '\t'))
            i++;
    return i < l.len && l.p[i] == ':';
}

/* split(/^/m, text): lines with their "\n". */
static struct msg_lines
msg_split_lines(struct arena *a, struct strv text)
{
    struct msg_lines ls = { NULL, 0 };
    size_t n = 0, i = 0;

    for (const char *p = text.p, *end = text.p + text.len;
         (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        n++;
    ls.v = arena_alloc(a, (n + 1) * sizeof(*ls.v));
    while (i < text.len) {
        const char *nl = memchr(text.p + i, '\n', text.len - i);
        size_t end = nl ? (size_t)(nl - text.p) + 1 : text.len;

        ls.v[ls.n++] = strv_make(text.p + i, end - i);
        i = end;
    }
    return ls;
}

static struct strv
msg_join(struct arena *a, const struct strv *v, size_t n)
{
    size_t len = 0, o = 0;
    char *p;

    for (size_t i = 0; i < n; i++)
        len += v[i].len;
    p = arena_alloc(a, len + 1);
    for (size_t i = 0; i < n; i++) {
        memcpy(p + o, v[i].p, v[i].len);
        o += v[i].len;
    }
    p[o] = '\0';
    return strv_make(p, o);
}

/* Does l match /^--\Q$b\E(--)?\s*$/ (end: the closing form only counts
 * when allow_end)? *last: the "--" form. */
static bool
msg_boundary_line(struct strv l, struct strv b, bool allow_end, bool *last)
{
    size_t i;

    *last = false;
    if (l.len < b.len + 2 || l.p[0] != '-' || l.p[1] != '-' || memcmp(l.p + 2, b.p, b.len) != 0)
        return false;
    i = b.len + 2;
    if (allow_end && i + 1 < l.len + 0 && l.p[i] == '-' && i + 1 < l.len && l.p[i + 1] == '-') {
        size_t j = i + 2;

        while (j < l.len && msg_space(l.p[j]))
            j++;
        if (j == l.len) {
            *last = true;
            return true;
        }
    }
    while (i < l.len && msg_space(l.p[i]))
        i++;
    return i == l.len;
}

/* ------------------------------------------------------------------------
 * Content-Type (Util::parse_content_type)
 */

/* Perl's \b before a word character: start, or a non-word byte before. */
static bool
ct_at_word_start(const char *s, size_t i)
{
    return i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_');
}

/* Find `key` (case-insensitive) at a word start followed by \s*=\s*;
 * returns the index after the blanks following '=', or -1. */
static long
ct_param(struct strv v, const char *key, size_t from)
{
    size_t k = strlen(key);

    for (size_t i = from; i + k <= v.len; i++) {
        size_t j;

        if (!ct_at_word_start(v.p, i) || strncasecmp(v.p + i, key, k) != 0)
            continue;
        j = i + k;
        while (j < v.len && msg_space(v.p[j]))
            j++;
        if (j >= v.len || v.p[j] != '=')
            continue;
        j++;
        while (j < v.len && msg_space(v.p[j]))
            j++;
        return (long)j;
    }
    return -1;
}

/* ["']?(.*?)["']?(?:;|$) from position j */
static struct strv
ct_lazy_value(struct strv v, size_t j)
{
    size_t end, stop;

    if (j < v.len && (v.p[j] == '"' || v.p[j] == '\''))
        j++;
    stop = j;
    while (stop < v.len && v.p[stop] != ';')
        stop++;
    end = stop;
    /* $ also matches before a final newline */
    if (end == v.len && end > j && v.p[end - 1] == '\n')
        end--;
    if (end > j && (v.p[end - 1] == '"' || v.p[end - 1] == '\''))
        end--;
    return strv_make(v.p + j, end - j);
}

static void
ct_boundary(struct arena *a, struct strv v, struct mime_ct *ct)
{
    long j = -1;
    size_t from = 0;

    /* \bboundary\s*=\s*("[^"]+|[^\s";]+(?=[\s;]|$)) */
    while ((j = ct_param(v, "boundary", from)) >= 0) {
        size_t s = (size_t)j, e = s;

        from = s;
        if (s < v.len && v.p[s] == '"') {
            e = s + 1;
            while (e < v.len && v.p[e] != '"')
                e++;
            if (e > s + 1) {
                char *b = arena_strndup(a, v.p + s + 1, e - s - 1);

                ct->boundary = strv_make(b, e - s - 1);
                ct->has_boundary = true;
                return;
            }
            continue;
        }
        while (e < v.len && !msg_space(v.p[e]) && v.p[e] != '"' && v.p[e] != ';')
            e++;
        if (e > s && (e == v.len || msg_space(v.p[e]) || v.p[e] == ';')) {
            /* tr/"//d: there is none in this form */
            ct->boundary = strv_make(v.p + s, e - s);
            ct->has_boundary = true;
            return;
        }
        if (from >= v.len)
            break;
        from++;
    }
}

static void
ct_name(struct arena *a, struct strv v, struct mime_ct *ct)
{
    /* \b(?:file)?name\s*=\s*["']?(.*?)["']?(?:;|$) */
    for (size_t i = 0; i < v.len; i++) {
        size_t k = 0;
        long j;

        if (!ct_at_word_start(v.p, i))
            continue;
        if (v.len - i >= 8 && strncasecmp(v.p + i, "filename", 8) == 0)
            k = 8;
        else if (v.len - i >= 4 && strncasecmp(v.p + i, "name", 4) == 0)
            k = 4;
        else
            continue;
        j = ct_param(strv_make(v.p + i, v.len - i), k == 8 ? "filename" : "name", 0);
        if (j != 0 && j >= 0) {
            size_t jj = (size_t)j;
            size_t kk = jj;

            /* ct_param searched from i: make sure the key it found starts at i */
            while (kk > 0 && (msg_space(v.p[i + kk - 1]) || v.p[i + kk - 1] == '='))
                kk--;
            if (kk == k) {
                ct->name = ct_lazy_value(strv_make(v.p + i, v.len - i), jj);
                ct->has_name = ct->name.len > 0; /* "if (!$name" treats "" as none */
                if (ct->has_name)
                    return;
            }
        }
    }
    /* name*0=..., name*1=...: RFC 2231 continuations, joined in order */
    {
        struct strv parts[64];
        size_t nparts = 0, total = 0;
        char *joined, *o;

        memset(parts, 0, sizeof(parts));
        for (size_t i = 0; i < v.len; i++) {
            size_t k, d;
            unsigned long idx;
            long j;

            if (!ct_at_word_start(v.p, i))
                continue;
            if (v.len - i >= 9 && strncasecmp(v.p + i, "filename*", 9) == 0)
                k = 9;
            else if (v.len - i >= 5 && strncasecmp(v.p + i, "name*", 5) == 0)
                k = 5;
            else
                continue;
            d = 0;
            while (i + k + d < v.len && isdigit((unsigned char)v.p[i + k + d]))
                d++;
            if (d == 0)
                continue;
            idx = strtoul(v.p + i + k, NULL, 10);
            j = i + k + d;
            while ((size_t)j < v.len && msg_space(v.p[j]))
                j++;
            if ((size_t)j >= v.len || v.p[j] != '=')
                continue;
            j++;
            while ((size_t)j < v.len && msg_space(v.p[j]))
                j++;
            if (idx < 64) {
                parts[idx] = ct_lazy_value(v, (size_t)j);
                if (idx + 1 > nparts)
                    nparts = idx + 1;
            }
        }
        for (size_t i = 0; i < nparts; i++)
            total += parts[i].len;
        if (nparts == 0 || total == 0)
            return;
        joined = o = arena_alloc(a, total + 1);
        for (size_t i = 0; i < nparts; i++) {
            if (parts[i].len == 0)
                continue; /* a missing name*N: nothing to copy (p is NULL) */
            memcpy(o, parts[i].p, parts[i].len);
            o += parts[i].len;
        }
        *o = '\0';
        ct->name = strv_make(joined, total);
        ct->has_name = true;
    }
}

/* The type: s/^\s+//; s/;.*$//s; s@^([^/]+(?:/[^/\s]*)?).*$@$1@s; lc;
 * text/x -> text/plain; drop tspecials. */
static const char *
ct_type(struct arena *a, struct strv v, bool *missing)
{
    size_t i = 0, e, slash;
    char *t, *o;

    while (i < v.len && msg_space(v.p[i]))
        i++;
    e = i;
    while (e < v.len && v.p[e] != ';')
        e++;
    /* ^([^/]+(?:/[^/\s]*)?).*$ */
    slash = i;
    while (slash < e && v.p[slash] != '/')
        slash++;
    if (slash < e) {
        size_t k = slash + 1;

        while (k < e && v.p[k] != '/' && !msg_space(v.p[k]))
            k++;
        e = k;
    }
    t = arena_alloc(a, e - i + 1);
    o = t;
    for (size_t k = i; k < e; k++)
        *o++ = (char)tolower((unsigned char)v.p[k]);
    *o = '\0';
    if (t[0] == '\0')
        *missing = true;
    if (t[0] == '\0' ||
        (strncmp(t, "text", 4) == 0 && !(isalnum((unsigned char)t[4]) || t[4] == '_') &&
         strcmp(t, "text/x-vcard") != 0 && strcmp(t, "text/calendar") != 0 &&
         strcmp(t, "text/html") != 0))
        return "text/plain";
    /* tr/\000-\040\177-\377\042\050\051\054\072-\077\100\133-\135//d */
    o = t;
    for (char *p = t; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 040 || c >= 0177 || c == 042 || c == 050 || c == 051 || c == 054 ||
            (c >= 072 && c <= 077) || c == 0100 || (c >= 0133 && c <= 0135))
            continue;
        *o++ = *p;
    }
    *o = '\0';
    return t;
}

void
mime_ct_parse(struct arena *a, struct strv value, bool present, struct mime_ct *out)
{
    memset(out, 0, sizeof(*out));
    /* $_[-1] || 'text/plain; charset=us-ascii': "" and "0" count as missing */
    if (!present || value.len == 0 || (value.len == 1 && value.p[0] == '0')) {
        out->missing = true;
        value = STRV_LIT("text/plain; charset=us-ascii");
    }
    ct_boundary(a, value, out);
    {
        long j = ct_param(value, "charset", 0);

        if (j >= 0) {
            out->charset = ct_lazy_value(value, (size_t)j);
            out->has_charset = true;
        }
    }
    ct_name(a, value, out);
    out->type = ct_type(a, value, &out->missing);
}

/* ------------------------------------------------------------------------
 * the tree
 */

static struct mime_part *
msg_part_new(struct msg_parser *mp, unsigned depth)
{
    struct mime_part *p = arena_calloc(mp->a, 1, sizeof(*p));

    p->type = "text/plain";
    p->depth = depth;
    mp->m->nparts++;
    return p;
}

static void
msg_add_child(struct mime_part *parent, struct mime_part *child)
{
    parent->has_body_parts = true;
    child->parent = parent;
    if (parent->last != NULL)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
}

static void
msg_push_job(struct msg_parser *mp, struct mime_part *part, struct strv boundary, bool has_b,
             struct msg_lines lines, size_t subparse)
{
    if (mp->njobs == mp->jobs_cap) {
        size_t cap = mp->jobs_cap ? mp->jobs_cap * 2 : 16;

        mp->jobs = arena_realloc(mp->a, mp->jobs, mp->jobs_cap * sizeof(*mp->jobs),
                                 cap * sizeof(*mp->jobs));
        mp->jobs_cap = cap;
    }
    mp->jobs[mp->njobs++] = (struct msg_job){ part, boundary, has_b, lines, subparse };
}

/* The value of the last field named name ('' and present=false if none). */
static struct strv
msg_header_value(const struct mime_part *p, const char *name, bool *present)
{
    const struct mime_header *f = mime_hdr_last(&p->hdrs, strv_cstr(name));

    *present = f != NULL;
    return f ? f->value : STRV_LIT("");
}

/* parse_content_type($part->header('content-type')) */
static void
msg_part_ct(struct arena *a, const struct mime_part *p, struct mime_ct *ct)
{
    bool present;
    struct strv v = msg_header_value(p, "content-type", &present);

    mime_ct_parse(a, v, present, ct);
}

/* A part header "Key: value" cut as SA's split(/:\s*\/, $header, 2). */
static void
msg_part_header(struct msg_parser *mp, struct mime_part *p, struct strv h)
{
    const char *colon = memchr(h.p, ':', h.len);
    size_t v;

    if (colon == NULL)
        return; /* no value: SA's header() ignores it */
    if (p->hdrs.n >= mp->ctx->lim.max_headers) {
        mp->m->limit_headers = true;
        return;
    }
    v = (size_t)(colon - h.p) + 1;
    while (v < h.len && msg_space(h.p[v]))
        v++;
    mime_hdr_add(mp->a, mp->ctx->cs, &p->hdrs, strv_make(h.p, (size_t)(colon - h.p)),
                 strv_make(h.p + v, h.len - v));
}

/* Lines longer than SA's limit become 2048-byte lines with "\n" added. */
static void
msg_push_body_line(struct arena *a, struct strv **arr, size_t *n, size_t *cap, struct strv l)
{
    while (l.len > MSG_MAX_LINE) {
        char *piece = arena_alloc(a, MSG_MAX_LINE + 2);

        memcpy(piece, l.p, MSG_MAX_LINE);
        piece[MSG_MAX_LINE] = '\n';
        piece[MSG_MAX_LINE + 1] = '\0';
        if (*n == *cap) {
            *arr = arena_realloc(a, *arr, *cap * sizeof(**arr), *cap * 2 * sizeof(**arr));
            *cap *= 2;
        }
        (*arr)[(*n)++] = strv_make(piece, MSG_MAX_LINE + 1);
        l.p += MSG_MAX_LINE;
        l.len -= MSG_MAX_LINE;
    }
    if (*n == *cap) {
        *arr = arena_realloc(a, *arr, *cap * sizeof(**arr), *cap * 2 * sizeof(**arr));
        *cap *= 2;
    }
    (*arr)[(*n)++] = l;
}

static struct mime_part *msg_message_new(struct msg_parser *mp, struct strv text, size_t subparse,
                                         unsigned depth);

/* ------------------------------------------------------------------------
 * _parse_multipart
 */

struct mp_state {
    struct mime_part *part; /* the part being read */
    struct strv *arr;       /* its body lines */
    size_t n, cap;
    bool have_arr;      /* SA's $part_array is defined */
    struct strv header; /* the header field being gathered */
    bool have_header;
    bool in_body;
};

static void
mp_reset(struct msg_parser *mp, struct mp_state *st, unsigned depth)
{
    st->part = msg_part_new(mp, depth);
    st->arr = NULL;
    st->n = st->cap = 0;
    st->have_arr = false;
    st->have_header = false;
    st->in_body = false;
}

static void
mp_arr_init(struct msg_parser *mp, struct mp_state *st)
{
    if (!st->have_arr) {
        st->cap = 16;
        st->arr = arena_alloc(mp->a, st->cap * sizeof(*st->arr));
        st->n = 0;
        st->have_arr = true;
    }
}

/* Is this line a header (or its continuation) of the part being read?
 * Returns true when it was taken as such. */
static bool
mp_header_line(struct msg_parser *mp, struct mp_state *st, struct strv l, const struct msg_job *job,
               bool *nested)
{
    if (msg_header_like(l, true)) {
        if (st->have_header)
            msg_part_header(mp, st->part, st->header);
        st->header = l;
        st->have_header = true;
        return true;
    }
    if ((l.len > 0 && (l.p[0] == ' ' || l.p[0] == '\t')) && st->have_header) {
        /* continuation: the views are adjacent lines of one buffer */
        if (st->header.p + st->header.len == l.p)
            st->header.len += l.len;
        else
            st->header = msg_join(mp->a, (struct strv[]){ st->header, l }, 2);
        return true;
    }
    if (st->have_header) {
        const char *colon = memchr(st->header.p, ':', st->header.len);

        msg_part_header(mp, st->part, st->header);
        if (job->has_boundary && colon != NULL &&
            strv_caseeq(strv_make(st->header.p, (size_t)(colon - st->header.p)), "content-type")) {
            struct mime_ct ct;

            msg_part_ct(mp->a, st->part, &ct);
            if (ct.has_boundary && ct.boundary.len == job->boundary.len &&
                memcmp(ct.boundary.p, job->boundary.p, ct.boundary.len) == 0)
                *nested = true;
        }
    }
    st->in_body = true;
    return false;
}

/* The part is complete: type it and queue it. */
static void
mp_finish_part(struct msg_parser *mp, const struct msg_job *job, struct mp_state *st)
{
    struct mime_part *parent = job->part;
    struct mime_ct ct;

    msg_part_ct(mp->a, st->part, &ct);
    st->part->type = ct.type;
    if (ct.missing && strcmp(parent->type, "multipart/digest") == 0)
        st->part->type = "message/rfc822";
    if (!ct.has_boundary && job->has_boundary) {
        ct.boundary = job->boundary;
        ct.has_boundary = true;
    }
    msg_push_job(mp, st->part, ct.boundary, ct.has_boundary, (struct msg_lines){ st->arr, st->n },
                 job->subparse);
    msg_add_child(parent, st->part);
}

static struct msg_bstate *
msg_bstate(struct msg_parser *mp, struct strv boundary)
{
    for (size_t i = 0; i < mp->nbstates; i++) {
        if (strv_equal(mp->bstates[i].boundary, boundary))
            return &mp->bstates[i];
    }
    mp->bstates = arena_realloc(mp->a, mp->bstates, mp->nbstates * sizeof(*mp->bstates),
                                (mp->nbstates + 1) * sizeof(*mp->bstates));
    mp->bstates[mp->nbstates] = (struct msg_bstate){ boundary, 0 };
    return &mp->bstates[mp->nbstates++];
}

static void
msg_parse_multipart(struct msg_parser *mp, const struct msg_job *job)
{
    struct msg_lines body = job->lines;
    struct mp_state st;
    size_t line_count, partcnt = 0, start = 0;
    bool nested = false;
    struct msg_job j = *job;

    job->part->has_body_parts = true; /* $msg->{'body_parts'} = [] */
    j.subparse--;
    if (job->has_boundary) {
        size_t i;
        bool last;

        for (i = 0; i < body.n; i++) {
            if (msg_boundary_line(body.v[i], job->boundary, false, &last)) {
                msg_bstate(mp, job->boundary)->state = 1;
                if (i + 1 < body.n && !msg_header_like(body.v[i + 1], false))
                    mp->m->missing_mime_headers = true;
                break;
            }
        }
        if (i < body.n)
            start = i + 1; /* the preamble and the first boundary go */
    }
    mp_reset(mp, &st, job->part->depth + 1);
    line_count = body.n - start;
    for (size_t k = start; k < body.n; k++) {
        struct strv l = body.v[k];
        bool last = false;
        bool end = job->has_boundary && l.len >= 2 && l.p[0] == '-' && l.p[1] == '-' &&
                   msg_boundary_line(l, job->boundary, true, &last);
        bool last_end = end && last;

        if (end && nested) {
            end = false;
            if (last_end)
                nested = false; /* bug 7358: one level of a reused boundary */
        }
        if (--line_count == 0 || end) {
            if (!end) {
                mp_arr_init(mp, &st);
                msg_push_body_line(mp->a, &st.arr, &st.n, &st.cap, l);
            } else if (st.have_arr && st.n > 0) {
                struct strv *lastl = &st.arr[st.n - 1];

                if (lastl->len > 0 && lastl->p[lastl->len - 1] == '\n')
                    lastl->len--; /* chomp: the newline belongs to the boundary */
                if (lastl->len == 0)
                    st.n--;
            } else {
                mp_arr_init(mp, &st);
            }
            mp_finish_part(mp, &j, &st);
            if (job->has_boundary) {
                if (last_end) {
                    msg_bstate(mp, job->boundary)->state--;
                    break;
                }
                if (line_count > 0 && !msg_header_like(body.v[body.n - line_count], false))
                    mp->m->missing_mime_headers = true;
            }
            if (++partcnt >= mp->ctx->lim.max_multipart_parts) {
                mp->m->mimepart_limit_exceeded = true;
                return;
            }
            if (mp->m->nparts >= mp->ctx->lim.max_parts) {
                mp->m->limit_parts = true;
                return;
            }
            mp_reset(mp, &st, job->part->depth + 1);
            continue;
        }
        if (!st.in_body) {
            if (mp_header_line(mp, &st, l, job, &nested))
                continue;
            /* /^\r?$/: the separator line */
            if (l.len == 0 || (l.len == 1 && (l.p[0] == '\n' || l.p[0] == '\r')) ||
                (l.len == 2 && l.p[0] == '\r' && l.p[1] == '\n'))
                continue;
            mp->m->missing_mime_head_body_separator = true;
        }
        mp_arr_init(mp, &st);
        msg_push_body_line(mp->a, &st.arr, &st.n, &st.cap, l);
    }
    for (; line_count > 0; line_count--) { /* the epilogue */
        struct strv l = body.v[body.n - line_count];

        for (size_t i = 0; i < l.len; i++) {
            if (!msg_space(l.p[i]) && l.p[i] != '.') {
                mp->m->mime_epilogue_exists = true;
                return;
            }
        }
    }
}

/* ------------------------------------------------------------------------
 * _parse_normal
 */

/* name=\s*"?([^";]+)"? in Content-Disposition (case-insensitive) */
static bool
msg_disposition_name(struct strv d, struct strv *name)
{
    for (size_t i = 0; i + 5 <= d.len; i++) {
        size_t j, e;

        if (strncasecmp(d.p + i, "name=", 5) != 0)
            continue;
        j = i + 5;
        while (j < d.len && msg_space(d.p[j]))
            j++;
        if (j < d.len && d.p[j] == '"')
            j++;
        e = j;
        while (e < d.len && d.p[e] != '"' && d.p[e] != ';')
            e++;
        if (e > j) {
            *name = strv_make(d.p + j, e - j);
            return true;
        }
    }
    return false;
}

static void
msg_parse_normal(struct msg_parser *mp, const struct msg_job *job)
{
    struct mime_part *p = job->part;
    struct mime_ct ct;
    bool present;
    struct strv disp;

    msg_part_ct(mp->a, p, &ct);
    if (!ct.missing)
        p->type =
            (strncmp(ct.type, "multipart/", 10) != 0 || job->has_boundary) ? ct.type : "text/plain";
    p->charset = ct.charset;
    p->has_charset = ct.has_charset;
    disp = msg_header_value(p, "content-disposition", &present);
    if (msg_disposition_name(disp, &p->name))
        p->has_name = true;
    else if (ct.has_name) {
        p->name = ct.name;
        p->has_name = true;
    }
    p->boundary = job->boundary;
    p->has_boundary = job->has_boundary;
    p->raw = msg_join(mp->a, job->lines.v, job->lines.n);
    p->has_raw = true;
}

/* message/rfc822 (and message/global): decode and parse as a message. */
static void
msg_parse_embedded(struct msg_parser *mp, const struct msg_job *job)
{
    struct mime_part *p = job->part, *sub;
    struct strv enc, decoded;
    bool present;

    if (strncmp(p->type, "message/", 8) != 0 || strcmp(p->type, "message/partial") == 0)
        return;
    if (job->subparse == 0) {
        mp->m->limit_depth = true;
        return;
    }
    enc = msg_header_value(p, "content-transfer-encoding", &present);
    if (strv_caseeq(enc, "quoted-printable"))
        decoded = mime_crlf_to_lf(mp->a, mime_qp_decode(mp->a, p->raw));
    else if (strv_caseeq(enc, "base64"))
        decoded = mime_crlf_to_lf(mp->a, mime_b64_decode(mp->a, p->raw));
    else
        decoded = p->raw;
    if ((strcmp(p->type, "message/rfc822") != 0 && strcmp(p->type, "message/global") != 0) ||
        decoded.len == 0)
        return;
    sub = msg_message_new(mp, decoded, job->subparse - 1, p->depth + 1);
    msg_add_child(p, sub);
    p->has_raw = false; /* SA deletes raw and decoded: the node is no leaf now */
    p->raw = STRV_LIT("");
}

/* ------------------------------------------------------------------------
 * Message->new
 */

struct hdr_state {
    struct msg_parser *mp;
    struct mime_part *node;
    bool squash;
    bool top;
};

/* One gathered top-level field: split(/:/s, 2), WSP before ':' stripped,
 * CRLF squashed, SA's length limits. */
static void
msg_top_header(struct hdr_state *hs, struct strv h)
{
    struct mime_msg *m = hs->mp->m;
    const char *colon = memchr(h.p, ':', h.len);
    struct strv key, val;

    if (colon == NULL)
        return;
    key = strv_make(h.p, (size_t)(colon - h.p));
    val = strv_make(colon + 1, h.len - key.len - 1);
    if (hs->squash && memmem(val.p, val.len, "\r\n", 2) != NULL)
        val = mime_crlf_to_lf(hs->mp->a, val);
    while (key.len > 0 && (key.p[key.len - 1] == ' ' || key.p[key.len - 1] == '\t'))
        key.len--;
    if (key.len > MIME_HDR_MAX_NAME) {
        key.len = MIME_HDR_MAX_NAME;
        if (hs->top)
            m->truncated_header = true;
    }
    if (val.len > MIME_HDR_MAX_VALUE) {
        val.len = MIME_HDR_MAX_VALUE;
        if (hs->top)
            m->truncated_header = true;
    }
    if (hs->node->hdrs.n >= hs->mp->ctx->lim.max_headers) {
        m->limit_headers = true;
        return;
    }
    mime_hdr_add(hs->mp->a, hs->mp->ctx->cs, &hs->node->hdrs, key, val);
}

/* s/(?<!\015)\012/\015\012/g for a pristine header line of a CRLF message */
static struct strv
msg_crlf_line(struct arena *a, struct strv l)
{
    size_t bare = 0, o = 0;
    char *p;

    for (size_t i = 0; i < l.len; i++)
        bare += l.p[i] == '\n' && (i == 0 || l.p[i - 1] != '\r');
    if (bare == 0)
        return l;
    p = arena_alloc(a, l.len + bare + 1);
    for (size_t i = 0; i < l.len; i++) {
        if (l.p[i] == '\n' && (i == 0 || l.p[i - 1] != '\r'))
            p[o++] = '\r';
        p[o++] = l.p[i];
    }
    p[o] = '\0';
    return strv_make(p, o);
}

/* The header loop of Message->new; returns the index of the first body
 * line. Lines first..(that index) are the pristine header block; pristine,
 * when not NULL, gets them as SA keeps them (CRLF-fixed when squashing). */
static size_t
msg_headers(struct hdr_state *hs, struct msg_lines ls, size_t first, struct buf *pristine,
            bool *separator_missing)
{
    const char *le = hs->squash ? "\r\n" : "\n";
    struct strv header = { NULL, 0 };
    bool have = false;
    unsigned errors = 0;
    size_t i = first;

    for (;;) {
        bool eof = i >= ls.n;
        struct strv cur = eof ? strv_cstr(le) : ls.v[i];

        if (!eof)
            i++;
        if (hs->squash && !eof)
            cur = msg_crlf_line(hs->mp->a, cur);
        if (cur.len > 0 && (cur.p[0] == ' ' || cur.p[0] == '\t')) {
            header = have ? msg_join(hs->mp->a, (struct strv[]){ header, cur }, 2) : cur;
            have = true;
            if (pristine != NULL)
                buf_append(pristine, cur.p, cur.len);
            continue;
        }
        if (have)
            msg_top_header(hs, header);
        if (strv_eq(cur, le)) {
            if (eof)
                *separator_missing = true;
            else if (pristine != NULL)
                buf_append(pristine, cur.p, cur.len);
            return i;
        }
        if (cur.len >= 2 && cur.p[0] == '-' && cur.p[1] == '-') {
            *separator_missing = true;
            return i - (eof ? 0 : 1); /* the boundary line belongs to the body */
        }
        if (!msg_header_like(cur, true) && ++errors > 3) {
            *separator_missing = true;
            return i - (eof ? 0 : 1);
        }
        header = cur;
        have = true;
        if (pristine != NULL)
            buf_append(pristine, cur.p, cur.len);
    }
}

/* Runs of more than 20 blank lines lose the extra ones (SA's loop from the
 * end, with its off-by-one at the top kept: 21 lines stay there). */
static void
msg_trim_blank_runs(struct msg_lines *ls)
{
    long start = -1;
    size_t ngone = 0, w = 0;

    for (long cnt = (long)ls->n - 1; cnt >= 0; cnt--) {
        if (msg_blank(ls->v[cnt])) {
            if (start < 0)
                start = cnt;
            if (cnt != 0)
                continue;
        }
        if (start >= 0) {
            long num = start - cnt;

            if (num > MSG_MAX_BLANK_LINES) {
                /* splice @message, $cnt+2, $num-20: lines past cnt were visited already */
                for (long k = cnt + 2; k < cnt + 2 + num - MSG_MAX_BLANK_LINES; k++) {
                    if (k < (long)ls->n && ls->v[k].p != NULL) {
                        ls->v[k].p = NULL;
                        ngone++;
                    }
                }
            }
            start = -1;
        }
    }
    if (ngone == 0)
        return;
    for (size_t r = 0; r < ls->n; r++) {
        if (ls->v[r].p != NULL)
            ls->v[w++] = ls->v[r];
    }
    ls->n = w;
}

/* /^--\Q$boundary\E/ */
static bool
msg_boundary_line_prefix(struct strv l, struct strv b)
{
    return l.len >= b.len + 2 && l.p[0] == '-' && l.p[1] == '-' && memcmp(l.p + 2, b.p, b.len) == 0;
}

/* SA's Message->new on text, as the root of a (sub)tree at depth. */
static struct mime_part *
msg_message_new(struct msg_parser *mp, struct strv text, size_t subparse, unsigned depth)
{
    struct mime_msg *m = mp->m;
    struct mime_part *root = msg_part_new(mp, depth);
    struct msg_lines ls = msg_split_lines(mp->a, text);
    struct hdr_state hs = { mp, root, false, depth == 0 };
    struct buf pristine;
    struct strv body_text;
    struct mime_ct ct;
    size_t first = 0, bstart;
    bool sep_missing = false;

    root->is_message = true;
    if (ls.n == 0) {
        ls.v = arena_alloc(mp->a, sizeof(*ls.v));
        ls.v[0] = STRV_LIT("\n");
        ls.n = 1;
    }
    /* /^From\s+(?!:)/: an mbox separator */
    if (ls.v[0].len >= 5 && memcmp(ls.v[0].p, "From", 4) == 0 && msg_space(ls.v[0].p[4])) {
        size_t k = 4;

        while (k < ls.v[0].len && msg_space(ls.v[0].p[k]))
            k++;
        if (k >= ls.v[0].len || ls.v[0].p[k] != ':') {
            if (depth == 0) {
                m->mbox_sep = ls.v[0];
                m->has_mbox_sep = true;
            }
            first = 1;
        }
    }
    if ((first < ls.n && memmem(ls.v[first].p, ls.v[first].len, "\r\n", 2) != NULL) ||
        memmem(ls.v[ls.n - 1].p, ls.v[ls.n - 1].len, "\r\n", 2) != NULL)
        hs.squash = true;
    if (depth == 0)
        m->crlf = hs.squash;
    buf_init(&pristine);
    /* only the top message keeps its pristine text; it is a view into the
     * raw message unless CRLF lines had to be fixed */
    bstart = msg_headers(&hs, ls, first, depth == 0 && hs.squash ? &pristine : NULL, &sep_missing);
    if (depth == 0) {
        m->missing_head_body_separator = sep_missing;
        m->pristine_body =
            bstart < ls.n ? strv_make(ls.v[bstart].p, (size_t)(text.p + text.len - ls.v[bstart].p))
                          : STRV_LIT("");
        if (hs.squash) {
            m->pristine_headers = strv_make(
                arena_strndup(mp->a, pristine.p ? pristine.p : "", pristine.len), pristine.len);
            m->pristine =
                msg_join(mp->a, (struct strv[]){ m->pristine_headers, m->pristine_body }, 2);
        } else if (bstart > first && text.len > 0) {
            /* consecutive lines of text: one view from the first to the end */
            const struct strv *last = &ls.v[bstart - 1];

            m->pristine_headers =
                strv_make(ls.v[first].p, (size_t)(last->p + last->len - ls.v[first].p));
            m->pristine = strv_make(ls.v[first].p, (size_t)(text.p + text.len - ls.v[first].p));
        } else {
            m->pristine_headers = bstart > first ? ls.v[first] : STRV_LIT("");
            m->pristine =
                msg_join(mp->a, (struct strv[]){ m->pristine_headers, m->pristine_body }, 2);
        }
    }
    buf_clear(&pristine);
    /* the body lines, with CRLF squashed to LF when the message used CRLF */
    body_text = strv_make(bstart < ls.n ? ls.v[bstart].p : text.p + text.len,
                          bstart < ls.n ? (size_t)(text.p + text.len - ls.v[bstart].p) : 0);
    if (hs.squash)
        body_text = mime_crlf_to_lf(mp->a, body_text);
    ls = msg_split_lines(mp->a, body_text);
    msg_trim_blank_runs(&ls);
    msg_part_ct(mp->a, root, &ct);
    root->type = ct.type;
    if (strncmp(root->type, "multipart/", 10) == 0 && ls.n > 1 && !msg_blank(ls.v[0]) &&
        (!ct.has_boundary || !msg_boundary_line_prefix(ls.v[0], ct.boundary))) {
        /* a body that starts with text: SA inserts a blank line first */
        struct strv *v = arena_alloc(mp->a, (ls.n + 1) * sizeof(*v));

        v[0] = STRV_LIT("\n");
        memcpy(v + 1, ls.v, ls.n * sizeof(*v));
        ls.v = v;
        ls.n++;
    }
    msg_push_job(mp, root, ct.boundary, ct.has_boundary, ls, subparse);
    return root;
}

/* ------------------------------------------------------------------------
 * parse_body and the public functions
 */

struct mime_msg *
mime_msg_parse(const struct mime_ctx *ctx, struct arena *a, const char *raw, size_t len)
{
    struct mime_msg *m = arena_calloc(a, 1, sizeof(*m));
    struct msg_parser mp = { .m = m, .a = a, .ctx = ctx };

    m->raw = strv_make(raw, len);
    m->ctx = ctx;
    m->arena = a;
    m->root = msg_message_new(&mp, m->raw, ctx->lim.max_depth, 0);
    while (mp.next_job < mp.njobs) {
        struct msg_job job = mp.jobs[mp.next_job++];

        if (strncmp(job.part->type, "multipart/", 10) == 0 && job.has_boundary &&
            job.subparse > 0) {
            msg_parse_multipart(&mp, &job);
            continue;
        }
        if (strncmp(job.part->type, "multipart/", 10) == 0 && job.subparse == 0)
            m->limit_depth = true;
        msg_parse_normal(&mp, &job);
        msg_parse_embedded(&mp, &job);
    }
    for (size_t i = 0; i < mp.nbstates; i++)
        m->missing_boundary |= mp.bstates[i].state != 0;
    return m;
}

size_t
mime_msg_parts(const struct mime_msg *m, bool only_leaves, struct mime_part ***out)
{
    struct mime_part **v = arena_alloc(m->arena, (m->nparts + 1) * sizeof(*v));
    struct mime_part *p = m->root;
    size_t n = 0;

    /* pre-order depth first, without recursion; find_parts(qr/./) skips an
     * empty type but still looks below it */
    while (p != NULL) {
        if ((!only_leaves || !p->has_body_parts) && p->type[0] != '\0')
            v[n++] = p;
        if (p->first != NULL) {
            p = p->first;
            continue;
        }
        while (p != NULL && p->next == NULL)
            p = p->parent;
        if (p != NULL)
            p = p->next;
    }
    *out = v;
    return n;
}

const char *
mime_part_effective_type(const struct mime_part *p)
{
    /* name =~ /\.s?html?$/i */
    if (p->has_name) {
        struct strv n = p->name;
        size_t k = n.len;

        if (k > 0 && (n.p[k - 1] == 'l' || n.p[k - 1] == 'L'))
            k--;
        if (k >= 4 && strncasecmp(n.p + k - 3, "htm", 3) == 0) {
            k -= 3;
            if (k > 0 && (n.p[k - 1] == 's' || n.p[k - 1] == 'S'))
                k--;
            if (k > 0 && n.p[k - 1] == '.')
                return "text/html";
        }
    }
    return p->type;
}
