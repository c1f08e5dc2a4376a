/*
 * sa_bayes_cfg.h - SpamAssassin's Bayes settings read from a loaded
 * configuration (sa_conf), as Conf.pm and Plugin/Bayes.pm apply them:
 * bayes_token_sources, bayes_ignore_header, bayes_max_token_length,
 * bayes_stopword_languages with each language's bayes_stopword_XX
 * pattern (translated to PCRE2, anchored and case-insensitive as SA
 * compiles it; the plugin's built-in English list when the ruleset gives
 * none), and the classifier's switches and minimum counts.
 *
 * compat does not know server/stat: the caller copies these fields into
 * struct bayes_tok_cfg (the source bits and the stop-word pairs have the
 * same meaning as stat/bayes_tok.h's). Everything lives in the arena given.
 */
#ifndef SIFT_COMPAT_SA_BAYES_CFG_H
#define SIFT_COMPAT_SA_BAYES_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/sa_conf.h"
#include "core/arena.h"
#include "core/err.h"

/* bayes_token_sources bits: the values of stat's enum bayes_tok_source */
enum {
    SA_BAYES_SRC_HEADER = 1u << 0,
    SA_BAYES_SRC_VISIBLE = 1u << 1,
    SA_BAYES_SRC_INVISIBLE = 1u << 2,
    SA_BAYES_SRC_URI = 1u << 3,
    SA_BAYES_SRC_MIMEPART = 1u << 4,
};

struct sa_bayes_stopword {
    const char *lang;    /* "en" */
    const char *pattern; /* PCRE2 source */
    uint32_t options;    /* PCRE2 compile options */
};

struct sa_bayes_cfg {
    /* tokenizer */
    unsigned sources;
    size_t max_token_length;
    const char **ignore_headers; /* lower case, each once */
    size_t nignore_headers;
    struct sa_bayes_stopword *stopwords; /* in bayes_stopword_languages order */
    size_t nstopwords;
    /* classifier */
    bool use_bayes, use_bayes_rules, use_learner, use_hapaxes;
    double min_spam_num, min_ham_num; /* bayes_min_spam_num, bayes_min_ham_num (200) */
};

/* Read c's settings into out (in arena a). Returns how many values SA
 * would refuse (or sift could not translate); they are left out, as SA
 * leaves them, and the first is described in err. */
int sa_bayes_cfg_get(const struct sa_conf *c, struct arena *a, struct sa_bayes_cfg *out,
                     struct sift_err *err);

#endif
