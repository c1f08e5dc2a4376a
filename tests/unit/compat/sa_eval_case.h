/*
 * sa_eval_case.h - what the header and relay eval tests share: the crafted
 * messages of tests/data/eval/header and SpamAssassin's results on them
 * (expected.txt, printed by scripts/sa-eval-header.pl through
 * scripts/eval_parity.py --write-expected), and running one eval call the
 * way the engine does (prepare into an arena, then the function on a task).
 * Include after unit.h and mime_fixture.h.
 */
#ifndef SIFT_TESTS_SA_EVAL_CASE_H
#define SIFT_TESTS_SA_EVAL_CASE_H

#include <dirent.h>

#include "core/arena.h"
#include "core/err.h"
#include "scan/scan_eval.h"
#include "scan/scan_rule.h"
#include "scan/task.h"

#define EV_DIR      "tests/data/eval/header"
#define EV_MAX      256
#define EV_MAX_ARGS 4

struct ev_call {
    char text[256]; /* as written: check_for_shifted_date('-6', '-3') */
    char fn[128];
    struct scan_eval_arg args[EV_MAX_ARGS];
    char argbuf[EV_MAX_ARGS][64];
    size_t nargs;
};

static struct ev_call ev_calls[EV_MAX];
static size_t ev_ncalls;
static char ev_files[EV_MAX][256];
static size_t ev_nfiles;
static char (*ev_hits)[256]; /* "FILE CALL" of each hit */
static size_t ev_nhits;
static void *ev_data; /* the eval context's data (the SA configuration), or NULL */

/* Conf::Parser::pack_eval_args: quoted strings and bare words, all strings.
 * Runs before the suite: no ck_assert here. */
static void
ev_parse_call(struct ev_call *c, const char *text)
{
    const char *s = strchr(text, '(');

    snprintf(c->text, sizeof(c->text), "%.255s", text);
    snprintf(c->fn, sizeof(c->fn), "%.*s", (int)(s != NULL ? s - text : (long)strlen(text)), text);
    c->nargs = 0;
    if (s == NULL)
        return;
    for (s++; *s != '\0' && *s != ')';) {
        const char *start, *end;

        while (*s == ' ' || *s == ',')
            s++;
        if (*s == ')' || *s == '\0')
            break;
        if (*s == '\'' || *s == '"') {
            char q = *s++;

            for (start = s; *s != '\0' && *s != q; s++)
                ;
            end = s;
            if (*s != '\0')
                s++;
        } else {
            for (start = s; *s != '\0' && *s != ',' && *s != ')' && *s != ' '; s++)
                ;
            end = s;
        }
        if (c->nargs == EV_MAX_ARGS)
            break;
        snprintf(c->argbuf[c->nargs], sizeof(c->argbuf[0]), "%.*s", (int)(end - start), start);
        c->args[c->nargs] =
            (struct scan_eval_arg){ SCAN_ARG_STR, c->argbuf[c->nargs], (size_t)(end - start),
                                    strtod(c->argbuf[c->nargs], NULL) };
        c->nargs++;
    }
}

/* Read expected.txt and list the messages (before the suite runs). */
static void
ev_load(void)
{
    FILE *f = fopen(EV_DIR "/expected.txt", "r");
    char line[256];
    DIR *d;
    struct dirent *e;

    if (f == NULL) {
        perror(EV_DIR "/expected.txt");
        exit(EXIT_FAILURE);
    }
    ev_hits = calloc(4096, sizeof(*ev_hits));
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "call ", 5) == 0 && ev_ncalls < EV_MAX)
            ev_parse_call(&ev_calls[ev_ncalls++], line + 5);
        else if (strncmp(line, "hit ", 4) == 0 && ev_nhits < 4096)
            snprintf(ev_hits[ev_nhits++], sizeof(ev_hits[0]), "%s", line + 4);
    }
    fclose(f);
    d = opendir(EV_DIR);
    while (d != NULL && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);

        if (n > 4 && strcmp(e->d_name + n - 4, ".eml") == 0 && ev_nfiles < EV_MAX)
            snprintf(ev_files[ev_nfiles++], sizeof(ev_files[0]), "%s", e->d_name);
    }
    if (d != NULL)
        closedir(d);
}

static bool
ev_expected(const char *file, const char *call)
{
    char key[520];

    snprintf(key, sizeof(key), "%s %s", file, call);
    for (size_t i = 0; i < ev_nhits; i++) {
        if (strcmp(ev_hits[i], key) == 0)
            return true;
    }
    return false;
}

static char *
ev_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;

    ck_assert_msg(f != NULL, "%s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    p[n] = '\0';
    *len = (size_t)n;
    return p;
}

static const struct scan_eval_def *
ev_find(const struct scan_eval_def *defs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    }
    return NULL;
}

/* A rule calling fn with the string arguments args[0..nargs). */
static struct scan_rule
ev_rule(const char *fn, const struct scan_eval_arg *args, size_t nargs)
{
    struct scan_rule r = { 0 };

    r.name = "TEST_EVAL";
    r.kind = SCAN_K_EVAL;
    r.target = SCAN_T_HEADER;
    r.eval = fn;
    r.args = (struct scan_eval_arg *)args;
    r.nargs = nargs;
    return r;
}

/* Run def as rule on the message raw[0..len). */
static double
ev_run_raw(const struct scan_eval_def *def, const struct scan_rule *rule, const char *raw,
           size_t len)
{
    struct arena *a = arena_new(4096);
    struct sift_err err;
    void *state = NULL;
    struct task *t;
    struct scan_eval_ctx ec = { 0 };
    double v;

    if (def->prepare != NULL && def->prepare(a, rule, &state, &err) == -1)
        ck_abort_msg("%s: prepare: %s", def->name, err.msg);
    t = task_new(&ctx, raw, len, false);
    ec.task = t;
    ec.msg = task_message(t);
    ec.rule = rule;
    ec.state = state;
    ec.data = ev_data;
    v = def->fn(&ec);
    task_free(&t);
    arena_free(&a);
    return v;
}

/* Run def as rule on tests/data/eval/header/file. */
static double
ev_run_file(const struct scan_eval_def *def, const struct scan_rule *rule, const char *file)
{
    char path[512];
    size_t len;
    char *raw;
    double v;

    snprintf(path, sizeof(path), "%s/%s", EV_DIR, file);
    raw = ev_slurp(path, &len);
    v = ev_run_raw(def, rule, raw, len);
    free(raw);
    return v;
}

/* Check call i of expected.txt on every message, if defs has its function. */
static void
ev_check_call(const struct scan_eval_def *defs, size_t ndefs, size_t i)
{
    const struct ev_call *c = &ev_calls[i];
    const struct scan_eval_def *def = ev_find(defs, ndefs, c->fn);
    struct scan_rule rule;

    if (def == NULL)
        return; /* the other file's */
    rule = ev_rule(c->fn, c->args, c->nargs);
    for (size_t k = 0; k < ev_nfiles; k++) {
        bool want = ev_expected(ev_files[k], c->text);
        double got = ev_run_file(def, &rule, ev_files[k]);

        ck_assert_msg((got != 0) == want, "%s on %s: SA says %d, sift %g", c->text, ev_files[k],
                      want, got);
    }
}

#endif
