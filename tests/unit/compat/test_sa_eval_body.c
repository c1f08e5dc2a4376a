/*
 * test_sa_eval_body.c - SpamAssassin's BodyEval natively (text/HTML word
 * differences in multipart/alternative, blank lines, vertical words, stock
 * tips, body and signature lengths) and TextCat's check_body_8bits. Each
 * case is one call on a crafted message of tests/data/eval/body/ with the
 * answer SpamAssassin 4.0.1 gave (scripts/sa-eval-body.pl --cases).
 */
#include "compat/sa_eval_body.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"

static const struct eval_case body_cases[] = {
    /* an Exchange meeting request (text/html and text/calendar) is let be */
    { "mime-meeting.eml", "body", "multipart_alternative_difference", { "50", "100" }, 0 },
    { "mime-alt-diff.eml", "body", "multipart_alternative_difference", { "50", "100" }, 1 },
    { "mime-alt-image.eml", "body", "multipart_alternative_difference", { "99", "100" }, 1 },
    { "body-8bit.eml", "body", "multipart_alternative_difference", { "99", "100" }, 0 },
    { "body-8bit.eml", "body", "multipart_alternative_difference", { "0", "100" }, 1 },
    { "body-8bit.eml", "body", "multipart_alternative_difference", { "0", "50" }, 1 },
    { "mime-alt-diff.eml", "body", "multipart_alternative_difference", { "0", "50" }, 0 },
    { "mime-alt-diff.eml", "body", "multipart_alternative_difference", { "50", "undef" }, 1 },
    { "body-8bit.eml", "body", "multipart_alternative_difference", { "50", "undef" }, 0 },
    { "body-8bit.eml", "body", "multipart_alternative_difference", { "0", "undef" }, 1 },
    { "mime-alt-diff.eml", "body", "multipart_alternative_difference", { "10", "90" }, 1 },
    { "body-8bit.eml", "body", "multipart_alternative_difference", { "10", "90" }, 0 },
    { "body-8bit.eml", "body", "multipart_alternative_difference_count", { "3", "1" }, 0 },
    { "mime-alt-diff.eml", "body", "multipart_alternative_difference_count", { "0", "0" }, 1 },
    { "body-8bit.eml", "body", "multipart_alternative_difference_count", { "0", "0" }, 0 },
    { "body-8bit.eml", "body", "multipart_alternative_difference_count", { "0.5", "1" }, 0 },
    { "body-8bit.eml", "body", "multipart_alternative_difference_count", { "1", "5" }, 0 },
    { "body-blank.eml", "body", "check_blank_line_ratio", { "80", "90", "4" }, 1 },
    { "body-8bit.eml", "body", "check_blank_line_ratio", { "80", "90", "4" }, 0 },
    { "body-8bit.eml", "body", "check_blank_line_ratio", { "0", "50" }, 1 },
    { "body-blank.eml", "body", "check_blank_line_ratio", { "0", "50" }, 0 },
    { "body-blank.eml", "body", "check_blank_line_ratio", { "50", "100" }, 1 },
    { "body-8bit.eml", "body", "check_blank_line_ratio", { "50", "100" }, 0 },
    { "body-8bit.eml", "body", "check_blank_line_ratio", { "0", "100", "100" }, 1 },
    { "body-8bit.eml", "body", "check_blank_line_ratio", { "40", "70", "2" }, 0 },
    { "charset-multi.eml", "body", "tvd_vertical_words", { "0", "10" }, 1 },
    { "body-8bit.eml", "body", "tvd_vertical_words", { "0", "10" }, 0 },
    { "body-8bit.eml", "rawbody", "tvd_vertical_words", { "0", "10" }, 1 },
    { "body-sig.eml", "rawbody", "tvd_vertical_words", { "0", "10" }, 0 },
    { "body-8bit.eml", "body", "tvd_vertical_words", { "10", "50" }, 1 },
    { "body-vertical.eml", "body", "tvd_vertical_words", { "10", "50" }, 0 },
    { "body-sig.eml", "rawbody", "tvd_vertical_words", { "10", "50" }, 1 },
    { "body-8bit.eml", "rawbody", "tvd_vertical_words", { "10", "50" }, 0 },
    { "body-vertical.eml", "body", "tvd_vertical_words", { "50", "100" }, 1 },
    { "body-8bit.eml", "body", "tvd_vertical_words", { "50", "100" }, 0 },
    { "body-vertical.eml", "rawbody", "tvd_vertical_words", { "50", "100" }, 1 },
    { "body-8bit.eml", "rawbody", "tvd_vertical_words", { "50", "100" }, 0 },
    { "body-8bit.eml", "body", "tvd_vertical_words", { "90", "101" }, 0 },
    { "body-8bit.eml", "rawbody", "tvd_vertical_words", { "90", "101" }, 0 },
    { "body-8bit.eml", "body", "tvd_vertical_words", { "0", "100" }, 1 },
    { "flags-long-header.eml", "body", "tvd_vertical_words", { "0", "100" }, 0 },
    { "body-8bit.eml", "rawbody", "tvd_vertical_words", { "0", "100" }, 1 },
    { "flags-long-header.eml", "rawbody", "tvd_vertical_words", { "0", "100" }, 0 },
    { "body-stock.eml", "body", "check_stock_info", { "2" }, 1 },
    { "body-8bit.eml", "body", "check_stock_info", { "2" }, 0 },
    { "body-8bit.eml", "body", "check_stock_info", { "0" }, 1 },
    { "body-stock.eml", "body", "check_stock_info", { "5" }, 1 },
    { "body-8bit.eml", "body", "check_stock_info", { "5" }, 0 },
    { "body-stock.eml", "body", "check_stock_info", { "6" }, 1 },
    { "body-8bit.eml", "body", "check_stock_info", { "6" }, 0 },
    { "body-stock.eml", "body", "check_stock_info", { "7" }, 1 },
    { "body-8bit.eml", "body", "check_stock_info", { "7" }, 0 },
    { "body-8bit.eml", "body", "check_body_length", { "128" }, 1 },
    { "body-stock.eml", "body", "check_body_length", { "128" }, 0 },
    { "body-8bit.eml", "body", "check_body_length", { "256" }, 1 },
    { "body-upper-koi8.eml", "body", "check_body_length", { "256" }, 0 },
    { "body-8bit.eml", "body", "check_body_length", { "512" }, 1 },
    { "html-features.eml", "body", "check_body_length", { "512" }, 0 },
    { "body-8bit.eml", "body", "check_body_length", { "1024" }, 1 },
    { "html-long-uri.eml", "body", "check_body_length", { "1024" }, 0 },
    { "body-8bit.eml", "body", "check_body_length", { "100000" }, 1 },
    { "body-8bit.eml", "body", "plaintext_body_length", { "0" }, 1 },
    { "html-features.eml", "body", "plaintext_body_length", { "0" }, 0 },
    { "charset-multi.eml", "body", "plaintext_body_length", { "0", "10" }, 1 },
    { "body-8bit.eml", "body", "plaintext_body_length", { "0", "10" }, 0 },
    { "body-8bit.eml", "body", "plaintext_body_length", { "10", "100" }, 1 },
    { "body-stock.eml", "body", "plaintext_body_length", { "10", "100" }, 0 },
    { "body-8bit.eml", "body", "plaintext_body_length", { "1", "1000000" }, 1 },
    { "html-features.eml", "body", "plaintext_body_length", { "1", "1000000" }, 0 },
    { "body-8bit.eml", "body", "plaintext_body_length", { "1000000" }, 0 },
    { "body-8bit.eml", "body", "plaintext_sig_length", { "0" }, 1 },
    { "html-features.eml", "body", "plaintext_sig_length", { "0" }, 0 },
    { "body-8bit.eml", "body", "plaintext_sig_length", { "0", "10" }, 1 },
    { "html-features.eml", "body", "plaintext_sig_length", { "0", "10" }, 0 },
    { "body-8bit.eml", "body", "plaintext_sig_length", { "10", "100" }, 0 },
    { "body-sig.eml", "body", "plaintext_sig_length", { "1", "1000000" }, 1 },
    { "body-8bit.eml", "body", "plaintext_sig_length", { "1", "1000000" }, 0 },
    { "body-8bit.eml", "body", "plaintext_sig_length", { "1000000" }, 0 },
    { "body-8bit.eml", "body", "plaintext_body_sig_ratio", { "0" }, 1 },
    { "html-features.eml", "body", "plaintext_body_sig_ratio", { "0" }, 0 },
    { "body-8bit.eml", "body", "plaintext_body_sig_ratio", { "0", "10" }, 0 },
    { "body-sig.eml", "body", "plaintext_body_sig_ratio", { "10", "100" }, 1 },
    { "body-8bit.eml", "body", "plaintext_body_sig_ratio", { "10", "100" }, 0 },
    { "body-8bit.eml", "body", "plaintext_body_sig_ratio", { "1", "1000000" }, 1 },
    { "html-features.eml", "body", "plaintext_body_sig_ratio", { "1", "1000000" }, 0 },
    { "body-8bit.eml", "body", "plaintext_body_sig_ratio", { "1000000" }, 1 },
    { "body-sig.eml", "body", "plaintext_body_sig_ratio", { "1000000" }, 0 },
    { "body-8bit.eml", "body", "check_body_8bits", { NULL }, 0 },
};

START_TEST(body_gives_spamassassins_answers)
{
    eval_check(sa_eval_body_defs, sa_eval_body_ndefs, &body_cases[_i], NULL);
}
END_TEST

/* with ok_languages set (SA_EVAL_CONF="ok_languages en" for the oracle),
 * a directive of TextCat's: known once the plugin is loaded */
#define TEXTCAT "loadplugin Mail::SpamAssassin::Plugin::TextCat\n"

static const struct eval_case body_8bit_cases[] = {
    { "body-8bit.eml", "body", "check_body_8bits", { NULL }, 1 },
    { "charset-koi8.eml", "body", "check_body_8bits", { NULL }, 1 },
    { "html-title-ratio.eml", "body", "check_body_8bits", { NULL }, 1 },
    { "body-upper.eml", "body", "check_body_8bits", { NULL }, 0 },
};

START_TEST(eight_bit_bodies_follow_ok_languages)
{
    struct scan_ruleset *rs;
    struct sa_conf *c = eval_conf(TEXTCAT "ok_languages en\n", &rs);
    struct eval_case ru;

    for (size_t i = 0; i < NCASES(body_8bit_cases); i++)
        eval_check(sa_eval_body_defs, sa_eval_body_ndefs, &body_8bit_cases[i], c);
    eval_conf_free(&c, &rs);
    /* a language that writes 8-bit text turns the check off */
    c = eval_conf(TEXTCAT "ok_languages en ru\n", &rs);
    ru = body_8bit_cases[0];
    ru.want = 0;
    eval_check(sa_eval_body_defs, sa_eval_body_ndefs, &ru, c);
    eval_conf_free(&c, &rs);
}
END_TEST

START_TEST(body_table_is_sane)
{
    eval_defs_sane(sa_eval_body_defs, sa_eval_body_ndefs);
}
END_TEST

static Suite *
sa_eval_body_suite(void)
{
    Suite *s = suite_create("sa_eval_body");
    TCase *tc = tcase_create("sa_eval_body");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, body_gives_spamassassins_answers, 0, NCASES(body_cases));
    tcase_add_test(tc, body_table_is_sane);
    tcase_add_test(tc, eight_bit_bodies_follow_ok_languages);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_body_suite());
}
