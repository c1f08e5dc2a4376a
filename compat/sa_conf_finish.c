/*
 * sa_conf_finish.c - what SpamAssassin does once every file is read
 * (Parser::fix_tests, finish_parsing: compile_meta_rules, fix_priorities,
 * fix_tflags; ReplaceTags' finish_parsing_end), for the rules this
 * configuration defined. See sa_conf.h for the list.
 */
#include "compat/sa_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_conf_int.h"
#include "compat/sa_regex.h"
#include "core/buf.h"
#include "core/xmalloc.h"

#define RT_MAX_PASSES 6 /* the first pass and five more */

/* ---- ReplaceTags ---- */

/* Perl truth of a configured string. */
static bool
rt_truthy(const char *s)
{
    return s != NULL && s[0] != '\0' && strcmp(s, "0") != 0;
}

/* $start(.+?)$end in s from `from`: the match [*m0, *m1) and its group. */
static bool
rt_find(const char *s, size_t from, const char *start, const char *prefix, const char *end,
        size_t *m0, size_t *m1, size_t *g0, size_t *g1)
{
    size_t sl = strlen(start), pl = strlen(prefix), el = strlen(end);

    for (const char *p = strstr(s + from, start); p != NULL; p = strstr(p + 1, start)) {
        const char *g = p + sl, *e;

        if (strncmp(g, prefix, pl) != 0)
            continue;
        g += pl;
        if (*g == '\0' || *g == '\n')
            continue;
        e = strstr(g + 1, end);
        if (e != NULL && memchr(g, '\n', (size_t)(e - g)) == NULL) {
            *m0 = (size_t)(p - s);
            *m1 = (size_t)(e + el - s);
            *g0 = (size_t)(g - s);
            *g1 = (size_t)(e - s);
            return true;
        }
    }
    return false;
}

/* s/${start}NAME (.+?)${end}// once: the name, or NULL. */
static char *
rt_take(struct buf *re, const char *start, const char *kw, const char *end)
{
    size_t m0, m1, g0, g1;
    char *name;

    if (re->p == NULL || !rt_find(re->p, 0, start, kw, end, &m0, &m1, &g0, &g1))
        return NULL;
    name = xstrndup(re->p + g0, g1 - g0);
    memmove(re->p + m0, re->p + m1, re->len - m1 + 1);
    re->len -= m1 - m0;
    return name;
}

struct rt_elems {
    char **e;
    size_t n, cap;
};

static void
rt_push(struct rt_elems *el, const char *p, size_t len)
{
    if (el->n == el->cap) {
        el->cap = el->cap ? el->cap * 2 : 16;
        el->e = xreallocarray(el->e, el->cap, sizeof(*el->e));
    }
    el->e[el->n++] = xstrndup(p, len);
}

/* split(/(<[^<>]+>)/, $re), trailing empty fields dropped */
static void
rt_split(const char *s, struct rt_elems *el)
{
    size_t last = 0, i = 0, len = strlen(s);

    while (i < len) {
        size_t j;

        if (s[i] != '<') {
            i++;
            continue;
        }
        for (j = i + 1; j < len && s[j] != '<' && s[j] != '>'; j++)
            ;
        if (j < len && s[j] == '>' && j > i + 1) {
            rt_push(el, s + last, i - last);
            rt_push(el, s + i, j + 1 - i);
            last = i = j + 1;
        } else {
            i = j;
        }
    }
    rt_push(el, s + last, len - last);
    while (el->n > 0 && el->e[el->n - 1][0] == '\0')
        free(el->e[--el->n]);
}

/* Put ins into *e at [at, at) or replace [at, to) by it. */
static void
rt_splice(char **e, size_t at, size_t to, const char *ins)
{
    size_t len = strlen(*e), il = strlen(ins);
    char *n = xmalloc(len - (to - at) + il + 1);

    memcpy(n, *e, at);
    memcpy(n + at, ins, il);
    memcpy(n + at + il, *e + to, len - to + 1);
    free(*e);
    *e = n;
}

/* Has s a <[^>]+> in it? */
static bool
rt_has_tag(const char *s)
{
    for (const char *p = strchr(s, '<'); p != NULL; p = strchr(p + 1, '<'))
        if (p[1] != '>' && p[1] != '\0' && strchr(p + 1, '>') != NULL)
            return true;
    return false;
}

/* With calls: each tag becomes a subroutine call (?&sa_tag_N) and
 * used[N] is set, instead of the tag's text. */
struct rt_calls {
    bool *used; /* by index in c->tags */
};

/* ReplaceTags::finish_parsing_end on one pattern body; a new string. */
static char *
rt_apply(struct sa_conf *c, const char *body, struct rt_calls *calls)
{
    const char *start = c->replace_start, *end = c->replace_end;
    struct buf re;
    int passes = 0;
    bool again;

    buf_init(&re);
    buf_puts(&re, body);
    do {
        char *pre = rt_take(&re, start, "pre ", end);
        char *post = rt_take(&re, start, "post ", end);
        char *inter = rt_take(&re, start, "inter ", end);
        const char *vpre = pre ? sa_map_get(&c->pres, strv_cstr(pre)) : NULL;
        const char *vpost = post ? sa_map_get(&c->posts, strv_cstr(post)) : NULL;
        const char *vinter = inter ? sa_map_get(&c->inters, strv_cstr(inter)) : NULL;
        struct rt_elems el = { 0 };

        again = false;
        rt_split(re.p != NULL ? re.p : "", &el);
        for (size_t i = 0; i < el.n; i++) {
            size_t m0, m1, g0, g1, from = 0;

            if (rt_truthy(vpre) && rt_find(el.e[i], 0, start, "", end, &m0, &m1, &g0, &g1))
                rt_splice(&el.e[i], m0, m0, vpre);
            while (rt_truthy(vpost) && rt_find(el.e[i], from, start, "", end, &m0, &m1, &g0, &g1)) {
                rt_splice(&el.e[i], m1, m1, vpost);
                from = m1 + strlen(vpost);
            }
            /* between two tags; SA's pattern starts with "(?aa)", so the
             * first field is never empty there */
            if (rt_truthy(vinter) && i > 0 && el.e[i][0] == '\0')
                rt_splice(&el.e[i], 0, 0, vinter);
            if (rt_find(el.e[i], 0, start, "", end, &m0, &m1, &g0, &g1)) {
                char *tag = xstrndup(el.e[i] + g0, g1 - g0);
                const char *rep = rt_truthy(tag) ? sa_map_get(&c->tags, strv_cstr(tag)) : NULL;
                char call[48];

                if (rt_truthy(rep) && calls != NULL) {
                    long k = strset_index(&c->tags.keys, strv_cstr(tag));

                    snprintf(call, sizeof(call), "(?&sa_tag_%ld)", k);
                    calls->used[k] = true;
                    rep = call;
                }
                if (rt_truthy(rep)) {
                    char *whole = xmalloc(strlen(start) + strlen(tag) + strlen(end) + 1);
                    char *p;
                    size_t at = 0;

                    strcpy(whole, start);
                    strcat(whole, tag);
                    strcat(whole, end);
                    while ((p = strstr(el.e[i] + at, whole)) != NULL) {
                        size_t o = (size_t)(p - el.e[i]);

                        rt_splice(&el.e[i], o, o + strlen(whole), rep);
                        at = o + strlen(rep);
                    }
                    free(whole);
                    if (!again && calls == NULL && rt_has_tag(rep))
                        again = true;
                }
                free(tag);
            }
        }
        buf_reset(&re);
        for (size_t i = 0; i < el.n; i++) {
            buf_puts(&re, el.e[i]);
            free(el.e[i]);
        }
        free(el.e);
        free(pre);
        free(post);
        free(inter);
        passes++;
    } while (again && passes < RT_MAX_PASSES);
    {
        char *out = xstrdup(re.p != NULL ? re.p : "");

        buf_clear(&re);
        return out;
    }
}

/* Does the pattern change flags inside (a subroutine call would run with
 * the flags where it is defined, not where it is called)? */
static bool
rt_inline_flags(const char *s)
{
    for (const char *p = strstr(s, "(?"); p != NULL; p = strstr(p + 1, "(?")) {
        const char *q = p + 2;

        while ((*q >= 'a' && *q <= 'z') || *q == '^' || *q == '-')
            q++;
        if (q > p + 2 && (*q == ')' || *q == ':'))
            return true;
    }
    return false;
}

/* The body with each tag a call to a group defined once at the end:
 * what Perl runs, in a size PCRE2's compiled form allows (the stock
 * extortion rules grow to 240 KB when their tags are spelled out).
 * Tags hold no captures, and the groups come after every group of the
 * rule, so its group numbers do not move. NULL when it cannot apply. */
static char *
rt_apply_calls(struct sa_conf *c, const char *body, struct strv mods)
{
    struct rt_calls calls = { xcalloc(c->tags.keys.n + 1, sizeof(bool)) };
    char *calling = rt_apply(c, body, &calls);
    struct buf out;
    char *res = NULL;

    buf_init(&out);
    buf_puts(&out, calling);
    buf_puts(&out, "(?(DEFINE)");
    for (size_t k = 0; k < c->tags.keys.n; k++) {
        char *text;

        if (!calls.used[k])
            continue;
        text = rt_apply(c, c->tags.vals[k], NULL);
        buf_printf(&out, "(?<sa_tag_%zu>%s)", k, text);
        free(text);
    }
    buf_puts(&out, ")");
    /* under /x a # comment would swallow the definitions */
    if (!rt_inline_flags(out.p) && strstr(body, "(?&sa_tag_") == NULL &&
        memchr(mods.p, 'x', mods.len) == NULL)
        res = xstrdup(out.p);
    buf_clear(&out);
    free(calling);
    free(calls.used);
    return res;
}

static enum sa_regex_status
rt_compile(struct scan_ruleset *rs, const char *body, struct strv mods, struct sa_regex *re,
           struct sift_err *err)
{
    enum sa_regex_status st =
        sa_regex_translate(scan_ruleset_arena(rs), strv_cstr(body), mods, re, err);

    return st == SA_RE_OK ? sa_regex_check(re, err) : st;
}

/* The tags spelled out, translated but not compiled (PCRE2 finds it too
 * large), for the matcher's Hyperscan pass: what Perl runs, so a text the
 * rule matches is one it matches. NULL if it is not that simple. */
static const char *
rt_prefilter(struct scan_ruleset *rs, const char *inline_body, struct strv mods,
             const struct sa_regex *calls)
{
    struct sa_regex re;
    struct sift_err err;

    if (sa_regex_translate(scan_ruleset_arena(rs), strv_cstr(inline_body), mods, &re, &err) !=
            SA_RE_OK ||
        re.flags != calls->flags)
        return NULL;
    return re.pattern;
}

static void
rt_rules(struct sa_conf *c, struct scan_ruleset *rs)
{
    for (size_t i = 0; i < c->replace_rules.n; i++) {
        struct strv name = c->replace_rules.items[i], body, mods;
        struct scan_rule *r = scan_ruleset_find(rs, name.p);
        struct sa_rinfo *ri;
        struct sift_err err;
        struct sa_regex re;
        char *orig, *nbody;
        const char *prefilter = NULL;
        enum sa_regex_status st;

        if (r == NULL || r->kind != SCAN_K_REGEX || r->target == SCAN_T_MIMEHEADER)
            continue;
        ri = sa_rinfo(c, r);
        if (!ri->ours || ri->re_text == NULL || ri->replaced)
            continue;
        ri->replaced = true;
        if (sa_regex_split(strv_cstr(ri->re_text), &body, &mods, &err) != SA_RE_OK)
            continue;
        orig = xstrndup(body.p, body.len);
        nbody = rt_apply(c, orig, NULL);
        if (strcmp(nbody, orig) != 0) {
            st = rt_compile(rs, nbody, mods, &re, &err);
            if (st != SA_RE_OK && strstr(err.msg, "too large") != NULL) {
                char *calls = rt_apply_calls(c, orig, mods);

                if (calls != NULL && rt_compile(rs, calls, mods, &re, &err) == SA_RE_OK) {
                    st = SA_RE_OK;
                    prefilter = rt_prefilter(rs, nbody, mods, &re);
                }
                free(calls);
            }
            if (st == SA_RE_OK) {
                r->pattern = re.pattern;
                r->re_flags = re.flags;
                r->prefilter = prefilter;
                c->st.replaced++;
            } else {
                scan_ruleset_skip(rs, r->name, r->origin, "replace_tags",
                                  "%s: the pattern with its tags replaced does not compile "
                                  "(%s): left out",
                                  r->name, err.msg);
                sa_rule_undefine(r);
            }
        }
        free(orig);
        free(nbody);
    }
}

/* ---- scores ---- */

static void
fin_default_scores(struct sa_conf *c, struct scan_ruleset *rs)
{
    size_t n = scan_ruleset_count(rs);

    for (size_t i = 0; i < n; i++) {
        struct scan_rule *r = scan_ruleset_at(rs, i);
        double s;

        if (r->kind == SCAN_K_UNDEFINED || r->has_score || !sa_rinfo(c, r)->ours)
            continue;
        s = strncmp(r->name, "T_", 2) == 0 ? 0.01 : 1.0;
        if (r->tflags & SCAN_TF_NICE)
            s = -s;
        for (int k = 0; k < 4; k++)
            r->score[k] = s;
        r->has_score = true;
    }
}

/* ---- metas ---- */

struct fin_meta {
    struct scan_rule *r;
    const char **deps;
    size_t ndeps;
    bool solved;
};

/* The metas being finished, and for each rule index its meta (or NULL). */
struct fin_metas {
    struct fin_meta *m;
    size_t n;
    struct fin_meta **by_index;
};

static int
fin_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* rules_matching(GLOB) -> " (A+B) " of the rules with a score, sorted. */
static void
fin_rules_matching(struct scan_ruleset *rs, struct scan_rule *r)
{
    size_t s, e, pos = 0, n = scan_ruleset_count(rs);
    struct strv glob;
    struct buf out;

    if (strstr(r->expr, "rules_matching") == NULL)
        return;
    buf_init(&out);
    while (sa_meta_rules_matching(r->expr, pos, &s, &e, &glob)) {
        const char **names = NULL;
        size_t nn = 0;

        buf_append(&out, r->expr + pos, s - pos);
        for (size_t i = 0; i < n; i++) {
            const struct scan_rule *x = scan_ruleset_at(rs, i);

            if (x != r && x->has_score && sa_glob_match(glob.p, glob.len, x->name)) {
                names = xreallocarray(names, nn + 1, sizeof(*names));
                names[nn++] = x->name;
            }
        }
        if (nn > 0)
            qsort(names, nn, sizeof(*names), fin_strcmp);
        buf_puts(&out, " (");
        for (size_t i = 0; i < nn; i++)
            buf_printf(&out, "%s%s", i ? "+" : "", names[i]);
        buf_puts(&out, nn == 0 ? "0) " : ") ");
        free(names);
        pos = e;
    }
    buf_puts(&out, r->expr + pos);
    r->expr = arena_strdup(scan_ruleset_arena(rs), out.p);
    buf_clear(&out);
}

/* Is the expression "( )" (Bug 8061: a declared rule that is never true)? */
static bool
fin_empty_parens(const char *expr)
{
    struct strv t;
    size_t pos = 0, n = 0;
    bool ok = true;

    while (sa_arith_next(expr, &pos, &t))
        ok = ok && ((n++ == 0 && strv_eq(t, "(")) || (n == 2 && strv_eq(t, ")")));
    return ok && n == 2;
}

/* compile_meta_rules: peel metas whose meta dependencies are all solved;
 * what is left loops. */
static void
fin_meta_loops(struct scan_ruleset *rs, struct fin_metas *fm)
{
    bool progress = true;

    while (progress) {
        progress = false;
        for (size_t i = 0; i < fm->n; i++) {
            struct fin_meta *m = &fm->m[i];
            bool ready = true;

            if (m->solved)
                continue;
            for (size_t k = 0; k < m->ndeps && ready; k++) {
                struct scan_rule *d = scan_ruleset_find(rs, m->deps[k]);
                struct fin_meta *dm = d != NULL ? fm->by_index[d->index] : NULL;

                if (dm != NULL && (dm == m || !dm->solved))
                    ready = false;
            }
            if (ready) {
                m->solved = true;
                progress = true;
            }
        }
    }
    for (size_t i = 0; i < fm->n; i++) {
        struct scan_rule *r = fm->m[i].r;

        if (fm->m[i].solved)
            continue;
        scan_ruleset_skip(rs, r->name, r->origin, "meta loop",
                          "%s: unsolved meta dependencies (a loop): left out", r->name);
        sa_rule_undefine(r);
    }
}

struct fin_pri {
    struct scan_rule *r;
    struct fin_meta *meta;
};

static int
fin_pri_cmp(const void *a, const void *b)
{
    const struct fin_pri *x = a, *y = b;

    if (x->r->priority != y->r->priority)
        return x->r->priority < y->r->priority ? -1 : 1;
    return x->r->index < y->r->index ? -1 : x->r->index > y->r->index;
}

/* Is r in SA's %priority (a defined test, or named by a priority line)? */
static bool
fin_has_pri(struct sa_conf *c, struct scan_rule *r)
{
    struct sa_rinfo *ri = sa_rinfo(c, r);

    return ri->has_priority || (ri->ours && r->kind != SCAN_K_UNDEFINED);
}

/* fix_priorities: a dependency never runs after the meta that needs it;
 * lowest priorities first, so a change is never undone. */
static void
fin_priorities(struct sa_conf *c, struct scan_ruleset *rs, struct fin_metas *fm)
{
    size_t n = scan_ruleset_count(rs), np = 0;
    struct fin_pri *p = xcalloc(n + 1, sizeof(*p));

    for (size_t i = 0; i < n; i++) {
        struct scan_rule *r = scan_ruleset_at(rs, i);
        struct fin_meta *m = fm->by_index[r->index];

        if (!fin_has_pri(c, r))
            continue;
        p[np].r = r;
        p[np++].meta = m != NULL && m->solved ? m : NULL;
    }
    if (np > 0)
        qsort(p, np, sizeof(*p), fin_pri_cmp);
    for (size_t i = 0; i < np; i++) {
        int base = p[i].r->priority;

        for (size_t k = 0; p[i].meta != NULL && k < p[i].meta->ndeps; k++) {
            struct scan_rule *d = scan_ruleset_find(rs, p[i].meta->deps[k]);

            if (d != NULL && fin_has_pri(c, d) && d->priority > base)
                d->priority = base < -100 && (d->tflags & SCAN_TF_NET) ? -100 : base;
        }
    }
    free(p);
}

/* fix_tflags: a meta inherits net from its dependencies. SA does one pass
 * in hash order; here until nothing changes, so chains inherit too. */
static void
fin_net(struct scan_ruleset *rs, struct fin_metas *fm)
{
    struct fin_meta *m = fm->m;
    bool changed = true;

    while (changed) {
        changed = false;
        for (size_t i = 0; i < fm->n; i++) {
            if (!m[i].solved || (m[i].r->tflags & SCAN_TF_NET))
                continue;
            for (size_t k = 0; k < m[i].ndeps; k++) {
                struct scan_rule *d = scan_ruleset_find(rs, m[i].deps[k]);

                if (d != NULL && d->kind != SCAN_K_UNDEFINED && (d->tflags & SCAN_TF_NET)) {
                    m[i].r->tflags |= SCAN_TF_NET;
                    changed = true;
                    break;
                }
            }
        }
    }
}

static void
fin_metas(struct sa_conf *c, struct scan_ruleset *rs)
{
    size_t n = scan_ruleset_count(rs);
    struct fin_metas fm = { xcalloc(n + 1, sizeof(*fm.m)), 0, xcalloc(n + 1, sizeof(void *)) };

    for (size_t i = 0; i < n; i++) {
        struct scan_rule *r = scan_ruleset_at(rs, i);
        struct fin_meta *m;

        if (r->kind != SCAN_K_META || !sa_rinfo(c, r)->ours)
            continue;
        fin_rules_matching(rs, r);
        if (fin_empty_parens(r->expr))
            r->expr = "0";
        m = &fm.m[fm.n++];
        m->r = r;
        m->ndeps = sa_meta_deps(c->a, r->expr, &m->deps);
        fm.by_index[r->index] = m;
    }
    fin_meta_loops(rs, &fm);
    fin_priorities(c, rs, &fm);
    fin_net(rs, &fm);
    free(fm.m);
    free(fm.by_index);
}

static void
fin_net_priority(struct sa_conf *c, struct scan_ruleset *rs)
{
    size_t n = scan_ruleset_count(rs);

    for (size_t i = 0; i < n; i++) {
        struct scan_rule *r = scan_ruleset_at(rs, i);

        if (r->kind != SCAN_K_UNDEFINED && sa_rinfo(c, r)->ours && r->priority == 0 &&
            (r->tflags & SCAN_TF_NET))
            r->priority = -100;
    }
}

static void
fin_unknown(struct sa_conf *c, struct scan_ruleset *rs)
{
    for (size_t i = 0; i < c->unknown.keys.n; i++) {
        struct sa_unknown *u = c->unknown.vals[i];

        if (u->count == 0)
            continue;
        scan_ruleset_skip(rs, NULL, u->origin, "unknown keyword",
                          "%s: %zu line%s with this keyword, ignored as SpamAssassin does "
                          "(no plugin loaded registers it)",
                          c->unknown.keys.items[i].p, u->count, u->count == 1 ? "" : "s");
        u->count = 0;
    }
}

/* finish_parsing_start of Razor2 and Pyzor: with razor_fork / pyzor_fork
 * (on by default) their rules run at -100, to start the helper early. */
static void
fin_plugin_priorities(struct sa_conf *c, struct scan_ruleset *rs)
{
    bool razor = sa_conf_plugin_loaded(c, "Razor2") && sa_conf_bool(c, "razor_fork", true);
    bool pyzor = sa_conf_plugin_loaded(c, "Pyzor") && sa_conf_bool(c, "pyzor_fork", true);
    size_t n = scan_ruleset_count(rs);

    for (size_t i = 0; i < n && (razor || pyzor); i++) {
        struct scan_rule *r = scan_ruleset_at(rs, i);

        if (r->kind != SCAN_K_EVAL || !sa_rinfo(c, r)->ours)
            continue;
        if ((razor && (strcmp(r->eval, "check_razor2") == 0 ||
                       strcmp(r->eval, "check_razor2_range") == 0)) ||
            (pyzor && strcmp(r->eval, "check_pyzor") == 0)) {
            r->priority = -100;
            sa_rinfo(c, r)->has_priority = true;
        }
    }
}

void
sa_conf_finish(struct sa_conf *c, struct scan_ruleset *rs)
{
    fin_default_scores(c, rs);
    fin_plugin_priorities(c, rs);
    fin_metas(c, rs);
    fin_net_priority(c, rs);
    rt_rules(c, rs);
    fin_unknown(c, rs);
}
