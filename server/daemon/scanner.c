/*
 * scanner.c - a worker's scanning context (see scanner.h).
 */
#include "daemon/scanner.h"

#include <string.h>

#include "compat/sa_markup.h"

int
scanner_init(struct scanner *s, const struct siftd_cfg *cfg, struct sa_rules *rules,
             struct sift_err *err)
{
    struct mime_cfg mc = cfg->mime;

    memset(s, 0, sizeof(*s));
    s->rules = rules;
    sa_rules_mime_cfg(rules, &mc);
    if (mime_ctx_init(&s->mime, &s->st, &mc, err) == -1)
        return -1;
    s->ready = true;
    return 0;
}

void
scanner_clear(struct scanner *s)
{
    if (s->ready)
        mime_ctx_clear(&s->mime, &s->st);
    s->ready = false;
}

struct task *
scanner_scan(struct scanner *s, const char *raw, size_t len, const struct scan_result **res)
{
    struct task *t = task_new(&s->mime, raw, len, false);

    *res = sa_rules_scan(s->rules, t);
    return t;
}

void
scanner_tests(const struct scan_result *res, struct buf *out)
{
    sa_markup_symbols(res, out);
}
