/*
 * scan_engine.c - compiling a ruleset and running it (see scan_engine.h).
 *
 * Values follow SpamAssassin's tests_already_hit: a regex rule's value is
 * its match count, an eval's or a meta's the value it returned (1 when
 * that is not positive), a rule not hit or not run 0. Scores follow
 * got_hit: once per hit, once per match with tflags multiple.
 */
#include "scan/scan_engine.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <dirent.h>
#include <fcntl.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/strset.h"
#include "core/xmalloc.h"
#include "mime/mime_get.h"
#include "mime/mime_uris.h"
#include "mime/mime_views.h"
#include "scan/scan_eval.h"
#include "scan/scan_composite.h"
#include "scan/scan_match.h"
#include "scan/scan_meta.h"

/* The texts a matcher reads. */
enum eng_text { TXT_BODY, TXT_BODY_NOSUBJ, TXT_RAWBODY, TXT_URI, TXT_FULL, TXT_N };

/* A rule as compiled. */
struct eng_rule {
    struct scan_rule *r;
    double score; /* in the engine's score set */
    bool active;  /* run on each message */
    bool negate;
    void *eval_state;
    const struct scan_eval_def *eval;
    struct scan_meta *meta;
    struct scan_composite *composite;
    /* a meta scored 0: evaluated, never hits; when its value is not 0, SA
     * never marks it done and the metas reading it never run */
    bool zero_meta;
    bool may_stick; /* a meta reading (perhaps through others) a zero_meta */
    pcre2_code *re; /* mimeheader rules */
};

/* Rules reading one header request (with one if-unset text). */
struct eng_hgroup {
    const char *request;
    const char *if_unset; /* NULL: none */
    struct scan_pattern *pats;
    size_t npats, cap;
    struct scan_matcher *m;
    unsigned *exists; /* exists: rules */
    size_t nexists;
    /* the matcher's counts on the text of a missing header (if_unset or
     * ""), the same for every message: worked out on the first one */
    unsigned *unset_counts;
};

/* Patterns of one text kind being gathered. */
struct eng_patlist {
    struct scan_pattern *v;
    size_t n, cap;
};

struct scan_engine {
    struct arena *a;
    struct scan_ruleset *rs;
    struct scan_engine_opts opts;
    size_t n;
    struct eng_rule *rules;
    struct eng_hgroup *groups;
    size_t ngroups;
    struct scan_matcher *text_m[TXT_N];
    unsigned *evals, *metas, *mimeheaders; /* rule indices, metas in dependency order */
    size_t nevals, nmetas, nmimeheaders;
    unsigned *composites; /* in definition order */
    size_t ncomposites;
    struct scan_match_scratch *scratch;
    pcre2_match_data *md;
    unsigned *counts; /* scratch for matcher results, big enough for any matcher */
    size_t counts_cap;
    struct scan_engine_stats stats;
};

static double
eng_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
eng_pat_push(struct arena *a, struct scan_pattern **v, size_t *n, size_t *cap,
             const struct scan_pattern *p)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;

        *v = arena_realloc(a, *v, *cap * sizeof(**v), ncap * sizeof(**v));
        *cap = ncap;
    }
    (*v)[(*n)++] = *p;
}

/* The score a rule would have without a score line (SA's fix_tests). */
static double
eng_default_score(const struct scan_rule *r)
{
    double s = strncmp(r->name, "T_", 2) == 0 ? 0.01 : 1.0;

    return (r->tflags & SCAN_TF_NICE) ? -s : s;
}

static double
eng_score(const struct scan_engine *e, const struct scan_rule *r)
{
    int set = e->opts.score_set & 3;

    return r->has_score ? r->score[set] : eng_default_score(r);
}

/* Is the rule run in this score set? As SA's Check plugin: a rule scored
 * 0 is not run; tflags net and learn only matter for eval rules (net ones
 * not in sets 0 and 2, learn ones not in sets 0 and 1). A meta scored 0 is
 * handled apart (eng_rule.zero_meta). */
static bool
eng_enabled(const struct scan_engine *e, const struct scan_rule *r, double score)
{
    int set = e->opts.score_set & 3;

    if (score == 0)
        return false;
    if (r->kind != SCAN_K_EVAL)
        return true;
    if ((r->tflags & SCAN_TF_NET) && ((set & 1) == 0 || e->opts.local_only))
        return false;
    if ((r->tflags & SCAN_TF_LEARN) && (set & 2) == 0)
        return false;
    return true;
}

static unsigned
eng_max_count(const struct scan_rule *r)
{
    if (!(r->tflags & SCAN_TF_MULTIPLE) || r->negate)
        return 1;
    return r->maxhits;
}

static void
eng_skip(struct scan_engine *e, struct eng_rule *er, const char *category, const char *why)
{
    scan_ruleset_skip(e->rs, er->r->name, er->r->origin, category, "%s: %s", er->r->name, why);
    er->active = false;
}

static void
eng_reject(void *arg, unsigned id, const char *why)
{
    struct scan_engine *e = arg;

    eng_skip(e, &e->rules[id], "regex", why);
}

static struct eng_hgroup *
eng_group(struct scan_engine *e, struct strset *keys, const struct scan_rule *r)
{
    const char *key = arena_printf(e->a, "%s\t%s", r->header, r->if_unset ? r->if_unset : "");
    long i = strset_index(keys, strv_cstr(key));

    if (i >= 0)
        return &e->groups[i];
    strset_add(keys, strv_cstr(key));
    e->groups = arena_realloc(e->a, e->groups, e->ngroups * sizeof(*e->groups),
                              (e->ngroups + 1) * sizeof(*e->groups));
    memset(&e->groups[e->ngroups], 0, sizeof(e->groups[0]));
    e->groups[e->ngroups].request = r->header;
    e->groups[e->ngroups].if_unset = r->if_unset;
    return &e->groups[e->ngroups++];
}

static int
eng_mimeheader(struct scan_engine *e, struct eng_rule *er)
{
    uint32_t o = 0;
    int code;
    PCRE2_SIZE off;

    if (er->r->re_flags & SCAN_RE_I)
        o |= PCRE2_CASELESS;
    if (er->r->re_flags & SCAN_RE_M)
        o |= PCRE2_MULTILINE;
    if (er->r->re_flags & SCAN_RE_S)
        o |= PCRE2_DOTALL;
    if (er->r->re_flags & SCAN_RE_X)
        o |= PCRE2_EXTENDED;
    er->re = pcre2_compile((PCRE2_SPTR)er->r->pattern, PCRE2_ZERO_TERMINATED, o, &code, &off, NULL);
    if (er->re == NULL) {
        PCRE2_UCHAR msg[160];

        pcre2_get_error_message(code, msg, sizeof(msg));
        eng_skip(e, er, "regex", (const char *)msg);
        return -1;
    }
    (void)pcre2_jit_compile(er->re, PCRE2_JIT_COMPLETE);
    return 0;
}

/* Sort one rule into the structures that run it. */
static void
eng_place(struct scan_engine *e, struct eng_rule *er, struct strset *keys,
          struct eng_patlist *texts)
{
    struct scan_rule *r = er->r;
    struct scan_pattern p = { r->index, r->pattern, r->re_flags, eng_max_count(r), r->prefilter };
    struct sift_err err;

    switch (r->kind) {
    case SCAN_K_REGEX:
        e->stats.regex++;
        if (r->target == SCAN_T_HEADER) {
            struct eng_hgroup *g = eng_group(e, keys, r);

            eng_pat_push(e->a, &g->pats, &g->npats, &g->cap, &p);
        } else if (r->target == SCAN_T_MIMEHEADER) {
            if (eng_mimeheader(e, er) == 0) {
                e->mimeheaders =
                    arena_realloc(e->a, e->mimeheaders, e->nmimeheaders * sizeof(unsigned),
                                  (e->nmimeheaders + 1) * sizeof(unsigned));
                e->mimeheaders[e->nmimeheaders++] = r->index;
            }
        } else {
            enum eng_text t = r->target == SCAN_T_BODY
                                  ? ((r->tflags & SCAN_TF_NOSUBJECT) ? TXT_BODY_NOSUBJ : TXT_BODY)
                              : r->target == SCAN_T_RAWBODY ? TXT_RAWBODY
                              : r->target == SCAN_T_URI     ? TXT_URI
                                                            : TXT_FULL;

            if (r->target == SCAN_T_NONE) {
                eng_skip(e, er, "rule", "a pattern with no text to read");
                return;
            }
            eng_pat_push(e->a, &texts[t].v, &texts[t].n, &texts[t].cap, &p);
        }
        return;
    case SCAN_K_EXISTS: {
        struct eng_hgroup *g = eng_group(e, keys, r);

        g->exists = arena_realloc(e->a, g->exists, g->nexists * sizeof(unsigned),
                                  (g->nexists + 1) * sizeof(unsigned));
        g->exists[g->nexists++] = r->index;
        e->stats.regex++;
        return;
    }
    case SCAN_K_EVAL:
        er->eval = scan_eval_find(r->eval);
        if (er->eval == NULL) {
            scan_ruleset_skip(e->rs, r->name, r->origin, "eval missing",
                              "%s: no eval function %s()", r->name, r->eval);
            er->active = false;
            return;
        }
        if (er->eval->targets != 0 && !(er->eval->targets & (1u << r->target))) {
            eng_skip(e, er, "eval", "the function cannot be called from this rule type");
            return;
        }
        if ((er->eval->flags & SCAN_EVAL_NET) && e->opts.local_only) {
            er->active = false;
            e->stats.disabled++;
            return;
        }
        if (er->eval->prepare != NULL && er->eval->prepare(e->a, r, &er->eval_state, &err) == -1) {
            eng_skip(e, er, "eval", err.msg);
            return;
        }
        e->evals = arena_realloc(e->a, e->evals, e->nevals * sizeof(unsigned),
                                 (e->nevals + 1) * sizeof(unsigned));
        e->evals[e->nevals++] = r->index;
        e->stats.eval++;
        return;
    case SCAN_K_COMPOSITE:
        if ((er->composite = scan_composite_compile(e->a, r->expr != NULL ? r->expr : "", &err)) ==
            NULL) {
            eng_skip(e, er, "composite", err.msg);
            return;
        }
        e->composites = arena_realloc(e->a, e->composites, e->ncomposites * sizeof(unsigned),
                                      (e->ncomposites + 1) * sizeof(unsigned));
        e->composites[e->ncomposites++] = r->index;
        return;
    case SCAN_K_META:
    case SCAN_K_EXTERNAL:
    case SCAN_K_UNDEFINED:
        return;
    }
}

/* rules_matching() and name look-up for meta expressions */
struct eng_names {
    struct scan_engine *e;
    const struct scan_rule *self;
};

static long
eng_lookup(void *arg, const char *name, size_t len)
{
    struct eng_names *nm = arg;
    char buf[256];
    const struct scan_rule *r;

    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, name, len);
    buf[len] = '\0';
    r = scan_ruleset_find(nm->e->rs, buf);
    return r != NULL && r->kind != SCAN_K_UNDEFINED ? (long)r->index : -1;
}

static bool
eng_glob_match(const char *pat, size_t plen, const char *s)
{
    if (plen == 0)
        return *s == '\0';
    if (*pat == '*') {
        for (;; s++) {
            if (eng_glob_match(pat + 1, plen - 1, s))
                return true;
            if (*s == '\0')
                return false;
        }
    }
    if (*s == '\0' || (*pat != '?' && *pat != *s))
        return false;
    return eng_glob_match(pat + 1, plen - 1, s + 1);
}

/* SA: every rule with a score whose name matches, but the meta itself */
static size_t
eng_glob(void *arg, const char *pat, size_t len, long **out)
{
    struct eng_names *nm = arg;
    size_t n = 0;

    *out = arena_alloc(nm->e->a, (nm->e->n + 1) * sizeof(**out));
    for (size_t i = 0; i < nm->e->n; i++) {
        const struct scan_rule *r = nm->e->rules[i].r;

        if (r != nm->self && r->kind != SCAN_K_UNDEFINED && eng_glob_match(pat, len, r->name))
            (*out)[n++] = (long)i;
    }
    return n;
}

/* Compile every meta, then order them so each runs after the metas it
 * reads; those left in a loop are excluded, as SA excludes them. */
static void
eng_metas(struct scan_engine *e)
{
    unsigned *order = arena_alloc(e->a, (e->n + 1) * sizeof(*order));
    unsigned char *state = arena_calloc(e->a, e->n + 1, 1); /* 0 todo, 1 queued, 2 placed */
    size_t npending = 0;
    bool progress = true;

    for (size_t i = 0; i < e->n; i++) {
        struct eng_rule *er = &e->rules[i];
        struct eng_names nm = { e, er->r };
        struct scan_meta_names names = { eng_lookup, eng_glob, &nm };
        struct sift_err err;

        if (er->r->kind != SCAN_K_META || !er->active)
            continue;
        if (scan_meta_compile(e->a, er->r->expr, &names, &er->meta, &err) == -1) {
            eng_skip(e, er, "meta", err.msg);
            continue;
        }
        state[i] = 1;
        npending++;
        e->stats.meta++;
    }
    while (npending > 0 && progress) {
        progress = false;
        for (size_t i = 0; i < e->n; i++) {
            const long *deps;
            size_t nd;
            bool ready = true;

            if (state[i] != 1)
                continue;
            nd = scan_meta_deps(e->rules[i].meta, &deps);
            for (size_t k = 0; k < nd && ready; k++)
                ready = !(state[deps[k]] == 1 && (size_t)deps[k] != i) && (size_t)deps[k] != i;
            if (!ready)
                continue;
            state[i] = 2;
            order[e->nmetas++] = (unsigned)i;
            npending--;
            progress = true;
        }
    }
    for (size_t i = 0; i < e->n && npending > 0; i++) {
        if (state[i] == 1) {
            eng_skip(e, &e->rules[i], "meta", "its dependencies loop");
            e->stats.meta--;
        }
    }
    e->metas = order;
}

/* Patterns below which a set runs on PCRE2 alone: as fast for so few,
 * and no database to build or cache. */
#define ENG_HS_MIN_PATTERNS 3

static int
eng_matcher(struct scan_engine *e, const struct scan_pattern *pats, size_t n,
            struct scan_matcher **out, struct sift_err *err)
{
    struct scan_match_opts mo = { .cache_dir = e->opts.cache_dir,
                                  .no_hyperscan = e->opts.no_hyperscan || n < ENG_HS_MIN_PATTERNS,
                                  .reject = eng_reject,
                                  .reject_arg = e };
    struct scan_matcher_stats st;

    if (scan_matcher_new(pats, n, &mo, out, err) == -1)
        return -1;
    scan_matcher_stats(*out, &st);
    e->stats.hs_patterns += st.hs_patterns;
    e->stats.pcre_patterns += st.pcre_only_patterns;
    if (n > e->counts_cap)
        e->counts_cap = n;
    return 0;
}

/* A cache file no engine has used for this long is removed. */
#define ENG_CACHE_KEEP (14 * 24 * 3600)

/* The directory would grow at every rule update: the files this engine
 * uses are marked used now (their mtime), and those no engine has used
 * for ENG_CACHE_KEEP are removed. Not at once: siftd, `siftadm scan
 * --local` and a test or a second instance may share the directory with
 * other rule sets, and each would make the others compile again. */
static void
eng_prune_cache(struct scan_engine *e, struct scan_matcher *const *all, size_t n)
{
    struct strset used;
    DIR *d;
    struct dirent *de;
    time_t now = time(NULL);

    if (e->opts.cache_dir == NULL || (d = opendir(e->opts.cache_dir)) == NULL)
        return;
    strset_init(&used, e->a);
    for (size_t i = 0; i < n; i++) {
        const char *p = scan_matcher_cache_path(all[i]);
        const char *slash = p != NULL ? strrchr(p, '/') : NULL;

        if (slash != NULL)
            strset_add(&used, strv_cstr(slash + 1));
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        struct stat st;

        if (strncmp(de->d_name, "sift-hs-", 8) != 0 || len < 11 ||
            strcmp(de->d_name + len - 3, ".db") != 0)
            continue;
        if (strset_has(&used, strv_cstr(de->d_name))) {
            (void)utimensat(dirfd(d), de->d_name, NULL, 0);
            continue;
        }
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_mtime < now - ENG_CACHE_KEEP)
            (void)unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

/* Which metas can be held back by a zero_meta that fires (the others need
 * no look at their dependencies per message). Metas are in dependency
 * order, so one pass sees every dependency first. */
static void
eng_may_stick(struct scan_engine *e)
{
    for (size_t k = 0; k < e->nmetas; k++) {
        struct eng_rule *er = &e->rules[e->metas[k]];
        const long *deps;
        size_t nd = scan_meta_deps(er->meta, &deps);

        for (size_t d = 0; d < nd && !er->may_stick; d++) {
            const struct eng_rule *dr = &e->rules[deps[d]];

            er->may_stick = dr->zero_meta || dr->may_stick;
        }
    }
}

int
scan_engine_new(struct scan_ruleset *rs, const struct scan_engine_opts *opts,
                struct scan_engine **out, struct sift_err *err)
{
    struct arena *a = arena_new(64 * 1024);
    struct scan_engine *e = arena_calloc(a, 1, sizeof(*e));
    struct eng_patlist texts[TXT_N];
    struct strset keys;
    struct scan_matcher **all;
    size_t nall = 0;
    double t0 = eng_now();

    memset(texts, 0, sizeof(texts));
    e->a = a;
    e->rs = rs;
    e->opts = *opts;
    e->n = scan_ruleset_count(rs);
    e->rules = arena_calloc(a, e->n + 1, sizeof(*e->rules));
    strset_init(&keys, a);
    for (size_t i = 0; i < e->n; i++) {
        struct eng_rule *er = &e->rules[i];

        er->r = scan_ruleset_at(rs, i);
        if (er->r->kind == SCAN_K_UNDEFINED)
            continue;
        e->stats.rules++;
        er->score = eng_score(e, er->r);
        er->negate = er->r->negate;
        er->active = eng_enabled(e, er->r, er->score);
        if (!er->active && er->r->kind == SCAN_K_META) {
            er->active = er->zero_meta = true;
            e->stats.disabled++;
            continue;
        }
        if (!er->active) {
            e->stats.disabled++;
            continue;
        }
        eng_place(e, er, &keys, texts);
    }
    eng_metas(e);
    eng_may_stick(e);
    e->stats.header_groups = e->ngroups;
    all = arena_alloc(a, (e->ngroups + TXT_N) * sizeof(*all));
    for (size_t g = 0; g < e->ngroups; g++) {
        if (eng_matcher(e, e->groups[g].pats, e->groups[g].npats, &e->groups[g].m, err) == -1)
            goto fail;
        all[nall++] = e->groups[g].m;
    }
    for (int t = 0; t < TXT_N; t++) {
        if (eng_matcher(e, texts[t].v, texts[t].n, &e->text_m[t], err) == -1)
            goto fail;
        all[nall++] = e->text_m[t];
    }
    eng_prune_cache(e, all, nall);
    e->scratch = scan_match_scratch_new(all, nall);
    e->md = pcre2_match_data_create(16, NULL);
    e->counts = xcalloc(e->counts_cap + 1, sizeof(*e->counts));
    for (size_t i = 0; i < e->n; i++) {
        if (e->rules[i].active)
            e->stats.active++;
    }
    e->stats.build_seconds = eng_now() - t0;
    *out = e;
    return 0;
fail:
    *out = e;
    scan_engine_free(out);
    return -1;
}

void
scan_engine_free(struct scan_engine **ep)
{
    struct scan_engine *e = *ep;
    struct arena *a;

    if (e == NULL)
        return;
    for (size_t g = 0; g < e->ngroups; g++)
        scan_matcher_free(&e->groups[g].m);
    for (int t = 0; t < TXT_N; t++)
        scan_matcher_free(&e->text_m[t]);
    for (size_t i = 0; i < e->n; i++)
        pcre2_code_free(e->rules[i].re);
    scan_match_scratch_free(&e->scratch);
    pcre2_match_data_free(e->md);
    free(e->counts);
    a = e->a;
    arena_free(&a);
    *ep = NULL;
}

/* ------------------------------------------------------------------------
 * a scan
 */

struct eng_run {
    struct scan_engine *e;
    struct task *t;
    struct mime_msg *m;
    double *values;
    unsigned *hits; /* match counts */
    const char **options;
    const struct scan_run_opts *o; /* never NULL */
    double *scores;                /* rescored: every rule's score; NULL: the engine's */
};

/* A rule's score in this scan. */
static double
eng_run_score(const struct eng_run *run, size_t idx)
{
    return run->scores != NULL ? run->scores[idx] : run->e->rules[idx].score;
}

static bool
eng_run_off(const struct eng_run *run, size_t idx)
{
    return run->scores != NULL && run->scores[idx] == 0 && run->e->rules[idx].score != 0;
}

/* Rules rescored to 0 do not hit; metas read 0 for them. */
static void
eng_rescored_off(struct eng_run *run, bool metas)
{
    for (size_t i = 0; run->scores != NULL && i < run->o->nrescore; i++) {
        const struct scan_rule *r = run->o->rescore[i].rule;

        if (r->index >= run->e->n || run->e->rules[r->index].r != r ||
            (r->kind == SCAN_K_META) != metas || !eng_run_off(run, r->index))
            continue;
        run->values[r->index] = 0;
        run->hits[r->index] = 0;
    }
}

static void
eng_hit(struct eng_run *run, unsigned idx, double value, unsigned count)
{
    if (value <= 0)
        value = 1; /* got_hit: a value always raises the rule */
    run->values[idx] += value;
    run->hits[idx] += count;
}

/* Add the matcher's counts to the rules. */
static void
eng_collect(struct eng_run *run, const struct scan_matcher *m, const unsigned *counts,
            bool negate_ok)
{
    size_t n = scan_matcher_count(m);

    for (size_t k = 0; k < n; k++) {
        unsigned id = scan_matcher_id(m, k);
        const struct eng_rule *er = &run->e->rules[id];

        if (!er->active)
            continue;
        if (negate_ok && er->negate) {
            if (counts[k] == 0)
                eng_hit(run, id, 1, 1);
        } else if (counts[k] > 0) {
            eng_hit(run, id, counts[k], counts[k]);
        }
    }
}

static void
eng_run_matcher(struct eng_run *run, const struct scan_matcher *m, const struct strv *texts,
                size_t n, bool negate_ok)
{
    size_t np = scan_matcher_count(m);

    if (np == 0)
        return;
    memset(run->e->counts, 0, np * sizeof(*run->e->counts));
    scan_matcher_run(m, run->e->scratch, texts, n, run->e->counts);
    eng_collect(run, m, run->e->counts, negate_ok);
}

/* $hval: get() joined (with "" when values end in "\n", else "\n"), the
 * if-unset text, or undef (matched as "") */
static void
eng_headers(struct eng_run *run)
{
    for (size_t g = 0; g < run->e->ngroups; g++) {
        struct eng_hgroup *grp = &run->e->groups[g];
        const struct mime_get *v = mime_get(run->m, grp->request);
        struct strv text;

        for (size_t k = 0; k < grp->nexists; k++) {
            if (v->n > 0 && run->e->rules[grp->exists[k]].active)
                eng_hit(run, grp->exists[k], 1, 1);
        }
        if (scan_matcher_count(grp->m) == 0)
            continue;
        if (v->n == 1) {
            text = v->v[0];
        } else if (v->n > 1) {
            bool nl = v->v[0].len > 0 && v->v[0].p[v->v[0].len - 1] == '\n';
            struct buf b;

            buf_init(&b);
            for (size_t i = 0; i < v->n; i++) {
                if (i > 0 && !nl)
                    buf_putc(&b, '\n');
                buf_append(&b, v->v[i].p, v->v[i].len);
            }
            text = strv_make(arena_strndup(run->t->arena, b.p, b.len), b.len);
            buf_clear(&b);
        } else {
            size_t np = scan_matcher_count(grp->m);

            if (grp->unset_counts == NULL) {
                text = grp->if_unset != NULL ? strv_cstr(grp->if_unset) : STRV_LIT("");
                grp->unset_counts = arena_calloc(run->e->a, np, sizeof(unsigned));
                scan_matcher_run(grp->m, run->e->scratch, &text, 1, grp->unset_counts);
            }
            eng_collect(run, grp->m, grp->unset_counts, true);
            continue;
        }
        eng_run_matcher(run, grp->m, &text, 1, true);
    }
}

/* The MIMEHeader plugin: the header of each part, up to maxhits matches
 * in the first part that has any. */
static void
eng_mimeheaders(struct eng_run *run)
{
    struct mime_part **parts;
    size_t np;

    if (run->e->nmimeheaders == 0)
        return;
    np = mime_msg_parts(run->m, false, &parts);
    for (size_t k = 0; k < run->e->nmimeheaders; k++) {
        unsigned idx = run->e->mimeheaders[k];
        const struct eng_rule *er = &run->e->rules[idx];
        const char *req = er->r->header;
        size_t rl = strlen(req);
        bool raw = rl > 4 && strcmp(req + rl - 4, ":raw") == 0;
        struct strv name = strv_make(req, raw ? rl - 4 : rl);
        unsigned max =
            (er->r->tflags & SCAN_TF_MULTIPLE) ? (er->r->maxhits ? er->r->maxhits : 1000) : 1;

        if (er->negate) { /* SA's plugin reports a negated rule as hit */
            eng_hit(run, idx, 1, 1);
            continue;
        }
        for (size_t i = 0; i < np; i++) {
            const struct mime_header *f = mime_hdr_last(&parts[i]->hdrs, name);
            struct strv val;
            PCRE2_SIZE start = 0;
            unsigned hits = 0;

            if (f != NULL) {
                val = raw ? f->raw : mime_hdr_get_value(run->t->arena, f, false);
            } else if (er->r->if_unset != NULL) {
                val = strv_cstr(er->r->if_unset);
            } else {
                val = STRV_LIT("");
            }
            while (hits < max && start <= val.len &&
                   pcre2_match(er->re, (PCRE2_SPTR)val.p, val.len, start, 0, run->e->md, NULL) >=
                       0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(run->e->md);

                hits++;
                start = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
            }
            if (hits > 0) {
                eng_hit(run, idx, hits, hits);
                break;
            }
        }
    }
}

static void
eng_evals(struct eng_run *run)
{
    for (size_t k = 0; k < run->e->nevals; k++) {
        unsigned idx = run->e->evals[k];
        const struct eng_rule *er = &run->e->rules[idx];
        struct scan_eval_ctx ec = { run->t,
                                    run->m,
                                    er->r,
                                    er->eval_state,
                                    run->o->eval_data ? run->o->eval_data : run->e->opts.eval_data,
                                    NULL };
        double v;

        if (!er->active)
            continue;
        v = er->eval->fn(&ec);
        if (v != 0) {
            eng_hit(run, idx, v, 1);
            run->options[idx] = ec.option;
        }
    }
}

static void
eng_run_metas(struct eng_run *run)
{
    bool *stuck = arena_calloc(run->t->arena, run->e->n + 1, sizeof(*stuck));

    for (size_t k = 0; k < run->e->nmetas; k++) {
        unsigned idx = run->e->metas[k];
        const struct eng_rule *er = &run->e->rules[idx];
        double v;

        if (!er->active)
            continue;
        if (er->may_stick) {
            const long *deps;
            size_t nd = scan_meta_deps(er->meta, &deps);

            for (size_t d = 0; d < nd && !stuck[idx]; d++)
                stuck[idx] = stuck[deps[d]]; /* a meta never done: SA never gets here */
            if (stuck[idx])
                continue;
        }
        v = scan_meta_eval(er->meta, run->values, run->e->opts.local_only);
        if (er->zero_meta)
            stuck[idx] = v != 0;
        else if (v != 0)
            eng_hit(run, idx, v, 1);
    }
}

/* ---- composites ---- */

struct eng_comp {
    struct scan_result *res;
    unsigned char *how; /* per hit: bit 1 weight removed, bit 2 symbol removed */
    bool *kept;         /* per hit: a composite left it alone */
};

static long
eng_comp_find(const struct scan_result *res, const char *name, size_t len)
{
    for (size_t i = 0; i < res->nhits; i++) {
        const char *n = res->hits[i].rule->name;

        if (strncmp(n, name, len) == 0 && n[len] == '\0')
            return (long)i;
    }
    return -1;
}

static bool
eng_comp_has(void *arg, const char *name, size_t len)
{
    const struct eng_comp *c = arg;

    if (eng_comp_find(c->res, name, len) >= 0)
        return true;
    for (size_t i = 0; i < c->res->nsubhits; i++) {
        const char *n = c->res->subhits[i];

        if (strncmp(n, name, len) == 0 && n[len] == '\0')
            return true;
    }
    return false;
}

static void
eng_comp_mark(void *arg, const char *name, size_t len, enum scan_composite_policy how)
{
    struct eng_comp *c = arg;
    long i = eng_comp_find(c->res, name, len);

    if (i < 0)
        return; /* a sub-rule: nothing to remove */
    if (how == SCAN_COMPOSITE_LEAVE)
        c->kept[i] = true;
    else if (how == SCAN_COMPOSITE_REMOVE_WEIGHT)
        c->how[i] |= 1;
    else if (how == SCAN_COMPOSITE_REMOVE_SYMBOL)
        c->how[i] |= 2;
    else
        c->how[i] |= 3;
}

/* The composites, in order, each on what the scan found and the
 * composites before it; then what their hits take away (a symbol a
 * composite left alone with '-' or policy leave stays whole). Returns
 * the change to the total. */
static double
eng_composites(struct eng_run *run, struct scan_result *res)
{
    struct scan_engine *e = run->e;
    struct arena *a = run->t->arena;
    struct eng_comp c = { res, NULL, NULL };
    double delta = 0;
    size_t out = 0;

    if (e->ncomposites == 0)
        return 0;
    c.how = arena_calloc(a, res->nhits + e->ncomposites + 1, 1);
    c.kept = arena_calloc(a, res->nhits + e->ncomposites + 1, sizeof(bool));
    res->hits = arena_realloc(a, res->hits, (res->nhits + 1) * sizeof(*res->hits),
                              (res->nhits + e->ncomposites + 1) * sizeof(*res->hits));
    for (size_t k = 0; k < e->ncomposites; k++) {
        const struct eng_rule *er = &e->rules[e->composites[k]];
        struct scan_hit *h;

        if (!er->active || !scan_composite_eval(er->composite, eng_comp_has, eng_comp_mark, &c,
                                                (enum scan_composite_policy)er->r->policy))
            continue;
        h = &res->hits[res->nhits++];
        memset(h, 0, sizeof(*h));
        h->rule = er->r;
        h->count = 1;
        h->value = 1;
        h->score = eng_run_score(run, e->composites[k]);
        delta += h->score;
    }
    for (size_t i = 0; i < res->nhits; i++) {
        unsigned how = c.kept[i] ? 0 : c.how[i];

        if (how & 1) {
            delta -= res->hits[i].score;
            res->hits[i].score = 0;
        }
        if (!(how & 2))
            res->hits[out++] = res->hits[i];
    }
    res->nhits = out;
    return delta;
}

static struct scan_result *
eng_result(struct eng_run *run)
{
    struct scan_engine *e = run->e;
    struct arena *a = run->t->arena;
    struct scan_result *res = arena_calloc(a, 1, sizeof(*res));
    size_t nh = 0, ns = 0;
    double score = 0;
    char buf[64];

    for (size_t i = 0; i < e->n; i++) {
        if (run->hits[i] > 0)
            scan_rule_is_sub(e->rules[i].r) ? ns++ : nh++;
    }
    res->hits = arena_calloc(a, nh + 1, sizeof(*res->hits));
    res->subhits = arena_calloc(a, ns + 1, sizeof(*res->subhits));
    for (size_t i = 0; i < e->n; i++) {
        const struct eng_rule *er = &e->rules[i];
        struct scan_hit *h;

        if (run->hits[i] == 0)
            continue;
        if (scan_rule_is_sub(er->r)) {
            res->subhits[res->nsubhits++] = er->r->name;
            continue;
        }
        h = &res->hits[res->nhits++];
        h->rule = er->r;
        h->count = (er->r->tflags & SCAN_TF_MULTIPLE) ? run->hits[i] : 1;
        h->score = eng_run_score(run, i) * h->count;
        h->value = run->values[i];
        h->option = run->options[i];
        score += h->score;
    }
    /* symbols raised by code (the parser's limits, checks): scored by their
     * rule when there is one, else with the score they came with */
    for (const struct task_symbol *ts = run->t->symbols; ts != NULL; ts = ts->next) {
        const struct scan_rule *r = scan_ruleset_find(e->rs, ts->name);
        struct scan_hit *h;

        if (r != NULL && r->kind != SCAN_K_UNDEFINED && r->kind != SCAN_K_EXTERNAL)
            continue; /* a rule of another kind owns the name */
        if (r != NULL && !e->rules[r->index].active)
            continue;
        if (r == NULL) {
            struct scan_rule *nr = arena_calloc(a, 1, sizeof(*nr));

            nr->name = ts->name;
            nr->kind = SCAN_K_EXTERNAL;
            r = nr;
        }
        res->hits = arena_realloc(a, res->hits, (res->nhits + 1) * sizeof(*res->hits),
                                  (res->nhits + 2) * sizeof(*res->hits));
        h = &res->hits[res->nhits++];
        memset(h, 0, sizeof(*h));
        h->rule = r;
        h->count = 1;
        h->value = 1;
        h->score =
            r->index < e->n && e->rules[r->index].r == r ? eng_run_score(run, r->index) : ts->score;
        h->option = ts->option;
        score += h->score;
    }
    qsort(res->subhits, res->nsubhits, sizeof(*res->subhits), scan_name_cmp);
    score += eng_composites(run, res);
    qsort(res->hits, res->nhits, sizeof(*res->hits), scan_hit_cmp);
    /* SA rounds the score to three decimals before comparing */
    snprintf(buf, sizeof(buf), "%0.3f", score);
    res->score = strtod(buf, NULL) + 0.0;
    {
        const struct scan_actions *acts = run->o->actions ? run->o->actions : &e->opts.actions;

        res->required =
            acts->set[SCAN_ACTION_ADD_HEADER] ? acts->threshold[SCAN_ACTION_ADD_HEADER] : 5.0;
        res->is_spam = res->score >= res->required;
        res->action = scan_actions_pick(acts, res->score);
    }
    return res;
}

const struct scan_result *
scan_engine_run(struct scan_engine *e, struct task *t)
{
    static const struct scan_run_opts none;

    return scan_engine_run_with(e, t, &none);
}

const struct scan_result *
scan_engine_run_with(struct scan_engine *e, struct task *t, const struct scan_run_opts *o)
{
    struct eng_run run = { e, t, task_message(t), NULL, NULL, NULL, o, NULL };
    const struct mime_view *body, *raw;
    const struct mime_uris *uris;
    struct strv full;

    run.values = arena_calloc(t->arena, e->n + 1, sizeof(*run.values));
    run.hits = arena_calloc(t->arena, e->n + 1, sizeof(*run.hits));
    run.options = arena_calloc(t->arena, e->n + 1, sizeof(*run.options));
    if (o->nrescore > 0) {
        run.scores = arena_alloc(t->arena, (e->n + 1) * sizeof(*run.scores));
        for (size_t i = 0; i < e->n; i++)
            run.scores[i] = e->rules[i].score;
        for (size_t i = 0; i < o->nrescore; i++) {
            const struct scan_rule *r = o->rescore[i].rule;

            /* a rule the engine does not run stays off */
            if (r->index < e->n && e->rules[r->index].r == r && e->rules[r->index].active)
                run.scores[r->index] = o->rescore[i].score;
        }
    }
    eng_headers(&run);
    if (scan_matcher_count(e->text_m[TXT_BODY]) + scan_matcher_count(e->text_m[TXT_BODY_NOSUBJ]) >
        0) {
        body = mime_view_body(run.m);
        eng_run_matcher(&run, e->text_m[TXT_BODY], body->lines, body->n, false);
        if (body->n > 1)
            eng_run_matcher(&run, e->text_m[TXT_BODY_NOSUBJ], body->lines + 1, body->n - 1, false);
    }
    if (scan_matcher_count(e->text_m[TXT_RAWBODY]) > 0) {
        raw = mime_view_rawbody(run.m);
        eng_run_matcher(&run, e->text_m[TXT_RAWBODY], raw->lines, raw->n, false);
    }
    if (scan_matcher_count(e->text_m[TXT_URI]) > 0) {
        uris = mime_msg_uris(run.m);
        eng_run_matcher(&run, e->text_m[TXT_URI], uris->list, uris->nlist, false);
    }
    if (scan_matcher_count(e->text_m[TXT_FULL]) > 0) {
        full = run.m->pristine;
        eng_run_matcher(&run, e->text_m[TXT_FULL], &full, 1, false);
    }
    eng_mimeheaders(&run);
    eng_evals(&run);
    eng_rescored_off(&run, false);
    eng_run_metas(&run);
    eng_rescored_off(&run, true);
    return eng_result(&run);
}

void
scan_engine_stats(const struct scan_engine *e, struct scan_engine_stats *st)
{
    *st = e->stats;
}

double
scan_engine_rule_score(const struct scan_engine *e, const struct scan_rule *r)
{
    if (r->index >= e->n || !e->rules[r->index].active)
        return 0;
    return e->rules[r->index].score;
}
