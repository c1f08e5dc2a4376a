/*
 * sa_prefs.h - one user's SpamAssassin preferences (a user_prefs file)
 * over the site's rules, as spamd applies them for the User a client
 * names: the site configuration copied and the user's file parsed into
 * it in user mode (privileged directives refused unless allow_user_rules),
 * then the user's required_score, score lines, welcome/block lists and
 * markup settings (rewrite_header, add_header, report_safe, report
 * templates...) used for that user's scans.
 *
 * Rules a user_prefs defines are refused (logged) unless the site allows
 * them (rules.allow_user_rules, or allow_user_rules in its .cf files); then
 * they are compiled into a small engine of the user's own (PCRE2 only), run
 * after the site's on the same message, and their hits join the result. A
 * user rule cannot redefine a site rule, and a user meta reads 0 for site
 * rules. A score line can change or zero a rule the site runs, not turn on
 * one the site has at score 0.
 */
#ifndef SIFT_COMPAT_SA_PREFS_H
#define SIFT_COMPAT_SA_PREFS_H

#include <stdbool.h>
#include <stddef.h>

#include "compat/sa_markup.h"
#include "compat/sa_rules.h"
#include "core/err.h"
#include "scan/scan_engine.h"
#include "scan/scan_result.h"
#include "scan/scan_settings.h"
#include "scan/task.h"

struct sa_prefs {
    struct sa_conf *conf;
    struct scan_ruleset *urs; /* the user's score lines land here */
    struct scan_rescore *rescore;
    size_t nrescore;
    struct scan_actions actions;
    struct sa_markup *markup;
    struct scan_engine *engine; /* the user's own rules, or NULL */
    size_t nrules;              /* user rules run */
    size_t refused;             /* directives refused or left out (each logged) */
};

/* Parse text (the user's user_prefs, named origin in messages) over r's
 * site configuration. -1 when the actions the user's required_score makes
 * are inconsistent with the configured ones (err says why). */
int sa_prefs_load(const struct sa_rules *r, const char *text, size_t len, const char *origin,
                  struct sa_prefs **out, struct sift_err *err);
void sa_prefs_free(struct sa_prefs **pp);

/* Scan with a user's preferences (NULL: the site's). */
const struct scan_result *sa_rules_scan_prefs(struct sa_rules *r, const struct sa_prefs *p,
                                              struct task *t);
/* What one scan may change beyond the site's configuration. */
struct sa_scan_opts {
    const struct sa_prefs *prefs;         /* the user's preferences; NULL: the site's */
    const struct scan_settings *settings; /* a request's (scan_settings.h): their scores and
                                             disabled rules go over the user's; NULL: none */
    const struct scan_actions *actions;   /* thresholds; NULL: the user's or the site's */
    bool bayes_unavailable; /* Bayes is on but has no verdict to give (too little learned):
                               the rules score as SA's score set without Bayes (0 or 1) */
};
const struct scan_result *sa_rules_scan_opts(struct sa_rules *r, const struct sa_scan_opts *o,
                                             struct task *t);

/* The markup to render p's results with (the site's when p is NULL). */
const struct sa_markup *sa_prefs_markup(const struct sa_rules *r, const struct sa_prefs *p);

#endif
