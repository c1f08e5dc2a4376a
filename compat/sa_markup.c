/*
 * sa_markup.c - SpamAssassin's templates, report and added headers (see
 * sa_markup.h); rewrite_mail is in sa_markup_mail.c.
 */
#include "compat/sa_markup.h"

#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "compat/sa_markup_int.h"
#include "core/arena.h"
#include "core/xmalloc.h"
#include "mime/mime_get.h"
#include "mime/mime_views.h"

/* ---- the configuration ---- */

/* Conf::Parser::set_template_append: a value in double quotes loses them. */
static void
mk_template(const struct sa_conf *c, const char *directive, struct buf *out)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, directive, &v);

    for (size_t i = 0; i < n; i++) {
        struct strv s = v[i];

        if (s.len >= 2 && s.p[0] == '"' && s.p[s.len - 1] == '"')
            s = strv_make(s.p + 1, s.len - 2);
        buf_append(out, s.p, s.len);
        buf_putc(out, '\n');
    }
}

/* add_header's text: quotes dropped, \t and \n expanded, other escapes
 * purged, a double backslash kept as one. */
static char *
mk_header_text(struct arena *a, struct strv text)
{
    struct buf b;
    char *r;

    text = strv_trim(text);
    if (text.len >= 2 && text.p[0] == '"' && text.p[text.len - 1] == '"')
        text = strv_make(text.p + 1, text.len - 2);
    buf_init(&b);
    for (size_t i = 0; i < text.len; i++) {
        if (text.p[i] != '\\' || i + 1 >= text.len) {
            buf_putc(&b, text.p[i]);
            continue;
        }
        i++;
        if (text.p[i] == '\\')
            buf_putc(&b, '\\');
        else if (text.p[i] == 't')
            buf_putc(&b, '\t');
        else if (text.p[i] == 'n')
            buf_putc(&b, '\n');
        /* any other escape is purged */
    }
    r = arena_strndup(a, b.p ? b.p : "", b.len);
    buf_clear(&b);
    return r;
}

static void
mk_headers(struct sa_markup *mk, const struct sa_conf *c)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, "add_header", &v);

    mk->ham = arena_calloc(mk->a, n ? n : 1, sizeof(*mk->ham));
    mk->spam = arena_calloc(mk->a, n ? n : 1, sizeof(*mk->spam));
    for (size_t i = 0; i < n; i++) {
        struct strv s = v[i];
        size_t p = 0, q;
        struct sa_markup_header h;

        while (p < s.len && (s.p[p] == ' ' || s.p[p] == '\t'))
            p++;
        q = p;
        while (q < s.len && s.p[q] != ' ' && s.p[q] != '\t')
            q++;
        bool ham = strncmp(s.p + p, "spam", q - p) != 0 || q - p != 4;
        bool spam = strncmp(s.p + p, "ham", q - p) != 0 || q - p != 3;
        p = q;
        while (p < s.len && (s.p[p] == ' ' || s.p[p] == '\t'))
            p++;
        q = p;
        while (q < s.len && s.p[q] != ' ' && s.p[q] != '\t')
            q++;
        h.name = arena_strndup(mk->a, s.p + p, q - p);
        h.text = mk_header_text(mk->a, strv_make(s.p + q, s.len - q));
        if (ham)
            mk->ham[mk->nham++] = h;
        if (spam)
            mk->spam[mk->nspam++] = h;
    }
}

/* rewrite_header: From, Subject or To (ucfirst lc), the text; no text
 * removes it; From and To get () turned into []. */
static void
mk_rewrites(struct sa_markup *mk, const struct sa_conf *c)
{
    static const char *const names[SA_MK_NREWRITE] = { "Subject", "From", "To" };
    const struct strv *v;
    size_t n = sa_conf_values(c, "rewrite_header", &v);

    for (size_t i = 0; i < n; i++) {
        struct strv s = strv_trim(v[i]), name, text;
        size_t p = 0;

        while (p < s.len && s.p[p] != ' ' && s.p[p] != '\t')
            p++;
        name = strv_make(s.p, p);
        text = strv_trim(strv_make(s.p + p, s.len - p));
        for (int k = 0; k < SA_MK_NREWRITE; k++) {
            char *t;

            if (!strv_caseeq(name, names[k]))
                continue;
            if (text.len == 0) {
                mk->rewrite[k] = NULL;
                break;
            }
            t = arena_strndup(mk->a, text.p, text.len);
            for (char *q = t; k != SA_MK_SUBJECT && *q; q++) {
                if (*q == '(')
                    *q = '[';
                else if (*q == ')')
                    *q = ']';
            }
            mk->rewrite[k] = t;
            break;
        }
    }
}

static void
mk_subjprefix(struct sa_markup *mk, const struct sa_conf *c)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, "subjprefix", &v);

    mk->subjprefix = arena_calloc(mk->a, n ? n : 1, sizeof(*mk->subjprefix));
    for (size_t i = 0; i < n; i++) {
        struct strv s = strv_trim(v[i]);
        size_t p = 0;

        while (p < s.len && s.p[p] != ' ' && s.p[p] != '\t')
            p++;
        struct strv text = strv_trim(strv_make(s.p + p, s.len - p));
        size_t k;
        for (k = 0; k < mk->nsubjprefix; k++) {
            if (strlen(mk->subjprefix[k].rule) == p && strncmp(mk->subjprefix[k].rule, s.p, p) == 0)
                break;
        }
        if (k == mk->nsubjprefix) {
            mk->subjprefix[k].rule = arena_strndup(mk->a, s.p, p);
            mk->nsubjprefix++;
        }
        mk->subjprefix[k].text = arena_strndup(mk->a, text.p, text.len);
    }
}

/* Util::fq_hostname: the host name, or when it has no dot the first alias
 * that starts with it and a dot; parentheses removed. */
static char *
mk_fq_hostname(struct arena *a)
{
    char host[256];
    struct addrinfo hints = { .ai_flags = AI_CANONNAME }, *res = NULL;
    char *r;

    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    r = arena_strdup(a, host);
    if (strchr(host, '.') == NULL && getaddrinfo(host, NULL, &hints, &res) == 0) {
        size_t hl = strlen(host);

        for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
            if (ai->ai_canonname != NULL && strncmp(ai->ai_canonname, host, hl) == 0 &&
                ai->ai_canonname[hl] == '.') {
                r = arena_strdup(a, ai->ai_canonname);
                break;
            }
        }
        freeaddrinfo(res);
        char *w = r;
        for (const char *q = r; *q; q++) {
            if (*q != '(' && *q != ')')
                *w++ = *q;
        }
        *w = '\0';
    }
    return r;
}

/* The pass a meta hits in: SA checks metas at the end of each priority
 * pass, so one hits in the pass where its last dependency ran (metas
 * without dependencies in the first). */
static int
mk_meta_pass(struct sa_markup *mk, const struct scan_ruleset *rs, const struct scan_rule *r,
             unsigned char *state)
{
    const char *e = r->expr;
    int pass = INT_MIN;

    if (state[r->index] == 2)
        return mk->meta_pass[r->index];
    if (state[r->index] == 1) /* a loop: SA leaves such metas out anyway */
        return r->priority;
    state[r->index] = 1;
    while (e != NULL && *e) {
        char name[128];
        size_t n = 0;
        const struct scan_rule *d;
        int dp;

        if (!((*e >= 'A' && *e <= 'Z') || (*e >= 'a' && *e <= 'z') || *e == '_')) {
            e++;
            continue;
        }
        while ((*e >= 'A' && *e <= 'Z') || (*e >= 'a' && *e <= 'z') || *e == '_' ||
               (*e >= '0' && *e <= '9')) {
            if (n + 1 < sizeof(name))
                name[n++] = *e;
            e++;
        }
        name[n] = '\0';
        d = scan_ruleset_find(rs, name);
        if (d == NULL || d->kind == SCAN_K_UNDEFINED || d->index >= mk->nrules)
            continue;
        dp = d->kind == SCAN_K_META ? mk_meta_pass(mk, rs, d, state) : d->priority;
        if (dp > pass)
            pass = dp;
    }
    state[r->index] = 2;
    mk->meta_pass[r->index] = pass;
    return pass;
}

static void
mk_meta_passes(struct sa_markup *mk, const struct scan_ruleset *rs)
{
    unsigned char *state;

    if (rs == NULL)
        return;
    mk->rs = rs;
    mk->nrules = scan_ruleset_count(rs);
    mk->meta_pass = arena_calloc(mk->a, mk->nrules ? mk->nrules : 1, sizeof(*mk->meta_pass));
    state = xcalloc(mk->nrules ? mk->nrules : 1, 1);
    for (size_t i = 0; i < mk->nrules; i++) {
        const struct scan_rule *r = scan_ruleset_at(rs, i);

        if (r->kind == SCAN_K_META && r->index < mk->nrules)
            mk_meta_pass(mk, rs, r, state);
    }
    free(state);
}

struct sa_markup *
sa_markup_new(const struct sa_conf *c, const struct scan_ruleset *rs, const char *hostname,
              const char *subversion)
{
    struct sa_markup *mk = xcalloc(1, sizeof(*mk));
    struct buf b;
    const char *v;

    mk->a = arena_new(4096);
    buf_init(&b);
    mk_template(c, "report", &b);
    mk->report_template = arena_strndup(mk->a, b.p ? b.p : "", b.len);
    buf_reset(&b);
    mk_template(c, "unsafe_report", &b);
    mk->unsafe_template = arena_strndup(mk->a, b.p ? b.p : "", b.len);
    buf_clear(&b);
    mk->contact =
        arena_strdup(mk->a, sa_conf_value(c, "report_contact", "the administrator of that system"));
    mk->fqdn = hostname != NULL ? arena_strdup(mk->a, hostname) : mk_fq_hostname(mk->a);
    v = sa_conf_value(c, "report_hostname", "");
    if (*v != '\0')
        mk->hostname = arena_strdup(mk->a, v);
    else if (hostname != NULL)
        mk->hostname = arena_strdup(mk->a, hostname);
    else
        mk->hostname = mk->fqdn;
    mk->subversion = arena_strdup(mk->a, subversion ? subversion : "");
    mk->charset = arena_strdup(mk->a, sa_conf_value(c, "report_charset", "UTF-8"));
    if (*mk->charset == '\0')
        mk->charset = "UTF-8";
    v = sa_conf_value(c, "report_wrap_width", "75");
    mk->wrap_width = (unsigned)strtoul(v, NULL, 10);
    if (mk->wrap_width == 0)
        mk->wrap_width = 77; /* Util::wrap's own default for a false length */
    v = sa_conf_value(c, "report_safe", "1");
    mk->report_safe = v[0] >= '0' && v[0] <= '2' && v[1] == '\0' ? v[0] - '0' : 1;
    v = sa_conf_value(c, "fold_headers", "1");
    mk->fold_headers = !(strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 || *v == '\0');
    mk->description = "original message before SpamAssassin";
    mk_headers(mk, c);
    mk_rewrites(mk, c);
    mk_subjprefix(mk, c);
    mk_meta_passes(mk, rs);
    {
        const struct strv *cv;
        size_t n = sa_conf_values(c, "report_safe_copy_headers", &cv), total = 0;

        for (size_t i = 0; i < n; i++)
            total += cv[i].len / 2 + 1;
        mk->copy_headers = arena_calloc(mk->a, total ? total : 1, sizeof(*mk->copy_headers));
        for (size_t i = 0; i < n; i++) {
            for (size_t p = 0; p < cv[i].len;) {
                size_t q;

                while (p < cv[i].len && strchr(" \t\r\n\f\v", cv[i].p[p]) != NULL)
                    p++;
                for (q = p; q < cv[i].len && strchr(" \t\r\n\f\v", cv[i].p[q]) == NULL; q++)
                    ;
                if (q > p)
                    mk->copy_headers[mk->ncopy++] = arena_strndup(mk->a, cv[i].p + p, q - p);
                p = q;
            }
        }
    }
    return mk;
}

void
sa_markup_free(struct sa_markup **mp)
{
    if (*mp == NULL)
        return;
    arena_free(&(*mp)->a);
    free(*mp);
    *mp = NULL;
}

const char *
sa_markup_fqdn(const struct sa_markup *mk)
{
    return mk->fqdn;
}

int
sa_markup_report_safe(const struct sa_markup *mk)
{
    return mk->report_safe;
}

/* ---- text helpers: Perl's length, \s, Util::wrap ---- */

static bool
mk_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* length() of a string as SA's wrap sees it: bytes (SA's text is octets
 * unless normalize_charset decoded it, which sift does not do); tabs
 * count 8 where wrap asks. */
static size_t
mk_width(const char *p, size_t n, bool tabs)
{
    size_t w = n;

    for (size_t i = 0; tabs && i < n; i++) {
        if (p[i] == '\t')
            w += 7;
    }
    return w;
}

void
sa_markup_wrap(const char *s, size_t len, const char *prefix, const char *first, unsigned length,
               bool overflow, bool after_comma, struct buf *out)
{
    struct strv *tok;
    size_t ntok = 0, start = 0, k;
    struct buf cur;
    bool pos_mod = false;

    if (length == 0)
        length = 77;
    /* split(/(break)/): fields and separators alternate; trailing empty
     * ones dropped */
    tok = xcalloc(2 * len + 3, sizeof(*tok));
    if (first != NULL && *first != '\0' && strcmp(first, "0") != 0)
        tok[ntok++] = strv_cstr(first);
    for (size_t i = 0; i < len; i++) {
        if (after_comma) {
            if (i + 1 < len + 1 && (mk_space(s[i]) || s[i] == ',')) {
                tok[ntok++] = strv_make(s + start, i + 1 - start);
                tok[ntok++] = strv_make(s + i + 1, 0);
                start = i + 1;
            }
        } else if (mk_space(s[i])) {
            tok[ntok++] = strv_make(s + start, i - start);
            tok[ntok++] = strv_make(s + i, 1);
            start = i + 1;
        }
    }
    tok[ntok++] = strv_make(s + start, len - start);
    while (ntok > 0 && tok[ntok - 1].len == 0)
        ntok--;
    if (ntok == 0) {
        free(tok);
        return;
    }
    buf_init(&cur);
    buf_append(&cur, tok[0].p, tok[0].len);
    k = 1;
    while (k < ntok) {
        size_t w = mk_width(cur.p ? cur.p : "", cur.len, true);

        if (pos_mod && !overflow)
            w += mk_width(tok[k].p, tok[k].len, true);
        if (w <= length) {
            buf_append(&cur, tok[k].p, tok[k].len);
            k++;
            pos_mod = true;
        } else {
            while (cur.len > 0 && mk_space(cur.p[cur.len - 1]))
                cur.len--;
            buf_append(out, cur.p, cur.len);
            buf_putc(out, '\n');
            buf_reset(&cur);
            buf_puts(&cur, prefix ? prefix : "");
            pos_mod = false;
        }
    }
    buf_append(out, cur.p ? cur.p : "", cur.len);
    buf_clear(&cur);
    free(tok);
}

static bool
mk_printable(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c <= 0x7e);
}

static void
mk_base64(const unsigned char *p, size_t n, struct buf *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;

        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        buf_putc(out, al[(v >> 18) & 63]);
        buf_putc(out, al[(v >> 12) & 63]);
        buf_putc(out, i + 1 < n ? al[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < n ? al[v & 63] : '=');
    }
}

/* One line of mime_encode_header. */
static void
mk_encode_line(const char *l, size_t n, struct buf *out)
{
    size_t nl = 0, body, last_bad = 0, pre = 0, suf_at, cnt = 0;
    bool any_bad = false;

    if (n > 0 && l[n - 1] == '\n')
        nl = n > 1 && l[n - 2] == '\r' ? 2 : 1;
    body = n - nl;
    for (size_t i = 0; i < body; i++) {
        if (!mk_printable((unsigned char)l[i])) {
            any_bad = true;
            last_bad = i;
        }
    }
    if (!any_bad && nl > 0) {
        buf_append(out, l, n);
        return;
    }
    /* suffix: a printable tail starting at the line's start or a blank */
    suf_at = body;
    if (!any_bad) {
        suf_at = 0;
    } else {
        for (size_t i = last_bad + 1; i < body; i++) {
            if (l[i] == ' ' || l[i] == '\t') {
                suf_at = i;
                break;
            }
        }
    }
    /* prefix: a printable head ending in a blank (or the whole line) */
    if (suf_at > 0) {
        size_t run = 0;

        while (run < suf_at && mk_printable((unsigned char)l[run]))
            run++;
        if (run == suf_at) {
            pre = run;
        } else {
            for (size_t i = run; i > 0; i--) {
                if (l[i - 1] == ' ' || l[i - 1] == '\t') {
                    pre = i;
                    break;
                }
            }
        }
    }
    buf_append(out, l, pre);
    if (suf_at > pre) {
        const char *w = l + pre;
        size_t wn = suf_at - pre;

        for (size_t i = 0; i < wn; i++) {
            unsigned char c = (unsigned char)w[i];
            if (c == '=' || c == '?' || c == '_' || c < 0x20 || c >= 0x7f)
                cnt++;
        }
        if ((double)(wn + 2 * cnt) <= 4.0 * (double)(wn + 2) / 3.0) {
            buf_puts(out, "=?UTF-8?Q?");
            for (size_t i = 0; i < wn; i++) {
                unsigned char c = (unsigned char)w[i];

                if (c == ' ')
                    buf_putc(out, '_');
                else if (c == '=' || c == '?' || c == '_' || c < 0x20 || c >= 0x7f)
                    buf_printf(out, "=%02X", c);
                else
                    buf_putc(out, (char)c);
            }
        } else {
            buf_puts(out, "=?UTF-8?B?");
            mk_base64((const unsigned char *)w, wn, out);
        }
        buf_puts(out, "?=");
    }
    buf_append(out, l + suf_at, n - suf_at);
}

void
sa_markup_encode_header(const char *s, size_t len, struct buf *out)
{
    size_t i = 0;

    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl != NULL ? (size_t)(nl - s) + 1 : len;

        mk_encode_line(s + i, e - i, out);
        i = e;
    }
}

/* ---- one message ---- */

/* The order SA's Check plugin runs rule types within a priority. */
static int
mk_phase(const struct scan_rule *r)
{
    switch (r->kind) {
    case SCAN_K_REGEX:
    case SCAN_K_EXISTS:
        switch (r->target) {
        case SCAN_T_BODY:
            return 2;
        case SCAN_T_URI:
            return 3;
        case SCAN_T_RAWBODY:
            return 5;
        case SCAN_T_FULL:
            return 7;
        default:
            return 0;
        }
    case SCAN_K_EVAL:
        switch (r->target) {
        case SCAN_T_BODY:
            return 4;
        case SCAN_T_RAWBODY:
            return 6;
        case SCAN_T_FULL:
            return 8;
        default:
            return 1;
        }
    case SCAN_K_META:
        return 9;
    default:
        return 10;
    }
}

/* The "area" got_hit gets for each rule type. */
static const char *
mk_area(const struct scan_rule *r)
{
    if (r->kind == SCAN_K_REGEX) {
        switch (r->target) {
        case SCAN_T_BODY:
            return "BODY: ";
        case SCAN_T_URI:
            return "URI: ";
        case SCAN_T_RAWBODY:
            return "RAW: ";
        case SCAN_T_FULL:
            return "FULL: ";
        default:
            return "";
        }
    }
    if (r->kind == SCAN_K_EVAL) {
        if (r->target == SCAN_T_BODY)
            return "BODY: ";
        if (r->target == SCAN_T_RAWBODY)
            return "RAW: ";
    }
    return "";
}

/* qsort has no argument: the markup whose meta passes the sort uses */
static const struct sa_markup *mk_sorting;

static int
mk_pass(const struct scan_rule *r)
{
    /* a user's own meta is not the site's rule of the same index */
    if (r->kind == SCAN_K_META && mk_sorting->meta_pass != NULL && r->index < mk_sorting->nrules &&
        scan_ruleset_at(mk_sorting->rs, r->index) == r)
        return mk_sorting->meta_pass[r->index];
    return r->priority;
}

static int
mk_hit_cmp(const void *a, const void *b)
{
    const struct scan_hit *x = *(const struct scan_hit *const *)a;
    const struct scan_hit *y = *(const struct scan_hit *const *)b;
    int px = mk_phase(x->rule), py = mk_phase(y->rule);
    int qx = mk_pass(x->rule), qy = mk_pass(y->rule);

    if (qx != qy)
        return qx < qy ? -1 : 1;
    if (px != py)
        return px < py ? -1 : 1;
    return strcmp(x->rule->name, y->rule->name);
}

/* "%4.0f" from 10 points on, "%4.1f" below */
static void
mk_rule_score(double s, char *out, size_t outlen)
{
    snprintf(out, outlen, s >= 10 || s <= -10 ? "%4.0f" : "%4.1f", s);
}

/* _wrap_desc: the description wrapped after a first line of `first`
 * columns, leading white space removed. */
static void
mk_wrap_desc(const struct sa_markup *mk, const char *desc, size_t first, const char *prefix,
             struct buf *out)
{
    char *sp = xmalloc(first + 1);
    struct buf w;
    size_t i = 0;

    memset(sp, ' ', first);
    sp[first] = '\0';
    buf_init(&w);
    sa_markup_wrap(desc, strlen(desc), prefix, sp, mk->wrap_width, false, false, &w);
    while (i < w.len && mk_space(w.p[i]))
        i++;
    buf_append(out, w.p + i, w.len - i);
    buf_clear(&w);
    free(sp);
}

/* check_cleanup's REPORT and SUMMARY tags, one entry per hit in hit order;
 * a rule's messages (an eval's detail) in [ ] lines after it. */
static void
mk_reports(struct sa_pms *p)
{
    struct buf rep, sum;

    buf_init(&rep);
    buf_init(&sum);
    for (size_t i = 0; i < p->norder; i++) {
        const struct scan_hit *h = p->order[i];
        const struct scan_rule *r = h->rule;
        const char *desc =
            r->description && *r->description ? r->description : "No description available.";
        const char *area = mk_area(r);
        char score[32];
        struct buf terse, lng;

        /* a tflags multiple rule: its score once per line, as often as it hit */
        mk_rule_score(h->count > 1 ? h->score / h->count : h->score, score, sizeof(score));
        buf_init(&terse);
        buf_init(&lng);
        if (h->option != NULL && *h->option != '\0') {
            const char *msg = (r->tflags & SCAN_TF_NOLOG) ? "*REDACTED*" : h->option;
            size_t ml = strlen(msg);

            /* while ($msg =~ s/^(.{30,48})\s//): the longest head of 30 to
             * 48 characters followed by white space */
            for (;;) {
                size_t cut = 0;

                for (size_t j = 30; j <= 48 && j < ml; j++) {
                    if (memchr(msg, '\n', j) != NULL)
                        break;
                    if (mk_space(msg[j]))
                        cut = j;
                }
                if (cut == 0)
                    break;
                buf_printf(&terse, "[%.*s]\n", (int)cut, msg);
                if (cut > 47)
                    buf_printf(&lng, "%78s\n", arena_printf(p->t->arena, "[%.*s]", (int)cut, msg));
                else
                    buf_printf(&lng, "%27s [%.*s]\n", "", (int)cut, msg);
                msg += cut + 1;
                ml -= cut + 1;
            }
            buf_printf(&terse, "[%s]\n", msg);
            if (ml > 47)
                buf_printf(&lng, "%78s\n", arena_printf(p->t->arena, "[%s]", msg));
            else
                buf_printf(&lng, "%27s [%s]\n", "", msg);
        }
        buf_printf(&rep, "* %s %s %s", score, r->name, area);
        mk_wrap_desc(p->mk, desc, 4 + strlen(r->name) + strlen(score) + strlen(area), "*      ",
                     &rep);
        buf_putc(&rep, '\n');
        if (terse.len > 0) {
            buf_puts(&rep, "*      ");
            buf_append(&rep, terse.p, terse.len);
        }
        buf_printf(&sum, "%s %-22s %s", score, r->name, area);
        mk_wrap_desc(p->mk, desc, 3 + strlen(r->name) + strlen(score) + strlen(area),
                     "                            ", &sum);
        buf_putc(&sum, '\n');
        buf_append(&sum, lng.p ? lng.p : "", lng.len);
        buf_clear(&terse);
        buf_clear(&lng);
    }
    p->report = arena_strndup(p->t->arena, rep.p ? rep.p : "", rep.len);
    p->summary = arena_strndup(p->t->arena, sum.p ? sum.p : "", sum.len);
    buf_clear(&rep);
    buf_clear(&sum);
}

void
sa_pms_init(struct sa_pms *p, const struct sa_markup *mk, struct task *t,
            const struct scan_result *res, const struct sa_markup_env *env)
{
    size_t n = 0, k = 0;

    memset(p, 0, sizeof(*p));
    p->mk = mk;
    p->t = t;
    p->res = res;
    p->env = env;
    p->m = task_message(t);
    for (size_t i = 0; i < res->nhits; i++)
        n += res->hits[i].count > 0 ? res->hits[i].count : 1;
    p->order = arena_calloc(t->arena, n ? n : 1, sizeof(*p->order));
    for (size_t i = 0; i < res->nhits; i++) {
        unsigned c = res->hits[i].count > 0 ? res->hits[i].count : 1;

        for (unsigned j = 0; j < c; j++)
            p->order[k++] = &res->hits[i];
    }
    p->norder = k;
    mk_sorting = mk;
    qsort(p->order, p->norder, sizeof(*p->order), mk_hit_cmp);
    mk_sorting = NULL;
    /* subjprefix: each hit rule's prefix once, in hit order */
    if (mk->rewrite[SA_MK_SUBJECT] != NULL && mk->nsubjprefix > 0) {
        struct buf b;

        buf_init(&b);
        for (size_t i = 0; i < p->norder; i++) {
            for (size_t j = 0; j < mk->nsubjprefix; j++) {
                if (strcmp(mk->subjprefix[j].rule, p->order[i]->rule->name) == 0 &&
                    (b.len == 0 || strstr(b.p, mk->subjprefix[j].text) == NULL))
                    buf_printf(&b, "%s ", mk->subjprefix[j].text);
            }
        }
        if (b.len > 0)
            p->subjprefix = arena_strndup(t->arena, b.p, b.len);
        buf_clear(&b);
    }
    mk_reports(p);
}

void
sa_markup_score(const struct scan_result *res, char *out, size_t outlen)
{
    char s[64], r[64];

    snprintf(s, sizeof(s), "%2.1f", res->score);
    snprintf(r, sizeof(r), "%2.1f", res->required);
    if (res->is_spam || strtod(s, NULL) < strtod(r, NULL)) {
        snprintf(out, outlen, "%s", s);
        return;
    }
    /* Perl prints $rscore - 0.1 as a number: 15 significant digits */
    snprintf(out, outlen, "%.15g", strtod(r, NULL) - 0.1);
}

void
sa_markup_required(const struct scan_result *res, char *out, size_t outlen)
{
    snprintf(out, outlen, "%2.1f", res->required);
}

static int
mk_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the hits sorted (a tflags multiple rule once per match). */
static const char **
mk_sorted_names(const struct scan_result *res, size_t *n)
{
    size_t total = 0, k = 0;
    const char **v;

    for (size_t i = 0; i < res->nhits; i++)
        total += res->hits[i].count > 0 ? res->hits[i].count : 1;
    v = xcalloc(total ? total : 1, sizeof(*v));
    for (size_t i = 0; i < res->nhits; i++) {
        unsigned c = res->hits[i].count > 0 ? res->hits[i].count : 1;

        for (unsigned j = 0; j < c; j++)
            v[k++] = res->hits[i].rule->name;
    }
    qsort(v, k, sizeof(*v), mk_name_cmp);
    *n = k;
    return v;
}

void
sa_markup_symbols(const struct scan_result *res, struct buf *out)
{
    size_t n;
    const char **v = mk_sorted_names(res, &n);

    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_putc(out, ',');
        buf_puts(out, v[i]);
    }
    free(v);
}

/* get_content_preview(): the first lines of the body text, tidied and
 * wrapped to follow "Content preview:  ". */
static void
mk_preview(struct sa_pms *p, struct buf *out)
{
    const struct mime_view *body = mime_view_body(p->m);
    struct buf s, t;
    size_t numlines = 3;

    buf_init(&s);
    buf_init(&t);
    for (size_t i = 1; i < body->n && mk_width(s.p ? s.p : "", s.len, false) < 200 && numlines > 0;
         i++, numlines--)
        buf_append(&s, body->lines[i].p, body->lines[i].len);
    /* s/^(.{200}).+$/$1 [...]/gm (bytes, as above) */
    for (size_t i = 0; i < s.len;) {
        const char *nl = memchr(s.p + i, '\n', s.len - i);
        size_t e = nl ? (size_t)(nl - s.p) : s.len;

        if (e - i > 200) {
            buf_append(&t, s.p + i, 200);
            buf_puts(&t, " [...]");
        } else {
            buf_append(&t, s.p + i, e - i);
        }
        if (nl != NULL)
            buf_putc(&t, '\n');
        i = nl ? e + 1 : e;
    }
    /* chomp, then one "\n" */
    if (t.len > 0 && t.p[t.len - 1] == '\n')
        t.len--;
    buf_putc(&t, '\n');
    buf_reset(&s);
    /* s/-----Original Message-----.*$//gm */
    for (size_t i = 0; i < t.len;) {
        static const char om[] = "-----Original Message-----";
        const char *nl = memchr(t.p + i, '\n', t.len - i);
        size_t e = nl ? (size_t)(nl - t.p) : t.len;
        const char *hit = memmem(t.p + i, e - i, om, sizeof(om) - 1);

        buf_append(&s, t.p + i, hit ? (size_t)(hit - (t.p + i)) : e - i);
        if (nl != NULL)
            buf_putc(&s, '\n');
        i = nl ? e + 1 : e;
    }
    buf_reset(&t);
    /* s/This is a multi-part message in MIME format\.//gs, then
     * s/[-_*.]{10,}//gs, then s/\s+/ /gs */
    {
        static const char mp[] = "This is a multi-part message in MIME format.";
        struct buf u;

        buf_init(&u);
        for (size_t i = 0; i < s.len;) {
            if (s.len - i >= sizeof(mp) - 1 && memcmp(s.p + i, mp, sizeof(mp) - 1) == 0) {
                i += sizeof(mp) - 1;
                continue;
            }
            buf_putc(&u, s.p[i++]);
        }
        for (size_t i = 0; i < u.len;) {
            size_t j = i;

            while (j < u.len && strchr("-_*.", u.p[j]) != NULL && u.p[j] != '\0')
                j++;
            if (j - i >= 10) {
                i = j;
                continue;
            }
            if (j == i)
                j++;
            buf_append(&t, u.p + i, j - i);
            i = j;
        }
        buf_clear(&u);
    }
    buf_reset(&s);
    for (size_t i = 0; i < t.len;) {
        if (mk_space(t.p[i])) {
            while (i < t.len && mk_space(t.p[i]))
                i++;
            buf_putc(&s, ' ');
        } else {
            buf_putc(&s, t.p[i++]);
        }
    }
    buf_reset(&t);
    sa_markup_wrap(s.p ? s.p : "", s.len, "  ", "Content preview:  ", 75, true, false, &t);
    /* s/^Content preview:\s+//gs */
    {
        static const char cp[] = "Content preview:";
        size_t i = 0;

        if (t.len >= sizeof(cp) - 1 && memcmp(t.p, cp, sizeof(cp) - 1) == 0) {
            size_t j = sizeof(cp) - 1;

            while (j < t.len && mk_space(t.p[j]))
                j++;
            if (j > sizeof(cp) - 1)
                i = j;
        }
        buf_append(out, t.p + i, t.len - i);
    }
    buf_clear(&s);
    buf_clear(&t);
}

static void
mk_join_names(const char *const *v, size_t n, const char *sep, struct buf *out)
{
    if (n == 0) {
        buf_puts(out, "none");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_puts(out, sep);
        buf_puts(out, v[i]);
    }
}

static void
mk_stars(const struct sa_pms *p, const char *arg, struct buf *out)
{
    long n = (long)p->res->score; /* int() truncates toward zero */

    if (n > 50)
        n = 50;
    if (arg == NULL || *arg == '\0')
        arg = "*";
    for (long i = 0; i < n; i++)
        buf_puts(out, arg);
}

static void
mk_relay_tag(struct sa_pms *p, const char *tag, struct buf *out)
{
    const struct mime_relays *rl = mime_msg_relays(p->m);
    const struct mime_relay *r = NULL;
    bool rev = false;

    if (strncmp(tag, "FIRSTTRUSTED", 12) == 0) {
        if (rl->num_trusted > 0)
            r = &rl->relays[rl->num_trusted - 1];
        rev = strcmp(tag + 12, "REVIP") == 0;
    } else {
        if (rl->num_external > 0 && rl->num_internal < rl->nrelays)
            r = &rl->relays[rl->num_internal];
        rev = strcmp(tag + 12, "REVIP") == 0;
    }
    if (r == NULL)
        return;
    if (strcmp(tag, "LASTEXTERNALRDNS") == 0) {
        buf_append(out, r->rdns.p, r->rdns.len);
    } else if (strcmp(tag, "LASTEXTERNALHELO") == 0) {
        buf_append(out, r->helo.p, r->helo.len);
    } else if (!rev) {
        buf_append(out, r->ip.p, r->ip.len);
    } else {
        /* reverse_ip_address: IPv4 octets reversed */
        char ip[64], *oct[4];
        size_t n = 0;

        snprintf(ip, sizeof(ip), "%.*s", (int)r->ip.len, r->ip.p);
        for (char *q = strtok(ip, "."); q != NULL && n < 4; q = strtok(NULL, "."))
            oct[n++] = q;
        for (size_t i = n; i > 0; i--)
            buf_printf(out, "%s%s", oct[i - 1], i > 1 ? "." : "");
    }
}

static void
mk_date(struct buf *out)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const mons[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t now = time(NULL);
    struct tm tm;
    long off;

    localtime_r(&now, &tm);
    off = tm.tm_gmtoff / 60;
    buf_printf(out, "%s, %02d %s %4d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday], tm.tm_mday,
               mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
               off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

void
sa_markup_date(struct buf *out)
{
    mk_date(out);
}

/* get_tag_raw(name, arg): false for a tag SA does not know (left as written). */
static bool
mk_tag(struct sa_pms *p, const char *name, const char *arg, struct buf *out)
{
    const struct sa_markup *mk = p->mk;
    const struct scan_result *res = p->res;
    char num[64];

    if (strcmp(name, "YESNO") == 0 || strcmp(name, "YESNOCAPS") == 0) {
        const char *comma;
        size_t from = out->len;

        if (arg != NULL && *arg == '\0')
            arg = NULL; /* split of "" gives nothing */
        comma = arg ? strchr(arg, ',') : NULL;

        if (res->is_spam)
            buf_append(out, arg ? arg : "Yes",
                       arg ? (comma ? (size_t)(comma - arg) : strlen(arg)) : 3);
        else if (arg != NULL && comma != NULL)
            buf_puts(out, comma + 1);
        else
            buf_puts(out, "No");
        if (name[5] == 'C')
            for (size_t i = from; i < out->len; i++)
                if (out->p[i] >= 'a' && out->p[i] <= 'z')
                    out->p[i] = (char)(out->p[i] - 32);
        return true;
    }
    if (strcmp(name, "SCORE") == 0 || strcmp(name, "HITS") == 0) {
        sa_markup_score(res, num, sizeof(num));
        if (arg != NULL && *arg != '\0' &&
            (strspn(arg, "0") == strlen(arg) || strspn(arg, " ") == strlen(arg))) {
            size_t pad = strlen(arg) + 3;

            if (pad > strlen(num))
                buf_append(out, arg,
                           pad - strlen(num) <= strlen(arg) ? pad - strlen(num) : strlen(arg));
        }
        buf_puts(out, num);
        return true;
    }
    if (strcmp(name, "REQD") == 0) {
        sa_markup_required(res, num, sizeof(num));
        buf_puts(out, num);
        return true;
    }
    if (strcmp(name, "VERSION") == 0) {
        buf_puts(out, SA_MARKUP_VERSION);
        return true;
    }
    if (strcmp(name, "SUBVERSION") == 0) {
        buf_puts(out, mk->subversion);
        return true;
    }
    if (strcmp(name, "HOSTNAME") == 0) {
        buf_puts(out, mk->hostname);
        return true;
    }
    if (strcmp(name, "REMOTEHOSTNAME") == 0) {
        buf_puts(out, p->env && p->env->remote_host ? p->env->remote_host : "localhost");
        return true;
    }
    if (strcmp(name, "REMOTEHOSTADDR") == 0) {
        buf_puts(out, p->env && p->env->remote_addr ? p->env->remote_addr : "127.0.0.1");
        return true;
    }
    if (strncmp(name, "FIRSTTRUSTED", 12) == 0 || strncmp(name, "LASTEXTERNAL", 12) == 0) {
        if (strcmp(name + 12, "IP") == 0 || strcmp(name + 12, "REVIP") == 0 ||
            strcmp(name, "LASTEXTERNALRDNS") == 0 || strcmp(name, "LASTEXTERNALHELO") == 0) {
            mk_relay_tag(p, name, out);
            return true;
        }
        return false;
    }
    if (strcmp(name, "CONTACTADDRESS") == 0) {
        buf_puts(out, mk->contact);
        return true;
    }
    if (strcmp(name, "BAYES") == 0) {
        buf_puts(out, "0.5"); /* no Bayes score: SA's default */
        return true;
    }
    if (strcmp(name, "DATE") == 0) {
        mk_date(out);
        return true;
    }
    if (strcmp(name, "STARS") == 0) {
        mk_stars(p, arg, out);
        return true;
    }
    if (strcmp(name, "AUTOLEARN") == 0) {
        buf_puts(out, p->t->autolearn != NULL ? p->t->autolearn : "disabled");
        return true;
    }
    if (strcmp(name, "AUTOLEARNSCORE") == 0) {
        buf_printf(out, "%g", p->t->autolearn != NULL ? p->t->autolearn_points : 0.0);
        return true;
    }
    if (strcmp(name, "TESTS") == 0 || strcmp(name, "TESTSSCORES") == 0) {
        size_t n;
        const char **v = mk_sorted_names(res, &n);
        const char *sep = arg && *arg ? arg : ",";

        if (name[5] == '\0') {
            mk_join_names(v, n, sep, out);
        } else if (n == 0) {
            buf_puts(out, "none");
        } else {
            for (size_t i = 0; i < n; i++) {
                double sc = 0;

                for (size_t j = 0; j < res->nhits; j++)
                    if (res->hits[j].rule->name == v[i])
                        sc = res->hits[j].score / (res->hits[j].count > 1 ? res->hits[j].count : 1);
                buf_printf(out, "%s%s=%.15g", i ? sep : "", v[i], sc);
            }
        }
        free(v);
        return true;
    }
    if (strcmp(name, "SUBTESTS") == 0 || strcmp(name, "SUBTESTSCOLLAPSED") == 0) {
        mk_join_names(res->subhits, res->nsubhits, arg && *arg ? arg : ",", out);
        return true;
    }
    if (strcmp(name, "PREVIEW") == 0) {
        mk_preview(p, out);
        return true;
    }
    if (strcmp(name, "REPORT") == 0) {
        buf_putc(out, '\n');
        buf_puts(out, p->report);
        return true;
    }
    if (strcmp(name, "SUMMARY") == 0) {
        buf_puts(out, p->summary);
        return true;
    }
    if (strcmp(name, "SUBJPREFIX") == 0) {
        buf_puts(out, p->subjprefix ? p->subjprefix : "");
        return true;
    }
    if (strcmp(name, "HEADER") == 0) {
        bool found = false;
        struct strv v;

        if (arg == NULL || *arg == '\0')
            return true;
        v = mime_get_scalar(p->m, arg, &found);
        if (found)
            buf_append(out, v.p, v.len);
        return true;
    }
    if (strcmp(name, "ADDEDHEADER") == 0 || strcmp(name, "ADDEDHEADERHAM") == 0 ||
        strcmp(name, "ADDEDHEADERSPAM") == 0)
        return false; /* bug 6278: never expanded */
    {
        /* tags that exist for every message but hold nothing here */
        static const char *const empty[] = {
            "RBL",
            "TIMING",
            "RULESVERSION",
            "ASN",
            "ASNCIDR",
            "AWL",
            "AWLMEAN",
            "AWLCOUNT",
            "AWLPRESCORE",
            "DCCB",
            "DCCR",
            "DCCREP",
            "PYZOR",
            "DKIMIDENTITY",
            "DKIMDOMAIN",
            "DKIMSELECTOR",
            "BAYESTC",
            "BAYESTCLEARNED",
            "BAYESTCSPAMMY",
            "BAYESTCHAMMY",
            "HAMMYTOKENS",
            "SPAMMYTOKENS",
            "TOKENSUMMARY",
            "EXTRACTTEXTCHARS",
            "EXTRACTTEXTWORDS",
            "EXTRACTTEXTTOOLS",
            "EXTRACTTEXTTYPES",
            "EXTRACTTEXTEXTENSIONS",
            "EXTRACTTEXTFLAGS",
            "EXTRACTTEXTURIS",
        };

        for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
            if (strcmp(name, empty[i]) == 0)
                return true;
    }
    return false;
}

static bool
mk_upper_digit(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void
sa_pms_replace_tags(struct sa_pms *p, const char *s, size_t len, struct buf *out)
{
    size_t i = 0;

    while (i < len) {
        size_t ends[64], nends = 0, j, mstart = i, mend = 0, name_end = 0, arg_at = 0, arg_len = 0;
        bool has_arg = false, matched = false;

        if (s[i] != '_' || i + 1 >= len || !(s[i + 1] >= 'A' && s[i + 1] <= 'Z')) {
            buf_putc(out, s[i++]);
            continue;
        }
        /* _([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*(?:\(.*?\))?)_ */
        j = i + 2;
        while (j < len && mk_upper_digit(s[j]))
            j++;
        ends[nends++] = j;
        while (j + 1 < len && s[j] == '_' && mk_upper_digit(s[j + 1]) && nends < 64) {
            j++;
            while (j < len && mk_upper_digit(s[j]))
                j++;
            ends[nends++] = j;
        }
        while (nends > 0 && !matched) {
            size_t e = ends[--nends];

            if (e < len && s[e] == '(') {
                for (size_t q = e + 1; q + 1 < len && s[q] != '\n'; q++) {
                    if (s[q] == ')' && s[q + 1] == '_') {
                        has_arg = true;
                        arg_at = e + 1;
                        arg_len = q - (e + 1);
                        name_end = e;
                        mend = q + 2;
                        matched = true;
                        break;
                    }
                }
            }
            if (!matched && e < len && s[e] == '_') {
                name_end = e;
                mend = e + 1;
                matched = true;
            }
        }
        if (!matched) {
            buf_putc(out, s[i++]);
            continue;
        }
        {
            char *name = arena_strndup(p->t->arena, s + mstart + 1, name_end - mstart - 1);
            char *arg = has_arg ? arena_strndup(p->t->arena, s + arg_at, arg_len) : NULL;
            size_t mark = out->len;

            if (!mk_tag(p, name, arg, out)) {
                out->len = mark;
                buf_append(out, s + mstart, mend - mstart);
            }
        }
        i = mend;
    }
}

void
sa_markup_report(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                 const struct sa_markup_env *env, struct buf *out)
{
    struct sa_pms p;

    sa_pms_init(&p, mk, t, res, env);
    sa_pms_report(&p, out);
}

void
sa_pms_report(struct sa_pms *p, struct buf *out)
{
    const char *tpl =
        *p->mk->report_template ? p->mk->report_template : "(no report template found)";
    size_t from = out->len;

    sa_pms_replace_tags(p, tpl, strlen(tpl), out);
    /* s/\n*$/\n\n/s */
    while (out->len > from && out->p[out->len - 1] == '\n')
        out->len--;
    buf_puts(out, "\n\n");
}

/* _process_header: the text with its tags, then folded as SA folds. */
static void
mk_process_header(struct sa_pms *p, const char *name, const char *text, struct buf *out)
{
    struct buf d;

    buf_init(&d);
    sa_pms_replace_tags(p, text, strlen(text), &d);
    /* s/(?:\r?\n)+$// */
    while (d.len > 0 && d.p[d.len - 1] == '\n') {
        d.len--;
        if (d.len > 0 && d.p[d.len - 1] == '\r')
            d.len--;
    }
    if (!p->mk->fold_headers) {
        for (size_t i = 0; i < d.len; i++)
            buf_putc(out, d.p[i] == '\n' ? ' ' : d.p[i]);
    } else if (d.len > 0 && memchr(d.p, '\n', d.len) != NULL) {
        /* s/\s*\n\s*\/\n\t/g */
        for (size_t i = 0; i < d.len;) {
            size_t j = i;

            while (j < d.len && mk_space(d.p[j]) && d.p[j] != '\n')
                j++;
            if (j < d.len && d.p[j] == '\n') {
                /* a run of white space holding a newline: only up to the
                 * first newline counts as the \s*\n; the rest is the \s* */
                j++;
                while (j < d.len && mk_space(d.p[j]) && d.p[j] != '\n')
                    j++;
                buf_puts(out, "\n\t");
                i = j;
                continue;
            }
            /* white space not followed by a newline: kept */
            if (j > i) {
                buf_append(out, d.p + i, j - i);
                i = j;
            } else {
                buf_putc(out, d.p[i++]);
            }
        }
    } else {
        struct buf h, w;
        char *bang;
        size_t i = 0, lstart = 0;

        buf_init(&h);
        buf_init(&w);
        buf_printf(&h, "X-Spam-%s!!", name);
        buf_append(&h, d.p ? d.p : "", d.len);
        sa_markup_wrap(h.p, h.len, "\t", "", 79, false, true, &w);
        /* s/^\s*\n//gm: no blank lines */
        buf_reset(&h);
        while (i < w.len) {
            size_t j = lstart = i;

            while (j < w.len && mk_space(w.p[j]) && w.p[j] != '\n')
                j++;
            if (j < w.len && w.p[j] == '\n') {
                i = j + 1;
                continue;
            }
            while (i < w.len && w.p[i] != '\n')
                i++;
            if (i < w.len)
                i++;
            buf_append(&h, w.p + lstart, i - lstart);
        }
        buf_putc(&h, '\0');
        bang = strstr(h.p, "!!");
        if (bang != NULL)
            buf_puts(out, bang + 2);
        buf_clear(&h);
        buf_clear(&w);
    }
    buf_clear(&d);
}

void
sa_pms_added_headers(struct sa_pms *p, bool spam, struct buf *out)
{
    const struct sa_markup_header *v = spam ? p->mk->spam : p->mk->ham;
    size_t n = spam ? p->mk->nspam : p->mk->nham;

    for (size_t i = 0; i < n; i++) {
        struct buf line;

        buf_init(&line);
        mk_process_header(p, v[i].name, v[i].text, &line);
        buf_printf(out, "X-Spam-%s: ", v[i].name);
        sa_markup_encode_header(line.p ? line.p : "", line.len, out);
        buf_putc(out, '\n');
        buf_clear(&line);
    }
}

void
sa_markup_header(const struct sa_markup *mk, struct task *t, const struct scan_result *res,
                 const struct sa_markup_env *env, const char *name, const char *text,
                 struct buf *out)
{
    struct sa_pms p;
    struct buf line;

    sa_pms_init(&p, mk, t, res, env);
    buf_init(&line);
    mk_process_header(&p, name, text, &line);
    sa_markup_encode_header(line.p ? line.p : "", line.len, out);
    buf_clear(&line);
}
