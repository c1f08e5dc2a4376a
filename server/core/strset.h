/*
 * strset.h - a set of byte strings in an arena (open addressing), for
 * de-duplicating per message (URIs, hosts). Insertion order is kept.
 * The strings are not copied: they must live as long as the set.
 */
#ifndef SIFT_CORE_STRSET_H
#define SIFT_CORE_STRSET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/strv.h"

struct strset {
    struct arena *a;
    struct strv *items; /* in insertion order */
    size_t n;
    size_t *slots; /* index+1 into items, 0 = empty */
    size_t nslots;
};

void strset_init(struct strset *s, struct arena *a);
/* Add v; true if it was not there yet. */
bool strset_add(struct strset *s, struct strv v);
bool strset_has(const struct strset *s, struct strv v);
/* Its position in insertion order, or -1. */
long strset_index(const struct strset *s, struct strv v);

#endif
