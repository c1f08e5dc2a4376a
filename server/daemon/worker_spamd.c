/*
 * worker_spamd.c - spamd protocol glue (see worker_spamd.h).
 * One request per connection, as spamd serves it: parse, answer, close.
 * Scanning methods arrive with the scan pipeline; until then they are
 * answered EX_UNAVAILABLE, which spamc treats as "pass the mail unscanned".
 */
#include "daemon/worker_spamd.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "daemon/conn.h"
#include "daemon/worker.h"
#include "proto/proto_spamd.h"

const struct cfg_key spamd_worker_keys[] = {
    { "max_size", CFG_T_SIZE, "50M", offsetof(struct spamd_worker_cfg, max_size),
      "largest message accepted, in bytes (the compressed size with Compress: zlib); "
      "bigger ones are answered EX_DATAERR (65)",
      NULL },
    { "max_line", CFG_T_SIZE, "8k", offsetof(struct spamd_worker_cfg, max_line),
      "longest request or header line, in bytes", NULL },
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
        log_tinfo(c->tag, "TELL from %s refused: learning is not enabled", c->peer);
        spamd_reply_error(c, SPAMD_EX_UNAVAILABLE,
                          "Service Unavailable: TELL commands are not enabled, set the "
                          "--allow-tell switch.");
        return;
    default:
        log_tinfo(c->tag, "%s from %s (%zu bytes) refused: no scanner is configured",
                  spamd_method_name(req->method), c->peer, req->body.len);
        spamd_reply_error(c, SPAMD_EX_UNAVAILABLE,
                          "Service Unavailable: no scanner is configured on this server");
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
