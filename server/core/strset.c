/*
 * strset.c - an arena hash set of strings (see strset.h).
 */
#include "core/strset.h"

#include <stdint.h>
#include <string.h>

void
strset_init(struct strset *s, struct arena *a)
{
    memset(s, 0, sizeof(*s));
    s->a = a;
}

static size_t
strset_find(const struct strset *s, struct strv v, uint64_t h)
{
    size_t i = (size_t)h & (s->nslots - 1);

    while (s->slots[i] != 0) {
        struct strv it = s->items[s->slots[i] - 1];

        if (it.len == v.len && (v.len == 0 || memcmp(it.p, v.p, v.len) == 0))
            return i;
        i = (i + 1) & (s->nslots - 1);
    }
    return i;
}

static void
strset_grow(struct strset *s)
{
    size_t n = s->nslots ? s->nslots * 2 : 16;
    size_t *old = s->slots, oldn = s->nslots;

    s->slots = arena_calloc(s->a, n, sizeof(*s->slots));
    s->nslots = n;
    for (size_t i = 0; i < oldn; i++) {
        if (old[i] != 0) {
            struct strv it = s->items[old[i] - 1];

            s->slots[strset_find(s, it, strv_hash(it))] = old[i];
        }
    }
    s->items = arena_realloc(s->a, s->items, s->n * sizeof(*s->items), n * sizeof(*s->items));
}

bool
strset_add(struct strset *s, struct strv v)
{
    uint64_t h;
    size_t i;

    if ((s->n + 1) * 2 > s->nslots)
        strset_grow(s);
    h = strv_hash(v);
    i = strset_find(s, v, h);
    if (s->slots[i] != 0)
        return false;
    s->items[s->n++] = v;
    s->slots[i] = s->n;
    return true;
}

bool
strset_has(const struct strset *s, struct strv v)
{
    return s->nslots > 0 && s->slots[strset_find(s, v, strv_hash(v))] != 0;
}

long
strset_index(const struct strset *s, struct strv v)
{
    size_t i;

    if (s->nslots == 0)
        return -1;
    i = strset_find(s, v, strv_hash(v));
    return s->slots[i] != 0 ? (long)s->slots[i] - 1 : -1;
}
