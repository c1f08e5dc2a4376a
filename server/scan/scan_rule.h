/*
 * scan_rule.h - the native rule model: each rule raises the symbol of its
 * name, with a score, a group, a description and flags. A ruleset is built
 * (by the SpamAssassin translator in compat/, by native YAML rules, by
 * config) and then compiled into an engine (scan_engine.h), which runs it
 * on messages.
 *
 * Everything in a ruleset lives in its arena and is freed with it. A
 * ruleset is built by one thread; once compiled it is only read.
 * Patterns are PCRE2 syntax with byte semantics (no UTF, no UCP): the
 * translator has already turned Perl into PCRE2.
 */
#ifndef SIFT_SCAN_SCAN_RULE_H
#define SIFT_SCAN_SCAN_RULE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* What text a rule reads. */
enum scan_target {
    SCAN_T_NONE = 0,   /* meta rules; eval rules that read what they like */
    SCAN_T_HEADER,     /* one header request (mime_get syntax: "Subject", "From:addr", "ALL") */
    SCAN_T_BODY,       /* SA's body: rendered text, Subject first, one paragraph a line */
    SCAN_T_RAWBODY,    /* SA's rawbody: decoded text parts, unrendered, in chunks */
    SCAN_T_URI,        /* each URI of SA's uri list, one at a time */
    SCAN_T_FULL,       /* the pristine message, headers and body */
    SCAN_T_MIMEHEADER, /* one header of each MIME part (SA's MIMEHeader plugin) */
};
#define SCAN_NTARGETS 7

enum scan_rule_kind {
    SCAN_K_UNDEFINED = 0, /* only attributes so far (a score or describe came first) */
    SCAN_K_REGEX,         /* pattern over the target; for headers =~ or !~ */
    SCAN_K_EXISTS,        /* header exists:NAME */
    SCAN_K_EVAL,          /* a registered native function (scan_eval.h) */
    SCAN_K_META,          /* an expression over other rules (scan_meta.h) */
    SCAN_K_EXTERNAL,      /* raised by code (the parser, a check) through task_add_symbol:
                             the rule only gives it a score, a description, a group */
    SCAN_K_COMPOSITE,     /* an expression over the final symbols (scan_composite.h) */
};
#define SCAN_NKINDS (SCAN_K_COMPOSITE + 1)

/* Perl's match flags, as written after the pattern. */
enum scan_re_flag {
    SCAN_RE_I = 1u << 0, /* caseless (ASCII) */
    SCAN_RE_M = 1u << 1, /* ^ and $ at line ends */
    SCAN_RE_S = 1u << 2, /* . matches \n */
    SCAN_RE_X = 1u << 3, /* extended */
};

/* SpamAssassin's tflags; the ones that change behaviour are marked. */
enum scan_tflag {
    SCAN_TF_NET = 1u << 0,             /* network test: not run when local only (behaviour) */
    SCAN_TF_NICE = 1u << 1,            /* meant to score negative */
    SCAN_TF_LEARN = 1u << 2,           /* a Bayes rule (behaviour: autolearn ignores it) */
    SCAN_TF_USERCONF = 1u << 3,        /* needs user configuration */
    SCAN_TF_NOAUTOLEARN = 1u << 4,     /* left out of the autolearn score (behaviour) */
    SCAN_TF_MULTIPLE = 1u << 5,        /* count every match (behaviour) */
    SCAN_TF_NOSUBJECT = 1u << 6,       /* body rule that does not see the Subject (behaviour) */
    SCAN_TF_AUTOLEARN_FORCE = 1u << 7, /* forces autolearn (behaviour) */
    SCAN_TF_NOLOG = 1u << 8,           /* no rule details in reports (behaviour) */
    SCAN_TF_PUBLISH = 1u << 9,
    SCAN_TF_NOTRIM = 1u << 10,
    SCAN_TF_DOMAINS_ONLY = 1u << 11,
    SCAN_TF_IPS_ONLY = 1u << 12,
    SCAN_TF_AUTOLEARN_BODY = 1u << 13,
    SCAN_TF_NOAWL = 1u << 14,
    SCAN_TF_A = 1u << 15,
    SCAN_TF_AAAA = 1u << 16,
    SCAN_TF_AUTOLEARN_HEADER = 1u << 17, /* autolearn counts its points as header points */
};

/* One argument of an eval call: eval:check_foo('a', 2, undef). */
enum scan_arg_kind { SCAN_ARG_STR, SCAN_ARG_NUM, SCAN_ARG_UNDEF };
struct scan_eval_arg {
    enum scan_arg_kind kind;
    const char *s; /* the string (a number's text too); NULL for undef */
    size_t len;
    double n; /* the number (0 for a string that is not one) */
};

struct scan_rule {
    const char *name;
    enum scan_rule_kind kind;
    enum scan_target target;

    /* SCAN_K_REGEX */
    const char *pattern;   /* PCRE2, byte semantics */
    unsigned re_flags;     /* enum scan_re_flag */
    const char *prefilter; /* or NULL: see struct scan_pattern (scan_match.h) */
    /* SCAN_T_HEADER, SCAN_T_MIMEHEADER (with SCAN_K_REGEX or SCAN_K_EXISTS) */
    const char *header;   /* the request as mime_get takes it */
    bool negate;          /* !~: hits when the pattern does not match */
    const char *if_unset; /* [if-unset: TEXT]: matched when the header is missing */

    /* SCAN_K_EVAL: target says which text SA hands the function */
    const char *eval;
    struct scan_eval_arg *args;
    size_t nargs;

    /* SCAN_K_META, SCAN_K_COMPOSITE */
    const char *expr;
    unsigned policy; /* SCAN_K_COMPOSITE: enum scan_composite_policy */

    /* attributes */
    double score[4]; /* SA's four score sets (one value: all four) */
    bool has_score;
    const char *description; /* NULL: none */
    const char *group;       /* "sa" for translated rules unless set */
    unsigned tflags;         /* enum scan_tflag */
    unsigned maxhits;        /* with SCAN_TF_MULTIPLE: the cap (0: none) */
    int priority;
    const char *origin; /* "file:line" of the definition, for messages */
    unsigned index;     /* position in the ruleset (definition order) */
};

/* A rule that could not be kept, for `siftadm rules` and the log. */
struct scan_skip {
    const char *name;     /* the rule, or NULL for a directive */
    const char *origin;   /* "file:line" */
    const char *category; /* short, for the summary: "eval missing", "regex", "plugin keyword" */
    const char *message;  /* the whole reason */
};

struct scan_ruleset;

struct scan_ruleset *scan_ruleset_new(void);
void scan_ruleset_free(struct scan_ruleset **rsp);
/* The ruleset's arena: what rules point to must live here (or longer). */
struct arena *scan_ruleset_arena(struct scan_ruleset *rs);

/* The rule named name, created (kind SCAN_K_UNDEFINED, score unset) when
 * new; the pointer stays valid for the ruleset's life. Redefining a rule
 * means filling its fields again (the last definition wins, as in SA). */
struct scan_rule *scan_ruleset_rule(struct scan_ruleset *rs, const char *name);
/* The rule named name, or NULL. */
struct scan_rule *scan_ruleset_find(const struct scan_ruleset *rs, const char *name);
/* The rules in the order they were first named. */
size_t scan_ruleset_count(const struct scan_ruleset *rs);
struct scan_rule *scan_ruleset_at(const struct scan_ruleset *rs, size_t i);
/* Forget a rule (it stays addressable but is UNDEFINED and unscored). */
void scan_ruleset_remove(struct scan_ruleset *rs, const char *name);

/* Record a rule or directive that was left out, with its reason. */
void scan_ruleset_skip(struct scan_ruleset *rs, const char *name, const char *origin,
                       const char *category, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
size_t scan_ruleset_nskips(const struct scan_ruleset *rs);
const struct scan_skip *scan_ruleset_skip_at(const struct scan_ruleset *rs, size_t i);

/* Sub-rules (names starting "__") are evaluated but never scored or shown. */
bool scan_rule_is_sub(const struct scan_rule *r);

#endif
