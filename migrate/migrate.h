/*
 * migrate.h - what the parts of sift-migrate share: the options, the run's
 * state (one arena for everything), the report every part adds to, the
 * configuration tree it builds and the files it means to write.
 *
 * A run reads (SpamAssassin's site directory, spamd's options, user_prefs,
 * the Bayes database), decides (each directive's fate), builds every
 * output file in memory, checks the result (the rules siftd will load are
 * SpamAssassin's, the configuration loads), then compares with what is on
 * disk and writes, unless --dry-run. Single-threaded; nothing is global.
 */
#ifndef SIFT_MIGRATE_MIGRATE_H
#define SIFT_MIGRATE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cfg_tree.h"
#include "core/err.h"
#include "compat/sa_conf.h"
#include "scan/scan_rule.h"

#define MIG_SA_DIR      "/etc/spamassassin"
#define MIG_SA_UPDATE   "/var/lib/spamassassin/4.000001"
#define MIG_DEFAULTS_1  "/etc/default/spamd" /* Debian 12's spamd package */
#define MIG_DEFAULTS_2  "/etc/default/spamassassin"
#define MIG_SITE_SUBDIR "spamassassin" /* the generated site directory, in the config dir */
#define MIG_MANIFEST    ".sift-migrate.manifest"
#define MIG_MARK        "# Written by sift-migrate"

enum mig_rules_mode {
    MIG_RULES_NATIVE, /* site rules and scores to local.d/symbols.yaml */
    MIG_RULES_SA,     /* the site's files copied as they are */
};

enum mig_bayes_mode {
    MIG_BAYES_IN_PLACE, /* classifier.bayes.path: SpamAssassin's own files */
    MIG_BAYES_COPY,     /* copied to bayes_dest, which siftd then uses */
    MIG_BAYES_NONE,     /* not carried: siftd starts an empty store */
};

struct mig_opts {
    const char *sa_dir;        /* NULL: spamd's --siteconfigpath, else MIG_SA_DIR */
    const char *rules_dir;     /* NULL: spamd's -C, else auto (as siftd) */
    const char *prefs_dir;     /* DIR/USER/user_prefs; NULL: spamd's options say */
    const char *out;           /* a complete configuration directory; NULL: confdir's local.d */
    const char *confdir;       /* without --out: the configuration to add to */
    const char *defaults;      /* /etc/default file with spamd's OPTIONS; NULL: look */
    const char *spamd_options; /* spamd's command line, over the defaults file's */
    enum mig_rules_mode rules;
    enum mig_bayes_mode bayes;
    const char *bayes_dest; /* MIG_BAYES_COPY: the new prefix */
    const char *bayes_path; /* the database to carry; NULL: SpamAssassin's bayes_path */
    const char *reject;     /* actions.reject; NULL: off, as SpamAssassin never rejects */
    const char **sets;      /* --set KEY=VALUE, over everything migrated */
    size_t nsets;
    bool dry_run, json, force, no_verify;
};

/* ---- the report ---- */

enum mig_fate {
    MIG_NATIVE,  /* became native configuration */
    MIG_KEPT,    /* kept in SpamAssassin's syntax, which siftd reads */
    MIG_IGNORED, /* SpamAssassin ignores it too (unknown keyword, false conditional) */
    MIG_DROPPED, /* not carried over: sift has no use or no support for it */
    MIG_NOTE,    /* something found, for the admin to know */
    MIG_WARN,    /* something the admin must look at */
};

struct mig_item {
    const char *origin; /* "local.cf:12", "spamd options", "Bayes" */
    const char *what;   /* the directive as read ("score BAYES_99 4.0") */
    enum mig_fate fate;
    const char *target; /* where it went ("local.d/symbols.yaml: BAYES_99"), or NULL */
    const char *why;    /* or NULL */
};

enum mig_file_status {
    MIG_FILE_NEW,
    MIG_FILE_CHANGED,
    MIG_FILE_UNCHANGED,
    MIG_FILE_REMOVED,  /* written by an earlier run, no longer produced */
    MIG_FILE_CONFLICT, /* not ours (or edited since): refused without --force */
    MIG_FILE_KEPT,     /* stale but edited since: left alone */
};

/* One file the run produces, relative to the target directory. */
struct mig_file {
    const char *rel;
    struct buf text;
    unsigned mode;
    enum mig_file_status status;
    const char *why; /* for CONFLICT, KEPT */
    const char *old; /* the content on disk (NULL: none) */
    size_t oldlen;
};

/* One line of the site's files (or of a file they include), as observed. */
struct mig_sa_line {
    const char *file;
    size_t line;
    const char *key, *value;
    enum sa_conf_line_kind kind;
    const char *plugin;
};

struct mig_stats {
    size_t files_read, directives, rules_native, rules_changed, verified, verify_diffs;
    size_t prefs_files, prefs_refused;
};

struct mig {
    struct arena *a;
    struct mig_opts o;
    const char *target; /* --out, else confdir (absolute) */
    const char *sa_dir; /* resolved */
    const char *rules_dir;
    const char *site_out; /* target/MIG_SITE_SUBDIR: rules.site_dir of the result */
    const char *stage;    /* a temporary directory (the generated site files, configtest) */
    bool local_only;      /* spamd -L */

    /* the desired configuration: section -> keys, and where each came from */
    struct cfg_node *tree;
    struct cfg_node *stock; /* the main file's tree the layers go on */
    const char *stock_text; /* --out: the main file to write */

    /* SpamAssassin: the whole site translated (what spamd runs) */
    struct sa_conf *full;
    struct scan_ruleset *full_rs;
    struct mig_sa_line *lines; /* the site's lines, in the order read */
    size_t nlines, caplines;

    struct mig_item *items;
    size_t nitems, capitems;
    struct mig_file *files;
    size_t nfiles, capfiles;
    const char **errors;
    size_t nerrors, caperrors;
    struct mig_stats st;
    const char *bayes_used; /* the prefix siftd will use, or NULL */
    const char *configtest; /* "OK (...)" or the error */
    bool configtest_ok;
};

/* migrate_report.c */
void mig_item(struct mig *m, const char *origin, const char *what, enum mig_fate fate,
              const char *target, const char *why_fmt, ...) __attribute__((format(printf, 6, 7)));
void mig_error(struct mig *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *mig_fate_name(enum mig_fate f);
const char *mig_file_status_name(enum mig_file_status s);
void mig_report_text(const struct mig *m, struct buf *out);
void mig_report_json(const struct mig *m, struct buf *out);
/* A path as shown: relative to dir when under it. */
const char *mig_short(struct mig *m, const char *path, const char *dir);

/* migrate_tree.c: the configuration values migrated, split into layers */
/* Set KEY (dotted) to a YAML value given as text ("5", "[a, b]", '"x"'). */
int mig_set(struct mig *m, const char *key, const char *value, struct sift_err *err);
/* Set KEY to one string, quoted as needed. */
int mig_set_str(struct mig *m, const char *key, const char *value, struct sift_err *err);
/* Set KEY to a list of strings. */
int mig_set_list(struct mig *m, const char *key, const char *const *v, size_t n,
                 struct sift_err *err);
/* Parse the main file the layers go on (the stock text with --out). */
int mig_stock_load(struct mig *m, struct sift_err *err);
/* local.d/NAME.yaml and override.d/NAME.yaml for every section set. */
int mig_tree_files(struct mig *m, struct sift_err *err);
/* A file to write (its text is built by the caller into the returned buf). */
struct mig_file *mig_file_add(struct mig *m, const char *rel, unsigned mode);
/* The header every generated file starts with (YAML and .cf: # comments). */
void mig_header(struct mig *m, struct buf *b, const char *what);

/* migrate_spamd.c: /etc/default/spamd and spamd's command line */
int mig_spamd(struct mig *m, struct sift_err *err);

/* migrate_sa.c: the site directory, translated */
int mig_sa_load(struct mig *m, struct sift_err *err);
/* The site files as siftd will read them (native: what is not native; sa: copies). */
int mig_sa_files(struct mig *m, struct sift_err *err);
/* Is this rule of the translation carried as a native rule (defined, and
 * writable as YAML)? */
bool mig_rule_native(struct mig *m, const char *name);

/* migrate_rules.c: local.d/symbols.yaml and the check that it is right */
int mig_rules(struct mig *m, struct sift_err *err);

/* migrate_prefs.c: per-user user_prefs */
int mig_prefs(struct mig *m, struct sift_err *err);

/* migrate_bayes.c: the Bayes database, AWL/TxRep */
int mig_bayes(struct mig *m, struct sift_err *err);
/* After the files are written: copy the database when asked. */
int mig_bayes_install(struct mig *m, struct sift_err *err);

/* migrate_out.c: compare with the target, show, write */
int mig_stage_write(struct mig *m, const char *rel, const char *text, size_t len,
                    struct sift_err *err);
int mig_configtest(struct mig *m, struct sift_err *err);
int mig_compare(struct mig *m, struct sift_err *err);
void mig_diff(const struct mig *m, struct buf *out);
int mig_install(struct mig *m, struct sift_err *err);
/* Read a whole file into the arena; NULL (errno set) when it cannot be. */
char *mig_slurp(struct mig *m, const char *path, size_t *len);

#endif
