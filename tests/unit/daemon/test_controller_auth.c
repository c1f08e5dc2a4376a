/*
 * test_controller_auth.c - the controller's auth decisions as a table:
 * secure_ip, trusted proxies and forwarded addresses, the two password
 * levels, plain and argon2id passwords, q1/q2, the failed-password limit,
 * and the ?password= query parameter.
 */
#include "daemon/controller_auth.h"

#include <sodium.h>
#include <string.h>

#include "../unit.h"

enum { NOPW = 0, PW = 1, EN = 2, BOTH = 3 };

static void
cfg_make(struct ctl_auth_cfg *c, int which, bool hashed, const char *secure, const char *proxies)
{
    static char hread[crypto_pwhash_STRBYTES], hwrite[crypto_pwhash_STRBYTES];

    memset(c, 0, sizeof(*c));
    ipset_init(&c->secure);
    ipset_init(&c->proxies);
    if (secure != NULL)
        ck_assert_int_eq(ipset_add(&c->secure, secure, NULL), 0);
    if (proxies != NULL)
        ck_assert_int_eq(ipset_add(&c->proxies, proxies, NULL), 0);
    if (hashed) { /* the cheapest argon2id: a unit test need not be slow */
        ck_assert_int_eq(crypto_pwhash_str(hread, "readpw", 6, crypto_pwhash_OPSLIMIT_MIN,
                                           crypto_pwhash_MEMLIMIT_MIN),
                         0);
        ck_assert_int_eq(crypto_pwhash_str(hwrite, "writepw", 7, crypto_pwhash_OPSLIMIT_MIN,
                                           crypto_pwhash_MEMLIMIT_MIN),
                         0);
    }
    if (which & PW) {
        c->password = hashed ? hread : "readpw";
        ck_assert_int_eq(ctl_password_kind(c->password, &c->password_kind, NULL), 0);
    }
    if (which & EN) {
        c->enable_password = hashed ? hwrite : "writepw";
        ck_assert_int_eq(ctl_password_kind(c->enable_password, &c->enable_kind, NULL), 0);
    }
}

static void
cfg_clear(struct ctl_auth_cfg *c)
{
    ipset_clear(&c->secure);
    ipset_clear(&c->proxies);
}

static const struct {
    const char *name;
    int which;          /* passwords configured */
    const char *secure; /* secure_ip (one entry), NULL: [] */
    const char *proxy;  /* trusted_proxies (one entry), NULL: [] */
    const char *peer;
    const char *xff; /* X-Forwarded-For, or NULL */
    const char *pw;  /* Password header, or NULL */
    const char *query;
    enum ctl_level level;
    enum ctl_auth_status want;
    bool read_only;
    const char *client;
} cases[] = {
    { "secure ip needs nothing", BOTH, "127.0.0.1", NULL, "127.0.0.1:5000", NULL, NULL, "",
      CTL_WRITE, CTL_AUTH_OK, false, "127.0.0.1" },
    { "unix socket needs nothing", BOTH, "127.0.0.1", NULL, "unix", NULL, NULL, "", CTL_WRITE,
      CTL_AUTH_OK, false, "unix" },
    { "outside secure ip, no password: 401", BOTH, "127.0.0.1", NULL, "10.0.0.1:5000", NULL, NULL,
      "", CTL_READ, CTL_AUTH_UNAUTHORIZED, false, "10.0.0.1" },
    { "empty password header: 401", BOTH, "127.0.0.1", NULL, "10.0.0.1:5000", NULL, "", "",
      CTL_READ, CTL_AUTH_UNAUTHORIZED, false, "10.0.0.1" },
    { "read password reads, read-only", BOTH, "127.0.0.1", NULL, "10.0.0.1:5000", NULL, "readpw",
      "", CTL_READ, CTL_AUTH_OK, true, "10.0.0.1" },
    { "enable password reads, read-write", BOTH, "127.0.0.1", NULL, "10.0.0.1:5000", NULL,
      "writepw", "", CTL_READ, CTL_AUTH_OK, false, "10.0.0.1" },
    { "enable password writes", BOTH, NULL, NULL, "10.0.0.1:5000", NULL, "writepw", "", CTL_WRITE,
      CTL_AUTH_OK, false, "10.0.0.1" },
    { "read password cannot write: 401", BOTH, NULL, NULL, "10.0.0.1:5000", NULL, "readpw", "",
      CTL_WRITE, CTL_AUTH_UNAUTHORIZED, false, "10.0.0.1" },
    { "wrong password: 403", BOTH, NULL, NULL, "10.0.0.1:5000", NULL, "nope", "", CTL_READ,
      CTL_AUTH_FORBIDDEN, false, "10.0.0.1" },
    { "wrong password to write: 403", BOTH, NULL, NULL, "10.0.0.1:5000", NULL, "nope", "",
      CTL_WRITE, CTL_AUTH_FORBIDDEN, false, "10.0.0.1" },
    { "q1 is refused: 401", BOTH, NULL, NULL, "10.0.0.1:5000", NULL, "q1", "", CTL_READ,
      CTL_AUTH_UNAUTHORIZED, false, "10.0.0.1" },
    { "password in the query", BOTH, NULL, NULL, "10.0.0.1:5000", NULL, NULL,
      "a=b&password=write%70w&c", CTL_WRITE, CTL_AUTH_OK, false, "10.0.0.1" },
    { "the header wins over the query", BOTH, NULL, NULL, "10.0.0.1:5000", NULL, "readpw",
      "password=writepw", CTL_READ, CTL_AUTH_OK, true, "10.0.0.1" },
    { "only password: it writes too (legacy)", PW, NULL, NULL, "10.0.0.1:5000", NULL, "readpw", "",
      CTL_WRITE, CTL_AUTH_OK, false, "10.0.0.1" },
    { "only password: reads read-write", PW, NULL, NULL, "10.0.0.1:5000", NULL, "readpw", "",
      CTL_READ, CTL_AUTH_OK, false, "10.0.0.1" },
    { "only enable_password: reads open without secure_ip", EN, NULL, NULL, "10.0.0.1:5000", NULL,
      NULL, "", CTL_READ, CTL_AUTH_OK, true, "10.0.0.1" },
    { "only enable_password: writing needs it", EN, NULL, NULL, "10.0.0.1:5000", NULL, NULL, "",
      CTL_WRITE, CTL_AUTH_UNAUTHORIZED, false, "10.0.0.1" },
    { "nothing set, no secure_ip: all open", NOPW, NULL, NULL, "10.0.0.1:5000", NULL, NULL, "",
      CTL_WRITE, CTL_AUTH_OK, false, "10.0.0.1" },
    { "nothing set, secure_ip set: outsiders refused", NOPW, "127.0.0.1", NULL, "10.0.0.1:5000",
      NULL, NULL, "", CTL_READ, CTL_AUTH_UNAUTHORIZED, false, "10.0.0.1" },
    { "nothing set, a password given: nothing to match", NOPW, "127.0.0.1", NULL, "10.0.0.1:5000",
      NULL, "x", "", CTL_READ, CTL_AUTH_FORBIDDEN, false, "10.0.0.1" },
    { "trusted proxy, secure client", BOTH, "192.0.2.1", "127.0.0.1", "127.0.0.1:5000",
      "198.51.100.7, 192.0.2.1", NULL, "", CTL_WRITE, CTL_AUTH_OK, false, "192.0.2.1" },
    { "trusted proxy, outside client needs a password", BOTH, "127.0.0.1", "127.0.0.1",
      "127.0.0.1:5000", "192.0.2.1", NULL, "", CTL_READ, CTL_AUTH_UNAUTHORIZED, false,
      "192.0.2.1" },
    { "untrusted peer's forwarded address is ignored", BOTH, "192.0.2.1", NULL, "10.0.0.1:5000",
      "192.0.2.1", NULL, "", CTL_READ, CTL_AUTH_UNAUTHORIZED, false, "10.0.0.1" },
    { "a secure peer forwarding for someone needs a password", BOTH, "127.0.0.1", NULL,
      "127.0.0.1:5000", "192.0.2.1", NULL, "", CTL_READ, CTL_AUTH_UNAUTHORIZED, false,
      "127.0.0.1" },
    { "... and it may give one", BOTH, "127.0.0.1", NULL, "127.0.0.1:5000", "192.0.2.1", "readpw",
      "", CTL_READ, CTL_AUTH_OK, true, "127.0.0.1" },
    { "IPv6 peer in secure_ip", BOTH, "::1", NULL, "[::1]:5000", NULL, NULL, "", CTL_WRITE,
      CTL_AUTH_OK, false, "::1" },
    { "open endpoints need nothing", BOTH, NULL, NULL, "10.0.0.1:5000", NULL, NULL, "", CTL_OPEN,
      CTL_AUTH_OK, false, "10.0.0.1" },
};

static void
run_case(int i, bool hashed)
{
    struct ctl_auth_cfg cfg;
    struct ctl_auth *a = ctl_auth_new();
    struct strv xff = strv_cstr(cases[i].xff ? cases[i].xff : "");
    struct strv pw = strv_cstr(cases[i].pw ? cases[i].pw : "");
    struct ctl_auth_req r = {
        .peer = cases[i].peer,
        .forwarded_for = cases[i].xff ? &xff : NULL,
        .password = cases[i].pw ? &pw : NULL,
        .query = strv_cstr(cases[i].query),
        .level = cases[i].level,
    };
    struct ctl_auth_res res;

    cfg_make(&cfg, cases[i].which, hashed, cases[i].secure, cases[i].proxy);
    for (int round = 0; round < 2; round++) { /* the second time from the verified cache */
        ctl_auth_check(a, &cfg, &r, 100.0, &res);
        ck_assert_msg(res.status == cases[i].want, "%s (%s): status %d, want %d (%s)",
                      cases[i].name, hashed ? "hashed" : "plain", res.status, cases[i].want,
                      res.why);
        ck_assert_msg(res.status != CTL_AUTH_OK || res.read_only == cases[i].read_only,
                      "%s: read_only %d", cases[i].name, res.read_only);
        ck_assert_str_eq(res.client, cases[i].client);
    }
    ctl_auth_free(&a);
    ck_assert_ptr_null(a);
    cfg_clear(&cfg);
}

START_TEST(decisions_with_plain_passwords)
{
    run_case(_i, false);
}
END_TEST

START_TEST(decisions_with_hashed_passwords)
{
    run_case(_i, true);
}
END_TEST

START_TEST(five_wrong_passwords_lock_a_client_out_for_a_minute)
{
    struct ctl_auth_cfg cfg;
    struct ctl_auth *a = ctl_auth_new();
    struct strv bad = STRV_LIT("nope"), good = STRV_LIT("writepw");
    struct ctl_auth_req r = { .peer = "10.0.0.1:5000", .password = &bad, .level = CTL_READ };
    struct ctl_auth_req other = { .peer = "10.0.0.2:5000", .password = &good, .level = CTL_READ };
    struct ctl_auth_res res;

    cfg_make(&cfg, BOTH, false, NULL, NULL);
    for (int i = 0; i < 5; i++) {
        ctl_auth_check(a, &cfg, &r, 100.0 + i, &res);
        ck_assert_int_eq(res.status, CTL_AUTH_FORBIDDEN);
    }
    ctl_auth_check(a, &cfg, &r, 110.0, &res);
    ck_assert_int_eq(res.status, CTL_AUTH_LIMITED);
    ck_assert_uint_eq(res.retry_after, 50);
    r.password = &good; /* not even the right one is checked now */
    ctl_auth_check(a, &cfg, &r, 120.0, &res);
    ck_assert_int_eq(res.status, CTL_AUTH_LIMITED);
    ctl_auth_check(a, &cfg, &other, 120.0, &res); /* another client is not concerned */
    ck_assert_int_eq(res.status, CTL_AUTH_OK);
    ctl_auth_check(a, &cfg, &r, 160.5, &res); /* the minute from the first failure is over */
    ck_assert_int_eq(res.status, CTL_AUTH_OK);
    ctl_auth_free(&a);
    cfg_clear(&cfg);
}
END_TEST

START_TEST(configured_passwords_are_classified)
{
    static const struct {
        const char *pw;
        int rc;
        enum ctl_pw_kind kind;
    } pws[] = {
        { NULL, 0, CTL_PW_NONE },
        { "", 0, CTL_PW_NONE },
        { "secret", 0, CTL_PW_PLAIN },
        { "$notahash", 0, CTL_PW_PLAIN },
        { "q1", -1, CTL_PW_NONE },
        { "q2", -1, CTL_PW_NONE },
        { "$argon2id$v=19$m=65536,t=2,p=1$garbage", -1, CTL_PW_NONE },
        { "$1$abcdef$ghijkl", -1, CTL_PW_NONE },
        { "$2$abcdef$ghijkl", -1, CTL_PW_NONE },
    };
    char hash[crypto_pwhash_STRBYTES];
    enum ctl_pw_kind kind;
    struct sift_err err;

    for (size_t i = 0; i < sizeof(pws) / sizeof(pws[0]); i++) {
        ck_assert_msg(ctl_password_kind(pws[i].pw, &kind, &err) == pws[i].rc, "%s",
                      pws[i].pw ? pws[i].pw : "(null)");
        if (pws[i].rc == 0)
            ck_assert_int_eq(kind, pws[i].kind);
    }
    ck_assert_int_eq(ctl_password_kind("q1", &kind, &err), -1);
    ck_assert(strstr(err.msg, "example password") != NULL);
    ck_assert_int_eq(sodium_init() >= 0, 1);
    ck_assert_int_eq(
        crypto_pwhash_str(hash, "pw", 2, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN),
        0);
    ck_assert_int_eq(ctl_password_kind(hash, &kind, &err), 0);
    ck_assert_int_eq(kind, CTL_PW_HASH);
}
END_TEST

START_TEST(query_parameters_are_decoded)
{
    char out[16];

    ck_assert(ctl_query_param(STRV_LIT("password=a%20b+c"), "password", out, sizeof(out)));
    ck_assert_str_eq(out, "a b c");
    ck_assert(ctl_query_param(STRV_LIT("x=1&password="), "password", out, sizeof(out)));
    ck_assert_str_eq(out, "");
    ck_assert(!ctl_query_param(STRV_LIT("passwords=1&apassword=2"), "password", out, sizeof(out)));
    ck_assert(ctl_query_param(STRV_LIT("password=%zz%4"), "password", out, sizeof(out)));
    ck_assert_str_eq(out, "%zz%4"); /* a broken escape is taken as it is */
    ck_assert(ctl_query_param(STRV_LIT("password=0123456789abcdefXYZ"), "password", out, 8));
    ck_assert_str_eq(out, "0123456");
}
END_TEST

static Suite *
controller_auth_suite(void)
{
    Suite *s = suite_create("controller_auth");
    TCase *tc = tcase_create("core");
    int n = (int)(sizeof(cases) / sizeof(cases[0]));

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, decisions_with_plain_passwords, 0, n);
    tcase_add_loop_test(tc, decisions_with_hashed_passwords, 0, n);
    tcase_add_test(tc, five_wrong_passwords_lock_a_client_out_for_a_minute);
    tcase_add_test(tc, configured_passwords_are_classified);
    tcase_add_test(tc, query_parameters_are_decoded);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(controller_auth_suite());
}
