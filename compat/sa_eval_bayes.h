/*
 * sa_eval_bayes.h - SpamAssassin's Bayes eval, check_bayes(min, max)
 * (Plugin/Bayes.pm): the BAYES_00 .. BAYES_999 rules of 23_bayes.cf. The
 * probability comes from the task's classifier (task_classify), which the
 * daemon installs over its Bayes store; without one, or without a verdict
 * (too little learned), no BAYES_ rule hits, as in SA.
 */
#ifndef SIFT_COMPAT_SA_EVAL_BAYES_H
#define SIFT_COMPAT_SA_EVAL_BAYES_H

#include <stddef.h>

#include "scan/scan_eval.h"

extern const struct scan_eval_def sa_eval_bayes_defs[];
extern const size_t sa_eval_bayes_ndefs;

#endif
