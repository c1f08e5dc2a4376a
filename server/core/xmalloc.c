/*
 * xmalloc.c - allocation that never returns NULL (see xmalloc.h).
 */
#include "core/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
xalloc_die(size_t size)
{
    char msg[96];
    int n = snprintf(msg, sizeof(msg), "sift: out of memory allocating %zu bytes\n", size);

    if (n > 0)
        (void)!write(STDERR_FILENO, msg, (size_t)n);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (p == NULL)
        xalloc_die(size);
    return p;
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        xalloc_die(n * size);
    return p;
}

void *
xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);

    if (q == NULL)
        xalloc_die(size);
    return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > (size_t)-1 / size)
        xalloc_die((size_t)-1);
    return xrealloc(p, n * size);
}

char *
xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}
