/*
 * test_mime_codec.c - transfer decodings. The expected bytes came from
 * SpamAssassin 4.0.1's own Util::qp_decode and Util::base64_decode run on
 * the same inputs.
 */
#include "mime/mime_codec.h"

#include <string.h>

#include "core/arena.h"

#include "../unit.h"

struct codec_case {
    const char *in;
    size_t inlen;
    const char *want;
    size_t wantlen;
};

static const struct codec_case qp_cases[] = {
    { "plain", 5, "plain", 5 },
    { "a=3Db", 5, "a=b", 3 },
    { "soft=\x0a"
      "break",
      11, "softbreak", 9 },
    { "soft=\x0d"
      "\x0a"
      "break",
      12, "softbreak", 9 },
    { "trail  \x0a"
      "x",
      9,
      "trail\x0a"
      "x",
      7 },
    { "trail \x09"
      "\x0d"
      "\x0a"
      "x",
      10,
      "trail\x0d"
      "\x0a"
      "x",
      8 },
    { "eq= \x0a"
      "x",
      6, "eqx", 3 },
    { "eq=\x0d"
      "  \x0a"
      "x",
      8, "eqx", 3 },
    { "=41=42=43", 9, "ABC", 3 },
    { "bad=ZZ", 6, "bad=ZZ", 6 },
    { "=3", 2, "=3", 2 },
    { "end=", 4, "end=", 4 },
    { "==41", 4, "=A", 2 },
    { "=3D41", 5, "=41", 3 },
    { "lower=e9", 8,
      "lower\xe9"
      "",
      6 },
    { "a \x0d"
      " \x0a"
      "b",
      6,
      "a \x0d"
      "\x0a"
      "b",
      5 },
    { "x=\x0a"
      "=\x0a"
      "y",
      6, "xy", 2 },
    { "tab\x09"
      "=\x0a"
      "",
      6,
      "tab\x09"
      "",
      4 },
    { "=\x0a"
      "",
      2, "", 0 },
};

/* found in the corpus: a line of '=' before an empty line */
static const struct codec_case qp_extra[] = {
    { "==\n\nThe", 7, "=\nThe", 5 },
    { "x=\n=\n\ny", 7, "x\ny", 3 },
};

static const struct codec_case b64_cases[] = {
    { "aGVsbG8=", 8, "hello", 5 },
    { "aGVsbG8", 7, "hello", 5 },
    { "aGVs\x0a"
      "bG8=\x0a"
      "",
      10, "hello", 5 },
    { "aGVsbG8gd29ybGQ=", 16, "hello world", 11 },
    { "aGVs=bG8=", 9,
      "hel\xfd"
      "\xb1"
      "\xbc"
      "",
      6 },
    { "aG Vs bG8 =", 11, "hello", 5 },
    { "aGVsbG8===", 10, "hello", 5 },
    { "a", 1, "", 0 },
    { "ab", 2, "i", 1 },
    { "abc", 3,
      "i\xb7"
      "",
      2 },
    { "abcd", 4,
      "i\xb7"
      "\x1d"
      "",
      3 },
    { "!!aGVs!!bG8!!", 13, "hello", 5 },
    { "aGVsbG8=aGVs", 12,
      "hello\x00"
      "hel",
      9 },
    { "aGVs bG8=\x0d"
      "\x0a"
      "\x0d"
      "\x0a"
      "More",
      17,
      "hello\x00"
      "2\x8a"
      "\xde"
      "",
      9 },
    { "====", 4, "", 0 },
    { "=", 1, "", 0 },
    { "YQ==YQ==", 8,
      "a\x00"
      "\x00"
      "a",
      4 },
    { "Y=Q=", 4,
      "`\x04"
      "",
      2 },
    { "--boundary--\x0a"
      "aGVsbG8=",
      21,
      "n\x8b"
      "\xa7"
      "u\xaa"
      "\xf2"
      "hello",
      11 },
    { "QUJD\x00"
      "REVG",
      9, "ABCDEF", 6 },
    { "8J+YgA==", 8,
      "\xf0"
      "\x9f"
      "\x98"
      "\x80"
      "",
      4 },
};

START_TEST(qp_decodes_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    const struct codec_case *c = &qp_cases[_i];
    struct strv out = mime_qp_decode(a, strv_make(c->in, c->inlen));

    ck_assert_uint_eq(out.len, c->wantlen);
    ck_assert_mem_eq(out.p, c->want, c->wantlen);
    ck_assert_int_eq(out.p[out.len], '\0');
    arena_free(&a);
}
END_TEST

START_TEST(qp_soft_break_does_not_reach_back)
{
    struct arena *a = arena_new(4096);
    const struct codec_case *c = &qp_extra[_i];
    struct strv out = mime_qp_decode(a, strv_make(c->in, c->inlen));

    ck_assert_uint_eq(out.len, c->wantlen);
    ck_assert_mem_eq(out.p, c->want, c->wantlen);
    arena_free(&a);
}
END_TEST

START_TEST(base64_decodes_as_spamassassin)
{
    struct arena *a = arena_new(4096);
    const struct codec_case *c = &b64_cases[_i];
    struct strv out = mime_b64_decode(a, strv_make(c->in, c->inlen));

    ck_assert_uint_eq(out.len, c->wantlen);
    ck_assert_mem_eq(out.p, c->want, c->wantlen);
    arena_free(&a);
}
END_TEST

static const struct {
    const char *in, *want;
} uu_cases[] = {
    { "begin 644 x.txt\n#86)C\n`\nend\n", "abc" },
    { "#86)C\n", "abc" },
    { "begin 600 a\r\n%:&5L;&\\ \r\n`\r\nend\r\n", "hello" },
    { "begin 644 t\n#86)C\nnot uuencode at all\n", "abc" },
    { "", "" },
};

START_TEST(uudecode)
{
    struct arena *a = arena_new(4096);
    struct strv out = mime_uu_decode(a, strv_cstr(uu_cases[_i].in));

    ck_assert_uint_eq(out.len, strlen(uu_cases[_i].want));
    ck_assert_mem_eq(out.p, uu_cases[_i].want, out.len);
    arena_free(&a);
}
END_TEST

START_TEST(crlf_to_lf)
{
    struct arena *a = arena_new(4096);
    struct strv in = STRV_LIT("a\r\nb\rc\r\n"), none = STRV_LIT("no cr\n");
    struct strv out = mime_crlf_to_lf(a, in);

    ck_assert_uint_eq(out.len, 6);
    ck_assert_mem_eq(out.p, "a\nb\rc\n", 6);
    ck_assert_ptr_eq(mime_crlf_to_lf(a, none).p, none.p); /* nothing to do: no copy */
    arena_free(&a);
}
END_TEST

START_TEST(decoding_never_grows)
{
    struct arena *a = arena_new(4096);
    char junk[512];

    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)(i * 37 + 11);
    ck_assert_uint_le(mime_qp_decode(a, strv_make(junk, sizeof(junk))).len, sizeof(junk));
    ck_assert_uint_le(mime_b64_decode(a, strv_make(junk, sizeof(junk))).len, sizeof(junk));
    ck_assert_uint_le(mime_uu_decode(a, strv_make(junk, sizeof(junk))).len, sizeof(junk));
    arena_free(&a);
}
END_TEST

static Suite *
mime_codec_suite(void)
{
    Suite *s = suite_create("mime_codec");
    TCase *tc = tcase_create("mime_codec");

    tcase_add_loop_test(tc, qp_decodes_as_spamassassin, 0, sizeof(qp_cases) / sizeof(qp_cases[0]));
    tcase_add_loop_test(tc, qp_soft_break_does_not_reach_back, 0,
                        sizeof(qp_extra) / sizeof(qp_extra[0]));
    tcase_add_loop_test(tc, base64_decodes_as_spamassassin, 0,
                        sizeof(b64_cases) / sizeof(b64_cases[0]));
    tcase_add_loop_test(tc, uudecode, 0, sizeof(uu_cases) / sizeof(uu_cases[0]));
    tcase_add_test(tc, crlf_to_lf);
    tcase_add_test(tc, decoding_never_grows);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(mime_codec_suite());
}
