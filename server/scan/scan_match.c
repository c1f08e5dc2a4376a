/*
 * scan_match.c - many regular expressions over the same texts (see
 * scan_match.h). Every pattern is compiled with PCRE2 (JIT), which alone
 * decides what matches and how often. With Hyperscan (scan_match_hs.c) the
 * patterns it accepts go into one block-mode database that tells, per
 * text, which of them may match; only those are run on PCRE2. The rest run
 * on PCRE2 for every text. A pattern that needs n rounds of a group, and
 * that Hyperscan does not decide alone, also has a counting prefilter
 * (scan_match_chain.c): PCRE2 runs only on a text with enough matches of
 * a part of the group, and tries no start past the last one such a match
 * can have.
 */
#include "scan/scan_match.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "scan/scan_match_int.h"
#include "scan/scan_rule.h"

/* A catastrophic pattern (`(a+)+$` on a line of a's) stops after about
 * this many backtracking steps, a few milliseconds with JIT; no stock SA
 * rule needs more than a few thousand on real mail. */
#define SM_MATCH_LIMIT 1000000u
#define SM_DEPTH_LIMIT 100000u
/* JIT machine stack per thread: deep recursion fails (no match) past it. */
#define SM_JIT_STACK_START (32u * 1024)
#define SM_JIT_STACK_MAX   (1024u * 1024)

uint32_t
scan_match_pcre_options(unsigned re_flags)
{
    /* Byte semantics as SA's Perl has them; a pattern may not switch on
     * UTF or UCP with (*UTF)/(*UCP) either. */
    uint32_t o = PCRE2_NEVER_UTF | PCRE2_NEVER_UCP;

    if (re_flags & SCAN_RE_I)
        o |= PCRE2_CASELESS;
    if (re_flags & SCAN_RE_M)
        o |= PCRE2_MULTILINE;
    if (re_flags & SCAN_RE_S)
        o |= PCRE2_DOTALL;
    if (re_flags & SCAN_RE_X)
        o |= PCRE2_EXTENDED;
    return o;
}

pcre2_compile_context *
scan_match_pcre_context(void)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);

    if (cc == NULL)
        return NULL;
    /* Perl's newline is \n whatever the PCRE2 build's default is. */
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    pcre2_set_bsr(cc, PCRE2_BSR_UNICODE); /* \R as Perl's: \x85 too */
    return cc;
}

static void
sm_reject(const struct scan_match_opts *opts, unsigned id, const char *why)
{
    if (opts != NULL && opts->reject != NULL)
        opts->reject(opts->reject_arg, id, why);
}

/* Compile pattern k with PCRE2 (extra: options beyond its flags) and JIT;
 * a failure leaves re NULL. */
static void
sm_compile(struct sm_pat *sp, const struct scan_pattern *p, pcre2_compile_context *cc,
           uint32_t extra, const struct scan_match_opts *opts)
{
    int code;
    PCRE2_SIZE off;
    size_t jit_size = 0;

    sp->id = p->id;
    sp->max_count = p->max_count;
    sp->re_flags = p->re_flags;
    if (p->pattern == NULL) {
        sm_reject(opts, p->id, "no pattern");
        return;
    }
    sp->re = pcre2_compile((PCRE2_SPTR)p->pattern, PCRE2_ZERO_TERMINATED,
                           scan_match_pcre_options(p->re_flags) | extra, &code, &off, cc);
    if (sp->re == NULL) {
        PCRE2_UCHAR msg[256];
        char why[320];

        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(why, sizeof(why), "regex: %s at offset %zu", (const char *)msg, (size_t)off);
        sm_reject(opts, p->id, why);
        return;
    }
    /* JIT failing (no JIT on this CPU, out of executable memory) leaves the
     * interpreter, which gives the same answers. */
    if (pcre2_jit_compile(sp->re, PCRE2_JIT_COMPLETE) == 0 &&
        pcre2_pattern_info(sp->re, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size > 0)
        sp->jit = true;
}

int
scan_matcher_new(const struct scan_pattern *pats, size_t n, const struct scan_match_opts *opts,
                 struct scan_matcher **out, struct sift_err *err)
{
    struct scan_matcher *m = xcalloc(1, sizeof(*m));
    pcre2_compile_context *cc = scan_match_pcre_context();
    bool *on_hs;

    *out = NULL;
    if (cc == NULL) {
        sift_err_set(err, "matcher: out of memory");
        free(m);
        return -1;
    }
    m->n = n;
    m->pats = xcalloc(n ? n : 1, sizeof(*m->pats));
    m->match_limit = opts != NULL && opts->match_limit ? opts->match_limit : SM_MATCH_LIMIT;
    m->depth_limit = opts != NULL && opts->depth_limit ? opts->depth_limit : SM_DEPTH_LIMIT;
    for (size_t k = 0; k < n; k++)
        sm_compile(&m->pats[k], &pats[k], cc, 0, opts);

    on_hs = xcalloc(n ? n : 1, sizeof(*on_hs));
    if (opts == NULL || !opts->no_hyperscan) {
        if (scan_match_hs_build(m, pats, opts, on_hs, err) == -1) {
            pcre2_compile_context_free(cc);
            free(on_hs);
            scan_matcher_free(&m);
            return -1;
        }
    }
    /* a pattern with a counting prefilter learns from it, per text, the
     * latest offset a match can start at: again, able to take that limit
     * (which costs nothing when none is set) */
    for (size_t k = 0; k < n; k++) {
        struct sm_pat again = m->pats[k];

        if (m->pats[k].chain == 0 || !m->pats[k].chain_starts)
            continue;
        again.re = NULL;
        again.jit = false;
        sm_compile(&again, &pats[k], cc, PCRE2_USE_OFFSET_LIMIT, NULL);
        if (again.re == NULL)
            continue;
        pcre2_code_free(m->pats[k].re);
        again.offset_limit = true;
        m->pats[k] = again;
    }
    pcre2_compile_context_free(cc);
    m->pcre_only = xcalloc(n ? n : 1, sizeof(*m->pcre_only));
    for (size_t k = 0; k < n; k++) {
        if (m->pats[k].re != NULL && !on_hs[k])
            m->pcre_only[m->npcre++] = (uint32_t)k;
    }
    free(on_hs);
    *out = m;
    return 0;
}

void
scan_matcher_free(struct scan_matcher **mp)
{
    struct scan_matcher *m = *mp;

    if (m == NULL)
        return;
    for (size_t k = 0; k < m->n; k++)
        pcre2_code_free(m->pats[k].re);
    scan_match_hs_free(m);
    free(m->pats);
    free(m->pcre_only);
    free(m);
    *mp = NULL;
}

struct scan_match_scratch *
scan_match_scratch_new(struct scan_matcher *const *ms, size_t n)
{
    struct scan_match_scratch *s = xcalloc(1, sizeof(*s));

    /* One ovector pair is all a count needs; PCRE2 still matches whole. */
    s->md = pcre2_match_data_create(1, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    s->jstack = pcre2_jit_stack_create(SM_JIT_STACK_START, SM_JIT_STACK_MAX, NULL);
    if (s->md == NULL || s->mctx == NULL)
        xalloc_die(sizeof(*s));
    if (s->jstack != NULL)
        pcre2_jit_stack_assign(s->mctx, NULL, s->jstack);
    for (size_t i = 0; i < n; i++)
        scan_match_hs_scratch_grow(s, ms[i]);
    return s;
}

void
scan_match_scratch_free(struct scan_match_scratch **sp)
{
    struct scan_match_scratch *s = *sp;

    if (s == NULL)
        return;
    scan_match_hs_scratch_free(s);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_jit_stack_free(s->jstack);
    free(s);
    *sp = NULL;
}

size_t
scan_matcher_count(const struct scan_matcher *m)
{
    return m->n;
}

unsigned
scan_matcher_id(const struct scan_matcher *m, size_t k)
{
    return m->pats[k].id;
}

void
scan_matcher_stats(const struct scan_matcher *m, struct scan_matcher_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->hs_patterns = m->nhs;
    st->hs_prefilter_patterns = m->nhs_prefilter;
    st->pcre_only_patterns = m->npcre;
    st->chain_patterns = m->nchain_patterns;
    st->from_cache = m->from_cache;
}

static int
sm_match(const struct sm_pat *sp, struct scan_match_scratch *s, const char *p, size_t len,
         size_t off, uint32_t options)
{
    if (sp->jit)
        return pcre2_jit_match(sp->re, (PCRE2_SPTR)p, len, off, options, s->md, s->mctx);
    return pcre2_match(sp->re, (PCRE2_SPTR)p, len, off, options, s->md, s->mctx);
}

/* Matches of pattern sp in p[0..len), at most want (0: all), the way
 * Perl's while (/re/g) finds them: after an empty match the next one may
 * not be empty at the same place, so the search moves on by a byte when
 * nothing longer starts there. A limit or any other error ends the search
 * with the matches found so far (none: the pattern missed). */
static unsigned
sm_count(const struct sm_pat *sp, struct scan_match_scratch *s, const char *p, size_t len,
         unsigned want)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    unsigned found = 0;
    uint32_t options = 0;
    size_t off = 0;

    while (off <= len) {
        int rc = sm_match(sp, s, p, len, off, options);

        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
            s->errors++;
        if (rc < 0)
            break;
        found++;
        /* ov[1] < off (\K tricks) or an empty match where one was just
         * refused would loop: PCRE2 does neither, but stop anyway */
        if (found == want || ov[1] < off || (options != 0 && ov[1] == off))
            break;
        options = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART : 0;
        off = ov[1];
    }
    return found;
}

void
scan_match_try(struct sm_run *r, uint32_t k, const char *p, size_t len)
{
    const struct sm_pat *sp = &r->m->pats[k];
    unsigned have = r->counts[k], got;
    size_t limit = SIZE_MAX;

    if (sp->max_count != 0 && have >= sp->max_count)
        return;
    /* a counting prefilter that proves there is no match here */
    if (sp->chain != 0 && !scan_match_hs_chain_pass(r, k, p, len, &limit))
        return;
    /* a match starts at or before limit: PCRE2 need not try further */
    if (limit != SIZE_MAX && sp->offset_limit)
        pcre2_set_offset_limit(r->s->mctx, limit);
    got = sm_count(sp, r->s, p, len, sp->max_count ? sp->max_count - have : 0);
    if (limit != SIZE_MAX && sp->offset_limit)
        pcre2_set_offset_limit(r->s->mctx, PCRE2_UNSET);
    if (got == 0)
        return;
    if (have == 0)
        r->hits++;
    r->counts[k] = got > UINT_MAX - have ? UINT_MAX : have + got;
    if (sp->max_count != 0 && r->counts[k] >= sp->max_count)
        r->open--;
}

/* PCRE2 10.42 and Hyperscan want a pointer even for an empty text */
static const char *
sm_text(struct strv t)
{
    return t.p != NULL ? t.p : "";
}

size_t
scan_matcher_run(const struct scan_matcher *m, struct scan_match_scratch *s,
                 const struct strv *texts, size_t ntexts, unsigned *counts)
{
    struct sm_run r = { .m = m, .s = s, .counts = counts };

    pcre2_set_match_limit(s->mctx, m->match_limit);
    pcre2_set_depth_limit(s->mctx, m->depth_limit);
    s->chain_text = NULL; /* a text of an earlier call may have its address */
    for (size_t k = 0; k < m->n; k++) {
        const struct sm_pat *sp = &m->pats[k];

        if (sp->re != NULL && (sp->max_count == 0 || counts[k] < sp->max_count))
            r.open++;
    }
    /* Hyperscan text by text: joining the texts for one call saves nothing
     * measurable (its cost is per byte on SA's rules) and would need care
     * at the joins (^, $, \A, \z, a \s matching the separator). */
    for (size_t t = 0; m->nhs > 0 && t < ntexts && r.open > 0; t++)
        scan_match_hs_run(&r, sm_text(texts[t]), texts[t].len);
    /* the others pattern by pattern: one JIT program stays hot in the
     * cache over all the texts (1.7 times faster than text by text) */
    for (size_t i = 0; i < m->npcre && r.open > 0; i++) {
        const struct sm_pat *sp = &m->pats[m->pcre_only[i]];

        for (size_t t = 0; t < ntexts; t++) {
            if (sp->max_count != 0 && counts[m->pcre_only[i]] >= sp->max_count)
                break;
            scan_match_try(&r, m->pcre_only[i], sm_text(texts[t]), texts[t].len);
        }
    }
    return r.hits;
}

size_t
scan_match_scratch_errors(const struct scan_match_scratch *s)
{
    return s->errors;
}

const char *
scan_matcher_cache_path(const struct scan_matcher *m)
{
    return m->cache_path;
}
