/*
 * scan_result.h - what a scan concludes, and what every protocol renders:
 * the symbols hit with their scores, the total, and the action the score
 * reaches. Actions, from the mildest: no action <= greylist <= add header
 * <= rewrite subject <= reject; each has a threshold or is off. SpamAssassin's
 * "is spam" is the add-header threshold (its required_score).
 */
#ifndef SIFT_SCAN_SCAN_RESULT_H
#define SIFT_SCAN_SCAN_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg_keys.h"
#include "core/err.h"
#include "scan/scan_rule.h"

enum scan_action {
    SCAN_ACTION_NONE = 0,
    SCAN_ACTION_GREYLIST,
    SCAN_ACTION_ADD_HEADER,
    SCAN_ACTION_REWRITE_SUBJECT,
    SCAN_ACTION_REJECT,
};
#define SCAN_NACTIONS 5

/* Thresholds per action, or off. */
struct scan_actions {
    double threshold[SCAN_NACTIONS]; /* [SCAN_ACTION_NONE] unused */
    bool set[SCAN_NACTIONS];
};

/* The `actions` section as written: a number, or ~ for off (add_header ~
 * means SpamAssassin's required_score). */
struct scan_actions_cfg {
    const char *value[SCAN_NACTIONS];
};
extern const struct cfg_key scan_actions_keys[];
extern const size_t scan_actions_nkeys;

/* Thresholds from the section; required_score fills add_header when it is
 * not set. -1 with the key at fault when a value is not a number or the
 * thresholds do not rise with the actions. */
int scan_actions_from_cfg(const struct scan_actions_cfg *c, double required_score,
                          struct scan_actions *out, struct sift_err *err);

/* "no action", "greylist", "add header", "rewrite subject", "reject" (rspamd's names). */
const char *scan_action_name(enum scan_action a);
/* Check that the thresholds set rise with the actions; -1 with which pair
 * is out of order. */
int scan_actions_check(const struct scan_actions *acts, struct sift_err *err);
/* The strongest action whose threshold score reaches. */
enum scan_action scan_actions_pick(const struct scan_actions *acts, double score);

struct scan_hit {
    const struct scan_rule *rule;
    double score;       /* what it added to the total (per match for tflags multiple) */
    double value;       /* its value for meta rules (a count, an eval's value) */
    unsigned count;     /* matches counted (1 unless tflags multiple) */
    const char *option; /* detail from an eval, or NULL */
};

struct scan_result {
    struct scan_hit *hits; /* scored symbols hit (no "__" sub-rules), by name */
    size_t nhits;
    const char **subhits; /* "__" sub-rules hit, by name */
    size_t nsubhits;
    double score;
    double required; /* the add-header threshold: SpamAssassin's required_score */
    bool is_spam;    /* score >= required */
    enum scan_action action;
};

/* qsort comparators: hits by rule name, and names (const char *). */
int scan_hit_cmp(const void *x, const void *y);
int scan_name_cmp(const void *x, const void *y);

/* a's and b's hits together (b's symbols names are not in a: a user's own
 * rules beside the site's), the score their sum rounded as SpamAssassin
 * rounds it, required, spam and action from acts. In arena ar. */
struct arena;
const struct scan_result *scan_result_merge(struct arena *ar, const struct scan_result *a,
                                            const struct scan_result *b,
                                            const struct scan_actions *acts);

#endif
