/*
 * task.h - one message being scanned: its arena (every allocation of the
 * scan comes from it and task_free releases it all), the raw message
 * (read-only; parsed views point into it), the parsed message (on first
 * use) and the symbols found so far.
 * A task belongs to one worker and one request; not thread-safe.
 */
#ifndef SIFT_SCAN_TASK_H
#define SIFT_SCAN_TASK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "mime/mime_msg.h"

struct task_memo; /* task_memo's entries */

struct task_symbol {
    const char *name;
    double score;
    const char *option; /* NULL or a detail shown with the symbol */
    struct task_symbol *next;
};

/* A statistical classifier's verdict on the message (Bayes): its
 * probability of spam in [0, 1], or false when it has none (too little
 * learned, no usable token). Installed by whoever owns the classifier
 * (the daemon) before the rules run; called at most once per task. */
struct task;
typedef bool (*task_classify_fn)(struct task *t, void *arg, double *prob);

struct task {
    struct arena *arena;
    const char *raw; /* the message as received */
    size_t len;
    const struct mime_ctx *mime;
    struct mime_msg *msg; /* NULL until task_message */
    struct task_symbol *symbols, *last_symbol;
    size_t nsymbols;
    struct task_memo *memos;
    task_classify_fn classify; /* NULL: no classifier */
    void *classify_arg;
    int classified; /* 0: not yet; 1: prob holds the verdict; -1: none */
    double prob;
    /* what autolearning made of the scan (SpamAssassin's _AUTOLEARN_ and
     * _AUTOLEARNSCORE_: "no autolearn_force=no", "ham ..."); NULL: "disabled" */
    const char *autolearn;
    double autolearn_points;
};

/* A task for raw[0..len). copy: keep a private copy in the arena (else the
 * caller keeps raw alive until task_free). */
struct task *task_new(const struct mime_ctx *mime, const char *raw, size_t len, bool copy);
void task_free(struct task **tp);

/* The parsed message; parsed on the first call. A parsing limit that was
 * hit adds its symbol (MIME_PARTS_LIMIT, MIME_DEPTH_LIMIT,
 * MIME_HEADERS_LIMIT). */
struct mime_msg *task_message(struct task *t);

/* What an eval function works out once per message and others reuse
 * (the message's dates, its MIME facts): the block of size bytes kept
 * under (key, scope), zeroed and *fresh set on the first call. key is the
 * address of something of the caller's (a static); scope tells apart the
 * messages one task may show (NULL: the task's own). */
void *task_memo(struct task *t, const void *key, const void *scope, size_t size, bool *fresh);

/* The classifier's probability (task->classify, run on the first call):
 * false when there is no classifier or it has no verdict. */
bool task_classify(struct task *t, double *prob);

/* Record a symbol (the name and option are copied into the arena). */
void task_add_symbol(struct task *t, const char *name, double score, const char *option);
const struct task_symbol *task_find_symbol(const struct task *t, const char *name);

#endif
