/*
 * scan_composite.h - composites, as rspamd has them: a symbol defined by
 * an expression over the symbols a scan ended with (rules, sub-rules,
 * symbols raised by code, other composites), evaluated once everything
 * else is known. When it hits, the symbols it names (outside a '!') lose
 * their place in the result as its policy says, so that two weak signals
 * that mean one thing are scored once, as the composite.
 *
 * Expression: symbol names, '!' (not), '&' or '&&' (and), '|' or '||'
 * (or), parentheses. A name may carry a prefix that overrides the policy
 * for that symbol: '~' remove only its score, '^' remove only the symbol
 * (its score stays in the total), '-' leave it alone.
 * Policies: remove_all (the default: the symbol and its score go),
 * remove_weight, remove_symbol, leave.
 */
#ifndef SIFT_SCAN_SCAN_COMPOSITE_H
#define SIFT_SCAN_SCAN_COMPOSITE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

enum scan_composite_policy {
    SCAN_COMPOSITE_REMOVE_ALL = 0,
    SCAN_COMPOSITE_REMOVE_WEIGHT,
    SCAN_COMPOSITE_REMOVE_SYMBOL,
    SCAN_COMPOSITE_LEAVE,
};

struct scan_composite;

/* Compile expr in arena a; NULL with the reason (and its offset) in err. */
struct scan_composite *scan_composite_compile(struct arena *a, const char *expr,
                                              struct sift_err *err);

/* The policy named s ("remove_all"...); -1 when there is none of that name. */
int scan_composite_policy_parse(const char *s);
const char *scan_composite_policy_name(enum scan_composite_policy p);

/* Is the symbol called name[0..len) in the result? */
typedef bool (*scan_composite_has_fn)(void *arg, const char *name, size_t len);
/* What a hit does to a symbol it names: called for each name outside a
 * '!' that is present, with the policy that applies to it. */
typedef void (*scan_composite_mark_fn)(void *arg, const char *name, size_t len,
                                       enum scan_composite_policy how);

/* Evaluate; when true, mark what the hit takes away (policy: the
 * composite's, unless a prefix says otherwise). */
bool scan_composite_eval(const struct scan_composite *c, scan_composite_has_fn has,
                         scan_composite_mark_fn mark, void *arg, enum scan_composite_policy policy);

/* Each name the expression uses, for checking that they exist. */
size_t scan_composite_names(const struct scan_composite *c, const char ***names);

#endif
