/*
 * sa_markup_int.h - what sa_markup.c and sa_markup_mail.c share: the
 * prepared configuration and one message's rendering state (SA's
 * PerMsgStatus as far as markup needs it).
 */
#ifndef SIFT_COMPAT_SA_MARKUP_INT_H
#define SIFT_COMPAT_SA_MARKUP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "compat/sa_markup.h"
#include "core/arena.h"
#include "core/buf.h"
#include "mime/mime_msg.h"

enum { SA_MK_SUBJECT, SA_MK_FROM, SA_MK_TO, SA_MK_NREWRITE };

struct sa_markup_header {
    const char *name; /* "Status": the header is X-Spam-Status */
    const char *text; /* the template, escapes expanded */
};

struct sa_markup {
    struct arena *a;
    const char *report_template, *unsafe_template; /* lines joined, each ending in \n */
    const char *contact, *hostname, *subversion, *charset, *description;
    const char *fqdn; /* the Received line's host (Util::fq_hostname) */
    unsigned wrap_width;
    int report_safe;
    bool fold_headers;
    const char *rewrite[SA_MK_NREWRITE]; /* rewrite_header text, or NULL */
    struct sa_markup_header *ham, *spam; /* headers_ham, headers_spam */
    size_t nham, nspam;
    const char **copy_headers; /* report_safe_copy_headers */
    size_t ncopy;
    struct {
        const char *rule, *text;
    } * subjprefix;
    size_t nsubjprefix;
    int *meta_pass;                /* by rule index: the priority pass a meta hits in */
    const struct scan_ruleset *rs; /* the rules meta_pass is about */
    size_t nrules;
};

/* One message being rendered. */
struct sa_pms {
    const struct sa_markup *mk;
    struct task *t;
    struct mime_msg *m;
    const struct scan_result *res;
    const struct sa_markup_env *env;
    const struct scan_hit **order; /* hits in SA's hit order, repeated per match */
    size_t norder;
    const char *report, *summary; /* check_cleanup's REPORT and SUMMARY tags */
    const char *subjprefix;       /* NULL: none */
};

void sa_pms_init(struct sa_pms *p, const struct sa_markup *mk, struct task *t,
                 const struct scan_result *res, const struct sa_markup_env *env);
/* _replace_tags: append s with its _TAG_s replaced. */
void sa_pms_replace_tags(struct sa_pms *p, const char *s, size_t len, struct buf *out);
/* get_report() */
void sa_pms_report(struct sa_pms *p, struct buf *out);
/* _get_added_headers('headers_spam' or 'headers_ham'), LF line ends */
void sa_pms_added_headers(struct sa_pms *p, bool spam, struct buf *out);
/* Util::time_to_rfc822_date() for now */
void sa_markup_date(struct buf *out);

#endif
