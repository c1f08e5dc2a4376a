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
};
const size_t sa_rules_cfg_nkeys = sizeof(sa_rules_cfg_keys) / sizeof(sa_rules_cfg_keys[0]);
