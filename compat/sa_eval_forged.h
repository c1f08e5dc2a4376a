/*
 * sa_eval_forged.h - SpamAssassin 4.0.1's forged-webmail checks
 * (Mail::SpamAssassin::Plugin::HeaderEval: check_for_fake_aol_relay_in_rcvd,
 * check_for_forged_{hotmail,eudoramail,yahoo,juno,gmail}_received_headers,
 * check_for_no_hotmail_received_headers), as native eval functions for the
 * scan layer's table (scan_eval.h). Each behaves as the Perl does on the
 * message SA would have parsed.
 */
#ifndef SIFT_COMPAT_SA_EVAL_FORGED_H
#define SIFT_COMPAT_SA_EVAL_FORGED_H

#include <stddef.h>

#include "scan/scan_eval.h"

/* Every function, for scan_eval_register(). */
extern const struct scan_eval_def sa_eval_forged_defs[];
extern const size_t sa_eval_forged_ndefs;

#endif
