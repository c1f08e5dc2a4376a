/*
 * sa_eval_body.h - SpamAssassin's BodyEval plugin natively
 * (multipart_alternative_difference(_count), check_blank_line_ratio,
 * tvd_vertical_words, check_stock_info, check_body_length,
 * plaintext_body_length, plaintext_sig_length, plaintext_body_sig_ratio)
 * and TextCat's check_body_8bits. Register the table with
 * scan_eval_register at start-up.
 */
#ifndef SIFT_COMPAT_SA_EVAL_BODY_H
#define SIFT_COMPAT_SA_EVAL_BODY_H

#include <stddef.h>

#include "scan/scan_eval.h"

extern const struct scan_eval_def sa_eval_body_defs[];
extern const size_t sa_eval_body_ndefs;

#endif
