/*
 * unit.h - what every check test shares: run one suite, exit non-zero on a
 * failure, and scratch directories for tests that read files. Check's fork
 * mode stays on, so under `make asan` a leak fails the very test that leaked.
 */
#ifndef SIFT_TESTS_UNIT_H
#define SIFT_TESTS_UNIT_H

#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline int
unit_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A new empty directory under /tmp; its path in dir (PATH_MAX bytes). */
static inline void
unit_tmpdir(char *dir)
{
    snprintf(dir, PATH_MAX, "/tmp/sift-unit-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Write text to dir/rel, creating the directories on the way. */
static inline void
unit_write(const char *dir, const char *rel, const char *text)
{
    char path[PATH_MAX * 2];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static inline int
unit_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void
unit_rmtree(const char *dir)
{
    nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
