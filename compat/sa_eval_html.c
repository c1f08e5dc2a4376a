/*
 * sa_eval_html.c - SpamAssassin 4.0.1's Plugin::HTMLEval over the HTML
 * facts mime_html collects (SA's html_all: one html_results per HTML part).
 * Each function walks every HTML part and hits on the first that
 * qualifies, as the plugin does; a value HTML.pm never set (its
 * end-of-document values when html_end did not run, a ratio with no tags)
 * is undefined and never qualifies.
 * html_eval and html_tag_balance take a Perl expression ("!= 0", "< 384")
 * that SA evaluates with eval; it is evaluated here by a small parser of
 * the only syntax their argument check lets through (digits, spaces and
 * < > = ! + -).
 */
#include "sa_eval_html.h"

#include <math.h>
#include <string.h>

#include "sa_eval_util.h"
#include "mime/mime_get.h"

/* A value of html_results as Perl sees it. */
enum hval_kind {
    HV_UNDEF,
    HV_NUM,
    HV_LIST, /* an array ref: list/n hold its strings */
    HV_REF,  /* a hash ref (inside, uri_detail) */
};

struct hval {
    enum hval_kind kind;
    double num;
    const struct strv *list;
    size_t n;
};

/* A reference numifies to its address: some large number. */
#define HV_REF_NUM 1e15

static struct hval
hv_num(double v)
{
    return (struct hval){ HV_NUM, v, NULL, 0 };
}

static struct hval
hv_flag(bool set)
{
    return set ? hv_num(1) : (struct hval){ HV_UNDEF, 0, NULL, 0 };
}

static struct hval
hv_list(const struct strv *v, size_t n)
{
    /* HTML.pm creates these arrays on their first element */
    if (n == 0)
        return (struct hval){ HV_UNDEF, 0, NULL, 0 };
    return (struct hval){ HV_LIST, HV_REF_NUM, v, n };
}

/* html_results->{name} of one HTML part (h->r not NULL). */
static struct hval
html_field(struct mime_msg *m, const struct sa_html *h, const char *name)
{
    const struct mime_html_result *r = h->r;
    bool ended = sa_eval_html_ended(r);
    struct hval undef = { HV_UNDEF, 0, NULL, 0 };

    /* set while parsing */
    if (strcmp(name, "html") == 0)
        return hv_num(1);
    if (strcmp(name, "font_low_contrast") == 0)
        return hv_flag(r->font_low_contrast);
    if (strcmp(name, "font_invalid_color") == 0)
        return hv_flag(r->font_invalid_color);
    if (strcmp(name, "font_face_bad") == 0)
        return hv_flag(r->font_face_bad);
    if (strcmp(name, "form_action_mailto") == 0)
        return hv_flag(r->form_action_mailto);
    if (strcmp(name, "embeds") == 0)
        return hv_flag(r->embeds);
    /* set by Node.pm after parsing */
    if (strcmp(name, "html_length") == 0)
        return hv_num((double)r->html_length);
    if (strcmp(name, "non_space_len") == 0)
        return hv_num((double)r->non_space_len);
    if (strcmp(name, "ratio") == 0) { /* (decoded octets - rendered characters) / decoded octets */
        size_t len = mime_part_decoded(m, h->part).len;

        return len ? hv_num(((double)len - (double)r->html_length) / (double)len) : undef;
    }
    if (!ended)
        return undef;
    /* set by html_end */
    if (strcmp(name, "length") == 0)
        return hv_num((double)r->length);
    if (strcmp(name, "image_area") == 0)
        return hv_num(r->image_area);
    if (strcmp(name, "min_size") == 0)
        return hv_num(r->min_size);
    if (strcmp(name, "max_size") == 0)
        return hv_num(r->max_size);
    if (strcmp(name, "uri_truncated") == 0)
        return hv_flag(r->uri_truncated);
    if (strcmp(name, "closed_extra_ratio") == 0)
        return r->has_closed_extra_ratio ? hv_num(r->closed_extra_ratio) : undef;
    if (strcmp(name, "bad_tag_ratio") == 0)
        return r->has_bad_tag_ratio ? hv_num(r->bad_tag_ratio) : undef;
    if (strcmp(name, "non_element_ratio") == 0)
        return r->has_non_element_ratio ? hv_num(r->non_element_ratio) : undef;
    if (strcmp(name, "obfuscation_ratio") == 0)
        return r->has_obfuscation_ratio ? hv_num(r->obfuscation_ratio) : undef;
    if (strcmp(name, "backhair_count") == 0)
        return r->has_backhair_count ? hv_num(r->backhair_count) : undef;
    if (strcmp(name, "comment") == 0)
        return hv_list(r->comments, r->ncomments);
    if (strcmp(name, "script") == 0)
        return hv_list(r->scripts, r->nscripts);
    if (strcmp(name, "title") == 0)
        return hv_list(r->titles, r->ntitles);
    if (strcmp(name, "anchor") == 0)
        return hv_list(r->anchors, r->nanchors);
    if (strcmp(name, "uri") == 0) { /* always an array, maybe empty */
        struct strv *v = arena_calloc(m->arena, r->nuris ? r->nuris : 1, sizeof(*v));

        for (size_t i = 0; i < r->nuris; i++)
            v[i] = r->uris[i].uri;
        return (struct hval){ HV_LIST, HV_REF_NUM, v, r->nuris };
    }
    if (strcmp(name, "uri_detail") == 0)
        return r->nuris ? (struct hval){ HV_REF, HV_REF_NUM, NULL, 0 } : undef;
    if (strcmp(name, "inside") == 0) /* parse() makes the hash, maybe empty */
        return (struct hval){ HV_REF, HV_REF_NUM, NULL, 0 };
    return undef;
}

/* ------------------------------------------------------------------------
 * eval "$val EXPR" for EXPR of [<>=!\-+ 0-9]
 */

struct pexpr {
    const char *s;
    bool bad;
};

static void
px_ws(struct pexpr *e)
{
    while (*e->s == ' ')
        e->s++;
}

static double
px_unary(struct pexpr *e)
{
    double v = 0;

    px_ws(e);
    if (*e->s == '!') {
        e->s++;
        return px_unary(e) == 0 ? 1 : 0;
    }
    if (*e->s == '-' || *e->s == '+') {
        bool neg = *e->s == '-';

        if (e->s[1] == e->s[0]) { /* ++ and -- need a variable */
            e->bad = true;
            return 0;
        }
        e->s++;
        v = px_unary(e);
        return neg ? -v : v;
    }
    if (*e->s < '0' || *e->s > '9') {
        e->bad = true;
        return 0;
    }
    if (*e->s == '0' && e->s[1] >= '0' && e->s[1] <= '9') { /* Perl: an octal literal */
        while (*e->s >= '0' && *e->s <= '9') {
            if (*e->s > '7')
                e->bad = true;
            v = v * 8 + (*e->s++ - '0');
        }
        return v;
    }
    while (*e->s >= '0' && *e->s <= '9')
        v = v * 10 + (*e->s++ - '0');
    return v;
}

/* first: the value already read ($val), or NULL */
static double
px_additive(struct pexpr *e, const double *first)
{
    double v = first != NULL ? *first : px_unary(e);

    for (;;) {
        px_ws(e);
        if ((*e->s != '+' && *e->s != '-') || e->s[1] == '=')
            return v;
        if (e->s[0] == '+') {
            e->s++;
            v += px_unary(e);
        } else {
            e->s++;
            v -= px_unary(e);
        }
    }
}

/* The comparison at s: its code, its length in *n; 0 when none. Level 0
 * is < > <= >=, level 1 == != <=>. */
static int
px_cmp_op(const char *s, size_t *n, int *level)
{
    static const struct {
        const char *op;
        int code, level;
    } ops[] = {
        { "<=>", 'c', 1 }, { "<=", 'l', 0 }, { ">=", 'g', 0 }, { "==", 'e', 1 },
        { "!=", 'n', 1 },  { "<", '<', 0 },  { ">", '>', 0 },
    };

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t len = strlen(ops[i].op);

        if (strncmp(s, ops[i].op, len) == 0 && (len > 1 || s[1] != s[0])) { /* not << >> */
            *n = len;
            *level = ops[i].level;
            return ops[i].code;
        }
    }
    return 0;
}

static double
px_compare(int op, double a, double b)
{
    switch (op) {
    case '<':
        return a < b;
    case '>':
        return a > b;
    case 'l':
        return a <= b;
    case 'g':
        return a >= b;
    case 'e':
        return a == b;
    case 'n':
        return a != b;
    default: /* <=> */
        return a < b ? -1 : a > b ? 1 : 0;
    }
}

/* One precedence level of comparisons. Perl 5.32 chains them
 * (a < b < c is a < b && b < c); <=> does not chain. */
static double
px_level(struct pexpr *e, int level, const double *first)
{
    double left = level == 0 ? px_additive(e, first) : px_level(e, 0, first);
    size_t nops = 0, n;
    bool all = true;
    int op, lv;

    for (;;) {
        double right;

        px_ws(e);
        op = px_cmp_op(e->s, &n, &lv);
        if (op == 0 || lv != level)
            break;
        e->s += n;
        right = level == 0 ? px_additive(e, NULL) : px_level(e, 0, NULL);
        if (op == 'c') { /* non-associative: nothing of its level around it */
            px_ws(e);
            if (nops > 0 || (px_cmp_op(e->s, &n, &lv) != 0 && lv == level))
                e->bad = true;
            return px_compare(op, left, right);
        }
        if (px_compare(op, left, right) == 0)
            all = false;
        left = right;
        nops++;
    }
    return nops == 0 ? left : all ? 1 : 0;
}

/* Perl's eval "$val $expr": its truth, false when it does not parse. */
static bool
perl_cmp_eval(double val, const char *expr)
{
    struct pexpr e = { expr, false };
    double v;

    px_ws(&e);
    if ((e.s[0] == '=' && e.s[1] != '=') || ((e.s[0] == '+' || e.s[0] == '-') && e.s[1] == '=')) {
        /* an assignment ($val = 5, $val += 1): its value is the new $val */
        char op = e.s[0];

        e.s += op == '=' ? 1 : 2;
        v = px_level(&e, 1, NULL);
        v = op == '=' ? v : op == '+' ? val + v : val - v;
    } else {
        v = px_level(&e, 1, &val);
    }

    px_ws(&e);
    if (e.bad || *e.s != '\0')
        return false;
    return v != 0 && !isnan(v);
}

/* /^([\<\>\=\!\-\+ 0-9]+)$/ */
static bool
expr_chars_ok(const char *s)
{
    size_t n = strlen(s);

    if (n > 0 && s[n - 1] == '\n')
        n--;
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (strchr("<>=!-+ 0123456789", s[i]) == NULL || s[i] == '\0')
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------------
 * the functions
 */

static double
html_tag_balance(struct scan_eval_ctx *ec)
{
    const char *tag = sa_eval_arg(ec->rule, 0), *expr = sa_eval_arg(ec->rule, 1);
    struct sa_html *all;
    size_t n;

    if (tag == NULL || expr == NULL || !expr_chars_ok(expr))
        return 0;
    for (const char *p = tag; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return 0;
    }
    if (*tag == '\0')
        return 0;
    n = sa_eval_html_all(ec->msg, &all);
    for (size_t i = 0; i < n; i++) {
        int c = sa_eval_html_inside(all[i].r, tag);

        if (c >= 0 && perl_cmp_eval(c, expr))
            return 1;
    }
    return 0;
}

static double
html_image_only(struct scan_eval_ctx *ec)
{
    double min = sa_eval_argnum(ec->rule, 0), max = sa_eval_argnum(ec->rule, 1);
    struct sa_html *all;
    size_t n = sa_eval_html_all(ec->msg, &all);

    for (size_t i = 0; i < n; i++) {
        const struct mime_html_result *r = all[i].r;

        if (sa_eval_html_inside(r, "img") >= 0 && sa_eval_html_ended(r) &&
            (double)r->length > min && (double)r->length <= max)
            return 1;
    }
    return 0;
}

static double
html_image_ratio(struct scan_eval_ctx *ec)
{
    double min = sa_eval_argnum(ec->rule, 0), max = sa_eval_argnum(ec->rule, 1);
    struct sa_html *all;
    size_t n = sa_eval_html_all(ec->msg, &all);

    for (size_t i = 0; i < n; i++) {
        const struct mime_html_result *r = all[i].r;
        double ratio;

        if (!sa_eval_html_ended(r) || !(r->image_area > 0))
            continue;
        ratio = (double)r->non_space_len / r->image_area;
        if (ratio > min && ratio <= max)
            return 1;
    }
    return 0;
}

static double
html_charset_faraway(struct scan_eval_ctx *ec)
{
    /* HTMLEval reads $html->{charsets}, which HTML.pm keeps on itself and
     * never puts in its results: in SA 4.0.1 this never hits */
    (void)ec;
    return 0;
}

static double
html_tag_exists(struct scan_eval_ctx *ec)
{
    const char *tag = sa_eval_arg(ec->rule, 0);
    struct sa_html *all;
    size_t n = sa_eval_html_all(ec->msg, &all);

    for (size_t i = 0; tag != NULL && i < n; i++) {
        if (sa_eval_html_inside(all[i].r, tag) >= 0)
            return 1;
    }
    return 0;
}

static double
html_test(struct scan_eval_ctx *ec)
{
    const char *test = sa_eval_arg(ec->rule, 0);
    struct sa_html *all;
    size_t n = sa_eval_html_all(ec->msg, &all);

    for (size_t i = 0; test != NULL && i < n; i++) {
        struct hval v;

        if (all[i].r == NULL)
            continue;
        v = html_field(ec->msg, &all[i], test);
        if (v.kind == HV_LIST || v.kind == HV_REF || (v.kind == HV_NUM && v.num != 0))
            return 1;
    }
    return 0;
}

static double
html_eval(struct scan_eval_ctx *ec)
{
    const char *test = sa_eval_arg(ec->rule, 0), *expr = sa_eval_arg(ec->rule, 1);
    struct sa_html *all;
    size_t n;

    if (test == NULL || expr == NULL || !expr_chars_ok(expr))
        return 0;
    n = sa_eval_html_all(ec->msg, &all);
    for (size_t i = 0; i < n; i++) {
        struct hval v;

        if (all[i].r == NULL)
            continue;
        v = html_field(ec->msg, &all[i], test);
        if (v.kind != HV_UNDEF && perl_cmp_eval(v.num, expr))
            return 1;
    }
    return 0;
}

static double
html_range(struct scan_eval_ctx *ec)
{
    const char *test = sa_eval_arg(ec->rule, 0), *maxs = sa_eval_arg(ec->rule, 2);
    double min = sa_eval_argnum(ec->rule, 1), max = sa_eval_perl_num(maxs);
    struct sa_html *all;
    size_t n = sa_eval_html_all(ec->msg, &all);

    for (size_t i = 0; test != NULL && i < n; i++) {
        struct hval v;

        if (all[i].r == NULL)
            continue;
        v = html_field(ec->msg, &all[i], test);
        if (v.kind == HV_UNDEF)
            continue;
        if (maxs == NULL || strcmp(maxs, "inf") == 0) {
            if (v.num > min)
                return 1;
        } else if (v.num > min && v.num <= max) {
            return 1;
        }
    }
    return 0;
}

static int
text_match_prepare(struct arena *a, const struct scan_rule *rule, void **state,
                   struct sift_err *err)
{
    const char *re = sa_eval_arg(rule, 1);

    if (sa_eval_arg(rule, 0) == NULL || re == NULL) {
        sift_err_set(err, "%s: needs a field and a pattern", rule->eval);
        return -1;
    }
    /* Util::compile_regexp compiles qr/$re/aa: ASCII classes, characters */
    *state = sa_eval_re_compile(a, re, PCRE2_UTF, err);
    return *state != NULL ? 0 : -1;
}

static double
text_match_common(struct scan_eval_ctx *ec, bool want)
{
    const pcre2_code *re = ec->state;
    const char *field = sa_eval_arg(ec->rule, 0);
    struct sa_html *all;
    size_t n;

    if (re == NULL || field == NULL)
        return 0;
    n = sa_eval_html_all(ec->msg, &all);
    for (size_t i = 0; i < n; i++) {
        struct hval v;

        if (all[i].r == NULL)
            continue;
        v = html_field(ec->msg, &all[i], field);
        if (v.kind != HV_LIST)
            continue;
        for (size_t k = 0; k < v.n; k++) {
            if (sa_eval_re_search(re, v.list[k], 0, NULL, 0) == want)
                return 1;
        }
    }
    return 0;
}

static double
html_text_match(struct scan_eval_ctx *ec)
{
    return text_match_common(ec, true);
}

static double
html_text_not_match(struct scan_eval_ctx *ec)
{
    return text_match_common(ec, false);
}

static double
html_title_subject_ratio(struct scan_eval_ctx *ec)
{
    double want = sa_eval_argnum(ec->rule, 0);
    bool found;
    struct strv subject = mime_get_scalar(ec->msg, "Subject", &found);
    struct sa_html *all;
    size_t n;

    if (!found || subject.len == 0)
        return 0;
    n = sa_eval_html_all(ec->msg, &all);
    for (size_t i = 0; i < n; i++) {
        const struct mime_html_result *r = all[i].r;
        double max = 0;

        /* a title's characters over the Subject's octets, as SA has them */
        for (size_t k = 0; r != NULL && k < r->ntitles; k++) {
            struct strv t = r->titles[k];
            double ratio;

            if (!sa_eval_perl_true(t.p, t.len))
                continue;
            ratio = (double)sa_eval_utf8_count(t.p, t.len) / (double)subject.len;
            if (ratio > max)
                max = ratio;
        }
        if (max > want)
            return 1;
    }
    return 0;
}

static double
check_iframe_src(struct scan_eval_ctx *ec)
{
    struct sa_html *all;
    size_t n = sa_eval_html_all(ec->msg, &all);

    for (size_t i = 0; i < n; i++) {
        const struct mime_html_result *r = all[i].r;

        for (size_t k = 0; r != NULL && k < r->nuris; k++) {
            if (r->uris[k].types & MIME_HTML_URI_IFRAME)
                return 1;
        }
    }
    return 0;
}

const struct scan_eval_def sa_eval_html_defs[] = {
    { "html_tag_balance", SA_EVAL_BODY_TARGETS, NULL, html_tag_balance, 0 },
    { "html_image_only", SA_EVAL_BODY_TARGETS, NULL, html_image_only, 0 },
    { "html_image_ratio", SA_EVAL_BODY_TARGETS, NULL, html_image_ratio, 0 },
    { "html_charset_faraway", SA_EVAL_BODY_TARGETS, NULL, html_charset_faraway, 0 },
    { "html_tag_exists", SA_EVAL_BODY_TARGETS, NULL, html_tag_exists, 0 },
    { "html_test", SA_EVAL_BODY_TARGETS, NULL, html_test, 0 },
    { "html_eval", SA_EVAL_BODY_TARGETS, NULL, html_eval, 0 },
    { "html_text_match", SA_EVAL_BODY_TARGETS, text_match_prepare, html_text_match, 0 },
    { "html_title_subject_ratio", SA_EVAL_BODY_TARGETS, NULL, html_title_subject_ratio, 0 },
    { "html_text_not_match", SA_EVAL_BODY_TARGETS, text_match_prepare, html_text_not_match, 0 },
    { "html_range", SA_EVAL_BODY_TARGETS, NULL, html_range, 0 },
    { "check_iframe_src", SA_EVAL_BODY_TARGETS, NULL, check_iframe_src, 0 },
};
const size_t sa_eval_html_ndefs = sizeof(sa_eval_html_defs) / sizeof(sa_eval_html_defs[0]);
