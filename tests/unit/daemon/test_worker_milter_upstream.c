/*
 * test_worker_milter_upstream.c - a scanner's /checkv2 JSON read as the
 * milter's verdict: rspamd 3.4's replies (spec/rspamd-http-protocol.md
 * 4.3, with its milter block), siftd's own, the milter block's other
 * fields, and what is no result at all.
 */
#include <string.h>

#include "daemon/worker_milter_int.h"

#include "../unit.h"

/* rspamd 3.4's capture (4.3), symbols trimmed */
static const char rspamd_ham[] =
    "{\"is_skipped\":false,\"score\":2.199999,\"required_score\":15.0,\"action\":\"no action\","
    "\"symbols\":{\"MIME_GOOD\":{\"name\":\"MIME_GOOD\",\"score\":-0.100000,\"metric_score\":-0.1,"
    "\"description\":\"Known content-type\",\"options\":[\"text/plain\"]},"
    "\"DATE_IN_PAST\":{\"name\":\"DATE_IN_PAST\",\"score\":1.0,\"options\":[\"8769\",\"x\"]}},"
    "\"messages\":{},\"message-id\":\"abc123@example.org\",\"time_real\":0.574474,"
    "\"milter\":{\"add_headers\":{\"X-Spamd-Result\":{\"value\":\"default: False [2.20 / "
    "15.00];\\r\\n\\tDATE_IN_PAST(1.00)[8769]\",\"order\":-1},\"X-Rspamd-Server\":{\"value\":"
    "\"vm\",\"order\":-1}},\"remove_headers\":{\"X-Spam\":0,\"X-Spamd-Result\":0}}}";

static const char rspamd_gtube[] =
    "{\"is_skipped\":true,\"score\":15.0,\"required_score\":15.0,\"action\":\"reject\","
    "\"symbols\":{\"GTUBE\":{\"name\":\"GTUBE\",\"score\":0.0,\"metric_score\":0.0}},"
    "\"messages\":{\"smtp_message\":\"Gtube pattern\"},"
    "\"message-id\":\"GTUBE1.1010101@example.net\",\"time_real\":0.000314}";

/* what siftd's normal worker answers with Flags: milter */
static const char sift_rewrite[] =
    "{\"is_skipped\":false,\"score\":9.0,\"required_score\":15.0,\"action\":\"rewrite subject\","
    "\"subject\":\"***SPAM*** rewrite-me\",\"symbols\":{\"SIFT_REWRITE\":{\"name\":"
    "\"SIFT_REWRITE\",\"score\":9.0,\"metric_score\":9.0}},\"messages\":{},\"message-id\":"
    "\"undef\",\"time_real\":0.001,\"milter\":{\"add_headers\":{\"X-Spam-Status\":{\"value\":"
    "\"Yes, score=9.0 required=5.0 tests=SIFT_REWRITE\\n\\tautolearn=no\",\"order\":-1},"
    "\"X-Spam\":{\"value\":\"Yes\",\"order\":-1}},\"remove_headers\":{\"X-Spam-Flag\":0,"
    "\"X-Spam\":0}}}";

static const char milter_block[] =
    "{\"action\":\"reject\",\"score\":20,\"symbols\":{},\"milter\":{\"reject\":\"discard\","
    "\"add_headers\":{\"X-A\":[{\"value\":\"1\",\"order\":0},{\"value\":\"2\"}],\"X-B\":\"legacy\"}"
    ","
    "\"remove_headers\":{\"X-Old\":[1,-1]},\"spam_header\":{\"X-Junk\":\"yes please\"},"
    "\"change_from\":\"<bounce@example.org>\",\"add_rcpt\":[\"<a@x>\",\"<b@x>\"],"
    "\"del_rcpt\":[\"<c@x>\"],\"no_action\":false},\"dkim-signature\":[\"v=1; a=rsa;\\r\\n\\tb=x\","
    "\"v=1; second\"]}";

START_TEST(rspamds_ham_with_its_milter_block)
{
    struct arena *a = arena_new(4096);
    struct mw_verdict v;
    const char *why = NULL;

    ck_assert_int_eq(mw_verdict_from_json(a, rspamd_ham, strlen(rspamd_ham), &v, &why), 0);
    ck_assert_int_eq(v.action, MW_ACT_NONE);
    ck_assert(v.score > 2.19 && v.score < 2.21);
    ck_assert(v.required == 15.0);
    ck_assert_str_eq(v.message_id, "abc123@example.org");
    ck_assert_ptr_null(v.smtp_message);
    ck_assert_uint_eq(v.nsymbols, 2);
    ck_assert_str_eq(v.symbols[0].name, "DATE_IN_PAST"); /* by name */
    ck_assert_str_eq(v.symbols[0].option, "8769,x");
    ck_assert_str_eq(v.symbols[1].name, "MIME_GOOD");
    ck_assert(v.symbols[1].score < -0.09);
    ck_assert_uint_eq(v.nadd, 2);
    ck_assert_str_eq(v.add[0].name, "X-Spamd-Result");
    ck_assert_str_eq(v.add[0].value, "default: False [2.20 / 15.00];\n\tDATE_IN_PAST(1.00)[8769]");
    ck_assert_int_eq(v.add[0].order, -1);
    ck_assert_uint_eq(v.nremove, 2);
    ck_assert_str_eq(v.remove[0].name, "X-Spam");
    ck_assert_int_eq(v.remove[0].which, 0);
    ck_assert_ptr_nonnull(v.res);
    ck_assert_uint_eq(v.res->nhits, 2);
    ck_assert_str_eq(v.res->hits[0].rule->name, "DATE_IN_PAST");
    ck_assert(!v.res->is_spam);
    arena_free(&a);
}
END_TEST

START_TEST(rspamds_gtube_is_a_reject_with_its_text)
{
    struct arena *a = arena_new(4096);
    struct mw_verdict v;
    const char *why = NULL;

    ck_assert_int_eq(mw_verdict_from_json(a, rspamd_gtube, strlen(rspamd_gtube), &v, &why), 0);
    ck_assert_int_eq(v.action, MW_ACT_REJECT);
    ck_assert_str_eq(v.smtp_message, "Gtube pattern");
    ck_assert_str_eq(v.message_id, "GTUBE1.1010101@example.net");
    ck_assert_uint_eq(v.nadd, 0);
    ck_assert(v.res->is_spam && v.res->action == SCAN_ACTION_REJECT);
    arena_free(&a);
}
END_TEST

START_TEST(siftds_rewrite_subject)
{
    struct arena *a = arena_new(4096);
    struct mw_verdict v;
    const char *why = NULL;

    ck_assert_int_eq(mw_verdict_from_json(a, sift_rewrite, strlen(sift_rewrite), &v, &why), 0);
    ck_assert_int_eq(v.action, MW_ACT_REWRITE_SUBJECT);
    ck_assert_str_eq(v.subject, "***SPAM*** rewrite-me");
    ck_assert_ptr_null(v.message_id); /* "undef" */
    ck_assert_uint_eq(v.nadd, 2);
    ck_assert_str_eq(v.add[1].name, "X-Spam");
    ck_assert_str_eq(v.add[1].value, "Yes");
    arena_free(&a);
}
END_TEST

START_TEST(the_rest_of_the_milter_block)
{
    struct arena *a = arena_new(4096);
    struct mw_verdict v;
    const char *why = NULL;

    ck_assert_int_eq(mw_verdict_from_json(a, milter_block, strlen(milter_block), &v, &why), 0);
    ck_assert(v.reject_discard && !v.reject_quarantine && !v.no_action);
    ck_assert_uint_eq(v.nadd, 5);
    ck_assert_str_eq(v.add[0].name, "X-A");
    ck_assert_int_eq(v.add[0].order, 0);
    ck_assert_str_eq(v.add[1].value, "2");
    ck_assert_int_eq(v.add[1].order, -1);
    ck_assert_str_eq(v.add[2].name, "X-B");
    ck_assert_str_eq(v.add[2].value, "legacy");
    ck_assert_str_eq(v.add[3].name, "DKIM-Signature");
    ck_assert_str_eq(v.add[3].value, "v=1; a=rsa;\n\tb=x");
    ck_assert_int_eq(v.add[3].order, 1);
    ck_assert_int_eq(v.add[4].order, 2);
    ck_assert_uint_eq(v.nremove, 2);
    ck_assert_int_eq(v.remove[1].which, -1);
    ck_assert_str_eq(v.spam_header, "X-Junk");
    ck_assert_str_eq(v.spam_value, "yes please");
    ck_assert_str_eq(v.change_from, "<bounce@example.org>");
    ck_assert_uint_eq(v.nadd_rcpt, 2);
    ck_assert_str_eq(v.add_rcpt[1], "<b@x>");
    ck_assert_uint_eq(v.ndel_rcpt, 1);
    arena_free(&a);
}
END_TEST

static const char *const not_results[] = {
    "",
    "<html>502 Bad Gateway</html>",
    "{\"error\":\"invalid command\",\"error_domain\":\"protocol-error\"}",
    "{\"action\":\"maybe\",\"score\":1}",
    "{\"action\":7}",
    "[\"action\",\"reject\"]",
};

START_TEST(what_is_no_result)
{
    struct arena *a = arena_new(4096);
    struct mw_verdict v;
    const char *why = NULL;

    ck_assert_int_eq(mw_verdict_from_json(a, not_results[_i], strlen(not_results[_i]), &v, &why),
                     -1);
    ck_assert_ptr_nonnull(why);
    ck_assert(why[0] != '\0');
    arena_free(&a);
}
END_TEST

static Suite *
worker_milter_upstream_suite(void)
{
    Suite *s = suite_create("worker_milter_upstream");
    TCase *tc = tcase_create("verdict");

    tcase_add_test(tc, rspamds_ham_with_its_milter_block);
    tcase_add_test(tc, rspamds_gtube_is_a_reject_with_its_text);
    tcase_add_test(tc, siftds_rewrite_subject);
    tcase_add_test(tc, the_rest_of_the_milter_block);
    tcase_add_loop_test(tc, what_is_no_result, 0,
                        (int)(sizeof(not_results) / sizeof(not_results[0])));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(worker_milter_upstream_suite());
}
