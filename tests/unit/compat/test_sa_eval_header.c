/*
 * test_sa_eval_header.c - SpamAssassin's HeaderEval functions
 * (compat/sa_eval_header.c; the forged-webmail checks are in
 * test_sa_eval_forged.c) against what SpamAssassin 4.0.1 returns: every
 * call of expected.txt (the stock rules' calls and the other functions of
 * the plugin) on every crafted message of tests/data/eval/header, plus
 * RegistryBoundaries::split_domain, quotemeta, the clock-dependent
 * received_within_months and the argument forms.
 */
#include "compat/sa_eval_header.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/sa_conf.h"
#include "core/arena.h"
#include "mime/mime_ctx.h"
#include "scan/scan_rule.h"

#include "../unit.h"

#include "../mime_fixture.h"

#include "sa_eval_case.h"

START_TEST(header_call_as_spamassassin)
{
    ev_check_call(sa_eval_header_defs, sa_eval_header_ndefs, (size_t)_i);
}
END_TEST

START_TEST(every_stock_call_is_checked)
{
    static const char *const stock[] = {
        "check_for_faraway_charset_in_headers",
        "check_illegal_chars",
        "check_for_matching_env_and_hdr_from",
        "sorted_recipients",
        "similar_recipients",
        "check_for_missing_to_header",
        "check_for_shifted_date",
        "subject_is_all_caps",
        "check_for_to_in_subject",
        "check_outlook_message_id",
        "check_header_count_range",
        "check_unresolved_template",
        "check_ratware_name_id",
        "check_ratware_envelope_from",
        "gated_through_received_hdr_remover",
        "check_equal_from_domains",
    };

    for (size_t i = 0; i < NCASES(stock); i++) {
        size_t k;

        ck_assert_msg(ev_find(sa_eval_header_defs, sa_eval_header_ndefs, stock[i]) != NULL, "%s",
                      stock[i]);
        for (k = 0; k < ev_ncalls && strcmp(ev_calls[k].fn, stock[i]) != 0; k++)
            ;
        ck_assert_msg(k < ev_ncalls, "%s: not in expected.txt", stock[i]);
    }
}
END_TEST

/* RegistryBoundaries::split_domain, as SA 4.0.1 prints it */
static const struct {
    const char *in, *host, *domain;
} split_cases[] = {
    { "www.example.com", "www", "example.com" },
    { "mail.example.co.uk", "mail", "example.co.uk" },
    { "example.co.uk", "", "example.co.uk" },
    { "co.uk", "", "co.uk" },
    { "a.b.c.example.invalidtld", "a.b.c", "example.invalidtld" },
    { "host", "", "host" },
    { "..www..example..com..", "www", "example.com" },
    { "MX.Example.COM", "mx", "example.com" },
    { "foo.ca.us", "", "foo.ca.us" },
    { "www.foo.ca.us", "", "www.foo.ca.us" },
    { "a.ci.la.ca.us", "", "a.ci.la.ca.us" },
    { "x.pvt.k12.ca.us", "", "x.pvt.k12.ca.us" },
    { "x.pvt.k12.zz.us", "x.pvt.k12", "zz.us" },
    { "www.k\xc3\xa4se.de", "www", "xn--kse-qla.de" },
    { "", "", "" },
};

START_TEST(split_domain_as_registryboundaries)
{
    struct arena *a = arena_new(1024);
    struct strv host,
        dom = sa_eval_header_split_domain(a, ctx.psl, strv_cstr(split_cases[_i].in), &host);

    ck_assert_msg(strv_eq(dom, split_cases[_i].domain) && strv_eq(host, split_cases[_i].host),
                  "%s: got [%.*s] [%.*s]", split_cases[_i].in, (int)host.len, host.p, (int)dom.len,
                  dom.p);
    arena_free(&a);
}
END_TEST

START_TEST(quote_escapes_all_but_word_bytes)
{
    struct arena *a = arena_new(1024);

    ck_assert_str_eq(sa_eval_header_quote(a, strv_cstr("a.b+c_D9 x\xe9")),
                     "a\\.b\\+c_D9\\ x\\\xe9");
    ck_assert_str_eq(sa_eval_header_quote(a, strv_make("", 0)), "");
    arena_free(&a);
}
END_TEST

/* The clock moves: only cases that stay true or false for decades. */
static const struct {
    const char *file, *min, *max;
    bool want; /* as SA printed it */
} months_cases[] = {
    { "no_received.eml", "12", "undef", true }, /* dated 2002 */
    { "no_received.eml", "undef", "12", false },    { "no_received.eml", "undef", "6000", true },
    { "to_missing.eml", "240", "undef", true }, /* a Received of 2002 */
    { "date_past_4h.eml", "undef", "undef", true },
};

START_TEST(received_within_months_by_the_clock)
{
    struct scan_eval_arg args[2] = {
        { SCAN_ARG_STR, months_cases[_i].min, strlen(months_cases[_i].min), 0 },
        { SCAN_ARG_STR, months_cases[_i].max, strlen(months_cases[_i].max), 0 },
    };
    struct scan_rule rule = ev_rule("received_within_months", args, 2);
    const struct scan_eval_def *def =
        ev_find(sa_eval_header_defs, sa_eval_header_ndefs, "received_within_months");

    ck_assert_int_eq(ev_run_file(def, &rule, months_cases[_i].file) != 0, months_cases[_i].want);
}
END_TEST

/* ok_locales from the configuration; SA run with the locale variables
 * unset (get_my_locales adds $LANG and the like) */
static const struct {
    const char *ok_locales, *file;
    bool want;
} faraway_cases[] = {
    { "en", "faraway_from_big5.eml", true },
    { "en", "faraway_ok.eml", false },
    { "en", "caps_koi8.eml", true },
    { "zh", "faraway_from_big5.eml", false },
    { "zh", "faraway_ok.eml", false },
    { "zh", "caps_koi8.eml", true },
    { "en ja", "faraway_from_big5.eml", true },
    { "ru", "caps_koi8.eml", false },
    { "all", "faraway_from_big5.eml", false },
};

START_TEST(faraway_charset_by_ok_locales)
{
    static const char *const env[] = { "LC_ALL", "LANGUAGE", "LC_MESSAGES", "LANG" };
    struct sa_conf_opts opts = { 0 };
    struct sa_conf *conf = sa_conf_new(&opts);
    struct scan_ruleset *rs = scan_ruleset_new();
    struct sift_err err;
    char text[64];
    struct scan_rule rule = ev_rule("check_for_faraway_charset_in_headers", NULL, 0);
    const struct scan_eval_def *def = ev_find(sa_eval_header_defs, sa_eval_header_ndefs, rule.eval);

    for (size_t i = 0; i < NCASES(env); i++)
        unsetenv(env[i]);
    snprintf(text, sizeof(text), "ok_locales %s\n", faraway_cases[_i].ok_locales);
    ck_assert_int_eq(sa_conf_parse(conf, rs, text, strlen(text), "test.cf", &err), 0);
    ev_data = conf;
    ck_assert_int_eq(ev_run_file(def, &rule, faraway_cases[_i].file) != 0, faraway_cases[_i].want);
    ev_data = NULL;
    scan_ruleset_free(&rs);
    sa_conf_free(&conf);
}
END_TEST

START_TEST(bare_undef_is_the_word_undef)
{
    /* pack_eval_args makes every argument a string: undef is "undef" */
    struct scan_eval_arg args[2] = {
        { SCAN_ARG_UNDEF, NULL, 0, 0 },
        { SCAN_ARG_STR, "-96", 3, -96 },
    };
    struct scan_rule rule = ev_rule("check_for_shifted_date", args, 2);
    const struct scan_eval_def *def =
        ev_find(sa_eval_header_defs, sa_eval_header_ndefs, "check_for_shifted_date");

    ck_assert_double_eq(ev_run_file(def, &rule, "date_past_200d.eml"), 1);
    ck_assert_double_eq(ev_run_file(def, &rule, "date_past_4h.eml"), 0);
}
END_TEST

START_TEST(missing_arguments_read_as_perl_undef)
{
    /* check_header_count_range('Subject'): 1 >= undef (0) && 1 <= undef (0) */
    struct scan_eval_arg args[1] = { { SCAN_ARG_STR, "Subject", 7, 0 } };
    struct scan_rule rule = ev_rule("check_header_count_range", args, 1);
    const struct scan_eval_def *def =
        ev_find(sa_eval_header_defs, sa_eval_header_ndefs, "check_header_count_range");
    static const char msg[] = "From: a@example.org\nTo: b@example.org\n\nbody\n";

    ck_assert_double_eq(ev_run_file(def, &rule, "to_missing.eml"), 0);
    ck_assert_double_eq(ev_run_raw(def, &rule, msg, sizeof(msg) - 1), 1);
}
END_TEST

START_TEST(crlf_message_reads_as_lf)
{
    static const char msg[] = "Received: from unknown (HELO x) (80.71.176.130) by\r\n"
                              " rly-xw01.mx.aol.com with QMQP; Sat, 15 Jun 2002 23:37:16 -0000\r\n"
                              "From: a@aol.com\r\nSubject: FREE MONEY FOR ALL\r\n\r\nhi\r\n";
    struct scan_rule caps = ev_rule("subject_is_all_caps", NULL, 0);
    struct scan_rule to = ev_rule("check_for_missing_to_header", NULL, 0);

    ck_assert_double_eq(
        ev_run_raw(ev_find(sa_eval_header_defs, sa_eval_header_ndefs, "subject_is_all_caps"), &caps,
                   msg, sizeof(msg) - 1),
        1);
    ck_assert_double_eq(ev_run_raw(ev_find(sa_eval_header_defs, sa_eval_header_ndefs,
                                           "check_for_missing_to_header"),
                                   &to, msg, sizeof(msg) - 1),
                        1);
}
END_TEST

START_TEST(every_function_runs_on_an_empty_message)
{
    /* SA's results with the arguments ('Subject', '0', '0') */
    static const char *const hits[] = {
        "check_for_matching_env_and_hdr_from", /* '' eq '' */
        "check_for_missing_to_header",
        "check_messageid_not_usable", /* gated: no Received */
        "check_header_count_range",   /* 0 Subjects in [0, 0] */
        "gated_through_received_hdr_remover",
    };
    static const char msg[] = "\n";
    struct scan_eval_arg args[3] = {
        { SCAN_ARG_STR, "Subject", 7, 0 },
        { SCAN_ARG_STR, "0", 1, 0 },
        { SCAN_ARG_STR, "0", 1, 0 },
    };

    for (size_t i = 0; i < sa_eval_header_ndefs; i++) {
        const struct scan_eval_def *def = &sa_eval_header_defs[i];
        struct scan_rule rule = ev_rule(def->name, args, 3);
        double v = ev_run_raw(def, &rule, msg, 1);
        bool want = false;

        for (size_t k = 0; k < NCASES(hits); k++)
            want |= strcmp(hits[k], def->name) == 0;
        ck_assert_msg(v == want, "%s: %g", def->name, v);
    }
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("sa_eval_header");
    TCase *tc = tcase_create("header");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, header_call_as_spamassassin, 0, (int)ev_ncalls);
    tcase_add_test(tc, every_stock_call_is_checked);
    tcase_add_loop_test(tc, split_domain_as_registryboundaries, 0, NCASES(split_cases));
    tcase_add_test(tc, quote_escapes_all_but_word_bytes);
    tcase_add_loop_test(tc, received_within_months_by_the_clock, 0, NCASES(months_cases));
    tcase_add_loop_test(tc, faraway_charset_by_ok_locales, 0, NCASES(faraway_cases));
    tcase_add_test(tc, bare_undef_is_the_word_undef);
    tcase_add_test(tc, missing_arguments_read_as_perl_undef);
    tcase_add_test(tc, crlf_message_reads_as_lf);
    tcase_add_test(tc, every_function_runs_on_an_empty_message);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ev_load();
    return unit_run(suite());
}
