/*
 * sa_eval_header.h - SpamAssassin 4.0.1's header eval functions
 * (Mail::SpamAssassin::Plugin::HeaderEval), as native eval functions for
 * the scan layer's table (scan_eval.h). Each behaves as the Perl does on
 * the message SA would have parsed; the configuration it reads (ok_locales)
 * comes through the eval context (sa_eval_util.h), SA's default without one.
 *
 * Also the little the relay evals (sa_eval_relay.h) share with these:
 * Perl's quotemeta and RegistryBoundaries::split_domain.
 */
#ifndef SIFT_COMPAT_SA_EVAL_HEADER_H
#define SIFT_COMPAT_SA_EVAL_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/strv.h"
#include "mime/mime_url.h"
#include "scan/scan_eval.h"

/* Every function, for scan_eval_register(). */
extern const struct scan_eval_def sa_eval_header_defs[];
extern const size_t sa_eval_header_ndefs;

/* Perl's quotemeta: every byte but [A-Za-z0-9_] escaped; in arena a. */
char *sa_eval_header_quote(struct arena *a, struct strv s);

/* RegistryBoundaries::split_domain(name) (idn_to_ascii first, as SA does
 * without is_ascii): the registrable domain, and in *host what is left of
 * it (may be NULL). The util_rb_2tld/3tld lists are read from the public
 * suffix list, as everywhere in sift. In arena a. */
struct strv sa_eval_header_split_domain(struct arena *a, const struct mime_psl *psl,
                                        struct strv name, struct strv *host);

#endif
