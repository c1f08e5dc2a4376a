/*
 * worker_milter.c - the proxy worker's milter sessions, self-scan mode
 * (see worker_milter.h).
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
#include "daemon/conn.h"
#include "daemon/envelope.h"
#include "daemon/scanner.h"
#include "daemon/stats.h"
#include "daemon/worker.h"
#include "mime/mime_get.h"
#include "proto/proto_milter.h"
#include "proto/proto_milter_session.h"

#define MW_OFF(f) offsetof(struct milter_worker_cfg, f)

const struct cfg_key milter_worker_keys[] = {
    { "max_size", CFG_T_SIZE, "50M", MW_OFF(max_size),
      "largest message scanned, in bytes (its header lines and body as rebuilt from the MTA's "
      "packets); a bigger one is accepted unscanned, with remove_headers removed, and logged "
      "(rspamd's proxy does the same)",
      NULL },
    { "session_timeout", CFG_T_TIME, "10m", MW_OFF(session_timeout),
      "close a milter session when the MTA sends nothing for this long; it stands in for "
      "idle_timeout and read_timeout, which would be too short: between two commands the MTA "
      "waits for its SMTP client (Postfix: smtpd_timeout, 300 s); 0: none",
      NULL },
    { "reject_message", CFG_T_STR, "554 5.7.1 Spam message rejected", MW_OFF(reject_message),
      "the SMTP reply to mail whose action is reject: a 5xx code, an optional enhanced code "
      "(5.x.y) and the text; a text alone gets 554 5.7.1",
      NULL },
    { "tempfail_message", CFG_T_STR, "451 4.7.1 Try again later", MW_OFF(tempfail_message),
      "the SMTP reply to mail whose action is greylist (see greylist_action), and when sift "
      "cannot scan and default_action is tempfail: a 4xx code, an optional enhanced code "
      "(4.x.y) and the text; a text alone gets 451 4.7.1",
      NULL },
    { "discard_on_reject", CFG_T_BOOL, "no", MW_OFF(discard_on_reject),
      "accept mail whose action is reject and drop it silently (SMFIR_DISCARD) instead of "
      "refusing it",
      NULL },
    { "quarantine_on_reject", CFG_T_BOOL, "no", MW_OFF(quarantine_on_reject),
      "accept mail whose action is reject into the MTA's hold queue (SMFIR_QUARANTINE; Postfix: "
      "postsuper -H releases it), with the headers, instead of refusing it",
      NULL },
    { "quarantine_message", CFG_T_STR, "Spam message quarantined", MW_OFF(quarantine_message),
      "the reason the MTA logs for quarantine_on_reject", NULL },
    { "greylist_action", CFG_T_ENUM, "tempfail", MW_OFF(greylist_action),
      "what the greylist action does: tempfail (tempfail_message; sift keeps no greylisting "
      "record, so a retry that scores the same is deferred again) or accept",
      "tempfail|accept" },
    { "default_action", CFG_T_ENUM, "accept", MW_OFF(default_action),
      "the answer when sift cannot scan (no rules are loaded): accept the mail unscanned, or "
      "tempfail (tempfail_message); when siftd is not reachable at all the MTA's own setting "
      "decides (Postfix: milter_default_action)",
      "accept|tempfail" },
    { "spam_header", CFG_T_STR, "X-Spam", MW_OFF(spam_header),
      "the header set to Yes on mail whose action is add header or above (a Sieve rule such as "
      "header :is \"X-Spam\" \"Yes\" files on it)",
      NULL },
    { "extended_spam_headers", CFG_T_BOOL, "no", MW_OFF(extended_spam_headers),
      "also add X-Spamd-Result (rspamd's: the score, the required score and every symbol with "
      "its score and options), X-Spam-Score and X-Spam-Report (SpamAssassin's _REPORT_)",
      NULL },
    { "remove_headers", CFG_T_LIST,
      "[X-Spam, X-Spam-Flag, X-Spam-Status, X-Spam-Level, X-Spam-Checker-Version, X-Spam-Report]",
      MW_OFF(remove_headers),
      "headers removed from every message before sift adds its own (every header sift adds is "
      "removed too), so that a sender cannot forge them",
      NULL },
    { "secure_ip", CFG_T_LIST, "[127.0.0.1, \"::1\"]", MW_OFF(secure_ip),
      "SMTP clients (as the MTA reports them) whose mail is scanned and marked but never "
      "refused unless reject_secure_ip: reject, greylist, discard and quarantine become accept "
      "with the headers; addresses and networks (10.0.0.0/8; !NET excludes); a client on the "
      "MTA's own Unix socket counts as one; [] exempts no one",
      NULL },
    { "reject_secure_ip", CFG_T_BOOL, "no", MW_OFF(reject_secure_ip),
      "refuse mail from secure_ip clients as any other", NULL },
    { "secure_ip_settings_id", CFG_T_STR, NULL, MW_OFF(secure_ip_settings_id),
      "a block of the settings section applied to the scans of secure_ip clients' mail (as a "
      "Settings-ID)",
      NULL },
    { "reject_authenticated", CFG_T_BOOL, "no", MW_OFF(reject_authenticated),
      "refuse mail from authenticated senders (SMTP AUTH: the MTA's {auth_authen} macro) as any "
      "other; no: scanned and marked, never refused",
      NULL },
    { "authenticated_settings_id", CFG_T_STR, NULL, MW_OFF(authenticated_settings_id),
      "a block of the settings section applied to the scans of authenticated senders' mail "
      "(their login is the scan's user, as spamd's User)",
      NULL },
};
const size_t milter_worker_nkeys = sizeof(milter_worker_keys) / sizeof(milter_worker_keys[0]);

/* --- config --------------------------------------------------------------- */

int
milter_smtp_reply_parse(const char *s, char cls, const char *def_code, const char *def_xcode,
                        struct milter_smtp_reply *out, struct sift_err *err)
{
    const char *p = s;
    size_t n;
    struct buf probe;
    int rc;

    memset(out, 0, sizeof(*out));
    snprintf(out->code, sizeof(out->code), "%s", def_code);
    snprintf(out->xcode, sizeof(out->xcode), "%s", def_xcode);
    if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
        (p[3] == ' ' || p[3] == '\0')) {
        if (p[0] != cls) {
            sift_err_set(err, "'%s': the code must be %cxx", s, cls);
            return -1;
        }
        memcpy(out->code, p, 3);
        out->code[3] = '\0';
        p += 3;
        while (*p == ' ')
            p++;
        n = strspn(p, "0123456789.");
        if (n > 0 && (p[n] == ' ' || p[n] == '\0') && memchr(p, '.', n) != NULL) {
            if (n >= sizeof(out->xcode) || p[0] != cls) {
                sift_err_set(err, "'%s': the enhanced code must be %c.x.y", s, cls);
                return -1;
            }
            memcpy(out->xcode, p, n);
            out->xcode[n] = '\0';
            p += n;
            while (*p == ' ')
                p++;
        }
    }
    out->text = p;
    if (*p == '\0') {
        sift_err_set(err, "'%s': no text", s);
        return -1;
    }
    /* what the MTA would refuse is refused now */
    buf_init(&probe);
    rc = milter_render_replycode(&probe, out->code, out->xcode, out->text);
    buf_clear(&probe);
    if (rc == -1) {
        sift_err_set(err, "'%s': not an SMTP reply (bad enhanced code, or too long)", s);
        return -1;
    }
    return 0;
}

static void
mw_ipset_release(void *arg)
{
    ipset_clear(arg);
}

/* Where item `item` of key was written in node ("(default)" if nowhere). */
static const char *
mw_key_pos(const struct cfg_node *node, const char *key, size_t item, char *where, size_t len)
{
    const struct cfg_node *k = node != NULL ? cfg_map_get(node, key) : NULL;
    const struct cfg_node *it = k != NULL && k->kind == CFG_LIST ? k->first : k;

    while (it != NULL && k->kind == CFG_LIST && item-- > 0)
        it = it->next;
    if (it == NULL) {
        snprintf(where, len, "(default)");
        return where;
    }
    return cfg_pos_str(&it->pos, where, len);
}

/* A header name sift can send: printable ASCII but ':' and space. */
static bool
mw_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > MILTER_HDR_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] <= ' ' || s[i] >= 127 || s[i] == ':')
            return false;
    }
    return true;
}

static int
mw_check_settings_id(struct cfg *cfg, const struct worker_cfg *wc, const struct cfg_node *node,
                     const char *key, const char **id, struct sift_err *err)
{
    const struct cfg_node *sec = cfg_map_get(cfg->root, "settings");
    char where[512];

    if (*id != NULL && **id == '\0')
        *id = NULL;
    if (*id == NULL)
        return 0;
    if (sec == NULL || sec->kind != CFG_MAP || cfg_map_get(sec, *id) == NULL) {
        sift_err_set(err, "%s: workers.%s.%s: no block '%s' in the settings section",
                     mw_key_pos(node, key, 0, where, sizeof(where)), wc->name, key, *id);
        return -1;
    }
    return 0;
}

int
milter_worker_check(struct cfg *cfg, struct worker_cfg *wc, const struct cfg_node *node,
                    struct sift_err *err)
{
    struct milter_worker_cfg *mc = wc->proto;
    struct sift_err why;
    char where[512];

    ipset_init(&mc->secure);
    arena_on_free(cfg->arena, mw_ipset_release, &mc->secure);
    for (size_t i = 0; i < mc->secure_ip.n; i++) {
        if (ipset_add(&mc->secure, mc->secure_ip.v[i], &why) == -1) {
            sift_err_set(err, "%s: workers.%s.secure_ip: '%s': %s",
                         mw_key_pos(node, "secure_ip", i, where, sizeof(where)), wc->name,
                         mc->secure_ip.v[i], why.msg);
            return -1;
        }
    }
    if (milter_smtp_reply_parse(mc->reject_message, '5', "554", "5.7.1", &mc->reject, &why) == -1) {
        sift_err_set(err, "%s: workers.%s.reject_message: %s",
                     mw_key_pos(node, "reject_message", 0, where, sizeof(where)), wc->name,
                     why.msg);
        return -1;
    }
    if (milter_smtp_reply_parse(mc->tempfail_message, '4', "451", "4.7.1", &mc->tempfail, &why) ==
        -1) {
        sift_err_set(err, "%s: workers.%s.tempfail_message: %s",
                     mw_key_pos(node, "tempfail_message", 0, where, sizeof(where)), wc->name,
                     why.msg);
        return -1;
    }
    if (mc->quarantine_message[0] == '\0' || strpbrk(mc->quarantine_message, "\r\n") != NULL) {
        sift_err_set(err, "%s: workers.%s.quarantine_message: one line of text, please",
                     mw_key_pos(node, "quarantine_message", 0, where, sizeof(where)), wc->name);
        return -1;
    }
    if (!mw_name_ok(mc->spam_header)) {
        sift_err_set(err, "%s: workers.%s.spam_header: '%s' is not a header name",
                     mw_key_pos(node, "spam_header", 0, where, sizeof(where)), wc->name,
                     mc->spam_header);
        return -1;
    }
    for (size_t i = 0; i < mc->remove_headers.n; i++) {
        if (!mw_name_ok(mc->remove_headers.v[i])) {
            sift_err_set(err, "%s: workers.%s.remove_headers: '%s' is not a header name",
                         mw_key_pos(node, "remove_headers", i, where, sizeof(where)), wc->name,
                         mc->remove_headers.v[i]);
            return -1;
        }
    }
    if (mw_check_settings_id(cfg, wc, node, "secure_ip_settings_id", &mc->secure_ip_settings_id,
                             err) == -1 ||
        mw_check_settings_id(cfg, wc, node, "authenticated_settings_id",
                             &mc->authenticated_settings_id, err) == -1)
        return -1;
    return 0;
}

/* --- the message as it arrives -------------------------------------------- */

struct mw_conn {
    struct milter_parser mp;
    struct milter_session s;
    struct buf msg; /* the message as the rules see it: [hop] header lines, "\n", body */
    size_t hop;     /* bytes at the start of msg that are the MTA's hop (Received) */
    bool started;   /* the hop is written: header lines follow */
    bool in_body;   /* the empty line after the header lines is written */
    bool cr;        /* the last body chunk ended in a CR */
    bool oversized; /* past max_size: msg is dropped, the bytes only counted */
    uint64_t size;  /* bytes of the message (header lines and body, as rebuilt) */
    bool http;      /* the peer speaks HTTP (GET /ping) */
    unsigned msgs;  /* messages decided on this connection */
};

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
static const char *
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

/* --- the scan and the reply ---------------------------------------------- */

enum mw_decision { MW_ACCEPT, MW_REJECT, MW_TEMPFAIL, MW_DISCARD, MW_QUARANTINE };

/* One end of message. */
struct mw_eom {
    struct conn *c;
    struct mw_conn *mc;
    const struct milter_worker_cfg *cfg;
    struct arena *a;
    struct envelope e;
    const char *user; /* {auth_authen} */
    bool secure;      /* the client is in secure_ip */
    struct scanner_scan sr;
    struct sa_markup_env env;
    struct buf *out;
    const char *why; /* why a refusal became accept, or NULL */
};

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

/* Remove every instance of each header of remove_headers, and of names. */
static void
mw_remove(struct mw_eom *m, const struct envelope_header *names, size_t n)
{
    for (size_t i = 0; i < m->cfg->remove_headers.n; i++)
        milter_session_hdr_delete(&m->mc->s, m->out, m->cfg->remove_headers.v[i], 0);
    for (size_t i = 0; i < n; i++)
        milter_session_hdr_delete(&m->mc->s, m->out, names[i].name, 0);
}

static int
mw_hit_cmp(const void *x, const void *y)
{
    const struct scan_hit *a = *(const struct scan_hit *const *)x;
    const struct scan_hit *b = *(const struct scan_hit *const *)y;
    double sa = a->score * (a->count > 1 ? a->count : 1);
    double sb = b->score * (b->count > 1 ? b->count : 1);

    sa = sa < 0 ? -sa : sa;
    sb = sb < 0 ? -sb : sb;
    if (sa != sb)
        return sa < sb ? 1 : -1;
    return strcmp(a->rule->name, b->rule->name);
}

/* rspamd's X-Spamd-Result (spec/rspamd-http-protocol.md 4.4): the symbols
 * by their score's size, folded after each ';'. */
static const char *
mw_spamd_result(struct mw_eom *m)
{
    const struct scan_result *res = m->sr.res;
    const struct scan_hit **hits = arena_calloc(m->a, res->nhits ? res->nhits : 1, sizeof(*hits));
    struct buf b;
    const char *r;

    for (size_t i = 0; i < res->nhits; i++)
        hits[i] = &res->hits[i];
    qsort(hits, res->nhits, sizeof(*hits), mw_hit_cmp);
    buf_init(&b);
    buf_printf(&b, "default: %s [%.2f / %.2f]",
               res->action == SCAN_ACTION_REJECT ? "True" : "False", res->score,
               envelope_required(m->sr.actions, res));
    for (size_t i = 0; i < res->nhits; i++) {
        const struct scan_hit *h = hits[i];

        buf_printf(&b, ";\n\t%s(%.2f)[%s]", h->rule->name, h->score * (h->count > 1 ? h->count : 1),
                   h->option != NULL ? h->option : "");
    }
    r = arena_strndup(m->a, b.p, b.len);
    buf_clear(&b);
    return r;
}

/* The headers to add: SpamAssassin's, the spam header, the extended ones. */
static size_t
mw_fields(struct mw_eom *m, struct envelope_header **out)
{
    struct envelope_header *f;
    size_t n = envelope_sa_headers(m->a, &m->sr, &m->env, 4, &f);
    bool has_report = false;

    for (size_t i = 0; i < n; i++)
        has_report |= strcasecmp(f[i].name, "X-Spam-Report") == 0;
    if (m->sr.res->action >= SCAN_ACTION_ADD_HEADER)
        f[n++] = (struct envelope_header){ m->cfg->spam_header, "Yes" };
    if (m->cfg->extended_spam_headers) {
        struct buf b;

        f[n++] = (struct envelope_header){ "X-Spamd-Result", mw_spamd_result(m) };
        f[n++] = (struct envelope_header){ "X-Spam-Score",
                                           arena_printf(m->a, "%.2f", m->sr.res->score) };
        if (!has_report) {
            buf_init(&b);
            sa_markup_header(m->sr.markup, m->sr.task, m->sr.res, &m->env, "Report", "_REPORT_",
                             &b);
            f[n++] = (struct envelope_header){ "X-Spam-Report",
                                               arena_strndup(m->a, b.p ? b.p : "", b.len) };
            buf_clear(&b);
        }
    }
    *out = f;
    return n;
}

/* The header edits of an accepted message. */
static void
mw_edits(struct mw_eom *m)
{
    struct envelope_header *f;
    size_t n = mw_fields(m, &f);

    mw_remove(m, f, n);
    for (size_t i = 0; i < n; i++) {
        if (milter_session_hdr_add(&m->mc->s, m->out, f[i].name, f[i].value, -1) == -1)
            log_twarn(m->c->tag, "%s: header %s cannot be sent to the MTA (too long?); left out",
                      m->c->peer, f[i].name);
    }
    if (m->sr.res->action == SCAN_ACTION_REWRITE_SUBJECT) {
        struct buf subj;

        buf_init(&subj);
        envelope_subject(&m->sr, &m->env, &subj);
        if (subj.len == 0 ||
            milter_session_hdr_change(&m->mc->s, m->out, "Subject", 1, subj.p) == -1)
            log_twarn(m->c->tag, "%s: the rewritten Subject cannot be sent to the MTA", m->c->peer);
        buf_clear(&subj);
    }
}

/* What the action asks of the MTA, before secure_ip and authentication. */
static enum mw_decision
mw_decide(const struct mw_eom *m)
{
    switch (m->sr.res->action) {
    case SCAN_ACTION_REJECT:
        if (m->cfg->discard_on_reject)
            return MW_DISCARD;
        return m->cfg->quarantine_on_reject ? MW_QUARANTINE : MW_REJECT;
    case SCAN_ACTION_GREYLIST:
        return m->cfg->greylist_action == MILTER_GREYLIST_TEMPFAIL ? MW_TEMPFAIL : MW_ACCEPT;
    default:
        return MW_ACCEPT;
    }
}

/* Render the decision d (edits first when the message is kept); the
 * reply's words for the log in what. */
static void
mw_answer(struct mw_eom *m, enum mw_decision d, struct buf *what)
{
    struct milter_session *s = &m->mc->s;
    const struct milter_smtp_reply *r = d == MW_REJECT ? &m->cfg->reject : &m->cfg->tempfail;

    switch (d) {
    case MW_REJECT:
    case MW_TEMPFAIL:
        if (milter_session_replycode(s, m->out, r->code, r->xcode, r->text) == 0) {
            buf_printf(what, "%s %s %s %s", d == MW_REJECT ? "reject" : "tempfail", r->code,
                       r->xcode, r->text);
            return;
        }
        milter_session_reply(s, m->out, d == MW_REJECT ? MILTER_R_REJECT : MILTER_R_TEMPFAIL);
        buf_puts(what, d == MW_REJECT ? "reject" : "tempfail");
        return;
    case MW_DISCARD:
        milter_session_reply(s, m->out, MILTER_R_DISCARD);
        buf_puts(what, "discard");
        return;
    case MW_QUARANTINE:
        mw_edits(m);
        if (milter_session_may(s, MILTER_ACT_QUARANTINE) &&
            milter_render_quarantine(m->out, m->cfg->quarantine_message) == 0)
            buf_puts(what, "quarantine, ");
        else
            buf_puts(what, "quarantine not negotiated, ");
        break;
    case MW_ACCEPT:
        mw_edits(m);
        break;
    }
    milter_session_reply(s, m->out, MILTER_R_ACCEPT);
    buf_puts(what, "accept");
}

/* The Message-Id without <>, in m->a, or NULL. */
static const char *
mw_message_id(struct mw_eom *m)
{
    bool found = false;
    struct strv mid = mime_get_scalar(task_message(m->sr.task), "Message-Id", &found);

    while (mid.len > 0 && strchr(" \t\r\n", mid.p[mid.len - 1]) != NULL)
        mid.len--;
    mid = strv_trim(mid);
    if (mid.len >= 2 && mid.p[0] == '<' && mid.p[mid.len - 1] == '>')
        mid = strv_make(mid.p + 1, mid.len - 2);
    return found && mid.len > 0 ? arena_strndup(m->a, mid.p, mid.len) : NULL;
}

/* The log line and the shared statistics of one scan. */
static void
mw_report(struct mw_eom *m, const char *reply, size_t size, double ms)
{
    const struct scan_result *res = m->sr.res;
    const char *mid = mw_message_id(m);
    struct stats_scan ss = { .message_id = mid,
                             .ip = m->e.ip != NULL ? m->e.ip : m->c->addr,
                             .user = m->user,
                             .from = m->e.from,
                             .size = size,
                             .scan_ms = ms,
                             .res = res };
    struct buf syms, rcpts;

    stats_record_scan(&ss);
    if (!log_enabled(LOG_LVL_INFO))
        return;
    buf_init(&syms);
    buf_init(&rcpts);
    for (size_t i = 0; i < res->nhits; i++)
        buf_printf(&syms, "%s%s(%.2f)", i ? "," : "", res->hits[i].rule->name,
                   res->hits[i].score * (res->hits[i].count > 1 ? res->hits[i].count : 1));
    for (size_t i = 0; i < m->e.nrcpt; i++)
        buf_printf(&rcpts, "%s<%s>", i ? "," : "", m->e.rcpt[i]);
    log_tinfo(m->c->tag,
              "milter from %s: qid=%s, mid=<%s>, ip=%s, from=<%s>, rcpt=%s, user=%s%s: %s "
              "[%.2f/%.2f] [%s], len: %zu, time: %.1f ms, reply: %s%s%s",
              m->c->peer, m->e.queue_id ? m->e.queue_id : "-", mid ? mid : "undef",
              m->e.ip ? m->e.ip : "-", m->e.from ? m->e.from : "", rcpts.len ? rcpts.p : "-",
              m->user ? m->user : "-", m->sr.user_prefs ? " (user_prefs)" : "",
              scan_action_name(res->action), res->score, envelope_required(m->sr.actions, res),
              syms.len ? syms.p : "", size, ms, reply, m->why ? " " : "", m->why ? m->why : "");
    buf_clear(&syms);
    buf_clear(&rcpts);
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

/* Scan the message and answer. */
static void
mw_scan(struct mw_eom *m, struct scanner *scn, double t0)
{
    struct mw_conn *mc = m->mc;
    const char *p = mc->msg.p;
    size_t len = mc->msg.len;
    struct sift_err err = { 0 };
    enum mw_decision d;
    struct buf what;

    /* the hop stays out when the message records it already */
    if (mc->hop > 0 && m->e.ip != NULL &&
        envelope_received_has(p + mc->hop, len - mc->hop, m->e.ip)) {
        p += mc->hop;
        len -= mc->hop;
    }
    if (scanner_scan_set(scn, p, len, m->user, mw_settings(m, scn), &m->sr, &err) == -1) {
        log_twarn(m->c->tag,
                  "%s: the settings for this sender cannot apply (%s); scanning "
                  "without them",
                  m->c->peer, err.msg);
        scanner_scan(scn, p, len, m->user, &m->sr);
    }
    m->env.remote_addr = m->e.ip != NULL ? m->e.ip : m->c->addr;
    m->env.remote_host = m->e.hostname != NULL ? m->e.hostname : m->env.remote_addr;
    d = mw_decide(m);
    if (d != MW_ACCEPT && m->user != NULL && !m->cfg->reject_authenticated) {
        m->why = "(authenticated sender: not refused)";
        d = MW_ACCEPT;
    } else if (d != MW_ACCEPT && m->secure && !m->cfg->reject_secure_ip) {
        m->why = "(secure_ip: not refused)";
        d = MW_ACCEPT;
    }
    buf_init(&what);
    mw_answer(m, d, &what);
    mw_report(m, what.p, len - (p == mc->msg.p ? mc->hop : 0), (clock_mono() - t0) * 1000.0);
    buf_clear(&what);
    task_free(&m->sr.task);
}

/* End of message: scan (or not) and queue the answer. */
static void
mw_eom(struct conn *c)
{
    struct mw_conn *mc = c->state;
    const struct milter_worker_cfg *cfg = mw_cfg(c);
    struct scanner *scn = c->w->scanner;
    struct buf out;
    struct mw_eom m = { .c = c, .mc = mc, .cfg = cfg, .out = &out };
    double t0 = clock_mono();
    const char *qid;

    conn_busy(c);
    buf_init(&out);
    mw_msg_eoh(c);
    if (mc->cr && !mc->oversized)
        buf_putc(&mc->msg, '\r');
    mc->cr = false;
    m.a = arena_new(4096);
    mw_envelope(mc, m.a, &m.e);
    m.user = mw_dup(m.a, mw_macro(mc, "auth_authen"));
    m.secure = mw_secure(mc, cfg);
    qid = m.e.queue_id != NULL ? m.e.queue_id : "-";
    if (scn == NULL && cfg->default_action == MILTER_DEFAULT_TEMPFAIL) {
        log_tinfo(c->tag, "milter from %s: qid=%s: not scanned, no rules are loaded: tempfail",
                  c->peer, qid);
        milter_session_replycode(&mc->s, &out, cfg->tempfail.code, cfg->tempfail.xcode,
                                 cfg->tempfail.text);
    } else if (scn == NULL || mc->oversized) {
        if (scn == NULL)
            log_tinfo(c->tag, "milter from %s: qid=%s: not scanned, no rules are loaded: accept",
                      c->peer, qid);
        else
            log_tinfo(c->tag,
                      "milter from %s: qid=%s: not scanned, %llu bytes is over max_size (%zu): "
                      "accept",
                      c->peer, qid, (unsigned long long)mc->size, cfg->max_size);
        mw_remove(&m, NULL, 0);
        milter_session_reply(&mc->s, &out, MILTER_R_ACCEPT);
    } else {
        mw_scan(&m, scn, t0);
    }
    arena_free(&m.a);
    conn_write(c, out.p, out.len);
    buf_clear(&out);
    mw_msg_reset(mc);
    mc->msgs++;
}

/* --- the connection ------------------------------------------------------- */

enum mw_step { MW_GO_ON, MW_DECIDED, MW_QUIT, MW_BROKEN };

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
        mw_eom(c);
        return MW_DECIDED;
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
        conn_done(c, true); /* the next message, or QUIT, on this connection */
        mw_timeouts(c);
        break;
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
