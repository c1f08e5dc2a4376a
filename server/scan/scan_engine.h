/*
 * scan_engine.h - a compiled ruleset, and a scan of one message with it.
 * Compiling sorts the rules by what they read: one multi-pattern matcher
 * per target (body, rawbody, uri, full) and per header asked for, so each
 * text is read once for all its rules; eval functions get their prepared
 * state; meta rules become stack programs in dependency order. A scan runs
 * each rule at most once and the metas once, after what they read, and
 * ends with the score and the action (scan_result.h).
 *
 * SpamAssassin's semantics, for rules translated from it: a rule whose
 * active score is 0 is not run (it reads 0 in metas); network rules are
 * not run when scanning locally, nor learn (Bayes) rules without Bayes;
 * tflags multiple adds the score per match (up to maxhits); metas whose
 * dependencies loop are left out.
 *
 * An engine is made once per process (worker) and used by one thread.
 */
#ifndef SIFT_SCAN_SCAN_ENGINE_H
#define SIFT_SCAN_SCAN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "scan/scan_result.h"
#include "scan/scan_rule.h"
#include "scan/task.h"

struct scan_engine_opts {
    int score_set;         /* SpamAssassin's score set, 0..3 */
    bool local_only;       /* no network tests; local_tests_only reads 1 in metas */
    const char *cache_dir; /* compiled pattern databases; NULL: not cached */
    bool no_hyperscan;     /* PCRE2 only */
    void *eval_data;       /* handed to eval functions (compat: its SA configuration) */
    struct scan_actions actions;
};

struct scan_engine;

/* Compile rs (which must outlive the engine). Rules that cannot run (a
 * pattern PCRE2 refuses, an eval nobody registered, a meta that loops or
 * does not parse) are recorded in rs (scan_ruleset_skip) and left out;
 * -1 only when the engine itself cannot be built. */
int scan_engine_new(struct scan_ruleset *rs, const struct scan_engine_opts *opts,
                    struct scan_engine **out, struct sift_err *err);
void scan_engine_free(struct scan_engine **ep);

/* Scan the task's message; the result is in the task's arena. */
const struct scan_result *scan_engine_run(struct scan_engine *e, struct task *t);

/* A score that replaces the engine's for one scan (a user's preferences).
 * Score 0 turns the rule off as SpamAssassin does: it does not hit and
 * metas read 0 for it. A rule the engine does not run (its score in the
 * ruleset is 0) cannot be turned on this way. */
struct scan_rescore {
    const struct scan_rule *rule;
    double score;
};

/* What one scan may change: NULL or 0 fields keep the engine's. */
struct scan_run_opts {
    void *eval_data;                    /* handed to eval functions instead */
    const struct scan_actions *actions; /* thresholds (required_score) */
    const struct scan_rescore *rescore;
    size_t nrescore;
};
const struct scan_result *scan_engine_run_with(struct scan_engine *e, struct task *t,
                                               const struct scan_run_opts *o);

struct scan_engine_stats {
    size_t rules;  /* rules in the ruleset that are defined */
    size_t active; /* run on each message */
    size_t regex, header_groups, eval, meta;
    size_t disabled;                   /* score 0, network or Bayes rules not in this score set */
    size_t hs_patterns, pcre_patterns; /* where the matchers put their patterns */
    double build_seconds;
};
void scan_engine_stats(const struct scan_engine *e, struct scan_engine_stats *st);

/* The score a rule has in this engine's score set (0 for a disabled one). */
double scan_engine_rule_score(const struct scan_engine *e, const struct scan_rule *r);

#endif
