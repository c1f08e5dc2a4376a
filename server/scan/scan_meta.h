/*
 * scan_meta.h - meta rule expressions, as SpamAssassin evaluates them:
 * the text is cut into tokens as Conf::Parser's lexer cuts it, rule names
 * become their values (0 when not hit or not run; 1 for a hit; the count
 * for tflags multiple; an eval's or a meta's value), and the result is
 * what Perl would compute: && and || give an operand, not a boolean; ! and
 * the comparisons give 1 or 0; ^ is an integer xor; ?: as in Perl.
 * rules_matching(GLOB) is expanded by the caller's resolver.
 * A compiled expression is a small stack program in the caller's arena.
 */
#ifndef SIFT_SCAN_SCAN_META_H
#define SIFT_SCAN_SCAN_META_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

struct scan_meta;

/* Look a rule name up: its index (>= 0), or -1 when no rule has that
 * name (its value is then always 0). glob: expand rules_matching(name)
 * into the indices of the rules it names (*out in the arena), returning
 * their count. */
struct scan_meta_names {
    long (*lookup)(void *arg, const char *name, size_t len);
    size_t (*glob)(void *arg, const char *pattern, size_t len, long **out);
    void *arg;
};

/* Compile expr. -1 with a reason (a syntax error, a token SA refuses, a
 * division by zero with every rule at 0: SA's is_meta_valid) when the
 * rule is unusable. */
int scan_meta_compile(struct arena *a, const char *expr, const struct scan_meta_names *names,
                      struct scan_meta **out, struct sift_err *err);

/* The rule indices the expression reads (each once), for ordering. */
size_t scan_meta_deps(const struct scan_meta *m, const long **deps);

/* Evaluate with values[i] the value of rule i (local_only: the value of
 * the local_tests_only operand). A division by zero gives 0, as a meta
 * that dies does not hit. */
double scan_meta_eval(const struct scan_meta *m, const double *values, bool local_only);

#endif
