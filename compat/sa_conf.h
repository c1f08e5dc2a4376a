/*
 * sa_conf.h - SpamAssassin's configuration language (.cf, .pre, user_prefs;
 * ../shared/spec/sa-rules-syntax.md) read into native rules and settings.
 * Rules (header, body, rawbody, full, uri, meta, mimeheader, eval forms)
 * go into a scan_ruleset with their scores, descriptions, tflags and
 * priorities, their Perl patterns translated to PCRE2 (compat/sa_regex.h;
 * ReplaceTags applied first; %{TAG} capture templates are skipped); the
 * other directives are kept here, in order, for the layers that use them
 * (required_score for the actions, trusted_networks for the Received
 * chain, freemail_domains and the welcome/block lists for the eval
 * functions...).
 *
 * Nothing a rule file says stops the load: what cannot be translated is
 * recorded in the ruleset (scan_ruleset_skip) with file:line and why, and
 * left out. Only I/O errors on the files asked for fail a load.
 * A struct sa_conf lives in its own arena; not thread-safe while loading,
 * read-only afterwards.
 */
#ifndef SIFT_COMPAT_SA_CONF_H
#define SIFT_COMPAT_SA_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strv.h"
#include "scan/scan_rule.h"

/* SpamAssassin version sift answers to in `if (version >= ...)` and
 * require_version. */
#define SA_CONF_VERSION "4.000001"

struct sa_conf_opts {
    bool local_only;       /* spamd -L: network tests off, score sets 0/2 */
    bool use_bayes;        /* Bayes usable: score sets 2/3 */
    const char *lang;      /* locale for `lang xx` lines; NULL: $LANG etc., else en_US */
    bool user_mode;        /* parsing a user_prefs: privileged directives refused */
    bool allow_user_rules; /* with user_mode: rule definitions allowed */
    /* The plugins sift implements (short names, NULL-ended): one the .pre
     * files load but not listed here counts as not loaded for ifplugin,
     * plugin() and its directives. NULL: every SpamAssassin 4.0.1 plugin
     * the .pre files load. */
    const char *const *plugins;
};

struct sa_conf;

struct sa_conf *sa_conf_new(const struct sa_conf_opts *opts);
void sa_conf_free(struct sa_conf **cp);

/* A user's configuration: a copy of site's settings (site must outlive
 * it) in user_prefs mode (privileged directives refused unless
 * allow_user_rules), to parse the user's user_prefs into, as SpamAssassin
 * parses them into the site configuration copied for that user. */
struct sa_conf *sa_conf_new_user(const struct sa_conf *site, bool allow_user_rules);

/* Storage kept with the configuration, for what eval functions build
 * from it (lists, compiled patterns): the block of size bytes under key
 * (the address of something of the caller's), zeroed and *fresh set on
 * the first call; sa_conf_arena() is where its contents belong. It goes
 * with the configuration, so a user's lists go when the user's
 * configuration does. Not thread-safe (a worker's configuration is its
 * own after fork). */
void *sa_conf_memo(const struct sa_conf *c, const void *key, size_t size, bool *fresh);
struct arena *sa_conf_arena(const struct sa_conf *c);

/* Parse text as one .cf (or .pre) file named origin (for messages and to
 * resolve `include`, relative to origin's directory), adding its rules to
 * rs and its settings to c. */
int sa_conf_parse(struct sa_conf *c, struct scan_ruleset *rs, const char *text, size_t len,
                  const char *origin, struct sift_err *err);
/* Read one file (as sa_conf_parse). */
int sa_conf_load_file(struct sa_conf *c, struct scan_ruleset *rs, const char *path,
                      struct sift_err *err);
/* SpamAssassin's load order (Mail::SpamAssassin::init): site_dir's *.pre,
 * rules_dir's *.pre, rules_dir's *.cf, site_dir's *.cf, each directory in
 * byte order of the names (site_dir may be NULL). Each file is read once.
 * The .pre files decide which plugins `ifplugin` sees as loaded,
 * intersected with opts.plugins; until a .pre file (or a loadplugin line)
 * is read, the plugins Debian's stock .pre files load count as loaded.
 * -1 when a directory or one of its files cannot be read; an include that
 * cannot be read is a skip. */
int sa_conf_load_dirs(struct sa_conf *c, struct scan_ruleset *rs, const char *rules_dir,
                      const char *site_dir, struct sift_err *err);

/* Finish after the last file, as SpamAssassin's fix_tests and
 * finish_parsing do, for the rules this configuration defined:
 *  - ReplaceTags: each rule of replace_rules gets its <TAG>s replaced
 *    (replace_tag, replace_pre/post/inter) and is translated again;
 *  - default scores: a defined rule with no score line gets 1.0 (0.01 for
 *    names starting T_), negated for tflags nice; has_score is then set;
 *  - metas: rules_matching(GLOB) expanded to " (A+B+...) " over the rules
 *    that have a score (" (0) " when none); a meta whose meta dependencies
 *    loop is left out (skip "meta loop"); "( )" becomes "0";
 *  - tflags net is inherited by a meta from any dependency (transitively);
 *  - priorities: a dependency runs no later than the meta that needs it
 *    (SA's fix_priorities), then a net rule at priority 0 gets -100.
 *    Rules that define a capture tag (?<NAME>...) have -10000.
 *  - each unknown keyword becomes one skip with its count.
 * What the engine must do for SpamAssassin's semantics (SA 4.0.1, checked
 * against it): a rule whose score in the active set is 0 is not run and
 * never hits. For a non-meta rule, metas read 0 for it. A meta with score 0
 * is still evaluated when its dependencies are ready, but got_hit refuses
 * it: when its value is non-zero it is never marked done, so every meta
 * that depends on it (even through ! or ||) is never evaluated and does
 * not hit, nor do the metas that depend on those; when its value is 0,
 * dependents read 0. A meta with a non-zero score and an undefined
 * dependency reads 0 for it. Evals with tflags net are not run in score
 * sets 0 and 2, with tflags learn not in sets 0 and 1; regex rules are run
 * whatever their tflags. Sub-rules (__) run like any rule: their default
 * score 1.0 is never added to a message's score. */
void sa_conf_finish(struct sa_conf *c, struct scan_ruleset *rs);

/* Every value given to a directive, in order, as written after the keyword
 * (lower-cased keyword, '-' as '_', old names mapped to new:
 * whitelist_from -> welcomelist_from), after its clear_ directive if any:
 * sa_conf_values(c, "freemail_domains", &v). *out is NULL when none.
 * Values are NUL-terminated. Kept as SA applies them: the un* directives
 * (unwelcomelist_from, unwelcomelist_from_rcvd/_dkim/_spf, unblocklist_from,
 * unwelcomelist_auth, delist_uri_host) take their entries out of the lists
 * they name; add_header holds one "all|spam|ham Name text" entry per name
 * and side after remove_header and clear_headers (Checker-Version stays).
 * Rule definitions and attributes (header, score, describe, tflags,
 * replace_*...) are in the ruleset, not here; the values of the rule types
 * sift skips (askdns, urirhssub...) are kept here. A plugin's directive
 * is kept only while the plugin is loaded (otherwise an unknown keyword). */
size_t sa_conf_values(const struct sa_conf *c, const char *directive, const struct strv **out);
/* The last value of a single-valued directive, or def. */
const char *sa_conf_value(const struct sa_conf *c, const char *directive, const char *def);

/* required_score (5.0 unless set). */
double sa_conf_required_score(const struct sa_conf *c);
/* Which of SA's four score sets applies (0..3): bit 0 unless
 * opts.local_only, bit 1 when opts.use_bayes and use_bayes and
 * use_bayes_rules are not turned off. */
int sa_conf_score_set(const struct sa_conf *c);

/* What a load read, for `siftadm rules`. */
struct sa_conf_stats {
    size_t files;    /* files read */
    size_t lines;    /* directive lines seen */
    size_t rules;    /* rules defined (distinct names) */
    size_t unknown;  /* lines with a keyword nobody knows (skipped, as SA does) */
    size_t replaced; /* rules whose pattern ReplaceTags changed (after finish) */
};
void sa_conf_stats(const struct sa_conf *c, struct sa_conf_stats *st);

/* Is this plugin (Mail::SpamAssassin::Plugin::Name, or Name) loaded for
 * ifplugin purposes? */
bool sa_conf_plugin_loaded(const struct sa_conf *c, const char *plugin);

/* What one line of a file did, for a tool that reports on a configuration
 * line by line (sift-migrate). */
enum sa_conf_line_kind {
    SA_LINE_SETTING,     /* a directive applied or kept for sa_conf_values (loadplugin too) */
    SA_LINE_RULE,        /* defines or changes a rule: header, body, rawbody, full, uri, meta,
                            mimeheader, describe, score, tflags, priority, replace_* */
    SA_LINE_PLUGIN_RULE, /* a rule type sift has no engine for (askdns, urirhssub...): kept as a
                            setting, never run */
    SA_LINE_CONDITIONAL, /* if, ifplugin, else, endif */
    SA_LINE_INCLUDE,     /* include FILE (the file's own lines follow) */
    SA_LINE_UNKNOWN,     /* no loaded plugin registers the keyword: ignored, as SA does */
    SA_LINE_REFUSED,     /* user_prefs: a privileged or administrator directive, not parsed */
    SA_LINE_INACTIVE,    /* inside a false conditional, or after a require_version that failed */
    SA_LINE_OTHER,       /* require_version, SA's file markers */
};

struct sa_conf_line {
    const char *file; /* as sa_conf_parse was given it */
    size_t line;      /* 1-based */
    const char *key;  /* normalised as sa_conf_values names directives */
    const char *value;
    enum sa_conf_line_kind kind;
    /* the plugin (short name) that registers key, loaded or not; NULL: the core */
    const char *plugin;
};
typedef void (*sa_conf_line_fn)(void *arg, const struct sa_conf_line *l);

/* Call fn for every line with a keyword that the parser reads from now on
 * (comments, blank lines and other languages' `lang` lines are not
 * reported), before it is applied. The strings live for the call only.
 * NULL stops it. */
void sa_conf_observe(struct sa_conf *c, sa_conf_line_fn fn, void *arg);

#endif
