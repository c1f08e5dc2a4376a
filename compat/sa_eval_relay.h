/*
 * sa_eval_relay.h - SpamAssassin 4.0.1's relay eval functions
 * (Mail::SpamAssassin::Plugin::RelayEval, and WLBLEval's
 * check_mailfrom_matches_rcvd), as native eval functions for the scan
 * layer's table (scan_eval.h). They read the Received chain as
 * mime_msg_relays() splits it into trusted and untrusted relays.
 */
#ifndef SIFT_COMPAT_SA_EVAL_RELAY_H
#define SIFT_COMPAT_SA_EVAL_RELAY_H

#include <stddef.h>

#include "scan/scan_eval.h"

/* Every function, for scan_eval_register(). */
extern const struct scan_eval_def sa_eval_relay_defs[];
extern const size_t sa_eval_relay_ndefs;

#endif
