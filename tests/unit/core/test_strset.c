/*
 * test_strset.c - the arena string set: add/has/index, duplicates, growth,
 * empty strings, embedded NULs and insertion order.
 */
#include "core/strset.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"

#include "../unit.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

START_TEST(empty_set_has_nothing)
{
    struct arena *a = arena_new(4096);
    struct strset s;

    strset_init(&s, a);
    ck_assert_uint_eq(s.n, 0);
    ck_assert(!strset_has(&s, STRV_LIT("x")));
    ck_assert(!strset_has(&s, STRV_LIT("")));
    ck_assert_int_eq(strset_index(&s, STRV_LIT("x")), -1);
    arena_free(&a);
}
END_TEST

/* Adding in this order: whether each add is new, and the index it has. */
static const struct {
    const char *s;
    size_t len;
    bool added;
    long index;
} add_cases[] = {
    { "http://a.example/", 17, true, 0 },
    { "http://b.example/", 17, true, 1 },
    { "http://a.example/", 17, false, 0 }, /* duplicate */
    { "HTTP://A.EXAMPLE/", 17, true, 2 },  /* case matters */
    { "", 0, true, 3 },                    /* the empty string is a member */
    { "", 0, false, 3 },
    { "a\0b", 3, true, 4 }, /* bytes, not C strings */
    { "a\0c", 3, true, 5 },
    { "a", 1, true, 6 }, /* a prefix is another string */
    { "http://b.example/", 17, false, 1 },
};

START_TEST(add_has_index_in_insertion_order)
{
    struct arena *a = arena_new(4096);
    struct strset s;
    size_t n = 0;

    strset_init(&s, a);
    for (size_t i = 0; i < NCASES(add_cases); i++) {
        struct strv v = strv_make(add_cases[i].s, add_cases[i].len);

        ck_assert_msg(strset_add(&s, v) == add_cases[i].added, "add %zu", i);
        n += add_cases[i].added;
        ck_assert_uint_eq(s.n, n);
        ck_assert(strset_has(&s, v));
        ck_assert_int_eq(strset_index(&s, v), add_cases[i].index);
    }
    /* items in the order first added, pointing at the strings given */
    for (size_t i = 0, k = 0; i < NCASES(add_cases); i++) {
        if (!add_cases[i].added)
            continue;
        ck_assert_uint_eq(s.items[k].len, add_cases[i].len);
        ck_assert_ptr_eq(s.items[k].p, add_cases[i].s);
        k++;
    }
    ck_assert(!strset_has(&s, STRV_LIT("http://c.example/")));
    ck_assert(!strset_has(&s, STRV_LIT("a\0d")));
    ck_assert(!strset_has(&s, STRV_LIT("ab")));
    ck_assert_int_eq(strset_index(&s, STRV_LIT("b")), -1);
    arena_free(&a);
}
END_TEST

START_TEST(grows_past_many_items)
{
    enum { N = 5000 };
    struct arena *a = arena_new(4096);
    struct strset s;
    char *keys[N];

    strset_init(&s, a);
    for (int i = 0; i < N; i++) {
        keys[i] = arena_printf(a, "key-%d", i);
        ck_assert(strset_add(&s, strv_cstr(keys[i])));
    }
    ck_assert_uint_eq(s.n, N);
    ck_assert_uint_ge(s.nslots, 2 * (size_t)N); /* at most half full */
    for (int i = 0; i < N; i++) {
        /* a copy of the key, not the same pointer */
        char probe[32];

        snprintf(probe, sizeof(probe), "key-%d", i);
        ck_assert_int_eq(strset_index(&s, strv_cstr(probe)), i);
        ck_assert(!strset_add(&s, strv_cstr(probe)));
        ck_assert_ptr_eq(s.items[i].p, keys[i]);
    }
    ck_assert_uint_eq(s.n, N);
    ck_assert(!strset_has(&s, STRV_LIT("key-5000")));
    ck_assert(!strset_has(&s, STRV_LIT("key-")));
    arena_free(&a);
}
END_TEST

START_TEST(two_sets_in_one_arena_are_independent)
{
    struct arena *a = arena_new(4096);
    struct strset x, y;

    strset_init(&x, a);
    strset_init(&y, a);
    ck_assert(strset_add(&x, STRV_LIT("one")));
    ck_assert(strset_add(&y, STRV_LIT("two")));
    ck_assert(strset_add(&y, STRV_LIT("one")));
    ck_assert(strset_has(&x, STRV_LIT("one")));
    ck_assert(!strset_has(&x, STRV_LIT("two")));
    ck_assert_int_eq(strset_index(&y, STRV_LIT("one")), 1);
    ck_assert_int_eq(strset_index(&x, STRV_LIT("one")), 0);
    arena_free(&a);
}
END_TEST

static Suite *
strset_suite(void)
{
    Suite *s = suite_create("strset");
    TCase *tc = tcase_create("strset");

    tcase_add_test(tc, empty_set_has_nothing);
    tcase_add_test(tc, add_has_index_in_insertion_order);
    tcase_add_test(tc, grows_past_many_items);
    tcase_add_test(tc, two_sets_in_one_arena_are_independent);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(strset_suite());
}
