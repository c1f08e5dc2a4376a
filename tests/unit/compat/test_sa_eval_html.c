/*
 * test_sa_eval_html.c - SpamAssassin's HTMLEval natively: html_test,
 * html_range, html_eval (Perl expressions), tag counts, image-only and
 * image ratio, text matches on comments, titles and anchors, the
 * title/Subject ratio, iframes. Each case is one call on a crafted message
 * of tests/data/eval/body/ with the answer SpamAssassin 4.0.1 gave
 * (scripts/sa-eval-body.pl --cases).
 */
#include "compat/sa_eval_html.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"

static const struct eval_case html_cases[] = {
    { "html-features.eml", "body", "html_test", { "html" }, 1 },
    { "body-8bit.eml", "body", "html_test", { "html" }, 0 },
    { "html-features.eml", "body", "html_test", { "embeds" }, 1 },
    { "html-https-ip-only.eml", "body", "html_test", { "embeds" }, 0 },
    { "html-features.eml", "body", "html_test", { "font_low_contrast" }, 1 },
    { "html-https-ip-only.eml", "body", "html_test", { "font_low_contrast" }, 0 },
    { "html-features.eml", "body", "html_test", { "font_invalid_color" }, 1 },
    { "html-https-ip-only.eml", "body", "html_test", { "font_invalid_color" }, 0 },
    { "html-features.eml", "body", "html_test", { "font_face_bad" }, 1 },
    { "html-https-ip-only.eml", "body", "html_test", { "font_face_bad" }, 0 },
    { "html-features.eml", "body", "html_test", { "form_action_mailto" }, 1 },
    { "html-https-ip-only.eml", "body", "html_test", { "form_action_mailto" }, 0 },
    { "html-long-uri.eml", "body", "html_test", { "uri_truncated" }, 1 },
    { "html-features.eml", "body", "html_test", { "uri_truncated" }, 0 },
    { "html-features.eml", "body", "html_test", { "comment" }, 1 },
    { "html-https-ip-only.eml", "body", "html_test", { "comment" }, 0 },
    { "html-features.eml", "body", "html_test", { "title" }, 1 },
    { "html-https-ip-only.eml", "body", "html_test", { "title" }, 0 },
    { "html-features.eml", "body", "html_test", { "anchor" }, 1 },
    { "html-tags.eml", "body", "html_test", { "anchor" }, 0 },
    { "html-features.eml", "body", "html_test", { "script" }, 1 },
    { "html-https-ip-only.eml", "body", "html_test", { "script" }, 0 },
    { "html-features.eml", "body", "html_test", { "uri" }, 1 },
    { "html-unended.eml", "body", "html_test", { "uri" }, 0 },
    { "html-features.eml", "body", "html_test", { "inside" }, 1 },
    { "html-unended.eml", "body", "html_test", { "inside" }, 0 },
    { "html-features.eml", "body", "html_test", { "uri_detail" }, 1 },
    { "html-tags.eml", "body", "html_test", { "uri_detail" }, 0 },
    { "html-features.eml", "body", "html_test", { "length" }, 1 },
    { "html-unended.eml", "body", "html_test", { "length" }, 0 },
    { "html-features.eml", "body", "html_test", { "closed_html" }, 0 },
    { "html-features.eml", "body", "html_test", { "charsets" }, 0 },
    { "html-title-ratio.eml", "body", "html_range", { "length", "0", "100" }, 1 },
    { "html-features.eml", "body", "html_range", { "length", "0", "100" }, 0 },
    { "html-features.eml", "body", "html_range", { "length", "100", "5000" }, 1 },
    { "html-long-uri.eml", "body", "html_range", { "length", "100", "5000" }, 0 },
    { "html-features.eml", "body", "html_range", { "length", "0" }, 1 },
    { "html-unended.eml", "body", "html_range", { "length", "0" }, 0 },
    { "html-features.eml", "body", "html_range", { "length", "0", "inf" }, 1 },
    { "html-unended.eml", "body", "html_range", { "length", "0", "inf" }, 0 },
    { "html-features.eml", "body", "html_range", { "max_size", "5", "6" }, 0 },
    { "html-features.eml", "body", "html_range", { "max_size", "6", "inf" }, 1 },
    { "html-https-ip-only.eml", "body", "html_range", { "max_size", "6", "inf" }, 0 },
    { "html-features.eml", "body", "html_range", { "max_size", "6", "7" }, 1 },
    { "html-https-ip-only.eml", "body", "html_range", { "max_size", "6", "7" }, 0 },
    { "html-features.eml", "body", "html_range", { "min_size", "0", "3" }, 1 },
    { "html-unended.eml", "body", "html_range", { "min_size", "0", "3" }, 0 },
    { "html-features.eml", "body", "html_range", { "bad_tag_ratio", "0", "1" }, 1 },
    { "html-https-ip-only.eml", "body", "html_range", { "bad_tag_ratio", "0", "1" }, 0 },
    { "html-features.eml", "body", "html_range", { "non_element_ratio", "0", "1" }, 1 },
    { "html-https-ip-only.eml", "body", "html_range", { "non_element_ratio", "0", "1" }, 0 },
    { "html-features.eml", "body", "html_range", { "obfuscation_ratio", "-1", "1" }, 0 },
    { "html-tags.eml", "body", "html_range", { "closed_extra_ratio", "0.09", "inf" }, 1 },
    { "html-features.eml", "body", "html_range", { "closed_extra_ratio", "0.09", "inf" }, 0 },
    { "html-tags.eml", "body", "html_range", { "closed_extra_ratio", "0", "0.5" }, 1 },
    { "html-features.eml", "body", "html_range", { "closed_extra_ratio", "0", "0.5" }, 0 },
    { "html-features.eml", "body", "html_range", { "image_area", "0", "inf" }, 1 },
    { "html-https-ip-only.eml", "body", "html_range", { "image_area", "0", "inf" }, 0 },
    { "html-features.eml", "body", "html_range", { "html_length", "0", "inf" }, 1 },
    { "body-8bit.eml", "body", "html_range", { "html_length", "0", "inf" }, 0 },
    { "html-features.eml", "body", "html_range", { "non_space_len", "10", "100" }, 1 },
    { "html-https.eml", "body", "html_range", { "non_space_len", "10", "100" }, 0 },
    { "html-features.eml", "body", "html_range", { "backhair_count", "0", "inf" }, 0 },
    { "html-features.eml", "body", "html_range", { "uri", "0", "inf" }, 1 },
    { "html-unended.eml", "body", "html_range", { "uri", "0", "inf" }, 0 },
    { "html-features.eml", "body", "html_range", { "nosuch", "-1", "inf" }, 0 },
    { "html-https-ip-only.eml", "body", "html_eval", { "length", "< 384" }, 1 },
    { "html-features.eml", "body", "html_eval", { "length", "< 384" }, 0 },
    { "html-features.eml", "body", "html_eval", { "length", "> 100" }, 1 },
    { "html-title-ratio.eml", "body", "html_eval", { "length", "> 100" }, 0 },
    { "html-features.eml", "body", "html_eval", { "length", ">= 0" }, 1 },
    { "html-unended.eml", "body", "html_eval", { "length", ">= 0" }, 0 },
    { "html-features.eml", "body", "html_eval", { "max_size", "== 7" }, 1 },
    { "html-https-ip-only.eml", "body", "html_eval", { "max_size", "== 7" }, 0 },
    { "html-features.eml", "body", "html_eval", { "max_size", "!= 3" }, 1 },
    { "html-https-ip-only.eml", "body", "html_eval", { "max_size", "!= 3" }, 0 },
    { "html-features.eml", "body", "html_eval", { "min_size", "< 3" }, 0 },
    { "html-https-ip-only.eml", "body", "html_eval", { "length", "< 0400" }, 1 },
    { "html-features.eml", "body", "html_eval", { "length", "< 0400" }, 0 },
    { "html-features.eml", "body", "html_eval", { "length", "> 1 + 2" }, 1 },
    { "html-unended.eml", "body", "html_eval", { "length", "> 1 + 2" }, 0 },
    { "html-features.eml", "body", "html_eval", { "length", "> 1 < 2" }, 1 },
    { "html-unended.eml", "body", "html_eval", { "length", "> 1 < 2" }, 0 },
    { "html-features.eml", "body", "html_eval", { "length", "<=> 0" }, 1 },
    { "html-unended.eml", "body", "html_eval", { "length", "<=> 0" }, 0 },
    { "html-features.eml", "body", "html_eval", { "non_space_len", "> 0" }, 1 },
    { "body-8bit.eml", "body", "html_eval", { "non_space_len", "> 0" }, 0 },
    { "html-https-ip-only.eml", "body", "html_eval", { "bad_tag_ratio", "== 0" }, 1 },
    { "html-features.eml", "body", "html_eval", { "bad_tag_ratio", "== 0" }, 0 },
    { "html-features.eml", "body", "html_eval", { "length", "= 5" }, 1 },
    { "html-unended.eml", "body", "html_eval", { "length", "= 5" }, 0 },
    { "html-features.eml", "body", "html_eval", { "length", "< 09" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "body" }, 1 },
    { "html-unended.eml", "body", "html_tag_exists", { "body" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "head" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "head" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "html" }, 1 },
    { "html-unended.eml", "body", "html_tag_exists", { "html" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "center" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "center" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "meta" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "meta" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "script" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "script" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "style" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "style" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "bgsound" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "bgsound" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "img" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "img" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "a" }, 1 },
    { "html-tags.eml", "body", "html_tag_exists", { "a" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "iframe" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "iframe" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "title" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "title" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "font" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "font" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "p" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_exists", { "p" }, 0 },
    { "html-tags.eml", "body", "html_tag_exists", { "table" }, 1 },
    { "html-features.eml", "body", "html_tag_exists", { "table" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "BODY" }, 0 },
    { "html-features.eml", "body", "html_tag_exists", { "!doctype" }, 0 },
    { "html-tags.eml", "body", "html_tag_balance", { "body", "!= 0" }, 1 },
    { "html-features.eml", "body", "html_tag_balance", { "body", "!= 0" }, 0 },
    { "html-tags.eml", "body", "html_tag_balance", { "head", "!= 0" }, 1 },
    { "html-features.eml", "body", "html_tag_balance", { "head", "!= 0" }, 0 },
    { "html-features.eml", "body", "html_tag_balance", { "center", "!= 0" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_balance", { "center", "!= 0" }, 0 },
    { "html-features.eml", "body", "html_tag_balance", { "center", "> 1" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_balance", { "center", "> 1" }, 0 },
    { "html-features.eml", "body", "html_tag_balance", { "html", "== 0" }, 1 },
    { "html-unended.eml", "body", "html_tag_balance", { "html", "== 0" }, 0 },
    { "html-features.eml", "body", "html_tag_balance", { "p", "< 1" }, 1 },
    { "html-https-ip-only.eml", "body", "html_tag_balance", { "p", "< 1" }, 0 },
    { "html-features.eml", "body", "html_tag_balance", { "a", "!= 0" }, 0 },
    { "html-features.eml", "body", "html_tag_balance", { "body!", "!= 0" }, 0 },
    { "html-features.eml", "body", "html_tag_balance", { "body", "x" }, 0 },
    { "html-imageonly.eml", "body", "html_image_only", { "0000", "0400" }, 1 },
    { "html-features.eml", "body", "html_image_only", { "0000", "0400" }, 0 },
    { "html-features.eml", "body", "html_image_only", { "0400", "0800" }, 1 },
    { "html-https-ip-only.eml", "body", "html_image_only", { "0400", "0800" }, 0 },
    { "html-features.eml", "body", "html_image_only", { "0", "100000" }, 1 },
    { "html-https-ip-only.eml", "body", "html_image_only", { "0", "100000" }, 0 },
    { "html-features.eml", "body", "html_image_only", { "200", "5000" }, 1 },
    { "html-https-ip-only.eml", "body", "html_image_only", { "200", "5000" }, 0 },
    { "html-imageonly.eml", "body", "html_image_ratio", { "0.000", "0.002" }, 1 },
    { "html-features.eml", "body", "html_image_ratio", { "0.000", "0.002" }, 0 },
    { "html-features.eml", "body", "html_image_ratio", { "0.002", "0.004" }, 0 },
    { "html-features.eml", "body", "html_image_ratio", { "0", "1" }, 1 },
    { "html-https-ip-only.eml", "body", "html_image_ratio", { "0", "1" }, 0 },
    { "html-features.eml", "body", "html_image_ratio", { "0", "0.1" }, 1 },
    { "html-https-ip-only.eml", "body", "html_image_ratio", { "0", "0.1" }, 0 },
    { "html-features.eml", "body", "html_charset_faraway", { NULL }, 0 },
    { "html-features.eml",
      "body",
      "html_text_match",
      { "comment", "<!-- saved from url=\\(\\d{4}\\)" },
      1 },
    { "html-https-ip-only.eml",
      "body",
      "html_text_match",
      { "comment", "<!-- saved from url=\\(\\d{4}\\)" },
      0 },
    { "html-features.eml",
      "body",
      "html_text_not_match",
      { "comment", "<!-- saved from url=\\(\\d{4}\\)" },
      1 },
    { "html-https-ip-only.eml",
      "body",
      "html_text_not_match",
      { "comment", "<!-- saved from url=\\(\\d{4}\\)" },
      0 },
    { "html-features.eml", "body", "html_text_match", { "comment", "<!(?!-).{0,6}>" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_match", { "comment", "<!(?!-).{0,6}>" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "comment", "<!(?!-).{0,6}>" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_not_match", { "comment", "<!(?!-).{0,6}>" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "comment", "<!.*?>" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_match", { "comment", "<!.*?>" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "comment", "<!.*?>" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "anchor", "<img>" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_match", { "anchor", "<img>" }, 0 },
    { "html-https-ip-only.eml", "body", "html_text_not_match", { "anchor", "<img>" }, 1 },
    { "html-features.eml", "body", "html_text_not_match", { "anchor", "<img>" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "title", ".{120}" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "title", ".{120}" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_not_match", { "title", ".{120}" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "title", ".{20}" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_match", { "title", ".{20}" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "title", ".{20}" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "title", "^caf\\w" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "title", "^caf\\w" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_not_match", { "title", "^caf\\w" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "title", "\\w{4}$" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_match", { "title", "\\w{4}$" }, 0 },
    { "html-title-ratio.eml", "body", "html_text_not_match", { "title", "\\w{4}$" }, 1 },
    { "html-features.eml", "body", "html_text_not_match", { "title", "\\w{4}$" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "uri", "^http://frame" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_match", { "uri", "^http://frame" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "uri", "^http://frame" }, 1 },
    { "html-tags.eml", "body", "html_text_not_match", { "uri", "^http://frame" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "script", "var" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_match", { "script", "var" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "script", "var" }, 0 },
    { "html-two-parts.eml", "body", "html_text_match", { "anchor", "Menu" }, 1 },
    { "html-features.eml", "body", "html_text_match", { "anchor", "Menu" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "anchor", "Menu" }, 1 },
    { "html-tags.eml", "body", "html_text_not_match", { "anchor", "Menu" }, 0 },
    { "html-title-ratio.eml", "body", "html_text_match", { "title", "^.{20}$" }, 1 },
    { "html-features.eml", "body", "html_text_match", { "title", "^.{20}$" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "title", "^.{20}$" }, 1 },
    { "html-https-ip-only.eml", "body", "html_text_not_match", { "title", "^.{20}$" }, 0 },
    { "html-features.eml", "body", "html_text_match", { "length", "x" }, 0 },
    { "html-features.eml", "body", "html_text_not_match", { "length", "x" }, 0 },
    { "html-features.eml", "body", "html_title_subject_ratio", { "3.5" }, 1 },
    { "html-https-ip-only.eml", "body", "html_title_subject_ratio", { "3.5" }, 0 },
    { "html-features.eml", "body", "html_title_subject_ratio", { "1" }, 1 },
    { "html-https-ip-only.eml", "body", "html_title_subject_ratio", { "1" }, 0 },
    { "html-features.eml", "body", "html_title_subject_ratio", { "0.5" }, 1 },
    { "html-https-ip-only.eml", "body", "html_title_subject_ratio", { "0.5" }, 0 },
    { "html-features.eml", "body", "html_title_subject_ratio", { "10" }, 1 },
    { "html-https-ip-only.eml", "body", "html_title_subject_ratio", { "10" }, 0 },
    { "html-features.eml", "body", "html_title_subject_ratio", { "-1" }, 1 },
    { "body-8bit.eml", "body", "html_title_subject_ratio", { "-1" }, 0 },
    { "html-features.eml", "body", "check_iframe_src", { NULL }, 1 },
    { "html-https-ip-only.eml", "body", "check_iframe_src", { NULL }, 0 },
    { "html-two-parts.eml", "body", "html_range", { "ratio", "0", "0.5" }, 1 },
    { "html-features.eml", "body", "html_range", { "ratio", "0", "0.5" }, 0 },
    { "html-features.eml", "body", "html_range", { "ratio", "0.5", "1" }, 1 },
    { "html-two-parts.eml", "body", "html_range", { "ratio", "0.5", "1" }, 0 },
    { "html-features.eml", "body", "html_test", { "ratio" }, 1 },
    { "body-8bit.eml", "body", "html_test", { "ratio" }, 0 },
};

START_TEST(html_gives_spamassassins_answers)
{
    eval_check(sa_eval_html_defs, sa_eval_html_ndefs, &html_cases[_i], NULL);
}
END_TEST

START_TEST(html_table_is_sane)
{
    eval_defs_sane(sa_eval_html_defs, sa_eval_html_ndefs);
}
END_TEST

START_TEST(a_pattern_that_does_not_compile_skips_the_rule)
{
    const struct scan_eval_def *d =
        eval_def(sa_eval_html_defs, sa_eval_html_ndefs, "html_text_match");
    struct scan_eval_arg args[2] = { { SCAN_ARG_STR, "comment", 7, 0 },
                                     { SCAN_ARG_STR, "<!(", 3, 0 } };
    struct scan_rule r = { 0 };
    struct arena *a = arena_new(256);
    struct sift_err err;
    void *state = NULL;

    r.name = "T";
    r.eval = "html_text_match";
    r.args = args;
    r.nargs = 2;
    ck_assert_int_eq(d->prepare(a, &r, &state, &err), -1);
    r.nargs = 1;
    ck_assert_int_eq(d->prepare(a, &r, &state, &err), -1);
    arena_free(&a);
}
END_TEST
static Suite *
sa_eval_html_suite(void)
{
    Suite *s = suite_create("sa_eval_html");
    TCase *tc = tcase_create("sa_eval_html");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, html_gives_spamassassins_answers, 0, NCASES(html_cases));
    tcase_add_test(tc, html_table_is_sane);
    tcase_add_test(tc, a_pattern_that_does_not_compile_skips_the_rule);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_html_suite());
}
