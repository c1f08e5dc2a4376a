/*
 * sa_eval_vbounce.h - SpamAssassin 4.0.1's Mail::SpamAssassin::Plugin::
 * VBounce as native eval functions for the scan layer's table
 * (scan_eval.h): have_any_bounce_relays and check_welcomelist_bounce_relays
 * (with its old name check_whitelist_bounce_relays), which look for one of
 * the welcomelist_bounce_relays hosts in the Received lines a bounce quotes.
 * The list comes from the SA configuration in the eval context (struct
 * sa_conf); without one it is empty and both functions say 0.
 */
#ifndef SIFT_COMPAT_SA_EVAL_VBOUNCE_H
#define SIFT_COMPAT_SA_EVAL_VBOUNCE_H

#include <stddef.h>

#include "scan/scan_eval.h"

/* Every function, for scan_eval_register(). */
extern const struct scan_eval_def sa_eval_vbounce_defs[];
extern const size_t sa_eval_vbounce_ndefs;

#endif
