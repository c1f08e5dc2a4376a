/*
 * sa_markup_mail.c - PerMsgStatus::rewrite_mail (see sa_markup.h): the
 * message with SpamAssassin's headers added and From/Subject/To rewritten
 * (report_safe 0, and every ham), or spam wrapped into a new MIME message
 * with the report and the original as an attachment (report_safe 1: a
 * message/rfc822 part, 2: text/plain).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "compat/sa_markup.h"
#include "compat/sa_markup_int.h"
#include "core/arena.h"
#include "core/strv.h"
#include "core/xmalloc.h"
#include "mime/mime_hdr.h"

/* _fixup_report_line_endings: \r?\n becomes the message's line end. */
static void
mail_fixup(const struct sa_pms *p, const char *s, size_t n, struct buf *out)
{
    if (!p->m->crlf) {
        buf_append(out, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        if (s[i] == '\n')
            buf_putc(out, '\r');
        buf_putc(out, s[i]);
    }
}

/* The pristine header block as lines, each with its line end. */
struct mail_lines {
    struct strv *v;
    size_t n, cap;
};

static void
mail_lines_push(struct mail_lines *l, struct strv s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = s;
}

static void
mail_lines_split(struct strv s, struct mail_lines *l)
{
    size_t i = 0;

    while (i < s.len) {
        const char *nl = memchr(s.p + i, '\n', s.len - i);
        size_t e = nl != NULL ? (size_t)(nl - s.p) + 1 : s.len;

        mail_lines_push(l, strv_make(s.p + i, e - i));
        i = e;
    }
}

static bool
mail_starts_ci(struct strv s, const char *prefix)
{
    size_t n = strlen(prefix);

    return s.len >= n && strncasecmp(s.p, prefix, n) == 0;
}

static bool
mail_is_xspam(struct strv s)
{
    return mail_starts_ci(s, "X-Spam-") && !mail_starts_ci(s, "X-Spam-Prev-");
}

static bool
mail_blank_line(struct strv s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (!strchr(" \t\r\n\f\v", s.p[i]))
            return false;
    }
    return true;
}

/* "Name:" at the start of the line (no white space before the colon, as
 * /^(From|Subject|To):/i wants): which rewrite it is, or -1. */
static int
mail_rewrite_kind(struct strv line)
{
    if (mail_starts_ci(line, "Subject:"))
        return SA_MK_SUBJECT;
    if (mail_starts_ci(line, "From:"))
        return SA_MK_FROM;
    if (mail_starts_ci(line, "To:"))
        return SA_MK_TO;
    return -1;
}

/* prefix followed by s, bytes as they are (a header line may hold a NUL,
 * so no printf) */
static struct strv
mail_concat(struct sa_pms *p, const char *prefix, struct strv s)
{
    size_t pl = strlen(prefix);
    char *r = arena_alloc(p->t->arena, pl + s.len + 1);

    memcpy(r, prefix, pl);
    memcpy(r + pl, s.p, s.len);
    r[pl + s.len] = '\0';
    return strv_make(r, pl + s.len);
}

/* A template's text for a header: tags replaced, newlines as spaces. */
static char *
mail_tag(struct sa_pms *p, const char *tpl, bool strip_trailing)
{
    struct buf b;
    char *r;

    buf_init(&b);
    sa_pms_replace_tags(p, tpl, strlen(tpl), &b);
    for (size_t i = 0; i < b.len; i++) {
        if (b.p[i] == '\n')
            b.p[i] = ' ';
    }
    while (strip_trailing && b.len > 0 && strchr(" \t\r\n\f\v", b.p[b.len - 1]))
        b.len--;
    r = arena_strndup(p->t->arena, b.p ? b.p : "", b.len);
    buf_clear(&b);
    return r;
}

/* s/^([^:]+:)[ \t]*(?:\Qtag\E )?/$1 tag /i */
static struct strv
mail_prefix_tag(struct sa_pms *p, struct strv line, const char *tag)
{
    const char *colon = memchr(line.p, ':', line.len);
    size_t i, tl = strlen(tag);
    struct buf b;
    struct strv r;

    if (colon == NULL || colon == line.p)
        return line;
    i = (size_t)(colon - line.p) + 1;
    buf_init(&b);
    buf_append(&b, line.p, i);
    while (i < line.len && (line.p[i] == ' ' || line.p[i] == '\t'))
        i++;
    if (line.len - i >= tl + 1 && strncasecmp(line.p + i, tag, tl) == 0 && line.p[i + tl] == ' ')
        i += tl + 1;
    buf_printf(&b, " %s ", tag);
    buf_append(&b, line.p + i, line.len - i);
    r = strv_make(arena_strndup(p->t->arena, b.p, b.len), b.len);
    buf_clear(&b);
    return r;
}

static bool
mail_has_header(struct sa_pms *p, const char *name)
{
    return mime_hdr_find(&p->m->root->hdrs, strv_cstr(name)) != NULL;
}

static void
mail_no_report_safe(struct sa_pms *p, struct buf *out)
{
    const struct sa_markup *mk = p->mk;
    struct mail_lines l = { 0 };
    struct strv sep = { "", 0 };
    struct buf hdr;
    size_t i = 0, out_n = 0;
    bool spam = p->res->is_spam;
    char *ntag = p->subjprefix ? mail_tag(p, p->subjprefix, true) : NULL;

    mail_lines_split(p->m->pristine_headers, &l);
    /* the X-Spam- headers (but X-Spam-Prev-) go, with their continuations */
    while (i < l.n) {
        if (mail_is_xspam(l.v[i])) {
            while (i < l.n && (mail_is_xspam(l.v[i]) || l.v[i].p[0] == ' ' || l.v[i].p[0] == '\t'))
                i++;
            continue;
        }
        l.v[out_n++] = l.v[i++];
    }
    l.n = out_n;
    if (l.n > 0 && mail_blank_line(l.v[l.n - 1]))
        sep = l.v[--l.n];

    bool created = false;

    if (mk->rewrite[SA_MK_SUBJECT] != NULL && !mail_has_header(p, "Subject")) {
        mail_lines_push(&l, strv_cstr("Subject: \n"));
        created = true;
    }
    for (i = 0; i < l.n; i++) {
        int k = mail_rewrite_kind(l.v[i]);

        if (k < 0 || (!spam && k != SA_MK_SUBJECT) || mk->rewrite[k] == NULL)
            continue;
        if (spam) {
            char *tag = mail_tag(p, mk->rewrite[k], false);

            if (created) /* SA says so for every rewritten header then */
                mail_lines_push(&l, strv_cstr("X-Spam-Prev-Subject: (nonexistent)\n"));
            else
                mail_lines_push(&l, mail_concat(p, "X-Spam-Prev-", l.v[i]));
            if (k != SA_MK_SUBJECT)
                tag = arena_printf(p->t->arena, "(%s)", tag);
            if (ntag != NULL)
                l.v[i] = mail_prefix_tag(p, l.v[i], ntag);
            l.v[i] = mail_prefix_tag(p, l.v[i], tag);
        } else if (ntag != NULL) {
            l.v[i] = mail_prefix_tag(p, l.v[i], ntag);
        }
    }

    /* Return-Path stays above SpamAssassin's headers (bug 3409) */
    buf_init(&hdr);
    i = 0;
    if (l.n > 0 && mail_starts_ci(l.v[0], "Return-Path:")) {
        buf_append(&hdr, l.v[0].p, l.v[0].len);
        for (i = 1; i < l.n && (l.v[i].p[0] == ' ' || l.v[i].p[0] == '\t'); i++)
            buf_append(&hdr, l.v[i].p, l.v[i].len);
    }
    sa_pms_added_headers(p, spam, &hdr);
    for (; i < l.n; i++)
        buf_append(&hdr, l.v[i].p, l.v[i].len);
    buf_append(&hdr, sep.p, sep.len);
    mail_fixup(p, hdr.p, hdr.len, out);
    buf_append(out, p->m->pristine_body.p, p->m->pristine_body.len);
    buf_clear(&hdr);
    free(l.v);
}

/* get_pristine_header(name) in scalar context: the last field's value
 * after "Name:" and blanks, continuations and its line end included.
 * all: every value, each appended as "Name: value" (list context). */
static bool
mail_pristine_header(struct sa_pms *p, const char *name, struct strv *last, const char *all,
                     struct buf *out)
{
    struct strv h = p->m->pristine_headers;
    size_t nl = strlen(name), i = 0;
    bool found = false;

    while (i < h.len) {
        size_t j = i + nl;

        if (h.len - i > nl && strncasecmp(h.p + i, name, nl) == 0) {
            while (j < h.len && (h.p[j] == ' ' || h.p[j] == '\t'))
                j++;
            if (j < h.len && h.p[j] == ':') {
                size_t v, e;

                j++;
                while (j < h.len && (h.p[j] == ' ' || h.p[j] == '\t'))
                    j++;
                v = j;
                /* .*?\n(?![ \t]) */
                for (e = v; e < h.len; e++) {
                    if (h.p[e] == '\n' &&
                        (e + 1 >= h.len || (h.p[e + 1] != ' ' && h.p[e + 1] != '\t')))
                        break;
                }
                if (e < h.len) {
                    *last = strv_make(h.p + v, e + 1 - v);
                    found = true;
                    if (all != NULL) {
                        buf_printf(out, "%s: ", all);
                        buf_append(out, last->p, last->len);
                    }
                    i = e + 1;
                    continue;
                }
            }
        }
        /* on to the next line start */
        {
            const char *n = memchr(h.p + i, '\n', h.len - i);

            if (n == NULL)
                break;
            i = (size_t)(n - h.p) + 1;
        }
    }
    return found;
}

static void
mail_report_safe(struct sa_pms *p, struct buf *out)
{
    const struct sa_markup *mk = p->mk;
    static const char *const names[] = { "From", "To", "Cc", "Subject", "Date", "Message-Id" };
    struct strv v[6];
    bool have[6];
    struct buf nm, report, body, recv;
    const char *ct;
    uint32_t rnd = 0;
    char boundary[256];

    for (size_t i = 0; i < 6; i++)
        have[i] = mail_pristine_header(p, names[i], &v[i], NULL, NULL);
    if (mk->rewrite[SA_MK_SUBJECT] != NULL) {
        char *tag = mail_tag(p, mk->rewrite[SA_MK_SUBJECT], false);
        struct strv subj = have[3] ? v[3] : strv_cstr("\n");
        size_t tl = strlen(tag);
        struct buf b;

        /* bytes as they are (a NUL included): no printf on the value */
        buf_init(&b);
        if (p->subjprefix != NULL)
            buf_puts(&b, mail_tag(p, p->subjprefix, false));
        buf_append(&b, subj.p, subj.len);
        subj = strv_make(b.p, b.len);
        if (subj.len > tl && memcmp(subj.p, tag, tl) == 0 && subj.p[tl] == ' ')
            subj = strv_make(subj.p + tl + 1, subj.len - tl - 1);
        v[3] = mail_concat(p, arena_printf(p->t->arena, "%s ", tag), subj);
        buf_clear(&b);
        have[3] = true;
    }
    for (int k = SA_MK_FROM; k <= SA_MK_TO; k++) {
        size_t idx = k == SA_MK_FROM ? 0 : 1;
        char *tag, *c;
        struct strv s;
        size_t end;

        if (mk->rewrite[k] == NULL)
            continue;
        tag = mail_tag(p, mk->rewrite[k], false);
        if (k == SA_MK_FROM) { /* s/\n+//gs */
            char *w = tag;
            for (c = tag; *c; c++)
                if (*c != '\n')
                    *w++ = *c;
            *w = '\0';
        }
        s = have[idx] ? v[idx] : strv_cstr("\n");
        /* s/(?:\t\Q(tag)\E)?$/\t(tag)/: before the final newline */
        end = s.len > 0 && s.p[s.len - 1] == '\n' ? s.len - 1 : s.len;
        {
            char *tt = arena_printf(p->t->arena, "\t(%s)", tag);
            size_t ttl = strlen(tt), keep = end;

            if (end >= ttl && memcmp(s.p + end - ttl, tt, ttl) == 0)
                keep = end - ttl;
            struct buf b;

            buf_init(&b);
            buf_append(&b, s.p, keep);
            buf_puts(&b, tt);
            buf_append(&b, s.p + end, s.len - end);
            v[idx] = mail_concat(p, "", strv_make(b.p, b.len));
            buf_clear(&b);
        }
        have[idx] = true;
    }

    buf_init(&nm);
    for (size_t i = 0; i < 6; i++) {
        if (have[i]) {
            buf_printf(&nm, "%s: ", names[i]);
            buf_append(&nm, v[i].p, v[i].len);
        }
    }
    sa_pms_added_headers(p, true, &nm);
    buf_init(&recv);
    for (size_t i = 0; i < mk->ncopy; i++) {
        const char *h = mk->copy_headers[i];
        bool dup = false;
        struct strv last;

        for (size_t k = 0; k < 6 && !dup; k++)
            dup = strcasecmp(h, names[k]) == 0;
        for (size_t k = 0; k < i && !dup; k++)
            dup = strcasecmp(h, mk->copy_headers[k]) == 0;
        if (dup)
            continue;
        mail_pristine_header(p, h, &last, h, strcasecmp(h, "received") == 0 ? &recv : &nm);
    }
    {
        struct buf top;

        buf_init(&top);
        buf_printf(&top, "Received: from localhost by %s\n\twith SpamAssassin (version %s);\n\t",
                   mk->fqdn, SA_MARKUP_VERSION);
        sa_markup_date(&top);
        buf_putc(&top, '\n');
        buf_append(&top, recv.p ? recv.p : "", recv.len);
        buf_append(&top, nm.p ? nm.p : "", nm.len);
        buf_clear(&nm);
        nm = top;
    }
    buf_clear(&recv);

    if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
        rnd = (uint32_t)clock();
    snprintf(boundary, sizeof(boundary), "----------=_%08lX.%08X",
             (unsigned long)time(NULL) & 0xffffffffUL, rnd);
    for (;;) {
        /* unique: no line of the original is the boundary (or its end) */
        struct strv o = p->m->pristine;
        size_t bl = strlen(boundary), i = 0;
        bool clash = false;

        while (i < o.len && !clash) {
            const char *nl = memchr(o.p + i, '\n', o.len - i);
            size_t e = nl ? (size_t)(nl - o.p) : o.len;
            size_t ll = e - i;

            if (ll >= bl && memcmp(o.p + i, boundary, bl) == 0 &&
                (ll == bl || (ll == bl + 2 && memcmp(o.p + i + bl, "--", 2) == 0)))
                clash = true;
            i = e + 1;
        }
        if (!clash || strlen(boundary) + 10 >= sizeof(boundary))
            break;
        if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
            rnd++;
        snprintf(boundary + strlen(boundary), sizeof(boundary) - strlen(boundary), "/%08X", rnd);
    }

    buf_init(&report);
    sa_pms_report(p, &report);
    {
        const struct mime_header *f = mime_hdr_last(&p->m->root->hdrs, strv_cstr("Content-Type"));
        struct strv ctv = f ? mime_hdr_get_value(p->t->arena, f, false) : strv_make("", 0);

        ct = "inline";
        if (f != NULL && ctv.len > 0 && !strv_casecontains(ctv, "text/plain")) {
            ct = "attachment";
            sa_pms_replace_tags(p, mk->unsafe_template, strlen(mk->unsafe_template), &report);
        }
    }
    buf_init(&body);
    buf_append(&body, nm.p, nm.len);
    buf_printf(&body,
               "MIME-Version: 1.0\n"
               "Content-Type: multipart/mixed; boundary=\"%s\"\n"
               "\n"
               "This is a multi-part message in MIME format.\n"
               "\n"
               "--%s\n"
               "Content-Type: text/plain; charset=%s\n"
               "Content-Disposition: inline\n"
               "Content-Transfer-Encoding: 8bit\n"
               "\n",
               boundary, boundary, mk->charset);
    buf_append(&body, report.p, report.len);
    buf_printf(&body,
               "\n"
               "\n"
               "--%s\n"
               "Content-Type: %s; x-spam-type=original\n"
               "Content-Description: %s\n"
               "Content-Disposition: %s\n"
               "Content-Transfer-Encoding: 8bit\n"
               "\n",
               boundary, mk->report_safe > 1 ? "text/plain" : "message/rfc822", mk->description,
               ct);
    mail_fixup(p, body.p, body.len, out);
    buf_append(out, p->m->pristine.p, p->m->pristine.len);
    buf_reset(&body);
    buf_printf(&body, "\n--%s--\n\n", boundary);
    mail_fixup(p, body.p, body.len, out);
    buf_clear(&body);
    buf_clear(&report);
    buf_clear(&nm);
}

void
sa_markup_rewrite(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                  const struct sa_markup_env *env, struct buf *out)
{
    struct sa_pms p;

    sa_pms_init(&p, mk, t, res, env);
    if (p.m->has_mbox_sep)
        buf_append(out, p.m->mbox_sep.p, p.m->mbox_sep.len);
    if (res->is_spam && mk->report_safe)
        mail_report_safe(&p, out);
    else
        mail_no_report_safe(&p, out);
}

void
sa_markup_headers(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                  const struct sa_markup_env *env, struct buf *out)
{
    struct sa_pms p;

    sa_pms_init(&p, mk, t, res, env);
    sa_pms_added_headers(&p, res->is_spam, out);
}

bool
sa_markup_subject(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                  const struct sa_markup_env *env, struct buf *out)
{
    const struct mime_header *f;
    struct strv line = strv_cstr("Subject: ");
    struct sa_pms p;
    size_t i;

    if (!res->is_spam || mk->rewrite[SA_MK_SUBJECT] == NULL)
        return false;
    sa_pms_init(&p, mk, t, res, env);
    if ((f = mime_hdr_find(&p.m->root->hdrs, strv_cstr("Subject"))) != NULL)
        line = mail_concat(&p, "Subject:", f->raw);
    if (p.subjprefix != NULL)
        line = mail_prefix_tag(&p, line, mail_tag(&p, p.subjprefix, true));
    line = mail_prefix_tag(&p, line, mail_tag(&p, mk->rewrite[SA_MK_SUBJECT], false));
    for (i = sizeof("Subject:") - 1; i < line.len && (line.p[i] == ' ' || line.p[i] == '\t'); i++)
        ;
    while (line.len > i && (line.p[line.len - 1] == '\n' || line.p[line.len - 1] == '\r'))
        line.len--;
    buf_append(out, line.p + i, line.len - i);
    return true;
}
