/*
 * sa_conf_rules.c - rule definitions and rule attributes, as Conf.pm's
 * commands and Conf::Parser::add_test read them.
 *
 * What SA refuses (a bad name, a header test it cannot parse, a pattern
 * Perl does not compile) is a lint error there: the line is ignored and
 * an earlier definition of the rule stays. What SA accepts but sift cannot
 * run (a pattern PCRE2 reads differently, a capture template, an eval SA
 * would fail to call) replaces the earlier definition by nothing: the
 * rule is left undefined, as close as sift gets to running the new text.
 * Either way the line is recorded as a skip with its reason.
 */
#include "compat/sa_conf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_regex.h"
#include "core/err.h"

#define RULE_NAME_MAX 100 /* add_test: longer names are refused */

static bool
rules_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
rules_word(int c)
{
    return c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

struct sa_rinfo *
sa_rinfo(struct sa_conf *c, const struct scan_rule *r)
{
    if (r->index >= c->nrinfo) {
        size_t n = c->nrinfo ? c->nrinfo : 1024;

        while (n <= r->index)
            n *= 2;
        c->rinfo =
            arena_realloc(c->a, c->rinfo, c->nrinfo * sizeof(*c->rinfo), n * sizeof(*c->rinfo));
        memset(c->rinfo + c->nrinfo, 0, (n - c->nrinfo) * sizeof(*c->rinfo));
        c->nrinfo = n;
    }
    return &c->rinfo[r->index];
}

void
sa_rule_undefine(struct scan_rule *r)
{
    r->kind = SCAN_K_UNDEFINED;
    r->target = SCAN_T_NONE;
    r->pattern = NULL;
    r->re_flags = 0;
    r->header = NULL;
    r->negate = false;
    r->if_unset = NULL;
    r->eval = NULL;
    r->args = NULL;
    r->nargs = 0;
    r->expr = NULL;
}

/* The rule with its definition replaced by (kind, target). */
static struct scan_rule *
rules_define(struct sa_pstate *ps, const char *name, enum scan_rule_kind kind,
             enum scan_target target)
{
    struct arena *ra = scan_ruleset_arena(ps->rs);
    struct scan_rule *r = scan_ruleset_rule(ps->rs, name);
    struct sa_rinfo *ri = sa_rinfo(ps->c, r);

    sa_rule_undefine(r);
    r->kind = kind;
    r->target = target;
    r->origin = arena_strdup(ra, ps->origin);
    if (r->group == NULL)
        r->group = "sa";
    ri->ours = true;
    ri->re_text = NULL;
    ri->replaced = false;
    if (!strset_has(&ps->c->defined, strv_cstr(name)))
        strset_add(&ps->c->defined, strv_cstr(arena_strdup(ps->c->a, name)));
    return r;
}

/* SA accepted the definition but sift cannot run it: whatever was defined
 * before is gone in SA too. */
static void
rules_drop(struct sa_pstate *ps, const char *name)
{
    struct scan_rule *r = scan_ruleset_find(ps->rs, name);

    if (r != NULL && r->kind != SCAN_K_UNDEFINED)
        sa_rule_undefine(r);
}

/* add_test's name check. */
static bool
rules_name_ok(struct sa_pstate *ps, const char *name)
{
    size_t len = strlen(name);

    if (!sa_rulename_ok(name, len) || len > RULE_NAME_MAX) {
        sa_pskip(ps, name, "syntax",
                 "rule '%s' has invalid characters or is too long "
                 "(letters, digits and _, not starting with a digit, at most %d)",
                 name, RULE_NAME_MAX);
        return false;
    }
    return true;
}

/* %{TAG} templates (parse_captures): (?<!\\)%\{[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*(?:\([^)}]*\))?\} */
static bool
rules_has_template(const char *s)
{
    for (const char *p = strstr(s, "%{"); p != NULL; p = strstr(p + 1, "%{")) {
        const char *q = p + 2;

        if (p > s && p[-1] == '\\')
            continue;
        if (!(*q >= 'A' && *q <= 'Z'))
            continue;
        while ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'))
            q++;
        while (*q == '_' && ((q[1] >= 'A' && q[1] <= 'Z') || (q[1] >= '0' && q[1] <= '9'))) {
            q++;
            while ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'))
                q++;
        }
        if (*q == '(') {
            q = q + 1 + strcspn(q + 1, ")}");
            if (*q != ')')
                continue;
            q++;
        }
        if (*q == '}')
            return true;
    }
    return false;
}

/* A named capture that defines a tag: \(\?P?[<'][A-Z] */
static bool
rules_has_capture(const char *s)
{
    for (const char *p = strstr(s, "(?"); p != NULL; p = strstr(p + 1, "(?")) {
        const char *q = p + 2;

        if (*q == 'P')
            q++;
        if ((*q == '<' || *q == '\'') && q[1] >= 'A' && q[1] <= 'Z')
            return true;
    }
    return false;
}

/* Compile a rule's pattern; on failure record why and say whether SA
 * refuses it too (keep the old definition) or not (drop it). */
static bool
rules_regex(struct sa_pstate *ps, const char *name, const char *text, const char **pattern,
            unsigned *flags)
{
    struct sift_err err = { { 0 } };
    struct sa_regex re;
    enum sa_regex_status st;

    if (rules_has_template(text)) {
        sa_pskip(ps, name, "capture template",
                 "%s: a %%{TAG} template (run once another rule captured TAG): not supported",
                 name);
        rules_drop(ps, name);
        return false;
    }
    st = sa_regex_compile(scan_ruleset_arena(ps->rs), strv_cstr(text), &re, &err);
    if (st != SA_RE_OK) {
        sa_pskip(ps, name, "regex", "%s: %s%s", name, err.msg,
                 st == SA_RE_INVALID ? " (SpamAssassin refuses it too)" : "");
        if (st == SA_RE_UNSUPPORTED)
            rules_drop(ps, name);
        return false;
    }
    *pattern = re.pattern;
    *flags = re.flags;
    return true;
}

static void
rules_capture_priority(struct sa_pstate *ps, struct scan_rule *r, const char *text)
{
    if (rules_has_capture(text)) { /* capture rules run before anything else */
        r->priority = -10000;
        sa_rinfo(ps->c, r)->has_priority = true;
    }
}

/* A body, rawbody, full or uri regex rule. */
static void
rules_regex_rule(struct sa_pstate *ps, const char *name, const char *text, enum scan_target tgt)
{
    const char *pattern;
    unsigned flags;
    struct scan_rule *r;

    if (!rules_regex(ps, name, text, &pattern, &flags))
        return;
    r = rules_define(ps, name, SCAN_K_REGEX, tgt);
    r->pattern = pattern;
    r->re_flags = flags;
    sa_rinfo(ps->c, r)->re_text = arena_strdup(ps->c->a, text);
    rules_capture_priority(ps, r, text);
}

/* ` [if-unset: TEXT]` at the end of a header test: \s+\[if-unset:\s+(.+)\]$ */
static const char *
rules_if_unset(struct arena *a, char *pat)
{
    size_t len = strlen(pat);

    if (len == 0 || pat[len - 1] != ']')
        return NULL;
    for (char *p = strstr(pat, "[if-unset:"); p != NULL; p = strstr(p + 1, "[if-unset:")) {
        char *v = p + 10, *ws = p, *end = pat + len - 1;

        if (ws == pat || !rules_space((unsigned char)ws[-1]) || !rules_space((unsigned char)*v))
            continue;
        while (rules_space((unsigned char)*v) && v < end)
            v++;
        if (v == end) { /* (.+) takes the last blank back */
            if (v - (p + 10) < 2)
                continue;
            v--;
        }
        while (ws > pat && rules_space((unsigned char)ws[-1]))
            ws--;
        *ws = '\0';
        return arena_strndup(a, v, (size_t)(end - v));
    }
    return NULL;
}

/* header NAME Hdr[:mod[:mod]] =~ /re/ [if-unset: X], or exists:Hdr */
static void
rules_header(struct sa_pstate *ps, const char *name, const char *text)
{
    struct arena *ra = scan_ruleset_arena(ps->rs);
    struct scan_rule *r;
    const char *p = text, *pattern, *unset;
    size_t n, k, mods = 0;
    char hdr[256], *pat;
    bool negate;
    unsigned flags;

    if (strncmp(text, "exists:", 7) == 0) {
        p = text + 7;
        n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
        if (n == 0 || !(p[n] == '\0' || (p[n] == ':' && p[n + 1] == '\0'))) {
            sa_pskip(ps, name, "syntax", "%s: invalid head test header: %s", name, p);
            return;
        }
        r = rules_define(ps, name, SCAN_K_EXISTS, SCAN_T_HEADER);
        r->header = arena_strndup(ra, p, n);
        return;
    }
    /* ^([\w.-]+(?:\:|(?:\:[a-z]+){1,2})?)\s*([=!]~)\s*(.+)$ */
    k = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
    if (k > 0 && p[k] == ':' && p[k + 1] >= 'a' && p[k + 1] <= 'z') {
        while (mods < 2 && p[k] == ':' && p[k + 1] >= 'a' && p[k + 1] <= 'z') {
            for (k++; p[k] >= 'a' && p[k] <= 'z'; k++)
                ;
            mods++;
        }
    } else if (k > 0 && p[k] == ':') {
        k++;
    }
    n = k > 0 && p[k - 1] == ':' ? k - 1 : k; /* s/:$// */
    while (rules_space((unsigned char)p[k]))
        k++;
    if (n == 0 || n >= sizeof(hdr) || !((p[k] == '=' || p[k] == '!') && p[k + 1] == '~')) {
        sa_pskip(ps, name, "syntax", "%s: invalid head test: %s", name, text);
        return;
    }
    negate = p[k] == '!';
    for (k += 2; rules_space((unsigned char)p[k]); k++)
        ;
    if (p[k] == '\0') {
        sa_pskip(ps, name, "syntax", "%s: invalid head test: %s", name, text);
        return;
    }
    memcpy(hdr, p, n);
    hdr[n] = '\0';
    for (char *m = strchr(hdr, ':'); m != NULL; m = strchr(m + 1, ':')) {
        static const char *const ok[] = { "raw", "addr",  "name",  "host", "domain",
                                          "ip",  "revip", "first", "last", NULL };
        size_t ml = strcspn(m + 1, ":");
        bool good = false;

        for (size_t i = 0; ok[i] != NULL && !good; i++)
            good = strlen(ok[i]) == ml && strncmp(ok[i], m + 1, ml) == 0;
        if (!good) {
            sa_pskip(ps, name, "syntax", "%s: invalid header modifier: %s", name, hdr);
            return;
        }
    }
    pat = arena_strdup(ps->c->a, p + k);
    unset = rules_if_unset(ra, pat);
    if (!rules_regex(ps, name, pat, &pattern, &flags))
        return;
    r = rules_define(ps, name, SCAN_K_REGEX, SCAN_T_HEADER);
    r->header = arena_strdup(ra, hdr);
    r->negate = negate;
    r->if_unset = unset;
    r->pattern = pattern;
    r->re_flags = flags;
    sa_rinfo(ps->c, r)->re_text = pat;
    rules_capture_priority(ps, r, pat);
}

/* mimeheader NAME Hdr[:raw] =~ /re/ [if-unset: X] (MIMEHeader plugin) */
static void
rules_mimeheader(struct sa_pstate *ps, const char *value)
{
    struct arena *ra = scan_ruleset_arena(ps->rs);
    size_t n = 0, k;
    char name[RULE_NAME_MAX + 32], *pat;
    const char *p, *pattern, *unset;
    struct scan_rule *r;
    unsigned flags;
    bool negate;

    /* ^(RULENAME_RE)\s+ */
    if ((value[0] >= '0' && value[0] <= '9') || !rules_word((unsigned char)value[0]))
        n = 0;
    else
        while (n < 128 && rules_word((unsigned char)value[n]))
            n++;
    if (n == 0 || !rules_space((unsigned char)value[n]) || n >= sizeof(name)) {
        sa_pskip(ps, NULL, "syntax", "mimeheader: invalid value: %s", value);
        return;
    }
    memcpy(name, value, n);
    name[n] = '\0';
    for (p = value + n; rules_space((unsigned char)*p); p++)
        ;
    /* ^([^:\s]+(?:\:(?:raw)?)?)\s*([=!]~)\s*(.+)$, then s/:$// */
    for (k = 0; p[k] != '\0' && p[k] != ':' && !rules_space((unsigned char)p[k]); k++)
        ;
    if (k > 0 && p[k] == ':')
        k += strncmp(p + k + 1, "raw", 3) == 0 ? 4 : 1;
    n = k > 0 && p[k - 1] == ':' ? k - 1 : k;
    while (rules_space((unsigned char)p[k]))
        k++;
    if (n == 0 || !((p[k] == '=' || p[k] == '!') && p[k + 1] == '~')) {
        sa_pskip(ps, name, "syntax", "mimeheader %s: invalid value: %s", name, p);
        return;
    }
    negate = p[k] == '!';
    for (k += 2; rules_space((unsigned char)p[k]); k++)
        ;
    if (p[k] == '\0' || !rules_name_ok(ps, name)) {
        if (p[k] == '\0')
            sa_pskip(ps, name, "syntax", "mimeheader %s: missing pattern", name);
        return;
    }
    pat = arena_strdup(ps->c->a, p + k);
    unset = rules_if_unset(ra, pat);
    if (!rules_regex(ps, name, pat, &pattern, &flags))
        return;
    r = rules_define(ps, name, SCAN_K_REGEX, SCAN_T_MIMEHEADER);
    r->header = arena_strndup(ra, p, n);
    r->negate = negate;
    r->if_unset = unset != NULL ? unset : "";
    r->pattern = pattern;
    r->re_flags = flags;
}

/* [\d\.:A-Za-z-] */
static bool
rules_bare(int c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == ':' || c == '-' ||
           ((c | 32) >= 'a' && (c | 32) <= 'z');
}

static void
rules_push_arg(struct arena *a, struct scan_eval_arg **args, size_t *n, size_t *cap, const char *s,
               size_t len, bool quoted)
{
    struct scan_eval_arg *g;

    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;

        *args = arena_realloc(a, *args, *cap * sizeof(**args), ncap * sizeof(**args));
        *cap = ncap;
    }
    g = &(*args)[(*n)++];
    memset(g, 0, sizeof(*g));
    if (!quoted && len == 5 && memcmp(s, "undef", 5) == 0) {
        g->kind = SCAN_ARG_UNDEF;
    } else {
        char *v = arena_strndup(a, s, len);
        double d = 0;
        bool num = sa_number(v, &d);

        g->kind = !quoted && num ? SCAN_ARG_NUM : SCAN_ARG_STR;
        g->s = v;
        g->len = len;
        g->n = num ? d : 0;
    }
}

/* The end of one argument's match at i: \s*(?:,\s*|$), or 0. */
static size_t
rules_arg_end(const char *s, size_t len, size_t i)
{
    while (i < len && rules_space((unsigned char)s[i]))
        i++;
    if (i == len)
        return len;
    if (s[i] != ',')
        return 0;
    for (i++; i < len && rules_space((unsigned char)s[i]); i++)
        ;
    return i;
}

/* pack_eval_args: while s/^\s* (?: (['"]) (.*?) \1 | ([\d\.:A-Za-z-]+?) )
 * \s* (?: , \s* | $ )//x, and nothing may be left. Quoted text is kept as
 * written: SA does not interpret escapes in it. */
static bool
rules_eval_args(struct arena *a, const char *s, size_t len, struct scan_eval_arg **out,
                size_t *nout)
{
    struct scan_eval_arg *args = NULL;
    size_t n = 0, cap = 0, i = 0;
    bool blank = len > 0;

    for (size_t k = 0; k < len; k++)
        blank = blank && rules_space((unsigned char)s[k]);
    while (!blank && i < len) {
        size_t j = i, next = 0, vend = 0;

        while (j < len && rules_space((unsigned char)s[j]))
            j++;
        if (j < len && (s[j] == '\'' || s[j] == '"')) {
            for (size_t q = j + 1; q < len && next == 0; q++)
                if (s[q] == s[j] && (next = rules_arg_end(s, len, q + 1)) != 0)
                    vend = q;
            if (next != 0) {
                rules_push_arg(a, &args, &n, &cap, s + j + 1, vend - j - 1, true);
                i = next;
                continue;
            }
        }
        for (vend = j; vend < len && rules_bare((unsigned char)s[vend]); vend++)
            ;
        if (vend == j || (next = rules_arg_end(s, len, vend)) == 0)
            return false;
        rules_push_arg(a, &args, &n, &cap, s + j, vend - j, false);
        i = next;
    }
    *out = args;
    *nout = n;
    return true;
}

/* eval:func(args): SA checks ^\w+\(.*\)$ when the line is read and
 * splits ^(\w+)\((.*?)\)$ when it finishes. */
static void
rules_eval(struct sa_pstate *ps, const char *name, const char *fn, enum scan_target tgt)
{
    struct arena *ra = scan_ruleset_arena(ps->rs);
    size_t n = 0, len = strlen(fn);
    struct scan_eval_arg *args;
    struct scan_rule *r;
    size_t nargs;

    while (rules_word((unsigned char)fn[n]))
        n++;
    if (n == 0 || fn[n] != '(' || len < n + 2 || fn[len - 1] != ')') {
        sa_pskip(ps, name, "syntax", "%s: invalid eval: %s", name, fn);
        return;
    }
    if (!rules_name_ok(ps, name))
        return;
    if (!rules_eval_args(ra, fn + n + 1, len - n - 2, &args, &nargs)) {
        sa_pskip(ps, name, "eval syntax", "%s: syntax error for eval function: %s", name, fn);
        rules_drop(ps, name);
        return;
    }
    r = rules_define(ps, name, SCAN_K_EVAL, tgt);
    r->eval = arena_strndup(ra, fn, n);
    r->args = args;
    r->nargs = nargs;
}

static void
rules_meta(struct sa_pstate *ps, const char *name, const char *expr)
{
    struct sift_err err = { { 0 } };
    struct scan_rule *r;

    for (const char *p = strchr(expr, '*'); p != NULL; p = strchr(p + 1, '*')) {
        const char *q = p + 1;

        while (rules_space((unsigned char)*q))
            q++;
        if (*q == '*') {
            sa_pskip(ps, name, "syntax", "%s: invalid '**' or '* *' operator in meta", name);
            return;
        }
    }
    if (!rules_name_ok(ps, name))
        return;
    if (sa_meta_valid(expr, &err) == -1) {
        sa_pskip(ps, name, "meta", "%s: %s", name, err.msg);
        return;
    }
    r = rules_define(ps, name, SCAN_K_META, SCAN_T_NONE);
    r->expr = arena_strdup(scan_ruleset_arena(ps->rs), expr);
}

/* header/body/rawbody/full/uri/meta NAME TEXT */
static void
rules_test(struct sa_pstate *ps, enum sa_kw kind, const char *key, const char *value)
{
    static const enum scan_target targets[] = {
        [SA_KW_HEADER] = SCAN_T_HEADER,   [SA_KW_BODY] = SCAN_T_BODY,
        [SA_KW_RAWBODY] = SCAN_T_RAWBODY, [SA_KW_FULL] = SCAN_T_FULL,
        [SA_KW_URI] = SCAN_T_URI,
    };
    size_t n = strcspn(value, " \t\n\r\f\v");
    char name[160];
    const char *text = value + n;

    /* $value !~ s/^(\S+)\s+// */
    if (value[n] == '\0' || n >= sizeof(name)) {
        sa_pskip(ps, NULL, "syntax", "%s: invalid value: %s", key, value);
        return;
    }
    memcpy(name, value, n);
    name[n] = '\0';
    while (rules_space((unsigned char)*text))
        text++;
    if (kind == SA_KW_META) {
        rules_meta(ps, name, text);
        return;
    }
    if ((kind == SA_KW_HEADER && strncmp(text, "rbleval:", 8) == 0) ||
        (kind != SA_KW_URI && strncmp(text, "eval:", 5) == 0)) {
        rules_eval(ps, name, strchr(text, ':') + 1, targets[kind]);
        return;
    }
    if (!rules_name_ok(ps, name))
        return;
    if (kind == SA_KW_HEADER)
        rules_header(ps, name, text);
    else
        rules_regex_rule(ps, name, text, targets[kind]);
}

/* `NAME value` settings (CONF_TYPE_HASH_KEY_VALUE): split(/\s+/, $value, 2). */
static bool
rules_key_value(struct sa_pstate *ps, const char *key, const char *value, char *name, size_t namesz,
                const char **rest)
{
    size_t n = strcspn(value, " \t\n\r\f\v");
    const char *v = value + n;

    while (rules_space((unsigned char)*v))
        v++;
    if (*v == '\0' || n >= namesz) {
        sa_pskip(ps, NULL, "syntax", "%s: missing value: %s", key, value);
        return false;
    }
    memcpy(name, value, n);
    name[n] = '\0';
    *rest = v;
    return true;
}

/* -?\d+(?:\.\d+)? */
static bool
rules_score_number(const char *s, size_t len)
{
    size_t k = len > 0 && s[0] == '-', d = 0;

    for (; k < len && s[k] >= '0' && s[k] <= '9'; k++)
        d++;
    if (d == 0)
        return false;
    if (k < len && s[k] == '.') {
        for (d = 0, k++; k < len && s[k] >= '0' && s[k] <= '9'; k++)
            d++;
        if (d == 0)
            return false;
    }
    return k == len;
}

static void
rules_score(struct sa_pstate *ps, const char *value)
{
    const char *w[6];
    size_t wl[6], nw = 0;
    double sc[4];
    bool relative = false;
    char name[160];
    struct scan_rule *r;

    for (const char *p = value; *p != '\0' && nw < 6;) {
        while (rules_space((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        w[nw] = p;
        while (*p != '\0' && !rules_space((unsigned char)*p))
            p++;
        wl[nw] = (size_t)(p - w[nw]);
        nw++;
    }
    if ((nw != 2 && nw != 5) || wl[0] >= sizeof(name)) {
        sa_pskip(ps, NULL, "syntax", "score: requires a rule name and 1 or 4 scores: %s", value);
        return;
    }
    for (size_t i = 1; i < nw; i++) {
        const char *s = w[i];
        size_t l = wl[i];
        char num[64];

        if (l >= 2 && s[0] == '(' && s[l - 1] == ')' && rules_score_number(s + 1, l - 2)) {
            relative = true;
            s++;
            l -= 2;
        }
        if (!rules_score_number(s, l) || l >= sizeof(num)) {
            sa_pskip(ps, NULL, "syntax", "score: the non-numeric score (%.*s) is not valid",
                     (int)wl[i], w[i]);
            return;
        }
        memcpy(num, s, l);
        num[l] = '\0';
        sc[i - 1] = strtod(num, NULL);
    }
    memcpy(name, w[0], wl[0]);
    name[wl[0]] = '\0';
    r = scan_ruleset_find(ps->rs, name);
    if (relative && (r == NULL || !r->has_score)) {
        sa_pskip(ps, name, "syntax", "score: relative score without previous setting: %s", value);
        return;
    }
    if (r == NULL)
        r = scan_ruleset_rule(ps->rs, name);
    for (int i = 0; i < 4; i++) {
        double v = nw == 2 ? sc[0] : sc[i];

        r->score[i] = relative ? r->score[i] + v : v;
    }
    r->has_score = true;
}

/* \bWORD\b */
static bool
rules_has_word(const char *s, const char *word)
{
    size_t wl = strlen(word);

    for (const char *p = strstr(s, word); p != NULL; p = strstr(p + 1, word)) {
        if ((p == s || !rules_word((unsigned char)p[-1])) && !rules_word((unsigned char)p[wl]))
            return true;
    }
    return false;
}

static void
rules_tflags(struct sa_pstate *ps, struct scan_rule *r, const char *flags)
{
    static const struct {
        const char *word;
        unsigned flag;
    } tf[] = {
        { "net", SCAN_TF_NET },
        { "nice", SCAN_TF_NICE },
        { "learn", SCAN_TF_LEARN },
        { "userconf", SCAN_TF_USERCONF },
        { "noautolearn", SCAN_TF_NOAUTOLEARN },
        { "multiple", SCAN_TF_MULTIPLE },
        { "nosubject", SCAN_TF_NOSUBJECT },
        { "autolearn_force", SCAN_TF_AUTOLEARN_FORCE },
        { "nolog", SCAN_TF_NOLOG },
        { "publish", SCAN_TF_PUBLISH },
        { "notrim", SCAN_TF_NOTRIM },
        { "domains_only", SCAN_TF_DOMAINS_ONLY },
        { "ips_only", SCAN_TF_IPS_ONLY },
        { "autolearn_body", SCAN_TF_AUTOLEARN_BODY },
        { "autolearn_header", SCAN_TF_AUTOLEARN_HEADER },
        { "noawl", SCAN_TF_NOAWL },
        { "a", SCAN_TF_A },
        { "aaaa", SCAN_TF_AAAA },
    };
    const char *m;

    (void)ps;
    /* a tflags line replaces the rule's flags (a hash value in SA) */
    r->tflags = 0;
    r->maxhits = 0;
    for (size_t i = 0; i < sizeof(tf) / sizeof(tf[0]); i++)
        if (rules_has_word(flags, tf[i].word))
            r->tflags |= tf[i].flag;
    /* \bmaxhits=(\d+)\b */
    for (m = strstr(flags, "maxhits="); m != NULL; m = strstr(m + 1, "maxhits=")) {
        const char *d = m + 8;
        unsigned long v = 0;

        if ((m > flags && rules_word((unsigned char)m[-1])) || !(*d >= '0' && *d <= '9'))
            continue;
        for (; *d >= '0' && *d <= '9'; d++)
            if (v < 1000000000)
                v = v * 10 + (unsigned long)(*d - '0');
        if (rules_word((unsigned char)*d))
            continue;
        r->maxhits = (unsigned)v;
        break;
    }
}

static void
rules_priority(struct sa_pstate *ps, const char *key, const char *value)
{
    char name[160];
    const char *v;
    struct scan_rule *r;
    long pri;

    if (!rules_key_value(ps, key, value, name, sizeof(name), &v))
        return;
    /* IS_RULENAME, -?\d+ */
    {
        size_t k = v[0] == '-', d = 0;

        for (; v[k] >= '0' && v[k] <= '9'; k++)
            d++;
        if (!sa_rulename_ok(name, strlen(name)) || d == 0 || v[k] != '\0') {
            sa_pskip(ps, NULL, "syntax", "priority: invalid value: %s", value);
            return;
        }
    }
    pri = strtol(v, NULL, 10);
    r = scan_ruleset_rule(ps->rs, name);
    r->priority = pri < -1000000000 ? -1000000000 : pri > 1000000000 ? 1000000000 : (int)pri;
    sa_rinfo(ps->c, r)->has_priority = true;
}

static void
rules_map_set(struct sa_pstate *ps, struct sa_map *m, const char *key, const char *value)
{
    char name[256];
    const char *v;

    if (!rules_key_value(ps, key, value, name, sizeof(name), &v))
        return;
    *sa_map_slot(m, strv_cstr(name)) = arena_strdup(ps->c->a, v);
}

/* shortcircuit RULE ham|spam (Shortcircuit plugin): the rule runs early
 * (priority -200 unless it has one) and is noautolearn, nice for ham. */
static void
rules_shortcircuit(struct sa_pstate *ps, const char *value)
{
    size_t n = strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    const char *type = value + n;
    struct scan_rule *r;
    char name[160];

    while (rules_space((unsigned char)*type))
        type++;
    if (n == 0 || n >= sizeof(name) || type == value + n ||
        strspn(type, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            strlen(type)) {
        sa_pskip(ps, NULL, "syntax", "shortcircuit: invalid value: %s", value);
        return;
    }
    if (strcmp(type, "ham") != 0 && strcmp(type, "spam") != 0)
        return;
    memcpy(name, value, n);
    name[n] = '\0';
    r = scan_ruleset_rule(ps->rs, name);
    if (r->priority == 0)
        r->priority = -200;
    sa_rinfo(ps->c, r)->has_priority = true;
    r->tflags |= SCAN_TF_NOAUTOLEARN | (type[0] == 'h' ? SCAN_TF_NICE : 0);
}

void
sa_rules_directive(struct sa_pstate *ps, const struct sa_keyword *kw, const char *key,
                   const char *value)
{
    struct arena *ra = scan_ruleset_arena(ps->rs);
    char name[160];
    const char *v;

    switch (kw->kind) {
    case SA_KW_HEADER:
    case SA_KW_BODY:
    case SA_KW_RAWBODY:
    case SA_KW_FULL:
    case SA_KW_URI:
    case SA_KW_META:
        rules_test(ps, kw->kind, key, value);
        break;
    case SA_KW_MIMEHEADER:
        rules_mimeheader(ps, value);
        break;
    case SA_KW_DESCRIBE:
        if (rules_key_value(ps, key, value, name, sizeof(name), &v))
            scan_ruleset_rule(ps->rs, name)->description = arena_strdup(ra, v);
        break;
    case SA_KW_SCORE:
        rules_score(ps, value);
        break;
    case SA_KW_TFLAGS:
        if (rules_key_value(ps, key, value, name, sizeof(name), &v))
            rules_tflags(ps, scan_ruleset_rule(ps->rs, name), v);
        break;
    case SA_KW_PRIORITY:
        rules_priority(ps, key, value);
        break;
    case SA_KW_REPLACE_TAG:
        rules_map_set(ps, &ps->c->tags, key, value);
        break;
    case SA_KW_REPLACE_PRE:
        rules_map_set(ps, &ps->c->pres, key, value);
        break;
    case SA_KW_REPLACE_POST:
        rules_map_set(ps, &ps->c->posts, key, value);
        break;
    case SA_KW_REPLACE_INTER:
        rules_map_set(ps, &ps->c->inters, key, value);
        break;
    case SA_KW_REPLACE_RULES:
        for (const char *p = value; *p != '\0';) {
            size_t n = strcspn(p, " \t\n\r\f\v");

            if (n > 0 && !strset_has(&ps->c->replace_rules, strv_make(p, n)))
                strset_add(&ps->c->replace_rules, strv_make(arena_strndup(ps->c->a, p, n), n));
            p += n;
            while (rules_space((unsigned char)*p))
                p++;
        }
        break;
    case SA_KW_REPLACE_START:
    case SA_KW_REPLACE_END:
        if (*value == '\0') {
            sa_pskip(ps, NULL, "syntax", "%s: missing value", key);
            break;
        }
        if (kw->kind == SA_KW_REPLACE_START)
            ps->c->replace_start = arena_strdup(ps->c->a, value);
        else
            ps->c->replace_end = arena_strdup(ps->c->a, value);
        break;
    case SA_KW_PLUGIN_RULE: {
        size_t n = strcspn(value, " \t\n\r\f\v");

        char cat[64];

        snprintf(name, sizeof(name), "%.*s", (int)(n < 150 ? n : 150), value);
        snprintf(cat, sizeof(cat), "plugin keyword: %s", key);
        sa_pskip(ps, sa_rulename_ok(name, strlen(name)) ? name : NULL, cat,
                 "%s: %s rules are not supported (the %s plugin's own rule type)", name, key,
                 kw->plugin != NULL ? kw->plugin : "core");
        break;
    }
    case SA_KW_SHORTCIRCUIT:
        rules_shortcircuit(ps, value);
        break;
    default:
        break;
    }
}
