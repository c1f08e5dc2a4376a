/*
 * test_mime_ctx.c - the `mime` configuration section and the parsing
 * context built from it: defaults, trust networks, bad values, clearing.
 * The defaults are SpamAssassin 4.0.1's where it has one (its 1000 parts
 * per multipart, 20 levels, body_part_scan_size 50000,
 * rawbody_part_scan_size 500000 in Conf.pm; originating_ip_headers in the
 * order of the shipped 10_default_prefs.cf).
 */
#include "mime/mime_ctx.h"

#include <string.h>

#include "core/arena.h"
#include "core/cfg_keys.h"
#include "core/err.h"
#include "core/ipnet.h"
#include "mime/mime_url.h"

#include "../unit.h"

/* the suffix list, relative to the repository root where `make check` runs */
#define TEST_PSL  "data/public_suffix_list.dat"
#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static struct arena *cfg_arena;
static struct mime_cfg mc;

static void
cfg_setup(void)
{
    struct cfg_ctx cc = { 0 };
    struct sift_err err;

    cfg_arena = arena_new(4096);
    cc.arena = cfg_arena;
    cc.dbdir = "/tmp";
    cc.confdir = "/tmp";
    ck_assert_int_eq(cfg_fill(&cc, "mime", NULL, mime_cfg_keys, mime_cfg_nkeys, &mc, &err), 0);
    mc.public_suffix_list = TEST_PSL;
}

static void
cfg_teardown(void)
{
    arena_free(&cfg_arena);
}

static bool
contains(const struct ipset *s, const char *ip)
{
    struct ipaddr a;

    ck_assert(ipaddr_parse(strv_cstr(ip), &a));
    return ipset_contains(s, &a);
}

static void
set_list(struct cfg_strlist *l, const char **v, size_t n)
{
    l->v = v;
    l->n = n;
}

START_TEST(defaults_build_a_context)
{
    static const char *const headers[] = {
        "X-Yahoo-Post-IP",   "X-Originating-IP",
        "X-Apparently-From", "X-SenderIP",
        "X-AOL-IP",          "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp",
    };
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;
    struct arena *a = arena_new(4096);

    ck_assert_int_eq(mime_ctx_init(&ctx, &st, &mc, &err), 0);
    ck_assert_uint_eq(ctx.lim.max_parts, 10000);
    ck_assert_uint_eq(ctx.lim.max_multipart_parts, 1000);
    ck_assert_uint_eq(ctx.lim.max_depth, 20);
    ck_assert_uint_eq(ctx.lim.max_headers, 10000);
    ck_assert_uint_eq(ctx.lim.body_part_scan_size, 50000);
    ck_assert_uint_eq(ctx.lim.rawbody_part_scan_size, 500000);
    ck_assert_ptr_nonnull(ctx.cs);
    ck_assert_ptr_nonnull(ctx.psl);
    ck_assert_ptr_nonnull(ctx.rcvd);
    /* no networks configured: SA infers trust */
    ck_assert_ptr_null(ctx.trusted_networks);
    ck_assert_ptr_null(ctx.internal_networks);
    ck_assert_ptr_null(ctx.msa_networks);
    ck_assert_ptr_null(ctx.envelope_sender_header);
    ck_assert_uint_eq(ctx.noriginating_ip_headers, NCASES(headers));
    for (size_t i = 0; i < NCASES(headers); i++)
        ck_assert_str_eq(ctx.originating_ip_headers[i], headers[i]);
    /* the suffix list is loaded */
    ck_assert(mime_psl_is_tld(ctx.psl, STRV_LIT("com")));
    ck_assert(!mime_psl_is_tld(ctx.psl, STRV_LIT("notatld")));
    {
        struct strv d = mime_psl_registered_domain(a, ctx.psl, STRV_LIT("www.example.co.uk"));

        ck_assert_uint_eq(d.len, strlen("example.co.uk"));
        ck_assert_mem_eq(d.p, "example.co.uk", d.len);
    }
    mime_ctx_clear(&ctx, &st);
    ck_assert_ptr_null(ctx.cs);
    ck_assert_ptr_null(ctx.psl);
    ck_assert_ptr_null(st.psl);
    ck_assert_ptr_null(st.rcvd);
    ck_assert_ptr_null(st.headers);
    arena_free(&a);
}
END_TEST

START_TEST(networks_and_settings_are_taken)
{
    const char *trusted[] = { "10.0.0.0/8", "192.0.2.1" };
    const char *internal[] = { "10.0.0.0/8" };
    const char *msa[] = { "203.0.113.0/24" };
    const char *headers[] = { "X-Client-IP" };
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;

    set_list(&mc.trusted_networks, trusted, 2);
    set_list(&mc.internal_networks, internal, 1);
    set_list(&mc.msa_networks, msa, 1);
    set_list(&mc.originating_ip_headers, headers, 1);
    mc.envelope_sender_header = "X-Envelope-Sender";
    mc.lim.max_depth = 5;
    ck_assert_int_eq(mime_ctx_init(&ctx, &st, &mc, &err), 0);
    ck_assert_ptr_nonnull(ctx.trusted_networks);
    ck_assert_ptr_nonnull(ctx.internal_networks);
    ck_assert_ptr_nonnull(ctx.msa_networks);
    ck_assert(contains(ctx.trusted_networks, "10.1.2.3"));
    ck_assert(contains(ctx.trusted_networks, "192.0.2.1"));
    ck_assert(!contains(ctx.trusted_networks, "192.0.2.2"));
    ck_assert(contains(ctx.internal_networks, "10.9.9.9"));
    ck_assert(!contains(ctx.internal_networks, "192.0.2.1"));
    ck_assert(contains(ctx.msa_networks, "203.0.113.77"));
    ck_assert(!contains(ctx.msa_networks, "10.1.2.3"));
    ck_assert_uint_eq(ctx.noriginating_ip_headers, 1);
    ck_assert_str_eq(ctx.originating_ip_headers[0], "X-Client-IP");
    ck_assert_str_eq(ctx.envelope_sender_header, "X-Envelope-Sender");
    ck_assert_uint_eq(ctx.lim.max_depth, 5);
    mime_ctx_clear(&ctx, &st);
}
END_TEST

/* A bad entry in each network list: -1, an error naming the key and the
 * value, and nothing left to free (ASan checks the last part). */
static const struct {
    int which; /* 0 trusted, 1 internal, 2 msa */
    const char *value, *key;
} bad_net_cases[] = {
    { 0, "not-a-net", "mime.trusted_networks" },
    { 1, "10.0.0.0/99", "mime.internal_networks" },
    { 2, "300.1.1.1", "mime.msa_networks" },
    { 0, "10.0.0.9-10.0.0.1", "mime.trusted_networks" },
};

START_TEST(bad_network_is_a_clear_error)
{
    const char *good[] = { "192.0.2.0/24" };
    const char *bad[] = { bad_net_cases[_i].value };
    struct cfg_strlist *lists[] = { &mc.trusted_networks, &mc.internal_networks, &mc.msa_networks };
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;

    memset(&err, 0, sizeof(err));
    /* the lists before the bad one are good: their sets must be freed too */
    for (int i = 0; i < bad_net_cases[_i].which; i++)
        set_list(lists[i], good, 1);
    set_list(lists[bad_net_cases[_i].which], bad, 1);
    ck_assert_int_eq(mime_ctx_init(&ctx, &st, &mc, &err), -1);
    ck_assert_msg(strstr(err.msg, bad_net_cases[_i].key) != NULL, "'%s' lacks the key", err.msg);
    ck_assert_msg(strstr(err.msg, bad_net_cases[_i].value) != NULL, "'%s' lacks the value",
                  err.msg);
    ck_assert_ptr_null(ctx.cs);
    ck_assert_ptr_null(st.psl);
    ck_assert_ptr_null(st.rcvd);
    ck_assert_ptr_null(st.headers);
    ck_assert_uint_eq(st.trusted.n, 0);
    ck_assert_uint_eq(st.internal.n, 0);
    ck_assert_uint_eq(st.msa.n, 0);
}
END_TEST

START_TEST(missing_suffix_list_is_an_error)
{
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;

    memset(&err, 0, sizeof(err));
    mc.public_suffix_list = "/nonexistent/sift-test/public_suffix_list.dat";
    ck_assert_int_eq(mime_ctx_init(&ctx, &st, &mc, &err), -1);
    ck_assert_msg(strstr(err.msg, "/nonexistent/sift-test/public_suffix_list.dat") != NULL,
                  "'%s' lacks the path", err.msg);
    ck_assert_ptr_null(ctx.cs);
    ck_assert_ptr_null(st.psl);
}
END_TEST

START_TEST(clear_twice_is_harmless)
{
    const char *trusted[] = { "10.0.0.0/8" };
    struct mime_ctx ctx;
    struct mime_ctx_storage st;
    struct sift_err err;

    set_list(&mc.trusted_networks, trusted, 1);
    ck_assert_int_eq(mime_ctx_init(&ctx, &st, &mc, &err), 0);
    mime_ctx_clear(&ctx, &st);
    mime_ctx_clear(&ctx, &st);
    ck_assert_ptr_null(ctx.cs);
    ck_assert_ptr_null(ctx.trusted_networks);
    ck_assert_ptr_null(st.trusted.v);
    ck_assert_uint_eq(st.trusted.n, 0);
    /* and it can be built again */
    ck_assert_int_eq(mime_ctx_init(&ctx, &st, &mc, &err), 0);
    ck_assert_ptr_nonnull(ctx.trusted_networks);
    mime_ctx_clear(&ctx, &st);
}
END_TEST

START_TEST(every_key_has_help_and_a_name)
{
    ck_assert_uint_eq(mime_cfg_nkeys, 12);
    for (size_t i = 0; i < mime_cfg_nkeys; i++) {
        ck_assert_ptr_nonnull(mime_cfg_keys[i].name);
        ck_assert_ptr_nonnull(mime_cfg_keys[i].help);
        ck_assert_uint_gt(strlen(mime_cfg_keys[i].help), 10);
    }
}
END_TEST

static Suite *
mime_ctx_suite(void)
{
    Suite *s = suite_create("mime_ctx");
    TCase *tc = tcase_create("mime_ctx");

    tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
    tcase_add_test(tc, defaults_build_a_context);
    tcase_add_test(tc, networks_and_settings_are_taken);
    tcase_add_loop_test(tc, bad_network_is_a_clear_error, 0, NCASES(bad_net_cases));
    tcase_add_test(tc, missing_suffix_list_is_an_error);
    tcase_add_test(tc, clear_twice_is_harmless);
    tcase_add_test(tc, every_key_has_help_and_a_name);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_ctx_suite());
}
