/*
 * sa_eval_html.h - SpamAssassin's HTMLEval plugin natively: html_test,
 * html_range, html_eval, html_tag_exists, html_tag_balance,
 * html_image_only, html_image_ratio, html_text_match,
 * html_text_not_match, html_title_subject_ratio, html_charset_faraway and
 * check_iframe_src, over the HTML facts of mime_html (SA's html_all).
 * Register the table with scan_eval_register at start-up.
 */
#ifndef SIFT_COMPAT_SA_EVAL_HTML_H
#define SIFT_COMPAT_SA_EVAL_HTML_H

#include <stddef.h>

#include "scan/scan_eval.h"

extern const struct scan_eval_def sa_eval_html_defs[];
extern const size_t sa_eval_html_ndefs;

#endif
