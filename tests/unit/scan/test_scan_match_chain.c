/*
 * test_scan_match_chain.c - the counting prefilter of a pattern that
 * needs n back-to-back rounds of a group, (?:U){n}: the expression and
 * gap derived from it (what is kept of U, the first bytes of the atom it
 * stops at, the least length), the shapes and constructs it leaves alone,
 * and, with Hyperscan, a matcher using it that counts exactly what PCRE2
 * alone counts on texts made to sit on both sides of the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit.h"

#include "scan/scan_match.h"
#include "scan/scan_match_int.h"
#include "scan/scan_rule.h"

static const struct {
    const char *in;
    unsigned flags;
    const char *expr; /* NULL: refused */
    unsigned n, gap;
} cases[] = {
    /* U cut before its last atom, that atom's first bytes kept as a class */
    { "(?:ab\\s){3}", 0, "ab[\\x09-\\x0d\\x20]", 3, 3 },
    { "x(?:foo\\d+){2,}y", 0, "foo[\\x30-\\x39]", 2, 4 },
    /* one first letter: both cases, as PCRE2 does not say which */
    { "(?:ab){2}c", 0, "a[\\x42\\x62]", 2, 2 },
    { "(?:Ab){2}", SCAN_RE_I, "A[\\x42\\x62]", 2, 2 },
    /* leading atoms that may match empty are dropped, unless they assert */
    { "(?:a?b+c){4}", 0, "b+[\\x43\\x63]", 4, 2 },
    { "(?:(?:x?)ab\\s){3}", 0, "ab[\\x09-\\x0d\\x20]", 3, 3 },
    { "(?:\\bab\\s){3}", 0, "\\bab[\\x09-\\x0d\\x20]", 3, 3 },
    /* subroutine calls to a trailing DEFINE written out, nested too */
    { "(?:(?&w)\\s){3}(?(DEFINE)(?<w>ab))", 0, "(?:ab)[\\x09-\\x0d\\x20]", 3, 3 },
    { "(?:(?&w)c){2}(?(DEFINE)(?<v>b)(?'w'a(?&v)))", 0, "(?:a(?:b))[\\x43\\x63]", 2, 3 },
    { "(?:(?&x)b){2}(?(DEFINE)(?P<x>a))", 0, "(?:a)[\\x42\\x62]", 2, 2 },
    /* lazy and possessive rounds are the same strings */
    { "(?:ab\\s){3}?", 0, "ab[\\x09-\\x0d\\x20]", 3, 3 },
    { "(?:ab\\s){3}+", 0, "ab[\\x09-\\x0d\\x20]", 3, 3 },
    /* capturing and atomic groups, scoped options, look-arounds kept */
    { "(ab\\s){3}", 0, "ab[\\x09-\\x0d\\x20]", 3, 3 },
    { "(?>a(?i:b)c){2}", 0, "a(?i:b)[\\x43\\x63]", 2, 3 },
    /* no atom to stop at: all of U, its least length the gap; what a
     * look-ahead needs is not length (PCRE2 says 2 for a(?=bc)) */
    { "(?:a(?=b)){2}", 0, "a(?=b)", 2, 1 },
    { "(?:a(?=bc)){2}", 0, "a(?=bc)", 2, 1 },
    { "(?:ab(?=cd)e){2}", 0, "ab(?=cd)[\\x45\\x65]", 2, 3 },
    { "(?:a(?:bc|d)){2}", 0, "a[\\x62\\x64]", 2, 2 },
    /* not the shape: no repeat, one round, U may be empty, alternation */
    { "(?:ab)+", 0, NULL, 0, 0 },
    { "(?:ab){1}", 0, NULL, 0, 0 },
    { "(?:a?){3}", 0, NULL, 0, 0 },
    { "(?:ab){2}|c", 0, NULL, 0, 0 },
    { "(?:ab|cd){3}", 0, NULL, 0, 0 },
    { "[ab]{3}", 0, NULL, 0, 0 },
    /* what the argument does not cover */
    { "(a)(?:\\1b){2}", 0, NULL, 0, 0 },
    { "(?:a\\012b){2}", 0, NULL, 0, 0 },
    { "(?:a\\g{1}b){2}", 0, NULL, 0, 0 },
    { "(?i)(?:ab){2}", 0, NULL, 0, 0 },
    { "(?:a(?x: b)c){2}", 0, NULL, 0, 0 },
    { "(?:a(?#)b)c){2}", 0, NULL, 0, 0 },
    { "(?:a(*ACCEPT)b){2}", 0, NULL, 0, 0 },
    { "(?:a\\Kb){2}", 0, NULL, 0, 0 },
    { "(?:a\\Qb\\E){2}", 0, NULL, 0, 0 },
    { "(?:ab){2}", SCAN_RE_X, NULL, 0, 0 },
    { "(?:a{b){2}", 0, NULL, 0, 0 },
    { "(?:(?&w)c){2}(?(DEFINE)(?<w>a(?&w)?))", 0, NULL, 0, 0 },
    { "(?:(?&x)c){2}(?(DEFINE)(?<w>a))", 0, NULL, 0, 0 },
    { "(?(DEFINE)(?<w>a))(?:(?&w)c){2}", 0, NULL, 0, 0 },
    { "(?:(?&w)c){2}(?(DEFINE)(?<w>a)x)", 0, NULL, 0, 0 },
    { "(?:(?1)b){2}(a)", 0, NULL, 0, 0 },
    { "(?:a(?1)b){2}", 0, NULL, 0, 0 },
    { "(?:a(?*b)b){2}", 0, NULL, 0, 0 },
    { "(?:a[b){2}", 0, NULL, 0, 0 },
};

START_TEST(derives_as_planned)
{
    struct sm_chain ch;
    int rc = scan_match_chain(cases[_i].in, cases[_i].flags, &ch);

    if (cases[_i].expr == NULL) {
        ck_assert_msg(rc == -1, "%s: got %s", cases[_i].in, ch.expr);
        ck_assert_ptr_null(ch.expr);
        return;
    }
    ck_assert_msg(rc == 0, "%s: refused", cases[_i].in);
    ck_assert_msg(strcmp(ch.expr, cases[_i].expr) == 0, "%s: got %s, want %s", cases[_i].in,
                  ch.expr, cases[_i].expr);
    ck_assert_uint_eq(ch.n, cases[_i].n);
    ck_assert_uint_eq(ch.gap, cases[_i].gap);
    free(ch.expr);
}
END_TEST

/* A form pattern as SA's ReplaceTags rules make them: the words, an
 * optional colon or parenthesis, then a blank or a separator, n times;
 * with a look-behind, so Hyperscan only ever approximates it, and with
 * the bounded repeats that make it relax the pattern too. */
static const struct scan_pattern form_pats[] = {
    { 1,
      "(?:(?:your\\s)?(?<![a-z])(?:name|phone|e-?mail|city|age)(?:\\s?\\([^)]{1,9}\\))?:?"
      "(?:[-_.\\s]{1,20}|\\s?[,/&]\\s?|\\sand\\s)){3}",
      SCAN_RE_I, 0, NULL },
    { 2,
      "(?:(?:your\\s)?(?<![a-z])(?:name|phone|e-?mail|city|age)(?:\\s?\\([^)]{1,9}\\))?:?"
      "(?:[-_.\\s]{1,20}|\\s?[,/&]\\s?|\\sand\\s)){5}",
      SCAN_RE_I, 1, NULL },
    /* the same through a given prefilter, the pattern with subroutine calls */
    { 3, "(?:(?&w)(?:[-_.\\s]{1,20}|\\s?[,/&]\\s?)){2}(?(DEFINE)(?<w>(?:name|city)(?<!xcity)))", 0,
      0, "(?:(?:name|city)(?<!xcity)(?:[-_.\\s]{1,20}|\\s?[,/&]\\s?)){2}" },
    /* relaxed for its cost: an outer repeat over inner bounded ones */
    { 4, "(?:(?:foo|bar){1,50}[ ,]{1,100}){2}", 0, 0, NULL },
    /* a backreference: only the prefilter can be read, which says where
     * a match may be, not where it starts */
    { 5, "(?:(name|city)[:,]?\\s\\1?){2}", SCAN_RE_I, 0,
      "(?:(?:name|city)[:,]?\\s(?:name|city)?){2}" },
};

static const char *const words[] = {
    "name",  "Name",   "phone", "email", "e-mail", "city",   "age",
    "your ", "rename", "page",  "cityx", "xcity",  "(home)", "(mobile phone)",
    "foo",   "bar",    "word",  "and",   "x",
};
static const char *const seps[] = {
    " ", ", ", ": ", "___ ", "-", " and ", "/", "", "\n", "  ", "...", ",", " & ", ";",
};

/* Texts from a fixed seed: words and separators, some runs of form
 * words long enough to match, most not. */
static char *
make_text(uint32_t *seed, size_t *len)
{
    size_t nw = 1 + (*seed = *seed * 1103515245u + 12345u) % 24;
    char *t = malloc(nw * 32 + 1);

    t[0] = '\0';
    for (size_t i = 0; i < nw; i++) {
        *seed = *seed * 1103515245u + 12345u;
        strcat(t, words[(*seed >> 8) % (sizeof(words) / sizeof(words[0]))]);
        *seed = *seed * 1103515245u + 12345u;
        strcat(t, seps[(*seed >> 8) % (sizeof(seps) / sizeof(seps[0]))]);
    }
    *len = strlen(t);
    return t;
}

static struct scan_matcher *
build(bool no_hs, const char *cache)
{
    struct scan_match_opts o = { .cache_dir = cache, .no_hyperscan = no_hs };
    struct scan_matcher *m = NULL;
    struct sift_err err = { "" };
    size_t n = sizeof(form_pats) / sizeof(form_pats[0]);

    ck_assert_msg(scan_matcher_new(form_pats, n, &o, &m, &err) == 0, "%s", err.msg);
    return m;
}

/* Text by text, and all texts in one run: the same counts with the
 * counting prefilter as with PCRE2 alone, matches or not. */
START_TEST(counts_as_pcre2_alone)
{
    enum { NTEXTS = 4000, NPATS = sizeof(form_pats) / sizeof(form_pats[0]) };
    char dir[PATH_MAX];
    struct scan_matcher *ms[3];
    struct scan_match_scratch *s;
    struct strv *tv = calloc(NTEXTS, sizeof(*tv));
    unsigned all[3][NPATS] = { { 0 } };
    size_t hits[NPATS] = { 0 };
    uint32_t seed = 20261125;

    unit_tmpdir(dir);
    ms[0] = build(true, NULL);
    ms[1] = build(false, dir);
    ms[2] = build(false, dir); /* the same from the cache file */
#ifdef SIFT_HAVE_HYPERSCAN
    for (int j = 1; j < 3; j++) {
        struct scan_matcher_stats st;

        scan_matcher_stats(ms[j], &st);
        ck_assert_uint_eq(st.from_cache, j == 2);
        ck_assert_uint_eq(st.chain_patterns, NPATS);
        for (size_t k = 0; k < NPATS; k++) {
            bool starts = form_pats[k].id != 5;

            ck_assert(ms[j]->pats[k].chain != 0);
            ck_assert_uint_eq(ms[j]->pats[k].chain_starts, starts);
            ck_assert_uint_eq(ms[j]->pats[k].offset_limit, starts);
        }
    }
#endif
    s = scan_match_scratch_new(ms, 3);
    for (size_t i = 0; i < NTEXTS; i++) {
        char *text = make_text(&seed, &tv[i].len);
        unsigned c[3][NPATS] = { { 0 } };

        tv[i].p = text;
        for (int j = 0; j < 3; j++)
            scan_matcher_run(ms[j], s, &tv[i], 1, c[j]);
        for (size_t k = 0; k < NPATS; k++) {
            ck_assert_msg(c[1][k] == c[0][k] && c[2][k] == c[0][k],
                          "pattern %u on \"%s\": %u and %u, PCRE2 alone %u", form_pats[k].id, text,
                          c[1][k], c[2][k], c[0][k]);
            hits[k] += c[0][k] > 0;
        }
    }
    /* the texts sit on both sides of the line */
    for (size_t k = 0; k < NPATS; k++)
        ck_assert_msg(hits[k] > 20 && hits[k] < NTEXTS / 2, "pattern %u matched in %zu texts",
                      form_pats[k].id, hits[k]);
#ifdef SIFT_HAVE_HYPERSCAN
    {
        /* a text with one form word: Hyperscan's prefilter says maybe,
         * the count says no, and PCRE2 is not asked */
        struct strv one = STRV_LIT("your name: ______ and more");
        unsigned c[NPATS] = { 0 };
        const struct sm_chain_count *cc;

        scan_matcher_run(ms[1], s, &one, 1, c);
        ck_assert_ptr_eq(s->chain_text, one.p);
        cc = &s->chain[ms[1]->pats[0].chain - 1];
        ck_assert_uint_eq(cc->taken, 1);
        ck_assert_uint_eq(c[0], 0);
    }
#endif
    for (int j = 0; j < 3; j++)
        scan_matcher_run(ms[j], s, tv, NTEXTS, all[j]);
    for (size_t k = 0; k < NPATS; k++)
        ck_assert_msg(all[1][k] == all[0][k] && all[2][k] == all[0][k],
                      "pattern %u over all texts: %u and %u, PCRE2 alone %u", form_pats[k].id,
                      all[1][k], all[2][k], all[0][k]);
    ck_assert_uint_eq(scan_match_scratch_errors(s), 0);
    scan_match_scratch_free(&s);
    for (int j = 0; j < 3; j++)
        scan_matcher_free(&ms[j]);
    for (size_t i = 0; i < NTEXTS; i++)
        free((char *)tv[i].p);
    free(tv);
    unit_rmtree(dir);
}
END_TEST

static Suite *
scan_match_chain_suite(void)
{
    Suite *s = suite_create("scan_match_chain");
    TCase *tc = tcase_create("scan_match_chain");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, derives_as_planned, 0, sizeof(cases) / sizeof(cases[0]));
    tcase_add_test(tc, counts_as_pcre2_alone);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(scan_match_chain_suite());
}
