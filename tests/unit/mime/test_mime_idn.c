/*
 * test_mime_idn.c - host names as SpamAssassin 4.0.1 checks them:
 * Util::idn_to_ascii (libidn2, UTS #46 non-transitional; Latin-1 octets,
 * alternative dots, garbage), Util::is_fqdn_valid(host, 1) and
 * Constants::IS_IP_ADDRESS. Every expectation was produced by SpamAssassin
 * itself (scripts/sa-urls.pl --host and --ip).
 */
#include "mime/mime_url.h"

#include <stdbool.h>
#include <string.h>

#include "core/arena.h"
#include "../unit.h"

struct host_case {
    const char *in;
    size_t len;
    const char *idn; /* idn_to_ascii */
    bool fqdn;       /* is_fqdn_valid(idn_to_ascii(in), 1) */
};

static const struct host_case host_cases[] = {
    { "Example.COM", 11, "example.com", true },
    { "b\303\274cher.de", 10, "xn--bcher-kva.de", true },
    { "B\303\234CHER.de", 10, "xn--bcher-kva.de", true },
    { "b\374cher.de", 9, "xn--bcher-kva.de", true },
    { "a\343\200\202b.com", 9, "a.b.com", true },
    { "a\357\274\216b.com", 9, "a.b.com", true },
    { "a\357\275\241b.com", 9, "a.b.com", true },
    { "a\357\271\222b.com", 9, "a.b.com", true },
    { "a\342\200\244b.com", 9, "a.b.com", true },
    { "xn--bcher-kva.de", 16, "xn--bcher-kva.de", true },
    { "\377\376.com", 6, "\377\376.com", false },
    { "EX\377AMPLE.com", 12, "ex\377ample.com", false },
    { "Foo Bar.com", 11, "foo bar.com", false },
    { "", 0, "", false },
    { "a\000b.com", 7, "a", false },
    { "fa\303\237.de", 7, "xn--fa-hia.de", true },
    { "\342\230\203.com", 7, "\342\230\203.com", false },
    { "_dmarc.example.com", 18, "_dmarc.example.com", true },
    { "-a.com", 6, "-a.com", false },
    { "a-.com", 6, "a-.com", false },
    { "a..b.com", 8, "a..b.com", false },
    { "a.b.c.", 6, "a.b.c.", true },
    { "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com", 68,
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com", false },
    { "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com", 67,
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com", true },
    { "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.com",
      257,
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.com",
      false },
    { "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.com",
      255,
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.com",
      false },
    { "com", 3, "com", false },
    { "a.com\012", 6, "a.com\012", true },
    { "foo.co_m", 8, "foo.co_m", false },
    { "sub_d.foo.com", 13, "sub_d.foo.com", true },
    { "[1.2.3.4]", 9, "[1.2.3.4]", false },
    { "1.2.3.4", 7, "1.2.3.4", true },
    { "\303\251.fr", 5, "xn--9ca.fr", true },
    { "\303\211T\303\211.fr", 8, "xn--t-9fab.fr", true },
};

START_TEST(idn_to_ascii_like_sa)
{
    const struct host_case *c = &host_cases[_i];
    struct arena *a = arena_new(1024);
    struct strv out = mime_idn_to_ascii(a, strv_make(c->in, c->len));

    ck_assert_uint_eq(out.len, strlen(c->idn));
    ck_assert_mem_eq(out.p, c->idn, out.len);
    arena_free(&a);
}
END_TEST

START_TEST(fqdn_valid_like_sa)
{
    const struct host_case *c = &host_cases[_i];
    struct arena *a = arena_new(1024);

    ck_assert_int_eq(mime_fqdn_valid(mime_idn_to_ascii(a, strv_make(c->in, c->len))), c->fqdn);
    arena_free(&a);
}
END_TEST

/* is_fqdn_valid itself lower-cases; and reads only its view */
START_TEST(fqdn_valid_on_views)
{
    ck_assert(mime_fqdn_valid(STRV_LIT("WWW.Example.COM")));
    ck_assert(mime_fqdn_valid(STRV_LIT("example.com...")));
    ck_assert(!mime_fqdn_valid(STRV_LIT("...")));
    ck_assert(!mime_fqdn_valid(strv_make("example.com", 7)));
    ck_assert(mime_fqdn_valid(strv_make("example.com!", 11)));
    ck_assert(!mime_fqdn_valid(strv_make(NULL, 0)));
}
END_TEST

struct ip_case {
    const char *in;
    size_t len;
    bool ip;
};

static const struct ip_case ip_cases[] = {
    { "1.2.3.4", 7, true },
    { "::1", 3, true },
    { "IPv6:::1", 8, true },
    { "ipv6:1::2", 9, true },
    { "1.2.3", 5, false },
    { "256.1.1.1", 9, false },
    { "01.2.3.4", 8, false },
    { "1:2:3:4:5:6:7:8", 15, true },
    { "1:2:3:4:5:6:7::", 15, true },
    { "::ffff:1.2.3.4", 14, true },
    { "1::2::3", 7, false },
    { "[::1]", 5, false },
    { "abcd::", 6, true },
    { "1:2:3:4:5:6:7:8:9", 17, false },
    { "1:2:3:4:5:6:1.2.3.4", 19, true },
    { "1::1.2.3.4", 10, true },
    { "12345::", 7, false },
    { "::", 2, true },
    { ":::", 3, false },
    { "1.2.3.4\012", 8, true },
    { "0.0.0.0", 7, true },
    { "255.255.255.255", 15, true },
    { "1:2:3:4:5::1.2.3.4", 18, true },
    { "fe80::1%eth0", 12, false },
    { "", 0, false },
};

START_TEST(ip_address_like_sa)
{
    const struct ip_case *c = &ip_cases[_i];

    ck_assert_int_eq(mime_ip_is_address(strv_make(c->in, c->len)), c->ip);
}
END_TEST

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))

static Suite *
idn_suite(void)
{
    Suite *s = suite_create("mime_idn");
    TCase *tc = tcase_create("idn");

    tcase_add_loop_test(tc, idn_to_ascii_like_sa, 0, N(host_cases));
    tcase_add_loop_test(tc, fqdn_valid_like_sa, 0, N(host_cases));
    tcase_add_test(tc, fqdn_valid_on_views);
    tcase_add_loop_test(tc, ip_address_like_sa, 0, N(ip_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(idn_suite());
}
