/*
 * worker_milter.c - the proxy worker's milter sessions (see
 * worker_milter.h): the connection and the message as it arrives; the
 * keys are worker_milter_cfg.c's, the scan worker_milter_scan.c's
 * (self-scan) or worker_milter_upstream.c's, the reply
 * worker_milter_reply.c's.
 */
#include "daemon/worker_milter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compat/sa_markup.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "daemon/conn.h"
#include "daemon/envelope.h"
#include "daemon/scanner.h"
#include "daemon/upstream.h"
#include "daemon/worker.h"
#include "daemon/worker_milter_int.h"
#include "proto/proto_milter.h"
#include "proto/proto_milter_session.h"

/* --- the message as it arrives -------------------------------------------- */

static const struct milter_worker_cfg *
mw_cfg(const struct conn *c)
{
    return c->w->wc->proto;
}

/* The timeouts of a milter session: session_timeout whenever the MTA is
 * to send (conn.c's idle and read timeouts are set on each phase change). */
static void
mw_timeouts(struct conn *c)
{
    struct timeval tv = clock_tv(mw_cfg(c)->session_timeout);
    bool none = mw_cfg(c)->session_timeout <= 0;

    if (!c->dead && (c->phase == CONN_IDLE || c->phase == CONN_READING))
        bufferevent_set_timeouts(c->bev, none ? NULL : &tv, none ? NULL : &tv);
}

/* Past this, the buffer of a message is freed once it is answered (a
 * session idle after a big message should not hold its memory). */
#define MW_KEEP_BUF (256u * 1024u)

static void
mw_msg_reset(struct mw_conn *mc)
{
    if (mc->msg.cap > MW_KEEP_BUF) {
        buf_clear(&mc->msg);
        buf_init(&mc->msg);
    }
    buf_reset(&mc->msg);
    mc->hop = 0;
    mc->started = mc->in_body = mc->cr = mc->oversized = false;
    mc->size = 0;
}

/* A macro's value as a C string (it is NUL-terminated in the session), or NULL. */
const char *
mw_macro(const struct mw_conn *mc, const char *name)
{
    struct strv v;

    if (!milter_session_macro(&mc->s, name, &v) || v.len == 0)
        return NULL;
    return v.p;
}

/* "<a@b>" -> "a@b" in a. */
static const char *
mw_unangle(struct arena *a, const char *s, size_t n)
{
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s++;
        n -= 2;
    }
    return arena_strndup(a, s, n);
}

/* The client's address when the MTA gave an IP one, else NULL. */
static const char *
mw_client_ip(const struct mw_conn *mc)
{
    struct ipaddr a;
    const char *ip = mc->s.address.p;

    if ((mc->s.family != MILTER_FAMILY_INET && mc->s.family != MILTER_FAMILY_INET6) ||
        !ipaddr_parse(strv_cstr(ip), &a))
        return NULL;
    return ip;
}

/* The client's verified name: CONNECT's host unless Postfix says it has
 * none ("unknown", "[192.0.2.1]"), else {client_name}. */
static const char *
mw_client_name(const struct mw_conn *mc)
{
    const char *h = mc->s.host.p, *m;

    if (h[0] != '\0' && h[0] != '[' && strcmp(h, "unknown") != 0)
        return h;
    m = mw_macro(mc, "client_name");
    if (m != NULL && m[0] != '[' && strcmp(m, "unknown") != 0)
        return m;
    return NULL;
}

/* s copied into a, or NULL. */
static const char *
mw_dup(struct arena *a, const char *s)
{
    return s != NULL ? arena_strdup(a, s) : NULL;
}

/* The envelope the session holds, its strings in a (the session forgets
 * the message's once it is answered). */
static void
mw_envelope(const struct mw_conn *mc, struct arena *a, struct envelope *e)
{
    const char **rcpt = arena_calloc(a, mc->s.nrcpts ? mc->s.nrcpts : 1, sizeof(*rcpt));
    bool tls = mw_macro(mc, "tls_version") != NULL || mw_macro(mc, "cipher") != NULL;
    bool auth = mw_macro(mc, "auth_authen") != NULL;

    memset(e, 0, sizeof(*e));
    e->ip = mw_dup(a, mw_client_ip(mc));
    e->helo = mw_dup(a, mc->s.helo.p);
    e->hostname = mw_dup(a, mw_client_name(mc));
    if (mc->s.sender.len > 0)
        e->from = mw_unangle(a, mc->s.sender.p, mc->s.sender.len);
    for (size_t i = 0; i < mc->s.nrcpts; i++)
        rcpt[i] = mw_unangle(a, mc->s.rcpt_data.p + mc->s.rcpts[i].off, mc->s.rcpts[i].len);
    e->rcpt = rcpt;
    e->nrcpt = mc->s.nrcpts;
    e->queue_id = mw_dup(a, mw_macro(mc, "i"));
    /* as Postfix names its own hop: S for TLS, A for SMTP AUTH (SA reads both) */
    e->with = tls ? (auth ? "ESMTPSA" : "ESMTPS") : (auth ? "ESMTPA" : "ESMTP");
}

/* The host the hop is received by: the MTA's name (j), else this host's. */
static const char *
mw_byhost(const struct conn *c, const struct mw_conn *mc)
{
    const char *j = mw_macro(mc, "j");

    if (j != NULL)
        return j;
    if (c->w->scanner != NULL)
        return sa_markup_fqdn(c->w->scanner->rules->markup);
    return "localhost";
}

/* Count n more bytes of the message; false once it is over max_size. */
static bool
mw_msg_room(struct conn *c, size_t n)
{
    struct mw_conn *mc = c->state;

    mc->size += n;
    if (mc->oversized)
        return false;
    if (mc->size > mw_cfg(c)->max_size) {
        mc->oversized = true;
        buf_clear(&mc->msg); /* its memory goes back now */
        buf_init(&mc->msg);
        return false;
    }
    return true;
}

/* The first bytes of the message: the MTA's hop. */
static void
mw_msg_start(struct conn *c)
{
    struct mw_conn *mc = c->state;
    struct envelope e;
    struct arena *a;

    if (mc->started)
        return;
    mc->started = true;
    if (mw_cfg(c)->up.ndefs > 0)
        return; /* a scanner adds the hop itself, from the envelope the request carries */
    a = arena_new(1024);
    mw_envelope(mc, a, &e);
    envelope_received(&e, mw_byhost(c, mc), time(NULL), &mc->msg);
    mc->hop = mc->msg.len;
    arena_free(&a);
}

/* Append s[0..n) with CRLF made LF; a CR at the end waits in mc->cr for
 * the next chunk (Postfix may split a CRLF between two BODY packets). */
static void
mw_put_lf(struct mw_conn *mc, const char *s, size_t n)
{
    const char *p = s, *end = s + n;

    if (mc->cr && p < end) {
        if (*p != '\n')
            buf_putc(&mc->msg, '\r');
        mc->cr = false;
    }
    while (p < end) {
        const char *r = memchr(p, '\r', (size_t)(end - p));

        if (r == NULL) {
            buf_append(&mc->msg, p, (size_t)(end - p));
            break;
        }
        buf_append(&mc->msg, p, (size_t)(r - p));
        if (r + 1 == end) {
            mc->cr = true;
            break;
        }
        if (r[1] != '\n')
            buf_putc(&mc->msg, '\r');
        p = r + 1;
    }
}

/* A HEADER: "Name: value\n", its folds as the MTA sent them ("\n" + white space). */
static void
mw_msg_header(struct conn *c, struct strv name, struct strv value)
{
    struct mw_conn *mc = c->state;
    bool lead = (mc->s.neg.protocol & MILTER_P_HDR_LEADSPC) != 0;

    if (!mw_msg_room(c, name.len + value.len + 3))
        return;
    mw_msg_start(c);
    if (mc->in_body)
        return; /* a header after EOH: the MTA broke the order; the body has begun */
    buf_append(&mc->msg, name.p, name.len);
    buf_append(&mc->msg, lead ? ":" : ": ", lead ? 1 : 2);
    mw_put_lf(mc, value.p, value.len);
    if (mc->cr) {
        buf_putc(&mc->msg, '\r');
        mc->cr = false;
    }
    buf_putc(&mc->msg, '\n');
}

/* The end of the header lines (EOH, or the body or end without one). */
static void
mw_msg_eoh(struct conn *c)
{
    struct mw_conn *mc = c->state;

    if (mc->in_body || !mw_msg_room(c, 1))
        return;
    mw_msg_start(c);
    buf_putc(&mc->msg, '\n');
    mc->in_body = true;
}

static void
mw_msg_body(struct conn *c, struct strv chunk)
{
    struct mw_conn *mc = c->state;

    mw_msg_eoh(c);
    if (chunk.len == 0 || !mw_msg_room(c, chunk.len))
        return;
    mw_put_lf(mc, chunk.p, chunk.len);
}

/* --- the end of message ----------------------------------------------------- */

/* The client is in secure_ip (or on the MTA's Unix socket, unless secure_ip is []). */
static bool
mw_secure(const struct mw_conn *mc, const struct milter_worker_cfg *cfg)
{
    struct ipaddr a;

    if (mc->s.family == MILTER_FAMILY_UNIX)
        return cfg->secure.n > 0;
    if ((mc->s.family != MILTER_FAMILY_INET && mc->s.family != MILTER_FAMILY_INET6) ||
        !ipaddr_parse(strv_cstr(mc->s.address.p), &a))
        return false;
    return ipset_contains(&cfg->secure, &a);
}

void
mw_eom_finish(struct mw_eom *m)
{
    struct conn *c = m->c;
    struct mw_conn *mc = m->mc;

    conn_write(c, m->out.p, m->out.len);
    buf_clear(&m->out);
    arena_free(&m->a);
    free(m);
    mw_msg_reset(mc);
    mc->msgs++;
}

void
mw_next(struct conn *c)
{
    conn_done(c, true);
    mw_timeouts(c);
}

/* A pending end of message whose connection goes away: stop its call. */
static void
mw_eom_drop(struct mw_conn *mc)
{
    struct mw_eom *m = mc->pending;

    if (m == NULL)
        return;
    mc->pending = NULL;
    upstream_call_cancel(&m->call);
    buf_clear(&m->out);
    arena_free(&m->a);
    free(m);
}

/* End of message: scan here or ask a scanner (or not scan), and answer;
 * true when the answer comes later (upstream mode). */
static bool
mw_eom(struct conn *c)
{
    struct mw_conn *mc = c->state;
    const struct milter_worker_cfg *cfg = mw_cfg(c);
    struct mw_eom *m = xcalloc(1, sizeof(*m));

    conn_busy(c);
    mw_msg_eoh(c);
    if (mc->cr && !mc->oversized)
        buf_putc(&mc->msg, '\r');
    mc->cr = false;
    *m = (struct mw_eom){ .c = c, .mc = mc, .cfg = cfg, .t0 = clock_mono() };
    m->a = arena_new(4096);
    buf_init(&m->out);
    mw_envelope(mc, m->a, &m->e);
    m->user = mw_dup(m->a, mw_macro(mc, "auth_authen"));
    m->secure = mw_secure(mc, cfg);
    if (mc->oversized) {
        mw_reply_unscanned(m, false,
                           arena_printf(m->a, "%llu bytes is over max_size (%zu)",
                                        (unsigned long long)mc->size, cfg->max_size));
    } else if (cfg->up.ndefs > 0) {
        if (mw_upstream_start(m))
            return true;
        mw_reply_unscanned(m, cfg->default_action == MILTER_DEFAULT_TEMPFAIL, "no upstream is up");
    } else if (c->w->scanner == NULL) {
        mw_reply_unscanned(m, cfg->default_action == MILTER_DEFAULT_TEMPFAIL,
                           "no rules are loaded");
    } else {
        mw_scan(m);
        mw_reply(m);
    }
    mw_eom_finish(m);
    return false;
}

/* --- the connection ------------------------------------------------------- */

enum mw_step { MW_GO_ON, MW_DECIDED, MW_PENDING, MW_QUIT, MW_BROKEN };

/* Follow one command: the message's bytes, then what the MTA waits for. */
static enum mw_step
mw_command(struct conn *c, const struct milter_command *cmd)
{
    struct mw_conn *mc = c->state;
    enum milter_next next = milter_session_apply(&mc->s, cmd);
    struct buf out;

    if (next == MILTER_NEXT_ERROR) {
        log_tinfo(c->tag, "milter protocol error from %s: %s; closing", c->peer, mc->s.err);
        return MW_BROKEN;
    }
    switch (cmd->cmd) {
    case MILTER_CMD_CONNECT:
    case MILTER_CMD_HELO:
    case MILTER_CMD_MAIL:
    case MILTER_CMD_ABORT:
    case MILTER_CMD_QUIT_NC:
        if (mc->started && cmd->cmd != MILTER_CMD_MAIL)
            log_tdebug(c->tag, "%s: message of %llu bytes abandoned by the MTA (%s)", c->peer,
                       (unsigned long long)mc->size, milter_cmd_name(cmd->cmd));
        mw_msg_reset(mc);
        break;
    case MILTER_CMD_HEADER:
        mw_msg_header(c, cmd->name, cmd->value);
        break;
    case MILTER_CMD_EOH:
        mw_msg_eoh(c);
        break;
    case MILTER_CMD_BODY:
    case MILTER_CMD_EOB: /* Sendmail may put the last chunk here */
        mw_msg_body(c, cmd->data);
        break;
    default:
        break;
    }
    buf_init(&out);
    switch (next) {
    case MILTER_NEXT_OPTNEG:
        milter_session_render_optneg(&mc->s, &out);
        log_tdebug(c->tag, "milter v%lu from %s: actions 0x%lx, protocol 0x%lx agreed",
                   (unsigned long)mc->s.neg.version, c->peer, (unsigned long)mc->s.neg.actions,
                   (unsigned long)mc->s.neg.protocol);
        break;
    case MILTER_NEXT_REPLY:
        milter_session_reply(&mc->s, &out, MILTER_R_CONTINUE);
        break;
    case MILTER_NEXT_EOM:
        buf_clear(&out);
        return mw_eom(c) ? MW_PENDING : MW_DECIDED;
    case MILTER_NEXT_CLOSE:
        buf_clear(&out);
        return MW_QUIT;
    default:
        break;
    }
    conn_write(c, out.p, out.len);
    buf_clear(&out);
    return MW_GO_ON;
}

/* rspamd's proxy answers a monitor's GET /ping on the milter port. true
 * when the peer speaks HTTP (answered, or more of its request awaited). */
static bool
mw_http(struct conn *c, struct evbuffer *in)
{
    static const char pong[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nServer: sift\r\n"
                               "Content-Type: text/plain\r\nContent-Length: 6\r\n\r\npong\r\n";
    struct mw_conn *mc = c->state;
    size_t len = evbuffer_get_length(in);
    const char *p;
    struct evbuffer_ptr end;

    if (!mc->http) {
        if (mc->s.negotiated || c->served > 0 || len < 4)
            return false;
        if (memcmp(evbuffer_pullup(in, 4), "GET ", 4) != 0)
            return false;
        mc->http = true;
    }
    end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
    if (end.pos == -1) {
        if (len > 8192)
            conn_abort(c);
        return true;
    }
    p = (const char *)evbuffer_pullup(in, end.pos);
    conn_busy(c);
    if (end.pos >= 10 && memcmp(p, "GET /ping ", 10) == 0) {
        log_tdebug(c->tag, "HTTP ping from %s", c->peer);
        conn_write(c, pong, sizeof(pong) - 1);
    } else {
        log_tinfo(c->tag, "HTTP request from %s on the milter port refused", c->peer);
    }
    evbuffer_drain(in, len);
    conn_done(c, false);
    return true;
}

static void
mw_open(struct conn *c)
{
    struct mw_conn *mc = c->state;

    milter_parser_init(&mc->mp, NULL);
    milter_session_init(&mc->s, NULL, NULL);
    buf_init(&mc->msg);
    mw_timeouts(c);
}

static void
mw_data(struct conn *c, struct evbuffer *in)
{
    struct mw_conn *mc = c->state;
    size_t len = evbuffer_get_length(in), off = 0;
    enum mw_step step = MW_GO_ON;
    const char *p;

    if (len == 0)
        return;
    conn_reading(c);
    mw_timeouts(c);
    if (mw_http(c, in) || len < mc->mp.need)
        return;
    p = (const char *)evbuffer_pullup(in, -1);
    while (step == MW_GO_ON && off < len) {
        size_t used = 0;
        enum proto_status st = milter_feed(&mc->mp, p + off, len - off, &used);

        if (st == PROTO_MORE)
            break;
        if (st == PROTO_ERROR) {
            log_tinfo(c->tag, "milter protocol error from %s: %s; closing", c->peer, mc->mp.err);
            conn_abort(c);
            return;
        }
        off += used;
        step = mw_command(c, &mc->mp.cmd);
    }
    evbuffer_drain(in, off);
    switch (step) {
    case MW_GO_ON:
        break;
    case MW_DECIDED:
        mw_next(c); /* the next message, or QUIT, on this connection */
        break;
    case MW_PENDING:
        break; /* a scanner has it: mw_upstream_done answers */
    case MW_QUIT:
        log_tdebug(c->tag, "milter session from %s ends after %u message(s)", c->peer, mc->msgs);
        conn_done(c, false);
        break;
    case MW_BROKEN:
        conn_abort(c);
        break;
    }
}

static void
mw_eof(struct conn *c, struct evbuffer *in)
{
    struct mw_conn *mc = c->state;

    mw_data(c, in); /* packets that came with the FIN */
    if (c->dead || c->phase == CONN_CLOSING || c->phase == CONN_LINGER)
        return;
    if (mc->s.in_msg)
        log_tinfo(c->tag, "%s closed the milter session in the middle of a message", c->peer);
    conn_abort(c);
}

static void
mw_timeout(struct conn *c, bool idle)
{
    struct mw_conn *mc = c->state;

    (void)idle;
    log_tinfo(c->tag, "milter session from %s: nothing from the MTA for %.0f s%s; closing", c->peer,
              mw_cfg(c)->session_timeout, mc->s.in_msg ? " in the middle of a message" : "");
    conn_abort(c);
}

static void
mw_close(struct conn *c)
{
    struct mw_conn *mc = c->state;

    mw_eom_drop(mc);
    milter_parser_clear(&mc->mp);
    milter_session_clear(&mc->s);
    buf_clear(&mc->msg);
}

const struct conn_proto milter_conn_proto = {
    .state_size = sizeof(struct mw_conn),
    .open = mw_open,
    .data = mw_data,
    .eof = mw_eof,
    .timeout = mw_timeout,
    .close = mw_close,
};
