/*
 * sa_conf_cond.c - `if` and `ifplugin` as Conf::Parser::handle_conditional
 * evaluates them, and which plugins count as loaded.
 *
 * SA turns the tokens of the condition into Perl and evals it: numbers
 * and operators stay, `version` is 4.000001, `perl_version` 5.036000,
 * `local_tests_only` 0 or 1, plugin(X)/can(X)/has(X) become method calls
 * and a class name a quoted string; any other token makes SA give up on
 * the line without opening a block. Here the same token list is read by a
 * small evaluator with Perl's precedence and truth; a Perl syntax error
 * makes the condition false (the block is opened and skipped), as the
 * failed eval does in SA.
 */
#include "compat/sa_conf_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xmalloc.h"

#define COND_VERSION      4.000001
#define COND_PERL_VERSION 5.036000
#define COND_MAX_TOKENS   256
#define COND_MAX_DEPTH    64

#define PLUGIN_PREFIX "Mail::SpamAssassin::Plugin::"

/* Mail::SpamAssassin 4.0.1's plugins (lib/Mail/SpamAssassin/Plugin/). */
static const char *const sa_plugins[] = {
    "ASN",
    "AWL",
    "AccessDB",
    "AntiVirus",
    "AskDNS",
    "AuthRes",
    "AutoLearnThreshold",
    "Bayes",
    "BodyEval",
    "BodyRuleBaseExtractor",
    "Check",
    "DCC",
    "DKIM",
    "DMARC",
    "DNSEval",
    "DecodeShortURLs",
    "ExtractText",
    "FreeMail",
    "FromNameSpoof",
    "HTMLEval",
    "HTTPSMismatch",
    "HashBL",
    "HeaderEval",
    "ImageInfo",
    "MIMEEval",
    "MIMEHeader",
    "OLEVBMacro",
    "OneLineBodyRuleType",
    "P595Body",
    "PDFInfo",
    "PhishTag",
    "Phishing",
    "Pyzor",
    "Razor2",
    "RelayCountry",
    "RelayEval",
    "ReplaceTags",
    "ResourceLimits",
    "Reuse",
    "Rule2XSBody",
    "SPF",
    "Shortcircuit",
    "SpamCop",
    "Test",
    "TextCat",
    "TxRep",
    "URIDNSBL",
    "URIDetail",
    "URIEval",
    "URILocalBL",
    "VBounce",
    "WLBLEval",
    "WelcomeListSubject",
    NULL,
};

/* Debian 4.0.1-1~deb12u1's /etc/spamassassin/{init,v310,...,v401}.pre,
 * the lines not commented out. */
const char *const sa_debian_plugins[] = {
    "URIDNSBL",
    "SPF",
    "Rule2XSBody",
    "Pyzor",
    "Razor2",
    "SpamCop",
    "AutoLearnThreshold",
    "WelcomeListSubject",
    "MIMEHeader",
    "ReplaceTags",
    "DKIM",
    "Check",
    "HTTPSMismatch",
    "URIDetail",
    "Bayes",
    "BodyEval",
    "DNSEval",
    "HTMLEval",
    "HeaderEval",
    "MIMEEval",
    "RelayEval",
    "URIEval",
    "WLBLEval",
    "VBounce",
    "ImageInfo",
    "FreeMail",
    "AskDNS",
    "HashBL",
    "DMARC",
    NULL,
};

/* What can(...) answers true to: Conf.pm's feature subs (all return 1 on
 * Perl 5.36), and the has_* subs of plugins (true once the plugin is
 * loaded). "Class::" entries are per plugin. */
static const char *const sa_conf_features[] = {
    "feature_originating_ip_headers",
    "feature_dns_local_ports_permit_avoid",
    "feature_bayes_auto_learn_on_error",
    "feature_uri_host_listed",
    "feature_yesno_takes_args",
    "feature_bug6558_free",
    "feature_edns",
    "feature_dns_query_restriction",
    "feature_registryboundaries",
    "feature_geodb",
    "feature_dns_block_rule",
    "feature_compile_regexp",
    "feature_meta_rules_matching",
    "feature_subjprefix",
    "feature_bayes_stopwords",
    "feature_get_host",
    "feature_blocklist_welcomelist",
    "feature_welcomelist_blocklist",
    "feature_header_address_parser",
    "feature_local_tests_only",
    "feature_header_first_last",
    "feature_header_match_many",
    "feature_capture_rules",
    "has_tflags_nosubject",
    "has_tflags_nolog",
    "perl_min_version_5010000",
    NULL,
};

static const struct {
    const char *plugin, *method;
} sa_plugin_features[] = {
    { "ASN", "has_asn_lookup_ipv6" },
    { "ASN", "has_asn_geodb" },
    { "ASN", "has_check_asn" },
    { "ASN", "has_check_asn_tag" },
    { "AskDNS", "has_tag_header" },
    { "BodyEval", "has_check_body_length" },
    { "BodyEval", "has_plaintext_body_sig_ratio" },
    { "DKIM", "has_arc" },
    { "DNSEval", "has_tflags_domains_only" },
    { "DNSEval", "has_tflags_ips_only" },
    { "DecodeShortURLs", "has_short_url" },
    { "DecodeShortURLs", "has_autoclean" },
    { "DecodeShortURLs", "has_short_url_code" },
    { "DecodeShortURLs", "has_user_agent" },
    { "DecodeShortURLs", "has_get" },
    { "DecodeShortURLs", "has_clear" },
    { "DecodeShortURLs", "has_timeout" },
    { "DecodeShortURLs", "has_max_redirections" },
    { "DecodeShortURLs", "has_short_url_redir" },
    { "HashBL", "has_hashbl_bodyre" },
    { "HashBL", "has_hashbl_bodyre_num" },
    { "HashBL", "has_hashbl_emails" },
    { "HashBL", "has_hashbl_uris" },
    { "HashBL", "has_hashbl_ignore" },
    { "HashBL", "has_hashbl_email_regex" },
    { "HashBL", "has_hashbl_email_welcomelist" },
    { "HashBL", "has_hashbl_email_whitelist" },
    { "HashBL", "has_hashbl_tag" },
    { "HashBL", "has_hashbl_sha256" },
    { "HashBL", "has_hashbl_attachments" },
    { "HashBL", "has_hashbl_email_domain" },
    { "HashBL", "has_hashbl_email_domain_alias" },
    { "MIMEEval", "has_check_for_ascii_text_illegal" },
    { "MIMEEval", "has_check_abundant_unicode_ratio" },
    { "MIMEEval", "has_check_qp_ratio" },
    { "MIMEHeader", "has_all_header" },
    { "MIMEHeader", "has_tflags_range" },
    { "MIMEHeader", "has_tflags_concat" },
    { "MIMEHeader", "has_tflags_multiple" },
    { "MIMEHeader", "has_capture_rules" },
    { "OLEVBMacro", "has_olemacro_redirect_uri" },
    { "OLEVBMacro", "has_olemacro_mhtml_uri" },
    { "OLEVBMacro", "has_olertfobject" },
    { "Pyzor", "has_fork" },
    { "Pyzor", "has_perl" },
    { "Razor2", "has_fork" },
    { "SPF", "has_check_for_spf_errors" },
    { "SPF", "has_check_spf_skipped_noenvfrom" },
    { "URIDNSBL", "has_tflags_domains_only" },
    { "URIDNSBL", "has_subtest_for_ranges" },
    { "URIDNSBL", "has_uridnsbl_for_a" },
    { "URIDNSBL", "has_uridnsbl_a_ns" },
    { "URIDNSBL", "has_tflags_notrim" },
    { "URIDNSBL", "has_uridnsbl_skip_mailto" },
    { "URIDetail", "has_host_key" },
};

static bool
cond_in(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

const char *
sa_plugin_alias(const char *package)
{
    if (strcmp(package, PLUGIN_PREFIX "Dmarc") == 0)
        return PLUGIN_PREFIX "DMARC";
    if (strcmp(package, PLUGIN_PREFIX "WhiteListSubject") == 0)
        return PLUGIN_PREFIX "WelcomeListSubject";
    return package;
}

static const char *
cond_short(const char *package)
{
    size_t n = strlen(PLUGIN_PREFIX);

    return strncmp(package, PLUGIN_PREFIX, n) == 0 ? package + n : NULL;
}

bool
sa_plugin_known(const char *package)
{
    const char *s = cond_short(package);

    return s != NULL && cond_in(sa_plugins, s);
}

bool
sa_conf_plugin_loaded(const struct sa_conf *c, const char *plugin)
{
    char full[256];
    const char *s;

    if (strstr(plugin, "::") == NULL)
        snprintf(full, sizeof(full), PLUGIN_PREFIX "%s", plugin);
    else
        snprintf(full, sizeof(full), "%s", plugin);
    plugin = sa_plugin_alias(full);
    if ((s = cond_short(plugin)) == NULL || !cond_in(sa_plugins, s))
        return false; /* not SA's: its Perl cannot run here */
    if (c->opts.plugins != NULL && !cond_in(c->opts.plugins, s))
        return false;
    if (!c->plugins_explicit)
        return cond_in(sa_debian_plugins, s);
    return strset_has(&c->plugins, strv_cstr(plugin));
}

/* can(Class::method) / has(...): the method exists (and, for can, returns
 * true when called). */
static bool
cond_can(const struct sa_conf *c, const char *method, bool has)
{
    const char *sep = NULL, *p;
    char mod[256];

    (void)has; /* every sub in these tables returns true */
    for (p = method; (p = strstr(p, "::")) != NULL; p += 2)
        sep = p;
    if (sep == NULL || sep == method || (size_t)(sep - method) >= sizeof(mod))
        return false;
    memcpy(mod, method, (size_t)(sep - method));
    mod[sep - method] = '\0';
    if (strcmp(mod, "Mail::SpamAssassin::Conf") == 0) {
        const struct strv *v;
        size_t n;

        if (strncmp(sep + 2, "compat_", 7) != 0)
            return cond_in(sa_conf_features, sep + 2);
        /* enable_compat NAME injects Conf::compat_NAME */
        n = sa_conf_values(c, "enable_compat", &v);
        for (size_t i = 0; i < n; i++)
            if (strcmp(v[i].p, sep + 2 + 7) == 0)
                return true;
        return false;
    }
    for (size_t i = 0; i < sizeof(sa_plugin_features) / sizeof(sa_plugin_features[0]); i++) {
        if (strcmp(sa_plugin_features[i].method, sep + 2) == 0 && cond_short(mod) != NULL &&
            strcmp(cond_short(mod), sa_plugin_features[i].plugin) == 0)
            return sa_conf_plugin_loaded(c, mod);
    }
    return false;
}

/* A Perl scalar as the condition sees it. */
struct cond_val {
    bool str;
    char s[128]; /* a string's text */
    double n;
};

enum cond_tok { CT_NUM, CT_STR, CT_OP, CT_FUNC };

struct cond_tokv {
    enum cond_tok kind;
    double n;
    char s[128];
};

struct cond_parser {
    const struct sa_conf *c;
    struct cond_tokv t[COND_MAX_TOKENS];
    size_t n, i;
    int depth;
    bool error;
};

static bool
cond_truth(const struct cond_val *v)
{
    if (v->str)
        return v->s[0] != '\0' && strcmp(v->s, "0") != 0;
    return v->n != 0;
}

static double
cond_num(const struct cond_val *v)
{
    double d = 0;

    if (!v->str)
        return v->n;
    return sa_number(v->s, &d) ? d : 0;
}

static void
cond_setnum(struct cond_val *v, double n)
{
    v->str = false;
    v->n = n;
}

/* Perl's !, comparisons: 1 or "". */
static void
cond_setbool(struct cond_val *v, bool b)
{
    v->str = !b;
    v->s[0] = '\0';
    v->n = b ? 1 : 0;
}

static bool
cond_is(const struct cond_parser *cp, const char *op)
{
    return cp->i < cp->n && cp->t[cp->i].kind == CT_OP && strcmp(cp->t[cp->i].s, op) == 0;
}

static void cond_expr(struct cond_parser *cp, struct cond_val *v);

static void
cond_term(struct cond_parser *cp, struct cond_val *v)
{
    struct cond_tokv *t;

    cond_setnum(v, 0);
    if (cp->i >= cp->n || ++cp->depth > COND_MAX_DEPTH) {
        cp->error = true;
        return;
    }
    t = &cp->t[cp->i++];
    switch (t->kind) {
    case CT_NUM:
        cond_setnum(v, t->n);
        break;
    case CT_STR:
        v->str = true;
        snprintf(v->s, sizeof(v->s), "%s", t->s);
        break;
    case CT_FUNC: {
        struct cond_val arg;
        bool r;

        if (!cond_is(cp, "(")) { /* $self->method 'X': not Perl */
            cp->error = true;
            break;
        }
        cond_term(cp, &arg); /* the parenthesised argument */
        if (!arg.str) {
            r = false;
        } else if (strcmp(t->s, "plugin") == 0) {
            r = strcmp(arg.s, PLUGIN_PREFIX "RaciallyCharged") == 0 || /* removed in 4.1 */
                sa_conf_plugin_loaded(cp->c, arg.s);
        } else if (strcmp(t->s, "can") == 0) {
            r = !cp->c->opts.user_mode && cond_can(cp->c, arg.s, false);
        } else {
            r = cond_can(cp->c, arg.s, true);
        }
        /* plugin() returns undef or 1, can() undef or 1 */
        cond_setbool(v, r);
        break;
    }
    case CT_OP:
        if (strcmp(t->s, "(") == 0) {
            if (cond_is(cp, ")")) { /* () is an empty list: undef */
                cp->i++;
                cond_setbool(v, false);
                break;
            }
            cond_expr(cp, v);
            if (!cond_is(cp, ")"))
                cp->error = true;
            else
                cp->i++;
        } else if (strcmp(t->s, "!") == 0) {
            cond_term(cp, v);
            cond_setbool(v, !cond_truth(v));
        } else if (strcmp(t->s, "-") == 0 || strcmp(t->s, "+") == 0) {
            cond_term(cp, v);
            if (t->s[0] == '-')
                cond_setnum(v, -cond_num(v));
        } else {
            cp->error = true;
        }
        break;
    }
    cp->depth--;
}

/* Binary operators by Perl's precedence, tightest first. */
static const char *const cond_levels[][5] = {
    { "*", "/", NULL },   { "+", "-", NULL }, { "<", ">", "<=", ">=", NULL },
    { "==", "!=", NULL }, { "^", NULL },      { "&&", NULL },
    { "||", NULL },
};
#define COND_NLEVELS (sizeof(cond_levels) / sizeof(cond_levels[0]))

static const char *
cond_op_at(const struct cond_parser *cp, size_t level)
{
    for (size_t k = 0; cond_levels[level][k] != NULL; k++)
        if (cond_is(cp, cond_levels[level][k]))
            return cond_levels[level][k];
    return NULL;
}

/* A number as Perl's ^ takes it (an unsigned integer), without
 * overflowing the conversion. */
static unsigned long long
cond_uint(double v)
{
    if (v != v)
        return 0;
    if (v >= 1.8e19)
        return ULLONG_MAX;
    if (v <= -9.2e18)
        return (unsigned long long)LLONG_MIN;
    return v < 0 ? (unsigned long long)(long long)v : (unsigned long long)v;
}

static void
cond_binary(struct cond_parser *cp, size_t level, struct cond_val *v)
{
    const char *op;

    if (level == 0)
        cond_term(cp, v);
    else
        cond_binary(cp, level - 1, v);
    while (!cp->error && (op = cond_op_at(cp, level)) != NULL) {
        struct cond_val r;
        double a, b;

        cp->i++;
        if (level == 0)
            cond_term(cp, &r);
        else
            cond_binary(cp, level - 1, &r);
        if (strcmp(op, "&&") == 0) {
            if (cond_truth(v))
                *v = r;
            continue;
        }
        if (strcmp(op, "||") == 0) {
            if (!cond_truth(v))
                *v = r;
            continue;
        }
        a = cond_num(v);
        b = cond_num(&r);
        if (strcmp(op, "*") == 0)
            cond_setnum(v, a * b);
        else if (strcmp(op, "/") == 0) {
            if (b == 0) /* Illegal division by zero: the eval dies */
                cp->error = true;
            else
                cond_setnum(v, a / b);
        } else if (strcmp(op, "+") == 0)
            cond_setnum(v, a + b);
        else if (strcmp(op, "-") == 0)
            cond_setnum(v, a - b);
        else if (strcmp(op, "<") == 0)
            cond_setbool(v, a < b);
        else if (strcmp(op, ">") == 0)
            cond_setbool(v, a > b);
        else if (strcmp(op, "<=") == 0)
            cond_setbool(v, a <= b);
        else if (strcmp(op, ">=") == 0)
            cond_setbool(v, a >= b);
        else if (strcmp(op, "==") == 0)
            cond_setbool(v, a == b);
        else if (strcmp(op, "!=") == 0)
            cond_setbool(v, a != b);
        else
            cond_setnum(v, (double)(cond_uint(a) ^ cond_uint(b)));
    }
}

static void
cond_expr(struct cond_parser *cp, struct cond_val *v)
{
    cond_binary(cp, COND_NLEVELS - 1, v);
    if (!cp->error && cond_is(cp, "?")) {
        struct cond_val a, b;

        cp->i++;
        cond_expr(cp, &a);
        if (!cond_is(cp, ":")) {
            cp->error = true;
            return;
        }
        cp->i++;
        cond_expr(cp, &b);
        *v = cond_truth(v) ? a : b;
    }
}

static bool
cond_classname(struct strv t)
{
    /* ^\w[\w\:]+$ and then ^(?:\w+::){0,10}\w+$ */
    size_t parts = 0, k = 0;

    if (t.len < 2)
        return false;
    while (k < t.len) {
        size_t start = k;

        while (k < t.len && (t.p[k] == '_' || (t.p[k] >= '0' && t.p[k] <= '9') ||
                             ((t.p[k] | 32) >= 'a' && (t.p[k] | 32) <= 'z')))
            k++;
        if (k == start)
            return false;
        if (k == t.len)
            break;
        if (k + 2 >= t.len + 0 || t.p[k] != ':' || t.p[k + 1] != ':')
            return false;
        k += 2;
        if (++parts > 10)
            return false;
    }
    return true;
}

/* [+-]?\d+(?:\.\d+)? */
static bool
cond_number(struct strv t)
{
    size_t k = t.len > 0 && (t.p[0] == '+' || t.p[0] == '-');
    size_t digits = 0;

    for (; k < t.len && t.p[k] >= '0' && t.p[k] <= '9'; k++)
        digits++;
    if (digits == 0)
        return false;
    if (k < t.len && t.p[k] == '.') {
        for (digits = 0, k++; k < t.len && t.p[k] >= '0' && t.p[k] <= '9'; k++)
            digits++;
        if (digits == 0)
            return false;
    }
    return k == t.len;
}

static bool
cond_token(const struct sa_conf *c, struct strv t, struct cond_tokv *out, struct sift_err *err)
{
    double d;
    bool nonword = t.len <= 5;

    memset(out, 0, sizeof(*out));
    snprintf(out->s, sizeof(out->s), "%.*s", (int)t.len, t.p);
    for (size_t k = 0; k < t.len && nonword; k++)
        nonword = !(t.p[k] == '_' || (t.p[k] >= '0' && t.p[k] <= '9') ||
                    ((t.p[k] | 32) >= 'a' && (t.p[k] | 32) <= 'z'));
    if (strv_eq(t, "plugin") || strv_eq(t, "can") || strv_eq(t, "has")) {
        out->kind = CT_FUNC;
    } else if (strv_eq(t, "version")) {
        out->kind = CT_NUM;
        out->n = COND_VERSION;
    } else if (strv_eq(t, "perl_version")) {
        out->kind = CT_NUM;
        out->n = COND_PERL_VERSION;
    } else if (strv_eq(t, "local_tests_only")) {
        out->kind = CT_NUM;
        out->n = c->opts.local_only ? 1 : 0;
    } else if (nonword) {
        out->kind = CT_OP;
    } else if (cond_number(t) && sa_number(out->s, &d)) {
        out->kind = CT_NUM;
        out->n = d;
    } else if (cond_classname(t) && t.len < sizeof(out->s)) {
        const char *alias = sa_plugin_alias(out->s);

        out->kind = CT_STR;
        if (alias != out->s)
            snprintf(out->s, sizeof(out->s), "%s", alias);
    } else {
        sift_err_set(err, "unparseable value '%s'", out->s);
        return false;
    }
    return true;
}

int
sa_cond_eval(const struct sa_conf *c, const char *expr, bool *result, struct sift_err *err)
{
    struct cond_parser *cp = xcalloc(1, sizeof(*cp));
    struct cond_val v;
    struct strv t;
    size_t pos = 0;
    int rc = 0;

    cp->c = c;
    while (rc == 0 && sa_arith_next(expr, &pos, &t)) {
        if (cp->n == COND_MAX_TOKENS) {
            sift_err_set(err, "condition too long");
            rc = -1;
        } else if (!cond_token(c, t, &cp->t[cp->n++], err)) {
            rc = -1;
        }
    }
    if (rc == 0) {
        cond_expr(cp, &v);
        if (cp->error || cp->i != cp->n) {
            sift_err_set(err, "error parsing conditional '%s'", expr);
            *result = false;
            rc = 1;
        } else {
            *result = cond_truth(&v);
        }
    }
    free(cp);
    return rc;
}
