/*
 * test_sa_eval_vbounce.c - SpamAssassin's VBounce plugin natively: is any
 * welcomelist_bounce_relays host set, and does a bounce quote a Received
 * line naming one (exact and glob entries, the old whitelist_ name): in
 * the body text (quoted with '>', in HTML, base64-encoded, the Subject
 * line), or in the pristine body's Received headers with their
 * continuation lines joined (a message/rfc822 part, an undecoded one,
 * CRLF lines). Each case is one call on a crafted message of
 * tests/data/eval/wlbl/ under a configuration file there, with the answer
 * SpamAssassin 4.0.1 gave (scripts/sa-eval-wlbl.pl vbounce.tsv).
 */
#include "compat/sa_eval_vbounce.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"
#include "sa_eval_conf_fixture.h"

static const struct conf_case vbounce_cases[] = {
    { "vbounce.cf",
      "vb-body-received.eml",
      "body",
      "check_welcomelist_bounce_relays",
      { NULL },
      1 },
    { "vbounce.cf", "vb-body-quoted.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-other.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-rfc822.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-last-word.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf",
      "vb-last-word-alone.eml",
      "body",
      "check_welcomelist_bounce_relays",
      { NULL },
      0 },
    { "vbounce.cf",
      "vb-last-word-crlf.eml",
      "body",
      "check_welcomelist_bounce_relays",
      { NULL },
      1 },
    { "vbounce.cf", "vb-base64.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-html.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-subject.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-gt-join.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-gt-tab.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 0 },
    { "vbounce.cf", "vb-none.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 0 },
    { "vbounce.cf", "vb-resume.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 0 },
    { "vbounce.cf", "vb-html.eml", "body", "check_whitelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-other.eml", "body", "check_whitelist_bounce_relays", { NULL }, 1 },
    { "vbounce.cf", "vb-other.eml", "body", "have_any_bounce_relays", { NULL }, 1 },
    { NULL, "vb-body-received.eml", "body", "have_any_bounce_relays", { NULL }, 0 },
    { NULL, "vb-body-received.eml", "body", "check_welcomelist_bounce_relays", { NULL }, 0 },
    { "wlbl.cf", "vb-body-received.eml", "body", "have_any_bounce_relays", { NULL }, 0 },
};

START_TEST(vbounce_gives_spamassassins_answers)
{
    conf_case_check(sa_eval_vbounce_defs, sa_eval_vbounce_ndefs, &vbounce_cases[_i]);
}
END_TEST

START_TEST(vbounce_table_is_sane)
{
    eval_defs_sane(sa_eval_vbounce_defs, sa_eval_vbounce_ndefs);
}
END_TEST

static Suite *
sa_eval_vbounce_suite(void)
{
    Suite *s = suite_create("sa_eval_vbounce");
    TCase *tc = tcase_create("sa_eval_vbounce");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, vbounce_gives_spamassassins_answers, 0, NCASES(vbounce_cases));
    tcase_add_test(tc, vbounce_table_is_sane);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_vbounce_suite());
}
