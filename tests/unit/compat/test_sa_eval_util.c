/*
 * test_sa_eval_util.c - what the eval functions share: arguments as Perl
 * numifies them, SpamAssassin's locale checks (Locales.pm's
 * is_charset_ok_for_locales, answers printed by Perl), the text a rule
 * type hands a function, and patterns freed with their arena.
 */
#include "compat/sa_eval_util.h"

#include <math.h>
#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"

/* perl -e 'print 0+$s' */
static const struct {
    const char *s;
    double want;
} num_cases[] = {
    { "0400", 400 },  { ".05", 0.05 }, { "1.", 1 },     { "  12abc", 12 }, { "-3", -3 },
    { "+4.5e1", 45 }, { "0x1f", 0 },   { "abc", 0 },    { "", 0 },         { "1e", 1 },
    { "1e+", 1 },     { ".", 0 },      { "-.5", -0.5 }, { "1_000", 1 },    { "\t7", 7 },
};

START_TEST(numbers_as_perl_reads_them)
{
    ck_assert_double_eq_tol(sa_eval_perl_num(num_cases[_i].s), num_cases[_i].want, 1e-12);
}
END_TEST

START_TEST(infinities_and_nan)
{
    ck_assert(isinf(sa_eval_perl_num("inf")) && sa_eval_perl_num("inf") > 0);
    ck_assert(isinf(sa_eval_perl_num("-Inf")) && sa_eval_perl_num("-Inf") < 0);
    ck_assert(isinf(sa_eval_perl_num("infinity")));
    ck_assert(isnan(sa_eval_perl_num("nan")));
    ck_assert_double_eq(sa_eval_perl_num(NULL), 0);
}
END_TEST

START_TEST(arguments_are_strings)
{
    struct scan_eval_arg args[2] = { { SCAN_ARG_STR, "0.40", 4, 0.4 },
                                     { SCAN_ARG_UNDEF, NULL, 0, 0 } };
    struct scan_rule r = { 0 };

    r.args = args;
    r.nargs = 2;
    ck_assert_str_eq(sa_eval_arg(&r, 0), "0.40");
    /* pack_eval_args keeps a bare undef as the string "undef" */
    ck_assert_str_eq(sa_eval_arg(&r, 1), "undef");
    ck_assert_ptr_null(sa_eval_arg(&r, 2));
    ck_assert_double_eq_tol(sa_eval_argnum(&r, 0), 0.4, 1e-12);
    ck_assert_double_eq(sa_eval_argnum(&r, 1), 0);
    ck_assert_double_eq(sa_eval_argnum(&r, 5), 0);
}
END_TEST

START_TEST(perl_truth)
{
    ck_assert(!sa_eval_perl_true(NULL, 0));
    ck_assert(!sa_eval_perl_true("", 0));
    ck_assert(!sa_eval_perl_true("0", 1));
    ck_assert(sa_eval_perl_true("00", 2));
    ck_assert(sa_eval_perl_true("0.0", 3));
    ck_assert(sa_eval_perl_true(" ", 1));
}
END_TEST

/* Locales::is_charset_ok_for_locales($cs, split(/\s+/, $locales)) */
static const struct {
    const char *cs, *locales;
    bool want;
} cs_cases[] = {
    { "us-ascii", "en", 1 },
    { "koi8-r", "en", 0 },
    { "koi8-r", "ru", 1 },
    { "KOI8-R", "uk_UA.UTF-8", 1 },
    { "big5", "zh", 1 },
    { "big5", "zh_TW", 1 },
    { "gb2312", "ja", 0 },
    { "shift_jis", "ja", 1 },
    { "Shift_JIS", "ja_JP", 1 },
    { "euc-kr", "ko", 1 },
    { "3Dkoi8-r", "ru", 1 },
    { "iso-2022-jp", "en", 0 },
    { "iso-2022-jp", "ja", 1 },
    { "windows-1251", "en", 1 },
    { "utf-8", "en", 1 },
    { "x-unknown", "en", 1 },
    { "tis-620", "th", 1 },
    { "tis-620", "C", 0 },
    { "koi8-r", "", 0 },
    { "ks_c_5601-1987", "ko", 1 },
    { "gb2312", "zh.gb2312", 1 },
    { "iso 8859-15", "en", 1 },
    { "unicode-1-1-utf-7", "en", 1 },
    { "ibm852", "en", 1 },
    { "cp866", "ru en", 1 },
    { "cp866", "en all", 0 },
    { "koi8-r", "Ru", 0 },
};

START_TEST(charsets_ok_for_locales)
{
    bool got = sa_eval_charset_ok_for(cs_cases[_i].locales, NULL, strv_cstr(cs_cases[_i].cs));

    ck_assert_msg(got == cs_cases[_i].want, "%s for '%s'", cs_cases[_i].cs, cs_cases[_i].locales);
}
END_TEST

START_TEST(the_environment_locale_counts_too)
{
    ck_assert(!sa_eval_charset_ok_for("en", NULL, STRV_LIT("koi8-r")));
    ck_assert(sa_eval_charset_ok_for("en", "ru_RU.KOI8-R", STRV_LIT("koi8-r")));
    ck_assert(sa_eval_locales_have_all("all", NULL));
    ck_assert(sa_eval_locales_have_all("en all", NULL));
    ck_assert(sa_eval_locales_have_all("  all", NULL));
    ck_assert(sa_eval_locales_have_all("en", "all"));
    ck_assert(!sa_eval_locales_have_all("en", "en_US.UTF-8"));
    ck_assert(!sa_eval_locales_have_all("", NULL));
}
END_TEST

static const char text_msg[] = "From: a@example.com\nSubject: Hello there\n"
                               "Content-Type: text/html\n\n<p>one</p>\n<p>two</p>\n";

START_TEST(each_rule_type_gets_its_text)
{
    struct task *t = task_new(&ctx, text_msg, sizeof(text_msg) - 1, false);
    struct scan_rule r = { 0 };
    struct scan_eval_ctx ec = { 0 };
    struct mime_view v;

    ec.task = t;
    ec.msg = task_message(t);
    ec.rule = &r;
    r.target = SCAN_T_BODY;
    v = sa_eval_text(&ec);
    ck_assert_uint_ge(v.n, 1);
    ck_assert(v.lines[0].len >= 11 && memcmp(v.lines[0].p, "Hello there", 11) == 0);
    r.target = SCAN_T_RAWBODY;
    v = sa_eval_text(&ec);
    ck_assert_uint_eq(v.n, 1);
    ck_assert(strv_eq(v.lines[0], "<p>one</p>\n<p>two</p>\n"));
    r.target = SCAN_T_FULL;
    v = sa_eval_text(&ec);
    ck_assert_uint_eq(v.n, 1);
    ck_assert_uint_eq(v.lines[0].len, sizeof(text_msg) - 1);
    r.target = SCAN_T_HEADER;
    ck_assert_uint_eq(sa_eval_text(&ec).n, 0);
    task_free(&t);
}
END_TEST

START_TEST(html_parts_in_order)
{
    struct task *t = task_new(&ctx, text_msg, sizeof(text_msg) - 1, false);
    struct mime_msg *m = task_message(t);
    struct sa_html *all;

    ck_assert_uint_eq(sa_eval_html_all(m, &all), 1);
    ck_assert_ptr_nonnull(all[0].r);
    ck_assert(sa_eval_html_ended(all[0].r));
    ck_assert_int_eq(sa_eval_html_inside(all[0].r, "p"), 0);
    ck_assert_int_eq(sa_eval_html_inside(all[0].r, "img"), -1);
    task_free(&t);
}
END_TEST

START_TEST(patterns_live_with_their_arena)
{
    struct arena *a = arena_new(256);
    struct sift_err err;
    pcre2_code *re = sa_eval_re_compile(a, "b(c+)", 0, &err);
    size_t ov[4];

    ck_assert_ptr_nonnull(re);
    ck_assert(sa_eval_re_search(re, STRV_LIT("abccd"), 0, ov, 2));
    ck_assert_uint_eq(ov[2], 2);
    ck_assert_uint_eq(ov[3], 4);
    ck_assert(!sa_eval_re_search(re, STRV_LIT("abccd"), 2, NULL, 0));
    ck_assert_ptr_null(sa_eval_re_compile(a, "(unclosed", 0, &err));
    ck_assert(strstr(err.msg, "(unclosed") != NULL);
    arena_free(&a);
}
END_TEST

START_TEST(perl_character_classes)
{
    size_t i = 0;

    ck_assert_uint_eq(sa_eval_utf8_next("\xc3\xa9x", 3, &i), 0xe9);
    ck_assert_uint_eq(i, 2);
    ck_assert_uint_eq(sa_eval_utf8_count("\xc3\xa9x", 3), 2);
    ck_assert(sa_eval_is_word(0xe9, true));
    ck_assert(!sa_eval_is_word(0xe9, false));
    ck_assert(sa_eval_is_space(0xa0, true));
    ck_assert(!sa_eval_is_space(0xa0, false));
    ck_assert(sa_eval_is_space('\v', false));
}
END_TEST

static Suite *
sa_eval_util_suite(void)
{
    Suite *s = suite_create("sa_eval_util");
    TCase *tc = tcase_create("sa_eval_util");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, numbers_as_perl_reads_them, 0, NCASES(num_cases));
    tcase_add_test(tc, infinities_and_nan);
    tcase_add_test(tc, arguments_are_strings);
    tcase_add_test(tc, perl_truth);
    tcase_add_loop_test(tc, charsets_ok_for_locales, 0, NCASES(cs_cases));
    tcase_add_test(tc, the_environment_locale_counts_too);
    tcase_add_test(tc, each_rule_type_gets_its_text);
    tcase_add_test(tc, html_parts_in_order);
    tcase_add_test(tc, patterns_live_with_their_arena);
    tcase_add_test(tc, perl_character_classes);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_util_suite());
}
