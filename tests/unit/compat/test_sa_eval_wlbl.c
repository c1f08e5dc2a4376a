/*
 * test_sa_eval_wlbl.c - SpamAssassin's WLBLEval and WelcomeListSubject
 * natively: From in welcomelist_from (exact and glob entries), in
 * welcomelist_from_rcvd and def_welcomelist_from_rcvd (relay by rDNS
 * domain, [IP], [IP/len] and classful [a.b]; forged when the relay does
 * not match, unless welcomelist_allows_relays), blocklist_from, To in
 * blocklist_to, more_spam_to and all_spam_to, enlist_addrlist lists by
 * name for From, Reply-To and To, URI hosts in enlist_uri_host lists
 * (subdomains, !negation), blocklist_uri_host, welcomelist_uri_host,
 * and subjects; with the old ...whitelist/...blacklist names. Each case is
 * one call on a crafted message of tests/data/eval/wlbl/ under a
 * configuration file there, with the answer SpamAssassin 4.0.1 gave
 * (scripts/sa-eval-wlbl.pl wlbl.tsv).
 */
#include "compat/sa_eval_wlbl.h"

#include <string.h>

#include "../unit.h"

#include "../mime_fixture.h"
#include "sa_eval_fixture.h"
#include "sa_eval_conf_fixture.h"

static const struct conf_case wlbl_cases[] = {
    { "wlbl.cf", "wl-from-exact.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-from-exact.eml", "header", "check_from_in_whitelist", { NULL }, 1 },
    { "wlbl.cf", "wl-from-exact.eml", "header", "check_forged_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-from-glob.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-from-glob-sub.eml", "header", "check_from_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-from-none.eml", "header", "check_from_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-from-none.eml", "header", "check_forged_in_welcomelist", { NULL }, 0 },
    { NULL, "wl-from-exact.eml", "header", "check_from_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-rcvd-ok.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-rcvd-ok.eml", "header", "check_forged_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-rcvd-forged.eml", "header", "check_from_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-rcvd-forged.eml", "header", "check_forged_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-rcvd-forged.eml", "header", "check_forged_in_whitelist", { NULL }, 1 },
    { "wlbl.cf", "wl-rcvd-allowed.eml", "header", "check_forged_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-rcvd-trusted.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-rcvd-net.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-rcvd-net-out.eml", "header", "check_from_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-rcvd-net-out.eml", "header", "check_forged_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-rcvd-ip.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-rcvd-ip-other.eml", "header", "check_from_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-rcvd-ip-other.eml", "header", "check_forged_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-rcvd-classful.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-def-ok.eml", "header", "check_from_in_default_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-def-ok.eml", "header", "check_from_in_default_whitelist", { NULL }, 1 },
    { "wlbl.cf", "wl-def-ok.eml", "header", "check_from_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-def-ok.eml", "header", "check_forged_in_default_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-def-forged.eml", "header", "check_from_in_default_welcomelist", { NULL }, 0 },
    { "wlbl.cf",
      "wl-def-forged.eml",
      "header",
      "check_forged_in_default_welcomelist",
      { NULL },
      1 },
    { "wlbl.cf", "wl-def-forged.eml", "header", "check_forged_in_default_whitelist", { NULL }, 1 },
    { "wlbl.cf", "wl-def-forged.eml", "header", "check_forged_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-from-block.eml", "header", "check_from_in_blocklist", { NULL }, 1 },
    { "wlbl.cf", "wl-from-block.eml", "header", "check_from_in_blacklist", { NULL }, 1 },
    { "wlbl.cf", "wl-from-exact.eml", "header", "check_from_in_blocklist", { NULL }, 0 },
    { "wlbl.cf", "wl-to-block.eml", "header", "check_to_in_blocklist", { NULL }, 1 },
    { "wlbl.cf", "wl-to-block.eml", "header", "check_to_in_blacklist", { NULL }, 1 },
    { "wlbl.cf", "wl-to-block.eml", "header", "check_to_in_more_spam", { NULL }, 0 },
    { "wlbl.cf", "wl-to-more.eml", "header", "check_to_in_more_spam", { NULL }, 1 },
    { "wlbl.cf", "wl-to-more.eml", "header", "check_to_in_blocklist", { NULL }, 0 },
    { "wlbl.cf", "wl-to-all.eml", "header", "check_to_in_all_spam", { NULL }, 1 },
    { "wlbl.cf", "wl-to-block.eml", "header", "check_to_in_all_spam", { NULL }, 0 },
    { "wlbl.cf", "wl-rcvd-for.eml", "header", "check_to_in_blocklist", { NULL }, 1 },
    { "wlbl.cf", "wl-resent.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-resent.eml", "header", "check_from_in_blocklist", { NULL }, 0 },
    { "wlbl.cf", "wl-resent.eml", "header", "check_to_in_blocklist", { NULL }, 1 },
    { "wlbl.cf", "wl-resent.eml", "header", "check_to_in_more_spam", { NULL }, 0 },
    { "wlbl.cf", "wl-list-bank.eml", "header", "check_from_in_list", { "BANKS" }, 1 },
    { "wlbl.cf", "wl-list-bank.eml", "header", "check_from_in_list", { "PARTNERS" }, 0 },
    { "wlbl.cf", "wl-list-bank.eml", "header", "check_replyto_in_list", { "PARTNERS" }, 1 },
    { "wlbl.cf", "wl-list-bank.eml", "header", "check_replyto_in_list", { "BANKS" }, 0 },
    { "wlbl.cf", "wl-list-bank.eml", "header", "check_from_in_list", { "NOSUCHLIST" }, 0 },
    { "wlbl.cf", "wl-list-bank.eml", "header", "check_from_in_list", { "welcomelist_from" }, 0 },
    { "wlbl.cf", "wl-from-exact.eml", "header", "check_from_in_list", { "welcomelist_from" }, 1 },
    { "wlbl.cf", "wl-list-replyto.eml", "header", "check_replyto_in_list", { "PARTNERS" }, 0 },
    { "wlbl.cf", "wl-list-replyto.eml", "header", "check_to_in_list", { "PARTNERS" }, 1 },
    { "wlbl.cf", "wl-list-bank.eml", "header", "check_to_in_list", { "PARTNERS" }, 0 },
    { "wlbl.cf", "wl-uri-bad.eml", "header", "check_uri_host_listed", { "BADHOSTS" }, 1 },
    { "wlbl.cf", "wl-uri-bad.eml", "body", "check_uri_host_in_blocklist", { NULL }, 1 },
    { "wlbl.cf", "wl-uri-bad.eml", "body", "check_uri_host_in_blacklist", { NULL }, 1 },
    { "wlbl.cf", "wl-uri-bad.eml", "body", "check_uri_host_in_welcomelist", { NULL }, 0 },
    { "wlbl.cf", "wl-uri-negated.eml", "header", "check_uri_host_listed", { "BADHOSTS" }, 0 },
    { "wlbl.cf", "wl-uri-negated.eml", "body", "check_uri_host_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-uri-negated.eml", "body", "check_uri_host_in_whitelist", { NULL }, 1 },
    { "wlbl.cf", "wl-uri-negated.eml", "body", "check_uri_host_in_blocklist", { NULL }, 0 },
    { "wlbl.cf", "wl-uri-mailto.eml", "header", "check_uri_host_listed", { "BADHOSTS" }, 0 },
    { "wlbl.cf", "wl-uri-bad.eml", "header", "check_uri_host_listed", { "NOSUCHLIST" }, 0 },
    { "wlbl.cf", "wl-subject-welcome.eml", "header", "check_subject_in_welcomelist", { NULL }, 1 },
    { "wlbl.cf", "wl-subject-welcome.eml", "header", "check_subject_in_whitelist", { NULL }, 1 },
    { "wlbl.cf", "wl-subject-welcome.eml", "header", "check_subject_in_blocklist", { NULL }, 0 },
    { "wlbl.cf", "wl-subject-block.eml", "header", "check_subject_in_blocklist", { NULL }, 1 },
    { "wlbl.cf", "wl-subject-block.eml", "header", "check_subject_in_blacklist", { NULL }, 1 },
    { "wlbl.cf", "wl-subject-inner.eml", "header", "check_subject_in_blocklist", { NULL }, 1 },
    { "wlbl.cf", "wl-subject-inner.eml", "header", "check_subject_in_welcomelist", { NULL }, 0 },
    { "wlbl-more.cf", "wl-rcvd-v6.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl-more.cf", "wl-rcvd-v6.eml", "header", "check_forged_in_welcomelist", { NULL }, 0 },
    { "wlbl-more.cf", "wl-rcvd-v6.eml", "header", "check_replyto_in_list", { "PARTNERS" }, 0 },
    { "wlbl-more.cf", "wl-rcvd-v6.eml", "header", "check_uri_host_listed", { "IPS" }, 1 },
    { "wlbl-more.cf", "wl-rcvd-v6.eml", "header", "check_uri_host_listed", { "ORDER" }, 0 },
    { "wlbl-more.cf", "wl-rcvd-v6.eml", "body", "check_uri_host_in_blocklist", { NULL }, 0 },
    { "wlbl-more.cf", "wl-uri-bad.eml", "body", "check_uri_host_in_blocklist", { NULL }, 1 },
    { "wlbl-more.cf", "wl-rcvd-v6.eml", "header", "check_subject_in_blocklist", { NULL }, 0 },
    { "wlbl-more.cf", "wl-rcvd-nordns.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl-more.cf", "wl-rcvd-net-out.eml", "header", "check_forged_in_welcomelist", { NULL }, 1 },
    { "wlbl-more.cf", "wl-from-glob.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl-more.cf", "wl-from-two.eml", "header", "check_from_in_welcomelist", { NULL }, 1 },
    { "wlbl-more.cf", "wl-from-glob-sub.eml", "header", "check_from_in_welcomelist", { NULL }, 0 },
    /* the BLOCK list is one list, whichever directive writes to it */
    { "wlbl-order.cf", "wl-uri-bad.eml", "body", "check_uri_host_in_blocklist", { NULL }, 1 },
    { "wlbl-order.cf", "wl-uri-bad.eml", "header", "check_uri_host_listed", { "BLOCK" }, 1 },
    { "wlbl-order2.cf", "wl-uri-bad.eml", "body", "check_uri_host_in_blocklist", { NULL }, 0 },
    { "wlbl-delist.cf", "wl-uri-bad.eml", "body", "check_uri_host_in_blocklist", { NULL }, 0 },
};

START_TEST(wlbl_gives_spamassassins_answers)
{
    conf_case_check(sa_eval_wlbl_defs, sa_eval_wlbl_ndefs, &wlbl_cases[_i]);
}
END_TEST

START_TEST(wlbl_table_is_sane)
{
    eval_defs_sane(sa_eval_wlbl_defs, sa_eval_wlbl_ndefs);
}
END_TEST

static Suite *
sa_eval_wlbl_suite(void)
{
    Suite *s = suite_create("sa_eval_wlbl");
    TCase *tc = tcase_create("sa_eval_wlbl");

    tcase_add_unchecked_fixture(tc, ctx_setup, ctx_teardown);
    tcase_add_loop_test(tc, wlbl_gives_spamassassins_answers, 0, NCASES(wlbl_cases));
    tcase_add_test(tc, wlbl_table_is_sane);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(sa_eval_wlbl_suite());
}
