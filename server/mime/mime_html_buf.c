/*
 * mime_html_buf.c - the HTML renderer's arena buffer (see mime_html_int.h).
 */
#include "mime/mime_html_int.h"

#include <string.h>

#include "core/xmalloc.h"

void
mh_buf_init(struct mh_buf *b, struct arena *a)
{
    b->a = a;
    b->p = NULL;
    b->len = b->cap = 0;
}

void
mh_buf_reserve(struct mh_buf *b, size_t n)
{
    size_t cap;

    if (b->cap - b->len >= n)
        return;
    if (n > SIZE_MAX / 2 - b->len)
        xalloc_die(SIZE_MAX);
    cap = b->cap ? b->cap : 64;
    while (cap - b->len < n)
        cap *= 2;
    b->p = arena_realloc(b->a, b->p, b->cap, cap);
    b->cap = cap;
}

void
mh_buf_grow_append(struct mh_buf *b, const void *p, size_t n)
{
    mh_buf_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void
mh_buf_put_utf8(struct mh_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    mh_buf_append(b, u, n);
}
