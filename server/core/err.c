/*
 * err.c - the caller-supplied error buffer (see err.h).
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
sift_err_set(struct sift_err *err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}

void
sift_err_prefix(struct sift_err *err, const char *fmt, ...)
{
    char old[sizeof(err->msg)];
    size_t n;
    va_list ap;
    int k;

    if (err == NULL)
        return;
    memcpy(old, err->msg, sizeof(old));
    va_start(ap, fmt);
    k = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    n = k < 0 ? 0 : (size_t)k;
    if (n + 2 >= sizeof(err->msg))
        return;
    memcpy(err->msg + n, ": ", 2);
    n += 2;
    strncpy(err->msg + n, old, sizeof(err->msg) - n - 1);
    err->msg[sizeof(err->msg) - 1] = '\0';
}
