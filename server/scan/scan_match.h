/*
 * scan_match.h - many regular expressions over the same texts in one pass.
 * A matcher holds every pattern of one target (all body rules, say): a
 * Hyperscan database finds which patterns may match a text, PCRE2 (JIT)
 * confirms each candidate and counts matches, so the result is exactly
 * PCRE2's whatever Hyperscan accepts. Patterns Hyperscan cannot take run on
 * PCRE2 alone. Without Hyperscan (a build without libhs) everything runs
 * on PCRE2. Compiled Hyperscan databases are cached on disk, keyed by a
 * hash of the patterns, so a restart with the same rules is quick.
 *
 * A matcher is read-only once built and may be shared by threads; each
 * thread scans with its own scratch (scan_match_scratch).
 */
#ifndef SIFT_SCAN_SCAN_MATCH_H
#define SIFT_SCAN_SCAN_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strv.h"

struct scan_pattern {
    unsigned id;         /* the caller's (a rule index), returned with results */
    const char *pattern; /* PCRE2 syntax, byte semantics (no UTF/UCP) */
    unsigned re_flags;   /* enum scan_re_flag (scan_rule.h) */
    unsigned max_count;  /* 1: is there a match; N > 1: count matches up to N; 0: count all */
    /* For the Hyperscan pass only (NULL: the pattern itself): a pattern,
     * same flags, that matches somewhere in every text the pattern
     * matches in, such as the pattern with its subroutine calls spelled
     * out. PCRE2 still decides. */
    const char *prefilter;
};

/* Called for a pattern that could not be compiled: its rule is left out. */
typedef void (*scan_match_reject_fn)(void *arg, unsigned id, const char *why);

struct scan_match_opts {
    const char *cache_dir; /* where compiled databases are kept; NULL: no cache */
    bool no_hyperscan;     /* PCRE2 only (tests, comparisons) */
    scan_match_reject_fn reject;
    void *reject_arg;
    /* PCRE2 limits per match (0: the built-in defaults); a match that
     * hits one counts as no match, as SA's timeouts make a rule miss. */
    unsigned match_limit, depth_limit;
};

struct scan_matcher;
struct scan_match_scratch;

/* Build a matcher for pats[0..n). Patterns that do not compile are
 * reported through opts->reject and left out; -1 only on a failure that
 * is not about one pattern (out of memory, Hyperscan refusing the whole
 * set), with err set. n may be 0. */
int scan_matcher_new(const struct scan_pattern *pats, size_t n, const struct scan_match_opts *opts,
                     struct scan_matcher **out, struct sift_err *err);
void scan_matcher_free(struct scan_matcher **mp);

/* A thread's scratch space, good for every matcher of the process that
 * exists when it is made (make it after building them). */
struct scan_match_scratch *scan_match_scratch_new(struct scan_matcher *const *ms, size_t n);
void scan_match_scratch_free(struct scan_match_scratch **sp);

/* Result of one scan: counts[k] for pattern k (index in the pats array the
 * matcher was built from, not its id); the caller provides the array,
 * zeroed, of scan_matcher_count() entries. */
size_t scan_matcher_count(const struct scan_matcher *m);
unsigned scan_matcher_id(const struct scan_matcher *m, size_t k);

/* Scan texts[0..ntexts), each on its own (body lines, rawbody chunks,
 * URIs; a header's value or the full message is one text), and add the
 * number of matches of each pattern to counts[], capped at its max_count:
 * a pattern with max_count 1 is done at its first matching text; counting
 * patterns add up their matches over all texts (SA's tflags multiple).
 * A pattern already at its cap in counts[] is not run again. A match that
 * hits a PCRE2 limit ends that pattern's search in that text (a miss).
 * Returns the number of patterns that matched at least once (whose count
 * went from 0 to more in this call). */
size_t scan_matcher_run(const struct scan_matcher *m, struct scan_match_scratch *s,
                        const struct strv *texts, size_t ntexts, unsigned *counts);

/* How the matcher placed its patterns: on Hyperscan (exact, or as a
 * prefilter confirmed by PCRE2) and on PCRE2 alone; from the cache or not. */
struct scan_matcher_stats {
    size_t hs_patterns, pcre_only_patterns;
    size_t hs_prefilter_patterns; /* of hs_patterns, those Hyperscan only approximates */
    /* patterns PCRE2 runs on a text only when Hyperscan counts enough
     * matches of a part of them there (a repeated group: (?:U){n}) */
    size_t chain_patterns;
    bool from_cache;
};
void scan_matcher_stats(const struct scan_matcher *m, struct scan_matcher_stats *st);

/* PCRE2 errors (match or depth limit hit, JIT stack exhausted) a scratch
 * has met since it was made: each made a pattern miss on one text. */
size_t scan_match_scratch_errors(const struct scan_match_scratch *s);

/* The cache file this matcher reads or wrote (cache_dir/sift-hs-KEY.db),
 * or NULL: the engine removes the files no matcher uses any more. */
const char *scan_matcher_cache_path(const struct scan_matcher *m);

#endif
