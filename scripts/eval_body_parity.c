/*
 * eval_body_parity.c - compat/'s body-side eval functions against
 * SpamAssassin's own on a set of messages: reads the stock rules that call
 * them and SA's results (both printed by scripts/sa-eval-body.pl), runs
 * each rule's C function on each message and prints the agreement per
 * function, then every disagreement.
 *
 *   perl scripts/sa-eval-body.pl --list > /tmp/rules.tsv
 *   perl scripts/sa-eval-body.pl --rules ../shared/corpus/ham/x.eml ... > /tmp/sa.tsv
 *   (or --rules --from RULES.tsv [--shared] for rules of one's own)
 *   make && cc -D_GNU_SOURCE -Iserver -I. -std=c11 -O2 -o build/eval_body_parity \
 *       scripts/eval_body_parity.c build/libsiftcompat.a build/libsift.a \
 *       $(pkg-config --libs libevent yaml-0.1 libsodium libpcre2-8 libidn2 libcrypto libhs) -lm
 *   build/eval_body_parity /tmp/rules.tsv /tmp/sa.tsv
 *
 * -c TEXT reads TEXT as a .cf file first, for the functions that read the
 * configuration; give the oracle the same in $SA_EVAL_CONF:
 *   SA_EVAL_CONF='ok_locales en' perl scripts/sa-eval-body.pl --rules ... > /tmp/sa-en.tsv
 *   build/eval_body_parity -c 'ok_locales en' /tmp/rules.tsv /tmp/sa-en.tsv
 *
 * Run from the repository root (the public suffix list is read from data/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_conf.h"
#include "compat/sa_eval_body.h"
#include "compat/sa_eval_html.h"
#include "compat/sa_eval_antivirus.h"
#include "compat/sa_eval_image.h"
#include "compat/sa_eval_mime.h"
#include "compat/sa_eval_uri.h"
#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"
#include "scan/scan_eval.h"
#include "scan/task.h"

struct prule {
    struct scan_rule r;
    const struct scan_eval_def *def;
    void *state;
    bool usable;
};

struct fstat {
    const char *fn;
    unsigned runs, agree, sa_hits, sift_hits;
};

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0, r;

    if (f == NULL)
        return NULL;
    do {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            p = realloc(p, cap);
        }
        r = fread(p + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return p;
}

static enum scan_target
target_of(const char *t)
{
    if (strcmp(t, "body") == 0)
        return SCAN_T_BODY;
    if (strcmp(t, "rawbody") == 0)
        return SCAN_T_RAWBODY;
    if (strcmp(t, "full") == 0)
        return SCAN_T_FULL;
    return SCAN_T_HEADER;
}

static size_t
load_rules(struct arena *a, const char *path, struct prule **out)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t n = 0, cap = 256;
    struct prule *v = calloc(cap, sizeof(*v));

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *save = NULL, *tok[16];
        size_t nt = 0;
        struct prule *p;
        struct sift_err err;

        line[strcspn(line, "\n")] = '\0';
        for (char *t = strtok_r(line, "\t", &save); t && nt < 16; t = strtok_r(NULL, "\t", &save))
            tok[nt++] = t;
        if (nt < 3)
            continue;
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof(*v));
        p = &v[n++];
        memset(p, 0, sizeof(*p));
        p->r.name = arena_strdup(a, tok[0]);
        p->r.kind = SCAN_K_EVAL;
        p->r.target = target_of(tok[1]);
        p->r.eval = arena_strdup(a, tok[2]);
        p->r.nargs = nt - 3;
        p->r.args = arena_calloc(a, nt, sizeof(*p->r.args));
        for (size_t i = 3; i < nt; i++) {
            p->r.args[i - 3].kind = SCAN_ARG_STR;
            p->r.args[i - 3].s = arena_strdup(a, tok[i]);
            p->r.args[i - 3].len = strlen(tok[i]);
            p->r.args[i - 3].n = strtod(tok[i], NULL);
        }
        p->def = scan_eval_find(p->r.eval);
        p->usable = p->def != NULL;
        if (p->def == NULL)
            fprintf(stderr, "%s: no C function %s\n", p->r.name, p->r.eval);
        else if (p->def->prepare != NULL && p->def->prepare(a, &p->r, &p->state, &err) == -1) {
            fprintf(stderr, "%s: prepare: %s\n", p->r.name, err.msg);
            p->usable = false;
        }
    }
    fclose(f);
    *out = v;
    return n;
}

static struct fstat *
stat_for(struct fstat *st, size_t *nst, const char *fn)
{
    for (size_t i = 0; i < *nst; i++) {
        if (strcmp(st[i].fn, fn) == 0)
            return &st[i];
    }
    st[*nst].fn = fn;
    return &st[(*nst)++];
}

int
main(int argc, char **argv)
{
    struct arena *cfg_arena = arena_new(4096), *ra = arena_new(4096);
    struct cfg_ctx cc = { 0 };
    struct mime_cfg mc;
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;
    struct prule *rules;
    size_t nrules, nst = 0;
    struct fstat stats[128];
    FILE *sa;
    char line[8192], cur[8192] = "";
    char *raw = NULL;
    size_t rawlen = 0;
    struct task *task = NULL;
    struct buf_line {
        char *text;
    } *diffs = NULL;
    size_t ndiffs = 0, capdiffs = 0;

    struct sa_conf *conf = NULL;
    struct scan_ruleset *conf_rs = NULL;

    if (argc == 5 && strcmp(argv[1], "-c") == 0) {
        struct sa_conf_opts o = { 0 };

        conf = sa_conf_new(&o);
        conf_rs = scan_ruleset_new();
        if (sa_conf_parse(conf, conf_rs, argv[2], strlen(argv[2]), "-c", &err) == -1) {
            fprintf(stderr, "-c: %s\n", err.msg);
            return 2;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s [-c CF_TEXT] RULES.tsv SA_RESULTS.tsv\n", argv[0]);
        return 2;
    }
    scan_eval_register(sa_eval_html_defs, sa_eval_html_ndefs);
    scan_eval_register(sa_eval_mime_defs, sa_eval_mime_ndefs);
    scan_eval_register(sa_eval_body_defs, sa_eval_body_ndefs);
    scan_eval_register(sa_eval_antivirus_defs, sa_eval_antivirus_ndefs);
    scan_eval_register(sa_eval_image_defs, sa_eval_image_ndefs);
    scan_eval_register(sa_eval_uri_defs, sa_eval_uri_ndefs);
    cc.arena = cfg_arena;
    cc.dbdir = cc.confdir = "/tmp";
    if (cfg_fill(&cc, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err) == -1 ||
        (mc.public_suffix_list = "data/public_suffix_list.dat",
         mime_ctx_init(&ctx, &st, &mc, &err) == -1)) {
        fprintf(stderr, "mime: %s\n", err.msg);
        return 2;
    }
    nrules = load_rules(ra, argv[1], &rules);
    memset(stats, 0, sizeof(stats));
    if ((sa = fopen(argv[2], "r")) == NULL) {
        perror(argv[2]);
        return 2;
    }
    while (fgets(line, sizeof(line), sa) != NULL) {
        char *file = line, *name, *val;
        struct prule *p = NULL;
        struct scan_eval_ctx ec;
        struct fstat *fs;
        bool want, got;

        line[strcspn(line, "\n")] = '\0';
        if ((name = strchr(file, '\t')) == NULL || (val = strchr(name + 1, '\t')) == NULL)
            continue;
        *name++ = '\0';
        *val++ = '\0';
        if (strcmp(file, cur) != 0) {
            task_free(&task);
            free(raw);
            snprintf(cur, sizeof(cur), "%s", file);
            if ((raw = slurp(file, &rawlen)) == NULL) {
                perror(file);
                continue;
            }
            task = task_new(&ctx, raw, rawlen, false);
        }
        if (task == NULL)
            continue;
        for (size_t i = 0; i < nrules && p == NULL; i++) {
            if (strcmp(rules[i].r.name, name) == 0)
                p = &rules[i];
        }
        if (p == NULL || !p->usable)
            continue;
        memset(&ec, 0, sizeof(ec));
        ec.task = task;
        ec.msg = task_message(task);
        ec.rule = &p->r;
        ec.state = p->state;
        ec.data = conf;
        got = p->def->fn(&ec) != 0;
        want = strcmp(val, "1") == 0;
        fs = stat_for(stats, &nst, p->r.eval);
        fs->runs++;
        fs->agree += got == want;
        fs->sa_hits += want;
        fs->sift_hits += got;
        if (got != want) {
            if (ndiffs == capdiffs)
                diffs = realloc(diffs, (capdiffs = capdiffs ? capdiffs * 2 : 64) * sizeof(*diffs));
            diffs[ndiffs].text = malloc(strlen(file) + strlen(name) + 32);
            sprintf(diffs[ndiffs++].text, "%s\t%s\tsa=%d sift=%d", file, name, want, got);
        }
    }
    fclose(sa);
    task_free(&task);
    free(raw);
    printf("%-40s %7s %7s %8s %8s %9s\n", "function", "runs", "agree", "sa_hits", "sift_hits",
           "agreement");
    for (size_t i = 0; i < nst; i++)
        printf("%-40s %7u %7u %8u %8u %8.3f%%\n", stats[i].fn, stats[i].runs, stats[i].agree,
               stats[i].sa_hits, stats[i].sift_hits,
               stats[i].runs ? 100.0 * stats[i].agree / stats[i].runs : 100.0);
    for (size_t i = 0; i < ndiffs; i++) {
        printf("DIFF %s\n", diffs[i].text);
        free(diffs[i].text);
    }
    free(diffs);
    free(rules);
    arena_free(&ra);
    mime_ctx_clear(&ctx, &st);
    arena_free(&cfg_arena);
    scan_eval_reset();
    sa_conf_free(&conf);
    scan_ruleset_free(&conf_rs);
    return ndiffs == 0 ? 0 : 1;
}
