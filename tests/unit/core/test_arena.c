/*
 * test_arena.c - the region allocator: alignment, chunk boundaries, big
 * requests with their own chunk, calloc zeroing and overflow, realloc in
 * place and by copy, the string helpers, destructors and arena_used.
 * Memory from malloc is made non-zero (M_PERTURB; ASan fills it with 0xbe
 * anyway) so that a calloc which forgot to zero is caught.
 */
#include "core/arena.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "../unit.h"

#define ALIGN alignof(max_align_t)

static size_t
round_up(size_t n)
{
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

static void
dirty_malloc(void)
{
    (void)mallopt(M_PERTURB, 0xaa); /* fresh malloc memory reads 0x55 */
}

/* The abort tests expect xalloc_die's message; keep it out of the test output. */
static void
quiet_stderr(void)
{
    int fd = open("/dev/null", O_WRONLY);

    ck_assert_int_ne(fd, -1);
    ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);
}

static int
is_aligned(const void *p)
{
    return (uintptr_t)p % ALIGN == 0;
}

static const size_t align_sizes[] = { 0,  1,  2,  3,   7,   8,   9,   15,   16,  17,
                                      31, 33, 63, 100, 255, 256, 257, 1000, 5000 };

START_TEST(every_allocation_is_aligned)
{
    struct arena *a = arena_new(1024);

    /* each time after an odd-sized block, so a bump pointer must round up;
     * 40 rounds cross several chunk boundaries */
    for (int round = 0; round < 40; round++) {
        void *odd = arena_alloc(a, 3);
        void *p = arena_alloc(a, align_sizes[_i]);

        ck_assert_msg(is_aligned(odd), "size 3, round %d: %p", round, odd);
        ck_assert_msg(is_aligned(p), "size %zu, round %d: %p", align_sizes[_i], round, p);
        memset(p, 'x', align_sizes[_i]); /* writable to the last byte */
    }
    arena_free(&a);
}
END_TEST

START_TEST(string_and_calloc_results_are_aligned)
{
    struct arena *a = arena_new(512);

    for (int i = 0; i < 50; i++) {
        ck_assert(is_aligned(arena_strdup(a, "abc")));
        ck_assert(is_aligned(arena_strndup(a, "abcdefgh", 5)));
        ck_assert(is_aligned(arena_printf(a, "%d", i)));
        ck_assert(is_aligned(arena_calloc(a, 3, 5)));
    }
    arena_free(&a);
}
END_TEST

/* 24-byte objects in 256-byte chunks: hundreds of chunk changes. Each block
 * holds its own index; an overlap or a lost chunk shows as a wrong byte. */
START_TEST(many_small_allocations_across_chunks_stay_distinct)
{
    enum { N = 5000, SZ = 24 };
    struct arena *a = arena_new(256);
    unsigned char **blocks = xcalloc(N, sizeof(*blocks));

    for (size_t i = 0; i < N; i++) {
        blocks[i] = arena_alloc(a, SZ);
        ck_assert(is_aligned(blocks[i]));
        memset(blocks[i], (int)(i % 251), SZ);
    }
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < SZ; j++)
            ck_assert_uint_eq(blocks[i][j], i % 251);
    }
    ck_assert_uint_eq(arena_used(a), N * round_up(SZ));
    free(blocks);
    arena_free(&a);
}
END_TEST

/* chunk 1024: a request of more than 256 bytes gets a chunk of its own and
 * the next small allocation continues right after the previous one. */
static const size_t big_sizes[] = { 257, 300, 1024, 4096, 100000 };

START_TEST(big_allocation_keeps_current_chunk_free_space)
{
    struct arena *a = arena_new(1024);
    unsigned char *p1 = arena_alloc(a, 16);
    unsigned char *big, *p2;

    memset(p1, 'a', 16);
    big = arena_alloc(a, big_sizes[_i]);
    ck_assert(is_aligned(big));
    memset(big, 'b', big_sizes[_i]);
    p2 = arena_alloc(a, 16);
    ck_assert_ptr_eq(p2, p1 + round_up(16));
    memset(p2, 'c', 16);
    ck_assert_uint_eq(arena_used(a), 2 * round_up(16) + round_up(big_sizes[_i]));
    for (size_t i = 0; i < 16; i++) {
        ck_assert_uint_eq(p1[i], 'a');
        ck_assert_uint_eq(p2[i], 'c');
    }
    for (size_t i = 0; i < big_sizes[_i]; i++)
        ck_assert_uint_eq(big[i], 'b');
    arena_free(&a);
}
END_TEST

START_TEST(quarter_chunk_allocation_stays_in_current_chunk)
{
    struct arena *a = arena_new(1024);
    unsigned char *p1 = arena_alloc(a, 16);
    unsigned char *q = arena_alloc(a, 256); /* exactly a quarter: not "larger" */
    unsigned char *p2 = arena_alloc(a, 16);

    ck_assert_ptr_eq(q, p1 + round_up(16));
    ck_assert_ptr_eq(p2, q + 256);
    arena_free(&a);
}
END_TEST

static const struct {
    size_t n, size;
} calloc_cases[] = {
    { 1, 1 },    { 3, 5 },  { 10, 24 }, { 1, 200 }, { 64, 64 }, /* 4096: its own chunk */
    { 1000, 3 }, { 0, 10 }, { 10, 0 },
};

START_TEST(calloc_returns_zeroed_memory)
{
    struct arena *a;
    unsigned char *p;
    size_t len = calloc_cases[_i].n * calloc_cases[_i].size;

    dirty_malloc();
    a = arena_new(2048);
    arena_alloc(a, 8); /* not at the very start of the chunk */
    p = arena_calloc(a, calloc_cases[_i].n, calloc_cases[_i].size);
    ck_assert_ptr_nonnull(p);
    ck_assert(is_aligned(p));
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(p[i] == 0, "byte %zu of %zu is 0x%02x", i, len, p[i]);
    arena_free(&a);
}
END_TEST

static const struct {
    size_t n, size;
} calloc_overflows[] = {
    { SIZE_MAX / 2 + 1, 2 },
    { 2, SIZE_MAX / 2 + 1 },
    { SIZE_MAX, SIZE_MAX },
    { (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4) },
};

START_TEST(calloc_overflow_aborts)
{
    struct arena *a = arena_new(1024);

    quiet_stderr();
    arena_calloc(a, calloc_overflows[_i].n, calloc_overflows[_i].size);
    ck_abort_msg("arena_calloc(%zu, %zu) returned", calloc_overflows[_i].n,
                 calloc_overflows[_i].size);
}
END_TEST

START_TEST(realloc_grows_newest_in_place)
{
    struct arena *a = arena_new(1024);
    unsigned char *p = arena_alloc(a, 16);
    unsigned char *q, *next;
    size_t used;

    memcpy(p, "0123456789abcdef", 16);
    used = arena_used(a);
    q = arena_realloc(a, p, 16, 100);
    ck_assert_ptr_eq(q, p);
    ck_assert_mem_eq(q, "0123456789abcdef", 16);
    ck_assert_uint_eq(arena_used(a), used - round_up(16) + round_up(100));
    memset(q + 16, 'x', 84);
    /* the grown block is taken: the next allocation starts after it */
    next = arena_alloc(a, 16);
    ck_assert_ptr_eq(next, p + round_up(100));
    memset(next, 'n', 16);
    ck_assert_mem_eq(q, "0123456789abcdef", 16);
    for (size_t i = 16; i < 100; i++)
        ck_assert_uint_eq(q[i], 'x');
    arena_free(&a);
}
END_TEST

START_TEST(realloc_of_older_block_copies)
{
    struct arena *a = arena_new(1024);
    unsigned char *p = arena_alloc(a, 16);
    unsigned char *other = arena_alloc(a, 16);
    unsigned char *q;

    memcpy(p, "0123456789abcdef", 16);
    memset(other, 'o', 16);
    q = arena_realloc(a, p, 16, 64);
    ck_assert_ptr_ne(q, p);
    ck_assert(is_aligned(q));
    ck_assert_mem_eq(q, "0123456789abcdef", 16);
    memset(q + 16, 'x', 48);
    for (size_t i = 0; i < 16; i++)
        ck_assert_uint_eq(other[i], 'o');
    ck_assert_mem_eq(p, "0123456789abcdef", 16); /* the old block is left as it was */
    arena_free(&a);
}
END_TEST

/* Growing the newest block in a 256-byte chunk (a quarter is 64): in place
 * while the chunk has room and the block stays small, else moved; the
 * content is kept either way. */
static const struct {
    int nfill;       /* 48-byte blocks allocated before p */
    size_t old_size; /* p's size */
    size_t new_size;
    bool in_place;
} realloc_newest[] = {
    { 4, 48, 64, true },    /* 240 used: the 16 bytes left are enough */
    { 4, 48, 80, false },   /* 32 more needed, 16 left */
    { 0, 16, 64, true },    /* a quarter exactly is still small */
    { 0, 16, 65, false },   /* past a quarter: a chunk of its own */
    { 0, 32, 200, false },  /* well past a quarter */
    { 2, 64, 5000, false }, /* past the chunk size */
};

START_TEST(realloc_newest_in_place_only_with_room)
{
    struct arena *a = arena_new(256);
    size_t old = realloc_newest[_i].old_size, new_size = realloc_newest[_i].new_size;
    unsigned char *p, *q;

    for (int i = 0; i < realloc_newest[_i].nfill; i++)
        arena_alloc(a, 48);
    p = arena_alloc(a, old);
    for (size_t i = 0; i < old; i++)
        p[i] = (unsigned char)(i + 1);
    q = arena_realloc(a, p, old, new_size);
    ck_assert(is_aligned(q));
    if (realloc_newest[_i].in_place)
        ck_assert_ptr_eq(q, p);
    else
        ck_assert_ptr_ne(q, p);
    for (size_t i = 0; i < old; i++)
        ck_assert_uint_eq(q[i], (unsigned char)(i + 1));
    memset(q + old, 'x', new_size - old); /* writable to the last byte */
    arena_free(&a);
}
END_TEST

START_TEST(realloc_shrink_and_null)
{
    struct arena *a = arena_new(1024);
    char *p = arena_strdup(a, "hello");
    char *q;

    ck_assert_ptr_eq(arena_realloc(a, p, 6, 3), p);
    ck_assert_ptr_eq(arena_realloc(a, p, 6, 6), p);
    ck_assert_str_eq(p, "hello");
    q = arena_realloc(a, NULL, 0, 40);
    ck_assert_ptr_nonnull(q);
    ck_assert(is_aligned(q));
    memset(q, 'z', 40);
    arena_free(&a);
}
END_TEST

/* A chain of small reallocs of the newest block, as a growing array does. */
START_TEST(realloc_repeated_growth_keeps_content)
{
    struct arena *a = arena_new(512);
    unsigned *v = NULL;
    size_t n = 0;

    for (unsigned i = 0; i < 1000; i++) {
        v = arena_realloc(a, v, n * sizeof(*v), (n + 1) * sizeof(*v));
        v[n++] = i * 7;
        if (i % 10 == 0)
            arena_strdup(a, "interleaved"); /* sometimes not the newest */
    }
    for (unsigned i = 0; i < 1000; i++)
        ck_assert_uint_eq(v[i], i * 7);
    arena_free(&a);
}
END_TEST

static const struct {
    const char *s;
    size_t n;
    const char *want;
} strndup_cases[] = {
    { "hello world", 5, "hello" }, { "hello", 5, "hello" }, { "hello", 0, "" }, { "", 0, "" },
    { "abc\0def", 7, "abc" }, /* copies n bytes, NUL included; the string ends at abc */
};

START_TEST(strndup_copies_n_bytes_and_terminates)
{
    struct arena *a = arena_new(256);
    const char *s = strndup_cases[_i].s;
    size_t n = strndup_cases[_i].n;
    char *p = arena_strndup(a, s, n);

    ck_assert_ptr_ne(p, s);
    ck_assert_mem_eq(p, s, n);
    ck_assert_int_eq(p[n], '\0');
    ck_assert_str_eq(p, strndup_cases[_i].want);
    arena_free(&a);
}
END_TEST

START_TEST(strndup_reads_only_n_bytes)
{
    static const char raw[3] = { 'a', 'b', 'c' }; /* no NUL: ASan checks the bound */
    struct arena *a = arena_new(256);
    char *p = arena_strndup(a, raw, sizeof(raw));

    ck_assert_str_eq(p, "abc");
    arena_free(&a);
}
END_TEST

START_TEST(strdup_copies)
{
    struct arena *a = arena_new(256);
    char src[] = "mutable";
    char *p = arena_strdup(a, src);
    char *e = arena_strdup(a, "");
    char *big;
    char *long_src = xmalloc(3001);

    src[0] = 'X';
    ck_assert_str_eq(p, "mutable");
    ck_assert_str_eq(e, "");
    memset(long_src, 'L', 3000);
    long_src[3000] = '\0';
    big = arena_strdup(a, long_src); /* its own chunk */
    ck_assert_uint_eq(strlen(big), 3000);
    ck_assert_str_eq(big, long_src);
    free(long_src);
    arena_free(&a);
}
END_TEST

START_TEST(printf_formats)
{
    struct arena *a = arena_new(256);
    char *p = arena_printf(a, "%s:%d:%u: %s", "local.d/spamd.yaml", 12, 5u, "not a size");
    char *e = arena_printf(a, "%s", "");
    char *big = arena_printf(a, "%0*d|", 5000, 42); /* longer than a chunk */

    ck_assert_str_eq(p, "local.d/spamd.yaml:12:5: not a size");
    ck_assert_str_eq(e, "");
    ck_assert_uint_eq(strlen(big), 5001);
    ck_assert_str_eq(big + 4998, "42|");
    for (size_t i = 0; i < 4998; i++)
        ck_assert_int_eq(big[i], '0');
    ck_assert_str_eq(p, "local.d/spamd.yaml:12:5: not a size"); /* untouched */
    arena_free(&a);
}
END_TEST

struct dtor_log {
    int order[8];
    int n;
};

struct dtor_arg {
    struct dtor_log *log;
    int id;
};

static void
dtor_record(void *arg)
{
    struct dtor_arg *d = arg;

    /* d lives in the arena: it must still be valid while destructors run */
    ck_assert_int_lt(d->log->n, 8);
    d->log->order[d->log->n++] = d->id;
}

START_TEST(destructors_run_newest_first_once)
{
    struct dtor_log log = { { 0 }, 0 };
    struct arena *a = arena_new(256);

    for (int id = 1; id <= 5; id++) {
        struct dtor_arg *d = arena_alloc(a, sizeof(*d));

        d->log = &log;
        d->id = id;
        arena_on_free(a, dtor_record, d);
        arena_alloc(a, 100); /* spread over chunks */
    }
    ck_assert_int_eq(log.n, 0);
    arena_free(&a);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(log.n, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(log.order[i], 5 - i);
    arena_free(&a); /* a is NULL now: nothing runs again */
    ck_assert_int_eq(log.n, 5);
}
END_TEST

static void
dtor_free_heap(void *arg)
{
    free(arg);
}

/* An object allocated elsewhere joins the arena; under ASan a missed
 * destructor is a leak. */
START_TEST(destructor_releases_outside_object)
{
    struct arena *a = arena_new(256);
    char *heap = xstrdup("owned by the arena");

    arena_on_free(a, dtor_free_heap, heap);
    arena_free(&a);
    ck_assert_ptr_null(a);
}
END_TEST

START_TEST(free_sets_null_and_accepts_null)
{
    struct arena *a = arena_new(256);
    struct arena *none = NULL;

    arena_alloc(a, 10);
    arena_free(&a);
    ck_assert_ptr_null(a);
    arena_free(&none);
    ck_assert_ptr_null(none);
}
END_TEST

START_TEST(used_counts_bytes_handed_out)
{
    struct arena *a = arena_new(1024);
    size_t before;

    ck_assert_uint_eq(arena_used(a), 0);
    arena_alloc(a, 64);
    ck_assert_uint_eq(arena_used(a), 64);
    arena_alloc(a, 4096); /* big: its own chunk, still counted */
    ck_assert_uint_eq(arena_used(a), 64 + 4096);
    before = arena_used(a);
    arena_alloc(a, 1);
    ck_assert_uint_ge(arena_used(a), before + 1);
    ck_assert_uint_le(arena_used(a), before + ALIGN);
    before = arena_used(a);
    arena_strdup(a, "0123456789");
    ck_assert_uint_ge(arena_used(a), before + 11);
    for (int i = 0; i < 100; i++) { /* across chunks, never decreasing */
        before = arena_used(a);
        arena_alloc(a, 48);
        ck_assert_uint_eq(arena_used(a), before + round_up(48));
    }
    arena_free(&a);
}
END_TEST

static Suite *
arena_suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("alloc");

    tcase_add_loop_test(tc, every_allocation_is_aligned, 0,
                        (int)(sizeof(align_sizes) / sizeof(align_sizes[0])));
    tcase_add_test(tc, string_and_calloc_results_are_aligned);
    tcase_add_test(tc, many_small_allocations_across_chunks_stay_distinct);
    tcase_add_loop_test(tc, big_allocation_keeps_current_chunk_free_space, 0,
                        (int)(sizeof(big_sizes) / sizeof(big_sizes[0])));
    tcase_add_test(tc, quarter_chunk_allocation_stays_in_current_chunk);
    tcase_add_test(tc, used_counts_bytes_handed_out);
    suite_add_tcase(s, tc);

    tc = tcase_create("calloc");
    tcase_add_loop_test(tc, calloc_returns_zeroed_memory, 0,
                        (int)(sizeof(calloc_cases) / sizeof(calloc_cases[0])));
    tcase_add_loop_test_raise_signal(tc, calloc_overflow_aborts, SIGABRT, 0,
                                     (int)(sizeof(calloc_overflows) / sizeof(calloc_overflows[0])));
    suite_add_tcase(s, tc);

    tc = tcase_create("realloc");
    tcase_add_test(tc, realloc_grows_newest_in_place);
    tcase_add_test(tc, realloc_of_older_block_copies);
    tcase_add_loop_test(tc, realloc_newest_in_place_only_with_room, 0,
                        (int)(sizeof(realloc_newest) / sizeof(realloc_newest[0])));
    tcase_add_test(tc, realloc_shrink_and_null);
    tcase_add_test(tc, realloc_repeated_growth_keeps_content);
    suite_add_tcase(s, tc);

    tc = tcase_create("strings");
    tcase_add_loop_test(tc, strndup_copies_n_bytes_and_terminates, 0,
                        (int)(sizeof(strndup_cases) / sizeof(strndup_cases[0])));
    tcase_add_test(tc, strndup_reads_only_n_bytes);
    tcase_add_test(tc, strdup_copies);
    tcase_add_test(tc, printf_formats);
    suite_add_tcase(s, tc);

    tc = tcase_create("free");
    tcase_add_test(tc, destructors_run_newest_first_once);
    tcase_add_test(tc, destructor_releases_outside_object);
    tcase_add_test(tc, free_sets_null_and_accepts_null);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(arena_suite());
}
