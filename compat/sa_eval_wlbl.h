/*
 * sa_eval_wlbl.h - SpamAssassin 4.0.1's welcome- and block-list eval
 * functions (Mail::SpamAssassin::Plugin::WLBLEval, but its
 * check_mailfrom_matches_rcvd, which is in sa_eval_relay.h, and
 * Plugin::WelcomeListSubject), with the old ...whitelist and ...blacklist names
 * the stock rules still call, as native eval functions for the scan
 * layer's table (scan_eval.h). The lists come from the SA configuration
 * in the eval context (struct sa_conf): welcomelist_from, blocklist_to,
 * welcomelist_from_rcvd, enlist_addrlist, enlist_uri_host...; without one
 * every list is empty.
 */
#ifndef SIFT_COMPAT_SA_EVAL_WLBL_H
#define SIFT_COMPAT_SA_EVAL_WLBL_H

#include <stddef.h>

#include "scan/scan_eval.h"

/* Every function, for scan_eval_register(). */
extern const struct scan_eval_def sa_eval_wlbl_defs[];
extern const size_t sa_eval_wlbl_ndefs;

#endif
