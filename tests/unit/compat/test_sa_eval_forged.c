/*
 * test_sa_eval_forged.c - SpamAssassin's forged-webmail checks
 * (compat/sa_eval_forged.c) against what SpamAssassin 4.0.1 returns: every
 * call of expected.txt on every crafted message of tests/data/eval/header
 * (aol_*, hotmail_*, eudora_*, yahoo_*, juno_*, gmail_* and the others,
 * where they must not hit), a CRLF message, and the empty one.
 */
#include "compat/sa_eval_forged.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "mime/mime_ctx.h"

#include "../unit.h"

#include "../mime_fixture.h"

#include "sa_eval_case.h"

START_TEST(forged_call_as_spamassassin)
{
    ev_check_call(sa_eval_forged_defs, sa_eval_forged_ndefs, (size_t)_i);
}
END_TEST

START_TEST(every_function_is_checked)
{
    for (size_t i = 0; i < sa_eval_forged_ndefs; i++) {
        size_t k;

        for (k = 0; k < ev_ncalls && strcmp(ev_calls[k].fn, sa_eval_forged_defs[i].name) != 0; k++)
            ;
        ck_assert_msg(k < ev_ncalls, "%s: not in expected.txt", sa_eval_forged_defs[i].name);
    }
}
END_TEST

START_TEST(crlf_message_reads_as_lf)
{
    static const char msg[] = "Received: from unknown (HELO x) (80.71.176.130) by\r\n"
                              " rly-xw01.mx.aol.com with QMQP; Sat, 15 Jun 2002 23:37:16 -0000\r\n"
                              "From: a@aol.com\r\nSubject: FREE MONEY FOR ALL\r\n\r\nhi\r\n";
    struct scan_rule aol = ev_rule("check_for_fake_aol_relay_in_rcvd", NULL, 0);

    ck_assert_double_eq(ev_run_raw(ev_find(sa_eval_forged_defs, sa_eval_forged_ndefs, aol.eval),
                                   &aol, msg, sizeof(msg) - 1),
                        1);
}
END_TEST

START_TEST(every_function_runs_on_an_empty_message)
{
    /* SA: none hits (no From to claim a service, no Received to forge) */
    static const char msg[] = "\n";

    for (size_t i = 0; i < sa_eval_forged_ndefs; i++) {
        const struct scan_eval_def *def = &sa_eval_forged_defs[i];
        struct scan_rule rule = ev_rule(def->name, NULL, 0);

        ck_assert_msg(ev_run_raw(def, &rule, msg, 1) == 0, "%s", def->name);
    }
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("sa_eval_forged");
    TCase *tc = tcase_create("forged");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, forged_call_as_spamassassin, 0, (int)ev_ncalls);
    tcase_add_test(tc, every_function_is_checked);
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
