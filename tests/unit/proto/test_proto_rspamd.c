/*
 * test_proto_rspamd.c - rspamd's reply shapes (spec/rspamd-http-protocol.md
 * sections 4, 5, 7) byte for byte, and the zstd framing of section 2.2.
 */
#include "proto/proto_rspamd.h"

#include <string.h>

#include <zstd.h>

#include "core/buf.h"
#include "../unit.h"

static const struct rspamd_symbol test_syms[] = {
    { "ARC_NA", 0.0, 0.0, "ARC signature absent", NULL },
    { "DATE_IN_PAST", 1.0, 1.0, "Message date is in past", "8769" },
    { "MIME_GOOD", -0.1, -0.1, NULL, "text/plain" },
};
static const struct rspamd_header test_add[] = {
    { "X-Spam-Status", "No, score=2.2\r\n\ttests=X", -1 },
};
static const char *const test_remove[] = { "X-Spam", "X-Spam-Status" };

static struct rspamd_reply
test_reply(void)
{
    struct rspamd_reply r = {
        .score = 2.2,
        .required_score = 15.0,
        .action = "greylist",
        .symbols = test_syms,
        .nsymbols = 3,
        .message_id = "abc123@example.org",
        .time_real = 0.5,
        .add_headers = test_add,
        .nadd_headers = 1,
        .remove_headers = test_remove,
        .nremove_headers = 2,
    };

    return r;
}

#define TEST_SYMS_V2                                                                               \
    "\"ARC_NA\":{\"name\":\"ARC_NA\",\"score\":0.0,\"metric_score\":0.0,\"description\":\"ARC "    \
    "signature absent\"},"                                                                         \
    "\"DATE_IN_PAST\":{\"name\":\"DATE_IN_PAST\",\"score\":1.0,\"metric_score\":1.0,"              \
    "\"description\":\"Message date is in past\",\"options\":[\"8769\"]},"                         \
    "\"MIME_GOOD\":{\"name\":\"MIME_GOOD\",\"score\":-0.100000,\"metric_score\":-0.100000,"        \
    "\"options\":[\"text/plain\"]}"
#define TEST_TAIL                                                                                  \
    "\"messages\":{},\"message-id\":\"abc123@example.org\",\"time_real\":0.500000,\"%s\":{"        \
    "\"add_headers\":{\"X-Spam-Status\":{\"value\":\"No, score=2.2\\r\\n\\ttests=X\","             \
    "\"order\":-1}},\"remove_headers\":{\"X-Spam\":0,\"X-Spam-Status\":0}}}"

START_TEST(rspamd_v2_shape)
{
    struct rspamd_reply r = test_reply();
    struct buf out, want;

    buf_init(&out);
    buf_init(&want);
    rspamd_render_v2(&r, &out);
    buf_printf(&want,
               "{\"is_skipped\":false,\"score\":2.200000,\"required_score\":15.0,"
               "\"action\":\"greylist\",\"symbols\":{" TEST_SYMS_V2 "}," TEST_TAIL,
               "milter");
    ck_assert_str_eq(out.p, want.p);
    buf_clear(&out);
    buf_clear(&want);
}
END_TEST

/* v1: "default" holds everything, symbols merged in, is_spam (greylist
 * counts), no metric_score, the block named rmilter */
START_TEST(rspamd_v1_shape)
{
    struct rspamd_reply r = test_reply();
    struct buf out, want;

    buf_init(&out);
    buf_init(&want);
    rspamd_render_v1(&r, &out);
    buf_printf(&want,
               "{\"default\":{\"is_spam\":true,\"is_skipped\":false,\"score\":2.200000,"
               "\"required_score\":15.0,\"action\":\"greylist\","
               "\"ARC_NA\":{\"name\":\"ARC_NA\",\"score\":0.0,\"description\":\"ARC signature "
               "absent\"},\"DATE_IN_PAST\":{\"name\":\"DATE_IN_PAST\",\"score\":1.0,"
               "\"description\":\"Message date is in past\",\"options\":[\"8769\"]},"
               "\"MIME_GOOD\":{\"name\":\"MIME_GOOD\",\"score\":-0.100000,"
               "\"options\":[\"text/plain\"]}}," TEST_TAIL,
               "rmilter");
    ck_assert_str_eq(out.p, want.p);
    r.action = "no action";
    buf_reset(&out);
    rspamd_render_v1(&r, &out);
    ck_assert_ptr_nonnull(strstr(out.p, "{\"default\":{\"is_spam\":false,"));
    buf_clear(&out);
    buf_clear(&want);
}
END_TEST

/* subject for rewrite subject, smtp_message, "undef" without a Message-ID,
 * groups, no milter block without headers, NaN as 0.0 */
START_TEST(rspamd_v2_optional_keys)
{
    static const struct rspamd_group groups[] = { { "sa", 3.5 } };
    static const struct strv urls[] = { { "www.example.org", 15 }, { "a.example", 9 } };
    static const struct strv emails[] = { { "bob@example.net", 15 } };
    struct rspamd_reply r = {
        .score = 0.0 / 0.0,
        .required_score = 15,
        .action = "rewrite subject",
        .subject = "***SPAM*** hi",
        .groups = groups,
        .ngroups = 1,
        .smtp_message = "Gtube pattern",
        .urls = urls,
        .nurls = 2,
        .emails = emails,
        .nemails = 1,
    };
    struct buf out;

    buf_init(&out);
    rspamd_render_v2(&r, &out);
    ck_assert_str_eq(out.p,
                     "{\"is_skipped\":false,\"score\":0.0,\"required_score\":15.0,\"action\":"
                     "\"rewrite subject\",\"subject\":\"***SPAM*** hi\",\"symbols\":{},"
                     "\"groups\":{\"sa\":{\"score\":3.500000}},\"messages\":{"
                     "\"smtp_message\":\"Gtube pattern\"},\"urls\":[\"www.example.org\","
                     "\"a.example\"],\"emails\":[\"bob@example.net\"],\"message-id\":\"undef\","
                     "\"time_real\":0.0}");
    buf_clear(&out);
}
END_TEST

/* section 7.1, as Exim's sscanf reads it */
START_TEST(rspamd_rspamc_lines)
{
    struct rspamd_reply r = test_reply();
    struct buf out;

    buf_init(&out);
    r.score = 4.5;
    r.subject = "***SPAM*** a\r\nb";
    r.smtp_message = "Gtube pattern";
    rspamd_render_rspamc(&r, "1.3", &out);
    ck_assert_str_eq(out.p, "RSPAMD/1.3 0 EX_OK\r\n"
                            "Metric: default; False; 4.50 / 15.00 / 0.0\r\n"
                            "Action: greylist\r\n"
                            "Subject: ***SPAM*** a  b\r\n"
                            "Symbol: ARC_NA(0.00)\r\n"
                            "Symbol: DATE_IN_PAST(1.00)\r\n"
                            "Symbol: MIME_GOOD(-0.10)\r\n"
                            "Message: Gtube pattern\r\n"
                            "Message-ID: abc123@example.org\r\n");
    buf_clear(&out);
}
END_TEST

/* section 7.2: Content-length counts the part after the empty line */
START_TEST(rspamd_spamc_lines)
{
    struct rspamd_reply r = test_reply();
    struct buf out;

    buf_init(&out);
    r.score = 3.4;
    rspamd_render_spamc(&r, true, &out);
    ck_assert_str_eq(out.p, "SPAMD/1.1 0 EX_OK\r\nContent-length: 31\r\n"
                            "Spam: False ; 3.40 / 15.00\r\n\r\n"
                            "ARC_NA,DATE_IN_PAST,MIME_GOOD\r\n");
    buf_reset(&out);
    rspamd_render_spamc(&r, false, &out);
    ck_assert_str_eq(out.p, "SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n"
                            "Spam: False ; 3.40 / 15.00\r\n\r\n");
    buf_clear(&out);
}
END_TEST

START_TEST(rspamd_error_body)
{
    struct buf out;

    buf_init(&out);
    rspamd_render_error("bad \"x\"", "protocol-error", &out);
    ck_assert_str_eq(out.p, "{\"error\":\"bad \\\"x\\\"\",\"error_domain\":\"protocol-error\"}");
    buf_clear(&out);
}
END_TEST

START_TEST(rspamd_zstd_round_trip)
{
    struct buf z, back, big;
    char err[128];

    buf_init(&z);
    buf_init(&back);
    buf_init(&big);
    for (int i = 0; i < 20000; i++)
        buf_printf(&big, "line %d of a message\r\n", i);
    ck_assert_int_eq(rspamd_zstd_compress(big.p, big.len, &z), 0);
    ck_assert(rspamd_is_zstd(z.p, z.len));
    ck_assert_uint_lt(z.len, big.len);
    ck_assert_int_eq(rspamd_zstd_decompress(z.p, z.len, big.len, &back, err, sizeof(err)), 0);
    ck_assert_uint_eq(back.len, big.len);
    ck_assert(memcmp(back.p, big.p, big.len) == 0);
    /* one byte over the limit */
    ck_assert_int_eq(rspamd_zstd_decompress(z.p, z.len, big.len - 1, &back, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "larger than"));
    /* cut short */
    ck_assert_int_eq(rspamd_zstd_decompress(z.p, z.len / 2, big.len, &back, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
    /* not zstd at all, and corrupt after the magic */
    ck_assert_int_eq(rspamd_zstd_decompress("hello", 5, 100, &back, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "the body is not a zstd frame");
    z.p[z.len / 2] ^= 0x55;
    z.p[z.len / 2 + 1] ^= 0x55;
    ck_assert_int_eq(rspamd_zstd_decompress(z.p, z.len, big.len, &back, err, sizeof(err)), -1);
    /* an empty message compresses and comes back empty */
    ck_assert_int_eq(rspamd_zstd_compress("", 0, &z), 0);
    ck_assert_int_eq(rspamd_zstd_decompress(z.p, z.len, 10, &back, err, sizeof(err)), 0);
    ck_assert_uint_eq(back.len, 0);
    buf_clear(&z);
    buf_clear(&back);
    buf_clear(&big);
}
END_TEST

static Suite *
proto_rspamd_suite(void)
{
    Suite *s = suite_create("proto_rspamd");
    TCase *tc = tcase_create("render");

    tcase_add_test(tc, rspamd_v2_shape);
    tcase_add_test(tc, rspamd_v1_shape);
    tcase_add_test(tc, rspamd_v2_optional_keys);
    tcase_add_test(tc, rspamd_rspamc_lines);
    tcase_add_test(tc, rspamd_spamc_lines);
    tcase_add_test(tc, rspamd_error_body);
    tcase_add_test(tc, rspamd_zstd_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(proto_rspamd_suite());
}
