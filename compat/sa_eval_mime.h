/*
 * sa_eval_mime.h - SpamAssassin's MIMEEval plugin natively (check_for_mime
 * and its MIME facts, check_for_mime_html(_only), check_mime_multipart_ratio,
 * check_msg_parse_flags, check_for_ascii_text_illegal,
 * check_abundant_unicode_ratio, check_for_faraway_charset,
 * check_for_uppercase, check_ma_non_text, check_base64_length,
 * check_qp_ratio). Register the table with scan_eval_register at
 * start-up.
 */
#ifndef SIFT_COMPAT_SA_EVAL_MIME_H
#define SIFT_COMPAT_SA_EVAL_MIME_H

#include <stddef.h>

#include "scan/scan_eval.h"

extern const struct scan_eval_def sa_eval_mime_defs[];
extern const size_t sa_eval_mime_ndefs;

#endif
