/*
 * fuzz_proto_milter.c - libFuzzer target for the milter codec.
 * Input: byte 0 picks the part sizes and the replies, byte 1 the limits
 * and what the filter asks for, the rest is what the MTA sends. The bytes
 * are decoded whole and in parts, as a worker would (feed, drop what was
 * used, append what arrives); every command goes through a session, whose
 * answers (negotiation, replies, header edits, decisions) are rendered
 * with strings taken from the input. Both runs must leave the same trace;
 * every view must lie in the caller's bytes; every rendered packet must be
 * well framed, and header values and reply texts must keep their shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "proto/proto_milter.h"
#include "proto/proto_milter_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

struct run {
    struct milter_parser mp;
    struct milter_session s;
    struct buf trace;       /* what happened, to compare the two runs */
    struct buf out;         /* what the filter sent */
    struct buf name, value; /* the last header seen: material for edits */
    unsigned x;             /* picks replies, the same way in both runs */
    bool stop;              /* the session failed or QUIT: what follows is not fed */
};

static unsigned
run_pick(struct run *r, unsigned n)
{
    r->x = r->x * 1103515245u + 12345u;
    return (r->x >> 16) % n;
}

static void
check_view(struct strv v, const char *base, size_t n, bool string)
{
    if (v.len == 0 && v.p == NULL)
        return;
    CHECK(v.p >= base && v.p + v.len + (string ? 1 : 0) <= base + n);
    if (string)
        CHECK(v.p[v.len] == '\0');
}

static void
check_command(const struct milter_parser *mp, const char *base, size_t n)
{
    const struct milter_command *c = &mp->cmd;

    check_view(c->data, base, n, false);
    CHECK(c->data.p == base + 5 && c->data.len == n - 5);
    check_view(c->host, base, n, true);
    check_view(c->address, base, n, true);
    check_view(c->arg, base, n, true);
    check_view(c->name, base, n, true);
    check_view(c->value, base, n, true);
    CHECK(c->argc <= mp->lim.max_args);
    for (size_t i = 0; i < c->argc; i++)
        check_view(c->argv[i], base, n, true);
    if (c->cmd == MILTER_CMD_MACRO)
        CHECK(c->argc % 2 == 0);
    if (c->cmd == MILTER_CMD_HEADER)
        CHECK(c->name.len > 0);
}

/* A header value as rendered: no CR, every LF followed by a space or a TAB. */
static void
check_value(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        CHECK(v[i] != '\r' && v[i] != '\0');
        if (v[i] == '\n')
            CHECK(i + 1 < n && (v[i + 1] == ' ' || v[i + 1] == '\t'));
    }
}

/* A REPLYCODE text: lines of "ddd-x.y.z ..." as Postfix checks them, '%' doubled. */
static void
check_replycode(const char *t, size_t n)
{
    size_t i = 0;

    while (i < n) {
        const char *line = t + i;
        size_t len = 0, pct = 0;
        while (i + len < n && line[len] != '\r')
            len++;
        CHECK(len >= 9 && (line[0] == '4' || line[0] == '5') && line[4] == line[0]);
        CHECK(line[3] == ' ' || line[3] == '-');
        CHECK((line[3] == '-') == (i + len < n)); /* '-' on all lines but the last */
        for (size_t k = 0; k < len; k++) {
            CHECK(line[k] != '\n' && line[k] != '\0');
            if (line[k] == '%') {
                pct++;
            } else {
                CHECK(pct % 2 == 0);
                pct = 0;
            }
        }
        CHECK(pct % 2 == 0);
        i += len;
        if (i < n) {
            CHECK(i + 1 < n && t[i + 1] == '\n');
            i += 2;
        }
    }
}

/* Everything in out[from..) is whole packets, each well formed for its kind. */
static void
check_packets(const struct buf *out, size_t from)
{
    size_t pos = from;

    while (pos < out->len) {
        const unsigned char *u = (const unsigned char *)out->p + pos;
        size_t len, dlen;
        const char *d;
        char cmd;

        CHECK(out->len - pos >= 5);
        len = (size_t)u[0] << 24 | (size_t)u[1] << 16 | (size_t)u[2] << 8 | u[3];
        CHECK(len >= 1 && len <= out->len - pos - 4);
        cmd = (char)u[4];
        d = (const char *)u + 5;
        dlen = len - 1;
        CHECK(cmd == 'O' || dlen <= MILTER_MAX_DATA);
        switch (cmd) {
        case 'O':
            CHECK(dlen >= 12);
            break;
        case 'h':
        case 'i':
        case 'm': {
            size_t off = cmd == 'h' ? 0 : 4, nl;
            CHECK(dlen >= off + 2 && d[dlen - 1] == '\0');
            nl = strlen(d + off);
            CHECK(nl >= 1 && off + nl + 1 < dlen);
            check_value(d + off + nl + 1, dlen - (off + nl + 2));
            break;
        }
        case 'y':
            CHECK(dlen >= 1 && d[dlen - 1] == '\0' && strlen(d) == dlen - 1);
            check_replycode(d, dlen - 1);
            break;
        case 'q':
        case '+':
        case '-':
        case 'e':
        case '2':
            CHECK(dlen >= 2 && d[dlen - 1] == '\0' && d[0] != '\0');
            break;
        case 'b':
            break;
        default:
            CHECK(dlen == 0 && strchr("cartdsp", cmd) != NULL);
        }
        pos += 4 + len;
    }
}

/* Material from the input as a C string (NULs cut it, as C strings do). */
static const char *
run_str(const struct buf *b)
{
    return b->p != NULL ? b->p : "";
}

/* End of message: edits with the input's strings, then a decision. */
static void
run_eom(struct run *r)
{
    struct milter_session *s = &r->s;
    const char *name = run_str(&r->name), *value = run_str(&r->value);
    static const char *const names[] = { "X-Spam", "Subject", "From", "x-spam" };
    size_t before;

    CHECK(s->at_eom && s->reply_due && s->in_msg);
    if (run_pick(r, 8) == 0)
        milter_render_reply(&r->out, MILTER_R_PROGRESS);
    for (unsigned k = run_pick(r, 6); k > 0; k--) {
        const char *n = run_pick(r, 2) ? name : names[run_pick(r, 4)];
        long pos = (long)run_pick(r, 9) - 4;
        size_t had = milter_session_hdr_count(s, n);
        before = r->out.len;
        switch (run_pick(r, 3)) {
        case 0:
            if (milter_session_hdr_delete(s, &r->out, n, pos) == 0) {
                CHECK(milter_session_hdr_count(s, n) <= had);
                CHECK(pos != 0 || milter_session_hdr_count(s, n) == 0);
            }
            break;
        case 1:
            if (milter_session_hdr_add(s, &r->out, n, value, pos) == 0)
                CHECK(milter_session_hdr_count(s, n) == had + 1);
            else
                CHECK(r->out.len == before);
            break;
        default:
            if (milter_session_hdr_change(s, &r->out, n, (uint32_t)run_pick(r, 3), value) == -1)
                CHECK(r->out.len == before);
        }
    }
    if (milter_session_may(s, MILTER_ACT_QUARANTINE) && run_pick(r, 4) == 0)
        milter_render_quarantine(&r->out, value);
    if (milter_session_may(s, MILTER_ACT_ADDRCPT) && run_pick(r, 4) == 0)
        milter_render_addrcpt(&r->out, value, run_pick(r, 2) ? name : NULL);
    if (milter_session_may(s, MILTER_ACT_DELRCPT) && s->nrcpts > 0)
        milter_render_delrcpt(&r->out, s->rcpt_data.p + s->rcpts[0].off);
    if (milter_session_may(s, MILTER_ACT_CHGFROM) && run_pick(r, 4) == 0)
        milter_render_chgfrom(&r->out, s->sender.p, NULL);
    if (milter_session_may(s, MILTER_ACT_CHGBODY) && run_pick(r, 8) == 0)
        milter_render_replbody(&r->out, value, strlen(value));
}

/* Answer what the MTA waits for: mostly CONTINUE, sometimes a decision. */
static void
run_reply(struct run *r)
{
    static const enum milter_reply replies[] = {
        MILTER_R_CONTINUE, MILTER_R_CONTINUE, MILTER_R_CONTINUE, MILTER_R_ACCEPT,
        MILTER_R_REJECT,   MILTER_R_TEMPFAIL, MILTER_R_DISCARD,  MILTER_R_SKIP,
    };
    static const char *const codes[] = { "554", "451", "250", "5x4" };
    static const char *const xcodes[] = { "5.7.1", "4.7.1", NULL, "5.1" };
    size_t before = r->out.len;
    unsigned k = run_pick(r, 10);

    if (k < 8) {
        if (milter_session_reply(&r->s, &r->out, replies[k]) == -1) {
            CHECK(r->out.len == before && r->s.reply_due);
            CHECK(milter_session_reply(&r->s, &r->out, MILTER_R_CONTINUE) == 0);
        }
    } else if (milter_session_replycode(&r->s, &r->out, codes[run_pick(r, 4)],
                                        xcodes[run_pick(r, 4)], run_str(&r->value)) == -1) {
        CHECK(r->out.len == before && r->s.reply_due);
        CHECK(milter_session_reply(&r->s, &r->out, MILTER_R_TEMPFAIL) == 0);
    }
    CHECK(!r->s.reply_due && !r->s.at_eom);
}

static void
run_command(struct run *r, const char *base, size_t n)
{
    const struct milter_command *c = &r->mp.cmd;
    enum milter_next next;
    size_t from = r->out.len;

    check_command(&r->mp, base, n);
    buf_printf(&r->trace, "%c%zu ", (char)c->cmd, n);
    if (c->cmd == MILTER_CMD_HEADER) {
        buf_reset(&r->name);
        buf_append(&r->name, c->name.p, c->name.len);
        buf_reset(&r->value);
        buf_append(&r->value, c->value.p, c->value.len);
    }
    next = milter_session_apply(&r->s, c);
    buf_printf(&r->trace, "%d ", (int)next);
    switch (next) {
    case MILTER_NEXT_OPTNEG:
        milter_session_render_optneg(&r->s, &r->out);
        CHECK((r->s.neg.actions & ~r->s.offer.actions) == 0 || r->s.offer.actions == 0);
        CHECK((r->s.neg.protocol & ~r->s.offer.protocol) == 0 || r->s.offer.protocol == 0);
        CHECK(r->s.neg.version >= 2 && r->s.neg.version <= MILTER_VERSION);
        break;
    case MILTER_NEXT_REPLY:
        CHECK(r->s.reply_due);
        run_reply(r);
        break;
    case MILTER_NEXT_EOM:
        run_eom(r);
        run_reply(r);
        break;
    case MILTER_NEXT_NOTHING:
        CHECK(!r->s.reply_due);
        break;
    case MILTER_NEXT_CLOSE:
    case MILTER_NEXT_ERROR:
        r->stop = true;
        buf_puts(&r->trace, next == MILTER_NEXT_ERROR ? r->s.err : "quit");
        break;
    }
    CHECK(!r->s.at_eom || r->s.in_msg);
    CHECK(r->s.nrcpts <= r->s.lim.max_rcpts && r->s.nheaders <= r->s.lim.max_headers);
    check_packets(&r->out, from);
    buf_printf(&r->trace, "+%zu\n", r->out.len - from);
}

static void
run_init(struct run *r, const struct milter_limits *lim, const struct milter_wants *w,
         unsigned seed)
{
    memset(r, 0, sizeof(*r));
    milter_parser_init(&r->mp, lim);
    milter_session_init(&r->s, w, lim);
    r->x = seed;
}

static void
run_clear(struct run *r)
{
    milter_parser_clear(&r->mp);
    milter_session_clear(&r->s);
    buf_clear(&r->trace);
    buf_clear(&r->out);
    buf_clear(&r->name);
    buf_clear(&r->value);
}

/* Feed what is pending; act on every whole packet. */
static enum proto_status
run_feed(struct run *r, struct buf *pending)
{
    enum proto_status st;

    for (;;) {
        size_t used = 0;
        if (r->stop)
            return PROTO_DONE;
        st = milter_feed(&r->mp, pending->p, pending->len, &used);
        if (st != PROTO_DONE) {
            CHECK(used == 0);
            CHECK(st == PROTO_ERROR || r->mp.need > pending->len);
            CHECK(r->mp.need <= 4 + r->mp.lim.max_frame);
            return st;
        }
        CHECK(used >= 5 && used <= pending->len);
        run_command(r, pending->p, used);
        buf_consume(pending, used);
    }
}

static void
run_finish(struct run *r, enum proto_status st, size_t left)
{
    if (st == PROTO_ERROR)
        buf_printf(&r->trace, "error: %s\n", r->mp.err);
    else if (!r->stop && left > 0)
        buf_printf(&r->trace, "more: %zu\n", r->mp.need);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t frames[] = { 0, 64, 300, 70000 };
    static const size_t args[] = { 0, 3, 8, 64 };
    struct milter_limits lim = { 0 };
    struct milter_wants w;
    struct run whole, parts;
    struct buf pending;
    enum proto_status st;
    const char *p;
    size_t n, pos = 0;
    unsigned x;

    if (size < 2)
        return 0;
    lim.max_frame = frames[data[1] & 3];
    lim.max_args = args[(data[1] >> 2) & 3];
    lim.max_rcpts = (data[1] & 0x10) ? 2 : 0;
    lim.max_headers = (data[1] & 0x10) ? 5 : 0;
    milter_wants_default(&w);
    if (data[1] & 0x20)
        w.protocol = MILTER_P_SKIP | MILTER_P_HDR_LEADSPC | MILTER_P_NR_HDR;
    if (data[1] & 0x40) {
        for (int i = 0; i < MILTER_ML_COUNT; i++)
            w.macros[i] = NULL;
        w.actions |= MILTER_ACT_ADDRCPT_PAR;
    }
    if (data[1] & 0x80)
        w.required = 0;
    p = (const char *)data + 2;
    n = size - 2;

    run_init(&whole, &lim, &w, data[0]);
    buf_init(&pending);
    buf_append(&pending, p, n);
    st = run_feed(&whole, &pending);
    run_finish(&whole, st, pending.len);

    run_init(&parts, &lim, &w, data[0]);
    buf_reset(&pending);
    x = data[0] * 2654435761u + 1;
    st = PROTO_MORE;
    while (pos < n) {
        size_t k = data[0] < 16 ? (size_t)data[0] + 1 : 1 + (x >> 25);
        if (k > n - pos)
            k = n - pos;
        buf_append(&pending, p + pos, k);
        pos += k;
        st = run_feed(&parts, &pending);
        if (st == PROTO_ERROR || parts.stop)
            break;
        x = x * 1103515245u + 12345u;
    }
    run_finish(&parts, st, pending.len + (n - pos));

    CHECK(whole.trace.len == parts.trace.len);
    CHECK(whole.trace.len == 0 || memcmp(whole.trace.p, parts.trace.p, whole.trace.len) == 0);
    CHECK(whole.out.len == parts.out.len);
    CHECK(whole.out.len == 0 || memcmp(whole.out.p, parts.out.p, whole.out.len) == 0);

    buf_clear(&pending);
    run_clear(&whole);
    run_clear(&parts);
    return 0;
}
