/*
 * test_scan_match_shrink.c - the smaller pattern the Hyperscan pass gets
 * for SA's look-alike letters: byte-only branches become [\x80-\xff]+,
 * the high bytes leave a class that is a whole branch, numeric character
 * references become one; everything else (look-arounds, captures, /x,
 * other groups) stays as written. The result must match wherever the
 * pattern does: checked with PCRE2 on texts made of the branches.
 */
#include <stdlib.h>
#include <string.h>

#include "../unit.h"

#include "scan/scan_match_int.h"
#include "scan/scan_rule.h"

static const struct {
    const char *in;
    unsigned flags;
    const char *out; /* NULL: left as it is */
} cases[] = {
    /* a letter and its look-alikes */
    { "(?:[eE3\\xe8]|\\xc3[\\xa8-\\xab]|\\xc4[\\x93\\x95])x", 0, "(?:[eE3]|[\\x80-\\xff]+)x" },
    /* nested, quantified, possibly empty */
    { "a(?:b|(?:\\xc3\\xa9)?)c", 0, "a(?:b|[\\x80-\\xff]*)c" },
    { "(?:o|[\\xf0\\xD0][\\x9d](?:[\\x90][\\x8e\\xa8]|[\\x91][\\x82]))+", 0,
      "(?:o|[\\x80-\\xff]+)+" },
    /* character references by number go with them */
    { "(?:[cC]|&#(?:23[12]|x3f2);|\\xc3\\xa7)", 0, "(?:[cC]|&#x?[0-9a-fA-F]+;|[\\x80-\\xff]+)" },
    /* a range stays; a class that is not a whole branch stays */
    { "(?:[a\\x80-\\x85]|\\xc3\\xa9)", 0, "(?:[a\\x80-\\x85]|[\\x80-\\xff]+)" },
    { "(?:x[a\\xe9]|\\xc3\\xa9)", 0, "(?:x[a\\xe9]|[\\x80-\\xff]+)" },
    /* nothing to do: NULL */
    { "plain(?:a|b)", 0, NULL },
    { "(?:\\xc3\\xa9)", SCAN_RE_X, NULL },
    { "\\Q\\xc3\\E|\\xc3", 0, NULL },
    /* look-arounds and captures are copied, not entered */
    { "(?!\\xc3|a)(\\xc3|b)(?:\\xc4|c)", 0, "(?!\\xc3|a)(\\xc3|b)(?:c|[\\x80-\\xff]+)" },
    /* top level */
    { "\\xc3\\xa9|abc", 0, "abc|[\\x80-\\xff]+" },
    /* an open class is not understood */
    { "(?:[ab|\\xc3)", 0, NULL },
};

START_TEST(shrinks_as_planned)
{
    char *got = scan_match_shrink(cases[_i].in, cases[_i].flags);

    if (cases[_i].out == NULL)
        ck_assert_msg(got == NULL, "%s: got %s", cases[_i].in, got);
    else
        ck_assert_msg(got != NULL && strcmp(got, cases[_i].out) == 0, "%s: got %s, want %s",
                      cases[_i].in, got ? got : "(null)", cases[_i].out);
    free(got);
}
END_TEST

static bool
matches(const char *re, const char *text, size_t len)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *c =
        pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_NEVER_UTF, &code, &off, NULL);
    pcre2_match_data *md;
    int rc;

    ck_assert_msg(c != NULL, "%s does not compile", re);
    md = pcre2_match_data_create_from_pattern(c, NULL);
    rc = pcre2_match(c, (PCRE2_SPTR)text, len, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(c);
    return rc >= 0;
}

/* What the pattern matches, the shrunk one matches too. */
START_TEST(shrunk_matches_at_least_as_much)
{
    static const char *const texts[] = {
        "x3x",
        "\xc3\xa9x",
        "\xc4\x93x",
        "ac",
        "a\xc3\xa9"
        "c",
        "abc",
        "\xf0\x9d\x90\x8e",
        "&#231;",
        "&#x3f2;",
        "\xc3\xa7",
        "xa",
        "\x82",
        "b",
        "\xc4",
        "zz",
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = scan_match_shrink(cases[i].in, cases[i].flags);

        if (got == NULL)
            continue;
        for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
            if (matches(cases[i].in, texts[t], strlen(texts[t])))
                ck_assert_msg(matches(got, texts[t], strlen(texts[t])),
                              "%s matches text %zu, %s does not", cases[i].in, t, got);
        }
        free(got);
    }
}
END_TEST

static Suite *
scan_match_shrink_suite(void)
{
    Suite *s = suite_create("scan_match_shrink");
    TCase *tc = tcase_create("scan_match_shrink");

    tcase_add_loop_test(tc, shrinks_as_planned, 0, sizeof(cases) / sizeof(cases[0]));
    tcase_add_test(tc, shrunk_matches_at_least_as_much);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(scan_match_shrink_suite());
}
