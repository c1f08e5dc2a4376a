/*
 * clock.h - time as the daemon measures it: monotonic seconds for
 * durations and deadlines, and seconds turned into a struct timeval for
 * event-loop timeouts.
 */
#ifndef SIFT_CORE_CLOCK_H
#define SIFT_CORE_CLOCK_H

#include <sys/time.h>

/* Seconds since an arbitrary point, never going back (CLOCK_MONOTONIC). */
double clock_mono(void);
/* seconds (>= 0) as a timeval. */
struct timeval clock_tv(double seconds);

#endif
