/*
 * worker_milter_reply.c - a verdict becomes the milter reply (section 7
 * of spec/milter-protocol.md): the header edits of a message that is kept,
 * then one decision; and the log line and the /history row of the scan.
 * The same for a self-scan and an upstream's answer (worker_milter_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/log.h"
#include "daemon/stats.h"
#include "daemon/worker_milter_int.h"

enum mw_decision { MW_ACCEPT, MW_REJECT, MW_TEMPFAIL, MW_DISCARD, MW_QUARANTINE };

static const char *const mw_action_names[] = {
    [MW_ACT_NONE] = "no action",          [MW_ACT_GREYLIST] = "greylist",
    [MW_ACT_ADD_HEADER] = "add header",   [MW_ACT_REWRITE_SUBJECT] = "rewrite subject",
    [MW_ACT_SOFT_REJECT] = "soft reject", [MW_ACT_REJECT] = "reject",
    [MW_ACT_DISCARD] = "discard",         [MW_ACT_QUARANTINE] = "quarantine",
};

/* Spam: marked with the spam header when kept. */
static bool
mw_is_spam(enum mw_action a)
{
    return a == MW_ACT_ADD_HEADER || a == MW_ACT_REWRITE_SUBJECT || a == MW_ACT_REJECT ||
           a == MW_ACT_DISCARD || a == MW_ACT_QUARANTINE;
}

static int
mw_sym_cmp(const void *x, const void *y)
{
    const struct mw_symbol *a = *(const struct mw_symbol *const *)x;
    const struct mw_symbol *b = *(const struct mw_symbol *const *)y;
    double sa = a->score < 0 ? -a->score : a->score;
    double sb = b->score < 0 ? -b->score : b->score;

    if (sa != sb)
        return sa < sb ? 1 : -1;
    return strcmp(a->name, b->name);
}

/* rspamd's X-Spamd-Result (spec/rspamd-http-protocol.md 4.4): the symbols
 * by their score's size, folded after each ';'. */
static const char *
mw_spamd_result(struct mw_eom *m)
{
    const struct mw_verdict *v = &m->v;
    const struct mw_symbol **s = arena_calloc(m->a, v->nsymbols ? v->nsymbols : 1, sizeof(*s));
    struct buf b;
    const char *r;

    for (size_t i = 0; i < v->nsymbols; i++)
        s[i] = &v->symbols[i];
    qsort(s, v->nsymbols, sizeof(*s), mw_sym_cmp);
    buf_init(&b);
    buf_printf(&b, "default: %s [%.2f / %.2f]", v->action == MW_ACT_REJECT ? "True" : "False",
               v->score, v->required);
    for (size_t i = 0; i < v->nsymbols; i++)
        buf_printf(&b, ";\n\t%s(%.2f)[%s]", s[i]->name, s[i]->score,
                   s[i]->option != NULL ? s[i]->option : "");
    r = arena_strndup(m->a, b.p ? b.p : "", b.len);
    buf_clear(&b);
    return r;
}

static bool
mw_has(const struct mw_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(h[i].name, name) == 0)
            return true;
    }
    return false;
}

/* The headers to add: the result's, the spam header, the extended ones. */
static size_t
mw_fields(struct mw_eom *m, struct mw_header **out)
{
    const struct mw_verdict *v = &m->v;
    struct mw_header *f = arena_calloc(m->a, v->nadd + 5, sizeof(*f));
    const char *spam = v->spam_header != NULL ? v->spam_header : m->cfg->spam_header;
    size_t n = v->nadd;

    memcpy(f, v->add, v->nadd * sizeof(*f));
    if (mw_is_spam(v->action) && !mw_has(f, n, spam))
        f[n++] = (struct mw_header){ spam, v->spam_value != NULL ? v->spam_value : "Yes", -1 };
    if (v->no_action)
        f[n++] = (struct mw_header){ "X-Rspamd-Action", mw_action_names[v->action], -1 };
    if (m->cfg->extended_spam_headers) {
        if (!mw_has(f, n, "X-Spamd-Result"))
            f[n++] = (struct mw_header){ "X-Spamd-Result", mw_spamd_result(m), -1 };
        if (!mw_has(f, n, "X-Spam-Score"))
            f[n++] = (struct mw_header){ "X-Spam-Score", arena_printf(m->a, "%.2f", v->score), -1 };
        if (v->report != NULL && !mw_has(f, n, "X-Spam-Report"))
            f[n++] = (struct mw_header){ "X-Spam-Report", v->report, -1 };
    }
    *out = f;
    return n;
}

/* The edits of a message that is kept: removals (remove_headers, the
 * result's, every header about to be added), additions, the Subject, the
 * envelope. */
static void
mw_edits(struct mw_eom *m)
{
    struct milter_session *s = &m->mc->s;
    const struct mw_verdict *v = &m->v;
    struct mw_header *f;
    size_t n = mw_fields(m, &f);

    for (size_t i = 0; i < m->cfg->remove_headers.n; i++)
        milter_session_hdr_delete(s, &m->out, m->cfg->remove_headers.v[i], 0);
    for (size_t i = 0; i < v->nremove; i++)
        milter_session_hdr_delete(s, &m->out, v->remove[i].name, v->remove[i].which);
    for (size_t i = 0; i < n; i++)
        milter_session_hdr_delete(s, &m->out, f[i].name, 0);
    for (size_t i = 0; i < n; i++) {
        if (milter_session_hdr_add(s, &m->out, f[i].name, f[i].value, f[i].order) == -1)
            log_twarn(m->c->tag, "%s: header %s cannot be sent to the MTA (too long?); left out",
                      m->c->peer, f[i].name);
    }
    if (v->action == MW_ACT_REWRITE_SUBJECT && !v->no_action &&
        (v->subject == NULL || v->subject[0] == '\0' ||
         milter_session_hdr_change(s, &m->out, "Subject", 1, v->subject) == -1))
        log_twarn(m->c->tag, "%s: the rewritten Subject cannot be sent to the MTA", m->c->peer);
    if (v->change_from != NULL && milter_session_may(s, MILTER_ACT_CHGFROM))
        milter_render_chgfrom(&m->out, v->change_from, NULL);
    for (size_t i = 0; i < v->nadd_rcpt && milter_session_may(s, MILTER_ACT_ADDRCPT); i++)
        milter_render_addrcpt(&m->out, v->add_rcpt[i], NULL);
    for (size_t i = 0; i < v->ndel_rcpt && milter_session_may(s, MILTER_ACT_DELRCPT); i++)
        milter_render_delrcpt(&m->out, v->del_rcpt[i]);
}

/* What the action asks of the MTA, before secure_ip and authentication. */
static enum mw_decision
mw_decide(const struct mw_eom *m)
{
    const struct mw_verdict *v = &m->v;

    if (v->no_action)
        return MW_ACCEPT;
    switch (v->action) {
    case MW_ACT_REJECT:
        if (m->cfg->discard_on_reject || v->reject_discard)
            return MW_DISCARD;
        return m->cfg->quarantine_on_reject || v->reject_quarantine ? MW_QUARANTINE : MW_REJECT;
    case MW_ACT_DISCARD:
        return MW_DISCARD;
    case MW_ACT_QUARANTINE:
        return MW_QUARANTINE;
    case MW_ACT_SOFT_REJECT:
        return MW_TEMPFAIL;
    case MW_ACT_GREYLIST:
        return m->cfg->greylist_action == MILTER_GREYLIST_TEMPFAIL ? MW_TEMPFAIL : MW_ACCEPT;
    default:
        return MW_ACCEPT;
    }
}

/* REPLYCODE with the result's text if it has one (and it renders), else
 * the configured reply; bare REJECT/TEMPFAIL as the last resort. */
static void
mw_refuse(struct mw_eom *m, enum mw_decision d, struct buf *what)
{
    struct milter_session *s = &m->mc->s;
    const struct milter_smtp_reply *r = d == MW_REJECT ? &m->cfg->reject : &m->cfg->tempfail;
    const char *word = d == MW_REJECT ? "reject" : "tempfail";
    const char *text = m->v.smtp_message;

    if (text != NULL && text[0] != '\0' &&
        milter_session_replycode(s, &m->out, r->code, r->xcode, text) == 0) {
        buf_printf(what, "%s %s %s %s", word, r->code, r->xcode, text);
        return;
    }
    if (milter_session_replycode(s, &m->out, r->code, r->xcode, r->text) == 0) {
        buf_printf(what, "%s %s %s %s", word, r->code, r->xcode, r->text);
        return;
    }
    milter_session_reply(s, &m->out, d == MW_REJECT ? MILTER_R_REJECT : MILTER_R_TEMPFAIL);
    buf_puts(what, word);
}

/* Render the decision d (edits first when the message is kept); the
 * reply's words for the log in what. */
static void
mw_answer(struct mw_eom *m, enum mw_decision d, struct buf *what)
{
    struct milter_session *s = &m->mc->s;
    const char *reason = m->v.smtp_message != NULL && m->v.smtp_message[0] != '\0'
                             ? m->v.smtp_message
                             : m->cfg->quarantine_message;

    switch (d) {
    case MW_REJECT:
    case MW_TEMPFAIL:
        mw_refuse(m, d, what);
        return;
    case MW_DISCARD:
        milter_session_reply(s, &m->out, MILTER_R_DISCARD);
        buf_puts(what, "discard");
        return;
    case MW_QUARANTINE:
        mw_edits(m);
        if (milter_session_may(s, MILTER_ACT_QUARANTINE) &&
            (milter_render_quarantine(&m->out, reason) == 0 ||
             milter_render_quarantine(&m->out, m->cfg->quarantine_message) == 0))
            buf_puts(what, "quarantine, ");
        else
            buf_puts(what, "quarantine not negotiated, ");
        break;
    case MW_ACCEPT:
        mw_edits(m);
        break;
    }
    milter_session_reply(s, &m->out, MILTER_R_ACCEPT);
    buf_puts(what, "accept");
}

/* The log line and the shared statistics of one scan. */
static void
mw_report(struct mw_eom *m, const char *reply, double ms)
{
    const struct mw_verdict *v = &m->v;
    struct stats_scan ss = { .message_id = v->message_id,
                             .ip = m->e.ip != NULL ? m->e.ip : m->c->addr,
                             .user = m->user,
                             .from = m->e.from,
                             .size = m->size,
                             .scan_ms = ms,
                             .res = v->res };
    struct buf syms, rcpts, up;

    if (v->res != NULL)
        stats_record_scan(&ss);
    if (!log_enabled(LOG_LVL_INFO))
        return;
    buf_init(&syms);
    buf_init(&rcpts);
    buf_init(&up);
    for (size_t i = 0; i < v->nsymbols; i++)
        buf_printf(&syms, "%s%s(%.2f)", i ? "," : "", v->symbols[i].name, v->symbols[i].score);
    for (size_t i = 0; i < m->e.nrcpt; i++)
        buf_printf(&rcpts, "%s<%s>", i ? "," : "", m->e.rcpt[i]);
    if (v->upstream != NULL)
        buf_printf(&up, "upstream: %s (try %u), ", v->upstream, v->tries);
    log_tinfo(m->c->tag,
              "milter from %s: qid=%s, mid=<%s>, ip=%s, from=<%s>, rcpt=%s, user=%s%s: %s "
              "[%.2f/%.2f] [%s], len: %zu, time: %.1f ms, %sreply: %s%s%s",
              m->c->peer, m->e.queue_id ? m->e.queue_id : "-",
              v->message_id ? v->message_id : "undef", m->e.ip ? m->e.ip : "-",
              m->e.from ? m->e.from : "", rcpts.len ? rcpts.p : "-", m->user ? m->user : "-",
              v->user_prefs ? " (user_prefs)" : "", mw_action_names[v->action], v->score,
              v->required, syms.len ? syms.p : "", m->size, ms, up.len ? up.p : "", reply,
              m->why ? " " : "", m->why ? m->why : "");
    buf_clear(&syms);
    buf_clear(&rcpts);
    buf_clear(&up);
}

void
mw_reply(struct mw_eom *m)
{
    enum mw_decision d = mw_decide(m);
    struct buf what;

    if (d != MW_ACCEPT && m->user != NULL && !m->cfg->reject_authenticated) {
        m->why = "(authenticated sender: not refused)";
        d = MW_ACCEPT;
    } else if (d != MW_ACCEPT && m->secure && !m->cfg->reject_secure_ip) {
        m->why = "(secure_ip: not refused)";
        d = MW_ACCEPT;
    }
    buf_init(&what);
    mw_answer(m, d, &what);
    mw_report(m, what.p, (clock_mono() - m->t0) * 1000.0);
    buf_clear(&what);
}

void
mw_reply_unscanned(struct mw_eom *m, bool tempfail, const char *why)
{
    const struct milter_smtp_reply *r = &m->cfg->tempfail;

    log_tinfo(m->c->tag, "milter from %s: qid=%s: not scanned, %s: %s", m->c->peer,
              m->e.queue_id != NULL ? m->e.queue_id : "-", why, tempfail ? "tempfail" : "accept");
    if (tempfail) {
        if (milter_session_replycode(&m->mc->s, &m->out, r->code, r->xcode, r->text) == -1)
            milter_session_reply(&m->mc->s, &m->out, MILTER_R_TEMPFAIL);
        return;
    }
    for (size_t i = 0; i < m->cfg->remove_headers.n; i++)
        milter_session_hdr_delete(&m->mc->s, &m->out, m->cfg->remove_headers.v[i], 0);
    milter_session_reply(&m->mc->s, &m->out, MILTER_R_ACCEPT);
}
