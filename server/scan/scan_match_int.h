/*
 * scan_match_int.h - what scan_match.c (PCRE2, counting), scan_match_hs.c
 * (the Hyperscan prefilter and its disk cache) and their helpers
 * scan_match_shrink.c and scan_match_chain.c share. Nothing else but
 * their unit tests includes it.
 */
#ifndef SIFT_SCAN_SCAN_MATCH_INT_H
#define SIFT_SCAN_SCAN_MATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/err.h"
#include "scan/scan_match.h"

struct hs_database; /* hs_database_t, hs_scratch_t: only scan_match_hs.c sees hs.h */
struct hs_scratch;

struct sm_pat {
    pcre2_code *re; /* NULL: did not compile, left out */
    unsigned id, max_count, re_flags;
    bool jit; /* re has JIT code: pcre2_jit_match */
    /* the counting prefilter (scan_match_chain.c): 1 + its index in the
     * matcher's chain database, 0 for none; and how many of its matches,
     * each at least chain_gap[] after the last, a text needs */
    uint32_t chain;
    unsigned chain_n;
    /* the chain was derived from the pattern itself (not a prefilter, which
     * need only match somewhere in the same texts): its matches lie in the
     * pattern's, so its ends also bound where a match can start */
    bool chain_starts;
    bool offset_limit; /* re compiled with PCRE2_USE_OFFSET_LIMIT for that */
};

struct scan_matcher {
    struct sm_pat *pats;
    size_t n;
    uint32_t *pcre_only; /* indices run on PCRE2 for every text */
    size_t npcre;
    uint32_t match_limit, depth_limit;
    struct hs_database *db; /* NULL: nothing on Hyperscan */
    /* the same set for plain texts (no byte >= 0x80, no "&#"): the branches
     * that need those bytes taken out; NULL when no pattern has one */
    struct hs_database *db_plain;
    uint32_t *hs_pat; /* Hyperscan id -> pattern index */
    size_t nhs, nhs_prefilter;
    /* the counting prefilters: one database of every chain expression
     * (not SINGLEMATCH), scanned at most once per text, for the patterns
     * with pats[k].chain; per expression its gap */
    struct hs_database *db_chain;
    uint32_t *chain_gap;
    size_t nchain, nchain_patterns;
    bool from_cache;
    char *cache_path; /* the cache file this set uses, or NULL */
};

struct scan_match_scratch {
    pcre2_match_data *md;
    pcre2_match_context *mctx; /* limits of the matcher being run, the JIT stack */
    pcre2_jit_stack *jstack;
    size_t errors; /* PCRE2 errors (limits) seen */
    struct hs_scratch *hs;
    uint32_t *cand; /* Hyperscan ids reported for the current text */
    size_t ncand, cand_cap;
    bool cand_lost; /* more reports than room: every id is a candidate */
    /* the chain database's answer for chain_text[0..chain_len) (NULL:
     * none yet in this scan_matcher_run): per expression, its ends */
    const char *chain_text;
    size_t chain_len, chain_cap;
    struct sm_chain_count *chain;
    bool chain_fail; /* no answer: every chain passes, with no limit */
};

/* One chain expression's reported ends in a text (scan_match_hs.c): the
 * walk of scan_match_chain.c, and the ends themselves for the latest
 * start a match can have. */
struct sm_chain_count {
    unsigned long long last, top; /* the last end taken, the largest seen */
    unsigned taken;               /* UINT_MAX: out of order, unknown */
    unsigned long long *ends;     /* in order, up to SM_CHAIN_MAX_ENDS */
    size_t nends, ends_cap;
    bool ends_lost; /* more than that, or out of order: no start limit */
};

/* One scan_matcher_run call. */
struct sm_run {
    const struct scan_matcher *m;
    struct scan_match_scratch *s;
    unsigned *counts;
    size_t hits; /* patterns that went from 0 to a match */
    size_t open; /* patterns not yet at their max_count */
};

/* Run pattern k on p[0..len) with PCRE2 and add its matches to counts[k]
 * (nothing when it is capped already, or its counting prefilter says the
 * text cannot hold a match). */
void scan_match_try(struct sm_run *r, uint32_t k, const char *p, size_t len);

/* The options and the compile context (newline, \R) every pattern is
 * compiled with; the context is the caller's to free (NULL: no memory). */
uint32_t scan_match_pcre_options(unsigned re_flags);
pcre2_compile_context *scan_match_pcre_context(void);

/* Put what Hyperscan takes of m->pats (those that compiled) on it: sets
 * m->db, hs_pat, nhs, nhs_prefilter, from_cache and on_hs[k]. A pattern
 * or a set Hyperscan refuses stays on PCRE2 alone; -1 only when out of
 * memory. Without SIFT_HAVE_HYPERSCAN it places nothing. */
int scan_match_hs_build(struct scan_matcher *m, const struct scan_pattern *pats,
                        const struct scan_match_opts *opts, bool *on_hs, struct sift_err *err);
void scan_match_hs_free(struct scan_matcher *m);
/* Make s able to scan m's database. */
void scan_match_hs_scratch_grow(struct scan_match_scratch *s, const struct scan_matcher *m);
void scan_match_hs_scratch_free(struct scan_match_scratch *s);
/* The Hyperscan pass over one text (p not NULL): confirms each candidate
 * with scan_match_try. Nothing without a database. */
void scan_match_hs_run(struct sm_run *r, const char *p, size_t len);
/* May pattern k (pats[k].chain != 0) match in p[0..len)? false only when
 * its counting prefilter proves it cannot. When it may, *limit is the
 * latest offset a match can start at (SIZE_MAX: no such bound). */
bool scan_match_hs_chain_pass(struct sm_run *r, uint32_t k, const char *p, size_t len,
                              size_t *limit);

/* scan_match_shrink.c: for the Hyperscan pass, pat with every branch that
 * only matches bytes 0x80-0xff (SA's look-alike letters) made one
 * [\x80-\xff]+: a smaller pattern that matches wherever pat does. NULL
 * when nothing changes or pat is not understood (/x, \Q). */
char *scan_match_shrink(const char *pat, unsigned re_flags);

/* scan_match_chain.c: for a pattern (PCRE2 syntax, re_flags) that needs
 * n >= 2 back-to-back matches of one group, (?:U){n} among a sequence of
 * atoms (subroutine calls to a trailing (?(DEFINE)...) written out): an
 * expression expr (same flags, malloc'd) and a gap >= 1 such that every
 * match of the pattern holds n matches of expr whose ends lie at least
 * gap apart, the first ending at least gap after the match starts (the
 * file says why). -1 when the pattern is not of that shape or holds
 * something the argument does not cover (backreferences, recursion,
 * verbs, /x...). */
struct sm_chain {
    char *expr;
    unsigned n, gap;
};
int scan_match_chain(const char *pat, unsigned re_flags, struct sm_chain *out);

#endif
