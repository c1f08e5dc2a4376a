/*
 * scan_eval.h - eval rules: named native functions a rule calls,
 * eval:check_for_mime('mime_attachment') in SpamAssassin's terms.
 * The scan layer keeps a process-wide table; higher layers register into
 * it at start-up (compat/ registers SpamAssassin's plugins' functions),
 * before any ruleset is compiled. The table is read-only afterwards.
 */
#ifndef SIFT_SCAN_SCAN_EVAL_H
#define SIFT_SCAN_SCAN_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "scan/scan_rule.h"
#include "scan/task.h"

/* What an eval function sees when it runs. */
struct scan_eval_ctx {
    struct task *task;
    struct mime_msg *msg;         /* task_message(task) */
    const struct scan_rule *rule; /* the rule being run (its target, name, args) */
    void *state;                  /* what the prepare hook made for this rule, or NULL */
    void *data;                   /* the engine's eval data (compat: the SA configuration) */
    /* Set by the function to say more about the hit (shown with the
     * symbol, like SA's "test_log"); in the task's arena. */
    const char *option;
};

/* Check the arguments once, when the ruleset is compiled, and build what
 * the function needs per rule (a compiled pattern, a parsed range) from
 * arena a (the engine's, which outlives every run). Return -1 with a
 * reason when the arguments are unusable: the rule is skipped, not the
 * load. */
typedef int (*scan_eval_prepare_fn)(struct arena *a, const struct scan_rule *rule, void **state,
                                    struct sift_err *err);

/* Run on one message: 0 is "no hit"; any other value is a hit, and that
 * value is what meta rules see (SA's eval return value). */
typedef double (*scan_eval_fn)(struct scan_eval_ctx *ec);

enum scan_eval_flag {
    SCAN_EVAL_NET = 1u << 0, /* needs the network: not run when scanning locally only */
};

struct scan_eval_def {
    const char *name;
    unsigned targets; /* bits (1u << SCAN_T_*) of the rule types allowed to call it; 0: any */
    scan_eval_prepare_fn prepare; /* NULL: nothing to prepare */
    scan_eval_fn fn;
    unsigned flags; /* enum scan_eval_flag */
};

/* Add n definitions (the array must outlive the process's use of it, in
 * practice a static table). A name registered again replaces the earlier. */
void scan_eval_register(const struct scan_eval_def *defs, size_t n);
/* The definition named name, or NULL. */
const struct scan_eval_def *scan_eval_find(const char *name);
/* Forget every registration (tests). */
void scan_eval_reset(void);

/* Helpers for functions: argument i as a string / a number, with a
 * default when absent or undef. */
const char *scan_eval_str(const struct scan_rule *rule, size_t i, const char *def);
double scan_eval_num(const struct scan_rule *rule, size_t i, double def);

#endif
