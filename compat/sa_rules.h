/*
 * sa_rules.h - a SpamAssassin installation's rules, ready to scan with:
 * the `rules` configuration section says where they are (SA's rules
 * directory, or the sa-update one when it exists, and the site directory
 * with its .pre and .cf files); loading translates them (sa_conf.h),
 * registers the native eval functions, compiles the engine and derives
 * the actions from required_score. The settings SA's files hold for the
 * message layer (trusted_networks, redirector_pattern...) are handed to it.
 *
 * One per process (worker), made at start-up and on reload.
 */
#ifndef SIFT_COMPAT_SA_RULES_H
#define SIFT_COMPAT_SA_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/sa_conf.h"
#include "compat/sa_markup.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "mime/mime_ctx.h"
#include "scan/scan_engine.h"
#include "scan/scan_result.h"

/* Where sa-update puts its rules for this version; when present it
 * replaces the shipped directory, as in SpamAssassin. */
#define SA_RULES_UPDATE_DIR  "/var/lib/spamassassin/4.000001/updates_spamassassin_org"
#define SA_RULES_SHIPPED_DIR "/usr/share/spamassassin"

struct sa_rules_cfg {
    const char *rules_dir; /* "auto": the sa-update directory if present, else the shipped one */
    const char *site_dir;  /* "" or ~: none */
    bool local_only;       /* spamd -L: no network tests, score sets 0/2 */
    const char *cache_dir; /* compiled pattern databases */
    bool hyperscan;
    const char *native_dir;    /* sift's own rules (*.yaml), read before SpamAssassin's */
    const char *user_prefs;    /* per-user user_prefs path template ("" or ~: none); sa_prefs.h */
    bool allow_user_rules;     /* rule definitions in user_prefs */
    uint64_t user_prefs_cache; /* users whose prefs a worker keeps parsed */
    bool use_bayes;            /* not a key: the daemon's classifier is on (score sets 2/3) */
};

extern const struct cfg_key sa_rules_cfg_keys[];
extern const size_t sa_rules_cfg_nkeys;

struct sa_rules_redirectors;

struct sa_rules {
    struct sa_conf *conf;
    struct scan_ruleset *rs;
    struct scan_engine *engine;
    const char *rules_dir, *site_dir; /* as resolved */
    struct scan_actions actions;
    struct scan_actions_cfg actions_cfg; /* as configured: a user's required_score applies too */
    /* redirector_pattern, compiled (opaque); NULL when there is none */
    struct sa_rules_redirectors *redirectors;
    struct sa_markup *markup; /* how SpamAssassin renders results (spamd's replies) */
    bool allow_user_rules;    /* from the configuration, for sa_prefs */
    /* with Bayes on (score set 2 or 3): the rules whose score differs in the
     * set without Bayes, with that score, for scans Bayes has no verdict for */
    struct scan_rescore *nobayes;
    size_t nnobayes;
    double load_seconds;
};

/* Load and compile: native_dir's rules, SpamAssassin's files, then the
 * configuration's `symbols` (definitions and rescores; NULL: none).
 * Problems in rule files are recorded in rs, not errors (a
 * redirector_pattern that does not compile too: skip category
 * "redirector_pattern", and the pattern is left out); -1 when a
 * directory cannot be read, a rules file is not valid YAML or the actions
 * are inconsistent. */
int sa_rules_load(const struct sa_rules_cfg *cfg, const struct scan_actions_cfg *actions,
                  const struct cfg_node *symbols, struct sa_rules **out, struct sift_err *err);
void sa_rules_free(struct sa_rules **rp);

/* Fill what mc leaves empty from the SpamAssassin settings:
 * trusted_networks, internal_networks, msa_networks,
 * envelope_sender_header, body_part_scan_size, rawbody_part_scan_size.
 * Strings point into the rules (keep them alive as long as mc). */
void sa_rules_mime_cfg(const struct sa_rules *r, struct mime_cfg *mc);

/* Scan one message: the redirector patterns set on it, every rule run. */
const struct scan_result *sa_rules_scan(struct sa_rules *r, struct task *t);
/* The same with what one scan changes (a user's preferences). */
const struct scan_result *sa_rules_scan_with(struct sa_rules *r, struct task *t,
                                             const struct scan_run_opts *o);

#endif
