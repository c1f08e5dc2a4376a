/*
 * test_sa_eval_freemail.c - SpamAssassin's FreeMail plugin natively:
 * freemail From, other headers, Reply-To ('replyto' and 'reply') and body
 * addresses, with and without a regex argument; exact and wildcard
 * freemail_domains, freemail_welcomelist and the plugin's own welcome list
 * (abuse@, info@...), the body limits (freemail_max_body_emails,
 * freemail_skip_when_over_max) and the bulk envelope senders
 * (freemail_skip_bulk_envfrom). Each case is one call on a crafted message
 * of tests/data/eval/wlbl/ under a configuration file there, with the
 * answer SpamAssassin 4.0.1 gave (scripts/sa-eval-wlbl.pl freemail.tsv).
 */
#include "compat/sa_eval_freemail.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"
#include "sa_eval_conf_fixture.h"

static const struct conf_case freemail_cases[] = {
    { "freemail.cf", "fm-from-gmail.eml", "header", "check_freemail_from", { NULL }, 1 },
    { "freemail.cf", "fm-from-gmail.eml", "header", "check_freemail_from", { "\\d@" }, 1 },
    { "freemail.cf", "fm-from-gmail.eml", "header", "check_freemail_from", { "^x" }, 0 },
    { "freemail.cf", "fm-from-gmail.eml", "header", "check_freemail_header", { "From" }, 1 },
    { "freemail.cf",
      "fm-from-gmail.eml",
      "header",
      "check_freemail_header",
      { "From", "^joe" },
      1 },
    { "freemail.cf", "fm-from-gmail.eml", "header", "check_freemail_header", { "Reply-To" }, 0 },
    { NULL, "fm-from-gmail.eml", "header", "check_freemail_from", { NULL }, 0 },
    { "freemail.cf", "fm-from-wild.eml", "header", "check_freemail_from", { NULL }, 1 },
    { "freemail.cf", "fm-from-wild-q.eml", "header", "check_freemail_from", { NULL }, 1 },
    { "freemail.cf", "fm-from-wild-qq.eml", "header", "check_freemail_from", { NULL }, 0 },
    { "freemail.cf", "fm-from-welcome.eml", "header", "check_freemail_from", { NULL }, 0 },
    { "freemail.cf", "fm-from-welcome-dom.eml", "header", "check_freemail_from", { NULL }, 0 },
    { "freemail.cf", "fm-from-abuse.eml", "header", "check_freemail_from", { NULL }, 0 },
    { "freemail.cf", "fm-from-info.eml", "header", "check_freemail_from", { NULL }, 0 },
    { "freemail.cf", "fm-from-info.eml", "header", "check_freemail_header", { "Reply-To" }, 0 },
    { "freemail.cf", "fm-from-corp.eml", "header", "check_freemail_from", { NULL }, 0 },
    { "freemail.cf", "fm-replyto-diff.eml", "header", "check_freemail_replyto", { NULL }, 1 },
    { "freemail.cf", "fm-replyto-diff.eml", "header", "check_freemail_replyto", { "replyto" }, 1 },
    { "freemail.cf", "fm-replyto-diff.eml", "header", "check_freemail_replyto", { "reply" }, 1 },
    { "freemail.cf", "fm-replyto-diff.eml", "header", "check_freemail_replyto", { "bogus" }, 0 },
    { "freemail.cf", "fm-replyto-diff.eml", "header", "check_freemail_header", { "Reply-To" }, 1 },
    { "freemail.cf",
      "fm-replyto-diff.eml",
      "header",
      "check_freemail_header",
      { "Reply-To", "\\d@" },
      1 },
    { "freemail.cf",
      "fm-replyto-diff.eml",
      "header",
      "check_freemail_header",
      { "Reply-To", "^joe" },
      0 },
    { "freemail.cf", "fm-replyto-same.eml", "header", "check_freemail_replyto", { "replyto" }, 1 },
    { "freemail.cf", "fm-replyto-same.eml", "header", "check_freemail_replyto", { "reply" }, 1 },
    { "freemail.cf", "fm-replyto-same.eml", "header", "check_freemail_body", { NULL }, 1 },
    { "freemail.cf", "fm-reply-from.eml", "header", "check_freemail_replyto", { "replyto" }, 0 },
    { "freemail.cf", "fm-reply-from.eml", "header", "check_freemail_replyto", { "reply" }, 1 },
    { "freemail.cf", "fm-body.eml", "header", "check_freemail_body", { NULL }, 1 },
    { "freemail.cf", "fm-body.eml", "header", "check_freemail_body", { "\\d@" }, 1 },
    { "freemail.cf", "fm-body.eml", "header", "check_freemail_body", { "^ann@" }, 1 },
    { "freemail.cf", "fm-body.eml", "header", "check_freemail_body", { "^joe@" }, 0 },
    { "freemail.cf", "fm-body.eml", "header", "check_freemail_body", { "^tracked@" }, 0 },
    { "freemail.cf", "fm-body.eml", "header", "check_freemail_replyto", { "reply" }, 0 },
    { "freemail.cf", "fm-body-quoted.eml", "header", "check_freemail_body", { NULL }, 1 },
    { "freemail.cf", "fm-body-many.eml", "header", "check_freemail_body", { NULL }, 0 },
    { "freemail-max10.cf", "fm-body-many.eml", "header", "check_freemail_body", { NULL }, 1 },
    { "freemail-nomax.cf", "fm-body-many.eml", "header", "check_freemail_body", { NULL }, 1 },
    { "freemail.cf", "fm-body-mailto.eml", "header", "check_freemail_body", { NULL }, 1 },
    { "freemail.cf", "fm-body-mailto.eml", "header", "check_freemail_body", { "^pal9@" }, 1 },
    { "freemail.cf", "fm-bulk.eml", "header", "check_freemail_replyto", { NULL }, 0 },
    { "freemail.cf", "fm-bulk.eml", "header", "check_freemail_from", { NULL }, 1 },
    { "freemail-nobulk.cf", "fm-bulk.eml", "header", "check_freemail_replyto", { NULL }, 1 },
    { "freemail.cf", "fm-envfrom.eml", "header", "check_freemail_header", { "EnvelopeFrom" }, 1 },
    { "freemail.cf",
      "fm-envfrom.eml",
      "header",
      "check_freemail_header",
      { "EnvelopeFrom", "\\d@" },
      1 },
    { "freemail.cf", "fm-envfrom.eml", "header", "check_freemail_from", { NULL }, 1 },
};

START_TEST(freemail_gives_spamassassins_answers)
{
    conf_case_check(sa_eval_freemail_defs, sa_eval_freemail_ndefs, &freemail_cases[_i]);
}
END_TEST

START_TEST(freemail_table_is_sane)
{
    eval_defs_sane(sa_eval_freemail_defs, sa_eval_freemail_ndefs);
}
END_TEST

static Suite *
sa_eval_freemail_suite(void)
{
    Suite *s = suite_create("sa_eval_freemail");
    TCase *tc = tcase_create("sa_eval_freemail");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, freemail_gives_spamassassins_answers, 0, NCASES(freemail_cases));
    tcase_add_test(tc, freemail_table_is_sane);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_freemail_suite());
}
