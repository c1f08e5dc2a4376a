/*
 * mime_attach.c - attachments and MIME parameters (see mime_attach.h).
 */
#include "mime/mime_attach.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "mime/mime_codec.h"
#include "mime/mime_hdr.h"
#include "mime/mime_views.h"

/* RFC 2231 pieces of one parameter we keep; more are ignored. */
#define ATTACH_MAX_SEGMENTS 128

/* ------------------------------------------------------------------------
 * parameters
 */

struct param_seg {
    struct strv v;
    bool extended; /* name*N*: %-encoded, maybe charset'lang' on piece 0 */
    bool set;
};

struct param_found {
    struct strv plain, star;
    bool has_plain, has_star;
    struct param_seg seg[ATTACH_MAX_SEGMENTS];
    size_t nseg; /* 1 + the highest piece seen */
};

static bool
param_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One value at v.p[*i]: a quoted string (escapes removed, in the arena)
 * or everything up to ';' with outer blanks trimmed. */
static struct strv
param_value(struct arena *a, struct strv v, size_t *i)
{
    size_t k = *i, start;

    while (k < v.len && param_space(v.p[k]))
        k++;
    if (k < v.len && v.p[k] == '"') {
        char *o = arena_alloc(a, v.len - k + 1);
        size_t n = 0;

        for (k++; k < v.len && v.p[k] != '"'; k++) {
            if (v.p[k] == '\\' && k + 1 < v.len)
                k++;
            else if (v.p[k] == '\r' || v.p[k] == '\n')
                continue; /* a fold inside the quotes */
            o[n++] = v.p[k];
        }
        o[n] = '\0';
        while (k < v.len && v.p[k] != ';')
            k++;
        *i = k;
        return strv_make(o, n);
    }
    start = k;
    while (k < v.len && v.p[k] != ';')
        k++;
    *i = k;
    while (k > start && param_space(v.p[k - 1]))
        k--;
    return strv_make(v.p + start, k - start);
}

/* Does attr name this parameter: "name", "name*", "name*N" or "name*N*"? */
static void
param_match(struct strv attr, struct strv val, const char *name, struct param_found *f)
{
    size_t n = strlen(name), k;
    unsigned long idx = 0;

    if (attr.len < n || strncasecmp(attr.p, name, n) != 0)
        return;
    if (attr.len == n) {
        if (!f->has_plain)
            f->plain = val, f->has_plain = true;
        return;
    }
    if (attr.p[n] != '*')
        return;
    if (attr.len == n + 1) {
        if (!f->has_star)
            f->star = val, f->has_star = true;
        return;
    }
    for (k = n + 1; k < attr.len && isdigit((unsigned char)attr.p[k]) && idx < 100000; k++)
        idx = idx * 10 + (unsigned long)(attr.p[k] - '0');
    if (k == n + 1 || idx >= ATTACH_MAX_SEGMENTS)
        return;
    if (k < attr.len && !(k + 1 == attr.len && attr.p[k] == '*'))
        return;
    if (f->seg[idx].set)
        return;
    f->seg[idx] = (struct param_seg){ val, k < attr.len, true };
    if (idx + 1 > f->nseg)
        f->nseg = idx + 1;
}

static void
param_pct_decode(struct buf *b, struct strv v)
{
    for (size_t i = 0; i < v.len; i++) {
        int h, l;

        if (v.p[i] == '%' && i + 2 < v.len && (h = strv_hexval(v.p[i + 1])) >= 0 &&
            (l = strv_hexval(v.p[i + 2])) >= 0) {
            buf_putc(b, (char)(h * 16 + l));
            i += 2;
        } else {
            buf_putc(b, v.p[i]);
        }
    }
}

/* charset'language'rest: the charset and where rest starts (0: no quotes) */
static struct strv
param_charset(struct strv v, size_t *rest)
{
    const char *q1 = memchr(v.p, '\'', v.len), *q2;

    *rest = 0;
    if (q1 == NULL)
        return STRV_LIT("");
    q2 = memchr(q1 + 1, '\'', v.len - (size_t)(q1 + 1 - v.p));
    if (q2 == NULL)
        return STRV_LIT("");
    *rest = (size_t)(q2 + 1 - v.p);
    return strv_make(v.p, (size_t)(q1 - v.p));
}

static struct strv
param_to_utf8(struct arena *a, struct mime_charset *cs, struct buf *b, struct strv charset)
{
    bool decoded;
    struct strv raw = strv_make(arena_strndup(a, b->p ? b->p : "", b->len), b->len);

    return mime_charset_normalize(cs, a, raw, charset, false, &decoded);
}

bool
mime_param_get(struct arena *a, struct mime_charset *cs, struct strv value, const char *name,
               struct strv *out)
{
    struct param_found *f = arena_calloc(a, 1, sizeof(*f));
    size_t i = 0;
    struct buf b;
    struct strv charset = STRV_LIT("");

    while (i < value.len && value.p[i] != ';') /* the type or disposition itself */
        i++;
    while (i < value.len) {
        size_t start, end;
        struct strv attr, val;

        i++; /* the ';' */
        while (i < value.len && param_space(value.p[i]))
            i++;
        start = i;
        while (i < value.len && value.p[i] != '=' && value.p[i] != ';')
            i++;
        if (i >= value.len || value.p[i] != '=')
            continue;
        end = i;
        while (end > start && param_space(value.p[end - 1]))
            end--;
        attr = strv_make(value.p + start, end - start);
        i++;
        val = param_value(a, value, &i);
        param_match(attr, val, name, f);
    }
    buf_init(&b);
    if (f->nseg > 0 && f->seg[0].set) { /* RFC 2231 continuations: pieces 0, 1, ... in order */
        for (size_t k = 0; k < f->nseg && f->seg[k].set; k++) {
            struct strv v = f->seg[k].v;

            if (k == 0 && f->seg[0].extended) {
                size_t rest;

                charset = param_charset(v, &rest);
                v = strv_make(v.p + rest, v.len - rest);
            }
            if (f->seg[k].extended)
                param_pct_decode(&b, v);
            else
                buf_append(&b, v.p, v.len);
        }
        *out = param_to_utf8(a, cs, &b, charset);
    } else if (f->has_star) {
        size_t rest;

        charset = param_charset(f->star, &rest);
        param_pct_decode(&b, strv_make(f->star.p + rest, f->star.len - rest));
        *out = param_to_utf8(a, cs, &b, charset);
    } else if (f->has_plain) {
        /* RFC 2047 words in a quoted name (Outlook, Gmail) and 8-bit text */
        *out = mime_hdr_decode(a, cs, f->plain, STRV_LIT("Content-Disposition"));
    } else {
        buf_clear(&b);
        return false;
    }
    buf_clear(&b);
    return true;
}

/* ------------------------------------------------------------------------
 * attachments
 */

struct attach_list {
    struct mime_attachments *out;
    size_t cap;
};

static void
attach_hash(struct mime_attachment *at)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";

    if (EVP_Digest(at->content.p, at->content.len, md, &mdlen, EVP_sha256(), NULL) != 1)
        mdlen = 0;
    for (unsigned int i = 0; i < mdlen && i < 32; i++) {
        at->sha256[2 * i] = hex[md[i] >> 4];
        at->sha256[2 * i + 1] = hex[md[i] & 15];
    }
    at->sha256[2 * (mdlen < 32 ? mdlen : 32)] = '\0';
}

static struct mime_attachment *
attach_push(struct arena *a, struct attach_list *l)
{
    struct mime_attachment *at;

    if (l->out->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;

        l->out->v =
            arena_realloc(a, l->out->v, l->cap * sizeof(*l->out->v), cap * sizeof(*l->out->v));
        l->cap = cap;
    }
    at = &l->out->v[l->out->n++];
    memset(at, 0, sizeof(*at));
    return at;
}

static struct strv
attach_raw_header(const struct mime_part *p, const char *name, bool *present)
{
    const struct mime_header *f = mime_hdr_last(&p->hdrs, strv_cstr(name));

    *present = f != NULL;
    return f ? f->raw : STRV_LIT("");
}

/* The disposition token: "attachment", "inline", or something else. */
static struct strv
attach_disposition(struct strv v)
{
    size_t i = 0, start;

    while (i < v.len && param_space(v.p[i]))
        i++;
    start = i;
    while (i < v.len && v.p[i] != ';' && !param_space(v.p[i]))
        i++;
    return strv_make(v.p + start, i - start);
}

static bool
attach_type_is(const char *type, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(type, prefix, n) == 0 && (type[n] == '/' || type[n] == '\0');
}

/* "begin MODE NAME" blocks in a text part's decoded body */
static void
attach_uu_blocks(struct mime_msg *m, struct mime_part *p, struct strv text, struct attach_list *l)
{
    size_t i = 0;

    while (i < text.len) {
        const char *nl = memchr(text.p + i, '\n', text.len - i);
        size_t end = nl ? (size_t)(nl - text.p) : text.len, k = i + 6, mode;
        struct strv content, name;

        if (end - i > 6 && memcmp(text.p + i, "begin ", 6) == 0) {
            for (mode = k; k < end && text.p[k] >= '0' && text.p[k] <= '7'; k++)
                ;
            if (k - mode >= 3 && k - mode <= 4 && k < end && text.p[k] == ' ') {
                name = strv_trim(strv_make(text.p + k + 1, end - k - 1));
                if (name.len > 0 && name.p[name.len - 1] == '\r')
                    name.len--;
                content = mime_uu_decode(m->arena, strv_make(text.p + i, text.len - i));
                if (content.len > 0 && name.len > 0) {
                    struct mime_attachment *at = attach_push(m->arena, l);

                    at->part = p;
                    at->uuencoded = true;
                    at->filename = name;
                    at->has_filename = true;
                    at->type = "application/octet-stream";
                    at->disposition_attachment = true;
                    at->content = content;
                    attach_hash(at);
                }
            }
        }
        i = end + 1;
    }
}

/* The file's own bytes: unlike the rule views, text keeps its CRLFs. */
static struct strv
attach_content(struct mime_msg *m, const struct mime_part *p, struct strv cte, bool uu)
{
    if (!p->has_raw)
        return STRV_LIT("");
    if (uu)
        return mime_uu_decode(m->arena, p->raw);
    if (strv_caseeq(cte, "base64"))
        return mime_b64_decode(m->arena, p->raw);
    if (strv_caseeq(cte, "quoted-printable"))
        return mime_qp_decode(m->arena, p->raw);
    return p->raw;
}

/* The type as written ("text/csv"), lower case; else SA's (text/plain
 * when Content-Type is missing or says nothing usable). */
static const char *
attach_declared_type(struct arena *a, struct strv ct, const char *sa_type)
{
    size_t i = 0, start;
    char *t;
    const char *slash;

    while (i < ct.len && param_space(ct.p[i]))
        i++;
    start = i;
    while (i < ct.len && ct.p[i] != ';' && !param_space(ct.p[i]))
        i++;
    slash = memchr(ct.p + start, '/', i - start);
    if (slash == NULL || slash == ct.p + start || slash == ct.p + i - 1)
        return sa_type[0] != '\0' ? sa_type : "application/octet-stream";
    t = arena_strndup(a, ct.p + start, i - start);
    for (char *c = t; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    return t;
}

static void
attach_part(struct mime_msg *m, struct mime_part *p, struct attach_list *l)
{
    bool has_cd, has_ct, has_cte, has_name = false;
    struct strv cd = attach_raw_header(p, "content-disposition", &has_cd);
    struct strv ct = attach_raw_header(p, "content-type", &has_ct);
    struct strv cte = strv_trim(attach_raw_header(p, "content-transfer-encoding", &has_cte));
    struct strv disp = attach_disposition(cd), name = STRV_LIT("");
    bool attachment = has_cd && disp.len == 10 && strncasecmp(disp.p, "attachment", 10) == 0;
    bool is_inline = has_cd && disp.len == 6 && strncasecmp(disp.p, "inline", 6) == 0;
    bool text = attach_type_is(p->type, "text") || attach_type_is(p->type, "message") ||
                attach_type_is(p->type, "multipart");
    bool uu;
    struct mime_attachment *at;

    while (cte.len > 0 && param_space(cte.p[cte.len - 1]))
        cte.len--;
    uu =
        strv_caseeq(cte, "x-uuencode") || strv_caseeq(cte, "uuencode") || strv_caseeq(cte, "x-uue");
    if (has_cd)
        has_name = mime_param_get(m->arena, m->ctx->cs, cd, "filename", &name);
    if (!has_name && has_ct)
        has_name = mime_param_get(m->arena, m->ctx->cs, ct, "name", &name);
    if (!attachment && !has_name && (text || p->type[0] == '\0') && !uu) {
        if (attach_type_is(p->type, "text") && p->has_raw)
            attach_uu_blocks(m, p, mime_part_decoded(m, p), l);
        return;
    }
    at = attach_push(m->arena, l);
    at->part = p;
    at->filename = name;
    at->has_filename = has_name;
    at->type = attach_declared_type(m->arena, ct, p->type);
    at->disposition_inline = is_inline;
    at->disposition_attachment = attachment;
    at->content = attach_content(m, p, cte, uu);
    attach_hash(at);
}

const struct mime_attachments *
mime_msg_attachments(struct mime_msg *m)
{
    struct attach_list l = { 0 };
    struct mime_part **leaves;
    size_t n;

    if (m->attachments != NULL)
        return m->attachments;
    l.out = m->attachments = arena_calloc(m->arena, 1, sizeof(*m->attachments));
    n = mime_msg_parts(m, true, &leaves);
    for (size_t i = 0; i < n; i++)
        attach_part(m, leaves[i], &l);
    return m->attachments;
}
