/*
 * worker_milter_scan.c - self-scan: the proxy worker scans the message in
 * its own process (the rules the main process loaded) and the result
 * becomes a verdict: SpamAssassin's add_header fields, the Subject of a
 * rewrite subject action, X-Spam-Report for the extended headers.
 */
#include <string.h>
#include <strings.h>

#include "compat/sa_markup.h"
#include "core/log.h"
#include "daemon/scanner.h"
#include "daemon/worker.h"
#include "daemon/worker_milter_int.h"
#include "mime/mime_get.h"

static void
mw_task_release(void *arg)
{
    struct task *t = arg;

    task_free(&t);
}

/* The Message-Id without <>, in m->a, or NULL. */
static const char *
mw_message_id(struct mw_eom *m, struct task *t)
{
    bool found = false;
    struct strv mid = mime_get_scalar(task_message(t), "Message-Id", &found);

    while (mid.len > 0 && strchr(" \t\r\n", mid.p[mid.len - 1]) != NULL)
        mid.len--;
    mid = strv_trim(mid);
    if (mid.len >= 2 && mid.p[0] == '<' && mid.p[mid.len - 1] == '>')
        mid = strv_make(mid.p + 1, mid.len - 2);
    return found && mid.len > 0 ? arena_strndup(m->a, mid.p, mid.len) : NULL;
}

/* The settings block for this sender, or NULL. */
static const struct scan_settings *
mw_settings(const struct mw_eom *m, struct scanner *scn)
{
    const char *id = m->user != NULL ? m->cfg->authenticated_settings_id
                     : m->secure     ? m->cfg->secure_ip_settings_id
                                     : NULL;

    return id != NULL ? scanner_settings(scn, id) : NULL;
}

/* The verdict of a scan: its action, headers and symbols. */
static void
mw_scan_verdict(struct mw_eom *m, struct scanner_scan *sr)
{
    struct mw_verdict *v = &m->v;
    const struct scan_result *res = sr->res;
    struct sa_markup_env env;
    struct envelope_header *f;
    struct mw_header *add;
    struct mw_symbol *syms;
    size_t n;
    bool has_report = false;
    struct buf b;

    env.remote_addr = m->e.ip != NULL ? m->e.ip : m->c->addr;
    env.remote_host = m->e.hostname != NULL ? m->e.hostname : env.remote_addr;
    static const enum mw_action actions[SCAN_NACTIONS] = {
        [SCAN_ACTION_NONE] = MW_ACT_NONE,
        [SCAN_ACTION_GREYLIST] = MW_ACT_GREYLIST,
        [SCAN_ACTION_ADD_HEADER] = MW_ACT_ADD_HEADER,
        [SCAN_ACTION_REWRITE_SUBJECT] = MW_ACT_REWRITE_SUBJECT,
        [SCAN_ACTION_REJECT] = MW_ACT_REJECT,
    };

    v->action = res->action < SCAN_NACTIONS ? actions[res->action] : MW_ACT_NONE;
    v->score = res->score;
    v->required = envelope_required(sr->actions, res);
    v->res = res;
    v->user_prefs = sr->user_prefs;
    v->message_id = mw_message_id(m, sr->task);
    n = envelope_sa_headers(m->a, sr, &env, 0, &f);
    add = arena_calloc(m->a, n ? n : 1, sizeof(*add));
    for (size_t i = 0; i < n; i++) {
        add[i] = (struct mw_header){ f[i].name, f[i].value, -1 };
        has_report |= strcasecmp(f[i].name, "X-Spam-Report") == 0;
    }
    v->add = add;
    v->nadd = n;
    syms = arena_calloc(m->a, res->nhits ? res->nhits : 1, sizeof(*syms));
    for (size_t i = 0; i < res->nhits; i++) {
        const struct scan_hit *h = &res->hits[i];

        syms[i] = (struct mw_symbol){ h->rule->name, h->score * (h->count > 1 ? h->count : 1),
                                      h->option };
    }
    v->symbols = syms;
    v->nsymbols = res->nhits;
    buf_init(&b);
    if (res->action == SCAN_ACTION_REWRITE_SUBJECT) {
        envelope_subject(sr, &env, &b);
        v->subject = arena_strndup(m->a, b.p ? b.p : "", b.len);
        buf_reset(&b);
    }
    if (m->cfg->extended_spam_headers && !has_report) {
        sa_markup_header(sr->markup, sr->task, res, &env, "Report", "_REPORT_", &b);
        v->report = arena_strndup(m->a, b.p ? b.p : "", b.len);
    }
    buf_clear(&b);
}

void
mw_scan(struct mw_eom *m)
{
    struct mw_conn *mc = m->mc;
    struct scanner *scn = m->c->w->scanner;
    const char *p = mc->msg.p;
    size_t len = mc->msg.len;
    struct scanner_scan sr = { 0 };
    struct sift_err err = { 0 };

    /* the hop stays out when the message records it already */
    if (mc->hop > 0 && m->e.ip != NULL &&
        envelope_received_has(p + mc->hop, len - mc->hop, m->e.ip)) {
        p += mc->hop;
        len -= mc->hop;
    }
    m->size = len - (p == mc->msg.p ? mc->hop : 0);
    if (scanner_scan_set(scn, p, len, m->user, mw_settings(m, scn), &sr, &err) == -1) {
        log_twarn(m->c->tag,
                  "%s: the settings for this sender cannot apply (%s); scanning "
                  "without them",
                  m->c->peer, err.msg);
        scanner_scan(scn, p, len, m->user, &sr);
    }
    arena_on_free(m->a, mw_task_release, sr.task); /* the verdict points into it */
    mw_scan_verdict(m, &sr);
}
