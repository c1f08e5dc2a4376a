/*
 * test_sa_eval_mime.c - SpamAssassin's MIMEEval natively (check_for_mime
 * and its MIME facts, HTML-only, multipart ratio, parse flags, illegal
 * ASCII, Unicode entities, uppercase, base64 line lengths, QP ratio) and
 * AntiVirus' two checks. Each case is one call on a crafted message of
 * tests/data/eval/body/ with the answer SpamAssassin 4.0.1 gave
 * (scripts/sa-eval-body.pl --cases).
 */
#include "compat/sa_eval_mime.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"

static const struct eval_case mime_cases[] = {
    { "mime-alt.eml", "rawbody", "check_for_mime", { "mime_base64_count" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_base64_count" }, 0 },
    { "mime-mixed.eml", "rawbody", "check_for_mime", { "mime_base64_encoded_text" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_base64_encoded_text" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_body_html_count" }, 1 },
    { "mime-ascii.eml", "rawbody", "check_for_mime", { "mime_body_html_count" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_body_text_count" }, 1 },
    { "mime-b64-long.eml", "rawbody", "check_for_mime", { "mime_body_text_count" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_faraway_charset" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_multipart_alternative" }, 1 },
    { "mime-ascii.eml", "rawbody", "check_for_mime", { "mime_multipart_alternative" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_multipart_ratio" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_qp_count" }, 0 },
    { "mime-mixed.eml", "rawbody", "check_for_mime", { "mime_qp_long_line" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_qp_long_line" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_qp_ratio" }, 0 },
    { "mime-ascii.eml", "rawbody", "check_for_mime", { "mime_ascii_text_illegal" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_ascii_text_illegal" }, 0 },
    { "mime-ascii.eml", "rawbody", "check_for_mime", { "mime_text_unicode_ratio" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_text_unicode_ratio" }, 0 },
    { "mime-mixed.eml", "rawbody", "check_for_mime", { "mime_attachment" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_attachment" }, 0 },
    { "mime-mixed.eml", "rawbody", "check_for_mime", { "mime_bad_iso_charset" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_bad_iso_charset" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_html_charsets" }, 1 },
    { "mime-alt-image.eml", "rawbody", "check_for_mime", { "mime_html_charsets" }, 0 },
    { "mime-mixed.eml", "rawbody", "check_for_mime", { "mime_qp_bytes" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mime_qp_bytes" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "mimepart_limit_exceeded" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_mime", { "nosuch" }, 0 },
    { "mime-alt-diff.eml", "body", "check_for_mime_html", { NULL }, 1 },
    { "mime-ascii.eml", "body", "check_for_mime_html", { NULL }, 0 },
    { "mime-html-top.eml", "body", "check_for_mime_html_only", { NULL }, 1 },
    { "mime-alt-diff.eml", "body", "check_for_mime_html_only", { NULL }, 0 },
    { "mime-alt.eml", "body", "check_mime_multipart_ratio", { "0.00", "0.01" }, 1 },
    { "mime-alt-diff.eml", "body", "check_mime_multipart_ratio", { "0.00", "0.01" }, 0 },
    { "mime-alt-diff.eml", "body", "check_mime_multipart_ratio", { "0", "1" }, 1 },
    { "mime-ascii.eml", "body", "check_mime_multipart_ratio", { "0", "1" }, 0 },
    { "mime-ascii.eml", "body", "check_mime_multipart_ratio", { "0.5", "1.5" }, 1 },
    { "mime-alt-diff.eml", "body", "check_mime_multipart_ratio", { "0.5", "1.5" }, 0 },
    { "mime-ascii.eml", "body", "check_mime_multipart_ratio", { "1", "2" }, 1 },
    { "mime-alt-diff.eml", "body", "check_mime_multipart_ratio", { "1", "2" }, 0 },
    { "flags-no-separator.eml",
      "body",
      "check_msg_parse_flags",
      { "missing_head_body_separator" },
      1 },
    { "mime-alt-diff.eml", "body", "check_msg_parse_flags", { "missing_head_body_separator" }, 0 },
    { "flags-long-header.eml", "body", "check_msg_parse_flags", { "truncated_header" }, 1 },
    { "mime-alt-diff.eml", "body", "check_msg_parse_flags", { "truncated_header" }, 0 },
    { "flags-mime.eml", "body", "check_msg_parse_flags", { "missing_mime_headers" }, 1 },
    { "mime-alt-diff.eml", "body", "check_msg_parse_flags", { "missing_mime_headers" }, 0 },
    { "flags-mime.eml",
      "body",
      "check_msg_parse_flags",
      { "missing_mime_head_body_separator" },
      1 },
    { "mime-alt-diff.eml",
      "body",
      "check_msg_parse_flags",
      { "missing_mime_head_body_separator" },
      0 },
    { "flags-mime.eml", "body", "check_msg_parse_flags", { "mime_epilogue_exists" }, 1 },
    { "mime-alt-diff.eml", "body", "check_msg_parse_flags", { "mime_epilogue_exists" }, 0 },
    { "mime-alt-diff.eml", "body", "check_msg_parse_flags", { "mimepart_limit_exceeded" }, 0 },
    { "mime-ascii.eml", "body", "check_for_ascii_text_illegal", { NULL }, 1 },
    { "mime-alt-diff.eml", "body", "check_for_ascii_text_illegal", { NULL }, 0 },
    { "mime-ascii.eml", "body", "check_abundant_unicode_ratio", { "0.02" }, 1 },
    { "mime-alt-diff.eml", "body", "check_abundant_unicode_ratio", { "0.02" }, 0 },
    { "mime-ascii.eml", "body", "check_abundant_unicode_ratio", { "0.05" }, 1 },
    { "mime-alt-diff.eml", "body", "check_abundant_unicode_ratio", { "0.05" }, 0 },
    { "mime-entities.eml", "body", "check_abundant_unicode_ratio", { "0.5" }, 1 },
    { "mime-alt-diff.eml", "body", "check_abundant_unicode_ratio", { "0.5" }, 0 },
    { "mime-ascii.eml", "body", "check_abundant_unicode_ratio", { ".1" }, 1 },
    { "mime-alt-diff.eml", "body", "check_abundant_unicode_ratio", { ".1" }, 0 },
    { "mime-alt-diff.eml", "body", "check_abundant_unicode_ratio", { "1" }, 0 },
    { "mime-alt-diff.eml", "body", "check_abundant_unicode_ratio", { "0.0001" }, 0 },
    { "mime-alt-diff.eml", "body", "check_for_faraway_charset", { NULL }, 0 },
    { "mime-alt-diff.eml", "body", "check_for_uppercase", { "25", "50" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_uppercase", { "25", "50" }, 0 },
    { "mime-alt-diff.eml", "body", "check_for_uppercase", { "50", "75" }, 0 },
    { "mime-alt-diff.eml", "rawbody", "check_for_uppercase", { "50", "75" }, 0 },
    { "body-upper.eml", "body", "check_for_uppercase", { "75", "100" }, 1 },
    { "mime-alt-diff.eml", "body", "check_for_uppercase", { "75", "100" }, 0 },
    { "body-upper.eml", "rawbody", "check_for_uppercase", { "75", "100" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_uppercase", { "75", "100" }, 0 },
    { "mime-alt.eml", "body", "check_for_uppercase", { "0", "100" }, 1 },
    { "mime-alt-diff.eml", "body", "check_for_uppercase", { "0", "100" }, 0 },
    { "mime-alt.eml", "rawbody", "check_for_uppercase", { "0", "100" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_uppercase", { "0", "100" }, 0 },
    { "body-upper.eml", "body", "check_for_uppercase", { "90", "100" }, 1 },
    { "mime-alt-diff.eml", "body", "check_for_uppercase", { "90", "100" }, 0 },
    { "body-upper.eml", "rawbody", "check_for_uppercase", { "90", "100" }, 1 },
    { "mime-alt-diff.eml", "rawbody", "check_for_uppercase", { "90", "100" }, 0 },
    { "mime-alt.eml", "body", "check_ma_non_text", { NULL }, 1 },
    { "mime-alt-diff.eml", "body", "check_ma_non_text", { NULL }, 0 },
    { "mime-b64-long.eml", "body", "check_base64_length", { "78", "79" }, 1 },
    { "mime-alt-diff.eml", "body", "check_base64_length", { "78", "79" }, 0 },
    { "mime-b64-long.eml", "body", "check_base64_length", { "79" }, 1 },
    { "mime-alt-diff.eml", "body", "check_base64_length", { "79" }, 0 },
    { "mime-alt-diff.eml", "body", "check_base64_length", { "0" }, 1 },
    { "mime-b64-long.eml", "body", "check_base64_length", { "60", "80" }, 1 },
    { "mime-alt-diff.eml", "body", "check_base64_length", { "60", "80" }, 0 },
    { "mime-alt-diff.eml", "body", "check_base64_length", { "80" }, 0 },
    { "mime-alt-diff.eml", "body", "check_base64_length", { "100" }, 0 },
    { "mime-alt-diff.eml", "body", "check_qp_ratio", { "0" }, 1 },
    { "mime-alt-diff.eml", "body", "check_qp_ratio", { "0.01" }, 0 },
    { "mime-alt-diff.eml", "body", "check_qp_ratio", { "0.1" }, 0 },
    { "mime-alt-diff.eml", "body", "check_qp_ratio", { "0.5" }, 0 },
};

START_TEST(mime_gives_spamassassins_answers)
{
    eval_check(sa_eval_mime_defs, sa_eval_mime_ndefs, &mime_cases[_i], NULL);
}
END_TEST

/* with ok_locales set (SA_EVAL_CONF="ok_locales en" for the oracle) */
static const struct eval_case mime_en_cases[] = {
    { "charset-koi8.eml", "body", "check_for_faraway_charset", { NULL }, 1 },
    { "charset-multi.eml", "body", "check_for_faraway_charset", { NULL }, 0 },
    { "charset-koi8.eml", "rawbody", "check_for_mime", { "mime_faraway_charset" }, 1 },
    { "charset-multi.eml", "rawbody", "check_for_mime", { "mime_faraway_charset" }, 1 },
    { "mime-mixed.eml", "rawbody", "check_for_mime", { "mime_faraway_charset" }, 1 },
};

static const struct eval_case mime_ru_cases[] = {
    { "charset-koi8.eml", "body", "check_for_faraway_charset", { NULL }, 0 },
    { "charset-koi8.eml", "rawbody", "check_for_mime", { "mime_faraway_charset" }, 0 },
    { "charset-multi.eml", "rawbody", "check_for_mime", { "mime_faraway_charset" }, 1 },
};

START_TEST(faraway_charsets_follow_ok_locales)
{
    struct scan_ruleset *rs;
    struct sa_conf *c = eval_conf("ok_locales en\n", &rs);

    for (size_t i = 0; i < NCASES(mime_en_cases); i++)
        eval_check(sa_eval_mime_defs, sa_eval_mime_ndefs, &mime_en_cases[i], c);
    eval_conf_free(&c, &rs);
    c = eval_conf("ok_locales ru\n", &rs);
    for (size_t i = 0; i < NCASES(mime_ru_cases); i++)
        eval_check(sa_eval_mime_defs, sa_eval_mime_ndefs, &mime_ru_cases[i], c);
    eval_conf_free(&c, &rs);
}
END_TEST

START_TEST(mime_table_is_sane)
{
    eval_defs_sane(sa_eval_mime_defs, sa_eval_mime_ndefs);
}
END_TEST

static Suite *
sa_eval_mime_suite(void)
{
    Suite *s = suite_create("sa_eval_mime");
    TCase *tc = tcase_create("sa_eval_mime");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, mime_gives_spamassassins_answers, 0, NCASES(mime_cases));
    tcase_add_test(tc, mime_table_is_sane);
    tcase_add_test(tc, faraway_charsets_follow_ok_locales);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_mime_suite());
}
