/*
 * bayes_tok_dump.c - sift's Bayes tokenizer and classifier on messages,
 * for comparison with SpamAssassin's (scripts/sa-bayes-tokens.pl) by
 * scripts/bayes-tok-parity.py. Not part of the build: the compare script
 * builds it against build/libsiftcompat.a and build/libsift.a. Run from
 * the repository root (the public suffix list is read from data/).
 *
 *   bayes_tok_dump [--scan] [--headers] [--cf TEXT] FILE...
 *       one JSON line per message: {"file": F, "tokens": [[KEY, TOKEN]...]}
 *       sorted by KEY (hex), TOKEN as bytes (\u00XX above 0x7f), as
 *       sa-bayes-tokens.pl prints them; --scan tokenizes as a scan does
 *       (X-AuthorDomain, X-SenderDomain); --headers adds "headers", the
 *       pre-chewed pseudo-headers.
 *   bayes_tok_dump --classify FILE
 *       FILE holds one message a line: "PATH NSPAM NHAM SCORE KEY:S:H ...",
 *       SA's counts of the message's tokens found in its database and its
 *       probability ("none" for no score). Prints per message
 *       "PATH<TAB>SA<TAB>FROM_SA_COUNTS<TAB>FROM_SIFT_TOKENS": the
 *       probability bayes_classify gives for SA's counts, and for the
 *       tokens sift makes of PATH (scan mode) looked up in those counts.
 *
 * SpamAssassin's configuration is read from /usr/share/spamassassin and
 * /etc/spamassassin, as sa-bayes-tokens.pl has SA read it, then --cf TEXT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_bayes_cfg.h"
#include "compat/sa_conf.h"
#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"
#include "scan/scan_rule.h"
#include "scan/task.h"
#include "daemon/classifier.h"
#include "stat/bayes_classify.h"
#include "stat/bayes_tok.h"

static void
put_str(const char *p, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
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

static int
cmp_tok(const void *a, const void *b)
{
    const struct bayes_token *x = a, *y = b;

    return memcmp(x->key, y->key, BAYES_KEY_LEN);
}

static void
hex5(const uint8_t *k, char out[11])
{
    for (int i = 0; i < BAYES_KEY_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", k[i]);
}

static void
dump(const struct bayes_tok *bt, const struct mime_ctx *ctx, const char *path, unsigned flags,
     bool headers)
{
    size_t len;
    char *raw = slurp(path, &len);
    struct task *t;
    struct mime_msg *m;
    struct bayes_tokens toks;

    if (raw == NULL) {
        perror(path);
        return;
    }
    t = task_new(ctx, raw, len, false);
    m = task_message(t);
    bayes_tokenize(bt, m, flags, t->arena, &toks);
    qsort(toks.v, toks.n, sizeof(*toks.v), cmp_tok);
    fputs("{\"file\":", stdout);
    put_str(path, strlen(path));
    if (headers) {
        struct bayes_tok_header *h;
        size_t nh = bayes_tok_headers(bt, m, flags, t->arena, &h);

        fputs(",\"headers\":{", stdout);
        for (size_t i = 0; i < nh; i++) {
            if (i > 0)
                putchar(',');
            put_str(h[i].name.p, h[i].name.len);
            putchar(':');
            put_str(h[i].value.p, h[i].value.len);
        }
        putchar('}');
    }
    fputs(",\"tokens\":[", stdout);
    for (size_t i = 0; i < toks.n; i++) {
        char key[11];

        hex5(toks.v[i].key, key);
        printf("%s[\"%s\",", i > 0 ? "," : "", key);
        put_str(toks.v[i].text.p, toks.v[i].text.len);
        putchar(']');
    }
    fputs("]}\n", stdout);
    task_free(&t);
    free(raw);
}

struct kc {
    uint8_t key[BAYES_KEY_LEN];
    struct bayes_counts c;
};

static int
cmp_kc(const void *a, const void *b)
{
    return memcmp(((const struct kc *)a)->key, ((const struct kc *)b)->key, BAYES_KEY_LEN);
}

static void
print_result(const struct bayes_result *r)
{
    if (r->status == BAYES_SCORED)
        printf("%.17g", r->prob);
    else
        printf("none");
}

static int
classify(const struct bayes_tok *bt, const struct mime_ctx *ctx, const char *listfile)
{
    FILE *f = fopen(listfile, "r");
    char *line = NULL;
    size_t cap = 0;
    struct bayes_classify_cfg cc;

    if (f == NULL) {
        perror(listfile);
        return 1;
    }
    bayes_classify_cfg_init(&cc);
    while (getline(&line, &cap, f) > 0) {
        char path[4096], score[64];
        unsigned long long ns, nh;
        int off = 0;
        struct kc *kcs = NULL;
        size_t nk = 0, kcap = 0;
        char *p;
        struct arena *a = arena_new(4096);
        struct bayes_counts *counts;
        struct bayes_result r;

        if (sscanf(line, "%4095s %llu %llu %63s %n", path, &ns, &nh, score, &off) < 4)
            continue;
        for (p = line + off; *p != '\0' && *p != '\n';) {
            unsigned s, h;
            char key[11];
            int used = 0;
            struct kc *k;

            if (sscanf(p, "%10[0-9a-f]:%u:%u %n", key, &s, &h, &used) < 3 || used == 0)
                break;
            p += used;
            if (nk == kcap) {
                kcap = kcap ? kcap * 2 : 256;
                kcs = realloc(kcs, kcap * sizeof(*kcs));
            }
            k = &kcs[nk++];
            for (int i = 0; i < BAYES_KEY_LEN; i++) {
                unsigned v;

                sscanf(key + 2 * i, "%2x", &v);
                k->key[i] = (uint8_t)v;
            }
            k->c.spam = s;
            k->c.ham = h;
        }
        qsort(kcs, nk, sizeof(*kcs), cmp_kc);
        counts = arena_alloc(a, (nk + 1) * sizeof(*counts));
        for (size_t i = 0; i < nk; i++)
            counts[i] = kcs[i].c;
        printf("%s\t%s\t", path, score);
        bayes_classify(&cc, ns, nh, counts, nk, a, &r);
        print_result(&r);
        putchar('\t');
        {
            size_t len;
            char *raw = slurp(path, &len);

            if (raw != NULL) {
                struct task *t = task_new(ctx, raw, len, false);
                struct bayes_tokens toks;
                struct bayes_counts *tc;

                bayes_tokenize(bt, task_message(t), BAYES_TOK_SCAN, t->arena, &toks);
                tc = arena_calloc(t->arena, toks.n + 1, sizeof(*tc));
                for (size_t i = 0; i < toks.n; i++) {
                    struct kc want, *hit;

                    memcpy(want.key, toks.v[i].key, BAYES_KEY_LEN);
                    hit = nk ? bsearch(&want, kcs, nk, sizeof(*kcs), cmp_kc) : NULL;
                    if (hit != NULL)
                        tc[i] = hit->c;
                }
                bayes_classify(&cc, ns, nh, tc, toks.n, t->arena, &r);
                print_result(&r);
                task_free(&t);
                free(raw);
            } else {
                printf("unreadable");
            }
        }
        putchar('\n');
        free(kcs);
        arena_free(&a);
    }
    free(line);
    fclose(f);
    return 0;
}

int
main(int argc, char **argv)
{
    struct arena *cfga = arena_new(4096);
    struct cfg_ctx cc = { .arena = cfga, .dbdir = "/tmp", .confdir = "/tmp" };
    struct mime_cfg mc;
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;
    struct sa_conf_opts opts = { 0 };
    struct sa_conf *conf = sa_conf_new(&opts);
    struct scan_ruleset *rs = scan_ruleset_new();
    struct sa_bayes_cfg sbc;
    struct bayes_tok *bt;
    unsigned flags = 0;
    bool headers = false;
    const char *classify_file = NULL, *cf = NULL;
    int i = 1, rc = 0;

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--scan") == 0)
            flags |= BAYES_TOK_SCAN;
        else if (strcmp(argv[i], "--headers") == 0)
            headers = true;
        else if (strcmp(argv[i], "--classify") == 0 && i + 1 < argc)
            classify_file = argv[++i];
        else if (strcmp(argv[i], "--cf") == 0 && i + 1 < argc)
            cf = argv[++i];
        else {
            fprintf(stderr, "usage: bayes_tok_dump [--scan] [--headers] [--cf TEXT] FILE...\n"
                            "       bayes_tok_dump --classify LIST\n");
            return 2;
        }
    }
    if (sa_conf_load_dirs(conf, rs, "/usr/share/spamassassin", "/etc/spamassassin", &err) == -1) {
        fprintf(stderr, "bayes_tok_dump: %s\n", err.msg);
        return 1;
    }
    if (cf != NULL && sa_conf_parse(conf, rs, cf, strlen(cf), "--cf", &err) == -1) {
        fprintf(stderr, "bayes_tok_dump: --cf: %s\n", err.msg);
        return 1;
    }
    if (sa_bayes_cfg_get(conf, cfga, &sbc, &err) > 0)
        fprintf(stderr, "bayes_tok_dump: config: %s\n", err.msg);
    if ((bt = classifier_tok_new(&sbc, &err)) == NULL) {
        fprintf(stderr, "bayes_tok_dump: %s\n", err.msg);
        return 1;
    }
    if (cfg_fill(&cc, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err) == -1 ||
        (mc.public_suffix_list = "data/public_suffix_list.dat",
         mime_ctx_init(&ctx, &st, &mc, &err) == -1)) {
        fprintf(stderr, "bayes_tok_dump: %s\n", err.msg);
        return 1;
    }
    if (classify_file != NULL)
        rc = classify(bt, &ctx, classify_file);
    else
        for (; i < argc; i++)
            dump(bt, &ctx, argv[i], flags, headers);
    bayes_tok_free(&bt);
    mime_ctx_clear(&ctx, &st);
    sa_conf_free(&conf);
    scan_ruleset_free(&rs);
    arena_free(&cfga);
    return rc;
}
