/*
 * test_xmalloc.c - allocation that never returns NULL: zero sizes, the
 * string copies, reallocation, and the abort on an overflowing
 * xreallocarray with its message on stderr.
 * Overflows handed to malloc itself are not tested: ASan intercepts those
 * before xmalloc sees the NULL.
 */
#include "core/xmalloc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../unit.h"

START_TEST(zero_sizes_return_usable_pointers)
{
    void *m = xmalloc(0);
    void *c1 = xcalloc(0, 8);
    void *c2 = xcalloc(8, 0);
    void *c3 = xcalloc(0, 0);
    void *r = xrealloc(NULL, 0);
    void *ra = xreallocarray(NULL, 0, 16);

    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(c1);
    ck_assert_ptr_nonnull(c2);
    ck_assert_ptr_nonnull(c3);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(ra);
    ck_assert_ptr_ne(m, c1); /* distinct blocks */
    ck_assert_ptr_ne(c1, c2);
    free(m);
    free(c1);
    free(c2);
    free(c3);
    free(r);
    free(ra);
}
END_TEST

START_TEST(realloc_to_zero_keeps_a_block)
{
    char *p = xstrdup("abc");

    p = xrealloc(p, 0); /* realloc(p, 0) may free p and return NULL; xrealloc may not */
    ck_assert_ptr_nonnull(p);
    free(p);
}
END_TEST

START_TEST(calloc_zeroes)
{
    unsigned char *p = xcalloc(1000, 7);

    for (size_t i = 0; i < 7000; i++)
        ck_assert_uint_eq(p[i], 0);
    free(p);
}
END_TEST

static const struct {
    const char *s;
    size_t n;
    const char *want;
} strndup_cases[] = {
    { "hello", 3, "hel" }, { "hello", 5, "hello" }, { "hello", 0, "" },
    { "", 0, "" },         { "ab\0cd", 5, "ab" }, /* n bytes copied, embedded NUL included */
};

START_TEST(strndup_copies_n_bytes_and_terminates)
{
    const char *s = strndup_cases[_i].s;
    size_t n = strndup_cases[_i].n;
    char *p = xstrndup(s, n);

    ck_assert_ptr_ne(p, s);
    ck_assert_mem_eq(p, s, n);
    ck_assert_int_eq(p[n], '\0');
    ck_assert_str_eq(p, strndup_cases[_i].want);
    free(p);
}
END_TEST

START_TEST(strndup_reads_only_n_bytes)
{
    static const char raw[4] = { 'w', 'x', 'y', 'z' }; /* no NUL: ASan checks the bound */
    char *p = xstrndup(raw, sizeof(raw));

    ck_assert_str_eq(p, "wxyz");
    free(p);
}
END_TEST

START_TEST(strdup_copies)
{
    char src[] = "original";
    char *p = xstrdup(src);
    char *e = xstrdup("");

    src[0] = 'X';
    ck_assert_str_eq(p, "original");
    ck_assert_str_eq(e, "");
    free(p);
    free(e);
}
END_TEST

START_TEST(reallocarray_grows_and_keeps_content)
{
    uint32_t *v = xreallocarray(NULL, 10, sizeof(*v));

    for (uint32_t i = 0; i < 10; i++)
        v[i] = i * 3;
    v = xreallocarray(v, 100000, sizeof(*v));
    for (uint32_t i = 10; i < 100000; i++)
        v[i] = i * 3;
    for (uint32_t i = 0; i < 100000; i++)
        ck_assert_uint_eq(v[i], i * 3);
    v = xreallocarray(v, 5, sizeof(*v)); /* shrink */
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_uint_eq(v[i], i * 3);
    free(v);
}
END_TEST

static const struct {
    size_t n, size;
} overflows[] = {
    { SIZE_MAX / 2 + 1, 2 },
    { 2, SIZE_MAX / 2 + 1 },
    { SIZE_MAX, SIZE_MAX },
    { SIZE_MAX / 8 + 1, 8 },
    { (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4) },
};

START_TEST(reallocarray_overflow_aborts)
{
    int fd = open("/dev/null", O_WRONLY); /* the message is checked below */

    ck_assert_int_ne(fd, -1);
    ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);
    xreallocarray(NULL, overflows[_i].n, overflows[_i].size);
    ck_abort_msg("xreallocarray(%zu, %zu) returned", overflows[_i].n, overflows[_i].size);
}
END_TEST

START_TEST(reallocarray_overflow_of_existing_block_aborts)
{
    char *p = xstrdup("kept");
    int fd = open("/dev/null", O_WRONLY);

    ck_assert_int_ne(fd, -1);
    ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);
    p = xreallocarray(p, SIZE_MAX / 4 + 1, 4);
    ck_abort_msg("xreallocarray returned %p", (void *)p);
}
END_TEST

/* xalloc_die names the size on stderr, then aborts; a child is needed to
 * read what it wrote. */
START_TEST(die_reports_size_and_aborts)
{
    int pipefd[2], status;
    char out[256], want[96];
    ssize_t got;
    size_t len = 0;
    pid_t pid;

    ck_assert_int_eq(pipe(pipefd), 0);
    fflush(NULL);
    pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        xreallocarray(NULL, SIZE_MAX / 2 + 1, 2);
        _exit(0); /* not reached */
    }
    close(pipefd[1]);
    while ((got = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
        len += (size_t)got;
    close(pipefd[0]);
    out[len] = '\0';
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_eq(WTERMSIG(status), SIGABRT);
    snprintf(want, sizeof(want), "sift: out of memory allocating %zu bytes\n", SIZE_MAX);
    ck_assert_str_eq(out, want);
}
END_TEST

static Suite *
xmalloc_suite(void)
{
    Suite *s = suite_create("xmalloc");
    TCase *tc = tcase_create("alloc");

    tcase_add_test(tc, zero_sizes_return_usable_pointers);
    tcase_add_test(tc, realloc_to_zero_keeps_a_block);
    tcase_add_test(tc, calloc_zeroes);
    tcase_add_loop_test(tc, strndup_copies_n_bytes_and_terminates, 0,
                        (int)(sizeof(strndup_cases) / sizeof(strndup_cases[0])));
    tcase_add_test(tc, strndup_reads_only_n_bytes);
    tcase_add_test(tc, strdup_copies);
    tcase_add_test(tc, reallocarray_grows_and_keeps_content);
    suite_add_tcase(s, tc);

    tc = tcase_create("abort");
    tcase_add_loop_test_raise_signal(tc, reallocarray_overflow_aborts, SIGABRT, 0,
                                     (int)(sizeof(overflows) / sizeof(overflows[0])));
    tcase_add_test_raise_signal(tc, reallocarray_overflow_of_existing_block_aborts, SIGABRT);
    tcase_add_test(tc, die_reports_size_and_aborts);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(xmalloc_suite());
}
