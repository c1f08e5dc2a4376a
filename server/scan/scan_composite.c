/*
 * scan_composite.c - composite expressions (see scan_composite.h): a
 * recursive-descent parser into a small tree, evaluated over the names a
 * result holds.
 */
#include "scan/scan_composite.h"

#include <string.h>

/* Deeper nesting than this is refused (the parser recurses). */
#define COMP_MAX_DEPTH 64

enum comp_op { COMP_NAME, COMP_NOT, COMP_AND, COMP_OR };

struct comp_node {
    enum comp_op op;
    const char *name; /* COMP_NAME, NUL-terminated */
    size_t len;
    int prefix; /* '~', '^', '-' or 0 */
    struct comp_node *l, *r;
};

struct scan_composite {
    struct comp_node *root;
    const char **names;
    size_t nnames;
};

struct comp_parse {
    struct arena *a;
    const char *s;
    size_t pos;
    int depth;
    struct sift_err *err;
    struct scan_composite *c;
};

static bool
comp_name_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == ':';
}

static void
comp_space(struct comp_parse *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n')
        p->pos++;
}

static struct comp_node *
comp_fail(struct comp_parse *p, const char *what)
{
    if (p->err != NULL && p->err->msg[0] == '\0')
        sift_err_set(p->err, "%s at offset %zu", what, p->pos);
    return NULL;
}

static struct comp_node *
comp_node(struct comp_parse *p, enum comp_op op, struct comp_node *l, struct comp_node *r)
{
    struct comp_node *n = arena_calloc(p->a, 1, sizeof(*n));

    n->op = op;
    n->l = l;
    n->r = r;
    return n;
}

static struct comp_node *comp_or(struct comp_parse *p);

static struct comp_node *
comp_atom(struct comp_parse *p)
{
    struct comp_node *n;
    size_t start;
    int prefix = 0;

    comp_space(p);
    if (p->s[p->pos] == '!') {
        p->pos++;
        if (++p->depth > COMP_MAX_DEPTH)
            return comp_fail(p, "nested too deep");
        n = comp_atom(p);
        p->depth--;
        return n != NULL ? comp_node(p, COMP_NOT, n, NULL) : NULL;
    }
    if (p->s[p->pos] == '(') {
        p->pos++;
        if (++p->depth > COMP_MAX_DEPTH)
            return comp_fail(p, "nested too deep");
        n = comp_or(p);
        p->depth--;
        if (n == NULL)
            return NULL;
        comp_space(p);
        if (p->s[p->pos] != ')')
            return comp_fail(p, "')' expected");
        p->pos++;
        return n;
    }
    if (p->s[p->pos] == '~' || p->s[p->pos] == '^' || p->s[p->pos] == '-')
        prefix = p->s[p->pos++];
    start = p->pos;
    while (comp_name_char(p->s[p->pos]))
        p->pos++;
    if (p->pos == start)
        return comp_fail(p, p->s[p->pos] == '\0' ? "a symbol name expected at the end"
                                                 : "a symbol name expected");
    n = comp_node(p, COMP_NAME, NULL, NULL);
    n->name = arena_strndup(p->a, p->s + start, p->pos - start);
    n->len = p->pos - start;
    n->prefix = prefix;
    p->c->names = arena_realloc(p->a, p->c->names, p->c->nnames * sizeof(*p->c->names),
                                (p->c->nnames + 1) * sizeof(*p->c->names));
    p->c->names[p->c->nnames++] = n->name;
    return n;
}

/* '&' or '&&' (c '&'), '|' or '||' (c '|') */
static bool
comp_take_op(struct comp_parse *p, char c)
{
    comp_space(p);
    if (p->s[p->pos] != c)
        return false;
    p->pos += p->s[p->pos + 1] == c ? 2 : 1;
    return true;
}

static struct comp_node *
comp_and(struct comp_parse *p)
{
    struct comp_node *l = comp_atom(p), *r;

    while (l != NULL && comp_take_op(p, '&')) {
        if ((r = comp_atom(p)) == NULL)
            return NULL;
        l = comp_node(p, COMP_AND, l, r);
    }
    return l;
}

static struct comp_node *
comp_or(struct comp_parse *p)
{
    struct comp_node *l = comp_and(p), *r;

    while (l != NULL && comp_take_op(p, '|')) {
        if ((r = comp_and(p)) == NULL)
            return NULL;
        l = comp_node(p, COMP_OR, l, r);
    }
    return l;
}

struct scan_composite *
scan_composite_compile(struct arena *a, const char *expr, struct sift_err *err)
{
    struct scan_composite *c = arena_calloc(a, 1, sizeof(*c));
    struct comp_parse p = { a, expr, 0, 0, err, c };

    if (err != NULL)
        err->msg[0] = '\0';
    c->root = comp_or(&p);
    if (c->root == NULL)
        return NULL;
    comp_space(&p);
    if (expr[p.pos] != '\0') {
        comp_fail(&p, "an operator (& | !) or the end expected");
        return NULL;
    }
    return c;
}

static const char *const comp_policies[] = { "remove_all", "remove_weight", "remove_symbol",
                                             "leave" };

int
scan_composite_policy_parse(const char *s)
{
    for (size_t i = 0; i < sizeof(comp_policies) / sizeof(comp_policies[0]); i++) {
        if (strcmp(s, comp_policies[i]) == 0)
            return (int)i;
    }
    return -1;
}

const char *
scan_composite_policy_name(enum scan_composite_policy p)
{
    return (size_t)p < sizeof(comp_policies) / sizeof(comp_policies[0]) ? comp_policies[p]
                                                                        : "remove_all";
}

struct comp_eval {
    scan_composite_has_fn has;
    void *arg;
};

static bool
comp_value(const struct comp_node *n, const struct comp_eval *ev)
{
    switch (n->op) {
    case COMP_NAME:
        return ev->has(ev->arg, n->name, n->len);
    case COMP_NOT:
        return !comp_value(n->l, ev);
    case COMP_AND:
        return comp_value(n->l, ev) && comp_value(n->r, ev);
    case COMP_OR:
        return comp_value(n->l, ev) || comp_value(n->r, ev);
    }
    return false;
}

/* The names outside a '!' that are present, marked. */
static void
comp_marks(const struct comp_node *n, bool negated, const struct comp_eval *ev,
           scan_composite_mark_fn mark, enum scan_composite_policy policy)
{
    enum scan_composite_policy how = policy;

    switch (n->op) {
    case COMP_NAME:
        if (negated || !ev->has(ev->arg, n->name, n->len))
            return;
        if (n->prefix == '~')
            how = SCAN_COMPOSITE_REMOVE_WEIGHT;
        else if (n->prefix == '^')
            how = SCAN_COMPOSITE_REMOVE_SYMBOL;
        else if (n->prefix == '-')
            how = SCAN_COMPOSITE_LEAVE;
        mark(ev->arg, n->name, n->len, how);
        return;
    case COMP_NOT:
        comp_marks(n->l, !negated, ev, mark, policy);
        return;
    case COMP_AND:
    case COMP_OR:
        comp_marks(n->l, negated, ev, mark, policy);
        comp_marks(n->r, negated, ev, mark, policy);
        return;
    }
}

bool
scan_composite_eval(const struct scan_composite *c, scan_composite_has_fn has,
                    scan_composite_mark_fn mark, void *arg, enum scan_composite_policy policy)
{
    struct comp_eval ev = { has, arg };

    if (!comp_value(c->root, &ev))
        return false;
    if (mark != NULL)
        comp_marks(c->root, false, &ev, mark, policy);
    return true;
}

size_t
scan_composite_names(const struct scan_composite *c, const char ***names)
{
    *names = c->names;
    return c->nnames;
}
