/*
 * siftadm_scan.c - `siftadm scan` (the whole scan of a message, in this
 * process: what a rule change does, without a server) and `siftadm rules`
 * (what loading SpamAssassin's rules read, translated and left out, and
 * with --yaml the translation written out as native rules).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat/sa_rules.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/xmalloc.h"
#include "daemon/siftd_cfg.h"
#include "mime/mime_ctx.h"
#include "scan/scan_engine.h"
#include "scan/scan_yaml.h"
#include "scan/task.h"

#include "siftadm.h"

/* The sections a scan needs: from the configuration when it loads, else
 * the stock defaults (siftadm run where sift is not installed). */
struct scan_setup {
    struct siftd_cfg *sc;
    struct arena *defaults;
    struct mime_cfg mime;
    struct sa_rules_cfg rules;
    struct scan_actions_cfg actions;
};

static int
scan_setup_load(const struct adm *a, struct scan_setup *s)
{
    struct sift_err err;
    struct cfg_ctx ctx = { 0 };

    memset(s, 0, sizeof(*s));
    if (siftd_cfg_load(a->config, a->overrides, a->noverrides, &s->sc, &err) == 0) {
        s->mime = s->sc->mime;
        s->rules = s->sc->rules;
        s->actions = s->sc->actions;
        return 0;
    }
    if (a->noverrides > 0 || access(a->config, F_OK) == 0) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        return -1;
    }
    s->defaults = arena_new(4096);
    ctx.arena = s->defaults;
    ctx.dbdir = "/var/lib/sift";
    ctx.confdir = SIFT_CONFDIR;
    if (cfg_fill(&ctx, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &s->mime, &err) == -1 ||
        cfg_fill(&ctx, "rules", NULL, sa_rules_cfg_keys, sa_rules_cfg_nkeys, &s->rules, &err) ==
            -1 ||
        cfg_fill(&ctx, "actions", NULL, scan_actions_keys, scan_actions_nkeys, &s->actions, &err) ==
            -1) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        arena_free(&s->defaults);
        return -1;
    }
    return 0;
}

static void
scan_setup_clear(struct scan_setup *s)
{
    siftd_cfg_free(&s->sc);
    arena_free(&s->defaults);
}

static int
scan_read(const char *path, struct buf *out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char chunk[65536];
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "siftadm: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, n);
    if (ferror(f)) {
        fprintf(stderr, "siftadm: %s: %s\n", path, strerror(errno));
        if (f != stdin)
            fclose(f);
        return -1;
    }
    if (f != stdin)
        fclose(f);
    return 0;
}

static void
scan_json(const char *path, const struct scan_result *res, struct buf *out)
{
    struct json j;

    json_init(&j, out, false);
    json_obj_begin(&j);
    json_key(&j, "file");
    json_cstr(&j, path);
    json_key(&j, "score");
    json_double(&j, res->score);
    json_key(&j, "required");
    json_double(&j, res->required);
    json_key(&j, "is_spam");
    json_bool(&j, res->is_spam);
    json_key(&j, "action");
    json_cstr(&j, scan_action_name(res->action));
    json_key(&j, "symbols");
    json_obj_begin(&j);
    for (size_t i = 0; i < res->nhits; i++) {
        json_key(&j, res->hits[i].rule->name);
        json_obj_begin(&j);
        json_key(&j, "score");
        json_double(&j, res->hits[i].score);
        json_key(&j, "count");
        json_uint(&j, res->hits[i].count);
        if (res->hits[i].option != NULL) {
            json_key(&j, "option");
            json_cstr(&j, res->hits[i].option);
        }
        json_obj_end(&j);
    }
    json_obj_end(&j);
    json_key(&j, "subrules");
    json_arr_begin(&j);
    for (size_t i = 0; i < res->nsubhits; i++)
        json_cstr(&j, res->subhits[i]);
    json_arr_end(&j);
    json_obj_end(&j);
    buf_putc(out, '\n');
}

static void
scan_line(const char *path, const struct scan_result *res, struct buf *out)
{
    buf_printf(out, "%s: %s score=%.1f required=%.1f action=%s tests=", path,
               res->is_spam ? "spam" : "ham", res->score, res->required,
               scan_action_name(res->action));
    for (size_t i = 0; i < res->nhits; i++)
        buf_printf(out, "%s%s", i ? "," : "", res->hits[i].rule->name);
    buf_putc(out, '\n');
}

enum scan_format { SCAN_LINE, SCAN_REPORT, SCAN_PROCESS, SCAN_JSON };

/* Load the rules and a parsing context that knows SA's settings. */
static int
scan_prepare(const struct adm *a, struct scan_setup *s, bool local, struct sa_rules **rules,
             struct mime_ctx *ctx, struct mime_ctx_storage *st)
{
    struct sift_err err;

    if (scan_setup_load(a, s) == -1)
        return -1;
    if (local)
        s->rules.local_only = true;
    /* siftadm scan does not read the Bayes store: it scores as SpamAssassin
     * does without Bayes (the score set without it, no BAYES_ rule) */
    s->rules.use_bayes = false;
    if (sa_rules_load(&s->rules, &s->actions, s->sc ? s->sc->symbols : NULL, rules, &err) == -1) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        scan_setup_clear(s);
        return -1;
    }
    sa_rules_mime_cfg(*rules, &s->mime);
    if (mime_ctx_init(ctx, st, &s->mime, &err) == -1) {
        fprintf(stderr, "siftadm: %s\n", err.msg);
        sa_rules_free(rules);
        scan_setup_clear(s);
        return -1;
    }
    return 0;
}

int
adm_scan(const struct adm *a, int argc, char **argv)
{
    struct scan_setup s;
    struct sa_rules *rules;
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    enum scan_format fmt = SCAN_LINE;
    bool local = false;
    int i, rc = 0;
    static char *dash[] = { "-" };
    char **files;
    int nfiles;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--report") == 0) {
            fmt = SCAN_REPORT;
        } else if (strcmp(argv[i], "--process") == 0) {
            fmt = SCAN_PROCESS;
        } else if (strcmp(argv[i], "--json") == 0) {
            fmt = SCAN_JSON;
        } else if (strcmp(argv[i], "--local") == 0) {
            local = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr,
                    "usage: siftadm scan [--report|--process|--json] [--local] [FILE...]\n");
            return 2;
        }
    }
    files = i < argc ? argv + i : dash;
    nfiles = i < argc ? argc - i : 1;
    if (scan_prepare(a, &s, local, &rules, &ctx, &st) == -1)
        return 1;
    for (int k = 0; k < nfiles; k++) {
        struct buf raw, out;
        struct task *t;
        const struct scan_result *res;

        buf_init(&raw);
        buf_init(&out);
        if (scan_read(files[k], &raw) == -1) {
            rc = 1;
            buf_clear(&raw);
            continue;
        }
        t = task_new(&ctx, raw.p ? raw.p : "", raw.len, false);
        res = sa_rules_scan(rules, t);
        if (fmt == SCAN_JSON)
            scan_json(files[k], res, &out);
        else if (fmt == SCAN_REPORT) {
            char score[32], reqd[32];

            sa_markup_score(res, score, sizeof(score));
            sa_markup_required(res, reqd, sizeof(reqd));
            buf_printf(&out, "== %s: %s/%s\n", files[k], score, reqd);
            sa_markup_report(rules->markup, t, res, NULL, &out);
        } else if (fmt == SCAN_PROCESS) {
            sa_markup_rewrite(rules->markup, t, res, NULL, &out);
        } else {
            scan_line(files[k], res, &out);
        }
        fwrite(out.p, 1, out.len, stdout);
        task_free(&t);
        buf_clear(&raw);
        buf_clear(&out);
    }
    mime_ctx_clear(&ctx, &st);
    sa_rules_free(&rules);
    scan_setup_clear(&s);
    return rc;
}

/* skipped rules counted by category */
static void
rules_categories(const struct scan_ruleset *rs, bool list)
{
    const char **cats = NULL;
    size_t *counts = NULL, ncats = 0, n = scan_ruleset_nskips(rs);

    for (size_t i = 0; i < n; i++) {
        const struct scan_skip *sk = scan_ruleset_skip_at(rs, i);
        size_t c;

        if (list)
            printf("  %s: %s\n", sk->origin, sk->message);
        for (c = 0; c < ncats && strcmp(cats[c], sk->category) != 0; c++)
            ;
        if (c == ncats) {
            cats = realloc(cats, (ncats + 1) * sizeof(*cats));
            counts = realloc(counts, (ncats + 1) * sizeof(*counts));
            if (cats == NULL || counts == NULL)
                abort();
            cats[ncats] = sk->category;
            counts[ncats++] = 0;
        }
        counts[c]++;
    }
    for (size_t c = 0; c < ncats; c++)
        printf("  %-28s %zu\n", cats[c], counts[c]);
    free(cats);
    free(counts);
}

/* The eval functions rules asked for that sift does not have, with how
 * many rules each left out. */
static void
rules_missing_evals(const struct scan_ruleset *rs)
{
    struct {
        char name[96];
        size_t n;
    } *f = NULL;
    size_t nf = 0, n = scan_ruleset_nskips(rs);

    for (size_t i = 0; i < n; i++) {
        const struct scan_skip *sk = scan_ruleset_skip_at(rs, i);
        const char *p = strstr(sk->message, "no eval function ");
        size_t k, len;

        if (strcmp(sk->category, "eval missing") != 0 || p == NULL)
            continue;
        p += strlen("no eval function ");
        len = strcspn(p, "(");
        for (k = 0; k < nf && (strlen(f[k].name) != len || strncmp(f[k].name, p, len) != 0); k++)
            ;
        if (k == nf) {
            f = realloc(f, (nf + 1) * sizeof(*f));
            if (f == NULL)
                abort();
            snprintf(f[nf].name, sizeof(f[nf].name), "%.*s", (int)len, p);
            f[nf++].n = 0;
        }
        f[k].n++;
    }
    if (nf > 0)
        printf("evals missing:     %zu functions\n", nf);
    for (size_t k = 0; k < nf; k++)
        printf("  %-40s %zu rule%s\n", f[k].name, f[k].n, f[k].n == 1 ? "" : "s");
    free(f);
}

/* Write text to path whole or not at all: a temporary file beside it,
 * renamed over it once written and flushed to disk. "-": stdout. */
static int
rules_write_file(const char *path, const struct buf *text)
{
    char *tmp;
    mode_t mask;
    int fd;
    size_t off = 0;

    if (strcmp(path, "-") == 0) {
        if (fwrite(text->p, 1, text->len, stdout) != text->len || fflush(stdout) != 0) {
            fprintf(stderr, "siftadm: writing the rules to stdout: %s\n", strerror(errno));
            return -1;
        }
        return 0;
    }
    tmp = xmalloc(strlen(path) + 16);
    sprintf(tmp, "%s.tmpXXXXXX", path);
    if ((fd = mkstemp(tmp)) == -1) {
        fprintf(stderr, "siftadm: %s: cannot create a temporary file beside it: %s\n", path,
                strerror(errno));
        free(tmp);
        return -1;
    }
    /* mkstemp makes it 0600; a rules file is readable as any new file */
    mask = umask(0);
    umask(mask);
    while (off < text->len) {
        ssize_t n = write(fd, text->p + off, text->len - off);

        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            goto fail;
        off += (size_t)n;
    }
    if (fchmod(fd, 0666 & ~mask) == -1 || fsync(fd) == -1)
        goto fail;
    if (close(fd) == -1) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) == -1)
        goto fail;
    free(tmp);
    return 0;
fail:
    fprintf(stderr, "siftadm: %s: %s (nothing written)\n", path, strerror(errno));
    if (fd != -1)
        close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}

int
adm_rules(const struct adm *a, int argc, char **argv)
{
    struct scan_setup s;
    struct sa_rules *rules;
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sa_conf_stats cs;
    struct scan_engine_stats es;
    size_t bytype[8] = { 0 }, kinds[SCAN_NKINDS] = { 0 };
    bool list = false, local = false;
    const char *yaml = NULL;
    static const char *const tnames[] = { "meta/eval", "header", "body",      "rawbody",
                                          "uri",       "full",   "mimeheader" };

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--skipped") == 0) {
            list = true;
        } else if (strcmp(argv[i], "--local") == 0) {
            local = true;
        } else if (strcmp(argv[i], "--yaml") == 0 && i + 1 < argc) {
            yaml = argv[++i];
        } else {
            fprintf(stderr, "usage: siftadm rules [--skipped] [--local] [--yaml FILE|-]\n");
            return 2;
        }
    }
    if (scan_prepare(a, &s, local, &rules, &ctx, &st) == -1)
        return 1;
    if (yaml != NULL) {
        struct buf out;
        int rc;

        buf_init(&out);
        scan_yaml_write(rules->rs, &out);
        rc = rules_write_file(yaml, &out);
        buf_clear(&out);
        /* on stdout the rules are the whole output: no summary after them */
        if (rc == -1 || strcmp(yaml, "-") == 0) {
            mime_ctx_clear(&ctx, &st);
            sa_rules_free(&rules);
            scan_setup_clear(&s);
            return rc == -1 ? 1 : 0;
        }
    }
    sa_conf_stats(rules->conf, &cs);
    scan_engine_stats(rules->engine, &es);
    for (size_t i = 0; i < scan_ruleset_count(rules->rs); i++) {
        const struct scan_rule *r = scan_ruleset_at(rules->rs, i);

        if (r->kind == SCAN_K_UNDEFINED)
            continue;
        kinds[r->kind]++;
        if (r->kind != SCAN_K_META && r->kind != SCAN_K_COMPOSITE && r->target < 7)
            bytype[r->target]++;
    }
    printf("rules directory:   %s\n", rules->rules_dir);
    printf("site directory:    %s\n", rules->site_dir ? rules->site_dir : "(none)");
    printf("files read:        %zu (%zu directive lines, %zu with an unknown keyword)\n", cs.files,
           cs.lines, cs.unknown);
    printf("rules defined:     %zu (regex %zu, exists %zu, eval %zu, meta %zu", es.rules,
           kinds[SCAN_K_REGEX], kinds[SCAN_K_EXISTS], kinds[SCAN_K_EVAL], kinds[SCAN_K_META]);
    if (kinds[SCAN_K_COMPOSITE] > 0)
        printf(", composite %zu", kinds[SCAN_K_COMPOSITE]);
    printf(")\n");
    printf("  by type:        ");
    for (size_t t = 1; t < 7; t++)
        printf(" %s %zu", tnames[t], bytype[t]);
    printf("\n");
    printf("score set:         %d (%s, %s)\n", sa_conf_score_set(rules->conf),
           local ? "local tests only" : (s.rules.local_only ? "local tests only" : "network tests"),
           "no Bayes");
    printf("run per message:   %zu rules (%zu regex in %zu header groups, %zu eval, %zu meta); "
           "%zu disabled (score 0, network or Bayes)\n",
           es.active, es.regex, es.header_groups, es.eval, es.meta, es.disabled);
    printf("patterns:          %zu on Hyperscan, %zu on PCRE2 alone\n", es.hs_patterns,
           es.pcre_patterns);
    printf("load and compile:  %.2f s\n", rules->load_seconds);
    printf("left out:          %zu\n", scan_ruleset_nskips(rules->rs));
    rules_categories(rules->rs, list);
    rules_missing_evals(rules->rs);
    if (yaml != NULL)
        printf("written:           %s\n", yaml);
    mime_ctx_clear(&ctx, &st);
    sa_rules_free(&rules);
    scan_setup_clear(&s);
    return 0;
}
