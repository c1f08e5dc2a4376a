/*
 * test_envelope.c - the envelope as the Received header of the MTA's hop:
 * when the message records the client already (its newest Received
 * header, LF or CRLF, folded), how the hop is written, and rspamd's
 * required score.
 */
#include "daemon/envelope.h"

#include <string.h>

#include "../unit.h"

static const struct {
    const char *msg, *ip;
    bool has;
} received_cases[] = {
    { "Received: from a (b [192.0.2.1]) by c\nSubject: x\n\nbody\n", "192.0.2.1", true },
    { "Received: from a (b [192.0.2.1]) by c\r\nSubject: x\r\n\r\nbody\r\n", "192.0.2.1", true },
    /* the address on a continuation line of the same field */
    { "Received: from a\n\t(b [192.0.2.1])\n\tby c\n\nbody\n", "192.0.2.1", true },
    /* only the newest Received counts */
    { "Subject: x\nReceived: from a (b [198.51.100.2])\nReceived: from d ([192.0.2.1])\n\n",
      "192.0.2.1", false },
    { "Subject: x\nreceived: from d ([192.0.2.1])\n\n", "192.0.2.1", true },
    /* none in the header block; the body does not count */
    { "Subject: x\n\nReceived: from d ([192.0.2.1])\n", "192.0.2.1", false },
    { "Subject: x\r\n\r\nReceived: from d ([192.0.2.1])\r\n", "192.0.2.1", false },
    { "", "192.0.2.1", false },
};

START_TEST(the_newest_received_header_is_checked)
{
    const char *m = received_cases[_i].msg;
    struct envelope e = { .ip = received_cases[_i].ip };

    ck_assert_int_eq(envelope_received_has(m, strlen(m), received_cases[_i].ip),
                     received_cases[_i].has);
    ck_assert_int_eq(envelope_hop_needed(&e, m, strlen(m)), !received_cases[_i].has);
}
END_TEST

START_TEST(no_client_no_hop)
{
    struct envelope e = { .helo = "x" };
    struct buf b;

    ck_assert(!envelope_hop_needed(&e, "Subject: x\n\n", 12));
    buf_init(&b);
    envelope_received(&e, "mx.example.net", 0, &b);
    ck_assert_uint_eq(b.len, 0);
    buf_clear(&b);
}
END_TEST

START_TEST(the_hop_names_what_is_known)
{
    const char *rcpt[] = { "bob@example.net" };
    const char *two[] = { "bob@example.net", "carol@example.net" };
    struct envelope full = { .ip = "192.0.2.10",
                             .helo = "mail.example.org",
                             .hostname = "mail.example.org",
                             .from = "alice@example.org",
                             .rcpt = rcpt,
                             .nrcpt = 1,
                             .queue_id = "4ABC123",
                             .with = "ESMTPSA" };
    struct envelope bare = { .ip = "2001:db8::1", .from = "", .rcpt = two, .nrcpt = 2 };
    struct buf b;

    buf_init(&b);
    envelope_received(&full, "mx.example.net", 1764000000, &b);
    ck_assert_str_eq(b.p, "Received: from mail.example.org (mail.example.org [192.0.2.10])\n"
                          "\tby mx.example.net (sift) with ESMTPSA id 4ABC123\n"
                          "\t(envelope-from <alice@example.org>)\n"
                          "\tfor <bob@example.net>; Mon, 24 Nov 2025 16:00:00 +0000\n");
    buf_reset(&b);
    /* unknown HELO and name; the null sender; no "for" with two recipients */
    envelope_received(&bare, "mx.example.net", 1764000000, &b);
    ck_assert_str_eq(b.p, "Received: from unknown (unknown [2001:db8::1])\n"
                          "\tby mx.example.net (sift) with ESMTP\n"
                          "\t(envelope-from <>); Mon, 24 Nov 2025 16:00:00 +0000\n");
    ck_assert(envelope_received_has(b.p, b.len, "2001:db8::1"));
    buf_clear(&b);
}
END_TEST

START_TEST(required_is_the_strongest_action_set)
{
    struct scan_actions acts = { 0 };
    struct scan_result res = { .required = 5.0 };

    ck_assert(envelope_required(&acts, NULL) == 0.0);
    ck_assert(envelope_required(&acts, &res) == 5.0);
    acts.set[SCAN_ACTION_ADD_HEADER] = true;
    acts.threshold[SCAN_ACTION_ADD_HEADER] = 6.0;
    ck_assert(envelope_required(&acts, &res) == 6.0);
    acts.set[SCAN_ACTION_REJECT] = true;
    acts.threshold[SCAN_ACTION_REJECT] = 15.0;
    ck_assert(envelope_required(&acts, &res) == 15.0);
}
END_TEST

START_TEST(the_removed_headers_are_spamassassins_and_x_spam)
{
    ck_assert_uint_eq(envelope_nremoved, 6);
    ck_assert_str_eq(envelope_removed[0], "X-Spam");
    for (size_t i = 1; i < envelope_nremoved; i++)
        ck_assert(strncmp(envelope_removed[i], "X-Spam-", 7) == 0);
}
END_TEST

static Suite *
envelope_suite(void)
{
    Suite *s = suite_create("envelope");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, the_newest_received_header_is_checked, 0,
                        (int)(sizeof(received_cases) / sizeof(received_cases[0])));
    tcase_add_test(tc, no_client_no_hop);
    tcase_add_test(tc, the_hop_names_what_is_known);
    tcase_add_test(tc, required_is_the_strongest_action_set);
    tcase_add_test(tc, the_removed_headers_are_spamassassins_and_x_spam);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(envelope_suite());
}
