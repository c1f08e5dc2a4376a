/*
 * sa_eval_freemail.c - SpamAssassin 4.0.1's Plugin::FreeMail.
 * The settings are read from the configuration on a rule's first call and
 * kept in its prepare state, as in sa_eval_wlbl.c; the plugin's patterns
 * (its email regex with RegistryBoundaries' valid_tlds_re, the body
 * clean-up substitutions, the default welcome-list) are PCRE2 patterns
 * written as the Perl ones, which run on byte strings as they do in SA.
 * What SA caches per message (the body's freemails) is kept per message
 * too (task_memo). Where SA walks a hash the result cannot depend on the order (only
 * the description can), with one exception kept out on purpose: SA matches
 * freemail_import_*welcomelist_auth entries with /$regexp/o, which compiles
 * once per process, so only the first entry it ever tries counts there;
 * here every entry counts, as the documentation says.
 */
#include "compat/sa_eval_freemail.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_conf.h"
#include "compat/sa_eval_addrlist.h"
#include "compat/sa_eval_util.h"
#include "compat/sa_regex.h"
#include "core/buf.h"
#include "core/strset.h"
#include "core/xmalloc.h"
#include "mime/mime_get.h"
#include "mime/mime_url.h"
#include "mime/mime_uris.h"
#include "mime/mime_views.h"

/* The local part of FreeMail's email regex */
#define FM_LOCAL "[a-z0-9!#$%&'*+/=?^_`{|}~-]"

/* Limits SA hard-codes ("sanity") */
#define FM_MAX_MAILTO 20
#define FM_MAX_BODY   40

/* What the configuration says, built on first use. */
struct fm_conf {
    bool available; /* some freemail_domains */
    struct strset domains, welcome;
    pcre2_code *domains_re; /* \@(?:wildcards)$, or NULL */
    pcre2_code *email_re, *mailto_re, *strip_urls, *strip_emails;
    double max_emails, max_freemails;
    bool skip_over_max, skip_bulk, describe;
    bool import_auth, import_def_auth;
    struct sa_addrlist auth, def_auth;
};

enum fm_what { FM_REPLYTO, FM_REPLY, FM_WHAT_INVALID };

/* A rule's state. */
struct fm_state {
    struct arena *a; /* the engine's */
    pcre2_code *re;  /* the rule's regex argument, or NULL */
    bool re_invalid; /* one SA refuses: the function says 0 */
    const char *header;
    enum fm_what what;
    pcre2_code *email_wl, *skip_envfrom;
    struct fm_conf *fc; /* without a configuration */
};

/* One call. */
struct fm_run {
    struct scan_eval_ctx *ec;
    struct fm_state *st;
    const struct fm_conf *fc;
    struct mime_msg *m;
    struct arena *a; /* the task's */
    pcre2_match_data *md;
};

/* ------------------------------------------------------------------------
 * the configuration
 */

/* Compile with JIT when it is available (the body patterns run at every
 * position of every body line). */
static pcre2_code *
fm_compile(struct arena *a, const char *pat, uint32_t opts)
{
    struct sift_err err;
    pcre2_code *re = sa_eval_re_compile(a, pat, opts, &err);

    if (re != NULL)
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* A numeric setting: the last value that is a number
 * (/^[+-]?\d+(?:\.\d*)?\z/, the others SA refuses), or def. */
static double
fm_num(const struct sa_conf *c, const char *key, double def)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, key, &v);
    double r = def;

    for (size_t i = 0; i < n; i++) {
        size_t k = 0, d;

        if (k < v[i].len && (v[i].p[k] == '+' || v[i].p[k] == '-'))
            k++;
        for (d = k; k < v[i].len && v[i].p[k] >= '0' && v[i].p[k] <= '9'; k++)
            ;
        if (k == d)
            continue;
        if (k < v[i].len && v[i].p[k] == '.') {
            k++;
            while (k < v[i].len && v[i].p[k] >= '0' && v[i].p[k] <= '9')
                k++;
        }
        if (k == v[i].len)
            r = strtod(v[i].p, NULL);
    }
    return r;
}

/* RegistryBoundaries' valid_tlds_re from util_rb_tld */
static void
fm_tlds(struct arena *a, const struct sa_conf *c, struct buf *b)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, "util_rb_tld", &v), count = 0;
    struct strset seen;

    strset_init(&seen, a);
    for (size_t i = 0; i < n; i++) {
        size_t pos = 0;
        struct strv w;

        if (memchr(v[i].p, '.', v[i].len) != NULL) /* ^[^\s.]+(?:\s+[^\s.]+)*$ */
            continue;
        while (sa_addrlist_word(v[i], &pos, &w))
            strset_add(&seen, mime_idn_to_ascii(a, w));
    }
    for (size_t i = 0; i < seen.n; i++) {
        buf_puts(b, count++ == 0 ? "(?:(?<![a-zA-Z0-9-])(?:" : "|");
        buf_append(b, seen.items[i].p, seen.items[i].len);
    }
    /* without TLDs SA uses qr/no_tlds_defined/ so as not to match all */
    buf_puts(b, count > 0 ? ")(?!(?:[a-zA-Z0-9-]|\\.[a-zA-Z0-9])))" : "(?:no_tlds_defined)");
}

/* freemail_domains: exact domains, and the wildcard ones as one pattern */
static void
fm_domains(struct fm_conf *fc, struct arena *a, const struct sa_conf *c)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, "freemail_domains", &v), nwild = 0;
    struct strset wild;
    struct buf b;

    strset_init(&fc->domains, a);
    strset_init(&wild, a);
    for (size_t i = 0; i < n; i++) {
        size_t pos = 0;
        struct strv w;

        while (sa_addrlist_word(v[i], &pos, &w)) {
            struct strv d;
            bool ok = true;

            for (size_t k = 0; k < w.len && ok; k++) /* tr/a-zA-Z0-9.*?-//c */
                ok = (w.p[k] >= 'a' && w.p[k] <= 'z') || (w.p[k] >= 'A' && w.p[k] <= 'Z') ||
                     (w.p[k] >= '0' && w.p[k] <= '9') || strchr(".*?-", w.p[k]) != NULL;
            if (!ok)
                continue; /* SA warns: invalid freemail_domains */
            d = sa_eval_lc(a, w);
            if (memchr(d.p, '*', d.len) != NULL || memchr(d.p, '?', d.len) != NULL)
                strset_add(&wild, d);
            else
                strset_add(&fc->domains, d);
        }
    }
    buf_init(&b);
    for (size_t i = 0; i < wild.n; i++) {
        buf_puts(&b, nwild++ == 0 ? "@(?:" : "|");
        for (size_t k = 0; k < wild.items[i].len; k++) {
            char ch = wild.items[i].p[k];

            buf_puts(&b, ch == '.' ? "\\." : ch == '?' ? "." : ch == '*' ? "[^.]*" : "");
            if (ch != '.' && ch != '?' && ch != '*')
                buf_putc(&b, ch);
        }
    }
    if (nwild > 0) {
        buf_puts(&b, ")$");
        buf_putc(&b, '\0');
        fc->domains_re = fm_compile(a, b.p, 0);
    }
    buf_clear(&b);
    fc->available = fc->domains.n + nwild > 0;
}

/* freemail_welcomelist: lc words that look like an address or a domain */
static void
fm_welcome(struct fm_conf *fc, struct arena *a, const struct sa_conf *c)
{
    const struct strv *v;
    size_t n = sa_conf_values(c, "freemail_welcomelist", &v);

    strset_init(&fc->welcome, a);
    for (size_t i = 0; i < n; i++) {
        size_t pos = 0;
        struct strv w;

        while (sa_addrlist_word(v[i], &pos, &w)) {
            struct strv d = sa_eval_lc(a, w);
            bool ok = false;

            for (size_t k = 1; k + 1 < d.len && !ok; k++) /* /\w[.@]\w/ */
                ok = (d.p[k] == '.' || d.p[k] == '@') &&
                     sa_eval_is_word((uint8_t)d.p[k - 1], false) &&
                     sa_eval_is_word((uint8_t)d.p[k + 1], false);
            if (ok)
                strset_add(&fc->welcome, d);
        }
    }
}

/* FreeMail's patterns made with the TLDs */
static void
fm_patterns(struct fm_conf *fc, struct arena *a, const struct sa_conf *c)
{
    struct buf tld, email;
    char *p;

    buf_init(&tld);
    buf_init(&email);
    fm_tlds(a, c, &tld);
    buf_puts(&email, "(?=.{0,64}@)(?<!" FM_LOCAL ")(" FM_LOCAL "+(?:\\." FM_LOCAL
                     "+)*@(?:[a-z0-9](?:[a-z0-9-]{0,59}[a-z0-9])?\\.){1,4}");
    buf_append(&email, tld.p, tld.len);
    buf_putc(&email, ')');
    buf_putc(&email, '\0');
    fc->email_re = fm_compile(a, email.p, PCRE2_CASELESS);
    p = arena_printf(a, "^(?i:mailto):%s", email.p);
    fc->mailto_re = fm_compile(a, p, PCRE2_CASELESS);
    fc->strip_urls = fm_compile(a, "<?https?://\\S{0,255}(?:@|%40)\\S{0,255}", PCRE2_CASELESS);
    p = arena_printf(a,
                     "<?(?<!mailto:)%s(?:>|\\s{1,10}(?!(?:fa(?:x|csi)|tel|phone|e?-?mail))"
                     "[a-z]{2,11}:)",
                     email.p);
    fc->strip_emails = fm_compile(a, p, PCRE2_CASELESS);
    buf_clear(&tld);
    buf_clear(&email);
}

static struct fm_conf *
fm_conf_build(struct arena *a, const struct sa_conf *c)
{
    struct fm_conf *fc = arena_calloc(a, 1, sizeof(*fc));

    strset_init(&fc->domains, a);
    strset_init(&fc->welcome, a);
    if (c == NULL)
        return fc;
    fm_domains(fc, a, c);
    if (!fc->available)
        return fc;
    fm_welcome(fc, a, c);
    fm_patterns(fc, a, c);
    fc->max_emails = fm_num(c, "freemail_max_body_emails", 5);
    fc->max_freemails = fm_num(c, "freemail_max_body_freemails", 3);
    fc->skip_over_max = fm_num(c, "freemail_skip_when_over_max", 1) != 0;
    fc->skip_bulk = fm_num(c, "freemail_skip_bulk_envfrom", 1) != 0;
    fc->describe = fm_num(c, "freemail_add_describe_email", 1) != 0;
    fc->import_auth = fm_num(c, "freemail_import_welcomelist_auth", 0) != 0;
    fc->import_def_auth = fm_num(c, "freemail_import_def_welcomelist_auth", 0) != 0;
    if (fc->import_auth)
        sa_addrlist_build(a, c, "welcomelist_auth", &fc->auth);
    if (fc->import_def_auth)
        sa_addrlist_build(a, c, "def_welcomelist_auth", &fc->def_auth);
    return fc;
}

/* ------------------------------------------------------------------------
 * prepare: the rule's arguments and the fixed patterns
 */

/* $email_welcomelist and $skip_replyto_envfrom, as FreeMail.pm has them (/xi) */
static const char fm_email_wl[] =
    "^(?:abuse|support|sales|info|helpdesk|contact|kontakt"
    "|(?:post|host|domain)master"
    "|undisclosed.*"
    "|request-[a-f0-9]{16}"
    "|bounced?-"
    "|[a-f0-9]{8}(?:\\.[a-f0-9]{8}|-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})"
    "|.+=.+=.+"
    ")@";
static const char fm_skip_envfrom[] = "(?:^(?:post|host|domain)master"
                                      "|^double-bounce"
                                      "|^(?:sentto|owner|return|(?:gr)?bounced?)-.+"
                                      "|-(?:request|bounces?|admin|owner)"
                                      "|\\b(?:do[._-t]?)?no[._-t]?repl(?:y|ies)"
                                      "|.+=.+"
                                      ")@";

/* The state, with the rule's regex argument i (when given) compiled as
 * Util::compile_regexp($regex, 0) would: no delimiters, no flags. */
static int
fm_prepare(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err,
           long regex_arg)
{
    struct fm_state *st = arena_calloc(a, 1, sizeof(*st));
    const char *rx = regex_arg >= 0 ? sa_eval_arg(rule, (size_t)regex_arg) : NULL;

    st->a = a;
    st->email_wl = sa_eval_re_compile(a, fm_email_wl, PCRE2_CASELESS, err);
    st->skip_envfrom = sa_eval_re_compile(a, fm_skip_envfrom, PCRE2_CASELESS, err);
    if (st->email_wl == NULL || st->skip_envfrom == NULL)
        return -1;
    if (rx != NULL) {
        struct sa_regex out;
        enum sa_regex_status s = sa_regex_translate(a, strv_cstr(rx), strv_make("", 0), &out, err);

        if (s == SA_RE_INVALID) {
            st->re_invalid = true; /* SA warns and the function says 0 */
        } else if (s != SA_RE_OK ||
                   (st->re = sa_eval_re_compile(a, out.pattern, sa_regex_pcre2_options(out.flags),
                                                err)) == NULL) {
            return -1;
        }
    }
    *state = st;
    return 0;
}

static int
prep_regex0(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    return fm_prepare(a, rule, state, err, 0);
}

static int
prep_header(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    const char *h = sa_eval_arg(rule, 0);

    if (fm_prepare(a, rule, state, err, 1) == -1)
        return -1;
    ((struct fm_state *)*state)->header = h != NULL ? arena_strdup(a, h) : NULL;
    return 0;
}

static int
prep_replyto(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    const char *w = sa_eval_arg(rule, 0);
    struct fm_state *st;

    if (fm_prepare(a, rule, state, err, -1) == -1)
        return -1;
    st = *state;
    if (w == NULL || strcmp(w, "replyto") == 0)
        st->what = FM_REPLYTO;
    else if (strcmp(w, "reply") == 0)
        st->what = FM_REPLY;
    else
        st->what = FM_WHAT_INVALID; /* SA warns and says 0 */
    return 0;
}

/* ------------------------------------------------------------------------
 * one call
 */

static bool
fm_run_init(struct fm_run *r, struct scan_eval_ctx *ec)
{
    r->ec = ec;
    r->st = ec->state;
    if (ec->data != NULL) {
        /* one build per configuration, shared by every FreeMail rule */
        static const char fm_conf_key;
        bool fresh;
        struct fm_conf **slot = sa_conf_memo(ec->data, &fm_conf_key, sizeof(*slot), &fresh);

        if (fresh)
            *slot = fm_conf_build(sa_conf_arena(ec->data), ec->data);
        r->fc = *slot;
    } else {
        if (r->st->fc == NULL)
            r->st->fc = fm_conf_build(r->st->a, NULL);
        r->fc = r->st->fc;
    }
    if (!r->fc->available)
        return false;
    r->m = ec->msg != NULL ? ec->msg : task_message(ec->task);
    r->a = ec->task->arena;
    r->md = pcre2_match_data_create(8, NULL);
    if (r->md == NULL)
        xalloc_die(8 * 2 * sizeof(PCRE2_SIZE));
    return true;
}

static double
fm_done(struct fm_run *r, double v)
{
    pcre2_match_data_free(r->md);
    return v;
}

static bool
fm_match(const struct fm_run *r, const pcre2_code *re, struct strv s, size_t off)
{
    return re != NULL &&
           pcre2_match(re, (PCRE2_SPTR)(s.p != NULL ? s.p : ""), s.len, off, 0, r->md, NULL) >= 0;
}

/* _is_freemail on a lower-cased address */
static bool
fm_is_freemail(const struct fm_run *r, struct strv email)
{
    const struct fm_conf *fc = r->fc;
    struct strv domain = email;

    if (email.len == 0 || strset_has(&fc->welcome, email))
        return false;
    for (size_t k = email.len; k-- > 0;) { /* s/.*\@// */
        if (email.p[k] == '@') {
            domain = strv_make(email.p + k + 1, email.len - k - 1);
            break;
        }
    }
    if (strset_has(&fc->welcome, domain) || fm_match(r, r->st->email_wl, email, 0))
        return false;
    if ((fc->import_auth && sa_addrlist_match_pattern(&fc->auth, email)) ||
        (fc->import_def_auth && sa_addrlist_match_pattern(&fc->def_auth, email)))
        return false;
    return strset_has(&fc->domains, domain) || fm_match(r, fc->domains_re, email, 0);
}

/* _test_log: the addresses, @ written (at) */
static void
fm_log(struct fm_run *r, const char *text)
{
    struct buf b;

    if (!r->fc->describe)
        return;
    buf_init(&b);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '@')
            buf_puts(&b, "(at)");
        else
            buf_putc(&b, *p);
    }
    buf_putc(&b, '\0');
    r->ec->option = arena_strdup(r->a, b.p);
    buf_clear(&b);
}

/* map(lc, $pms->get(request)) */
static size_t
fm_get_lc(struct fm_run *r, const char *request, struct strv **out)
{
    const struct mime_get *g = mime_get(r->m, request);
    struct strv *v = arena_alloc(r->a, (g->n + 1) * sizeof(*v));

    for (size_t i = 0; i < g->n; i++)
        v[i] = sa_eval_lc(r->a, g->v[i]);
    *out = v;
    return g->n;
}

/* s/re/ /g on s */
static struct strv
fm_subst(struct fm_run *r, const pcre2_code *re, struct strv s)
{
    struct buf b;
    size_t off = 0, last = 0;
    struct strv out;

    buf_init(&b);
    while (off <= s.len && fm_match(r, re, s, off)) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);

        buf_append(&b, s.p + last, ov[0] - last);
        buf_putc(&b, ' ');
        last = ov[1];
        off = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    }
    if (last == 0) {
        buf_clear(&b);
        return s;
    }
    buf_append(&b, s.p + last, s.len - last);
    out = strv_make(arena_strndup(r->a, b.p, b.len), b.len);
    buf_clear(&b);
    return out;
}

/* What _parse_body leaves: the body's freemails (its freemail_cache), or
 * skip when there were too many addresses. */
struct fm_body {
    bool skip;
    struct strset freemails;
};

/* Add lc(group 1 of the last match) unless seen; the count after. */
static size_t
fm_collect(struct fm_run *r, struct strset *seen, struct strv s)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);

    strset_add(seen, sa_eval_lc(r->a, strv_make(s.p + ov[2], ov[3] - ov[2])));
    return seen->n;
}

static void
fm_parse_body_work(struct fm_run *r, struct fm_body *out)
{
    const struct fm_conf *fc = r->fc;
    const struct mime_uris *u = mime_msg_uris(r->m);
    const struct mime_view *body = mime_view_body(r->m);
    struct strset seen;
    double all = 0, fm = 0;

    strset_init(&seen, r->a);
    strset_init(&out->freemails, r->a);
    out->skip = false;
    /* <a href="mailto:..."> (they are not in the stripped body) */
    for (size_t i = 0; i < u->n; i++) {
        if (!(u->v[i].html_types & MIME_HTML_URI_A) || (u->v[i].text_types & MIME_URL_PARSED))
            continue;
        if (fm_match(r, fc->mailto_re, u->v[i].raw, 0) &&
            fm_collect(r, &seen, u->v[i].raw) >= FM_MAX_MAILTO)
            break;
    }
    /* the stripped body, less URLs holding addresses and quoted "<addr>"
     * or "addr wrote:" */
    for (size_t i = 0; i < body->n && seen.n < FM_MAX_BODY; i++) {
        struct strv line = fm_subst(r, fc->strip_urls, body->lines[i]);
        size_t off = 0;

        line = fm_subst(r, fc->strip_emails, line);
        while (off <= line.len && fm_match(r, fc->email_re, line, off)) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);

            off = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
            if (fm_collect(r, &seen, line) >= FM_MAX_BODY)
                break;
        }
    }
    for (size_t i = 0; i < seen.n; i++) {
        if (++all == fc->max_emails && fc->skip_over_max) {
            out->skip = true;
            return;
        }
        if (!fm_is_freemail(r, seen.items[i]))
            continue;
        if (++fm == fc->max_freemails && fc->skip_over_max) {
            out->skip = true;
            return;
        }
        strset_add(&out->freemails, seen.items[i]);
    }
}

/* The body's freemails, worked out once per message (SA keeps them in
 * $pms->{freemail_cache}): every rule's settings come from the same
 * configuration, which is the memo's scope. */
static void
fm_parse_body(struct fm_run *r, struct fm_body *out)
{
    static const char key = 0;
    struct fm_memo {
        const struct mime_msg *m;
        struct fm_body body;
    } * memo;
    bool fresh;

    memo = task_memo(r->ec->task, &key, r->ec->data, sizeof(*memo), &fresh);
    if (fresh || memo->m != r->m) {
        fm_parse_body_work(r, &memo->body);
        memo->m = r->m;
    }
    *out = memo->body;
}

/* ------------------------------------------------------------------------
 * the functions
 */

static double
check_freemail_from(struct scan_eval_ctx *ec)
{
    struct fm_run r;
    struct strv *addrs;
    size_t n;

    if (!fm_run_init(&r, ec))
        return 0;
    if (r.st->re_invalid)
        return fm_done(&r, 0);
    n = sa_addrlist_from_addrs(r.m, &addrs);
    for (size_t i = 0; i < n; i++) {
        struct strv email = sa_eval_lc(r.a, addrs[i]);

        if (!fm_is_freemail(&r, email) || (r.st->re != NULL && !fm_match(&r, r.st->re, email, 0)))
            continue;
        fm_log(&r, email.p);
        return fm_done(&r, 1);
    }
    return fm_done(&r, 0);
}

static double
check_freemail_header(struct scan_eval_ctx *ec)
{
    struct fm_run r;
    struct strv *emails;
    size_t n;

    if (!fm_run_init(&r, ec))
        return 0;
    if (r.st->header == NULL || r.st->re_invalid) /* SA: needs argument */
        return fm_done(&r, 0);
    n = fm_get_lc(&r, arena_printf(r.a, "%s:addr", r.st->header), &emails);
    for (size_t i = 0; i < n; i++) {
        if (!fm_is_freemail(&r, emails[i]) ||
            (r.st->re != NULL && !fm_match(&r, r.st->re, emails[i], 0)))
            continue;
        fm_log(&r, emails[i].p);
        return fm_done(&r, 1);
    }
    return fm_done(&r, 0);
}

static double
check_freemail_body(struct scan_eval_ctx *ec)
{
    struct fm_run r;
    struct fm_body body;
    struct buf b;

    if (!fm_run_init(&r, ec))
        return 0;
    fm_parse_body(&r, &body);
    if (body.skip || r.st->re_invalid)
        return fm_done(&r, 0);
    if (r.st->re != NULL) {
        for (size_t i = 0; i < body.freemails.n; i++) {
            if (fm_match(&r, r.st->re, body.freemails.items[i], 0)) {
                fm_log(&r, body.freemails.items[i].p);
                return fm_done(&r, 1);
            }
        }
        return fm_done(&r, 0);
    }
    if (body.freemails.n == 0)
        return fm_done(&r, 0);
    buf_init(&b);
    for (size_t i = 0; i < body.freemails.n; i++) {
        buf_puts(&b, i > 0 ? ", " : "");
        buf_append(&b, body.freemails.items[i].p, body.freemails.items[i].len);
    }
    buf_putc(&b, '\0');
    fm_log(&r, b.p);
    buf_clear(&b);
    return fm_done(&r, 1);
}

static const char *
fm_join(struct arena *a, const struct strv *v, size_t n)
{
    struct buf b;
    char *s;

    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        buf_puts(&b, i > 0 ? "," : "");
        buf_append(&b, v[i].p, v[i].len);
    }
    s = arena_strndup(a, b.p != NULL ? b.p : "", b.len);
    buf_clear(&b);
    return s;
}

/* The Perl's last part: a body freemail that differs from a reply address */
static bool
fm_body_differs(struct fm_run *r, const struct strv *reply, size_t nreply)
{
    struct fm_body body;

    fm_parse_body(r, &body);
    if (body.skip)
        return false;
    for (size_t i = 0; i < body.freemails.n; i++) {
        for (size_t k = 0; k < nreply; k++) {
            if (!strv_equal(body.freemails.items[i], reply[k])) {
                fm_log(r,
                       arena_printf(r->a, "%.*s, %.*s", (int)reply[k].len, reply[k].p,
                                    (int)body.freemails.items[i].len, body.freemails.items[i].p));
                return true;
            }
        }
    }
    return false;
}

static double
check_freemail_replyto(struct scan_eval_ctx *ec)
{
    struct fm_run r;
    struct strv *from, *replyto;
    size_t nfrom, nreplyto, from_fm = 0, replyto_fm = 0;
    bool from_not_in_replyto = true;

    if (!fm_run_init(&r, ec))
        return 0;
    if (r.st->what == FM_WHAT_INVALID)
        return fm_done(&r, 0);
    if (r.fc->skip_bulk) { /* mailing lists and the like: mostly FPs */
        const struct mime_get *env = mime_get(r.m, "EnvelopeFrom");

        if (env->n > 0 && fm_match(&r, r.st->skip_envfrom, env->v[0], 0))
            return fm_done(&r, 0);
    }
    nfrom = fm_get_lc(&r, "From:addr", &from);
    nreplyto = fm_get_lc(&r, "Reply-To:addr", &replyto);
    for (size_t i = 0; i < nfrom; i++)
        from_fm += fm_is_freemail(&r, from[i]);
    for (size_t i = 0; i < nreplyto; i++)
        replyto_fm += fm_is_freemail(&r, replyto[i]);
    for (size_t i = 0; i < nfrom; i++) {
        for (size_t k = 0; k < nreplyto; k++) {
            if (strv_equal(from[i], replyto[k]))
                from_not_in_replyto = false;
        }
    }
    if (from_fm > 0 && replyto_fm > 0 && from_not_in_replyto) {
        fm_log(&r, arena_printf(r.a, "%s -> %s", fm_join(r.a, from, nfrom),
                                fm_join(r.a, replyto, nreplyto)));
        return fm_done(&r, 1);
    }
    if (r.st->what == FM_REPLYTO ? replyto_fm == 0
                                 : ((nreplyto > 0 && replyto_fm == 0) || from_fm == 0))
        return fm_done(&r, 0);
    if (r.st->what == FM_REPLYTO || replyto_fm > 0)
        return fm_done(&r, fm_body_differs(&r, replyto, nreplyto));
    return fm_done(&r, fm_body_differs(&r, from, nfrom));
}

/* ------------------------------------------------------------------------
 * the table
 */

#define HDR (1u << SCAN_T_HEADER)

const struct scan_eval_def sa_eval_freemail_defs[] = {
    { "check_freemail_replyto", HDR, prep_replyto, check_freemail_replyto, 0 },
    { "check_freemail_from", HDR, prep_regex0, check_freemail_from, 0 },
    { "check_freemail_header", HDR, prep_header, check_freemail_header, 0 },
    { "check_freemail_body", HDR, prep_regex0, check_freemail_body, 0 },
};

const size_t sa_eval_freemail_ndefs =
    sizeof(sa_eval_freemail_defs) / sizeof(sa_eval_freemail_defs[0]);
