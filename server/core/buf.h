/*
 * buf.h - a growable byte buffer for output (replies, rendered text).
 * The bytes are always followed by a NUL that len does not count, so
 * b->p can be used as a C string when the content has no NUL of its own.
 * Every function that appends may reallocate b->p: do not keep pointers
 * into it across an append.
 */
#ifndef SIFT_CORE_BUF_H
#define SIFT_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *p;
    size_t len;
    size_t cap;
};

/* Embedded use: buf_init before, buf_clear after (frees the bytes). */
void buf_init(struct buf *b);
void buf_clear(struct buf *b);
/* Forget the content, keep the allocation. */
void buf_reset(struct buf *b);
/* Make room for n more bytes (may reallocate). */
void buf_reserve(struct buf *b, size_t n);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Remove the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);

#endif
