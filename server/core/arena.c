/*
 * arena.c - region allocator (see arena.h).
 * Chunks form a list; allocation bumps a pointer in the newest chunk.
 * A request larger than a quarter of the chunk size gets a chunk of its own
 * placed behind the current one, so the current chunk's free space is kept.
 */
#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

#define ARENA_ALIGN alignof(max_align_t)

struct arena_chunk {
    struct arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct arena {
    struct arena_chunk *head; /* current chunk */
    struct arena_cleanup *cleanups;
    size_t chunk_size;
    size_t total;
    void *last; /* newest allocation, for arena_realloc */
    size_t last_size;
};

static size_t
arena_round(size_t n)
{
    if (n > SIZE_MAX - ARENA_ALIGN)
        xalloc_die(n);
    return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

static struct arena_chunk *
arena_chunk_new(size_t size)
{
    struct arena_chunk *c;

    if (size > SIZE_MAX - sizeof(*c))
        xalloc_die(size);
    c = xmalloc(sizeof(*c) + size);
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

struct arena *
arena_new(size_t chunk_size)
{
    struct arena *a = xcalloc(1, sizeof(*a));

    a->chunk_size = arena_round(chunk_size < 256 ? 256 : chunk_size);
    a->head = arena_chunk_new(a->chunk_size);
    return a;
}

void
arena_free(struct arena **ap)
{
    struct arena *a = *ap;
    struct arena_chunk *c, *next;

    if (a == NULL)
        return;
    while (a->cleanups != NULL) {
        struct arena_cleanup *cl = a->cleanups;

        a->cleanups = cl->next; /* a destructor may register no more */
        cl->fn(cl->arg);
    }
    for (c = a->head; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
    *ap = NULL;
}

void *
arena_alloc(struct arena *a, size_t size)
{
    struct arena_chunk *c = a->head;
    void *p;

    size = arena_round(size ? size : 1);
    if (size > a->chunk_size / 4) {
        struct arena_chunk *big = arena_chunk_new(size);

        big->used = size;
        big->next = c->next; /* behind the current chunk */
        c->next = big;
        a->total += size;
        a->last = big->data;
        a->last_size = size;
        return big->data;
    }
    if (c->size - c->used < size) {
        c = arena_chunk_new(a->chunk_size);
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->used;
    c->used += size;
    a->total += size;
    a->last = p;
    a->last_size = size;
    return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size)
        xalloc_die(SIZE_MAX);
    p = arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

void *
arena_realloc(struct arena *a, void *p, size_t old_size, size_t new_size)
{
    struct arena_chunk *c = a->head;
    void *q;

    if (p == NULL)
        return arena_alloc(a, new_size);
    if (new_size <= old_size)
        return p;
    if (p == a->last && (unsigned char *)p + a->last_size == c->data + c->used) {
        size_t grow = arena_round(new_size) - a->last_size;

        if (arena_round(new_size) <= a->chunk_size / 4 && c->size - c->used >= grow) {
            c->used += grow;
            a->total += grow;
            a->last_size += grow;
            return p;
        }
    }
    q = arena_alloc(a, new_size);
    memcpy(q, p, old_size);
    return q;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        xalloc_die(n);
    p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    char *p;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return arena_strdup(a, "");
    p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void
arena_on_free(struct arena *a, void (*fn)(void *), void *arg)
{
    struct arena_cleanup *cl = arena_alloc(a, sizeof(*cl));

    cl->fn = fn;
    cl->arg = arg;
    cl->next = a->cleanups;
    a->cleanups = cl;
}

size_t
arena_used(const struct arena *a)
{
    return a->total;
}
