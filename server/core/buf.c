/*
 * buf.c - growable byte buffer (see buf.h).
 */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

void
buf_init(struct buf *b)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void
buf_clear(struct buf *b)
{
    free(b->p);
    buf_init(b);
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

void
buf_reserve(struct buf *b, size_t n)
{
    size_t need, cap;

    if (n > (size_t)-1 / 2 - b->len)
        xalloc_die(n); /* no buffer grows to half the address space */
    need = b->len + n + 1;
    if (need <= b->cap)
        return;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
    b->p[b->len] = '\0'; /* a fresh buffer is an empty string too */
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
    buf_append(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void
buf_consume(struct buf *b, size_t n)
{
    if (n >= b->len) {
        buf_reset(b);
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
    b->p[b->len] = '\0';
}
