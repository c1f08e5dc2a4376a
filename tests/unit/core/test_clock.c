/*
 * test_clock.c - monotonic seconds and timevals.
 */
#include "core/clock.h"

#include <unistd.h>

#include "../unit.h"

static const struct {
    double in;
    long sec, usec;
} tv_cases[] = {
    { 0, 0, 0 }, { 1.5, 1, 500000 }, { 30, 30, 0 }, { 0.001, 0, 1000 }, { -2, 0, 0 },
};

START_TEST(seconds_to_timeval)
{
    struct timeval tv = clock_tv(tv_cases[_i].in);

    ck_assert_int_eq(tv.tv_sec, tv_cases[_i].sec);
    ck_assert_int_le(labs((long)tv.tv_usec - tv_cases[_i].usec), 1);
}
END_TEST

START_TEST(monotonic_time_moves_forward)
{
    double a = clock_mono(), b;

    usleep(20000);
    b = clock_mono();
    ck_assert(b - a >= 0.015);
    ck_assert(b - a < 5);
}
END_TEST

static Suite *
clock_suite(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("clock");

    tcase_add_loop_test(tc, seconds_to_timeval, 0, sizeof(tv_cases) / sizeof(tv_cases[0]));
    tcase_add_test(tc, monotonic_time_moves_forward);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return unit_run(clock_suite());
}
