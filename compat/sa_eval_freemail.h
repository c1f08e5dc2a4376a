/*
 * sa_eval_freemail.h - SpamAssassin 4.0.1's Mail::SpamAssassin::Plugin::
 * FreeMail (check_freemail_from, check_freemail_header,
 * check_freemail_replyto, check_freemail_body) as native eval functions
 * for the scan layer's table (scan_eval.h). The settings come from the SA
 * configuration in the eval context (struct sa_conf): freemail_domains
 * (with * and ? wildcards), freemail_welcomelist, freemail_max_body_emails,
 * freemail_max_body_freemails, freemail_skip_when_over_max,
 * freemail_skip_bulk_envfrom, freemail_add_describe_email,
 * freemail_import_(def_)welcomelist_auth, and util_rb_tld for the TLDs of
 * the addresses found in the body. Without freemail_domains (or without a
 * configuration) the plugin is off, as in SA: every function says 0.
 */
#ifndef SIFT_COMPAT_SA_EVAL_FREEMAIL_H
#define SIFT_COMPAT_SA_EVAL_FREEMAIL_H

#include <stddef.h>

#include "scan/scan_eval.h"

/* Every function, for scan_eval_register(). */
extern const struct scan_eval_def sa_eval_freemail_defs[];
extern const size_t sa_eval_freemail_ndefs;

#endif
