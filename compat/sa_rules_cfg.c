/*
 * sa_rules_cfg.c - the `rules` configuration section (see sa_rules.h), on
 * its own so that reading a configuration does not pull in the rule
 * machinery.
 */
#include <stddef.h>

#include "compat/sa_rules.h"

const struct cfg_key sa_rules_cfg_keys[] = {
    { "rules_dir", CFG_T_STR, "auto", offsetof(struct sa_rules_cfg, rules_dir),
      "SpamAssassin's rules directory; auto: sa-update's " SA_RULES_UPDATE_DIR
      " when it exists, else " SA_RULES_SHIPPED_DIR,
      NULL },
    { "site_dir", CFG_T_STR, "/etc/spamassassin", offsetof(struct sa_rules_cfg, site_dir),
      "SpamAssassin's site directory: its *.pre (plugins) and *.cf (local.cf) are read after "
      "the rules; ~: none",
      NULL },
    { "local_only", CFG_T_BOOL, "no", offsetof(struct sa_rules_cfg, local_only),
      "no network tests (spamd -L): network rules are not run and score sets 0/2 apply", NULL },
    { "cache_dir", CFG_T_PATH, "$DBDIR/rules-cache", offsetof(struct sa_rules_cfg, cache_dir),
      "where compiled pattern databases are kept, so a restart with the same rules is quick",
      NULL },
    { "hyperscan", CFG_T_BOOL, "yes", offsetof(struct sa_rules_cfg, hyperscan),
      "match regex rules with Hyperscan when it was built in (no: PCRE2 only)", NULL },
    { "native_dir", CFG_T_PATH, SIFT_DATADIR "/rules", offsetof(struct sa_rules_cfg, native_dir),
      "sift's own rules (*.yaml, rules/README.md), read before SpamAssassin's; a missing "
      "directory is no error",
      NULL },
    { "user_prefs", CFG_T_STR, "", offsetof(struct sa_rules_cfg, user_prefs),
      "per-user SpamAssassin preferences for the User a client names (spamd's User:, HTTP's "
      "User): a path where ~ is the user's home directory, %u the user name, %l its local part, "
      "%d its domain and %% a %; e.g. ~/.spamassassin/user_prefs or "
      "/var/lib/sift/users/%u/user_prefs (spamd --virtual-config-dir). Empty: no per-user "
      "preferences. The files must be readable by the user siftd runs as",
      NULL },
    { "allow_user_rules", CFG_T_BOOL, "no", offsetof(struct sa_rules_cfg, allow_user_rules),
      "let user_prefs define rules (SpamAssassin's allow_user_rules); without it rule "
      "definitions there are refused",
      NULL },
    { "user_prefs_cache", CFG_T_UINT, "1000", offsetof(struct sa_rules_cfg, user_prefs_cache),
      "how many users' parsed preferences each worker keeps (a file is read again when it "
      "changes)",
      NULL },
};
const size_t sa_rules_cfg_nkeys = sizeof(sa_rules_cfg_keys) / sizeof(sa_rules_cfg_keys[0]);
