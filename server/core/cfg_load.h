/*
 * cfg_load.h - a configuration snapshot: every layer read and merged.
 *
 * Layers, lowest first (DESIGN.md, "Configuration"):
 *   1. the main file (sift.yaml);
 *   2. CONFDIR/local.d/NAME.yaml, merged into section NAME (maps merge key
 *      by key, lists append, scalars replace), files in name order;
 *   3. the dynamic layer (options.dynamic_conf, values the controller
 *      saves), merged the same way;
 *   4. CONFDIR/override.d/NAME.yaml, each key replacing NAME's key wholesale;
 *   5. -o KEY=VALUE arguments, each setting one dotted key.
 * The snapshot owns one arena holding the tree and everything read from it;
 * a reload builds a new snapshot and frees the old one when nobody uses it.
 */
#ifndef SIFT_CORE_CFG_LOAD_H
#define SIFT_CORE_CFG_LOAD_H

#include <stddef.h>

#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/cfg_tree.h"
#include "core/err.h"

/* The `options` section: process-wide settings. */
struct cfg_options {
    const char *dbdir;
    const char *user;
    const char *group;
    const char *pidfile;
    const char *dynamic_conf;
    double shutdown_timeout;
    double restart_delay_max;
};

extern const struct cfg_key cfg_options_keys[];
extern const size_t cfg_options_nkeys;

struct cfg {
    struct arena *arena;
    struct cfg_node *root; /* the merged tree */
    const char *path;      /* the main file, as given */
    const char *confdir;   /* its directory, absolute */
    struct cfg_options options;
    struct cfg_ctx ctx; /* for cfg_fill over this snapshot ($DBDIR, warnings) */
    const char **files; /* every file read, in layer order */
    size_t nfiles;
    const char **warnings; /* "file:line:col: ..." lines, in the order found */
    size_t nwarnings;
};

/* Load path and its layers, then apply overrides ("KEY=VALUE" strings).
 * On error *out is untouched and err says what and where. */
int cfg_load(const char *path, const char *const *overrides, size_t noverrides, struct cfg **out,
             struct sift_err *err);
void cfg_free(struct cfg **cp);

/* Record a warning in the snapshot (printed by configtest, logged by siftd). */
void cfg_warn(struct cfg *cfg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
