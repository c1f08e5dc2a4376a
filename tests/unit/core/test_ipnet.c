/*
 * test_ipnet.c - addresses (parsing, RFC 5952 text, private and loopback
 * ranges) and network sets in SpamAssassin's syntax. The membership
 * expectations marked "SA" came from Mail::SpamAssassin::NetSet 4.0.1
 * (without Net::Patricia, as Debian installs it): add_cidr then contains_ip.
 */
#include "core/ipnet.h"

#include <stdbool.h>
#include <string.h>

#include "../unit.h"

static const struct {
    const char *in;
    bool ok, v4;
    const char *str; /* ipaddr_str of the result */
} parse_cases[] = {
    { "1.2.3.4", true, true, "1.2.3.4" },
    { "0.0.0.0", true, true, "0.0.0.0" },
    { "255.255.255.255", true, true, "255.255.255.255" },
    { "[192.0.2.1]", true, true, "192.0.2.1" },
    { "::1", true, false, "::1" },
    { "[::1]", true, false, "::1" },
    { "::", true, false, "::" },
    { "IPv6:2001:db8::1", true, false, "2001:db8::1" },
    { "[IPv6:2001:DB8::1]", true, false, "2001:db8::1" },
    { "ipv6:::1", true, false, "::1" },
    { "2001:DB8:0:0:8:800:200C:417A", true, false, "2001:db8::8:800:200c:417a" },
    { "1:2:3:4:5:6:7:8", true, false, "1:2:3:4:5:6:7:8" },
    { "1::", true, false, "1::" },
    { "::ffff:192.0.2.1", true, false, "::ffff:192.0.2.1" },
    { "::ffff:c000:201", true, false, "::ffff:192.0.2.1" },
    { "64:ff9b::192.0.2.1", true, false, "64:ff9b::c000:201" },
    { "::192.0.2.1", true, false, "::c000:201" },
    { "fe80::1%eth0", true, false, "fe80::1" },
    { "2001:db8:0:0:1:0:0:1", true, false, "2001:db8::1:0:0:1" }, /* the first longest run */
    { "2001:0:0:1:0:0:0:1", true, false, "2001:0:0:1::1" },
    { "2001:db8:0:1:1:1:1:1", true, false, "2001:db8:0:1:1:1:1:1" }, /* one zero: no "::" */
    { "", false, false, NULL },
    { "1.2.3", false, false, NULL },
    { "1.2.3.4.", false, false, NULL },
    { "1.2.3.256", false, false, NULL },
    { "01.2.3.4", false, false, NULL }, /* leading zeros are refused, as inet_pton does */
    { "1.2.3.4 ", false, false, NULL },
    { "1.2.3.-4", false, false, NULL },
    { "1:2:3:4:5:6:7:8:9", false, false, NULL },
    { "1:2:3:4:5:6:7", false, false, NULL },
    { "1::2::3", false, false, NULL },
    { ":1", false, false, NULL },
    { "1:", false, false, NULL },
    { "12345::", false, false, NULL },
    { "g::1", false, false, NULL },
    { "1:2:3:4:5:6:7:1.2.3.4", false, false, NULL },
    { "fe80::1%", false, false, NULL },
    { "[::1", false, false, NULL },
    { "localhost", false, false, NULL },
};

START_TEST(parse_and_print)
{
    struct ipaddr a;
    char buf[64];
    bool ok = ipaddr_parse(strv_cstr(parse_cases[_i].in), &a);

    ck_assert_msg(ok == parse_cases[_i].ok, "%s", parse_cases[_i].in);
    if (!ok)
        return;
    ck_assert_int_eq(a.v4, parse_cases[_i].v4);
    ck_assert_str_eq(ipaddr_str(&a, buf, sizeof(buf)), parse_cases[_i].str);
}
END_TEST

START_TEST(parse_reads_only_the_view)
{
    struct ipaddr a;
    char buf[64];

    ck_assert(!ipaddr_parse(strv_make("10.1.2.34", 7), &a)); /* "10.1.2." */
    ck_assert(ipaddr_parse(strv_make("10.1.2.34", 8), &a));
    ck_assert_str_eq(ipaddr_str(&a, buf, sizeof(buf)), "10.1.2.3");
    ck_assert(ipaddr_parse(strv_make("::1xyz", 3), &a));
    ck_assert(ipaddr_is_loopback(&a));
}
END_TEST

START_TEST(ipv4_is_mapped_into_ipv6)
{
    struct ipaddr a, b;
    static const uint8_t want[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 };

    ck_assert(ipaddr_parse(strv_cstr("192.0.2.1"), &a));
    ck_assert(ipaddr_parse(strv_cstr("::ffff:192.0.2.1"), &b));
    ck_assert_mem_eq(a.b, want, 16);
    ck_assert_mem_eq(b.b, want, 16);
}
END_TEST

static const struct {
    const char *ip;
    bool private, loopback;
} range_cases[] = {
    { "10.0.0.1", true, false },
    { "127.0.0.1", true, true },
    { "127.255.0.9", true, true },
    { "169.254.1.1", true, false },
    { "172.16.0.1", true, false },
    { "172.31.255.255", true, false },
    { "172.32.0.1", false, false },
    { "172.15.255.255", false, false },
    { "192.168.9.9", true, false },
    { "192.169.0.1", false, false },
    { "100.64.0.1", true, false },
    { "100.127.255.255", true, false },
    { "100.128.0.1", false, false },
    { "8.8.8.8", false, false },
    { "::1", true, true },
    { "fe80::1", true, false },
    { "febf::1", true, false },
    { "fec0::1", false, false },
    { "fc00::1", false, false }, /* SA leaves unique local addresses out (a TODO there) */
    { "::ffff:10.1.1.1", true, false },
    { "::ffff:127.0.0.1", true, true },
    { "2001:db8::1", false, false },
    { "::", false, false },
};

START_TEST(private_and_loopback_ranges)
{
    struct ipaddr a;

    ck_assert(ipaddr_parse(strv_cstr(range_cases[_i].ip), &a));
    ck_assert_msg(ipaddr_is_private(&a) == range_cases[_i].private, "%s", range_cases[_i].ip);
    ck_assert_msg(ipaddr_is_loopback(&a) == range_cases[_i].loopback, "%s", range_cases[_i].ip);
}
END_TEST

/* Entries (space-separated, added in order), then probes "ip=0|1". */
static const struct {
    const char *nets;
    const char *probes;
} set_cases[] = {
    /* SA: partial dotted quads mean that many octets */
    { "10.", "10.1.2.3=1 11.0.0.1=0" },
    { "10.1", "10.1.200.3=1 10.2.0.1=0" },
    { "10.1.2", "10.1.2.255=1 10.1.3.0=0" },
    { "10.1.2.", "10.1.2.9=1 10.1.3.0=0" },
    { "010.001.2.3", "10.1.2.3=1 10.1.2.4=0" },
    { "10/8", "10.255.255.255=1 9.255.255.255=0" },
    { "10.0.0.0/255.0.0.0", "10.9.8.7=1 11.0.0.0=0" },
    { "192.168.1.77/24", "192.168.1.1=1 192.168.2.1=0" },
    { "172.16.0.0/12", "172.31.255.255=1 172.32.0.0=0" },
    { "1.2.3.4", "1.2.3.4=1 1.2.3.5=0" },
    { "0/0", "1.2.3.4=1 ::1=0 2001:db8::1=0" },
    { "::1", "::1=1 ::2=0 127.0.0.1=0" },
    { "[2001:db8::]/32", "2001:db8:ffff::1=1 2001:db9::1=0 1.2.3.4=0" },
    { "2001:db8::/32", "2001:DB8::1=1 2001:db9::=0" },
    { "fe80::1%eth0", "fe80::1=1 fe80::2=0" },
    { "::ffff:10.0.0.0/104", "10.9.9.9=1 11.0.0.1=0 ::ffff:10.1.1.1=1" },
    { "::/0", "1.2.3.4=1 2001:db8::1=1" },
    /* SA: the first entry that contains the address decides */
    { "!10.0.1.5 10.0.1/24", "10.0.1.5=0 10.0.1.6=1" },
    { "2001:db8:1::1 !2001:db8:1::/64 2001:db8::/32",
      "2001:db8:1::1=1 2001:db8:1::2=0 2001:db8:2::1=1" },
    { "!192.168.0.0/16 10. 192.168.1.1", "192.168.1.1=0 10.0.0.1=1" },
    /* SA: an entry inside an earlier one is dropped, so this exclusion does nothing */
    { "10.0.1/24 !10.0.1.5", "10.0.1.5=1 10.0.1.6=1" },
    /* ranges (SA needs Net::CIDR::Lite for them) */
    { "1.2.3.4-1.2.3.9", "1.2.3.3=0 1.2.3.4=1 1.2.3.9=1 1.2.3.10=0" },
    { "!1.2.3.5-1.2.3.6 1.2.3.0/24", "1.2.3.4=1 1.2.3.5=0 1.2.3.6=0 1.2.3.7=1" },
    { "10.0.0.0-10.255.255.255", "10.0.0.0=1 10.255.255.255=1 11.0.0.0=0 9.255.255.255=0" },
    { "2001:db8::1-2001:db8::ff", "2001:db8::=0 2001:db8::1=1 2001:db8::ff=1 2001:db8::100=0" },
    { "", "1.2.3.4=0 ::1=0" },
};

START_TEST(set_membership)
{
    struct ipset s;
    struct sift_err err;
    char nets[256], probes[256], *save = NULL;

    ipset_init(&s);
    snprintf(nets, sizeof(nets), "%s", set_cases[_i].nets);
    for (char *t = strtok_r(nets, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
        ck_assert_msg(ipset_add(&s, t, &err) == 0, "%s: %s", t, err.msg);
    snprintf(probes, sizeof(probes), "%s", set_cases[_i].probes);
    for (char *t = strtok_r(probes, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(t, '=');
        struct ipaddr a;

        *eq = '\0';
        ck_assert_msg(ipaddr_parse(strv_cstr(t), &a), "%s", t);
        ck_assert_msg(ipset_contains(&s, &a) == (eq[1] == '1'), "%s in %s", t, set_cases[_i].nets);
    }
    ipset_clear(&s);
    ck_assert_ptr_null(s.v);
    ck_assert_uint_eq(s.n, 0);
}
END_TEST

static const char *const bad_nets[] = {
    "300.1.1.1",
    "1.2.3.4/33",
    "::1/129",
    "abc",
    "1.2.3.4.",
    "",
    "!",
    "10.0.0.0/255.0.255.0",
    "1.2.3.4/",
    "1.2.3.4/x",
    "2001:db8::/-1",
    "1.2.3.9-1.2.3.4",
    "1.2.3.4-::1",
    "1.2.3.4-",
    "10..1",
    "localhost",
    "[1.2.3.4",
    "1.2.3.4.5",
};

START_TEST(bad_entries_are_refused)
{
    struct ipset s;
    struct sift_err err = { "" };

    ipset_init(&s);
    ck_assert_int_eq(ipset_add(&s, bad_nets[_i], &err), -1);
    ck_assert_msg(err.msg[0] != '\0', "%s", bad_nets[_i]);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_int_eq(ipset_add(&s, bad_nets[_i], NULL), -1); /* no error buffer is fine */
    ipset_clear(&s);
}
END_TEST

START_TEST(entries_are_stored_masked)
{
    struct ipset s;
    char buf[64];

    ipset_init(&s);
    ck_assert_int_eq(ipset_add(&s, " ! 192.168.1.77/24 ", NULL), 0);
    ck_assert_int_eq(ipset_add(&s, "2001:db8:1:2::1/32", NULL), 0);
    ck_assert_uint_eq(s.n, 2);
    ck_assert(s.v[0].exclude);
    ck_assert_uint_eq(s.v[0].prefix, 96 + 24);
    ck_assert_str_eq(ipaddr_str(&s.v[0].addr, buf, sizeof(buf)), "192.168.1.0");
    ck_assert(!s.v[1].exclude);
    ck_assert_uint_eq(s.v[1].prefix, 32);
    ck_assert_str_eq(ipaddr_str(&s.v[1].addr, buf, sizeof(buf)), "2001:db8::");
    ipset_clear(&s);
}
END_TEST

START_TEST(large_sets_keep_every_entry)
{
    struct ipset s;
    struct ipaddr a;
    char net[32];

    /* SA stops dropping covered entries at 200 (bug 5931); so do we */
    ipset_init(&s);
    for (int i = 0; i < 250; i++) {
        snprintf(net, sizeof(net), "10.%d.0.0/16", i);
        ck_assert_int_eq(ipset_add(&s, net, NULL), 0);
    }
    ck_assert_int_eq(ipset_add(&s, "10.3.0.0/24", NULL), 0);
    ck_assert_uint_eq(s.n, 251);
    ck_assert(ipaddr_parse(strv_cstr("10.249.1.1"), &a));
    ck_assert(ipset_contains(&s, &a));
    ck_assert(ipaddr_parse(strv_cstr("10.250.1.1"), &a));
    ck_assert(!ipset_contains(&s, &a));
    ipset_clear(&s);
}
END_TEST

static Suite *
ipnet_suite(void)
{
    Suite *s = suite_create("ipnet");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, parse_and_print, 0, sizeof(parse_cases) / sizeof(parse_cases[0]));
    tcase_add_test(tc, parse_reads_only_the_view);
    tcase_add_test(tc, ipv4_is_mapped_into_ipv6);
    tcase_add_loop_test(tc, private_and_loopback_ranges, 0,
                        sizeof(range_cases) / sizeof(range_cases[0]));
    tcase_add_loop_test(tc, set_membership, 0, sizeof(set_cases) / sizeof(set_cases[0]));
    tcase_add_loop_test(tc, bad_entries_are_refused, 0, sizeof(bad_nets) / sizeof(bad_nets[0]));
    tcase_add_test(tc, entries_are_stored_masked);
    tcase_add_test(tc, large_sets_keep_every_entry);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(ipnet_suite());
}
