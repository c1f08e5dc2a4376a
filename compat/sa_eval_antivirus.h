/*
 * sa_eval_antivirus.h - SpamAssassin's AntiVirus plugin natively:
 * check_microsoft_executable and check_suspect_name (the plugin is not
 * loaded by the stock .pre files; its rules sit in ifplugin blocks).
 * Register the table with scan_eval_register at start-up.
 */
#ifndef SIFT_COMPAT_SA_EVAL_ANTIVIRUS_H
#define SIFT_COMPAT_SA_EVAL_ANTIVIRUS_H

#include <stddef.h>

#include "scan/scan_eval.h"

extern const struct scan_eval_def sa_eval_antivirus_defs[];
extern const size_t sa_eval_antivirus_ndefs;

#endif
