/*
 * arena.h - a region allocator: many allocations, one free.
 * A task, a config snapshot and a parsed request each own one arena; every
 * allocation made for them comes from it and arena_free releases all of it
 * at once, running the registered destructors (newest first) before.
 * Not thread-safe; an arena belongs to one owner.
 */
#ifndef SIFT_CORE_ARENA_H
#define SIFT_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* chunk_size is the usual chunk; larger requests get a chunk of their own. */
struct arena *arena_new(size_t chunk_size);
/* Run the destructors, release every chunk, set *ap = NULL. NULL is fine. */
void arena_free(struct arena **ap);

/* Memory aligned for any type, valid until arena_free. Never NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* n * size bytes, zeroed; aborts if the product overflows. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Grow the newest allocation p of old_size to new_size if it is the last
 * one made, else allocate anew and copy. Returns the (maybe moved) block. */
void *arena_realloc(struct arena *a, void *p, size_t old_size, size_t new_size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Call fn(arg) when the arena is freed (for objects allocated elsewhere). */
void arena_on_free(struct arena *a, void (*fn)(void *), void *arg);

/* Bytes handed out so far (for limits and statistics). */
size_t arena_used(const struct arena *a);

#endif
