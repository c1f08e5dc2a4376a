/*
 * sa_rules.c - load, translate and compile a SpamAssassin rule set (see
 * sa_rules.h), with the redirector_pattern settings compiled for the URI
 * collector.
 */
#include "compat/sa_rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compat/sa_evals.h"
#include "compat/sa_regex.h"
#include "core/log.h"
#include "core/version.h"
#include "core/xmalloc.h"
#include "mime/mime_uris.h"
#include "scan/scan_yaml.h"

static double
rules_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
rules_dir_resolve(const char *dir)
{
    struct stat st;

    if (dir != NULL && strcmp(dir, "auto") != 0)
        return dir;
    if (stat(SA_RULES_UPDATE_DIR, &st) == 0 && S_ISDIR(st.st_mode))
        return SA_RULES_UPDATE_DIR;
    return SA_RULES_SHIPPED_DIR;
}

/* redirector_pattern, compiled in the order the files give them. */
struct sa_rules_redirectors {
    pcre2_code **re;
    size_t n;
    pcre2_match_data *md; /* for $1; a worker scans one message at a time */
};

/* Conf::redirector_pattern: compile_regexp($value, 1) of each value; one
 * that does not compile is left out (SA: "invalid redirector_pattern").
 * sa_conf keeps no file:line for settings, so the skip names the pattern. */
static struct sa_rules_redirectors *
rules_redirectors_new(struct sa_rules *r)
{
    const struct strv *v;
    size_t n = sa_conf_values(r->conf, "redirector_pattern", &v);
    struct sa_rules_redirectors *rd;
    pcre2_compile_context *cc;

    if (n == 0)
        return NULL;
    rd = xcalloc(1, sizeof(*rd));
    rd->re = xcalloc(n, sizeof(*rd->re));
    if ((rd->md = pcre2_match_data_create(2, NULL)) == NULL)
        xalloc_die(sizeof(pcre2_match_data *));
    cc = pcre2_compile_context_create(NULL);
    if (cc == NULL)
        xalloc_die(sizeof(pcre2_compile_context *));
    /* what the matcher uses (scan_match.c): Perl's \n newline and \R */
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    pcre2_set_bsr(cc, PCRE2_BSR_UNICODE);
    for (size_t i = 0; i < n; i++) {
        struct strv body, mods, text = v[i];
        struct sa_regex re;
        struct sift_err err;
        pcre2_code *code;
        int ec;
        PCRE2_SIZE off;

        while (text.len > 0 && (*text.p == ' ' || *text.p == '\t'))
            text.p++, text.len--;
        if (sa_regex_split(text, &body, &mods, &err) != SA_RE_OK ||
            sa_regex_translate(scan_ruleset_arena(r->rs), body, mods, &re, &err) != SA_RE_OK) {
            scan_ruleset_skip(r->rs, NULL, "redirector_pattern", "redirector_pattern",
                              "'%s': %s; left out", v[i].p, err.msg);
            continue;
        }
        code = pcre2_compile((PCRE2_SPTR)re.pattern, PCRE2_ZERO_TERMINATED,
                             sa_regex_pcre2_options(re.flags), &ec, &off, cc);
        if (code == NULL) {
            PCRE2_UCHAR msg[256];

            pcre2_get_error_message(ec, msg, sizeof(msg));
            scan_ruleset_skip(r->rs, NULL, "redirector_pattern", "redirector_pattern",
                              "'%s': PCRE2: %s at offset %zu; left out", v[i].p, (const char *)msg,
                              (size_t)off);
            continue;
        }
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* else interpreted */
        rd->re[rd->n++] = code;
    }
    pcre2_compile_context_free(cc);
    return rd;
}

static void
rules_redirectors_free(struct sa_rules_redirectors **rdp)
{
    struct sa_rules_redirectors *rd = *rdp;

    if (rd == NULL)
        return;
    for (size_t i = 0; i < rd->n; i++)
        pcre2_code_free(rd->re[i]);
    pcre2_match_data_free(rd->md);
    free(rd->re);
    free(rd);
    *rdp = NULL;
}

/* Util::uri_list_canonicalize: the first pattern that matches with a
 * defined $1 holding a '.' gives the target (a match without one goes on
 * to the next pattern). */
static bool
rules_redirect(void *arg, struct strv uri, struct strv *target)
{
    const struct sa_rules_redirectors *rd = arg;
    pcre2_match_data *md = rd->md;
    bool found = false;

    for (size_t i = 0; i < rd->n && !found; i++) {
        int rc = pcre2_match(rd->re[i], (PCRE2_SPTR)(uri.p ? uri.p : ""), uri.len, 0, 0, md, NULL);
        const PCRE2_SIZE *ov;

        /* rc 0: more groups set than md holds, $1 is there; an error (the
         * match limit) is no match, as for a rule */
        if (rc < 0 || rc == 1)
            continue;
        ov = pcre2_get_ovector_pointer(md);
        if (ov[2] == PCRE2_UNSET || memchr(uri.p + ov[2], '.', ov[3] - ov[2]) == NULL)
            continue;
        *target = strv_make(uri.p + ov[2], ov[3] - ov[2]);
        found = true;
    }
    return found;
}

/* With Bayes in the score set: the rules to rescore when Bayes has no
 * verdict (SA scores such a message with the set without Bayes). A rule
 * scored only without Bayes is not in the engine; it stays off (logged). */
static void
rules_nobayes(struct sa_rules *r, int set)
{
    size_t n = scan_ruleset_count(r->rs), k = 0, off = 0;

    if ((set & 2) == 0)
        return;
    r->nobayes = arena_calloc(scan_ruleset_arena(r->rs), n ? n : 1, sizeof(*r->nobayes));
    for (size_t i = 0; i < n; i++) {
        const struct scan_rule *rule = scan_ruleset_at(r->rs, i);
        double with = rule->score[set], without = rule->score[set & ~2];

        if (!rule->has_score || with == without)
            continue;
        if (with == 0) {
            off++;
            continue;
        }
        r->nobayes[k].rule = rule;
        r->nobayes[k++].score = without;
    }
    r->nnobayes = k;
    if (off > 0)
        log_info("rules: %zu rule(s) score only without Bayes; with Bayes on they do not run "
                 "even while Bayes has too little learned to give a verdict",
                 off);
}

int
sa_rules_load(const struct sa_rules_cfg *cfg, const struct scan_actions_cfg *actions,
              const struct cfg_node *symbols, struct sa_rules **out, struct sift_err *err)
{
    struct sa_rules *r = xcalloc(1, sizeof(*r));
    struct sa_conf_opts co = { .local_only = cfg->local_only, .use_bayes = cfg->use_bayes };
    struct scan_engine_opts eo = { 0 };
    double t0 = rules_now();
    static const struct scan_actions_cfg no_actions;

    sa_evals_register();
    r->rules_dir = rules_dir_resolve(cfg->rules_dir);
    r->site_dir =
        cfg->site_dir != NULL && cfg->site_dir[0] != '\0' && strcmp(cfg->site_dir, "~") != 0
            ? cfg->site_dir
            : NULL;
    r->conf = sa_conf_new(&co);
    r->rs = scan_ruleset_new();
    if (cfg->native_dir != NULL && scan_yaml_load_dir(r->rs, cfg->native_dir, err) == -1)
        goto fail;
    if (sa_conf_load_dirs(r->conf, r->rs, r->rules_dir, r->site_dir, err) == -1)
        goto fail;
    sa_conf_finish(r->conf, r->rs);
    r->redirectors = rules_redirectors_new(r);
    if (symbols != NULL && scan_yaml_apply(r->rs, symbols, err) == -1)
        goto fail;
    r->actions_cfg = actions != NULL ? *actions : no_actions;
    r->allow_user_rules = cfg->allow_user_rules;
    if (scan_actions_from_cfg(actions != NULL ? actions : &no_actions,
                              sa_conf_required_score(r->conf), &r->actions, err) == -1)
        goto fail;
    /* the pattern cache: made on first use, for this process's user only */
    if (cfg->cache_dir != NULL && mkdir(cfg->cache_dir, 0700) == -1 && errno != EEXIST)
        log_warn("rules: cannot create the pattern cache %s: %s", cfg->cache_dir, strerror(errno));
    eo.score_set = sa_conf_score_set(r->conf);
    eo.local_only = cfg->local_only;
    eo.cache_dir = cfg->cache_dir;
    eo.no_hyperscan = !cfg->hyperscan;
    eo.eval_data = r->conf;
    eo.actions = r->actions;
    if (scan_engine_new(r->rs, &eo, &r->engine, err) == -1)
        goto fail;
    rules_nobayes(r, eo.score_set);
    r->markup = sa_markup_new(r->conf, r->rs, NULL, "sift " SIFT_VERSION);
    r->load_seconds = rules_now() - t0;
    *out = r;
    return 0;
fail:
    sa_rules_free(&r);
    return -1;
}

void
sa_rules_free(struct sa_rules **rp)
{
    struct sa_rules *r = *rp;

    if (r == NULL)
        return;
    scan_engine_free(&r->engine);
    sa_markup_free(&r->markup);
    rules_redirectors_free(&r->redirectors);
    scan_ruleset_free(&r->rs);
    sa_conf_free(&r->conf);
    free(r);
    *rp = NULL;
}

/* A list setting left empty in mc takes SA's values (each value may name
 * several networks, space-separated, as in trusted_networks). */
static void
rules_list(const struct sa_rules *r, const char *directive, struct cfg_strlist *out)
{
    const struct strv *v;
    size_t n = sa_conf_values(r->conf, directive, &v), cnt = 0;
    const char **items;
    struct arena *a = scan_ruleset_arena(r->rs);

    if (out->n > 0 || n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        cnt += v[i].len + 1;
    items = arena_calloc(a, cnt + 1, sizeof(*items));
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = v[i].p, *end = v[i].p + v[i].len;

        while (p < end) {
            const char *q;

            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            for (q = p; q < end && *q != ' ' && *q != '\t'; q++)
                ;
            if (q > p)
                items[out->n++] = arena_strndup(a, p, (size_t)(q - p));
            p = q;
        }
    }
    out->v = items;
}

void
sa_rules_mime_cfg(const struct sa_rules *r, struct mime_cfg *mc)
{
    const char *v;

    rules_list(r, "trusted_networks", &mc->trusted_networks);
    rules_list(r, "internal_networks", &mc->internal_networks);
    rules_list(r, "msa_networks", &mc->msa_networks);
    if (mc->envelope_sender_header == NULL &&
        (v = sa_conf_value(r->conf, "envelope_sender_header", NULL)) != NULL)
        mc->envelope_sender_header = v;
    if ((v = sa_conf_value(r->conf, "body_part_scan_size", NULL)) != NULL)
        mc->lim.body_part_scan_size = strtoul(v, NULL, 10);
    if ((v = sa_conf_value(r->conf, "rawbody_part_scan_size", NULL)) != NULL)
        mc->lim.rawbody_part_scan_size = strtoul(v, NULL, 10);
}

const struct scan_result *
sa_rules_scan(struct sa_rules *r, struct task *t)
{
    static const struct scan_run_opts none;

    return sa_rules_scan_with(r, t, &none);
}

const struct scan_result *
sa_rules_scan_with(struct sa_rules *r, struct task *t, const struct scan_run_opts *o)
{
    if (r->redirectors != NULL && r->redirectors->n > 0)
        mime_uris_set_redirector(task_message(t), rules_redirect, r->redirectors);
    return scan_engine_run_with(r->engine, t, o);
}
