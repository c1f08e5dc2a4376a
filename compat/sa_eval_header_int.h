/*
 * sa_eval_header_int.h - what the two files of SpamAssassin's HeaderEval
 * share (sa_eval_header.c: the pattern engine and most functions;
 * sa_eval_forged.c: the forged-webmail checks). A rule's patterns are
 * compiled by its prepare hook into the engine's arena; a call runs them
 * on $pms->get() values with a match limit (a match that reaches it reads
 * as no match). The checks borrow two HeaderEval tests:
 * gated_through_received_hdr_remover and check_for_msn_groups_headers.
 * Not for use outside compat/sa_eval_header.c and sa_eval_forged.c.
 */
#ifndef SIFT_COMPAT_SA_EVAL_HEADER_INT_H
#define SIFT_COMPAT_SA_EVAL_HEADER_INT_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/strv.h"
#include "scan/scan_eval.h"

struct mime_msg;

/* Pattern ids. These are shared, their patterns in sa_eval_header.c; each
 * file numbers its own from HE_RE_OWN up, below HE_RE_MAX. */
enum he_re_shared {
    RE_NONE = 0, /* ends a list */
    RE_IP,
    RE_EZMLM_ML,
    RE_EZMLM_DLTO,
    RE_EZMLM_QMAIL,
    RE_MSN_GATED,
    RE_MSN_TO,
    RE_MSN_PICKUP,
    HE_RE_OWN
};
#define HE_RE_MAX 64

/* What sa_he_gated() and sa_he_msn_groups() run: a rule calling them lists these. */
#define NEED_GATED RE_EZMLM_ML, RE_EZMLM_DLTO, RE_EZMLM_QMAIL, RE_MSN_GATED
#define NEED_MSN   RE_MSN_TO, RE_MSN_PICKUP

/* A pattern as Perl writes it, {IP} standing for Constants::IP_ADDRESS. */
struct he_pat {
    const char *src;
    uint32_t opts;
};

/* The patterns of one rule, compiled; the others are NULL. */
struct he_state {
    pcre2_code *re[HE_RE_MAX];
    pcre2_match_context *mctx;
};

/* One call: the message, the rule's patterns, match scratch. */
struct he_run {
    struct scan_eval_ctx *ec;
    struct mime_msg *m;
    struct arena *a; /* the task's */
    const struct he_state *st;
    pcre2_match_data *md;
    struct strv subject; /* of the last match */
};

/* Compile the patterns of need (ending with RE_NONE) into *state, in arena
 * a: a shared id from sa_eval_header.c's table, the others from own
 * (indexed by id). -1 with the reason in err if one does not compile. */
int sa_he_prepare(struct arena *a, const struct he_pat *own, const uint8_t *need, void **state,
                  struct sift_err *err);
/* Start a call; the match data is freed by the caller (HE_EVAL does). */
void sa_he_run_init(struct he_run *r, struct scan_eval_ctx *ec);
/* Does pattern id (one the rule's prepare hook listed) match s? */
bool sa_he_m(struct he_run *r, unsigned id, struct strv s);
/* $pms->get(request) in scalar context: '' when absent. */
struct strv sa_he_get(struct he_run *r, const char *request);
/* $pms->get(request, undef): false when absent. */
bool sa_he_get_def(struct he_run *r, const char *request, struct strv *out);
/* s/\s+/ /gs, in arena a. */
struct strv sa_he_squeeze(struct arena *a, struct strv s);
/* gated_through_received_hdr_remover (needs NEED_GATED). */
bool sa_he_gated(struct he_run *r);
/* check_for_msn_groups_headers (needs NEED_MSN); *died when SA's pattern
 * made of the list name does not compile (Perl dies there). */
bool sa_he_msn_groups(struct he_run *r, bool *died);

/* A prepare hook compiling the patterns listed, own ones from table own. */
#define HE_PREP(name, own, ...)                                                                    \
    static int name(struct arena *a, const struct scan_rule *rule, void **state,                   \
                    struct sift_err *err)                                                          \
    {                                                                                              \
        static const uint8_t need[] = { __VA_ARGS__, RE_NONE };                                    \
        (void)rule;                                                                                \
        return sa_he_prepare(a, own, need, state, err);                                            \
    }

/* An eval function: name() sets up a run, name_run() is the Perl. */
#define HE_EVAL(name)                                                                              \
    static double name##_run(struct he_run *r);                                                    \
    static double name(struct scan_eval_ctx *ec)                                                   \
    {                                                                                              \
        struct he_run r;                                                                           \
        double v;                                                                                  \
        sa_he_run_init(&r, ec);                                                                    \
        v = name##_run(&r);                                                                        \
        pcre2_match_data_free(r.md);                                                               \
        return v;                                                                                  \
    }                                                                                              \
    static double name##_run(struct he_run *r)

#endif
