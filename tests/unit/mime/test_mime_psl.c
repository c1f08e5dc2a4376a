/*
 * test_mime_psl.c - the public suffix list: parsing (comments, wildcards,
 * exceptions, Unicode rules), TLDs, and the registered domain of a host
 * by the publicsuffix.org algorithm, on a small list and on the shipped
 * data/public_suffix_list.dat (under $SIFT_SRCDIR, or the current
 * directory, the repository root under `make check`).
 * The registered-domain table follows the algorithm's published test
 * vectors; the comments give SpamAssassin's trim_domain (scripts/sa-urls.pl
 * --host) where its util_rb_2tld/3tld lists answer differently.
 */
#include "mime/mime_url.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "../unit.h"

static struct mime_psl *psl;

static void
psl_path(char *path, size_t size)
{
    const char *dir = getenv("SIFT_SRCDIR");

    snprintf(path, size, "%s/data/public_suffix_list.dat", dir != NULL ? dir : ".");
}

static void
psl_setup(void)
{
    char path[PATH_MAX];
    struct sift_err err;

    psl_path(path, sizeof(path));
    if (mime_psl_load(path, &psl, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
}

static void
psl_teardown(void)
{
    mime_psl_free(&psl);
}

/* --- a small list ------------------------------------------------------------ */

static const char small_list[] = "// comment line\n"
                                 "\n"
                                 "com\n"
                                 "co.uk   trailing words are ignored\n"
                                 "uk\r\n"
                                 "  *.ck\n"
                                 "!www.ck\n"
                                 "\xe4\xb8\xad\xe5\x9b\xbd\n"    /* 中国 */
                                 "\xe5\x85\xac\xe5\x8f\xb8.cn\n" /* 公司.cn */
                                 "// ===BEGIN PRIVATE DOMAINS===\n"
                                 "blogspot.com\n"
                                 "*.kobe.jp\n"
                                 "!city.kobe.jp";

struct reg_case {
    const char *host, *want;
};

static const struct reg_case small_cases[] = {
    { "example.com", "example.com" },
    { "a.b.example.com", "example.com" },
    { "com", "" },
    { "www.example.co.uk", "example.co.uk" },
    { "co.uk", "" },
    { "foo.ck", "" }, /* *.ck: foo.ck is a suffix */
    { "a.foo.ck", "a.foo.ck" },
    { "www.ck", "www.ck" }, /* !www.ck: the exception is registrable */
    { "x.www.ck", "www.ck" },
    { "ck", "" },         /* a TLD with only "*.ck" is still a TLD */
    { "xn--fiqs8s", "" }, /* 中国, read as Unicode, looked up as ACE */
    { "a.xn--fiqs8s", "a.xn--fiqs8s" },
    { "b.xn--55qx5d.cn", "b.xn--55qx5d.cn" }, /* 公司.cn */
    { "xn--55qx5d.cn", "" },
    { "cn", "" }, /* cn is a TLD only through 公司.cn */
    { "foo.blogspot.com", "foo.blogspot.com" },
    { "c.kobe.jp", "" },
    { "city.kobe.jp", "city.kobe.jp" },
    { "example.org", "" }, /* no such TLD in this list */
};

START_TEST(small_list_registered_domains)
{
    const struct reg_case *c = &small_cases[_i];
    struct mime_psl *p = mime_psl_parse(small_list, sizeof(small_list) - 1);
    struct arena *a = arena_new(1024);
    struct strv d = mime_psl_registered_domain(a, p, strv_cstr(c->host));

    ck_assert_uint_eq(d.len, strlen(c->want));
    ck_assert_mem_eq(d.p, c->want, d.len);
    arena_free(&a);
    mime_psl_free(&p);
    ck_assert_ptr_null(p);
}
END_TEST

START_TEST(small_list_tlds)
{
    struct mime_psl *p = mime_psl_parse(small_list, sizeof(small_list) - 1);

    ck_assert(mime_psl_is_tld(p, STRV_LIT("com")));
    ck_assert(mime_psl_is_tld(p, STRV_LIT("COM")));
    ck_assert(mime_psl_is_tld(p, STRV_LIT("uk")));
    ck_assert(mime_psl_is_tld(p, STRV_LIT("ck")));
    ck_assert(mime_psl_is_tld(p, STRV_LIT("jp")));
    ck_assert(mime_psl_is_tld(p, STRV_LIT("xn--fiqs8s")));
    ck_assert(mime_psl_is_tld(p, STRV_LIT("cn")));
    ck_assert(!mime_psl_is_tld(p, STRV_LIT("co.uk")));
    ck_assert(!mime_psl_is_tld(p, STRV_LIT("org")));
    ck_assert(!mime_psl_is_tld(p, STRV_LIT("")));
    ck_assert(!mime_psl_is_tld(p, STRV_LIT("comment")));
    ck_assert(!mime_psl_is_tld(p, STRV_LIT("words")));
    ck_assert(!mime_psl_is_tld(p, strv_make("com", 2)));
    mime_psl_free(&p);
}
END_TEST

START_TEST(empty_and_junk_lists_find_nothing)
{
    static const char *const lists[] = { "", "// only a comment\n", "\n\n\n", "!\n*.\n*\n" };

    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        struct mime_psl *p = mime_psl_parse(lists[i], strlen(lists[i]));
        struct arena *a = arena_new(1024);

        ck_assert(!mime_psl_is_tld(p, STRV_LIT("com")));
        ck_assert_uint_eq(mime_psl_registered_domain(a, p, STRV_LIT("www.example.com")).len, 0);
        arena_free(&a);
        mime_psl_free(&p);
    }
    mime_psl_free(&psl); /* NULL is fine */
}
END_TEST

/* --- the shipped list ------------------------------------------------------ */

static const struct reg_case file_cases[] = {
    { "example.com", "example.com" },
    { "a.b.example.com", "example.com" },
    { "biz", "" },    /* SA: biz */
    { "uk.com", "" }, /* SA: uk.com */
    { "example.uk.com", "example.uk.com" },
    { "c.kobe.jp", "" },              /* SA: c.kobe.jp */
    { "b.c.kobe.jp", "b.c.kobe.jp" }, /* SA: c.kobe.jp */
    { "city.kobe.jp", "city.kobe.jp" },
    { "www.city.kobe.jp", "city.kobe.jp" },
    { "test.ac", "test.ac" },
    { "jp", "" }, /* SA: jp */
    { "test.jp", "test.jp" },
    { "ac.jp", "" }, /* SA: ac.jp */
    { "test.ac.jp", "test.ac.jp" },
    { "kyoto.jp", "" }, /* SA: kyoto.jp */
    { "test.kyoto.jp", "test.kyoto.jp" },
    { "ide.kyoto.jp", "" },                 /* SA: ide.kyoto.jp */
    { "b.ide.kyoto.jp", "b.ide.kyoto.jp" }, /* SA: ide.kyoto.jp */
    { "ck", "" },                           /* SA: ck */
    { "test.ck", "" },                      /* SA: test.ck */
    { "b.test.ck", "b.test.ck" },           /* SA: test.ck */
    { "www.ck", "www.ck" },
    { "www.www.ck", "www.ck" },
    { "us", "" }, /* SA: us */
    { "test.us", "test.us" },
    { "ak.us", "" }, /* SA: ak.us */
    { "test.ak.us", "test.ak.us" },
    { "k12.ak.us", "" }, /* SA: k12.ak.us */
    { "test.k12.ak.us", "test.k12.ak.us" },
    { "xn--85x722f.com.cn", "xn--85x722f.com.cn" },
    { "xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s" },
    { "www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s" },
    { "shishi.xn--fiqs8s", "shishi.xn--fiqs8s" },
    { "xn--fiqs8s", "" }, /* SA: xn--fiqs8s */
    { "foo.blogspot.com", "foo.blogspot.com" },
    { "blogspot.com", "" }, /* SA: blogspot.com */
    { "WWW.Example.CO.UK", "example.co.uk" },
    { "www..example.com.", "example.com" },
    { ".example.com", "example.com" },
    { "1.2.3.4", "1.2.3.4" },           /* SA: 3.4 */
    { "example.zz", "" },               /* SA: example.zz */
    { "foo.sch.uk", "" },               /* SA: foo.sch.uk */
    { "a.foo.sch.uk", "a.foo.sch.uk" }, /* SA: foo.sch.uk */
};

START_TEST(file_registered_domains)
{
    const struct reg_case *c = &file_cases[_i];
    struct arena *a = arena_new(1024);
    struct strv d = mime_psl_registered_domain(a, psl, strv_cstr(c->host));

    ck_assert_uint_eq(d.len, strlen(c->want));
    ck_assert_mem_eq(d.p, c->want, d.len);
    arena_free(&a);
}
END_TEST

/* TLDs the ICANN section lists, in ASCII and Unicode form */
START_TEST(file_tlds)
{
    static const char *const yes[] = { "com",    "uk",       "de",       "jp",         "ck",   "bd",
                                       "museum", "xn--p1ai", "XN--P1AI", "xn--fiqs8s", "onion" };
    static const char *const no[] = { "zz", "localhost", "co.uk", "com.", "c", "wed" };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        ck_assert_msg(mime_psl_is_tld(psl, strv_cstr(yes[i])), "%s", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        ck_assert_msg(!mime_psl_is_tld(psl, strv_cstr(no[i])), "%s", no[i]);
}
END_TEST

/* The host is a view: bytes past it do not count. */
START_TEST(file_host_is_a_view)
{
    struct arena *a = arena_new(1024);
    struct strv d = mime_psl_registered_domain(a, psl, strv_make("www.example.com.evil", 15));

    ck_assert(strv_eq(d, "example.com"));
    arena_free(&a);
}
END_TEST

START_TEST(load_reports_errors)
{
    struct mime_psl *p = (struct mime_psl *)1;
    struct sift_err err;
    char dir[PATH_MAX], path[PATH_MAX + 32];

    ck_assert_int_eq(mime_psl_load("/nonexistent/psl.dat", &p, &err), -1);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/psl.dat"));
    unit_tmpdir(dir);
    unit_write(dir, "empty.dat", "// nothing\n");
    snprintf(path, sizeof(path), "%s/empty.dat", dir);
    ck_assert_int_eq(mime_psl_load(path, &p, &err), -1);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(err.msg, "no rules"));
    unit_write(dir, "one.dat", "com\n");
    ck_assert_int_eq(mime_psl_load(path, &p, &err), -1);
    snprintf(path, sizeof(path), "%s/one.dat", dir);
    ck_assert_int_eq(mime_psl_load(path, &p, &err), 0);
    ck_assert(mime_psl_is_tld(p, STRV_LIT("com")));
    mime_psl_free(&p);
    unit_rmtree(dir);
}
END_TEST

#define N(t) ((int)(sizeof(t) / sizeof((t)[0])))

static Suite *
psl_suite(void)
{
    Suite *s = suite_create("mime_psl");
    TCase *small = tcase_create("small");
    TCase *file = tcase_create("file");

    tcase_add_loop_test(small, small_list_registered_domains, 0, N(small_cases));
    tcase_add_test(small, small_list_tlds);
    tcase_add_test(small, empty_and_junk_lists_find_nothing);
    tcase_add_test(small, load_reports_errors);
    suite_add_tcase(s, small);
    tcase_add_unchecked_fixture(file, psl_setup, psl_teardown);
    tcase_set_timeout(file, 60);
    tcase_add_loop_test(file, file_registered_domains, 0, N(file_cases));
    tcase_add_test(file, file_tlds);
    tcase_add_test(file, file_host_is_a_view);
    suite_add_tcase(s, file);
    return s;
}

int
main(void)
{
    return unit_run(psl_suite());
}
