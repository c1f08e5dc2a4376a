/*
 * test_proto_milter_session.c - the milter session tracker (section 8 of
 * spec/milter-protocol.md) fed by the codec: the captured session of
 * section 10 and its replies, section 7's header edits counted as the MTA
 * counts them, replies with and without NR_*, SKIP, ABORT and several
 * messages per connection, anomalies, errors and limits.
 * Expected packets were computed from the spec's layouts, not by the codec.
 */
#include "proto/proto_milter_session.h"

#include <string.h>

#include "core/buf.h"
#include "../unit.h"

#include "milter_fixture.h"

/* Decode one packet (from a literal) and apply it. */
static enum milter_next
apply_pkt(struct milter_session *s, const char *p, size_t n)
{
    struct milter_parser mp;
    enum milter_next next;
    size_t used;

    milter_parser_init(&mp, &s->lim);
    ck_assert_int_eq(milter_feed(&mp, p, n, &used), PROTO_DONE);
    ck_assert_uint_eq(used, n);
    next = milter_session_apply(s, &mp.cmd);
    milter_parser_clear(&mp);
    return next;
}

/* Apply a packet built from a command byte and data. */
static enum milter_next
apply(struct milter_session *s, char cmd, const char *data, size_t n)
{
    struct buf b;
    enum milter_next next;

    buf_init(&b);
    milter_render_frame(&b, cmd, data, n);
    next = apply_pkt(s, b.p, b.len);
    buf_clear(&b);
    return next;
}

/* A command whose data is strings: the literal's own NUL ends the last one. */
#define APPLY(s, cmd, lit) apply(s, cmd, lit, sizeof(lit))
/* A command whose data is raw bytes, or none. */
#define APPLY_RAW(s, cmd, lit) apply(s, cmd, lit, sizeof(lit) - 1)

static const char postfix_offer[] = "\000\000\000\006\000\000\001\377\000\037\377\377";

static bool
macro_is(const struct milter_session *s, const char *name, const char *want)
{
    struct strv v;

    if (!milter_session_macro(s, name, &v))
        return want == NULL;
    return want != NULL && strv_eq(v, want);
}

START_TEST(milter_session_section10)
{
    static const char added[] = "\000\000\000\021hX-Spam-Level\000**\000"
                                "\000\000\000\036hX-Rspamd-Queue-Id\0004ABC123DEF\000"
                                "\000\000\000\024hX-Rspamd-Server\000vm\000"
                                "\000\000\000\036hX-Spam-Status\000No, score=2.20\000"
                                "\000\000\000\033hX-Rspamd-Action\000no action\000"
                                "\000\000\000\020hX-Spamd-Bar\000++\000"
                                "\000\000\000\001a";
    struct milter_session s;
    struct buf out;
    size_t i;

    buf_init(&out);
    milter_session_init(&s, &wants_rspamd, &test_lim);
    ck_assert_int_eq(apply_pkt(&s, session10[0], pkt_len(session10[0])), MILTER_NEXT_OPTNEG);
    milter_session_render_optneg(&s, &out);
    check_bytes(&out, IN("\000\000\000\015O\000\000\000\006\000\000\001\377\000\017\360\200"),
                "OPTNEG reply");
    /* no replies to C/H/M/R/T/L/N/B because of the NR_* bits */
    for (i = 1; i + 2 < NSESSION10; i++)
        ck_assert_int_eq(apply_pkt(&s, session10[i], pkt_len(session10[i])), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(apply_pkt(&s, session10[i], pkt_len(session10[i])), MILTER_NEXT_EOM);
    ck_assert_str_eq(s.host.p, "mail.example.org");
    ck_assert_str_eq(s.address.p, "192.0.2.10");
    ck_assert_uint_eq(s.port, 40000);
    ck_assert_int_eq(s.family, '4');
    ck_assert_str_eq(s.helo.p, "mail.example.org");
    ck_assert_str_eq(s.sender.p, "<alice@example.org>");
    ck_assert_str_eq(s.sender_args.p, "SIZE=155");
    ck_assert_uint_eq(s.nrcpts, 1);
    ck_assert_str_eq(s.rcpt_data.p + s.rcpts[0].off, "<bob@example.net>");
    ck_assert_uint_eq(s.rcpts[0].args_len, 0);
    ck_assert_uint_eq(s.nheaders, 5);
    ck_assert_uint_eq(s.body_bytes, 18);
    ck_assert_uint_eq(s.anomalies, 0);
    ck_assert(macro_is(&s, "i", "4ABC123DEF"));
    ck_assert(macro_is(&s, "{i}", "4ABC123DEF"));
    ck_assert(macro_is(&s, "j", "mx.example.net"));
    ck_assert(macro_is(&s, "daemon_name", "mx.example.net"));
    ck_assert(macro_is(&s, "{tls_version}", "TLSv1.3"));
    ck_assert(macro_is(&s, "{mail_addr}", "alice@example.org"));
    ck_assert(macro_is(&s, "{rcpt_addr}", "bob@example.net"));
    ck_assert(macro_is(&s, "{auth_authen}", NULL));
    ck_assert_uint_eq(milter_session_hdr_count(&s, "subject"), 1);
    /* the headers rspamd added (the first one's value is elided in the capture) */
    buf_reset(&out);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Spam-Level", "**", -1), 0);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Rspamd-Queue-Id", "4ABC123DEF", -1), 0);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Rspamd-Server", "vm", -1), 0);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Spam-Status", "No, score=2.20", -1), 0);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Rspamd-Action", "no action", -1), 0);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Spamd-Bar", "++", -1), 0);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_ACCEPT), 0);
    check_bytes(&out, added, sizeof(added) - 1, "EOM replies");
    /* the message is gone, the connection stays */
    ck_assert(!s.in_msg && !s.at_eom && !s.reply_due);
    ck_assert_uint_eq(s.messages, 1);
    ck_assert_str_eq(s.sender.p, "");
    ck_assert_uint_eq(s.nrcpts, 0);
    ck_assert_uint_eq(milter_session_hdr_count(&s, "subject"), 0);
    ck_assert(macro_is(&s, "i", NULL));
    ck_assert(macro_is(&s, "j", "mx.example.net"));
    ck_assert(macro_is(&s, "tls_version", "TLSv1.3"));
    ck_assert_str_eq(s.host.p, "mail.example.org");
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_ACCEPT), -1);
    ck_assert_int_eq(apply_pkt(&s, session10[NSESSION10 - 1], 5), MILTER_NEXT_CLOSE);
    ck_assert_int_eq(APPLY_RAW(&s, 'A', ""), MILTER_NEXT_ERROR);
    ck_assert_str_eq(s.err, "ABORT after QUIT");
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

/* Negotiate with Postfix's offer, connect, start a message with these headers. */
static void
session_at_eom(struct milter_session *s, const struct milter_wants *w, const char *const *hdrs)
{
    milter_session_init(s, w, &test_lim);
    ck_assert_int_eq(apply(s, 'O', postfix_offer, 12), MILTER_NEXT_OPTNEG);
    ck_assert_int_eq(APPLY(s, 'C',
                           "h\0004\000\031"
                           "192.0.2.1"),
                     MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(s, 'M', "<a@b>"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(s, 'R', "<c@d>"), MILTER_NEXT_NOTHING);
    for (; *hdrs != NULL; hdrs++) {
        struct buf d;
        buf_init(&d);
        buf_append(&d, *hdrs, strlen(*hdrs) + 1);
        buf_append(&d, "v", 2);
        ck_assert_int_eq(apply(s, 'L', d.p, d.len), MILTER_NEXT_NOTHING);
        buf_clear(&d);
    }
    ck_assert_int_eq(APPLY_RAW(s, 'B', "body\r\n"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY_RAW(s, 'E', ""), MILTER_NEXT_EOM);
}

/* Section 10's "add header" outcome, with the double deletion done once. */
START_TEST(milter_session_add_header_outcome)
{
    static const char *const hdrs[] = { "From", "X-Spam", "Subject", NULL };
    static const char want[] = "\000\000\000\015m\000\000\000\001X-Spam\000\000"
                               "\000\000\000\020m\000\000\000\001X-Spam\000Yes\000"
                               "\000\000\000\001a";
    struct milter_session s;
    struct buf out;

    buf_init(&out);
    session_at_eom(&s, NULL, hdrs);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X-Spam", 0), 0);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "x-spam", 0), 0); /* nothing left */
    ck_assert_uint_eq(milter_session_hdr_count(&s, "X-Spam"), 0);
    ck_assert_int_eq(milter_session_hdr_change(&s, &out, "X-Spam", 1, "Yes"), 0);
    ck_assert_uint_eq(milter_session_hdr_count(&s, "X-SPAM"), 1); /* appended by the MTA */
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_ACCEPT), 0);
    check_bytes(&out, want, sizeof(want) - 1, "add header outcome");
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

START_TEST(milter_session_gtube)
{
    static const char *const none[] = { NULL };
    struct milter_session s;
    struct buf out;

    buf_init(&out);
    session_at_eom(&s, NULL, none);
    ck_assert_int_eq(milter_session_replycode(&s, &out, "554", "5.7", "x"), -1);
    ck_assert_int_eq(milter_session_replycode(&s, &out, "454", "5.7.1", "x"), -1);
    ck_assert_uint_eq(out.len, 0);
    ck_assert(s.reply_due);
    ck_assert_int_eq(milter_session_replycode(&s, &out, "554", "5.7.1", "Gtube pattern"), 0);
    check_bytes(&out, IN("\000\000\000\031y554 5.7.1 Gtube pattern\000"), "gtube");
    ck_assert(!s.in_msg && !s.reply_due);
    ck_assert_uint_eq(s.messages, 1);
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

/* Section 7's removals and insertions, counted as the MTA counts. */
START_TEST(milter_session_header_edits)
{
    static const char *const hdrs[] = { "From", "X-Spam", "To", "x-spam", "Subject", NULL };
    static const struct milter_hdr_edit edits[] = {
        { "X-Added", "1", -1 },  /* h */
        { "X-Spam", NULL, 0 },   /* m 2, m 1 */
        { "X-Top", "2", 0 },     /* i 0 */
        { "X-Third", "3", 3 },   /* i 3 */
        { "X-Low", "4", -2 },    /* i 5 + -2 + 2 = 5 */
        { "X-Far", "5", -100 },  /* i 0 */
        { "Subject", NULL, -1 }, /* m 1 */
        { "Nothing", NULL, 1 },  /* nothing */
    };
    static const char want[] = "\000\000\000\015m\000\000\000\002X-Spam\000\000"
                               "\000\000\000\015m\000\000\000\001X-Spam\000\000"
                               "\000\000\000\016m\000\000\000\001Subject\000\000"
                               "\000\000\000\013hX-Added\0001\000"
                               "\000\000\000\015i\000\000\000\000X-Top\0002\000"
                               "\000\000\000\017i\000\000\000\003X-Third\0003\000"
                               "\000\000\000\015i\000\000\000\005X-Low\0004\000"
                               "\000\000\000\015i\000\000\000\000X-Far\0005\000";
    struct milter_session s;
    struct buf out;

    buf_init(&out);
    session_at_eom(&s, NULL, hdrs);
    ck_assert_uint_eq(milter_session_hdr_count(&s, "X-SPAM"), 2);
    ck_assert_int_eq(milter_session_hdr_edits(&s, &out, edits, sizeof(edits) / sizeof(edits[0])),
                     0);
    check_bytes(&out, want, sizeof(want) - 1, "edits");
    ck_assert_uint_eq(milter_session_hdr_count(&s, "X-Spam"), 0);
    ck_assert_uint_eq(milter_session_hdr_count(&s, "x-added"), 1);
    ck_assert_uint_eq(milter_session_hdr_count(&s, "Subject"), 0);
    /* one instance from the end, one by index, one past the end */
    buf_reset(&out);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Spam", "a", -1), 0);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Spam", "b", -1), 0);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-Spam", "c", -1), 0);
    buf_reset(&out);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X-Spam", -1), 0);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X-Spam", 1), 0);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X-Spam", 2), 0);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X-Spam", -2), 0);
    check_bytes(&out,
                IN("\000\000\000\015m\000\000\000\003X-Spam\000\000"
                   "\000\000\000\015m\000\000\000\001X-Spam\000\000"),
                "by index");
    ck_assert_uint_eq(milter_session_hdr_count(&s, "X-Spam"), 1);
    /* bad names and values */
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X Spam", 0), -1);
    ck_assert_int_eq(milter_session_hdr_change(&s, &out, "X-Spam", 1, ""), -1);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "", "v", -1), -1);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    /* after the decision: no edits */
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-A", "v", -1), -1);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X-A", 0), -1);
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

/* HDR_LEADSPC (asked for and offered): the filter writes the space after the colon. */
START_TEST(milter_session_leadspc)
{
    static const char *const hdrs[] = { "X-Spam", NULL };
    struct milter_wants w;
    struct milter_session s;
    struct buf out;

    buf_init(&out);
    milter_wants_default(&w);
    w.protocol |= MILTER_P_HDR_LEADSPC;
    session_at_eom(&s, &w, hdrs);
    ck_assert_uint_eq(s.neg.protocol, 0xff080 | MILTER_P_HDR_LEADSPC);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-A", "v", -1), 0);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-B", "\tw", 0), 0);
    ck_assert_int_eq(milter_session_hdr_change(&s, &out, "X-Spam", 1, "Yes"), 0);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X-Spam", 1), 0);
    check_bytes(&out,
                IN("\000\000\000\010hX-A\000 v\000"
                   "\000\000\000\014i\000\000\000\000X-B\000\011w\000"
                   "\000\000\000\021m\000\000\000\001X-Spam\000 Yes\000"
                   "\000\000\000\015m\000\000\000\001X-Spam\000\000"),
                "leadspc");
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

/* Edits need their action negotiated. */
START_TEST(milter_session_actions)
{
    static const char *const hdrs[] = { "X-Spam", NULL };
    struct milter_wants w;
    struct milter_session s;
    struct buf out;

    buf_init(&out);
    milter_wants_default(&w);
    w.actions = MILTER_ACT_ADDHDRS | MILTER_ACT_CHGHDRS;
    session_at_eom(&s, &w, hdrs);
    ck_assert(milter_session_may(&s, MILTER_ACT_ADDHDRS));
    ck_assert(!milter_session_may(&s, MILTER_ACT_QUARANTINE));
    ck_assert(!milter_session_may(&s, MILTER_ACT_ADDHDRS | MILTER_ACT_CHGBODY));
    milter_session_clear(&s);
    w.actions = MILTER_ACT_ADDHDRS;
    w.required = MILTER_ACT_ADDHDRS;
    session_at_eom(&s, &w, hdrs);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, "X-Spam", 0), -1);
    ck_assert_int_eq(milter_session_hdr_change(&s, &out, "X-Spam", 1, "v"), -1);
    ck_assert_int_eq(milter_session_hdr_add(&s, &out, "X-A", "v", 2), 0);
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

/* An MTA without NR_* (Sendmail 8.13, Postfix milter_protocol = 2..4) waits for every reply. */
START_TEST(milter_session_replies_without_nr)
{
    struct milter_session s;
    struct buf out;

    buf_init(&out);
    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(APPLY_RAW(&s, 'O', "\000\000\000\002\000\000\000\077\000\000\000\177"),
                     MILTER_NEXT_OPTNEG);
    milter_session_render_optneg(&s, &out);
    check_bytes(&out, IN("\000\000\000\015O\000\000\000\002\000\000\000\077\000\000\000\000"),
                "v2 reply");
    ck_assert_int_eq(APPLY(&s, 'D', "Cj\000mx"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'C',
                           "h\0004\000\031"
                           "192.0.2.1"),
                     MILTER_NEXT_REPLY);
    /* the MTA must wait; a packet now is a protocol error */
    {
        struct milter_session t = s; /* a shallow copy, only to see the error */
        ck_assert_int_eq(APPLY(&t, 'H', "x"), MILTER_NEXT_ERROR);
        ck_assert_str_eq(t.err, "HELO while the reply to CONNECT is due");
    }
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_DISCARD), -1); /* not at CONNECT */
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_SKIP), -1);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_PROGRESS), -1);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    ck_assert_int_eq(APPLY(&s, 'H', "x"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    ck_assert_int_eq(APPLY(&s, 'M', "<a@b>"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    ck_assert_int_eq(APPLY(&s, 'R', "<c@d>"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    ck_assert_int_eq(APPLY(&s, 'R', "<e@f>"), MILTER_NEXT_REPLY);
    /* a refused recipient leaves the message, the message goes on */
    ck_assert_int_eq(milter_session_replycode(&s, &out, "550", "5.1.1", "no such user"), 0);
    ck_assert_uint_eq(s.nrcpts, 1);
    ck_assert_str_eq(s.rcpt_data.p + s.rcpts[0].off, "<c@d>");
    ck_assert(s.in_msg);
    ck_assert_int_eq(APPLY(&s, 'L', "X\000v"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    ck_assert_int_eq(APPLY_RAW(&s, 'N', ""), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    ck_assert_int_eq(APPLY_RAW(&s, 'B', "x"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_SKIP), -1); /* not negotiated */
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    ck_assert_int_eq(APPLY(&s, 'U', "VRFY x"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_REJECT), 0);
    ck_assert(s.in_msg); /* only that command was refused */
    ck_assert_int_eq(APPLY_RAW(&s, 'E', ""), MILTER_NEXT_EOM);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_DISCARD), 0);
    ck_assert(!s.in_msg);
    ck_assert_uint_eq(s.anomalies, 0);
    /* accepted at MAIL: the message ends there */
    ck_assert_int_eq(APPLY(&s, 'M', "<a@b>"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_ACCEPT), 0);
    ck_assert(!s.in_msg);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_ACCEPT), -1);
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

/* SKIP answers a BODY when the MTA offered it and the filter asked. */
START_TEST(milter_session_skip)
{
    struct milter_wants w;
    struct milter_session s;
    struct buf out;

    buf_init(&out);
    milter_wants_default(&w);
    w.protocol = MILTER_P_SKIP | MILTER_P_NR_HDR;
    milter_session_init(&s, &w, &test_lim);
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_OPTNEG);
    ck_assert_uint_eq(s.neg.protocol, MILTER_P_SKIP | MILTER_P_NR_HDR);
    ck_assert_int_eq(APPLY(&s, 'M', "<a@b>"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_SKIP), -1);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_CONTINUE), 0);
    ck_assert_int_eq(APPLY(&s, 'L', "X\000v"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY_RAW(&s, 'B', "x"), MILTER_NEXT_REPLY);
    ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_SKIP), 0);
    ck_assert(s.in_msg);
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

/* ABORT forgets the message but not the connection; several messages per connection. */
START_TEST(milter_session_abort_and_messages)
{
    struct milter_session s;
    struct buf out;

    buf_init(&out);
    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_OPTNEG);
    ck_assert_int_eq(APPLY(&s, 'D', "Cj\000mx"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'C',
                           "h\0004\000\031"
                           "192.0.2.1"),
                     MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'D', "H{cipher}\000AES"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'H', "helo.example"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'D', "M{mail_addr}\000a@b"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'M', "<a@b>"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'D', "R{rcpt_addr}\000c@d"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'R', "<c@d>\000NOTIFY=NEVER\000ORCPT=rfc822;c@d"),
                     MILTER_NEXT_NOTHING);
    ck_assert_uint_eq(s.rcpts[0].args_len, strlen("NOTIFY=NEVER ORCPT=rfc822;c@d") + 1);
    ck_assert_int_eq(APPLY(&s, 'L', "X\000v"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY_RAW(&s, 'A', ""), MILTER_NEXT_NOTHING);
    ck_assert(!s.in_msg);
    ck_assert_uint_eq(s.nrcpts + s.nheaders + s.nhdrs, 0);
    ck_assert(macro_is(&s, "mail_addr", NULL));
    ck_assert(macro_is(&s, "rcpt_addr", NULL));
    ck_assert(macro_is(&s, "j", "mx"));
    ck_assert(macro_is(&s, "cipher", "AES"));
    ck_assert_str_eq(s.helo.p, "helo.example");
    ck_assert_str_eq(s.address.p, "192.0.2.1");
    for (int m = 0; m < 3; m++) { /* three messages on one connection */
        ck_assert_int_eq(APPLY(&s, 'D', "Mi\000Q1"), MILTER_NEXT_NOTHING);
        ck_assert_int_eq(APPLY(&s, 'M', "<x@y>\000SIZE=10"), MILTER_NEXT_NOTHING);
        ck_assert(macro_is(&s, "i", "Q1"));
        ck_assert_int_eq(APPLY(&s, 'R', "<c@d>"), MILTER_NEXT_NOTHING);
        ck_assert_int_eq(APPLY_RAW(&s, 'T', ""), MILTER_NEXT_NOTHING);
        ck_assert_int_eq(APPLY(&s, 'L', "X\000v"), MILTER_NEXT_NOTHING);
        ck_assert_int_eq(APPLY_RAW(&s, 'N', ""), MILTER_NEXT_NOTHING);
        ck_assert_int_eq(APPLY_RAW(&s, 'E', "tail"), MILTER_NEXT_EOM);
        ck_assert_uint_eq(s.body_bytes, 4);
        ck_assert_str_eq(s.sender.p, "<x@y>");
        ck_assert_int_eq(milter_session_reply(&s, &out, MILTER_R_ACCEPT), 0);
    }
    ck_assert_uint_eq(s.messages, 3);
    ck_assert_uint_eq(s.anomalies, 0);
    /* QUIT_NC: a new connection follows on the socket */
    ck_assert_int_eq(APPLY_RAW(&s, 'K', ""), MILTER_NEXT_NOTHING);
    ck_assert(!s.have_connect);
    ck_assert_str_eq(s.host.p, "");
    ck_assert(macro_is(&s, "j", NULL));
    ck_assert_int_eq(APPLY(&s, 'D', "Cj\000mx2"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'C', "h2\000L\000\000/sock"), MILTER_NEXT_NOTHING);
    ck_assert(macro_is(&s, "j", "mx2"));
    ck_assert_str_eq(s.address.p, "/sock");
    ck_assert_uint_eq(s.anomalies, 0);
    /* a second CONNECT without QUIT_NC starts over, counted */
    ck_assert_int_eq(APPLY(&s, 'C', "h3\000U"), MILTER_NEXT_NOTHING);
    ck_assert_uint_eq(s.anomalies, 1);
    ck_assert_str_eq(s.host.p, "h3");
    ck_assert_str_eq(s.address.p, "");
    ck_assert(macro_is(&s, "j", "mx2")); /* the macros came with this CONNECT */
    milter_session_clear(&s);
    buf_clear(&out);
}
END_TEST

/* Out of order: taken, counted. HELO inside a message ends it. */
START_TEST(milter_session_anomalies)
{
    struct milter_session s;

    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_OPTNEG);
    ck_assert_int_eq(APPLY(&s, 'R', "<c@d>"), MILTER_NEXT_NOTHING); /* no MAIL */
    ck_assert_uint_eq(s.anomalies, 1);
    ck_assert(s.in_msg);
    ck_assert_int_eq(APPLY_RAW(&s, 'B', "x"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'L', "X\000v"), MILTER_NEXT_NOTHING); /* header after body */
    ck_assert_uint_eq(s.anomalies, 2);
    ck_assert_int_eq(APPLY(&s, 'M', "<a@b>"), MILTER_NEXT_NOTHING); /* MAIL inside a message */
    ck_assert_uint_eq(s.anomalies, 3);
    ck_assert_uint_eq(s.nrcpts, 0);
    ck_assert_int_eq(APPLY(&s, 'H', "again"), MILTER_NEXT_NOTHING);
    ck_assert(!s.in_msg);
    ck_assert_uint_eq(s.anomalies, 3);
    milter_session_clear(&s);
}
END_TEST

START_TEST(milter_session_errors)
{
    struct milter_session s;

    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(APPLY(&s, 'C', "h\000U"), MILTER_NEXT_ERROR);
    ck_assert_str_eq(s.err, "CONNECT before OPTNEG");
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_ERROR); /* it sticks */
    milter_session_clear(&s);

    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(APPLY(&s, 'D', "Ci\000x"), MILTER_NEXT_ERROR);
    ck_assert_str_eq(s.err, "MACRO before OPTNEG");
    milter_session_clear(&s);

    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_OPTNEG);
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_ERROR);
    ck_assert_str_eq(s.err, "OPTNEG again");
    milter_session_clear(&s);

    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(APPLY_RAW(&s, 'O', "\000\000\000\001\000\000\001\377\000\037\377\377"),
                     MILTER_NEXT_ERROR);
    ck_assert_str_eq(s.err, "OPTNEG: the MTA's protocol version 1 is older than 2");
    milter_session_clear(&s);

    /* limits: recipients and header fields of one message */
    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_OPTNEG);
    ck_assert_int_eq(APPLY(&s, 'M', "<a@b>"), MILTER_NEXT_NOTHING);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(APPLY(&s, 'R', "<c@d>"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'R', "<c@d>"), MILTER_NEXT_ERROR);
    ck_assert_str_eq(s.err, "more than 3 recipients");
    milter_session_clear(&s);

    milter_session_init(&s, NULL, &test_lim);
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_OPTNEG);
    ck_assert_int_eq(APPLY(&s, 'M', "<a@b>"), MILTER_NEXT_NOTHING);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(APPLY(&s, 'L', "X\000v"), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY(&s, 'L', "X\000v"), MILTER_NEXT_ERROR);
    ck_assert_str_eq(s.err, "more than 8 header fields");
    milter_session_clear(&s);
}
END_TEST

/* A header name past MILTER_HDR_NAME_MAX is counted in nheaders, never by name. */
START_TEST(milter_session_long_header_name)
{
    struct milter_session s;
    struct buf d, out;

    buf_init(&d);
    buf_init(&out);
    milter_session_init(&s, NULL, NULL);
    ck_assert_int_eq(apply(&s, 'O', postfix_offer, 12), MILTER_NEXT_OPTNEG);
    for (size_t i = 0; i <= MILTER_HDR_NAME_MAX; i++)
        buf_putc(&d, 'N');
    buf_append(&d, "\000v", 3);
    ck_assert_int_eq(apply(&s, 'L', d.p, d.len), MILTER_NEXT_NOTHING);
    ck_assert_int_eq(APPLY_RAW(&s, 'E', ""), MILTER_NEXT_EOM);
    ck_assert_uint_eq(s.nheaders, 1);
    d.p[MILTER_HDR_NAME_MAX] = '\0';
    ck_assert_uint_eq(milter_session_hdr_count(&s, d.p), 0);
    ck_assert_int_eq(milter_session_hdr_delete(&s, &out, d.p, 0), 0);
    ck_assert_uint_eq(out.len, 0);
    milter_session_clear(&s);
    buf_clear(&d);
    buf_clear(&out);
}
END_TEST

static Suite *
proto_milter_session_suite(void)
{
    Suite *s = suite_create("proto_milter_session");
    TCase *tc = tcase_create("session");

    tcase_add_test(tc, milter_session_section10);
    tcase_add_test(tc, milter_session_add_header_outcome);
    tcase_add_test(tc, milter_session_gtube);
    tcase_add_test(tc, milter_session_header_edits);
    tcase_add_test(tc, milter_session_leadspc);
    tcase_add_test(tc, milter_session_actions);
    tcase_add_test(tc, milter_session_replies_without_nr);
    tcase_add_test(tc, milter_session_skip);
    tcase_add_test(tc, milter_session_abort_and_messages);
    tcase_add_test(tc, milter_session_anomalies);
    tcase_add_test(tc, milter_session_errors);
    tcase_add_test(tc, milter_session_long_header_name);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(proto_milter_session_suite());
}
