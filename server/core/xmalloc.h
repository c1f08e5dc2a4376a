/*
 * xmalloc.h - allocation that never returns NULL.
 * On exhaustion these log and abort: a process out of memory cannot serve
 * mail safely, and the main process restarts a dead worker. Sizes that come
 * from input must be capped and overflow-checked by the caller first;
 * xcalloc and xreallocarray check their own multiplication.
 */
#ifndef SIFT_CORE_XMALLOC_H
#define SIFT_CORE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* realloc(p, n * size), aborting if n * size overflows. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Report that `size` bytes could not be had, and abort. */
void xalloc_die(size_t size) __attribute__((noreturn));

#endif
