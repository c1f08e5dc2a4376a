/*
 * test_sa_markup.c - SpamAssassin's text helpers as sift ports them, with
 * the outputs Perl gives for the same calls (SA 4.0.1's Util::wrap,
 * PerMsgStatus::mime_encode_header, Util::get_tag_value_for_score):
 * description wrapping, X-Spam-Status folding after a comma or blank,
 * RFC 2047 encoding of non-ASCII header lines, and the score a ham shows.
 */
#include "compat/sa_markup.h"

#include <string.h>

#include "../unit.h"

static char *
wrap(const char *s, const char *prefix, const char *first, unsigned len, bool overflow, bool comma)
{
    static char out[4096];
    struct buf b;

    buf_init(&b);
    sa_markup_wrap(s, strlen(s), prefix, first, len, overflow, comma, &b);
    snprintf(out, sizeof(out), "%.*s", (int)b.len, b.p ? b.p : "");
    buf_clear(&b);
    return out;
}

START_TEST(wrap_description_as_perl_does)
{
    /* perl -MMail::SpamAssassin::Util -e 'print Mail::SpamAssassin::Util::wrap(
     *   "Message has a valid DKIM or DK signature from author domain", " " x 28,
     *   " " x 32, 75, 0)' */
    ck_assert_str_eq(wrap("Message has a valid DKIM or DK signature from author domain",
                          "                            ", "                                ", 75,
                          false, false),
                     "                                Message has a valid DKIM or DK signature\n"
                     "                            from author domain");
    ck_assert_str_eq(wrap("short", "  ", "", 75, false, false), "short");
    ck_assert_str_eq(wrap("", "  ", "X", 75, false, false), "X");
}
END_TEST

START_TEST(fold_status_after_commas)
{
    /* the X-Spam-Status of the spec's PROCESS example: the break falls after the blank */
    ck_assert_str_eq(wrap("X-Spam-Status!!No, score=-0.0 required=5.0 tests=NO_RECEIVED,"
                          "NO_RELAYS autolearn=disabled version=4.0.1",
                          "\t", "", 79, false, true),
                     "X-Spam-Status!!No, score=-0.0 required=5.0 tests=NO_RECEIVED,NO_RELAYS\n"
                     "\tautolearn=disabled version=4.0.1");
    /* a long test list breaks after the last comma that fits */
    ck_assert_str_eq(wrap("X-Spam-Status!!Yes, score=1000.0 required=5.0 tests=GTUBE,NO_RECEIVED,"
                          "NO_RELAYS,USER_IN_WELCOMELIST autolearn=disabled version=4.0.1",
                          "\t", "", 79, false, true),
                     "X-Spam-Status!!Yes, score=1000.0 required=5.0 tests=GTUBE,NO_RECEIVED,\n"
                     "\tNO_RELAYS,USER_IN_WELCOMELIST autolearn=disabled version=4.0.1");
}
END_TEST

START_TEST(preview_overflow_keeps_long_words_and_blanks)
{
    ck_assert_str_eq(
        wrap("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
             " bbb",
             "  ", "Content preview:  ", 75, true, false),
        "Content preview:  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
        "   bbb");
}
END_TEST

static char *
enc(const char *s)
{
    static char out[4096];
    struct buf b;

    buf_init(&b);
    sa_markup_encode_header(s, strlen(s), &b);
    snprintf(out, sizeof(out), "%.*s", (int)b.len, b.p ? b.p : "");
    buf_clear(&b);
    return out;
}

START_TEST(encode_header_lines)
{
    ck_assert_str_eq(enc("plain ascii\n\tsecond"), "plain ascii\n\tsecond");
    /* perl: mime_encode_header("caf\xc3\xa9 menu\n") */
    ck_assert_str_eq(enc("caf\xc3\xa9 menu\n"), "=?UTF-8?Q?caf=C3=A9?= menu\n");
    ck_assert_str_eq(enc("x \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e y"),
                     "x =?UTF-8?B?5pel5pys6Kqe?= y");
}
END_TEST

START_TEST(score_as_spamd_shows_it)
{
    struct scan_result r = { 0 };
    char s[32];

    r.required = 5.0;
    r.score = 4.96;
    sa_markup_score(&r, s, sizeof(s));
    ck_assert_str_eq(s, "4.9"); /* a ham never shows its threshold */
    r.score = -0.002;
    sa_markup_score(&r, s, sizeof(s));
    ck_assert_str_eq(s, "-0.0");
    r.score = 5.0;
    r.is_spam = true;
    sa_markup_score(&r, s, sizeof(s));
    ck_assert_str_eq(s, "5.0");
    r.required = 10;
    r.score = 9.97;
    r.is_spam = false;
    sa_markup_score(&r, s, sizeof(s));
    ck_assert_str_eq(s, "9.9");
    sa_markup_required(&r, s, sizeof(s));
    ck_assert_str_eq(s, "10.0");
}
END_TEST

static Suite *
sa_markup_suite(void)
{
    Suite *s = suite_create("sa_markup");
    TCase *tc = tcase_create("sa_markup");

    tcase_add_test(tc, wrap_description_as_perl_does);
    tcase_add_test(tc, fold_status_after_commas);
    tcase_add_test(tc, preview_overflow_keeps_long_words_and_blanks);
    tcase_add_test(tc, encode_header_lines);
    tcase_add_test(tc, score_as_spamd_shows_it);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_markup_suite());
}
