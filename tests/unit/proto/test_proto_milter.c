/*
 * test_proto_milter.c - the milter codec against spec/milter-protocol.md:
 * every command decoded (fed whole, split at every byte, byte by byte: the
 * same result), errors and limits, option negotiation with Postfix's and
 * Sendmail's offers, every reply byte for byte, and the captured session of
 * section 10. The session tracker is test_proto_milter_session.c.
 * Expected packets were computed from the spec's layouts, not by the codec.
 */
#include "proto/proto_milter.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "../unit.h"

#include "milter_fixture.h"

/* ------------------------------------------------------------------------
 * Decoding: each case's commands are described one per line, then
 * "error: <reason>" or "more: need <n>" if the input does not end cleanly.
 */

struct decode_case {
    const char *in;
    size_t len;
    const char *want;
};

static const struct decode_case decode_cases[] = {
    /* 0: OPTNEG (5.2): Postfix's offer; more data is ignored, less is an error */
    { IN("\000\000\000\015O\000\000\000\006\000\000\001\377\000\037\377\377"),
      "OPTNEG 6 0x1ff 0x1fffff\n" },
    { IN("\000\000\000\021O\000\000\000\006\000\000\001\377\000\037\377\377abcd"),
      "OPTNEG 6 0x1ff 0x1fffff\n" },
    { IN("\000\000\000\011O\000\000\000\006\000\000\001\377"),
      "error: OPTNEG: 8 bytes of data, 12 needed\n" },
    /* 3: MACRO */
    { IN("\000\000\000ADCj\000mx.example.net\000{daemon_name}\000mx.example.net\000v\000Postfix "
         "3.7.11\000"),
      "MACRO C j=mx.example.net {daemon_name}=mx.example.net v=Postfix 3.7.11\n" },
    { IN("\000\000\000\002DT"), "MACRO T\n" },
    { IN("\000\000\000\017DEi\0004ABC123DEF\000"), "MACRO E i=4ABC123DEF\n" },
    { IN("\000\000\000\007DL{x}\000\000"), "MACRO L {x}=\n" },
    { IN("\000\000\000\001D"), "error: MACRO: no command byte\n" },
    { IN("\000\000\000\004DZi\000"), "error: MACRO: for unknown command 0x5a\n" },
    { IN("\000\000\000\004DOi\000"), "error: MACRO: for unknown command 0x4f\n" },
    { IN("\000\000\000\004DMi\000"), "error: MACRO: i has no value\n" },
    { IN("\000\000\000\005DMi\000x"), "error: MACRO: a string without its NUL\n" },
    { IN("\000\000\000\020DMa\0001\000b\0002\000c\0003\000d\000"),
      "error: MACRO: more than 6 strings\n" },
    /* 13: CONNECT (section 3) */
    { IN("\000\000\000 Cmail.example.org\0004\234@192.0.2.10\000"),
      "CONNECT mail.example.org 4 40000 192.0.2.10\n" },
    { IN("\000\000\000\036C[2001:db8::1]\0006\000\031"
         "2001:db8::1\000"),
      "CONNECT [2001:db8::1] 6 25 2001:db8::1\n" },
    { IN("\000\000\000$Cmx.example.org\0006\004\000IPv6:2001:db8::2\000"),
      "CONNECT mx.example.org 6 1024 2001:db8::2\n" },
    { IN("\000\000\000\032Clocalhost\000L\000\000/run/x.sock\000"),
      "CONNECT localhost L 0 /run/x.sock\n" },
    { IN("\000\000\000\012Cunknown\000U"), "CONNECT unknown U 0 \n" },
    { IN("\000\000\000\016Cunknown\000Uabcd"), "CONNECT unknown U 0 \n" },
    { IN("\000\000\000\020Ch\0004\000\031"
         "1.2.3.4\000xy"),
      "CONNECT h 4 25 1.2.3.4\n" },
    { IN("\000\000\000\016Ch\000X\000\031"
         "1.2.3.4\000"),
      "error: CONNECT: unknown address family 0x58\n" },
    { IN("\000\000\000\005Chost"), "error: CONNECT: a host name without its NUL\n" },
    { IN("\000\000\000\006Chost\000"), "error: CONNECT: no address family\n" },
    { IN("\000\000\000\005Ch\0004\001"), "error: CONNECT: no port\n" },
    { IN("\000\000\000\015Ch\0004\000\031"
         "1.2.3.4"),
      "error: CONNECT: an address without its NUL\n" },
    /* 25: HELO, MAIL, RCPT, DATA */
    { IN("\000\000\000\022Hmail.example.org\000"), "HELO mail.example.org\n" },
    { IN("\000\000\000\005Ha\000b\000"), "HELO a\n" },
    { IN("\000\000\000\001H"), "error: HELO: 0 strings, 1 needed\n" },
    { IN("\000\000\000\003Hab"), "error: HELO: a string without its NUL\n" },
    { IN("\000\000\000\036M<alice@example.org>\000SIZE=155\000"),
      "MAIL <alice@example.org> SIZE=155\n" },
    { IN("\000\000\000\004M<>\000"), "MAIL <>\n" },
    { IN("\000\000\000\033M<>\000BODY=8BITMIME\000SMTPUTF8\000"),
      "MAIL <> BODY=8BITMIME SMTPUTF8\n" },
    { IN("\000\000\000\001M"), "error: MAIL: 0 strings, 1 needed\n" },
    { IN("\000\000\000\023R<bob@example.net>\000"), "RCPT <bob@example.net>\n" },
    { IN("\000\000\000 R<bob@example.net>\000NOTIFY=NEVER\000"),
      "RCPT <bob@example.net> NOTIFY=NEVER\n" },
    { IN("\000\000\000\021R<a>\000A\000B\000C\000D\000E\000F\000"),
      "error: RCPT: more than 6 strings\n" },
    { IN("\000\000\000\001T"), "DATA\n" },
    { IN("\000\000\000\002Tx"), "DATA +1\n" },
    /* 38: HEADER, EOH, BODY, EOB */
    { IN("\000\000\000\030LFrom\000alice@example.org\000"), "HEADER From: alice@example.org\n" },
    { IN("\000\000\000\016LSubject\000a\012\011b\000"), "HEADER Subject: a\\n\\tb\n" },
    { IN("\000\000\000\004LX\000\000"), "HEADER X: \n" },
    { IN("\000\000\000\006LX\000 v\000"), "HEADER X:  v\n" },
    { IN("\000\000\000\007LX\000v\000w\000"), "HEADER X: v\n" },
    { IN("\000\000\000\004L\000v\000"), "error: HEADER: an empty field name\n" },
    { IN("\000\000\000\003LX\000"), "error: HEADER: 1 string, 2 needed\n" },
    { IN("\000\000\000\004LX\000v"), "error: HEADER: a string without its NUL\n" },
    { IN("\000\000\000\001N"), "EOH\n" },
    { IN("\000\000\000\023BSee you at noon.\015\012"), "BODY 18 See you at noon.\\r\\n\n" },
    { IN("\000\000\000\001B"), "BODY 0 \n" },
    { IN("\000\000\000\004Ba\000b"), "BODY 3 a\\x00b\n" },
    { IN("\000\000\000\001E"), "EOB 0 \n" },
    { IN("\000\000\000\006Ehello"), "EOB 5 hello\n" },
    /* 52: ABORT, QUIT, QUIT_NC, UNKNOWN */
    { IN("\000\000\000\001A"), "ABORT\n" },
    { IN("\000\000\000\001Q"), "QUIT\n" },
    { IN("\000\000\000\001K"), "QUIT_NC\n" },
    { IN("\000\000\000\014UXTRA stuff\000"), "UNKNOWN XTRA stuff\n" },
    { IN("\000\000\000\001U"), "error: UNKNOWN: 0 strings, 1 needed\n" },
    /* 57: framing (section 2) */
    { IN("\000\000\000\000"), "error: a packet of length 0\n" },
    { IN("\000\000\000\001Z"), "error: unknown command 0x5a\n" },
    { IN("\000\000\000\050o"), "error: unknown command 0x6f\n" }, /* before the 40 bytes */
    { IN("\000\000\000\121B"), "error: a packet of 81 bytes, more than the limit of 80\n" },
    { IN("\377\377\377\377"), "error: a packet of 4294967295 bytes, more than the limit of 80\n" },
    { IN("\000\000\000\120B0123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678"),
      "BODY 79 0123456789012345678901234567890123456789012345678901234567890123456789012345678\n" },
    { IN("\000\000\000\005Hab"), "more: need 9\n" },
    { IN("\000\000"), "more: need 4\n" },
    { IN(""), "" },
    { IN("\000\000\000\001T\000\000\000\001N"), "DATA\nEOH\n" },
    { IN("\000\000\000\001T\000\000\000\002"), "DATA\nmore: need 6\n" },
    { IN("\000\000\000\001T\000\000\000\001?\000\000\000\001N"),
      "DATA\nerror: unknown command 0x3f\n" },
};

#define NDECODE ((int)(sizeof(decode_cases) / sizeof(decode_cases[0])))

static const char session10_trace[] =
    "OPTNEG 6 0x1ff 0x1fffff\n"
    "MACRO C j=mx.example.net {daemon_name}=mx.example.net v=Postfix 3.7.11\n"
    "CONNECT mail.example.org 4 40000 192.0.2.10\n"
    "MACRO H {tls_version}=TLSv1.3\n"
    "HELO mail.example.org\n"
    "MACRO M i=4ABC123DEF {mail_addr}=alice@example.org\n"
    "MAIL <alice@example.org> SIZE=155\n"
    "MACRO R {rcpt_addr}=bob@example.net\n"
    "RCPT <bob@example.net>\n"
    "MACRO T i=4ABC123DEF\n"
    "DATA\n"
    "HEADER From: alice@example.org\n"
    "HEADER To: bob@example.net\n"
    "HEADER Subject: lunch\n"
    "HEADER Message-ID: <abc123@example.org>\n"
    "HEADER Date: Mon, 24 Nov 2025 10:00:00 +0000\n"
    "MACRO N i=4ABC123DEF\n"
    "EOH\n"
    "BODY 18 See you at noon.\\r\\n\n"
    "MACRO E i=4ABC123DEF\n"
    "EOB 0 \n"
    "QUIT\n";

static void
session10_stream(struct buf *b)
{
    for (size_t i = 0; i < NSESSION10; i++)
        buf_append(b, session10[i], pkt_len(session10[i]));
}

static void
esc(struct buf *t, struct strv v)
{
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c == '\n')
            buf_puts(t, "\\n");
        else if (c == '\r')
            buf_puts(t, "\\r");
        else if (c == '\t')
            buf_puts(t, "\\t");
        else if (c < 0x20 || c >= 0x7f)
            buf_printf(t, "\\x%02x", c);
        else
            buf_putc(t, (char)c);
    }
}

/* A view lies in base[0..n); a string view is followed by its NUL. */
static void
check_view(struct strv v, const char *base, size_t n, bool string)
{
    if (v.len == 0 && v.p == NULL)
        return;
    ck_assert_msg(v.p >= base && v.p + v.len + (string ? 1 : 0) <= base + n, "view outside");
    if (string)
        ck_assert_msg(v.p[v.len] == '\0', "string view without its NUL");
}

/* One line for c, checking its views against the packet's bytes. */
static void
describe(struct buf *t, const struct milter_command *c, const char *base, size_t n)
{
    check_view(c->data, base, n, false);
    buf_puts(t, milter_cmd_name(c->cmd));
    switch (c->cmd) {
    case MILTER_CMD_OPTNEG:
        buf_printf(t, " %lu 0x%lx 0x%lx", (unsigned long)c->version, (unsigned long)c->actions,
                   (unsigned long)c->protocol);
        break;
    case MILTER_CMD_MACRO:
        buf_printf(t, " %c", (char)c->macro_cmd);
        for (size_t i = 0; i + 1 < c->argc; i += 2) {
            check_view(c->argv[i], base, n, true);
            check_view(c->argv[i + 1], base, n, true);
            buf_putc(t, ' ');
            esc(t, c->argv[i]);
            buf_putc(t, '=');
            esc(t, c->argv[i + 1]);
        }
        break;
    case MILTER_CMD_CONNECT:
        check_view(c->host, base, n, true);
        check_view(c->address, base, n, true);
        buf_putc(t, ' ');
        esc(t, c->host);
        buf_printf(t, " %c %u ", c->family, (unsigned)c->port);
        esc(t, c->address);
        break;
    case MILTER_CMD_HELO:
    case MILTER_CMD_UNKNOWN:
    case MILTER_CMD_MAIL:
    case MILTER_CMD_RCPT:
        check_view(c->arg, base, n, true);
        buf_putc(t, ' ');
        esc(t, c->arg);
        for (size_t i = 0; i < c->argc; i++) {
            check_view(c->argv[i], base, n, true);
            buf_putc(t, ' ');
            esc(t, c->argv[i]);
        }
        break;
    case MILTER_CMD_HEADER:
        check_view(c->name, base, n, true);
        check_view(c->value, base, n, true);
        buf_putc(t, ' ');
        esc(t, c->name);
        buf_puts(t, ": ");
        esc(t, c->value);
        break;
    case MILTER_CMD_BODY:
    case MILTER_CMD_EOB:
        buf_printf(t, " %zu ", c->data.len);
        esc(t, c->data);
        break;
    default:
        if (c->data.len > 0)
            buf_printf(t, " +%zu", c->data.len);
        break;
    }
    buf_putc(t, '\n');
}

/* What a worker does: append what arrives, feed until no packet is left, drop what was used. */
struct feeder {
    struct milter_parser mp;
    struct buf pending, trace;
    enum proto_status st;
};

static void
feeder_init(struct feeder *f, const struct milter_limits *lim)
{
    milter_parser_init(&f->mp, lim);
    buf_init(&f->pending);
    buf_init(&f->trace);
    f->st = PROTO_MORE;
}

static void
feeder_push(struct feeder *f, const char *p, size_t n)
{
    buf_append(&f->pending, p, n);
    for (;;) {
        size_t used = 99;
        f->st = milter_feed(&f->mp, f->pending.p, f->pending.len, &used);
        if (f->st != PROTO_DONE) {
            ck_assert_uint_eq(used, 0);
            if (f->st == PROTO_MORE)
                ck_assert_uint_gt(f->mp.need, f->pending.len);
            return;
        }
        ck_assert_uint_le(used, f->pending.len);
        describe(&f->trace, &f->mp.cmd, f->pending.p, used);
        buf_consume(&f->pending, used);
    }
}

static void
feeder_finish(struct feeder *f)
{
    if (f->st == PROTO_ERROR)
        buf_printf(&f->trace, "error: %s\n", f->mp.err);
    else if (f->pending.len > 0)
        buf_printf(&f->trace, "more: need %zu\n", f->mp.need);
}

static void
feeder_clear(struct feeder *f)
{
    milter_parser_clear(&f->mp);
    buf_clear(&f->pending);
    buf_clear(&f->trace);
}

/* Deliver in[0..len) in parts ending at cut and at every multiple of step (0: only the cut). */
static void
run_parts(const char *in, size_t len, size_t cut, size_t step, const char *want, const char *how)
{
    struct feeder f;
    size_t pos = cut;

    feeder_init(&f, &test_lim);
    feeder_push(&f, in, cut);
    while (pos < len) {
        size_t n = step > 0 && len - pos > step ? step : len - pos;
        feeder_push(&f, in + pos, n);
        pos += n;
    }
    feeder_finish(&f);
    ck_assert_msg(strcmp(f.trace.p != NULL ? f.trace.p : "", want) == 0, "%s: got\n%s\nwant\n%s",
                  how, f.trace.p, want);
    feeder_clear(&f);
}

static void
check_decode(const char *in, size_t len, const char *want)
{
    char how[64];

    run_parts(in, len, len, 0, want, "whole");
    for (size_t cut = 0; cut <= len; cut++) {
        snprintf(how, sizeof(how), "split at %zu", cut);
        run_parts(in, len, cut, 0, want, how);
    }
    run_parts(in, len, 0, 1, want, "byte by byte");
}

START_TEST(milter_decode_table)
{
    check_decode(decode_cases[_i].in, decode_cases[_i].len, decode_cases[_i].want);
}
END_TEST

START_TEST(milter_decode_session10)
{
    struct buf in;

    buf_init(&in);
    session10_stream(&in);
    check_decode(in.p, in.len, session10_trace);
    buf_clear(&in);
}
END_TEST

/* After an error every feed fails at once and consumes nothing. */
START_TEST(milter_error_sticks)
{
    struct milter_parser mp;
    size_t used = 99;

    milter_parser_init(&mp, &test_lim);
    ck_assert_int_eq(milter_feed(&mp, "\000\000\000\000", 4, &used), PROTO_ERROR);
    ck_assert_int_eq(milter_feed(&mp, "\000\000\000\001T", 5, &used), PROTO_ERROR);
    ck_assert_uint_eq(used, 0);
    ck_assert_str_eq(mp.err, "a packet of length 0");
    milter_parser_clear(&mp);
    milter_parser_clear(&mp);
}
END_TEST

/* Zero limits mean the defaults; a 1 MiB packet is fine, one byte more is not. */
START_TEST(milter_default_limits)
{
    struct milter_limits lim = { 0 };
    struct milter_parser mp;
    struct buf in;
    size_t used;

    milter_parser_init(&mp, &lim);
    ck_assert_uint_eq(mp.lim.max_frame, MILTER_MAX_FRAME_DEFAULT);
    ck_assert_uint_eq(mp.lim.max_args, MILTER_MAX_ARGS_DEFAULT);
    buf_init(&in);
    buf_append(&in, "\000\020\000\000B", 5);
    for (size_t i = 0; i < MILTER_MAX_FRAME_DEFAULT - 1; i++)
        buf_putc(&in, 'x');
    ck_assert_int_eq(milter_feed(&mp, in.p, 4, &used), PROTO_MORE);
    ck_assert_uint_eq(mp.need, 4 + MILTER_MAX_FRAME_DEFAULT);
    ck_assert_int_eq(milter_feed(&mp, in.p, in.len, &used), PROTO_DONE);
    ck_assert_uint_eq(used, in.len);
    ck_assert_uint_eq(mp.cmd.data.len, MILTER_MAX_FRAME_DEFAULT - 1);
    ck_assert_int_eq(milter_feed(&mp, "\000\020\000\001B", 5, &used), PROTO_ERROR);
    ck_assert_str_eq(mp.err, "a packet of 1048577 bytes, more than the limit of 1048576");
    milter_parser_clear(&mp);
    buf_clear(&in);
}
END_TEST

/* Many strings grow the argument array; the views stay right. */
START_TEST(milter_many_args)
{
    struct milter_limits lim = { .max_args = 1000 };
    struct milter_parser mp;
    struct buf data, in;
    size_t used;

    buf_init(&data);
    buf_init(&in);
    buf_putc(&data, 'M');
    for (int i = 0; i < 500; i++) {
        buf_printf(&data, "n%d", i);
        buf_putc(&data, '\0');
        buf_printf(&data, "v%d", i);
        buf_putc(&data, '\0');
    }
    milter_render_frame(&in, 'D', data.p, data.len);
    milter_parser_init(&mp, &lim);
    ck_assert_int_eq(milter_feed(&mp, in.p, in.len, &used), PROTO_DONE);
    ck_assert_uint_eq(mp.cmd.argc, 1000);
    ck_assert(strv_eq(mp.cmd.argv[0], "n0"));
    ck_assert(strv_eq(mp.cmd.argv[999], "v499"));
    milter_parser_clear(&mp);
    buf_clear(&data);
    buf_clear(&in);
}
END_TEST

/* ------------------------------------------------------------------------
 * Negotiation (section 5)
 */

static const struct milter_wants wants_plain = { .actions = 0x7f,
                                                 .required =
                                                     MILTER_ACT_ADDHDRS | MILTER_ACT_CHGHDRS,
                                                 .protocol = MILTER_P_NR_ALL };

static const struct {
    const char *who;
    struct milter_optneg offer;
    const struct milter_wants *w; /* NULL: sift's */
    size_t max_frame;
    struct milter_optneg want;
    const char *err;
} neg_cases[] = {
    { "Postfix 2.6+", { 6, 0x1ff, 0x1fffff }, NULL, 0, { 6, 0x17f, 0xff080 }, NULL },
    { "Postfix, no lists", { 6, 0x1ff, 0x1fffff }, &wants_plain, 0, { 6, 0x7f, 0xff080 }, NULL },
    { "Postfix, as rspamd", { 6, 0x1ff, 0x1fffff }, &wants_rspamd, 0, { 6, 0x1ff, 0xff080 }, NULL },
    { "Sendmail 8.14+", { 6, 0x1ff, 0x1fffff }, NULL, 0, { 6, 0x17f, 0xff080 }, NULL },
    { "Sendmail, maxdatasize 1M",
      { 6, 0x1ff, 0x201fffff },
      NULL,
      1048576,
      { 6, 0x17f, 0x200ff080 },
      NULL },
    { "Sendmail 1M, sift at 512K",
      { 6, 0x1ff, 0x201fffff },
      NULL,
      524288,
      { 6, 0x17f, 0xff080 },
      NULL },
    { "Sendmail, maxdatasize 256K",
      { 6, 0x1ff, 0x101fffff },
      NULL,
      1048576,
      { 6, 0x17f, 0x100ff080 },
      NULL },
    /* a version 4 MTA: no NR_* but NOHREPL (0x80), so a reply to all but headers */
    { "version 4", { 4, 0x3f, 0x3ff }, NULL, 0, { 4, 0x3f, 0x80 }, NULL },
    { "Postfix, milter_protocol = 2", { 2, 0x3f, 0x7f }, NULL, 0, { 2, 0x3f, 0 }, NULL },
    { "a later version", { 7, 0x1ff, 0xffffffff }, NULL, 0, { 6, 0x17f, 0x200ff080 }, NULL },
    { "Postfix, milter_protocol = 6 without SETSYMLIST",
      { 6, 0xff, 0x1fffff },
      NULL,
      0,
      { 6, 0x7f, 0xff080 },
      NULL },
    { "no actions means version 1's",
      { 2, 0, 0 },
      NULL,
      0,
      { 0, 0, 0 },
      "OPTNEG: the MTA offers actions 0xf, without 0x10" },
    { "version 1",
      { 1, 0x1ff, 0x1fffff },
      NULL,
      0,
      { 0, 0, 0 },
      "OPTNEG: the MTA's protocol version 1 is older than 2" },
    { "no header changes",
      { 6, 0x1ef, 0x1fffff },
      NULL,
      0,
      { 0, 0, 0 },
      "OPTNEG: the MTA offers actions 0x1ef, without 0x10" },
};

#define NNEG ((int)(sizeof(neg_cases) / sizeof(neg_cases[0])))

START_TEST(milter_negotiate_offers)
{
    struct milter_wants def;
    struct milter_optneg reply = { 0, 0, 0 };
    const struct milter_wants *w = neg_cases[_i].w;
    char err[256] = "";
    int rc;

    milter_wants_default(&def);
    if (w == NULL)
        w = &def;
    rc = milter_negotiate(&neg_cases[_i].offer, w,
                          neg_cases[_i].max_frame != 0 ? neg_cases[_i].max_frame
                                                       : MILTER_MAX_FRAME_DEFAULT,
                          &reply, err, sizeof(err));
    if (neg_cases[_i].err != NULL) {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err, neg_cases[_i].err);
        return;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(reply.version == neg_cases[_i].want.version &&
                      reply.actions == neg_cases[_i].want.actions &&
                      reply.protocol == neg_cases[_i].want.protocol,
                  "%s: got %lu 0x%lx 0x%lx", neg_cases[_i].who, (unsigned long)reply.version,
                  (unsigned long)reply.actions, (unsigned long)reply.protocol);
    /* what the MTAs check: a subset of the offer (MDS bits apart, as Sendmail) */
    ck_assert_uint_eq(reply.actions & ~neg_cases[_i].offer.actions, 0);
    ck_assert_uint_eq(reply.protocol & ~neg_cases[_i].offer.protocol, 0);
}
END_TEST

struct bytes_case {
    const char *what;
    const char *want;
    size_t len;
};

START_TEST(milter_render_optneg_packets)
{
    static const char sift_postfix[] =
        "\000\000\001BO\000\000\000\006\000\000\001\177\000\017\360\200\000\000\000\000j "
        "{daemon_name} {daemon_addr} v _ {client_addr} {client_name} {client_port} "
        "{client_ptr}\000\000\000\000\001{tls_version} {cipher} {cipher_bits} {cert_subject} "
        "{cert_issuer}\000\000\000\000\002i {auth_type} {auth_authen} {auth_author} {mail_addr} "
        "{mail_host} {mail_mailer}\000\000\000\000\003i {rcpt_addr} {rcpt_host} "
        "{rcpt_mailer}\000\000\000\000\004i\000\000\000\000\005i\000\000\000\000\006i\000";
    static const struct milter_optneg postfix = { 6, 0x1ff, 0x1fffff };
    struct milter_wants def;
    struct milter_optneg reply;
    struct buf out;
    char err[128];

    buf_init(&out);
    milter_wants_default(&def);
    ck_assert_int_eq(
        milter_negotiate(&postfix, &def, MILTER_MAX_FRAME_DEFAULT, &reply, err, sizeof(err)), 0);
    milter_render_optneg(&out, &reply, &def);
    check_bytes(&out, sift_postfix, sizeof(sift_postfix) - 1, "sift to Postfix");
    /* the spec's recommendation without lists, and rspamd's captured reply */
    buf_reset(&out);
    milter_negotiate(&postfix, &wants_plain, MILTER_MAX_FRAME_DEFAULT, &reply, err, sizeof(err));
    milter_render_optneg(&out, &reply, &wants_plain);
    check_bytes(&out, IN("\000\000\000\015O\000\000\000\006\000\000\000\177\000\017\360\200"),
                "plain");
    buf_reset(&out);
    milter_negotiate(&postfix, &wants_rspamd, MILTER_MAX_FRAME_DEFAULT, &reply, err, sizeof(err));
    milter_render_optneg(&out, &reply, &wants_rspamd);
    check_bytes(&out, IN("\000\000\000\015O\000\000\000\006\000\000\001\377\000\017\360\200"),
                "rspamd");
    /* lists only with SETSYMLIST in the reply */
    buf_reset(&out);
    reply.actions = 0x7f;
    milter_render_optneg(&out, &reply, &def);
    ck_assert_uint_eq(out.len, 17);
    buf_clear(&out);
}
END_TEST

/* ------------------------------------------------------------------------
 * Replies, byte for byte (section 4)
 */

START_TEST(milter_render_simple_replies)
{
    static const char codes[] = "cartdsp4f";
    struct buf out;

    buf_init(&out);
    for (const char *c = codes; *c != '\0'; c++) {
        char want[5] = { 0, 0, 0, 1, *c };
        buf_reset(&out);
        milter_render_reply(&out, (enum milter_reply) * c);
        check_bytes(&out, want, 5, "simple reply");
    }
    buf_reset(&out);
    milter_render_frame(&out, 'x', "ab", 2);
    check_bytes(&out, IN("\000\000\000\003xab"), "frame");
    buf_clear(&out);
}
END_TEST

static const struct {
    const char *code, *xcode, *text;
    const char *want;
    size_t len;
} replycode_cases[] = {
    { "554", "5.7.1", "Gtube pattern", IN("\000\000\000\031y554 5.7.1 Gtube pattern\000") },
    { "451", "4.7.1", "Try again later", IN("\000\000\000\033y451 4.7.1 Try again later\000") },
    { "550", NULL, "no", IN("\000\000\000\016y550 5.0.0 no\000") },
    { "421", NULL, "bye", IN("\000\000\000\017y421 4.0.0 bye\000") },
    { "554", "5.7.1", "100% spam", IN("\000\000\000\026y554 5.7.1 100%% spam\000") },
    { "554", "5.7.1", "a\nb\r\nc\n",
      IN("\000\000\000'y554-5.7.1 a\015\012554-5.7.1 b\015\012554 5.7.1 c\000") },
    { "554", "5.7.1", "", IN("\000\000\000\013y554 5.7.1\000") },
    { "554", "5.7.1", "a\n\nb",
      IN("\000\000\000%y554-5.7.1 a\015\012554-5.7.1\015\012554 5.7.1 b\000") },
    { "554", "5.123.456", "x", IN("\000\000\000\021y554 5.123.456 x\000") },
    /* refused */
    { "354", "5.7.1", "x", NULL, 0 },
    { "55", NULL, "x", NULL, 0 },
    { "5544", NULL, "x", NULL, 0 },
    { "5a4", NULL, "x", NULL, 0 },
    { "554", "4.7.1", "x", NULL, 0 },
    { "451", "5.7.1", "x", NULL, 0 },
    { "554", "5.7", "x", NULL, 0 },
    { "554", "5.7.1000", "x", NULL, 0 },
    { "554", "5..1", "x", NULL, 0 },
    { "554", "5.7.1 ", "x", NULL, 0 },
    { "554", "", "x", NULL, 0 },
};

#define NREPLYCODE ((int)(sizeof(replycode_cases) / sizeof(replycode_cases[0])))

START_TEST(milter_render_replycode_table)
{
    struct buf out;
    int rc;

    buf_init(&out);
    buf_puts(&out, "keep");
    rc = milter_render_replycode(&out, replycode_cases[_i].code, replycode_cases[_i].xcode,
                                 replycode_cases[_i].text);
    if (replycode_cases[_i].want == NULL) {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(out.p, "keep");
    } else {
        ck_assert_int_eq(rc, 0);
        buf_consume(&out, 4);
        check_bytes(&out, replycode_cases[_i].want, replycode_cases[_i].len,
                    replycode_cases[_i].text);
    }
    buf_clear(&out);
}
END_TEST

START_TEST(milter_replycode_lines)
{
    struct buf out, text;

    buf_init(&out);
    buf_init(&text);
    for (int i = 0; i < 32; i++)
        buf_puts(&text, "line\n");
    ck_assert_int_eq(milter_render_replycode(&out, "554", "5.7.1", text.p), 0);
    buf_puts(&text, "line 33");
    ck_assert_int_eq(milter_render_replycode(&out, "554", "5.7.1", text.p), -1);
    buf_clear(&out);
    buf_clear(&text);
}
END_TEST

/* Every text reply: an argument that renders, one that does not. */
START_TEST(milter_render_edits_bytes)
{
    struct buf out;

#define CHECK(call, want)                                                                          \
    do {                                                                                           \
        buf_reset(&out);                                                                           \
        ck_assert_int_eq(call, 0);                                                                 \
        check_bytes(&out, IN(want), #call);                                                        \
    } while (0)
#define REFUSED(call)                                                                              \
    do {                                                                                           \
        buf_reset(&out);                                                                           \
        buf_puts(&out, "keep");                                                                    \
        ck_assert_int_eq(call, -1);                                                                \
        ck_assert_str_eq(out.p, "keep");                                                           \
    } while (0)

    buf_init(&out);
    CHECK(milter_render_quarantine(&out, "Spam message quarantined"),
          "\000\000\000\032qSpam message quarantined\000");
    REFUSED(milter_render_quarantine(&out, ""));
    REFUSED(milter_render_quarantine(&out, "a\nb"));
    CHECK(milter_render_addheader(&out, "X-Spam", "Yes"), "\000\000\000\014hX-Spam\000Yes\000");
    CHECK(milter_render_addheader(&out, "X-Spamd-Result",
                                  "default: False [2.20 / 15.00];\r\n\tA(1.00)[x];\r\n\tB(0.00)[]"),
          "\000\000\000GhX-Spamd-Result\000default: False [2.20 / 15.00];\012\011A(1.00)[x];"
          "\012\011B(0.00)[]\000");
    CHECK(milter_render_addheader(&out, "X-A", "a\nb"), "\000\000\000\012hX-A\000a\012\011b\000");
    CHECK(milter_render_addheader(&out, "X-A", "a\r\rb"), "\000\000\000\012hX-A\000a\012\011b\000");
    CHECK(milter_render_addheader(&out, "X-A", "\na\n\n b\r\n"),
          "\000\000\000\012hX-A\000a\012 b\000");
    CHECK(milter_render_addheader(&out, "X-A", ""), "\000\000\000\006hX-A\000\000");
    REFUSED(milter_render_addheader(&out, "", "v"));
    REFUSED(milter_render_addheader(&out, "X A", "v"));
    REFUSED(milter_render_addheader(&out, "X:A", "v"));
    REFUSED(milter_render_addheader(&out, "X-\303\204", "v"));
    CHECK(milter_render_insheader(&out, 1, "DKIM-Signature", "v=1; a=rsa-sha256;\r\n\tb=abc"),
          "\000\000\000.i\000\000\000\001DKIM-Signature\000v=1; a=rsa-sha256;\012\011b=abc\000");
    CHECK(milter_render_insheader(&out, 0, "X-A", "1"),
          "\000\000\000\013i\000\000\000\000X-A\0001\000");
    CHECK(milter_render_chgheader(&out, 1, "Subject", "[SPAM] lunch"),
          "\000\000\000\032m\000\000\000\001Subject\000[SPAM] lunch\000");
    CHECK(milter_render_chgheader(&out, 2, "X-Spam", ""),
          "\000\000\000\015m\000\000\000\002X-Spam\000\000");
    REFUSED(milter_render_chgheader(&out, 1, "Sub ject", "x"));
    CHECK(milter_render_addrcpt(&out, "<spam@example.net>", NULL),
          "\000\000\000\024+<spam@example.net>\000");
    CHECK(milter_render_addrcpt(&out, "<spam@example.net>", "NOTIFY=NEVER"),
          "\000\000\000!2<spam@example.net>\000NOTIFY=NEVER\000");
    REFUSED(milter_render_addrcpt(&out, "", NULL));
    REFUSED(milter_render_addrcpt(&out, "<a@b>", "X=\r"));
    CHECK(milter_render_delrcpt(&out, "<bob@example.net>"),
          "\000\000\000\023-<bob@example.net>\000");
    REFUSED(milter_render_delrcpt(&out, "<a\n>"));
    CHECK(milter_render_chgfrom(&out, "<>", NULL), "\000\000\000\004e<>\000");
    CHECK(milter_render_chgfrom(&out, "<bounce@example.org>", "RET=HDRS"),
          "\000\000\000\037e<bounce@example.org>\000RET=HDRS\000");
    REFUSED(milter_render_chgfrom(&out, "", NULL));
    buf_clear(&out);
#undef CHECK
#undef REFUSED
}
END_TEST

/* A name of 256 bytes renders, 257 does not; a packet of 65535 data bytes does, one more not. */
START_TEST(milter_render_size_limits)
{
    char name[MILTER_HDR_NAME_MAX + 2];
    struct buf out, v;
    size_t room;

    buf_init(&out);
    buf_init(&v);
    memset(name, 'N', sizeof(name) - 2);
    name[sizeof(name) - 2] = '\0';
    ck_assert_int_eq(milter_render_addheader(&out, name, "v"), 0);
    name[sizeof(name) - 2] = 'N';
    name[sizeof(name) - 1] = '\0';
    ck_assert_int_eq(milter_render_addheader(&out, name, "v"), -1);
    room = MILTER_MAX_DATA - strlen("X-A") - 2;
    for (size_t i = 0; i < room; i++)
        buf_putc(&v, 'x');
    buf_reset(&out);
    ck_assert_int_eq(milter_render_addheader(&out, "X-A", v.p), 0);
    ck_assert_uint_eq(out.len, 5 + MILTER_MAX_DATA);
    buf_putc(&v, 'x');
    buf_reset(&out);
    ck_assert_int_eq(milter_render_addheader(&out, "X-A", v.p), -1);
    ck_assert_uint_eq(out.len, 0);
    while (v.len < MILTER_MAX_DATA - 1)
        buf_putc(&v, 'x');
    ck_assert_int_eq(milter_render_quarantine(&out, v.p), 0);
    buf_putc(&v, 'x');
    ck_assert_int_eq(milter_render_quarantine(&out, v.p), -1);
    ck_assert_uint_eq(out.len, 5 + MILTER_MAX_DATA);
    buf_clear(&out);
    buf_clear(&v);
}
END_TEST

START_TEST(milter_render_body_chunks)
{
    struct buf out, body;

    buf_init(&out);
    buf_init(&body);
    milter_render_replbody(&out, "abc", 3);
    check_bytes(&out, IN("\000\000\000\004babc"), "small body");
    buf_reset(&out);
    milter_render_replbody(&out, "", 0);
    check_bytes(&out, IN("\000\000\000\001b"), "empty body");
    for (size_t i = 0; i < MILTER_MAX_DATA + 2; i++)
        buf_putc(&body, (char)('a' + i % 26));
    buf_reset(&out);
    milter_render_replbody(&out, body.p, body.len);
    ck_assert_uint_eq(out.len, 5 + MILTER_MAX_DATA + 5 + 2);
    ck_assert_mem_eq(out.p, "\000\001\000\000b", 5);
    ck_assert_mem_eq(out.p + 5 + MILTER_MAX_DATA, "\000\000\000\003b", 5);
    buf_clear(&out);
    buf_clear(&body);
}
END_TEST

START_TEST(milter_header_lines)
{
    struct buf out;

    buf_init(&out);
    milter_render_header_line(&out, STRV_LIT("Subject"), STRV_LIT("a\n\tb"), false);
    milter_render_header_line(&out, STRV_LIT("X"), STRV_LIT(" v"), true);
    milter_render_header_line(&out, STRV_LIT("Y"), STRV_LIT("a\r\n b"), false);
    milter_render_header_line(&out, STRV_LIT("Z"), STRV_LIT(""), false);
    ck_assert_str_eq(out.p, "Subject: a\r\n\tb\r\nX: v\r\nY: a\r\n b\r\nZ: \r\n");
    buf_clear(&out);
}
END_TEST

START_TEST(milter_names)
{
    ck_assert_str_eq(milter_cmd_name('O'), "OPTNEG");
    ck_assert_str_eq(milter_cmd_name('K'), "QUIT_NC");
    ck_assert_str_eq(milter_cmd_name('z'), "?");
    ck_assert_str_eq(milter_cmd_name(0), "?");
}
END_TEST

static Suite *
proto_milter_suite(void)
{
    Suite *s = suite_create("proto_milter");
    TCase *tc = tcase_create("milter");

    tcase_add_loop_test(tc, milter_decode_table, 0, NDECODE);
    tcase_add_test(tc, milter_decode_session10);
    tcase_add_test(tc, milter_error_sticks);
    tcase_add_test(tc, milter_default_limits);
    tcase_add_test(tc, milter_many_args);
    tcase_add_loop_test(tc, milter_negotiate_offers, 0, NNEG);
    tcase_add_test(tc, milter_render_optneg_packets);
    tcase_add_test(tc, milter_render_simple_replies);
    tcase_add_loop_test(tc, milter_render_replycode_table, 0, NREPLYCODE);
    tcase_add_test(tc, milter_replycode_lines);
    tcase_add_test(tc, milter_render_edits_bytes);
    tcase_add_test(tc, milter_render_size_limits);
    tcase_add_test(tc, milter_render_body_chunks);
    tcase_add_test(tc, milter_header_lines);
    tcase_add_test(tc, milter_names);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(proto_milter_suite());
}
