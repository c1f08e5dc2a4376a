/*
 * sa_prefs.c - a user's user_prefs over the site's rules (see sa_prefs.h).
 */
#include "compat/sa_prefs.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/version.h"
#include "core/xmalloc.h"

int
sa_prefs_load(const struct sa_rules *r, const char *text, size_t len, const char *origin,
              struct sa_prefs **out, struct sift_err *err)
{
    struct sa_prefs *p = xcalloc(1, sizeof(*p));
    int set = sa_conf_score_set(r->conf);
    size_t n, k = 0, parsed_skips; /* skips the parser made (logged before compiling) */

    *out = NULL;
    p->conf = sa_conf_new_user(r->conf, r->allow_user_rules);
    p->urs = scan_ruleset_new();
    sa_conf_parse(p->conf, p->urs, text, len, origin, err);
    /* what the file could not say, or said and sift cannot do */
    for (size_t i = 0; i < scan_ruleset_nskips(p->urs); i++) {
        const struct scan_skip *sk = scan_ruleset_skip_at(p->urs, i);

        log_info("user_prefs: %s: left out (%s): %s", sk->origin, sk->category, sk->message);
        p->refused++;
    }
    parsed_skips = scan_ruleset_nskips(p->urs);
    n = scan_ruleset_count(p->urs);
    p->rescore = xcalloc(n ? n : 1, sizeof(*p->rescore));
    for (size_t i = 0; i < n; i++) {
        const struct scan_rule *ur = scan_ruleset_at(p->urs, i);
        const struct scan_rule *sr = scan_ruleset_find(r->rs, ur->name);

        if (ur->kind != SCAN_K_UNDEFINED) {
            if (sr != NULL && sr->kind != SCAN_K_UNDEFINED) {
                log_info("user_prefs: %s: rule %s: a user rule cannot redefine a site rule; "
                         "left out",
                         ur->origin ? ur->origin : origin, ur->name);
                scan_ruleset_remove(p->urs, ur->name);
                p->refused++;
            } else {
                p->nrules++;
            }
            continue;
        }
        if (!ur->has_score)
            continue;
        if (sr == NULL || sr->kind == SCAN_K_UNDEFINED) {
            log_info("user_prefs: %s: score for %s: no such rule", origin, ur->name);
            p->refused++;
            continue;
        }
        if (scan_engine_rule_score(r->engine, sr) == 0 && ur->score[set] != 0) {
            log_info("user_prefs: %s: score for %s: the site does not run this rule", origin,
                     ur->name);
            p->refused++;
            continue;
        }
        p->rescore[k].rule = sr;
        p->rescore[k].score = ur->score[set];
        k++;
    }
    p->nrescore = k;
    if (scan_actions_from_cfg(&r->actions_cfg, sa_conf_required_score(p->conf), &p->actions, err) ==
        -1) {
        sa_prefs_free(&p);
        return -1;
    }
    if (p->nrules > 0) {
        /* the site allowed user rules (or the parser would have refused
         * them): compile them alone, PCRE2 only */
        struct scan_engine_opts eo = { 0 };
        struct sift_err eerr;

        sa_conf_finish(p->conf, p->urs);
        eo.score_set = set;
        eo.local_only = (set & 1) == 0;
        eo.no_hyperscan = true;
        eo.eval_data = p->conf;
        eo.actions = p->actions;
        if (scan_engine_new(p->urs, &eo, &p->engine, &eerr) == -1) {
            log_warn("user_prefs: %s: the user's rules cannot run: %s", origin, eerr.msg);
            p->engine = NULL;
            p->nrules = 0;
        }
        for (size_t i = parsed_skips; i < scan_ruleset_nskips(p->urs); i++) {
            const struct scan_skip *sk = scan_ruleset_skip_at(p->urs, i);

            log_info("user_prefs: %s: left out (%s): %s", sk->origin, sk->category, sk->message);
            p->refused++;
        }
    }
    p->markup = sa_markup_new(p->conf, r->rs, sa_markup_fqdn(r->markup), "sift " SIFT_VERSION);
    *out = p;
    return 0;
}

void
sa_prefs_free(struct sa_prefs **pp)
{
    struct sa_prefs *p = *pp;

    if (p == NULL)
        return;
    sa_markup_free(&p->markup);
    scan_engine_free(&p->engine);
    scan_ruleset_free(&p->urs);
    sa_conf_free(&p->conf);
    free(p->rescore);
    free(p);
    *pp = NULL;
}

const struct scan_result *
sa_rules_scan_prefs(struct sa_rules *r, const struct sa_prefs *p, struct task *t)
{
    struct sa_scan_opts o = { .prefs = p };

    return sa_rules_scan_opts(r, &o, t);
}

/* The rescores of one scan, later entries winning: the scores without
 * Bayes, the user's score lines, the request's settings (rules it leaves
 * off at 0, the scores it gives). In t's arena. */
static void
prefs_rescore(struct sa_rules *r, const struct sa_scan_opts *so, struct task *t,
              struct scan_run_opts *o)
{
    const struct sa_prefs *p = so->prefs;
    const struct scan_settings *s = so->settings;
    size_t nrules = scan_ruleset_count(r->rs), n = 0;
    size_t cap = (so->bayes_unavailable ? r->nnobayes : 0) + (p != NULL ? p->nrescore : 0) +
                 (s != NULL ? nrules + s->nscores : 0) + 1;
    struct scan_rescore *v = arena_calloc(t->arena, cap, sizeof(*v));

    if (so->bayes_unavailable && r->nnobayes > 0) {
        memcpy(v + n, r->nobayes, r->nnobayes * sizeof(*v));
        n += r->nnobayes;
    }
    if (p != NULL && p->nrescore > 0) {
        memcpy(v + n, p->rescore, p->nrescore * sizeof(*v));
        n += p->nrescore;
    }
    for (size_t i = 0; s != NULL && i < s->nscores; i++) {
        const struct scan_rule *rule = scan_ruleset_find(r->rs, s->scores[i].name);

        if (rule != NULL) {
            v[n].rule = rule;
            v[n++].score = s->scores[i].score;
        }
    }
    for (size_t i = 0; s != NULL && scan_settings_touches_rules(s) && i < nrules; i++) {
        const struct scan_rule *rule = scan_ruleset_at(r->rs, i);

        if (scan_settings_off(s, rule)) {
            v[n].rule = rule;
            v[n++].score = 0.0;
        }
    }
    o->rescore = v;
    o->nrescore = n;
}

const struct scan_result *
sa_rules_scan_opts(struct sa_rules *r, const struct sa_scan_opts *so, struct task *t)
{
    const struct sa_prefs *p = so->prefs;
    const struct scan_actions *acts = so->actions;
    struct scan_run_opts o = { 0 };
    const struct scan_result *res;

    if (p == NULL && so->settings == NULL && acts == NULL &&
        !(so->bayes_unavailable && r->nnobayes > 0))
        return sa_rules_scan(r, t);
    if (acts == NULL)
        acts = p != NULL ? &p->actions : &r->actions;
    o.eval_data = p != NULL ? p->conf : NULL;
    o.actions = acts;
    if ((so->bayes_unavailable && r->nnobayes > 0) || (p != NULL && p->nrescore > 0) ||
        (so->settings != NULL &&
         (so->settings->nscores > 0 || scan_settings_touches_rules(so->settings))))
        prefs_rescore(r, so, t, &o);
    res = sa_rules_scan_with(r, t, &o);
    if (p != NULL && p->engine != NULL)
        res = scan_result_merge(t->arena, res, scan_engine_run(p->engine, t), acts);
    return res;
}

const struct sa_markup *
sa_prefs_markup(const struct sa_rules *r, const struct sa_prefs *p)
{
    return p != NULL ? p->markup : r->markup;
}
