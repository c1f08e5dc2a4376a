/*
 * eval_parity.c - sift's header, forged-webmail and relay eval functions
 * on messages, for comparison with SpamAssassin's
 * (scripts/sa-eval-header.pl) by scripts/eval_parity.py. Not part of the
 * build: the compare script builds it against build/libsiftcompat.a and
 * build/libsift.a.
 *
 *   eval_parity [--cf TEXT] CALLS FILE...
 *
 * CALLS holds one call a line as a rule writes it ("check_for_shifted_date
 * ('-6', '-3')"); prints "FILE<TAB>CALL<TAB>VALUE" per message and call,
 * VALUE the function's result (%g). --cf TEXT is SpamAssassin configuration
 * (as in local.cf) the functions see through the eval context. Run from the
 * repository root (the public suffix list is read from data/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_conf.h"
#include "compat/sa_eval_forged.h"
#include "compat/sa_eval_header.h"
#include "compat/sa_eval_relay.h"
#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"
#include "scan/scan_eval.h"
#include "scan/task.h"

struct call {
    char *text;
    const struct scan_eval_def *def;
    struct scan_rule rule;
    void *state;
    bool usable;
};

/* Conf::Parser::pack_eval_args: quoted strings or bare words. */
static void
parse_args(struct arena *a, const char *s, struct scan_rule *r)
{
    size_t cap = 8;

    r->args = arena_calloc(a, cap, sizeof(*r->args));
    while (*s != '\0') {
        const char *start, *end;

        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (*s == '\0')
            break;
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            start = s;
            while (*s != '\0' && *s != q)
                s++;
            end = s;
            if (*s != '\0')
                s++;
        } else {
            start = s;
            while (*s != '\0' && *s != ',' && *s != ' ')
                s++;
            end = s;
        }
        struct scan_eval_arg *g = &r->args[r->nargs++];
        g->kind = SCAN_ARG_STR;
        g->s = arena_strndup(a, start, (size_t)(end - start));
        g->len = (size_t)(end - start);
        g->n = strtod(g->s, NULL);
    }
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0, k;

    if (f == NULL)
        return NULL;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(p, cap);
        }
        k = fread(p + n, 1, cap - n, f);
        n += k;
    } while (k > 0);
    fclose(f);
    *len = n;
    return p;
}

int
main(int argc, char **argv)
{
    struct arena *cfga = arena_new(4096), *ra = arena_new(4096);
    struct cfg_ctx cc = { .arena = cfga, .dbdir = "/tmp", .confdir = "/tmp" };
    struct mime_cfg mc;
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;
    struct call *calls = NULL;
    size_t ncalls = 0;
    char line[4096];
    FILE *cf;
    struct sa_conf_opts opts = { 0 };
    struct sa_conf *conf = NULL;
    struct scan_ruleset *rs = scan_ruleset_new();

    if (argc >= 3 && strcmp(argv[1], "--cf") == 0) {
        conf = sa_conf_new(&opts);
        if (sa_conf_parse(conf, rs, argv[2], strlen(argv[2]), "cf", &err) == -1) {
            fprintf(stderr, "eval_parity: --cf: %s\n", err.msg);
            return 1;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: eval_parity [--cf TEXT] CALLS FILE...\n");
        return 2;
    }
    if (cfg_fill(&cc, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err) == -1 ||
        (mc.public_suffix_list = "data/public_suffix_list.dat",
         mime_ctx_init(&ctx, &st, &mc, &err) == -1)) {
        fprintf(stderr, "eval_parity: %s\n", err.msg);
        return 1;
    }
    scan_eval_register(sa_eval_header_defs, sa_eval_header_ndefs);
    scan_eval_register(sa_eval_forged_defs, sa_eval_forged_ndefs);
    scan_eval_register(sa_eval_relay_defs, sa_eval_relay_ndefs);
    if ((cf = fopen(argv[1], "r")) == NULL) {
        perror(argv[1]);
        return 1;
    }
    while (fgets(line, sizeof(line), cf) != NULL) {
        char *nl = strchr(line, '\n'), *paren;
        struct call *c;

        if (nl != NULL)
            *nl = '\0';
        if (line[0] == '\0')
            continue;
        calls = realloc(calls, (ncalls + 1) * sizeof(*calls));
        c = &calls[ncalls++];
        memset(c, 0, sizeof(*c));
        c->text = strdup(line);
        paren = strchr(line, '(');
        if (paren != NULL) {
            char *close = strrchr(paren, ')');
            *paren = '\0';
            if (close != NULL)
                *close = '\0';
            parse_args(ra, paren + 1, &c->rule);
        }
        c->def = scan_eval_find(line);
        c->rule.name = "PARITY";
        c->rule.kind = SCAN_K_EVAL;
        c->rule.target = SCAN_T_HEADER;
        c->rule.eval = arena_strdup(ra, line);
        c->usable = c->def != NULL;
        if (c->def != NULL && c->def->prepare != NULL &&
            c->def->prepare(ra, &c->rule, &c->state, &err) == -1) {
            fprintf(stderr, "eval_parity: %s: %s\n", c->text, err.msg);
            c->usable = false;
        }
        if (c->def == NULL)
            fprintf(stderr, "eval_parity: %s: no such function\n", line);
    }
    fclose(cf);
    for (int i = 2; i < argc; i++) {
        size_t len;
        char *raw = slurp(argv[i], &len);
        struct task *t;

        if (raw == NULL) {
            perror(argv[i]);
            continue;
        }
        t = task_new(&ctx, raw, len, false);
        for (size_t k = 0; k < ncalls; k++) {
            struct scan_eval_ctx ec = { .task = t,
                                        .msg = task_message(t),
                                        .rule = &calls[k].rule,
                                        .state = calls[k].state,
                                        .data = conf };
            double v = calls[k].usable ? calls[k].def->fn(&ec) : 0;

            printf("%s\t%s\t%s%g\n", argv[i], calls[k].text, calls[k].usable ? "" : "missing:", v);
        }
        task_free(&t);
        free(raw);
    }
    for (size_t k = 0; k < ncalls; k++)
        free(calls[k].text);
    free(calls);
    sa_conf_free(&conf);
    scan_ruleset_free(&rs);
    arena_free(&ra);
    mime_ctx_clear(&ctx, &st);
    arena_free(&cfga);
    scan_eval_reset();
    return 0;
}
