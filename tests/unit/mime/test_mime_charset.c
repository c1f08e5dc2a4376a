/*
 * test_mime_charset.c - charset names and normalisation. The expected
 * names came from Perl's Encode::find_encoding, the expected texts from
 * SpamAssassin 4.0.1's Message::Node::_normalize, run on the same inputs.
 */
#include "mime/mime_charset.h"

#include <string.h>

#include "core/arena.h"

#include "../unit.h"

static const struct {
    const char *label;
    const char *perl; /* NULL: Perl has no such encoding */
} name_cases[] = {
    { "us-ascii", "ascii" },
    { "US-ASCII", "ascii" },
    { "iso-8859-1", "iso-8859-1" },
    { "ISO_8859-1", "iso-8859-1" },
    { "iso8859-1", "iso-8859-1" },
    { "iso_8859_1", "iso-8859-1" },
    { "latin1", "iso-8859-1" },
    { "latin-9", "iso-8859-15" },
    { "l1", NULL },
    { "windows-1252", "cp1252" },
    { "Windows-1250", "cp1250" },
    { "cp1252", "cp1252" },
    { "x-cp1251", "cp1251" },
    { "ibm850", "cp850" },
    { "ms936", "cp936" },
    { "iso-8859-15", "iso-8859-15" },
    { "iso-8859-2", "iso-8859-2" },
    { "koi8-r", "koi8-r" },
    { "KOI8_U", "koi8-u" },
    { "big5", "big5-eten" },
    { "BIG-5", "big5-eten" },
    { "big5hkscs", "big5-hkscs" },
    { "gb2312", "euc-cn" },
    { "GB2312", "euc-cn" },
    { "gb_2312-80", "euc-cn" },
    { "x-gbk", NULL },
    { "gbk", "cp936" },
    { "GBK", "cp936" },
    { "gb18030", NULL },
    { "euc-kr", "euc-kr" },
    { "x-euc-kr", "euc-kr" },
    { "ks_c_5601-1987", "cp949" },
    { "uhc", "cp949" },
    { "x-windows-949", "cp949" },
    { "iso-2022-jp", "iso-2022-jp" },
    { "shift_jis", "shiftjis" },
    { "x-sjis", "shiftjis" },
    { "sjis", "shiftjis" },
    { "euc-jp", "euc-jp" },
    { "x-euc-jp", "euc-jp" },
    { "ujis", "euc-jp" },
    { "utf-8", "utf-8-strict" },
    { "UTF8", "utf8" },
    { "utf8", "utf8" },
    { "x-utf8", NULL },
    { "UTF-16", "UTF-16" },
    { "utf-16le", "UTF-16LE" },
    { "UTF-16BE", "UTF-16BE" },
    { "ucs-2", "UCS-2BE" },
    { "UCS-4", "UTF-32" },
    { "utf-7", "UTF-7" },
    { "unicode-1-1-utf-7", "UTF-7" },
    { "default", NULL },
    { "default_charset", NULL },
    { "3diso-8859-1", NULL },
    { "x-mac-roman", "MacRoman" },
    { "macintosh", "MacRoman" },
    { "MacCE", "MacCentralEurRoman" },
    { "cp850", "cp850" },
    { "tis-620", "iso-8859-11" },
    { "TIS620", "iso-8859-11" },
    { "windows-874", "cp874" },
    { "iso-8859-8-i", NULL },
    { "ansi_x3.4-1968", "ascii" },
    { "ANSI_X3.4-1986", NULL },
    { "us", NULL },
    { "ascii", "ascii" },
    { "iso-646-us", "ascii" },
    { "iso646-us", "ascii" },
    { "646", "ascii" },
    { "C", "ascii" },
    { "iso-10646-1", "UCS-2BE" },
    { "hz-gb-2312", "euc-cn" },
    { "windows-31j", "cp932" },
    { "cp932", "cp932" },
    { "thai", "iso-8859-11" },
    { "greek", "iso-8859-7" },
    { "cyrillic", "iso-8859-5" },
    { "winlatin2", "cp1250" },
    { "de_DE@euro", NULL },
    { "latin10", "iso-8859-16" },
    { "latin11", NULL },
    { "iso-ir-100", NULL },
    { "cp65001", "utf-8-strict" },
    { "en_US.UTF-8", "utf-8-strict" },
    { "x user defined", NULL },
    { "iso_8859-7", "iso-8859-7" },
    { "iso8859_7", "iso-8859-7" },
};

START_TEST(names_resolve_as_perl_encode)
{
    const char *got = mime_charset_canonical(strv_cstr(name_cases[_i].label));

    if (name_cases[_i].perl == NULL)
        ck_assert_msg(got == NULL, "%s: got %s, Perl has none", name_cases[_i].label, got);
    else
        ck_assert_msg(got != NULL && strcmp(got, name_cases[_i].perl) == 0, "%s: got %s, want %s",
                      name_cases[_i].label, got ? got : "(none)", name_cases[_i].perl);
}
END_TEST

static const struct {
    const char *in;
    size_t inlen;
    const char *charset;
    int insist;
    const char *want;
    size_t wantlen;
    int decoded;
} norm_cases[] = {
    { "plain ascii", 11, "us-ascii", 0, "plain ascii", 11, 0 },
    { "plain ascii", 11, "iso-8859-1", 0, "plain ascii", 11, 0 },
    { "plain ascii", 11, "gb2312", 0, "plain ascii", 11, 1 },
    { "caf\xe9"
      " na\xef"
      "ve",
      10, "iso-8859-1", 0,
      "caf\xc3"
      "\xa9"
      " na\xc3"
      "\xaf"
      "ve",
      12, 1 },
    { "caf\xc3"
      "\xa9"
      "",
      5, "iso-8859-1", 0,
      "caf\xc3"
      "\xa9"
      "",
      5, 1 },
    { "caf\xc3"
      "\xa9"
      "",
      5, "us-ascii", 0,
      "caf\xc3"
      "\xa9"
      "",
      5, 1 },
    { "\x93"
      "quoted\x94"
      " \x80"
      "",
      10, "windows-1252", 0,
      "\xe2"
      "\x80"
      "\x9c"
      "quoted\xe2"
      "\x80"
      "\x9d"
      " \xe2"
      "\x82"
      "\xac"
      "",
      16, 1 },
    { "a\x81"
      "b",
      3, "iso-8859-1", 0,
      "a\xef"
      "\xbf"
      "\xbd"
      "b",
      5, 1 },
    { "a\x81"
      "b",
      3, "cp1252", 1,
      "a\xef"
      "\xbf"
      "\xbd"
      "b",
      5, 1 },
    { "\xe9"
      "t\xe9"
      "",
      3, "", 0,
      "\xc3"
      "\xa9"
      "t\xc3"
      "\xa9"
      "",
      5, 1 },
    { "\xe9"
      "t\xe9"
      "",
      3, "default", 0,
      "\xc3"
      "\xa9"
      "t\xc3"
      "\xa9"
      "",
      5, 1 },
    { "\xc4"
      "\xe3"
      "\xba"
      "\xc3"
      "",
      4, "gb2312", 0,
      "\xe4"
      "\xbd"
      "\xa0"
      "\xe5"
      "\xa5"
      "\xbd"
      "",
      6, 1 },
    { "\xa7"
      "A\xa6"
      "n",
      4, "big5", 0,
      "\xe4"
      "\xbd"
      "\xa0"
      "\xe5"
      "\xa5"
      "\xbd"
      "",
      6, 1 },
    { "\xc7"
      "\xd1"
      "\xb1"
      "\xdb"
      "",
      4, "ks_c_5601-1987", 0,
      "\xed"
      "\x95"
      "\x9c"
      "\xea"
      "\xb8"
      "\x80"
      "",
      6, 1 },
    { "\xc7"
      "\xd1"
      "\xb1"
      "\xdb"
      "",
      4, "euc-kr", 0,
      "\xed"
      "\x95"
      "\x9c"
      "\xea"
      "\xb8"
      "\x80"
      "",
      6, 1 },
    { "\xf0"
      "\xd2"
      "\xc9"
      "\xd7"
      "\xc5"
      "\xd4"
      "",
      6, "koi8-r", 0,
      "\xd0"
      "\x9f"
      "\xd1"
      "\x80"
      "\xd0"
      "\xb8"
      "\xd0"
      "\xb2"
      "\xd0"
      "\xb5"
      "\xd1"
      "\x82"
      "",
      12, 1 },
    { "\x1b"
      "$BF|K\x5c"
      "\x1b"
      "(B",
      10, "iso-2022-jp", 0,
      "\xe6"
      "\x97"
      "\xa5"
      "\xe6"
      "\x9c"
      "\xac"
      "",
      6, 1 },
    { "\x1b"
      "$BF|K\x5c"
      "\x1b"
      "(B",
      10, "iso-2022-jp", 1,
      "\xe6"
      "\x97"
      "\xa5"
      "\xe6"
      "\x9c"
      "\xac"
      "",
      6, 1 },
    { "\x82"
      "\xb1"
      "\x82"
      "\xf1"
      "",
      4, "shift_jis", 0,
      "\xe3"
      "\x81"
      "\x93"
      "\xe3"
      "\x82"
      "\x93"
      "",
      6, 1 },
    { "h\x00"
      "i\x00"
      " \x00"
      "",
      6, "utf-16", 0, "hi ", 3, 1 },
    { "\x00"
      "h\x00"
      "i\x00"
      " ",
      6, "utf-16", 0, "hi ", 3, 1 },
    { "\xff"
      "\xfe"
      "h\x00"
      "i\x00"
      "",
      6, "UTF-16", 0,
      "\xc3"
      "\xbf"
      "\xc3"
      "\xbe"
      "h\x00"
      "i\x00"
      "",
      8, 1 },
    { "bad \xff"
      "\xfe"
      " utf8",
      11, "utf-8", 0,
      "bad \xc3"
      "\xbf"
      "\xc3"
      "\xbe"
      " utf8",
      13, 1 },
    { "bad \xff"
      "\xfe"
      " utf8",
      11, "utf-8", 1,
      "bad \xef"
      "\xbf"
      "\xbd"
      "\xef"
      "\xbf"
      "\xbd"
      " utf8",
      15, 1 },
    { "\xe9"
      "\x80"
      "",
      2, "utf-8", 1,
      "\xef"
      "\xbf"
      "\xbd"
      "",
      3, 1 },
    { "x\x9d"
      "y",
      3, "iso-8859-15", 0,
      "x\xc2"
      "\x9d"
      "y",
      4, 1 },
    { "\xa4"
      " euro",
      6, "iso-8859-15", 0,
      "\xe2"
      "\x82"
      "\xac"
      " euro",
      8, 1 },
    { "\xa4"
      " euro",
      6, "iso-8859-15", 1,
      "\xe2"
      "\x82"
      "\xac"
      " euro",
      8, 1 },
    { "\xc1"
      "\xc2"
      "",
      2, "windows-1251", 0,
      "\xd0"
      "\x91"
      "\xd0"
      "\x92"
      "",
      4, 1 },
    { "\xd7"
      "\xd2"
      "",
      2, "gb18030", 0,
      "\xe6"
      "\xbb"
      "\x93"
      "",
      3, 1 },
    { "A\xa0"
      "B",
      3, "us-ascii", 0,
      "A\xc2"
      "\xa0"
      "B",
      4, 1 },
    { "\xff"
      "\xff"
      "",
      2, "x-unknown", 1,
      "\xc3"
      "\xbf"
      "\xc3"
      "\xbf"
      "",
      4, 1 },
    { "\xe4"
      "\xf6"
      "\xfc"
      "",
      3, "x-unknown", 1,
      "\xc3"
      "\xa4"
      "\xc3"
      "\xb6"
      "\xc3"
      "\xbc"
      "",
      6, 1 },
    { "\xe4"
      "\xf6"
      "\xfc"
      "",
      3, "US-ASCII", 1,
      "\xef"
      "\xbf"
      "\xbd"
      "\xef"
      "\xbf"
      "\xbd"
      "\xef"
      "\xbf"
      "\xbd"
      "",
      9, 1 },
};

START_TEST(normalize_as_spamassassin)
{
    struct mime_charset *cs = mime_charset_new();
    struct arena *a = arena_new(4096);
    bool decoded;
    struct strv out =
        mime_charset_normalize(cs, a, strv_make(norm_cases[_i].in, norm_cases[_i].inlen),
                               strv_cstr(norm_cases[_i].charset), norm_cases[_i].insist, &decoded);

    ck_assert_uint_eq(out.len, norm_cases[_i].wantlen);
    ck_assert_mem_eq(out.p, norm_cases[_i].want, out.len);
    ck_assert_int_eq(decoded, norm_cases[_i].decoded);
    arena_free(&a);
    mime_charset_free(&cs);
    ck_assert_ptr_null(cs);
}
END_TEST

static const struct {
    const char *s;
    bool valid;
} utf8_cases[] = {
    { "ascii", true },
    { "caf\xc3\xa9", true },
    { "\xe2\x82\xac", true },
    { "\xf0\x9f\x98\x80", true },
    { "\xc0\xaf", false },
    { "\xe0\x80\xaf", false },
    { "\xed\xa0\x80", false },
    { "\xf4\x90\x80\x80", false },
    { "\xc3", false },
    { "\xff", false },
    /* noncharacters: Encode's strict UTF-8 refuses them */
    { "\xef\xbf\xbe", false },
    { "\xef\xb7\x90", false },
    { "\xf0\x9f\xbf\xbf", false },
};

START_TEST(utf8_validity)
{
    ck_assert_int_eq(mime_utf8_valid(utf8_cases[_i].s, strlen(utf8_cases[_i].s)),
                     utf8_cases[_i].valid);
}
END_TEST

START_TEST(converters_are_reused)
{
    struct mime_charset *cs = mime_charset_new();
    struct arena *a = arena_new(4096);
    bool d;

    for (int i = 0; i < 200; i++) { /* more charsets than the cache holds, many times */
        static const char *const sets[] = { "koi8-r",     "gb2312",    "big5",
                                            "euc-kr",     "shift_jis", "iso-8859-2",
                                            "iso-8859-5", "cp850",     "windows-1251" };
        struct strv out =
            mime_charset_normalize(cs, a, STRV_LIT("\xc1\xc2"), strv_cstr(sets[i % 9]), false, &d);

        ck_assert_uint_gt(out.len, 0);
    }
    arena_free(&a);
    mime_charset_free(&cs);
}
END_TEST

static Suite *
mime_charset_suite(void)
{
    Suite *s = suite_create("mime_charset");
    TCase *tc = tcase_create("mime_charset");

    tcase_add_loop_test(tc, names_resolve_as_perl_encode, 0,
                        sizeof(name_cases) / sizeof(name_cases[0]));
    tcase_add_loop_test(tc, normalize_as_spamassassin, 0,
                        sizeof(norm_cases) / sizeof(norm_cases[0]));
    tcase_add_loop_test(tc, utf8_validity, 0, sizeof(utf8_cases) / sizeof(utf8_cases[0]));
    tcase_add_test(tc, converters_are_reused);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_charset_suite());
}
