/*
 * test_strv.c - byte views: exact and case-insensitive comparison, case-
 * insensitive search and trimming. Views are cut out of longer strings so
 * that a function reading past v.len gives a wrong answer.
 */
#include "core/strv.h"

#include <stdbool.h>
#include <string.h>

#include "../unit.h"

/* The view is the first len bytes of text (text may go on past the view). */
struct strv_cmp_case {
    const char *text;
    size_t len;
    const char *s;
    bool want;
};

static const struct strv_cmp_case eq_cases[] = {
    { "abc", 3, "abc", true },
    { "", 0, "", true },
    { "abc", 3, "abd", false },
    { "abc", 3, "ab", false },    /* s shorter */
    { "ab", 2, "abc", false },    /* s longer */
    { "abcdef", 3, "abc", true }, /* bytes past the view do not count */
    { "abcdef", 3, "abcdef", false },
    { "ABC", 3, "abc", false }, /* exact: case matters */
    { "a\0b", 3, "a", false },  /* an embedded NUL is a byte of the view */
    { "", 0, "a", false },
    { "a", 1, "", false },
};

START_TEST(eq_compares_bytes_exactly)
{
    const struct strv_cmp_case *c = &eq_cases[_i];

    ck_assert_int_eq(strv_eq(strv_make(c->text, c->len), c->s), c->want);
}
END_TEST

static const struct strv_cmp_case caseeq_cases[] = {
    { "abc", 3, "abc", true },
    { "ABC", 3, "abc", true },
    { "Content-Type", 12, "content-TYPE", true },
    { "", 0, "", true },
    { "abc", 3, "abcd", false },
    { "abcd", 4, "abc", false },
    { "ABCD", 3, "abc", true }, /* bytes past the view do not count */
    { "ab", 2, "ac", false },
    { "a\0c", 3, "abc", false },
    { "x-spam", 6, "X-SPAM", true },
    { "[@]", 3, "{`}", false }, /* ASCII only: not the bytes 0x20 apart */
};

START_TEST(caseeq_ignores_ascii_case)
{
    const struct strv_cmp_case *c = &caseeq_cases[_i];

    ck_assert_int_eq(strv_caseeq(strv_make(c->text, c->len), c->s), c->want);
}
END_TEST

static const struct strv_cmp_case contains_cases[] = {
    { "hello world", 11, "world", true }, /* at the end */
    { "hello world", 11, "HELLO", true }, /* at the start */
    { "hello world", 11, "O W", true },   /* in the middle, any case */
    { "hello world", 11, "", true },      /* the empty needle is everywhere */
    { "", 0, "", true },
    { "", 0, "a", false },
    { "abc", 3, "abcd", false },  /* longer needle */
    { "abc", 3, "ABC", true },    /* the whole view */
    { "aaab", 4, "aab", true },   /* a false start before the match */
    { "xabcx", 4, "bcx", false }, /* the match would end past the view */
    { "xabcx", 4, "abc", true },  /* and this one ends at its last byte */
    { "text/html", 9, "plain", false },
    { "a\0bc", 4, "bc", true }, /* past an embedded NUL */
    { "a\0bc", 4, "abc", false },
};

START_TEST(casecontains_finds_needle)
{
    const struct strv_cmp_case *c = &contains_cases[_i];

    ck_assert_int_eq(strv_casecontains(strv_make(c->text, c->len), c->s), c->want);
}
END_TEST

static const struct {
    const char *text;
    size_t len;
    size_t want_off, want_len;
} trim_cases[] = {
    { "abc", 3, 0, 3 },       { "  abc", 5, 2, 3 },
    { "abc  ", 5, 0, 3 },     { " \t abc \t ", 9, 3, 3 },
    { "\tabc\t", 5, 1, 3 },   { " a b ", 5, 1, 3 }, /* inner blanks stay */
    { "   ", 3, 0, 0 },                             /* all blank: empty */
    { "\t \t", 3, 0, 0 },     { "", 0, 0, 0 },
    { "\nabc\r\n", 6, 0, 6 }, /* only spaces and tabs are trimmed */
    { " abc  x", 5, 1, 3 },   /* the view ends before the x */
    { "x", 1, 0, 1 },
};

START_TEST(trim_drops_spaces_and_tabs)
{
    const char *text = trim_cases[_i].text;
    struct strv v = strv_trim(strv_make(text, trim_cases[_i].len));

    ck_assert_uint_eq(v.len, trim_cases[_i].want_len);
    if (v.len > 0) /* an empty result may point anywhere in the view */
        ck_assert_ptr_eq(v.p, text + trim_cases[_i].want_off);
    ck_assert_mem_eq(v.p, text + trim_cases[_i].want_off, v.len);
}
END_TEST

START_TEST(make_cstr_and_lit_build_views)
{
    static const char s[] = "abc";
    struct strv v = strv_cstr(s);
    struct strv lit = STRV_LIT("hello");
    struct strv m = strv_make(s + 1, 1);

    ck_assert_ptr_eq(v.p, s);
    ck_assert_uint_eq(v.len, 3);
    ck_assert_uint_eq(lit.len, 5);
    ck_assert(strv_eq(lit, "hello"));
    ck_assert_ptr_eq(m.p, s + 1);
    ck_assert(strv_eq(m, "b"));
}
END_TEST

static Suite *
strv_suite(void)
{
    Suite *s = suite_create("strv");
    TCase *tc = tcase_create("strv");

    tcase_add_loop_test(tc, eq_compares_bytes_exactly, 0,
                        (int)(sizeof(eq_cases) / sizeof(eq_cases[0])));
    tcase_add_loop_test(tc, caseeq_ignores_ascii_case, 0,
                        (int)(sizeof(caseeq_cases) / sizeof(caseeq_cases[0])));
    tcase_add_loop_test(tc, casecontains_finds_needle, 0,
                        (int)(sizeof(contains_cases) / sizeof(contains_cases[0])));
    tcase_add_loop_test(tc, trim_drops_spaces_and_tabs, 0,
                        (int)(sizeof(trim_cases) / sizeof(trim_cases[0])));
    tcase_add_test(tc, make_cstr_and_lit_build_views);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(strv_suite());
}
