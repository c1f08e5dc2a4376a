/*
 * test_siftc_fmt.c - what siftc prints for a reply: the human scan result
 * (symbols by name, options, subject, urls, messages), the X-Spamd-Result
 * header of spec section 4.4 (by |score|, True only for reject), the
 * X-Spam-* headers, the /stat summary, learn and fuzzy answers, and the
 * ranks of the actions that make the exit status.
 */
#include "client/siftc_fmt.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json_read.h"

#include "../unit.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* The spec's 4.3 example, symbols in hash order as rspamd sends them. */
static const char example[] =
    "{\"is_skipped\":false,\"score\":2.199999,\"required_score\":15.0,\"action\":\"no action\","
    "\"symbols\":{"
    "\"MIME_GOOD\":{\"name\":\"MIME_GOOD\",\"score\":-0.100000,\"metric_score\":-0.100000,"
    "\"description\":\"Known content-type\",\"options\":[\"text/plain\"]},"
    "\"HFILTER_HELO_IP_A\":{\"name\":\"HFILTER_HELO_IP_A\",\"score\":1.0,\"metric_score\":1.0,"
    "\"options\":[\"mail.example.org\"]},"
    "\"DATE_IN_PAST\":{\"name\":\"DATE_IN_PAST\",\"score\":1.0,\"metric_score\":1.0,"
    "\"options\":[\"8769\",\"x\"]},"
    "\"ARC_NA\":{\"name\":\"ARC_NA\",\"score\":0.0,\"metric_score\":0.0},"
    "\"MIME_TRACE\":{\"name\":\"MIME_TRACE\",\"score\":0.0,\"metric_score\":0.0,"
    "\"options\":[\"0:+\"]}},"
    "\"messages\":{},\"message-id\":\"abc123@example.org\",\"time_real\":0.574474}";

static const char gtube[] =
    "{\"is_skipped\":true,\"score\":15.0,\"required_score\":15.0,\"action\":\"reject\","
    "\"symbols\":{\"GTUBE\":{\"name\":\"GTUBE\",\"score\":0.0,\"metric_score\":0.0}},"
    "\"messages\":{\"smtp_message\":\"Gtube pattern\"},"
    "\"message-id\":\"GTUBE1.1010101@example.net\",\"time_real\":0.000314}";

static const char rewrite[] =
    "{\"score\":9.5,\"required_score\":15,\"action\":\"rewrite subject\","
    "\"subject\":\"***SPAM*** hello\",\"symbols\":{},\"messages\":{},"
    "\"urls\":[\"www.example.com\",\"example.net\"],\"emails\":[\"a@example.org\"],"
    "\"message-id\":\"undef\"}";

static const struct json_val *
parse(struct arena *a, const char *text)
{
    const struct json_val *v = NULL;
    struct sift_err err;

    ck_assert_msg(json_read_parse(a, text, strlen(text), 0, &v, &err) == 0, "%s", err.msg);
    return v;
}

static const struct {
    const char *action;
    int rank;
    bool spam;
} action_cases[] = {
    { "no action", 0, false },      { "greylist", 1, false },   { "add header", 2, true },
    { "rewrite subject", 3, true }, { "soft reject", 4, true }, { "reject", 5, true },
    { "discard", 5, true },         { "quarantine", 5, true },  { "custom thing", 2, true },
    { "No Action", 2, true }, /* exact strings only */
};

START_TEST(actions_rank_and_spam)
{
    ck_assert_int_eq(siftc_action_rank(action_cases[_i].action), action_cases[_i].rank);
    ck_assert_int_eq(siftc_action_is_spam(action_cases[_i].action), action_cases[_i].spam);
}
END_TEST

/* reply, the human lines, the X-Spamd-Result value folded with "\n\t" */
static const struct {
    const char *reply, *human, *spamd_result;
} scan_cases[] = {
    { example,
      "[Metric: default]\n"
      "Action: no action\n"
      "Spam: false\n"
      "Score: 2.20 / 15.00\n"
      "Symbol: ARC_NA (0.00)\n"
      "Symbol: DATE_IN_PAST (1.00)[8769, x]\n"
      "Symbol: HFILTER_HELO_IP_A (1.00)[mail.example.org]\n"
      "Symbol: MIME_GOOD (-0.10)[text/plain]\n"
      "Symbol: MIME_TRACE (0.00)[0:+]\n"
      "Message-ID: abc123@example.org\n",
      "default: False [2.20 / 15.00];\n"
      "\tDATE_IN_PAST(1.00)[8769,x];\n"
      "\tHFILTER_HELO_IP_A(1.00)[mail.example.org];\n"
      "\tMIME_GOOD(-0.10)[text/plain];\n"
      "\tARC_NA(0.00);\n"
      "\tMIME_TRACE(0.00)[0:+]" },
    { gtube,
      "[Metric: default]\n"
      "Action: reject\n"
      "Spam: true\n"
      "Score: 15.00 / 15.00\n"
      "Symbol: GTUBE (0.00)\n"
      "Message-ID: GTUBE1.1010101@example.net\n"
      "Messages:\n"
      "  smtp_message: Gtube pattern\n",
      "default: True [15.00 / 15.00];\n\tGTUBE(0.00)" },
    { rewrite,
      "[Metric: default]\n"
      "Action: rewrite subject\n"
      "Spam: true\n"
      "Score: 9.50 / 15.00\n"
      "Subject: ***SPAM*** hello\n"
      "Urls: www.example.com, example.net\n"
      "Emails: a@example.org\n"
      "Message-ID: undef\n",
      "default: False [9.50 / 15.00]" },
    /* the least a reply may be */
    { "{\"action\":\"greylist\"}",
      "[Metric: default]\nAction: greylist\nSpam: false\nScore: 0.00 / 0.00\n",
      "default: False [0.00 / 0.00]" },
};

START_TEST(scan_human)
{
    struct arena *a = arena_new(4096);
    struct buf b;

    buf_init(&b);
    siftc_fmt_scan(&b, parse(a, scan_cases[_i].reply));
    ck_assert_str_eq(b.p, scan_cases[_i].human);
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

START_TEST(spamd_result_by_weight)
{
    struct arena *a = arena_new(4096);
    struct buf b;

    buf_init(&b);
    siftc_fmt_spamd_result(&b, parse(a, scan_cases[_i].reply), "\n\t");
    ck_assert_str_eq(b.p, scan_cases[_i].spamd_result);
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

START_TEST(headers_of_a_result)
{
    struct arena *a = arena_new(4096);
    struct buf b;

    buf_init(&b);
    siftc_fmt_headers(&b, parse(a, gtube));
    ck_assert_str_eq(b.p, "X-Spam-Action: reject\n"
                          "X-Spam-Score: 15.00\n"
                          "X-Spam: Yes\n"
                          "X-Spamd-Result: default: True [15.00 / 15.00];\n\tGTUBE(0.00)\n");
    buf_reset(&b);
    siftc_fmt_headers(&b, parse(a, "{\"action\":\"greylist\",\"score\":4.5,\"required_score\":15,"
                                   "\"symbols\":{\"A\":{\"score\":-1},\"B\":{\"score\":5.5}}}"));
    ck_assert_str_eq(b.p,
                     "X-Spam-Action: greylist\n"
                     "X-Spam-Score: 4.50\n"
                     "X-Spamd-Result: default: False [4.50 / 15.00];\n\tB(5.50);\n\tA(-1.00)\n");
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

START_TEST(stat_summary)
{
    struct arena *a = arena_new(4096);
    struct buf b;
    const char *st =
        "{\"version\":\"0.1.0\",\"config_id\":\"ab\",\"uptime\":93784,\"read_only\":false,"
        "\"scanned\":4,\"learned\":1,\"actions\":{\"reject\":3,\"soft reject\":0,"
        "\"no action\":1},\"scan_times\":[null,1.5],\"spam_count\":3,\"ham_count\":1,"
        "\"connections\":5,\"control_connections\":2,\"total_learns\":0,"
        "\"statfiles\":[{\"symbol\":\"BAYES_SPAM\",\"type\":\"redis\",\"revision\":12,"
        "\"users\":1}],\"fuzzy_hashes\":{\"local\":42}}";

    buf_init(&b);
    siftc_fmt_stat(&b, parse(a, st));
    ck_assert_str_eq(b.p, "Version: 0.1.0\n"
                          "Uptime: 1d 2h 3m 4s\n"
                          "Messages scanned: 4\n"
                          "Messages with action reject: 3, 75.00%\n"
                          "Messages with action soft reject: 0, 0.00%\n"
                          "Messages with action no action: 1, 25.00%\n"
                          "Messages treated as spam: 3, 75.00%\n"
                          "Messages treated as ham: 1, 25.00%\n"
                          "Messages learned: 1\n"
                          "Connections count: 5\n"
                          "Control connections count: 2\n"
                          "Total learns: 0\n"
                          "Statfile: BAYES_SPAM type: redis; learned: 12; users: 1\n"
                          "Fuzzy hashes in storage \"local\": 42\n");
    /* nothing scanned yet: no division by zero */
    buf_reset(&b);
    siftc_fmt_stat(&b, parse(a, "{\"scanned\":0,\"actions\":{\"reject\":0}}"));
    ck_assert_str_eq(b.p, "Messages scanned: 0\nMessages with action reject: 0, 0.00%\n");
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

START_TEST(success_answers)
{
    struct arena *a = arena_new(4096);
    struct buf b;

    buf_init(&b);
    siftc_fmt_success(&b, parse(a, "{\"success\":true}"));
    ck_assert_str_eq(b.p, "success = true\n");
    buf_reset(&b);
    siftc_fmt_success(&b, parse(a, "{\"success\":true,\"hashes\":[\"ab12\",\"cd34\"]}"));
    ck_assert_str_eq(b.p, "success = true\nhashes: ab12, cd34\n");
    buf_reset(&b);
    siftc_fmt_success(&b, parse(a, "{}"));
    ck_assert_str_eq(b.p, "success = false\n");
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

static Suite *
siftc_fmt_suite(void)
{
    Suite *s = suite_create("siftc_fmt");
    TCase *tc = tcase_create("siftc_fmt");

    tcase_add_loop_test(tc, actions_rank_and_spam, 0, NCASES(action_cases));
    tcase_add_loop_test(tc, scan_human, 0, NCASES(scan_cases));
    tcase_add_loop_test(tc, spamd_result_by_weight, 0, NCASES(scan_cases));
    tcase_add_test(tc, headers_of_a_result);
    tcase_add_test(tc, stat_summary);
    tcase_add_test(tc, success_answers);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(siftc_fmt_suite());
}
