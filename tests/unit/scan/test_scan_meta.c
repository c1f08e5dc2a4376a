/*
 * test_scan_meta.c - meta expressions. The expected values are what Perl
 * (5.36, as SpamAssassin 4.0.1 runs them) computes for the same text with
 * each rule name replaced by ($h{NAME}||0), A=1 B=0 C=3 and D undefined.
 */
#include "scan/scan_meta.h"

#include <math.h>
#include <string.h>

#include "../unit.h"

static const char *const rule_names[] = { "A", "B", "C", "FOO_1", "FOO_2", "BAR" };
static const double rule_values[] = { 1, 0, 3, 1, 1, 1 };

static long
lookup(void *arg, const char *name, size_t len)
{
    (void)arg;
    for (size_t i = 0; i < sizeof(rule_names) / sizeof(rule_names[0]); i++) {
        if (strlen(rule_names[i]) == len && memcmp(rule_names[i], name, len) == 0)
            return (long)i;
    }
    return -1;
}

/* rules_matching: a trailing '*' only, enough for the tests */
static size_t
glob_names(void *arg, const char *pat, size_t len, long **out)
{
    static long found[8];
    size_t n = 0;

    (void)arg;
    for (size_t i = 0; i < sizeof(rule_names) / sizeof(rule_names[0]); i++) {
        if (len > 0 && pat[len - 1] == '*' && strncmp(rule_names[i], pat, len - 1) == 0)
            found[n++] = (long)i;
    }
    *out = found;
    return n;
}

static const struct scan_meta_names names = { lookup, glob_names, NULL };

static const struct {
    const char *expr;
    double want;
} eval_cases[] = {
    { "A && !B", 1 },
    { "A && !(B || C)", 0 },
    { "(A + B + C) >= 2", 1 },
    { "(3 * A - 2 * B) > 0", 1 },
    { "A || C", 1 },
    { "C || A", 3 },
    { "B || C", 3 },
    { "A && C", 3 },
    { "C && B", 0 },
    { "!C", 0 },
    { "!!C", 1 },
    { "-C + 1", -2 },
    { "C / 2", 1.5 },
    { "A ^ C", 2 },
    { "C ^ 1", 2 },
    { "A ? C : 7", 3 },
    { "B ? C : 7", 7 },
    { "B ? C : A ? 9 : 8", 9 },
    { "A + B * C", 1 },
    { "(A + B) * C", 3 },
    { "A > B == 1", 1 },
    { "C >= 3 && A", 1 },
    { "C - 1 - 1", 1 },
    { "!A + C", 3 },
    { "A == 1 != 0", 1 },
    { "D + A", 1 },
    { "local_tests_only && A", 1 },
    { "1.5 * C", 4.5 },
    { "C<4", 1 },
    { "A&&B||C", 3 },
    { "rules_matching(FOO_*) >= 2", 1 },
    { "rules_matching(NONE_*) + 1", 1 },
};

START_TEST(values_as_perl_computes_them)
{
    struct arena *a = arena_new(1024);
    struct scan_meta *m = NULL;
    struct sift_err err;

    if (scan_meta_compile(a, eval_cases[_i].expr, &names, &m, &err) != 0)
        ck_abort_msg("%s: %s", eval_cases[_i].expr, err.msg);
    ck_assert_msg(fabs(scan_meta_eval(m, rule_values, true) - eval_cases[_i].want) < 1e-9,
                  "%s: got %g, want %g", eval_cases[_i].expr, scan_meta_eval(m, rule_values, true),
                  eval_cases[_i].want);
    arena_free(&a);
}
END_TEST

static const char *const bad_cases[] = {
    "A +",         "(A", "A )", "A $x",  "A; B", "A::B",       "A -> B", "A / B",
    "2 / (A - A)", "",   "A B", "A % 2", "{A}",  "10 / C / 2", /* SA: every rule at 0 divides by
                                                                  zero */
};

START_TEST(invalid_expressions_are_refused)
{
    struct arena *a = arena_new(1024);
    struct scan_meta *m = NULL;
    struct sift_err err;

    ck_assert_msg(scan_meta_compile(a, bad_cases[_i], &names, &m, &err) == -1, "%s compiled",
                  bad_cases[_i]);
    ck_assert(err.msg[0] != '\0');
    arena_free(&a);
}
END_TEST

START_TEST(dependencies_are_listed_once)
{
    struct arena *a = arena_new(1024);
    struct scan_meta *m = NULL;
    struct sift_err err;
    const long *deps;
    size_t n;
    const double zero_c[] = { 1, 0, 2, 0, 0, 0 };

    ck_assert_int_eq(
        scan_meta_compile(a, "A && (C || A) && !D && rules_matching(FOO_*)", &names, &m, &err), 0);
    n = scan_meta_deps(m, &deps);
    ck_assert_uint_eq(n, 4); /* A, C, FOO_1, FOO_2; D names no rule */
    ck_assert_int_eq(deps[0], 0);
    ck_assert_int_eq(deps[1], 2);
    ck_assert_int_eq(deps[2], 3);
    ck_assert_int_eq(deps[3], 4);
    /* a division by zero at run time gives 0 */
    ck_assert_int_eq(scan_meta_compile(a, "10 / (C - 2)", &names, &m, &err), 0);
    ck_assert(fabs(scan_meta_eval(m, rule_values, false) - 10) < 1e-9);
    ck_assert(scan_meta_eval(m, zero_c, false) == 0);
    arena_free(&a);
}
END_TEST

START_TEST(deep_nesting_is_refused_not_crashed)
{
    struct arena *a = arena_new(1024);
    struct scan_meta *m = NULL;
    struct sift_err err;
    char *deep = arena_alloc(a, 20002);

    memset(deep, '(', 10000);
    deep[10000] = 'A';
    memset(deep + 10001, ')', 10000);
    deep[20001] = '\0';
    ck_assert_int_eq(scan_meta_compile(a, deep, &names, &m, &err), -1);
    memset(deep, '!', 20000);
    deep[20000] = 'A';
    deep[20001] = '\0';
    ck_assert_int_eq(scan_meta_compile(a, deep, &names, &m, &err), -1);
    arena_free(&a);
}
END_TEST

static Suite *
scan_meta_suite(void)
{
    Suite *s = suite_create("scan_meta");
    TCase *tc = tcase_create("scan_meta");

    tcase_add_loop_test(tc, values_as_perl_computes_them, 0,
                        sizeof(eval_cases) / sizeof(eval_cases[0]));
    tcase_add_loop_test(tc, invalid_expressions_are_refused, 0,
                        sizeof(bad_cases) / sizeof(bad_cases[0]));
    tcase_add_test(tc, dependencies_are_listed_once);
    tcase_add_test(tc, deep_nesting_is_refused_not_crashed);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(scan_meta_suite());
}
