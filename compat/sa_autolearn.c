/*
 * sa_autolearn.c - SpamAssassin's autolearn decision (see sa_autolearn.h).
 */
#include "compat/sa_autolearn.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_conf.h"
#include "scan/scan_rule.h"

enum al_kind { AL_OTHER, AL_HEAD, AL_BODY, AL_META };

/* _get_autolearn_testtype: header tests and evals are "head"; body,
 * rawbody and uri tests and evals "body"; metas "meta"; the rest nothing. */
static enum al_kind
al_kind(const struct scan_rule *r)
{
    if (r->kind == SCAN_K_META)
        return AL_META;
    if (r->kind != SCAN_K_REGEX && r->kind != SCAN_K_EVAL && r->kind != SCAN_K_EXISTS)
        return AL_OTHER;
    switch (r->target) {
    case SCAN_T_HEADER:
        return AL_HEAD;
    case SCAN_T_BODY:
    case SCAN_T_RAWBODY:
    case SCAN_T_URI:
        return AL_BODY;
    default:
        return AL_OTHER;
    }
}

static double
al_conf_num(const struct sa_conf *c, const char *name, double def)
{
    const char *v = sa_conf_value(c, name, NULL);

    return v != NULL ? strtod(v, NULL) : def;
}

/* SA's sprintf "%0.3f" then + 0 */
static double
al_round3(double v)
{
    char s[64];

    snprintf(s, sizeof(s), "%0.3f", v);
    return strtod(s, NULL);
}

/* A meta's points shared by the kinds of the rules its expression names. */
static void
al_meta(const struct sa_rules *r, const struct scan_rule *meta, double score,
        struct sa_autolearn *out)
{
    const char *p = meta->expr;
    unsigned head = 0, body = 0;
    char name[256], buf[32];

    while (p != NULL && *p != '\0') {
        size_t n = 0;
        const struct scan_rule *dep;

        if (!(isalpha((unsigned char)*p) || *p == '_')) {
            p++;
            continue;
        }
        while (isalnum((unsigned char)p[n]) || p[n] == '_')
            n++;
        if (n < sizeof(name)) {
            memcpy(name, p, n);
            name[n] = '\0';
            if ((dep = scan_ruleset_find(r->rs, name)) != NULL) {
                enum al_kind k = al_kind(dep);

                head += k == AL_HEAD;
                body += k == AL_BODY;
            }
        }
        p += n;
    }
    if (head + body == 0)
        return;
    snprintf(buf, sizeof(buf), "%0.3f", score * ((double)head / (head + body)));
    out->head += strtod(buf, NULL);
    snprintf(buf, sizeof(buf), "%0.3f", score * ((double)body / (head + body)));
    out->body += strtod(buf, NULL);
}

static bool
al_hit(const struct scan_result *res, const char *name)
{
    for (size_t i = 0; i < res->nhits; i++) {
        if (strcmp(res->hits[i].rule->name, name) == 0)
            return true;
    }
    return false;
}

void
sa_autolearn_decide(const struct sa_rules *r, const struct sa_conf *c,
                    const struct scan_result *res, struct sa_autolearn *out)
{
    const char *ua = sa_conf_value(c, "use_bayes", NULL),
               *al = sa_conf_value(c, "bayes_auto_learn", NULL);
    int set = sa_conf_score_set(r->conf), noset = set & ~2;
    double min = al_conf_num(c, "bayes_auto_learn_threshold_nonspam", 0.1);
    double max = al_conf_num(c, "bayes_auto_learn_threshold_spam", 12.0);
    double need_body = 3, need_head = 3;

    memset(out, 0, sizeof(*out));
    out->verdict = SA_AUTOLEARN_NO;
    out->enabled = (ua == NULL || strtod(ua, NULL) != 0) && (al == NULL || strtod(al, NULL) != 0);
    if (!out->enabled)
        return;
    for (size_t i = 0; i < res->nhits; i++) {
        const struct scan_hit *h = &res->hits[i];
        const struct scan_rule *rule = h->rule;
        double score;
        enum al_kind k;

        if (rule->tflags & (SCAN_TF_NOAUTOLEARN | SCAN_TF_USERCONF))
            continue;
        if (rule->tflags & SCAN_TF_LEARN) {
            out->learned += h->score;
            continue;
        }
        if (rule->tflags & SCAN_TF_AUTOLEARN_FORCE) {
            size_t used = strlen(out->force_names);

            out->force = true;
            snprintf(out->force_names + used, sizeof(out->force_names) - used, "%s,", rule->name);
        }
        /* the score without Bayes, unless this scan rescored the rule (a
         * user's score line, a request's settings) */
        score = rule->has_score ? rule->score[noset] : h->score;
        if (rule->has_score && h->score != rule->score[set])
            score = h->score;
        if (score == 0)
            continue;
        k = al_kind(rule);
        if ((rule->tflags & SCAN_TF_AUTOLEARN_HEADER) ||
            (!(rule->tflags & SCAN_TF_AUTOLEARN_BODY) && k == AL_HEAD))
            out->head += score;
        else if ((rule->tflags & SCAN_TF_AUTOLEARN_BODY) || k == AL_BODY)
            out->body += score;
        else if (k == AL_META)
            al_meta(r, rule, score, out);
        out->points += score;
    }
    out->points = al_round3(out->points);
    if (out->force) {
        need_body = -99;
        need_head = -99;
    }
    if (out->points < min) {
        if (out->learned > 1.0 || res->is_spam)
            return;
        out->verdict = SA_AUTOLEARN_HAM;
    } else if (out->points >= max) {
        if (out->body < need_body || out->head < need_head || out->learned < -1.0 || !res->is_spam)
            return;
        out->verdict = SA_AUTOLEARN_SPAM;
    } else {
        return;
    }
    if (al_conf_num(c, "bayes_auto_learn_on_error", 0) != 0 &&
        al_hit(res, out->verdict == SA_AUTOLEARN_SPAM ? "BAYES_99" : "BAYES_00"))
        out->verdict = SA_AUTOLEARN_NO;
}
