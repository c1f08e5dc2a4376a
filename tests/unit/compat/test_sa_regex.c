/*
 * test_sa_regex.c - SpamAssassin rule patterns (Perl 5.36, as SA 4.0.1
 * compiles them: qr/(?flags)re/aa on bytes) translated to PCRE2. The
 * "matches" table was printed by Perl through SA's own
 * Util::compile_regexp for the same pattern and subject (-1: SA refuses
 * the pattern); the translation must agree on every row.
 */
#include "compat/sa_regex.h"

#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/arena.h"
#include "scan/scan_rule.h"

#include "../unit.h"

static const struct {
    const char *text;
    const char *body, *mods; /* NULL body: refused */
} split_cases[] = {
    { "/foo/i", "foo", "i" },
    { "/foo/", "foo", "" },
    { "//", "", "" },
    { "m{a}b}x", "a}b", "x" },
    { "m!a/b!ms", "a/b", "ms" },
    { "qr(a(b)c)", "a(b)c", "" },
    { "m<a\\>b>", "a\\>b", "" },
    { "/a\\/b/", "a\\/b", "" },
    { "/a\\\\/b/", NULL, NULL }, /* the \\ pair leaves the / unescaped */
    { "/a/b/", NULL, NULL },
    { "foo", NULL, NULL },
    { "/foo", NULL, NULL },
    { "/foo/e", NULL, NULL },
    { "/foo/ i", NULL, NULL },
    { "m\\foo\\", NULL, NULL },
    { "mxfoox", NULL, NULL },
    { "/(?{ 1 })/", NULL, NULL },
    { "/(??{ 1 })/", NULL, NULL },
};

START_TEST(split_as_compile_regexp)
{
    struct strv body, mods;
    struct sift_err err;
    enum sa_regex_status st = sa_regex_split(strv_cstr(split_cases[_i].text), &body, &mods, &err);

    if (split_cases[_i].body == NULL) {
        ck_assert_msg(st == SA_RE_INVALID, "%s: accepted", split_cases[_i].text);
        return;
    }
    ck_assert_msg(st == SA_RE_OK, "%s: %s", split_cases[_i].text, err.msg);
    ck_assert(strv_eq(body, split_cases[_i].body));
    ck_assert(strv_eq(mods, split_cases[_i].mods));
}
END_TEST

static const struct {
    const char *body, *mods;
    int status;
    const char *want; /* the PCRE2 pattern */
    unsigned flags;
} tr_cases[] = {
    { "foo", "", SA_RE_OK, "foo", 0 },
    { "foo", "imsx", SA_RE_OK, "foo", SCAN_RE_I | SCAN_RE_M | SCAN_RE_S | SCAN_RE_X },
    { "a b", "xx", SA_RE_OK, "(?xx)a b", SCAN_RE_X },
    { "(a)", "n", SA_RE_OK, "(?n)(a)", 0 },
    { "\\w", "aadlp", SA_RE_OK, "\\w", 0 },
    { "a{,2}", "", SA_RE_OK, "a{0,2}", 0 },
    { "a{ 2 , 3 }?", "", SA_RE_OK, "a{2,3}?", 0 },
    { "a{2,}+", "", SA_RE_OK, "a{2,}+", 0 },
    { "{a", "", SA_RE_OK, "\\{a", 0 },
    { "(?:{)", "", SA_RE_OK, "(?:\\{)", 0 },
    { "a*{", "", SA_RE_OK, "a*\\{", 0 },
    { "x{,}", "", SA_RE_INVALID, NULL, 0 },
    { "a{", "", SA_RE_INVALID, NULL, 0 },
    { "caf\\xc9", "i", SA_RE_OK, "caf[\\xC9\\xE9]", SCAN_RE_I },
    { "caf\xc9", "i", SA_RE_OK, "caf[\\xC9\\xE9]", SCAN_RE_I },
    { "caf\\xc9", "", SA_RE_OK, "caf\\xc9", 0 },
    { "[\\xc0-\\xc2x]", "i", SA_RE_OK, "[\\xc0-\\xc2x\\xE0\\xE1\\xE2]", SCAN_RE_I },
    { "[\\xd7\\xdf]", "i", SA_RE_OK, "[\\xd7\\xdf]", SCAN_RE_I },
    { "(?^:\\xe4)", "i", SA_RE_OK, "(?^:\\xe4)", SCAN_RE_I },
    { "(?aai:x)", "", SA_RE_OK, "(?i:x)", 0 },
    { "(?a)x", "", SA_RE_OK, "x", 0 },
    { "(?^aai-:x)", "", SA_RE_INVALID, NULL, 0 },
    { "[i\\x{0456}]t", "", SA_RE_OK, "[i]t", 0 },
    { "[\\x{0456}]", "", SA_RE_OK, "[^\\x00-\\xFF]", 0 },
    { "[^\\x{0456}]", "", SA_RE_OK, "[\\x00-\\xFF]", 0 },
    { "\\x{178}", "i", SA_RE_OK, "\\xFF", SCAN_RE_I },
    { "\\x{263a}", "", SA_RE_OK, "[^\\x00-\\xFF]", 0 },
    { "a # b {", "x", SA_RE_OK, "a # b {", SCAN_RE_X },
    { "\\Qa.b\\E", "", SA_RE_INVALID, NULL, 0 },
    { "\\Ux", "", SA_RE_INVALID, NULL, 0 },
    { "\\C", "", SA_RE_INVALID, NULL, 0 },
    { "\\xg", "", SA_RE_INVALID, NULL, 0 },
    { "\\x4)", "", SA_RE_INVALID, NULL, 0 },
    { "\\x4", "", SA_RE_OK, "\\x04", 0 },
    { "\\08", "", SA_RE_INVALID, NULL, 0 },
    { "\\y", "", SA_RE_INVALID, NULL, 0 },
    { "[\\w-.]", "", SA_RE_INVALID, NULL, 0 },
    { "[a-\\d]", "", SA_RE_INVALID, NULL, 0 },
    { "[z-a]", "", SA_RE_INVALID, NULL, 0 },
    { "[[=a=]]", "", SA_RE_INVALID, NULL, 0 },
    { "[\\w-]", "", SA_RE_OK, "[\\w-]", 0 },
    { "a**", "", SA_RE_INVALID, NULL, 0 },
    { "a{1}{2}", "", SA_RE_INVALID, NULL, 0 },
    { "*a", "", SA_RE_INVALID, NULL, 0 },
    { "a{3,1}", "", SA_RE_INVALID, NULL, 0 },
    { "(?C1)a", "", SA_RE_INVALID, NULL, 0 },
    { "(*UTF)a", "", SA_RE_INVALID, NULL, 0 },
    { "(*LIMIT_MATCH=1)a", "", SA_RE_INVALID, NULL, 0 },
    { "(*SKIP)(*FAIL)|a", "", SA_RE_OK, "(*SKIP)(*FAIL)|a", 0 },
    { "(*pla:a)b", "", SA_RE_OK, "(*pla:a)b", 0 },
    { "(?{ 1 })", "", SA_RE_INVALID, NULL, 0 },
    { "(?g)a", "", SA_RE_INVALID, NULL, 0 },
    { "a", "g", SA_RE_INVALID, NULL, 0 },
    { "\\b{wb}", "", SA_RE_INVALID, NULL, 0 },
    { "(a", "", SA_RE_INVALID, NULL, 0 },
    { "a)", "", SA_RE_INVALID, NULL, 0 },
    { "\\Ga", "", SA_RE_UNSUPPORTED, NULL, 0 },
    { "\\N{LATIN SMALL LETTER A}", "", SA_RE_UNSUPPORTED, NULL, 0 },
    { "(?[ [a] ])", "", SA_RE_UNSUPPORTED, NULL, 0 },
    { "(?u)\\w", "", SA_RE_UNSUPPORTED, NULL, 0 },
    { "\\w", "u", SA_RE_UNSUPPORTED, NULL, 0 },
    { "(?<NAME>a)\\k<NAME>(?P=NAME)(?&NAME)(?1)", "", SA_RE_OK,
      "(?<NAME>a)\\k<NAME>(?P=NAME)(?&NAME)(?1)", 0 },
    { "(?(1)a|b)(x)", "", SA_RE_OK, "(?(1)a|b)(x)", 0 },
    /* quantified zero-length items: Perl takes them, PCRE2 not on \b ^ $ */
    { "x\\b?y", "", SA_RE_OK, "xy", 0 },
    { "x^{,2}y\\A*", "", SA_RE_OK, "xy", 0 },
    { "x\\z{1,3}", "", SA_RE_OK, "x\\z", 0 },
    { "x(?=a)?y(?#c)+", "", SA_RE_OK, "x(?=a)?y(?#c)+", 0 },
    { "^{", "", SA_RE_OK, "^\\{", 0 },
    { "${", "", SA_RE_INVALID, NULL, 0 },
    { "\\N{2}", "", SA_RE_OK, "\\N{2}", 0 },
    { "a? +b", "x", SA_RE_OK, "a?+b", SCAN_RE_X },
    { "\\p{L}\\pL[\\p{N}]", "", SA_RE_OK, "\\p{L}\\pL[\\p{N}]", 0 },
};

START_TEST(translate_table)
{
    struct arena *a = arena_new(4096);
    struct sa_regex re = { 0 };
    struct sift_err err = { { 0 } };
    const char *body = tr_cases[_i].body;
    enum sa_regex_status st =
        sa_regex_translate(a, strv_cstr(body), strv_cstr(tr_cases[_i].mods), &re, &err);

    ck_assert_msg((int)st == tr_cases[_i].status, "%s: status %d (%s)", body, st, err.msg);
    if (st == SA_RE_OK) {
        ck_assert_str_eq(re.pattern, tr_cases[_i].want);
        ck_assert_uint_eq(re.flags, tr_cases[_i].flags);
        ck_assert_msg(sa_regex_check(&re, &err) == SA_RE_OK, "%s: %s", re.pattern, err.msg);
    } else {
        ck_assert(err.msg[0] != '\0');
    }
    arena_free(&a);
}
END_TEST

/* a NUL byte in the pattern (a C string cannot hold it) */
START_TEST(nul_byte_is_escaped)
{
    struct arena *a = arena_new(4096);
    struct sa_regex re;
    struct sift_err err;

    ck_assert_int_eq(sa_regex_translate(a, strv_make("a\0b", 3), strv_cstr(""), &re, &err),
                     SA_RE_OK);
    ck_assert_str_eq(re.pattern, "a\\x00b");
    arena_free(&a);
}
END_TEST

static const struct {
    const char *re, *subject;
    size_t len;
    int match; /* Perl 5.36 through SA's compile_regexp; -1: refused */
} sem_cases[] = {
    { "/caf\\xc9/i", "caf\351", 4, 1 },
    { "/caf\\xc9/i", "CAF\311", 4, 1 },
    { "/caf\\xc9/", "caf\351", 4, 0 },
    { "/[\\xc0-\\xc5]x/i", "\343x", 2, 1 },
    { "/[^\\xc0]/i", "\340", 1, 0 },
    { "/\\xd7/i", "\367", 1, 0 },
    { "/gu[e\\xe9\\xe8]i/i", "GU\311I", 4, 1 },
    { "/(?i)\\xe4/", "\304", 1, 1 },
    { "/(?-i:\\xe4)/i", "\304", 1, 0 },
    { "/(?^:\\xe4)/i", "\304", 1, 0 },
    { "/a{,2}b/", "aab", 3, 1 },
    { "/^a{,2}b$/", "a{,2}b", 6, 0 },
    { "/^a{,2}b$/", "aab", 3, 1 },
    { "/x{ 2 }/", "xx", 2, 1 },
    { "/^x{2, 3}$/", "xxx", 3, 1 },
    { "/^x{ 2 }$/", "x{ 2 }", 6, 0 },
    { "/a{/", "a{", 2, -1 },
    { "/{a/", "{a", 2, 1 },
    { "/a*{/", "aaa{", 4, 1 },
    { "m{a\\}b}", "a}b", 3, 1 },
    { "m!a/b!", "a/b", 3, 1 },
    { "/a\\/b/", "a/b", 3, 1 },
    { "/\\bfoo\\b/", "a foo b", 7, 1 },
    { "/\\x41\\101\\x{42}/", "AAB", 3, 1 },
    { "/[i\\x{0456}]t/", "it", 2, 1 },
    { "/[\\x{0456}]/", "i", 1, 0 },
    { "/[^\\x{0456}]/", "i", 1, 1 },
    { "/\\x{178}/i", "\377", 1, 1 },
    { "/\\x{178}/", "\377", 1, 0 },
    { "/[\\x{212B}]/i", "\305", 1, 1 },
    { "/^a.c$/s", "a\012c", 3, 1 },
    { "/^b$/m", "a\012b\012c", 5, 1 },
    { "/a b # c/x", "ab", 2, 1 },
    { "/a\\ b/x", "a b", 3, 1 },
    { "/[ ]/x", " ", 1, 1 },
    { "/(?x) a # comment/", "a", 1, 1 },
    { "/\\w/", "\351", 1, 0 },
    { "/\\s/", "\013", 1, 1 },
    { "/[[:alpha:]]/", "\351", 1, 0 },
    { "/(?<=ab)c/", "abc", 3, 1 },
    { "/(?<!x)y/", "xy", 2, 0 },
    { "/(a)\\1/", "aa", 2, 1 },
    { "/(?<N>a)\\k<N>/", "aa", 2, 1 },
    { "/\\Aa\\z/", "a", 1, 1 },
    { "/a$/", "a\012", 2, 1 },
    { "/\\e/", "\033", 1, 1 },
    { "/\\cA/", "\001", 1, 1 },
    { "/\\0/", "\000", 1, 1 },
    { "/a(?#comment)b/", "ab", 2, 1 },
    { "/(?n)(a)(?:b)/", "ab", 2, 1 },
    { "/a++b/", "aab", 3, 1 },
    { "/(?|(a)|(b))\\1/", "bb", 2, 1 },
    { "/\\Ha/", "xa", 2, 1 },
    { "/\\N+/", "ab\012cd", 5, 1 },
    { "/(*FAIL)|a/", "a", 1, 1 },
    { "/[\\w-]/", "-", 1, 1 },
    { "/[a-]/", "-", 1, 1 },
    { "/\\-/", "-", 1, 1 },
    { "/[\\-]/", "-", 1, 1 },
    { "/\\p{L}/", "\351", 1, 1 },
    { "/[\\d-z]?x/", "x", 1, -1 },
    { "/x\\b?y/", "xy", 2, 1 },
    { "/x(?#c)?y/", "y", 1, 1 },
    { "/^\\N{2}$/", "ab", 2, 1 },
    { "/^a? +b$/x", "b", 1, 1 },
    { "/x(?=a)?y/", "xy", 2, 1 },
};

START_TEST(matches_as_perl)
{
    struct arena *a = arena_new(4096);
    struct sa_regex re;
    struct sift_err err = { { 0 } };
    enum sa_regex_status st = sa_regex_compile(a, strv_cstr(sem_cases[_i].re), &re, &err);
    pcre2_code *code;
    pcre2_match_data *md;
    PCRE2_SIZE off;
    int ec, rc;

    if (sem_cases[_i].match < 0) {
        ck_assert_msg(st == SA_RE_INVALID, "%s: accepted as %s", sem_cases[_i].re, re.pattern);
        arena_free(&a);
        return;
    }
    ck_assert_msg(st == SA_RE_OK, "%s: %s", sem_cases[_i].re, err.msg);
    code = pcre2_compile((PCRE2_SPTR)re.pattern, PCRE2_ZERO_TERMINATED,
                         sa_regex_pcre2_options(re.flags), &ec, &off, NULL);
    ck_assert_ptr_nonnull(code);
    md = pcre2_match_data_create_from_pattern(code, NULL);
    rc = pcre2_match(code, (PCRE2_SPTR)sem_cases[_i].subject, sem_cases[_i].len, 0, 0, md, NULL);
    ck_assert_msg((rc >= 0) == (sem_cases[_i].match == 1), "%s (as %s) on row %d: %d",
                  sem_cases[_i].re, re.pattern, _i, rc);
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    arena_free(&a);
}
END_TEST

/* PCRE2's own refusals are reported with its message */
START_TEST(pcre2_refusal_is_reported)
{
    struct arena *a = arena_new(4096);
    struct sa_regex re;
    struct sift_err err;

    /* Perl 5.36 accepts this lookbehind; PCRE2 10.42 wants a fixed length */
    ck_assert_int_eq(sa_regex_compile(a, strv_cstr("/(?<=a|bc+)d/"), &re, &err), SA_RE_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.msg, "PCRE2"));
    arena_free(&a);
}
END_TEST

START_TEST(options_are_the_four_flags)
{
    uint32_t o = sa_regex_pcre2_options(SCAN_RE_I | SCAN_RE_X);

    ck_assert(o & PCRE2_CASELESS);
    ck_assert(o & PCRE2_EXTENDED);
    ck_assert(!(o & PCRE2_MULTILINE));
    ck_assert(!(o & PCRE2_DOTALL));
    ck_assert(!(o & PCRE2_UTF));
    ck_assert(!(o & PCRE2_UCP));
    ck_assert(sa_regex_pcre2_options(SCAN_RE_M) & PCRE2_MULTILINE);
    ck_assert(sa_regex_pcre2_options(SCAN_RE_S) & PCRE2_DOTALL);
}
END_TEST

/* deep nesting stops at PCRE2's limit instead of growing a stack */
START_TEST(deep_nesting)
{
    struct arena *a = arena_new(4096);
    char body[1200];
    struct sa_regex re;
    struct sift_err err;

    memset(body, '(', 600);
    memset(body + 600, ')', 600);
    ck_assert_int_eq(sa_regex_translate(a, strv_make(body, sizeof(body)), strv_cstr(""), &re, &err),
                     SA_RE_UNSUPPORTED);
    arena_free(&a);
}
END_TEST

static Suite *
sa_regex_suite(void)
{
    Suite *s = suite_create("sa_regex");
    TCase *tc = tcase_create("sa_regex");

    tcase_add_loop_test(tc, split_as_compile_regexp, 0,
                        sizeof(split_cases) / sizeof(split_cases[0]));
    tcase_add_loop_test(tc, translate_table, 0, sizeof(tr_cases) / sizeof(tr_cases[0]));
    tcase_add_test(tc, nul_byte_is_escaped);
    tcase_add_loop_test(tc, matches_as_perl, 0, sizeof(sem_cases) / sizeof(sem_cases[0]));
    tcase_add_test(tc, pcre2_refusal_is_reported);
    tcase_add_test(tc, options_are_the_four_flags);
    tcase_add_test(tc, deep_nesting);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_regex_suite());
}
