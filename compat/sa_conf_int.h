/*
 * sa_conf_int.h - what the files of the SpamAssassin configuration reader
 * share (sa_conf.c: files, lines, conditionals, settings; sa_conf_keys.c:
 * the directive table; sa_conf_cond.c: `if` expressions and plugins;
 * sa_conf_rules.c: rule definitions and attributes; sa_conf_meta.c: meta
 * expressions; sa_conf_finish.c: what SA does once everything is read).
 * Not for use outside compat/sa_conf*.c.
 */
#ifndef SIFT_COMPAT_SA_CONF_INT_H
#define SIFT_COMPAT_SA_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "compat/sa_conf.h"
#include "core/arena.h"
#include "core/strset.h"
#include "core/strv.h"
#include "scan/scan_rule.h"

/* Names (copied into the arena) mapped to pointers. */
struct sa_map {
    struct strset keys;
    void **vals;
    size_t cap;
};

void sa_map_init(struct sa_map *m, struct arena *a);
/* The slot of key, created (NULL) when new. */
void **sa_map_slot(struct sa_map *m, struct strv key);
void *sa_map_get(const struct sa_map *m, struct strv key);

/* The values given to one directive, in order. */
struct sa_list {
    struct strv *v;
    size_t n, cap;
};

/* What a directive does. */
enum sa_kw {
    SA_KW_SETTING = 0, /* a value kept for sa_conf_values */
    SA_KW_HEADER,
    SA_KW_BODY,
    SA_KW_RAWBODY,
    SA_KW_FULL,
    SA_KW_URI,
    SA_KW_META,
    SA_KW_MIMEHEADER,
    SA_KW_DESCRIBE,
    SA_KW_SCORE,
    SA_KW_TFLAGS,
    SA_KW_PRIORITY,
    SA_KW_IGNORE, /* reuse, test: parsed by SA for mass-checks only */
    SA_KW_REPLACE_TAG,
    SA_KW_REPLACE_PRE,
    SA_KW_REPLACE_POST,
    SA_KW_REPLACE_INTER,
    SA_KW_REPLACE_RULES,
    SA_KW_REPLACE_START,
    SA_KW_REPLACE_END,
    SA_KW_LOADPLUGIN,
    SA_KW_PLUGIN_RULE, /* a rule type sift has no engine for (askdns, urirhssub...) */
    SA_KW_CLEAR,       /* clear_*: empties the directives in `targets` */
    SA_KW_UNLIST,      /* unwelcomelist_from...: takes entries out of `targets` */
    SA_KW_ADD_HEADER,
    SA_KW_REMOVE_HEADER,
    SA_KW_CLEAR_HEADERS,
    SA_KW_REQUIRED_SCORE,
    SA_KW_SHORTCIRCUIT, /* shortcircuit RULE ham|spam: priority -200, tflags (Shortcircuit) */
};

#define SA_K_PRIV  1u /* user_prefs: only with allow_user_rules */
#define SA_K_ADMIN 2u /* user_prefs: never */

struct sa_keyword {
    const char *name;   /* normalised: lower case, '_', welcomelist/blocklist */
    const char *plugin; /* the plugin that registers it (short name), NULL: core */
    unsigned flags;     /* SA_K_* */
    enum sa_kw kind;
    const char *targets; /* SA_KW_CLEAR, SA_KW_UNLIST: the directives it changes */
};

/* Per rule (by scan_rule.index), what only the reader needs. */
struct sa_rinfo {
    const char *re_text; /* the delimited Perl pattern as written (regex rules) */
    bool ours;           /* defined by this configuration */
    bool has_priority;   /* a priority line named it (SA's %priority) */
    bool replaced;       /* ReplaceTags applied */
    bool meta_net;       /* net inherited from a dependency (finish) */
};

/* An unknown keyword: how often, and where first. */
struct sa_unknown {
    size_t count;
    const char *origin;
};

struct sa_conf {
    struct arena *a;
    struct sa_conf_opts opts;
    char lang[64];

    struct sa_map dirs; /* directive -> struct sa_list */
    double required_score;

    struct strset plugins; /* full package names loaded */
    bool plugins_explicit; /* a .pre or a loadplugin was read */
    struct strset files;   /* paths read (SA reads a file once) */
    int include_depth;

    struct sa_rinfo *rinfo;
    size_t nrinfo;
    struct strset defined; /* rule names this configuration defined */

    /* ReplaceTags */
    struct sa_map tags, pres, posts, inters; /* -> const char * */
    struct strset replace_rules;
    const char *replace_start, *replace_end;

    struct sa_map unknown; /* keyword -> struct sa_unknown */
    struct sa_conf_stats st;

    struct sa_memo *memos; /* sa_conf_memo's blocks */

    sa_conf_line_fn observe; /* sa_conf_observe */
    void *observe_arg;
};

struct sa_memo {
    const void *key;
    void *block;
    struct sa_memo *next;
};

/* One file (or string) being read: SA's parser state. */
struct sa_if {
    bool saved_skip; /* skip_parsing before the block */
    size_t line;
};

struct sa_pstate {
    struct sa_conf *c;
    struct scan_ruleset *rs;
    const char *file; /* origin, for messages and include */
    size_t line;
    bool skip; /* inside a false conditional, or after require_version */
    struct sa_if *ifs;
    size_t nifs, capifs;
    char origin[512]; /* "file:line" of the current line */
};

/* sa_conf_keys.c */
/* Lower case, '-' as '_', old names as new (whitelist -> welcomelist,
 * blacklist -> blocklist, required_hits -> required_score); out holds
 * at least 2 * strlen(key) + 1 bytes. */
void sa_keyword_normalize(const char *key, char *out, size_t outsz);
/* The directive named (normalised) key if the core or one of the loaded
 * plugins registers it, else NULL. */
const struct sa_keyword *sa_keyword_find(const struct sa_conf *c, const char *key);
/* The plugin (short name) that registers key whether it is loaded or not;
 * NULL for the core or a keyword nobody registers (*known says which). */
const char *sa_keyword_plugin(const char *key, bool *known);

/* sa_conf_cond.c */
/* Evaluate an `if` expression as Conf::Parser's handle_conditional does:
 * 0 and *result; 1 when Perl would fail to run it (*result false, the
 * block is opened); -1 when SA gives up on the line (no block opened). */
int sa_cond_eval(const struct sa_conf *c, const char *expr, bool *result, struct sift_err *err);
/* Is Mail::SpamAssassin::Plugin::<name> one of SA 4.0.1's plugins? */
bool sa_plugin_known(const char *package);
/* The plugins Debian's stock .pre files load (short names, NULL-ended). */
extern const char *const sa_debian_plugins[];
/* Package name with the Dmarc/WhiteListSubject aliases applied. */
const char *sa_plugin_alias(const char *package);

/* sa_conf_rules.c */
void sa_rules_directive(struct sa_pstate *ps, const struct sa_keyword *kw, const char *key,
                        const char *value);
struct sa_rinfo *sa_rinfo(struct sa_conf *c, const struct scan_rule *r);
/* The definition fields of r cleared (attributes kept): SA's tests{} entry gone. */
void sa_rule_undefine(struct scan_rule *r);

/* sa_conf_meta.c */
/* The next token of Conf::Parser's ARITH_EXPRESSION_LEXER from s at *pos
 * (bytes no alternative matches are passed over, as Perl's //g does);
 * false at the end. */
bool sa_arith_next(const char *s, size_t *pos, struct strv *tok);
/* is_meta_valid(): the expression compiles in Perl with every rule 0. */
int sa_meta_valid(const char *expr, struct sift_err *err);
/* The rule names an expression names (IS_RULENAME tokens but
 * local_tests_only), each once, in order; *out in arena a. */
size_t sa_meta_deps(struct arena *a, const char *expr, const char ***out);
/* The next rules_matching(GLOB) in s at or after from: [*start, *end)
 * and the glob. */
bool sa_meta_rules_matching(const char *s, size_t from, size_t *start, size_t *end,
                            struct strv *glob);
/* Is s a rule name (IS_RULENAME)? */
bool sa_rulename_ok(const char *s, size_t len);
/* Does name match a rules_matching() glob (* and ?)? */
bool sa_glob_match(const char *glob, size_t glen, const char *name);

/* sa_conf.c */
/* A boolean setting's value (1/yes, 0/no), or def. */
bool sa_conf_bool(const struct sa_conf *c, const char *directive, bool def);
/* Add a lint-level skip for the current line. */
void sa_pskip(struct sa_pstate *ps, const char *name, const char *category, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Is s (after leading white space) a number as Perl's looks_like_number
 * sees the kinds SA writes; *v its value. */
bool sa_number(const char *s, double *v);

#endif
