/*
 * scan_match_int.h - what scan_match.c (PCRE2, counting) and
 * scan_match_hs.c (the Hyperscan prefilter and its disk cache) share.
 * Nothing outside these two files includes it.
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
 * (nothing when it is capped already). */
void scan_match_try(struct sm_run *r, uint32_t k, const char *p, size_t len);

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

/* scan_match_shrink.c: for the Hyperscan pass, pat with every branch that
 * only matches bytes 0x80-0xff (SA's look-alike letters) made one
 * [\x80-\xff]+: a smaller pattern that matches wherever pat does. NULL
 * when nothing changes or pat is not understood (/x, \Q). */
char *scan_match_shrink(const char *pat, unsigned re_flags);

#endif
