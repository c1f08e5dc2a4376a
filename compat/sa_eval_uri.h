/*
 * sa_eval_uri.h - SpamAssassin's URIEval plugin (check_for_http_redirector,
 * check_https_ip_mismatch, check_uri_truncated) and HTTPSMismatch plugin
 * (check_https_http_mismatch) natively, over the message's URI list and
 * its HTML links with their anchor texts. Register the table with
 * scan_eval_register at start-up.
 */
#ifndef SIFT_COMPAT_SA_EVAL_URI_H
#define SIFT_COMPAT_SA_EVAL_URI_H

#include <stddef.h>

#include "scan/scan_eval.h"

extern const struct scan_eval_def sa_eval_uri_defs[];
extern const size_t sa_eval_uri_ndefs;

#endif
