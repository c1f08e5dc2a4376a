/*
 * test_err.c - the caller-supplied error buffer: formatting, truncation to
 * sizeof(msg) - 1 bytes with a NUL, NULL errors, and "prefix: " in front.
 */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

#include "../unit.h"

#define MSG_MAX (sizeof(((struct sift_err *)0)->msg) - 1) /* longest message kept */

/* A string of n copies of c, in a static buffer big enough for any test. */
static const char *
repeat(char c, size_t n)
{
    static char s[4][2048];
    static int next;
    char *p = s[next++ % 4];

    ck_assert_uint_lt(n, sizeof(s[0]));
    memset(p, c, n);
    p[n] = '\0';
    return p;
}

START_TEST(set_formats_message)
{
    struct sift_err err;

    sift_err_set(&err, "%s:%d:%u: %s: %s", "local.d/spamd.yaml", 12, 5u, "max_size", "not a size");
    ck_assert_str_eq(err.msg, "local.d/spamd.yaml:12:5: max_size: not a size");
    sift_err_set(&err, "plain");
    ck_assert_str_eq(err.msg, "plain"); /* replaced, not appended */
    sift_err_set(&err, "%s", "");
    ck_assert_str_eq(err.msg, "");
}
END_TEST

static const size_t set_lens[] = { 0, 1, MSG_MAX - 1, MSG_MAX, MSG_MAX + 1, MSG_MAX + 2, 2000 };

START_TEST(set_truncates_with_nul)
{
    struct sift_err err;
    size_t n = set_lens[_i];
    size_t want = n < MSG_MAX ? n : MSG_MAX;

    memset(err.msg, 'Z', sizeof(err.msg)); /* no NUL anywhere beforehand */
    sift_err_set(&err, "%s", repeat('x', n));
    ck_assert_uint_eq(strlen(err.msg), want);
    ck_assert_str_eq(err.msg, repeat('x', want));
    ck_assert_int_eq(err.msg[sizeof(err.msg) - 1], n >= MSG_MAX ? '\0' : 'Z');
}
END_TEST

START_TEST(null_err_is_accepted)
{
    sift_err_set(NULL, "dropped %d", 1);
    sift_err_prefix(NULL, "dropped %s", "too");
    ck_assert(1); /* reaching here is the test */
}
END_TEST

static const struct {
    const char *old, *prefix, *want;
} prefix_cases[] = {
    { "b", "a", "a: b" },
    { "max_size: not a size", "local.d/spamd.yaml:12:5",
      "local.d/spamd.yaml:12:5: max_size: not a size" },
    { "", "a", "a: " },
    { "b", "", ": b" },
    { "x: y", "w", "w: x: y" }, /* prefixes stack */
};

START_TEST(prefix_puts_prefix_in_front)
{
    struct sift_err err;

    sift_err_set(&err, "%s", prefix_cases[_i].old);
    sift_err_prefix(&err, "%s", prefix_cases[_i].prefix);
    ck_assert_str_eq(err.msg, prefix_cases[_i].want);
}
END_TEST

START_TEST(prefix_formats_arguments)
{
    struct sift_err err;

    sift_err_set(&err, "not a size");
    sift_err_prefix(&err, "%s", "max_size");
    sift_err_prefix(&err, "%s:%d:%d", "spamd.yaml", 12, 5);
    ck_assert_str_eq(err.msg, "spamd.yaml:12:5: max_size: not a size");
}
END_TEST

/* The result is the first MSG_MAX bytes of "prefix: old" (less `short_by`
 * where the ": " is written whole or not at all), NUL-terminated. */
static const struct {
    size_t prefix_len, old_len, short_by;
} prefix_trunc[] = {
    { 10, MSG_MAX - 12, 0 }, /* fits exactly */
    { 10, MSG_MAX - 11, 0 }, /* one byte too many */
    { 20, MSG_MAX, 0 },      /* old message already full */
    { MSG_MAX - 2, 5, 0 },   /* room for "prefix: " and nothing else */
    { MSG_MAX - 1, 5, 1 },   /* room for "prefix:" only: the separator is dropped */
    { MSG_MAX, 5, 0 },       /* the prefix fills the buffer */
    { 1000, 5, 0 },          /* the prefix is longer than the buffer */
};

START_TEST(prefix_truncates_with_nul)
{
    struct sift_err err;
    size_t plen = prefix_trunc[_i].prefix_len, olen = prefix_trunc[_i].old_len;
    char full[4096];
    size_t want_len;

    memset(err.msg, 'Z', sizeof(err.msg)); /* an uninitialised buffer has no NUL at the end */
    sift_err_set(&err, "%s", repeat('o', olen));
    sift_err_prefix(&err, "%s", repeat('p', plen));
    snprintf(full, sizeof(full), "%s: %s", repeat('p', plen), repeat('o', olen));
    want_len = (strlen(full) < MSG_MAX ? strlen(full) : MSG_MAX) - prefix_trunc[_i].short_by;
    ck_assert_uint_eq(strlen(err.msg), want_len);
    ck_assert_mem_eq(err.msg, full, want_len);
    ck_assert_int_eq(err.msg[want_len], '\0');
}
END_TEST

static Suite *
err_suite(void)
{
    Suite *s = suite_create("err");
    TCase *tc = tcase_create("err");

    tcase_add_test(tc, set_formats_message);
    tcase_add_loop_test(tc, set_truncates_with_nul, 0,
                        (int)(sizeof(set_lens) / sizeof(set_lens[0])));
    tcase_add_test(tc, null_err_is_accepted);
    tcase_add_loop_test(tc, prefix_puts_prefix_in_front, 0,
                        (int)(sizeof(prefix_cases) / sizeof(prefix_cases[0])));
    tcase_add_test(tc, prefix_formats_arguments);
    tcase_add_loop_test(tc, prefix_truncates_with_nul, 0,
                        (int)(sizeof(prefix_trunc) / sizeof(prefix_trunc[0])));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(err_suite());
}
