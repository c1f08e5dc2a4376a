/*
 * sa_conf.h - SpamAssassin's configuration language (.cf, .pre, user_prefs;
 * ../shared/spec/sa-rules-syntax.md) read into native rules and settings.
 * Rules (header, body, rawbody, full, uri, meta, mimeheader, eval forms)
 * go into a scan_ruleset with their scores, descriptions, tflags and
 * priorities, their Perl patterns translated to PCRE2 (ReplaceTags and
 * capture templates applied first); the other directives are kept here,
 * in order, for the layers that use them (required_score for the actions,
 * trusted_networks for the Received chain, freemail_domains and the
 * welcome/block lists for the eval functions...).
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
    bool local_only;   /* spamd -L: network tests off, score sets 0/2 */
    bool use_bayes;    /* Bayes usable: score sets 2/3 */
    const char *lang;  /* locale for `lang xx` lines; NULL: $LANG etc., else en_US */
    bool user_mode;    /* parsing a user_prefs: privileged directives refused */
    bool allow_user_rules; /* with user_mode: rule definitions allowed */
};

struct sa_conf;

struct sa_conf *sa_conf_new(const struct sa_conf_opts *opts);
void sa_conf_free(struct sa_conf **cp);

/* Parse text as one .cf (or .pre) file named origin (for messages and to
 * resolve `include`, relative to origin's directory), adding its rules to
 * rs and its settings to c. */
int sa_conf_parse(struct sa_conf *c, struct scan_ruleset *rs, const char *text, size_t len,
                  const char *origin, struct sift_err *err);
/* Read one file (as sa_conf_parse). */
int sa_conf_load_file(struct sa_conf *c, struct scan_ruleset *rs, const char *path,
                      struct sift_err *err);
/* SpamAssassin's load order: rules_dir's *.cf (lexical order), then
 * site_dir's *.pre and then its *.cf (site_dir may be NULL). The .pre files
 * decide which plugins `ifplugin` sees as loaded, intersected with the
 * plugins sift implements. */
int sa_conf_load_dirs(struct sa_conf *c, struct scan_ruleset *rs, const char *rules_dir,
                      const char *site_dir, struct sift_err *err);

/* Finish after the last file: relative scores, default scores (1.0; 0.01
 * for T_ rules), disabled rules, meta dependencies that name nothing. */
void sa_conf_finish(struct sa_conf *c, struct scan_ruleset *rs);

/* Every value given to a directive, in order, as written after the keyword
 * (lower-cased keyword, '-' as '_', old names mapped to new:
 * whitelist_from -> welcomelist_from), after its clear_ directive if any:
 * sa_conf_values(c, "freemail_domains", &v). *out is NULL when none. */
size_t sa_conf_values(const struct sa_conf *c, const char *directive, const struct strv **out);
/* The last value of a single-valued directive, or def. */
const char *sa_conf_value(const struct sa_conf *c, const char *directive, const char *def);

/* required_score (5.0 unless set). */
double sa_conf_required_score(const struct sa_conf *c);
/* Which of SA's four score sets applies (0..3). */
int sa_conf_score_set(const struct sa_conf *c);

/* What a load read, for `siftadm rules`. */
struct sa_conf_stats {
    size_t files;      /* files read */
    size_t lines;      /* directive lines seen */
    size_t rules;      /* rules defined */
    size_t unknown;    /* lines with a keyword nobody knows (skipped, as SA does) */
};
void sa_conf_stats(const struct sa_conf *c, struct sa_conf_stats *st);

/* Is this plugin (Mail::SpamAssassin::Plugin::Name, or Name) loaded for
 * ifplugin purposes? */
bool sa_conf_plugin_loaded(const struct sa_conf *c, const char *plugin);

#endif
