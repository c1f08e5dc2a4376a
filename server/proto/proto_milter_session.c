/*
 * proto_milter_session.c - the milter session tracker (section 8 of
 * spec/milter-protocol.md): what the MTA has said on a connection and in
 * the current message, what it waits for, and header edits counted as the
 * MTA counts them (section 7). Pure, as the codec (proto_milter.c).
 */
#include "proto/proto_milter_session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/strv.h"
#include "core/xmalloc.h"
#include "proto/proto_milter_int.h"

/* Where a macro is looked for first (slots of milter_slot): the latest
 * stage of a message, then the connection. */
static const int milter_slot_order[MILTER_NSLOTS] = { 8, 7, 6, 5, 4, 3, 2, 9, 1, 0 };

/* How far a message got; a smaller step after a larger one is an anomaly. */
enum {
    MILTER_PH_NONE,
    MILTER_PH_MAIL,
    MILTER_PH_RCPT,
    MILTER_PH_DATA,
    MILTER_PH_HEADER,
    MILTER_PH_EOH,
    MILTER_PH_BODY,
    MILTER_PH_EOB,
};

static enum milter_next milter_session_fail(struct milter_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum milter_next
milter_session_fail(struct milter_session *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
    s->failed = true;
    return MILTER_NEXT_ERROR;
}

/* An empty string that is a valid C string. */
static void
milter_buf_empty(struct buf *b)
{
    buf_reset(b);
    buf_append(b, "", 0);
}

static void
milter_buf_set(struct buf *b, struct strv v)
{
    buf_reset(b);
    buf_append(b, v.p, v.len);
}

void
milter_session_init(struct milter_session *s, const struct milter_wants *wants,
                    const struct milter_limits *lim)
{
    memset(s, 0, sizeof(*s));
    milter_limits_fill(&s->lim, lim);
    if (wants != NULL)
        s->wants = *wants;
    else
        milter_wants_default(&s->wants);
    milter_buf_empty(&s->host);
    milter_buf_empty(&s->address);
    milter_buf_empty(&s->helo);
    milter_buf_empty(&s->sender);
    milter_buf_empty(&s->sender_args);
    milter_buf_empty(&s->rcpt_data);
    milter_buf_empty(&s->hdr_names);
    for (int i = 0; i < MILTER_NSLOTS; i++)
        milter_buf_empty(&s->macros[i]);
}

void
milter_session_clear(struct milter_session *s)
{
    buf_clear(&s->host);
    buf_clear(&s->address);
    buf_clear(&s->helo);
    buf_clear(&s->sender);
    buf_clear(&s->sender_args);
    buf_clear(&s->rcpt_data);
    buf_clear(&s->hdr_names);
    for (int i = 0; i < MILTER_NSLOTS; i++)
        buf_clear(&s->macros[i]);
    free(s->rcpts);
    free(s->hdrs);
    s->rcpts = NULL;
    s->hdrs = NULL;
    s->nrcpts = s->rcpts_cap = s->nhdrs = s->hdrs_cap = 0;
}

/* Forget the message; keep_mail: the MAIL macros just sent for a new one stay. */
static void
milter_msg_reset(struct milter_session *s, bool keep_mail)
{
    s->in_msg = false;
    s->at_eom = false;
    s->phase = MILTER_PH_NONE;
    milter_buf_empty(&s->sender);
    milter_buf_empty(&s->sender_args);
    milter_buf_empty(&s->rcpt_data);
    milter_buf_empty(&s->hdr_names);
    s->nrcpts = 0;
    s->nhdrs = 0;
    s->nheaders = 0;
    s->body_bytes = 0;
    for (const char *p = "MRTLNBE"; *p != '\0'; p++) {
        if (!(keep_mail && *p == 'M'))
            milter_buf_empty(&s->macros[milter_slot(*p)]);
    }
}

/* A new connection on this socket: forget all but the macros of `keep` (a slot or -1). */
static void
milter_conn_reset(struct milter_session *s, int keep)
{
    milter_msg_reset(s, false);
    for (int i = 0; i < MILTER_NSLOTS; i++) {
        if (i != keep)
            milter_buf_empty(&s->macros[i]);
    }
    s->have_connect = false;
    milter_buf_empty(&s->host);
    milter_buf_empty(&s->address);
    milter_buf_empty(&s->helo);
    s->family = 0;
    s->port = 0;
}

/* A command of the message at phase ph: start the message if needed. */
static void
milter_msg_step(struct milter_session *s, unsigned ph)
{
    if (!s->in_msg) {
        /* no MAIL: only normal when the filter asked the MTA to skip it */
        if ((s->neg.protocol & MILTER_P_NOMAIL) == 0)
            s->anomalies++;
        s->in_msg = true;
    } else if (ph < s->phase) {
        s->anomalies++;
    }
    if (ph > s->phase)
        s->phase = ph;
}

/* Append a NUL-separated block of strings. */
static void
milter_put_strings(struct buf *b, const struct strv *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf_append(b, v[i].p, v[i].len);
        buf_putc(b, '\0');
    }
}

static enum milter_next
milter_add_rcpt(struct milter_session *s, const struct milter_command *c)
{
    struct milter_rcpt *r;

    if (s->nrcpts == s->lim.max_rcpts)
        return milter_session_fail(s, "more than %zu recipients", s->lim.max_rcpts);
    if (s->nrcpts == s->rcpts_cap) {
        s->rcpts_cap = s->rcpts_cap != 0 ? s->rcpts_cap * 2 : 8;
        s->rcpts = xreallocarray(s->rcpts, s->rcpts_cap, sizeof(*s->rcpts));
    }
    r = &s->rcpts[s->nrcpts++];
    r->off = s->rcpt_data.len;
    r->len = c->arg.len;
    buf_append(&s->rcpt_data, c->arg.p, c->arg.len);
    buf_putc(&s->rcpt_data, '\0');
    r->args_off = s->rcpt_data.len;
    milter_put_strings(&s->rcpt_data, c->argv, c->argc);
    r->args_len = s->rcpt_data.len - r->args_off;
    return MILTER_NEXT_NOTHING;
}

/* Record a header the MTA holds at position pos (0-based, clamped) of the list. */
static void
milter_hdr_put(struct milter_session *s, size_t pos, const char *name, size_t len)
{
    struct milter_hdr *h;

    if (s->nhdrs == s->hdrs_cap) {
        s->hdrs_cap = s->hdrs_cap != 0 ? s->hdrs_cap * 2 : 32;
        s->hdrs = xreallocarray(s->hdrs, s->hdrs_cap, sizeof(*s->hdrs));
    }
    if (pos > s->nhdrs)
        pos = s->nhdrs;
    memmove(s->hdrs + pos + 1, s->hdrs + pos, (s->nhdrs - pos) * sizeof(*s->hdrs));
    s->nhdrs++;
    h = &s->hdrs[pos];
    h->off = s->hdr_names.len;
    h->len = len <= MILTER_HDR_NAME_MAX ? len : 0; /* too long to be asked for */
    h->live = true;
    buf_append(&s->hdr_names, name, h->len);
}

static bool
milter_hdr_is(const struct milter_session *s, const struct milter_hdr *h, const char *name,
              size_t len)
{
    return h->live && h->len == len && len > 0 &&
           strncasecmp(s->hdr_names.p + h->off, name, len) == 0;
}

/* The list index of the k-th (1-based) live instance of name, or nhdrs. */
static size_t
milter_hdr_find(const struct milter_session *s, const char *name, size_t k)
{
    size_t len = strlen(name);

    for (size_t i = 0; i < s->nhdrs; i++) {
        if (milter_hdr_is(s, &s->hdrs[i], name, len) && --k == 0)
            return i;
    }
    return s->nhdrs;
}

static enum milter_next
milter_expect(struct milter_session *s, uint32_t nr_bit)
{
    if ((s->neg.protocol & nr_bit) != 0)
        return MILTER_NEXT_NOTHING;
    s->reply_due = true;
    return MILTER_NEXT_REPLY;
}

static enum milter_next
milter_apply_connect(struct milter_session *s, const struct milter_command *c)
{
    if (s->have_connect)
        s->anomalies++; /* a second CONNECT without QUIT_NC: start over */
    milter_conn_reset(s, milter_slot(MILTER_CMD_CONNECT));
    s->have_connect = true;
    milter_buf_set(&s->host, c->host);
    milter_buf_set(&s->address, c->address);
    s->family = c->family;
    s->port = c->port;
    return milter_expect(s, MILTER_P_NR_CONN);
}

/* MAIL ... EOB */
static enum milter_next
milter_apply_message(struct milter_session *s, const struct milter_command *c)
{
    switch (c->cmd) {
    case MILTER_CMD_MAIL:
        if (s->in_msg) {
            s->anomalies++; /* MAIL again without ABORT or a decision */
            milter_msg_reset(s, true);
        }
        s->in_msg = true;
        s->phase = MILTER_PH_MAIL;
        milter_buf_set(&s->sender, c->arg);
        milter_put_strings(&s->sender_args, c->argv, c->argc);
        return milter_expect(s, MILTER_P_NR_MAIL);
    case MILTER_CMD_RCPT:
        milter_msg_step(s, MILTER_PH_RCPT);
        if (milter_add_rcpt(s, c) == MILTER_NEXT_ERROR)
            return MILTER_NEXT_ERROR;
        return milter_expect(s, MILTER_P_NR_RCPT);
    case MILTER_CMD_DATA:
        milter_msg_step(s, MILTER_PH_DATA);
        return milter_expect(s, MILTER_P_NR_DATA);
    case MILTER_CMD_HEADER:
        milter_msg_step(s, MILTER_PH_HEADER);
        if (s->nheaders == s->lim.max_headers)
            return milter_session_fail(s, "more than %zu header fields", s->lim.max_headers);
        s->nheaders++;
        milter_hdr_put(s, s->nhdrs, c->name.p, c->name.len);
        return milter_expect(s, MILTER_P_NR_HDR);
    case MILTER_CMD_EOH:
        milter_msg_step(s, MILTER_PH_EOH);
        return milter_expect(s, MILTER_P_NR_EOH);
    case MILTER_CMD_BODY:
        milter_msg_step(s, MILTER_PH_BODY);
        s->body_bytes += c->data.len;
        return milter_expect(s, MILTER_P_NR_BODY);
    default: /* EOB */
        milter_msg_step(s, MILTER_PH_EOB);
        s->body_bytes += c->data.len;
        s->at_eom = true;
        s->reply_due = true;
        return MILTER_NEXT_EOM;
    }
}

enum milter_next
milter_session_apply(struct milter_session *s, const struct milter_command *c)
{
    const char *name = milter_cmd_name(c->cmd);

    if (s->failed)
        return MILTER_NEXT_ERROR;
    if (s->quit)
        return milter_session_fail(s, "%s after QUIT", name);
    if (s->reply_due)
        return milter_session_fail(s, "%s while the reply to %s is due", name,
                                   milter_cmd_name(s->last));
    if (!s->negotiated && c->cmd != MILTER_CMD_OPTNEG)
        return milter_session_fail(s, "%s before OPTNEG", name);
    if (c->cmd == MILTER_CMD_MACRO) {
        int slot = milter_slot(c->macro_cmd);
        if (slot == -1)
            return milter_session_fail(s, "MACRO for unknown command 0x%02x",
                                       (unsigned)(unsigned char)c->macro_cmd);
        buf_reset(&s->macros[slot]);
        milter_put_strings(&s->macros[slot], c->argv, c->argc);
        return MILTER_NEXT_NOTHING;
    }
    s->last = c->cmd;
    switch (c->cmd) {
    case MILTER_CMD_OPTNEG:
        if (s->negotiated)
            return milter_session_fail(s, "OPTNEG again");
        s->offer.version = c->version;
        s->offer.actions = c->actions;
        s->offer.protocol = c->protocol;
        if (milter_negotiate(&s->offer, &s->wants, s->lim.max_frame, &s->neg, s->err,
                             sizeof(s->err)) == -1) {
            s->failed = true;
            return MILTER_NEXT_ERROR;
        }
        s->negotiated = true;
        return MILTER_NEXT_OPTNEG;
    case MILTER_CMD_CONNECT:
        return milter_apply_connect(s, c);
    case MILTER_CMD_HELO:
        if (s->in_msg) /* HELO resets the SMTP transaction (RFC 5321 4.1.4) */
            milter_msg_reset(s, false);
        milter_buf_set(&s->helo, c->arg);
        return milter_expect(s, MILTER_P_NR_HELO);
    case MILTER_CMD_UNKNOWN:
        return milter_expect(s, MILTER_P_NR_UNKN);
    case MILTER_CMD_ABORT:
        milter_msg_reset(s, false);
        return MILTER_NEXT_NOTHING;
    case MILTER_CMD_QUIT:
        s->quit = true;
        return MILTER_NEXT_CLOSE;
    case MILTER_CMD_QUIT_NC:
        milter_conn_reset(s, -1);
        return MILTER_NEXT_NOTHING;
    case MILTER_CMD_MAIL:
    case MILTER_CMD_RCPT:
    case MILTER_CMD_DATA:
    case MILTER_CMD_HEADER:
    case MILTER_CMD_EOH:
    case MILTER_CMD_BODY:
    case MILTER_CMD_EOB:
        return milter_apply_message(s, c);
    default:
        return milter_session_fail(s, "unknown command 0x%02x", (unsigned)(unsigned char)c->cmd);
    }
}

void
milter_session_render_optneg(const struct milter_session *s, struct buf *out)
{
    milter_render_optneg(out, &s->neg, &s->wants);
}

/* Whether decision r may answer the command the MTA waits for. */
static bool
milter_reply_fits(const struct milter_session *s, enum milter_reply r)
{
    if (!s->reply_due)
        return false;
    switch (r) {
    case MILTER_R_CONTINUE:
    case MILTER_R_ACCEPT:
    case MILTER_R_REJECT:
    case MILTER_R_TEMPFAIL:
    case MILTER_R_REPLYCODE:
        return true;
    case MILTER_R_DISCARD: /* Postfix fails the milter for it there */
        return s->last != MILTER_CMD_CONNECT && s->last != MILTER_CMD_HELO;
    case MILTER_R_SKIP:
        return s->last == MILTER_CMD_BODY && (s->neg.protocol & MILTER_P_SKIP) != 0;
    default:
        return false;
    }
}

/* What a decision does to the message once sent. */
static void
milter_after_reply(struct milter_session *s, enum milter_reply r)
{
    s->reply_due = false;
    if (s->last == MILTER_CMD_EOB) {
        milter_msg_reset(s, false);
        s->messages++;
        return;
    }
    if (r == MILTER_R_CONTINUE || r == MILTER_R_SKIP || !s->in_msg || s->last == MILTER_CMD_UNKNOWN)
        return;
    if (s->last == MILTER_CMD_RCPT &&
        (r == MILTER_R_REJECT || r == MILTER_R_TEMPFAIL || r == MILTER_R_REPLYCODE)) {
        s->rcpt_data.len = s->rcpts[--s->nrcpts].off; /* only that recipient is refused */
        s->rcpt_data.p[s->rcpt_data.len] = '\0';
        return;
    }
    milter_msg_reset(s, false); /* the MTA sends nothing more of this message */
}

int
milter_session_reply(struct milter_session *s, struct buf *out, enum milter_reply r)
{
    if (r == MILTER_R_REPLYCODE || !milter_reply_fits(s, r))
        return -1;
    milter_render_reply(out, r);
    milter_after_reply(s, r);
    return 0;
}

int
milter_session_replycode(struct milter_session *s, struct buf *out, const char *code,
                         const char *xcode, const char *text)
{
    if (!milter_reply_fits(s, MILTER_R_REPLYCODE) ||
        milter_render_replycode(out, code, xcode, text) == -1)
        return -1;
    milter_after_reply(s, MILTER_R_REPLYCODE);
    return 0;
}

bool
milter_session_may(const struct milter_session *s, uint32_t action)
{
    return s->at_eom && s->reply_due && (s->neg.actions & action) == action;
}

/* "{name}" and "name" are the same macro. */
static struct strv
milter_unbrace(struct strv n)
{
    if (n.len >= 2 && n.p[0] == '{' && n.p[n.len - 1] == '}')
        return strv_make(n.p + 1, n.len - 2);
    return n;
}

bool
milter_session_macro(const struct milter_session *s, const char *name, struct strv *value)
{
    struct strv want = milter_unbrace(strv_cstr(name));

    for (int i = 0; i < MILTER_NSLOTS; i++) {
        const struct buf *b = &s->macros[milter_slot_order[i]];
        struct strv rest = strv_make(b->p, b->len), n, v;

        while (milter_next_string(&rest, &n) && milter_next_string(&rest, &v)) {
            if (strv_equal(milter_unbrace(n), want)) {
                *value = v;
                return true;
            }
        }
    }
    return false;
}

size_t
milter_session_hdr_count(const struct milter_session *s, const char *name)
{
    size_t len = strlen(name), n = 0;

    for (size_t i = 0; i < s->nhdrs; i++)
        n += milter_hdr_is(s, &s->hdrs[i], name, len);
    return n;
}

/* Delete the k-th live instance (which exists). */
static void
milter_hdr_kill(struct milter_session *s, struct buf *out, const char *name, size_t k)
{
    milter_render_chgheader(out, (uint32_t)k, name, "");
    s->hdrs[milter_hdr_find(s, name, k)].live = false;
}

int
milter_session_hdr_delete(struct milter_session *s, struct buf *out, const char *name, long which)
{
    size_t n;

    if (!milter_session_may(s, MILTER_ACT_CHGHDRS) || !milter_name_ok(name))
        return -1;
    n = milter_session_hdr_count(s, name);
    if (which == 0) {
        for (size_t k = n; k >= 1; k--) /* from the last: the others keep their index */
            milter_hdr_kill(s, out, name, k);
    } else if (which > 0) {
        if ((unsigned long)which <= n)
            milter_hdr_kill(s, out, name, (size_t)which);
    } else if ((unsigned long)-(which + 1) < n) {
        milter_hdr_kill(s, out, name, n - (size_t) - (which + 1));
    }
    return 0;
}

int
milter_session_hdr_add(struct milter_session *s, struct buf *out, const char *name,
                       const char *value, long order)
{
    bool lead = (s->neg.protocol & MILTER_P_HDR_LEADSPC) != 0;
    long idx;

    if (!milter_session_may(s, MILTER_ACT_ADDHDRS))
        return -1;
    if (order == -1) {
        if (milter_render_hdr(out, MILTER_R_ADDHEADER, 0, name, value, lead) == -1)
            return -1;
        milter_hdr_put(s, s->nhdrs, name, strlen(name));
        return 0;
    }
    idx = order;
    if (order < -1) { /* section 7: counted from the end, the MTA's Received: included */
        idx = order + 2 + (s->nheaders > (size_t)LONG_MAX ? LONG_MAX : (long)s->nheaders);
        if (idx < 0)
            idx = 0;
    }
    if ((unsigned long)idx > UINT32_MAX)
        idx = (long)UINT32_MAX;
    if (milter_render_hdr(out, MILTER_R_INSHEADER, (uint32_t)idx, name, value, lead) == -1)
        return -1;
    /* index i goes before the MTA's i+1-th header, its own Received: being the first */
    milter_hdr_put(s, idx > 0 ? (size_t)idx - 1 : 0, name, strlen(name));
    return 0;
}

int
milter_session_hdr_change(struct milter_session *s, struct buf *out, const char *name,
                          uint32_t index, const char *value)
{
    bool lead = (s->neg.protocol & MILTER_P_HDR_LEADSPC) != 0;

    if (!milter_session_may(s, MILTER_ACT_CHGHDRS) || value[0] == '\0' ||
        milter_render_hdr(out, MILTER_R_CHGHEADER, index, name, value, lead) == -1)
        return -1;
    /* index 0 means 1 (Sendmail compatibility); a missing instance is appended */
    if (milter_hdr_find(s, name, index != 0 ? index : 1) == s->nhdrs)
        milter_hdr_put(s, s->nhdrs, name, strlen(name));
    return 0;
}

int
milter_session_hdr_edits(struct milter_session *s, struct buf *out, const struct milter_hdr_edit *e,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (e[i].value == NULL && milter_session_hdr_delete(s, out, e[i].name, e[i].pos) == -1)
            return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (e[i].value != NULL &&
            milter_session_hdr_add(s, out, e[i].name, e[i].value, e[i].pos) == -1)
            return -1;
    }
    return 0;
}
