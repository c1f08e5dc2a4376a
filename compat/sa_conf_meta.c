/*
 * sa_conf_meta.c - meta rule expressions as Conf::Parser reads them: the
 * ARITH_EXPRESSION_LEXER token stream (shared with `if` conditions),
 * is_meta_valid (every rule name becomes 0 and the result must compile as
 * Perl, constant folding included: a division by a rule name is a
 * "division by zero" error there), the dependencies of a meta, and
 * rules_matching() globs.
 */
#include "compat/sa_conf_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xmalloc.h"

#define META_MAX_DEPTH 200

static bool
meta_word(int c)
{
    return c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

bool
sa_arith_next(const char *s, size_t *pos, struct strv *tok)
{
    for (;;) {
        const char *p = s + *pos;
        size_t len = 0;
        int c = (unsigned char)*p;

        if (c == '\0')
            return false;
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
            while (p[len] == '-' || p[len] == '+' || p[len] == '.' ||
                   (p[len] >= '0' && p[len] <= '9'))
                len++;
        } else if (meta_word(c)) {
            for (len = 1; meta_word((unsigned char)p[len]) || p[len] == ':'; len++)
                ;
        } else if (c == '(' || c == ')' || c == '^' || c == '*' || c == '/' || c == '?' ||
                   c == ':') {
            len = 1;
        } else if ((c == '|' && p[1] == '|') || (c == '&' && p[1] == '&') ||
                   (c == '=' && p[1] == '=')) {
            len = 2;
        } else if (c == '!' || c == '<' || c == '>') {
            len = p[1] == '=' ? 2 : 1;
        } else {
            (*pos)++; /* no alternative matches here */
            continue;
        }
        *tok = strv_make(p, len);
        *pos += len;
        return true;
    }
}

bool
sa_rulename_ok(const char *s, size_t len)
{
    if (len == 0 || len > 128 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t k = 0; k < len; k++)
        if (!meta_word((unsigned char)s[k]))
            return false;
    return true;
}

bool
sa_glob_match(const char *glob, size_t glen, const char *name)
{
    size_t g = 0, star = (size_t)-1, mark = 0;
    const char *n = name;

    while (*n != '\0') {
        if (g < glen && (glob[g] == '?' || glob[g] == *n)) {
            g++;
            n++;
        } else if (g < glen && glob[g] == '*') {
            star = g++;
            mark = (size_t)(n - name);
        } else if (star != (size_t)-1) {
            g = star + 1;
            n = name + ++mark;
        } else {
            return false;
        }
    }
    while (g < glen && glob[g] == '*')
        g++;
    return g == glen;
}

/* META_RULES_MATCHING_RE at or after from:
 * (?<!_)\brules_matching\(\s*([_a-zA-Z*?][_a-zA-Z0-9*?]{0,127})\s*\) */
bool
sa_meta_rules_matching(const char *s, size_t from, size_t *start, size_t *end, struct strv *glob)
{
    static const char kw[] = "rules_matching(";
    const char *p;

    for (p = strstr(s + from, kw); p != NULL; p = strstr(p + 1, kw)) {
        const char *q = p + sizeof(kw) - 1, *g;

        if (p > s && meta_word((unsigned char)p[-1]))
            continue;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || *q == '\f' || *q == '\v')
            q++;
        g = q;
        if (!(*q == '_' || *q == '*' || *q == '?' || ((*q | 32) >= 'a' && (*q | 32) <= 'z')))
            continue;
        while (q - g < 128 && (meta_word((unsigned char)*q) || *q == '*' || *q == '?'))
            q++;
        *glob = strv_make(g, (size_t)(q - g));
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || *q == '\f' || *q == '\v')
            q++;
        if (*q != ')')
            continue;
        *start = (size_t)(p - s);
        *end = (size_t)(q + 1 - s);
        return true;
    }
    return false;
}

/* The degenerate expression of is_meta_valid: names are 0. */
enum meta_tok { MT_NUM, MT_OP };

struct meta_parser {
    struct strv *tok;
    enum meta_tok *kind;
    double *num;
    size_t n, i;
    int depth;
    const char *error;
};

static bool
meta_is(const struct meta_parser *mp, const char *op)
{
    return mp->i < mp->n && mp->kind[mp->i] == MT_OP && strv_eq(mp->tok[mp->i], op);
}

static double meta_expr(struct meta_parser *mp);

static double
meta_term(struct meta_parser *mp)
{
    double v = 0;

    if (mp->error != NULL)
        return 0;
    if (mp->i >= mp->n) {
        mp->error = "syntax error";
        return 0;
    }
    if (++mp->depth > META_MAX_DEPTH) {
        mp->error = "expression nested too deeply";
        return 0;
    }
    if (mp->kind[mp->i] == MT_NUM) {
        v = mp->num[mp->i++];
    } else if (meta_is(mp, "(")) {
        mp->i++;
        if (meta_is(mp, ")")) { /* () */
            mp->i++;
        } else {
            v = meta_expr(mp);
            if (!meta_is(mp, ")"))
                mp->error = mp->error ? mp->error : "syntax error";
            else
                mp->i++;
        }
    } else if (meta_is(mp, "!")) {
        mp->i++;
        v = meta_term(mp) == 0;
    } else if (meta_is(mp, "-")) {
        mp->i++;
        v = -meta_term(mp);
    } else if (meta_is(mp, "+")) {
        mp->i++;
        v = meta_term(mp);
    } else {
        mp->error = "syntax error";
    }
    mp->depth--;
    return v;
}

static const char *const meta_levels[][5] = {
    { "*", "/", NULL },   { "+", "-", NULL }, { "<", ">", "<=", ">=", NULL },
    { "==", "!=", NULL }, { "^", NULL },      { "&&", NULL },
    { "||", NULL },
};
#define META_NLEVELS (sizeof(meta_levels) / sizeof(meta_levels[0]))

/* A double as Perl's ^ takes it, without overflowing the conversion. */
static long long
meta_int(double v)
{
    if (v != v)
        return 0;
    if (v >= 9.2e18)
        return LLONG_MAX;
    if (v <= -9.2e18)
        return LLONG_MIN;
    return (long long)v;
}

static double
meta_binary(struct meta_parser *mp, size_t level)
{
    double v = level == 0 ? meta_term(mp) : meta_binary(mp, level - 1);

    while (mp->error == NULL) {
        const char *op = NULL;
        double r;

        for (size_t k = 0; meta_levels[level][k] != NULL && op == NULL; k++)
            if (meta_is(mp, meta_levels[level][k]))
                op = meta_levels[level][k];
        if (op == NULL)
            break;
        mp->i++;
        r = level == 0 ? meta_term(mp) : meta_binary(mp, level - 1);
        if (strcmp(op, "/") == 0 && r == 0 && mp->error == NULL)
            mp->error = "division by zero possible"; /* Perl folds constants */
        v = strcmp(op, "*") == 0    ? v * r
            : strcmp(op, "/") == 0  ? (r != 0 ? v / r : 0)
            : strcmp(op, "+") == 0  ? v + r
            : strcmp(op, "-") == 0  ? v - r
            : strcmp(op, "<") == 0  ? v < r
            : strcmp(op, ">") == 0  ? v > r
            : strcmp(op, "<=") == 0 ? v <= r
            : strcmp(op, ">=") == 0 ? v >= r
            : strcmp(op, "==") == 0 ? v == r
            : strcmp(op, "!=") == 0 ? v != r
            : strcmp(op, "^") == 0  ? (double)(meta_int(v) ^ meta_int(r))
            : strcmp(op, "&&") == 0 ? (v != 0 ? r : v)
                                    : (v != 0 ? v : r);
    }
    return v;
}

static double
meta_expr(struct meta_parser *mp)
{
    double v = meta_binary(mp, META_NLEVELS - 1);

    if (mp->error == NULL && meta_is(mp, "?")) {
        double a, b;

        mp->i++;
        a = meta_expr(mp);
        if (!meta_is(mp, ":")) {
            mp->error = mp->error ? mp->error : "syntax error";
            return 0;
        }
        mp->i++;
        b = meta_expr(mp);
        v = v != 0 ? a : b;
    }
    return v;
}

/* Is this token an operator Perl reads the way SA means it? The lexer's
 * number alternative also yields "..", "-." and the like; SA lets any
 * one- or two-byte punctuation through to Perl, where "." concatenates:
 * refused here. */
static bool
meta_op_ok(struct strv t)
{
    static const char *const ops[] = { "(",  ")",  "||", "&&", "^", "!", ">", ">=", "<", "<=",
                                       "==", "!=", "+",  "-",  "*", "/", "?", ":",  NULL };

    for (size_t k = 0; ops[k] != NULL; k++)
        if (strv_eq(t, ops[k]))
            return true;
    return false;
}

/* \d+(?:\.\d+)? */
static bool
meta_number(struct strv t, double *v)
{
    size_t k = 0;
    char buf[64];

    while (k < t.len && t.p[k] >= '0' && t.p[k] <= '9')
        k++;
    if (k == 0)
        return false;
    if (k < t.len && t.p[k] == '.') {
        size_t d = ++k;

        while (k < t.len && t.p[k] >= '0' && t.p[k] <= '9')
            k++;
        if (k == d)
            return false;
    }
    if (k != t.len)
        return false;
    snprintf(buf, sizeof(buf), "%.*s", (int)(t.len < 60 ? t.len : 60), t.p);
    *v = strtod(buf, NULL);
    return true;
}

int
sa_meta_valid(const char *expr, struct sift_err *err)
{
    struct meta_parser mp = { 0 };
    size_t len = strlen(expr), pos = 0, cap = 0, s, e;
    struct strv t, g;
    char *text;
    int rc = 0;

    if (strstr(expr, "::") != NULL || strstr(expr, "->") != NULL ||
        strpbrk(expr, "$@%;{}") != NULL) {
        sift_err_set(err, "invalid meta rule: %s", expr);
        return -1;
    }
    /* rules_matching(...) counts as 0 here */
    text = xmalloc(len + 1);
    memcpy(text, expr, len + 1);
    while (sa_meta_rules_matching(text, pos, &s, &e, &g)) {
        memset(text + s, ' ', e - s);
        text[s] = '0';
        pos = e;
    }
    pos = 0;
    while (rc == 0 && sa_arith_next(text, &pos, &t)) {
        double v = 0;
        enum meta_tok k;

        if (sa_rulename_ok(t.p, t.len)) {
            k = MT_NUM;
        } else if (meta_number(t, &v)) {
            k = MT_NUM;
        } else if (meta_op_ok(t)) {
            k = MT_OP;
        } else {
            sift_err_set(err, "invalid meta token: %.*s", (int)t.len, t.p);
            rc = -1;
            break;
        }
        if (mp.n == cap) {
            cap = cap ? cap * 2 : 32;
            mp.tok = xreallocarray(mp.tok, cap, sizeof(*mp.tok));
            mp.kind = xreallocarray(mp.kind, cap, sizeof(*mp.kind));
            mp.num = xreallocarray(mp.num, cap, sizeof(*mp.num));
        }
        mp.tok[mp.n] = t;
        mp.kind[mp.n] = k;
        mp.num[mp.n++] = v;
    }
    if (rc == 0) {
        if (mp.n == 0)
            mp.error = "syntax error"; /* my $x = ; */
        else
            meta_expr(&mp);
        if (mp.error == NULL && mp.i != mp.n)
            mp.error = "syntax error";
        if (mp.error != NULL) {
            sift_err_set(err, "invalid expression \"%s\": %s", expr, mp.error);
            rc = -1;
        }
    }
    free(mp.tok);
    free(mp.kind);
    free(mp.num);
    free(text);
    return rc;
}

size_t
sa_meta_deps(struct arena *a, const char *expr, const char ***out)
{
    struct strset seen;
    struct strv t;
    size_t pos = 0;

    strset_init(&seen, a);
    while (sa_arith_next(expr, &pos, &t)) {
        if (!sa_rulename_ok(t.p, t.len) || strv_eq(t, "local_tests_only"))
            continue;
        strset_add(&seen, t);
    }
    *out = arena_calloc(a, seen.n + 1, sizeof(**out));
    for (size_t i = 0; i < seen.n; i++)
        (*out)[i] = arena_strndup(a, seen.items[i].p, seen.items[i].len);
    return seen.n;
}
