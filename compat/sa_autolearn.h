/*
 * sa_autolearn.h - SpamAssassin's autolearn decision (PerMsgStatus
 * _get_autolearn_points, Plugin/AutoLearnThreshold): from the rules a
 * scan hit, the score recomputed with the score set without Bayes (rules
 * with tflags noautolearn, userconf or learn left out; learn rules' points
 * kept apart), split into header and body points (a meta's points shared
 * by its direct parts' kinds); spam at bayes_auto_learn_threshold_spam
 * (12.0) with at least 3 header and 3 body points (any autolearn_force
 * rule waives those) and SpamAssassin calling it spam; ham below
 * bayes_auto_learn_threshold_nonspam (0.1) and not spam; the learn rules
 * (BAYES_) may not disagree by more than a point; with
 * bayes_auto_learn_on_error, not when BAYES_99 / BAYES_00 already agree.
 */
#ifndef SIFT_COMPAT_SA_AUTOLEARN_H
#define SIFT_COMPAT_SA_AUTOLEARN_H

#include <stdbool.h>

#include "compat/sa_rules.h"
#include "scan/scan_result.h"

enum sa_autolearn_verdict {
    SA_AUTOLEARN_NO = -1, /* inside the thresholds, or a condition failed */
    SA_AUTOLEARN_HAM = 0,
    SA_AUTOLEARN_SPAM = 1,
};

struct sa_autolearn {
    enum sa_autolearn_verdict verdict;
    bool enabled; /* bayes_auto_learn and use_bayes: else SA says "disabled" */
    double points, head, body, learned;
    bool force;            /* an autolearn_force rule hit */
    char force_names[256]; /* "RULE,RULE2," as SA lists them */
};

/* Decide for res (a scan with rules r; c: the configuration in force, the
 * user's or the site's, for the thresholds). */
void sa_autolearn_decide(const struct sa_rules *r, const struct sa_conf *c,
                         const struct scan_result *res, struct sa_autolearn *out);

#endif
