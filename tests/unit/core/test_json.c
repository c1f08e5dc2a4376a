/*
 * test_json.c - the streaming JSON writer and string escaping. The byte
 * mode's expected strings came from Perl's JSON::PP->new->ascii encoding
 * the same byte strings (what scripts/sa-views.pl prints); the text mode
 * and the number forms are sift's own (valid JSON, checked here exactly).
 */
#include "core/json.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"

#include "../unit.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static void
check_buf(const struct buf *b, const char *want)
{
    ck_assert_msg(b->len == strlen(want) && memcmp(b->p, want, b->len) == 0,
                  "got '%.*s', want '%s'", (int)b->len, b->p ? b->p : "", want);
}

/* json_escape in both modes: the input bytes and the JSON string. */
static const struct {
    const char *in;
    size_t len;
    bool bytes;
    const char *want;
} escape_cases[] = {
    /* from JSON::PP->ascii */
    { "a\"b\\c/d", 7, true, "\"a\\\"b\\\\c/d\"" },
    { "\x00\x01\x08\x09\x0a\x0b\x0c\x0d\x1f\x20", 10, true,
      "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \"" },
    { "caf\xc3\xa9", 5, true, "\"caf\\u00c3\\u00a9\"" },
    { "\xff\x80", 2, true, "\"\\u00ff\\u0080\"" },
    { "\xe2\x82\xac", 3, true, "\"\\u00e2\\u0082\\u00ac\"" },
    { "", 0, true, "\"\"" },
    /* text mode: valid UTF-8 as it is, each invalid byte U+FFFD */
    { "a\"b\\c/d", 7, false, "\"a\\\"b\\\\c/d\"" },
    { "\x00\x01\x08\x09\x0a\x0b\x0c\x0d\x1f\x20", 10, false,
      "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \"" },
    { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, false,
      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
    { "\xff", 1, false, "\"\\ufffd\"" },
    { "a\xc3", 2, false, "\"a\\ufffd\"" },                                /* cut short */
    { "\xc3(", 2, false, "\"\\ufffd(\"" },                                /* bad continuation */
    { "\xc0\xaf", 2, false, "\"\\ufffd\\ufffd\"" },                       /* overlong */
    { "\xed\xa0\x80", 3, false, "\"\\ufffd\\ufffd\\ufffd\"" },            /* surrogate */
    { "\xf4\x90\x80\x80", 4, false, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* past U+10FFFF */
    { "\xe2\x82", 2, false, "\"\\ufffd\\ufffd\"" },
    { "", 0, false, "\"\"" },
};

START_TEST(escape_both_modes)
{
    struct buf b;

    buf_init(&b);
    json_escape(&b, strv_make(escape_cases[_i].in, escape_cases[_i].len), escape_cases[_i].bytes);
    check_buf(&b, escape_cases[_i].want);
    buf_clear(&b);
}
END_TEST

START_TEST(writer_places_commas_and_nests)
{
    struct buf b;
    struct json j;

    buf_init(&b);
    json_init(&j, &b, false);
    json_obj_begin(&j);
    json_key(&j, "a");
    json_int(&j, 1);
    json_key(&j, "b");
    json_arr_begin(&j);
    json_int(&j, 1);
    json_cstr(&j, "two");
    json_obj_begin(&j);
    json_key(&j, "c");
    json_null(&j);
    json_obj_end(&j);
    json_arr_begin(&j);
    json_arr_end(&j);
    json_bool(&j, true);
    json_bool(&j, false);
    json_arr_end(&j);
    json_key(&j, "d");
    json_obj_begin(&j);
    json_obj_end(&j);
    json_key(&j, "e");
    json_str(&j, STRV_LIT("x\ny"));
    json_obj_end(&j);
    check_buf(&b,
              "{\"a\":1,\"b\":[1,\"two\",{\"c\":null},[],true,false],\"d\":{},\"e\":\"x\\ny\"}");
    ck_assert_uint_eq(j.depth, 0);
    buf_clear(&b);
}
END_TEST

START_TEST(keys_and_values_follow_the_mode)
{
    struct buf b;
    struct json j;

    /* bytes mode: keys and values \u00XX (JSON::PP->ascii on byte strings) */
    buf_init(&b);
    json_init(&j, &b, true);
    json_obj_begin(&j);
    json_key(&j, "k\xc3\xa9\"");
    json_str(&j, STRV_LIT("v\xc3\xa9"));
    json_obj_end(&j);
    check_buf(&b, "{\"k\\u00c3\\u00a9\\\"\":\"v\\u00c3\\u00a9\"}");
    buf_reset(&b);

    /* text mode: UTF-8 kept in both, invalid bytes U+FFFD */
    json_init(&j, &b, false);
    json_obj_begin(&j);
    json_key(&j, "k\xc3\xa9\xff");
    json_arr_begin(&j);
    json_str(&j, STRV_LIT("v\xc3\xa9"));
    json_str(&j, STRV_LIT("\xff"));
    json_arr_end(&j);
    json_obj_end(&j);
    check_buf(&b, "{\"k\xc3\xa9\\ufffd\":[\"v\xc3\xa9\",\"\\ufffd\"]}");
    buf_clear(&b);
}
END_TEST

START_TEST(integers_exact)
{
    struct buf b;
    struct json j;

    buf_init(&b);
    json_init(&j, &b, false);
    json_arr_begin(&j);
    json_int(&j, 0);
    json_int(&j, -5);
    json_int(&j, INT64_MAX);
    json_int(&j, INT64_MIN);
    json_uint(&j, 0);
    json_uint(&j, UINT64_MAX);
    json_arr_end(&j);
    check_buf(&b, "[0,-5,9223372036854775807,-9223372036854775808,0,18446744073709551615]");
    buf_clear(&b);
}
END_TEST

/* json_double: whole numbers as integers, others as %.15g, NaN and the
 * infinities as null. */
static const struct {
    double v;
    const char *want;
} double_cases[] = {
    { 0.0, "0" },
    { 3.0, "3" },
    { -42.0, "-42" },
    { 1.5, "1.5" },
    { 0.1, "0.1" },
    { -2.25, "-2.25" },
    { 1.0 / 3.0, "0.333333333333333" },
    { 1e20, "1e+20" },
    { 123456789012.0, "123456789012" },
    { 1e-7, "1e-07" },
};

START_TEST(doubles_formatted)
{
    struct buf b;
    struct json j;

    buf_init(&b);
    json_init(&j, &b, false);
    json_double(&j, double_cases[_i].v);
    check_buf(&b, double_cases[_i].want);
    buf_clear(&b);
}
END_TEST

START_TEST(nan_and_infinity_are_null)
{
    struct buf b;
    struct json j;

    buf_init(&b);
    json_init(&j, &b, false);
    json_arr_begin(&j);
    json_double(&j, NAN);
    json_double(&j, INFINITY);
    json_double(&j, -INFINITY);
    json_double(&j, 2.5);
    json_arr_end(&j);
    check_buf(&b, "[null,null,null,2.5]");
    buf_clear(&b);
}
END_TEST

START_TEST(deep_nesting_to_the_limit)
{
    struct buf b, want;
    struct json j;

    buf_init(&b);
    buf_init(&want);
    json_init(&j, &b, false);
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        json_arr_begin(&j);
        json_int(&j, i);
        buf_printf(&want, "[%d,", i);
    }
    ck_assert_uint_eq(j.depth, JSON_MAX_DEPTH);
    json_int(&j, -1);
    buf_puts(&want, "-1");
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        json_arr_end(&j);
        buf_putc(&want, ']');
    }
    ck_assert_uint_eq(j.depth, 0);
    check_buf(&b, want.p);
    buf_clear(&want);
    buf_clear(&b);
}
END_TEST

START_TEST(long_string_grows_the_buffer)
{
    struct buf b;
    char in[5000];

    memset(in, '\x01', sizeof(in));
    buf_init(&b);
    json_escape(&b, strv_make(in, sizeof(in)), false);
    ck_assert_uint_eq(b.len, 2 + 6 * sizeof(in));
    ck_assert_mem_eq(b.p, "\"\\u0001\\u0001", 13);
    ck_assert_int_eq(b.p[b.len - 1], '"');
    buf_clear(&b);
}
END_TEST

static Suite *
json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");

    tcase_add_loop_test(tc, escape_both_modes, 0, NCASES(escape_cases));
    tcase_add_test(tc, writer_places_commas_and_nests);
    tcase_add_test(tc, keys_and_values_follow_the_mode);
    tcase_add_test(tc, integers_exact);
    tcase_add_loop_test(tc, doubles_formatted, 0, NCASES(double_cases));
    tcase_add_test(tc, nan_and_infinity_are_null);
    tcase_add_test(tc, deep_nesting_to_the_limit);
    tcase_add_test(tc, long_string_grows_the_buffer);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(json_suite());
}
