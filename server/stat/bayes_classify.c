/*
 * bayes_classify.c - SpamAssassin's Bayes probability (see
 * bayes_classify.h). Each step is written as SA's Perl computes it (the
 * same operations on doubles in the same order), so that the results are
 * equal, not merely close.
 */
#include "stat/bayes_classify.h"

#include <math.h>
#include <stdlib.h>

const struct bayes_rule_range bayes_rule_ranges[] = {
    { "BAYES_00", 0.00, 0.01 },   { "BAYES_05", 0.01, 0.05 }, { "BAYES_20", 0.05, 0.20 },
    { "BAYES_40", 0.20, 0.40 },   { "BAYES_50", 0.40, 0.60 }, { "BAYES_60", 0.60, 0.80 },
    { "BAYES_80", 0.80, 0.95 },   { "BAYES_95", 0.95, 0.99 }, { "BAYES_99", 0.99, 1.00 },
    { "BAYES_999", 0.999, 1.00 },
};
const size_t bayes_nrule_ranges = sizeof(bayes_rule_ranges) / sizeof(bayes_rule_ranges[0]);

void
bayes_classify_cfg_init(struct bayes_classify_cfg *cfg)
{
    cfg->min_spam_num = 200;
    cfg->min_ham_num = 200;
    cfg->use_hapaxes = true;
}

bool
bayes_in_range(double prob, double min, double max)
{
    return (min == 0 || prob > min) && prob <= max;
}

bool
bayes_token_prob(uint64_t s, uint64_t n, uint64_t nspam, uint64_t nham, bool use_hapaxes,
                 double *prob)
{
    /* FW_S_DOT_X is computed at run time in SA: 0.538 * 0.030 */
    const double s_dot_x = BAYES_FW_X_CONSTANT * BAYES_FW_S_CONSTANT;
    uint64_t threshold = use_hapaxes ? 1 : 2;
    double p, robn;

    if (nspam == 0 || nham == 0 || s + n < threshold)
        return false;
    /* ($s * $nn) / ($n * $ns + $s * $nn): integer products, then a division */
    p = (double)(s * nham) / (double)(n * nspam + s * nham);
    robn = (double)(s + n);
    *prob = (s_dot_x + robn * p) / (BAYES_FW_S_CONSTANT + robn);
    return true;
}

double
bayes_chi2q(double x2, size_t halfv)
{
    double m = x2 / 2.0, sum, term;

    sum = term = exp(0 - m);
    for (size_t i = 1; i < halfv; i++) {
        term *= m / (double)i;
        sum += term;
    }
    return sum < 1.0 ? sum : 1.0;
}

double
bayes_chi2_combine(uint64_t nspam, uint64_t nham, const double *probs, size_t n)
{
    const double ln2 = log(2);
    double total = (double)(nspam + nham), S, H;
    int sexp = 0, hexp = 0;

    /* see bug 3118: the priors, not 1.0 */
    S = (double)nspam / total;
    H = (double)nham / total;
    for (size_t i = 0; i < n; i++) {
        S *= 1.0 - probs[i];
        H *= probs[i];
        if (S < 1e-200) {
            int e;

            S = frexp(S, &e);
            sexp += e;
        }
        if (H < 1e-200) {
            int e;

            H = frexp(H, &e);
            hexp += e;
        }
    }
    S = log(S) + sexp * ln2;
    H = log(H) + hexp * ln2;
    S = 1.0 - bayes_chi2q(-2.0 * S, n);
    H = 1.0 - bayes_chi2q(-2.0 * H, n);
    return ((S - H) + 1.0) / 2.0;
}

struct ranked {
    size_t idx;
    double prob, strength;
};

/* strongest first; SA's order among equals is its hash order, ours the
 * tokens' */
static int
ranked_cmp(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    if (x->strength != y->strength)
        return x->strength > y->strength ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

void
bayes_classify(const struct bayes_classify_cfg *cfg, uint64_t nspam, uint64_t nham,
               const struct bayes_counts *counts, size_t n, struct arena *a,
               struct bayes_result *out)
{
    struct ranked *r;
    double *probs;
    size_t nr = 0, keep;

    out->status = BAYES_NOT_READY;
    out->prob = 0;
    out->used = NULL;
    out->nused = out->nlearned = out->nspammy = out->nhammy = 0;
    if ((double)nspam < cfg->min_spam_num || (double)nham < cfg->min_ham_num)
        return;
    r = arena_alloc(a, (n + 1) * sizeof(*r));
    for (size_t i = 0; i < n; i++) {
        double p;

        if (!bayes_token_prob(counts[i].spam, counts[i].ham, nspam, nham, cfg->use_hapaxes, &p))
            continue;
        r[nr].idx = i;
        r[nr].prob = p;
        r[nr].strength = fabs(p - 0.5);
        nr++;
    }
    out->nlearned = nr;
    out->status = BAYES_NO_TOKENS;
    if (nr == 0)
        return;
    qsort(r, nr, sizeof(*r), ranked_cmp);
    keep = nr < BAYES_N_SIGNIFICANT ? nr : BAYES_N_SIGNIFICANT;
    out->used = arena_alloc(a, (keep + 1) * sizeof(*out->used));
    probs = arena_alloc(a, (keep + 1) * sizeof(*probs));
    for (size_t i = 0; i < keep; i++) {
        if (r[i].strength < BAYES_MIN_PROB_STRENGTH)
            continue;
        probs[out->nused] = r[i].prob;
        out->used[out->nused++] = r[i].idx;
        if (r[i].prob < 0.5)
            out->nhammy++;
        else
            out->nspammy++;
    }
    out->status = BAYES_NO_SIGNIFICANT;
    if (out->nused == 0)
        return;
    out->prob = bayes_chi2_combine(nspam, nham, probs, out->nused);
    out->status = BAYES_SCORED;
}
