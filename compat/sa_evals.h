/*
 * sa_evals.h - every SpamAssassin eval function sift implements (the
 * plugins' check_* and html_* functions), registered into the scan layer's
 * eval table. Call once at start-up, before compiling rules.
 */
#ifndef SIFT_COMPAT_SA_EVALS_H
#define SIFT_COMPAT_SA_EVALS_H

void sa_evals_register(void);

#endif
