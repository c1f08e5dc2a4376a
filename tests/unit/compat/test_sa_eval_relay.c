/*
 * test_sa_eval_relay.c - SpamAssassin's RelayEval functions and WLBLEval's
 * check_mailfrom_matches_rcvd (compat/sa_eval_relay.c) against what
 * SpamAssassin 4.0.1 returns on the crafted messages of
 * tests/data/eval/header (expected.txt), plus the argument handling of
 * check_for_from_domain_in_received_headers.
 */
#include "compat/sa_eval_relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "mime/mime_ctx.h"

#include "../unit.h"

#include "../mime_fixture.h"

#include "sa_eval_case.h"

START_TEST(relay_call_as_spamassassin)
{
    ev_check_call(sa_eval_relay_defs, sa_eval_relay_ndefs, (size_t)_i);
}
END_TEST

START_TEST(every_stock_call_is_checked)
{
    static const char *const stock[] = {
        "helo_ip_mismatch",
        "check_all_trusted",
        "check_no_relays",
        "check_relays_unparseable",
        "check_for_forged_received_trail",
        "check_mailfrom_matches_rcvd",
        "check_for_no_rdns_dotcom_helo",
    };

    for (size_t i = 0; i < NCASES(stock); i++) {
        size_t k;

        ck_assert_msg(ev_find(sa_eval_relay_defs, sa_eval_relay_ndefs, stock[i]) != NULL, "%s",
                      stock[i]);
        for (k = 0; k < ev_ncalls && strcmp(ev_calls[k].fn, stock[i]) != 0; k++)
            ;
        ck_assert_msg(k < ev_ncalls, "%s: not in expected.txt", stock[i]);
    }
}
END_TEST

START_TEST(from_domain_pattern_that_perl_cannot_compile)
{
    /* SA interpolates the domain into a pattern: "foo(" dies there; here
     * the rule is refused when it is prepared */
    struct scan_eval_arg args[2] = {
        { SCAN_ARG_STR, "foo(", 4, 0 },
        { SCAN_ARG_STR, "true", 4, 0 },
    };
    struct scan_rule rule = ev_rule("check_for_from_domain_in_received_headers", args, 2);
    const struct scan_eval_def *def = ev_find(sa_eval_relay_defs, sa_eval_relay_ndefs, rule.eval);
    struct arena *a = arena_new(1024);
    struct sift_err err;
    void *state = NULL;

    ck_assert_int_eq(def->prepare(a, &rule, &state, &err), -1);
    arena_free(&a);
}
END_TEST

START_TEST(from_domain_desired_false)
{
    /* From is @yahoo.com and the relay names yahoo.com in rdns and by */
    struct scan_eval_arg args[2] = {
        { SCAN_ARG_STR, "yahoo.com", 9, 0 },
        { SCAN_ARG_STR, "false", 5, 0 },
    };
    struct scan_rule rule = ev_rule("check_for_from_domain_in_received_headers", args, 2);
    const struct scan_eval_def *def = ev_find(sa_eval_relay_defs, sa_eval_relay_ndefs, rule.eval);

    ck_assert_double_eq(ev_run_file(def, &rule, "relay_fromdom.eml"), 0);
    ck_assert_double_eq(ev_run_file(def, &rule, "yahoo_forged.eml"), 1);
    ck_assert_double_eq(ev_run_file(def, &rule, "gmail_forged.eml"), 0); /* From elsewhere */
}
END_TEST

START_TEST(dotcom_helo_only_the_last_public_relay_counts)
{
    /* SA 4.0.1 (sa-eval-header.pl): the flag is reset per untrusted relay,
     * private ones skipped; only an MTA known to look up rDNS says "none" */
    static const struct {
        const char *file;
        double want;
    } cases[] = {
        { "nordns_dotcom.eml", 1 },         /* Postfix: helo mx02.hotmail.com, unknown */
        { "nordns_dotcom_last.eml", 1 },    /* the lower relay: helo AOL.COM, sendmail */
        { "nordns_dotcom_reset.eml", 0 },   /* the hit above, a clean relay below */
        { "nordns_dotcom_private.eml", 1 }, /* the relay below is 10/8: skipped */
        { "nordns_dotcom_rdns.eml", 0 },    /* an rDNS, however unrelated */
        { "nordns_dotcom_exim.eml", 0 },    /* Exim: rdns_not_in_headers */
        { "nordns_dotcom_qmail.eml", 0 },   /* qmail's own "unknown": not looked up */
        { "nordns_dotcom_nodot.eml", 0 },   /* nothotmail.com */
    };
    struct scan_rule rule = ev_rule("check_for_no_rdns_dotcom_helo", NULL, 0);
    const struct scan_eval_def *def = ev_find(sa_eval_relay_defs, sa_eval_relay_ndefs, rule.eval);

    for (size_t i = 0; i < NCASES(cases); i++)
        ck_assert_msg(ev_run_file(def, &rule, cases[i].file) == cases[i].want, "%s", cases[i].file);
}
END_TEST

START_TEST(every_function_runs_on_an_empty_message)
{
    static const char msg[] = "\n";
    struct scan_eval_arg args[2] = {
        { SCAN_ARG_STR, "example.com", 11, 0 },
        { SCAN_ARG_STR, "true", 4, 0 },
    };

    for (size_t i = 0; i < sa_eval_relay_ndefs; i++) {
        const struct scan_eval_def *def = &sa_eval_relay_defs[i];
        struct scan_rule rule = ev_rule(def->name, args, 2);
        double v = ev_run_raw(def, &rule, msg, 1);

        /* no relays: only check_no_relays holds */
        ck_assert_msg(v == (strcmp(def->name, "check_no_relays") == 0), "%s: %g", def->name, v);
    }
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("sa_eval_relay");
    TCase *tc = tcase_create("relay");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, relay_call_as_spamassassin, 0, (int)ev_ncalls);
    tcase_add_test(tc, every_stock_call_is_checked);
    tcase_add_test(tc, from_domain_pattern_that_perl_cannot_compile);
    tcase_add_test(tc, from_domain_desired_false);
    tcase_add_test(tc, dotcom_helo_only_the_last_public_relay_counts);
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
