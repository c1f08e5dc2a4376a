/*
 * scan_settings.h - what one scan may be told to do differently, as
 * rspamd's settings "apply" block says it: a request's Settings header
 * (JSON) or a block of the `settings` section chosen by Settings-ID.
 *
 *   { "actions": { "reject": 20, "add header": 6, "greylist": null },
 *     "symbols_disabled": ["RDNS_NONE"], "symbols_enabled": [...],
 *     "groups_disabled": ["sa"], "groups_enabled": [...],
 *     "RULE_NAME": 2.5 }
 *
 * A number under any other key is that symbol's score; a rule scored 0 or
 * disabled does not run (as SpamAssassin's score 0), so metas read 0 for
 * it. symbols_enabled / groups_enabled leave every other rule off. An
 * action set to null is off. rspamd's legacy "default" wrapper object is
 * read as the block itself.
 * Parsed once into an arena; read-only afterwards.
 */
#ifndef SIFT_SCAN_SCAN_SETTINGS_H
#define SIFT_SCAN_SCAN_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/cfg_tree.h"
#include "core/err.h"
#include "core/json_read.h"
#include "scan/scan_result.h"
#include "scan/scan_rule.h"

struct scan_settings_score {
    const char *name;
    double score;
};

struct scan_settings_names {
    const char **v;
    size_t n;
    bool given; /* the key was there (an empty enabled list leaves everything off) */
};

struct scan_settings {
    bool action_given[SCAN_NACTIONS];
    bool action_off[SCAN_NACTIONS]; /* given as null */
    double threshold[SCAN_NACTIONS];
    struct scan_settings_score *scores;
    size_t nscores;
    struct scan_settings_names symbols_disabled, symbols_enabled;
    struct scan_settings_names groups_disabled, groups_enabled;
};

/* From a JSON object (a Settings header). -1 with err when it is not an
 * object or a known key has the wrong type or an unknown action. */
int scan_settings_from_json(struct arena *a, const struct json_val *v, struct scan_settings *out,
                            struct sift_err *err);
/* From a configuration map (a block of the settings section), the same keys. */
int scan_settings_from_cfg(struct arena *a, const struct cfg_node *n, struct scan_settings *out,
                           struct sift_err *err);

/* base's thresholds with s's changes. -1 with err when they no longer
 * rise with the actions. */
int scan_settings_actions(const struct scan_settings *s, const struct scan_actions *base,
                          struct scan_actions *out, struct sift_err *err);
/* Whether s leaves rule r off (disabled by name or group, or outside the enabled ones). */
bool scan_settings_off(const struct scan_settings *s, const struct scan_rule *r);
/* Whether s changes anything about rules (scores, enabled/disabled). */
bool scan_settings_touches_rules(const struct scan_settings *s);

#endif
