/*
 * test_worker_milter.c - the proxy worker's configuration: the SMTP
 * replies as written (code, enhanced code, text, and what is left out),
 * and the checks siftd_cfg_load runs on workers.proxy (file:line errors).
 */
#include "daemon/worker_milter.h"

#include <stdio.h>
#include <string.h>

#include "daemon/siftd_cfg.h"

#include "../unit.h"

static const struct {
    const char *in;
    char cls;
    const char *code, *xcode, *text; /* NULL code: an error */
} reply_cases[] = {
    { "554 5.7.1 Spam message rejected", '5', "554", "5.7.1", "Spam message rejected" },
    { "Spam message rejected", '5', "554", "5.7.1", "Spam message rejected" },
    { "550 No spam here", '5', "550", "5.7.1", "No spam here" },
    { "550 5.7.0 No spam, 100% sure", '5', "550", "5.7.0", "No spam, 100% sure" },
    { "451 4.7.1 Try again later", '4', "451", "4.7.1", "Try again later" },
    { "421 Closing", '4', "421", "4.7.1", "Closing" },
    { "5.7.1 text", '5', "554", "5.7.1", "5.7.1 text" }, /* no code: all of it is text */
    { "451 4.7.1 Try later", '5', NULL, NULL, NULL },    /* a 4xx where a 5xx is due */
    { "554 4.7.1 mixed", '5', NULL, NULL, NULL },        /* the classes differ */
    { "554 5.7.1", '5', NULL, NULL, NULL },              /* no text */
    { "", '5', NULL, NULL, NULL },
};

START_TEST(smtp_replies_are_parsed)
{
    struct milter_smtp_reply r;
    struct sift_err err = { 0 };
    int rc = milter_smtp_reply_parse(reply_cases[_i].in, reply_cases[_i].cls,
                                     reply_cases[_i].cls == '5' ? "554" : "451",
                                     reply_cases[_i].cls == '5' ? "5.7.1" : "4.7.1", &r, &err);

    if (reply_cases[_i].code == NULL) {
        ck_assert_int_eq(rc, -1);
        ck_assert(err.msg[0] != '\0');
        return;
    }
    ck_assert_msg(rc == 0, "%s: %s", reply_cases[_i].in, err.msg);
    ck_assert_str_eq(r.code, reply_cases[_i].code);
    ck_assert_str_eq(r.xcode, reply_cases[_i].xcode);
    ck_assert_str_eq(r.text, reply_cases[_i].text);
}
END_TEST

static char dir[PATH_MAX];
static char main_path[PATH_MAX + 16];

static void
setup(void)
{
    unit_tmpdir(dir);
    snprintf(main_path, sizeof(main_path), "%s/sift.yaml", dir);
}

static void
teardown(void)
{
    unit_rmtree(dir);
}

static const struct milter_worker_cfg *
proxy_cfg(const struct siftd_cfg *sc)
{
    for (size_t i = 0; i < sc->nworkers; i++) {
        if (strcmp(sc->workers[i].name, "proxy") == 0)
            return sc->workers[i].proto;
    }
    ck_abort_msg("no proxy worker");
    return NULL;
}

START_TEST(the_defaults_are_rspamds)
{
    struct siftd_cfg *sc = NULL;
    struct sift_err err;
    const struct milter_worker_cfg *mc;
    struct ipaddr a;

    unit_write(dir, "sift.yaml", "workers:\n  proxy: {}\n");
    if (siftd_cfg_load(main_path, NULL, 0, &sc, &err) == -1)
        ck_abort_msg("unexpected error: %s", err.msg);
    ck_assert_str_eq(sc->workers[0].bind_socket.v[0], "127.0.0.1:11332");
    ck_assert_uint_ge(sc->workers[0].max_conns, 100);
    mc = proxy_cfg(sc);
    ck_assert_str_eq(mc->reject.code, "554");
    ck_assert_str_eq(mc->reject.xcode, "5.7.1");
    ck_assert_str_eq(mc->reject.text, "Spam message rejected");
    ck_assert_str_eq(mc->tempfail.code, "451");
    ck_assert_str_eq(mc->spam_header, "X-Spam");
    ck_assert_uint_eq(mc->remove_headers.n, 6);
    ck_assert(!mc->extended_spam_headers && !mc->discard_on_reject);
    ck_assert_int_eq(mc->default_action, MILTER_DEFAULT_ACCEPT);
    ck_assert_int_eq(mc->greylist_action, MILTER_GREYLIST_TEMPFAIL);
    ck_assert(ipaddr_parse(strv_cstr("::1"), &a) && ipset_contains(&mc->secure, &a));
    ck_assert(ipaddr_parse(strv_cstr("192.0.2.1"), &a) && !ipset_contains(&mc->secure, &a));
    ck_assert(mc->session_timeout >= 300.0);
    siftd_cfg_free(&sc);
}
END_TEST

static const struct {
    const char *yaml, *want;
} bad_cases[] = {
    { "workers:\n  proxy:\n    reject_message: \"451 4.7.1 no\"\n",
      "sift.yaml:3:21: workers.proxy.reject_message: '451 4.7.1 no': the code must be 5xx" },
    { "workers:\n  proxy:\n    secure_ip: [10.0.0.0/8, nonsense]\n",
      "sift.yaml:3:29: workers.proxy.secure_ip: 'nonsense'" },
    { "workers:\n  proxy:\n    spam_header: \"X Spam\"\n",
      "sift.yaml:3:18: workers.proxy.spam_header: 'X Spam' is not a header name" },
    { "workers:\n  proxy:\n    authenticated_settings_id: outbound\n",
      "sift.yaml:3:32: workers.proxy.authenticated_settings_id: no block 'outbound' in the "
      "settings section" },
};

START_TEST(bad_keys_name_their_place)
{
    struct siftd_cfg *sc = NULL;
    struct sift_err err;
    const char *rel;

    unit_write(dir, "sift.yaml", bad_cases[_i].yaml);
    ck_assert_int_eq(siftd_cfg_load(main_path, NULL, 0, &sc, &err), -1);
    rel = strstr(err.msg, "sift.yaml");
    ck_assert_msg(rel != NULL && strncmp(rel, bad_cases[_i].want, strlen(bad_cases[_i].want)) == 0,
                  "got: %s", err.msg);
}
END_TEST

START_TEST(a_settings_id_that_exists_is_taken)
{
    struct siftd_cfg *sc = NULL;
    struct sift_err err;

    unit_write(dir, "sift.yaml",
               "settings:\n  outbound: { actions: { reject: 50 } }\n"
               "workers:\n  proxy: { authenticated_settings_id: outbound }\n");
    if (siftd_cfg_load(main_path, NULL, 0, &sc, &err) == -1)
        ck_abort_msg("unexpected error: %s", err.msg);
    ck_assert_str_eq(proxy_cfg(sc)->authenticated_settings_id, "outbound");
    ck_assert_ptr_null(proxy_cfg(sc)->secure_ip_settings_id);
    siftd_cfg_free(&sc);
}
END_TEST

static Suite *
worker_milter_suite(void)
{
    Suite *s = suite_create("worker_milter");
    TCase *tc = tcase_create("replies");
    TCase *cfg = tcase_create("config");

    tcase_add_loop_test(tc, smtp_replies_are_parsed, 0,
                        (int)(sizeof(reply_cases) / sizeof(reply_cases[0])));
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(cfg, setup, teardown);
    tcase_add_test(cfg, the_defaults_are_rspamds);
    tcase_add_loop_test(cfg, bad_keys_name_their_place, 0,
                        (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(cfg, a_settings_id_that_exists_is_taken);
    suite_add_tcase(s, cfg);
    return s;
}

int
main(void)
{
    return unit_run(worker_milter_suite());
}
