/*
 * scanner.h - what a worker scans with: the rules the main process loaded
 * (inherited at fork) and this process's message-parsing context. Every
 * protocol worker scans through it; the protocol renders the result.
 * One per worker process; used by its one thread.
 */
#ifndef SIFT_DAEMON_SCANNER_H
#define SIFT_DAEMON_SCANNER_H

#include <stddef.h>

#include "compat/sa_rules.h"
#include "core/err.h"
#include "daemon/siftd_cfg.h"
#include "mime/mime_ctx.h"
#include "scan/scan_result.h"
#include "scan/task.h"

struct scanner {
    struct sa_rules *rules;
    struct mime_ctx mime;
    struct mime_ctx_storage st;
    bool ready;
};

/* Set up for rules (kept, not owned). -1 when the parsing context cannot
 * be made (the message says why). */
int scanner_init(struct scanner *s, const struct siftd_cfg *cfg, struct sa_rules *rules,
                 struct sift_err *err);
void scanner_clear(struct scanner *s);

/* Scan raw[0..len) (kept alive by the caller until task_free). The result
 * lives in the task. */
struct task *scanner_scan(struct scanner *s, const char *raw, size_t len,
                          const struct scan_result **res);

/* A short log form of a result: "GTUBE,NO_RELAYS" (scored rules, sorted). */
void scanner_tests(const struct scan_result *res, struct buf *out);

#endif
