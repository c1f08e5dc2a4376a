/*
 * sa_eval_fixture.h - what the tests of compat/'s eval functions share: a
 * call of one function on one crafted message of tests/data/eval/body/,
 * with its rule type and arguments, and the answer SpamAssassin 4.0.1
 * gave for it (printed by scripts/sa-eval-body.pl --cases). Include after
 * unit.h and mime_fixture.h.
 */
#ifndef SIFT_TESTS_SA_EVAL_FIXTURE_H
#define SIFT_TESTS_SA_EVAL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_conf.h"
#include "core/arena.h"
#include "scan/scan_eval.h"
#include "scan/scan_rule.h"
#include "scan/task.h"

#define EVAL_DATA "tests/data/eval/body/"

struct eval_case {
    const char *file;    /* under EVAL_DATA */
    const char *target;  /* body, rawbody, full or header */
    const char *fn;      /* the eval function */
    const char *args[6]; /* NULL-terminated */
    int want;            /* SpamAssassin's answer: 1 a hit */
};

static char *
eval_slurp(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    char *p;
    long n;

    snprintf(path, sizeof(path), EVAL_DATA "%s", name);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static enum scan_target
eval_target(const char *t)
{
    if (strcmp(t, "body") == 0)
        return SCAN_T_BODY;
    if (strcmp(t, "rawbody") == 0)
        return SCAN_T_RAWBODY;
    if (strcmp(t, "full") == 0)
        return SCAN_T_FULL;
    return SCAN_T_HEADER;
}

static const struct scan_eval_def *
eval_def(const struct scan_eval_def *defs, size_t n, const char *fn)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(defs[i].name, fn) == 0)
            return &defs[i];
    }
    return NULL;
}

/* Run c's function on c's message with configuration data (a struct
 * sa_conf, or NULL for SpamAssassin's defaults); its value (0: no hit). */
static double
eval_run(const struct scan_eval_def *defs, size_t ndefs, const struct eval_case *c, void *data)
{
    const struct scan_eval_def *d = eval_def(defs, ndefs, c->fn);
    struct arena *ra = arena_new(1024);
    struct scan_eval_arg args[6];
    struct scan_rule rule;
    struct scan_eval_ctx ec;
    struct sift_err err;
    struct task *t;
    size_t len, nargs = 0;
    char *raw = eval_slurp(c->file, &len);
    void *state = NULL;
    double v;

    ck_assert_msg(d != NULL, "no function %s", c->fn);
    memset(&rule, 0, sizeof(rule));
    memset(args, 0, sizeof(args));
    while (nargs < 6 && c->args[nargs] != NULL) {
        args[nargs].kind = SCAN_ARG_STR;
        args[nargs].s = c->args[nargs];
        args[nargs].len = strlen(c->args[nargs]);
        args[nargs].n = strtod(c->args[nargs], NULL);
        nargs++;
    }
    rule.name = "T_EVAL";
    rule.kind = SCAN_K_EVAL;
    rule.target = eval_target(c->target);
    rule.eval = c->fn;
    rule.args = args;
    rule.nargs = nargs;
    if (d->prepare != NULL)
        ck_assert_msg(d->prepare(ra, &rule, &state, &err) == 0, "%s: %s", c->fn, err.msg);
    t = task_new(&ctx, raw, len, true);
    memset(&ec, 0, sizeof(ec));
    ec.task = t;
    ec.msg = task_message(t);
    ec.rule = &rule;
    ec.state = state;
    ec.data = data;
    v = d->fn(&ec);
    task_free(&t);
    free(raw);
    arena_free(&ra);
    return v;
}

/* ck_assert that c gives SpamAssassin's answer. */
static void
eval_check(const struct scan_eval_def *defs, size_t ndefs, const struct eval_case *c, void *data)
{
    double v = eval_run(defs, ndefs, c, data);

    ck_assert_msg((v != 0) == (c->want != 0), "%s %s(%s%s%s%s%s) on %s: got %g, SpamAssassin %d",
                  c->target, c->fn, c->args[0] ? c->args[0] : "", c->args[1] ? ", " : "",
                  c->args[1] ? c->args[1] : "", c->args[2] ? ", " : "",
                  c->args[2] ? c->args[2] : "", c->file, v, c->want);
}

/* A configuration read from .cf text (ok_locales en, ...), for the
 * functions that read one; free it with eval_conf_free. The locale of the
 * environment is set to C, as get_my_locales would add it. */
static inline struct sa_conf *
eval_conf(const char *text, struct scan_ruleset **rs)
{
    struct sa_conf_opts o = { 0 };
    struct sa_conf *c = sa_conf_new(&o);
    struct sift_err err;

    setenv("LC_ALL", "C", 1);
    *rs = scan_ruleset_new();
    ck_assert_msg(sa_conf_parse(c, *rs, text, strlen(text), "test.cf", &err) == 0, "%s", err.msg);
    return c;
}

static inline void
eval_conf_free(struct sa_conf **c, struct scan_ruleset **rs)
{
    sa_conf_free(c);
    scan_ruleset_free(rs);
}

/* Every def of a table has a name, a function, and the rule types SA
 * allows it (0 or body and rawbody). */
static void
eval_defs_sane(const struct scan_eval_def *defs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(defs[i].name);
        ck_assert_ptr_nonnull(defs[i].fn);
        ck_assert_uint_eq(defs[i].flags & SCAN_EVAL_NET, 0);
        for (size_t k = 0; k < i; k++)
            ck_assert_str_ne(defs[k].name, defs[i].name);
    }
}

#endif
