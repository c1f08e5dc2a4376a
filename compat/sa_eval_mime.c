/*
 * sa_eval_mime.c - SpamAssassin 4.0.1's Plugin::MIMEEval over the parsed
 * MIME tree.
 * MIMEEval's _check_attachments walks every part once per message and
 * keeps what it found in $pms; here mime_facts() computes the same facts
 * once per message (task_memo). The quirks are SA's and kept on purpose:
 * mime_qp_count ends up counting QP escapes rather than QP parts, and
 * check_for_mime('mimepart_limit_exceeded') never hits (the flag lives on
 * the message, not on $pms).
 */
#include "sa_eval_mime.h"

#include <string.h>

#include "sa_eval_util.h"
#include "mime/mime_get.h"

/* ------------------------------------------------------------------------
 * small Perl regexes, by hand (byte strings: ASCII classes)
 */

static bool
is_sp(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool
is_w(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
}

/* \b at k in s[0..n) */
static bool
word_boundary(struct strv s, size_t k)
{
    bool before = k > 0 && is_w((unsigned char)s.p[k - 1]);
    bool after = k < s.len && is_w((unsigned char)s.p[k]);

    return before != after;
}

/* /iso-\S+-\S+\b/ on a lower-cased charset */
static bool
iso_any(struct strv s)
{
    for (size_t i = 0; i + 4 <= s.len; i++) {
        if (memcmp(s.p + i, "iso-", 4) != 0)
            continue;
        for (size_t j = i + 5; j < s.len && !is_sp((unsigned char)s.p[j - 1]); j++) {
            if (s.p[j] != '-')
                continue;
            for (size_t k = j + 2; k <= s.len && !is_sp((unsigned char)s.p[k - 1]); k++) {
                if (word_boundary(s, k))
                    return true;
            }
        }
    }
    return false;
}

/* /iso-(?:8859-\d{1,2}|2022-(?:jp|kr))\b/ */
static bool
iso_known(struct strv s)
{
    for (size_t i = 0; i + 4 <= s.len; i++) {
        size_t j = i + 4;

        if (memcmp(s.p + i, "iso-", 4) != 0)
            continue;
        if (j + 5 <= s.len && memcmp(s.p + j, "8859-", 5) == 0) {
            size_t d = j + 5, nd = 0;

            while (d + nd < s.len && nd < 2 && s.p[d + nd] >= '0' && s.p[d + nd] <= '9')
                nd++;
            for (; nd >= 1; nd--) {
                if (word_boundary(s, d + nd))
                    return true;
            }
        }
        if (j + 7 <= s.len &&
            (memcmp(s.p + j, "2022-jp", 7) == 0 || memcmp(s.p + j, "2022-kr", 7) == 0) &&
            word_boundary(s, j + 7))
            return true;
    }
    return false;
}

static bool
sv_ci_prefix(struct strv v, const char *pre)
{
    size_t n = strlen(pre);

    if (v.len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = v.p[i];

        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != pre[i])
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------------
 * _check_attachments
 */

struct mime_facts {
    double base64_count, qp_count, body_html_count, body_text_count;
    double attachment; /* exists only once counted */
    bool base64_encoded_text, bad_iso_charset, faraway_charset;
    bool multipart_alternative, qp_long_line;
    double multipart_ratio, qp_ratio, qp_bytes, text_unicode_ratio, ascii_text_illegal;
    struct strv html_charsets; /* mime_html_charsets, space-joined */
    bool has_html_charsets;
};

struct part_size {
    const char *type;
    double bytes;
    bool defined;
};

/* _check_mime_header */
static void
facts_header(struct scan_eval_ctx *ec, struct mime_facts *f, const char *ctype, struct strv cte,
             struct strv cd, struct strv charset)
{
    struct arena *a = ec->msg->arena;

    if (strcmp(ctype, "text/html") == 0)
        f->body_html_count++;
    else if (sv_ci_prefix(strv_cstr(ctype), "text"))
        f->body_text_count++;
    if (sa_eval_contains(cte, "base64"))
        f->base64_count++;
    else if (sa_eval_contains(cte, "quoted-printable"))
        f->qp_count++;
    if (sa_eval_perl_true(cd.p, cd.len) && sa_eval_contains(cd, "attachment"))
        f->attachment++;
    if (strncmp(ctype, "text", 4) == 0 && sa_eval_contains(cte, "base64") &&
        (!sa_eval_perl_true(charset.p, charset.len) || sa_eval_contains(charset, "us") ||
         sa_eval_contains(charset, "ascii") || sa_eval_contains(charset, "ansi_x3.4-1968") ||
         sa_eval_contains(charset, "ansi_x3.4-1986") || sa_eval_contains(charset, "iso-ir-6") ||
         sa_eval_contains(charset, "iso_646.irv:1991") || sa_eval_contains(charset, "ibm367") ||
         sa_eval_contains(charset, "cp367")) &&
        !(sa_eval_perl_true(cd.p, cd.len) &&
          (sa_eval_prefix(cd, "attachment") || sa_eval_prefix(cd, "inline"))))
        f->base64_encoded_text = true;
    if (iso_any(charset) && !iso_known(charset))
        f->bad_iso_charset = true;
    {
        bool letter = false;

        for (size_t i = 0; i < charset.len && !letter; i++)
            letter = (charset.p[i] | 0x20) >= 'a' && (charset.p[i] | 0x20) <= 'z';
        if (!letter)
            return;
    }
    if (f->has_html_charsets) {
        char *j = arena_alloc(a, f->html_charsets.len + 1 + charset.len + 1);

        memcpy(j, f->html_charsets.p, f->html_charsets.len);
        j[f->html_charsets.len] = ' ';
        memcpy(j + f->html_charsets.len + 1, charset.p, charset.len);
        f->html_charsets = strv_make(j, f->html_charsets.len + 1 + charset.len);
    } else {
        f->html_charsets = charset;
        f->has_html_charsets = true;
    }
    if (!f->faraway_charset && !sa_eval_locales_all(ec) && !sa_eval_charset_ok(ec, charset))
        f->faraway_charset = true;
}

/* m/=(?:09|3[0-9ABCEF]|[2456][0-9A-F]|7[0-9A-E])/g, counted */
static size_t
qp_escapes(struct strv l)
{
    size_t n = 0;

    for (size_t i = 0; i + 2 < l.len; i++) {
        char x = l.p[i + 1], y = l.p[i + 2];
        bool hex = (y >= '0' && y <= '9') || (y >= 'A' && y <= 'F');

        if (l.p[i] != '=')
            continue;
        if ((x == '0' && y == '9') || (x == '3' && hex && y != 'D') ||
            ((x == '2' || x == '4' || x == '5' || x == '6') && hex) ||
            (x == '7' && hex && y != 'F')) {
            n++;
            i += 2;
        }
    }
    return n;
}

/* m/((?:=09|=20)+)\s*$/: how many escapes the trailing run holds */
static size_t
qp_trailing(struct strv l)
{
    size_t e = l.len, n = 0;

    while (e > 0 && is_sp((unsigned char)l.p[e - 1]))
        e--;
    while (e >= 3 && l.p[e - 3] == '=' &&
           ((l.p[e - 2] == '0' && l.p[e - 1] == '9') || (l.p[e - 2] == '2' && l.p[e - 1] == '0'))) {
        e -= 3;
        n++;
    }
    return n;
}

/* s/&#x[0-9A-F]{4};//g: how many, and the length left */
static size_t
unicode_entities(struct strv l, size_t *left)
{
    size_t n = 0;

    for (size_t i = 0; i + 8 <= l.len; i++) {
        bool ok = l.p[i] == '&' && l.p[i + 1] == '#' && l.p[i + 2] == 'x' && l.p[i + 7] == ';';

        for (size_t k = 3; ok && k < 7; k++)
            ok = (l.p[i + k] >= '0' && l.p[i + k] <= '9') ||
                 (l.p[i + k] >= 'A' && l.p[i + k] <= 'F');
        if (ok) {
            n++;
            i += 7;
        }
    }
    *left = l.len - 8 * n;
    return n;
}

static void
facts_leaf_lines(struct mime_facts *f, const struct mime_part *p, const char *ctype,
                 struct strv cte, struct strv cd, const struct mime_ct *ct, struct part_size *size,
                 double *qp_bytes, double *qp_count, double *normal, double *unicode)
{
    bool in_ascii = strcmp(ctype, "text/plain") == 0 &&
                    (!ct->has_charset || strv_caseeq(ct->charset, "us-ascii"));
    bool in_unicode = strcmp(ctype, "text/plain") == 0 &&
                      (cte.len == 0 || strv_eq(cte, "7bit") || strv_eq(cte, "8bit"));
    bool is_qp = strv_eq(cte, "quoted-printable");
    bool count_bytes = !sa_eval_contains(cd, "attachment") &&
                       (strcmp(ctype, "text/plain") == 0 || strcmp(ctype, "text/html") == 0);
    size_t off = 0;
    struct strv l;

    /* $charset eq 'us-ascii' after lc: the case-insensitive test above
     * only differs from SA for a charset that lc would change otherwise */
    while (sa_eval_raw_line(p->raw, &off, &l)) {
        if (f->multipart_alternative && count_bytes)
            size->bytes += (double)l.len;
        if (is_qp && !sa_eval_prefix(l, "SPAM: ")) {
            size_t qp;

            if (l.len > 78 + 1)
                f->qp_long_line = true;
            *qp_bytes += (double)l.len;
            if (memchr(l.p, '=', l.len) != NULL && (qp = qp_escapes(l)) > 0)
                *qp_count += (double)qp - (double)qp_trailing(l);
        }
        if (in_ascii) {
            for (size_t i = 0; i < l.len; i++) {
                unsigned char c = (unsigned char)l.p[i];

                if (c == 0 || c == '\r' || c >= 0x80) {
                    f->ascii_text_illegal++;
                    break;
                }
            }
        }
        if (in_unicode) {
            size_t left, subs = unicode_entities(l, &left);

            *normal += (double)left;
            *unicode += (double)subs;
        }
    }
}

static void
mime_facts_walk(struct scan_eval_ctx *ec, struct mime_facts *f)
{
    struct arena *a = ec->msg->arena;
    struct mime_part **parts;
    size_t n = mime_msg_parts(ec->msg, false, &parts), nleaf = 0;
    struct part_size *sizes = arena_calloc(a, n ? n : 1, sizeof(*sizes));
    double qp_bytes = 0, qp_count = 0, normal = 0, unicode = 0;

    memset(f, 0, sizeof(*f));
    f->multipart_ratio = 1.0;
    for (size_t i = 0; i < n; i++) {
        struct mime_part *p = parts[i];
        bool present;
        struct strv ctv = sa_eval_part_header(p, "content-type", &present);
        struct strv cte = sa_eval_part_header_lc(a, p, "content-transfer-encoding");
        struct strv cd = sa_eval_part_header_lc(a, p, "content-disposition");
        struct strv charset = STRV_LIT("");
        struct mime_ct ct;

        mime_ct_parse(a, ctv, present, &ct);
        if (strcmp(ct.type, "multipart/alternative") == 0)
            f->multipart_alternative = true;
        if (ct.has_charset && sa_eval_perl_true(ct.charset.p, ct.charset.len)) {
            charset = sa_eval_lc(a, ct.charset);
            ct.charset = charset;
        }
        facts_header(ec, f, ct.type, cte, cd, charset);
        if (p->has_body_parts)
            continue;
        sizes[nleaf].type = ct.type;
        sizes[nleaf].defined = !sa_eval_contains(cd, "attachment");
        facts_leaf_lines(f, p, ct.type, cte, cd, &ct, &sizes[nleaf], &qp_bytes, &qp_count, &normal,
                         &unicode);
        nleaf++;
    }
    if (qp_bytes > 0) {
        f->qp_ratio = qp_count / qp_bytes;
        f->qp_count = qp_count;
        f->qp_bytes = qp_bytes;
    }
    if (normal > 0)
        f->text_unicode_ratio = unicode / normal;
    if (f->multipart_alternative) {
        bool have_text = false, have_html = false;
        double text = 0, html = 0;

        /* bug 4207: the sizes of the last parts */
        for (size_t i = nleaf; i-- > 0 && !(have_text && have_html);) {
            if (!sizes[i].defined)
                continue;
            if (!have_html && strcmp(sizes[i].type, "text/html") == 0) {
                html = sizes[i].bytes;
                have_html = true;
            } else if (!have_text && strcmp(sizes[i].type, "text/plain") == 0) {
                text = sizes[i].bytes;
                have_text = true;
            }
        }
        if (have_text && have_html && html > 0)
            f->multipart_ratio = text / html;
    }
}

/* The facts of ec's message, worked out on the first call for it. */
static void
mime_facts(struct scan_eval_ctx *ec, struct mime_facts *f)
{
    static const char key = 0;
    bool fresh;
    struct mime_facts *memo = task_memo(ec->task, &key, ec->msg, sizeof(*memo), &fresh);

    if (fresh)
        mime_facts_walk(ec, memo);
    *f = *memo;
}

/* ------------------------------------------------------------------------
 * the functions
 */

static double
check_for_mime(struct scan_eval_ctx *ec)
{
    const char *test = sa_eval_arg(ec->rule, 0);
    struct mime_facts f;

    if (test == NULL)
        return 0;
    mime_facts(ec, &f);
    /* $pms->{$test} ? 1 : 0 for the keys _check_attachments sets; any
     * other key does not exist on $pms */
    if (strcmp(test, "mime_base64_count") == 0)
        return f.base64_count != 0;
    if (strcmp(test, "mime_base64_encoded_text") == 0)
        return f.base64_encoded_text;
    if (strcmp(test, "mime_body_html_count") == 0)
        return f.body_html_count != 0;
    if (strcmp(test, "mime_body_text_count") == 0)
        return f.body_text_count != 0;
    if (strcmp(test, "mime_faraway_charset") == 0)
        return f.faraway_charset;
    if (strcmp(test, "mime_multipart_alternative") == 0)
        return f.multipart_alternative;
    if (strcmp(test, "mime_multipart_ratio") == 0)
        return f.multipart_ratio != 0;
    if (strcmp(test, "mime_qp_count") == 0)
        return f.qp_count != 0;
    if (strcmp(test, "mime_qp_long_line") == 0)
        return f.qp_long_line;
    if (strcmp(test, "mime_qp_ratio") == 0)
        return f.qp_ratio != 0;
    if (strcmp(test, "mime_qp_bytes") == 0)
        return f.qp_bytes != 0;
    if (strcmp(test, "mime_ascii_text_illegal") == 0)
        return f.ascii_text_illegal != 0;
    if (strcmp(test, "mime_text_unicode_ratio") == 0)
        return f.text_unicode_ratio != 0;
    if (strcmp(test, "mime_attachment") == 0)
        return f.attachment != 0;
    if (strcmp(test, "mime_bad_iso_charset") == 0)
        return f.bad_iso_charset;
    if (strcmp(test, "mime_html_charsets") == 0)
        return f.has_html_charsets && sa_eval_perl_true(f.html_charsets.p, f.html_charsets.len);
    if (strcmp(test, "mime_checked_attachments") == 0)
        return 1;
    if (strcmp(test, "mime_missing_boundary") == 0)
        return ec->msg->missing_boundary;
    return 0;
}

/* $pms->get('Content-Type') =~ m{^text/html}i */
static bool
top_type_is_html(struct mime_msg *m)
{
    bool found;
    struct strv ct = mime_get_scalar(m, "Content-Type", &found);

    return found && sv_ci_prefix(ct, "text/html");
}

static double
check_for_mime_html(struct scan_eval_ctx *ec)
{
    struct mime_facts f;

    if (top_type_is_html(ec->msg))
        return 1;
    mime_facts(ec, &f);
    return f.body_html_count > 0;
}

static double
check_for_mime_html_only(struct scan_eval_ctx *ec)
{
    struct mime_facts f;

    if (top_type_is_html(ec->msg))
        return 1;
    mime_facts(ec, &f);
    return f.body_html_count > 0 && f.body_text_count == 0;
}

static double
check_mime_multipart_ratio(struct scan_eval_ctx *ec)
{
    double min = sa_eval_argnum(ec->rule, 0), max = sa_eval_argnum(ec->rule, 1);
    struct mime_facts f;

    mime_facts(ec, &f);
    return f.multipart_ratio >= min && f.multipart_ratio < max;
}

static double
check_msg_parse_flags(struct scan_eval_ctx *ec)
{
    const char *flag = sa_eval_arg(ec->rule, 0);
    const struct mime_msg *m = ec->msg;

    if (flag == NULL)
        return 0;
    if (strcmp(flag, "missing_head_body_separator") == 0)
        return m->missing_head_body_separator;
    if (strcmp(flag, "truncated_header") == 0)
        return m->truncated_header;
    if (strcmp(flag, "missing_mime_headers") == 0)
        return m->missing_mime_headers;
    if (strcmp(flag, "missing_mime_head_body_separator") == 0)
        return m->missing_mime_head_body_separator;
    if (strcmp(flag, "mime_epilogue_exists") == 0)
        return m->mime_epilogue_exists;
    if (strcmp(flag, "mimepart_limit_exceeded") == 0)
        return m->mimepart_limit_exceeded;
    return 0;
}

static double
check_for_ascii_text_illegal(struct scan_eval_ctx *ec)
{
    struct mime_facts f;

    mime_facts(ec, &f);
    return f.ascii_text_illegal > 0;
}

static double
check_abundant_unicode_ratio(struct scan_eval_ctx *ec)
{
    const char *ratio = sa_eval_arg(ec->rule, 0);
    struct mime_facts f;
    size_t i = 0, nd = 0, nf = 0;

    /* /^\d{0,3}\.\d{1,3}$/ */
    if (ratio == NULL)
        return 0;
    while (ratio[i] >= '0' && ratio[i] <= '9')
        i++, nd++;
    if (nd > 3 || ratio[i++] != '.')
        return 0;
    while (ratio[i] >= '0' && ratio[i] <= '9')
        i++, nf++;
    if (nf < 1 || nf > 3 || !(ratio[i] == '\0' || (ratio[i] == '\n' && ratio[i + 1] == '\0')))
        return 0;
    mime_facts(ec, &f);
    return f.text_unicode_ratio >= sa_eval_perl_num(ratio);
}

static double
check_qp_ratio(struct scan_eval_ctx *ec)
{
    struct mime_facts f;

    mime_facts(ec, &f);
    return f.qp_ratio >= sa_eval_argnum(ec->rule, 0);
}

/* MIMEEval's get_charset_from_ct_line on $pms->get('Content-Type', undef) */
static bool
top_ct_charset(struct mime_msg *m, struct strv *out)
{
    bool found;
    struct strv ct = mime_get_scalar(m, "Content-Type", &found);

    if (!found)
        return false;
    for (int form = 0; form < 3; form++) { /* charset="..." then '...' then \S+ */
        for (size_t i = 0; i + 8 <= ct.len; i++) {
            size_t j = i + 8, k;

            if (!sv_ci_prefix(strv_make(ct.p + i, ct.len - i), "charset="))
                continue;
            if (form < 2) {
                char q = form == 0 ? '"' : '\'';
                const char *e;

                if (j >= ct.len || ct.p[j] != q)
                    continue;
                e = memchr(ct.p + j + 1, q, ct.len - j - 1);
                if (e == NULL || e == ct.p + j + 1)
                    continue;
                *out = strv_make(ct.p + j + 1, (size_t)(e - (ct.p + j + 1)));
                return true;
            }
            for (k = j; k < ct.len && !is_sp((unsigned char)ct.p[k]); k++)
                ;
            if (k > j) {
                *out = strv_make(ct.p + j, k - j);
                return true;
            }
        }
    }
    return false;
}

static double
check_for_faraway_charset(struct scan_eval_ctx *ec)
{
    struct strv cs;
    struct mime_view body;
    size_t his = 0, total = 0;

    if (sa_eval_locales_all(ec))
        return 0;
    if (!top_ct_charset(ec->msg, &cs) || sa_eval_charset_ok(ec, cs))
        return 0;
    /* are_more_high_bits_set(join("\n", @$body)) */
    body = sa_eval_text(ec);
    for (size_t i = 0; i < body.n; i++) {
        total += body.lines[i].len + (i > 0);
        for (size_t k = 0; k < body.lines[i].len; k++)
            his += (unsigned char)body.lines[i].p[k] >= 0x80;
    }
    return total - his <= his && his > 3;
}

/* /^[-_a-z0-9]*(?:koi|jp|jis|euc|gb|big5|isoir|cp1251|windows-1251|
 * georgianps|pt154|tis)[-_a-z0-9]*$/ix */
static bool
charset_fp_as_caps(struct strv cs)
{
    static const char *const frag[] = { "koi",          "jp",         "jis",   "euc",
                                        "gb",           "big5",       "isoir", "cp1251",
                                        "windows-1251", "georgianps", "pt154", "tis" };
    char low[128];

    if (cs.len > 0 && cs.p[cs.len - 1] == '\n')
        cs.len--;
    if (cs.len >= sizeof(low))
        return false;
    for (size_t i = 0; i < cs.len; i++) {
        char c = cs.p[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
        low[i] = c;
    }
    low[cs.len] = '\0';
    for (size_t i = 0; i < sizeof(frag) / sizeof(frag[0]); i++) {
        if (strstr(low, frag[i]) != NULL)
            return true;
    }
    return false;
}

static bool
body_charset_is_likely_to_fp(struct scan_eval_ctx *ec)
{
    struct mime_facts f;
    struct strv cs;
    size_t i = 0;

    mime_facts(ec, &f);
    if (top_ct_charset(ec->msg, &cs) && charset_fp_as_caps(cs))
        return true;
    while (f.has_html_charsets && i < f.html_charsets.len) { /* split(' ') */
        size_t e;

        while (i < f.html_charsets.len && is_sp((unsigned char)f.html_charsets.p[i]))
            i++;
        for (e = i; e < f.html_charsets.len && !is_sp((unsigned char)f.html_charsets.p[e]); e++)
            ;
        if (e > i && charset_fp_as_caps(strv_make(f.html_charsets.p + i, e - i)))
            return true;
        i = e;
    }
    return false;
}

/* /^(?:[A-Za-z0-9+\/=]{60,76} ){2}/: lingering base64 */
static bool
base64_line(struct strv l)
{
    size_t i = 0;

    for (int g = 0; g < 2; g++) {
        size_t s = i;

        while (i < l.len && ((l.p[i] >= 'A' && l.p[i] <= 'Z') || (l.p[i] >= 'a' && l.p[i] <= 'z') ||
                             (l.p[i] >= '0' && l.p[i] <= '9') || l.p[i] == '+' || l.p[i] == '/' ||
                             l.p[i] == '='))
            i++;
        if (i - s < 60 || i - s > 76 || i >= l.len || l.p[i] != ' ')
            return false;
        i++;
    }
    return true;
}

/* /\S\s+\S/ */
static bool
has_inner_space(struct strv l)
{
    for (size_t i = 1; i + 1 < l.len; i++) {
        if (is_sp((unsigned char)l.p[i]) && !is_sp((unsigned char)l.p[i - 1])) {
            size_t k = i;

            while (k < l.len && is_sp((unsigned char)l.p[k]))
                k++;
            if (k < l.len)
                return true;
            i = k;
        }
    }
    return false;
}

static double
check_for_uppercase(struct scan_eval_ctx *ec)
{
    double min = sa_eval_argnum(ec->rule, 0), max = sa_eval_argnum(ec->rule, 1), pct;
    struct mime_view body;
    double len = 0, lower = 0, upper = 0;

    if (body_charset_is_likely_to_fp(ec))
        return 0;
    body = sa_eval_text(ec);
    for (size_t i = 0; i < body.n; i++) {
        struct strv l = body.lines[i];
        const char *esc;
        size_t cut_b = 0, cut_e = 0;

        if (!has_inner_space(l) || base64_line(l))
            continue;
        /* s/\x1b\$B.*\x1b\(B//gs: shift-JIS codes, greedy */
        if ((esc = memmem(l.p, l.len, "\x1b$B", 3)) != NULL) {
            size_t b = (size_t)(esc - l.p);

            for (size_t k = l.len; k >= b + 6; k--) {
                if (memcmp(l.p + k - 3, "\x1b(B", 3) == 0) {
                    cut_b = b;
                    cut_e = k;
                    break;
                }
            }
        }
        len += (double)(l.len - (cut_e - cut_b));
        for (size_t k = 0; k < l.len; k++) {
            char c = l.p[k];

            if (k >= cut_b && k < cut_e)
                continue;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                lower++;
            else if (c >= 'A' && c <= 'Z')
                upper++;
        }
    }
    if (len < 200)
        return 0;
    pct = upper + lower == 0 ? 0 : upper / (upper + lower) * 100;
    return pct > min && pct <= max;
}

static double
check_ma_non_text(struct scan_eval_ctx *ec)
{
    struct mime_part **parts;
    size_t n = mime_msg_parts(ec->msg, false, &parts);

    for (size_t i = 0; i < n; i++) {
        if (strcmp(parts[i]->type, "multipart/alternative") != 0)
            continue;
        /* find_parts(qr/./, 1, 0): the leaves right under it */
        for (const struct mime_part *c = parts[i]->first; c != NULL; c = c->next) {
            struct strv t = strv_cstr(c->type);

            if (c->has_body_parts || t.len == 0)
                continue;
            if (strv_caseeq(t, "multipart/related") || strv_caseeq(t, "application/rtf") ||
                sv_ci_prefix(t, "text/"))
                continue;
            return 1;
        }
    }
    return 0;
}

static double
check_base64_length(struct scan_eval_ctx *ec)
{
    const char *maxs = sa_eval_arg(ec->rule, 1);
    double min = sa_eval_argnum(ec->rule, 0), max = sa_eval_perl_num(maxs);
    struct mime_part **leaves;
    size_t n = mime_msg_parts(ec->msg, true, &leaves), longest = 0;

    for (size_t i = 0; i < n; i++) {
        struct mime_part *p = leaves[i];
        bool present;
        struct strv ctv = sa_eval_part_header(p, "content-type", &present);
        struct strv cte = sa_eval_part_header_lc(ec->msg->arena, p, "content-transfer-encoding");
        struct mime_ct ct;
        size_t off = 0;
        struct strv l;

        mime_ct_parse(ec->msg->arena, ctv, present, &ct);
        if (strcmp(ct.type, "application/ics") == 0 || !strv_eq(cte, "base64"))
            continue;
        while (sa_eval_raw_line(p->raw, &off, &l)) {
            if (l.len > longest)
                longest = l.len;
        }
    }
    if (maxs != NULL && (double)longest > max)
        return 0;
    return (double)longest >= min;
}

const struct scan_eval_def sa_eval_mime_defs[] = {
    { "check_for_mime", SA_EVAL_BODY_TARGETS, NULL, check_for_mime, 0 },
    { "check_for_mime_html", SA_EVAL_BODY_TARGETS, NULL, check_for_mime_html, 0 },
    { "check_for_mime_html_only", SA_EVAL_BODY_TARGETS, NULL, check_for_mime_html_only, 0 },
    { "check_mime_multipart_ratio", SA_EVAL_BODY_TARGETS, NULL, check_mime_multipart_ratio, 0 },
    /* MIMEEval registers it as TYPE_HEADER_EVALS, a name Conf.pm does not
     * define: SA then accepts it in any rule type, as here */
    { "check_msg_parse_flags", 0, NULL, check_msg_parse_flags, 0 },
    { "check_for_ascii_text_illegal", SA_EVAL_BODY_TARGETS, NULL, check_for_ascii_text_illegal, 0 },
    { "check_abundant_unicode_ratio", SA_EVAL_BODY_TARGETS, NULL, check_abundant_unicode_ratio, 0 },
    { "check_for_faraway_charset", SA_EVAL_BODY_TARGETS, NULL, check_for_faraway_charset, 0 },
    { "check_for_uppercase", SA_EVAL_BODY_TARGETS, NULL, check_for_uppercase, 0 },
    { "check_ma_non_text", SA_EVAL_BODY_TARGETS, NULL, check_ma_non_text, 0 },
    { "check_base64_length", SA_EVAL_BODY_TARGETS, NULL, check_base64_length, 0 },
    { "check_qp_ratio", SA_EVAL_BODY_TARGETS, NULL, check_qp_ratio, 0 },
};
const size_t sa_eval_mime_ndefs = sizeof(sa_eval_mime_defs) / sizeof(sa_eval_mime_defs[0]);
