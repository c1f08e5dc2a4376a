/*
 * worker_spamd.c - spamd protocol glue (see worker_spamd.h).
 * One request per connection, as spamd serves it: parse, scan, answer,
 * close. The reply is rendered as SpamAssassin renders it (compat's
 * sa_markup: the report, the rewritten message) in proto_spamd's framing.
 */
#include "daemon/worker_spamd.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "compat/sa_markup.h"
#include "core/clock.h"
#include "core/log.h"
#include "daemon/conn.h"
#include "daemon/scanner.h"
#include "daemon/stats.h"
#include "daemon/worker.h"
#include "mime/mime_get.h"
#include "proto/proto_spamd.h"

const struct cfg_key spamd_worker_keys[] = {
    { "max_size", CFG_T_SIZE, "50M", offsetof(struct spamd_worker_cfg, max_size),
      "largest message accepted, in bytes (the compressed size with Compress: zlib); "
      "bigger ones are answered EX_DATAERR (65)",
      NULL },
    { "max_line", CFG_T_SIZE, "8k", offsetof(struct spamd_worker_cfg, max_line),
      "longest request or header line, in bytes", NULL },
    { "allow_tell", CFG_T_BOOL, "no", offsetof(struct spamd_worker_cfg, allow_tell),
      "accept TELL (spamc -L/-C: learning and reporting), as spamd --allow-tell", NULL },
    { "max_conn_per_child", CFG_T_UINT, "0", offsetof(struct spamd_worker_cfg, max_conn_per_child),
      "connections a worker process serves before it exits and a fresh one replaces it (spamd "
      "--max-conn-per-child); 0: no limit",
      NULL },
};
const size_t spamd_worker_nkeys = sizeof(spamd_worker_keys) / sizeof(spamd_worker_keys[0]);

struct spamd_conn {
    struct spamd_parser sp;
};

static void
spamd_reply(struct conn *c, struct buf *out)
{
    conn_write(c, out->p, out->len);
    buf_clear(out);
    conn_done(c, false);
}

static void
spamd_reply_error(struct conn *c, int code, const char *text)
{
    struct buf out;

    buf_init(&out);
    spamd_render_error(&out, code, text);
    spamd_reply(c, &out);
}

/* Report a scan to the statistics every process shares (the controller's
 * /stat and /history). mid: the Message-Id value, or an empty view. */
static void
spamd_stats(struct task *t, const struct scan_result *res, const struct spamd_request *req,
            const char *addr, struct strv mid, double ms)
{
    bool has_from = false;
    struct strv from = mime_get_scalar(task_message(t), "From:addr", &has_from);
    char id[STATS_MSGID_LEN], sender[STATS_FROM_LEN];
    struct stats_scan ss = { .message_id = id,
                             .ip = addr,
                             .user = req->user,
                             .from = sender,
                             .size = req->body.len,
                             .scan_ms = ms,
                             .res = res };

    mid = strv_trim(mid);
    if (mid.len >= 2 && mid.p[0] == '<' && mid.p[mid.len - 1] == '>')
        mid = strv_make(mid.p + 1, mid.len - 2);
    snprintf(id, sizeof(id), "%.*s", (int)(mid.len < sizeof(id) ? mid.len : sizeof(id)), mid.p);
    snprintf(sender, sizeof(sender), "%.*s",
             has_from ? (int)(from.len < sizeof(sender) ? from.len : sizeof(sender)) : 0,
             has_from ? from.p : "");
    stats_record_scan(&ss);
}

/* What scanning and learning both need: rules loaded, the body inflated
 * (Compress: zlib). false when the error reply is already on its way. */
static bool
spamd_ready(struct conn *c)
{
    struct spamd_conn *sc = c->state;
    struct spamd_request *req = &sc->sp.req;
    const struct spamd_worker_cfg *cfg = c->w->wc->proto;
    char text[256];
    int code;

    if (c->w->scanner == NULL) {
        log_tinfo(c->tag, "%s from %s refused: no rules are loaded", spamd_method_name(req->method),
                  c->peer);
        spamd_reply_error(c, SPAMD_EX_UNAVAILABLE,
                          "Service Unavailable: no rules are loaded on this server");
        return false;
    }
    if (req->compress && spamd_inflate(req, cfg->max_size, &code, text, sizeof(text)) == -1) {
        log_tinfo(c->tag, "bad request from %s: %d %s", c->peer, code, text);
        spamd_reply_error(c, code, text);
        return false;
    }
    return true;
}

/* Scan the message and write the method's reply. */
static void
spamd_scan(struct conn *c)
{
    struct spamd_conn *sc = c->state;
    struct spamd_request *req = &sc->sp.req;
    struct scanner *scn = c->w->scanner;
    const struct sa_markup *mk;
    const struct scan_result *res;
    struct scanner_scan sr;
    struct spamd_result r = { 0 };
    struct sa_markup_env env;
    char score[32], thr[32];
    struct buf body, out, tests;
    struct task *t;
    double t0 = clock_mono();
    bool found = false;
    struct strv mid;

    if (!spamd_ready(c))
        return;
    env.remote_addr = c->addr;
    env.remote_host = c->addr;
    /* SA scans an empty message as a single newline */
    scanner_scan(scn, req->body.len > 0 ? req->body.p : "\n", req->body.len > 0 ? req->body.len : 1,
                 req->user, &sr);
    t = sr.task;
    res = sr.res;
    mk = sr.markup;
    buf_init(&body);
    buf_init(&out);
    buf_init(&tests);
    switch (req->method) {
    case SPAMD_SYMBOLS:
        sa_markup_symbols(res, &body);
        break;
    case SPAMD_REPORT:
    case SPAMD_REPORT_IFSPAM:
        if (req->method == SPAMD_REPORT || res->is_spam)
            sa_markup_report(mk, t, res, &env, &body);
        break;
    case SPAMD_PROCESS:
    case SPAMD_HEADERS:
        sa_markup_rewrite(mk, t, res, &env, &body);
        break;
    default:
        break;
    }
    sa_markup_score(res, score, sizeof(score));
    sa_markup_required(res, thr, sizeof(thr));
    r.is_spam = res->is_spam;
    r.score = score;
    r.threshold = thr;
    r.body = body.p;
    r.body_len = body.len;
    spamd_render_result(&out, req, &r);
    sa_markup_symbols(res, &tests);
    mid = mime_get_scalar(task_message(t), "Message-Id", &found);
    while (found && mid.len > 0 && (mid.p[mid.len - 1] == '\n' || mid.p[mid.len - 1] == '\r'))
        mid.len--;
    log_tinfo(c->tag,
              "%s %s for %s%s from %s: %s (%s/%s) in %.1f ms, %zu bytes, mid=%.*s, tests=%s",
              spamd_method_name(req->method), res->is_spam ? "identified spam" : "clean message",
              req->user ? req->user : "(unknown)", sr.user_prefs ? " (user_prefs)" : "", c->peer,
              res->is_spam ? "Y" : "N", score, thr, (clock_mono() - t0) * 1000.0, req->body.len,
              found ? (int)mid.len : 9, found ? mid.p : "(unknown)", tests.len ? tests.p : "none");
    spamd_stats(t, res, req, c->addr, found ? mid : strv_make("", 0), (clock_mono() - t0) * 1000.0);
    task_free(&t);
    spamd_reply(c, &out);
    buf_clear(&body);
    buf_clear(&out);
    buf_clear(&tests);
}

/* TELL (spamc -L spam|ham|forget): learn into or forget from Bayes as
 * spamd does: DidSet/DidRemove local when the store changed, nothing when
 * the message was already learned so (spamc then says so), and with
 * Bayes off nothing either (spamd without a Bayes scanner). Set/Remove
 * remote (reporting to Razor, Pyzor...) is not done: no DidSet remote. */
static void
spamd_tell(struct conn *c)
{
    struct spamd_conn *sc = c->state;
    struct spamd_request *req = &sc->sp.req;
    struct scanner *scn = c->w->scanner;
    unsigned did_set = 0, did_remove = 0;
    enum classifier_outcome o;
    struct sift_err err = { 0 };
    char msgid[512] = "(unknown)", text[256];
    struct buf out;
    double t0 = clock_mono();

    if (!spamd_ready(c))
        return;
    if (req->set & SPAMD_LOCAL) {
        o = scanner_learn(scn, req->body.p ? req->body.p : "", req->body.len,
                          req->class_spam ? CLASSIFIER_LEARN_SPAM : CLASSIFIER_LEARN_HAM, msgid,
                          sizeof(msgid), &err);
        if (o == CLASSIFIER_DONE || o == CLASSIFIER_RELEARNED)
            did_set |= SPAMD_LOCAL;
    } else if (req->remove & SPAMD_LOCAL) {
        o = scanner_learn(scn, req->body.p ? req->body.p : "", req->body.len, CLASSIFIER_FORGET,
                          msgid, sizeof(msgid), &err);
        if (o == CLASSIFIER_DONE)
            did_remove |= SPAMD_LOCAL;
    } else {
        o = CLASSIFIER_DONE;
    }
    if (o == CLASSIFIER_FAILED) {
        log_twarn(c->tag, "TELL from %s: learning <%s> failed: %s", c->peer, msgid, err.msg);
        snprintf(text, sizeof(text), "Internal software error: learning failed: %.200s", err.msg);
        spamd_reply_error(c, SPAMD_EX_SOFTWARE, text);
        return;
    }
    if (o == CLASSIFIER_OFF)
        log_tinfo(c->tag, "TELL from %s: %s", c->peer, err.msg);
    if ((req->set | req->remove) & SPAMD_REMOTE)
        log_tinfo(c->tag, "TELL from %s: reporting to remote services is not available", c->peer);
    if (did_set != 0 && stats_global() != NULL)
        stats_add_learned(stats_global());
    log_tinfo(c->tag, "Tell:%s for %s <%s> in %.1f ms, %zu bytes",
              did_set      ? (req->class_spam ? " Setting local (spam)" : " Setting local (ham)")
              : did_remove ? " Removing local"
                           : " Did nothing",
              req->user ? req->user : "(unknown)", msgid, (clock_mono() - t0) * 1000.0,
              req->body.len);
    buf_init(&out);
    spamd_render_tell(&out, did_set, did_remove);
    spamd_reply(c, &out);
}

static void
spamd_serve(struct conn *c)
{
    struct spamd_conn *sc = c->state;
    const struct spamd_request *req = &sc->sp.req;
    struct buf out;

    conn_busy(c);
    buf_init(&out);
    switch (req->method) {
    case SPAMD_PING:
        log_tdebug(c->tag, "PING from %s", c->peer);
        spamd_render_pong(&out);
        spamd_reply(c, &out);
        return;
    case SPAMD_SKIP:
        log_tinfo(c->tag, "SKIP from %s: client skipped the message", c->peer);
        conn_done(c, false);
        return;
    case SPAMD_TELL:
        if (!((const struct spamd_worker_cfg *)c->w->wc->proto)->allow_tell) {
            log_tinfo(c->tag, "TELL from %s refused: allow_tell is off", c->peer);
            spamd_reply_error(c, SPAMD_EX_UNAVAILABLE,
                              "Service Unavailable: TELL commands are not enabled, set the "
                              "--allow-tell switch.");
            return;
        }
        if ((req->set & req->remove & SPAMD_LOCAL) || (req->set & req->remove & SPAMD_REMOTE)) {
            spamd_reply_error(c, SPAMD_EX_PROTOCOL,
                              (req->set & req->remove & SPAMD_LOCAL)
                                  ? "Bad header line: Unable to set local and remove local in "
                                    "the same operation."
                                  : "Bad header line: Unable to set remote and remove remote in "
                                    "the same operation.");
            return;
        }
        spamd_tell(c);
        return;
    default:
        spamd_scan(c);
        return;
    }
}

static void
spamd_status(struct conn *c, enum proto_status st)
{
    struct spamd_conn *sc = c->state;

    if (st == PROTO_DONE) {
        spamd_serve(c);
    } else if (st == PROTO_ERROR) {
        log_tinfo(c->tag, "bad request from %s: %d %s", c->peer, sc->sp.err_code, sc->sp.err_text);
        spamd_reply_error(c, sc->sp.err_code, sc->sp.err_text);
    }
}

static void
spamd_open(struct conn *c)
{
    struct spamd_conn *sc = c->state;
    const struct spamd_worker_cfg *cfg = c->w->wc->proto;
    struct spamd_limits lim = { cfg->max_size, cfg->max_line };

    spamd_parser_init(&sc->sp, &lim);
    /* this connection is still served; the worker takes no more */
    if (cfg->max_conn_per_child > 0 && c->w->accepted >= cfg->max_conn_per_child)
        worker_retire(c->w, "max_conn_per_child");
}

static void
spamd_data(struct conn *c, struct evbuffer *in)
{
    struct spamd_conn *sc = c->state;
    size_t len = evbuffer_get_length(in), used = 0;
    const char *p;
    enum proto_status st;

    if (len == 0)
        return;
    conn_reading(c);
    p = (const char *)evbuffer_pullup(in, -1);
    st = spamd_feed(&sc->sp, p, len, &used);
    if (st == PROTO_DONE && spamd_overrun(&sc->sp.req, p + used, len - used, sc->sp.err_text,
                                          sizeof(sc->sp.err_text)) == -1) {
        sc->sp.err_code = SPAMD_EX_PROTOCOL;
        sc->sp.state = SPAMD_PS_ERROR;
        st = PROTO_ERROR;
    }
    evbuffer_drain(in, used);
    spamd_status(c, st);
}

static void
spamd_eof_cb(struct conn *c, struct evbuffer *in)
{
    struct spamd_conn *sc = c->state;

    spamd_data(c, in); /* bytes that came with the FIN */
    if (sc->sp.state == SPAMD_PS_DONE || sc->sp.state == SPAMD_PS_ERROR)
        return;
    spamd_status(c, spamd_eof(&sc->sp));
}

static void
spamd_timeout(struct conn *c, bool idle)
{
    char text[128];

    log_tinfo(c->tag, "%s: timed out reading the request", c->peer);
    snprintf(text, sizeof(text), "Timeout: (%.0f second socket timeout reading input from client)",
             idle ? c->w->wc->idle_timeout : c->w->wc->read_timeout);
    spamd_reply_error(c, SPAMD_EX_TIMEOUT, text);
}

static void
spamd_close(struct conn *c)
{
    struct spamd_conn *sc = c->state;

    spamd_parser_clear(&sc->sp);
}

const struct conn_proto spamd_conn_proto = {
    .state_size = sizeof(struct spamd_conn),
    .open = spamd_open,
    .data = spamd_data,
    .eof = spamd_eof_cb,
    .timeout = spamd_timeout,
    .close = spamd_close,
};
