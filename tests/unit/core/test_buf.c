/*
 * test_buf.c - the growable output buffer: appends of every kind, growth,
 * the NUL after the content, reset, consume, clear and embedded NULs.
 * Fresh malloc memory is made non-zero (M_PERTURB; ASan fills it with 0xbe)
 * so that a missing terminator is seen.
 */
#include "core/buf.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "../unit.h"

static void
dirty_malloc(void)
{
    (void)mallopt(M_PERTURB, 0xaa); /* fresh malloc memory reads 0x55 */
}

/* len bytes of want, then the NUL, and room for it */
static void
assert_content(const struct buf *b, const char *want, size_t len)
{
    ck_assert_uint_eq(b->len, len);
    ck_assert_ptr_nonnull(b->p);
    ck_assert_uint_gt(b->cap, b->len);
    ck_assert_mem_eq(b->p, want, len);
    ck_assert_int_eq(b->p[b->len], '\0');
}

START_TEST(init_is_empty)
{
    struct buf b;

    memset(&b, 0x5a, sizeof(b));
    buf_init(&b);
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    buf_clear(&b); /* nothing allocated: fine */
    ck_assert_ptr_null(b.p);
}
END_TEST

/* Each row appends with one function to a buffer already holding "ab". */
enum buf_op { OP_APPEND, OP_PUTS, OP_PUTC, OP_PRINTF };

static const struct {
    const char *name;
    enum buf_op op;
    const char *arg;
    size_t arg_len; /* OP_APPEND */
    const char *want;
    size_t want_len;
} append_cases[] = {
    { "append", OP_APPEND, "cde", 3, "abcde", 5 },
    { "append part", OP_APPEND, "cdefgh", 2, "abcd", 4 },
    { "append nothing", OP_APPEND, "zzz", 0, "ab", 2 },
    { "append NULs", OP_APPEND, "\0x\0", 3, "ab\0x\0", 5 },
    { "puts", OP_PUTS, "cd", 0, "abcd", 4 },
    { "puts empty", OP_PUTS, "", 0, "ab", 2 },
    { "putc", OP_PUTC, "c", 0, "abc", 3 },
    { "putc NUL", OP_PUTC, "", 0, "ab\0", 3 },
    { "printf", OP_PRINTF, "x", 0, "ab[x|42|-7|ff]", 14 },
};

START_TEST(append_functions_add_bytes_and_terminate)
{
    struct buf b;

    buf_init(&b);
    buf_puts(&b, "ab");
    switch (append_cases[_i].op) {
    case OP_APPEND:
        buf_append(&b, append_cases[_i].arg, append_cases[_i].arg_len);
        break;
    case OP_PUTS:
        buf_puts(&b, append_cases[_i].arg);
        break;
    case OP_PUTC:
        buf_putc(&b, append_cases[_i].arg[0]);
        break;
    case OP_PRINTF:
        buf_printf(&b, "[%s|%d|%d|%x]", append_cases[_i].arg, 42, -7, 255u);
        break;
    }
    assert_content(&b, append_cases[_i].want, append_cases[_i].want_len);
    buf_clear(&b);
}
END_TEST

START_TEST(append_to_fresh_buffer)
{
    struct buf b;

    buf_init(&b);
    buf_append(&b, "", 0); /* even an empty append leaves a C string */
    assert_content(&b, "", 0);
    ck_assert_str_eq(b.p, "");
    buf_clear(&b);

    buf_printf(&b, "%s", "");
    assert_content(&b, "", 0);
    buf_clear(&b);

    buf_putc(&b, 'x');
    assert_content(&b, "x", 1);
    buf_clear(&b);
}
END_TEST

/* Long outputs force several reallocations; what was there is kept. */
static const size_t long_lens[] = { 63, 64, 65, 127, 128, 1000, 4096, 100000 };

START_TEST(printf_long_output_grows)
{
    struct buf b;
    size_t n = long_lens[_i];

    buf_init(&b);
    buf_puts(&b, "head:");
    buf_printf(&b, "%0*d", (int)n, 7);
    ck_assert_uint_eq(b.len, 5 + n);
    ck_assert_uint_gt(b.cap, b.len);
    ck_assert_mem_eq(b.p, "head:", 5);
    for (size_t i = 5; i < 5 + n - 1; i++)
        ck_assert_int_eq(b.p[i], '0');
    ck_assert_int_eq(b.p[5 + n - 1], '7');
    ck_assert_int_eq(b.p[b.len], '\0');
    ck_assert_uint_eq(strlen(b.p), b.len);
    buf_printf(&b, "|%s", "tail");
    ck_assert_uint_eq(b.len, 5 + n + 5);
    ck_assert_str_eq(b.p + 5 + n, "|tail");
    buf_clear(&b);
}
END_TEST

START_TEST(putc_many_grows_and_keeps_content)
{
    struct buf b;

    buf_init(&b);
    for (int i = 0; i < 10000; i++) {
        buf_putc(&b, (char)('a' + i % 26));
        ck_assert_uint_eq(b.len, (size_t)i + 1);
        ck_assert_int_eq(b.p[b.len], '\0');
    }
    for (int i = 0; i < 10000; i++)
        ck_assert_int_eq(b.p[i], 'a' + i % 26);
    buf_clear(&b);
}
END_TEST

START_TEST(append_large_block)
{
    struct buf b;
    static char big[70000];

    memset(big, 'q', sizeof(big));
    buf_init(&b);
    buf_puts(&b, "x");
    buf_append(&b, big, sizeof(big));
    ck_assert_uint_eq(b.len, sizeof(big) + 1);
    ck_assert_int_eq(b.p[0], 'x');
    ck_assert_mem_eq(b.p + 1, big, sizeof(big));
    ck_assert_int_eq(b.p[b.len], '\0');
    buf_clear(&b);
}
END_TEST

/* The header promises a NUL after the bytes at all times, so b.p is a C
 * string as soon as it is allocated, buf_reserve on a fresh buffer included
 * (`buf_reserve(&b, n); ... printf("%s", b.p)` must print nothing). */
START_TEST(reserve_on_fresh_buffer_leaves_c_string)
{
    struct buf b;

    dirty_malloc();
    buf_init(&b);
    buf_reserve(&b, 2000); /* past glibc's tcache sizes, so M_PERTURB applies */
    ck_assert_ptr_nonnull(b.p);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_ge(b.cap, 2001);
    ck_assert_int_eq(b.p[0], '\0');
    buf_clear(&b);
}
END_TEST

static const size_t reserve_sizes[] = { 0, 1, 10, 100, 5000 };

START_TEST(reserve_makes_room_and_keeps_content)
{
    struct buf b;
    char *p;

    dirty_malloc();
    buf_init(&b);
    buf_puts(&b, "abc");
    buf_reserve(&b, reserve_sizes[_i]);
    ck_assert_uint_ge(b.cap, 3 + reserve_sizes[_i] + 1);
    assert_content(&b, "abc", 3);
    p = b.p;
    for (size_t i = 0; i < reserve_sizes[_i]; i++)
        buf_putc(&b, 'r'); /* reserved: no reallocation */
    ck_assert_ptr_eq(b.p, p);
    ck_assert_uint_eq(b.len, 3 + reserve_sizes[_i]);
    ck_assert_int_eq(b.p[b.len], '\0');
    buf_clear(&b);
}
END_TEST

START_TEST(reset_keeps_capacity)
{
    struct buf b;
    char *p;
    size_t cap;

    buf_init(&b);
    buf_printf(&b, "%0500d", 1);
    p = b.p;
    cap = b.cap;
    buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_ptr_eq(b.p, p);
    ck_assert_uint_eq(b.cap, cap);
    ck_assert_str_eq(b.p, "");
    buf_printf(&b, "%0400d", 2); /* fits: no reallocation */
    ck_assert_ptr_eq(b.p, p);
    ck_assert_uint_eq(b.cap, cap);
    ck_assert_uint_eq(b.len, 400);
    ck_assert_int_eq(b.p[399], '2');
    ck_assert_int_eq(b.p[400], '\0');
    buf_clear(&b);

    buf_reset(&b); /* a fresh buffer: nothing to keep, no crash */
    ck_assert_uint_eq(b.len, 0);
    ck_assert_ptr_null(b.p);
}
END_TEST

static const struct {
    size_t n;
    const char *want;
} consume_cases[] = {
    { 0, "abcdef" }, { 1, "bcdef" }, { 2, "cdef" }, { 5, "f" }, { 6, "" }, { 7, "" }, { 1000, "" },
};

START_TEST(consume_removes_prefix)
{
    struct buf b;
    char *p;
    size_t cap;

    buf_init(&b);
    buf_puts(&b, "abcdef");
    p = b.p;
    cap = b.cap;
    buf_consume(&b, consume_cases[_i].n);
    assert_content(&b, consume_cases[_i].want, strlen(consume_cases[_i].want));
    ck_assert_str_eq(b.p, consume_cases[_i].want);
    ck_assert_ptr_eq(b.p, p); /* in place */
    ck_assert_uint_eq(b.cap, cap);
    buf_puts(&b, "XY"); /* and appends go on after what is left */
    ck_assert_uint_eq(b.len, strlen(consume_cases[_i].want) + 2);
    ck_assert_str_eq(b.p + strlen(consume_cases[_i].want), "XY");
    buf_clear(&b);
}
END_TEST

START_TEST(consume_repeatedly_as_a_queue)
{
    struct buf b;
    char want[8];

    buf_init(&b);
    for (int i = 0; i < 200; i++) {
        buf_printf(&b, "%03d|", i);
        if (i % 2 == 1) { /* take one record out for every two put in */
            snprintf(want, sizeof(want), "%03d|", i / 2);
            ck_assert_mem_eq(b.p, want, 4);
            buf_consume(&b, 4);
        }
    }
    ck_assert_uint_eq(b.len, 100 * 4);
    ck_assert_mem_eq(b.p, "100|101|", 8);
    ck_assert_str_eq(b.p + b.len - 4, "199|");
    buf_clear(&b);
}
END_TEST

START_TEST(consume_on_fresh_buffer)
{
    struct buf b;

    buf_init(&b);
    buf_consume(&b, 0);
    ck_assert_uint_eq(b.len, 0);
    buf_consume(&b, 5);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_ptr_null(b.p);
}
END_TEST

START_TEST(clear_then_reuse)
{
    struct buf b;

    buf_init(&b);
    buf_printf(&b, "%0300d", 3);
    buf_clear(&b);
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    buf_puts(&b, "again");
    assert_content(&b, "again", 5);
    buf_clear(&b);
    buf_clear(&b); /* twice: still fine */
    ck_assert_ptr_null(b.p);
}
END_TEST

START_TEST(embedded_nuls_are_kept)
{
    struct buf b;

    buf_init(&b);
    buf_append(&b, "a\0b", 3);
    buf_putc(&b, '\0');
    buf_printf(&b, "%c%s", '\0', "c");
    buf_puts(&b, "d\0ignored"); /* puts stops at the first NUL */
    assert_content(&b, "a\0b\0\0cd", 7);
    buf_consume(&b, 2);
    assert_content(&b, "b\0\0cd", 5);
    buf_clear(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("append");

    tcase_add_test(tc, init_is_empty);
    tcase_add_loop_test(tc, append_functions_add_bytes_and_terminate, 0,
                        (int)(sizeof(append_cases) / sizeof(append_cases[0])));
    tcase_add_test(tc, append_to_fresh_buffer);
    tcase_add_loop_test(tc, printf_long_output_grows, 0,
                        (int)(sizeof(long_lens) / sizeof(long_lens[0])));
    tcase_add_test(tc, putc_many_grows_and_keeps_content);
    tcase_add_test(tc, append_large_block);
    tcase_add_test(tc, reserve_on_fresh_buffer_leaves_c_string);
    tcase_add_loop_test(tc, reserve_makes_room_and_keeps_content, 0,
                        (int)(sizeof(reserve_sizes) / sizeof(reserve_sizes[0])));
    tcase_add_test(tc, embedded_nuls_are_kept);
    suite_add_tcase(s, tc);

    tc = tcase_create("shrink");
    tcase_add_test(tc, reset_keeps_capacity);
    tcase_add_loop_test(tc, consume_removes_prefix, 0,
                        (int)(sizeof(consume_cases) / sizeof(consume_cases[0])));
    tcase_add_test(tc, consume_repeatedly_as_a_queue);
    tcase_add_test(tc, consume_on_fresh_buffer);
    tcase_add_test(tc, clear_then_reuse);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(buf_suite());
}
