/*
 * test_json_read.c - the strict JSON reader: what parses and how it reads
 * back (compact and pretty), what is refused and at which byte, the
 * unescaping of strings (surrogate pairs included), the depth limit, the
 * look-up helpers, and that every cut-short document is refused.
 */
#include "core/json_read.h"

#include <math.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"

#include "../unit.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static const struct json_val *
parse_ok(struct arena *a, const char *in, size_t len)
{
    const struct json_val *v = NULL;
    struct sift_err err = { "" };

    ck_assert_msg(json_read_parse(a, in, len, 0, &v, &err) == 0, "'%.*s': %s", (int)len, in,
                  err.msg);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* Valid documents and how they read back compact (NULL: as they were). */
static const struct {
    const char *in, *want;
} good_cases[] = {
    { "null", NULL },
    { "true", NULL },
    { "false", NULL },
    { "0", NULL },
    { "-0", NULL },
    { "2.199999", NULL },
    { "-0.100000", NULL },
    { "15.0", NULL },
    { "\"\"", NULL },
    { "\"a\\\"b\\\\c\\/d\"", "\"a\\\"b\\\\c/d\"" },
    { "\"\\b\\f\\n\\r\\t\"", "\"\\b\\f\\n\\r\\t\"" },
    { "[]", NULL },
    { "{}", NULL },
    { " \t\r\n[ 1 , 2 ,\n3 ] \n", "[1,2,3]" },
    { "{\"b\":1,\"a\":2,\"b\":3}", NULL }, /* order and duplicates kept */
    { "{\"is_skipped\":false,\"score\":2.199999,\"required_score\":15.0,\"action\":\"no "
      "action\",\"symbols\":{\"ARC_NA\":{\"name\":\"ARC_NA\",\"score\":0.0,\"metric_score\":0."
      "0,\"description\":\"ARC signature absent\"}},\"messages\":{},\"message-id\":\"abc123@"
      "example.org\",\"time_real\":0.574474}",
      NULL },
    { "[[[[[]]]]]", NULL },
    { "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", NULL },
};

START_TEST(good_documents_read_back)
{
    struct arena *a = arena_new(1024);
    const char *in = good_cases[_i].in, *want = good_cases[_i].want ? good_cases[_i].want : in;
    const struct json_val *v;
    struct buf b;

    v = parse_ok(a, in, strlen(in));
    buf_init(&b);
    json_read_render(v, &b, 0);
    ck_assert_msg(strcmp(b.p, want) == 0, "got '%s', want '%s'", b.p, want);
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

/* Refused documents: the error, byte offset first. */
static const struct {
    const char *in;
    size_t len; /* 0: strlen */
    const char *want;
} bad_cases[] = {
    { "", 0, "byte 0: unexpected end of input, expected a value" },
    { "   ", 0, "byte 3: unexpected end of input, expected a value" },
    { "nul", 0, "byte 0: unexpected 'n', expected a value" },
    { "True", 0, "byte 0: unexpected 'T', expected a value" },
    { "NaN", 0, "byte 0: unexpected 'N', expected a value" },
    { "1 2", 0, "byte 2: unexpected data after the value" },
    { "truex", 0, "byte 4: unexpected data after the value" },
    { "\xef\xbb\xbf{}", 0, "byte 0: unexpected byte 0xef, expected a value" }, /* BOM */
    { "[1,]", 0, "byte 3: unexpected ']', expected a value" },
    { "[1 2]", 0, "byte 3: expected ',' or ']' in an array, not '2'" },
    { "[1", 0, "byte 2: unexpected end of input in an array" },
    { "{\"a\":1,}", 0, "byte 7: expected a key (a string) in an object, not '}'" },
    { "{a:1}", 0, "byte 1: expected a key (a string) in an object, not 'a'" },
    { "{'a':1}", 0, "byte 1: expected a key (a string) in an object, not '''" },
    { "{\"a\" 1}", 0, "byte 5: expected ':' after an object key" },
    { "{\"a\":1 \"b\":2}", 0, "byte 7: expected ',' or '}' in an object, not '\"'" },
    { "{\"a\"", 0, "byte 4: expected ':' after an object key" },
    { "{\"a\":", 0, "byte 5: unexpected end of input, expected a value" },
    { "{", 0, "byte 1: unexpected end of input in an object" },
    { "01", 0, "byte 0: leading zero in a number" },
    { "-", 0, "byte 0: bad number: a digit must follow '-'" },
    { "-a", 0, "byte 0: bad number: a digit must follow '-'" },
    { "1.", 0, "byte 0: bad number: a digit must follow '.'" },
    { "[1.e5]", 0, "byte 1: bad number: a digit must follow '.'" },
    { "1e", 0, "byte 0: bad number: the exponent has no digits" },
    { "1e+", 0, "byte 0: bad number: the exponent has no digits" },
    { ".5", 0, "byte 0: unexpected '.', expected a value" },
    { "+1", 0, "byte 0: unexpected '+', expected a value" },
    { "[0x10]", 0, "byte 2: expected ',' or ']' in an array, not 'x'" },
    { "1e400", 0, "byte 0: number out of range" },
    { "[-1e400]", 0, "byte 1: number out of range" },
    { "\"abc", 0, "byte 0: unterminated string" },
    { "\"abc\\", 0, "byte 4: unterminated string" },
    { "\"a\tb\"", 0, "byte 2: control character 0x09 in a string" },
    { "\"a\nb\"", 0, "byte 2: control character 0x0a in a string" },
    { "\"a\0b\"", 5, "byte 2: control character 0x00 in a string" },
    { "\"\\x41\"", 0, "byte 1: bad escape \\'x'" },
    { "\"\\'\"", 0, "byte 1: bad escape \\'''" },
    { "\"\\u12\"", 0, "byte 1: \\u needs 4 hex digits" },
    { "\"\\u12G4\"", 0, "byte 1: \\u needs 4 hex digits" },
    { "\"ab\\ud83d\"", 0, "byte 3: high surrogate \\ud83d without its low half" },
    { "\"\\ud83dx\"", 0, "byte 1: high surrogate \\ud83d without its low half" },
    { "\"\\ud83d\\u0041\"", 0, "byte 1: high surrogate \\ud83d without its low half" },
    { "\"\\ude00\"", 0, "byte 1: lone low surrogate \\ude00" },
    { "\"\xff\"", 0, "byte 1: invalid UTF-8 in a string" },
    { "\"a\xc3\"", 0, "byte 2: invalid UTF-8 in a string" },
    { "\"\xc0\xaf\"", 0, "byte 1: invalid UTF-8 in a string" },     /* overlong */
    { "\"\xed\xa0\x80\"", 0, "byte 1: invalid UTF-8 in a string" }, /* surrogate */
    { "\"\xf4\x90\x80\x80\"", 0, "byte 1: invalid UTF-8 in a string" },
    { "\"\xe2\x82\"", 0, "byte 1: invalid UTF-8 in a string" },
    { "[1]\0", 4, "byte 3: unexpected data after the value" },
};

START_TEST(bad_documents_fail_with_the_offset)
{
    struct arena *a = arena_new(1024);
    size_t len = bad_cases[_i].len ? bad_cases[_i].len : strlen(bad_cases[_i].in);
    const struct json_val *v = NULL;
    struct sift_err err = { "" };

    ck_assert_int_eq(json_read_parse(a, bad_cases[_i].in, len, 0, &v, &err), -1);
    ck_assert_ptr_null(v);
    ck_assert_str_eq(err.msg, bad_cases[_i].want);
    arena_free(&a);
}
END_TEST

/* Escapes and their UTF-8 bytes. */
static const struct {
    const char *in, *want;
    size_t want_len;
} string_cases[] = {
    { "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6 },
    { "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4 }, /* U+1F600 */
    { "\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80", 4 }, /* U+10000 */
    { "\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4 }, /* U+10FFFF */
    { "\"a\\u0000b\"", "a\0b", 3 },
    { "\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"", "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf",
      11 },
    { "\"x\\ny\"", "x\ny", 3 },
};

START_TEST(strings_are_unescaped_to_utf8)
{
    struct arena *a = arena_new(1024);
    const struct json_val *v = parse_ok(a, string_cases[_i].in, strlen(string_cases[_i].in));

    ck_assert_int_eq(v->type, JSON_STRING);
    ck_assert_uint_eq(v->str.len, string_cases[_i].want_len);
    ck_assert_mem_eq(v->str.p, string_cases[_i].want, v->str.len);
    ck_assert_int_eq(v->str.p[v->str.len], '\0');
    arena_free(&a);
}
END_TEST

START_TEST(numbers_are_doubles_and_keep_their_text)
{
    struct arena *a = arena_new(1024);
    const char *in = "[0,-0.5,2.199999,15.0,1E3,-2e-2,123456789012345678901234567890,1e-400]";
    const struct json_val *v = parse_ok(a, in, strlen(in));
    const double want[] = { 0, -0.5, 2.199999, 15.0, 1000, -0.02, 1.2345678901234568e29, 0 };

    ck_assert_uint_eq(json_read_len(v), 8);
    for (size_t i = 0; i < 8; i++) {
        const struct json_val *n = json_read_at(v, i);
        ck_assert_int_eq(n->type, JSON_NUMBER);
        ck_assert_double_eq_tol(n->num, want[i], fabs(want[i]) * 1e-15 + 1e-300);
    }
    ck_assert_str_eq(json_read_at(v, 3)->str.p, "15.0");
    ck_assert_str_eq(json_read_at(v, 4)->str.p, "1E3");
    arena_free(&a);
}
END_TEST

START_TEST(depth_limit)
{
    struct arena *a = arena_new(1024);
    const struct json_val *v = NULL;
    struct sift_err err;
    struct buf b;

    buf_init(&b);
    for (int i = 0; i < JSON_READ_MAX_DEPTH; i++)
        buf_puts(&b, i % 2 ? "{\"k\":" : "[");
    buf_puts(&b, "1");
    for (int i = JSON_READ_MAX_DEPTH - 1; i >= 0; i--)
        buf_puts(&b, i % 2 ? "}" : "]");
    ck_assert_int_eq(json_read_parse(a, b.p, b.len, 0, &v, &err), 0);
    /* one more level is refused where it opens */
    buf_reset(&b);
    for (int i = 0; i <= JSON_READ_MAX_DEPTH; i++)
        buf_putc(&b, '[');
    for (int i = 0; i <= JSON_READ_MAX_DEPTH; i++)
        buf_putc(&b, ']');
    ck_assert_int_eq(json_read_parse(a, b.p, b.len, 0, &v, &err), -1);
    ck_assert_str_eq(err.msg, "byte 64: nested deeper than 64");
    /* a caller's own limit */
    ck_assert_int_eq(json_read_parse(a, "[1]", 3, 1, &v, &err), 0);
    ck_assert_int_eq(json_read_parse(a, "{\"a\":[1]}", 9, 1, &v, &err), -1);
    ck_assert_str_eq(err.msg, "byte 5: nested deeper than 1");
    ck_assert_int_eq(json_read_parse(a, "7", 1, 1, &v, &err), 0);
    /* a very deep document fails without deep recursion */
    buf_reset(&b);
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, '[');
    ck_assert_int_eq(json_read_parse(a, b.p, b.len, 0, &v, &err), -1);
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

START_TEST(lookups_and_typed_getters)
{
    struct arena *a = arena_new(1024);
    const char *in =
        "{\"action\":\"add header\",\"score\":6.5,\"is_skipped\":false,"
        "\"symbols\":{\"B\":{\"score\":1},\"A\":{\"score\":2,\"options\":[\"x\",\"y\"]}},"
        "\"dup\":1,\"dup\":2,\"none\":null}";
    const struct json_val *v = parse_ok(a, in, strlen(in)), *syms, *opts;

    ck_assert_str_eq(json_read_str(json_read_get(v, "action"), "?"), "add header");
    ck_assert_double_eq(json_read_num(json_read_get(v, "score"), 0), 6.5);
    ck_assert(!json_read_bool(json_read_get(v, "is_skipped"), true));
    ck_assert(json_read_is(json_read_get(v, "none"), JSON_NULL));
    ck_assert_double_eq(json_read_num(json_read_get(v, "dup"), 0), 1); /* the first */
    /* wrong types and missing keys give the defaults; NULL chains */
    ck_assert_str_eq(json_read_str(json_read_get(v, "score"), "dflt"), "dflt");
    ck_assert_double_eq(json_read_num(json_read_get(v, "action"), -1), -1);
    ck_assert(json_read_bool(json_read_get(v, "missing"), true));
    ck_assert_ptr_null(json_read_get(json_read_get(v, "missing"), "x"));
    ck_assert_ptr_null(json_read_get(json_read_get(v, "score"), "x"));
    ck_assert_ptr_null(json_read_at(v, 0));
    ck_assert(!json_read_is(NULL, JSON_NULL));
    ck_assert_uint_eq(json_read_len(NULL), 0);
    ck_assert_uint_eq(json_read_len(json_read_get(v, "score")), 0);
    /* members keep their order */
    syms = json_read_get(v, "symbols");
    ck_assert_uint_eq(json_read_len(syms), 2);
    ck_assert_str_eq(syms->members[0].key.p, "B");
    ck_assert_str_eq(syms->members[1].key.p, "A");
    opts = json_read_get(json_read_get(syms, "A"), "options");
    ck_assert_uint_eq(json_read_len(opts), 2);
    ck_assert_str_eq(json_read_str(json_read_at(opts, 1), NULL), "y");
    ck_assert_ptr_null(json_read_at(opts, 2));
    ck_assert_uint_eq(json_read_get(v, "score")->offset, strstr(in, "6.5") - in);
    arena_free(&a);
}
END_TEST

START_TEST(pretty_render)
{
    struct arena *a = arena_new(1024);
    const char *in = "{\"a\":[1,{},[],\"s\\u00e9\"],\"b\":{\"c\":null,\"d\":true}}";
    const struct json_val *v = parse_ok(a, in, strlen(in));
    struct buf b;

    buf_init(&b);
    json_read_render(v, &b, 2);
    ck_assert_str_eq(b.p, "{\n"
                          "  \"a\": [\n"
                          "    1,\n"
                          "    {},\n"
                          "    [],\n"
                          "    \"s\xc3\xa9\"\n"
                          "  ],\n"
                          "  \"b\": {\n"
                          "    \"c\": null,\n"
                          "    \"d\": true\n"
                          "  }\n"
                          "}");
    buf_clear(&b);
    arena_free(&a);
}
END_TEST

/* The input need not be NUL-terminated, and the tree outlives it. */
START_TEST(tree_does_not_point_into_the_input)
{
    struct arena *a = arena_new(1024);
    char *in = strdup("{\"k\":\"value\",\"n\":12}garbage");
    const struct json_val *v = parse_ok(a, in, strlen(in) - strlen("garbage"));

    memset(in, 'X', strlen(in));
    free(in);
    ck_assert_str_eq(json_read_str(json_read_get(v, "k"), NULL), "value");
    ck_assert_str_eq(v->members[0].key.p, "k");
    ck_assert_str_eq(json_read_get(v, "n")->str.p, "12");
    arena_free(&a);
}
END_TEST

/* Every proper prefix of a container document is refused. */
START_TEST(every_cut_short_document_fails)
{
    const char *in = "{\"a\":[1,-2.5e3,{\"b\":null}],\"c\":\"x\\u00e9\\ud83d\\ude00\",\"d\":true}";
    struct arena *a = arena_new(1024);
    const struct json_val *v;
    struct sift_err err;

    for (size_t n = 0; n < strlen(in); n++) {
        v = NULL;
        ck_assert_msg(json_read_parse(a, in, n, 0, &v, &err) == -1, "prefix %zu parsed", n);
        ck_assert_ptr_null(v);
    }
    parse_ok(a, in, strlen(in));
    arena_free(&a);
}
END_TEST

static Suite *
json_read_suite(void)
{
    Suite *s = suite_create("json_read");
    TCase *tc = tcase_create("json_read");

    tcase_add_loop_test(tc, good_documents_read_back, 0, NCASES(good_cases));
    tcase_add_loop_test(tc, bad_documents_fail_with_the_offset, 0, NCASES(bad_cases));
    tcase_add_loop_test(tc, strings_are_unescaped_to_utf8, 0, NCASES(string_cases));
    tcase_add_test(tc, numbers_are_doubles_and_keep_their_text);
    tcase_add_test(tc, depth_limit);
    tcase_add_test(tc, lookups_and_typed_getters);
    tcase_add_test(tc, pretty_render);
    tcase_add_test(tc, tree_does_not_point_into_the_input);
    tcase_add_test(tc, every_cut_short_document_fails);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(json_read_suite());
}
