/*
 * sa_eval_bayes.c - check_bayes (see sa_eval_bayes.h).
 */
#include "compat/sa_eval_bayes.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

struct bayes_range {
    double min, max;
};

/* Both bounds must be numbers, as SA's ('0.00', '0.01'). */
static int
bayes_prepare(struct arena *a, const struct scan_rule *rule, void **state, struct sift_err *err)
{
    struct bayes_range *r = arena_alloc(a, sizeof(*r));
    const char *lo = scan_eval_str(rule, 0, NULL), *hi = scan_eval_str(rule, 1, NULL);
    char *end1 = NULL, *end2 = NULL;

    if (lo == NULL || hi == NULL) {
        sift_err_set(err, "check_bayes needs two arguments (min, max)");
        return -1;
    }
    r->min = strtod(lo, &end1);
    r->max = strcmp(hi, "undef") == 0 ? HUGE_VAL : strtod(hi, &end2);
    if (end1 == lo || *end1 != '\0' || (end2 != NULL && (end2 == hi || *end2 != '\0'))) {
        sift_err_set(err, "check_bayes: bounds are not numbers: '%s', '%s'", lo, hi);
        return -1;
    }
    *state = r;
    return 0;
}

/* SA: hit when (min == 0 or p > min) and (max is undef or p <= max); the
 * option is SA's test log, "score: 0.9999". */
static double
check_bayes(struct scan_eval_ctx *ec)
{
    const struct bayes_range *r = ec->state;
    double p;

    if (!task_classify(ec->task, &p))
        return 0;
    if (!((r->min == 0 || p > r->min) && p <= r->max))
        return 0;
    ec->option = arena_printf(ec->task->arena, "score: %3.4f", p);
    return 1;
}

const struct scan_eval_def sa_eval_bayes_defs[] = {
    { "check_bayes", 0, bayes_prepare, check_bayes, 0 },
};
const size_t sa_eval_bayes_ndefs = sizeof(sa_eval_bayes_defs) / sizeof(sa_eval_bayes_defs[0]);
