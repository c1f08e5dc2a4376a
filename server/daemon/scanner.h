/*
 * scanner.h - what a worker scans with: the rules the main process loaded
 * (inherited at fork), this process's message-parsing context, and the
 * users' preferences it has read (rules.user_prefs: parsed on first use,
 * read again when the file changes, the least recently used dropped past
 * rules.user_prefs_cache). Every protocol worker scans through it; the
 * protocol renders the result.
 * One per worker process; used by its one thread.
 */
#ifndef SIFT_DAEMON_SCANNER_H
#define SIFT_DAEMON_SCANNER_H

#include <stddef.h>
#include <stdint.h>

#include "compat/sa_markup.h"
#include "compat/sa_prefs.h"
#include "compat/sa_rules.h"
#include "core/err.h"
#include "daemon/classifier.h"
#include "daemon/siftd_cfg.h"
#include "mime/mime_ctx.h"
#include "scan/scan_result.h"
#include "scan/task.h"

struct scanner_user;

struct scanner {
    struct sa_rules *rules;
    struct mime_ctx mime;
    struct mime_ctx_storage st;
    bool ready;
    const char *prefs_path; /* rules.user_prefs, or NULL */
    size_t prefs_max;
    struct classifier bayes;               /* Bayes: the store, the tokenizer */
    const struct siftd_settings *settings; /* the settings section (Settings-ID) */
    size_t nsettings;
    struct scanner_user *users; /* the cache, unordered */
    size_t nusers;
    uint64_t tick;
};

/* Set up for rules (kept, not owned). -1 when the parsing context cannot
 * be made (the message says why). */
int scanner_init(struct scanner *s, const struct siftd_cfg *cfg, struct sa_rules *rules,
                 struct sift_err *err);
void scanner_clear(struct scanner *s);

/* What one scan is rendered with. */
struct scanner_scan {
    struct task *task; /* the message, the result's memory: task_free it */
    const struct scan_result *res;
    const struct sa_markup *markup;     /* the user's or the site's */
    const struct scan_actions *actions; /* the thresholds the action was picked with */
    bool user_prefs;                    /* the user's preferences applied */
    bool bayes_unavailable;             /* Bayes is on but had no verdict to give */
};

/* Scan raw[0..len) (kept alive by the caller until task_free) for user
 * (NULL: the site's settings). */
void scanner_scan(struct scanner *s, const char *raw, size_t len, const char *user,
                  struct scanner_scan *out);

/* The same with a request's settings (NULL: none) over the user's or the
 * site's. -1 (nothing scanned, out untouched) when the thresholds they
 * give do not rise with the actions (err says why). */
int scanner_scan_set(struct scanner *s, const char *raw, size_t len, const char *user,
                     const struct scan_settings *set, struct scanner_scan *out,
                     struct sift_err *err);

/* Learn (or forget) raw[0..len) as the Bayes store's rules say (see
 * classifier_learn); the message is parsed with this worker's context. */
enum classifier_outcome scanner_learn(struct scanner *s, const char *raw, size_t len,
                                      enum classifier_op op, char *msgid, size_t msgidlen,
                                      struct sift_err *err);

/* The settings block named id (Settings-ID), or NULL. */
const struct scan_settings *scanner_settings(const struct scanner *s, const char *id);

/* The user_prefs file for user under template tpl ("~" the home
 * directory, %u, %l, %d, %%). -1 when the name is not one to build a path
 * from (empty, a '/', a leading '.', characters outside [-_.@+=A-Za-z0-9])
 * or the user has no home directory. */
int scanner_prefs_path(const char *tpl, const char *user, char *out, size_t outlen);

#endif
