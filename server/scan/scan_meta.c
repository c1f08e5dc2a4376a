/*
 * scan_meta.c - meta expressions (see scan_meta.h).
 *
 * SA compiles a meta rule to Perl: each rule name becomes
 * ($h->{NAME}||0) and Perl evaluates the text. We parse the same text with
 * Perl's precedence (lowest first: ?:, ||, &&, ^, == !=, < > <= >=, + -,
 * * /, then the unary ! - +) into a stack program. The operands are
 * numbers, so Perl's "" (false from ! and comparisons) is 0 here.
 */
#include "scan/scan_meta.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Deepest nesting accepted; a rule file is not a place for more. */
#define META_MAX_DEPTH 200

enum meta_op {
    OP_CONST,
    OP_RULE,
    OP_LOCAL,
    OP_NOT,
    OP_NEG,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_LT,
    OP_GT,
    OP_LE,
    OP_GE,
    OP_EQ,
    OP_NE,
    OP_XOR,
    OP_AND,
    OP_OR,
    OP_COND,
};

struct meta_ins {
    enum meta_op op;
    double v; /* OP_CONST */
    long idx; /* OP_RULE: the rule (-1: no such rule, always 0) */
};

struct scan_meta {
    struct meta_ins *code;
    size_t n;
    size_t max_stack;
    long *deps;
    size_t ndeps;
};

enum tok_kind { T_END, T_NUM, T_NAME, T_OP, T_GLOB };

struct meta_parser {
    struct arena *a;
    const struct scan_meta_names *names;
    const char *s;
    size_t pos, len;
    /* the current token */
    enum tok_kind kind;
    const char *tp;
    size_t tlen;
    double num;
    /* output */
    struct meta_ins *code;
    size_t n, cap;
    long *deps;
    size_t ndeps, deps_cap;
    unsigned depth;
    struct sift_err *err;
    bool failed;
};

static void
meta_fail(struct meta_parser *p, const char *what)
{
    size_t at = p->tp != NULL ? (size_t)(p->tp - p->s) : p->pos;

    if (!p->failed)
        sift_err_set(p->err, "%s at '%.*s'", what, (int)(p->len - at < 40 ? p->len - at : 40),
                     p->s + at);
    p->failed = true;
}

static bool
meta_word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* (?<!_)\brules_matching\(\s*GLOB\s*\) at p->pos */
static bool
meta_glob_at(struct meta_parser *p)
{
    static const char kw[] = "rules_matching(";
    size_t i = p->pos + sizeof(kw) - 1, start;

    if (p->len - p->pos < sizeof(kw) - 1 || memcmp(p->s + p->pos, kw, sizeof(kw) - 1) != 0)
        return false;
    if (p->pos > 0 && meta_word(p->s[p->pos - 1]))
        return false;
    while (i < p->len && isspace((unsigned char)p->s[i]))
        i++;
    start = i;
    if (i >= p->len ||
        !(isalpha((unsigned char)p->s[i]) || p->s[i] == '_' || p->s[i] == '*' || p->s[i] == '?'))
        return false;
    while (i < p->len && i - start < 128 &&
           (isalnum((unsigned char)p->s[i]) || p->s[i] == '_' || p->s[i] == '*' || p->s[i] == '?'))
        i++;
    p->tp = p->s + start;
    p->tlen = i - start;
    while (i < p->len && isspace((unsigned char)p->s[i]))
        i++;
    if (i >= p->len || p->s[i] != ')')
        return false;
    p->pos = i + 1;
    p->kind = T_GLOB;
    return true;
}

static void
meta_next(struct meta_parser *p)
{
    static const char *const ops[] = { "||", "&&", ">=", "<=", "==", "!=", "!", ">", "<",
                                       "+",  "-",  "*",  "/",  "^",  "?",  ":", "(", ")" };
    const char *s = p->s;

    while (p->pos < p->len && isspace((unsigned char)s[p->pos]))
        p->pos++;
    p->tp = s + p->pos;
    if (p->pos >= p->len) {
        p->kind = T_END;
        p->tlen = 0;
        return;
    }
    if (meta_glob_at(p))
        return;
    if (isdigit((unsigned char)s[p->pos]) ||
        (s[p->pos] == '.' && p->pos + 1 < p->len && isdigit((unsigned char)s[p->pos + 1]))) {
        char *end;

        p->num = strtod(s + p->pos, &end);
        p->kind = T_NUM;
        p->tlen = (size_t)(end - (s + p->pos));
        p->pos += p->tlen;
        if (p->pos < p->len && meta_word(s[p->pos]))
            meta_fail(p, "bad number");
        return;
    }
    if (meta_word(s[p->pos])) {
        size_t i = p->pos;

        while (i < p->len && (meta_word(s[i]) || s[i] == ':'))
            i++;
        p->kind = T_NAME;
        p->tlen = i - p->pos;
        p->pos = i;
        if (memchr(p->tp, ':', p->tlen) != NULL)
            meta_fail(p, "not a rule name");
        return;
    }
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        size_t n = strlen(ops[k]);

        if (p->len - p->pos >= n && memcmp(s + p->pos, ops[k], n) == 0) {
            /* !(?!=): "!=" was tried first */
            p->kind = T_OP;
            p->tlen = n;
            p->pos += n;
            return;
        }
    }
    p->kind = T_OP;
    p->tlen = 1;
    meta_fail(p, "unexpected character");
    p->pos++;
}

static bool
meta_is(const struct meta_parser *p, const char *op)
{
    return p->kind == T_OP && p->tlen == strlen(op) && memcmp(p->tp, op, p->tlen) == 0;
}

static void
meta_emit(struct meta_parser *p, enum meta_op op, double v, long idx)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;

        p->code = arena_realloc(p->a, p->code, p->cap * sizeof(*p->code), cap * sizeof(*p->code));
        p->cap = cap;
    }
    p->code[p->n++] = (struct meta_ins){ op, v, idx };
}

static void
meta_dep(struct meta_parser *p, long idx)
{
    if (idx < 0)
        return;
    for (size_t i = 0; i < p->ndeps; i++) {
        if (p->deps[i] == idx)
            return;
    }
    if (p->ndeps == p->deps_cap) {
        size_t cap = p->deps_cap ? p->deps_cap * 2 : 8;

        p->deps =
            arena_realloc(p->a, p->deps, p->deps_cap * sizeof(*p->deps), cap * sizeof(*p->deps));
        p->deps_cap = cap;
    }
    p->deps[p->ndeps++] = idx;
}

static void meta_ternary(struct meta_parser *p);

static void
meta_primary(struct meta_parser *p)
{
    if (p->failed)
        return;
    if (p->kind == T_NUM) {
        meta_emit(p, OP_CONST, p->num, 0);
        meta_next(p);
    } else if (p->kind == T_NAME) {
        if (p->tlen == 16 && memcmp(p->tp, "local_tests_only", 16) == 0) {
            meta_emit(p, OP_LOCAL, 0, 0);
        } else {
            long idx = p->names->lookup(p->names->arg, p->tp, p->tlen);

            meta_emit(p, OP_RULE, 0, idx);
            meta_dep(p, idx);
        }
        meta_next(p);
    } else if (p->kind == T_GLOB) {
        /* " (A+B+...) ", or " (0) " when it names nothing */
        long *idx = NULL;
        size_t n = p->names->glob ? p->names->glob(p->names->arg, p->tp, p->tlen, &idx) : 0;

        if (n == 0)
            meta_emit(p, OP_CONST, 0, 0);
        for (size_t i = 0; i < n; i++) {
            meta_emit(p, OP_RULE, 0, idx[i]);
            meta_dep(p, idx[i]);
            if (i > 0)
                meta_emit(p, OP_ADD, 0, 0);
        }
        meta_next(p);
    } else if (meta_is(p, "(")) {
        meta_next(p);
        meta_ternary(p);
        if (!meta_is(p, ")")) {
            meta_fail(p, "missing )");
            return;
        }
        meta_next(p);
    } else {
        meta_fail(p, p->kind == T_END ? "unexpected end" : "unexpected token");
    }
}

static void
meta_unary(struct meta_parser *p)
{
    if (p->failed)
        return;
    if (++p->depth > META_MAX_DEPTH) {
        meta_fail(p, "too deeply nested");
        return;
    }
    if (meta_is(p, "!") || meta_is(p, "-") || meta_is(p, "+")) {
        char c = p->tp[0];

        meta_next(p);
        meta_unary(p);
        if (c == '!')
            meta_emit(p, OP_NOT, 0, 0);
        else if (c == '-')
            meta_emit(p, OP_NEG, 0, 0);
    } else {
        meta_primary(p);
    }
    p->depth--;
}

/* One level of left-associative binary operators. */
struct meta_level {
    void (*next)(struct meta_parser *p);
    const char *ops[4];
    enum meta_op codes[4];
};

static void
meta_binary(struct meta_parser *p, const struct meta_level *l)
{
    l->next(p);
    while (!p->failed) {
        size_t k;

        for (k = 0; k < 4 && l->ops[k] != NULL && !meta_is(p, l->ops[k]); k++)
            ;
        if (k == 4 || l->ops[k] == NULL)
            return;
        meta_next(p);
        l->next(p);
        meta_emit(p, l->codes[k], 0, 0);
    }
}

static void
meta_mul(struct meta_parser *p)
{
    static const struct meta_level l = { meta_unary, { "*", "/" }, { OP_MUL, OP_DIV } };

    meta_binary(p, &l);
}

static void
meta_add(struct meta_parser *p)
{
    static const struct meta_level l = { meta_mul, { "+", "-" }, { OP_ADD, OP_SUB } };

    meta_binary(p, &l);
}

static void
meta_rel(struct meta_parser *p)
{
    static const struct meta_level l = { meta_add,
                                         { "<", ">", "<=", ">=" },
                                         { OP_LT, OP_GT, OP_LE, OP_GE } };

    meta_binary(p, &l);
}

static void
meta_eq(struct meta_parser *p)
{
    static const struct meta_level l = { meta_rel, { "==", "!=" }, { OP_EQ, OP_NE } };

    meta_binary(p, &l);
}

static void
meta_xor(struct meta_parser *p)
{
    static const struct meta_level l = { meta_eq, { "^" }, { OP_XOR } };

    meta_binary(p, &l);
}

static void
meta_and(struct meta_parser *p)
{
    static const struct meta_level l = { meta_xor, { "&&" }, { OP_AND } };

    meta_binary(p, &l);
}

static void
meta_or(struct meta_parser *p)
{
    static const struct meta_level l = { meta_and, { "||" }, { OP_OR } };

    meta_binary(p, &l);
}

static void
meta_ternary(struct meta_parser *p)
{
    if (++p->depth > META_MAX_DEPTH) {
        meta_fail(p, "too deeply nested");
        return;
    }
    meta_or(p);
    if (!p->failed && meta_is(p, "?")) {
        meta_next(p);
        meta_ternary(p);
        if (!meta_is(p, ":")) {
            meta_fail(p, "missing : after ?");
            return;
        }
        meta_next(p);
        meta_ternary(p);
        meta_emit(p, OP_COND, 0, 0);
    }
    p->depth--;
}

/* Run the program; *div0 set when a division by zero happened. */
static double
meta_run(const struct scan_meta *m, const double *values, bool local_only, double *stack,
         bool *div0)
{
    size_t sp = 0;

    *div0 = false;
    for (size_t i = 0; i < m->n; i++) {
        const struct meta_ins *in = &m->code[i];
        double a, b;

        switch (in->op) {
        case OP_CONST:
            stack[sp++] = in->v;
            continue;
        case OP_RULE:
            stack[sp++] = in->idx >= 0 && values != NULL ? values[in->idx] : 0;
            continue;
        case OP_LOCAL:
            stack[sp++] = local_only ? 1 : 0;
            continue;
        case OP_NOT:
            stack[sp - 1] = stack[sp - 1] == 0;
            continue;
        case OP_NEG:
            stack[sp - 1] = -stack[sp - 1];
            continue;
        case OP_COND:
            b = stack[--sp];
            a = stack[--sp];
            stack[sp - 1] = stack[sp - 1] != 0 ? a : b;
            continue;
        default:
            break;
        }
        b = stack[--sp];
        a = stack[sp - 1];
        switch (in->op) {
        case OP_ADD:
            a = a + b;
            break;
        case OP_SUB:
            a = a - b;
            break;
        case OP_MUL:
            a = a * b;
            break;
        case OP_DIV:
            if (b == 0) {
                *div0 = true;
                return 0;
            }
            a = a / b;
            break;
        case OP_LT:
            a = a < b;
            break;
        case OP_GT:
            a = a > b;
            break;
        case OP_LE:
            a = a <= b;
            break;
        case OP_GE:
            a = a >= b;
            break;
        case OP_EQ:
            a = a == b;
            break;
        case OP_NE:
            a = a != b;
            break;
        case OP_XOR:
            a = (double)((uint64_t)(int64_t)a ^ (uint64_t)(int64_t)b);
            break;
        case OP_AND:
            a = a == 0 ? a : b;
            break;
        case OP_OR:
            a = a != 0 ? a : b;
            break;
        default:
            break;
        }
        stack[sp - 1] = a;
    }
    return sp == 1 ? stack[0] : 0;
}

int
scan_meta_compile(struct arena *a, const char *expr, const struct scan_meta_names *names,
                  struct scan_meta **out, struct sift_err *err)
{
    struct meta_parser p = { .a = a, .names = names, .s = expr, .len = strlen(expr), .err = err };
    struct scan_meta *m;
    size_t depth = 0, max = 0;
    double *stack;
    bool div0;

    /* SA's paranoid check (bug 7557) */
    if (strstr(expr, "::") != NULL || strstr(expr, "->") != NULL ||
        strpbrk(expr, "$@%;{}") != NULL) {
        sift_err_set(err, "characters SpamAssassin refuses in a meta rule");
        return -1;
    }
    meta_next(&p);
    meta_ternary(&p);
    if (!p.failed && p.kind != T_END)
        meta_fail(&p, "unexpected token");
    if (!p.failed && p.n == 0)
        meta_fail(&p, "empty expression");
    if (p.failed)
        return -1;
    for (size_t i = 0; i < p.n; i++) {
        enum meta_op op = p.code[i].op;

        if (op == OP_CONST || op == OP_RULE || op == OP_LOCAL)
            depth++;
        else if (op == OP_COND)
            depth -= 2;
        else if (op != OP_NOT && op != OP_NEG)
            depth--;
        if (depth > max)
            max = depth;
    }
    m = arena_calloc(a, 1, sizeof(*m));
    m->code = p.code;
    m->n = p.n;
    m->max_stack = max;
    m->deps = p.deps;
    m->ndeps = p.ndeps;
    /* SA's is_meta_valid: every rule at 0 must not divide by zero */
    stack = arena_alloc(a, (max + 1) * sizeof(*stack));
    (void)meta_run(m, NULL, false, stack, &div0);
    if (div0) {
        sift_err_set(err, "division by zero possible");
        return -1;
    }
    *out = m;
    return 0;
}

size_t
scan_meta_deps(const struct scan_meta *m, const long **deps)
{
    *deps = m->deps;
    return m->ndeps;
}

double
scan_meta_eval(const struct scan_meta *m, const double *values, bool local_only)
{
    double small[32];
    double *stack = m->max_stack < 32 ? small : malloc((m->max_stack + 1) * sizeof(*stack));
    bool div0;
    double r;

    if (stack == NULL)
        return 0;
    r = meta_run(m, values, local_only, stack, &div0);
    if (stack != small)
        free(stack);
    return div0 || isnan(r) ? 0 : r;
}
