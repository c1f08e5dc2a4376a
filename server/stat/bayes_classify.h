/*
 * bayes_classify.h - SpamAssassin 4.0.1's Bayes probability
 * (Plugin/Bayes.pm scan, Bayes/CombineChi.pm; ../shared/spec/
 * sa-bayes-format.md section 7): Robinson's f(w) per token with SA's
 * constants, the 150 strongest tokens of strength 0.346 or more, and the
 * chi-squared combination with the corpus priors, in SA's floating-point
 * steps so that the result equals SA's for the same counts.
 *
 * Pure arithmetic over counts the caller looked up (the store's job); no
 * I/O, no globals. The BAYES_xx ranges are here too.
 */
#ifndef SIFT_STAT_BAYES_CLASSIFY_H
#define SIFT_STAT_BAYES_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define BAYES_FW_S_CONSTANT     0.030 /* Robinson's s */
#define BAYES_FW_X_CONSTANT     0.538 /* Robinson's x */
#define BAYES_MIN_PROB_STRENGTH 0.346 /* |f(w) - 0.5| a token needs to count */
#define BAYES_N_SIGNIFICANT     150   /* tokens combined at most */

struct bayes_classify_cfg {
    double min_spam_num; /* bayes_min_spam_num (200): fewer spam learned, no score */
    double min_ham_num;  /* bayes_min_ham_num (200) */
    bool use_hapaxes;    /* bayes_use_hapaxes (1): a token seen once counts */
};

void bayes_classify_cfg_init(struct bayes_classify_cfg *cfg);

/* A token's counts as the store has them: (0, 0) when it is not there. */
struct bayes_counts {
    uint32_t spam, ham;
};

enum bayes_status {
    BAYES_SCORED,         /* prob holds the probability */
    BAYES_NOT_READY,      /* fewer messages learned than the minimums */
    BAYES_NO_TOKENS,      /* none of the message's tokens is in the database */
    BAYES_NO_SIGNIFICANT, /* none is strong enough */
};

struct bayes_result {
    enum bayes_status status;
    double prob; /* $pms->{bayes_score}, in [0, 1] */
    /* the tokens combined (indices into the counts given), strongest
     * first: SA raises their atime (tok_touch_all) */
    size_t *used;
    size_t nused;
    size_t nlearned;        /* tokens with a probability (BAYESTCLEARNED) */
    size_t nspammy, nhammy; /* used ones with f(w) >= 0.5 / < 0.5 */
};

/* f(w) of a token seen in spam s and ham n times, with nspam/nham
 * messages learned; false when it does not count (s + n below the
 * threshold: 1, or 2 without hapaxes; or nspam or nham is 0). */
bool bayes_token_prob(uint64_t s, uint64_t n, uint64_t nspam, uint64_t nham, bool use_hapaxes,
                      double *prob);

/* CombineChi.pm combine(): probs in the order given (SA: strongest first). */
double bayes_chi2_combine(uint64_t nspam, uint64_t nham, const double *probs, size_t n);
/* CombineChi.pm chi2q(x2, halfv) */
double bayes_chi2q(double x2, size_t halfv);

/* Plugin/Bayes.pm scan() from the counts of a message's tokens
 * (counts[i] for its i-th token). out->used is allocated from a. */
void bayes_classify(const struct bayes_classify_cfg *cfg, uint64_t nspam, uint64_t nham,
                    const struct bayes_counts *counts, size_t n, struct arena *a,
                    struct bayes_result *out);

/* check_bayes(min, max): does a rule with this range fire for prob? */
bool bayes_in_range(double prob, double min, double max);

/* SpamAssassin's BAYES_* rules (23_bayes.cf) with their ranges. */
struct bayes_rule_range {
    const char *name;
    double min, max;
};
extern const struct bayes_rule_range bayes_rule_ranges[];
extern const size_t bayes_nrule_ranges;

#endif
