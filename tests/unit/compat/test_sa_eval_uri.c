/*
 * test_sa_eval_uri.c - SpamAssassin's URIEval and HTTPSMismatch natively:
 * redirectors, https text on IP links, truncated URIs, https anchor text
 * naming another domain. Each case is one call on a crafted message of
 * tests/data/eval/body/ with the answer SpamAssassin 4.0.1 gave
 * (scripts/sa-eval-body.pl --cases).
 */
#include "compat/sa_eval_uri.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"

static const struct eval_case uri_cases[] = {
    /* a text URI past the limit: the body line it is found in is cut first */
    { "uri-long.eml", "body", "check_uri_truncated", { NULL }, 0 },
    { "html-https-ip-only.eml", "body", "check_https_ip_mismatch", { NULL }, 1 },
    { "body-8bit.eml", "body", "check_https_ip_mismatch", { NULL }, 0 },
    { "html-long-uri.eml", "body", "check_uri_truncated", { NULL }, 1 },
    { "html-https-ip-only.eml", "body", "check_uri_truncated", { NULL }, 0 },
    { "uri-redirect.eml", "body", "check_for_http_redirector", { NULL }, 1 },
    { "html-https-ip-only.eml", "body", "check_for_http_redirector", { NULL }, 0 },
    { "html-https.eml", "body", "check_https_http_mismatch", { "1", "10" }, 1 },
    { "html-https-ip-only.eml", "body", "check_https_http_mismatch", { "1", "10" }, 0 },
    { "html-https.eml", "body", "check_https_http_mismatch", { "1" }, 1 },
    { "html-https-ip-only.eml", "body", "check_https_http_mismatch", { "1" }, 0 },
    { "html-https.eml", "body", "check_https_http_mismatch", { "2", "3" }, 1 },
    { "html-https-ip-only.eml", "body", "check_https_http_mismatch", { "2", "3" }, 0 },
    { "html-https.eml", "body", "check_https_http_mismatch", { "0" }, 1 },
    { "html-https-ip-only.eml", "body", "check_https_http_mismatch", { "0" }, 0 },
    { "html-https-ip-only.eml", "body", "check_https_http_mismatch", { "3" }, 0 },
    { "html-https.eml", "body", "check_https_http_mismatch", { NULL }, 1 },
    { "html-https-ip-only.eml", "body", "check_https_http_mismatch", { NULL }, 0 },
};

START_TEST(uri_gives_spamassassins_answers)
{
    eval_check(sa_eval_uri_defs, sa_eval_uri_ndefs, &uri_cases[_i], NULL);
}
END_TEST

START_TEST(uri_table_is_sane)
{
    eval_defs_sane(sa_eval_uri_defs, sa_eval_uri_ndefs);
}
END_TEST

static Suite *
sa_eval_uri_suite(void)
{
    Suite *s = suite_create("sa_eval_uri");
    TCase *tc = tcase_create("sa_eval_uri");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, uri_gives_spamassassins_answers, 0, NCASES(uri_cases));
    tcase_add_test(tc, uri_table_is_sane);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_uri_suite());
}
