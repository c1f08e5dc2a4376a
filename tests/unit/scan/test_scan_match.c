/*
 * test_scan_match.c - the matcher gives exactly what PCRE2 alone gives,
 * with or without Hyperscan: flags, byte semantics, counting as Perl's
 * while (/re/g) (expected counts printed by perl 5.36), patterns Hyperscan
 * refuses or only approximates, limits, the disk cache, and a differential
 * run of SpamAssassin's body rules over corpus lines against a plain
 * PCRE2 loop.
 */
#include "scan/scan_match.h"

#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/xmalloc.h"
#include "scan/scan_rule.h"
#include "sa_body_rules.h"

#include "../unit.h"

enum { MODE_HS, MODE_PCRE, NMODES };

struct rejects {
    unsigned ids[16];
    char why[16][128];
    size_t n;
};

static void
on_reject(void *arg, unsigned id, const char *why)
{
    struct rejects *r = arg;

    if (r->n < 16) {
        r->ids[r->n] = id;
        snprintf(r->why[r->n], sizeof(r->why[0]), "%s", why);
        r->n++;
    }
}

static struct scan_matcher *
build(const struct scan_pattern *pats, size_t n, int mode, const char *cache, struct rejects *rj)
{
    struct scan_match_opts o = { .cache_dir = cache, .no_hyperscan = mode == MODE_PCRE };
    struct scan_matcher *m = NULL;
    struct sift_err err = { "" };

    if (rj != NULL) {
        o.reject = on_reject;
        o.reject_arg = rj;
    }
    ck_assert_msg(scan_matcher_new(pats, n, &o, &m, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* counts of one pattern over texts (NUL-terminated strings) */
static unsigned
count_one(const char *re, unsigned flags, unsigned max, const char *const *texts, size_t ntexts,
          int mode)
{
    struct scan_pattern p = { 7, re, flags, max, NULL };
    struct scan_matcher *m = build(&p, 1, mode, NULL, NULL);
    struct scan_match_scratch *s = scan_match_scratch_new(&m, 1);
    struct strv tv[8];
    unsigned counts[1] = { 0 };
    size_t hits;

    for (size_t t = 0; t < ntexts; t++)
        tv[t] = strv_cstr(texts[t]);
    hits = scan_matcher_run(m, s, tv, ntexts, counts);
    ck_assert_uint_eq(hits, counts[0] > 0);
    scan_match_scratch_free(&s);
    scan_matcher_free(&m);
    return counts[0];
}

static const struct {
    const char *re;
    unsigned flags, max;
    const char *text;
    unsigned want;
} one_cases[] = {
    /* flags */
    { "hello", 0, 1, "say HELLO", 0 },
    { "hello", SCAN_RE_I, 1, "say HELLO", 1 },
    { "^b", 0, 1, "a\nb", 0 },
    { "^b", SCAN_RE_M, 1, "a\nb", 1 },
    { "a$", SCAN_RE_M, 1, "a\nb", 1 },
    { "a.b", 0, 1, "a\nb", 0 },
    { "a.b", SCAN_RE_S, 1, "a\nb", 1 },
    { "a b c # a comment", SCAN_RE_X, 1, "xabcx", 1 },
    { "a b c # a comment", 0, 1, "xabcx", 0 },
    { "a[ ]b", SCAN_RE_X, 1, "a b", 1 },
    { "(?i)hello", 0, 1, "HeLLo", 1 },
    /* bytes, ASCII classes and caseless, as Perl on byte strings */
    { "\\xe9t\\xe9", 0, 1, "\xe9t\xe9", 1 },
    { "\\xc9", SCAN_RE_I, 1, "\xe9", 0 },
    { "(?:\\xE4|\\xC3\\xA4)", 0, 1, "b\xc3\xa4r", 1 },
    { "a\\Wb", 0, 1,
      "a\xe9"
      "b",
      1 },
    { "a\\wb", 0, 1,
      "a\xe9"
      "b",
      0 },
    { "\\bfoo", 0, 1,
      "\xe9"
      "foo",
      1 },
    { "a\\sb", 0, 1, "a\vb", 1 },
    { "a[[:^alpha:]]b", 0, 1,
      "a\xe9"
      "b",
      1 },
    { "a.b", 0, 1,
      "a\xff"
      "b",
      1 },
    { "a\\x00b", 0, 1, "a", 0 },
    { "foo$", 0, 1, "foo\n", 1 },
    { "foo\\z", 0, 1, "foo\n", 0 },
    { "foo\\Z", 0, 1, "foo\n", 1 },
    { "\\Afoo", 0, 1, "foo", 1 },
    { "a{,3}b", 0, 1, "a{,3}b", 1 }, /* literal braces, as Perl < 5.34 */
    { "\\x{41}", 0, 1, "A", 1 },
    { "\\e\\$B", 0, 1, "\x1b$B", 1 },
    /* counting: Perl's while (/re/g) */
    { "a", 0, 0, "banana", 3 },
    { "a", 0, 2, "banana", 2 },
    { "a", 0, 1, "banana", 1 },
    { "ana", 0, 0, "banana", 1 }, /* not overlapping */
    { "x*", 0, 0, "ab", 3 },
    { "a*", 0, 0, "baa", 3 },
    { "\\b", 0, 0, "ab cd", 4 },
    { "", 0, 0, "abc", 4 },
    { "a|", 0, 0, "aab", 4 },
    { "(?=a)|a", 0, 0, "aa", 4 },
    { "^", 0, 0, "a\nb", 1 },
    { "^", SCAN_RE_M, 0, "a\nb\n", 2 },
    { "$", 0, 0, "a\n", 2 },
    { "a?", 0, 0, "ba", 3 },
    { "x*", 0, 0, "", 1 },
    { "x", 0, 0, "", 0 },
    /* patterns Hyperscan refuses: PCRE2 alone */
    { "a\\Kb", 0, 0, "abab", 2 },
    { "(?|(a)|(b))\\1", 0, 1, "xbb", 1 },
    { "(?|(a)|(b))\\1", 0, 1, "xab", 0 },
    { "(a)?(?(1)b|c)", 0, 0, "abc", 2 },
    { "\\((?:[^()]|(?R))*\\)", 0, 1, "f((a)(b))", 1 },
    { "\\Gab", 0, 0, "ababxab", 2 },
    { "(*NO_START_OPT)ab", 0, 1, "xab", 1 },
    /* prefilter patterns: Hyperscan approximates, PCRE2 decides */
    { "(\\w)\\1", 0, 1, "abc", 0 },
    { "(\\w)\\1", 0, 1, "abbc", 1 },
    { "(\\w)\\1", 0, 0, "aabbcd", 2 },
    { "(?<!x)foo", 0, 1, "xfoo", 0 },
    { "(?<!x)foo", 0, 1, "yfoo", 1 },
    { "(?<=-0600|\\+0800)x", 0, 1, "-0500x", 0 },
    { "(?<=-0600|\\+0800)x", 0, 1, "+0800x", 1 },
    { "foo(?!bar)", 0, 1, "foobar", 0 },
    { "foo(?!bar)", 0, 1, "foobaz", 1 },
    { "foo(?=bar)", 0, 1, "foobaz", 0 },
    { "(?<q>['\"]).*\\k<q>", 0, 1, "'abc\"", 0 },
    { "(?<q>['\"]).*\\k<q>", 0, 1, "'abc'", 1 },
    { "(?>a+)b", 0, 1, "aab", 1 },
    { "a++a", 0, 1, "aaa", 0 },
    { "(?=.*x)", 0, 1, "abc", 0 },
    { "(?=.*x)", 0, 1, "abx", 1 },
};

START_TEST(one_pattern_both_ways)
{
    const char *text = one_cases[_i].text;

    for (int mode = 0; mode < NMODES; mode++) {
        unsigned got =
            count_one(one_cases[_i].re, one_cases[_i].flags, one_cases[_i].max, &text, 1, mode);

        ck_assert_msg(got == one_cases[_i].want, "/%s/ on \"%s\" (%s): %u, want %u",
                      one_cases[_i].re, text, mode == MODE_HS ? "hyperscan" : "pcre2", got,
                      one_cases[_i].want);
    }
}
END_TEST

/* where each kind of pattern goes */
START_TEST(placement)
{
    static const struct scan_pattern pats[] = {
        { 10, "plain", 0, 1, NULL },                 /* exact */
        { 11, "(a)\\1", 0, 1, NULL },                /* prefilter */
        { 12, "(?<!x)foo", SCAN_RE_I, 1, NULL },     /* prefilter */
        { 13, "a\\Kb", 0, 1, NULL },                 /* PCRE2 alone */
        { 14, "(?|(a)|(b))", 0, 1, NULL },           /* PCRE2 alone */
        { 15, "unbalanced(", 0, 1, NULL },           /* rejected */
        { 16, "x*", 0, 1, NULL },                    /* matches empty */
        { 17, "(*UTF)caf\\x{e9}", 0, 1, NULL },      /* no UTF: rejected */
        { 18, "a b # c", SCAN_RE_X, 1, NULL },       /* /x comment ends the pattern */
        { 19, "\\x{100}", 0, 1, NULL },              /* past a byte: rejected */
        { 20, NULL, 0, 1, NULL },                    /* rejected */
        { 21, "\\((?:[^()]|(?R))*\\)", 0, 1, NULL }, /* PCRE2 alone */
        { 22, "(?<=\\d{3})x", SCAN_RE_M, 1, NULL },  /* prefilter */
    };
    struct rejects rj = { 0 };
    struct scan_matcher *m = build(pats, 13, MODE_HS, NULL, &rj);
    struct scan_matcher_stats st;

    ck_assert_uint_eq(rj.n, 4);
    ck_assert_uint_eq(rj.ids[0], 15);
    ck_assert_uint_eq(rj.ids[1], 17);
    ck_assert_uint_eq(rj.ids[2], 19);
    ck_assert_uint_eq(rj.ids[3], 20);
    ck_assert_ptr_nonnull(strstr(rj.why[0], "offset"));
    ck_assert_uint_eq(scan_matcher_count(m), 13);
    for (size_t k = 0; k < 13; k++)
        ck_assert_uint_eq(scan_matcher_id(m, k), pats[k].id);
    scan_matcher_stats(m, &st);
    ck_assert(!st.from_cache);
#ifdef SIFT_HAVE_HYPERSCAN
    ck_assert_uint_eq(st.hs_patterns, 6);
    ck_assert_uint_eq(st.hs_prefilter_patterns, 3);
    ck_assert_uint_eq(st.pcre_only_patterns, 3);
#else
    ck_assert_uint_eq(st.hs_patterns, 0);
    ck_assert_uint_eq(st.pcre_only_patterns, 9);
#endif
    scan_matcher_free(&m);
    ck_assert_ptr_null(m);

    m = build(pats, 13, MODE_PCRE, NULL, NULL);
    scan_matcher_stats(m, &st);
    ck_assert_uint_eq(st.hs_patterns, 0);
    ck_assert_uint_eq(st.pcre_only_patterns, 9);
    scan_matcher_free(&m);
}
END_TEST

/* A pattern Hyperscan would unroll past reason goes to it relaxed
 * (bounded repeats made open); one with its own prefilter (subroutine
 * calls spelled out) goes to it as that. Either way only as a prefilter,
 * and PCRE2 still decides: what matches is found whichever way. */
START_TEST(relaxed_and_given_prefilters)
{
    static const struct scan_pattern pats[] = {
        { 30, "(?:a[b]{1,100}c){60}", 0, 1, NULL },
        { 31, "(?&t)z(?(DEFINE)(?<t>fo{2}))", 0, 1, "fo{2}z" },
        { 32, "(?&t)(?(DEFINE)(?<t>x))", 0, 1, NULL },
        /* look-ahead and possessive parts are kept as written */
        { 33, "(?:[{}][x]{1,200}(?!y{2})z{0,3}+\\x{7b}){40}", 0, 1, NULL },
    };
    static const struct {
        const char *text;
        unsigned want[4];
    } texts[] = {
        { "abbbc", { 0, 0, 0, 0 } },
        { "xfooz", { 0, 1, 1, 0 } },
        { "foz", { 0, 0, 0, 0 } },
    };
    char *abc = malloc(60 * 5 + 1), *brace = malloc(40 * 4 + 1);

    abc[0] = brace[0] = '\0';
    for (int i = 0; i < 60; i++)
        strcat(abc, i % 2 ? "abc" : "abbbc");
    for (int i = 0; i < 40; i++)
        strcat(brace, "{xz{");
    for (int mode = 0; mode < NMODES; mode++) {
        struct scan_matcher *m = build(pats, 4, mode, NULL, NULL);
        struct scan_match_scratch *sc = scan_match_scratch_new(&m, 1);
        struct scan_matcher_stats st;

        scan_matcher_stats(m, &st);
#ifdef SIFT_HAVE_HYPERSCAN
        if (mode == MODE_HS) {
            ck_assert_uint_eq(st.hs_patterns, 3);
            ck_assert_uint_eq(st.hs_prefilter_patterns, 3);
            ck_assert_uint_eq(st.pcre_only_patterns, 1);
        }
#endif
        for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]) + 2; t++) {
            const char *text = t == 0 ? abc : t == 1 ? brace : texts[t - 2].text;
            struct strv tv = strv_cstr(text);
            unsigned counts[4] = { 0 };

            scan_matcher_run(m, sc, &tv, 1, counts);
            for (size_t k = 0; k < 4; k++) {
                unsigned want = t == 0 ? k == 0 : t == 1 ? k >= 2 : texts[t - 2].want[k];

                ck_assert_msg(counts[k] == want, "pattern %u on text %zu (%s): %u, want %u",
                              pats[k].id, t, mode == MODE_HS ? "hyperscan" : "pcre2", counts[k],
                              want);
            }
        }
        scan_match_scratch_free(&sc);
        scan_matcher_free(&m);
    }
    free(abc);
    free(brace);
}
END_TEST

/* several patterns and texts at once: caps, ids, indices, accumulation */
START_TEST(many_patterns_many_texts)
{
    static const struct scan_pattern pats[] = {
        { 100, "viagra", SCAN_RE_I, 1, NULL },
        { 101, "\\bfree\\b", SCAN_RE_I, 0, NULL },
        { 102, "\\bfree\\b", SCAN_RE_I, 3, NULL },
        { 103, "(x)\\1", 0, 1, NULL },
        { 104, "nomatch", 0, 1, NULL },
        { 105, "a\\Kb", 0, 0, NULL },
        { 106, "(", 0, 1, NULL },
        { 107, "^$", 0, 0, NULL },
    };
    static const char *const texts[] = {
        "Buy VIAGRA now, free shipping", "free free FREE", "", "ab ab xx", "free",
    };
    static const unsigned want[] = { 1, 5, 3, 1, 0, 2, 0, 2 };
    struct strv tv[6];

    for (size_t t = 0; t < 5; t++)
        tv[t] = strv_cstr(texts[t]);
    tv[5] = strv_make(NULL, 0); /* an empty text without a pointer */
    for (int mode = 0; mode < NMODES; mode++) {
        struct scan_matcher *m = build(pats, 8, mode, NULL, NULL);
        struct scan_match_scratch *s = scan_match_scratch_new(&m, 1);
        unsigned counts[8] = { 0 };

        ck_assert_uint_eq(scan_matcher_run(m, s, tv, 6, counts), 6);
        for (size_t k = 0; k < 8; k++)
            ck_assert_msg(counts[k] == want[k], "mode %d pattern %zu: %u", mode, k, counts[k]);
        /* counts add up over calls, capped; only new hits are returned */
        ck_assert_uint_eq(scan_matcher_run(m, s, tv, 2, counts), 0);
        ck_assert_uint_eq(counts[0], 1);
        ck_assert_uint_eq(counts[1], 9);
        ck_assert_uint_eq(counts[2], 3);
        /* no texts: nothing */
        memset(counts, 0, sizeof(counts));
        ck_assert_uint_eq(scan_matcher_run(m, s, tv, 0, counts), 0);
        for (size_t k = 0; k < 8; k++)
            ck_assert_uint_eq(counts[k], 0);
        scan_match_scratch_free(&s);
        ck_assert_ptr_null(s);
        scan_matcher_free(&m);
    }
}
END_TEST

/* an empty matcher, and a scratch made before its matcher */
START_TEST(empty_and_late_scratch)
{
    static const struct scan_pattern pats[] = { { 1, "needle", 0, 1, NULL },
                                                { 2, "(a)\\1", 0, 1, NULL } };
    struct scan_matcher *m = build(pats, 0, MODE_HS, NULL, NULL);
    struct scan_match_scratch *s = scan_match_scratch_new(NULL, 0);
    struct strv t = STRV_LIT("a needle, aa");
    unsigned counts[2] = { 0 };

    ck_assert_uint_eq(scan_matcher_count(m), 0);
    ck_assert_uint_eq(scan_matcher_run(m, s, &t, 1, counts), 0);
    scan_matcher_free(&m);
    m = build(pats, 2, MODE_HS, NULL, NULL);
    ck_assert_uint_eq(scan_matcher_run(m, s, &t, 1, counts), 2);
    ck_assert_uint_eq(counts[0], 1);
    ck_assert_uint_eq(counts[1], 1);
    scan_match_scratch_free(&s);
    scan_matcher_free(&m);
    scan_matcher_free(&m); /* a NULL matcher frees to nothing */
}
END_TEST

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* catastrophic backtracking: a miss, quickly, in both modes */
START_TEST(limits_make_a_miss)
{
    static const struct scan_pattern pats[] = {
        { 1, "(a+)+$", 0, 1, NULL },            /* exact on Hyperscan, exponential on PCRE2 */
        { 2, "((a+)+)\\2$", 0, 0, NULL },       /* prefilter */
        { 3, "(?:a|a)+(?|b|c)zz", 0, 1, NULL }, /* PCRE2 alone */
        { 4, "b", 0, 1, NULL },
    };
    char t1[64], t2[64];
    struct strv t[2];

    /* PCRE2 would find the last "a" of t1 after 2^40 steps; and see that
     * t2 has no "zz" after as many */
    memset(t1, 'a', 40);
    memcpy(t1 + 40, "ba", 3);
    memset(t2, 'a', 40);
    memcpy(t2 + 40, "bz", 3);
    t[0] = strv_cstr(t1);
    t[1] = strv_cstr(t2);
    for (int mode = 0; mode < NMODES; mode++) {
        for (int small = 0; small <= 1; small++) {
            struct scan_match_opts o = { .no_hyperscan = mode == MODE_PCRE };
            struct scan_matcher *m = NULL;
            struct scan_match_scratch *s;
            struct sift_err err;
            unsigned counts[4] = { 0 };
            double t0;

            if (small)
                o.match_limit = o.depth_limit = 1000;
            ck_assert_int_eq(scan_matcher_new(pats, 4, &o, &m, &err), 0);
            s = scan_match_scratch_new(&m, 1);
            t0 = now();
            ck_assert_uint_eq(scan_matcher_run(m, s, t, 2, counts), 1);
            ck_assert_msg(now() - t0 < 2.0, "took %.1f s", now() - t0);
            ck_assert_uint_eq(counts[0], 0);
            ck_assert_uint_eq(counts[1], 0);
            ck_assert_uint_eq(counts[2], 0);
            ck_assert_uint_eq(counts[3], 1);
            ck_assert_uint_ge(scan_match_scratch_errors(s), 2);
            scan_match_scratch_free(&s);
            scan_matcher_free(&m);
        }
    }
}
END_TEST

/* a big text: no quadratic blow-up in counting */
START_TEST(long_text)
{
    size_t len = 4 << 20;
    char *big = xmalloc(len);
    struct strv t = strv_make(big, len);

    for (size_t i = 0; i < len; i++)
        big[i] = "ab \n"[i % 4];
    for (int mode = 0; mode < NMODES; mode++) {
        static const struct scan_pattern pats[] = {
            { 1, "a", 0, 0, NULL },
            { 2, "x*", 0, 0, NULL },
            { 3, "^ab $", SCAN_RE_M, 0, NULL },
            { 4, "(\\w)\\1", 0, 0, NULL },
        };
        struct scan_matcher *m = build(pats, 4, mode, NULL, NULL);
        struct scan_match_scratch *s = scan_match_scratch_new(&m, 1);
        unsigned counts[4] = { 0 };

        scan_matcher_run(m, s, &t, 1, counts);
        ck_assert_uint_eq(counts[0], len / 4);
        ck_assert_uint_eq(counts[1], len + 1);
        ck_assert_uint_eq(counts[2], len / 4);
        ck_assert_uint_eq(counts[3], 0);
        scan_match_scratch_free(&s);
        scan_matcher_free(&m);
    }
    free(big);
}
END_TEST

#define CACHE_PATH (PATH_MAX + 512)

/* the one cache file in dir, or "" */
static void
cache_file(const char *dir, char *path)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    path[0] = '\0';
    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, CACHE_PATH, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    ck_assert_int_le(n, 1);
}

static bool
built_from_cache(const struct scan_pattern *pats, size_t n, const char *dir)
{
    struct scan_matcher *m = build(pats, n, MODE_HS, dir, NULL);
    struct scan_match_scratch *s = scan_match_scratch_new(&m, 1);
    struct scan_matcher_stats st;
    struct strv t = STRV_LIT("xxfooxx aa 1 2 3");
    unsigned counts[4] = { 0 };

    scan_matcher_stats(m, &st);
    /* the same answers whichever way the database came */
    scan_matcher_run(m, s, &t, 1, counts);
    ck_assert_uint_eq(counts[0], 1);
    ck_assert_uint_eq(counts[1], 1);
    ck_assert_uint_eq(counts[2], n > 2 ? 3 : 0);
    scan_match_scratch_free(&s);
    scan_matcher_free(&m);
    return st.from_cache;
}

static char *
read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = xmalloc(64 << 20);

    ck_assert_ptr_nonnull(f);
    *len = fread(p, 1, 64 << 20, f);
    fclose(f);
    return p;
}

static const struct scan_pattern cache_set[] = {
    { 1, "foo", 0, 1, NULL },
    { 2, "(a)\\1", 0, 1, NULL },
    { 3, "\\d", 0, 0, NULL },
    { 4, "\\Ka", 0, 1, NULL },
};

#ifdef SIFT_HAVE_HYPERSCAN
static void
write_bytes(const char *path, const char *p, size_t len)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p, 1, len, f), len);
    fclose(f);
}

START_TEST(cache_hit_corrupt_foreign)
{
    const struct scan_pattern *a = cache_set;
    struct scan_pattern b[4];
    char dir[PATH_MAX], sub[CACHE_PATH], path[CACHE_PATH], path_b[CACHE_PATH];
    char *bytes;
    size_t len;

    unit_tmpdir(dir);
    /* cold, then a hit */
    ck_assert(!built_from_cache(a, 4, dir));
    cache_file(dir, path);
    ck_assert_str_ne(path, "");
    ck_assert(built_from_cache(a, 4, dir));
    /* a flipped byte anywhere, a short file, an empty one: rebuilt, rewritten */
    bytes = read_bytes(path, &len);
    for (size_t at = 0; at < len; at += len / 7 + 1) {
        bytes[at] ^= 0x20;
        write_bytes(path, bytes, len);
        bytes[at] ^= 0x20;
        ck_assert_msg(!built_from_cache(a, 4, dir), "flipped byte %zu", at);
        ck_assert(built_from_cache(a, 4, dir));
    }
    write_bytes(path, bytes, len / 2);
    ck_assert(!built_from_cache(a, 4, dir));
    write_bytes(path, bytes, 0);
    ck_assert(!built_from_cache(a, 4, dir));
    ck_assert(built_from_cache(a, 4, dir));
    /* a different set (one flag changed) has a file of its own */
    memcpy(b, a, sizeof(b));
    b[0].re_flags = SCAN_RE_I;
    ck_assert(!built_from_cache(b, 4, dir));
    ck_assert(built_from_cache(b, 4, dir));
    ck_assert(built_from_cache(a, 4, dir));
    /* a whole file of another set under this set's name: rebuilt */
    snprintf(sub, sizeof(sub), "%s/b", dir);
    ck_assert(!built_from_cache(b, 4, sub)); /* the cache dir is made */
    cache_file(sub, path_b);
    ck_assert_str_ne(path_b, "");
    free(bytes);
    bytes = read_bytes(path_b, &len);
    write_bytes(path, bytes, len);
    ck_assert(!built_from_cache(a, 4, dir));
    ck_assert(built_from_cache(a, 4, dir));
    /* fewer patterns: another set */
    ck_assert(!built_from_cache(a, 2, dir));
    free(bytes);
    /* an unwritable cache dir costs speed only */
    ck_assert(!built_from_cache(a, 4, "/proc/sift-no-such-dir"));
    unit_rmtree(dir);
}
END_TEST
#else
/* without Hyperscan there is nothing to cache */
START_TEST(cache_unused)
{
    char dir[PATH_MAX], path[CACHE_PATH];

    unit_tmpdir(dir);
    ck_assert(!built_from_cache(cache_set, 4, dir));
    ck_assert(!built_from_cache(cache_set, 4, dir));
    cache_file(dir, path);
    ck_assert_str_eq(path, "");
    unit_rmtree(dir);
}
END_TEST
#endif

/* A plain PCRE2 loop, written the pcre2demo way (retry an empty match
 * anchored and not empty, else step a byte): what the matcher must give. */
static unsigned
reference_count(const pcre2_code *re, pcre2_match_data *md, const char *p, size_t len, unsigned max)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    unsigned n = 0;
    size_t off = 0;
    uint32_t opt = 0;

    for (;;) {
        int rc;

        if (off > len)
            break;
        rc = pcre2_match(re, (PCRE2_SPTR)p, len, off, opt, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH && opt != 0) {
            off++;
            opt = 0;
            continue;
        }
        if (rc < 0)
            break;
        if (++n == max)
            break;
        off = ov[1];
        opt = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
    }
    return n;
}

static uint32_t
reference_options(unsigned f)
{
    return ((f & SCAN_RE_I) ? PCRE2_CASELESS : 0) | ((f & SCAN_RE_M) ? PCRE2_MULTILINE : 0) |
           ((f & SCAN_RE_S) ? PCRE2_DOTALL : 0) | ((f & SCAN_RE_X) ? PCRE2_EXTENDED : 0);
}

/* body lines of up to nmsg corpus messages, else a few made-up ones */
static size_t
load_texts(struct strv **out, char ***bufs, size_t *nbufs, size_t nmsg)
{
    static const char *const made_up[] = {
        "Dear friend, I am Mr. John, the bank manager of a bank in Lagos.",
        "You have WON $1,000,000 USD in our ONLINE LOTTERY!!!",
        "Click here to unsubscribe: http://example.com/remove?id=1",
        "V I A G R A and C1ALIS at 80% off, no prescription needed",
        "",
        "   ",
        "Hello Bob,\tsee you at 10:30 tomorrow.",
        "\xe9t\xe9 \xc3\xa4 caf\xc3\xa9",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
    };
    const char *dirs[] = { "../shared/corpus/spam", "../shared/corpus/ham" };
    size_t n = 0, cap = 1024;
    struct strv *v = xcalloc(cap, sizeof(*v));

    *bufs = xcalloc(nmsg, sizeof(char *));
    *nbufs = 0;
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        struct dirent *de;
        size_t taken = 0;

        while (dir != NULL && (de = readdir(dir)) != NULL && taken < nmsg / 2) {
            char path[PATH_MAX * 2], *body;
            size_t len;

            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", dirs[d], de->d_name);
            body = read_bytes(path, &len);
            body[len < (64 << 20) ? len : len - 1] = '\0';
            (*bufs)[(*nbufs)++] = body;
            taken++;
            body = strstr(body, "\n\n");
            for (char *p = body ? body + 2 : NULL; p != NULL && *p != '\0';) {
                char *nl = strchr(p, '\n');
                size_t l = nl ? (size_t)(nl - p) : strlen(p);

                if (n == cap) {
                    cap *= 2;
                    v = xreallocarray(v, cap, sizeof(*v));
                }
                v[n++] = strv_make(p, l);
                p = nl ? nl + 1 : NULL;
            }
        }
        if (dir != NULL)
            closedir(dir);
    }
    for (size_t i = 0; i < sizeof(made_up) / sizeof(made_up[0]); i++)
        v[n++] = strv_cstr(made_up[i]);
    *out = v;
    return n;
}

/* SpamAssassin's body rules (or a few when it is not installed) over
 * corpus lines: the matcher, both ways, equals the plain loop. */
START_TEST(differential_sa_body_rules)
{
    static const char *const builtin[] = {
        "\\bfree\\b",
        "(?:click|tap) here",
        "\\$\\d+(?:,\\d{3})*",
        "(\\w)\\1\\1",
        "(?<!un)subscribe",
        "^\\s*$",
        "[A-Z]{5,}",
        "lottery(?!\\s+ticket)",
        "\\be?mail\\b",
        "(?i:viagra|cialis)",
        "\\d{1,3}(?:\\.\\d{1,3}){3}",
        ".{40,}",
        "a*",
        "(?>\\w+)\\s",
    };
    struct sa_body_rules rules;
    struct scan_pattern *pats;
    struct strv *texts;
    char **bufs;
    size_t npat, ntexts, nbufs, compared = 0;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    pcre2_code **ref;

    sa_body_rules_load("/usr/share/spamassassin", &rules);
    if (rules.n == 0)
        printf("differential: no SpamAssassin rules installed; built-in patterns only\n");
    npat = rules.n + sizeof(builtin) / sizeof(builtin[0]);
    pats = xcalloc(npat, sizeof(*pats));
    ref = xcalloc(npat, sizeof(*ref));
    for (size_t k = 0; k < npat; k++) {
        int code;
        PCRE2_SIZE off;
        bool sa = k < rules.n;

        /* a mix of SA's counting styles: 0/1, tflags multiple, maxhits */
        pats[k] =
            (struct scan_pattern){ (unsigned)k, sa ? rules.v[k].pattern : builtin[k - rules.n],
                                   sa ? rules.v[k].flags : 0,
                                   k % 3 == 0   ? 1
                                   : k % 3 == 1 ? 0
                                                : 3,
                                   NULL };
        ref[k] = pcre2_compile((PCRE2_SPTR)pats[k].pattern, PCRE2_ZERO_TERMINATED,
                               reference_options(pats[k].re_flags), &code, &off, NULL);
    }
    ntexts = load_texts(&texts, &bufs, &nbufs, 200);
    for (int mode = 0; mode < NMODES; mode++) {
        struct scan_matcher *m = build(pats, npat, mode, NULL, NULL);
        struct scan_match_scratch *s = scan_match_scratch_new(&m, 1);
        unsigned *counts = xcalloc(npat, sizeof(*counts));

        /* in runs of 20 texts, as a message's lines */
        for (size_t t0 = 0; t0 < ntexts; t0 += 20) {
            size_t nt = ntexts - t0 < 20 ? ntexts - t0 : 20;

            memset(counts, 0, npat * sizeof(*counts));
            scan_matcher_run(m, s, texts + t0, nt, counts);
            for (size_t k = 0; k < npat; k++) {
                unsigned want = 0;

                for (size_t t = t0; ref[k] != NULL && t < t0 + nt; t++) {
                    if (pats[k].max_count != 0 && want >= pats[k].max_count)
                        break;
                    want += reference_count(ref[k], md, texts[t].p, texts[t].len,
                                            pats[k].max_count ? pats[k].max_count - want : 0);
                }
                ck_assert_msg(counts[k] == want, "%s /%s/ texts %zu..%zu (%s): %u, want %u",
                              k < rules.n ? rules.v[k].name : "builtin", pats[k].pattern, t0,
                              t0 + nt, mode == MODE_HS ? "hyperscan" : "pcre2", counts[k], want);
                compared++;
            }
        }
        ck_assert_uint_eq(scan_match_scratch_errors(s), 0);
        free(counts);
        scan_match_scratch_free(&s);
        scan_matcher_free(&m);
    }
    printf("differential: %zu patterns x %zu texts, %zu counts compared\n", npat, ntexts, compared);
    for (size_t k = 0; k < npat; k++)
        pcre2_code_free(ref[k]);
    for (size_t i = 0; i < nbufs; i++)
        free(bufs[i]);
    free(bufs);
    free(ref);
    free(texts);
    free(pats);
    pcre2_match_data_free(md);
    sa_body_rules_free(&rules);
}
END_TEST

static Suite *
scan_match_suite(void)
{
    Suite *s = suite_create("scan_match");
    TCase *tc = tcase_create("scan_match");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, one_pattern_both_ways, 0, sizeof(one_cases) / sizeof(one_cases[0]));
    tcase_add_test(tc, placement);
    tcase_add_test(tc, relaxed_and_given_prefilters);
    tcase_add_test(tc, many_patterns_many_texts);
    tcase_add_test(tc, empty_and_late_scratch);
    tcase_add_test(tc, limits_make_a_miss);
    tcase_add_test(tc, long_text);
#ifdef SIFT_HAVE_HYPERSCAN
    tcase_add_test(tc, cache_hit_corrupt_foreign);
#else
    tcase_add_test(tc, cache_unused);
#endif
    tcase_add_test(tc, differential_sa_body_rules);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(scan_match_suite());
}
