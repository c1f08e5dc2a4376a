/*
 * test_bayes_classify.c - SpamAssassin's Bayes arithmetic: f(w) per token,
 * chi2q, the chi-squared combination (with its frexp renormalisation),
 * token selection and the BAYES_xx ranges. The expected values came from
 * SpamAssassin 4.0.1's own Bayes/CombineChi.pm (combine, chi2q) and
 * Plugin/Bayes.pm's f(w) expression, printed with 17 digits; the first
 * combination is also worked by hand below.
 */
#include "stat/bayes_classify.h"

#include <math.h>
#include <string.h>

#include "core/arena.h"

#include "../unit.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static const struct {
    uint64_t s, n, nspam, nham;
    double want;
} prob_cases[] = {
    { 1, 0, 200, 200, 0.98654368932038838 },     { 0, 1, 200, 200, 0.01566990291262136 },
    { 2, 1, 300, 100, 0.40136633663366345 },     { 7, 30, 1234, 567, 0.097188271973826817 },
    { 1000, 1, 5000, 300, 0.98359320293540264 },
};

START_TEST(token_prob_as_spamassassin)
{
    double p = -1;

    ck_assert(bayes_token_prob(prob_cases[_i].s, prob_cases[_i].n, prob_cases[_i].nspam,
                               prob_cases[_i].nham, true, &p));
    ck_assert_double_eq(p, prob_cases[_i].want);
}
END_TEST

START_TEST(token_prob_needs_counts)
{
    double p;

    ck_assert(!bayes_token_prob(0, 0, 200, 200, true, &p));
    ck_assert(!bayes_token_prob(1, 0, 200, 200, false, &p)); /* a hapax without hapaxes */
    ck_assert(bayes_token_prob(1, 1, 200, 200, false, &p));
    ck_assert(!bayes_token_prob(1, 1, 0, 200, true, &p));
    ck_assert(!bayes_token_prob(1, 1, 200, 0, true, &p));
}
END_TEST

START_TEST(chi2q_as_spamassassin)
{
    ck_assert_double_eq(bayes_chi2q(5.5, 1), 0.06392786120670757);
    ck_assert_double_eq(bayes_chi2q(5.5, 3), 0.48145670471301638);
    ck_assert_double_eq(bayes_chi2q(0.5, 40), 1.0); /* capped at 1 */
}
END_TEST

START_TEST(combine_one_token_by_hand)
{
    /* priors S = H = 1/2; p = 0.9: S = 0.05, H = 0.45; with one degree of
     * freedom chi2q(-2 ln x, 1) = x, so S' = 0.95, H' = 0.55 and the
     * result is ((0.95 - 0.55) + 1) / 2 = 0.7 */
    const double p[] = { 0.9 };

    ck_assert_double_eq_tol(bayes_chi2_combine(200, 200, p, 1), 0.7, 1e-15);
    ck_assert_double_eq(bayes_chi2_combine(200, 200, p, 1), 0.69999999999999996);
}
END_TEST

START_TEST(combine_as_spamassassin)
{
    static const double two[] = { 0.9, 0.8 }, four[] = { 0.99, 0.01, 0.95, 0.02 },
                        three[] = { 0.15, 0.154, 0.846 };
    double many[150];

    ck_assert_double_eq(bayes_chi2_combine(200, 200, two, 2), 0.83587137362581632);
    ck_assert_double_eq(bayes_chi2_combine(1000, 250, four, 4), 0.48112875821255696);
    ck_assert_double_eq(bayes_chi2_combine(250, 250, three, 3), 0.35611562025604948);
    /* S falls below 1e-200 and is renormalised with frexp */
    for (size_t i = 0; i < 150; i++)
        many[i] = i < 110 ? 0.995 : 0.01;
    ck_assert_double_eq(bayes_chi2_combine(400, 600, many, 150), 0.50169539011199316);
    for (size_t i = 0; i < 150; i++)
        many[i] = 0.999;
    ck_assert_double_eq(bayes_chi2_combine(300, 700, many, 150), 1.0);
}
END_TEST

START_TEST(classify_needs_enough_messages)
{
    struct bayes_classify_cfg cfg;
    struct arena *a = arena_new(1024);
    const struct bayes_counts c[] = { { 10, 0 } };
    struct bayes_result r;

    bayes_classify_cfg_init(&cfg);
    bayes_classify(&cfg, 199, 500, c, 1, a, &r);
    ck_assert_int_eq(r.status, BAYES_NOT_READY);
    bayes_classify(&cfg, 500, 199, c, 1, a, &r);
    ck_assert_int_eq(r.status, BAYES_NOT_READY);
    cfg.min_ham_num = 100;
    bayes_classify(&cfg, 500, 199, c, 1, a, &r);
    ck_assert_int_eq(r.status, BAYES_SCORED);
    arena_free(&a);
}
END_TEST

START_TEST(classify_without_usable_tokens)
{
    struct bayes_classify_cfg cfg;
    struct arena *a = arena_new(1024);
    const struct bayes_counts none[] = { { 0, 0 }, { 0, 0 } };
    const struct bayes_counts weak[] = { { 5, 5 }, { 0, 0 }, { 3, 2 } };
    struct bayes_result r;

    bayes_classify_cfg_init(&cfg);
    bayes_classify(&cfg, 300, 300, none, 2, a, &r);
    ck_assert_int_eq(r.status, BAYES_NO_TOKENS);
    bayes_classify(&cfg, 300, 300, weak, 3, a, &r);
    ck_assert_int_eq(r.status, BAYES_NO_SIGNIFICANT);
    ck_assert_uint_eq(r.nlearned, 2);
    ck_assert_uint_eq(r.nused, 0);
    arena_free(&a);
}
END_TEST

START_TEST(classify_keeps_the_150_strongest)
{
    struct bayes_classify_cfg cfg;
    struct arena *a = arena_new(4096);
    struct bayes_counts c[400];
    double probs[150];
    size_t k = 0;
    struct bayes_result r;

    bayes_classify_cfg_init(&cfg);
    /* 100 strong hammy (0, 9), 100 strong spammy (40, 0), 100 weaker
     * spammy (3, 0) and 100 neutral (4, 4) tokens */
    for (size_t i = 0; i < 400; i++) {
        c[i] = i % 4 == 0   ? (struct bayes_counts){ 0, 9 }
               : i % 4 == 1 ? (struct bayes_counts){ 40, 0 }
               : i % 4 == 2 ? (struct bayes_counts){ 3, 0 }
                            : (struct bayes_counts){ 4, 4 };
    }
    bayes_classify(&cfg, 1000, 1000, c, 400, a, &r);
    ck_assert_int_eq(r.status, BAYES_SCORED);
    ck_assert_uint_eq(r.nlearned, 400);
    ck_assert_uint_eq(r.nused, 150);
    /* the (40, 0) ones are the strongest, then (0, 9); (3, 0) do not fit */
    for (size_t i = 0; i < 100; i++)
        ck_assert_uint_eq(r.used[i] % 4, 1);
    for (size_t i = 100; i < 150; i++)
        ck_assert_uint_eq(r.used[i] % 4, 0);
    ck_assert_uint_eq(r.nspammy, 100);
    ck_assert_uint_eq(r.nhammy, 50);
    for (size_t i = 0; i < 150; i++) {
        ck_assert(
            bayes_token_prob(c[r.used[i]].spam, c[r.used[i]].ham, 1000, 1000, true, &probs[k]));
        k++;
    }
    ck_assert_double_eq(r.prob, bayes_chi2_combine(1000, 1000, probs, 150));
    arena_free(&a);
}
END_TEST

START_TEST(ranges_fire_as_check_bayes)
{
    static const struct {
        double p;
        const char *fires[3];
    } cases[] = {
        { 0.0, { "BAYES_00" } },
        { 0.01, { "BAYES_00" } },
        { 0.010000001, { "BAYES_05" } },
        { 0.5, { "BAYES_50" } },
        { 0.95, { "BAYES_80" } },
        { 0.99, { "BAYES_95" } },
        { 0.999, { "BAYES_99" } },
        { 0.9991, { "BAYES_99", "BAYES_999" } },
        { 1.0, { "BAYES_99", "BAYES_999" } },
    };

    for (size_t i = 0; i < NCASES(cases); i++) {
        size_t want = 0, got = 0;

        while (want < 3 && cases[i].fires[want] != NULL)
            want++;
        for (size_t k = 0; k < bayes_nrule_ranges; k++) {
            bool listed = false;

            for (size_t j = 0; j < want; j++)
                listed = listed || strcmp(cases[i].fires[j], bayes_rule_ranges[k].name) == 0;
            ck_assert_msg(bayes_in_range(cases[i].p, bayes_rule_ranges[k].min,
                                         bayes_rule_ranges[k].max) == listed,
                          "p=%g %s", cases[i].p, bayes_rule_ranges[k].name);
            got += listed;
        }
        ck_assert_uint_eq(got, want);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bayes_classify");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, token_prob_as_spamassassin, 0, NCASES(prob_cases));
    tcase_add_test(tc, token_prob_needs_counts);
    tcase_add_test(tc, chi2q_as_spamassassin);
    tcase_add_test(tc, combine_one_token_by_hand);
    tcase_add_test(tc, combine_as_spamassassin);
    tcase_add_test(tc, classify_needs_enough_messages);
    tcase_add_test(tc, classify_without_usable_tokens);
    tcase_add_test(tc, classify_keeps_the_150_strongest);
    tcase_add_test(tc, ranges_fire_as_check_bayes);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
