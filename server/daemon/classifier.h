/*
 * classifier.h - Bayes in siftd: the `classifier.bayes` configuration,
 * the store every worker reads its token counts from (SpamAssassin's DBM
 * files, stat/bayes_store.h), the tokenizer SpamAssassin's configuration
 * sets up (bayes_ignore_header, stop words...), the probability a scan's
 * check_bayes rules read (task_classify), and learning (spamd TELL, the
 * controller's /learnspam and /learnham).
 *
 * The store's path: classifier.bayes.path, else SpamAssassin's bayes_path
 * when its configuration sets one (a leading ~ is the home directory of
 * the user siftd runs as), else $DBDIR/bayes/bayes. Bayes is on unless
 * classifier.bayes.enabled is off or SpamAssassin's use_bayes is 0; the
 * rules then score with SA's Bayes score sets (2, or 3 with network
 * tests), and a message Bayes has no verdict for (fewer than
 * bayes_min_spam_num spam or bayes_min_ham_num ham learned) scores with
 * the set without Bayes, as SpamAssassin does.
 *
 * One struct classifier per worker process (handles are not shared
 * across fork); classifier_prepare runs once in the main process before
 * any worker starts (Berkeley DB recovery).
 */
#ifndef SIFT_DAEMON_CLASSIFIER_H
#define SIFT_DAEMON_CLASSIFIER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat/sa_rules.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "scan/scan_result.h"
#include "scan/task.h"
#include "stat/bayes_classify.h"
#include "stat/bayes_store.h"
#include "stat/bayes_tok.h"

/* classifier.bayes */
struct classifier_cfg {
    bool enabled;
    const char *backend; /* "bdb" */
    const char *path;    /* "" or ~: SA's bayes_path, else $DBDIR/bayes/bayes */
    double upkeep;       /* seconds between classifier_maintain runs */
};
extern const struct cfg_key classifier_bayes_keys[];
extern const size_t classifier_bayes_nkeys;

struct siftd_cfg;

struct classifier {
    bool on; /* Bayes is in use */
    const char *backend;
    char path[PATH_MAX];
    struct bayes_tok *tok;
    struct bayes_classify_cfg ccfg;
    struct bayes_store *ro, *rw; /* opened on first use */
    struct bayes_store_stats st; /* the message counts, read at most once a second */
    double st_at;
    bool st_ok;
    double warned_at;                    /* the last "cannot open" warning */
    bool auto_expire_known, auto_expire; /* SA's bayes_auto_expire */
    uint64_t expiry_max_db_size;         /* SA's bayes_expiry_max_db_size (0: its default) */
};

struct sa_bayes_cfg;

/* The tokenizer SpamAssassin's Bayes settings describe (compat reads them,
 * stat tokenizes: this is where the two meet). NULL with err when a
 * stop-word pattern does not compile. */
struct bayes_tok *classifier_tok_new(const struct sa_bayes_cfg *sbc, struct sift_err *err);

/* Where the store is (see above) into out; false when Bayes is off. */
bool classifier_path(const struct siftd_cfg *cfg, const struct sa_rules *rules, char *out,
                     size_t outlen);

/* In the main process before workers start: make the store's directory
 * and run the backend's recovery. -1 with err when that fails (Bayes
 * then stays off for this run: the caller logs it). */
int classifier_prepare(const struct siftd_cfg *cfg, const struct sa_rules *rules,
                       struct sift_err *err);

/* A worker's classifier over rules' SpamAssassin configuration. -1 with
 * err when the tokenizer cannot be set up (a stop-word pattern). */
int classifier_init(struct classifier *c, const struct siftd_cfg *cfg, const struct sa_rules *rules,
                    struct sift_err *err);
void classifier_clear(struct classifier *c);

/* Before a scan: let the task's check_bayes rules ask for the
 * probability. true when Bayes is on but can give no verdict now (too
 * little learned, or no store): the scan then uses SA's scores without
 * Bayes (sa_scan_opts.bayes_unavailable). */
bool classifier_attach(struct classifier *c, struct task *t);

enum classifier_op {
    CLASSIFIER_LEARN_SPAM,
    CLASSIFIER_LEARN_HAM,
    CLASSIFIER_FORGET,
    CLASSIFIER_AUTOLEARN_SPAM, /* as LEARN_*, but a message learned before (either */
    CLASSIFIER_AUTOLEARN_HAM,  /* class) is left alone: ALREADY (SA's no_relearn) */
};

enum classifier_outcome {
    CLASSIFIER_DONE,        /* learned or forgotten */
    CLASSIFIER_ALREADY,     /* already learned as that class: nothing changed */
    CLASSIFIER_RELEARNED,   /* was learned as the other class: moved */
    CLASSIFIER_NOT_LEARNED, /* forget: it never was */
    CLASSIFIER_OFF,         /* Bayes is off (err says why) */
    CLASSIFIER_FAILED,      /* err says why */
};

/* Learn or forget the message of t, as sa-learn does (its generated id
 * in bayes_seen; the Message-ID checked too). msgid, when not NULL, gets
 * the id the message goes by (its Message-ID, else the generated one). */
enum classifier_outcome classifier_learn(struct classifier *c, struct task *t,
                                         enum classifier_op op, char *msgid, size_t msgidlen,
                                         struct sift_err *err);

/* After a scan: SpamAssassin's autolearning (sa_autolearn.h) with the
 * thresholds of conf; the outcome goes into t->autolearn for X-Spam-Status. */
struct sa_rules;
struct sa_conf;
void classifier_autolearn(struct classifier *c, const struct sa_rules *rules,
                          const struct sa_conf *conf, struct task *t,
                          const struct scan_result *res);

/* The store's upkeep, as SpamAssassin's opportunistic calls do it: apply
 * the journal the scans append to, and expire old tokens when SA's
 * bayes_auto_expire rules say it is due. Run now and then by one process
 * (the first controller). */
void classifier_maintain(struct classifier *c);

/* SA's generated message id: sha1_hex(To "\0" Date "\0" body digest) "@sa_generated". */
void classifier_msgid(struct task *t, char *out, size_t outlen);

#endif
